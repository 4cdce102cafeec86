"""OData query options (``$filter``, ``$orderby``) as SQLAlchemy Core expressions over a field map.

vRealize Automation 6.2 lists take OData 2 flavoured ``$filter`` and ``$orderby`` text. ``where`` and
``order_by`` parse it with the ``odata-query`` lexer and parser (extended here with the OData 2
words) and turn it into expressions the caller adds to its own ``select``, so a list runs as one
indexed database query. ``fields`` maps each wire field name, exactly as a filter writes it (``/``
included: ``principalId/domain``), to the SQL expression it stands for; the expression's SQLAlchemy
type (string, integer, decimal, boolean, date-time, date) decides what the field may be compared with.

The meaning is the same on SQLite and PostgreSQL:

- strings compare and match case-sensitively, character by character (code-point order for
  ``lt``/``le``/``gt``/``ge``); ``%`` and ``_`` in a needle are plain characters; ``tolower`` and
  ``toupper`` map the ASCII letters only (what SQLite's built-ins do);
- ``eq null`` and ``ne null`` are IS NULL and IS NOT NULL; every other comparison or function with a
  NULL operand is unknown, an unknown row is left out, and ``not`` of unknown stays unknown (SQL's
  three-valued logic);
- ``$orderby`` sorts strings by code point, and null before every value: first ascending, last
  descending.

Supported: ``eq ne gt ge lt le``, ``and or not`` (also ``not(...)``), parentheses; the functions
``substringof(needle, s)`` (OData 2), ``contains(s, needle)``, ``startswith``, ``endswith``, ``tolower``,
``toupper``, ``length``, ``indexof``, ``trim``, ``concat``; literals ``'text'`` (``''`` is a quote),
integers, decimals, ``true``/``false``, ``null``, ``datetime'2015-07-16T00:00:00'`` (OData 2) or a bare
ISO date-time or date, ``guid'...'`` (a string). A date-time literal compared with a string field
compares as its ISO text, as written; with a date-time column, as a moment (taken to UTC for a column
without a time zone). A quoted string compared with a date-time field (``dateCreated gt
'2015-07-16T00:00:00Z'``, as vRA's lists take it) is read as that ISO date-time, or refused. A field
that is a date on the wire and epoch seconds in the store is given as ``epoch_seconds(column)``.
``$orderby`` items may be any expression (``tolower(name) desc``). Not supported
(the text is refused): arithmetic, ``in``, ``any``/``all``, time, duration and geography literals.

Limits: decimals are double precision (an integer field above 2**53 compared with a decimal may
round); string equality relies on the columns' own collation being exact (the default on both
databases; ordering comparisons force code-point order themselves); wire names must be OData
identifiers joined by ``/`` or ``.``. A text longer than ``MAX_TEXT`` or nested deeper than
``MAX_DEPTH`` is refused, so a hostile filter cannot exhaust the stack.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from odata_query import ast
from odata_query.exceptions import ParsingException, TokenizingException
from odata_query.grammar import _DATE, _TIME, ODataLexer, ODataParser
from odata_query.visitor import NodeVisitor
from sly.lex import Token
from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    Integer,
    String,
    and_,
    func,
    literal,
    not_,
    null,
    or_,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnClause, ColumnElement, Grouping
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from localsphere.world.errors import Invalid

Fields = Mapping[str, ColumnElement[Any]]
"""Wire field name (may contain ``/``) -> the SQL expression it stands for."""

MAX_TEXT = 4096
"""The longest ``$filter`` or ``$orderby`` text accepted, in characters."""

MAX_DEPTH = 32
"""How deeply a filter may nest (a chain of the same ``and`` or ``or`` counts as one level)."""

_INT64 = 2**63

# What a value is, for type checks. Integers and decimals are both numbers.
STRING, INTEGER, DECIMAL, BOOLEAN, DATETIME, DATE, NULL = (
    "string",
    "integer",
    "decimal",
    "boolean",
    "date-time",
    "date",
    "null",
)
_NUMBERS = {INTEGER, DECIMAL}

# Functions and their number of arguments (names are matched without regard to case).
_ARITY = {
    "substringof": 2,
    "contains": 2,
    "startswith": 2,
    "endswith": 2,
    "tolower": 1,
    "toupper": 1,
    "length": 1,
    "indexof": 2,
    "trim": 1,
    "concat": 2,
}
_RESULTS = {
    "tolower": STRING,
    "toupper": STRING,
    "trim": STRING,
    "concat": STRING,
    "length": INTEGER,
    "indexof": INTEGER,
}
"""What a function returns when not a condition."""


class _Problem(Exception):
    """What is wrong with the text; the public functions turn it into ``Invalid``."""


# --------------------------------------------------------------------------------------------------
# Lexing and parsing: the library's grammar, with OData 2 literals and whole-word keywords
# --------------------------------------------------------------------------------------------------


class _Lexer(ODataLexer):
    """The library's lexer (a SLY lexer: a redefined rule keeps its place in the rule order) with:
    ``datetime'...'`` and ``guid'...'`` (OData 2), and ``true``/``false``/``null``/``any``/``all``
    only as whole words, so fields such as ``nullable`` or ``allocated`` lex as names."""

    tokens = ODataLexer.tokens

    @_(  # type: ignore[name-defined]  # noqa: F821 - ``_`` is given by SLY's class namespace
        r"datetime(?:offset)?'[^']*'",
        _DATE + r"T" + _TIME + r"?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?",
    )
    def DATETIME(self, t: Token) -> Token:
        if t.value.endswith("'"):
            t.value = ast.DateTime(t.value[t.value.index("'") + 1 : -1])
        else:
            t.value = ast.DateTime(t.value)
        return t

    @_(  # type: ignore[name-defined]  # noqa: F821
        r"guid'[^']*'",
        r"[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}",
    )
    def GUID(self, t: Token) -> Token:
        t.type = "STRING"
        t.value = ast.String(t.value[5:-1] if t.value.endswith("'") else t.value)
        return t

    @_(r"(?:true|false)(?!\w)")  # type: ignore[name-defined]  # noqa: F821
    def BOOLEAN(self, t: Token) -> Token:
        t.value = ast.Boolean(t.value.lower())
        return t

    @_(r"null(?!\w)")  # type: ignore[name-defined]  # noqa: F821
    def NULL(self, t: Token) -> Token:
        t.value = ast.Null()
        return t

    @_(r"any(?!\w)")  # type: ignore[name-defined]  # noqa: F821
    def ANY(self, t: Token) -> Token:
        t.value = ast.Any()
        return t

    @_(r"all(?!\w)")  # type: ignore[name-defined]  # noqa: F821
    def ALL(self, t: Token) -> Token:
        t.value = ast.All()
        return t


def _function_call(function: ast.Identifier, args: list[ast._Node]) -> ast._Node:
    """Replaces the parser's own check (which knows only OData 4 functions): ours, with
    ``substringof`` and ``not(...)``, and errors that name the function."""
    name = function.full_name()
    lowered = name.lower()
    if not function.namespace and lowered == "not" and len(args) == 1:
        return ast.UnaryOp(ast.Not(), args[0])
    arity = None if function.namespace else _ARITY.get(lowered)
    if arity is None:
        raise _Problem(f"unknown function '{name}' (known: {', '.join(sorted(_ARITY))})")
    if len(args) != arity:
        raise _Problem(
            f"function '{name}' takes {arity} argument{'s' if arity > 1 else ''}, {len(args)} given"
        )
    return ast.Call(ast.Identifier(lowered), args)


def _unexpected(text: str, index: int, offset: int) -> _Problem:
    """The error for a character the lexer cannot read at ``text[index]``."""
    if text[index] == "'":
        return _Problem(f"syntax error at position {offset + index}: a string is not closed")
    return _Problem(f"syntax error at position {offset + index}: unexpected {text[index]!r}")


def _parse(text: str, offset: int) -> ast._Node:
    """The AST of ``text`` (not blank, no surrounding blanks); error positions are ``offset`` + the
    0-based index in ``text``."""
    parser = ODataParser()
    parser._function_call = _function_call  # the grammar's rules call it on the instance
    try:
        node = parser.parse(_Lexer().tokenize(text))
    except TokenizingException as exc:
        raise _unexpected(text, exc.token.index, offset) from None
    except ParsingException as exc:
        if exc.eof or exc.token is None:
            raise _Problem("syntax error: the text ends before the expression is complete") from None
        index = exc.token.index
        while index < len(text) and text[index].isspace():
            index += 1
        near = text[index : index + 20]
        raise _Problem(f"syntax error at position {offset + index} near {near!r}") from None
    if node is None:
        raise _Problem("syntax error: nothing to parse")
    return node


def _check_depth(root: ast._Node) -> None:
    """Refuses trees nested deeper than ``MAX_DEPTH`` (walked without recursion), so that
    translating and compiling them cannot exhaust the stack."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _Problem(f"the expression nests more than {MAX_DEPTH} levels deep")
        if isinstance(node, ast.Attribute):
            continue  # a field path, read without recursion
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            children = value if isinstance(value, list) else [value]
            for child in children:
                if not isinstance(child, ast._Node):
                    continue
                chained = (
                    isinstance(node, ast.BoolOp)
                    and isinstance(child, ast.BoolOp)
                    and type(child.op) is type(node.op)
                )
                stack.append((child, depth if chained else depth + 1))


