"""A VM's configuration properties as pyVmomi 9.1.1.0 reads them (what Ansible's vmware_guest_info,
Terraform's vSphere provider and govc vm.info read), checked against vCenter's REST API over one
world: firmware and hot-add as REST's boot and hardware say, Tools settings, allocations,
``storage`` and ``layoutEx`` from the VM's disks, ``capability``, the guest's disks, the
``environmentBrowser``, and the BIOS UUID apart from the instance UUID (``FindByUuid``)."""

import re

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from localsphere.world.datastore_space import HOME_BYTES, MIB, THIN_WRITTEN

PC = vmodl.query.PropertyCollector
pytestmark = pytest.mark.every_backend  # see tests/conftest.py


def _vm(si, vc, state):
    moid = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == state)
    return vim.VirtualMachine(moid, si._stub), moid


def _made(vc, name):
    pool = vc.get("/api/vcenter/resource-pool").json()[0]["resource_pool"]
    spec = {"name": name, "guest_OS": "CENTOS_7_64", "placement": {"resource_pool": pool}}
    made = vc.post("/api/vcenter/vm", json=spec)
    assert made.status_code == 201, made.text
    return made.json()


def test_config_reads_as_rest_says(connect, vc):
    si = connect()
    vm, moid = _vm(si, vc, "POWERED_OFF")
    rest = vc.get(f"/api/vcenter/vm/{moid}").json()
    config = vm.config
    assert config.firmware == rest["boot"]["type"].lower()
    assert config.cpuHotAddEnabled is rest["cpu"]["hot_add_enabled"]
    assert config.cpuHotRemoveEnabled is rest["cpu"]["hot_remove_enabled"]
    assert config.memoryHotAddEnabled is rest["memory"]["hot_add_enabled"]
    assert isinstance(config.tools, vim.vm.ToolsConfigInfo)
    tools = vc.get(f"/api/vcenter/vm/{moid}/tools").json()
    assert config.tools.toolsUpgradePolicy == {"MANUAL": "manual"}.get(
        tools["upgrade_policy"], "upgradeAtPowerCycle"
    )
    cpu, memory = config.cpuAllocation, config.memoryAllocation
    assert (cpu.reservation, cpu.limit, cpu.shares.level) == (0, -1, "normal")
    assert cpu.shares.shares == 1000 * rest["cpu"]["count"]
    assert (memory.reservation, memory.limit, memory.shares.level) == (0, -1, "normal")
    assert memory.shares.shares == 10 * rest["memory"]["size_MiB"]
    resource = vm.resourceConfig
    assert resource.entity == vm and resource.cpuAllocation.shares.shares == cpu.shares.shares
    # the BIOS UUID and the instance UUID are REST's two, and differ
    assert (config.uuid, config.instanceUuid) == (
        rest["identity"]["bios_uuid"],
        rest["identity"]["instance_uuid"],
    )
    assert config.uuid != config.instanceUuid
    assert vm.summary.config.uuid == config.uuid
    capability = vm.capability
    assert isinstance(capability, vim.vm.Capability)
    assert capability.snapshotOperationsSupported and capability.revertToSnapshotSupported
    assert capability.multipleCoresPerSocketSupported and not capability.lockSnapshotsSupported


def test_firmware_changed_over_rest_is_seen(connect, vc):
    si = connect()
    moid = _made(vc, "firmware-vm")
    vm = vim.VirtualMachine(moid, si._stub)
    assert vm.config.firmware == "bios"
    changed = vc.patch(f"/api/vcenter/vm/{moid}/hardware/boot", json={"type": "EFI"})
    assert changed.status_code == 204, changed.text
    assert vm.config.firmware == "efi"
    assert vc.get(f"/api/vcenter/vm/{moid}").json()["boot"]["type"] == "EFI"
    hot = vc.patch(f"/api/vcenter/vm/{moid}/hardware/cpu", json={"hot_add_enabled": True})
    assert hot.status_code == 204, hot.text
    assert vm.config.cpuHotAddEnabled is True
    # and back over SOAP, as Terraform and Ansible set it; a firmware vim25 has but the world not is
    # refused, naming it
    assert WaitForTask(vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(firmware="bios")), si=si) == "success"
    assert vc.get(f"/api/vcenter/vm/{moid}/hardware/boot").json()["type"] == "BIOS"
    with pytest.raises(vmodl.fault.InvalidArgument) as caught:
        WaitForTask(vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(firmware="csm")), si=si)
    assert caught.value.invalidProperty == "firmware" and vm.config.firmware == "bios"


