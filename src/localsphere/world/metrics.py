"""Simulated performance metrics of the inventory, the same from every worker and after every restart.

A VM's value of a stat at time ``t`` is a pure function of (VM, stat key, t): a level, a daily wave
and a little noise. Each term is linear in per-VM coefficients drawn from a hash, and the noise is a
weighted sum of a few series shared by every VM, so the sum over many VMs is the same formula with
summed coefficients. That makes roll-ups exact and cheap: a host's CPU is the sum of its VMs', a
cluster's the sum of its hosts', without evaluating each VM at each instant.

Samples fall on the five-minute grid Operations collects on, from the object's creation time to
the world clock's now. Values pushed from outside (``POST .../stats``) are kept in the store and
take the place of a simulated sample at the same instant.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from localsphere.world import inventory as inv
from localsphere.world.clock import Clock
from localsphere.world.copies import Copies
from localsphere.world.errors import Invalid, bounded_text
from localsphere.world.inventory import ObjectView
from localsphere.world.schema import ExternalStat, ManagedObject
from localsphere.world.state import WorldState
from localsphere.world.store import INVENTORY, STATS, Store, changed

INTERVAL_MS = 300_000  # Operations' five-minute collection cycle
DAY_MS = 86_400_000
NOISE_SERIES = 3
HOST_MHZ_PER_CORE = 2600
STAT_KEY_LENGTH = 255  # of a pushed stat key
MAX_SAMPLES = 2_000_000  # simulated samples one request may evaluate, summed over its stats
_WORDS = struct.Struct("<8I")


@dataclass(frozen=True)
class StatKey:
    key: str
    unit: str
    description: str


def _keys(*items: tuple[str, str, str]) -> tuple[StatKey, ...]:
    return tuple(StatKey(*i) for i in items)


_COMPUTE = _keys(
    ("cpu|usage_average", "%", "CPU usage as a percentage of capacity"),
    ("cpu|usagemhz_average", "MHz", "CPU usage"),
    ("mem|usage_average", "%", "Memory usage as a percentage of capacity"),
    ("mem|consumed_average", "KB", "Memory consumed"),
    ("disk|usage_average", "KBps", "Disk I/O rate"),
    ("net|usage_average", "KBps", "Network I/O rate"),
)
_CAPACITY = _keys(
    ("cpu|capacity_provisioned", "MHz", "CPU capacity"),
    ("mem|host_provisioned", "KB", "Memory capacity"),
)
STAT_KEYS: dict[str, tuple[StatKey, ...]] = {
    inv.VM: (*_COMPUTE, *_keys(("sys|poweredOn", "", "1 when the VM is powered on"))),
    inv.HOST: (*_COMPUTE, *_CAPACITY),
    inv.CLUSTER: (*_COMPUTE, *_CAPACITY),
    inv.POOL: _COMPUTE,
    inv.DATACENTER: (*_COMPUTE, *_CAPACITY),
    inv.DATASTORE: _keys(
        ("capacity|total_capacity", "GB", "Total capacity"),
        ("capacity|used_space", "GB", "Used space"),
        ("capacity|usedSpacePct", "%", "Used space as a percentage of capacity"),
    ),
}
# The quantities simulated per VM and the range of each level: a fraction of its CPUs or memory,
# or a rate in KBps.
_RANGES = {
    "cpu": (0.15, 0.55),
    "mem": (0.30, 0.70),
    "disk": (200.0, 4000.0),
    "net": (50.0, 2000.0),
}
# Where each kind's VMs are found, for the sums.
_MEMBERS = {
    inv.HOST: ManagedObject.host,
    inv.CLUSTER: ManagedObject.cluster,
    inv.POOL: ManagedObject.pool,
    inv.DATACENTER: ManagedObject.datacenter,
}


def _unit_floats(*parts: str) -> tuple[float, ...]:
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=32).digest()
    return tuple(w / 0xFFFFFFFF for w in _WORDS.unpack(digest))


@dataclass
class _Wave:
    """``level + a·sin + b·cos + Σ wₖ·noiseₖ`` over the day: linear in its coefficients, so
    waves of many VMs add up into one."""

    level: float = 0.0
    sin: float = 0.0
    cos: float = 0.0
    noise: tuple[float, ...] = (0.0,) * NOISE_SERIES

    def add(self, other: _Wave, scale: float) -> None:
        self.level += other.level * scale
        self.sin += other.sin * scale
        self.cos += other.cos * scale
        self.noise = tuple(a + b * scale for a, b in zip(self.noise, other.noise, strict=True))

    def at(self, quantity: str, t_ms: int) -> float:
        angle = 2 * math.pi * (t_ms % DAY_MS) / DAY_MS
        value = self.level + self.sin * math.sin(angle) + self.cos * math.cos(angle)
        if any(self.noise):
            shared = _shared_noise(quantity, t_ms // INTERVAL_MS)
            value += sum(w * (2 * n - 1) for w, n in zip(self.noise, shared, strict=False))
        return value


@lru_cache(maxsize=16384)
def _shared_noise(quantity: str, interval: int) -> tuple[float, ...]:
    """The noise series' values in one five-minute interval: the same for every object, and a
    day's queries ask for the same 288 intervals again and again."""
    return _unit_floats(quantity, str(interval))


