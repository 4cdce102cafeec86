"""VM writes through pyVmomi 9.1.1.0, as govc and Ansible's vmware_guest call them: CreateVM_Task with
devices, CloneVM_Task, ReconfigVM_Task, Rename_Task, RelocateVM_Task, templates, snapshots and folders.
Each change is read back over vCenter's REST API (one world) and through the property collector, and
each refusal is the fault pyVmomi raises for vCenter's."""

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

GIB = 1 << 30


def _place(si):
    """The first datacenter, its VM folder, a cluster's root pool, its datastores and networks."""
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    cluster = next(e for e in dc.hostFolder.childEntity if isinstance(e, vim.ClusterComputeResource))
    return dc, dc.vmFolder, cluster.resourcePool, dc.datastore, dc.network


def _vm(vc, power):
    return next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == power)


def _done(si, task):
    assert WaitForTask(task, si=si) == "success"
    return task.info.result


def test_create_vm_with_devices(connect, vc):
    si = connect()
    _, folder, pool, datastores, networks = _place(si)
    spec_ = vim.vm.device.VirtualDeviceSpec
    devices = [
        spec_(
            operation="add",
            device=vim.vm.device.ParaVirtualSCSIController(key=-101, busNumber=0, sharedBus="noSharing"),
        ),
        spec_(
            operation="add",
            fileOperation="create",
            device=vim.vm.device.VirtualDisk(
                key=-102,
                controllerKey=-101,
                unitNumber=0,
                capacityInKB=10 * GIB // 1024,
                backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(fileName="", diskMode="persistent"),
            ),
        ),
        spec_(
            operation="add",
            device=vim.vm.device.VirtualVmxnet3(
                key=-103,
                backing=vim.vm.device.VirtualEthernetCard.NetworkBackingInfo(deviceName=networks[0].name),
            ),
        ),
        spec_(operation="add", device=vim.vm.device.VirtualCdrom(key=-104, controllerKey=200)),
    ]
    config = vim.vm.ConfigSpec(
        name="soap-made",
        guestId="ubuntu64Guest",
        numCPUs=2,
        memoryMB=2048,
        annotation="made by pyVmomi",
        files=vim.vm.FileInfo(vmPathName=f"[{datastores[0].name}]"),
        deviceChange=devices,
    )
    task = folder.CreateVM_Task(config=config, pool=pool)
    vm = _done(si, task)
    assert isinstance(vm, vim.VirtualMachine) and task.info.descriptionId == "Folder.createVm"
    assert task.info.entity == folder and task.info.name.info.name == "CreateVm"
    rest = vc.get(f"/api/vcenter/vm/{vm._moId}").json()  # one world
    assert rest["name"] == "soap-made" and rest["cpu"]["count"] == 2 and rest["memory"]["size_MiB"] == 2048
    assert rest["guest_OS"] == "UBUNTU_64" and rest["power_state"] == "POWERED_OFF"
    assert [d["capacity"] for d in rest["disks"].values()] == [10 * GIB]
    assert [n["backing"]["network"] for n in rest["nics"].values()] == [networks[0]._moId]
    assert len(rest["cdroms"]) == 1
    hardware = vm.config.hardware
    disk = next(d for d in hardware.device if isinstance(d, vim.vm.device.VirtualDisk))
    assert disk.capacityInKB == 10 * GIB // 1024 and disk.backing.fileName.startswith(
        f"[{datastores[0].name}]"
    )
    assert any(isinstance(d, vim.vm.device.VirtualVmxnet3) for d in hardware.device)
    assert vm.config.annotation == "made by pyVmomi" and vm.summary.config.numCpu == 2
    # grown as Ansible's vmware_guest_disk does it: the disk read back, only its KB changed
    disk.capacityInKB = 12 * GIB // 1024
    grow = vim.vm.device.VirtualDeviceSpec(operation="edit", device=disk)
    assert WaitForTask(vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[grow])), si=si) == "success"
    rest = vc.get(f"/api/vcenter/vm/{vm._moId}").json()
    assert [d["capacity"] for d in rest["disks"].values()] == [12 * GIB]
    assert vm in folder.childEntity and vm.resourcePool == pool
    # the same name again: DuplicateName naming the folder; a guest id vSphere has not: InvalidArgument
    with pytest.raises(vim.fault.DuplicateName) as caught:
        WaitForTask(folder.CreateVM_Task(config=config, pool=pool), si=si)
    assert caught.value.name == "soap-made" and caught.value.object == folder
    bad = vim.vm.ConfigSpec(name="x", guestId="nope", files=config.files)
    with pytest.raises(vmodl.fault.InvalidArgument) as caught:
        WaitForTask(folder.CreateVM_Task(config=bad, pool=pool), si=si)
    assert caught.value.invalidProperty == "guestId"
    assert not [v for v in vc.get("/api/vcenter/vm", params={"names": "x"}).json()]