def test_storage_and_layout_name_each_disk(connect, vc):
    si = connect()
    vm, _moid = _vm(si, vc, "POWERED_ON")
    disks = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    assert disks
    # each disk has its own UUID, in vSphere's form, the same on every read
    uuids = [d.backing.uuid for d in disks]
    assert all(
        re.fullmatch(r"6000C29[0-9a-f]-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", u) for u in uuids
    )
    assert len(set(uuids)) == len(uuids)
    again = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    assert [d.backing.uuid for d in again] == uuids
    storage = vm.storage
    # thick disks whole, thin ones what was written, its home files and (running) its swap file
    written = sum(
        d.capacityInBytes if not d.backing.thinProvisioned else int(d.capacityInBytes * THIN_WRITTEN)
        for d in disks
    )
    committed = written + HOME_BYTES + vm.config.hardware.memoryMB * MIB
    assert sum(u.committed for u in storage.perDatastoreUsage) == committed
    assert {u.datastore for u in storage.perDatastoreUsage} >= {d.backing.datastore for d in disks}
    assert all(u.unshared == u.committed for u in storage.perDatastoreUsage)
    assert vm.summary.storage.committed == committed
    layout = vm.layoutEx
    files = {f.key: f for f in layout.file}
    assert [f.type for f in layout.file][:2] == ["config", "nvram"]
    assert [f.type for f in layout.file][-2:] == ["log", "swap"]
    assert files[0].name == vm.config.files.vmPathName
    assert {d.key for d in layout.disk} == {d.key for d in disks}
    for disk in disks:
        chain = next(d for d in layout.disk if d.key == disk.key).chain
        named = [files[k] for k in chain[0].fileKey]
        assert [f.type for f in named] == ["diskDescriptor", "diskExtent"]
        assert named[0].name == disk.backing.fileName
        thin = disk.backing.thinProvisioned
        assert named[1].size == int(disk.capacityInBytes * THIN_WRITTEN) if thin else disk.capacityInBytes
    assert sum(f.size for f in layout.file) == sum(u.committed for u in storage.perDatastoreUsage)
    # the older layout, as Ansible's guest facts list the VM's files: by role, disks by key
    old = vm.layout
    assert old.configFile == [f"{vm.name}.nvram"] and old.logFile == ["vmware.log"]
    assert [(d.key, d.diskFile) for d in old.disk] == [(d.key, [d.backing.fileName]) for d in disks]
    assert old.swapFile.endswith(".vswp")
    assert vm.guestHeartbeatStatus == vm.summary.quickStats.guestHeartbeatStatus == "green"
    datastore = vm.datastore[0]
    assert datastore.capability.perFileThinProvisioningSupported is True


