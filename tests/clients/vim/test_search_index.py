"""SearchIndex's searches by address, DNS name and UUID through pyVmomi: a running VM by the IP
address and host name REST's guest identity shows, a host by its management address, every match
(``FindAll*``) as well as the first; a powered-off VM has no guest address to be found by."""

import pytest
from pyVmomi import vim


def _vm(vc, state):
    return next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == state)


@pytest.mark.every_backend
def test_a_running_vm_by_the_ip_and_name_its_guest_reports(connect, vc):
    si = connect()
    index = si.content.searchIndex
    vm_id = _vm(vc, "POWERED_ON")
    identity = vc.get(f"/api/vcenter/vm/{vm_id}/guest/identity").json()
    found = index.FindByIp(None, identity["ip_address"], True)
    assert found is not None and found._moId == vm_id
    assert [v._moId for v in index.FindAllByIp(None, identity["ip_address"], True)] == [vm_id]
    assert index.FindByIp(None, identity["ip_address"], False) is None  # no host has it
    assert index.FindByIp(None, "203.0.113.254", True) is None
    named = index.FindAllByDnsName(None, identity["host_name"].upper(), True)
    assert vm_id in [v._moId for v in named]
    datacenter = si.content.rootFolder.childEntity[0]
    assert index.FindByIp(datacenter, identity["ip_address"], True)._moId == vm_id


def test_a_stopped_vm_has_no_guest_address(connect, vc):
    si = connect()
    vm_id = _vm(vc, "POWERED_OFF")
    vm = vim.VirtualMachine(vm_id, si._stub)
    assert vm.guest.ipAddress is None
    nics = vc.get(f"/api/vcenter/vm/{vm_id}").json()["nics"]
    assert nics  # the demo VMs have NICs, whose lease would be found while they run
    assert vm.PowerOnVM_Task().info.state == "success"
    address = vm.guest.ipAddress
    assert si.content.searchIndex.FindByIp(None, address, True) == vm
    assert vm.PowerOffVM_Task().info.state == "success"
    assert si.content.searchIndex.FindByIp(None, address, True) is None


def test_a_host_by_its_management_address(connect, vc):
    si = connect()
    host_id = vc.get("/api/vcenter/host").json()[0]["host"]
    host = vim.HostSystem(host_id, si._stub)
    address = host.config.network.vnic[0].spec.ip.ipAddress
    assert si.content.searchIndex.FindByIp(None, address, False) == host
    assert si.content.searchIndex.FindAllByIp(None, address, False) == [host]
    assert si.content.searchIndex.FindAllByDnsName(None, host.name, False) == [host]


def test_every_vm_by_uuid(connect, vc):
    si = connect()
    index = si.content.searchIndex
    vm = vim.VirtualMachine(_vm(vc, "POWERED_ON"), si._stub)
    assert index.FindAllByUuid(None, vm.config.uuid, True, False) == [vm]
    assert index.FindAllByUuid(None, vm.config.instanceUuid, True, True) == [vm]
    assert index.FindByUuid(None, vm.config.uuid.upper(), True) == vm
    assert index.FindAllByUuid(None, "00000000-0000-0000-0000-000000000000", True, True) == []
