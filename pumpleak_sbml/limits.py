# SPDX-License-Identifier: MIT
"""Limits on what pumpleak_sbml accepts, and warnings for values that are legal but unlikely.

Every limit is enforced *before* any work is done (before a file is parsed, a model built or
a simulation started), and every refusal is a
:class:`~pumpleak_sbml.errors.LimitExceededError` that names the limit and the value::

    check_name_length("spec key name", name)     # at most MAX_NAME_LENGTH characters
    data = read_limited(path, MAX_SBML_BYTES, "SBML file size")   # reads at most the limit
    check_time_grid(end, points)         # 0 < end <= MAX_END_TIME, 2 <= points <= MAX_POINTS

Why each limit is where it is:

* ``MAX_NAME_LENGTH`` (64 characters): RoadRunner 2.10 segfaults while loading a model whose
  id is about 20,000 characters long (15,000 still loads); libsbml and Antimony accept any
  length. 64 is the identifier limit of common tools (MATLAB's 63, PostgreSQL's 63) and far
  below the crash.
* ``MAX_SBML_BYTES`` (1 MB): libsbml's consistency check needs about 350 times the file's
  size in memory (a 1 MB file about 0.4 GB, a 20 MB file 4.7 GB). Our largest model is 50 kB
  and the largest pathway model we compose with about 0.2 MB.
* ``MAX_SPEC_BYTES`` (100 kB): a complete commented spec is about 2 kB.
* ``MAX_POINTS`` (100,000): a time course is points x columns x 8 bytes (about 40 columns:
  32 MB) and is written as CSV; more points than pixels on any figure.
* ``MAX_END_TIME`` (1e9 s, about 32 years): the steady-state search integrates to 1e8 s; a
  longer simulated time is almost surely a typo (1e300 made CVODE fail with a misleading
  message).

:func:`warn_if_implausible` warns (:class:`~pumpleak_sbml.errors.PlausibilityWarning`) about
values a spec allows but that are almost surely a slip: a temperature below 200 K (Celsius
typed for kelvin), a concentration above 2 M, a cell radius or length above 1 m.
``pumpleak --strict`` turns these warnings into errors.
"""

from __future__ import annotations

import math
import numbers
import os
import stat
import warnings
from pathlib import Path

from .errors import LimitExceededError, ModelDefinitionError, PlausibilityWarning, short_repr
from .units import ZERO_CELSIUS

__all__ = [
    "MAX_END_TIME",
    "MAX_NAME_LENGTH",
    "MAX_POINTS",
    "MAX_SBML_BYTES",
    "MAX_SPEC_BYTES",
    "MIN_PLAUSIBLE_TEMPERATURE",
    "MAX_PLAUSIBLE_CONCENTRATION",
    "MAX_PLAUSIBLE_LENGTH",
    "check_name_length",
    "check_text_size",
    "check_time_grid",
    "finite_float",
    "read_limited",
    "warn_if_implausible",
]

MAX_NAME_LENGTH = 64
"""Longest model name, spec key or override name, in characters."""

MAX_SBML_BYTES = 1_000_000
"""Largest SBML document (file or text) that is validated or loaded, in bytes (UTF-8)."""

MAX_SPEC_BYTES = 100_000
"""Largest cell spec file (TOML), in bytes."""

MAX_POINTS = 100_000
"""Most output points of one time course (t = 0 included)."""

MAX_END_TIME = 1e9
"""Longest simulated time, in s (about 32 years); also the latest protocol step."""

MIN_PLAUSIBLE_TEMPERATURE = 200.0
"""K: a lower temperature is almost surely degrees Celsius typed for kelvin."""

MAX_PLAUSIBLE_CONCENTRATION = 2000.0
"""mM: a higher concentration (2 M) is almost surely a unit slip (M or µM for mM)."""

MAX_PLAUSIBLE_LENGTH = 1e6
"""µm: a cell radius or length above 1 m is almost surely a unit slip (nm or m for µm)."""


def check_name_length(what: str, name: str) -> None:
    """Raise if a name is longer than :data:`MAX_NAME_LENGTH` characters.

    Parameters
    ----------
    what
        What the name is, for the message (``"spec key name"``, ``"override name"``).
    name
        The name.

    Raises
    ------
    LimitExceededError
        Naming the limit and the name's length.
    """
    if len(name) > MAX_NAME_LENGTH:
        raise LimitExceededError(
            what, f"{name[:20]!r}...", f"{len(name):,} characters", f"{MAX_NAME_LENGTH} characters"
        )


