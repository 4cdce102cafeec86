"""InvalidArgument as vCenter words it, in a method's fault and in a task's error: ``invalidProperty``
names the parameter, and the message is "A specified parameter was not correct: <parameter>"."""

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

WORDS = "A specified parameter was not correct: "


def _vm(vc, power):
    return next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == power)


def _refused(si, task):
    with pytest.raises(vmodl.fault.InvalidArgument) as caught:
        WaitForTask(task, si=si)
    # the task's own error is the same fault, with its message
    assert isinstance(task.info.error, vmodl.fault.InvalidArgument)
    assert task.info.error.msg == caught.value.msg
    return caught.value


def test_a_task_refused_for_a_value_names_it(connect, vc):
    si = connect()
    vm = vim.VirtualMachine(_vm(vc, "POWERED_OFF"), si._stub)
    caught = _refused(si, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(memoryMB=1001)))
    assert (caught.invalidProperty, caught.msg) == ("memoryMB", WORDS + "memoryMB")
    caught = _refused(si, vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(numCPUs=3, numCoresPerSocket=2)))
    assert (caught.invalidProperty, caught.msg) == ("numCoresPerSocket", WORDS + "numCoresPerSocket")


def test_a_placement_that_does_not_fit_names_its_part(connect, vc):
    si = connect()
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    cluster = next(e for e in dc.hostFolder.childEntity if isinstance(e, vim.ClusterComputeResource))
    folder = vc.get("/api/vcenter/folder", params={"type": "HOST"}).json()[0]["folder"]
    spec = {"hostname": "apart.lab", "user_name": "root", "password": "secret", "folder": folder}
    spec |= {"thumbprint_verification": "NONE"}
    made = vc.post("/api/vcenter/host", json=spec)
    assert made.status_code == 201, made.text
    apart = vim.HostSystem(made.json(), si._stub)
    source = vim.VirtualMachine(_vm(vc, "POWERED_OFF"), si._stub)
    # a host outside the pool's cluster: the pool is not on that host
    where = vim.vm.RelocateSpec(pool=cluster.resourcePool, host=apart)
    task = source.CloneVM_Task(folder=dc.vmFolder, name="misplaced", spec=vim.vm.CloneSpec(location=where))
    caught = _refused(si, task)
    assert (caught.invalidProperty, caught.msg) == ("pool", WORDS + "pool")
    assert vc.get("/api/vcenter/vm", params={"names": "misplaced"}).json() == []


def test_a_new_vm_of_no_cpus_or_memory_is_refused_and_unset_sizes_take_defaults(connect, vc):
    si = connect()
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    cluster = next(e for e in dc.hostFolder.childEntity if isinstance(e, vim.ClusterComputeResource))
    datastore = dc.datastore[0].name

    def create(name, **sizes):
        config = vim.vm.ConfigSpec(name=name, files=vim.vm.FileInfo(vmPathName=f"[{datastore}]"), **sizes)
        return dc.vmFolder.CreateVM_Task(config=config, pool=cluster.resourcePool)

    caught = _refused(si, create("no-cpus", numCPUs=0, memoryMB=1024))
    assert caught.invalidProperty == "numCPUs"
    assert vc.get("/api/vcenter/vm", params={"names": "no-cpus"}).json() == []
    task = create("default-sizes")
    assert WaitForTask(task, si=si) == "success" and task.info.progress is None
    hardware = task.info.result.config.hardware
    assert (hardware.numCPU, hardware.memoryMB) == (1, 4)
