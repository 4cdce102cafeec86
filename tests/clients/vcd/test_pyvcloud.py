"""``pyvcloud`` 23.0.4, unmodified, against the vCD face: as the System administrator and as an
org user, at the newest version it negotiates (36.0) and forced to 5.5 and 32.0 (below cloudapi
sign-in): orgs, VDCs, catalogs and their items, instantiation from a template and its task, power
on and off, undeploy, delete, a typed query with a filter and paging, and sign-out."""

from __future__ import annotations

import pytest
from pyvcloud.vcd.client import BasicLoginCredentials, Client, MetadataDomain, QueryResultFormat
from pyvcloud.vcd.exceptions import AccessForbiddenException, OperationNotSupportedException
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.vapp import VApp
from pyvcloud.vcd.vdc import VDC

from conftest import DEMO_PASSWORD

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
USERS = {"org user": ("alice", "demo-org"), "provider": ("administrator", "System")}


@pytest.fixture
def client(server, request):
    made = []

    def connect(who: str, version: str | None) -> Client:
        user, org = USERS[who]
        c = Client(server.vcd, api_version=version, verify_ssl_certs=server.cert)
        c.set_credentials(BasicLoginCredentials(user, org, DEMO_PASSWORD))
        made.append(c)
        return c

    yield connect
    for c in made:
        c.logout()


@pytest.mark.parametrize("version", [None, "32.0", "5.5"])
@pytest.mark.parametrize("who", ["org user", "provider"])
def test_a_vapps_life(client, who, version):
    c = client(who, version)
    assert c.get_api_version() == (version or "36.0")
    assert {o.get("name") for o in c.get_org_list()} >= {"demo-org"}
    if who == "provider":  # the administrator's views, which pyvcloud finds by the Session's links
        assert c.get_admin().get("name") == "vCloud" and c.get_extension() is not None
    org = Org(c, resource=c.get_org() if who == "org user" else c.get_org_by_name("demo-org"))
    assert [x["name"] for x in org.list_catalogs()] == ["demo-catalog"]
    assert {i["name"] for i in org.list_catalog_items("demo-catalog")} == {
        "lamp-stack",
        "photon-5",
        "ubuntu-24.04.iso",
    }
    assert org.get_catalog_item("demo-catalog", "photon-5").Entity.get("type").endswith("vAppTemplate+xml")
    vdc = VDC(c, resource=org.get_vdc("demo-vdc"))
    assert {"demo-web", "photon-5"} <= {r["name"] for r in vdc.list_resources()}
    made = vdc.instantiate_vapp("life", "demo-catalog", "lamp-stack", network="demo-net")
    monitor = c.get_task_monitor()
    assert monitor.wait_for_success(made.Tasks.Task[0]).get("status") == "success"
    vapp = VApp(c, resource=vdc.get_vapp("life"))
    assert vapp.is_powered_on() and sorted(vm.get("name") for vm in vapp.get_all_vms()) == ["db", "web"]
    with pytest.raises(OperationNotSupportedException):  # no power:powerOn link while it runs
        vapp.power_on()
    monitor.wait_for_success(vapp.power_off())
    vapp.reload()
    assert vapp.is_powered_off()
    monitor.wait_for_success(vapp.power_on())
    vapp.reload()
    assert vapp.is_powered_on()
    monitor.wait_for_success(vapp.undeploy())
    vapp.reload()
    assert vapp.is_powered_off() and vapp.resource.get("deployed") == "false"
    monitor.wait_for_success(vdc.delete_vapp("life"))
    with pytest.raises(Exception, match="not found"):
        vdc.get_vapp("life")
    kind = "adminVM" if who == "provider" else "vm"
    query = c.get_typed_query(
        kind, query_result_format=QueryResultFormat.RECORDS, qfilter="containerName==demo-web", page_size=1
    )
    assert sorted(r.get("name") for r in query.execute()) == ["db", "web"]  # two pages of one


