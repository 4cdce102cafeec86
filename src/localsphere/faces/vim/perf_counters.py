"""vCenter's performance counter catalogue, as ``PerformanceManager.perfCounter`` lists it, and
where each counter's values come from in the world's metric model (``world.metric_keys``): the
Operations stat key it reads and the factor from that key's unit to the counter's.

The counters are those monitoring exporters ask for (vmware_exporter; Telegraf's vSphere input's
default VM, host, cluster and datastore lists). Their ids, groups, names, roll-ups, units, stats
types, levels and per-device levels are a vCenter's own, as ``govc object.collect -s -dump
PerformanceManager:PerfMgr perfCounter`` shows them on a vCenter 6.x/7 (the capture govmomi's
``simulator/vpx/performance_manager.go`` keeps), as are their labels and summaries.

A percentage counter is in hundredths of a percent (vSphere's ``percent`` unit: 10000 is 100 %).
A ``summation`` counter sums over its sampling interval, so a per-five-minutes Operations key is
scaled to the interval asked; a CPU time counter (``cpu.used``, ``cpu.run``, milliseconds) is the
usage percentage's share of the interval (``MS_OF_PCT``), per CPU for an instance and in one CPU's
time for the aggregate. Counters the model has no source for (CPU ready, wait, idle, co-stop and
latency time, ballooning, swapping, page-fault latency, disk latency, dropped, broadcast,
multicast and erroneous packets, power draw: a simulated host never contends nor meters its
power) read 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pyVmomi import vim

from localsphere.world import inventory as inv
from localsphere.world import metric_keys

ENTITIES = (inv.VM, inv.HOST, inv.CLUSTER, inv.POOL, inv.DATACENTER, inv.DATASTORE)
REALTIME = (inv.VM, inv.HOST)  # the entities with 20-second samples (``currentSupported``)
SOURCE_INTERVAL = 300  # seconds each sample of an Operations ``_summation`` key sums over
REALTIME_SECONDS = 20  # the realtime sampling period

_GROUPS = {
    "cpu": "CPU",
    "mem": "Memory",
    "disk": "Disk",
    "net": "Network",
    "sys": "System",
    "virtualDisk": "Virtual disk",
    "datastore": "Datastore",
    "power": "Power",
}
# unit key -> (label, summary)
_UNITS = {
    "percent": ("%", "Percentage"),
    "megaHertz": ("MHz", "Megahertz"),
    "kiloBytes": ("KB", "Kilobyte"),
    "megaBytes": ("MB", "Megabyte"),
    "kiloBytesPerSecond": ("KBps", "Kilobytes per second"),
    "millisecond": ("ms", "Millisecond"),
    "second": ("s", "Second"),
    "number": ("num", "Number"),
    "watt": ("W", "Watt"),
}
ROLLUPS = ("average", "maximum", "minimum", "latest", "summation", "none")
STATS = ("absolute", "delta", "rate")


@dataclass(frozen=True)
class Counter:
    """One counter: vCenter's facts (``key``, ``group``.``name``.``rollup``, unit, stats type,
    level, per-device level, label, summary) and its source: the Operations stat key it reads
    (None: it reads 0 on ``kinds``) times ``scale``; ``devices``: whether it has instances (those
    of its source key's family: CPUs, NICs, virtual disks)."""

    key: int
    group: str
    name: str
    rollup: str
    unit: str
    stats: str
    level: int
    device_level: int
    label: str
    summary: str
    source: str | None
    scale: float = 1.0
    devices: bool = True
    kinds: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.group}.{self.name}.{self.rollup}"

    def has(self, kind: str) -> bool:
        """Whether an entity of ``kind`` has this counter."""
        if self.source is None:
            return kind in self.kinds
        return metric_keys.flat(kind, self.source) is not None

    def instanced(self, kind: str) -> bool:
        """Whether an entity of ``kind`` has this counter per instance too."""
        if not self.devices or self.source is None:
            return False
        found = metric_keys.flat(kind, self.source)
        return found is not None and found[0].fold is not None


