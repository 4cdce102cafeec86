"""pyVmomi, unmodified, reading what monitoring exporters and Ansible read of the inventory: the
property lists vmware_exporter's ``batch_fetch_properties`` asks a container view for (VMs, hosts,
datastores), and what community.vmware's facts modules and govc read of VMs, hosts, clusters and
datastores. Figures agree with the rest of the world: quickStats with PerformanceManager's latest
realtime sample at the same (frozen) instant, guest facts with REST's guest identity and tools,
capacities with the hosts' hardware."""

import math

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from helpers import ops_acquire

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

OPS = "/suite-api/api"
PC = vmodl.query.PropertyCollector
PM = vim.PerformanceManager
# vmware_exporter's lists (vmware_exporter.py: datastore, host_system and vm inventories)
EXPORTER_VM = [
    "name",
    "runtime.host",
    "parent",
    "summary.config.vmPathName",
    "runtime.powerState",
    "runtime.bootTime",
    "summary.config.numCpu",
    "summary.config.memorySizeMB",
    "runtime.maxCpuUsage",
    "summary.config.template",
    "guest.disk",
    "guest.toolsStatus",
    "guest.toolsVersion",
    "guest.toolsVersionStatus2",
    "snapshot",
]
EXPORTER_HOST = [
    "name",
    "parent",
    "summary.hardware.numCpuCores",
    "summary.hardware.cpuMhz",
    "summary.hardware.memorySize",
    "summary.config.product.version",
    "summary.config.product.build",
    "runtime.powerState",
    "runtime.standbyMode",
    "runtime.bootTime",
    "runtime.connectionState",
    "runtime.inMaintenanceMode",
    "summary.quickStats.overallCpuUsage",
    "summary.quickStats.overallMemoryUsage",
    "summary.hardware.cpuModel",
    "summary.hardware.model",
]
EXPORTER_DATASTORE = [
    "name",
    "summary.capacity",
    "summary.freeSpace",
    "summary.uncommitted",
    "summary.maintenanceMode",
    "summary.type",
    "summary.accessible",
    "host",
    "vm",
]


def batch_fetch(content, type_, paths):
    """What vmware_exporter's helpers.batch_fetch_properties does: a container view of the root
    folder, one traversal of ``view``, the paths of one type; {moid: {path: value}}."""
    view = content.viewManager.CreateContainerView(container=content.rootFolder, type=[type_], recursive=True)
    try:
        traversal = PC.TraversalSpec(name="traverseEntities", path="view", skip=False, type=type(view))
        spec = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
            propSet=[PC.PropertySpec(type=type_, pathSet=paths)],
        )
        result = content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
        objects = list(result.objects)
        while result.token:
            result = content.propertyCollector.ContinueRetrievePropertiesEx(result.token)
            objects += result.objects
    finally:
        view.Destroy()
    return {o.obj._moId: {p.name: p.val for p in o.propSet} | {"obj": o.obj} for o in objects}


def latest(perf, entity, names):
    """vmware_exporter's perf query: the latest realtime sample of each counter."""
    keys = {f"{c.groupInfo.key}.{c.nameInfo.key}.{c.rollupType}": c.key for c in perf.perfCounter}
    ids = [PM.MetricId(counterId=keys[n], instance="") for n in names]
    (found,) = perf.QueryPerf([PM.QuerySpec(entity=entity, metricId=ids, intervalId=20, maxSample=1)])
    by_key = {s.id.counterId: s.value[0] for s in found.value}
    return {n: by_key[keys[n]] for n in names}, found.sampleInfo[0].timestamp


@pytest.fixture
def frozen(server):
    assert server.control("POST", "/clock", json={"freeze": True}).status_code == 200
    yield
    assert server.control("POST", "/clock", json={"real": True}).status_code == 200


