# SPDX-License-Identifier: MIT
"""Write result files without ever destroying what the user already had.

:func:`write_atomically` is the one way this package writes a file::

    write_atomically(path, lambda temporary: temporary.write_text(text), overwrite=False)

* The content is written to a temporary file in the destination's folder, created
  exclusively and named ``.<name>.pumpleak-<pid>-<random>.tmp``, so it is recognisable.
  It exists only while the (already computed) content is written: models are built and
  simulated before it is created.
* A new file is created *exclusively*: the finished temporary file is hard-linked to the
  destination, which fails if anything of that name exists, even a dangling symbolic link
  or a file another process created a moment ago. There is no check-then-rename race:
  of several writers of one new file exactly one succeeds. (On a file system without hard
  links the destination is opened with ``O_EXCL`` and the content copied into it.)
* With ``overwrite=True`` only a *regular file* is replaced, atomically (``os.replace``):
  symbolic links, devices (``/dev/null``), FIFOs, sockets and folders are refused, never
  followed or turned into regular files.
* The temporary file is removed on every exit path: success, an error, Ctrl-C
  (``KeyboardInterrupt``) and, once the command line has called
  :func:`remove_temporaries_on_termination`, SIGTERM and SIGHUP. SIGKILL cannot be caught:
  it can leave one ``.<name>.pumpleak-<pid>-<random>.tmp`` file behind, which is safe to
  delete.

Implementation notes: the SIGTERM/SIGHUP handler is installed only while a temporary file
exists (and only in the main thread); the rest of the time the default disposition stays,
so a ``kill`` during a long simulation ends the process at once instead of waiting for the
solver to return to Python. The handler raises :class:`TerminatedError`, a ``SystemExit``
with the shell's code 128 + signal number, so ``finally`` clauses run and an uncaught one
ends the process with that code and no traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from .errors import OutputError

__all__ = [
    "TEMPORARY_MARK",
    "TerminatedError",
    "check_writable",
    "remove_temporaries_on_termination",
    "write_atomically",
    "write_text",
]

TEMPORARY_MARK = ".pumpleak-"
"""Every temporary file is named ``.<name>.pumpleak-<pid>-<random>.tmp``."""

# Signals that end a process politely; SIGINT already raises KeyboardInterrupt.
_TERMINATION_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# Signals held back while a temporary file is being removed, so the removal completes.
_HELD_SIGNALS = {signal.SIGINT, *_TERMINATION_SIGNALS}
# Hard links are missing on these file systems (FAT, some network mounts): copy instead.
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}
_NAME_IN_TEMPORARY = 100  # characters of the destination's name kept in the temporary's name


class TerminatedError(SystemExit):
    """SIGTERM or SIGHUP arrived during a write; ``code`` is 128 + the signal number."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(128 + signal_number)
        self.signal_number = signal_number

    def __str__(self) -> str:
        return f"terminated by {signal.Signals(self.signal_number).name}"


class _Termination:
    """Whether SIGTERM/SIGHUP during a write are turned into :class:`TerminatedError`."""

    enabled = False


def remove_temporaries_on_termination(enabled: bool = True) -> None:
    """Remove the temporary file of a write in progress on SIGTERM or SIGHUP, then exit.

    For programs that own their process, such as the ``pumpleak`` command line; a library
    user's own signal handlers are never replaced (see the module notes).
    """
    _Termination.enabled = enabled


def _raise_termination(signal_number: int, frame: FrameType | None) -> None:
    raise TerminatedError(signal_number)


@contextlib.contextmanager
def _terminable() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise TerminatedError (if enabled and possible)."""
    if not _Termination.enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in _TERMINATION_SIGNALS}
    if any(handler != signal.SIG_DFL for handler in previous.values()):
        yield  # someone installed their own handlers: respect them
        return
    for number in _TERMINATION_SIGNALS:
        signal.signal(number, _raise_termination)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back SIGINT/SIGTERM/SIGHUP (delivered on exit) while cleaning up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _kind(mode: int) -> str | None:
    """Name a file type that must never be replaced, or None for a regular file."""
    kinds = (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    for test, name in kinds:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def _existing(path: Path) -> os.stat_result | None:
    """Return the path's own status (a symbolic link is not followed), None if absent."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err


