"""OData $filter / $orderby text as SQL: examples, errors, and properties against a Python reference.

Every database test runs on SQLite (in memory) and on PostgreSQL (a throw-away database from the
``new_database`` fixture: skipped when unreachable unless LOCALSPHERE_TEST_REQUIRE_PG=1).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from filter_probe import Probe
from localsphere.world.errors import Invalid
from localsphere.world.odata import MAX_DEPTH, MAX_TEXT, order_by, where

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

METADATA = sa.MetaData()
THINGS = sa.Table(
    f"odata_probe_{secrets.token_hex(4)}",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(64), nullable=True),
    sa.Column("code", sa.Text, nullable=True),
    sa.Column("domain", sa.String(64), nullable=True),
    sa.Column("count", sa.BigInteger, nullable=True),
    sa.Column("ratio", sa.Float, nullable=True),
    sa.Column("enabled", sa.Boolean, nullable=True),
    sa.Column("created", sa.String(32), nullable=True),  # ISO text
    sa.Column("stamp", sa.DateTime, nullable=True),
    sa.Column("blob", sa.LargeBinary, nullable=True),
)
C = THINGS.c
FIELDS = {
    "id": C.id,
    "name": C.name,
    "code": C.code,
    "principalId/domain": C.domain,
    "count": C.count,
    "ratio": C.ratio,
    "enabled": C.enabled,
    "created": C.created,
    "stamp": C.stamp,
}
COLUMN = {"principalId/domain": "domain"}  # wire name -> column, where they differ
PROBE = Probe(THINGS)
load = PROBE.load


@pytest.fixture(scope="module")
def engine(new_database: Callable[[], str | None]) -> Iterator[sa.Engine]:
    yield from PROBE.engine(new_database)


def matching(engine: sa.Engine, text: str) -> list[int]:
    return PROBE.matching(engine, where(text, FIELDS))


def ordered(engine: sa.Engine, text: str) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(sa.select(C.id).order_by(*order_by(text, FIELDS))))


# --------------------------------------------------------------------------------------------------
# Examples
# --------------------------------------------------------------------------------------------------

ROWS = [
    dict(id=1, name="Web-01", code="a%b", domain="vsphere.local", count=5, ratio=1.5, enabled=True),
    dict(id=2, name="web-02", code="a_b", domain="ldap.example", count=10, ratio=-2.0, enabled=False),
    dict(id=3, name="O'Brien", code="x", domain="vsphere.local", count=None, ratio=None, enabled=None),
    dict(id=4, name=None, code="ÉCOLE", domain=None, count=0, ratio=0.0, enabled=True),
    dict(id=5, name="Ärger", code="école", domain="vsphere.local", count=-3, ratio=2.25, enabled=False),
    dict(id=6, name="WEB-03", code="100%", domain="Vsphere.Local", count=7, ratio=7.0, enabled=True),
    dict(id=7, name="b", code="", domain="x", count=2**40, ratio=1e-3, enabled=None),
]
for row, created in zip(
    ROWS, ["2015-07-15T10:00:00", "2015-07-16T00:00:00", "2015-07-17T08:30:00"], strict=False
):
    row["created"] = created
    row["stamp"] = dt.datetime.fromisoformat(created)

EXAMPLES = [
    # comparisons, case-sensitive
    ("name eq 'web-02'", [2]),
    ("name eq 'WEB-02'", []),
    ("name ne 'web-02'", [1, 3, 5, 6, 7]),  # NULL name: unknown, left out
    ("name gt 'a'", [2, 5, 7]),  # code points: 'W' < 'a' < 'w' < 'Ä'
    ("name lt 'a'", [1, 3, 6]),
    ("name ge 'web-02'", [2, 5]),
    ("name le 'O''Brien'", [3]),
    ("count gt 5", [2, 6, 7]),
    ("count ge 5 and count le 10", [1, 2, 6]),
    ("count lt 0", [5]),
    ("count eq 1099511627776", [7]),
    ("count gt -5", [1, 2, 4, 5, 6, 7]),
    ("count gt 4.5", [1, 2, 6, 7]),
    ("ratio le 0", [2, 4]),
    ("ratio eq 1.5", [1]),
    ("ratio lt 1.0e-2", [2, 4, 7]),
    ("ratio gt count", [5]),
    ("id le 2", [1, 2]),
    # booleans
    ("enabled", [1, 4, 6]),
    ("enabled eq true", [1, 4, 6]),
    ("enabled eq false", [2, 5]),
    ("enabled ne true", [2, 5]),
    ("not enabled", [2, 5]),
    ("not(enabled)", [2, 5]),
    ("true", [1, 2, 3, 4, 5, 6, 7]),
    ("false", []),
    ("(count gt 5) eq enabled", [5, 6]),
    (
        "(not enabled) eq null",
        [3, 7],
    ),  # not '(NOT enabled IS NULL)', which PostgreSQL reads as NOT (... IS NULL)
    ("not enabled eq null", [3, 7]),  # not binds tighter than eq
    ("(not enabled) eq false", [1, 4, 6]),
    # null
    ("name eq null", [4]),
    ("null eq name", [4]),
    ("enabled eq null", [3, 7]),
    ("enabled ne null", [1, 2, 4, 5, 6]),
    ("count ne null and ratio eq null", []),
    ("tolower(name) eq null", [4]),
    ("null eq null", [1, 2, 3, 4, 5, 6, 7]),
    ("null ne null", []),
    # three-valued logic: not of unknown stays unknown
    ("not (count gt 5)", [1, 4, 5]),
    ("not (enabled eq true)", [2, 5]),
    ("enabled or count gt 5", [1, 2, 4, 6, 7]),
    ("not (enabled or count gt 5)", [5]),
    ("enabled and count gt 5", [6]),
    ("not (enabled and count gt 5)", [1, 2, 4, 5]),
    # precedence and parentheses
    ("count eq 5 or count eq 10 and enabled", [1]),
    ("(count eq 5 or count eq 10) and enabled", [1]),
    ("(count eq 5 or count eq 10) and not enabled", [2]),
    ("((((name eq 'b'))))", [7]),
    # OData 2 and 4 string functions: case-sensitive, wildcards literal
    ("substringof('eb', name)", [1, 2]),
    ("substringof('EB', name)", [6]),
    ("substringof('%', code)", [1, 6]),
    ("substringof('_', code)", [2]),
    ("substringof('', code)", [1, 2, 3, 4, 5, 6, 7]),
    ("substringof('''', name)", [3]),
    ("substringof('eb', name) eq true", [1, 2]),
    ("substringof('eb', name) eq false", [3, 5, 6, 7]),
    ("not substringof('eb', name)", [3, 5, 6, 7]),
    ("contains(code, '%b')", [1]),
    ("contains(code, 'a%')", [1]),
    ("contains(code, 'ÉCO')", [4]),
    ("contains(code, 'éco')", [5]),
    ("startswith(name, 'Web')", [1]),
    ("startswith(name, 'web')", [2]),
    ("startswith(name, 'W')", [1, 6]),
    ("startswith(name, '')", [1, 2, 3, 5, 6, 7]),
    ("startswith(name, 'Web-01-and-more')", []),
    ("startswith(code, 'a_')", [2]),
    ("endswith(name, '02')", [2]),
    ("endswith(code, '%')", [6]),
    ("endswith(code, '')", [1, 2, 3, 4, 5, 6, 7]),
    ("endswith(name, 'xWeb-01')", []),
    ("endswith(name, 'b')", [7]),
    ("tolower(name) eq 'web-03'", [6]),
    ("toupper(name) eq 'WEB-01'", [1]),
    ("startswith(tolower(name), 'web')", [1, 2, 6]),
    ("tolower(code) eq 'École'", [4]),  # ASCII letters only, on both databases
    ("toupper(code) eq 'éCOLE'", [5]),
    ("length(name) eq 6", [1, 2, 6]),
    ("length(code) eq 0", [7]),
    ("length(name) eq 5", [5]),  # characters, not bytes
    ("indexof(name, '-') eq 3", [1, 2, 6]),
    ("indexof(name, 'zzz') eq -1", [1, 2, 3, 5, 6, 7]),
    ("indexof(name, 'W') eq 0", [1, 6]),
    ("trim(concat(' ', name)) eq 'b'", [7]),
    ("concat(name, code) eq 'bx'", []),
    ("concat(name, code) eq 'Web-01a%b'", [1]),
    ("concat(name, 'z') eq 'bz'", [7]),
    ("SubstringOf('eb', name)", [1, 2]),  # function names regardless of case
    # paths and quoting
    ("principalId/domain eq 'vsphere.local'", [1, 3, 5]),
    ("tolower(principalId/domain) eq 'vsphere.local'", [1, 3, 5, 6]),
    ("name eq 'O''Brien'", [3]),
    ("name eq 'Ärger'", [5]),
    ("  name eq 'b'  ", [7]),
    ("name EQ 'b'", [7]),
    # date-times: as ISO text against a string field, as a moment against a DateTime column
    ("created gt datetime'2015-07-16T00:00:00'", [3]),
    ("created ge datetime'2015-07-16T00:00:00'", [2, 3]),
    ("created lt 2015-07-16T00:00:00", [1]),
    ("created eq null", [4, 5, 6, 7]),
    ("stamp gt datetime'2015-07-16T00:00:00'", [3]),
    ("stamp le datetime'2015-07-16T00:00:00'", [1, 2]),
    ("stamp ne 2015-07-16T00:00:00", [1, 3]),
    ("stamp eq datetime'2015-07-16T02:00:00+02:00'", [2]),  # to UTC for a column without a zone
    ("stamp eq 2015-07-16T00:00:00Z", [2]),
    ("created eq 2015-07-16T00:00:00Z", []),  # text as written
    ("datetime'2015-07-16T00:00:00' lt datetime'2015-07-17T00:00:00'", [1, 2, 3, 4, 5, 6, 7]),
    ("created lt 2015-07-16", [1]),
    # guid'...' is a string
    ("name ne guid'0f8fad5b-d9cb-469f-a165-70867728950e'", [1, 2, 3, 5, 6, 7]),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES, ids=[text for text, _ in EXAMPLES])
def test_filter_examples(engine: sa.Engine, text: str, expected: list[int]) -> None:
    load(engine, ROWS)
    assert matching(engine, text) == expected


ORDER_EXAMPLES = [
    ("name", [4, 3, 6, 1, 7, 2, 5]),  # null first, then code points: 'O' < 'WE' < 'We' < 'b' < 'w' < 'Ä'
    ("name asc", [4, 3, 6, 1, 7, 2, 5]),
    ("name desc", [5, 2, 7, 1, 6, 3, 4]),  # null last
    ("name DESC", [5, 2, 7, 1, 6, 3, 4]),
    ("principalId/domain asc, id desc", [4, 6, 2, 5, 3, 1, 7]),
    ("enabled, id", [3, 7, 2, 5, 1, 4, 6]),
    ("enabled desc, count desc", [6, 1, 4, 2, 5, 7, 3]),
    ("count", [3, 5, 4, 1, 6, 2, 7]),
    ("ratio desc", [6, 5, 1, 7, 4, 2, 3]),
    ("tolower(name), id", [4, 7, 3, 1, 2, 6, 5]),
    ("length(code) desc, id", [4, 5, 6, 1, 2, 3, 7]),
    ("  code  ,  id  ", [7, 6, 1, 2, 3, 4, 5]),
]


@pytest.mark.parametrize(("text", "expected"), ORDER_EXAMPLES, ids=[text for text, _ in ORDER_EXAMPLES])
def test_orderby_examples(engine: sa.Engine, text: str, expected: list[int]) -> None:
    load(engine, ROWS)
    assert ordered(engine, text) == expected


def test_a_filter_is_one_sql_condition() -> None:
    sql = str(where("substringof('a', name) and count gt 1", FIELDS).compile(dialect=sqlite.dialect()))
    assert "instr(" in sql and " LIKE " not in sql.upper()
    sql = str(where("tolower(name) lt 'b'", FIELDS).compile(dialect=postgresql.psycopg.dialect()))
    assert 'COLLATE "C"' in sql and "strpos" not in sql
    sql = str(where("contains(name, 'b')", FIELDS).compile(dialect=postgresql.psycopg.dialect()))
    assert "strpos(" in sql


FILTER_ERRORS = [
    ("foo eq 1", "unknown field 'foo'"),
    ("principalId/name eq 'a'", "unknown field 'principalId/name'"),
    ("domain eq 'a'", "unknown field 'domain'"),
    ("blob eq 'a'", "unknown field 'blob'"),
    ("name eq 1", "cannot compare field 'name' (string) with 1 (integer)"),
    ("count eq 'a'", "cannot compare field 'count' (integer) with 'a' (string)"),
    ("enabled eq 1", "cannot compare"),
    ("count eq true", "cannot compare"),
    ("stamp eq 'x'", "cannot compare"),
    ("enabled gt false", "only be compared with eq or ne"),
    ("count gt null", "null can only be compared with eq or ne"),
    ("name", "must be a condition"),
    ("count", "must be a condition"),
    ("null", "must be a condition"),
    ("tolower(name)", "must be a condition"),
    ("'a'", "must be a condition"),
    ("name eq 'a' and count", "and needs conditions"),
    ("not name", "not needs a condition"),
    ("bogus(name) eq 1", "unknown function 'bogus'"),
    ("geo.distance(name, name) eq 1", "unknown function 'geo.distance'"),
    ("substring(name, 1) eq 'a'", "unknown function 'substring'"),
    ("substringof('a')", "function 'substringof' takes 2 arguments, 1 given"),
    ("contains(name, 'a', 'b')", "function 'contains' takes 2 arguments, 3 given"),
    ("tolower(name, name) eq 'a'", "function 'tolower' takes 1 argument, 2 given"),
    ("contains(count, '1')", "function 'contains' takes strings, not field 'count' (integer)"),
    ("startswith(name, 1)", "takes strings"),
    ("contains(name, null)", "takes strings"),
    ("length(count) eq 1", "takes strings"),
    ("name eq 'a", "position 8: a string is not closed"),
    ("name eq 'a' and", "syntax error"),
    ("name eq 'a' ; drop table x", "syntax error at position 12 near '; drop table x'"),
    ("name eq", "syntax error"),
    ("(name eq 'a'", "syntax error"),
    ("name eq 'a')", "syntax error at position 11"),
    ("   name eq eq 'a'", "syntax error at position 14 near \"'a'\""),
    ("name = 'a'", "syntax error at position 5"),
    ("count add 1 eq 2", "arithmetic"),
    ("-count eq 1", "arithmetic"),
    ("name in ('a', 'b')", "the operator in is not supported"),
    ("tags/any(t: t eq 'a')", "any and all"),
    ("created eq 12:30:00", "time literals"),
    ("created eq duration'P1D'", "duration literals"),
    ("created eq datetime'yesterday'", "invalid date-time"),
    ("count eq 99999999999999999999", "out of range"),
    ("ratio eq 1e999", "out of range"),
    ("contains(name='a')", "function 'contains' takes 2 arguments"),
    ("", "empty"),
    ("   ", "empty"),
    ("name eq '\x00'", "NUL"),
    ("name eq '" + "a" * MAX_TEXT + "'", f"longer than {MAX_TEXT}"),
    ("not " * MAX_DEPTH + "enabled", f"more than {MAX_DEPTH} levels"),
    ("tolower(" * 40 + "name" + ")" * 40 + " eq 'a'", "levels"),
    ("(enabled and (enabled or " * 40 + "enabled" + "))" * 40, "levels"),
    ("/".join(["a"] * 1500) + " eq 1", "nests too deeply"),
]


@pytest.mark.parametrize(("text", "message"), FILTER_ERRORS, ids=[text[:40] for text, _ in FILTER_ERRORS])
def test_filter_errors(text: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        where(text, FIELDS)
    assert caught.value.reason == "filter.invalid"
    assert message in caught.value.message
    assert caught.value.arguments == [text]


def test_long_flat_filters_and_deep_parentheses_are_fine() -> None:
    chain = " or ".join(f"count eq {n}" for n in range(250))
    assert len(chain) <= MAX_TEXT
    where(chain, FIELDS)
    where("not " * (MAX_DEPTH - 1) + "enabled", FIELDS)
    where("(" * 2000 + "enabled" + ")" * 2000, FIELDS)
    where("((" * 15 + "enabled" + "))" * 15, FIELDS)


def test_whole_words_only_for_keywords() -> None:
    fields = {"nullable": C.enabled, "trueName": C.name, "allocated": C.count, "anything": C.code}
    sql = where("nullable eq true and trueName eq 'a' and allocated gt 1 and anything ne null", fields)
    assert sql is not None


def test_a_field_of_an_unusable_type_is_refused() -> None:
    with pytest.raises(Invalid, match="cannot be used"):
        where("blob eq null", {"blob": C.blob})


ORDER_ERRORS = [
    ("", "empty"),
    ("foo", "unknown field 'foo'"),
    ("name,,id", "empty item at position 5"),
    ("name,", "empty item at position 5"),
    ("name desc desc", "syntax error at position 5"),
    ("name sideways", "syntax error at position 5"),
    ("name; drop", "syntax error at position 4"),
    ("null", "cannot order by null"),
    ("bogus(name)", "unknown function 'bogus'"),
    ("'" + "a" * MAX_TEXT, "longer than"),
    ("name eq 'a", "a string is not closed"),
]


@pytest.mark.parametrize(("text", "message"), ORDER_ERRORS, ids=[text[:40] for text, _ in ORDER_ERRORS])
def test_orderby_errors(text: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        order_by(text, FIELDS)
    assert caught.value.reason == "orderby.invalid"
    assert message in caught.value.message


# --------------------------------------------------------------------------------------------------
# Anything at all: an expression or Invalid, never another exception
# --------------------------------------------------------------------------------------------------

WORDS = [
    "name",
    "count",
    "enabled",
    "principalId/domain",
    "'a'",
    "''''",
    "1",
    "-2",
    "1.5",
    "true",
    "null",
    "datetime'2015-07-16T00:00:00'",
    " eq ",
    " ne ",
    " gt ",
    " and ",
    " or ",
    "not ",
    "(",
    ")",
    ",",
    "/",
    " ",
    "substringof(",
    "contains(",
    "tolower(",
    "length(",
    "any(",
    "x:",
    " add ",
    " in ",
    " asc",
    " desc",
]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(WORDS), max_size=14).map("".join)))
def test_any_text_gives_an_expression_or_invalid(text: str) -> None:
    for translate, reason in ((where, "filter.invalid"), (order_by, "orderby.invalid")):
        try:
            result = translate(text, FIELDS)
        except Invalid as exc:
            assert exc.reason == reason
            continue
        for term in result if isinstance(result, list) else [result]:
            for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
                str(term.compile(dialect=dialect))


# --------------------------------------------------------------------------------------------------
# Properties: the database agrees with a plain Python reference of the same filter
# --------------------------------------------------------------------------------------------------

ALPHABET = "aAbBzZ%_' éÉßİ😀日"
STRING_FIELDS = ["name", "code", "principalId/domain"]
LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "tolower": lambda s: s.translate(LOWER),  # ASCII letters only
    "toupper": lambda s: s.translate(UPPER),
    "trim": lambda s: s.strip(" "),
    "concat": lambda a, b: a + b,
    "length": len,
    "indexof": lambda s, n: s.find(n),
    "contains": lambda s, n: n in s,
    "substringof": lambda n, s: n in s,
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
}
NULL = ("lit", None)


def field(name: str) -> tuple[str, str]:
    return ("field", name)


def call(name: str, *args: Any) -> tuple[str, str, list[Any]]:
    return ("call", name, list(args))


def cmp(op: str, left: Any, right: Any) -> tuple[str, str, Any, Any]:
    return ("cmp", op, left, right)


string_values = st.one_of(st.text(alphabet="aAbéÉ%_' ", max_size=4), st.text(alphabet=ALPHABET, max_size=4))
small_ints = st.integers(min_value=-20, max_value=20)
ints = st.one_of(small_ints, st.integers(min_value=-(2**31), max_value=2**31))
floats = st.one_of(
    st.sampled_from([0.0, -0.0, 0.5, 1.5, -2.25, 3.0, 1e-3]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
)
eq_ne = st.sampled_from(["eq", "ne"])
ops = st.sampled_from(list(COMPARE))


def predicates(rows: list[dict[str, Any]], strings_only: bool = False) -> st.SearchStrategy[Any]:
    """Random filters whose literals are often pieces of the rows' values (so that they match);
    with ``strings_only``, single string comparisons and string functions."""
    texts = {""}
    numbers: set[float] = set()
    for row in rows:
        for value in (row["name"], row["code"], row["domain"]):
            for variant in () if value is None else (value, value.swapcase(), value.upper(), value.lower()):
                texts.add(variant)
                texts |= {
                    variant[i:j]
                    for i in range(len(variant))
                    for j in range(i + 1, min(i + 3, len(variant)) + 1)
                }
        numbers |= {
            n for n in (row["count"], row["ratio"], row["count"] and row["count"] + 1) if n is not None
        }
    needles = st.one_of(st.sampled_from(sorted(texts)), st.text(alphabet=ALPHABET, max_size=3))
    int_literals = st.one_of(ints, st.sampled_from(sorted(n for n in numbers if isinstance(n, int)) or [0]))
    float_literals = st.one_of(
        floats, st.sampled_from(sorted(n for n in numbers if isinstance(n, float)) or [0.0])
    )

    strings = st.recursive(
        st.one_of(st.sampled_from(STRING_FIELDS).map(field), needles.map(lambda s: ("lit", s))),
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["tolower", "toupper", "trim"]), inner).map(lambda t: call(*t)),
            st.tuples(inner, inner).map(lambda t: call("concat", *t)),
        ),
        max_leaves=3,
    )
    integers = st.one_of(
        st.sampled_from(["count", "id"]).map(field),
        int_literals.map(lambda n: ("lit", n)),
        strings.map(lambda s: call("length", s)),
        st.tuples(strings, needles.map(lambda s: ("lit", s))).map(lambda t: call("indexof", *t)),
    )
    numbers_ = st.one_of(integers, st.just(field("ratio")), float_literals.map(lambda x: ("lit", x)))
    booleans = st.one_of(st.just(field("enabled")), st.booleans().map(lambda b: ("lit", b)))
    any_operand = st.one_of(strings, numbers_, booleans)
    a_field = st.sampled_from(STRING_FIELDS).map(field)
    cased_field = st.one_of(
        a_field, st.tuples(st.sampled_from(["tolower", "toupper"]), a_field).map(lambda t: call(*t))
    )
    a_needle = needles.map(lambda s: ("lit", s))
    string_predicates = st.one_of(
        st.tuples(st.sampled_from(["contains", "startswith", "endswith"]), cased_field, a_needle).map(
            lambda t: call(*t)
        ),
        st.tuples(a_needle, cased_field).map(lambda t: call("substringof", *t)),
        st.tuples(ops, cased_field, a_needle).map(lambda t: cmp(*t)),
        st.tuples(ops, strings, strings).map(lambda t: cmp(*t)),
        st.tuples(st.sampled_from(["contains", "startswith", "endswith"]), strings, strings).map(
            lambda t: call(*t)
        ),
        st.tuples(strings, strings).map(lambda t: call("substringof", *t)),
    )
    if strings_only:
        return string_predicates
    simple = st.one_of(
        string_predicates,
        st.tuples(ops, numbers_, numbers_).map(lambda t: cmp(*t)),
        st.tuples(eq_ne, booleans, booleans).map(lambda t: cmp(*t)),
        st.tuples(eq_ne, any_operand).map(lambda t: cmp(t[0], t[1], NULL)),
        st.tuples(eq_ne, any_operand).map(lambda t: cmp(t[0], NULL, t[1])),
        booleans,
    )
    return st.recursive(
        simple,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(["and", "or"]), inner, inner),
            inner.map(lambda p: ("not", p)),
            st.tuples(eq_ne, inner, st.one_of(booleans, inner)).map(lambda t: cmp(*t)),
            st.tuples(eq_ne, inner).map(lambda t: cmp(t[0], t[1], NULL)),
        ),
        max_leaves=6,
    )


def render(node: Any) -> str:
    kind = node[0]
    if kind == "field":
        return node[1]
    if kind == "lit":
        value = node[1]
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return repr(value)  # ints, and floats with a '.' or an exponent
    if kind == "call":
        return f"{node[1]}({', '.join(render(arg) for arg in node[2])})"
    if kind == "cmp":
        return f"({render(node[2])} {node[1]} {render(node[3])})"
    if kind == "not":
        return f"not ({render(node[1])})"
    return f"({render(node[1])} {kind} {render(node[2])})"


def evaluate(node: Any, row: dict[str, Any]) -> Any:
    """The filter's value on ``row`` by SQL's rules: None is unknown (NULL)."""
    kind = node[0]
    if kind == "field":
        return row[COLUMN.get(node[1], node[1])]
    if kind == "lit":
        return node[1]
    if kind == "call":
        args = [evaluate(arg, row) for arg in node[2]]
        return None if None in args else FUNCTIONS[node[1]](*args)
    if kind == "cmp":
        op, left, right = node[1:]
        if NULL in (left, right):  # eq null / ne null: IS NULL / IS NOT NULL
            other = right if left == NULL else left
            return (evaluate(other, row) is None) == (op == "eq")
        a, b = evaluate(left, row), evaluate(right, row)
        return None if a is None or b is None else COMPARE[op](a, b)
    if kind == "not":
        value = evaluate(node[1], row)
        return None if value is None else not value
    a, b = evaluate(node[1], row), evaluate(node[2], row)
    if kind == "and":
        return False if False in (a, b) else None if None in (a, b) else True
    return True if True in (a, b) else None if None in (a, b) else False


rows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.one_of(st.none(), string_values),
            "code": st.one_of(st.none(), string_values),
            "domain": st.one_of(st.none(), string_values),
            "count": st.one_of(st.none(), ints),
            "ratio": st.one_of(st.none(), floats),
            "enabled": st.one_of(st.none(), st.booleans()),
        }
    ),
    max_size=10,
).map(lambda rows: [{"id": n, **row} for n, row in enumerate(rows, 1)])


def agree(engine: sa.Engine, data: st.DataObject, strings_only: bool) -> None:
    rows = data.draw(rows_strategy, label="rows")
    load(engine, rows)
    for node in data.draw(st.lists(predicates(rows, strings_only), min_size=1, max_size=8), label="filters"):
        text = render(node)
        expected = [row["id"] for row in rows if evaluate(node, row) is True]
        assert matching(engine, text) == expected, text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_filters_agree_with_the_reference(engine: sa.Engine, data: st.DataObject) -> None:
    agree(engine, data, strings_only=False)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_string_functions_agree_with_the_reference(engine: sa.Engine, data: st.DataObject) -> None:
    agree(engine, data, strings_only=True)


ORDER_KEYS = [
    field("name"),
    field("code"),
    field("principalId/domain"),
    field("count"),
    field("ratio"),
    field("enabled"),
    call("tolower", field("name")),
    call("length", field("code")),
    cmp("gt", field("count"), ("lit", 0)),
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=rows_strategy,
    keys=st.lists(
        st.tuples(st.sampled_from(ORDER_KEYS), st.sampled_from(["", " asc", " desc"])), min_size=1, max_size=3
    ),
)
def test_orderby_agrees_with_python_sorted(
    engine: sa.Engine, rows: list[dict[str, Any]], keys: list[tuple[Any, str]]
) -> None:
    load(engine, rows)
    text = ", ".join(f"{render(key)}{direction}" for key, direction in keys) + ", id"
    expected = sorted(rows, key=lambda row: row["id"])
    for key, direction in reversed(keys):  # stable sorts, last key first; null is the smallest value
        expected.sort(key=lambda row, key=key: null_first(evaluate(key, row)), reverse=direction == " desc")
    assert ordered(engine, text) == [row["id"] for row in expected], text


def null_first(value: Any) -> tuple[bool, Any]:
    return (value is not None, value)