@lru_cache(maxsize=65536)
def _vm_wave(vm_uuid: str, quantity: str) -> _Wave:
    """One VM's fraction or rate: a level within the quantity's range, a daily swing of up to
    40 % of it peaking at a time of day of its own, and up to 10 % noise per shared series; it
    never leaves (0, 1) for fractions. Remembered (the VMs of a host are summed on every query
    of it): never change the wave it gives."""
    low, high = _RANGES[quantity]
    r = _unit_floats(vm_uuid, quantity)
    level = low + (high - low) * r[0]
    swing, phase = 0.4 * level * r[1], 2 * math.pi * r[2]
    return _Wave(
        level,
        swing * math.sin(phase),
        swing * math.cos(phase),
        tuple(0.1 * level * (2 * x - 1) for x in r[3 : 3 + NOISE_SERIES]),
    )


@dataclass
class _Load:
    """What a set of VMs asks at each instant, per quantity, in the units of the stats: CPU in
    MHz, memory in KB, disk and network in KBps; and how many are powered on. Only the
    ``quantities`` a query needs are summed: a cluster of 100,000 VMs is a long sum."""

    quantities: frozenset[str]
    waves: dict[str, _Wave] = field(default_factory=dict)
    powered_on: int = 0
    capacity: tuple[float, float] = (0.0, 0.0)  # CPU (MHz) and memory (KB) offered

    def add_vm(self, vm_uuid: str, cpus: int, memory_mib: int) -> None:
        self.powered_on += 1
        scale = {"cpu": cpus * HOST_MHZ_PER_CORE, "mem": memory_mib * 1024, "disk": 1.0, "net": 1.0}
        for quantity in self.quantities:
            self.waves.setdefault(quantity, _Wave()).add(_vm_wave(vm_uuid, quantity), scale[quantity])

    def at(self, quantity: str, t_ms: int) -> float:
        wave = self.waves.get(quantity)
        return wave.at(quantity, t_ms) if wave else 0.0


@dataclass(frozen=True)
class Series:
    key: str
    timestamps: list[int]
    data: list[float]


