# SPDX-License-Identifier: MIT
"""The command line under hostile input, signals and concurrency: one line, right exit code.

Every failure prints exactly one ``pumpleak: ...`` line on stderr (no traceback), exits with
the documented code and leaves no file behind. Hostile files are run in a real process whose
peak memory is measured (``RUSAGE_CHILDREN`` of a wrapper process that runs only it), with
time limits generous enough to fail only on a real hang (60-120 s for ~1 s of work).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import pumpleak_sbml as pl
from pumpleak_sbml import api, limits
from pumpleak_sbml.cli import main
from pumpleak_sbml.files import TEMPORARY_MARK
from pumpleak_sbml.spec import NEW_SPEC_TEMPLATE

_ERROR_PREFIX = "pumpleak: error: "
# Peak resident memory of a `pumpleak check` process that refuses its input. The interpreter
# with libroadrunner, libsbml and antimony loaded takes ~120 MB; reading a file up to the
# 1 MB limit adds little. An unbounded read or an unchecked 2 MB SBML takes >= 750 MB.
_PEAK_MEMORY = 300 * 2**20
_HANG = 120  # s: a subprocess that needs ~1 s; only a real hang reaches this


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str, prefix: str = _ERROR_PREFIX) -> str:
    """Check stderr is exactly one line starting with ``prefix``; return the rest."""
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith(prefix), err
    return err.removeprefix(prefix).strip()


# Runs a command and prints its exit code, output and peak memory: the wrapper's only child
# is the command, so RUSAGE_CHILDREN measures exactly it (ru_maxrss is in KiB on Linux).
_MEASURE = """
import json, resource, subprocess, sys
result = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True, timeout=%d)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps([result.returncode, result.stdout, result.stderr, peak]))
"""


def run_measured(*argv: str) -> tuple[int, str, str, int]:
    """Run ``pumpleak argv`` in a fresh process; return (exit code, stdout, stderr, peak bytes)."""
    command = [sys.executable, "-m", "pumpleak_sbml", *argv]
    wrapper = subprocess.run(
        [sys.executable, "-c", _MEASURE % _HANG, json.dumps(command)],
        capture_output=True,
        text=True,
        timeout=2 * _HANG,
        check=True,
    )
    code, out, err, peak = json.loads(wrapper.stdout)
    return int(code), str(out), str(err), int(peak)


# --- usage errors are one line too --------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["nonsense"], "invalid choice: 'nonsense'"),
        ([], "the following arguments are required: command"),
        (["simulate", "pump_leak"], "simulate: the following arguments are required: --end"),
        (["simulate", "pump_leak", "--end", "10", "--points", "1e3"], "invalid int value"),
        (["export", "pump_leak", "--format", "pdf"], "argument --format: invalid choice"),
        (["build", "pump_leak", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_usage_error_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    """The usage errors of argparse print one ``pumpleak: error:`` line pointing to --help."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    message = one_line(err)
    assert fragment in message
    assert message.endswith("--help)")