# --------------------------------------------------------------------------------------------------
# SQL pieces whose spelling differs between SQLite and PostgreSQL
# --------------------------------------------------------------------------------------------------


class _Position(FunctionElement[int]):
    """1-based character position of the first ``needle`` in ``haystack``, 0 when absent; exact
    (case-sensitive, no wildcards)."""

    name = "ls_position"
    inherit_cache = True
    type = Integer()


@compiles(_Position)
def _position(element: _Position, compiler: SQLCompiler, **kw: Any) -> str:
    haystack, needle = (compiler.process(c, **kw) for c in element.clauses)
    return f"instr({haystack}, {needle})"


@compiles(_Position, "postgresql")
def _position_pg(element: _Position, compiler: SQLCompiler, **kw: Any) -> str:
    haystack, needle = (compiler.process(c, **kw) for c in element.clauses)
    return f"strpos({haystack}, {needle})"


class _AsciiLower(FunctionElement[str]):
    """``lower`` of the ASCII letters only (SQLite's built-in; PostgreSQL's under collation "C")."""

    name = "ls_ascii_lower"
    inherit_cache = True
    type = String()


class _AsciiUpper(FunctionElement[str]):
    """``upper`` of the ASCII letters only."""

    name = "ls_ascii_upper"
    inherit_cache = True
    type = String()


