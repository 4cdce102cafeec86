"""A VM's guest operating system through pyVmomi 9.1.1.0 and vCenter's REST API (one world): any
id of vim25's ``GuestOsIdentifier`` is kept, read back with its full name and family, and is
REST's ``guest_OS`` in REST's spelling (``centos7_64Guest`` is ``CENTOS_7_64``); an id outside
the enum is refused on both faces."""

import pytest
from com.vmware.vcenter.vm_client import GuestOS
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from localsphere.faces.vim.inventory import GUEST_OS

pytestmark = pytest.mark.every_backend  # see tests/conftest.py


def _place(si):
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    cluster = next(e for e in dc.hostFolder.childEntity if isinstance(e, vim.ClusterComputeResource))
    return dc.vmFolder, cluster.resourcePool, dc.datastore[0]


def test_every_vim_id_is_a_rest_name():
    """The world's names are REST's GuestOS enum (and flatcar, which REST has not named yet)."""
    rest = {name for name in dir(GuestOS) if name.isupper()}
    assert set(GUEST_OS.values()) == rest | {"FLATCAR_64"}
    assert len(set(GUEST_OS.values())) == len(GUEST_OS)  # one name per id, and back
    assert GUEST_OS["windows9_64Guest"] == "WINDOWS_9_64" and GUEST_OS["otherGuest64"] == "OTHER_64"


@pytest.mark.parametrize(
    ("guest_id", "rest_name", "full_name", "family"),
    [
        ("centos7_64Guest", "CENTOS_7_64", "CentOS 7 (64-bit)", "linuxGuest"),
        ("windows9_64Guest", "WINDOWS_9_64", "Microsoft Windows 10 (64-bit)", "windowsGuest"),
        ("otherGuest64", "OTHER_64", "Other (64-bit)", "otherGuestFamily"),
    ],
)
def test_create_keeps_the_guest(connect, vc, guest_id, rest_name, full_name, family):
    si = connect()
    folder, pool, datastore = _place(si)
    config = vim.vm.ConfigSpec(
        name=f"guest-{guest_id}", guestId=guest_id, files=vim.vm.FileInfo(vmPathName=f"[{datastore.name}]")
    )
    task = folder.CreateVM_Task(config=config, pool=pool)
    assert WaitForTask(task, si=si) == "success"
    vm = task.info.result
    assert (vm.config.guestId, vm.config.guestFullName) == (guest_id, full_name)
    assert (vm.summary.config.guestId, vm.summary.config.guestFullName) == (guest_id, full_name)
    assert (vm.guest.guestId, vm.guest.guestFamily, vm.guest.guestFullName) == (guest_id, family, full_name)
    assert vc.get(f"/api/vcenter/vm/{vm._moId}").json()["guest_OS"] == rest_name


def test_reconfigure_changes_the_guest(connect, vc):
    si = connect()
    folder, pool, datastore = _place(si)
    config = vim.vm.ConfigSpec(
        name="guest-reconfigured",
        guestId="rhel8_64Guest",
        files=vim.vm.FileInfo(vmPathName=f"[{datastore.name}]"),
    )
    task = folder.CreateVM_Task(config=config, pool=pool)
    assert WaitForTask(task, si=si) == "success"
    vm = task.info.result
    assert vm.config.guestFullName == "Red Hat Enterprise Linux 8 (64-bit)"
    change = vim.vm.ConfigSpec(guestId="windows2019srv_64Guest")
    assert WaitForTask(vm.ReconfigVM_Task(spec=change), si=si) == "success"
    assert vm.config.guestId == "windows2019srv_64Guest"
    assert vm.config.guestFullName == "Microsoft Windows Server 2019 (64-bit)"
    assert vm.guest.guestFamily == "windowsGuest"
    assert vc.get(f"/api/vcenter/vm/{vm._moId}").json()["guest_OS"] == "WINDOWS_SERVER_2019"
    # an id outside the enum: InvalidArgument naming guestId, and the guest is as it was
    with pytest.raises(vmodl.fault.InvalidArgument) as caught:
        WaitForTask(vm.ReconfigVM_Task(spec=vim.vm.ConfigSpec(guestId="bogus64Guest")), si=si)
    assert caught.value.invalidProperty == "guestId"
    assert vm.config.guestId == "windows2019srv_64Guest"


def test_rest_create_keeps_the_guest_and_refuses_a_bogus_one(connect, vc):
    pool = vc.get("/api/vcenter/resource-pool").json()[0]["resource_pool"]
    spec = {"name": "rest-guest", "guest_OS": "CENTOS_7_64", "placement": {"resource_pool": pool}}
    made = vc.post("/api/vcenter/vm", json=spec)
    assert made.status_code == 201, made.text
    vm = vc.get(f"/api/vcenter/vm/{made.json()}").json()
    assert vm["guest_OS"] == "CENTOS_7_64"
    found = connect().content.searchIndex.FindByUuid(None, vm["identity"]["instance_uuid"], True, True)
    assert (found.config.guestId, found.config.guestFullName) == ("centos7_64Guest", "CentOS 7 (64-bit)")
    refused = vc.post("/api/vcenter/vm", json={**spec, "name": "rest-bogus", "guest_OS": "BOGUS_64"})
    assert refused.status_code == 400 and refused.json()["error_type"] == "INVALID_ARGUMENT"
    assert not vc.get("/api/vcenter/vm", params={"names": "rest-bogus"}).json()
