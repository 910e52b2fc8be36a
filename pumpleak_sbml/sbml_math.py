# SPDX-License-Identifier: MIT
"""Translate SBML math (MathML content markup, as text) into SymPy expressions.

The translation reads the MathML *text* that libsbml writes, with :mod:`xml.etree`, and
never walks libsbml's ``ASTNode`` objects: once libsedml has been imported into the same
process (an OMEX export does that), libsbml's ``ASTNode.getType()`` returns opaque SWIG
objects and every test on it is silently false. Text cannot be broken that way::

    expression = mathml_to_sympy(libsbml.writeMathMLToString(rule.getMath()), symbols)

Identifiers (``<ci>``) become the symbols in ``symbols`` (created on first use otherwise);
function definitions are inlined; ``time`` is the symbol :data:`TIME`. Constructs with no
meaning for an ODE right-hand side (``delay``, ``rateOf``) raise
:class:`~pumpleak_sbml.errors.UnsupportedSBMLError`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

import sympy

from .errors import UnsupportedSBMLError

__all__ = ["TIME", "FunctionDefinition", "mathml_to_sympy", "read_function_definition"]

TIME = sympy.Symbol("time", real=True)
"""The model's time (s), the csymbol ``time`` of SBML."""

# SBML Level 3 fixes avogadro at CODATA 2006's 6.02214179e23 /mol, not the 2019 SI value
# (SBML Test Suite case 01323 checks it; RoadRunner uses it too).
_AVOGADRO = sympy.Float(6.02214179e23)
_CSYMBOL = "http://www.sbml.org/sbml/symbols/"
_NAMESPACE = "{http://www.w3.org/1998/Math/MathML}"


@dataclass(frozen=True)
class FunctionDefinition:
    """An SBML function definition: its argument symbols and its body."""

    arguments: tuple[sympy.Symbol, ...]
    body: sympy.Expr

    def __call__(self, *values: sympy.Expr) -> sympy.Expr:
        """Return the body with the arguments replaced by ``values``."""
        if len(values) != len(self.arguments):
            raise UnsupportedSBMLError(
                f"a function of {len(self.arguments)} arguments is called with {len(values)}"
            )
        return self.body.xreplace(dict(zip(self.arguments, values, strict=True)))


def _tag(element: ElementTree.Element) -> str:
    return element.tag.removeprefix(_NAMESPACE)


def _children(element: ElementTree.Element) -> list[ElementTree.Element]:
    return [child for child in element if _tag(child) not in ("annotation", "annotation-xml")]


def _number(element: ElementTree.Element) -> sympy.Expr:
    kind = element.get("type", "real")
    parts = [text.strip() for text in element.itertext()]
    if kind == "integer":
        return sympy.Integer(int(parts[0]))
    if kind == "e-notation":
        return sympy.Float(float(f"{parts[0]}e{parts[1]}"))
    if kind == "rational":
        return sympy.Rational(int(parts[0]), int(parts[1]))
    text = "".join(parts)
    number = float(text)
    if number.is_integer() and abs(number) < 2**53 and "e" not in text.lower():
        return sympy.Integer(int(number))
    return sympy.Float(number)


_UNARY: Mapping[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "exp": sympy.exp,
    "ln": sympy.log,
    "abs": sympy.Abs,
    "floor": sympy.floor,
    "ceiling": sympy.ceiling,
    "factorial": sympy.factorial,
    "not": sympy.Not,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sec": sympy.sec,
    "csc": sympy.csc,
    "cot": sympy.cot,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "sech": sympy.sech,
    "csch": sympy.csch,
    "coth": sympy.coth,
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
    "arctan": sympy.atan,
    "arcsec": sympy.asec,
    "arccsc": sympy.acsc,
    "arccot": sympy.acot,
    "arcsinh": sympy.asinh,
    "arccosh": sympy.acosh,
    "arctanh": sympy.atanh,
    "arcsech": sympy.asech,
    "arccsch": sympy.acsch,
    "arccoth": sympy.acoth,
}

_RELATIONS: Mapping[str, Callable[[sympy.Expr, sympy.Expr], sympy.Basic]] = {
    "eq": sympy.Eq,
    "neq": sympy.Ne,
    "gt": sympy.StrictGreaterThan,
    "lt": sympy.StrictLessThan,
    "geq": sympy.GreaterThan,
    "leq": sympy.LessThan,
}