@compiles(_AsciiLower)
def _lower(element: _AsciiLower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(_AsciiLower, "postgresql")
def _lower_pg(element: _AsciiLower, compiler: SQLCompiler, **kw: Any) -> str:
    return f'lower(({compiler.process(element.clauses, **kw)}) COLLATE "C")'


@compiles(_AsciiUpper)
def _upper(element: _AsciiUpper, compiler: SQLCompiler, **kw: Any) -> str:
    return f"upper({compiler.process(element.clauses, **kw)})"


@compiles(_AsciiUpper, "postgresql")
def _upper_pg(element: _AsciiUpper, compiler: SQLCompiler, **kw: Any) -> str:
    return f'upper(({compiler.process(element.clauses, **kw)}) COLLATE "C")'


class CodePointOrder(FunctionElement[str]):
    """A string expression that orders and compares by code point: ``COLLATE BINARY`` on SQLite,
    ``COLLATE "C"`` on PostgreSQL (its default collation follows the locale)."""

    name = "ls_code_point_order"
    inherit_cache = True
    type = String()


@compiles(CodePointOrder)
def _code_point(element: CodePointOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(CodePointOrder, "sqlite")
def _code_point_sqlite(element: CodePointOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)}) COLLATE BINARY"


@compiles(CodePointOrder, "postgresql")
def _code_point_pg(element: CodePointOrder, compiler: SQLCompiler, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


class _PrefixRange(FunctionElement[bool]):
    """The strings of ``column`` that begin with ``low``, said the way each database's index can
    read: on SQLite ``low <= column < high`` (``high``: ``low``'s ``_following``), as its
    default BINARY collation compares UTF-8 bytes, which is code-point order; on PostgreSQL,
    whose default collation follows the locale, ``column LIKE pattern`` (``low`` escaped, then
    ``%``), which an index with ``varchar_pattern_ops`` serves. The exact test beside it decides;
    this only lets an index find the candidates."""

    name = "ls_prefix_range"
    inherit_cache = True
    type = sqltypes.NullType()  # not Boolean: SQLite would compare it with 1, hiding the range


@compiles(_PrefixRange)
def _prefix_range(element: _PrefixRange, compiler: SQLCompiler, **kw: Any) -> str:
    column, low, high, _pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} >= {low} AND {column} < {high})"


