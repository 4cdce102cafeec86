"""FIQL filter text (vCloud Director's query service) as SQL: examples, errors, and a property
against a plain Python reference.

Every database test runs on SQLite (in memory) and on PostgreSQL (a throw-away database from the
``new_database`` fixture: skipped when unreachable unless LOCALSPHERE_TEST_REQUIRE_PG=1).
"""

from __future__ import annotations

import datetime as dt
import re
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
from localsphere.world.fiql import MAX_DEPTH, MAX_TEXT, where

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

METADATA = sa.MetaData()
THINGS = sa.Table(
    f"fiql_probe_{secrets.token_hex(4)}",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(64), nullable=True),
    sa.Column("code", sa.Text, nullable=True),
    sa.Column("count", sa.BigInteger, nullable=True),
    sa.Column("ratio", sa.Float, nullable=True),
    sa.Column("enabled", sa.Boolean, nullable=True),
    sa.Column("stamp", sa.DateTime, nullable=True),
    sa.Column("day", sa.Date, nullable=True),
    sa.Column("blob", sa.LargeBinary, nullable=True),
)
C = THINGS.c
FIELDS = {
    "id": C.id,
    "name": C.name,
    "code": C.code,
    "numberOfCpus": C.count,
    "ratio": C.ratio,
    "isDeployed": C.enabled,
    "created": C.stamp,
    "day": C.day,
}
COLUMN = {"numberOfCpus": "count", "isDeployed": "enabled", "created": "stamp"}
PROBE = Probe(THINGS)
load = PROBE.load


@pytest.fixture(scope="module")
def engine(new_database: Callable[[], str | None]) -> Iterator[sa.Engine]:
    yield from PROBE.engine(new_database)


def matching(engine: sa.Engine, text: str) -> list[int]:
    return PROBE.matching(engine, where(text, FIELDS))


# --------------------------------------------------------------------------------------------------
# Examples
# --------------------------------------------------------------------------------------------------

ROWS = [
    dict(id=1, name="Web-01", code="a%b", count=1, ratio=1.5, enabled=True),
    dict(id=2, name="web-02", code="a_b", count=2, ratio=-2.0, enabled=False),
    dict(id=3, name="db-web", code="x*y", count=None, ratio=None, enabled=None),
    dict(id=4, name=None, code="ÉCOLE", count=4, ratio=0.0, enabled=True),
    dict(id=5, name="Ärger db", code="école", count=-3, ratio=2.25, enabled=False),
    dict(id=6, name="WEB-03", code="a;b,c(d)", count=8, ratio=7.0, enabled=True),
    dict(id=7, name="b", code="[?]\\", count=2**40, ratio=1e-3, enabled=None),
]
for row, created in zip(
    ROWS, ["2015-07-15T10:00:00", "2015-07-16T00:00:00", "2015-07-17T08:30:00"], strict=False
):
    row["stamp"] = dt.datetime.fromisoformat(created)
    row["day"] = dt.date.fromisoformat(created[:10])