class _Reader:
    """One translation: the symbol table, the function definitions, and the bound variables."""

    def __init__(
        self,
        symbols: MutableMapping[str, sympy.Symbol],
        functions: Mapping[str, FunctionDefinition],
    ) -> None:
        self.symbols = symbols
        self.functions = functions

    def symbol(self, name: str) -> sympy.Symbol:
        if name not in self.symbols:
            self.symbols[name] = sympy.Symbol(name, real=True)
        return self.symbols[name]

    def read(self, element: ElementTree.Element) -> sympy.Expr:
        tag = _tag(element)
        handler = getattr(self, f"_read_{tag.replace('-', '_')}", None)
        if handler is None:
            raise UnsupportedSBMLError(f"the MathML element <{tag}> is not supported")
        result: sympy.Expr = handler(element)
        return result

    def _read_math(self, element: ElementTree.Element) -> sympy.Expr:
        children = _children(element)
        if len(children) != 1:
            raise UnsupportedSBMLError("a <math> element must hold exactly one expression")
        return self.read(children[0])

    def _read_semantics(self, element: ElementTree.Element) -> sympy.Expr:
        return self.read(_children(element)[0])

    def _read_cn(self, element: ElementTree.Element) -> sympy.Expr:
        return _number(element)

    def _read_ci(self, element: ElementTree.Element) -> sympy.Expr:
        return self.symbol("".join(element.itertext()).strip())

    def _read_csymbol(self, element: ElementTree.Element) -> sympy.Expr:
        url = element.get("definitionURL", "").removeprefix(_CSYMBOL)
        if url == "time":
            return TIME
        if url == "avogadro":
            return _AVOGADRO
        raise UnsupportedSBMLError(f"the SBML symbol {url!r} is not supported in an ODE model")

    def _read_true(self, element: ElementTree.Element) -> sympy.Basic:
        return sympy.true

    def _read_false(self, element: ElementTree.Element) -> sympy.Basic:
        return sympy.false

    def _read_pi(self, element: ElementTree.Element) -> sympy.Expr:
        return sympy.pi

    def _read_exponentiale(self, element: ElementTree.Element) -> sympy.Expr:
        return sympy.E

    def _read_infinity(self, element: ElementTree.Element) -> sympy.Expr:
        return sympy.oo

    def _read_notanumber(self, element: ElementTree.Element) -> sympy.Expr:
        return sympy.nan

    def _read_piecewise(self, element: ElementTree.Element) -> sympy.Expr:
        pieces = []
        otherwise: sympy.Expr = sympy.nan
        for child in _children(element):
            parts = _children(child)
            if _tag(child) == "piece":
                pieces.append((self.read(parts[0]), self.read(parts[1])))
            else:
                otherwise = self.read(parts[0])
        return sympy.Piecewise(*pieces, (otherwise, True))

    def _read_apply(self, element: ElementTree.Element) -> sympy.Expr:
        head, *rest = _children(element)
        operator = _tag(head)
        if operator in ("logbase", "degree", "bvar"):
            raise UnsupportedSBMLError(f"misplaced MathML <{operator}>")
        qualifiers = {
            _tag(child): self.read(_children(child)[0])
            for child in rest
            if _tag(child) in ("logbase", "degree")
        }
        arguments = [self.read(child) for child in rest if _tag(child) not in qualifiers]
        if operator == "ci":
            return self._call(head, arguments)
        if operator == "csymbol":
            url = head.get("definitionURL", "").removeprefix(_CSYMBOL)
            raise UnsupportedSBMLError(
                f"the SBML function {url!r} (e.g. delay, rateOf) is not supported in an ODE model"
            )
        return _operator(operator, arguments, qualifiers)

    def _call(self, head: ElementTree.Element, arguments: list[sympy.Expr]) -> sympy.Expr:
        name = "".join(head.itertext()).strip()
        if name not in self.functions:
            raise UnsupportedSBMLError(f"{name} is called as a function but is not defined as one")
        return self.functions[name](*arguments)


def _operator(
    operator: str, arguments: Sequence[sympy.Expr], qualifiers: Mapping[str, sympy.Expr]
) -> sympy.Expr:
    if operator in _BUILDERS:
        return _BUILDERS[operator](arguments, qualifiers)
    if operator in _UNARY and len(arguments) == 1:
        return _UNARY[operator](arguments[0])
    if operator in _RELATIONS:
        pairs = [_RELATIONS[operator](left, right) for left, right in itertools.pairwise(arguments)]
        return sympy.And(*pairs)
    raise UnsupportedSBMLError(f"the MathML operator <{operator}> is not supported")