def check_text_size(what: str, text: str, limit: int) -> None:
    """Raise if a text is larger than ``limit`` bytes in UTF-8, before anything parses it.

    Raises
    ------
    LimitExceededError
        Naming the limit and the size.
    """
    # len(text) <= UTF-8 size <= 4 len(text): the text is encoded only when that decides.
    if len(text) > limit:
        raise LimitExceededError(what, "", f"{len(text):,} characters", f"{limit:,} bytes")
    if 4 * len(text) > limit:
        size = len(text.encode("utf-8", errors="replace"))
        if size > limit:
            raise LimitExceededError(what, "", f"{size:,} bytes", f"{limit:,} bytes")


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """Read a file, but never more than ``limit`` bytes (refusing it if it is larger).

    The size is checked before parsing, by reading at most ``limit + 1`` bytes: this also
    bounds endless files (``/dev/zero``), FIFOs and files that grow while they are read.

    Parameters
    ----------
    path
        The file.
    limit
        Largest accepted size in bytes.
    what
        What is measured (``"SBML file size"``), for the message after the path.

    Returns
    -------
    bytes
        The whole content.

    Raises
    ------
    LimitExceededError
        If the file holds more than ``limit`` bytes.
    OSError
        If it cannot be opened or read (the caller turns this into its own error).
    """
    with path.open("rb") as stream:
        size = _regular_size(stream.fileno())
        if size is not None and size > limit:
            raise LimitExceededError(f"{path}: {what}", "", f"{size:,} bytes", f"{limit:,} bytes")
        content = stream.read(limit + 1)
    if len(content) > limit:
        raise LimitExceededError(f"{path}: {what}", "", "", f"{limit:,} bytes")
    return content


def _regular_size(descriptor: int) -> int | None:
    """Return the size of a regular file (cheap, from fstat), None for devices and pipes."""
    status = os.fstat(descriptor)
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def finite_float(value: object) -> float | None:
    """Return a real number as a finite float, or None (huge integers included)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def check_time_grid(end: object, points: object) -> tuple[float, int]:
    """Check a time course's end time (s) and number of points; return them as float, int.

    Raises
    ------
    LimitExceededError
        If ``end`` is above :data:`MAX_END_TIME` or ``points`` above :data:`MAX_POINTS`.
    ModelDefinitionError
        If ``end`` is not a finite positive number or ``points`` not an integer >= 2.
    """
    if finite_float(end) is None and _is_huge(end):
        raise LimitExceededError("end time", short_repr(end), "", f"{MAX_END_TIME:g} s")
    number = finite_float(end)
    if number is None or number <= 0:
        raise ModelDefinitionError(
            f"the end time must be a positive number of seconds, got {short_repr(end)}"
        )
    if number > MAX_END_TIME:
        raise LimitExceededError("end time", f"{number:g} s", "", f"{MAX_END_TIME:g} s")
    if isinstance(points, bool) or not isinstance(points, numbers.Integral):
        raise ModelDefinitionError(
            f"the number of points must be an integer >= 2, got {short_repr(points)}"
        )
    count = int(points)
    if count < 2:
        raise ModelDefinitionError(f"the number of points must be an integer >= 2, got {count}")
    if count > MAX_POINTS:
        raise LimitExceededError("number of points", short_repr(points), "", f"{MAX_POINTS:,}")
    return number, count


def _is_huge(value: object) -> bool:
    """Tell whether a real number is +infinity or a positive integer beyond float's range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        return float(value) == math.inf
    except OverflowError:  # only a Python int can be this large; a float is at most inf
        return isinstance(value, int) and value > 0


def warn_if_implausible(key: str, value: float, kind: str) -> None:
    """Warn if a legal value is almost surely a slip: Celsius for kelvin, M for mM, m for µm.

    Parameters
    ----------
    key
        Where the value is (``"temperature"``, ``"medium.K"``), for the message.
    value
        The value, in the quantity's unit (K, mM or µm).
    kind
        ``"temperature"`` (K), ``"concentration"`` (mM) or ``"length"`` (µm).

    Warns
    -----
    PlausibilityWarning
        Naming the value, the threshold and the likely intent.
    """
    message = None
    if kind == "temperature" and value < MIN_PLAUSIBLE_TEMPERATURE:
        message = (
            f"{key} = {value:g} K is below {MIN_PLAUSIBLE_TEMPERATURE:g} K: "
            f"did you mean {value + ZERO_CELSIUS:g} K ({value:g} °C)? "
            "Temperatures are in kelvin"
        )
    elif kind == "concentration" and value > MAX_PLAUSIBLE_CONCENTRATION:
        message = (
            f"{key} = {value:g} mM is above {MAX_PLAUSIBLE_CONCENTRATION:g} mM (2 M): "
            f"did you mean {value / 1000:g} mM (the value read as µM)? "
            "Concentrations are in mM"
        )
    elif kind == "length" and value > MAX_PLAUSIBLE_LENGTH:
        message = (
            f"{key} = {value:g} µm is above 1 m: lengths are in µm, and a cell's radius is "
            "typically 1-100 µm; is the value in another unit?"
        )
    if message is not None:
        warnings.warn(message, PlausibilityWarning, stacklevel=3)