def test_clone_reconfigure_rename_relocate(connect, vc):
    si = connect()
    _, folder, _, datastores, _ = _place(si)
    source = vim.VirtualMachine(_vm(vc, "POWERED_OFF"), si._stub)
    # a filter on the source's name: WaitForUpdatesEx announces the rename
    pc = si.content.propertyCollector
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=source)],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])],
    )
    pc.CreateFilter(spec, partialUpdates=False)
    version = pc.WaitForUpdatesEx("", vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0)).version

    clone = _done(
        si,
        source.CloneVM_Task(
            folder=folder,
            name="soap-clone",
            spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=False),
        ),
    )
    assert vc.get(f"/api/vcenter/vm/{clone._moId}").json()["name"] == "soap-clone"
    change = vim.vm.ConfigSpec(
        numCPUs=4,
        memoryMB=8192,
        annotation="resized",
        extraConfig=[vim.option.OptionValue(key="guestinfo.role", value="web")],
    )
    task = clone.ReconfigVM_Task(spec=change)
    assert _done(si, task) is None and task.info.descriptionId == "VirtualMachine.reconfigure"
    rest = vc.get(f"/api/vcenter/vm/{clone._moId}").json()
    assert (rest["cpu"]["count"], rest["memory"]["size_MiB"]) == (4, 8192)
    assert clone.config.annotation == "resized"
    assert [(o.key, o.value) for o in clone.config.extraConfig] == [("guestinfo.role", "web")]
    with pytest.raises(vmodl.fault.InvalidArgument) as caught:
        WaitForTask(clone.ReconfigVM_Task(spec=vim.vm.ConfigSpec(memoryMB=1001)), si=si)
    assert caught.value.invalidProperty == "memoryMB"
    # rename: REST and the waiting filter see it
    _done(si, source.Rename_Task(newName="renamed-by-soap"))
    assert vc.get(f"/api/vcenter/vm/{source._moId}").json()["name"] == "renamed-by-soap"
    update = pc.WaitForUpdatesEx(version, vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=5))
    changes = [c for f in update.filterSet for o in f.objectSet for c in o.changeSet]
    assert [(c.name, c.val) for c in changes] == [("name", "renamed-by-soap")]
    with pytest.raises(vim.fault.DuplicateName):
        WaitForTask(clone.Rename_Task(newName="renamed-by-soap"), si=si)
    # relocate to another datastore: the disks follow
    other = next(d for d in datastores if d._moId not in {x._moId for x in clone.datastore})
    _done(si, clone.RelocateVM_Task(spec=vim.vm.RelocateSpec(datastore=other)))
    disks = vc.get(f"/api/vcenter/vm/{clone._moId}").json()["disks"].values()
    assert all(d["backing"]["vmdk_file"].startswith(f"[{other.name}]") for d in disks)
    assert clone.datastore == [other]