def test_compose_recompose_copy_and_capture(client):
    c = client("org user", None)
    monitor = c.get_task_monitor()
    org = Org(c, resource=c.get_org())
    vdc = VDC(c, resource=org.get_vdc("demo-vdc"))
    made = vdc.create_vapp("composed", description="by hand", network="demo-net")
    monitor.wait_for_success(made.Tasks.Task[0])
    vapp = VApp(c, resource=vdc.get_vapp("composed"))
    assert vapp.get_power_state() == 1 and list(vapp.get_all_vms()) == []  # RESOLVED, empty
    (config,) = vapp.resource.NetworkConfigSection.NetworkConfig  # on the network it was made on
    assert config.get("networkName") == "demo-net"
    template = c.get_resource(org.get_catalog_item("demo-catalog", "lamp-stack").Entity.get("href"))
    specs = [
        {"vapp": template, "source_vm_name": "web", "target_vm_name": "web-1"},
        {"vapp": template, "source_vm_name": "db", "target_vm_name": "db-1"},
    ]
    monitor.wait_for_success(vapp.add_vms(specs, power_on=False))
    vapp.reload()
    assert sorted(vm.get("name") for vm in vapp.get_all_vms()) == ["db-1", "web-1"]
    monitor.wait_for_success(vapp.delete_vms(["db-1"]))
    vapp.reload()
    assert [vm.get("name") for vm in vapp.get_all_vms()] == ["web-1"]
    monitor.wait_for_success(vapp.copy_to(vdc.href, "composed-copy", "a copy"))
    copy = VApp(c, resource=vdc.get_vapp("composed-copy"))
    assert [vm.get("name") for vm in copy.get_all_vms()] == ["web-1"] and copy.is_powered_off()
    captured = org.capture_vapp(org.get_catalog("demo-catalog"), vapp.href, "captured", "from composed")
    monitor.wait_for_success(captured.Tasks.Task[0])
    assert "captured" in {i["name"] for i in org.list_catalog_items("demo-catalog")}
    replaced = org.capture_vapp(
        org.get_catalog("demo-catalog"), copy.href, "captured", "again", overwrite=True
    )
    monitor.wait_for_success(replaced.Tasks.Task[0])  # in place of the item of that name
    assert [i["name"] for i in org.list_catalog_items("demo-catalog")].count("captured") == 1
    from pyvcloud.vcd.vm import VM

    moved = VM(c, resource=VApp(c, resource=vdc.get_vapp("composed")).get_vm("web-1"))
    monitor.wait_for_success(moved.move_to("composed", "composed-copy", "web-2"))
    assert list(VApp(c, resource=vdc.get_vapp("composed")).get_all_vms()) == []
    assert {v.get("name") for v in VApp(c, resource=vdc.get_vapp("composed-copy")).get_all_vms()} == {
        "web-1",
        "web-2",
    }
    again = vdc.instantiate_vapp("from-captured", "demo-catalog", "captured")
    assert monitor.wait_for_success(again.Tasks.Task[0]).get("status") == "success"
    assert [vm.get("name") for vm in VApp(c, resource=vdc.get_vapp("from-captured")).get_all_vms()] == [
        "web-1"
    ]


def test_an_instantiation_makes_the_vm_it_is_asked_for(client):
    from pyvcloud.vcd.vm import VM

    c = client("org user", None)
    org = Org(c, resource=c.get_org())
    vdc = VDC(c, resource=org.get_vdc("demo-vdc"))
    made = vdc.instantiate_vapp(
        "asked",
        "demo-catalog",
        "photon-5",
        network="demo-net",
        ip_allocation_mode="pool",
        vm_name="asked-1",
        hostname="asked-host",
        cpu=2,
        memory=2048,
        disk_size=40960,
        power_on=False,
    )
    c.get_task_monitor().wait_for_success(made.Tasks.Task[0])
    vapp = VApp(c, resource=vdc.get_vapp("asked"))
    vm = VM(c, resource=vapp.get_vm("asked-1"))
    assert vm.get_cpus()["num_cpus"] == 2 and vm.get_memory() == 2048
    (nic,) = vm.list_nics()
    assert (nic["network"], nic["ip_address_mode"]) == ("demo-net", "POOL")
    assert nic["ip_address"].startswith("192.168.10.")
    assert vm.resource.GuestCustomizationSection.ComputerName.text == "asked-host"
    disk = vm.resource.VmSpecSection.DiskSection.DiskSettings[0]
    assert disk.SizeMb.text == "40960"
    second = vdc.instantiate_vapp(
        "asked-again", "demo-catalog", "photon-5", network="demo-net", ip_allocation_mode="pool"
    )
    c.get_task_monitor().wait_for_success(second.Tasks.Task[0])
    other = VM(c, resource=VApp(c, resource=vdc.get_vapp("asked-again")).get_all_vms()[0])
    assert other.list_nics()[0]["ip_address"] != nic["ip_address"]  # the pool gives each its own


