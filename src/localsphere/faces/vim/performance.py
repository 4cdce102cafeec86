"""``PerformanceManager`` (``content.perfManager``, id ``PerfMgr``): the counter catalogue
(``perfCounter``, ``perf_counters``), ``historicalInterval``, ``description``, and the queries
monitoring exporters make: ``QueryPerfCounter``, ``QueryPerfCounterByLevel``,
``QueryPerfProviderSummary``, ``QueryAvailablePerfMetric``, ``QueryPerf`` and
``QueryPerfComposite``.

Values are the world's metric model's (``world.metrics``) on the world clock: a counter at an
instant is its Operations stat key's value for the same object at the same instant, in the
counter's unit, rounded to a whole number (``PerfMetricIntSeries`` holds longs). Virtual machines
and hosts have realtime samples every 20 seconds over the last hour (interval 20); every entity
with statistics has the historical intervals (300 s over a day, 1800 s over a week, 7200 s over a
month, 86400 s over a year), collected at level 1 as a vCenter collects by default: counters of a
higher level, and instances, are realtime only. A historical sample is the model's value at its
instant (not an average of the finer samples).

vSphere's rules (Web Services API reference, ``PerformanceManager.QueryPerf``): a sample is later
than ``startTime`` and no later than ``endTime``; ``maxSample`` keeps the most recent samples;
instance ``""`` is the aggregate, ``"*"`` the aggregate and every instance; without ``metricId``
every available metric is returned; format ``normal`` answers ``PerfEntityMetric``, ``csv``
``PerfEntityMetricCSV``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim

from localsphere.faces.vim import faults, inventory, perf_counters
from localsphere.faces.vim.perf_counters import (
    BY_KEY,
    CATALOGUE,
    ENTITIES,
    REALTIME,
    REALTIME_SECONDS,
    Counter,
)
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.service_instance import PERF_MANAGER
from localsphere.faces.vim.soap import MoRef
from localsphere.world import inventory as inv
from localsphere.world.inventory import ObjectView
from localsphere.world.metrics import instances

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

PM = vim.PerformanceManager
REALTIME_SPAN = 3600  # how long realtime samples are kept
# (key, sampling period in seconds, name, length in seconds): a vCenter's defaults, all at level 1
HISTORICAL = (
    (1, 300, "Past day", 86400),
    (2, 1800, "Past week", 604800),
    (3, 7200, "Past month", 2592000),
    (4, 86400, "Past year", 31536000),
)
HISTORICAL_LEVEL = 1
SPANS = {REALTIME_SECONDS: REALTIME_SPAN, **{period: length for _, period, _, length in HISTORICAL}}
NORMAL, CSV = "normal", "csv"


def historical_intervals() -> list[Any]:
    return [
        vim.HistoricalInterval(
            key=key, samplingPeriod=period, name=name, length=length, level=HISTORICAL_LEVEL, enabled=True
        )
        for key, period, name, length in HISTORICAL
    ]


def _entity(context: Context, entity: Any) -> ObjectView:
    """The object a reference names, when the caller sees it; else ManagedObjectNotFound."""
    this = MoRef(VmomiSupport.GetWsdlName(type(entity)), entity._moId)
    found = context.world.inventory_graph.objects([this.value], inventory.sight(context)).get(this.value)
    if found is None or found.kind != this.type:
        raise faults.not_found(this)
    return found


def _kind(o: ObjectView) -> str:
    return o.kind if o.kind in ENTITIES else ""


def _interval(o: ObjectView, asked: int | None) -> int:
    """The sampling period a query asks for (none: realtime where the entity has it); an
    interval the entity does not have is an InvalidArgument."""
    realtime = _kind(o) in REALTIME
    interval = asked if asked is not None else REALTIME_SECONDS if realtime else HISTORICAL[0][1]
    if interval not in SPANS or (interval == REALTIME_SECONDS and not realtime):
        raise faults.invalid_argument("querySpec.interval")
    return interval


def _collected(counter: Counter, interval: int, device: bool) -> bool:
    """Whether an interval keeps a counter (its aggregate, or with ``device`` its instances)."""
    if interval == REALTIME_SECONDS:
        return True
    return (counter.device_level if device else counter.level) <= HISTORICAL_LEVEL


def available(o: ObjectView, interval: int | None) -> list[tuple[Counter, str]]:
    """The (counter, instance) pairs an object has in an interval (None: realtime where it has
    it), the aggregate (``""``) first, then each instance."""
    kind = _kind(o)
    interval = _interval(o, interval) if kind else interval
    found = []
    for counter in CATALOGUE:
        if not kind or not counter.has(kind) or interval is None or not _collected(counter, interval, False):
            continue
        found.append((counter, ""))
        if counter.instanced(kind) and _collected(counter, interval, True):
            found += [(counter, name) for name in instances(o, (counter.source or "").partition("|")[0])]
    return found


def _wanted(o: ObjectView, ids: list[Any] | None, interval: int) -> list[tuple[Counter, str]]:
    """The (counter, instance) pairs a spec's ``metricId``s name that the object has."""
    have = available(o, interval)
    if not ids:
        return have
    by_counter: dict[int, list[str]] = {}
    for counter, instance in have:
        by_counter.setdefault(counter.key, []).append(instance)
    found = []
    for metric in ids:
        names = by_counter.get(metric.counterId, [])
        chosen = names if metric.instance == "*" else [n for n in names if n == (metric.instance or "")]
        found += [(BY_KEY[metric.counterId], n) for n in chosen if (BY_KEY[metric.counterId], n) not in found]
    return found


