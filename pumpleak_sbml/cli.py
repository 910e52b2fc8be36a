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
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__, api, library, reports
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
    write_text,
)
from .formats import FORMATS, export, save_export
from .limits import MAX_SBML_BYTES, check_name_length, check_time_grid, read_limited
from .spec import NEW_SPEC_TEMPLATE
from .validation import validate_sbml

__all__ = ["main"]

_BAD_INPUT = (UnknownModelError, ModelDefinitionError, AntimonyError, OutputError)
_DEMO_MODEL = "pump_leak"
_DEMO_DURATION = 20000.0  # s: long enough to see the cell depolarise and swell after the block


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
    """Read a command-line model: a spec file if it ends in .toml, else a library name."""
    return Path(text) if text.endswith(".toml") else text


def _cmd_list(args: argparse.Namespace) -> int:
    for name in library.list_models():
        print(f"{name:<20} {library.model_info(name).summary}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    overrides = _overrides(args.set)
    if args.output is not None:
        check_writable(args.output, overwrite=args.force)
    if args.output is None:
        sys.stdout.write(api.to_sbml(args.model, **overrides))
    else:
        api.save_sbml(args.model, args.output, overwrite=args.force, **overrides)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
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
    trajectory = api.simulate(
        args.model, args.end, args.points, start=args.start, **_overrides(args.set)
    )
    if args.csv is not None:
        api.save_csv(trajectory, args.csv, overwrite=args.force)
    if args.plot is not None:
        from .plotting import plot_trajectory

        plot_trajectory(trajectory, args.plot, overwrite=args.force)
    if args.csv is None and args.plot is None:
        trajectory.write_csv(sys.stdout)
    return 0


def _cmd_steady(args: argparse.Namespace) -> int:
    overrides = _overrides(args.set)
    state = api.steady_state(args.model, after_events=args.after_events, **overrides)
    summary = reports.steady_state_summary(state, api.parameters(args.model, **overrides))
    print(json.dumps(summary, indent=2) if args.json else reports.format_table(summary))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    overrides = _overrides(args.set)
    if args.output is None:
        if FORMATS[args.format].binary:
            raise _UsageError(f"the {args.format} format is a binary file: give -o FILE")
        sys.stdout.write(str(export(args.model, args.format, **overrides)))
    else:
        save_export(args.model, args.output, args.format, overwrite=args.force, **overrides)
    return 0


def _cmd_crosscheck(args: argparse.Namespace) -> int:
    from .crosscheck import crosscheck

    check_time_grid(args.end, args.points)
    report = crosscheck(
        args.model,
        args.end,
        args.points,
        tolerance=args.tolerance,
        copasi=not args.no_copasi,
        **_overrides(args.set),
    )
    print(report.format())
    return 0 if report.ok else 1


def _cmd_new_spec(args: argparse.Namespace) -> int:
    if args.output is None:
        sys.stdout.write(NEW_SPEC_TEMPLATE)
    else:
        write_text(args.output, NEW_SPEC_TEMPLATE, overwrite=args.force)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .plotting import check_figure_path, plot_trajectory

    check_figure_path(args.plot, overwrite=args.force)
    state = api.steady_state(_DEMO_MODEL)
    print(reports.format_table(reports.steady_state_summary(state, api.parameters(_DEMO_MODEL))))
    blocked = api.simulate(_DEMO_MODEL, _DEMO_DURATION, 401, start=state, I_pump_max=0.0)
    plot_trajectory(
        blocked,
        args.plot,
        events=[(0.0, "pump blocked")],
        overwrite=args.force,
        title="pump_leak: Na+/K+ pump blocked at t = 0 (from steady state)",
    )
    print(f"wrote {args.plot}: the pump-block time course")
    return 0


def _global_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback of errors")
    parser.add_argument("--strict", action="store_true", help=_STRICT_HELP)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = _global_options(_Parser(prog="pumpleak", description=__doc__.splitlines()[0]))
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
    build = command("build", _cmd_build, "write a model as SBML Level 3 Version 2")
    build.add_argument(
        "model", type=_model, help="model name (see: pumpleak list) or cell spec file (.toml)"
    )
    build.add_argument("-o", "--output", type=Path, help="SBML file to write (default: stdout)")
    build.add_argument("--force", action="store_true", help="replace an existing output file")
    settings(build)
    check = command(
        "check", _cmd_check, "validate an SBML file or a cell spec (libsbml, strict units, scale)"
    )
    check.add_argument("file", type=Path, help="SBML file (.xml) or cell spec (.toml)")
    simulate = command("simulate", _cmd_simulate, "simulate a model and write its time course")
    simulate.add_argument(
        "model", type=_model, help="model name (see: pumpleak list) or cell spec file (.toml)"
    )
    simulate.add_argument("--end", type=float, required=True, metavar="SECONDS")
    simulate.add_argument("--points", type=int, default=1001)
    simulate.add_argument(
        "--start",
        choices=["initial", "steady"],
        help="start from the initial or the steady state (default: steady for "
        "scenario models with events, initial otherwise)",
    )
    simulate.add_argument("--csv", type=Path, help="CSV file to write (default: stdout)")
    simulate.add_argument("--plot", type=Path, help="figure to write (.png, .pdf, .svg)")
    simulate.add_argument("--force", action="store_true", help="replace existing output files")
    settings(simulate)
    steady = command("steady", _cmd_steady, "find and print a model's steady state")
    steady.add_argument(
        "model", type=_model, help="model name (see: pumpleak list) or cell spec file (.toml)"
    )
    steady.add_argument("--json", action="store_true", help="print JSON instead of a table")
    steady.add_argument(
        "--after-events",
        action="store_true",
        help="for a scenario model: the steady state after its events",
    )
    settings(steady)
    export = command("export", _cmd_export, "write a model in an exchange format")
    export.add_argument(
        "model", type=_model, help="model name (see: pumpleak list) or cell spec file (.toml)"
    )
    export.add_argument(
        "--format",
        default="sbml",
        choices=list(FORMATS),
        help="; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()),
    )
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.add_argument("--force", action="store_true", help="replace an existing file")
    settings(export)
    crosscheck = command(
        "crosscheck",
        _cmd_crosscheck,
        "compare RoadRunner, COPASI and the SBML L2V4 export (exit 1 if they "
        "differ by more than the tolerance)",
    )
    crosscheck.add_argument(
        "model", type=_model, help="model name (see: pumpleak list) or cell spec file (.toml)"
    )
    crosscheck.add_argument("--end", type=float, default=1e4, metavar="SECONDS")
    crosscheck.add_argument("--points", type=int, default=101)
    crosscheck.add_argument(
        "--tolerance",
        type=float,
        default=1e-6,
        help="relative to each quantity's largest magnitude (default 1e-6)",
    )
    crosscheck.add_argument(
        "--no-copasi", action="store_true", help="skip COPASI (without the [crosscheck] extra)"
    )
    settings(crosscheck)
    new_spec = command("new-spec", _cmd_new_spec, "write a commented starting cell spec (TOML)")
    new_spec.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    new_spec.add_argument("--force", action="store_true", help="replace an existing file")
    demo = command("demo", _cmd_demo, "steady state of the core cell, then a pump-block figure")
    demo.add_argument("--plot", type=Path, default=Path("pump_block.png"))
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
