"""A host's connection and maintenance mode through pyVmomi (``DisconnectHost_Task``,
``ReconnectHost_Task``, ``EnterMaintenanceMode_Task``, ``ExitMaintenanceMode_Task``), read back
over SOAP (``runtime``) and vCenter's REST API at once: what vCenter refuses (entering while a VM
runs on the host, entering twice, a VM powered on in maintenance mode), the events it records in
the task's chain, and that a host in maintenance mode may be destroyed."""

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim

from helpers import standalone_host

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

API = "/api/vcenter"
EV = vim.event


def _done(si, task):
    assert WaitForTask(task, si=si) == "success"
    return task


def _refused(si, task, fault=vim.fault.InvalidState):
    with pytest.raises(fault):
        WaitForTask(task, si=si)
    return task


def _datacenter(si):
    return next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))


def test_maintenance_mode(connect, vc):
    si = connect()
    moid = standalone_host(vc, "maint.lab")
    host = vim.HostSystem(moid, si._stub)
    made = vc.post(
        f"{API}/vm", json={"name": "on-maint", "guest_OS": "UBUNTU_64", "placement": {"host": moid}}
    )
    assert made.status_code == 201, made.text
    vm = made.json()
    assert vc.post(f"{API}/vm/{vm}/power", params={"action": "start"}).status_code == 204
    # a VM runs on it, and no DRS moves it: refused
    _refused(si, host.EnterMaintenanceMode_Task(timeout=0))
    assert host.runtime.inMaintenanceMode is False
    viewer = connect(user="viewer@vsphere.local")
    with pytest.raises(vim.fault.NoPermission) as caught:
        vim.HostSystem(moid, viewer._stub).EnterMaintenanceMode_Task(timeout=0)
    assert caught.value.privilegeId == "Host.Config.Maintenance"
    assert vc.post(f"{API}/vm/{vm}/power", params={"action": "stop"}).status_code == 204
    task = _done(si, host.EnterMaintenanceMode_Task(timeout=0))
    assert host.runtime.inMaintenanceMode is True and host.summary.runtime.inMaintenanceMode is True
    assert task.info.descriptionId == "HostSystem.enterMaintenanceMode"
    by = EV.EventFilterSpec.ByEntity(entity=host, recursion="self")
    entered, entering, own = si.content.eventManager.QueryEvents(EV.EventFilterSpec(entity=by, maxCount=3))
    assert isinstance(entered, EV.EnteredMaintenanceModeEvent)
    assert isinstance(entering, EV.EnteringMaintenanceModeEvent) and own.info.task == task
    assert entered.chainId == entering.chainId == own.key == task.info.eventChainId
    dc = _datacenter(si).name
    assert entered.host.host == host and entered.host.name == "maint.lab"
    assert entered.fullFormattedMessage == f"Host maint.lab in {dc} has entered maintenance mode"
    assert entering.fullFormattedMessage == f"Host maint.lab in {dc} has started to enter maintenance mode"
    # in maintenance mode already; no VM is powered on while in it
    _refused(si, host.EnterMaintenanceMode_Task(timeout=0))
    _refused(si, vim.VirtualMachine(vm, si._stub).PowerOnVM_Task())
    assert vc.post(f"{API}/vm/{vm}/power", params={"action": "start"}).status_code == 400
    _done(si, host.ExitMaintenanceMode_Task(timeout=0))
    assert host.runtime.inMaintenanceMode is False
    (exited,) = si.content.eventManager.QueryEvents(
        EV.EventFilterSpec(entity=by, type=[EV.ExitMaintenanceModeEvent], maxCount=1)
    )
    assert exited.fullFormattedMessage == f"Host maint.lab in {dc} has exited maintenance mode"
    _refused(si, host.ExitMaintenanceMode_Task(timeout=0))  # out of it already
    # a connected host is destroyed once in maintenance mode, with its VMs
    _refused(si, host.Destroy_Task())
    _done(si, host.EnterMaintenanceMode_Task(timeout=0))
    _done(si, host.Destroy_Task())
    assert vc.get(f"{API}/host", params={"hosts": moid}).json() == []
    assert vc.get(f"{API}/vm/{vm}").status_code == 404


def test_disconnect_and_reconnect(connect, vc):
    si = connect()
    moid = standalone_host(vc, "cnx.lab")
    host = vim.HostSystem(moid, si._stub)
    (listed,) = vc.get(f"{API}/host", params={"hosts": moid}).json()
    assert listed["connection_state"] == "CONNECTED" and host.runtime.connectionState == "connected"
    viewer = connect(user="viewer@vsphere.local")
    with pytest.raises(vim.fault.NoPermission) as caught:
        vim.HostSystem(moid, viewer._stub).DisconnectHost_Task()
    assert caught.value.privilegeId == "Host.Config.Connection"
    task = _done(si, host.DisconnectHost_Task())
    assert task.info.descriptionId == "HostSystem.disconnect"
    (listed,) = vc.get(f"{API}/host", params={"hosts": moid}).json()
    assert listed["connection_state"] == "DISCONNECTED"
    assert host.runtime.connectionState == host.summary.runtime.connectionState == "disconnected"
    _done(si, host.DisconnectHost_Task())  # disconnected already: nothing changes
    # a disconnected host is not put in maintenance mode
    _refused(si, host.EnterMaintenanceMode_Task(timeout=0))
    _done(si, host.ReconnectHost_Task())
    assert host.runtime.connectionState == "connected"
    assert vc.get(f"{API}/host", params={"hosts": moid}).json()[0]["connection_state"] == "CONNECTED"
    _done(si, host.ReconnectHost_Task())  # reconnecting a connected host resynchronises it
    assert host.runtime.connectionState == "connected"


def test_the_vms_of_a_disconnected_host_are_out_of_reach(connect, vc):
    si = connect()
    moid = standalone_host(vc, "cut.lab")
    host = vim.HostSystem(moid, si._stub)
    made = vc.post(f"{API}/vm", json={"name": "on-cut", "guest_OS": "UBUNTU_64", "placement": {"host": moid}})
    assert made.status_code == 201, made.text
    vm = vim.VirtualMachine(made.json(), si._stub)
    assert vm.runtime.connectionState == "connected" and host.overallStatus == "green"
    _done(si, host.DisconnectHost_Task())
    assert vm.runtime.connectionState == vm.summary.runtime.connectionState == "disconnected"
    assert host.overallStatus == host.summary.overallStatus == "gray"
    with pytest.raises(vim.fault.InvalidHostConnectionState) as caught:
        WaitForTask(vm.PowerOnVM_Task(), si=si)
    assert caught.value.host._moId == moid
    assert vm.runtime.powerState == "poweredOff"
    r = vc.post(f"{API}/vm/{vm._moId}/power", params={"action": "start"})
    assert r.status_code == 400 and r.json()["error_type"] == "NOT_ALLOWED_IN_CURRENT_STATE", r.text
    _done(si, host.ReconnectHost_Task())
    assert vm.runtime.connectionState == "connected" and host.overallStatus == "green"
    _done(si, vm.PowerOnVM_Task())