def _ms(value: datetime.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return int(value.timestamp() * 1000)


def _time(ms: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC)


@dataclass
class Samples:
    """One entity's answer: the sample instants (epoch ms) and each metric's values at them."""

    entity: Any
    interval: int
    times: list[int]
    values: list[tuple[Counter, str, list[int]]]


def _first(o: ObjectView, interval: int) -> float | None:
    """The first instant (epoch seconds) an entity has samples of ``interval`` from: its
    creation; for a VM's realtime ones, the start of its current run, none while it does not run
    (a host keeps realtime samples of its running VMs only)."""
    if o.kind != inv.VM or interval != REALTIME_SECONDS:
        return o.created_at
    return inv.running_since(o)


def query(context: Context, spec: Any) -> Samples | None:
    """The samples one ``PerfQuerySpec`` asks for; None when the entity has none of its metrics or
    no sample in its time range (a VM's realtime ones while it is not running)."""
    o = _entity(context, spec.entity)
    if not _kind(o):
        return None
    interval = _interval(o, spec.intervalId)
    wanted = _wanted(o, list(spec.metricId or []), interval)
    first = _first(o, interval)
    if not wanted or first is None:
        return None
    now_ms = int(context.world.state.reading().now * 1000)
    step = interval * 1000
    end = min(_ms(spec.endTime), now_ms) if spec.endTime is not None else now_ms
    oldest = max(now_ms - SPANS[interval] * 1000, int(first * 1000))
    begin = max(oldest, _ms(spec.startTime) + 1 if spec.startTime is not None else oldest)
    times = list(range(-(-begin // step) * step, end + 1, step))  # the grid's instants in the range
    if spec.maxSample:
        times = times[-spec.maxSample :]
    if not times:
        return None
    keys = sorted({k for c, i in wanted if (k := perf_counters.source_key(c, i, o.kind)) is not None})
    found = context.world.metrics.series(o, keys, times[0], times[-1], step_ms=step) if keys else []
    series = {s.key: s for s in found}
    values = []
    for counter, instance in wanted:
        key = perf_counters.source_key(counter, instance, o.kind)
        points = dict(zip(series[key].timestamps, series[key].data, strict=True)) if key in series else {}
        values.append(
            (counter, instance, [perf_counters.sample(counter, interval, points.get(t, 0.0)) for t in times])
        )
    return Samples(spec.entity, interval, times, values)


def _metric_id(counter: Counter, instance: str) -> Any:
    return PM.MetricId(counterId=counter.key, instance=instance)


def _stamp(ms: int) -> str:
    return _time(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def written(samples: Samples, format_: str) -> Any:
    """A query's samples as ``PerfEntityMetric`` or, for ``csv``, ``PerfEntityMetricCSV``."""
    if format_ == CSV:
        return PM.EntityMetricCSV(
            entity=samples.entity,
            sampleInfoCSV=",".join(f"{samples.interval},{_stamp(t)}" for t in samples.times),
            value=[
                PM.MetricSeriesCSV(id=_metric_id(c, i), value=",".join(str(v) for v in vs))
                for c, i, vs in samples.values
            ],
        )
    return PM.EntityMetric(
        entity=samples.entity,
        sampleInfo=[PM.SampleInfo(timestamp=_time(t), interval=samples.interval) for t in samples.times],
        value=[PM.IntSeries(id=_metric_id(c, i), value=vs) for c, i, vs in samples.values],
    )


def _format(spec: Any) -> str:
    format_ = spec.format or NORMAL
    if format_ not in (NORMAL, CSV):
        raise faults.invalid_argument("querySpec.format")
    return format_


def methods() -> list[Method]:
    def query_counter(_context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        return [perf_counters.counter_info(k) for k in args["counterId"] if k in BY_KEY]

    def query_counter_by_level(_context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        if not 1 <= args["level"] <= 4:
            raise faults.invalid_argument("level")
        return [perf_counters.counter_info(c.key) for c in CATALOGUE if c.level <= args["level"]]

    def provider_summary(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        kind = _kind(_entity(context, args["entity"]))
        current = kind in REALTIME
        return PM.ProviderSummary(
            entity=args["entity"],
            currentSupported=current,
            summarySupported=bool(kind),
            refreshRate=REALTIME_SECONDS if current else -1,
        )

    def available_metric(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        o = _entity(context, args["entity"])
        pairs = available(o, args.get("intervalId"))
        return [_metric_id(c, i) for c, i in pairs]

    def query_perf(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        found = []
        for spec in args["querySpec"]:
            format_ = _format(spec)
            samples = query(context, spec)
            if samples is not None:
                found.append(written(samples, format_))
        return found

    def query_composite(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        spec = args["querySpec"]
        format_ = _format(spec)
        host = _entity(context, spec.entity)
        if host.kind != inv.HOST:
            raise faults.invalid_argument("querySpec.entity")
        samples = query(context, spec)
        children = []
        for vm in context.world.inventory_graph.vms_of([host.moid], inv.HOST, inventory.sight(context)):
            child = vim.PerformanceManager.QuerySpec(
                entity=vim.VirtualMachine(vm.moid),
                startTime=spec.startTime,
                endTime=spec.endTime,
                maxSample=spec.maxSample,
                metricId=spec.metricId,
                intervalId=spec.intervalId,
                format=spec.format,
            )
            if (found := query(context, child)) is not None:
                children.append(written(found, format_))
        return PM.CompositeEntityMetric(
            entity=written(samples, format_) if samples is not None else None, childEntity=children
        )

    receivers = frozenset({"PerformanceManager"})
    return [
        Method(name, run, receivers, PERF_MANAGER)
        for name, run in (
            ("QueryPerfCounter", query_counter),
            ("QueryPerfCounterByLevel", query_counter_by_level),
            ("QueryPerfProviderSummary", provider_summary),
            ("QueryAvailablePerfMetric", available_metric),
            ("QueryPerf", query_perf),
            ("QueryPerfComposite", query_composite),
        )
    ]


def family() -> Family:
    """The PerformanceManager's properties."""

    def read(context: Context, _kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        if PERF_MANAGER not in moids:
            return {}
        values = {
            "perfCounter": lambda: [perf_counters.counter_info(c.key) for c in CATALOGUE],
            "historicalInterval": historical_intervals,
            "description": perf_counters.description,
        }
        return {PERF_MANAGER: {p: values[p]() for p in paths if p in values}}

    paths = ["description", "historicalInterval", "perfCounter"]
    return Family(frozenset({"PerformanceManager"}), read, lambda _kind: paths)
