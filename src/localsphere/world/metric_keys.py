"""The stat keys Operations' vCenter adapter collects or computes for each kind of inventory object,
in the product's names, and the measure of the metric model (``world.metrics``) each one reads.

Where the key list comes from (facts only, names as the product spells them):

- "Metrics for vCenter Server Components", vRealize Operations Manager 7.5 (the metric reference the
  product's own exporters cite, docs.vmware.com/en/vRealize-Operations-Manager/7.5/
  com.vmware.vcom.metrics.doc/GUID-9DB18E49-5E00-4534-B5FF-6276948D5A09.html), with its CPU metric
  group (vRealize Operations Manager 6.4 User Guide, p. 46: ``cpu|demandmhz``,
  ``cpu|capacity_provisioned``, ``summary|number_running_vcpus``).
- "Badge Metrics", VMware Aria Operations (docs.vmware.com/en/VMware-Aria-Operations/SaaS/
  Using-Operations/GUID-D04D495F-6FA7-483F-9EC9-C0EC35A6D887.html): ``badge|health`` and
  ``badge|efficiency`` are 100 when green, ``badge|risk`` 0 when green, and -1 when unknown.
- "Calculated Metrics", vRealize Operations 8.10 (docs.vmware.com/en/vRealize-Operations/8.10/
  com.vmware.vcom.core.doc/GUID-099B6AC3-50C4-4930-8247-C621280E7B23.html): badges and capacity
  are computed for the vSphere World, virtual machines, hosts and datastores.
- The vSphere performance counters the adapter collects (vSphere Web Services API reference,
  PerformanceManager "CPU Counters" and "Disk I/O Counters"): ``cpu``, ``net`` and ``virtualDisk``
  counters come per instance (a CPU, a NIC, a virtual disk) and as an aggregate.
- What exporters written against the product ask for: ``summary|total_number_vms`` of the
  ``VMwareAdapter Instance`` and of clusters, hosts, pools and datastores,
  ``summary|number_running_vms``, ``summary|number_running_hosts``, ``cpu|haTotalCapacity_average``,
  ``mem|host_usagePct``, ``diskspace|total_capacity``, and instanced keys such as
  ``virtualDisk:scsi0:0|...``, ``net:4000|...`` and ``virtualDisk:Aggregate of all instances|...``.

An instanced family (``cpu``, ``virtualDisk``, ``net``) answers under its flat key (the whole
object), under ``<family>:<instance>|<metric>`` for each instance, and, where the product has it,
under ``<family>:Aggregate of all instances|<metric>`` (equal to the flat key). ``fold`` says how
the instances make the whole: ``sum`` (rates, MHz, counts) or ``mean`` (percentages of equal
instances, latencies).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from localsphere.world import inventory as inv

AGGREGATE = "Aggregate of all instances"
SUM, MEAN = "sum", "mean"
# Families whose instances are listed, and whether the product also names their aggregate.
INSTANCED = {"cpu": False, "virtualDisk": True, "net": True}


@dataclass(frozen=True)
class StatKey:
    """``key``: the flat key; ``measure``: what ``world.metrics`` computes it from; ``fold``:
    how an instanced family's instances add up to it (None: not instanced)."""

    key: str
    unit: str
    description: str
    measure: str
    fold: str | None = None

    @property
    def family(self) -> str:
        return self.key.partition("|")[0]


def _keys(*rows: tuple[str, ...]) -> tuple[StatKey, ...]:
    return tuple(StatKey(*row) for row in rows)


def _instanced(keys: tuple[StatKey, ...], folds: dict[str, str]) -> tuple[StatKey, ...]:
    return tuple(replace(k, fold=folds.get(k.key)) for k in keys)