def test_templates(connect, vc):
    si = connect()
    _, folder, pool, _, _ = _place(si)
    running = vim.VirtualMachine(_vm(vc, "POWERED_ON"), si._stub)
    with pytest.raises(vim.fault.InvalidPowerState) as caught:
        running.MarkAsTemplate()
    assert caught.value.existingState == "poweredOn"
    vm = vim.VirtualMachine(_vm(vc, "POWERED_OFF"), si._stub)
    vm.MarkAsTemplate()
    assert vm.config.template is True and vm.summary.config.template is True
    # vCenter's REST API neither lists a template among VMs nor reads it as one
    assert vm._moId not in [v["vm"] for v in vc.get("/api/vcenter/vm").json()]
    assert vm._moId not in [v["vm"] for v in vc.get("/rest/vcenter/vm").json()["value"]]
    assert vc.get("/api/vcenter/vm", params={"names": vm.name}).json() == []
    missing = vc.get(f"/api/vcenter/vm/{vm._moId}")
    assert missing.status_code == 404 and missing.json()["error_type"] == "NOT_FOUND"
    with pytest.raises(vmodl.fault.NotSupported):
        WaitForTask(vm.PowerOnVM_Task(), si=si)
    with pytest.raises(vmodl.fault.InvalidArgument) as caught:
        vm.CloneVM_Task(
            folder=folder, name="from-template", spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec())
        )
    assert caught.value.invalidProperty == "spec.location.pool"
    spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(pool=pool), powerOn=True)
    deployed = _done(si, vm.CloneVM_Task(folder=folder, name="from-template", spec=spec))
    assert deployed.config.template is False and deployed.runtime.powerState == "poweredOn"
    assert vc.get(f"/api/vcenter/vm/{deployed._moId}/power").json()["state"] == "POWERED_ON"
    as_template = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), template=True)
    kept = _done(si, deployed.CloneVM_Task(folder=folder, name="kept", spec=as_template))
    assert kept.config.template is True and vc.get(f"/api/vcenter/vm/{kept._moId}").status_code == 404
    vm.MarkAsVirtualMachine(pool=pool)
    assert vm.config.template is False
    assert vm._moId in [v["vm"] for v in vc.get("/api/vcenter/vm").json()]
    assert vc.get(f"/api/vcenter/vm/{vm._moId}").json()["name"] == vm.name
    with pytest.raises(vim.fault.InvalidState):
        vm.MarkAsVirtualMachine(pool=pool)


def test_snapshots(connect, vc):
    si = connect()
    vm = vim.VirtualMachine(_vm(vc, "POWERED_OFF"), si._stub)
    memory = vm.config.hardware.memoryMB
    assert vm.snapshot is None
    first = _done(
        si, vm.CreateSnapshot_Task(name="before", description="as it was", memory=False, quiesce=False)
    )
    _done(si, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(memoryMB=memory * 2)))
    second = _done(si, vm.CreateSnapshot_Task(name="after", memory=False, quiesce=True))
    assert isinstance(first, vim.vm.Snapshot)
    info = vm.snapshot
    (root,) = info.rootSnapshotList
    assert (root.name, root.description, root.snapshot, root.vm, root.state) == (
        "before",
        "as it was",
        first,
        vm,
        "poweredOff",
    )
    assert [c.snapshot for c in root.childSnapshotList] == [second] and info.currentSnapshot == second
    assert first.config.hardware.memoryMB == memory and second.config.hardware.memoryMB == memory * 2
    assert first.childSnapshot == [second] and first.vm == vm
    _done(si, first.RevertToSnapshot_Task())
    assert vc.get(f"/api/vcenter/vm/{vm._moId}").json()["memory"]["size_MiB"] == memory
    assert vm.snapshot.currentSnapshot == first
    _done(si, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(memoryMB=memory * 4)))
    _done(si, vm.RevertToCurrentSnapshot_Task())
    assert vm.config.hardware.memoryMB == memory
    _done(si, first.RemoveSnapshot_Task(removeChildren=False))
    assert [t.snapshot for t in vm.snapshot.rootSnapshotList] == [second]
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        print(first.config)
    _done(si, vm.RemoveAllSnapshots_Task())
    assert vm.snapshot is None
    with pytest.raises(vim.fault.NotFound):
        WaitForTask(vm.RevertToCurrentSnapshot_Task(), si=si)
    # a VM destroyed goes with its snapshots
    kept = _done(si, vm.CreateSnapshot_Task(name="last", memory=False, quiesce=False))
    _done(si, vm.Destroy_Task())
    assert vc.get(f"/api/vcenter/vm/{vm._moId}").status_code == 404
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        print(kept.config)


