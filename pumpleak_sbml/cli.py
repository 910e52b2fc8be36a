# SPDX-License-Identifier: MIT
"""The ``pumpleak`` command line: a thin layer over the public API.

Each subcommand parses its arguments and calls one public function. Errors print one line
on stderr (``--debug`` adds the traceback), and so does each warning (``--strict`` makes
warnings errors). Exit codes: 0 success; 1 a failed check, a failed simulation or no steady
state; 2 bad input (unknown model or quantity, malformed value, a value beyond a limit,
unwritable output, a warning under ``--strict``); 130 interrupted (Ctrl-C); 128 + N
terminated by signal N (SIGTERM, SIGHUP) while a file was being written, which is then
removed. Limits (sizes, points, simulated time) are checked before any work starts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__, api, library, reports
from .built_model import resolve
from .errors import (
    AntimonyError,
    ModelDefinitionError,
    OutputError,
    PumpLeakError,
    PumpLeakWarning,
    UnknownModelError,
    short_repr,
)
from .files import (
    TerminatedError,
    check_writable,
    remove_temporaries_on_termination,
    write_atomically,
    write_text,
)
from .formats import FORMATS, export, save_export
from .limits import MAX_SBML_BYTES, check_name_length, check_time_grid, read_limited
from .spec import PRESETS, preset_text
from .trajectory import Trajectory

__all__ = ["main"]

_BAD_INPUT = (UnknownModelError, ModelDefinitionError, AntimonyError, OutputError)
_DEMO_MODEL = "pump_leak"
_DEMO_DURATION = 20000.0  # s: long enough to see the cell depolarise and swell after the block
_DEMO_FIGURE = Path("pump_block.png")  # a second run writes pump_block-2.png: none is replaced


_DESCRIPTION = (
    "Pump-leak cell models: build and check SBML, simulate, find certified steady states, "
    "scan, take sensitivities, export to other tools, compose with pathways. "
    "MODEL is a library name (pumpleak list), a cell spec (.toml) or an SBML file (.xml)."
)


_MODEL_HELP = "model name (see: pumpleak list), cell spec (.toml) or SBML file (.xml)"


_INTERRUPTED = 130  # the shell's code for a process ended by SIGINT (Ctrl-C)


class _UsageError(PumpLeakError):
    """Malformed command-line input (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line like every other error (exit code 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``pumpleak: error: <subcommand>: <message> (see ... --help)``; exit 2."""
        where = self.prog.removeprefix("pumpleak").strip()
        where = f"{where}: " if where else ""
        self.exit(2, f"pumpleak: error: {where}{message} (see {self.prog} --help)\n")


def _overrides(settings: Sequence[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for setting in settings:
        name, sep, text = setting.partition("=")
        if not sep or not name.strip():
            raise _UsageError(f"malformed --set {short_repr(setting)}: expected NAME=VALUE")
        check_name_length("--set name", name.strip())
        try:
            values[name.strip()] = float(text)
        except ValueError:
            raise _UsageError(
                f"malformed --set {short_repr(setting)}: {short_repr(text)} is not a number"
            ) from None
    return values


def _model(text: str) -> str | Path:
    """Read a command-line model: a file if it ends in .toml (spec) or .xml/.sbml, else a name."""
    return Path(text) if text.lower().endswith((".toml", ".xml", ".sbml")) else text


def _wrote(path: Path, started: float, what: str = "") -> None:
    """Say what was written: ``wrote PATH (12.3 kB) in 0.42 s[: what]``."""
    size = path.stat().st_size
    amount = f"{size} bytes" if size < 1000 else f"{size / 1000:.1f} kB"
    if size >= 1_000_000:
        amount = f"{size / 1_000_000:.1f} MB"
    seconds = time.perf_counter() - started
    print(f"wrote {path} ({amount}) in {seconds:.2f} s" + (f": {what}" if what else ""))


def _cmd_list(args: argparse.Namespace) -> int:
    for name in library.list_models():
        print(f"{name:<20} {library.model_info(name).summary}")
    return 0


def _cmd_parameters(args: argparse.Namespace) -> int:
    built = resolve(args.model, **_overrides(args.set))
    values = built.parameters
    quantities = [built.compiled.settable[sid] for sid in values]
    if args.json:
        listing = {
            q.id: {"value": values[q.id], "unit": q.unit, "name": q.name} for q in quantities
        }
        print(json.dumps(listing, indent=2))
        return 0
    rows = [(q.id, f"{values[q.id]:.6g}", q.unit, q.name) for q in quantities]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print(f"settable quantities of {built.name} (set with --set NAME=VALUE, in this unit)")
    for row in rows:
        print(
            "  "
            + "  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=False))
            + f"  {row[3]}"
        )
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    overrides = _overrides(args.set)
    started = time.perf_counter()
    if args.output is not None:
        check_writable(args.output, overwrite=args.force)
    if args.output is None:
        sys.stdout.write(api.to_sbml(args.model, **overrides))
    else:
        api.save_sbml(args.model, args.output, overwrite=args.force, **overrides)
        _wrote(args.output, started, "SBML Level 3 Version 2, validated")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from .validation import validate_sbml

    if args.file.suffix == ".toml":
        text = api.to_sbml(args.file)  # a spec: validated as it is built
        print(f"{args.file}: {validate_sbml(text).format()}")
        return 0
    try:
        text = read_limited(args.file, MAX_SBML_BYTES, "SBML file size").decode("utf-8")
    except OSError as err:
        raise _UsageError(f"cannot read {args.file}: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise _UsageError(f"cannot read {args.file}: it is not UTF-8 text (SBML is XML)") from err
    report = validate_sbml(text)
    print(f"{args.file}: {report.format()}")
    return 1 if report.errors else 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    check_time_grid(args.end, args.points)
    if args.csv is not None:
        check_writable(args.csv, overwrite=args.force)
    if args.plot is not None:
        from .plotting import check_figure_path

        check_figure_path(args.plot, overwrite=args.force)
    started = time.perf_counter()
    trajectory = api.simulate(
        args.model, args.end, args.points, start=args.start, **_overrides(args.set)
    )
    _note_electroneutral_start(trajectory)
    if args.csv is not None:
        api.save_csv(trajectory, args.csv, overwrite=args.force)
        _wrote(args.csv, started, f"{args.points} time points to {args.end:g} s")
    if args.plot is not None:
        from .plotting import plot_trajectory

        plot_trajectory(trajectory, args.plot, overwrite=args.force)
        _wrote(args.plot, started, trajectory.description)
    if args.csv is None and args.plot is None:
        trajectory.write_csv(sys.stdout)
    return 0


def _note_electroneutral_start(trajectory: Trajectory) -> None:
    """Say why Vm is 0 at t = 0 of a run from the initial state (on stderr)."""
    if trajectory.start != "initial state" or "Vm" not in trajectory.columns:
        return
    if trajectory["Vm"][0] == 0.0:
        print(
            "note: Vm = 0 mV at t = 0: the initial ion amounts are electroneutral and Vm is "
            "computed from the net charge; the currents set it within the membrane time "
            "constant (C_m / total conductance, tens of ms); --start steady starts at rest",
            file=sys.stderr,
        )


def _cmd_steady(args: argparse.Namespace) -> int:
    built = resolve(args.model, **_overrides(args.set))
    state = api.steady_state(built, after_events=args.after_events)
    summary = reports.steady_state_summary(state, built.parameters)
    print(json.dumps(summary, indent=2) if args.json else reports.format_table(summary))
    return 0


def _export_scan(ranges: Sequence[str], format_name: str) -> dict[str, object] | None:
    """Read ``--scan NAME=START:STOP:N[:log]`` options into the omex format's scan option."""
    from .scanning import parse_range

    if not ranges:
        return None
    if "scan" not in FORMATS[format_name].options:
        raise _UsageError(f"--scan needs --format omex (the {format_name} format has no scans)")
    return {"scan": dict(parse_range(text, "--scan") for text in ranges)}


def _cmd_export(args: argparse.Namespace) -> int:
    overrides = _overrides(args.set)
    started = time.perf_counter()
    options = _export_scan(args.scan, args.format)
    if args.output is None:
        if FORMATS[args.format].binary:
            raise _UsageError(f"the {args.format} format is a binary file: give -o FILE")
        sys.stdout.write(str(export(args.model, args.format, options=options, **overrides)))
    else:
        save_export(
            args.model,
            args.output,
            args.format,
            overwrite=args.force,
            options=options,
            **overrides,
        )
        _wrote(args.output, started, FORMATS[args.format].description)
    return 0


def _cmd_scan(args: argparse.Namespace) -> int:
    from . import scanning

    if args.out is not None:
        check_writable(args.out, overwrite=args.force)
    if args.plot is not None:
        from .plotting import check_figure_path

        check_figure_path(args.plot, overwrite=args.force)
    ranges = dict(scanning.parse_range(text) for text in args.param)
    points = scanning.read_points(args.points_file) if args.points_file is not None else None
    if (not ranges) == (points is None):
        raise _UsageError("give --param NAME=START:STOP:N ... or --points-file FILE.csv (one)")
    client = _dask_client(args.scheduler) if args.scheduler else None
    started = time.perf_counter()
    table = scanning.scan(
        args.model,
        ranges or None,
        points=points,
        mode="timecourse" if args.end is not None else "steady",
        end=args.end,
        workers=args.workers,
        client=client,
        progress=True,
        **_overrides(args.set),
    )
    seconds = time.perf_counter() - started
    if args.out is None:
        table.to_csv(sys.stdout, index=False)
    else:
        scanning.save_table(table, args.out, overwrite=args.force)
        counts = ", ".join(f"{n} {status}" for status, n in table.status.value_counts().items())
        print(f"wrote {args.out}: {len(table)} points ({counts}) in {seconds:.1f} s")
    if args.plot is not None:
        from .plotting import plot_scan

        plot_scan(table, table.attrs["parameters"], args.plot, overwrite=args.force)
        print(f"wrote {args.plot}")
    return 0


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from .sensitivity import sensitivities

    for path in (args.out, args.plot):
        if path is not None:
            check_writable(path, overwrite=args.force)
    result = sensitivities(args.model, args.param or None, args.of or None, **_overrides(args.set))
    table = result.absolute if args.absolute else result.relative
    if args.out is not None:
        write_atomically(args.out, table.to_csv, overwrite=args.force)
        print(f"wrote {args.out}: {table.shape[0]} outputs x {table.shape[1]} parameters")
    else:
        print(reports.format_sensitivities(result, absolute=args.absolute))
    if args.plot is not None:
        from .plotting import plot_sensitivities

        plot_sensitivities(
            result.relative,
            args.plot,
            title=f"{result.state.model_id}: control coefficients at steady state",
            overwrite=args.force,
        )
        print(f"wrote {args.plot}")
    return 0


def _dask_client(address: str) -> object:
    try:
        from dask.distributed import Client
    except ImportError as err:
        raise _UsageError(
            "a Dask scheduler needs dask.distributed: pip install 'pumpleak_sbml[dask]'"
        ) from err
    try:
        return Client(address, timeout="10s")  # type: ignore[no-untyped-call]  # dask is untyped
    except (OSError, TimeoutError) as err:
        raise _UsageError(f"cannot reach the Dask scheduler at {address}: {err}") from err


def _cmd_crosscheck(args: argparse.Namespace) -> int:
    from .crosscheck import crosscheck

    check_time_grid(args.end, args.points)
    report = crosscheck(
        args.model,
        args.end,
        args.points,
        tolerance=args.tolerance,
        copasi=not args.no_copasi,
        tools=args.tools,
        **_overrides(args.set),
    )
    print(report.format())
    return 0 if report.ok else 1


def _links(settings: Sequence[str]) -> dict[str, str]:
    links: dict[str, str] = {}
    for setting in settings:
        ours, sep, theirs = (part.strip() for part in setting.partition("="))
        if not sep or not ours or not theirs:
            raise _UsageError(
                f"malformed --link {setting!r}: expected CELL=PATHWAY, e.g. ATP=MgATP"
            )
        links[ours] = theirs
    return links


def _cmd_compose(args: argparse.Namespace) -> int:
    from .composition import compose

    result = compose(
        args.cell,
        args.pathway,
        _links(args.link),
        args.output,
        replace=args.replace,
        keep_rest=args.keep_rest,
        volume=args.volume,
        overwrite=args.force,
    )
    print(
        f"wrote {result.hierarchical} (hierarchical), {result.flat} ({result.reactions} reactions)"
    )
    print(f"wrote {result.modules[0]}, {result.modules[1]} (modules), {result.id_map} (id map)")
    for name, value in sorted(result.factors.items()):
        print(f"  {name} = {value:.6g}")
    return 0


def _cmd_new_spec(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    text = preset_text(args.preset)
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_text(args.output, text, overwrite=args.force)
        _wrote(args.output, started, f"a {args.preset} cell; try: pumpleak steady {args.output}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .plotting import check_figure_path, plot_trajectory

    started = time.perf_counter()
    built = resolve(_DEMO_MODEL)
    state = api.steady_state(built)
    print(reports.format_table(reports.steady_state_summary(state, built.parameters)))
    figure = args.plot if args.plot is not None else _free_path(_DEMO_FIGURE)
    check_figure_path(figure, overwrite=args.force)
    blocked = api.simulate(_DEMO_MODEL, _DEMO_DURATION, 401, start=state, I_pump_max=0.0)
    plot_trajectory(
        blocked,
        figure,
        events=[(0.0, "pump blocked")],
        overwrite=args.force,
        title="pump_leak: Na+/K+ pump blocked at t = 0 (from steady state)",
    )
    _wrote(figure, started, "the pump-block time course")
    return 0


def _free_path(path: Path) -> Path:
    """Return ``path``, or ``stem-2.suffix``, ``stem-3.suffix``, ... if it exists."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _add_steady(
    steady: argparse.ArgumentParser, settings: Callable[[argparse.ArgumentParser], None]
) -> None:
    steady.add_argument("model", type=_model, help=_MODEL_HELP)
    steady.add_argument("--json", action="store_true", help="print JSON instead of a table")
    steady.add_argument(
        "--after-events",
        action="store_true",
        help="for a scenario model: the steady state after its events",
    )
    settings(steady)


def _add_simulate(
    simulate: argparse.ArgumentParser, settings: Callable[[argparse.ArgumentParser], None]
) -> None:
    simulate.add_argument("model", type=_model, help=_MODEL_HELP)
    simulate.add_argument(
        "--end", type=float, required=True, metavar="SECONDS", help="end time of the run (s)"
    )
    simulate.add_argument(
        "--points", type=int, default=1001, help="output time points, t = 0 included (1001)"
    )
    simulate.add_argument(
        "--start",
        choices=["initial", "steady"],
        help="start from the initial state (electroneutral: Vm = 0 mV at t = 0) or the steady "
        "state (default: steady for scenario models with events, initial otherwise)",
    )
    simulate.add_argument("--csv", type=Path, help="CSV file to write (default: stdout)")
    simulate.add_argument("--plot", type=Path, help="figure to write (.png, .pdf, .svg)")
    simulate.add_argument("--force", action="store_true", help="replace existing output files")
    settings(simulate)


def _add_crosscheck(
    crosscheck: argparse.ArgumentParser, settings: Callable[[argparse.ArgumentParser], None]
) -> None:
    crosscheck.add_argument("model", type=_model, help=_MODEL_HELP)
    crosscheck.add_argument(
        "--end", type=float, default=1e4, metavar="SECONDS", help="end of the time course (1e4 s)"
    )
    crosscheck.add_argument(
        "--points", type=int, default=101, help="time points compared, t = 0 included (101)"
    )
    crosscheck.add_argument(
        "--tolerance",
        type=float,
        default=1e-6,
        help="relative to each quantity's largest magnitude (default 1e-6)",
    )
    crosscheck.add_argument(
        "--no-copasi", action="store_true", help="skip COPASI (without the [crosscheck] extra)"
    )
    crosscheck.add_argument(
        "--tools",
        metavar="TOOL,...",
        help="the framework matrix instead: any of roadrunner,copasi,myokit,amici,scipy,jax "
        "(what is not installed is listed as skipped)",
    )
    settings(crosscheck)


_SCAN_HELP = "steady states (or time-course ends) over a grid or a list of parameter values"


def _add_scan(
    scan: argparse.ArgumentParser, settings: Callable[[argparse.ArgumentParser], None]
) -> None:
    scan.add_argument("model", type=_model, help=_MODEL_HELP)
    scan.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=START:STOP:N[:log]",
        help="a parameter to vary: N values from START to STOP (log: log spaced), or "
        "NAME=v1,v2,...; repeat for a grid (the last varies fastest)",
    )
    scan.add_argument(
        "--points-file", type=Path, help="CSV of points instead: a header of names, a row each"
    )
    mode = scan.add_mutually_exclusive_group()
    mode.add_argument(
        "--steady", action="store_true", help="a certified steady state per point (default)"
    )
    mode.add_argument(
        "--end", type=float, metavar="SECONDS", help="the state at END s of a time course instead"
    )
    scan.add_argument(
        "--workers", type=int, help="worker processes (default: every core; 1: serial)"
    )
    scan.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask distributed cluster"
    )
    scan.add_argument(
        "--out", type=Path, help="table to write: .csv or .parquet (default: CSV on stdout)"
    )
    scan.add_argument("--plot", type=Path, help="figure to write (.png, .pdf, .svg)")
    scan.add_argument("--force", action="store_true", help="replace existing output files")
    settings(scan)


_SENSITIVITY_HELP = "exact local sensitivities (control coefficients) of the steady state"


def _add_sensitivity(
    sensitivity: argparse.ArgumentParser, settings: Callable[[argparse.ArgumentParser], None]
) -> None:
    sensitivity.add_argument("model", type=_model, help=_MODEL_HELP)
    sensitivity.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME",
        help="a parameter to differentiate by; repeatable (default: every settable quantity)",
    )
    sensitivity.add_argument(
        "--of",
        action="append",
        default=[],
        metavar="OUTPUT",
        help="a quantity to differentiate, e.g. Vm, cell or [K_i]; repeatable "
        "(default: Vm, the volume and the cell's concentrations)",
    )
    sensitivity.add_argument(
        "--absolute",
        action="store_true",
        help="d output / d parameter in their units instead of (p/x) dx/dp",
    )
    sensitivity.add_argument("--out", type=Path, help="CSV table to write (default: print)")
    sensitivity.add_argument(
        "--plot", type=Path, help="tornado figure of the control coefficients (.png, .pdf, .svg)"
    )
    sensitivity.add_argument("--force", action="store_true", help="replace existing output files")
    settings(sensitivity)


def _compose_command(composer: argparse.ArgumentParser) -> None:
    composer.add_argument(
        "cell", type=_model, help="model name (see: pumpleak list) or cell spec file (.toml)"
    )
    composer.add_argument("pathway", type=Path, help="the pathway's SBML file")
    composer.add_argument(
        "--link",
        action="append",
        default=[],
        metavar="CELL=PATHWAY",
        help="link the cell's ATP, ADP, Pi (or an ion pool, Na_i) to a pathway species; repeatable",
    )
    composer.add_argument(
        "--replace",
        action="append",
        default=[],
        metavar="REACTION",
        help="a pathway reaction the cell's pump takes over (deleted); repeatable",
    )
    composer.add_argument(
        "--keep-rest",
        action="store_true",
        help="keep the replaced reaction's flux that the pump does not carry, as <R>_rest",
    )
    composer.add_argument(
        "--volume",
        choices=("shared", "separate"),
        default="shared",
        help="shared: the pathway's compartment is the cell's water volume (default); "
        "separate: a fixed compartment of the cell's initial volume",
    )
    composer.add_argument(
        "-o", "--output", type=Path, required=True, help="hierarchical SBML to write (OUT.xml)"
    )
    composer.add_argument("--force", action="store_true", help="replace existing output files")


def _global_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of errors")
    parser.add_argument("--strict", action="store_true", help=_STRICT_HELP)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = _global_options(_Parser(prog="pumpleak", description=_DESCRIPTION))
    commands = parser.add_subparsers(dest="command", required=True)

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], text: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler)
        # Also accepted after the subcommand; SUPPRESS keeps a global --strict in force.
        sub.add_argument(
            "--strict", action="store_true", default=argparse.SUPPRESS, help=_STRICT_HELP
        )
        return sub

    def settings(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="override a quantity's initial value (in its own unit); repeatable",
        )

    command("list", _cmd_list, "list the models in the library")
    listing = command(
        "parameters", _cmd_parameters, "list a model's settable quantities: values, units, names"
    )
    listing.add_argument("model", type=_model, help=_MODEL_HELP)
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    settings(listing)
    build = command("build", _cmd_build, "write a model as SBML Level 3 Version 2")
    build.add_argument("model", type=_model, help=_MODEL_HELP)
    build.add_argument("-o", "--output", type=Path, help="SBML file to write (default: stdout)")
    build.add_argument("--force", action="store_true", help="replace an existing output file")
    settings(build)
    check = command(
        "check", _cmd_check, "validate an SBML file or a cell spec (libsbml, strict units, scale)"
    )
    check.add_argument("file", type=Path, help="SBML file (.xml) or cell spec (.toml)")
    _add_simulate(
        command("simulate", _cmd_simulate, "simulate a model and write its time course"), settings
    )
    _add_steady(command("steady", _cmd_steady, "find and print a model's steady state"), settings)
    export = command("export", _cmd_export, "write a model in an exchange format")
    export.add_argument("model", type=_model, help=_MODEL_HELP)
    export.add_argument(
        "--format",
        default="sbml",
        choices=list(FORMATS),
        help="; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()),
    )
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.add_argument("--force", action="store_true", help="replace an existing file")
    export.add_argument(
        "--scan",
        action="append",
        default=[],
        metavar="NAME=START:STOP:N[:log]",
        help="omex: add a steady-state scan of a parameter (SED-ML repeated task): N values "
        "from START to STOP (log: log spaced), or NAME=v1,v2,...; repeat for a grid",
    )
    settings(export)
    _add_crosscheck(
        command(
            "crosscheck",
            _cmd_crosscheck,
            "compare RoadRunner with COPASI and the SBML L2V4 export, or with other ODE "
            "frameworks (--tools); exit 1 if they differ by more than the tolerance",
        ),
        settings,
    )
    _add_scan(command("scan", _cmd_scan, _SCAN_HELP), settings)
    _add_sensitivity(command("sensitivity", _cmd_sensitivity, _SENSITIVITY_HELP), settings)
    _compose_command(
        command(
            "compose",
            _cmd_compose,
            "compose a cell with a pathway model (SBML): hierarchical and flat SBML, id map",
        )
    )
    new_spec = command("new-spec", _cmd_new_spec, "write a commented starting cell spec (TOML)")
    new_spec.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    new_spec.add_argument(
        "--preset",
        choices=list(PRESETS),
        default="generic",
        help="the cell to start from: "
        + "; ".join(f"{name}: {text}" for name, text in PRESETS.items())
        + " (default: generic)",
    )
    new_spec.add_argument("--force", action="store_true", help="replace an existing file")
    demo = command("demo", _cmd_demo, "steady state of the core cell, then a pump-block figure")
    demo.add_argument(
        "--plot",
        type=Path,
        help="figure to write (default: pump_block.png, or pump_block-2.png, ... if it exists)",
    )
    demo.add_argument("--force", action="store_true", help="replace an existing figure")
    return parser


_STRICT_HELP = (
    "treat warnings as errors (exit 2), e.g. a temperature below 200 K (Celsius typed for kelvin)"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 for a failed check or simulation, 2 for bad input (or a warning
        under ``--strict``), 130 after Ctrl-C, 128 + N after signal N during a write.
    """
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("pumpleak: interrupted", file=sys.stderr)
        return _INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_request:  # argparse: --help, --version or a usage error
        return exit_request.code if isinstance(exit_request.code, int) else 2
    shown: set[str] = set()

    def show_warning(message: Warning | str, *_: object, **__: object) -> None:
        if str(message) not in shown:  # the same spec may be checked more than once
            shown.add(str(message))
            print(f"pumpleak: warning: {message}", file=sys.stderr)

    remove_temporaries_on_termination()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error" if args.strict else "always", PumpLeakWarning)
            warnings.showwarning = show_warning
            return int(args.handler(args))
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped listening: not an error of ours. Point stdout at
        # /dev/null so that Python's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (PumpLeakError, PumpLeakWarning, MemoryError, TerminatedError) as err:
        return _report(err, debug=args.debug)
    finally:
        remove_temporaries_on_termination(False)


def _report(err: BaseException, *, debug: bool) -> int:
    """Print one line on stderr for a failure (after the traceback with --debug); exit code."""
    if isinstance(err, TerminatedError):
        print(f"pumpleak: {err}; the file being written was removed", file=sys.stderr)
        return 128 + err.signal_number
    if debug:
        traceback.print_exc()
    if isinstance(err, PumpLeakWarning):  # raised only under --strict
        print(f"pumpleak: error: {err} (an error under --strict)", file=sys.stderr)
        return 2
    if isinstance(err, MemoryError):
        print(
            "pumpleak: error: out of memory; ask for fewer --points or a smaller model",
            file=sys.stderr,
        )
        return 1
    code = 2 if isinstance(err, (*_BAD_INPUT, _UsageError)) else 1
    print(f"pumpleak: error: {err}", file=sys.stderr)
    return code