PCT, GB_IN_KB = 100.0, float(1 << 20)
MS_OF_PCT = SOURCE_INTERVAL * 1000 / 100  # a percentage of a five-minute sum, in milliseconds
_ZERO = (inv.VM, inv.HOST)
CATALOGUE = (
    Counter(2, "cpu", "usage", "average", "percent", "rate", 1, 3, "Usage",
            "CPU usage as a percentage during the interval", "cpu|usage_average", PCT),
    Counter(6, "cpu", "usagemhz", "average", "megaHertz", "rate", 1, 3, "Usage in MHz",
            "CPU usage in megahertz during the interval", "cpu|usagemhz_average"),
    Counter(12, "cpu", "ready", "summation", "millisecond", "delta", 1, 3, "Ready",
            "Time that the virtual machine was ready, but could not get scheduled to run on the physical "
            "CPU during last measurement interval", None, kinds=_ZERO),
    Counter(11, "cpu", "wait", "summation", "millisecond", "delta", 3, 3, "Wait",
            "Total CPU time spent in wait state", None, kinds=_ZERO),
    Counter(13, "cpu", "idle", "summation", "millisecond", "delta", 2, 3, "Idle",
            "Total time that the CPU spent in an idle state", None, kinds=_ZERO),
    Counter(14, "cpu", "used", "summation", "millisecond", "delta", 3, 3, "Used", "Total CPU usage",
            "cpu|usage_average", MS_OF_PCT),
    Counter(386, "cpu", "swapwait", "summation", "millisecond", "delta", 3, 3, "Swap wait",
            "CPU time spent waiting for swap-in", None, kinds=_ZERO),
    Counter(396, "cpu", "latency", "average", "percent", "rate", 2, 3, "Latency",
            "Percent of time the virtual machine is unable to run because it is contending for access "
            "to the physical CPU(s)", None, kinds=_ZERO),
    Counter(399, "cpu", "costop", "summation", "millisecond", "delta", 2, 3, "Co-stop",
            "Time the virtual machine is ready to run, but is unable to run due to co-scheduling "
            "constraints", None, kinds=_ZERO),
    Counter(400, "cpu", "maxlimited", "summation", "millisecond", "delta", 2, 3, "Max limited",
            "Time the virtual machine is ready to run, but is not run due to maxing out its CPU limit "
            "setting", None, kinds=_ZERO),
    Counter(402, "cpu", "run", "summation", "millisecond", "delta", 2, 3, "Run",
            "Time the virtual machine is scheduled to run", "cpu|usage_average", MS_OF_PCT),
    Counter(404, "cpu", "readiness", "average", "percent", "rate", 4, 4, "Readiness",
            "Percentage of time that the virtual machine was ready, but could not get scheduled to run "
            "on the physical CPU", None, kinds=_ZERO),
    Counter(398, "cpu", "demand", "average", "megaHertz", "absolute", 2, 3, "Demand",
            "The amount of CPU resources a virtual machine would use if there were no CPU contention or "
            "CPU limit", "cpu|demandmhz"),
    Counter(24, "mem", "usage", "average", "percent", "absolute", 1, 3, "Host consumed %",
            "Percentage of host physical memory that has been consumed", "mem|usage_average", PCT),
    Counter(29, "mem", "granted", "average", "kiloBytes", "absolute", 2, 3, "Granted",
            "Amount of host physical memory or physical memory that is mapped for a virtual machine or a "
            "host", "mem|consumed_average"),
    Counter(33, "mem", "active", "average", "kiloBytes", "absolute", 2, 3, "Active",
            "Amount of guest physical memory that is being actively read or written by guest. Activeness "
            "is estimated by ESXi", "mem|active_average"),
    Counter(70, "mem", "swapped", "average", "kiloBytes", "absolute", 2, 3, "Swapped",
            "Amount of guest physical memory that is swapped out to the swap space", None, kinds=_ZERO),
    Counter(85, "mem", "swapinRate", "average", "kiloBytesPerSecond", "rate", 1, 3, "Swap in rate",
            "Rate at which guest physical memory is swapped in from the swap space", None, kinds=_ZERO),
    Counter(86, "mem", "swapoutRate", "average", "kiloBytesPerSecond", "rate", 1, 3, "Swap out rate",
            "Rate at which guest physical memory is swapped out to the swap space", None, kinds=_ZERO),
    Counter(90, "mem", "vmmemctl", "average", "kiloBytes", "absolute", 1, 3, "Ballooned memory",
            "Amount of guest physical memory reclaimed from the virtual machine by the balloon driver in "
            "the guest", None, kinds=_ZERO),
    Counter(98, "mem", "consumed", "average", "kiloBytes", "absolute", 1, 3, "Consumed",
            "Amount of host physical memory consumed for backing up guest physical memory pages",
            "mem|consumed_average"),
    Counter(406, "mem", "swapin", "average", "kiloBytes", "absolute", 2, 3, "Swap in",
            "Amount of guest physical memory that is swapped in from the swap space since the virtual "
            "machine has been powered on. This value is less than or equal to the 'Swap out' counter",
            None, kinds=_ZERO),
    Counter(410, "mem", "swapout", "average", "kiloBytes", "absolute", 2, 3, "Swap out",
            "Amount of guest physical memory that is swapped out from the virtual machine to its swap "
            "space since it has been powered on.", None, kinds=_ZERO),
    Counter(422, "mem", "latency", "average", "percent", "absolute", 2, 3, "Page-fault latency",
            "Percentage of time the virtual machine spent waiting to swap in or decompress guest "
            "physical memory", None, kinds=_ZERO),
    Counter(419, "mem", "totalCapacity", "average", "megaBytes", "absolute", 2, 3, "Total reservation",
            "Total reservation, available and consumed, for powered-on virtual machines",
            "mem|totalCapacity_average", 1 / 1024),
    Counter(125, "disk", "usage", "average", "kiloBytesPerSecond", "rate", 1, 3, "Usage",
            "Aggregated disk I/O rate. For hosts, this metric includes the rates for all virtual "
            "machines running on the host during the collection interval.", "disk|usage_average"),
    Counter(130, "disk", "read", "average", "kiloBytesPerSecond", "rate", 2, 3, "Read rate",
            "Average number of kilobytes read from the disk each second during the collection interval",
            "disk|read_average"),
    Counter(131, "disk", "write", "average", "kiloBytesPerSecond", "rate", 2, 3, "Write rate",
            "Average number of kilobytes written to disk each second during the collection interval",
            "disk|write_average"),
    Counter(133, "disk", "maxTotalLatency", "latest", "millisecond", "absolute", 1, 3, "Highest latency",
            "Highest latency value across all disks used by the host", None, kinds=_ZERO),
    Counter(136, "disk", "numberReadAveraged", "average", "number", "rate", 1, 3,
            "Average read requests per second",
            "Average number of disk reads per second during the collection interval",
            "disk|numberReadAveraged_average"),
    Counter(137, "disk", "numberWriteAveraged", "average", "number", "rate", 1, 3,
            "Average write requests per second",
            "Average number of disk writes per second during the collection interval",
            "disk|numberWriteAveraged_average"),
    Counter(281, "disk", "used", "latest", "kiloBytes", "absolute", 1, 1, "Space actually used",
            "Amount of space actually used by the virtual machine or the datastore",
            "capacity|used_space", GB_IN_KB),
    Counter(283, "disk", "capacity", "latest", "kiloBytes", "absolute", 1, 3, "Capacity",
            "Configured size of the datastore", "capacity|total_capacity", GB_IN_KB),
    Counter(143, "net", "usage", "average", "kiloBytesPerSecond", "rate", 1, 3, "Usage",
            "Network utilization (combined transmit-rates and receive-rates) during the interval",
            "net|usage_average"),
    Counter(146, "net", "packetsRx", "summation", "number", "delta", 2, 3, "Packets received",
            "Number of packets received during the interval", "net|packetsRx_summation"),
    Counter(147, "net", "packetsTx", "summation", "number", "delta", 2, 3, "Packets transmitted",
            "Number of packets transmitted during the interval", "net|packetsTx_summation"),
    Counter(148, "net", "received", "average", "kiloBytesPerSecond", "rate", 2, 3, "Data receive rate",
            "Average rate at which data was received during the interval", "net|received_average"),
    Counter(149, "net", "transmitted", "average", "kiloBytesPerSecond", "rate", 2, 3,
            "Data transmit rate", "Average rate at which data was transmitted during the interval",
            "net|transmitted_average"),
    Counter(460, "net", "droppedRx", "summation", "number", "delta", 2, 3, "Receive packets dropped",
            "Number of receives dropped", None, kinds=_ZERO),
    Counter(461, "net", "droppedTx", "summation", "number", "delta", 2, 3, "Transmit packets dropped",
            "Number of transmits dropped", None, kinds=_ZERO),
    Counter(462, "net", "bytesRx", "average", "kiloBytesPerSecond", "rate", 2, 3, "Data receive rate",
            "Average amount of data received per second", "net|received_average"),
    Counter(463, "net", "bytesTx", "average", "kiloBytesPerSecond", "rate", 2, 3, "Data transmit rate",
            "Average amount of data transmitted per second", "net|transmitted_average"),
    Counter(464, "net", "broadcastRx", "summation", "number", "delta", 2, 3, "Broadcast receives",
            "Number of broadcast packets received during the sampling interval", None, kinds=_ZERO),
    Counter(465, "net", "broadcastTx", "summation", "number", "delta", 2, 3, "Broadcast transmits",
            "Number of broadcast packets transmitted during the sampling interval", None, kinds=_ZERO),
    Counter(466, "net", "multicastRx", "summation", "number", "delta", 2, 3, "Multicast receives",
            "Number of multicast packets received during the sampling interval", None, kinds=_ZERO),
    Counter(467, "net", "multicastTx", "summation", "number", "delta", 2, 3, "Multicast transmits",
            "Number of multicast packets transmitted during the sampling interval", None, kinds=_ZERO),
    Counter(468, "net", "errorsRx", "summation", "number", "delta", 2, 3, "Packet receive errors",
            "Number of packets with errors received during the sampling interval", None, kinds=_ZERO),
    Counter(469, "net", "errorsTx", "summation", "number", "delta", 2, 3, "Packet transmit errors",
            "Number of packets with errors transmitted during the sampling interval", None, kinds=_ZERO),
    Counter(157, "power", "power", "average", "watt", "rate", 2, 3, "Usage", "Current power usage", None,
            kinds=_ZERO),
    Counter(155, "sys", "uptime", "latest", "second", "absolute", 1, 3, "Uptime",
            "Total time elapsed, in seconds, since last system startup", "sys|uptime_latest"),
    Counter(498, "sys", "osUptime", "latest", "second", "absolute", 4, 4, "OS Uptime",
            "Total time elapsed, in seconds, since last operating system boot-up", "sys|osUptime_latest"),
    Counter(171, "virtualDisk", "numberReadAveraged", "average", "number", "rate", 1, 3,
            "Average read requests per second",
            "Average number of read commands issued per second to the virtual disk during the "
            "collection interval", "virtualDisk|numberReadAveraged_average"),
    Counter(172, "virtualDisk", "numberWriteAveraged", "average", "number", "rate", 1, 3,
            "Average write requests per second",
            "Average number of write commands issued per second to the virtual disk during the "
            "collection interval", "virtualDisk|numberWriteAveraged_average"),
    Counter(173, "virtualDisk", "read", "average", "kiloBytesPerSecond", "rate", 2, 2, "Read rate",
            "Rate of reading data from the virtual disk", "virtualDisk|read_average"),
    Counter(174, "virtualDisk", "write", "average", "kiloBytesPerSecond", "rate", 2, 2, "Write rate",
            "Rate of writing data to the virtual disk", "virtualDisk|write_average"),
    Counter(175, "virtualDisk", "totalReadLatency", "average", "millisecond", "absolute", 1, 3,
            "Read latency", "The average time a read from the virtual disk takes",
            "virtualDisk|totalReadLatency_average"),
    Counter(176, "virtualDisk", "totalWriteLatency", "average", "millisecond", "absolute", 1, 3,
            "Write latency", "The average time a write to the virtual disk takes",
            "virtualDisk|totalWriteLatency_average"),
    # A VM's datastore counters: its disks' whole (vCenter's instances, one per datastore, are
    # not kept apart here)
    Counter(180, "datastore", "read", "average", "kiloBytesPerSecond", "rate", 2, 2, "Read rate",
            "Rate of reading data from the datastore", "virtualDisk|read_average", devices=False),
    Counter(181, "datastore", "write", "average", "kiloBytesPerSecond", "rate", 2, 2, "Write rate",
            "Rate of writing data to the datastore", "virtualDisk|write_average", devices=False),
    Counter(182, "datastore", "totalReadLatency", "average", "millisecond", "absolute", 1, 3,
            "Read latency", "The average time a read from the datastore takes",
            "virtualDisk|totalReadLatency_average", devices=False),
    Counter(183, "datastore", "totalWriteLatency", "average", "millisecond", "absolute", 1, 3,
            "Write latency", "The average time a write to the datastore takes",
            "virtualDisk|totalWriteLatency_average", devices=False),
)  # fmt: skip
BY_KEY = {c.key: c for c in CATALOGUE}
BY_NAME = {c.full_name: c for c in CATALOGUE}


