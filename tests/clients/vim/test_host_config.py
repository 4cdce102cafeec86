"""pyVmomi, unmodified, reading what community.vmware's host, datastore and cluster info modules,
govc (``host.info``, ``datastore.ls``), Telegraf and Terraform read of hosts, networks, datastores
and clusters beyond their summaries: a host's ``configManager`` and each manager's properties, its
``capability``, ``config`` parts and health sensors; a network's ``summary`` and ``host``; a
datastore's browser and its searches; a cluster's ``summary.*`` paths and ``GetResourceUsage``.
Values agree with REST and with the object's other properties."""

import datetime

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

PC = vmodl.query.PropertyCollector


def view_of(si, kind):
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [kind], True)
    try:
        return sorted(view.view, key=lambda o: o._moId)
    finally:
        view.Destroy()


def read(si, obj, paths):
    """One object's ``paths`` through the PropertyCollector: {path: value}."""
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=obj)], propSet=[PC.PropertySpec(type=type(obj), pathSet=paths)]
    )
    (found,) = si.content.propertyCollector.RetrieveContents([spec])
    return {p.name: p.val for p in found.propSet}


def test_host_config_manager_and_managers(connect, vc):
    si = connect()
    host = view_of(si, vim.HostSystem)[0]
    number = host._moId.removeprefix("host-")
    managers = host.configManager
    assert managers.networkSystem._moId == f"networkSystem-{number}"
    assert managers.datastoreSystem._moId == f"datastoreSystem-{number}"
    assert managers.dateTimeSystem._moId == f"dateTimeSystem-{number}"
    assert managers.storageSystem._moId == f"storageSystem-{number}"
    assert managers.serviceSystem._moId == f"serviceSystem-{number}"

    # the network: a port group for each standard port group REST lists in the host's datacenter
    datacenter = host.parent
    while not isinstance(datacenter, vim.Datacenter):
        datacenter = datacenter.parent
    listed = vc.get("/api/vcenter/network", params={"datacenters": datacenter._moId}).json()
    standard = sorted(n["name"] for n in listed if n["type"] == "STANDARD_PORTGROUP")
    info = managers.networkSystem.networkInfo
    groups = [p.spec.name for p in info.portgroup]
    assert groups[0] == "Management Network" and sorted(groups[1:]) == standard
    assert {p.vswitch for p in info.portgroup} == {info.vswitch[0].key}
    assert [p.device for p in info.pnic] == ["vmnic0", "vmnic1"]
    assert info.vnic[0].device == "vmk0" and info.vnic[0].portgroup == "Management Network"
    assert host.config.network.vnic[0].spec.ip.ipAddress == info.vnic[0].spec.ip.ipAddress
    assert [p.spec.name for p in managers.networkSystem.networkConfig.portgroup] == groups
    assert sorted(n.name for n in host.network) == sorted(n["name"] for n in listed)

    # datastores: the host's; storage: each VMFS datastore's extent disk
    assert sorted(d._moId for d in managers.datastoreSystem.datastore) == sorted(
        d._moId for d in host.datastore
    )
    disks = {lun.canonicalName for lun in managers.storageSystem.storageDeviceInfo.scsiLun}
    for ds in host.datastore:
        if ds.summary.type == "VMFS":
            assert ds.info.vmfs.extent[0].diskName in disks
    assert host.config.storageDevice.scsiLun[1].canonicalName in disks
    mounted = managers.storageSystem.fileSystemVolumeInfo.mountInfo
    assert sorted(m.volume.name for m in mounted) == sorted(d.name for d in host.datastore)
    by_name = {m.volume.name: m for m in host.config.fileSystemVolume.mountInfo}
    for ds in host.datastore:
        mount = next(m.mountInfo for m in ds.host if m.key._moId == host._moId)
        assert by_name[ds.name].mountInfo.path == mount.path
        assert by_name[ds.name].volume.capacity == ds.summary.capacity

    # time: the world's clock; services; firewall
    server_time = si.CurrentTime()
    host_time = managers.dateTimeSystem.QueryDateTime()
    assert abs(host_time - server_time) < datetime.timedelta(minutes=1)
    assert managers.dateTimeSystem.dateTimeInfo.timeZone.key == "UTC"
    assert host.config.dateTimeInfo.ntpConfig.server == managers.dateTimeSystem.dateTimeInfo.ntpConfig.server
    services = {s.key: s for s in managers.serviceSystem.serviceInfo.service}
    assert services["ntpd"].running and not services["TSM-SSH"].running
    assert {r.key for r in managers.firewallSystem.firewallInfo.ruleset} >= {"sshServer", "ntpClient"}
    assert managers.cpuScheduler.hyperthreadInfo.active
    assert managers.powerSystem.info.currentPolicy.shortName == "dynamic"

    # another host's number, or none, is no manager
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        assert vim.host.NetworkSystem("networkSystem-999999", si._stub).networkInfo
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vim.host.DateTimeSystem("dateTimeSystem-999999", si._stub).QueryDateTime()