EXAMPLES = [
    # == and !=, strings case-sensitive; NULL is left out by != too
    ("name==web-02", [2]),
    ("name==WEB-02", []),
    ("name!=web-02", [1, 3, 5, 6, 7]),
    ("name==Ärger db", [5]),  # blanks and non-ASCII belong to the value
    ("code==école", [5]),
    ("code==ÉCOLE", [4]),
    # ordering operators: strings by code point ('W' < 'a' < 'w' < 'Ä')
    ("name=gt=a", [2, 3, 5, 7]),
    ("name=lt=a", [1, 6]),
    ("name=ge=web-02", [2, 5]),
    ("name=le=b", [1, 6, 7]),
    ("name=GT=a", [2, 3, 5, 7]),  # operator words in any case
    # integers and decimals
    ("numberOfCpus==2", [2]),
    ("numberOfCpus!=2", [1, 4, 5, 6, 7]),
    ("numberOfCpus=gt=2", [4, 6, 7]),
    ("numberOfCpus=ge=2", [2, 4, 6, 7]),
    ("numberOfCpus=lt=0", [5]),
    ("numberOfCpus=le=+1", [1, 5]),
    ("numberOfCpus=gt=-5", [1, 2, 4, 5, 6, 7]),
    ("numberOfCpus==1099511627776", [7]),
    ("numberOfCpus=gt=3.5", [4, 6, 7]),
    ("ratio=le=0", [2, 4]),
    ("ratio==1.5", [1]),
    ("ratio=lt=1.0e-2", [2, 4, 7]),
    ("ratio=ge=.5", [1, 5, 6]),
    # booleans
    ("isDeployed==true", [1, 4, 6]),
    ("isDeployed==false", [2, 5]),
    ("isDeployed!=true", [2, 5]),
    ("isDeployed==TRUE", [1, 4, 6]),
    # date-times (to UTC for a column without a time zone) and dates
    ("created=gt=2015-07-16T00:00:00", [3]),
    ("created=ge=2015-07-16T00:00:00", [2, 3]),
    ("created=lt=2015-07-16T00:00:00", [1]),
    ("created==2015-07-16T00:00:00Z", [2]),
    ("created==2015-07-16T02:00:00+02:00", [2]),
    ("created!=2015-07-16T00:00:00", [1, 3]),
    ("created=le=2015-07-16", [1, 2]),  # a date alone is midnight
    ("day==2015-07-16", [2]),
    ("day=gt=2015-07-15", [2, 3]),
    # wildcards in == (and their negation in !=), case-sensitive, other pattern characters plain
    ("name==web*", [2]),
    ("name==Web*", [1]),
    ("name==*web*", [2, 3]),
    ("name==*db*", [3, 5]),
    ("name==*-0*", [1, 2, 6]),
    ("name==*", [1, 2, 3, 5, 6, 7]),
    ("name==**", [1, 2, 3, 5, 6, 7]),
    ("name==w*2", [2]),
    ("name==W*-0*", [1, 6]),
    ("name==*b", [3, 5, 7]),
    ("name==b*", [7]),
    ("name==b**", [7]),
    ("name==*e*e*", []),
    ("name==d*b*e*b", [3]),
    ("name!=*web*", [1, 5, 6, 7]),
    ("code==a%*", [1]),
    ("code==a_*", [2]),
    ("code==*_*", [2]),
    ("code==*%*", [1]),
    ("code==[*", [7]),
    ("code==*?*", [7]),
    ("code==*\\\\", [7]),
    ("code==x\\*y", [3]),  # an escaped '*' is plain
    ("code==x*y", [3]),
    ("code==a\\;b\\,c\\(d\\)", [6]),
    ("code==a\\;*", [6]),
    ("code=ge=x\\*", [3, 4, 5]),  # 'É' and 'é' are above 'x'
    # ; binds tighter than ,
    ("numberOfCpus==1,numberOfCpus==2;isDeployed==true", [1]),
    ("numberOfCpus==2;isDeployed==false,numberOfCpus==1", [1, 2]),
    ("(numberOfCpus==1,numberOfCpus==2);isDeployed==true", [1]),
    ("(numberOfCpus==1,numberOfCpus==2);isDeployed==false", [2]),
    ("numberOfCpus=ge=1;numberOfCpus=le=8;isDeployed==true", [1, 4, 6]),
    ("name==b,name==web-02,name==db-web", [2, 3, 7]),
    ("((((name==b))))", [7]),
    ("(name==b,(code==a_b;isDeployed==false))", [2, 7]),
    # three-valued logic: unknown (NULL) rows stay out unless an or makes them true
    ("isDeployed==true,numberOfCpus=gt=4", [1, 4, 6, 7]),
    ("isDeployed!=true;ratio=ge=-5", [2, 5]),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES, ids=[text for text, _ in EXAMPLES])