def test_guest_disks_of_a_running_vm(connect, vc):
    si = connect()
    on, _ = _vm(si, vc, "POWERED_ON")
    disks = [d for d in on.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    guest_disks = on.guest.disk
    assert len(guest_disks) == len(disks)
    for info, disk in zip(guest_disks, disks, strict=True):
        assert info.capacity == disk.capacityInBytes and 0 < info.freeSpace < info.capacity
        assert [m.key for m in info.mappings] == [disk.key] and info.diskPath
    off, _ = _vm(si, vc, "POWERED_OFF")
    assert off.guest.disk == []


def test_environment_browser_lists_guests_and_versions(connect, vc):
    si = connect()
    vm, _moid = _vm(si, vc, "POWERED_OFF")
    browser = vm.environmentBrowser
    assert isinstance(browser, vim.EnvironmentBrowser)
    descriptors = browser.QueryConfigOptionDescriptor()
    assert [d.key for d in descriptors if d.defaultConfigOption] == ["vmx-21"]
    option = browser.QueryConfigOption(key="vmx-21")
    assert option.version == "vmx-21" and option.hardwareOptions.hwVersion == 21
    ids = {g.id for g in option.guestOSDescriptor}
    assert {"centos7_64Guest", "windows9_64Guest", "otherLinux64Guest", vm.config.guestId} <= ids
    centos = next(g for g in option.guestOSDescriptor if g.id == "centos7_64Guest")
    assert (centos.family, centos.fullName) == ("linuxGuest", "CentOS 7 (64-bit)")
    assert option.guestOSDescriptor[option.guestOSDefaultIndex].id == "otherLinux64Guest"
    assert [d.key for d in option.defaultDevice] == [200, 201]
    # Terraform asks for one guest's family
    spec = vim.EnvironmentBrowser.ConfigOptionQuerySpec(guestId=["windows9_64Guest"])
    only = browser.QueryConfigOptionEx(spec=spec)
    assert [(g.id, g.family) for g in only.guestOSDescriptor] == [("windows9_64Guest", "windowsGuest")]
    target = browser.QueryConfigTarget()
    assert target.numCpus > 0 and target.maxMemMBOptimalPerf > 0
    # the datastores and networks of the VM's datacenter, as Terraform and govc pick them
    datacenter = vm.parent
    while not isinstance(datacenter, vim.Datacenter):
        datacenter = datacenter.parent
    assert {d.datastore.datastore._moId for d in target.datastore} == {d._moId for d in datacenter.datastore}
    assert {n.network.network._moId for n in target.network} == {n._moId for n in datacenter.network}
    assert all(d.datastore.freeSpace == d.datastore.datastore.summary.freeSpace for d in target.datastore)
    with pytest.raises(vmodl.fault.InvalidArgument):
        browser.QueryConfigOption(key="vmx-99")
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vim.EnvironmentBrowser("envbrowser-999999", si._stub).QueryConfigOptionDescriptor()


def test_find_by_uuid_tells_bios_from_instance(connect, vc):
    si = connect()
    vm, _moid = _vm(si, vc, "POWERED_OFF")
    index = si.content.searchIndex
    bios, instance = vm.config.uuid, vm.config.instanceUuid
    assert index.FindByUuid(None, bios, True, False) == vm
    assert index.FindByUuid(None, bios.upper(), True) == vm
    assert index.FindByUuid(None, instance, True, True) == vm
    assert index.FindByUuid(None, instance, True, False) != vm
    assert index.FindByUuid(None, bios, True, True) != vm
    assert index.FindByUuid(None, "not-a-uuid", True, False) is None


def test_instant_clone_keeps_a_given_bios_uuid_and_a_copy_gets_its_own(connect, vc):
    si = connect()
    source = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_ON")
    given = "42010203-0405-0607-0809-0a0b0c0d0e0f"
    spec = {"source": source, "name": "instant-bios", "bios_uuid": given}
    made = vc.post("/api/vcenter/vm", params={"action": "instant-clone"}, json=spec)
    assert made.status_code == 200, made.text
    clone = vim.VirtualMachine(made.json(), si._stub)
    assert clone.config.uuid == given != clone.config.instanceUuid
    assert si.content.searchIndex.FindByUuid(None, given, True, False) == clone
    copy = clone.CloneVM_Task(
        folder=clone.parent, name="copy-of-instant", spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec())
    )
    assert WaitForTask(copy, si=si) == "success"
    assert copy.info.result.config.uuid not in (given, clone.config.uuid)


def test_a_property_becoming_unset_is_removed(connect, vc):
    si = connect()
    vm, moid = _vm(si, vc, "POWERED_ON")
    pc = si.content.propertyCollector
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=vm)],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["guest.ipAddress"])],
    )
    pc.CreateFilter(spec, True)
    first = pc.WaitForUpdatesEx("", PC.WaitOptions())
    assert first.filterSet[0].objectSet[0].changeSet[0].val
    assert vc.post(f"/api/vcenter/vm/{moid}/power", params={"action": "stop"}).status_code == 204
    changed = pc.WaitForUpdatesEx(first.version, PC.WaitOptions(maxWaitSeconds=30))
    change = changed.filterSet[0].objectSet[0].changeSet[0]
    assert (change.name, change.op, change.val) == ("guest.ipAddress", "remove", None)
    # an object entering a filter shows only the properties it has set
    mine = pc.CreatePropertyCollector()
    mine.CreateFilter(spec, True)
    entered = mine.WaitForUpdatesEx("", PC.WaitOptions()).filterSet[0].objectSet[0]
    assert (entered.kind, entered.obj, entered.changeSet) == ("enter", vm, [])
