# SPDX-License-Identifier: MIT
"""Mutation check of the test suite: apply one textual mutation at a time, run the relevant tests.

Run by hand, from the repository root, in a development environment (``pip install -e``)::

    python tools/mutate.py --list                 # the mutants, without running anything
    python tools/mutate.py                        # every mutant (hours on 2 cores)
    python tools/mutate.py --only water.ant       # mutants of matching files
    python tools/mutate.py --json results.json    # also write every outcome as JSON

A mutant is *killed* when its tests fail (or time out), and *survives* when they pass.
Each mutation is applied in place and the original text is written back in a ``finally``
clause (Ctrl-C and SIGTERM included; SIGKILL is not, hence run it on a copy, see
``benchmarks/MUTATION.md``); the tool refuses to start if a target file has uncommitted
changes, so ``git checkout`` can always restore it.

Mutation tools for Python (mutmut, cosmic-ray) cannot mutate the Antimony models, which is
where the physics lives, so this one is written for both:

* Antimony (``models/*.ant``, ``models/components/*.ant``), equation lines only (``:=``,
  rate rules, reactions): ``+``/``-`` and ``*``/``/`` swapped, exponents changed by one,
  ``exp(-u)`` to ``exp(u)``, a reaction reversed, a stoichiometric coefficient increased,
  and the value of a ``const`` (unit conversions, water molar volume) multiplied by 10.
* Python (the numerical and validation modules listed in ``TARGETS``): arithmetic and
  comparison operators swapped, numeric literals multiplied by 10.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import signal
import subprocess
import sys
import time
import tokenize
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 1800  # s per mutant: a hang counts as killed

# Fast, sharp tests first: pytest -x stops at the first failure, so killed mutants are cheap.
BUILT = [
    "tests/models/test_transport_conservation.py",
    "tests/models/test_unit_conversions.py",
    "tests/models/test_built_cells_reference.py",
    "tests/models/test_built_cells.py",
    "tests/test_antimony_writer.py",
    "tests/properties/test_valid_spec_invariants.py",
]
LIBRARY = [
    "tests/models/test_transport_conservation.py",
    "tests/models/test_ghk_near_zero.py",
    "tests/models/test_unit_conversions.py",
    "tests/models/test_built_cells_reference.py",
    "tests/models/test_pump_laws.py",
    "tests/models/test_library.py",
    "tests/models/test_pump_leak_physics.py",
    "tests/models/test_seed_family.py",
]
TARGETS: list[tuple[str, list[str]]] = [
    ("models/components/*.ant", BUILT),
    ("models/*.ant", LIBRARY),
    ("pumpleak_sbml/units.py", ["tests/test_units.py", "tests/test_plausibility.py", *LIBRARY]),
    (
        "pumpleak_sbml/validation.py",
        ["tests/test_validation.py", "tests/models/test_library.py", "tests/test_cli.py"],
    ),
    ("pumpleak_sbml/antimony_writer.py", ["tests/test_antimony_writer.py", *BUILT[:4]]),
    ("pumpleak_sbml/limits.py", ["tests/test_limits.py", "tests/test_plausibility.py"]),
]


@dataclass(frozen=True)
class Mutant:
    """One mutation: where, what, and the text of the mutated file."""

    path: str
    line: int
    operator: str
    before: str
    after: str


@dataclass(frozen=True)
class Outcome:
    """A mutant and what its tests said."""

    mutant: Mutant
    killed: bool
    seconds: float
    detail: str


# --- Antimony -------------------------------------------------------------------------------

_EQUATION = re.compile(r":=|'\s*=|->|=>")
_SWAPS = {" + ": " - ", " - ": " + ", " * ": " / ", " / ": " * "}


def _antimony_line_mutations(text: str) -> Iterator[tuple[str, str]]:
    """(operator, mutated line) for one line of Antimony."""
    code, _, comment = text.partition("//")
    if _EQUATION.search(code) and " is " not in code and "sboTerm" not in code:
        body_start = max(code.find(":="), code.find(";"), code.find("' ="))
        body_start = body_start if body_start >= 0 else 0
        for old, new in _SWAPS.items():
            for match in re.finditer(re.escape(old), code[body_start:]):
                at = body_start + match.start()
                yield f"'{old.strip()}'->'{new.strip()}'", code[:at] + new + code[at + len(old) :]
        for match in re.finditer(r"\^(\d+)", code):
            power = int(match.group(1))
            for changed in {power - 1, power + 1} - {0}:
                yield (
                    f"^{power}->^{changed}",
                    code[: match.start()] + f"^{changed}" + code[match.end() :],
                )
        for match in re.finditer(r"exp\(-", code):
            yield "exp(-u)->exp(u)", code[: match.start()] + "exp(" + code[match.end() :]
        reaction = re.match(r"(\s*\w+:\s*)([^;]*?)\s*->\s*([^;]*?)(;.*)", code)
        if reaction:
            head, left, right, rest = reaction.groups()
            yield "reverse reaction", f"{head}{right} -> {left}{rest}"
            for match in re.finditer(r"\b(\d+) (\w+)", left):
                coefficient = int(match.group(1)) + 1
                start, end = len(head) + match.start(), len(head) + match.end()
                yield (
                    f"stoichiometry {match.group(1)}->{coefficient}",
                    code[:start] + f"{coefficient} {match.group(2)}" + code[end:],
                )
    constant = re.match(r"(\s*const \w+ = )([0-9.eE+-]+)(.*)", code)
    if constant:
        value = float(constant.group(2))
        yield "const x10", f"{constant.group(1)}{value * 10!r}{constant.group(3)}"
    del comment


def antimony_mutants(path: Path) -> Iterator[Mutant]:
    """Every mutant of one Antimony file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("//", "model ", "unit ")):
            continue
        for operator, mutated in _antimony_line_mutations(line):
            if mutated != line.partition("//")[0]:
                yield Mutant(str(path.relative_to(ROOT)), number, operator, line, mutated)


