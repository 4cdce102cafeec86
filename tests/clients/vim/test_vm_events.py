"""The events vCenter records for SOAP writes, read back with pyVmomi's QueryEvents: a VM made,
cloned, deployed from a template, reconfigured, renamed and relocated, its guest shut down,
rebooted and put on standby; a datacenter and a resource pool made and a pool destroyed. Each
event is of vCenter's type, with its fields, its message in vCenter's words and the chain of its
task's own TaskEvent."""

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

EV = vim.event


def _place(si):
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    cluster = next(e for e in dc.hostFolder.childEntity if isinstance(e, vim.ClusterComputeResource))
    return dc, cluster


def _vm(vc, power):
    return next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == power)


def _events(si, entity, count=10, recursion="self"):
    """The entity's newest events, newest first."""
    by = EV.EventFilterSpec.ByEntity(entity=entity, recursion=recursion)
    return si.content.eventManager.QueryEvents(EV.EventFilterSpec(entity=by, maxCount=count))


def _done(si, task):
    assert WaitForTask(task, si=si) == "success"
    return task.info.result


def test_a_vm_made_and_changed_over_soap(connect, vc):
    si = connect()
    dc, cluster = _place(si)
    home = vim.vm.FileInfo(vmPathName=f"[{dc.datastore[0].name}]")
    spec = vim.vm.ConfigSpec(name="evented", guestId="otherLinux64Guest", files=home, numCPUs=1, memoryMB=512)
    task = dc.vmFolder.CreateVM_Task(config=spec, pool=cluster.resourcePool)
    vm = _done(si, task)
    created, creating = _events(si, vm, 2)
    assert isinstance(creating, EV.VmBeingCreatedEvent) and isinstance(created, EV.VmCreatedEvent)
    assert created.vm.vm == vm and created.vm.name == "evented" and created.template is False
    host = vm.runtime.host
    assert created.host.host == host and created.datacenter.datacenter == dc
    assert created.computeResource.computeResource == cluster
    assert created.fullFormattedMessage == f"Created virtual machine evented on {host.name} in {dc.name}"
    assert creating.fullFormattedMessage == f"Creating evented on host {host.name} in {dc.name}"
    assert creating.createdTime < created.createdTime and created.userName == "VSPHERE.LOCAL\\administrator"
    # one chain with the task's own event, which is the folder's
    (own,) = [e for e in _events(si, dc.vmFolder, 5) if isinstance(e, EV.TaskEvent)]
    assert own.info.task == task and own.key == own.chainId == created.chainId == creating.chainId
    # the task's info names that chain, read from the task and within its event
    assert task.info.eventChainId == own.info.eventChainId == own.key
    assert own.key < creating.key < created.key  # numbered as they were recorded

    _done(si, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(numCPUs=2, annotation="two")))
    (reconfigured,) = _events(si, vm, 1)
    assert isinstance(reconfigured, EV.VmReconfiguredEvent)
    assert (reconfigured.configSpec.numCPUs, reconfigured.configSpec.annotation) == (2, "two")
    assert reconfigured.fullFormattedMessage == f"Reconfigured evented on {host.name} in {dc.name}"

    _done(si, vm.Rename_Task(newName="evented-2"))
    (renamed,) = _events(si, vm, 1)
    assert isinstance(renamed, EV.VmRenamedEvent)
    assert (renamed.oldName, renamed.newName, renamed.vm.name) == ("evented", "evented-2", "evented-2")
    assert renamed.fullFormattedMessage == f"Renamed evented-2 from evented to evented-2 in {dc.name}"

    source_ds = dc.datastore[0]  # its home (it has no disk)
    other = next(d for d in dc.datastore if d != source_ds)
    _done(si, vm.RelocateVM_Task(spec=vim.vm.RelocateSpec(datastore=other)))
    relocated, relocating = _events(si, vm, 2)
    assert isinstance(relocating, EV.VmBeingRelocatedEvent) and isinstance(relocated, EV.VmRelocatedEvent)
    assert relocating.ds.datastore == source_ds and relocating.destDatastore.datastore == other
    assert relocating.destHost.host == host and relocating.destDatacenter.name == dc.name
    assert relocated.sourceDatastore.datastore == source_ds and relocated.ds.datastore == other
    assert relocated.sourceHost.host == host and relocated.sourceDatacenter.datacenter == dc
    assert relocated.fullFormattedMessage == "Completed the relocation of the virtual machine"
    wanted = EV.EventFilterSpec(eventTypeId=["VmRenamedEvent"], maxCount=1)
    assert [e.key for e in si.content.eventManager.QueryEvents(wanted)] == [renamed.key]
    tasks_only = EV.EventFilterSpec(
        entity=EV.EventFilterSpec.ByEntity(entity=vm, recursion="self"), type=[EV.TaskEvent]
    )
    names = [e.info.descriptionId for e in si.content.eventManager.QueryEvents(tasks_only)]
    assert names == ["VirtualMachine.relocate", "VirtualMachine.rename", "VirtualMachine.reconfigure"]

    task = vm.Destroy_Task()
    _done(si, task)
    wanted = EV.EventFilterSpec(type=[EV.VmRemovedEvent, EV.TaskEvent], maxCount=2)
    removed, destroyed = si.content.eventManager.QueryEvents(wanted)
    assert removed.vm.vm == vm and removed.vm.name == "evented-2" and removed.host.host == host
    assert removed.fullFormattedMessage == f"Removed evented-2 on {host.name} from {dc.name}"
    assert destroyed.info.task == task and destroyed.chainId == removed.chainId


