"""A vim25 write is all or nothing, as vCenter's: a ReconfigVM_Task, CreateVM_Task or CloneVM_Task
whose spec is refused in any part (a device on a datastore, network or controller that is not
there, a device the VM has not, memory not a multiple of 4 MB, CPUs not whole sockets) ends its
task in vCenter's fault and leaves the VM exactly as it was (read back over SOAP and REST), and
no VM made."""

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

DEVICE = vim.vm.device
CHANGE = DEVICE.VirtualDeviceSpec


def _place(si):
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    cluster = next(e for e in dc.hostFolder.childEntity if isinstance(e, vim.ClusterComputeResource))
    return dc.vmFolder, cluster.resourcePool, dc.datastore, dc.network


def _off_vm(si, vc):
    moid = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_OFF")
    return vim.VirtualMachine(moid, si._stub)


def _state(vm, vc):
    """What a client reads of the VM: REST's whole VM, and SOAP's name, sizes, notes, settings
    and devices."""
    config = vm.config
    devices = [
        (type(d).__name__, d.key, d.controllerKey, getattr(d, "capacityInKB", None), d.deviceInfo.summary)
        for d in config.hardware.device
    ]
    soap = (
        config.name,
        config.hardware.numCPU,
        config.hardware.numCoresPerSocket,
        config.hardware.memoryMB,
        config.annotation,
        sorted((o.key, o.value) for o in config.extraConfig or []),
        devices,
    )
    return soap, vc.get(f"/api/vcenter/vm/{vm._moId}").json()


def _nic(network_name, key=-1):
    backing = DEVICE.VirtualEthernetCard.NetworkBackingInfo(deviceName=network_name)
    return CHANGE(operation="add", device=DEVICE.VirtualVmxnet3(key=key, backing=backing))


def _disk(file_name, controller=1000, operation="add", file_operation=None, key=-2, kb=1024 * 1024):
    backing = DEVICE.VirtualDisk.FlatVer2BackingInfo(fileName=file_name, diskMode="persistent")
    disk = DEVICE.VirtualDisk(
        key=key, controllerKey=controller, unitNumber=5, capacityInKB=kb, backing=backing
    )
    return CHANGE(operation=operation, fileOperation=file_operation, device=disk)


def _refused(si, task, fault):
    with pytest.raises(fault) as caught:
        WaitForTask(task, si=si)
    assert task.info.state == "error" and isinstance(task.info.error, fault)
    return caught.value


@pytest.mark.every_backend  # see tests/conftest.py
def test_a_reconfiguration_refused_in_any_part_changes_nothing(connect, vc):
    si = connect()
    vm = _off_vm(si, vc)
    network = _place(si)[3][0].name
    disk = next(d for d in vm.config.hardware.device if isinstance(d, DEVICE.VirtualDisk))
    smaller = DEVICE.VirtualDisk(
        key=disk.key, controllerKey=disk.controllerKey, unitNumber=disk.unitNumber, capacityInKB=1024
    )
    before = _state(vm, vc)
    earlier = {  # the parts a refused spec would otherwise have made first
        "name": "half-made",
        "numCPUs": 4,
        "memoryMB": 8192,
        "annotation": "should not stay",
        "extraConfig": [vim.option.OptionValue(key="guestinfo.half", value="made")],
    }
    ghost = DEVICE.VirtualCdrom(key=3999, controllerKey=200, unitNumber=1)
    refusals = [
        # a disk attached from a datastore that is not there
        ([_nic(network), _disk("[no-such-store] vm/disk.vmdk")], {}, vim.fault.FileNotFound),
        # a disk made on one
        (
            [_nic(network), _disk("[no-such-store]", file_operation="create")],
            {},
            vim.fault.InvalidDatastorePath,
        ),
        # a network adapter on a network that is not there
        ([_nic(network), _nic("no-such-network", key=-3)], {}, vim.fault.InvalidDeviceSpec),
        # a disk on a controller the VM has not
        (
            [_nic(network), _disk("", controller=1077, file_operation="create")],
            {},
            vim.fault.InvalidController,
        ),
        # an edit and a removal of a device the VM has not
        ([_nic(network), CHANGE(operation="edit", device=ghost)], {}, vim.fault.InvalidDeviceSpec),
        ([_nic(network), CHANGE(operation="remove", device=ghost)], {}, vim.fault.InvalidDeviceSpec),
        # a disk shrunk, after a NIC was added
        ([_nic(network), CHANGE(operation="edit", device=smaller)], {}, vim.fault.InvalidDeviceSpec),
        # a controller removed
        (
            [_nic(network), CHANGE(operation="remove", device=DEVICE.VirtualIDEController(key=200))],
            {},
            vim.fault.InvalidDeviceOperation,
        ),
        # memory not a multiple of 4 MB, CPUs not whole sockets: after the name and the devices
        ([_nic(network)], {"memoryMB": 1001}, vmodl.fault.InvalidArgument),
        ([_nic(network)], {"numCPUs": 3, "numCoresPerSocket": 2}, vmodl.fault.InvalidArgument),
    ]
    for changes, values, fault in refusals:
        spec = vim.vm.ConfigSpec(**{**earlier, **values}, deviceChange=changes)
        caught = _refused(si, vm.ReconfigVM_Task(spec=spec), fault)
        assert _state(vm, vc) == before, fault
        if isinstance(caught, vim.fault.InvalidDeviceSpec):
            assert caught.deviceIndex == 1
            assert caught.msg in (
                "Invalid configuration for device '1'.",
                "Invalid operation for device '1'.",
                "Device '1' is referring to a nonexisting controller '1077'.",
            )
    assert caught.invalidProperty == "numCoresPerSocket"
    # the same spec without its refused part is made whole
    spec = vim.vm.ConfigSpec(**earlier, deviceChange=[_nic(network)])
    assert WaitForTask(vm.ReconfigVM_Task(spec=spec), si=si) == "success"
    rest = vc.get(f"/api/vcenter/vm/{vm._moId}").json()
    assert (rest["name"], rest["cpu"]["count"], rest["memory"]["size_MiB"]) == ("half-made", 4, 8192)
    assert len(rest["nics"]) == len(before[1]["nics"]) + 1


