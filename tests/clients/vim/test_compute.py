"""Datacenters and resource pools through pyVmomi: CreateDatacenter, CreateResourcePool with a
ResourceConfigSpec, and their Destroy_Task (a pool's VMs move to its parent), each read back over
vCenter's REST API; a viewer may not destroy them."""

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl


def _root_pool(si):
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    cluster = next(e for e in dc.hostFolder.childEntity if isinstance(e, vim.ClusterComputeResource))
    return cluster.resourcePool


def test_a_datacenter_made_and_destroyed(connect, vc):
    si = connect()
    made = si.content.rootFolder.CreateDatacenter("soap-dc")
    assert isinstance(made, vim.Datacenter) and made.name == "soap-dc"
    assert vc.get(f"/api/vcenter/datacenter/{made._moId}").json()["name"] == "soap-dc"
    with pytest.raises(vim.fault.DuplicateName):
        si.content.rootFolder.CreateDatacenter("soap-dc")
    viewer = connect(user="viewer@vsphere.local")
    with pytest.raises(vim.fault.NoPermission) as caught:
        WaitForTask(vim.Datacenter(made._moId, viewer._stub).Destroy_Task(), si=viewer)
    assert caught.value.privilegeId == "Datacenter.Delete"
    assert WaitForTask(made.Destroy_Task(), si=si) == "success"
    assert vc.get(f"/api/vcenter/datacenter/{made._moId}").status_code == 404


def test_a_resource_pool_made_and_destroyed(connect, vc):
    si = connect()
    root = _root_pool(si)
    spec = vim.ResourceConfigSpec(
        cpuAllocation=vim.ResourceAllocationInfo(
            reservation=500, expandableReservation=False, limit=2000, shares=vim.SharesInfo(level="high")
        ),
        memoryAllocation=vim.ResourceAllocationInfo(
            reservation=0, limit=-1, shares=vim.SharesInfo(level="normal")
        ),
    )
    pool = root.CreateResourcePool("soap-pool", spec)
    assert isinstance(pool, vim.ResourcePool) and pool.parent == root
    shown = vc.get(f"/api/vcenter/resource-pool/{pool._moId}").json()
    assert shown["name"] == "soap-pool"
    assert shown["cpu_allocation"]["reservation"] == 500 and shown["cpu_allocation"]["limit"] == 2000
    assert shown["cpu_allocation"]["shares"]["level"] == "HIGH"
    assert not shown["cpu_allocation"]["expandable_reservation"]
    vm = next(v for v in root.vm if v.runtime.powerState == "poweredOff")  # moved in, then out
    assert WaitForTask(vm.RelocateVM_Task(vim.vm.RelocateSpec(pool=pool)), si=si) == "success"
    assert vm.resourcePool == pool
    assert WaitForTask(pool.Destroy_Task(), si=si) == "success"
    assert vc.get(f"/api/vcenter/resource-pool/{pool._moId}").status_code == 404
    assert vm.resourcePool == root
    with pytest.raises(vmodl.fault.NotSupported):  # a root pool is not destroyed
        WaitForTask(root.Destroy_Task(), si=si)