def test_clones_deploys_and_the_guest(connect, vc):
    si = connect()
    dc, cluster = _place(si)
    source = vim.VirtualMachine(_vm(vc, "POWERED_OFF"), si._stub)
    spec = vim.vm.CloneSpec(location=vim.vm.RelocateSpec(pool=cluster.resourcePool))
    clone = _done(si, source.CloneVM_Task(folder=dc.vmFolder, name="cloned", spec=spec))
    (cloning,) = [e for e in _events(si, source, 3) if isinstance(e, EV.VmBeingClonedEvent)]
    assert cloning.vm.vm == source and cloning.destName == "cloned"
    assert cloning.destHost.host == clone.runtime.host and cloning.destFolder.folder == dc.vmFolder
    assert cloning.fullFormattedMessage == (
        f"Cloning {source.name} on host {source.runtime.host.name} in {dc.name} to cloned on host "
        f"{clone.runtime.host.name}"
    )
    (cloned,) = _events(si, clone, 1)
    assert isinstance(cloned, EV.VmClonedEvent) and cloned.vm.vm == clone
    assert cloned.sourceVm.vm == source and cloned.fullFormattedMessage == f"Clone of {source.name} completed"
    assert cloned.chainId == cloning.chainId
    # a clone of a template is a deploy
    source.MarkAsTemplate()
    deployed = _done(si, source.CloneVM_Task(folder=dc.vmFolder, name="deployed", spec=spec))
    done, deploying = _events(si, deployed, 2)
    assert isinstance(done, EV.VmDeployedEvent) and done.srcTemplate.vm == source
    assert done.vm.vm == deployed and done.vm.name == "deployed"
    host = deployed.runtime.host.name
    assert done.fullFormattedMessage == f"Template {source.name} deployed on host {host}"
    # the VM being deployed is the new one (not the template), the template its srcTemplate
    assert isinstance(deploying, EV.VmBeingDeployedEvent) and deploying.chainId == done.chainId
    assert (deploying.vm.vm, deploying.vm.name, deploying.srcTemplate.vm) == (deployed, "deployed", source)
    assert deploying.fullFormattedMessage == (
        f"Deploying deployed on host {host} in {dc.name} from template {source.name}"
    )
    assert not [e for e in _events(si, source, 5) if isinstance(e, EV.VmBeingDeployedEvent)]
    by_type = EV.EventFilterSpec(eventTypeId=["VmClonedEvent", "VmDeployedEvent"], maxCount=5)
    assert [e.key for e in si.content.eventManager.QueryEvents(by_type)] == [done.key, cloned.key]
    # the guest's power: no task, one event each
    running = vim.VirtualMachine(_vm(vc, "POWERED_ON"), si._stub)
    running.RebootGuest()
    running.StandbyGuest()
    WaitForTask(running.PowerOnVM_Task(), si=si)
    running.ShutdownGuest()
    kinds = [type(e) for e in _events(si, running, 4)]
    assert kinds == [
        EV.VmGuestShutdownEvent,
        EV.VmPoweredOnEvent,
        EV.VmGuestStandbyEvent,
        EV.VmGuestRebootEvent,
    ]
    shutdown = _events(si, running, 1)[0]
    where = f"{running.name} on {running.runtime.host.name} in {dc.name}"
    assert shutdown.fullFormattedMessage == f"Guest OS shut down for {where}"
    with pytest.raises(vim.fault.InvalidPowerState):
        running.ShutdownGuest()
    assert type(_events(si, running, 1)[0]) is EV.VmGuestShutdownEvent  # a refusal records nothing new
    assert _events(si, running, 1)[0].key == shutdown.key


