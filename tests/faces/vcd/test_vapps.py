"""vApps and their VMs through the vCloud API: everything reachable by links from the Session and
valid against the XSDs, instantiation, power operations and their refusals, deletion, tasks on
the world clock, and one world: a vApp's VMs are vCenter's VMs and Operations' resources."""

from __future__ import annotations

import collections
import re

import pytest

from helpers import link_directory, ops_acquire, vcenter_session
from vcd_client import ORG_USER, PROVIDER, V15, instantiate_body, link, sign_in
from vcd_schema import assert_valid

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

INSTANTIATE_TYPE = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"


def walk(c, headers):
    """The demo org's objects, found by following links from the Session."""
    session = assert_valid(c.get("/api/session", headers=headers).content)
    org = assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content)
    vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=headers).content)
    catalog = assert_valid(c.get(link(org, "down", ".catalog+xml", "demo-catalog"), headers=headers).content)
    return org, vdc, catalog


def template_href(c, headers, catalog, name: str) -> str:
    item_href = next(i.get("href") for i in catalog.find(f"{V15}CatalogItems") if i.get("name") == name)
    item = assert_valid(c.get(item_href, headers=headers).content)
    return item.find(f"{V15}Entity").get("href")


def test_every_object_of_the_demo_org_is_reachable_by_links_and_valid(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        org, vdc, catalog = walk(c, headers)
        records = [
            x.get("href") for x in org.findall(f"{V15}Link") if "query.records" in (x.get("type") or "")
        ]
        assert (
            "vdc" in records[0].lower() and "catalog" in records[1].lower() and all("?" in h for h in records)
        )
        assert (
            assert_valid(c.get(records[0], headers=headers).content).find(f"{V15}OrgVdcRecord").get("name")
            == "demo-vdc"
        )
        entities = {e.get("name"): e for e in vdc.find(f"{V15}ResourceEntities")}
        assert set(entities) == {"demo-web", "lamp-stack", "photon-5", "ubuntu-24.04.iso"}
        for entity in entities.values():
            assert_valid(c.get(entity.get("href"), headers=headers).content)
        (network,) = vdc.find(f"{V15}AvailableNetworks")
        net = assert_valid(c.get(network.get("href"), headers=headers).content)
        assert net.findtext(f"{V15}Configuration/{V15}IpScopes/{V15}IpScope/{V15}Gateway") == "192.168.10.1"
        cpu = vdc.find(f"{V15}ComputeCapacity/{V15}Cpu")
        assert (cpu.findtext(f"{V15}Units"), cpu.findtext(f"{V15}Used")) == ("MHz", "4000")  # web + db, on
        vapp = assert_valid(c.get(entities["demo-web"].get("href"), headers=headers).content)
        assert (vapp.get("status"), vapp.get("deployed")) == ("4", "true")
        vms = vapp.findall(f"{V15}Children/{V15}Vm")
        assert sorted(vm.get("name") for vm in vms) == ["db", "web"]
        for vm in vms:
            own = assert_valid(c.get(vm.get("href"), headers=headers).content)
            assert own.findtext(f"{V15}VmSpecSection/{V15}NumCpus") == "2"
            assert link(own, "up", ".vApp+xml") == entities["demo-web"].get("href")
        template = assert_valid(
            c.get(template_href(c, headers, catalog, "lamp-stack"), headers=headers).content
        )
        assert [vm.get("name") for vm in template.find(f"{V15}Children")] == ["web", "db"]
        tasks = assert_valid(c.get(link(org, "down", ".tasksList+xml"), headers=headers).content)
        assert tasks.tag == f"{V15}TasksList"


@pytest.mark.parametrize("version", ["5.5", "29.0", "32.0"])
def test_an_older_version_gets_an_older_shape_valid_in_that_version(server, version):
    """Every object, as the version asks, against the XSDs of that version: what came later is
    not there (VmSpecSection is 32.0's, AuthorizedLocations 29.0's)."""
    with server.client(base_url=server.vcd) as c:
        old = sign_in(c, version=version)
        session = assert_valid(c.get("/api/session", headers=old).content, version)
        assert (session.find(f"{V15}AuthorizedLocations") is not None) == (version != "5.5")
        org = assert_valid(c.get(link(session, "down", ".org+xml"), headers=old).content, version)
        vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=old).content, version)
        for entity in vdc.find(f"{V15}ResourceEntities"):
            assert_valid(c.get(entity.get("href"), headers=old).content, version)
        profile = vdc.find(f"{V15}VdcStorageProfiles/{V15}VdcStorageProfile").get("href")
        assert_valid(c.get(profile, headers=old).content, version)
        web = next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        r = c.get(web, headers=old)
        assert r.headers["content-type"] == f"application/vnd.vmware.vcloud.vApp+xml;version={version}"
        assert (b"VmSpecSection" in r.content) == (version == "32.0")
        for vm in assert_valid(r.content, version).findall(f"{V15}Children/{V15}Vm"):
            assert_valid(c.get(vm.get("href"), headers=old).content, version)
        for kind in ("vApp", "vm", "task", "catalog"):
            assert_valid(c.get("/api/query", params={"type": kind}, headers=old).content, version)
        started = c.post(f"{web}/power/action/reboot", headers=old)
        assert started.status_code == 202
        assert_valid(started.content, version)