def test_host_capability_health_and_config_paths(connect):
    si = connect()
    host = view_of(si, vim.HostSystem)[0]
    assert host.capability.vmotionSupported and host.capability.maxHostRunningVms == 1024
    assert host.summary.managementServerIp == "192.168.0.1"
    health = host.runtime.healthSystemRuntime
    sensors = health.systemHealthInfo.numericSensorInfo
    assert sensors and {s.healthState.key for s in sensors} == {"green"}
    assert health.hardwareStatusInfo.cpuStatusInfo[0].status.key == "green"
    # the paths Ansible's vmware_host_facts and govc ask, each as the whole property says
    paths = [
        "config.storageDevice",
        "config.dateTimeInfo",
        "config.network",
        "config.network.dnsConfig",
        "summary.managementServerIp",
        "runtime.healthSystemRuntime.systemHealthInfo",
        "capability.maxRegisteredVMs",
        "configManager.networkSystem",
    ]
    found = read(si, host, paths)
    assert found["config.network.dnsConfig"].hostName == host.name.split(".")[0]
    assert found["config.network"].vnic[0].spec.ip.ipAddress == host.config.network.vnic[0].spec.ip.ipAddress
    assert [lun.key for lun in found["config.storageDevice"].scsiLun] == [
        lun.key for lun in host.config.storageDevice.scsiLun
    ]
    assert found["capability.maxRegisteredVMs"] == host.capability.maxRegisteredVMs
    assert found["configManager.networkSystem"]._moId == host.configManager.networkSystem._moId
    assert found["summary.managementServerIp"] == "192.168.0.1"
    assert len(found["runtime.healthSystemRuntime.systemHealthInfo"].numericSensorInfo) == len(sensors)


def test_network_summary_and_hosts(connect, vc):
    si = connect()
    hosts = view_of(si, vim.HostSystem)
    for network in view_of(si, vim.Network):
        summary = network.summary
        assert summary.network._moId == network._moId and summary.name == network.name
        assert summary.accessible
        having = {h._moId for h in network.host}
        assert having == {h._moId for h in hosts if network._moId in {n._moId for n in h.network}}
        assert having
    listed = vc.get("/api/vcenter/network").json()
    assert sorted(n.name for n in view_of(si, vim.Network)) == sorted(n["name"] for n in listed)


