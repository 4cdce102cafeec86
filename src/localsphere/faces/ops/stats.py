"""Operations' stats queries: what the GET parameters and the POST query bodies ask for, rolling raw
samples up into intervals, and the ``stats-of-resources`` shape they are answered in."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from localsphere.faces.http import whole_number
from localsphere.world.metrics import INTERVAL_MS, Series

ROLL_UPS: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum,
    "AVG": lambda v: sum(v) / len(v),
    "MIN": min,
    "MAX": max,
    "LATEST": lambda v: v[-1],
    "COUNT": lambda v: float(len(v)),
}
INTERVALS_MS = {
    "SECONDS": 1000,
    "MINUTES": 60_000,
    "HOURS": 3_600_000,
    "DAYS": 86_400_000,
    "WEEKS": 7 * 86_400_000,
}
CALENDAR = ("MONTHS", "YEARS")
MAX_KEYS = 1000
MAX_RESOURCES = 1000  # resourceId values of one query
MAX_PUSHED = 10_000  # samples of one push
MAX_QUANTIFIER = 1_000_000
MAX_LATEST = 1_000_000  # most recent samples a query may ask for
LAST_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z, the last instant a date-time holds


class QueryError(Exception):
    """A parameter the product would refuse with 400."""


@dataclass(frozen=True)
class StatQuery:
    resource_ids: list[str]
    keys: list[str] | None  # None: every key the resource has
    begin: int | None
    end: int | None
    roll_up: str  # NONE: the raw samples
    interval: str
    quantifier: int
    latest: int  # > 0: only the most recent samples

    @staticmethod
    def parse(fields: Callable[[str], list[Any]], latest: bool) -> StatQuery:
        """``fields(name)``: the values given for a parameter, from the query string or a body."""

        def one(name: str) -> Any:
            values = fields(name)
            return values[0] if values else None

        keys = _texts(fields("statKey"), "statKey") or None
        if keys is not None and len(keys) > MAX_KEYS:
            raise QueryError(f"At most {MAX_KEYS} statKey values are allowed")
        roll_up = (_text(one("rollUpType"), "rollUpType") or "NONE").upper()
        if roll_up != "NONE" and roll_up not in ROLL_UPS:
            raise QueryError(f"Invalid rollUpType {roll_up}; expected one of NONE, {', '.join(ROLL_UPS)}")
        interval = (
            _text(one("intervalType"), "intervalType") or ("MINUTES" if roll_up == "NONE" else "HOURS")
        ).upper()
        if interval not in INTERVALS_MS and interval not in CALENDAR:
            raise QueryError(
                f"Invalid intervalType {interval}; expected one of {', '.join([*INTERVALS_MS, *CALENDAR])}"
            )
        quantifier = _integer(one("intervalQuantifier"), "intervalQuantifier", 1, MAX_QUANTIFIER)
        samples = _integer(one("maxSamples" if latest else "latestMaxSamples"), "maxSamples", 1, MAX_LATEST)
        if latest and samples < 1:
            raise QueryError("maxSamples must be at least 1")
        begin = _integer(one("begin"), "begin", None, LAST_MS)
        end = _integer(one("end"), "end", None, LAST_MS)
        if begin is not None and end is not None and begin > end:
            raise QueryError("begin must not be after end")
        ids = _texts(fields("resourceId"), "resourceId")
        if len(ids) > MAX_RESOURCES:
            raise QueryError(f"At most {MAX_RESOURCES} resourceId values are allowed")
        return StatQuery(
            ids,
            keys,
            begin,
            end,
            roll_up,
            interval,
            max(quantifier or 1, 1),
            (samples or 1) if latest else 0,
        )

    def shape(self, series: Series) -> dict[str, Any]:
        """One stat: the raw samples, or rolled up into this query's intervals."""
        if self.roll_up == "NONE" or self.latest:
            timestamps, data = series.timestamps, series.data
            unit = {"quantifier": INTERVAL_MS // 60_000, "intervalType": "MINUTES"}
            roll_up = "NONE"
        else:
            timestamps, data = self._rolled(series)
            unit = {"quantifier": self.quantifier, "intervalType": self.interval}
            roll_up = self.roll_up
        return {
            "timestamps": timestamps,
            "statKey": {"key": series.key},
            "rollUpType": roll_up,
            "intervalUnit": unit,
            "data": data,
        }

    def _rolled(self, series: Series) -> tuple[list[int], list[float]]:
        buckets: dict[int, list[float]] = {}
        for t, value in zip(series.timestamps, series.data, strict=True):
            buckets.setdefault(self._bucket(t), []).append(value)
        fold = ROLL_UPS[self.roll_up]
        return list(buckets), [round(fold(v), 3) for v in buckets.values()]

    def _bucket(self, t_ms: int) -> int:
        """The start of the interval holding ``t_ms``: whole multiples since the epoch, or UTC
        calendar months and years."""
        if self.interval in INTERVALS_MS:
            size = INTERVALS_MS[self.interval] * self.quantifier
            return t_ms // size * size
        moment = datetime.fromtimestamp(t_ms / 1000, UTC)
        months = moment.year * 12 + moment.month - 1
        step = self.quantifier * (12 if self.interval == "YEARS" else 1)
        months = max(months // step * step, 12)  # a step of millennia starts at year 1, not 0
        start = datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)
        return int(start.timestamp() * 1000)


def stats_of_resources(found: Iterable[tuple[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    return {"values": [{"resourceId": rid, "stat-list": {"stat": stats}} for rid, stats in found]}


def _integer(value: Any, name: str, default: int | None, high: int) -> int | None:
    """An integer from 0 to ``high`` (a number, or its text in a query string)."""
    if value is None or value == "":
        return default
    number = whole_number(value.strip()) if isinstance(value, str) else value
    if isinstance(number, int) and not isinstance(number, bool) and 0 <= number <= high:
        return number
    raise QueryError(f"{name} must be an integer from 0 to {high}")


def _text(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise QueryError(f"{name} must be a string")


def _texts(values: list[Any], name: str) -> list[str]:
    if not all(isinstance(v, str) for v in values):
        raise QueryError(f"every {name} must be a string")
    return values


def pushed_stats(body: Any, one: str | None) -> list[tuple[str, list[tuple[str, list[int], list[float]]]]]:
    """The samples of a push, per resource id: ``stat-contents`` of one resource (``one``, from
    the path) or ``resources-stat-contents`` naming each resource's ``id``."""
    if not isinstance(body, dict):
        raise QueryError("The body must be an object")
    if one is not None:
        return [(one, _stat_contents(body, "stat-content", ""))]
    pushes = []
    for i, item in enumerate(listed(body.get("resource-stat-content"))):
        where = f"resource-stat-content[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise QueryError(f"{where} must be an object with the resource's id")
        pushes.append((item["id"], _stat_contents(item, "stat-contents", f"{where}.")))
    if sum(len(t) for _, contents in pushes for _, t, _ in contents) > MAX_PUSHED:
        raise QueryError(f"At most {MAX_PUSHED} samples may be pushed at once")
    return pushes


def _stat_contents(body: dict[str, Any], name: str, where: str) -> list[tuple[str, list[int], list[float]]]:
    contents = []
    for i, item in enumerate(listed(body.get(name))):
        at = f"{where}{name}[{i}]"
        if not isinstance(item, dict):
            raise QueryError(f"{at} must be an object")
        key = item.get("statKey")
        if not isinstance(key, str):
            raise QueryError(f"{at}.statKey must be a string")
        timestamps = [_timestamp(t, f"{at}.timestamps") for t in listed(item.get("timestamps"))]
        data = [_sample(v, f"{at}.data") for v in listed(item.get("data"))]
        if len(timestamps) != len(data):
            raise QueryError(f"{at} needs one value in data per timestamp")
        if len(timestamps) > MAX_PUSHED:
            raise QueryError(f"At most {MAX_PUSHED} samples may be pushed at once")
        contents.append((key, timestamps, data))
    return contents


def _timestamp(value: Any, where: str) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= LAST_MS:
        return int(value)
    raise QueryError(f"{where} must hold epoch milliseconds from 0 to {LAST_MS}")


def _sample(value: Any, where: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise QueryError(f"{where} must hold numbers")


def listed(value: Any) -> list[Any]:
    """A body field that is one value or a list of them, as a list (none: empty)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