def test_exporter_hosts_and_vms_agree_with_query_perf(connect, frozen):
    si = connect()
    content, perf = si.content, si.content.perfManager
    hosts = batch_fetch(content, vim.HostSystem, EXPORTER_HOST)
    assert hosts
    for row in hosts.values():
        assert set(EXPORTER_HOST) <= set(row), set(EXPORTER_HOST) - set(row)
        assert row["summary.hardware.cpuMhz"] == 2600 and row["runtime.standbyMode"] == "none"
        assert row["summary.config.product.version"] == "8.0.3"
        stats, at = latest(perf, row["obj"], ["cpu.usagemhz.average", "mem.consumed.average"])
        assert row["summary.quickStats.overallCpuUsage"] == stats["cpu.usagemhz.average"] > 0
        assert row["summary.quickStats.overallMemoryUsage"] == stats["mem.consumed.average"] // 1024 > 0
        assert row["runtime.bootTime"] < at
    # a host's CPU usage is within its capacity, as govc host.info shows it in per cent
    (host,) = [h for h in hosts.values()][:1]
    assert host["summary.quickStats.overallCpuUsage"] < host["summary.hardware.numCpuCores"] * 2600

    vms = batch_fetch(content, vim.VirtualMachine, EXPORTER_VM)
    on = [row for row in vms.values() if row["runtime.powerState"] == "poweredOn"]
    off = [row for row in vms.values() if row["runtime.powerState"] == "poweredOff"]
    assert on and off
    for row in on:
        assert row["guest.toolsStatus"] == "toolsOk" and row["guest.toolsVersion"] == "12448"
        assert row["guest.toolsVersionStatus2"] in ("guestToolsCurrent", "guestToolsUnmanaged")
        assert row["runtime.maxCpuUsage"] == row["summary.config.numCpu"] * 2600
        assert row["runtime.host"]._moId in hosts and "runtime.bootTime" in row
    for row in off:
        assert row["guest.toolsStatus"] == "toolsNotRunning" and "runtime.bootTime" not in row

    # a VM's quickStats are its latest realtime samples at the same instant
    vm = on[0]["obj"]
    names = ["cpu.usagemhz.average", "mem.consumed.average", "mem.active.average", "sys.uptime.latest"]
    stats, at = latest(perf, vm, names)
    quick = vm.summary.quickStats
    assert quick.overallCpuUsage == stats["cpu.usagemhz.average"] > 0
    assert quick.hostMemoryUsage == stats["mem.consumed.average"] // 1024 > 0
    assert quick.guestMemoryUsage == stats["mem.active.average"] // 1024 > 0
    assert quick.uptimeSeconds == stats["sys.uptime.latest"]
    assert quick.uptimeSeconds == round((at - vm.runtime.bootTime).total_seconds())
    assert quick.guestHeartbeatStatus == "green"
    stopped = off[0]["obj"].summary.quickStats
    assert (stopped.overallCpuUsage, stopped.hostMemoryUsage, stopped.uptimeSeconds) == (0, 0, 0)


def test_exporter_datastores_hosts_and_vms(connect):
    si = connect()
    content = si.content
    datastores = batch_fetch(content, vim.Datastore, EXPORTER_DATASTORE)
    hosts = batch_fetch(content, vim.HostSystem, ["name"])
    vms = batch_fetch(content, vim.VirtualMachine, ["datastore"])
    for moid, row in datastores.items():
        # the demo world's disks are thin: what they may still grow into is uncommitted
        assert row["summary.uncommitted"] > 0 and row["summary.maintenanceMode"] == "normal"
        mounted = {m.key._moId for m in row["host"]}
        assert mounted == set(hosts)  # the demo world has one datacenter: every host mounts it
        assert all(m.mountInfo.accessMode == "readWrite" and m.mountInfo.mounted for m in row["host"])
        on_it = {v for v, r in vms.items() if moid in {d._moId for d in r.get("datastore", [])}}
        assert {v._moId for v in row.get("vm", [])} == on_it
    assert any(row.get("vm") for row in datastores.values())
    # govc datastore.info and community.vmware read info; Telegraf its url
    ds = datastores[sorted(datastores)[0]]["obj"]
    assert ds.info.name == ds.name and ds.info.url == ds.summary.url
    assert ds.info.vmfs.capacity == ds.summary.capacity and ds.info.freeSpace == ds.summary.freeSpace


