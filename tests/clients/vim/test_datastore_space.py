"""Datastore space through pyVmomi 9.1.1.0: VM disks take what vSphere's provisioning says (a thick
disk its capacity, a thin one a tenth written and the rest uncommitted, a VM's home files 16 MiB and
its memory's swap while it runs), the same figures over vCenter's REST API and Operations' stats; a
thick disk its datastore has no room for fails with NoDiskSpace (REST: unable_to_allocate_resource)
and changes nothing; a clone's disks are named after it and a relocated VM's disks move into its
folder on the target datastore."""

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim

from helpers import assert_vapi_error, ops_acquire

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

GIB, MIB = 1 << 30, 1 << 20
HOME = 16 * MIB  # a VM's .vmx, .nvram and logs (world/datastore_space.py)
OPS = "/suite-api/api"


def _place(si):
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    cluster = next(e for e in dc.hostFolder.childEntity if isinstance(e, vim.ClusterComputeResource))
    return dc.vmFolder, cluster.resourcePool, list(dc.datastore)


def _disk(key, capacity, thin=False, eager=False):
    backing = vim.vm.device.VirtualDisk.FlatVer2BackingInfo(fileName="", diskMode="persistent")
    if thin:
        backing.thinProvisioned = True
    if eager:
        backing.eagerlyScrub = True
    return vim.vm.device.VirtualDeviceSpec(
        operation="add",
        fileOperation="create",
        device=vim.vm.device.VirtualDisk(
            key=key, controllerKey=1000, unitNumber=-key % 100, capacityInKB=capacity // 1024, backing=backing
        ),
    )


def _space(ds):
    """(freeSpace, uncommitted) of a datastore's summary, checked against its info."""
    summary = ds.summary
    assert ds.info.freeSpace == summary.freeSpace
    return summary.freeSpace, summary.uncommitted


def _create(si, name, datastore, *disks, memory=2048):
    folder, pool, _ = _place(si)
    config = vim.vm.ConfigSpec(
        name=name,
        guestId="ubuntu64Guest",
        numCPUs=1,
        memoryMB=memory,
        files=vim.vm.FileInfo(vmPathName=f"[{datastore.name}]"),
        deviceChange=list(disks),
    )
    task = folder.CreateVM_Task(config=config, pool=pool)
    assert WaitForTask(task, si=si) == "success"
    return task.info.result


def test_disks_take_their_datastores_space(server, connect, vc):
    si = connect()
    _, _, datastores = _place(si)
    ds = datastores[0]
    free, uncommitted = _space(ds)
    # a thick disk: its whole capacity, and the VM's home files
    vm = _create(si, "space-thick", ds, _disk(-1, 10 * GIB))
    assert _space(ds) == (free - 10 * GIB - HOME, uncommitted)
    # a thin disk: a tenth written, the rest uncommitted; an eagerly zeroed one: all of it
    add = vim.vm.ConfigSpec(deviceChange=[_disk(-2, 20 * GIB, thin=True), _disk(-3, 1 * GIB, eager=True)])
    assert WaitForTask(vm.ReconfigVM_Task(spec=add), si=si) == "success"
    after = free - 10 * GIB - HOME - 2 * GIB - 1 * GIB
    assert _space(ds) == (after, uncommitted + 18 * GIB)
    backings = [d.backing for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    assert [(b.thinProvisioned, b.eagerlyScrub) for b in backings] == [
        (False, False),
        (True, False),
        (False, True),
    ]
    # running, it has a swap file the size of its memory
    assert WaitForTask(vm.PowerOnVM_Task(), si=si) == "success"
    assert _space(ds) == (after - 2048 * MIB, uncommitted + 18 * GIB)
    # the same figures over REST and Operations
    rest = vc.get("/api/vcenter/datastore", params={"datastores": ds._moId}).json()
    assert [(d["free_space"], d["capacity"]) for d in rest] == [(after - 2048 * MIB, ds.summary.capacity)]
    assert vc.get(f"/api/vcenter/datastore/{ds._moId}").json()["free_space"] == after - 2048 * MIB
    token = ops_acquire(server).json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {token}", "Accept": "application/json"}) as ops:
        found = ops.get(f"{OPS}/resources", params={"resourceKind": "Datastore", "name": ds.name}).json()
        (rid,) = [r["identifier"] for r in found["resourceList"] if r["resourceKey"]["name"] == ds.name]
        keys = ["diskspace|freespace", "capacity|used_space", "capacity|total_capacity"]
        r = ops.post(f"{OPS}/resources/stats/latest/query", json={"resourceId": [rid], "statKey": keys})
        stats = {s["statKey"]["key"]: s["data"][-1] for s in r.json()["values"][0]["stat-list"]["stat"]}
    capacity = ds.summary.capacity
    assert stats["diskspace|freespace"] == pytest.approx((after - 2048 * MIB) / GIB, abs=0.01)
    assert stats["capacity|used_space"] == pytest.approx((capacity - after + 2048 * MIB) / GIB, abs=0.01)
    # a thick disk larger than what is free: NoDiskSpace, and nothing changes
    free_now = after - 2048 * MIB
    with pytest.raises(vim.fault.NoDiskSpace) as caught:
        WaitForTask(
            vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(deviceChange=[_disk(-4, free_now + GIB)])), si=si
        )
    assert caught.value.datastore == ds.name and caught.value.file.startswith(f"[{ds.name}] space-thick/")
    assert len(vc.get(f"/api/vcenter/vm/{vm._moId}").json()["disks"]) == 3
    assert _space(ds) == (free_now, uncommitted + 18 * GIB)
    # ... nor as a new VM's disk (no VM is left), while a thin disk that large overcommits
    with pytest.raises(vim.fault.NoDiskSpace):
        _create(si, "space-too-big", ds, _disk(-1, free_now + GIB))
    assert vc.get("/api/vcenter/vm", params={"names": "space-too-big"}).json() == []
    assert _space(ds) == (free_now, uncommitted + 18 * GIB)
    thin = _create(si, "space-thin", ds, _disk(-1, free_now + GIB, thin=True))
    assert _space(ds)[1] == uncommitted + 18 * GIB + (free_now + GIB) - (free_now + GIB) // 10
    # gone, the VMs give their space back
    assert WaitForTask(vm.PowerOffVM_Task(), si=si) == "success"
    for made in (vm, thin):
        assert WaitForTask(made.Destroy_Task(), si=si) == "success"
    assert _space(ds) == (free, uncommitted)