@compiles(_PrefixRange, "postgresql")
def _prefix_range_pg(element: _PrefixRange, compiler: SQLCompiler, **kw: Any) -> str:
    column, _low, _high, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"({column} LIKE {pattern} ESCAPE '\\')"


def _following(prefix: str) -> str | None:
    """The least string above every string that begins with ``prefix``, in code-point order (its
    last character that can grow, grown, the rest cut), or None when there is none."""
    chars = list(prefix)
    while chars:
        last = ord(chars.pop())
        if last < 0x10FFFF and not 0xD7FF <= last < 0xDFFF:  # never step into the surrogates
            return "".join(chars) + chr(last + 1)
    return None


# --------------------------------------------------------------------------------------------------
# Translation: AST -> typed SQL values
# --------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Value:
    """A translated operand: its kind (``STRING``...), its SQL, and how to name it in errors.
    Date-time and date literals also keep their moment and ISO text until they meet the other
    operand (a string field compares with the text, a date-time column with the moment)."""

    kind: str
    sql: ColumnElement[Any]
    label: str
    moment: dt.date | None = None
    text: str | None = None

    def describe(self) -> str:
        return f"{self.label} ({self.kind})"


class EpochSeconds(TypeDecorator[float]):
    """A date-time the world stores as epoch seconds (a float, UTC): filters compare it with
    date-time values, as if it were a ``DATETIME`` column (``type_coerce(column, EpochSeconds())``)."""

    impl = Float
    cache_ok = True


def kind_of(expression: ColumnElement[Any]) -> str | None:
    """What a field's SQL expression holds, by its SQLAlchemy type: ``STRING``, ``INTEGER``,
    ``DECIMAL``, ``BOOLEAN``, ``DATETIME`` or ``DATE``; None for a type no filter compares (also
    used by ``fiql``)."""
    type_: TypeEngine[Any] = expression.type
    if isinstance(type_, EpochSeconds):
        return DATETIME
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, sqltypes.Boolean):
        return BOOLEAN
    if isinstance(type_, sqltypes.Integer):
        return INTEGER
    if isinstance(type_, (sqltypes.Numeric, sqltypes.Float)):  # not related in SQLAlchemy 2.1
        return DECIMAL
    if isinstance(type_, sqltypes.DateTime):
        return DATETIME
    if isinstance(type_, sqltypes.Date):
        return DATE
    if isinstance(type_, sqltypes.String):
        return STRING
    return None


def _moment(value: _Value, type_: TypeEngine[Any]) -> ColumnElement[Any]:
    return moment_literal(value.moment, type_)


def moment_literal(moment: Any, type_: TypeEngine[Any]) -> ColumnElement[Any]:
    """A date-time or date bound as the column's type: for a column without a time zone, a
    moment with one is taken to UTC; for a column with one, a moment without one is UTC (also
    used by ``fiql``)."""
    if isinstance(type_, EpochSeconds):
        if not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return literal(moment.timestamp(), Float())
    impl = type_.impl_instance if isinstance(type_, TypeDecorator) else type_
    if isinstance(moment, dt.datetime) and isinstance(impl, sqltypes.DateTime):
        if impl.timezone and moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        elif not impl.timezone and moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return literal(moment, type_)