def source_key(counter: Counter, instance: str, kind: str) -> str | None:
    """The Operations stat key a counter's instance (``""``: the aggregate) reads on ``kind``."""
    found = metric_keys.flat(kind, counter.source) if counter.source is not None else None
    if found is None:
        return None
    return metric_keys.instance_key(found[0], instance) if instance else found[0].key


def sample(counter: Counter, interval: int, value: float) -> int:
    """A counter's sample over ``interval`` seconds from its source key's value: in the counter's
    unit, a ``summation`` summed over the interval, rounded to a whole number (vim25's samples
    are longs)."""
    scale = counter.scale * (interval / SOURCE_INTERVAL if counter.rollup == "summation" else 1)
    return round(value * scale)


def _element(key: str, label: str, summary: str) -> Any:
    return vim.ElementDescription(key=key, label=label, summary=summary)


@cache
def counter_info(key: int) -> Any:
    """The ``PerfCounterInfo`` of a counter of the catalogue."""
    c = BY_KEY[key]
    unit_label, unit_summary = _UNITS[c.unit]
    return vim.PerformanceManager.CounterInfo(
        key=c.key,
        nameInfo=_element(c.name, c.label, c.summary),
        groupInfo=_element(c.group, _GROUPS[c.group], _GROUPS[c.group]),
        unitInfo=_element(c.unit, unit_label, unit_summary),
        rollupType=c.rollup,
        statsType=c.stats,
        level=c.level,
        perDeviceLevel=c.device_level,
    )


def description() -> Any:
    """``PerformanceManager.description``: the roll-up (counter) types and stats types."""
    return vim.PerformanceDescription(
        counterType=[_element(r, r.capitalize(), r.capitalize()) for r in ROLLUPS],
        statsType=[_element(s, s.capitalize(), s.capitalize()) for s in STATS],
    )