_BADGES = _keys(
    ("badge|health", "", "Health score: 100 green, 75 yellow, 50 orange, 25 red, -1 unknown", "health"),
    ("badge|risk", "", "Risk score: 0 green, 25 yellow, 50 orange, 75 red, -1 unknown", "risk"),
    ("badge|efficiency", "", "Efficiency score: 100 green, -1 unknown", "efficiency"),
    ("badge|workload", "%", "Workload: the higher of CPU and memory demand against capacity", "workload"),
)
_CPU = _keys(
    ("cpu|usage_average", "%", "CPU usage as a percentage of capacity", "cpu_pct"),
    ("cpu|usagemhz_average", "MHz", "CPU usage", "cpu_mhz"),
    ("cpu|demandmhz", "MHz", "CPU demand", "cpu_mhz"),
    ("cpu|demandPct", "%", "CPU demand as a percentage of capacity", "cpu_pct"),
    ("cpu|capacity_provisioned", "MHz", "CPU capacity", "cpu_capacity"),
    ("cpu|corecount_provisioned", "", "Provisioned CPU cores", "cores"),
)
_CPU_INSTANCED = _instanced(_CPU, {"cpu|usage_average": MEAN, "cpu|usagemhz_average": SUM})
_CPU_TOTALS = _keys(
    ("cpu|capacity_usagepct_average", "%", "CPU usage as a percentage of total capacity", "cpu_pct"),
)
_MEM = _keys(
    ("mem|usage_average", "%", "Memory usage as a percentage of capacity", "mem_pct"),
    ("mem|consumed_average", "KB", "Memory consumed", "mem_kb"),
    ("mem|active_average", "KB", "Memory actively used", "mem_active_kb"),
)
_MEM_HOSTS = _keys(
    ("mem|host_provisioned", "KB", "Memory capacity", "mem_capacity"),
    ("mem|host_usage", "KB", "Machine memory used", "mem_kb"),
    ("mem|host_usagePct", "%", "Machine memory used as a percentage of capacity", "mem_pct"),
    ("mem|totalCapacity_average", "KB", "Memory capacity available to VMs", "mem_capacity"),
)
_DISK = _keys(
    ("disk|usage_average", "KBps", "Disk I/O rate", "disk_kbps"),
    ("disk|read_average", "KBps", "Disk read rate", "disk_read"),
    ("disk|write_average", "KBps", "Disk write rate", "disk_write"),
    ("disk|numberReadAveraged_average", "", "Reads per second", "read_iops"),
    ("disk|numberWriteAveraged_average", "", "Writes per second", "write_iops"),
)
_VIRTUAL_DISK = _keys(
    ("virtualDisk|read_average", "KBps", "Virtual disk read rate", "disk_read", SUM),
    ("virtualDisk|write_average", "KBps", "Virtual disk write rate", "disk_write", SUM),
    ("virtualDisk|numberReadAveraged_average", "", "Virtual disk reads per second", "read_iops", SUM),
    ("virtualDisk|numberWriteAveraged_average", "", "Virtual disk writes per second", "write_iops", SUM),
    ("virtualDisk|totalReadLatency_average", "ms", "Virtual disk read latency", "read_latency", MEAN),
    ("virtualDisk|totalWriteLatency_average", "ms", "Virtual disk write latency", "write_latency", MEAN),
)
_NET = _keys(
    ("net|usage_average", "KBps", "Network I/O rate", "net_kbps"),
    ("net|received_average", "KBps", "Network data received rate", "net_rx"),
    ("net|transmitted_average", "KBps", "Network data transmitted rate", "net_tx"),
    ("net|packetsRx_summation", "", "Packets received in the collection interval", "packets_rx"),
    ("net|packetsTx_summation", "", "Packets transmitted in the collection interval", "packets_tx"),
    ("net|droppedPct", "%", "Packets dropped as a percentage of packets", "zero"),
)
_NET_INSTANCED = _instanced(_NET, {k.key: SUM for k in _NET} | {"net|droppedPct": MEAN})
_VMS = _keys(
    ("summary|total_number_vms", "", "Total number of VMs", "vms"),
    ("summary|number_running_vms", "", "Number of running VMs", "running_vms"),
)
_VCPUS = _keys(
    ("summary|number_running_vcpus", "", "Number of vCPUs on running VMs", "running_vcpus"),
)
_HOSTS = _keys(
    ("summary|total_number_hosts", "", "Total number of hosts", "hosts"),
    ("summary|number_running_hosts", "", "Number of running hosts", "running_hosts"),
)
_CLUSTERS = _keys(
    ("summary|total_number_clusters", "", "Total number of clusters", "clusters"),
)
_DATASTORES = _keys(
    ("summary|total_number_datastores", "", "Total number of datastores", "datastores"),
)
_DISKSPACE = _keys(
    ("diskspace|total_capacity", "GB", "Total datastore capacity", "space_total_gb"),
    ("diskspace|total_usage", "GB", "Datastore space used", "space_used_gb"),
)
_COMPUTE = (*_CPU, *_MEM, *_DISK, *_NET)