def _as_moment(value: _Value, other: _Value) -> _Value:
    """A string literal met by a date-time or date field, read as the ISO date-time or date it
    must be (vRA's lists take ``dateCreated gt '2015-07-16T00:00:00Z'`` as well as the
    ``datetime'...'`` literal); any other value as it is."""
    if value.kind != STRING or value.text is None or other.kind not in (DATETIME, DATE) or other.moment:
        return value
    try:
        moment: dt.date = dt.datetime.fromisoformat(value.text)
    except ValueError:
        raise _Problem(
            f"cannot compare {other.describe()} with {value.describe()}: not an ISO date-time"
        ) from None
    return _Value(other.kind, value.sql, value.label, moment, value.text)


def epoch_seconds(column: Any) -> ColumnElement[Any]:
    """A field that is a date-time on the wire and epoch seconds in the store (a float, UTC):
    filters compare it with date-time literals and ISO strings as a moment."""
    return type_coerce(column, EpochSeconds())


def _grouped(value: _Value) -> _Value:
    """``value`` in parentheses when it is a condition used as an operand: SQLAlchemy writes
    ``NOT x IS NULL``, which PostgreSQL reads as ``NOT (x IS NULL)``."""
    if value.kind != BOOLEAN or isinstance(value.sql, (ColumnClause, BindParameter)):
        return value
    return dataclasses.replace(value, sql=Grouping(value.sql))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_COMPARATORS: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Eq: ("eq", operator.eq),
    ast.NotEq: ("ne", operator.ne),
    ast.Lt: ("lt", operator.lt),
    ast.LtE: ("le", operator.le),
    ast.Gt: ("gt", operator.gt),
    ast.GtE: ("ge", operator.ge),
}