def test_community_vmware_vm_facts_agree_with_rest_guest(connect, vc):
    si = connect()
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.VirtualMachine], True)
    vm = sorted((v for v in view.view if v.runtime.powerState == "poweredOn"), key=lambda v: v._moId)[0]
    identity = vc.get(f"/api/vcenter/vm/{vm._moId}/guest/identity").json()
    tools = vc.get(f"/api/vcenter/vm/{vm._moId}/tools").json()
    # gather_vm_facts: vm.guest.ipAddress, toolsRunningStatus and net by MAC
    assert vm.guest.ipAddress == identity["ip_address"] == vm.summary.guest.ipAddress
    assert vm.guest.hostName == identity["host_name"] == vm.summary.guest.hostName
    assert vm.guest.toolsRunningStatus == "guestToolsRunning" and tools["run_state"] == "RUNNING"
    expected = {"CURRENT": "guestToolsCurrent", "UNMANAGED": "guestToolsUnmanaged"}[tools["version_status"]]
    assert vm.guest.toolsVersionStatus2 == expected
    assert vm.guest.toolsVersion == str(tools["version_number"])
    nics = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    assert [(n.deviceConfigId, n.macAddress) for n in vm.guest.net] == [(d.key, d.macAddress) for d in nics]
    assert vm.guest.net[0].ipAddress == [identity["ip_address"]]
    assert vm.guest.net[0].ipConfig.ipAddress[0].state == "preferred"  # Telegraf's preferred first
    # govc vm.info -r: storage; community.vmware: the datastores' info names
    disks = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    storage = vm.summary.storage  # what its files take, thin disks as far as written
    assert storage.committed == sum(u.committed for u in vm.storage.perDatastoreUsage)
    assert storage.committed + storage.uncommitted >= sum(d.capacityInBytes for d in disks)
    assert [ds.info.name for ds in vm.datastore] == [ds.name for ds in vm.datastore]
    assert vm.rootSnapshot == []
    WaitForTask(vm.CreateSnapshot_Task("before", "", False, False))
    assert [s._moId for s in vm.rootSnapshot] == [vm.snapshot.rootSnapshotList[0].snapshot._moId]
    stopped = sorted((v for v in view.view if v.runtime.powerState == "poweredOff"), key=lambda v: v._moId)[0]
    assert stopped.guest.ipAddress is None and stopped.guest.net == []
    assert stopped.guest.toolsRunningStatus == "guestToolsNotRunning"


def test_community_vmware_host_and_cluster_facts(connect, vc, frozen):
    si = connect()
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.ClusterComputeResource], True)
    cluster = sorted(view.view, key=lambda c: c._moId)[0]
    # vmware_host_facts
    host = sorted(cluster.host, key=lambda h: h._moId)[0]
    assert host.config.product.name == "VMware ESXi" and host.config.product.osType == "vmnix-x86"
    assert host.hardware.systemInfo.uuid == host.summary.hardware.uuid
    assert host.hardware.memorySize == host.summary.hardware.memorySize
    assert host.hardware.cpuInfo.numCpuCores == host.summary.hardware.numCpuCores
    assert host.summary.hardware.numCpuPkgs == len(host.hardware.cpuPkg)
    assert host.hardware.biosInfo.biosVersion and host.config.network.vnic[0].spec.ip.ipAddress
    assert host.summary.quickStats.uptime > 0
    # vmware_cluster_info: configurationEx and the summary govc shows
    rest = {c["cluster"]: c for c in vc.get("/api/vcenter/cluster").json()}[cluster._moId]
    config = cluster.configurationEx
    assert config.dasConfig.enabled == rest["ha_enabled"] and config.drsConfig.enabled == rest["drs_enabled"]
    assert config.drsConfig.defaultVmBehavior == "fullyAutomated"
    summary = cluster.summary
    hosts = batch_fetch(content, vim.HostSystem, ["parent", "summary.hardware", "summary.quickStats"])
    mine = [h for h in hosts.values() if h["parent"]._moId == cluster._moId]
    assert summary.numHosts == summary.numEffectiveHosts == len(mine)
    assert summary.numCpuCores == sum(h["summary.hardware"].numCpuCores for h in mine)
    assert (
        summary.totalCpu
        == summary.effectiveCpu
        == sum(h["summary.hardware"].numCpuCores * h["summary.hardware"].cpuMhz for h in mine)
    )
    assert summary.totalMemory == sum(h["summary.hardware"].memorySize for h in mine)
    usage = summary.usageSummary
    assert usage.totalCpuCapacityMhz == summary.totalCpu
    # the cluster's demand is its hosts' usage, each host's rounded on its own
    used = sum(h["summary.quickStats"].overallCpuUsage for h in mine)
    assert abs(usage.cpuDemandMhz - used) <= len(mine) and usage.cpuDemandMhz > 0
    vms = batch_fetch(content, vim.VirtualMachine, ["runtime.powerState", "runtime.host"])
    in_cluster = [v for v in vms.values() if v["runtime.host"]._moId in {h["obj"]._moId for h in mine}]
    assert usage.totalVmCount == len(in_cluster)
    assert usage.poweredOffVmCount == len([v for v in in_cluster if v["runtime.powerState"] != "poweredOn"])


