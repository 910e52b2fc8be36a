# SPDX-License-Identifier: MIT
"""Tests of :mod:`pumpleak_sbml.files`: result files are written atomically and never clobbered."""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.files import (
    TEMPORARY_MARK,
    check_writable,
    remove_temporaries_on_termination,
    write_atomically,
    write_text,
)


def _names(folder: Path) -> list[str]:
    """Every entry of ``folder`` (hidden temporary files included), sorted."""
    return sorted(os.listdir(folder))


def test_write_text_creates_file_with_content(tmp_path: Path) -> None:
    """write_text creates a new file with exactly the given UTF-8 text and returns its path."""
    target = tmp_path / "out.txt"
    returned = write_text(target, "Vm = -70 mV, 1 µA/cm²\n")
    assert returned == target
    assert target.read_text(encoding="utf-8") == "Vm = -70 mV, 1 µA/cm²\n"
    assert _names(tmp_path) == ["out.txt"]


def test_write_text_refuses_to_overwrite_by_default(tmp_path: Path) -> None:
    """write_text raises OutputError naming the file and leaves an existing file untouched."""
    target = tmp_path / "model.xml"
    target.write_text("old content", encoding="utf-8")
    with pytest.raises(pl.OutputError, match="already exists") as caught:
        write_text(target, "new content")
    assert str(target) in str(caught.value)
    assert isinstance(caught.value, OSError)
    assert target.read_text(encoding="utf-8") == "old content"
    assert _names(tmp_path) == ["model.xml"]


def test_write_text_overwrites_when_allowed(tmp_path: Path) -> None:
    """write_text(overwrite=True) replaces an existing file's content completely."""
    target = tmp_path / "model.xml"
    target.write_text("old content that is longer than the new one", encoding="utf-8")
    write_text(target, "new", overwrite=True)
    assert target.read_text(encoding="utf-8") == "new"
    assert _names(tmp_path) == ["model.xml"]


