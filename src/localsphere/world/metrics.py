"""Simulated performance metrics of the inventory, the same from every worker and after every restart.

A VM's value of a stat at time ``t`` is a pure function of (VM, stat key, t): a level, a daily wave
and a little noise. Each term is linear in per-VM coefficients drawn from a hash, and the noise is a
weighted sum of a few series shared by every VM, so the sum over many VMs is the same formula with
summed coefficients. That makes roll-ups exact and cheap: a host's CPU is the sum of its VMs', a
cluster's the sum of its hosts', without evaluating each VM at each instant.

Samples fall on the five-minute grid Operations collects on, from the object's creation time to
the world clock's now. Values pushed from outside (``POST .../stats``) are kept in the store and
take the place of a simulated sample at the same instant.

Every stat key of ``world.metric_keys`` (the product's catalogue, with where it comes from) reads
one measure of this model: a sum of VM waves (CPU, memory, disk, network), the capacity of the
hosts beneath, a census of the inventory (``summary|total_number_vms`` of a host counts its VMs,
of the vCenter every VM), or the object itself (badges, ``sys|...``). An instance of a family
(``cpu:0``, ``virtualDisk:scsi0:0``, ``net:4000``) takes a fixed share of its object's whole, so
the instances add up (or average) to the flat key and to ``...:Aggregate of all instances``.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import ColumnElement, case, delete, func, insert, select
from sqlalchemy.engine import Connection

from localsphere.world import inventory as inv
from localsphere.world import metric_keys
from localsphere.world.clock import Clock
from localsphere.world.copies import Copies
from localsphere.world.errors import Invalid, bounded_text
from localsphere.world.inventory import ObjectView
from localsphere.world.metric_keys import StatKey
from localsphere.world.schema import ExternalStat, ManagedObject
from localsphere.world.state import WorldState
from localsphere.world.store import INVENTORY, STATS, Store, changed

INTERVAL_MS = 300_000  # Operations' five-minute collection cycle
DAY_MS = 86_400_000
NOISE_SERIES = 3
HOST_MHZ_PER_CORE = 2600
HOST_NICS = 2  # physical NICs of a host: net:vmnic0, net:vmnic1
ACTIVE_SHARE = 0.6  # of consumed memory, actively used
IO_KB = 16  # KB an I/O moves on average
PACKET_BYTES = 1500
STAT_KEY_LENGTH = 255  # of a pushed stat key
MAX_SAMPLES = 2_000_000  # simulated samples one request may evaluate, summed over its stats
_WORDS = struct.Struct("<8I")

# The quantities simulated per VM and the range of each level: a fraction of its CPUs or memory,
# or a rate in KBps. Disk and network rates are read + write and received + transmitted.
_RANGES = {
    "cpu": (0.15, 0.55),
    "mem": (0.30, 0.70),
    "disk_read": (100.0, 2500.0),
    "disk_write": (100.0, 1500.0),
    "net_rx": (25.0, 1200.0),
    "net_tx": (25.0, 800.0),
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
    MHz, memory in KB, disk and network in KBps; and what the hosts beneath offer. Only the
    ``quantities`` a query needs are summed: a cluster of 100,000 VMs is a long sum."""

    quantities: frozenset[str]
    waves: dict[str, _Wave] = field(default_factory=dict)
    capacity: tuple[float, float] = (0.0, 0.0)  # CPU (MHz) and memory (KB) offered

    def add_vm(self, vm_uuid: str, cpus: int, memory_mib: int) -> None:
        scales = {"cpu": cpus * HOST_MHZ_PER_CORE, "mem": memory_mib * 1024}
        for quantity in self.quantities:
            self.waves.setdefault(quantity, _Wave()).add(
                _vm_wave(vm_uuid, quantity), scales.get(quantity, 1.0)
            )

    def at(self, quantity: str, t_ms: int) -> float:
        wave = self.waves.get(quantity)
        return wave.at(quantity, t_ms) if wave else 0.0


@dataclass
class _Context:
    """What the measures of one object read: the object, its VMs' load, and its census: how
    many objects of each kind it holds (a VM's host, cluster, pool, datacenter, folder or datastore
    holds it; the vCenter, everything) and the space of its datastores."""

    o: ObjectView
    load: _Load
    census: dict[str, float]

    def at(self, quantity: str, t_ms: int) -> float:
        return self.load.at(quantity, t_ms)