def test_a_thick_clone_that_does_not_fit_is_refused_over_rest(connect, vc):
    si = connect()
    folder, _, datastores = _place(si)
    ds = datastores[0]
    free, _ = _space(ds)
    big = (free - HOME) * 6 // 10  # one copy fits, two do not
    vm = _create(si, "space-big", ds, _disk(-1, big))
    placement = {"folder": folder._moId, "datastore": ds._moId}
    spec = {"source": vm._moId, "name": "space-big-copy", "placement": placement}
    body = assert_vapi_error(
        vc.post("/api/vcenter/vm", params={"action": "clone"}, json=spec), 400, "UNABLE_TO_ALLOCATE_RESOURCE"
    )
    assert body["messages"][0]["default_message"] == f"Insufficient disk space on datastore '{ds.name}'."
    assert vc.get("/api/vcenter/vm", params={"names": "space-big-copy"}).json() == []
    assert _space(ds)[0] == free - big - HOME
    # relocated to a datastore with less free than its thick disk: NoDiskSpace, and it stays
    other = datastores[1]
    filler = _space(other)[0] - HOME - big // 2
    if filler > 0:
        _create(si, "space-filler", other, _disk(-1, filler))
    room = _space(other)[0]
    assert room < big
    with pytest.raises(vim.fault.NoDiskSpace) as caught:
        WaitForTask(vm.RelocateVM_Task(spec=vim.vm.RelocateSpec(datastore=other)), si=si)
    assert caught.value.datastore == other.name
    assert vm.datastore == [ds] and (_space(ds)[0], _space(other)[0]) == (free - big - HOME, room)


def test_clone_disk_names_and_relocated_disk_paths(connect, vc):
    si = connect()
    folder, _, datastores = _place(si)
    ds, other = datastores[0], datastores[1]
    vm = _create(si, "space-names", ds, _disk(-1, GIB, thin=True), _disk(-2, GIB, thin=True))
    task = vm.CloneVM_Task(
        folder=folder, name="space-copy", spec=vim.vm.CloneSpec(location=vim.vm.RelocateSpec())
    )
    assert WaitForTask(task, si=si) == "success"
    files = [
        d["backing"]["vmdk_file"]
        for d in vc.get(f"/api/vcenter/vm/{task.info.result._moId}").json()["disks"].values()
    ]
    assert sorted(files) == [
        f"[{ds.name}] space-copy/space-copy.vmdk",
        f"[{ds.name}] space-copy/space-copy_1.vmdk",
    ]
    # relocated: the disks move into the VM's folder on the target datastore, space with them
    before, moved = _space(ds)[0], _space(other)[0]
    assert WaitForTask(vm.RelocateVM_Task(spec=vim.vm.RelocateSpec(datastore=other)), si=si) == "success"
    files = [
        d.backing.fileName for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)
    ]
    assert sorted(files) == [
        f"[{other.name}] space-names/space-names.vmdk",
        f"[{other.name}] space-names/space-names_1.vmdk",
    ]
    taken = 2 * (GIB // 10) + HOME
    assert (_space(ds)[0], _space(other)[0]) == (before + taken, moved - taken)


def test_a_vm_without_disks_lives_on_the_datastore_it_was_made_on(connect, vc):
    si = connect()
    datastore = _place(si)[2][-1]
    vm = _create(si, "space-diskless", datastore)
    assert vm.config.files.vmPathName == f"[{datastore.name}] space-diskless/space-diskless.vmx"
    assert vm.summary.config.vmPathName == vm.config.files.vmPathName
    assert [d._moId for d in vm.datastore] == [datastore._moId]
    assert [u.datastore._moId for u in vm.storage.perDatastoreUsage] == [datastore._moId]
    assert vm.storage.perDatastoreUsage[0].committed == HOME
