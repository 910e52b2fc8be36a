# SPDX-License-Identifier: MIT
"""A disk cache of compiled models, keyed by the content they were compiled from.

Compiling a model (Antimony to SBML, validation, the ODE code generated with SymPy) takes
about a second; reading the result back takes a millisecond. Entries are JSON files named
by the SHA-256 of the package version, the code of the modules that compile, and the source
text, so an entry is valid for as long as it exists: a changed model, a new version of the
package or an edit of its compiler gives a new key.

The folder is ``$PUMPLEAK_SBML_CACHE`` if set (``off`` disables the disk cache), else
``$XDG_CACHE_HOME/pumpleak_sbml`` or ``~/.cache/pumpleak_sbml``. The cache is only an
acceleration: an unwritable folder or a damaged entry means the model is compiled again,
never an error::

    key = cache_key("antimony", text)
    data = read_entry(key)        # None if absent or unreadable
    write_entry(key, data)        # atomic; silently skipped if the folder is unwritable
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["cache_directory", "cache_key", "read_entry", "write_entry"]

_ENVIRONMENT = "PUMPLEAK_SBML_CACHE"
_PREFIX = "pumpleak-cache-"


# The modules whose code decides what a compiled model holds: a change to any of them (a new
# release, or an edit in a development checkout) gives every entry a new key.
_COMPILERS = (
    "built_model.py",
    "ode_codegen.py",
    "ode_functions.py",
    "ode_model.py",
    "quantities.py",
    "sbml_compiler.py",
    "sbml_document.py",
    "sbml_math.py",
    "validation.py",
)


@functools.cache
def _version() -> str:
    try:
        release = metadata.version("pumpleak_sbml")
    except metadata.PackageNotFoundError:
        release = "unknown"
    digest = hashlib.sha256(release.encode("utf-8"))
    folder = Path(__file__).parent
    for name in _COMPILERS:
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()


def cache_directory() -> Path | None:
    """Return the cache folder, or None when the disk cache is switched off."""
    setting = os.environ.get(_ENVIRONMENT)
    if setting is not None:
        return None if setting.strip().lower() in ("", "off", "0", "no") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pumpleak_sbml"


def cache_key(kind: str, *texts: str) -> str:
    """Return the key of an entry: a hash of the package version, the kind and the texts."""
    digest = hashlib.sha256()
    for part in (_version(), kind, *texts):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return f"{kind}-{digest.hexdigest()}"


def read_entry(key: str) -> dict[str, Any] | None:
    """Return a cached entry, or None if there is none or it cannot be read."""
    directory = cache_directory()
    if directory is None:
        return None
    try:
        data = json.loads((directory / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_entry(key: str, data: dict[str, Any]) -> None:
    """Store an entry atomically (readers never see half a file); skip if impossible."""
    directory = cache_directory()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=_PREFIX, suffix=".tmp", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream)
            os.replace(temporary, directory / f"{key}.json")
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError:
        return