def _pct(part: float, whole: float) -> float:
    return 100 * part / whole if whole else 0.0


def _gib(n: int | None) -> float:
    return (n or 0) / (1 << 30)


def badge_scores(o: ObjectView) -> tuple[float, float, float]:
    """Health, risk and efficiency: an object without data (a VM that is not powered on, a host
    vCenter is not connected to: they report nothing) is unknown, -1; everything else is green:
    100, 0 and 100."""
    if (o.kind == inv.VM and o.power_state != inv.POWERED_ON) or (
        o.kind == inv.HOST and o.subtype not in (None, "CONNECTED")
    ):
        return -1.0, -1.0, -1.0
    return 100.0, 0.0, 100.0


def _latency(o: ObjectView, which: int) -> float:
    """A VM's virtual disk latency in ms: a level of its own from 0.5 to 4.5 ms."""
    return 0.5 + 4 * _unit_floats(o.uuid, "latency")[which] if o.power_state == inv.POWERED_ON else 0.0


Measure = Callable[[_Context, int], float]
# measure -> (the VM quantities it sums, whether it reads capacity, how it is computed)
_MEASURES: dict[str, tuple[tuple[str, ...], bool, Measure]] = {
    "cpu_mhz": (("cpu",), False, lambda c, t: c.at("cpu", t)),
    "cpu_pct": (("cpu",), True, lambda c, t: _pct(c.at("cpu", t), c.load.capacity[0])),
    "cpu_capacity": ((), True, lambda c, t: c.load.capacity[0]),
    "cores": ((), True, lambda c, t: c.load.capacity[0] / HOST_MHZ_PER_CORE),
    "mem_kb": (("mem",), False, lambda c, t: c.at("mem", t)),
    "mem_active_kb": (("mem",), False, lambda c, t: ACTIVE_SHARE * c.at("mem", t)),
    "mem_pct": (("mem",), True, lambda c, t: _pct(c.at("mem", t), c.load.capacity[1])),
    "mem_capacity": ((), True, lambda c, t: c.load.capacity[1]),
    "workload": (
        ("cpu", "mem"),
        True,
        lambda c, t: max(_pct(c.at("cpu", t), c.load.capacity[0]), _pct(c.at("mem", t), c.load.capacity[1])),
    ),
    "disk_read": (("disk_read",), False, lambda c, t: c.at("disk_read", t)),
    "disk_write": (("disk_write",), False, lambda c, t: c.at("disk_write", t)),
    "disk_kbps": (
        ("disk_read", "disk_write"),
        False,
        lambda c, t: c.at("disk_read", t) + c.at("disk_write", t),
    ),
    "read_iops": (("disk_read",), False, lambda c, t: c.at("disk_read", t) / IO_KB),
    "write_iops": (("disk_write",), False, lambda c, t: c.at("disk_write", t) / IO_KB),
    "read_latency": ((), False, lambda c, t: _latency(c.o, 0)),
    "write_latency": ((), False, lambda c, t: _latency(c.o, 1)),
    "net_rx": (("net_rx",), False, lambda c, t: c.at("net_rx", t)),
    "net_tx": (("net_tx",), False, lambda c, t: c.at("net_tx", t)),
    "net_kbps": (("net_rx", "net_tx"), False, lambda c, t: c.at("net_rx", t) + c.at("net_tx", t)),
    "packets_rx": (
        ("net_rx",),
        False,
        lambda c, t: c.at("net_rx", t) * 1024 * INTERVAL_MS / 1000 / PACKET_BYTES,
    ),
    "packets_tx": (
        ("net_tx",),
        False,
        lambda c, t: c.at("net_tx", t) * 1024 * INTERVAL_MS / 1000 / PACKET_BYTES,
    ),
    "zero": ((), False, lambda c, t: 0.0),
    "health": ((), False, lambda c, t: badge_scores(c.o)[0]),
    "risk": ((), False, lambda c, t: badge_scores(c.o)[1]),
    "efficiency": ((), False, lambda c, t: badge_scores(c.o)[2]),
    "vcpus": ((), False, lambda c, t: float(c.o.cpu_count or 0)),
    "vm_datastores": (
        (),
        False,
        lambda c, t: float(len({d["datastore"] for d in c.o.details.get("disks", [])})),
    ),
    "powered_on": ((), False, lambda c, t: 1.0 if c.o.power_state == inv.POWERED_ON else 0.0),
    "uptime": ((), False, lambda c, t: inv.uptime(c.o, t / 1000)),
    "ds_total_gb": ((), False, lambda c, t: _gib(c.o.capacity)),
    "ds_used_gb": ((), False, lambda c, t: _gib((c.o.capacity or 0) - (c.o.free_space or 0))),
    "ds_free_gb": ((), False, lambda c, t: _gib(c.o.free_space)),
    "ds_used_pct": (
        (),
        False,
        lambda c, t: _pct((c.o.capacity or 0) - (c.o.free_space or 0), c.o.capacity or 0),
    ),
}
# Measures read from the census: the same at every instant.
CENSUS = (
    "vms",
    "running_vms",
    "running_vcpus",
    "hosts",
    "running_hosts",
    "clusters",
    "datacenters",
    "datastores",
    "space_total_gb",
    "space_used_gb",
)


