"""A ClusterComputeResource's ``summary`` (capacity, hosts, and ``usageSummary``) and
``configurationEx`` (HA and DRS), as community.vmware's ``vmware_cluster_info``, Telegraf and
govc read them. Read for all the clusters of a request at once: one grouped count of their hosts
and VMs (``InventoryGraph.tallies``) and their latest counters (``quick_stats``).

Capacity is the hosts' (cores x the metric model's MHz per core, their memory): what the
cluster's CPU and memory percentages are of. Demand is the cluster's ``cpu.usagemhz.average`` and
``mem.consumed.average`` at the latest realtime instant: the sum of its hosts' ``quickStats``
(each rounded on its own). No VM reserves anything here, so entitlement is demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import quick_stats
from localsphere.faces.vim.inventory import GREEN, MIB, Reader, each
from localsphere.faces.vim.quick_stats import megabytes
from localsphere.world.inventory import CLUSTER, HOST, VM, ObjectView
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


# the ClusterComputeResource paths this module reads, for the inventory's table
PATHS: dict[str, Reader] = {"summary": _summaries, "configurationEx": each(_configuration)}
