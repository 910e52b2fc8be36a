# SPDX-License-Identifier: MIT
"""Write result files without ever destroying what the user already had.

:func:`write_atomically` refuses to replace an existing file unless asked to, and writes
through a temporary file in the same folder that is renamed into place only when complete,
so an interrupted or failed write leaves any previous file untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError

__all__ = ["check_writable", "write_atomically", "write_text"]


def check_writable(path: Path, *, overwrite: bool = False) -> None:
    """Raise now if :func:`write_atomically` would refuse ``path`` (before any work is done).

    Raises
    ------
    OutputError
        If ``path`` exists (and ``overwrite`` is False), is a folder, or its folder is missing.
    """
    if path.is_dir():
        raise OutputError(f"{path} is a folder, not a file")
    if path.exists() and not overwrite:
        raise OutputError(
            f"{path} already exists; choose another file name, or allow replacing it "
            "(--force on the command line, overwrite=True in Python)"
        )
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {path.parent} does not exist")


def write_atomically(path: Path, write: Callable[[Path], None], *, overwrite: bool = False) -> Path:
    """Create ``path`` by calling ``write`` on a temporary file, then renaming it into place.

    Parameters
    ----------
    path
        Destination file.
    write
        Writes the complete content to the path it is given.
    overwrite
        Replace ``path`` if it exists (default False: refuse).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        If ``path`` exists and ``overwrite`` is False, its folder does not exist or is not
        writable, or ``write`` fails.
    """
    check_writable(path, overwrite=overwrite)
    folder = path.parent
    try:
        handle, temporary_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        write(temporary)
        # mkstemp creates the file private (0600); give it the permissions of a normal new file.
        temporary.chmod(0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_text(path: Path, text: str, *, overwrite: bool = False) -> Path:
    """Write text (UTF-8) to ``path`` atomically; see :func:`write_atomically`."""

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8")

    return write_atomically(path, write, overwrite=overwrite)
