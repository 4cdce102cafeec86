"""A VM's guest power methods through pyVmomi: ShutdownGuest, StandbyGuest and RebootGuest answer at
once, change the one world's VM (read back over REST), need the VM's power privileges, and refuse
with InvalidPowerState when the guest is not running."""

import pytest
from pyVmomi import vim


def _running_vm(vc) -> str:
    return next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_ON")


def test_shutdown_standby_and_reboot_guest(connect, vc):
    si = connect()
    vm_id = _running_vm(vc)
    vm = vim.VirtualMachine(vm_id, si._stub)
    assert vm.RebootGuest() is None
    assert vc.get(f"/api/vcenter/vm/{vm_id}/power").json()["state"] == "POWERED_ON"
    vm.StandbyGuest()
    assert vm.runtime.powerState == "suspended"
    assert vc.get(f"/api/vcenter/vm/{vm_id}/guest/power").json()["state"] == "STANDBY"
    with pytest.raises(vim.fault.InvalidPowerState) as caught:
        vm.ShutdownGuest()
    assert caught.value.existingState == "suspended" and caught.value.requestedState == "poweredOn"
    assert vm.PowerOnVM_Task().info.state == "success"
    vm.ShutdownGuest()
    power = vc.get(f"/api/vcenter/vm/{vm_id}/power").json()
    assert power == {"state": "POWERED_OFF", "clean_power_off": True}
    with pytest.raises(vim.fault.InvalidPowerState) as caught:
        vm.RebootGuest()
    assert caught.value.existingState == "poweredOff"
    assert "(Powered off)" in caught.value.msg


def test_a_viewer_may_not_shut_a_guest_down(connect, vc):
    vm_id = _running_vm(vc)
    viewer = connect(user="viewer@vsphere.local")
    with pytest.raises(vim.fault.NoPermission) as caught:
        vim.VirtualMachine(vm_id, viewer._stub).ShutdownGuest()
    assert caught.value.privilegeId == "VirtualMachine.Interact.PowerOff"
    assert vc.get(f"/api/vcenter/vm/{vm_id}/power").json()["state"] == "POWERED_ON"
