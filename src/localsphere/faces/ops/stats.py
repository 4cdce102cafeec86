"""Operations' stats queries: what the GET parameters and the POST query bodies ask for, rolling raw
samples up into intervals, and the ``stats-of-resources`` shape they are answered in."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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

        keys = [str(k) for k in fields("statKey")] or None
        if keys is not None and len(keys) > MAX_KEYS:
            raise QueryError(f"At most {MAX_KEYS} statKey values are allowed")
        roll_up = str(one("rollUpType") or "NONE").upper()
        if roll_up != "NONE" and roll_up not in ROLL_UPS:
            raise QueryError(f"Invalid rollUpType {roll_up}")
        interval = str(one("intervalType") or ("MINUTES" if roll_up == "NONE" else "HOURS")).upper()
        if interval not in INTERVALS_MS and interval not in CALENDAR:
            raise QueryError(f"Invalid intervalType {interval}")
        quantifier = _integer(one("intervalQuantifier"), "intervalQuantifier", 1)
        samples = _integer(one("maxSamples" if latest else "latestMaxSamples"), "maxSamples", 1)
        if latest and samples < 1:
            raise QueryError("maxSamples must be at least 1")
        begin, end = _integer(one("begin"), "begin", None), _integer(one("end"), "end", None)
        if begin is not None and end is not None and begin > end:
            raise QueryError("begin must not be after end")
        return StatQuery(
            [str(r) for r in fields("resourceId")],
            keys,
            begin,
            end,
            roll_up,
            interval,
            max(quantifier, 1),
            samples if latest else 0,
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
        months = months // step * step
        start = datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)
        return int(start.timestamp() * 1000)


def stats_of_resources(found: Iterable[tuple[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    return {"values": [{"resourceId": rid, "stat-list": {"stat": stats}} for rid, stats in found]}


def _integer(value: Any, name: str, default: int | None) -> int | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise QueryError(f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be an integer") from None