def test_instantiate_power_and_delete(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        _, vdc, catalog = walk(c, headers)
        add = link(vdc, "add", INSTANTIATE_TYPE)
        body = instantiate_body("shop", template_href(c, headers, catalog, "lamp-stack"))
        r = c.post(add, content=body, headers={**headers, "Content-Type": INSTANTIATE_TYPE})
        assert r.status_code == 201, r.text
        vapp = assert_valid(r.content)
        (task,) = vapp.find(f"{V15}Tasks")
        assert task.get("operationName") == "vdcInstantiateVapp" and task.get("status") == "success"
        assert task.find(f"{V15}Owner").get("href") == vapp.get("href")
        assert (vapp.get("status"), vapp.get("deployed")) == ("8", "false")
        deployed_only = body.replace('name="shop" deploy="false"', 'name="shop-2" deploy="true"')
        r = c.post(add, content=deployed_only, headers={**headers, "Content-Type": INSTANTIATE_TYPE})
        assert (assert_valid(r.content).get("status"), assert_valid(r.content).get("deployed")) == (
            "8",
            "true",
        )
        again = c.post(add, content=body, headers={**headers, "Content-Type": INSTANTIATE_TYPE})
        assert (
            again.status_code == 400 and assert_valid(again.content).get("minorErrorCode") == "DUPLICATE_NAME"
        )

        def act(href, rel):
            current = assert_valid(c.get(href, headers=headers).content)
            r = c.post(
                link(current, rel, "") if rel.startswith("power:") else link(current, rel, "Params+xml"),
                headers=headers,
            )
            return r

        href = vapp.get("href")
        r = act(href, "power:powerOn")
        assert r.status_code == 202 and assert_valid(r.content).get("operationName") == "vappDeploy"
        assert assert_valid(c.get(href, headers=headers).content).get("status") == "4"
        refused = c.post(f"{href}/power/action/powerOn", headers=headers)
        assert refused.status_code == 400
        error = assert_valid(refused.content)
        assert error.get("minorErrorCode") == "BAD_REQUEST" and '"shop"' in error.get("message")
        running = c.delete(href, headers=headers)
        assert running.status_code == 400 and "Stop the vApp" in assert_valid(running.content).get("message")
        assert act(href, "power:suspend").status_code == 202
        assert assert_valid(c.get(href, headers=headers).content).get("status") == "3"
        assert act(href, "power:powerOff").status_code == 202
        current = assert_valid(c.get(href, headers=headers).content)
        assert (current.get("status"), current.get("deployed")) == ("8", "true")
        undeploy = c.post(
            link(current, "undeploy", ".undeployVAppParams+xml"),
            content='<UndeployVAppParams xmlns="http://www.vmware.com/vcloud/v1.5">'
            "<UndeployPowerAction>powerOff</UndeployPowerAction></UndeployVAppParams>",
            headers={**headers, "Content-Type": "application/vnd.vmware.vcloud.undeployVAppParams+xml"},
        )
        assert undeploy.status_code == 202 and assert_valid(undeploy.content).get("status") == "success"
        current = assert_valid(c.get(href, headers=headers).content)
        assert current.get("deployed") == "false" and link(current, "remove", "") == href
        vm = current.find(f"{V15}Children/{V15}Vm")
        assert c.post(link(vm, "power:powerOn", ""), headers=headers).status_code == 202
        assert assert_valid(c.get(href, headers=headers).content).get("status") == "10"  # MIXED
        deleted = c.delete(href, params={"force": "true"}, headers=headers)
        assert (
            deleted.status_code == 202
            and assert_valid(deleted.content).get("operationName") == "vdcDeleteVapp"
        )
        gone = c.get(href, headers=headers)
        assert (
            gone.status_code == 404
            and assert_valid(gone.content).get("minorErrorCode") == "RESOURCE_NOT_FOUND"
        )


def test_bad_instantiation_bodies_are_the_products_400s(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        _, vdc, catalog = walk(c, headers)
        add = link(vdc, "add", INSTANTIATE_TYPE)
        sent = {**headers, "Content-Type": INSTANTIATE_TYPE}
        for body in (
            "<InstantiateVAppTemplateParams",  # malformed
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>',  # entities
            '<Other xmlns="http://www.vmware.com/vcloud/v1.5"/>',
            instantiate_body("", template_href(c, headers, catalog, "photon-5")),
            instantiate_body("x" * 129, template_href(c, headers, catalog, "photon-5")),
        ):
            r = c.post(add, content=body, headers=sent)
            assert r.status_code == 400, body
            assert assert_valid(r.content).get("minorErrorCode") == "BAD_REQUEST"
        missing = instantiate_body(
            "x", f"{server.vcd}/api/vAppTemplate/vappTemplate-{'0' * 8}-0000-0000-0000-{'0' * 12}"
        )
        assert c.post(add, content=missing, headers=sent).status_code == 404


def test_tasks_run_on_the_world_clock_and_can_be_cancelled(server, scenario):
    assert scenario("settings:\n  task_seconds: 60\n").status_code == 200
    assert server.control("POST", "/clock", json={"freeze": True}).status_code == 200
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        org, vdc, catalog = walk(c, headers)
        body = instantiate_body("slow", template_href(c, headers, catalog, "photon-5"))
        r = c.post(
            link(vdc, "add", INSTANTIATE_TYPE),
            content=body,
            headers={**headers, "Content-Type": INSTANTIATE_TYPE},
        )
        task_href = assert_valid(r.content).find(f"{V15}Tasks/{V15}Task").get("href")

        def task():
            return assert_valid(c.get(task_href, headers=headers).content)

        assert task().get("status") == "queued" and task().findtext(f"{V15}Progress") == "0"
        server.advance(30)
        assert task().get("status") == "running" and task().findtext(f"{V15}Progress") == "50"
        assert task().get("endTime") is None
        server.advance(30)
        done = task()
        assert (
            done.get("status") == "success"
            and done.findtext(f"{V15}Progress") == "100"
            and done.get("endTime")
        )
        cancel = f"{task_href}/action/cancel"
        assert c.post(cancel, headers=headers).status_code == 400  # it has ended
        vapp_href = done.find(f"{V15}Owner").get("href")
        started = c.post(f"{vapp_href}/power/action/powerOn", headers=headers)
        running = assert_valid(started.content)
        assert running.get("status") == "queued" and link(running, "task:cancel", "")
        assert assert_valid(c.get(vapp_href, headers=headers).content).get("status") == "4"  # on at once
        busy = c.post(f"{vapp_href}/power/action/powerOff", headers=headers)
        assert busy.status_code == 400 and assert_valid(busy.content).get("minorErrorCode") == "BUSY_ENTITY"
        records = assert_valid(
            c.get("/api/query", params={"type": "vApp", "filter": "name==slow"}, headers=headers).content
        )
        assert records.find(f"{V15}VAppRecord").get("isBusy") == "true"
        assert c.post(link(running, "task:cancel", ""), headers=headers).status_code == 204
        aborted = assert_valid(c.get(running.get("href"), headers=headers).content)
        assert (aborted.get("status"), aborted.get("cancelRequested")) == ("aborted", "true")
        back = assert_valid(c.get(vapp_href, headers=headers).content)
        assert (back.get("status"), back.get("deployed")) == ("8", "false")  # the power-on taken back
        listed = assert_valid(c.get(link(org, "down", ".tasksList+xml"), headers=headers).content)
        assert [t.get("status") for t in listed.findall(f"{V15}Task")][:2] == ["aborted", "success"]
        # cancelling an instantiation takes the vApp away; a deletion cannot be cancelled
        body = instantiate_body("undone", template_href(c, headers, catalog, "photon-5"))
        made = assert_valid(
            c.post(
                link(vdc, "add", INSTANTIATE_TYPE),
                content=body,
                headers={**headers, "Content-Type": INSTANTIATE_TYPE},
            ).content
        )
        made_task = made.find(f"{V15}Tasks/{V15}Task")
        assert c.post(link(made_task, "task:cancel", ""), headers=headers).status_code == 204
        assert c.get(made.get("href"), headers=headers).status_code == 404
        server.advance(60)
        deleting = assert_valid(c.delete(vapp_href, headers=headers).content)
        assert deleting.find(f"{V15}Link") is None  # no task:cancel
        assert c.post(f"{deleting.get('href')}/action/cancel", headers=headers).status_code == 400


def test_a_vapps_vms_are_vcenters_and_operations_and_power_is_one(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        _, vdc, catalog = walk(c, headers)
        body = instantiate_body("one-world", template_href(c, headers, catalog, "photon-5"), power_on=True)
        r = c.post(
            link(vdc, "add", INSTANTIATE_TYPE),
            content=body,
            headers={**headers, "Content-Type": INSTANTIATE_TYPE},
        )
        vapp = assert_valid(r.content)
        vm_href = vapp.find(f"{V15}Children/{V15}Vm").get("href")
    session = vcenter_session(server)
    with server.client(headers={"vmware-api-session-id": session}) as vc:
        (vm,) = [v for v in vc.get("/api/vcenter/vm", params={"names": "photon"}).json()]
        assert vm["power_state"] == "POWERED_ON"
        info = vc.get(f"/api/vcenter/vm/{vm['vm']}").json()
        assert info["name"] == "photon"
        folders = vc.get("/api/vcenter/folder", params={"type": "VIRTUAL_MACHINE"}).json()
        assert any(f["name"].startswith("one-world (") for f in folders)
        assert vc.post(f"/api/vcenter/vm/{vm['vm']}/power", params={"action": "stop"}).status_code == 204
    with server.client(base_url=server.vcd) as c:
        seen = assert_valid(c.get(vm_href, headers=headers).content)
        assert seen.get("status") == "8"  # vCenter's power-off, seen by vCD
        assert c.post(f"{vm_href}/power/action/powerOn", headers=headers).status_code == 202
    with server.client(headers={"vmware-api-session-id": session}) as vc:
        assert vc.get(f"/api/vcenter/vm/{vm['vm']}/power").json()["state"] == "POWERED_ON"
    token = ops_acquire(server).json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {token}", "Accept": "application/json"}) as ops:
        found = ops.get(
            "/suite-api/api/resources", params={"resourceKind": "VirtualMachine", "name": "photon"}
        )
        (resource,) = found.json()["resourceList"]
        assert resource["resourceKey"]["name"] == "photon"
    with server.client(base_url=server.vcd) as c:
        vapp_href = vapp.get("href")
        assert c.delete(vapp_href, params={"force": "true"}, headers=headers).status_code == 202
    with server.client(headers={"vmware-api-session-id": session}) as vc:
        assert vc.get("/api/vcenter/vm", params={"names": "photon"}).json() == []  # gone with it


def test_the_vdcs_limits_are_its_resource_pools_on_vcenter(server):
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        pools = vc.get("/api/vcenter/resource-pool").json()
        (pool,) = [p["resource_pool"] for p in pools if p["name"].startswith("demo-vdc (")]
        info = vc.get(f"/api/vcenter/resource-pool/{pool}").json()
    assert (info["cpu_allocation"]["limit"], info["memory_allocation"]["limit"]) == (20_000, 65_536)
    assert info["cpu_allocation"]["reservation"] == 0


def test_another_orgs_objects_are_not_there(server, slapd):
    link_directory(server, slapd, "acme")
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        _, vdc, _ = walk(c, alice)
        vapp_href = next(
            e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web"
        )
        r = c.post(
            "/api/sessions", auth=("tony@acme", slapd.users["tony"]), headers={"Accept": alice["Accept"]}
        )
        tony = {"Accept": alice["Accept"], "x-vcloud-authorization": r.headers["x-vcloud-authorization"]}
        # tony holds no role in acme: vCD's 403 names the right and says no more of the target
        # (a user of another org who holds the rights finds nothing: test_rights.py)
        for href, right in ((vapp_href, "vApp: View vApp"), (vdc.get("href"), "Organization vDC: View")):
            r = c.get(href, headers=tony)
            assert r.status_code == 403 and f"[{right}]" in assert_valid(r.content).get("message")
        r = c.post(f"{vapp_href}/power/action/powerOff", headers=tony)
        assert r.status_code == 403 and "[vApp: Power Operations]" in assert_valid(r.content).get("message")
        assert c.get("/api/query", params={"type": "vApp"}, headers=tony).status_code == 403
        provider = sign_in(c, PROVIDER)
        assert c.get(vapp_href, headers=provider).status_code == 200  # the provider sees every org
        assert c.get(vapp_href, headers={"Accept": alice["Accept"]}).status_code == 401


def test_a_vms_sections_are_read_and_changed_by_tasks(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        _, vdc, catalog = walk(c, headers)
        body = instantiate_body("sections", template_href(c, headers, catalog, "photon-5"))
        r = c.post(
            link(vdc, "add", INSTANTIATE_TYPE),
            content=body,
            headers={**headers, "Content-Type": INSTANTIATE_TYPE},
        )
        vm = assert_valid(r.content).find(f"{V15}Children/{V15}Vm").get("href")
        for section in (
            "virtualHardwareSection/",
            "virtualHardwareSection/cpu",
            "virtualHardwareSection/memory",
            "networkConnectionSection/",
            "guestCustomizationSection/",
            "operatingSystemSection/",
        ):
            got = c.get(f"{vm}/{section}", headers=headers)
            assert got.status_code == 200, section
            assert_valid(got.content)
        rasd = "{http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData}"
        cpu = c.get(f"{vm}/virtualHardwareSection/cpu", headers=headers).content
        changed = cpu.replace(b"<rasd:VirtualQuantity>1<", b"<rasd:VirtualQuantity>4<")
        item_type = {**headers, "Content-Type": "application/vnd.vmware.vcloud.rasdItem+xml"}
        done = c.put(f"{vm}/virtualHardwareSection/cpu", content=changed, headers=item_type)
        assert done.status_code == 202 and assert_valid(done.content).get("status") == "success"
        item = assert_valid(c.get(f"{vm}/virtualHardwareSection/cpu", headers=headers).content)
        assert item.findtext(f"{rasd}VirtualQuantity") == "4"
        too_big = changed.replace(b"<rasd:VirtualQuantity>4<", b"<rasd:VirtualQuantity>4096<")
        assert (
            c.put(f"{vm}/virtualHardwareSection/cpu", content=too_big, headers=item_type).status_code == 400
        )
        connections = (
            '<NetworkConnectionSection xmlns="http://www.vmware.com/vcloud/v1.5" '
            'xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"><ovf:Info/>'
            "<PrimaryNetworkConnectionIndex>0</PrimaryNetworkConnectionIndex>"
            '<NetworkConnection network="{}"><NetworkConnectionIndex>0</NetworkConnectionIndex>'
            "<IsConnected>true</IsConnected><IpAddressAllocationMode>DHCP</IpAddressAllocationMode>"
            "</NetworkConnection></NetworkConnectionSection>"
        )
        section_type = {
            **headers,
            "Content-Type": "application/vnd.vmware.vcloud.networkConnectionSection+xml",
        }
        assert (
            c.put(
                f"{vm}/networkConnectionSection/", content=connections.format("nowhere"), headers=section_type
            ).status_code
            == 404
        )
        assert (
            c.put(
                f"{vm}/networkConnectionSection/", content=connections.format("none"), headers=section_type
            ).status_code
            == 202
        )
        section = assert_valid(c.get(f"{vm}/networkConnectionSection/", headers=headers).content)
        assert section.find(f"{V15}NetworkConnection").get("network") == "none"
        name = (
            '<GuestCustomizationSection xmlns="http://www.vmware.com/vcloud/v1.5" '
            'xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"><ovf:Info/><ComputerName>shop-01</ComputerName>'
            "</GuestCustomizationSection>"
        )
        custom_type = {
            **headers,
            "Content-Type": "application/vnd.vmware.vcloud.guestCustomizationSection+xml",
        }
        assert c.put(f"{vm}/guestCustomizationSection/", content=name, headers=custom_type).status_code == 202
        got = assert_valid(c.get(f"{vm}/guestCustomizationSection/", headers=headers).content)
        assert got.findtext(f"{V15}ComputerName") == "shop-01"
        os = (
            '<ovf:OperatingSystemSection xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" '
            'xmlns:vmw="http://www.vmware.com/schema/ovf" ovf:id="94" vmw:osType="ubuntu64Guest">'
            "<ovf:Info/></ovf:OperatingSystemSection>"
        )
        os_type = {**headers, "Content-Type": "application/vnd.vmware.vcloud.operatingSystemSection+xml"}
        assert c.put(f"{vm}/operatingSystemSection/", content=os, headers=os_type).status_code == 202
        assert c.post(f"{vm}/power/action/powerOn", headers=headers).status_code == 202
        two = changed.replace(b"<rasd:VirtualQuantity>4<", b"<rasd:VirtualQuantity>2<")
        refused = c.put(f"{vm}/virtualHardwareSection/cpu", content=two, headers=item_type)
        assert refused.status_code == 400 and "not powered off" in assert_valid(refused.content).get(
            "message"
        )
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        (found,) = vc.get("/api/vcenter/vm", params={"names": "photon"}).json()
        info = vc.get(f"/api/vcenter/vm/{found['vm']}").json()
        assert (info["cpu"]["count"], info["guest_OS"]) == (4, "UBUNTU_64")


def test_recompose_clone_and_capture_refuse_what_the_state_does_not_allow(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        _, vdc, catalog = walk(c, headers)
        web = next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        running = assert_valid(c.get(web, headers=headers).content)
        vm = running.find(f"{V15}Children/{V15}Vm").get("href")
        recompose = link(running, "recompose", ".recomposeVAppParams+xml")
        body = (
            '<RecomposeVAppParams xmlns="http://www.vmware.com/vcloud/v1.5">'
            f'<DeleteItem href="{vm}"/></RecomposeVAppParams>'
        )
        sent = {**headers, "Content-Type": "application/vnd.vmware.vcloud.recomposeVAppParams+xml"}
        refused = c.post(recompose, content=body, headers=sent)
        assert refused.status_code == 400 and "not powered off" in assert_valid(refused.content).get(
            "message"
        )
        template_vm = (
            assert_valid(c.get(template_href(c, headers, catalog, "lamp-stack"), headers=headers).content)
            .find(f"{V15}Children/{V15}Vm")
            .get("href")
        )
        twice = (
            '<RecomposeVAppParams xmlns="http://www.vmware.com/vcloud/v1.5">'
            f'<SourcedItem><Source href="{template_vm}"/></SourcedItem></RecomposeVAppParams>'
        )
        clash = c.post(recompose, content=twice, headers=sent)  # web is there already
        assert clash.status_code == 400 and "same name" in assert_valid(clash.content).get("message")
        clone = link(vdc, "add", ".cloneVAppParams+xml")
        move = (
            '<CloneVAppParams xmlns="http://www.vmware.com/vcloud/v1.5" name="moved">'
            f'<Source href="{web}"/><IsSourceDelete>true</IsSourceDelete></CloneVAppParams>'
        )
        cloned = {**headers, "Content-Type": "application/vnd.vmware.vcloud.cloneVAppParams+xml"}
        assert c.post(clone, content=move, headers=cloned).status_code == 400  # it runs
        copy = move.replace("true</IsSourceDelete>", "false</IsSourceDelete>")
        made = c.post(clone, content=copy, headers=cloned)
        assert made.status_code == 201 and assert_valid(made.content).get("status") == "8"
        capture = link(catalog, "add", ".captureVAppParams+xml")
        params = (
            '<CaptureVAppParams xmlns="http://www.vmware.com/vcloud/v1.5" name="photon-5">'
            f'<Description>taken</Description><Source href="{web}"/></CaptureVAppParams>'
        )
        captured = {**headers, "Content-Type": "application/vnd.vmware.vcloud.captureVAppParams+xml"}
        r = c.post(capture, content=params, headers=captured)
        assert r.status_code == 400 and assert_valid(r.content).get("minorErrorCode") == "DUPLICATE_NAME"
        r = c.post(capture, content=params.replace('name="photon-5"', 'name="web-image"'), headers=captured)
        assert r.status_code == 201
        template = assert_valid(r.content)
        assert template.tag == f"{V15}VAppTemplate" and len(template.find(f"{V15}Children")) == 2


# The entity resolver's link: a client adds a urn to it.
NOT_DOCUMENTS = ("/api/entity/",)
# Collections an ``add`` link names, which take a POST only (the administration API's).


@pytest.mark.parametrize("user", [ORG_USER, PROVIDER])
def test_every_link_answers_with_a_valid_document(server, user):
    """Follow every href from the Session, the org list and the query list: each GET answers a
    document valid against the XSDs, or 405 for an action (or an ``add`` link) that takes a POST."""
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c, user)
        queue = collections.deque(f"{server.vcd}{p}" for p in ("/api/session", "/api/org/", "/api/query"))
        seen: set[str] = set()
        shapes: collections.Counter[str] = collections.Counter()
        while queue:
            href = queue.popleft()
            shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", href)
            if href in seen or shapes[shape] >= 2 or href.endswith(NOT_DOCUMENTS):
                continue
            seen.add(href)
            shapes[shape] += 1
            r = c.get(href, headers=headers)
            if "/action/" in href or r.status_code == 405:  # an action, or where a POST adds
                assert r.status_code == 405 and "POST" in r.headers["allow"], href
                continue
            assert r.status_code == 200, (href, r.text[:300])
            document = assert_valid(r.content)
            queue.extend(
                e.get("href") for e in document.iter() if (e.get("href") or "").startswith(server.vcd)
            )
        assert len(seen) > 40


def test_a_vm_is_deleted_once_it_is_off_and_a_urn_resolves(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        _, vdc, catalog = walk(c, headers)
        body = instantiate_body("two", template_href(c, headers, catalog, "lamp-stack"), power_on=True)
        r = c.post(
            link(vdc, "add", INSTANTIATE_TYPE),
            content=body,
            headers={**headers, "Content-Type": INSTANTIATE_TYPE},
        )
        vapp = assert_valid(r.content)
        web, _db = sorted(vapp.findall(f"{V15}Children/{V15}Vm"), key=lambda v: v.get("name"), reverse=True)
        assert c.delete(web.get("href"), headers=headers).status_code == 400  # it runs
        assert c.post(f"{web.get('href')}/power/action/powerOff", headers=headers).status_code == 202
        off = assert_valid(c.get(web.get("href"), headers=headers).content)
        assert c.delete(link(off, "remove", ""), headers=headers).status_code == 202
        left = assert_valid(c.get(vapp.get("href"), headers=headers).content)
        assert [vm.get("name") for vm in left.findall(f"{V15}Children/{V15}Vm")] == ["db"]
        resolved = assert_valid(c.get(f"/api/entity/{vapp.get('id')}", headers=headers).content)
        assert link(resolved, "alternate", ".vApp+xml") == vapp.get("href")
        assert c.get(f"/api/entity/{web.get('id')}", headers=headers).status_code == 404  # deleted
        assert c.get("/api/entity/urn:vcloud:nothing:1", headers=headers).status_code == 404


def test_a_vms_product_sections_are_its_properties(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        _, vdc, _ = walk(c, headers)
        web = next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        vm = assert_valid(c.get(web, headers=headers).content).find(f"{V15}Children/{V15}Vm")
        href = link(vm, "down", ".productSections+xml")
        ovf = "{http://schemas.dmtf.org/ovf/envelope/1}"
        assert (
            assert_valid(c.get(href, headers=headers).content).find(f"{ovf}ProductSection/{ovf}Property")
            is None
        )
        body = (
            '<ProductSectionList xmlns="http://www.vmware.com/vcloud/v1.5" '
            'xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"><ovf:ProductSection><ovf:Info/>'
            '<ovf:Property ovf:key="role" ovf:type="string" ovf:value="frontend"/>'
            '<ovf:Property ovf:key="tier" ovf:type="string"><ovf:Value ovf:value="gold"/></ovf:Property>'
            "</ovf:ProductSection></ProductSectionList>"
        )
        sent = {**headers, "Content-Type": "application/vnd.vmware.vcloud.productSections+xml"}
        assert c.put(href, content=body, headers=sent).status_code == 202
        got = assert_valid(c.get(href, headers=headers).content)
        found = {p.get(f"{ovf}key"): p.get(f"{ovf}value") for p in got.iter(f"{ovf}Property")}
        assert found == {"role": "frontend", "tier": ""}  # a Value element's own value is not the property's