def test_write_text_leaves_no_temporary_file_after_failed_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails half-way raises OutputError, keeps the old file and no temporary."""
    target = tmp_path / "model.xml"
    target.write_text("old content", encoding="utf-8")
    original_write_text = Path.write_text

    def fail_half_way(self: Path, data: str, *args: object, **kwargs: object) -> int:
        original_write_text(self, data[: len(data) // 2], encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", fail_half_way)
    with pytest.raises(pl.OutputError, match="No space left on device") as caught:
        write_text(target, "new content", overwrite=True)
    monkeypatch.undo()
    assert str(target) in str(caught.value)
    assert target.read_text(encoding="utf-8") == "old content"
    assert _names(tmp_path) == ["model.xml"]


def test_write_atomically_leaves_no_temporary_file_after_os_error(tmp_path: Path) -> None:
    """A writer raising OSError becomes OutputError; no file and no temporary remain."""
    target = tmp_path / "trajectory.csv"

    def writer(path: Path) -> None:
        path.write_text("time,Vm\n0,", encoding="utf-8")
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(pl.OutputError, match="Input/output error"):
        write_atomically(target, writer)
    assert _names(tmp_path) == []


def test_write_atomically_leaves_no_temporary_file_after_other_error(tmp_path: Path) -> None:
    """A writer raising a non-OS error propagates it unchanged and cleans up its temporary."""
    target = tmp_path / "figure.png"
    target.write_bytes(b"old figure")

    def writer(path: Path) -> None:
        path.write_bytes(b"partial")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_atomically(target, writer, overwrite=True)
    assert target.read_bytes() == b"old figure"
    assert _names(tmp_path) == ["figure.png"]


def test_write_atomically_leaves_no_temporary_file_on_success(tmp_path: Path) -> None:
    """After a successful write the folder holds the destination file and nothing else."""
    target = tmp_path / "trajectory.csv"
    write_atomically(target, lambda path: path.write_text("time,Vm\n", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "time,Vm\n"
    assert _names(tmp_path) == ["trajectory.csv"]


def test_write_text_missing_folder_error_names_the_folder(tmp_path: Path) -> None:
    """Writing into a folder that does not exist raises OutputError naming that folder."""
    folder = tmp_path / "no_such_folder"
    with pytest.raises(pl.OutputError, match="does not exist") as caught:
        write_text(folder / "model.xml", "text")
    assert str(folder) in str(caught.value)
    assert not folder.exists()


def test_write_text_to_a_folder_raises_output_error(tmp_path: Path) -> None:
    """A destination that is a folder is refused with OutputError, even with overwrite=True."""
    folder = tmp_path / "results"
    folder.mkdir()
    with pytest.raises(pl.OutputError, match="is a folder"):
        write_text(folder, "text", overwrite=True)
    assert folder.is_dir()
    assert _names(folder) == []


def test_write_text_file_mode_follows_umask(tmp_path: Path) -> None:
    """A written file gets the same permissions as one created by open() (0666 & ~umask)."""
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "model.xml", "text")
        (tmp_path / "reference.xml").write_text("text", encoding="utf-8")
    finally:
        os.umask(umask)
    written = stat.S_IMODE((tmp_path / "model.xml").stat().st_mode)
    reference = stat.S_IMODE((tmp_path / "reference.xml").stat().st_mode)
    assert oct(written) == oct(reference)


# --- exclusive creation, special files, temporary files ---------------------------------------


def test_concurrent_writers_of_one_new_file_exactly_one_wins(tmp_path: Path) -> None:
    """Eight threads pass the early check together, then race: one creates, seven are refused.

    A barrier holds every writer inside its temporary file until all have passed
    check_writable, which is exactly the window a check-then-rename implementation loses
    (with it, all eight succeed and seven results are silently lost).
    """
    target = tmp_path / "result.txt"
    writers = 8
    barrier = threading.Barrier(writers, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        def write(temporary: Path) -> None:
            temporary.write_text(f"writer {number}\n" * 1000, encoding="utf-8")
            barrier.wait()

        try:
            write_atomically(target, write)
            outcome = f"ok {number}"
        except pl.OutputError as err:
            outcome = f"refused: {err}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    winners = [outcome for outcome in outcomes if outcome.startswith("ok")]
    assert len(outcomes) == writers
    assert len(winners) == 1, outcomes
    assert all("already exists" in outcome for outcome in outcomes if outcome not in winners)
    number = winners[0].split()[1]
    assert target.read_text(encoding="utf-8") == f"writer {number}\n" * 1000  # whole, one writer
    assert _names(tmp_path) == ["result.txt"]


def test_file_created_during_the_write_is_not_replaced(tmp_path: Path) -> None:
    """A file that appears while the content is written is kept; the write is refused."""
    target = tmp_path / "export.xml"

    def write(temporary: Path) -> None:
        temporary.write_text("ours", encoding="utf-8")
        target.write_text("theirs, created meanwhile", encoding="utf-8")

    with pytest.raises(pl.OutputError, match="already exists"):
        write_atomically(target, write)
    assert target.read_text(encoding="utf-8") == "theirs, created meanwhile"
    assert _names(tmp_path) == ["export.xml"]


def test_dangling_symlink_is_not_replaced_without_overwrite(tmp_path: Path) -> None:
    """A symbolic link to nothing counts as existing: refused, the link stays a link."""
    target = tmp_path / "link.xml"
    target.symlink_to(tmp_path / "missing")
    with pytest.raises(pl.OutputError, match=r"already exists \(a symbolic link\)"):
        write_text(target, "text")
    assert target.is_symlink()
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("dangling", [False, True], ids=["to-file", "dangling"])
def test_symlink_is_never_replaced_or_followed_even_with_overwrite(
    tmp_path: Path, dangling: bool
) -> None:
    """overwrite=True refuses a symbolic link; neither the link nor its target changes."""
    pointee = tmp_path / "pointee.txt"
    if not dangling:
        pointee.write_text("kept", encoding="utf-8")
    target = tmp_path / "link.txt"
    target.symlink_to(pointee)
    with pytest.raises(pl.OutputError, match="is a symbolic link: only regular files"):
        write_text(target, "new", overwrite=True)
    assert target.is_symlink()
    assert pointee.exists() is not dangling
    if not dangling:
        assert pointee.read_text(encoding="utf-8") == "kept"
    assert sorted(_names(tmp_path)) == sorted(["link.txt", *([] if dangling else ["pointee.txt"])])


def test_fifo_is_never_replaced(tmp_path: Path) -> None:
    """overwrite=True refuses a FIFO (named pipe); it stays a FIFO, nothing is written to it."""
    target = tmp_path / "pipe.csv"
    os.mkfifo(target)
    with pytest.raises(pl.OutputError, match=r"is a FIFO \(named pipe\): only regular files"):
        write_text(target, "time,Vm\n", overwrite=True)
    with pytest.raises(pl.OutputError, match=r"already exists \(a FIFO"):
        write_text(target, "time,Vm\n")
    assert stat.S_ISFIFO(os.lstat(target).st_mode)


def test_character_device_is_never_turned_into_a_file(tmp_path: Path) -> None:
    """A character device (a copy of /dev/null made with mknod) is refused with overwrite."""
    target = tmp_path / "null"
    try:
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root (CAP_MKNOD); the FIFO test covers the rule")
    with pytest.raises(pl.OutputError, match="is a character device: only regular files"):
        write_text(target, "text", overwrite=True)
    assert stat.S_ISCHR(os.lstat(target).st_mode)


def test_dev_null_is_refused_before_any_write() -> None:
    """check_writable refuses /dev/null with overwrite (it is a device), without touching it."""
    before = os.lstat("/dev/null")
    with pytest.raises(pl.OutputError, match="/dev/null is a character device"):
        check_writable(Path("/dev/null"), overwrite=True)
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_temporary_file_is_recognisable_and_in_the_target_folder(tmp_path: Path) -> None:
    """While ``write`` runs, the only other file is ``.<name>.pumpleak-<pid>-<hex>.tmp``."""
    target = tmp_path / "trajectory.csv"
    seen: list[str] = []

    def write(temporary: Path) -> None:
        seen.extend(_names(tmp_path))
        assert temporary.parent == tmp_path
        assert temporary.read_bytes() == b""  # created empty, exclusively, for us
        temporary.write_text("time\n", encoding="utf-8")

    write_atomically(target, write)
    assert len(seen) == 1
    assert re.fullmatch(rf"\.trajectory\.csv\.pumpleak-{os.getpid()}-[0-9a-f]{{8}}\.tmp", seen[0])
    assert TEMPORARY_MARK in seen[0]
    assert _names(tmp_path) == ["trajectory.csv"]


def test_keyboard_interrupt_during_write_leaves_old_file_and_no_temporary(tmp_path: Path) -> None:
    """Ctrl-C (KeyboardInterrupt) in the middle of a write keeps the old file, no temporary."""
    target = tmp_path / "model.xml"
    target.write_text("old", encoding="utf-8")

    def write(temporary: Path) -> None:
        temporary.write_text("half of the new", encoding="utf-8")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, write, overwrite=True)
    assert target.read_text(encoding="utf-8") == "old"
    assert _names(tmp_path) == ["model.xml"]


def test_unwritable_folder_is_an_output_error(tmp_path: Path) -> None:
    """A folder without write permission gives OutputError naming the file (not PermissionError)."""
    if os.geteuid() == 0:
        pytest.skip("root can write into a read-only folder")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(pl.OutputError, match="Permission denied"):
            write_text(folder / "x.xml", "text")
    finally:
        folder.chmod(0o700)


def test_file_system_without_hard_links_still_creates_exclusively(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where os.link is not supported, the file is created with O_EXCL and filled; no temporary."""

    def no_links(source: object, destination: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "out.txt"
    write_text(target, "content")
    assert target.read_text(encoding="utf-8") == "content"
    with pytest.raises(pl.OutputError, match="already exists"):
        write_text(target, "other")
    assert target.read_text(encoding="utf-8") == "content"
    assert _names(tmp_path) == ["out.txt"]


# --- signals during a write (real processes) --------------------------------------------------

# A child process that writes half of the new content into its temporary file, says so on
# stdout, then blocks until it is signalled. The parent waits for that line, so the signal
# always arrives in the middle of the write: no sleep-and-hope timing.
_SLOW_WRITER = """
import sys, time
from pathlib import Path
from pumpleak_sbml.files import remove_temporaries_on_termination, write_atomically

def write(temporary):
    temporary.write_text("half of the new content", encoding="utf-8")
    print("writing", flush=True)
    for _ in range(6000):  # short sleeps: a signal handed to another thread still gets through
        time.sleep(0.1)

remove_temporaries_on_termination()
write_atomically(Path(sys.argv[1]), write, overwrite=True)
"""


def _signal_during_write(target: Path, signal_number: int) -> subprocess.CompletedProcess[str]:
    """Run the slow writer on ``target``, send ``signal_number`` mid-write, return the result."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "writing\n"
        process.send_signal(signal_number)
        # Generous: the child reacts within milliseconds; 60 s can only fail on a real hang.
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_termination_signal_mid_write_keeps_old_file_and_removes_temporary(
    tmp_path: Path, signal_number: int
) -> None:
    """SIGTERM/SIGHUP mid-write: exit 128+N, no traceback, old file intact, no temporary left."""
    target = tmp_path / "model.xml"
    target.write_text("old content", encoding="utf-8")
    result = _signal_during_write(target, signal_number)
    assert result.returncode == 128 + signal_number, result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_text(encoding="utf-8") == "old content"
    assert _names(tmp_path) == ["model.xml"]


def test_sigkill_mid_write_keeps_old_file_and_leaves_one_recognisable_temporary(
    tmp_path: Path,
) -> None:
    """SIGKILL cannot be caught: the old file is intact and at most one named temporary stays."""
    target = tmp_path / "model.xml"
    target.write_text("old content", encoding="utf-8")
    result = _signal_during_write(target, signal.SIGKILL)
    assert result.returncode == -signal.SIGKILL
    assert target.read_text(encoding="utf-8") == "old content"
    leftovers = [name for name in _names(tmp_path) if name != "model.xml"]
    assert len(leftovers) == 1
    assert re.fullmatch(r"\.model\.xml\.pumpleak-\d+-[0-9a-f]{8}\.tmp", leftovers[0])
    assert (tmp_path / leftovers[0]).read_text(encoding="utf-8") == "half of the new content"


def test_termination_handler_is_installed_only_during_a_write(tmp_path: Path) -> None:
    """Outside a write SIGTERM keeps its default action (a kill during a solve is immediate)."""
    remove_temporaries_on_termination()
    try:
        seen: list[object] = []
        write_atomically(
            tmp_path / "x.txt",
            lambda temporary: seen.append(signal.getsignal(signal.SIGTERM)),
        )
        assert seen[0] not in (signal.SIG_DFL, None)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        remove_temporaries_on_termination(False)