def test_datastore_browser_lists_a_vms_files(connect):
    si = connect()
    vm = next(v for v in view_of(si, vim.VirtualMachine) if v.config.hardware.device)
    disks = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    vmdk = disks[0].backing.fileName  # "[ds] vm/vm.vmdk"
    name, _, path = vmdk[1:].partition("] ")
    folder, file = path.rsplit("/", 1)
    ds = next(d for d in vm.datastore if d.name == name)
    browser = ds.browser
    assert browser._moId == f"datastoreBrowser-{ds._moId}"
    assert [d._moId for d in browser.datastore] == [ds._moId]

    # govc datastore.ls -l: the VM's folder, its vmdk with size and type
    details = vim.host.DatastoreBrowser.FileInfo.Details(fileType=True, fileSize=True, modification=True)
    spec = vim.host.DatastoreBrowser.SearchSpec(matchPattern=["*"], details=details)
    task = browser.SearchDatastore_Task(f"[{name}] {folder}", spec)
    WaitForTask(task)
    result = task.info.result
    assert result.folderPath == f"[{name}] {folder}/" and result.datastore._moId == ds._moId
    files = {f.path: f for f in result.file}
    assert isinstance(files[file], vim.host.DatastoreBrowser.VmDiskInfo)
    assert files[file].fileSize == disks[0].capacityInBytes
    assert vm.summary.config.vmPathName.endswith(f"/{vm.name}.vmx") is True
    if vm.summary.config.vmPathName.startswith(f"[{name}] {folder}/"):
        assert isinstance(files[f"{vm.name}.vmx"], vim.host.DatastoreBrowser.VmConfigInfo)

    # the root lists the folder; a disk query with a pattern only the disks
    WaitForTask(task := browser.SearchDatastore_Task(f"[{name}]", spec))
    assert folder in {
        f.path for f in task.info.result.file if isinstance(f, vim.host.DatastoreBrowser.FolderInfo)
    }
    query = vim.host.DatastoreBrowser.VmDiskQuery(
        details=vim.host.DatastoreBrowser.VmDiskQuery.Details(capacityKb=True)
    )
    spec = vim.host.DatastoreBrowser.SearchSpec(matchPattern=["*.vmdk"], query=[query], details=details)
    WaitForTask(task := browser.SearchDatastoreSubFolders_Task(f"[{name}]", spec))
    by_folder = {r.folderPath: r for r in task.info.result}
    assert f"[{name}]" in by_folder
    mine = {f.path: f for f in by_folder[f"[{name}] {folder}/"].file}
    assert all(p.endswith(".vmdk") for r in task.info.result for p in [f.path for f in r.file])
    assert mine[file].capacityKb == disks[0].capacityInKB

    # Ansible's pattern without details: plain FileInfo
    bare = vim.host.DatastoreBrowser.SearchSpec(matchPattern=[file])
    WaitForTask(task := browser.SearchDatastore_Task(f"[{name}] {folder}", bare))
    assert [(type(f), f.path, f.fileSize) for f in task.info.result.file] == [
        (vim.host.DatastoreBrowser.FileInfo, file, None)
    ]

    # a folder that is not there: the task's FileNotFound; another datastore's path: invalid
    task = browser.SearchDatastore_Task(f"[{name}] no-such-folder", spec)
    with pytest.raises(vim.fault.FileNotFound):
        WaitForTask(task)
    with pytest.raises(vim.fault.InvalidDatastorePath):
        WaitForTask(browser.SearchDatastore_Task("no-brackets", spec))
    # a viewer sees the browser but may not search
    viewer = vim.host.DatastoreBrowser(browser._moId, connect(user="viewer@vsphere.local")._stub)
    assert [d._moId for d in viewer.datastore] == [ds._moId]
    with pytest.raises(vim.fault.NoPermission) as caught:
        viewer.SearchDatastore_Task(f"[{name}]", spec)
    assert caught.value.privilegeId == "Datastore.Browse"


def test_cluster_summary_paths_and_resource_usage(connect, vc):
    si = connect()
    cluster = view_of(si, vim.ClusterComputeResource)[0]
    summary = cluster.summary
    found = read(
        si, cluster, ["summary.usageSummary", "summary.numHosts", "summary.usageSummary.totalVmCount"]
    )
    assert found["summary.usageSummary"].totalCpuCapacityMhz == summary.usageSummary.totalCpuCapacityMhz
    assert found["summary.usageSummary"].totalMemCapacityMB == summary.usageSummary.totalMemCapacityMB
    assert found["summary.usageSummary.totalVmCount"] == summary.usageSummary.totalVmCount
    assert found["summary.numHosts"] == summary.numHosts == len(cluster.host)
    assert read(si, cluster, ["configurationEx.drsConfig"])["configurationEx.drsConfig"].enabled == (
        cluster.configurationEx.drsConfig.enabled
    )
    # a path no summary has is still refused
    with pytest.raises(vmodl.query.InvalidProperty):
        read(si, cluster, ["summary.noSuchThing"])

    usage = cluster.GetResourceUsage()
    assert usage.cpuCapacityMHz == summary.usageSummary.totalCpuCapacityMhz == summary.totalCpu
    assert usage.memCapacityMB == summary.usageSummary.totalMemCapacityMB
    assert 0 < usage.cpuUsedMHz <= usage.cpuCapacityMHz and 0 < usage.memUsedMB <= usage.memCapacityMB
    ids = [d._moId for d in cluster.datastore]
    stores = vc.get("/api/vcenter/datastore", params={"datastores": ids}).json()
    assert len(stores) == len(cluster.datastore) > 0
    assert usage.storageCapacityMB == sum(s["capacity"] for s in stores) // (1 << 20)
    assert usage.storageUsedMB == (
        sum(s["capacity"] for s in stores) - sum(s["free_space"] for s in stores)
    ) // (1 << 20)


def test_a_clusters_legacy_configuration_says_what_configuration_ex_says(connect):
    si = connect()
    view = si.content.viewManager.CreateContainerView(
        si.content.rootFolder, [vim.ClusterComputeResource], True
    )
    for cluster in view.view:
        legacy, ex = cluster.configuration, cluster.configurationEx
        assert legacy.drsConfig.enabled == ex.drsConfig.enabled
        assert legacy.dasConfig.enabled == ex.dasConfig.enabled
        assert legacy.rule == [] and legacy.dasVmConfig == []