def test_folders(connect, vc):
    si = connect()
    dc, vm_folder, _, _, _ = _place(si)
    made = vm_folder.CreateFolder("soap-folder")
    assert isinstance(made, vim.Folder) and made.parent == vm_folder and made.childType == vm_folder.childType
    listed = vc.get("/api/vcenter/folder", params={"names": "soap-folder"}).json()
    assert listed == [{"folder": made._moId, "name": "soap-folder", "type": "VIRTUAL_MACHINE"}]
    with pytest.raises(vim.fault.DuplicateName):
        vm_folder.CreateFolder("soap-folder")
    with pytest.raises(vim.fault.InvalidName):
        vm_folder.CreateFolder("")
    vm_id = _vm(vc, "POWERED_OFF")
    vm = vim.VirtualMachine(vm_id, si._stub)
    _done(si, made.MoveIntoFolder_Task([vm]))
    assert vm.parent == made and vm in made.childEntity
    assert [v["vm"] for v in vc.get("/api/vcenter/vm", params={"folders": made._moId}).json()] == [vm_id]
    with pytest.raises(vmodl.fault.InvalidArgument):
        WaitForTask(made.MoveIntoFolder_Task([dc.datastore[0]]), si=si)
    _done(si, made.Rename_Task(newName="renamed-folder"))
    assert vc.get("/api/vcenter/folder", params={"folders": made._moId}).json()[0]["name"] == "renamed-folder"
    with pytest.raises(vmodl.fault.NotSupported):
        WaitForTask(vm_folder.Destroy_Task(), si=si)
    with pytest.raises(vim.fault.InvalidName) as caught:
        WaitForTask(made.Rename_Task(newName=" "), si=si)
    assert caught.value.name == " "
    with pytest.raises(vmodl.fault.NotSupported):  # a datacenter's own folders keep their names
        WaitForTask(vm_folder.Rename_Task(newName="vms"), si=si)
    store = dc.datastore[0]
    _done(si, store.Rename_Task(newName="renamed-store"))
    assert vc.get(f"/api/vcenter/datastore/{store._moId}").json()["name"] == "renamed-store"
    _done(si, dc.Rename_Task(newName="renamed-dc"))
    assert vc.get(f"/api/vcenter/datacenter/{dc._moId}").json()["name"] == "renamed-dc"
    host = vm.runtime.host
    _done(si, made.Destroy_Task())
    assert vc.get(f"/api/vcenter/vm/{vm_id}").status_code == 404
    assert vc.get("/api/vcenter/folder", params={"folders": made._moId}).json() == []
    # the VM that went with the folder: vCenter's VmRemovedEvent, where it was
    wanted = vim.event.EventFilterSpec(type=[vim.event.VmRemovedEvent], maxCount=1)
    (removed,) = si.content.eventManager.QueryEvents(wanted)
    assert removed.vm.vm == vm and removed.host.host == host and removed.datacenter.datacenter == dc


def test_unregister_and_destroy_keeps_the_files(connect, vc):
    si = connect()
    _, vm_folder, _, _, _ = _place(si)
    made = vm_folder.CreateFolder("to-unregister")
    vm_id = _vm(vc, "POWERED_OFF")
    vm = vim.VirtualMachine(vm_id, si._stub)
    name, datastore = vm.name, vm.datastore[0]._moId
    _done(si, made.MoveIntoFolder_Task([vm]))
    running = vim.VirtualMachine(_vm(vc, "POWERED_ON"), si._stub)
    _done(si, made.MoveIntoFolder_Task([running]))
    with pytest.raises(vim.fault.InvalidPowerState):  # a running VM in it: nothing happens
        WaitForTask(made.UnregisterAndDestroy_Task(), si=si)
    assert vc.get(f"/api/vcenter/vm/{vm_id}").status_code == 200
    _done(si, running.PowerOffVM_Task())
    _done(si, made.UnregisterAndDestroy_Task())
    assert vc.get(f"/api/vcenter/vm/{vm_id}").status_code == 404
    register = {
        "datastore": datastore,
        "path": f"{name}/{name}.vmx",
        "placement": {"folder": vm_folder._moId},
    }
    r = vc.post("/api/vcenter/vm", params={"action": "register"}, json=register)
    assert r.status_code == 200 and vc.get(f"/api/vcenter/vm/{r.json()}").json()["name"] == name


def test_a_viewer_changes_nothing(connect, vc):
    viewer = connect(user="viewer@vsphere.local")
    _, folder, _, _, _ = _place(viewer)
    vm_id = _vm(vc, "POWERED_OFF")
    cpus = vc.get(f"/api/vcenter/vm/{vm_id}").json()["cpu"]["count"]
    with pytest.raises(vim.fault.NoPermission) as caught:
        folder.CreateFolder("not-mine")
    assert caught.value.privilegeId == "Folder.Create"
    with pytest.raises(vim.fault.NoPermission) as caught:
        vim.VirtualMachine(vm_id, viewer._stub).ReconfigVM_Task(spec=vim.vm.ConfigSpec(numCPUs=cpus * 2))
    assert caught.value.privilegeId == "VirtualMachine.Config.CPUCount"
    assert vc.get(f"/api/vcenter/vm/{vm_id}").json()["cpu"]["count"] == cpus