class _Translator(NodeVisitor):
    """Visits the library's AST (``visit_<Node>`` and ``func_<name>``, as the library's own
    SQLAlchemy visitor does) and returns ``_Value``s; anything it has no method for is refused."""

    def __init__(self, fields: Fields) -> None:
        self.fields = fields

    def generic_visit(self, node: ast._Node) -> _Value:
        raise _Problem(f"{type(node).__name__.lower()} is not supported")

    # Fields ---------------------------------------------------------------------------------------

    def _field(self, name: str) -> _Value:
        expression = self.fields.get(name)
        if expression is None:
            known = ", ".join(sorted(self.fields))
            raise _Problem(f"unknown field '{name}' (known: {known})")
        kind = kind_of(expression)
        if kind is None:
            raise _Problem(f"field '{name}' cannot be used in a query")
        return _Value(kind, expression, f"field '{name}'")

    def visit_Identifier(self, node: ast.Identifier) -> _Value:
        return self._field(node.full_name())

    def visit_Attribute(self, node: ast.Attribute) -> _Value:
        parts: list[str] = []
        current: ast._Node = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.owner
        if not isinstance(current, ast.Identifier):
            raise _Problem("a field path must start with a field name")
        parts.append(current.full_name())
        return self._field("/".join(reversed(parts)))

    # Literals -------------------------------------------------------------------------------------

    def visit_String(self, node: ast.String) -> _Value:
        return _Value(STRING, literal(node.val, String()), _quote(node.val), text=node.val)

    def visit_Integer(self, node: ast.Integer) -> _Value:
        value = int(node.val)
        if not -_INT64 <= value < _INT64:
            raise _Problem(f"integer {node.val} is out of range (64-bit)")
        return _Value(INTEGER, literal(value, BigInteger()), str(value))

    def visit_Float(self, node: ast.Float) -> _Value:
        value = float(node.val)
        if not math.isfinite(value):
            raise _Problem(f"decimal {node.val} is out of range")
        return _Value(DECIMAL, literal(value, Float()), node.val)

    def visit_Boolean(self, node: ast.Boolean) -> _Value:
        return _Value(BOOLEAN, literal(node.py_val, Boolean()), node.val.lower())

    def visit_Null(self, node: ast.Null) -> _Value:
        return _Value(NULL, null(), "null")

    def visit_DateTime(self, node: ast.DateTime) -> _Value:
        try:
            moment = dt.datetime.fromisoformat(node.val)
        except ValueError:
            raise _Problem(f"invalid date-time '{node.val}'") from None
        return _Value(DATETIME, literal(node.val, String()), f"datetime'{node.val}'", moment, node.val)

    def visit_Date(self, node: ast.Date) -> _Value:
        try:
            moment = dt.date.fromisoformat(node.val)
        except ValueError:
            raise _Problem(f"invalid date '{node.val}'") from None
        return _Value(DATE, literal(node.val, String()), node.val, moment, node.val)

    def visit_Time(self, node: ast.Time) -> _Value:
        raise _Problem(f"time literals ({node.val}) are not supported")

    def visit_Duration(self, node: ast.Duration) -> _Value:
        raise _Problem("duration literals are not supported")

    def visit_Geography(self, node: ast.Geography) -> _Value:
        raise _Problem("geography literals are not supported")

    def visit_List(self, node: ast.List) -> _Value:
        raise _Problem("lists are not supported")

    # Operators ------------------------------------------------------------------------------------

    def visit_BinOp(self, node: ast.BinOp) -> _Value:
        raise _Problem(f"arithmetic ({type(node.op).__name__.lower()}) is not supported")

    def visit_CollectionLambda(self, node: ast.CollectionLambda) -> _Value:
        raise _Problem("the lambda operators any and all are not supported")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> _Value:
        if isinstance(node.op, ast.Not):
            operand = self.visit(node.operand)
            if operand.kind != BOOLEAN:
                raise _Problem(f"not needs a condition, not {operand.describe()}")
            return _Value(BOOLEAN, not_(operand.sql), f"not {operand.label}")
        if isinstance(node.operand, ast.Integer):
            return self.visit(ast.Integer(str(-int(node.operand.val))))
        if isinstance(node.operand, ast.Float):
            return self.visit(ast.Float(str(-float(node.operand.val))))
        raise _Problem("arithmetic (negation) is not supported")

    def visit_BoolOp(self, node: ast.BoolOp) -> _Value:
        word = "and" if isinstance(node.op, ast.And) else "or"
        operands: list[ast._Node] = []
        stack: list[ast._Node] = [node]
        while stack:  # a chain of the same operator, flattened without recursion
            current = stack.pop()
            if isinstance(current, ast.BoolOp) and type(current.op) is type(node.op):
                stack += [current.right, current.left]
            else:
                operands.append(current)
        values = [self.visit(operand) for operand in operands]
        for value in values:
            if value.kind != BOOLEAN:
                raise _Problem(f"{word} needs conditions, not {value.describe()}")
        combine = and_ if word == "and" else or_
        return _Value(BOOLEAN, combine(*(value.sql for value in values)), f"({word} ...)")

    def visit_Compare(self, node: ast.Compare) -> _Value:
        if type(node.comparator) not in _COMPARATORS:
            raise _Problem(f"the operator {type(node.comparator).__name__.lower()} is not supported")
        word, compare = _COMPARATORS[type(node.comparator)]
        left, right = _grouped(self.visit(node.left)), _grouped(self.visit(node.right))
        label = f"({left.label} {word} {right.label})"
        if NULL in (left.kind, right.kind):
            if word not in ("eq", "ne"):
                raise _Problem(f"null can only be compared with eq or ne, not {word}")
            if left.kind == right.kind:
                return _Value(BOOLEAN, literal(word == "eq", Boolean()), label)
            other = right if left.kind == NULL else left
            return _Value(BOOLEAN, other.sql.is_(None) if word == "eq" else other.sql.is_not(None), label)
        family, left_sql, right_sql = self._align(left, right, word)
        if family == BOOLEAN and word not in ("eq", "ne"):
            raise _Problem(f"conditions and booleans can only be compared with eq or ne, not {word}")
        if family == STRING and word not in ("eq", "ne"):
            left_sql, right_sql = CodePointOrder(left_sql), CodePointOrder(right_sql)
        return _Value(BOOLEAN, compare(left_sql, right_sql), label)

    def _align(self, left: _Value, right: _Value, word: str) -> tuple[str, Any, Any]:
        """The family both operands compare in, and their SQL bound for it; a type error otherwise."""
        if left.kind in _NUMBERS and right.kind in _NUMBERS:
            return DECIMAL, left.sql, right.sql
        left, right = _as_moment(left, right), _as_moment(right, left)
        given_left, given_right = left.moment is not None, right.moment is not None
        if (
            (left.kind == STRING and given_right)
            or (right.kind == STRING and given_left)
            or (given_left and given_right and left.kind == right.kind)
        ):
            return STRING, left.sql, right.sql  # a date-time literal as its ISO text, as written
        if left.kind == right.kind:
            if given_left and not given_right:
                return left.kind, _moment(left, right.sql.type), right.sql
            if given_right and not given_left:
                return left.kind, left.sql, _moment(right, left.sql.type)
            return left.kind, left.sql, right.sql
        raise _Problem(f"cannot compare {left.describe()} with {right.describe()} using {word}")

    # Functions ------------------------------------------------------------------------------------

    def visit_NamedParam(self, node: ast.NamedParam) -> _Value:
        raise _Problem("named function parameters are not supported")

    def visit_Call(self, node: ast.Call) -> _Value:
        name = node.func.name
        values = [self.visit(arg) for arg in node.args]
        for value in values:
            if value.kind != STRING:
                raise _Problem(f"function '{name}' takes strings, not {value.describe()}")
        method: Callable[..., ColumnElement[Any]] = getattr(self, f"func_{name}")
        sql = method(*(value.sql for value in values))
        return _Value(
            _RESULTS.get(name, BOOLEAN), sql, f"{name}({', '.join(value.label for value in values)})"
        )

    def func_contains(self, haystack: Any, needle: Any) -> ColumnElement[bool]:
        return _Position(haystack, needle) > 0

    def func_substringof(self, needle: Any, haystack: Any) -> ColumnElement[bool]:
        return self.func_contains(haystack, needle)

    def func_startswith(self, text: Any, prefix: Any) -> ColumnElement[bool]:
        exact = func.substr(text, 1, func.length(prefix)) == prefix
        column = text.__clause_element__() if hasattr(text, "__clause_element__") else text
        value = prefix.value if isinstance(prefix, BindParameter) else None
        if isinstance(column, ColumnClause) and isinstance(value, str) and value:
            following = _following(value)
            if following is not None:
                pattern = re.sub(r"([\\%_])", r"\\\1", value) + "%"
                hint = _PrefixRange(column, literal(value), literal(following), literal(pattern))
                return and_(hint, exact)
        return exact

    def func_endswith(self, text: Any, suffix: Any) -> ColumnElement[bool]:
        # A start at or before the first character yields at most len(text) < len(suffix)
        # characters on both databases, so a longer suffix never matches.
        return func.substr(text, func.length(text) - func.length(suffix) + 1) == suffix

    def func_tolower(self, text: Any) -> ColumnElement[str]:
        return _AsciiLower(text)

    def func_toupper(self, text: Any) -> ColumnElement[str]:
        return _AsciiUpper(text)

    def func_length(self, text: Any) -> ColumnElement[int]:
        return func.length(text, type_=Integer())

    def func_indexof(self, text: Any, needle: Any) -> ColumnElement[int]:
        return _Position(text, needle) - 1

    def func_trim(self, text: Any) -> ColumnElement[str]:
        return func.trim(text, type_=String())

    def func_concat(self, first: Any, second: Any) -> ColumnElement[str]:
        return first.concat(second)