def test_resource_pool_config_summary_and_runtime_agree_with_rest(connect, vc):
    si = connect()
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.ClusterComputeResource], True)
    cluster = sorted(view.view, key=lambda c: c._moId)[0]
    pools = batch_fetch(content, vim.ResourcePool, ["name", "config", "summary", "runtime"])
    root = pools[cluster.resourcePool._moId]
    rest = vc.get(f"/api/vcenter/resource-pool/{cluster.resourcePool._moId}").json()
    cpu, memory = root["config"].cpuAllocation, root["config"].memoryAllocation
    assert cpu.reservation == rest["cpu_allocation"]["reservation"] == cluster.summary.totalCpu
    assert memory.reservation == rest["memory_allocation"]["reservation"]
    assert memory.reservation == cluster.summary.totalMemory // (1 << 20)
    assert not cpu.expandableReservation and cpu.shares.level == "normal" and cpu.shares.shares == 4000
    assert root["summary"].name == root["name"] and root["summary"].config.cpuAllocation.limit == cpu.limit
    assert root["runtime"].cpu.maxUsage == cpu.limit and root["runtime"].overallStatus == "green"
    assert root["runtime"].memory.maxUsage == memory.limit << 20  # bytes, of an allocation in MB
    vms = batch_fetch(content, vim.VirtualMachine, ["resourcePool", "runtime.powerState", "summary.config"])
    running = [
        v
        for v in vms.values()
        if v["resourcePool"]._moId == cluster.resourcePool._moId and v["runtime.powerState"] == "poweredOn"
    ]
    assert root["summary"].configuredMemoryMB == sum(v["summary.config"].memorySizeMB for v in running)
    assert root["summary"].quickStats.overallCpuUsage > 0
    # a pool made over SOAP reads back its own allocation
    spec = vim.ResourceConfigSpec(
        cpuAllocation=vim.ResourceAllocationInfo(
            reservation=500,
            expandableReservation=True,
            limit=-1,
            shares=vim.SharesInfo(level="high", shares=0),
        ),
        memoryAllocation=vim.ResourceAllocationInfo(
            reservation=0,
            expandableReservation=True,
            limit=2048,
            shares=vim.SharesInfo(level="custom", shares=1234),
        ),
    )
    child = cluster.resourcePool.CreateResourcePool("exporters", spec)
    assert (child.config.cpuAllocation.reservation, child.config.cpuAllocation.shares.shares) == (500, 8000)
    assert child.config.memoryAllocation.shares.level == "custom"
    assert child.config.memoryAllocation.shares.shares == 1234 and child.runtime.memory.maxUsage == 2048 << 20


def test_host_quick_stats_equal_operations_at_a_five_minute_instant(connect, server, frozen):
    """On Operations' five-minute grid the latest realtime instant is one of its samples: a
    host's quickStats there are the Operations face's numbers for the host."""
    epoch = server.control("GET", "/clock").json()["epoch"]
    server.advance(math.ceil(epoch / 300) * 300 - epoch + 1)  # a second past a five-minute instant
    at = int(server.control("GET", "/clock").json()["epoch"]) // 300 * 300_000
    si = connect()
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.HostSystem], True)
    host = sorted(view.view, key=lambda h: h._moId)[0]
    quick = host.summary.quickStats
    token = ops_acquire(server).json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {token}", "Accept": "application/json"}) as ops:
        found = ops.get(f"{OPS}/resources", params={"resourceKind": "HostSystem", "name": host.name}).json()
        (resource,) = found["resourceList"]
        theirs = {}
        for key in ("cpu|usagemhz_average", "mem|consumed_average", "sys|uptime_latest"):
            params = {"statKey": key, "begin": at, "end": at}
            r = ops.get(f"{OPS}/resources/{resource['identifier']}/stats", params=params)
            (stat,) = r.json()["values"][0]["stat-list"]["stat"]
            assert stat["timestamps"] == [at]
            theirs[key] = stat["data"][0]
    assert quick.overallCpuUsage == round(theirs["cpu|usagemhz_average"]) > 0
    assert quick.overallMemoryUsage == round(theirs["mem|consumed_average"]) // 1024
    assert quick.uptime == round(theirs["sys|uptime_latest"])