def test_help_still_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` is not an error: usage on stdout, exit 0."""
    code, out, _ = run(capsys, "simulate", "--help")
    assert code == 0
    assert out.startswith("usage: pumpleak simulate")
    assert "--strict" in out


# --- limits and the old tracebacks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["simulate", "pump_leak", "--end", "1e300"], "end time = 1e+300 s is above the limit"),
        (["simulate", "pump_leak", "--end", "1e400"], "end time = inf is above the limit"),
        (["simulate", "pump_leak", "--end", "-5"], "positive number of seconds, got -5.0"),
        (["simulate", "pump_leak", "--end", "nan"], "positive number of seconds, got nan"),
        (["simulate", "pump_leak", "--end", "10", "--points", "1000000"], "number of points"),
        (["crosscheck", "pump_leak", "--points", "0", "--no-copasi"], "integer >= 2, got 0"),
        (["crosscheck", "pump_leak", "--points", "1", "--no-copasi"], "integer >= 2, got 1"),
        (["crosscheck", "pump_leak", "--end", "-1", "--no-copasi"], "got -1.0"),
        (["steady", "pump_leak", "--set", "g_K=1" + "0" * 400], "g_K = inf"),
        (["steady", "pump_leak", "--set", "x" * 100 + "=1"], "--set name = 'xxxxxxxxxxxxxxxxxxxx'"),
        (["steady", "m" * 100_000], "unknown model 'mmmmmmmm"),
    ],
    ids=[
        "end-1e300",
        "end-overflow",
        "end-negative",
        "end-nan",
        "points-1e6",
        "crosscheck-points-0",
        "crosscheck-points-1",
        "crosscheck-end-negative",
        "set-huge-value",
        "set-long-name",
        "long-model-name",
    ],
)
def test_limits_and_old_tracebacks_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    """Values beyond a limit, or that used to raise a Python error, are one line, exit 2."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    message = one_line(err)
    assert fragment in message
    assert len(message) < 400


def test_check_refuses_a_huge_integer_in_a_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``check`` of a spec with ``temperature = 1`` and 400 zeros: one line naming the key."""
    path = tmp_path / "cell.toml"
    path.write_text(
        NEW_SPEC_TEMPLATE.replace("temperature = 310.15", f"temperature = {10**400}"),
        encoding="utf-8",
    )
    code, _, err = run(capsys, "check", str(path))
    assert code == 2
    assert one_line(err).startswith(f"{path}: spec key temperature = <an integer of about 401")


def test_segfaulting_name_length_exits_2_in_a_real_process(tmp_path: Path) -> None:
    """A spec named with 20,000 characters exits 2 with one line; it crashed RoadRunner (139)."""
    path = tmp_path / "cell.toml"
    path.write_text(
        NEW_SPEC_TEMPLATE.replace('name = "my_cell"', f'name = "{"c" * 20_000}"'),
        encoding="utf-8",
    )
    code, out, err, _ = run_measured("steady", str(path))
    assert (code, out) == (2, "")
    assert "20,000 characters is above the limit of 64 characters" in one_line(err)


def test_memory_error_is_one_line_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Running out of memory is reported as such in one line (exit 1), never a traceback."""

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(api, "simulate", exhausted)
    code, out, err = run(capsys, "simulate", "pump_leak", "--end", "10")
    assert (code, out) == (1, "")
    assert one_line(err).startswith("out of memory")


def test_keyboard_interrupt_is_one_line_exit_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C during a command prints ``pumpleak: interrupted`` and returns 130."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "steady_state", interrupted)
    code, out, err = run(capsys, "steady", "pump_leak")
    assert (code, out, err) == (130, "", "pumpleak: interrupted\n")


# --- hostile files: bounded time and memory ---------------------------------------------------


def _hostile_files(folder: Path) -> dict[str, Path]:
    """Write each hostile SBML file into ``folder``; return them by name."""
    secret = folder / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    core = '<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">'
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    sbml = pl.to_sbml("pump_leak")
    head, close, tail = sbml.partition("</listOfParameters>")
    parameter = '      <parameter id="p{}" value="1" units="mM" constant="true"/>\n'
    count = limits.MAX_SBML_BYTES // len(parameter.format(0)) + 1000
    padding = "".join(parameter.format(i) for i in range(count))
    files = {
        "xxe": (
            f'<?xml version="1.0"?>\n<!DOCTYPE sbml [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
            f'{core}<model id="m" name="&xxe;"/></sbml>\n'
        ),
        "entity-bomb": (
            '<?xml version="1.0"?>\n<!DOCTYPE sbml [\n'
            + "\n".join(entities)
            + f'\n]>\n{core}<model id="m" name="&lol9;"/></sbml>\n'
        ),
        "truncated": sbml[: len(sbml) // 2],
        "oversized": head + padding + close + tail,
    }
    paths = {}
    for name, text in files.items():
        paths[name] = folder / f"{name}.xml"
        paths[name].write_text(text, encoding="utf-8")
    paths["binary"] = folder / "binary.xml"
    paths["binary"].write_bytes(bytes(range(256)) * 40)
    paths["dev-zero"] = Path("/dev/zero")
    return paths


@pytest.mark.parametrize(
    ("name", "code", "fragment"),
    [
        ("xxe", 1, "Undefined XML entity"),
        ("entity-bomb", 1, "1 error(s)"),
        ("truncated", 1, "Unclosed"),
        ("oversized", 2, "SBML file size: "),
        ("binary", 2, "it is not UTF-8 text"),
        ("dev-zero", 2, "/dev/zero: SBML file size is above the limit of 1,000,000 bytes"),
    ],
)
def test_hostile_sbml_is_refused_in_bounded_time_and_memory(
    tmp_path: Path, name: str, code: int, fragment: str
) -> None:
    """Each hostile file gives a failed check (1) or bad input (2) in bounded memory."""
    path = _hostile_files(tmp_path)[name]
    found, out, err, peak = run_measured("check", str(path))
    assert found == code, (out, err)
    assert fragment in out + err
    assert "TOP-SECRET-CONTENT" not in out + err  # no external entity was read
    if code == 2:
        one_line(err)
    assert peak < _PEAK_MEMORY, f"peak memory {peak / 2**20:.0f} MiB"


def test_oversized_sbml_file_is_larger_than_the_limit(tmp_path: Path) -> None:
    """The oversized test file is valid SBML above the limit (so the check is what refuses it)."""
    path = _hostile_files(tmp_path)["oversized"]
    assert limits.MAX_SBML_BYTES < path.stat().st_size < 2 * limits.MAX_SBML_BYTES


# --- concurrency and signals --------------------------------------------------------------------


def test_eight_processes_writing_one_new_file_exactly_one_succeeds(tmp_path: Path) -> None:
    """Eight ``build -o same.xml`` processes at once: one exits 0, seven exit 2, file whole."""
    target = tmp_path / "same.xml"
    command = [sys.executable, "-m", "pumpleak_sbml", "build", "pump_leak", "-o", str(target)]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    results = [(process, *process.communicate(timeout=_HANG)) for process in processes]
    codes = sorted(process.returncode for process, _, _ in results)
    assert codes == [0] + [2] * 7, [err for _, _, err in results]
    for process, out, err in results:
        if process.returncode == 2:
            assert out == ""
            assert "already exists" in one_line(err)
        else:
            assert out.startswith(f"wrote {target} (")  # the one that wrote it says so
    assert target.read_text(encoding="utf-8") == pl.to_sbml("pump_leak")
    assert os.listdir(tmp_path) == ["same.xml"]


# `pumpleak new-spec -o FILE --force` whose temporary file write blocks half-way (after
# announcing it on stdout), so that a signal always arrives in the middle of the write.
_SLOW_CLI = """
import pathlib, sys, time
from pumpleak_sbml.cli import main
from pumpleak_sbml.files import TEMPORARY_MARK

original = pathlib.Path.write_text

def slow(self, data, *args, **kwargs):
    if TEMPORARY_MARK in self.name:
        original(self, data[:100], *args, **kwargs)
        print("writing", flush=True)
        # Short sleeps, as a long write in Python: one 600-s sleep is not interrupted when the
        # kernel hands the signal to another thread (numpy's), and the handler would wait.
        for _ in range(6000):
            time.sleep(0.1)
    return original(self, data, *args, **kwargs)

pathlib.Path.write_text = slow
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("signal_number", "code", "line"),
    [
        (signal.SIGINT, 130, "pumpleak: interrupted\n"),
        (
            signal.SIGTERM,
            143,
            "pumpleak: terminated by SIGTERM; the file being written was removed\n",
        ),
        (
            signal.SIGHUP,
            129,
            "pumpleak: terminated by SIGHUP; the file being written was removed\n",
        ),
    ],
    ids=["INT", "TERM", "HUP"],
)
def test_signal_during_cli_write_is_one_line_old_file_intact_no_temporary(
    tmp_path: Path, signal_number: int, code: int, line: str
) -> None:
    """Ctrl-C, SIGTERM or SIGHUP mid-write: one line, exit 130/143/129, nothing else changed."""
    target = tmp_path / "cell.toml"
    target.write_text("old spec", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_CLI, "new-spec", "-o", str(target), "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "writing\n"
        process.send_signal(signal_number)
        out, err = process.communicate(timeout=_HANG)
    finally:
        process.kill()
        process.wait(timeout=_HANG)
    assert (process.returncode, out, err) == (code, "", line)
    assert target.read_text(encoding="utf-8") == "old spec"
    assert os.listdir(tmp_path) == ["cell.toml"]
    assert not any(TEMPORARY_MARK in name for name in os.listdir(tmp_path))


def test_force_onto_a_symlink_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``build -o LINK --force`` exits 2 naming the link; the link and its target are unchanged."""
    pointee = tmp_path / "elsewhere.xml"
    pointee.write_text("precious", encoding="utf-8")
    link = tmp_path / "out.xml"
    link.symlink_to(pointee)
    code, out, err = run(capsys, "build", "pump_leak", "-o", str(link), "--force")
    assert (code, out) == (2, "")
    assert re.search(r"is a symbolic link: only regular files are replaced", one_line(err))
    assert link.is_symlink()
    assert pointee.read_text(encoding="utf-8") == "precious"