def _minus(arguments: Sequence[sympy.Expr], _: Mapping[str, sympy.Expr]) -> sympy.Expr:
    return -arguments[0] if len(arguments) == 1 else arguments[0] - arguments[1]


def _log(arguments: Sequence[sympy.Expr], qualifiers: Mapping[str, sympy.Expr]) -> sympy.Expr:
    base = qualifiers.get("logbase", sympy.Integer(10))
    return sympy.log(arguments[0]) / sympy.log(base)


def _quotient(arguments: Sequence[sympy.Expr], _: Mapping[str, sympy.Expr]) -> sympy.Expr:
    """MathML quotient: a / b truncated toward zero (a = b q + r, |r| < |b|, a r >= 0).

    MathML's quotient and rem are OpenMath integer1 quotient and remainder; the remainder
    has the dividend's sign (C's fmod), which floor division would not give for a < 0.
    """
    ratio = arguments[0] / arguments[1]
    return sympy.Piecewise((sympy.floor(ratio), ratio >= 0), (sympy.ceiling(ratio), True))


def _rem(arguments: Sequence[sympy.Expr], qualifiers: Mapping[str, sympy.Expr]) -> sympy.Expr:
    """MathML rem: a - b quotient(a, b), with the sign of the dividend a."""
    return arguments[0] - arguments[1] * _quotient(arguments, qualifiers)


def _root(arguments: Sequence[sympy.Expr], qualifiers: Mapping[str, sympy.Expr]) -> sympy.Expr:
    degree = qualifiers.get("degree", sympy.Integer(2))
    return sympy.Pow(arguments[0], 1 / degree)


_BUILDERS: Mapping[str, Callable[[Sequence[sympy.Expr], Mapping[str, sympy.Expr]], sympy.Expr]] = {
    "plus": lambda a, _: sympy.Add(*a),
    "times": lambda a, _: sympy.Mul(*a),
    "minus": _minus,
    "divide": lambda a, _: a[0] / a[1],
    "power": lambda a, _: sympy.Pow(a[0], a[1]),
    "log": _log,
    "root": _root,
    "and": lambda a, _: sympy.And(*a),
    "or": lambda a, _: sympy.Or(*a),
    "xor": lambda a, _: sympy.Xor(*a),
    "implies": lambda a, _: sympy.Implies(a[0], a[1]),
    "min": lambda a, _: sympy.Min(*a),
    "max": lambda a, _: sympy.Max(*a),
    "quotient": _quotient,
    "rem": _rem,
}


def _parse(text: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(text)
    except ElementTree.ParseError as err:
        raise UnsupportedSBMLError(f"unreadable MathML: {err}") from err


def mathml_to_sympy(
    text: str,
    symbols: MutableMapping[str, sympy.Symbol],
    functions: Mapping[str, FunctionDefinition] | None = None,
) -> sympy.Expr:
    """Return the SymPy expression of one MathML ``<math>`` document.

    Parameters
    ----------
    text
        MathML as written by ``libsbml.writeMathMLToString``.
    symbols
        Identifier to symbol; identifiers not yet in it are added (real symbols).
    functions
        The model's function definitions by id, inlined where they are called.

    Raises
    ------
    UnsupportedSBMLError
        For constructs an ODE right-hand side cannot hold (``delay``, ``rateOf``) or unknown
        MathML.
    """
    return _Reader(symbols, functions or {}).read(_parse(text))


def read_function_definition(
    text: str,
    symbols: MutableMapping[str, sympy.Symbol],
    functions: Mapping[str, FunctionDefinition],
) -> FunctionDefinition:
    """Return an SBML function definition (a MathML ``<lambda>``) with its own argument symbols.

    Raises
    ------
    UnsupportedSBMLError
        If the MathML is not a lambda.
    """
    root = _parse(text)
    children = _children(root)
    if len(children) != 1 or _tag(children[0]) != "lambda":
        raise UnsupportedSBMLError("a function definition must be a MathML <lambda>")
    parts = _children(children[0])
    names = ["".join(b.itertext()).strip() for b in parts if _tag(b) == "bvar"]
    arguments = tuple(sympy.Dummy(name, real=True) for name in names)
    local = dict(symbols)
    local.update(zip(names, arguments, strict=True))
    body = _Reader(local, functions).read(parts[-1])
    return FunctionDefinition(arguments, body)
