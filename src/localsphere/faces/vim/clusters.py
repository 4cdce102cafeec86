"""A ClusterComputeResource's ``summary`` (capacity, hosts, and ``usageSummary``; its parts read
as paths too, ``summary.usageSummary``), ``configurationEx`` (HA and DRS) and
``GetResourceUsage`` (``ClusterResourceUsageSummary``: the summary's CPU and memory capacity and
demand, and the capacity and use of the datastores of its datacenter, in MB), as
community.vmware's ``vmware_cluster_info``, Telegraf, govc and Terraform read them; a
ResourcePool's ``config``, ``runtime`` and ``summary`` (its allocations, as REST's resource pools
show them, and its usage). Read for all the objects of a request at once:
one grouped count of their hosts and VMs (``InventoryGraph.tallies``), their latest counters
(``quick_stats``) and the pools' allocations (``ComputeResources.allocations_of``).

Capacity is the hosts' (cores x the metric model's MHz per core, their memory): what the
cluster's CPU and memory percentages are of. Demand is the cluster's ``cpu.usagemhz.average`` and
``mem.consumed.average`` at the latest realtime instant: the sum of its hosts' ``quickStats``
(each rounded on its own). No VM reserves anything here, so entitlement is demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import quick_stats, tasks
from localsphere.faces.vim.inventory import GREEN, MIB, Reader, each, sight
from localsphere.faces.vim.properties import reference
from localsphere.faces.vim.quick_stats import megabytes
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.inventory import CLUSTER, DATASTORE, HOST, POOL, VM, ObjectView
from localsphere.world.inventory_graph import Tally
from localsphere.world.metrics import HOST_MHZ_PER_CORE

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context


def _usage(hosts: Tally, vms: Tally, stats: dict[str, int], generation: int) -> Any:
    cpu, memory = stats["cpu.usagemhz.average"], megabytes(stats["mem.consumed.average"])
    return vim.cluster.UsageSummary(
        totalCpuCapacityMhz=hosts.cpus * HOST_MHZ_PER_CORE,
        totalMemCapacityMB=hosts.memory_mib,
        cpuReservationMhz=0,
        memReservationMB=0,
        poweredOffCpuReservationMhz=0,
        poweredOffMemReservationMB=0,
        cpuDemandMhz=cpu,
        memDemandMB=memory,
        statsGenNumber=generation,
        cpuEntitledMhz=cpu,
        memEntitledMB=memory,
        poweredOffVmCount=vms.count - vms.on,
        totalVmCount=vms.count,
    )


def _summaries(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    tallies = context.world.inventory_graph.tallies([o.moid for o in objects], CLUSTER)
    stats = quick_stats.latest(context, objects)
    generation = quick_stats.instant(context) // 1000
    found = {}
    for o in objects:
        hosts, vms = tallies[o.moid].get(HOST, Tally()), tallies[o.moid].get(VM, Tally())
        ha = bool(o.details.get("ha_enabled", False))
        found[o.moid] = vim.ClusterComputeResource.Summary(
            totalCpu=hosts.cpus * HOST_MHZ_PER_CORE,
            totalMemory=hosts.memory_mib * MIB,
            numCpuCores=hosts.cpus,
            numCpuThreads=hosts.cpus * 2,
            effectiveCpu=hosts.cpus * HOST_MHZ_PER_CORE,
            effectiveMemory=hosts.memory_mib,
            numHosts=hosts.count,
            numEffectiveHosts=hosts.count,
            overallStatus=GREEN,
            currentFailoverLevel=1 if ha and hosts.count > 1 else 0,
            numVmotions=0,
            currentBalance=0,
            targetBalance=200,
            drsScore=100,
            usageSummary=_usage(hosts, vms, stats[o.moid], generation),
        )
    return found


def _configuration(o: ObjectView) -> Any:
    """``configurationEx``: HA and DRS on or off as the cluster is, with vCenter's defaults."""
    ha, drs = bool(o.details.get("ha_enabled", False)), bool(o.details.get("drs_enabled", False))
    monitoring = vim.cluster.VmToolsMonitoringSettings(
        enabled=False,
        vmMonitoring="vmMonitoringDisabled",
        clusterSettings=True,
        failureInterval=30,
        minUpTime=120,
        maxFailures=3,
        maxFailureWindow=3600,
    )
    return vim.cluster.ConfigInfoEx(
        vmSwapPlacement="vmDirectory",
        dasConfig=vim.cluster.DasConfigInfo(
            enabled=ha,
            vmMonitoring="vmMonitoringDisabled",
            hostMonitoring="enabled",
            vmComponentProtecting="disabled",
            failoverLevel=1,
            admissionControlPolicy=vim.cluster.FailoverLevelAdmissionControlPolicy(failoverLevel=1),
            admissionControlEnabled=ha,
            defaultVmSettings=vim.cluster.DasVmSettings(
                restartPriority="medium", isolationResponse="none", vmToolsMonitoringSettings=monitoring
            ),
            hBDatastoreCandidatePolicy="allFeasibleDsWithUserPreference",
        ),
        drsConfig=vim.cluster.DrsConfigInfo(
            enabled=drs,
            enableVmBehaviorOverrides=True,
            defaultVmBehavior=vim.cluster.DrsConfigInfo.DrsBehavior.fullyAutomated,
            vmotionRate=3,
        ),
    )


# a pool's shares of each level (vSphere's: a pool's memory shares are per MB of a 4 GB default)
SHARES = {
    "cpu": {"LOW": 2000, "NORMAL": 4000, "HIGH": 8000},
    "memory": {"LOW": 81920, "NORMAL": 163840, "HIGH": 327680},
}