def test_a_vms_nics_name_cpus_and_customization(client):
    from pyvcloud.vcd.vm import VM

    c = client("org user", None)
    monitor = c.get_task_monitor()
    org = Org(c, resource=c.get_org())
    vdc = VDC(c, resource=org.get_vdc("demo-vdc"))
    made = vdc.instantiate_vapp(
        "nics", "demo-catalog", "photon-5", network="demo-net", ip_allocation_mode="pool", power_on=False
    )
    monitor.wait_for_success(made.Tasks.Task[0])
    vm = VM(c, resource=VApp(c, resource=vdc.get_vapp("nics")).get_vm("photon"))
    monitor.wait_for_success(vm.add_nic("E1000", False, True, "demo-net", "POOL", None))
    vm.reload()
    first, second = vm.list_nics()
    assert second["adapter_type"] == "E1000" and first["ip_address"] != second["ip_address"]
    monitor.wait_for_success(
        vm.update_nic(
            "demo-net", nic_id=0, is_connected=True, ip_address_mode="MANUAL", ip_address="192.168.10.200"
        )
    )
    vm.reload()
    assert (vm.list_nics()[0]["ip_address_mode"], vm.list_nics()[0]["ip_address"]) == (
        "MANUAL",
        "192.168.10.200",
    )
    monitor.wait_for_success(vm.edit_name("renamed"))
    monitor.wait_for_success(vm.modify_cpu(4, cores_per_socket=2))
    monitor.wait_for_success(
        vm.update_guest_customization_section(
            enabled=True, admin_password_enabled=True, admin_password_auto=False, admin_password="Secret123!"
        )
    )
    vm.reload()
    assert vm.resource.get("name") == "renamed"
    assert vm.get_cpus() == {"num_cpus": 4, "num_cores_per_socket": 2}
    section = vm.resource.GuestCustomizationSection
    assert (section.Enabled, section.AdminPasswordEnabled, section.AdminPasswordAuto) == (True, True, False)
    assert not hasattr(section, "AdminPassword")  # a password is never shown


@pytest.mark.parametrize("version", [None, "32.0"])
def test_a_vapps_metadata(client, version):
    """pyvcloud's set_metadata / get_metadata / remove_metadata: typed values, the SYSTEM domain
    as the provider's, and a missing key as vCD's 403."""
    admin, alice = client("provider", version), client("org user", version)
    vdc = VDC(alice, resource=Org(alice, resource=alice.get_org()).get_vdc("demo-vdc"))
    vapp = VApp(alice, resource=vdc.get_vapp("demo-web"))
    monitor = alice.get_task_monitor()
    monitor.wait_for_success(vapp.set_metadata("GENERAL", "READWRITE", "owner", "team-a"))
    monitor.wait_for_success(vapp.set_metadata("GENERAL", "READWRITE", "cost", "42", "MetadataNumberValue"))
    monitor.wait_for_success(vapp.set_multiple_metadata({"a": "1", "b": "2"}))
    found = {
        e.Key.text: (e.TypedValue.get(XSI_TYPE), e.TypedValue.Value.text)
        for e in vapp.get_metadata().MetadataEntry
    }
    assert found == {
        "owner": ("MetadataStringValue", "team-a"),
        "cost": ("MetadataNumberValue", "42"),
        "a": ("MetadataStringValue", "1"),
        "b": ("MetadataStringValue", "2"),
    }
    monitor.wait_for_success(vapp.remove_metadata("owner", MetadataDomain.GENERAL))
    assert "owner" not in {e.Key.text for e in vapp.get_metadata().MetadataEntry}
    with pytest.raises(AccessForbiddenException):
        vapp.remove_metadata("owner", MetadataDomain.GENERAL)
    with pytest.raises(AccessForbiddenException):  # the SYSTEM domain is the provider's
        vapp.set_metadata("SYSTEM", "READONLY", "tier", "gold")
    as_admin = VApp(admin, href=vapp.href)
    admin.get_task_monitor().wait_for_success(as_admin.set_metadata("SYSTEM", "PRIVATE", "billing", "9"))
    assert "billing" in {e.Key.text for e in as_admin.get_metadata().MetadataEntry}
    assert "billing" not in {e.Key.text for e in VApp(alice, href=vapp.href).get_metadata().MetadataEntry}