# --------------------------------------------------------------------------------------------------
# The public functions
# --------------------------------------------------------------------------------------------------


def _translate(text: str, offset: int, fields: Fields) -> _Value:
    node = _parse(text, offset)
    _check_depth(node)
    return _Translator(fields).visit(node)


def _guarded(reason: str, what: str, text: str, work: Callable[[], Any]) -> Any:
    """Runs ``work``; whatever goes wrong becomes ``Invalid(reason, message, text)``."""
    if not isinstance(text, str):
        raise Invalid(reason, f"{what} must be text", str(text))
    if len(text) > MAX_TEXT:
        raise Invalid(reason, f"{what} is longer than {MAX_TEXT} characters", text)
    if "\x00" in text:
        raise Invalid(reason, f"{what} contains a NUL character", text)
    if not text.strip():
        raise Invalid(reason, f"{what} is empty", text)
    try:
        return work()
    except Invalid:
        raise
    except _Problem as exc:
        raise Invalid(reason, f"invalid {what}: {exc}", text) from None
    except RecursionError:
        raise Invalid(reason, f"invalid {what}: the expression nests too deeply", text) from None
    except Exception:  # anything else the library raises
        raise Invalid(reason, f"invalid {what}: it cannot be understood", text) from None


def where(text: str, fields: Fields) -> ColumnElement[bool]:
    """The SQL condition for the OData ``$filter`` ``text``, over ``fields``.

    ``text`` is e.g. ``substringof('web', name) and principalId/domain eq 'vsphere.local'``;
    ``fields`` maps each wire field name (``/`` included) to its SQL expression. The result goes
    into ``select(...).where(...)``; rows for which it is unknown (NULL) are left out.

    Raises ``Invalid("filter.invalid", message, text)`` when the text is empty, longer than
    ``MAX_TEXT``, nested deeper than ``MAX_DEPTH``, has a syntax error (the message gives the
    0-based position), names an unknown field or function, calls a function with the wrong number
    or types of arguments, compares values of different types (a string field with a number), or
    is not a condition (``name`` alone, when ``name`` is a string).
    """

    def work() -> ColumnElement[bool]:
        start = len(text) - len(text.lstrip())
        value = _translate(text.strip(), start, fields)
        if value.kind != BOOLEAN:
            raise _Problem(f"the filter must be a condition, not {value.describe()}")
        return value.sql

    return _guarded("filter.invalid", "$filter", text, work)