def test_a_refused_create_or_clone_makes_no_vm(connect, vc):
    si = connect()
    folder, pool, datastores, networks = _place(si)
    files = vim.vm.FileInfo(vmPathName=f"[{datastores[0].name}]")
    listed = sorted(v["vm"] for v in vc.get("/api/vcenter/vm").json())
    good = [
        CHANGE(
            operation="add",
            device=DEVICE.ParaVirtualSCSIController(key=-101, busNumber=0, sharedBus="noSharing"),
        ),
        _disk("", controller=-101, file_operation="create", key=-102),
        _nic(networks[0].name, key=-103),
    ]
    refusals = [
        ({"deviceChange": [*good, _nic("no-such-network", key=-104)]}, vim.fault.InvalidDeviceSpec),
        ({"deviceChange": [*good, _disk("", controller=1077, key=-104)]}, vim.fault.InvalidController),
        ({"deviceChange": good, "numCPUs": 3, "numCoresPerSocket": 2}, vmodl.fault.InvalidArgument),
        ({"deviceChange": good, "memoryMB": 1001}, vmodl.fault.InvalidArgument),
        (
            {"deviceChange": good, "files": vim.vm.FileInfo(vmPathName="[nowhere]")},
            vim.fault.InvalidDatastorePath,
        ),
    ]
    for values, fault in refusals:
        config = vim.vm.ConfigSpec(**{"name": "never-made", "files": files, "memoryMB": 1024, **values})
        caught = _refused(si, folder.CreateVM_Task(config=config, pool=pool), fault)
        assert sorted(v["vm"] for v in vc.get("/api/vcenter/vm").json()) == listed, fault
    assert caught.datastorePath == "[nowhere]"
    assert caught.msg == "Invalid datastore path '[nowhere]'."
    # a clone whose configuration is refused: no clone
    source = _off_vm(si, vc)
    config = vim.vm.ConfigSpec(deviceChange=[_nic(networks[0].name), _nic("no-such-network", key=-2)])
    spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(), powerOn=False, config=config)
    _refused(
        si, source.CloneVM_Task(folder=folder, name="never-cloned", spec=spec), vim.fault.InvalidDeviceSpec
    )
    assert sorted(v["vm"] for v in vc.get("/api/vcenter/vm").json()) == listed
    # and the same without the refused part is made
    config = vim.vm.ConfigSpec(name="made-whole", files=files, memoryMB=1024, deviceChange=good)
    made = folder.CreateVM_Task(config=config, pool=pool)
    assert WaitForTask(made, si=si) == "success"
    rest = vc.get(f"/api/vcenter/vm/{made.info.result._moId}").json()
    assert rest["name"] == "made-whole" and len(rest["disks"]) == 1 and len(rest["nics"]) == 1