class Metrics:
    """Simulated samples are computed from the inventory and the clock; each worker keeps the
    series it computed, per object, key and time grid, while the ``INVENTORY`` generation stays
    (``world.copies``): the same day of a host's CPU is asked for until the next five minutes."""

    def __init__(self, store: Store, clock: Clock, state: WorldState, max_age: float) -> None:
        self._store = store
        self._clock = clock
        self._state = state
        # (moid, key, first instant, instants) -> the values at each instant
        self._computed: Copies[tuple[str, str, int, int], tuple[float, ...]] = Copies(
            store.generations[INVENTORY], max_age, limit=1000
        )
        # None -> the resources anything was ever pushed to (most never are: no query for them)
        self._pushed_to: Copies[None, frozenset[str]] = Copies(store.generations[STATS], max_age)

    @staticmethod
    def keys_of(kind: str) -> tuple[StatKey, ...]:
        return STAT_KEYS.get(kind, ())

    def stat_keys(self, o: ObjectView) -> list[str]:
        """The keys an object has data for: its kind's, then those pushed to it."""
        with self._store.query() as conn:
            pushed = conn.scalars(
                select(ExternalStat.stat_key).where(ExternalStat.resource == o.uuid).distinct()
            ).all()
        own = [k.key for k in self.keys_of(o.kind)]
        return own + sorted(set(pushed) - set(own))

    def series(
        self, o: ObjectView, keys: list[str] | None, begin_ms: int | None, end_ms: int | None, latest: int = 0
    ) -> list[Series]:
        """Raw samples of ``keys`` (None: all the object's) between ``begin_ms`` and ``end_ms``
        (inclusive, clipped to the object's life up to now), or with ``latest`` > 0, only that
        many most recent samples of each key, however old."""
        with self._store.query() as conn:
            now_ms = int(self._state.reading().now * 1000)
            start = math.ceil(o.created_at * 1000 / INTERVAL_MS) * INTERVAL_MS
            end = min(now_ms if end_ms is None else end_ms, now_ms)
            if latest:
                begin = max(start, (end // INTERVAL_MS - latest + 1) * INTERVAL_MS)
            else:
                begin = max(start, begin_ms if begin_ms is not None else end - DAY_MS)
            own = {k.key for k in self.keys_of(o.kind)}
            wanted = keys if keys is not None else [k.key for k in self.keys_of(o.kind)]
            pushed = (
                self._pushed(conn, o.uuid, keys, 0 if latest else begin, end)
                if self._has_pushed(conn, o.uuid)
                else {}
            )
            if keys is None:
                wanted += sorted(set(pushed) - own)
            grid = list(range(math.ceil(begin / INTERVAL_MS) * INTERVAL_MS, end + 1, INTERVAL_MS))
            simulated = [k for k in wanted if k in own]
            if len(grid) * len(simulated) > MAX_SAMPLES:
                raise Invalid(
                    "stats.too_many",
                    f"The query asks for {len(grid) * len(simulated)} samples; narrow begin and end",
                )
            computed = self._compute(conn, o, simulated, grid)
        found = []
        for key in wanted:
            points = dict(zip(grid, computed[key], strict=True)) if key in own else {}
            points.update(pushed.get(key, {}))
            times = sorted(points)
            if latest:
                times = times[-latest:]
            if times:
                found.append(Series(key, times, [points[t] for t in times]))
        return found

    def push(self, o: ObjectView, contents: Iterable[tuple[str, list[int], list[float]]]) -> int:
        """Store samples pushed from outside; a sample at the same instant replaces the earlier one.
        Returns how many were stored."""
        rows = {}
        for key, timestamps, data in contents:
            bounded_text(key, "statKey", STAT_KEY_LENGTH)
            if len(timestamps) != len(data):
                raise Invalid("stats.mismatch", f"statKey {key} needs one value per timestamp", key)
            for t, value in zip(timestamps, data, strict=True):
                rows[(key, int(t))] = float(value)
        with self._store.write() as s:
            for key in {k for k, _ in rows}:
                s.execute(
                    delete(ExternalStat).where(
                        ExternalStat.resource == o.uuid,
                        ExternalStat.stat_key == key,
                        ExternalStat.at_ms.in_(sorted(t for k, t in rows if k == key)),
                    )
                )
            if rows:
                s.execute(
                    insert(ExternalStat),
                    [
                        {"resource": o.uuid, "stat_key": k, "at_ms": t, "value": v}
                        for (k, t), v in rows.items()
                    ],
                )
                changed(s, STATS)
        return len(rows)

    def _has_pushed(self, conn: Connection, resource: str) -> bool:
        known = self._pushed_to.kept(
            None, lambda: frozenset(conn.scalars(select(ExternalStat.resource).distinct()))
        )
        return resource in known

    @staticmethod
    def _pushed(
        conn: Connection, resource: str, keys: list[str] | None, begin: int, end: int
    ) -> dict[str, dict[int, float]]:
        query = select(ExternalStat.stat_key, ExternalStat.at_ms, ExternalStat.value).where(
            ExternalStat.resource == resource, ExternalStat.at_ms >= begin, ExternalStat.at_ms <= end
        )
        if keys is not None:
            query = query.where(ExternalStat.stat_key.in_(keys))
        found: dict[str, dict[int, float]] = {}
        for key, at, value in conn.execute(query):
            found.setdefault(key, {})[at] = value
        return found

    def _compute(
        self, conn: Connection, o: ObjectView, keys: list[str], grid: list[int]
    ) -> dict[str, tuple[float, ...]]:
        """The simulated values of ``keys`` at each instant of ``grid``, kept or computed."""
        tag = self._computed.tag()
        first = grid[0] if grid else 0
        found = {}
        for key in keys:
            kept = self._computed.get((o.moid, key, first, len(grid)))
            if kept is not None:
                found[key] = kept
        missing = [k for k in keys if k not in found]
        if missing:
            needed = frozenset(k.partition("|")[0] for k in missing) & set(_RANGES)
            load = self._load(conn, o, needed) if o.kind != inv.DATASTORE else None
            for key in missing:
                found[key] = tuple(_value(o, load, key, t) for t in grid)
                self._computed.put(tag, (o.moid, key, first, len(grid)), found[key])
        return found

    @staticmethod
    def _load(conn: Connection, o: ObjectView, quantities: frozenset[str]) -> _Load:
        """The summed waves of the powered-on VMs the object holds (a VM: itself)."""
        load = _Load(quantities)
        if o.kind == inv.VM:
            if o.power_state == inv.POWERED_ON:
                load.add_vm(o.uuid, o.cpu_count or 1, o.memory_mib or 0)
            load.capacity = ((o.cpu_count or 1) * HOST_MHZ_PER_CORE, (o.memory_mib or 0) * 1024)
            return load
        column = _MEMBERS.get(o.kind)
        if column is None:
            return load
        rows = conn.execute(
            select(ManagedObject.uuid, ManagedObject.cpu_count, ManagedObject.memory_mib).where(
                column == o.moid, ManagedObject.kind == inv.VM, ManagedObject.power_state == inv.POWERED_ON
            )
        )
        for vm_uuid, cpus, memory in rows:
            load.add_vm(vm_uuid, cpus or 1, memory or 0)
        if o.kind == inv.HOST:
            load.capacity = ((o.cpu_count or 0) * HOST_MHZ_PER_CORE, (o.memory_mib or 0) * 1024)
        else:  # the hosts beneath; a pool offers its cluster's (pools here have no limits)
            where = ManagedObject.cluster == o.cluster if o.kind == inv.POOL else column == o.moid
            cpus, memory = conn.execute(
                select(func.sum(ManagedObject.cpu_count), func.sum(ManagedObject.memory_mib)).where(
                    where, ManagedObject.kind == inv.HOST
                )
            ).one()
            load.capacity = ((cpus or 0) * HOST_MHZ_PER_CORE, (memory or 0) * 1024)
        return load


def _value(o: ObjectView, load: _Load | None, key: str, t: int) -> float:
    if o.kind == inv.DATASTORE:
        total = (o.capacity or 0) / (1 << 30)
        used = total - (o.free_space or 0) / (1 << 30)
        return {
            "capacity|total_capacity": total,
            "capacity|used_space": used,
            "capacity|usedSpacePct": 100 * used / total if total else 0.0,
        }[key]
    assert load is not None
    quantity, _, measure = key.partition("|")
    if key == "sys|poweredOn":
        return float(load.powered_on)
    cpu_capacity, mem_capacity = load.capacity
    if key == "cpu|capacity_provisioned":
        return float(cpu_capacity)
    if key == "mem|host_provisioned":
        return float(mem_capacity)
    amount = load.at(quantity, t)
    if measure == "usage_average" and quantity in ("cpu", "mem"):
        capacity = cpu_capacity if quantity == "cpu" else mem_capacity
        return round(100 * amount / capacity, 3) if capacity else 0.0
    return round(amount, 3)