def _refuse_special(path: Path, status: os.stat_result) -> None:
    kind = _kind(status.st_mode)
    if kind == "a folder":
        raise OutputError(f"{path} is a folder, not a file")
    if kind is not None:
        raise OutputError(
            f"{path} is {kind}: only regular files are replaced, with --force or "
            "overwrite=True; choose another file name (or write to stdout and redirect it)"
        )


def _already_exists(path: Path, status: os.stat_result | None) -> OutputError:
    what = "" if status is None else _kind(status.st_mode)
    what = f" ({what})" if what else ""
    return OutputError(
        f"{path} already exists{what}; choose another file name, or allow replacing it "
        "(--force on the command line, overwrite=True in Python)"
    )


def check_writable(path: Path, *, overwrite: bool = False) -> None:
    """Raise now if :func:`write_atomically` would refuse ``path`` (before any work is done).

    Raises
    ------
    OutputError
        If ``path`` exists (and ``overwrite`` is False), is a folder, a symbolic link, a
        device, FIFO or socket, or its folder is missing.
    """
    status = _existing(path)
    if status is not None:
        if stat.S_ISDIR(status.st_mode):
            raise OutputError(f"{path} is a folder, not a file")
        if not overwrite:
            raise _already_exists(path, status)
        _refuse_special(path, status)
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {path.parent} does not exist")


def _temporary_name(path: Path) -> Path:
    name = path.name[:_NAME_IN_TEMPORARY]
    token = secrets.token_hex(4)
    return path.with_name(f".{name}{TEMPORARY_MARK}{os.getpid()}-{token}.tmp")


def _create_exclusively(path: Path) -> None:
    """Create an empty file that did not exist, with the permissions of a new file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    os.close(os.open(path, flags, 0o666))  # 0o666 & ~umask, like open(path, "w")


def _flush_to_disk(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy_exclusively(temporary: Path, path: Path) -> None:
    """Create ``path`` with O_EXCL and copy ``temporary`` into it (no hard links here)."""
    try:
        _create_exclusively(path)
    except FileExistsError:
        raise _already_exists(path, _existing(path)) from None
    try:
        with temporary.open("rb") as source, path.open("r+b") as target:
            while chunk := source.read(1 << 20):
                target.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)  # ours: we created it a moment ago
        raise


def _publish(temporary: Path, path: Path, *, overwrite: bool) -> None:
    """Move the finished temporary file to ``path``: exclusively, or replacing a file."""
    if overwrite:
        status = _existing(path)
        if status is not None:
            _refuse_special(path, status)
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise _already_exists(path, _existing(path)) from None
    except OSError as err:
        if err.errno not in _NO_HARD_LINKS:
            raise
        _copy_exclusively(temporary, path)


def write_atomically(path: Path, write: Callable[[Path], None], *, overwrite: bool = False) -> Path:
    """Create ``path`` by calling ``write`` on a temporary file, then moving it into place.

    Parameters
    ----------
    path
        Destination file.
    write
        Writes the complete content to the path it is given (an empty file, its own).
    overwrite
        Replace ``path`` if it is a regular file (default False: refuse if anything exists).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        If ``path`` exists and ``overwrite`` is False, or it is not a regular file, its
        folder does not exist or is not writable, or ``write`` fails with an OSError.
    """
    check_writable(path, overwrite=overwrite)
    temporary = _temporary_name(path)
    try:
        with _terminable():
            try:
                _create_exclusively(temporary)
                write(temporary)
                _flush_to_disk(temporary)
                _publish(temporary, path, overwrite=overwrite)
            finally:
                with _signals_held():
                    temporary.unlink(missing_ok=True)
    except OutputError:
        raise
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err
    return path


def write_text(path: Path, text: str, *, overwrite: bool = False) -> Path:
    """Write text (UTF-8) to ``path`` atomically; see :func:`write_atomically`."""

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8")

    return write_atomically(path, write, overwrite=overwrite)