CATALOGUE: dict[str, tuple[StatKey, ...]] = {
    inv.VM: (
        *_CPU_INSTANCED,
        *_MEM,
        *_keys(("mem|guest_provisioned", "KB", "Configured memory", "mem_capacity")),
        *_DISK,
        *_VIRTUAL_DISK,
        *_NET_INSTANCED,
        *_BADGES,
        *_keys(
            ("config|hardware|num_Cpu", "", "Number of vCPUs", "vcpus"),
            ("summary|number_datastore", "", "Number of datastores the VM's disks are on", "vm_datastores"),
            ("sys|poweredOn", "", "1 when the VM is powered on", "powered_on"),
            ("sys|osUptime_latest", "s", "Guest OS uptime", "uptime"),
            ("sys|uptime_latest", "s", "Uptime", "uptime"),
        ),
    ),
    inv.HOST: (
        *_CPU_INSTANCED,
        *_MEM,
        *_MEM_HOSTS,
        *_DISK,
        *_NET_INSTANCED,
        *_BADGES,
        *_VMS,
        *_VCPUS,
        *_keys(
            ("hardware|cpuInfo|num_CpuCores", "", "Number of CPU cores", "cores"),
            ("sys|poweredOn", "", "1 when the host is powered on", "powered_on"),
            ("sys|uptime_latest", "s", "Uptime", "uptime"),
        ),
    ),
    inv.CLUSTER: (
        *_COMPUTE,
        *_CPU_TOTALS,
        *_keys(("cpu|haTotalCapacity_average", "MHz", "CPU capacity with HA", "cpu_capacity")),
        *_MEM_HOSTS,
        *_BADGES,
        *_HOSTS,
        *_VMS,
        *_VCPUS,
    ),
    inv.POOL: (*_COMPUTE, *_BADGES, *_VMS, *_VCPUS),
    inv.DATACENTER: (
        *_COMPUTE,
        *_CPU_TOTALS,
        *_MEM_HOSTS,
        *_BADGES,
        *_CLUSTERS,
        *_HOSTS,
        *_VMS,
        *_VCPUS,
        *_DATASTORES,
        *_DISKSPACE,
    ),
    inv.VCENTER: (
        *_COMPUTE,
        *_CPU_TOTALS,
        *_MEM_HOSTS,
        *_BADGES,
        *_keys(("summary|total_number_datacenters", "", "Total number of datacenters", "datacenters")),
        *_CLUSTERS,
        *_HOSTS,
        *_VMS,
        *_VCPUS,
        *_DATASTORES,
        *_DISKSPACE,
    ),
    inv.DATASTORE: (
        *_keys(
            ("capacity|total_capacity", "GB", "Total capacity", "ds_total_gb"),
            ("capacity|used_space", "GB", "Used space", "ds_used_gb"),
            ("capacity|usedSpacePct", "%", "Used space as a percentage of capacity", "ds_used_pct"),
            ("diskspace|capacity", "GB", "Capacity", "ds_total_gb"),
            ("diskspace|disktotal", "GB", "Space used", "ds_used_gb"),
            ("diskspace|freespace", "GB", "Free space", "ds_free_gb"),
        ),
        *_BADGES[:3],
        *_keys(("badge|workload", "%", "Workload: used space against capacity", "ds_used_pct")),
        *_VMS,
    ),
    inv.FOLDER: (*_BADGES[:3], *_VMS),
}
_BY_KEY = {kind: {k.key: k for k in keys} for kind, keys in CATALOGUE.items()}


def keys_of(kind: str) -> tuple[StatKey, ...]:
    """A kind's flat keys (``inv.VCENTER``: the root folder, which stands for the vCenter)."""
    return CATALOGUE.get(kind, ())


def flat(kind: str, key: str) -> tuple[StatKey, str | None] | None:
    """The catalogue entry a key names for ``kind`` and the instance it names (None: the whole
    object; ``AGGREGATE``: all instances), or None when the kind has no such key."""
    head, _, metric = key.partition("|")
    family, _, instance = head.partition(":")
    found = _BY_KEY.get(kind, {}).get(f"{family}|{metric}")
    if found is None or (instance and found.fold is None):
        return None
    if instance == AGGREGATE and not INSTANCED[family]:
        return None
    return found, instance or None


def instance_key(entry: StatKey, instance: str) -> str:
    """``entry``'s key for one instance: ``virtualDisk:scsi0:0|read_average``."""
    family, _, metric = entry.key.partition("|")
    return f"{family}:{instance}|{metric}"