def test_filter_examples(engine: sa.Engine, text: str, expected: list[int]) -> None:
    load(engine, ROWS)
    assert matching(engine, text) == expected


def test_wildcards_are_glob_on_sqlite_and_like_on_postgresql() -> None:
    sql = str(where("name==a*b_%?[", FIELDS).compile(dialect=sqlite.dialect()))
    assert " GLOB " in sql and " LIKE " not in sql
    sql = str(where("name==a*b", FIELDS).compile(dialect=postgresql.psycopg.dialect()))
    assert " LIKE " in sql and "ESCAPE" in sql
    sql = str(where("name=lt=b", FIELDS).compile(dialect=postgresql.psycopg.dialect()))
    assert 'COLLATE "C"' in sql


def test_wildcard_statements_cache_apart() -> None:
    # the pattern is a bound parameter: two patterns, one cached SQL text, different parameters
    first = where("name==a*", FIELDS).compile(dialect=sqlite.dialect())
    second = where("name==b*", FIELDS).compile(dialect=sqlite.dialect())
    assert str(first) == str(second)
    assert first.params != second.params
    negated = where("name!=a*", FIELDS).compile(dialect=sqlite.dialect())
    assert "NOT GLOB" in str(negated)


FILTER_ERRORS = [
    ("", "empty"),
    ("   ", "empty"),
    ("name==a\x00", "NUL"),
    ("name==" + "a" * MAX_TEXT, f"longer than {MAX_TEXT}"),
    ("name", "position 4: expected an operator"),
    ("name==", "position 6: a value is missing"),
    ("name==a;", "position 8: expected a field name"),
    ("name==a,", "position 8: expected a field name"),
    (";name==a", "position 0: expected a field name"),
    ("name==a;;id==1", "position 8: expected a field name"),
    (" name==a", "position 0: expected a field name"),
    ("name eq a", "position 4: expected an operator"),
    ("name=a", "position 4: expected an operator"),
    ("name=foo=a", "unknown operator '=foo=' at position 4"),
    ("name=like=a", "unknown operator '=like='"),
    ("name==a)", "position 7: unexpected ')'"),
    ("name==a(b)", "position 7: unexpected '('"),
    ("(name==a", "position 8: expected ')' to close the '(' at position 0"),
    ("(name==a;(id==1)", "expected ')' to close the '(' at position 0"),
    ("()", "position 1: expected a field name"),
    ("name==a\\", "position 7: a '\\' ends the text"),
    ("foo==1", "unknown field 'foo' at position 0"),
    ("id==1;blob==a", "unknown field 'blob' at position 6"),
    ("numberOfCpus==abc", "value at position 14 for field 'numberOfCpus': expected an integer, not 'abc'"),
    ("numberOfCpus==1*", "wildcards only match strings"),
    ("numberOfCpus==99999999999999999999", "out of range"),
    ("ratio==1e999", "out of range"),
    ("ratio==nan", "expected a number"),
    ("ratio==0x10", "expected a number"),
    ("isDeployed==yes", "expected true or false"),
    ("isDeployed=gt=true", "only == and != apply"),
    ("created==yesterday", "expected an ISO 8601 date-time"),
    ("day==2015-07-16T00:00:00", "expected an ISO 8601 date"),
    ("name=gt=a*", "wildcards only work with == and !="),
    ("(" * (MAX_DEPTH + 1) + "name==a" + ")" * (MAX_DEPTH + 1), f"more than {MAX_DEPTH} levels"),
    ("(" * 4000, f"more than {MAX_DEPTH} levels"),
]