_DIRECTION = re.compile(r"(.*?)\s+(asc|desc)", re.IGNORECASE | re.DOTALL)


def _order_items(text: str) -> list[tuple[int, str]]:
    """``text`` cut at its top-level commas: (0-based start, item text) pairs."""
    items, start, depth = [], 0, 0
    try:
        for token in _Lexer().tokenize(text):
            if token.type == "(":
                depth += 1
            elif token.type == ")":
                depth -= 1
            elif token.type == "," and depth == 0:
                items.append((start, text[start : token.index]))
                start = token.index + 1
    except TokenizingException as exc:
        raise _unexpected(text, exc.token.index, 0) from None
    items.append((start, text[start:]))
    return items


def order_by(text: str, fields: Fields) -> list[ColumnElement[Any]]:
    """The ``ORDER BY`` terms for the OData ``$orderby`` ``text``, over ``fields``.

    ``text`` is a comma-separated list of fields (or expressions such as ``tolower(name)``), each
    optionally followed by ``asc`` (the default) or ``desc``: ``name``, ``name desc``,
    ``name asc, id desc``. Strings sort by code point; null sorts first ascending and last
    descending. Pass the result to ``select(...).order_by(*terms)``; add a unique key last for a
    stable order.

    Raises ``Invalid("orderby.invalid", message, text)`` when the text is empty, longer than
    ``MAX_TEXT``, has an empty item or a syntax error, or names an unknown field or function.
    """

    def work() -> list[ColumnElement[Any]]:
        terms: list[ColumnElement[Any]] = []
        for start, item in _order_items(text):
            stripped = item.strip()
            offset = start + len(item) - len(item.lstrip())
            if not stripped:
                raise _Problem(f"empty item at position {offset}")
            descending = False
            matched = _DIRECTION.fullmatch(stripped)
            if matched:
                stripped = matched.group(1)
                descending = matched.group(2).lower() == "desc"
            value = _translate(stripped, offset, fields)
            if value.kind == NULL:
                raise _Problem("cannot order by null")
            key = CodePointOrder(value.sql) if value.kind == STRING else value.sql
            terms.append(key.desc().nulls_last() if descending else key.asc().nulls_first())
        return terms

    return _guarded("orderby.invalid", "$orderby", text, work)
