"""pyvcloud 23.0.4 and vcd-cli 24.1.0, unmodified, with independent disks: create (``sizeMb``
from API 33 on, ``size`` below), list, resize, attach to a vApp's VM and detach (``vcd vapp
attach``/``detach``), delete."""

from __future__ import annotations

import pytest
from pyvcloud.vcd.client import BasicLoginCredentials, Client
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.vapp import VApp
from pyvcloud.vcd.vdc import VDC

from clients.vcd.test_vcd_cli import rows, vcd  # noqa: F401 - the fixture
from conftest import DEMO_PASSWORD

GIB = 1 << 30


@pytest.mark.parametrize("version", [None, "32.0"])
def test_pyvcloud_drives_a_disk(server, version):
    client = Client(server.vcd, api_version=version, verify_ssl_certs=server.cert)
    client.set_credentials(BasicLoginCredentials("alice", "demo-org", DEMO_PASSWORD))
    try:
        org = Org(client, resource=client.get_org())
        vdc = VDC(client, resource=org.get_vdc("demo-vdc"))
        monitor = client.get_task_monitor()
        made = vdc.create_disk("py-disk", 2 * GIB, description="data")
        assert monitor.wait_for_success(made.Tasks.Task[0]).get("status") == "success"
        vdc.reload()  # pyvcloud lists a VDC's disks as it read them
        disk = vdc.get_disk("py-disk")
        assert (disk.get("size"), disk.Description.text) == (str(2 * GIB), "data")
        vdc.change_disk_owner(disk.Owner.User.get("href"), name="py-disk")  # to its owner: allowed
        monitor.wait_for_success(vdc.update_disk("py-disk", new_size=3 * GIB))
        assert vdc.get_disk("py-disk").get("size") == str(3 * GIB)
        vapp = VApp(client, resource=vdc.get_vapp("demo-web"))
        monitor.wait_for_success(vapp.attach_disk_to_vm(disk.get("href"), "web"))
        (attached,) = [d for d in vdc.get_disks() if d.get("name") == "py-disk"]
        assert attached.attached_vms.VmReference.get("name") == "web"
        vapp.reload()
        web = VApp(client, resource=vdc.get_vapp("demo-web")).get_vm("web")
        disks = [
            i
            for i in web["{http://schemas.dmtf.org/ovf/envelope/1}VirtualHardwareSection"].Item
            if i[
                "{http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData}ResourceType"
            ]
            == 17
        ]
        assert len(disks) == 2
        monitor.wait_for_success(vapp.detach_disk_from_vm(disk.get("href"), "web"))
        monitor.wait_for_success(vdc.delete_disk("py-disk"))
        vdc.reload()
        assert [d.get("name") for d in vdc.get_disks()] == []
    finally:
        client.logout()


def test_vcd_cli_disk_commands(server, vcd):  # noqa: F811 - the fixture
    vcd("login", server.vcd, "demo-org", "alice", "-p", DEMO_PASSWORD, "-w")
    assert "success" in vcd("disk", "create", "cli-disk", "1g", "-d", "scratch")
    listed = rows(vcd("disk", "list"))
    (row,) = [r for r in listed[1:] if "cli-disk" in r]
    assert "alice" in row and str(953 << 20) in row  # 1g is 10^9 bytes: pyvcloud sends sizeMb=953
    assert "cli-disk" in vcd("disk", "info", "cli-disk")
    assert "vappAttachDisk" in vcd("vapp", "attach", "demo-web", "web", "cli-disk")
    (row,) = [r for r in rows(vcd("disk", "list"))[1:] if "cli-disk" in r]
    assert row[-1] == "web"  # vms_attached
    assert "vappDetachDisk" in vcd("vapp", "detach", "demo-web", "web", "cli-disk")
    vcd("disk", "delete", "cli-disk", "-y")
    assert "cli-disk" not in vcd("disk", "list")
    vcd("logout")