@pytest.mark.parametrize(("text", "message"), FILTER_ERRORS, ids=[text[:40] for text, _ in FILTER_ERRORS])
def test_filter_errors(text: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        where(text, FIELDS)
    assert caught.value.reason == "filter.invalid"
    assert message in caught.value.message
    assert caught.value.arguments == [text]


def test_not_text_and_unusable_fields_are_invalid() -> None:
    with pytest.raises(Invalid) as caught:
        where(None, FIELDS)  # type: ignore[arg-type]
    assert caught.value.reason == "filter.invalid"
    with pytest.raises(Invalid, match="cannot be used"):
        where("blob==a", {"blob": C.blob})


def test_long_flat_filters_and_allowed_nesting_are_fine() -> None:
    chain = ",".join(f"id=={n}" for n in range(500))
    assert len(chain) <= MAX_TEXT
    where(chain, FIELDS)
    where(chain.replace(",", ";"), FIELDS)
    where("(" * MAX_DEPTH + "name==a" + ")" * MAX_DEPTH, FIELDS)
    where("(name==a;" * 30 + "id==1" + ")" * 30, FIELDS)


# --------------------------------------------------------------------------------------------------
# Anything at all: an expression or Invalid, never another exception
# --------------------------------------------------------------------------------------------------

PIECES = ["name", "numberOfCpus", "isDeployed", "created", "ratio", "day", "foo", "==", "!=", "=gt=", "=le="]
PIECES += ["=x=", "=", "!", "a", "1", "-2.5", "true", "2015-07-16", "*", "\\", ";", ",", "(", ")", " ", "é"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(PIECES), max_size=16).map("".join)))
def test_any_text_gives_an_expression_or_invalid(text: str) -> None:
    try:
        result = where(text, FIELDS)
    except Invalid as exc:
        assert exc.reason == "filter.invalid"
        return
    for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
        str(result.compile(dialect=dialect))


# --------------------------------------------------------------------------------------------------
# Property: the database agrees with a plain Python evaluation of the same filter
# --------------------------------------------------------------------------------------------------

ALPHABET = "aAbé É%_[]?*\\;,()😀"
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "=gt=": lambda a, b: a > b,
    "=ge=": lambda a, b: a >= b,
    "=lt=": lambda a, b: a < b,
    "=le=": lambda a, b: a <= b,
}
MOMENTS = [dt.datetime(2015, 7, 16, h, m) for h in (0, 1, 23) for m in (0, 30)]
strings = st.text(alphabet=ALPHABET, max_size=5)
ints = st.one_of(st.integers(-5, 5), st.integers(-(2**40), 2**40))
floats = st.one_of(
    st.sampled_from([0.0, -0.0, 0.5, 1.5, -2.25, 1e-3]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
)
rows_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.one_of(st.none(), strings),
            "code": st.one_of(st.none(), strings),
            "count": st.one_of(st.none(), ints),
            "ratio": st.one_of(st.none(), floats),
            "enabled": st.one_of(st.none(), st.booleans()),
            "stamp": st.one_of(st.none(), st.sampled_from(MOMENTS)),
        }
    ),
    max_size=8,
).map(lambda rows: [{"id": n, **row} for n, row in enumerate(rows, 1)])


def escape(text: str) -> str:
    return re.sub(r"([\\;,()*])", r"\\\1", text)