@lru_cache(maxsize=65536)
def _shares(o_uuid: str, family: str, count: int) -> tuple[float, ...]:
    """How an object's whole splits over ``count`` instances of a family: weights from 0.9 to 1.1,
    summing to 1."""
    weights = [0.9 + 0.2 * _unit_floats(o_uuid, family, str(i))[0] for i in range(count)]
    total = sum(weights)
    return tuple(w / total for w in weights)


def kind_of(o: ObjectView) -> str:
    """The catalogue kind of an object: the root folder stands for the vCenter."""
    return inv.VCENTER if o.moid == inv.ROOT_FOLDER else o.kind


def instances(o: ObjectView, family: str) -> list[str]:
    """The instances of a family an object has: its CPUs (a VM's vCPUs, a host's cores), a VM's
    virtual disks (``scsi0:0``...) and NICs (by device key, ``4000``), a host's physical NICs."""
    if family == "cpu":
        return [str(i) for i in range(o.cpu_count or 0)]
    if family == "virtualDisk":
        return [f"scsi0:{i}" for i in range(len(o.details.get("disks", [])))]
    if o.kind == inv.VM:
        return [str(nic["key"]) for nic in o.details.get("nics", [])]
    return [f"vmnic{i}" for i in range(HOST_NICS)]


def _resolve(o: ObjectView, key: str) -> tuple[StatKey, float] | None:
    """The catalogue entry a key of ``o`` reads and the factor its instance takes of the whole,
    or None when ``o`` has no such simulated key."""
    found = metric_keys.flat(kind_of(o), key)
    if found is None:
        return None
    entry, instance = found
    if instance is None or instance == metric_keys.AGGREGATE:
        return entry, 1.0
    names = instances(o, entry.family)
    if instance not in names:
        return None
    share = _shares(o.uuid, entry.family, len(names))[names.index(instance)]
    return entry, share if entry.fold == metric_keys.SUM else share * len(names)


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
        # (moid, key, first instant, instants, step) -> the values at each instant
        self._computed: Copies[tuple[str, str, int, int, int], tuple[float, ...]] = Copies(
            store.generations[INVENTORY], max_age, limit=1000
        )
        # None -> the resources anything was ever pushed to (most never are: no query for them)
        self._pushed_to: Copies[None, frozenset[str]] = Copies(store.generations[STATS], max_age)

    @staticmethod
    def keys_of(kind: str) -> tuple[StatKey, ...]:
        """A kind's flat keys (``inv.VCENTER`` for the vCenter)."""
        return metric_keys.keys_of(kind)

    @staticmethod
    def own_keys(o: ObjectView) -> list[str]:
        """The simulated keys of an object: its kind's flat keys, then each instance's and the
        aggregate of all instances."""
        flat = metric_keys.keys_of(kind_of(o))
        each = [
            metric_keys.instance_key(entry, name)
            for entry in flat
            if entry.fold is not None
            for name in instances(o, entry.family)
        ]
        aggregates = [
            metric_keys.instance_key(entry, metric_keys.AGGREGATE)
            for entry in flat
            if entry.fold is not None and metric_keys.INSTANCED[entry.family]
        ]
        return [k.key for k in flat] + each + aggregates

    def stat_keys(self, o: ObjectView) -> list[str]:
        """The keys an object has data for: its own, then those pushed to it."""
        with self._store.query() as conn:
            pushed = conn.scalars(
                select(ExternalStat.stat_key).where(ExternalStat.resource == o.uuid).distinct()
            ).all()
        own = self.own_keys(o)
        return own + sorted(set(pushed) - set(own))

    def series(
        self,
        o: ObjectView,
        keys: list[str] | None,
        begin_ms: int | None,
        end_ms: int | None,
        latest: int = 0,
        step_ms: int = INTERVAL_MS,
    ) -> list[Series]:
        """Raw samples of ``keys`` (None: all the object's) between ``begin_ms`` and ``end_ms``
        (inclusive, clipped to the object's life up to now), or with ``latest`` > 0, only that
        many most recent samples of each key, however old. Only the keys asked are computed.
        ``step_ms``: the grid's spacing (vSphere's realtime samples are 20 s apart); a divisor of
        ``INTERVAL_MS`` gives the same values at the five-minute instants."""
        with self._store.query() as conn:
            now_ms = int(self._state.reading().now * 1000)
            start = math.ceil(o.created_at * 1000 / step_ms) * step_ms
            end = min(now_ms if end_ms is None else end_ms, now_ms)
            if latest:
                begin = max(start, (end // step_ms - latest + 1) * step_ms)
            else:
                begin = max(start, begin_ms if begin_ms is not None else end - DAY_MS)
            wanted = list(keys) if keys is not None else self.own_keys(o)
            simulated = {k: r for k in wanted if (r := _resolve(o, k)) is not None}
            pushed = (
                self._pushed(conn, o.uuid, keys, 0 if latest else begin, end)
                if self._has_pushed(conn, o.uuid)
                else {}
            )
            if keys is None:
                wanted += sorted(set(pushed) - set(simulated))
            grid = list(range(math.ceil(begin / step_ms) * step_ms, end + 1, step_ms))
            if len(grid) * len(simulated) > MAX_SAMPLES:
                raise Invalid(
                    "stats.too_many",
                    f"The query asks for {len(grid) * len(simulated)} samples; narrow begin and end",
                )
            computed = self._compute(conn, o, simulated, grid, step_ms)
        found = []
        for key in wanted:
            points = dict(zip(grid, computed[key], strict=True)) if key in computed else {}
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
        self,
        conn: Connection,
        o: ObjectView,
        keys: dict[str, tuple[StatKey, float]],
        grid: list[int],
        step_ms: int = INTERVAL_MS,
    ) -> dict[str, tuple[float, ...]]:
        """The simulated values of ``keys`` (each with its entry and instance factor) at each
        instant of ``grid``, kept or computed; each measure is evaluated once, for the keys that
        need it, and only the load and census those measures read are gathered."""
        tag = self._computed.tag()
        first = grid[0] if grid else 0
        found = {}
        for key in keys:
            kept = self._computed.get((o.moid, key, first, len(grid), step_ms))
            if kept is not None:
                found[key] = kept
        missing = {k: r for k, r in keys.items() if k not in found}
        if not missing:
            return found
        measures = {entry.measure for entry, _ in missing.values()}
        quantities = frozenset(q for m in measures if m in _MEASURES for q in _MEASURES[m][0])
        capacity = any(_MEASURES[m][1] for m in measures if m in _MEASURES)
        context = _Context(
            o,
            self._load(conn, o, quantities) if quantities or capacity else _Load(quantities),
            self._census(conn, o) if measures & set(CENSUS) else {},
        )
        wholes: dict[str, list[float]] = {}
        for measure in measures:
            if measure in _MEASURES:
                compute = _MEASURES[measure][2]
                wholes[measure] = [compute(context, t) for t in grid]
            else:
                wholes[measure] = [context.census[measure]] * len(grid)
        for key, (entry, factor) in missing.items():
            found[key] = tuple(round(v * factor, 3) for v in wholes[entry.measure])
            self._computed.put(tag, (o.moid, key, first, len(grid), step_ms), found[key])
        return found

    @staticmethod
    def _scope(conn: Connection, o: ObjectView) -> list[ColumnElement[bool]]:
        """Where the objects ``o`` holds are: by the column naming it, under its path (a folder),
        with a disk on it (a datastore); the vCenter holds everything."""
        if o.moid == inv.ROOT_FOLDER:
            return []
        if o.kind == inv.DATASTORE:
            on_it = ManagedObject.details.contains(f'"datastore": "{o.moid}"', autoescape=True)
            return [ManagedObject.kind == inv.VM, on_it]
        if o.kind == inv.FOLDER:
            path = conn.scalar(select(ManagedObject.path).where(ManagedObject.moid == o.moid)) or "/"
            return [ManagedObject.path.startswith(path, autoescape=True), ManagedObject.moid != o.moid]
        return [_MEMBERS[o.kind] == o.moid]

    def _load(self, conn: Connection, o: ObjectView, quantities: frozenset[str]) -> _Load:
        """The summed waves of the powered-on VMs the object holds (a VM: itself), and the
        capacity of the hosts beneath (a pool offers its cluster's: pools here have no limits)."""
        if o.kind in _HELD_BY:
            return self._loads(conn, [o], quantities)[o.moid]
        if o.kind == inv.VM:
            return _vm_load(o, quantities)
        load = _Load(quantities)
        scope = self._scope(conn, o)
        if quantities:
            rows = conn.execute(
                select(ManagedObject.uuid, ManagedObject.cpu_count, ManagedObject.memory_mib)
                .where(*scope, ManagedObject.kind == inv.VM, ManagedObject.power_state == inv.POWERED_ON)
                .order_by(ManagedObject.moid)
            )
            for vm_uuid, cpus, memory in rows:
                load.add_vm(vm_uuid, cpus or 1, memory or 0)
        cpus, memory = conn.execute(
            select(func.sum(ManagedObject.cpu_count), func.sum(ManagedObject.memory_mib)).where(
                *scope, ManagedObject.kind == inv.HOST
            )
        ).one()
        load.capacity = (float(cpus or 0) * HOST_MHZ_PER_CORE, float(memory or 0) * 1024)
        return load

    @staticmethod
    def _loads(conn: Connection, objects: list[ObjectView], quantities: frozenset[str]) -> dict[str, _Load]:
        """``_load`` of many hosts, clusters and pools at once (each kind's VMs in one query, in
        id order: the same sums, to the last bit, as one object's), by id."""
        loads = {o.moid: _Load(quantities) for o in objects}
        for kind, column in _HELD_BY.items():
            owners = sorted({o.moid for o in objects if o.kind == kind})
            for start in range(0, len(owners) if quantities else 0, CHUNK):
                rows = conn.execute(
                    select(column, ManagedObject.uuid, ManagedObject.cpu_count, ManagedObject.memory_mib)
                    .where(
                        column.in_(owners[start : start + CHUNK]),
                        ManagedObject.kind == inv.VM,
                        ManagedObject.power_state == inv.POWERED_ON,
                    )
                    .order_by(ManagedObject.moid)
                )
                for owner, vm_uuid, cpus, memory in rows:
                    loads[owner].add_vm(vm_uuid, cpus or 1, memory or 0)
        clusters = sorted({_cluster(o) for o in objects if o.kind in (inv.CLUSTER, inv.POOL)})
        offered = (
            {
                cluster: (float(cpus or 0) * HOST_MHZ_PER_CORE, float(memory or 0) * 1024)
                for cluster, cpus, memory in conn.execute(
                    select(
                        ManagedObject.cluster,
                        func.sum(ManagedObject.cpu_count),
                        func.sum(ManagedObject.memory_mib),
                    )
                    .where(ManagedObject.kind == inv.HOST, ManagedObject.cluster.in_(clusters))
                    .group_by(ManagedObject.cluster)
                )
            }
            if clusters
            else {}
        )
        for o in objects:
            if o.kind == inv.HOST:
                loads[o.moid].capacity = ((o.cpu_count or 0) * HOST_MHZ_PER_CORE, (o.memory_mib or 0) * 1024)
            else:
                loads[o.moid].capacity = offered.get(_cluster(o), (0.0, 0.0))
        return loads

    def at(self, objects: list[ObjectView], keys: list[str], t_ms: int) -> dict[str, dict[str, float]]:
        """The values of ``keys`` of many VMs, hosts, clusters and pools at the one instant
        ``t_ms`` (epoch ms), as ``series`` gives them at that instant (a value pushed for it in
        place of the simulated one), by id then key: the VMs the hosts, clusters and pools hold
        are read in one query per kind for all of them. Keys an object does not have, and
        census keys (counts of what an object holds), are absent."""
        wanted = {
            o.moid: {k: r for k in keys if (r := _resolve(o, k)) is not None and r[0].measure in _MEASURES}
            for o in objects
            if o.kind in _HELD_BY or o.kind == inv.VM
        }
        measures = {entry.measure for found in wanted.values() for entry, _ in found.values()}
        quantities = frozenset(q for m in measures for q in _MEASURES[m][0])
        held = [o for o in objects if o.moid in wanted and o.kind in _HELD_BY]
        with self._store.query() as conn:
            loads = self._loads(conn, held, quantities) if held else {}
            uuids = sorted(o.uuid for o in objects if o.moid in wanted and self._has_pushed(conn, o.uuid))
            pushed = (
                {
                    (resource, key): value
                    for resource, key, value in conn.execute(
                        select(ExternalStat.resource, ExternalStat.stat_key, ExternalStat.value).where(
                            ExternalStat.resource.in_(uuids),
                            ExternalStat.at_ms == t_ms,
                            ExternalStat.stat_key.in_(keys),
                        )
                    )
                }
                if uuids
                else {}
            )
        found: dict[str, dict[str, float]] = {}
        for o in objects:
            if o.moid not in wanted:
                continue
            context = _Context(o, loads[o.moid] if o.kind in _HELD_BY else _vm_load(o, quantities), {})
            found[o.moid] = {
                key: pushed.get((o.uuid, key), round(_MEASURES[entry.measure][2](context, t_ms) * factor, 3))
                for key, (entry, factor) in wanted[o.moid].items()
            }
        return found

    def _census(self, conn: Connection, o: ObjectView) -> dict[str, float]:
        """The counts of what ``o`` holds, in one grouped read."""
        on = ManagedObject.power_state == inv.POWERED_ON
        rows = conn.execute(
            select(
                ManagedObject.kind,
                func.count(),
                func.sum(case((on, 1), else_=0)),
                func.sum(case((on, ManagedObject.cpu_count), else_=0)),
                func.sum(ManagedObject.capacity),
                func.sum(ManagedObject.free_space),
            )
            .where(*self._scope(conn, o), ManagedObject.kind.in_(_COUNTED))
            .group_by(ManagedObject.kind)
        )
        by_kind = {
            kind: (total, running, vcpus, space, free) for kind, total, running, vcpus, space, free in rows
        }
        vms = by_kind.get(inv.VM, (0, 0, 0, 0, 0))
        hosts = by_kind.get(inv.HOST, (0, 0, 0, 0, 0))
        datastores = by_kind.get(inv.DATASTORE, (0, 0, 0, 0, 0))
        counts = {
            "vms": vms[0],
            "running_vms": vms[1],
            "running_vcpus": vms[2],
            "hosts": hosts[0],
            "running_hosts": hosts[1],
            "clusters": by_kind.get(inv.CLUSTER, (0,))[0],
            "datacenters": by_kind.get(inv.DATACENTER, (0,))[0],
            "datastores": datastores[0],
            "space_total_gb": _gib(datastores[3]),
            "space_used_gb": _gib((datastores[3] or 0) - (datastores[4] or 0)),
        }
        return {k: float(v or 0) for k, v in counts.items()}


# Where each kind's VMs (and hosts, clusters, datastores) are found, for the sums and counts.
_MEMBERS = {
    inv.HOST: ManagedObject.host,
    inv.CLUSTER: ManagedObject.cluster,
    inv.POOL: ManagedObject.pool,
    inv.DATACENTER: ManagedObject.datacenter,
}


def _vm_load(o: ObjectView, quantities: frozenset[str]) -> _Load:
    """A VM's own load (none when it is not powered on), and its configured CPU and memory."""
    load = _Load(quantities)
    if o.power_state == inv.POWERED_ON:
        load.add_vm(o.uuid, o.cpu_count or 1, o.memory_mib or 0)
    load.capacity = ((o.cpu_count or 1) * HOST_MHZ_PER_CORE, (o.memory_mib or 0) * 1024)
    return load


def _cluster(o: ObjectView) -> str:
    """The cluster a cluster or a pool offers the capacity of."""
    return o.moid if o.kind == inv.CLUSTER else o.cluster or ""


# The kinds whose VMs ``_loads`` reads in bulk, by the column naming them.
_HELD_BY = {inv.HOST: ManagedObject.host, inv.CLUSTER: ManagedObject.cluster, inv.POOL: ManagedObject.pool}
CHUNK = 500  # ids in one IN list
_COUNTED = (inv.VM, inv.HOST, inv.CLUSTER, inv.DATACENTER, inv.DATASTORE)