def test_datacenters_and_pools_made_and_destroyed(connect):
    si = connect()
    made = si.content.rootFolder.CreateDatacenter("evented-dc")
    (created,) = _events(si, made, 1)
    assert isinstance(created, EV.DatacenterCreatedEvent) and created.datacenter.datacenter == made
    assert created.parent.folder == si.content.rootFolder and created.parent.name == "Datacenters"
    assert created.fullFormattedMessage == "Created datacenter evented-dc in folder Datacenters"
    dc, cluster = _place(si)
    root = cluster.resourcePool
    every = vim.ResourceAllocationInfo(reservation=0, limit=-1, shares=vim.SharesInfo(level="normal"))
    pool = root.CreateResourcePool(
        "evented-pool", vim.ResourceConfigSpec(cpuAllocation=every, memoryAllocation=every)
    )
    (pooled,) = _events(si, pool, 1)
    assert isinstance(pooled, EV.ResourcePoolCreatedEvent)
    assert pooled.resourcePool.resourcePool == pool and pooled.parent.resourcePool == root
    assert pooled.computeResource.computeResource == cluster
    assert pooled.fullFormattedMessage == (
        f"Created resource pool evented-pool in compute-resource {cluster.name} in {dc.name}"
    )
    _done(si, pool.Destroy_Task())
    wanted = EV.EventFilterSpec(type=[EV.ResourcePoolDestroyedEvent], maxCount=1)
    (destroyed,) = si.content.eventManager.QueryEvents(wanted)
    assert destroyed.resourcePool.name == "evented-pool" and destroyed.datacenter.name == dc.name
    assert (
        destroyed.fullFormattedMessage == f"Removed resource pool evented-pool on {cluster.name} in {dc.name}"
    )


def test_a_revert_to_a_snapshot(connect, vc):
    """vCenter tells a snapshot taken or removed by its TaskEvent alone, and a revert by an EventEx
    that PowerCLI scripts read by its id and message."""
    si = connect()
    _, cluster = _place(si)
    vm = vim.VirtualMachine(_vm(vc, "POWERED_OFF"), si._stub)
    snapshot = _done(si, vm.CreateSnapshot_Task(name="before", memory=False, quiesce=False))
    assert [type(e) for e in _events(si, vm, 1)] == [EV.TaskEvent]
    task = snapshot.RevertToSnapshot_Task()
    _done(si, task)
    wanted = EV.EventFilterSpec(eventTypeId=["com.vmware.vc.vm.VmStateRevertedToSnapshot"], maxCount=5)
    (reverted,) = si.content.eventManager.QueryEvents(wanted)
    assert isinstance(reverted, EV.EventEx) and reverted.vm.vm == vm
    assert (reverted.objectId, reverted.objectType, reverted.objectName) == (
        vm._moId,
        vim.VirtualMachine,
        vm.name,
    )
    number = str(vm.snapshot.rootSnapshotList[0].id)
    assert {a.key: a.value for a in reverted.arguments} == {"snapshotName": "before", "snapshotId": number}
    assert reverted.fullFormattedMessage == (
        f"The execution state of the virtual machine {vm.name} on host {vm.runtime.host.name}, in compute "
        f"resource {cluster.name} has been reverted to the state of snapshot before, with ID {number}"
    )
    (own,) = [e for e in _events(si, vm, 3) if isinstance(e, EV.TaskEvent) and e.info.task == task]
    assert own.chainId == reverted.chainId
    _done(si, vm.RevertToCurrentSnapshot_Task())
    assert len(si.content.eventManager.QueryEvents(wanted)) == 2
    assert isinstance(_events(si, vm, 1)[0], EV.EventEx)