def constraints(rows: list[dict[str, Any]]) -> st.SearchStrategy[Any]:
    """Random constraints ``("c", field, op, value, wire text)``; string values are often pieces
    of the rows' own values, so that they match."""
    texts = {"a"}
    for row in rows:
        for value in (row["name"], row["code"]):
            if value:
                texts |= {value[i:j] for i in range(len(value)) for j in range(i + 1, len(value) + 1)}
    pieces = st.one_of(st.sampled_from(sorted(texts)), strings, st.just(""))
    ops = st.sampled_from(list(COMPARE))
    eq_ne = st.sampled_from(["==", "!="])
    string_field = st.sampled_from(["name", "code"])
    count_values = st.one_of(
        ints, st.sampled_from([r["count"] for r in rows if r["count"] is not None] or [0])
    )
    ratio_values = st.one_of(
        floats, st.sampled_from([r["ratio"] for r in rows if r["ratio"] is not None] or [0.0])
    )
    offsets = st.sampled_from(["", "Z", "+02:00", "-05:30"])

    def moment(t: tuple[dt.datetime, str]) -> tuple[dt.datetime, str]:
        value, zone = t
        if not zone:
            return value, value.isoformat()
        aware = value.replace(tzinfo=dt.timezone(dt.timedelta(hours=2)) if zone == "+02:00" else dt.UTC)
        if zone == "-05:30":
            aware = value.replace(tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30)))
        text = aware.isoformat().replace("+00:00", "Z")
        return aware.astimezone(dt.UTC).replace(tzinfo=None), text

    return st.one_of(
        st.tuples(string_field, ops, pieces.filter(bool)).map(
            lambda t: ("c", t[0], t[1], t[2], escape(t[2]))
        ),
        st.tuples(string_field, eq_ne, st.lists(pieces, min_size=2, max_size=4)).map(
            lambda t: ("c", t[0], t[1], t[2], "*".join(escape(p) for p in t[2]))
        ),
        st.tuples(ops, count_values).map(lambda t: ("c", "numberOfCpus", t[0], t[1], str(t[1]))),
        st.tuples(ops, st.floats(-6, 6).map(lambda x: round(x, 1))).map(
            lambda t: ("c", "numberOfCpus", t[0], t[1], repr(t[1]))
        ),
        st.tuples(ops, ratio_values).map(lambda t: ("c", "ratio", t[0], t[1], repr(t[1]))),
        st.tuples(eq_ne, st.booleans()).map(lambda t: ("c", "isDeployed", t[0], t[1], str(t[1]).lower())),
        st.tuples(ops, st.tuples(st.sampled_from(MOMENTS), offsets).map(moment)).map(
            lambda t: ("c", "created", t[0], t[1][0], t[1][1])
        ),
    )


def filters(rows: list[dict[str, Any]]) -> st.SearchStrategy[Any]:
    return st.recursive(
        constraints(rows),
        lambda inner: st.tuples(st.sampled_from([";", ","]), st.lists(inner, min_size=2, max_size=3)),
        max_leaves=6,
    )


def render(node: Any, parenthesize: bool) -> str:
    """The wire text: a ',' chain inside a ';' chain needs parentheses; ``parenthesize`` adds the
    others too (they change nothing)."""
    if node[0] == "c":
        return f"{node[1]}{node[2]}{node[4]}"
    op, children = node
    parts = []
    for child in children:
        text = render(child, parenthesize)
        needed = op == ";" and child[0] == ","
        parts.append(f"({text})" if needed or (parenthesize and child[0] != "c") else text)
    return op.join(parts)


def evaluate(node: Any, row: dict[str, Any]) -> bool | None:
    """The filter's value on ``row`` by SQL's rules: None is unknown."""
    if node[0] == "c":
        _, name, op, value, _text = node
        actual = row[COLUMN.get(name, name)]
        if actual is None:
            return None
        if isinstance(value, list):  # a wildcard pattern
            found = re.fullmatch(".*".join(re.escape(piece) for piece in value), actual, re.DOTALL)
            return (found is not None) == (op == "==")
        return COMPARE[op](actual, value)
    op, children = node
    values = [evaluate(child, row) for child in children]
    if op == ";":
        return False if False in values else None if None in values else True
    return True if True in values else None if None in values else False


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_filters_agree_with_the_reference(engine: sa.Engine, data: st.DataObject) -> None:
    rows = data.draw(rows_strategy, label="rows")
    load(engine, rows)
    for node in data.draw(st.lists(filters(rows), min_size=1, max_size=6), label="filters"):
        text = render(node, data.draw(st.booleans(), label="parenthesize"))
        expected = [row["id"] for row in rows if evaluate(node, row) is True]
        assert matching(engine, text) == expected, text