# --- Python ---------------------------------------------------------------------------------

_PYTHON_SWAPS = {
    "+": "-",
    "-": "+",
    "*": "/",
    "/": "*",
    "<": "<=",
    "<=": "<",
    ">": ">=",
    ">=": ">",
    "==": "!=",
    "!=": "==",
}


def python_mutants(path: Path) -> Iterator[Mutant]:
    """Binary operators swapped and numeric literals x10, one at a time (never in strings)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    previous = None
    for token in tokens:
        if token.type in {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT}:
            continue
        row, column = token.start
        line = lines[row - 1]
        unary = previous is None or (
            previous.type == tokenize.OP and previous.string not in {")", "]", "}"}
        )
        if (
            token.type == tokenize.OP
            and token.string in _PYTHON_SWAPS
            and not (token.string in {"+", "-"} and unary)
        ):
            if "**" not in line[column - 1 : column + 2]:
                new = _PYTHON_SWAPS[token.string]
                mutated = line[:column] + new + line[token.end[1] :]
                yield Mutant(
                    str(path.relative_to(ROOT)), row, f"'{token.string}'->'{new}'", line, mutated
                )
        elif token.type == tokenize.NUMBER and not token.string.endswith("j"):
            value = float(token.string.replace("_", ""))
            if value not in {0.0, 1.0}:
                number = (
                    repr(value * 10)
                    if "." in token.string or "e" in token.string
                    else str(int(value) * 10)
                )
                mutated = line[:column] + number + line[token.end[1] :]
                yield Mutant(str(path.relative_to(ROOT)), row, "number x10", line, mutated)
        previous = token


# --- running --------------------------------------------------------------------------------


def mutants_of(pattern: str) -> Iterator[Mutant]:
    """Every mutant of the files matching a TARGETS pattern."""
    for path in sorted(ROOT.glob(pattern)):
        if path.suffix == ".ant":
            yield from antimony_mutants(path)
        else:
            yield from python_mutants(path)


def _run(mutant: Mutant, tests: list[str]) -> Outcome:
    path = ROOT / mutant.path
    original = path.read_text(encoding="utf-8")
    lines = original.split("\n")
    assert lines[mutant.line - 1] == mutant.before, f"{mutant.path}:{mutant.line} changed"
    lines[mutant.line - 1] = mutant.after
    started = time.monotonic()
    try:
        path.write_text("\n".join(lines), encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        killed = result.returncode != 0
        tail = result.stdout.strip().splitlines()
        detail = tail[-1] if tail else result.stderr.strip()[-200:]
    except subprocess.TimeoutExpired:
        killed, detail = True, f"timeout after {TIMEOUT} s"
    finally:
        path.write_text(original, encoding="utf-8")
    return Outcome(mutant, killed, time.monotonic() - started, detail)


def _check_clean(patterns: list[str]) -> None:
    files = [str(p.relative_to(ROOT)) for pattern in patterns for p in ROOT.glob(pattern)]
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", *files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if changed.strip():
        sys.exit(f"mutate: commit or stash these first (they are restored from git):\n{changed}")


def main(argv: list[str] | None = None) -> int:
    """Run the mutation check; return 0 (the score is information, not a verdict)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--only", default="", help="only files whose path contains this")
    parser.add_argument("--json", type=Path, help="write every outcome to this JSON file")
    args = parser.parse_args(argv)
    plan = [
        (mutant, tests)
        for pattern, tests in TARGETS
        for mutant in mutants_of(pattern)
        if args.only in mutant.path
    ]
    # models/*.ant also matches nothing in components/: the glob is not recursive.
    if args.list:
        for mutant, _ in plan:
            print(f"{mutant.path}:{mutant.line}: {mutant.operator}: {mutant.after.strip()}")
        print(f"{len(plan)} mutants")
        return 0
    _check_clean([pattern for pattern, _ in TARGETS])
    # A kill must unwind too: the finally clause restores the mutated file (and
    # subprocess.run kills the running pytest when an exception passes through it).
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    outcomes = []
    for index, (mutant, tests) in enumerate(plan, start=1):
        outcome = _run(mutant, tests)
        outcomes.append(outcome)
        verdict = "killed " if outcome.killed else "SURVIVED"
        print(
            f"[{index}/{len(plan)}] {verdict} {mutant.path}:{mutant.line} {mutant.operator} "
            f"({outcome.seconds:.0f} s) {outcome.detail}",
            flush=True,
        )
    killed = sum(outcome.killed for outcome in outcomes)
    print(f"score: {killed}/{len(outcomes)} killed ({100 * killed / max(len(outcomes), 1):.0f} %)")
    for outcome in outcomes:
        if not outcome.killed:
            print(
                f"survivor: {outcome.mutant.path}:{outcome.mutant.line} {outcome.mutant.operator}"
            )
            print(f"    {outcome.mutant.before.strip()}")
            print(f"    {outcome.mutant.after.strip()}")
    if args.json is not None:
        args.json.write_text(
            json.dumps([asdict(outcome) for outcome in outcomes], indent=1), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
