"""FIQL query filters (vCloud Director's ``/api/query?filter=...``) as SQLAlchemy Core expressions.

``where`` turns a filter such as ``name==web*;(numberOfCpus=ge=2,isDeployed==true)`` into one
condition the caller adds to its own ``select``, over a field map exactly like
``localsphere.world.odata``'s: ``fields`` maps each wire attribute name to its SQL expression, and the
expression's SQLAlchemy type (string, integer, decimal, boolean, date-time, date) decides how a value
is read and which operators apply.

Grammar (the text is already URL-decoded; there is no whitespace skipping: blanks belong to values)::

    filter     := and (',' and)*            ',' is or
    and        := term (';' term)*          ';' is and, and binds tighter than ','
    term       := '(' filter ')' | constraint
    constraint := name operator value
    operator   := '==' | '!=' | '=gt=' | '=ge=' | '=lt=' | '=le='   (the words in any case)

A value runs to the first unescaped ``;``, ``,``, ``(`` or ``)``; a backslash makes the next character
plain (``\\;`` ``\\,`` ``\\(`` ``\\)`` ``\\*`` ``\\\\``). Values are read by the field's type:
integers and decimals (a decimal may be compared with an integer field), ``true``/``false``, ISO 8601
date-times (``2015-07-16T00:00:00``, ``...Z``, ``...+02:00``; taken to UTC for a column without a time
zone, as in odata.py) and dates; a string field takes the text as written. Booleans allow only ``==``
and ``!=``. An empty value is refused.

The meaning is the same on SQLite and PostgreSQL, as in odata.py:

- strings compare case-sensitively, character by character, in code-point order for the ordering
  operators (odata.py's ``CodePointOrder``);
- in a string value of ``==`` an unescaped ``*`` matches any run of characters (``name==web*``,
  ``name==*db*``); ``!=`` with a ``*`` is its negation (the rows with a value that does not match).
  The match is ``GLOB`` on SQLite (its ``LIKE`` ignores ASCII case) and ``LIKE ... ESCAPE`` on
  PostgreSQL (case-sensitive there), every other pattern character escaped, so ``%``, ``_``, ``?``,
  ``[`` are plain. ``*`` is refused with the ordering operators and with non-string fields;
- a comparison with a NULL field is unknown, so the row is left out (``!=`` too); ``;`` and ``,``
  follow SQL's three-valued logic (there is no negation in FIQL).

Parser: a small recursive-descent parser written here, not the PyPI ``fiql-parser`` 1.0. That
package (alpha, last released for Python 2.7/3.4) URL-decodes the text again (``+`` becomes a blank,
``%25`` becomes ``%``: wrong for text the web layer has already decoded), accepts only RFC 3986
unreserved ASCII in values (no blanks, no ``É``), re-encodes ``*`` as ``%2A``, has no escape for
``;``/``,``/``)`` in values and reports errors without positions. The grammar is six lines; the parser
below recurses only into parentheses, bounded by ``MAX_DEPTH``, and reads ``;``/``,`` chains in loops.

Errors: ``Invalid("filter.invalid", message, text)`` for anything wrong with the text, never another
exception. Positions in messages are 0-based indexes into the text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import BigInteger, Boolean, Float, String, and_, func, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from localsphere.world import odata
from localsphere.world.errors import Invalid
from localsphere.world.odata import (  # shared SQL pieces: one meaning for both filter languages
    BOOLEAN,
    DATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    STRING,
    CodePointOrder,
    kind_of,
    moment_literal,
)

Fields = odata.Fields
"""Wire attribute name -> the SQL expression it stands for."""

MAX_TEXT = odata.MAX_TEXT
"""The longest filter text accepted, in characters."""

MAX_DEPTH = odata.MAX_DEPTH
"""How deeply parentheses may nest."""

OPERATORS = ("==", "!=", "=gt=", "=ge=", "=lt=", "=le=")

_INT64 = 2**63
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:@/-]*")
_OPERATOR = re.compile(r"==|!=|=[A-Za-z]+=")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_STOP = ";,()"


@runtime_checkable
class TypedField(Protocol):
    """A field whose value names its own type (vCD's metadata: ``metadata:rank=gt=NUMBER:5``);
    ``typed`` takes the value's first piece as written and answers the SQL to compare and the
    value's text without its type (ValueError: the value cannot be read)."""

    def typed(self, raw: str) -> tuple[ColumnElement[Any], str]: ...


class _Problem(Exception):
    """What is wrong with the text; ``where`` turns it into ``Invalid``."""


# --------------------------------------------------------------------------------------------------
# Wildcard matching: GLOB on SQLite (case-sensitive, unlike its LIKE), LIKE on PostgreSQL
# --------------------------------------------------------------------------------------------------


class _Matches(FunctionElement[Any]):
    """``text`` matches ``pieces`` joined by ``*`` (each ``*`` any run of characters; every other
    character plain). Unknown when ``text`` is NULL. Both dialects' patterns are bound parameters,
    so the statement caches like any other."""

    name = "ls_fiql_matches"
    inherit_cache = True
    type = sqltypes.NullType()  # not Boolean: SQLite would compare it with 1
    negate = False

    def __init__(self, text: ColumnElement[Any], pieces: list[str]) -> None:
        glob = "*".join(re.sub(r"([*?\[])", r"[\1]", piece) for piece in pieces)
        like = "%".join(re.sub(r"([\\%_])", r"\\\1", piece) for piece in pieces)
        super().__init__(text, literal(glob, String()), literal(like, String()))


class _DoesNotMatch(_Matches):
    """``text`` does not match (unknown when NULL)."""

    name = "ls_fiql_does_not_match"
    inherit_cache = True
    negate = True


@compiles(_Matches)
def _matches(element: _Matches, compiler: SQLCompiler, **kw: Any) -> str:
    text, _glob, like = (compiler.process(c, **kw) for c in element.clauses)
    return f"({text} {'NOT ' if element.negate else ''}LIKE {like} ESCAPE '\\')"


@compiles(_Matches, "sqlite")
def _matches_sqlite(element: _Matches, compiler: SQLCompiler, **kw: Any) -> str:
    text, glob, _like = (compiler.process(c, **kw) for c in element.clauses)
    return f"({text} {'NOT ' if element.negate else ''}GLOB {glob})"


# --------------------------------------------------------------------------------------------------
# Values, read by the field's type
# --------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Text:
    """A value as written: its pieces between unescaped ``*`` (one piece: no wildcard)."""

    pieces: list[str]
    start: int

    @property
    def plain(self) -> str:
        return "*".join(self.pieces)


def _number(raw: str, kind: str, where: str) -> ColumnElement[Any]:
    if _INTEGER.fullmatch(raw):
        number = int(raw)
        if not -_INT64 <= number < _INT64:
            raise _Problem(f"{where}: integer {raw} is out of range (64-bit)")
        return literal(number, BigInteger())
    if _DECIMAL.fullmatch(raw):
        value = float(raw)
        if not math.isfinite(value):
            raise _Problem(f"{where}: decimal {raw} is out of range")
        return literal(value, Float())
    expected = "an integer" if kind == INTEGER else "a number"
    raise _Problem(f"{where}: expected {expected}, not '{raw}'")


def _constraint(name: str, column: ColumnElement[Any], op: str, value: _Text) -> ColumnElement[Any]:
    """The SQL for ``name op value``; positions in errors are those of ``value``."""
    kind = kind_of(column)
    where = f"value at position {value.start} for field '{name}'"
    if kind is None:
        raise _Problem(f"field '{name}' cannot be used in a query")
    wildcard = len(value.pieces) > 1
    if kind == STRING:
        if wildcard:
            if op not in ("==", "!="):
                raise _Problem(f"{where}: '*' wildcards only work with == and != (write \\* for a '*')")
            return (_DoesNotMatch if op == "!=" else _Matches)(column, value.pieces)
        # A field of a decorated string type reads its values itself (a reference's id, say).
        bound = column.type if isinstance(column.type, TypeDecorator) else String()
        right: ColumnElement[Any] = literal(value.plain, bound)
        if op not in ("==", "!="):
            return _compare(op, CodePointOrder(column), CodePointOrder(right))
        return _compare(op, column, right)
    if wildcard:
        raise _Problem(f"{where}: '*' wildcards only match strings, and '{name}' is {_article(kind)}")
    raw = value.plain
    if kind in (INTEGER, DECIMAL):
        return _compare(op, column, _number(raw, kind, where))
    if kind == BOOLEAN:
        if op not in ("==", "!="):
            raise _Problem(f"field '{name}' is a boolean: only == and != apply, not {op}")
        if raw.lower() not in ("true", "false"):
            raise _Problem(f"{where}: expected true or false, not '{raw}'")
        return _compare(op, column, literal(raw.lower() == "true", Boolean()))
    moment: dt.date
    try:
        moment = dt.datetime.fromisoformat(raw) if kind == DATETIME else dt.date.fromisoformat(raw)
    except ValueError:
        what = "an ISO 8601 date-time" if kind == DATETIME else "an ISO 8601 date (2015-07-16)"
        raise _Problem(f"{where}: expected {what}, not '{raw}'") from None
    assert kind in (DATETIME, DATE)
    return _compare(op, column, moment_literal(moment, column.type))


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _compare(op: str, left: Any, right: Any) -> ColumnElement[Any]:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "=gt=":
        return left > right
    if op == "=ge=":
        return left >= right
    if op == "=lt=":
        return left < right
    return left <= right


# --------------------------------------------------------------------------------------------------
# The parser
# --------------------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over ``text``; recursion only into parentheses, at most ``MAX_DEPTH``."""

    def __init__(self, text: str, fields: Fields) -> None:
        self.text = text
        self.fields = fields
        self.pos = 0

    def _at(self, char: str) -> bool:
        return self.pos < len(self.text) and self.text[self.pos] == char

    def _found(self) -> str:
        if self.pos >= len(self.text):
            return "the end of the text"
        return repr(self.text[self.pos])

    def parse(self) -> ColumnElement[Any]:
        condition = self._or(0)
        if self.pos < len(self.text):
            char = self.text[self.pos]
            hint = " (write \\( or \\) for a parenthesis in a value)" if char in "()" else ""
            raise _Problem(f"syntax error at position {self.pos}: unexpected {char!r}{hint}")
        return condition

    def _or(self, depth: int) -> ColumnElement[Any]:
        terms = [self._and(depth)]
        while self._at(","):
            self.pos += 1
            terms.append(self._and(depth))
        return terms[0] if len(terms) == 1 else or_(*terms)

    def _and(self, depth: int) -> ColumnElement[Any]:
        terms = [self._term(depth)]
        while self._at(";"):
            self.pos += 1
            terms.append(self._term(depth))
        return terms[0] if len(terms) == 1 else and_(*terms)

    def _term(self, depth: int) -> ColumnElement[Any]:
        if not self._at("("):
            return self._constraint()
        if depth >= MAX_DEPTH:
            raise _Problem(f"the filter nests parentheses more than {MAX_DEPTH} levels deep")
        opened = self.pos
        self.pos += 1
        inner = self._or(depth + 1)
        if not self._at(")"):
            raise _Problem(
                f"syntax error at position {self.pos}: expected ')' to close the '(' at position "
                f"{opened}, found {self._found()}"
            )
        self.pos += 1
        return inner.self_group()

    def _constraint(self) -> ColumnElement[Any]:
        matched = _NAME.match(self.text, self.pos)
        if matched is None:
            raise _Problem(
                f"syntax error at position {self.pos}: expected a field name, found {self._found()}"
            )
        name = matched.group()
        column = self.fields.get(name)
        if column is None:
            known = ", ".join(sorted(self.fields))
            raise _Problem(f"unknown field '{name}' at position {self.pos} (known: {known})")
        self.pos = matched.end()
        matched = _OPERATOR.match(self.text, self.pos)
        if matched is None:
            raise _Problem(
                f"syntax error at position {self.pos}: expected an operator ({' '.join(OPERATORS)}) "
                f"after '{name}', found {self._found()}"
            )
        op = matched.group().lower()
        if op not in OPERATORS:
            raise _Problem(
                f"unknown operator '{matched.group()}' at position {self.pos} (known: {' '.join(OPERATORS)})"
            )
        self.pos = matched.end()
        value = self._value()
        if isinstance(column, TypedField):  # its value says its type: the column follows from it
            try:
                column, first = column.typed(value.pieces[0])
            except ValueError as exc:
                raise _Problem(f"value at position {value.start} for field '{name}': {exc}") from None
            value = _Text([first, *value.pieces[1:]], value.start)
        return _constraint(name, column, op, value)

    def _value(self) -> _Text:
        start = self.pos
        pieces: list[str] = []
        current: list[str] = []
        text = self.text
        while self.pos < len(text) and text[self.pos] not in _STOP:
            char = text[self.pos]
            if char == "\\":
                if self.pos + 1 >= len(text):
                    raise _Problem(f"syntax error at position {self.pos}: a '\\' ends the text")
                current.append(text[self.pos + 1])
                self.pos += 2
                continue
            if char == "*":
                pieces.append("".join(current))
                current = []
            else:
                current.append(char)
            self.pos += 1
        if self.pos == start:
            raise _Problem(f"syntax error at position {start}: a value is missing, found {self._found()}")
        pieces.append("".join(current))
        return _Text(pieces, start)


# --------------------------------------------------------------------------------------------------
# The public function
# --------------------------------------------------------------------------------------------------


def where(text: str, fields: Fields) -> ColumnElement[bool]:
    """The SQL condition for the FIQL filter ``text`` over ``fields``.

    ``text`` is e.g. ``name==web*;numberOfCpus=ge=2`` (already URL-decoded); ``fields`` maps each wire
    attribute name to its SQL expression. The result goes into ``select(...).where(...)``; rows for
    which it is unknown (a NULL field) are left out.

    Raises ``Invalid("filter.invalid", message, text)`` when the text is not a string, empty, longer
    than ``MAX_TEXT``, holds a NUL, nests parentheses deeper than ``MAX_DEPTH``, has a syntax error
    (the message gives the 0-based position), names an unknown field or operator, or has a value
    its field cannot take (``count==abc``, ``isDeployed=gt=true``, ``count==1*``).
    """
    if not isinstance(text, str):
        raise Invalid("filter.invalid", "the filter must be text", str(text))
    if len(text) > MAX_TEXT:
        raise Invalid("filter.invalid", f"the filter is longer than {MAX_TEXT} characters", text)
    if "\x00" in text:
        raise Invalid("filter.invalid", "the filter contains a NUL character", text)
    if not text.strip():
        raise Invalid("filter.invalid", "the filter is empty", text)
    try:
        return _Parser(text, fields).parse()
    except _Problem as exc:
        raise Invalid("filter.invalid", f"invalid filter: {exc}", text) from None
    except RecursionError:
        raise Invalid("filter.invalid", "invalid filter: the expression nests too deeply", text) from None
    except Exception:  # a field map entry SQLAlchemy cannot compare, say
        raise Invalid("filter.invalid", "invalid filter: it cannot be understood", text) from None


def like(column: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    """SQL: ``column`` matches ``pattern`` in any case, where ``*`` stands for any run of
    characters and every other character for itself (a name filter's wildcard, outside a whole
    FIQL filter; the same on SQLite and PostgreSQL)."""
    escaped = pattern.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(escaped.replace("*", "%"), escape="\\")