def _allocation(resource: str, settings: dict[str, Any]) -> Any:
    level = str(settings["shares"]["level"])
    shares = settings["shares"].get("shares") if level == "CUSTOM" else SHARES[resource][level]
    return vim.ResourceAllocationInfo(
        reservation=settings["reservation"],
        expandableReservation=settings["expandable_reservation"],
        limit=settings["limit"],
        shares=vim.SharesInfo(shares=shares or 0, level=level.lower()),
        overheadLimit=-1,
    )


def _configs(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    """Each pool's ``config``: its CPU (MHz) and memory (MB) allocations."""
    found = context.world.compute_resources.allocations_of(objects)
    return {
        o.moid: vim.ResourceConfigSpec(
            entity=reference(POOL, o.moid),
            changeVersion=str(o.created_at),
            cpuAllocation=_allocation("cpu", found[o.moid]["cpu"]),
            memoryAllocation=_allocation("memory", found[o.moid]["memory"]),
        )
        for o in objects
    }


def _usage_of(allocation: Any, capacity: int, used: int, unit: int) -> Any:
    """A pool's use of one resource, in MHz (``unit`` 1) or bytes (``unit`` MIB: allocations are
    in MB): nothing reserved by its VMs and pools here (a simulated VM reserves nothing); up to
    its limit, else its cluster's ``capacity``."""
    limit = allocation.limit if allocation.limit is not None and allocation.limit >= 0 else None
    reservation = (allocation.reservation or 0) * unit
    return vim.ResourcePool.ResourceUsage(
        reservationUsed=0,
        reservationUsedForVm=0,
        unreservedForPool=reservation,
        unreservedForVm=reservation,
        overallUsage=used,
        maxUsage=limit * unit if limit is not None else capacity,
    )


def _pools(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    """Each pool's ``summary``: its ``config``, ``runtime`` (CPU in MHz, memory in bytes, of
    its latest counters) and ``quickStats``."""
    configs = _configs(context, objects)
    stats = quick_stats.latest(context, objects)
    clusters = context.world.inventory_graph.tallies({o.cluster for o in objects if o.cluster}, CLUSTER)
    tallies = context.world.inventory_graph.tallies([o.moid for o in objects], POOL)
    found = {}
    for o in objects:
        config, now = configs[o.moid], stats[o.moid]
        hosts = clusters.get(o.cluster or "", {}).get(HOST, Tally())
        cpu, consumed = now["cpu.usagemhz.average"], megabytes(now["mem.consumed.average"])
        runtime = vim.ResourcePool.RuntimeInfo(
            cpu=_usage_of(config.cpuAllocation, hosts.cpus * HOST_MHZ_PER_CORE, cpu, 1),
            memory=_usage_of(config.memoryAllocation, hosts.memory_mib * MIB, consumed * MIB, MIB),
            overallStatus=GREEN,
        )
        found[o.moid] = vim.ResourcePool.Summary(
            name=o.name,
            config=config,
            runtime=runtime,
            quickStats=vim.ResourcePool.Summary.QuickStats(
                overallCpuUsage=cpu,
                overallCpuDemand=now["cpu.demand.average"],
                guestMemoryUsage=megabytes(now["mem.active.average"]),
                hostMemoryUsage=consumed,
                distributedCpuEntitlement=cpu,
                distributedMemoryEntitlement=consumed,
                staticCpuEntitlement=0,
                staticMemoryEntitlement=0,
                privateMemory=consumed,
                sharedMemory=0,
                swappedMemory=0,
                balloonedMemory=0,
                overheadMemory=0,
                consumedOverheadMemory=0,
                compressedMemory=0,
            ),
            configuredMemoryMB=tallies[o.moid].get(VM, Tally()).memory_on_mib,
        )
    return found


def _runtimes(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    return {moid: summary.runtime for moid, summary in _pools(context, objects).items()}


# the ClusterComputeResource and ResourcePool paths this module reads, for the inventory's tables
def _configuration_legacy(o: ObjectView) -> Any:
    """``configuration`` (vSphere 2.0's ``ClusterConfigInfo``, which older scripts still read): the
    HA and DRS settings of ``configurationEx``, no rules or per-VM settings."""
    ex = _configuration(o)
    return vim.cluster.ConfigInfo(dasConfig=ex.dasConfig, drsConfig=ex.drsConfig)


PATHS: dict[str, Reader] = {
    "summary": _summaries,
    "configurationEx": each(_configuration),
    "configuration": each(_configuration_legacy),
}
POOL_PATHS: dict[str, Reader] = {"config": _configs, "summary": _pools, "runtime": _runtimes}


def get_resource_usage(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
    """``GetResourceUsage``: the cluster's ``summary.usageSummary`` capacity and demand, and its
    datastores' (those of its datacenter, as its ``datastore`` says) capacity and use."""
    cluster = tasks.entity(context, this)
    usage = _summaries(context, [cluster])[cluster.moid].usageSummary
    datastores = context.world.inventory_graph.contents(
        cluster.datacenter or cluster.moid, {DATASTORE}, True, None, 10_000, sight(context), details=False
    )
    capacity = sum(d.capacity or 0 for d in datastores)
    free = sum(d.free_space or 0 for d in datastores)
    return vim.cluster.ResourceUsageSummary(
        cpuUsedMHz=usage.cpuDemandMhz,
        cpuCapacityMHz=usage.totalCpuCapacityMhz,
        memUsedMB=usage.memDemandMB,
        memCapacityMB=usage.totalMemCapacityMB,
        pMemAvailableMB=0,
        pMemCapacityMB=0,
        storageUsedMB=(capacity - free) // MIB,
        storageCapacityMB=capacity // MIB,
    )


def methods() -> list[Method]:
    return [Method("GetResourceUsage", get_resource_usage, frozenset({CLUSTER}))]
