"""Independent disks through the vCloud API, on the wire and against the XSDs: made in a VDC by
its ``add`` link, listed among its resources, resized, attached to a running VM (one of its disks
on vCenter too), refused what vCD refuses (a second attachment, deletion while attached, an IDE
disk to a running VM, a smaller size), detached and deleted."""

from __future__ import annotations

import pytest

from helpers import vcenter_session
from vcd_client import V15, link, sign_in
from vcd_schema import assert_valid

CREATE_TYPE = "application/vnd.vmware.vcloud.diskCreateParams+xml"
ATTACH_TYPE = "application/vnd.vmware.vcloud.diskAttachOrDetachParams+xml"
DISK_TYPE = "application/vnd.vmware.vcloud.disk+xml"
GIB = 1 << 30


def get(c, href, headers, version):
    r = c.get(href, headers=headers)
    assert r.status_code == 200, r.text
    return assert_valid(r.content, version)


def demo_vdc(c, headers, version):
    session = get(c, "/api/session", headers, version)
    org = get(c, link(session, "down", ".org+xml"), headers, version)
    return get(c, link(org, "down", ".vdc+xml", "demo-vdc"), headers, version)


def create(c, headers, vdc, name: str, size: int, bus: str = ""):
    body = (
        '<DiskCreateParams xmlns="http://www.vmware.com/vcloud/v1.5">'
        f'<Disk name="{name}" size="{size}" {bus}><Description>data</Description></Disk></DiskCreateParams>'
    )
    return c.post(
        link(vdc, "add", ".diskCreateParams+xml"),
        content=body,
        headers={**headers, "Content-Type": CREATE_TYPE},
    )


def attach_body(disk_href: str) -> str:
    return (
        '<DiskAttachOrDetachParams xmlns="http://www.vmware.com/vcloud/v1.5">'
        f'<Disk type="{DISK_TYPE}" href="{disk_href}"/></DiskAttachOrDetachParams>'
    )


def vcenter_disks(server) -> list[int]:
    """The capacities of the demo vApp's VM web's disks, as vCenter lists them."""
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        (vm,) = vc.get("/api/vcenter/vm", params={"names": "web"}).json()
        listed = vc.get(f"/api/vcenter/vm/{vm['vm']}/hardware/disk").json()
        return sorted(
            vc.get(f"/api/vcenter/vm/{vm['vm']}/hardware/disk/{d['disk']}").json()["capacity"] for d in listed
        )


@pytest.mark.parametrize("version", ["36.0", "5.5"])
def test_a_disks_life_attached_to_a_running_vm(server, version):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c, version=version)
        vdc = demo_vdc(c, headers, version)
        r = create(c, headers, vdc, "data", 2 * GIB)
        assert r.status_code == 201, r.text
        disk = assert_valid(r.content, version)
        assert (disk.get("size"), disk.get("busType"), disk.get("busSubType")) == (
            str(2 * GIB),
            "6",
            "lsilogic",
        )
        assert disk.find(f"{V15}Tasks/{V15}Task").get("operationName") == "vdcCreateDisk"
        assert disk.find(f"{V15}Owner/{V15}User").get("name") == "alice"
        href = disk.get("href")
        vdc = demo_vdc(c, headers, version)
        assert href in [
            e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("type") == DISK_TYPE
        ]
        # the entity resolver knows a disk by its urn
        resolved = get(c, f"/api/entity/{disk.get('id')}", headers, version)
        assert link(resolved, "alternate", ".disk+xml") == href
        attached = get(c, link(disk, "down", ".vms+xml"), headers, version)
        assert attached.findall(f"{V15}VmReference") == []

        web = next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        vm = next(v for v in get(c, web, headers, version).iter(f"{V15}Vm") if v.get("name") == "web")
        before = vcenter_disks(server)
        r = c.post(
            link(vm, "disk:attach", ".diskAttachOrDetachParams+xml"),
            content=attach_body(href),
            headers={**headers, "Content-Type": ATTACH_TYPE},
        )
        assert r.status_code == 202, r.text
        assert assert_valid(r.content, version).get("operationName") == "vappAttachDisk"
        (ref,) = get(c, link(disk, "down", ".vms+xml"), headers, version).findall(f"{V15}VmReference")
        assert (ref.get("name"), ref.get("href")) == ("web", vm.get("href"))
        assert vcenter_disks(server) == sorted([*before, 2 * GIB])
        again = c.post(
            link(vm, "disk:attach", ".diskAttachOrDetachParams+xml"),
            content=attach_body(href),
            headers={**headers, "Content-Type": ATTACH_TYPE},
        )
        assert again.status_code == 400 and "attached" in assert_valid(again.content, version).get("message")
        assert c.delete(href, headers=headers).status_code == 400  # attached

        grown = f'<Disk xmlns="http://www.vmware.com/vcloud/v1.5" name="data-2" size="{3 * GIB}"/>'
        edit = {**headers, "Content-Type": DISK_TYPE}
        r = c.put(link(disk, "edit", ".disk+xml"), content=grown, headers=edit)
        assert (
            r.status_code == 202 and assert_valid(r.content, version).get("operationName") == "vdcUpdateDisk"
        )
        disk = get(c, href, headers, version)
        assert (disk.get("name"), disk.get("size")) == ("data-2", str(3 * GIB))
        assert vcenter_disks(server) == sorted([*before, 3 * GIB])
        smaller = f'<Disk xmlns="http://www.vmware.com/vcloud/v1.5" name="data-2" size="{GIB}"/>'
        assert c.put(href, content=smaller, headers=edit).status_code == 400

        r = c.post(
            link(vm, "disk:detach", ".diskAttachOrDetachParams+xml"),
            content=attach_body(href),
            headers={**headers, "Content-Type": ATTACH_TYPE},
        )
        assert (
            r.status_code == 202 and assert_valid(r.content, version).get("operationName") == "vappDetachDisk"
        )
        assert vcenter_disks(server) == before
        r = c.delete(link(disk, "remove", ""), headers=headers)
        assert (
            r.status_code == 202 and assert_valid(r.content, version).get("operationName") == "vdcDeleteDisk"
        )
        assert c.get(href, headers=headers).status_code == 404


def test_what_a_disk_refuses(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        vdc = demo_vdc(c, headers, "36.0")
        for size, bus in ((0, ""), (GIB, 'busType="7"'), (GIB, 'busType="6" busSubType="ahci"')):
            r = create(c, headers, vdc, "bad", size, bus)
            assert r.status_code == 400 and assert_valid(r.content).tag == f"{V15}Error", (size, bus)
        r = create(c, headers, vdc, "ide", GIB, 'busType="5" busSubType="ide"')
        assert r.status_code == 201
        href = assert_valid(r.content).get("href")
        web = next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        vm = next(v for v in get(c, web, headers, "36.0").iter(f"{V15}Vm") if v.get("name") == "web")
        r = c.post(
            link(vm, "disk:attach", ".diskAttachOrDetachParams+xml"),
            content=attach_body(href),
            headers={**headers, "Content-Type": ATTACH_TYPE},
        )
        assert r.status_code == 400 and "POWERED_ON" in r.text  # an IDE disk waits for it to stop
        r = c.post(
            link(vm, "disk:detach", ".diskAttachOrDetachParams+xml"),
            content=attach_body(href),
            headers={**headers, "Content-Type": ATTACH_TYPE},
        )
        assert r.status_code == 400  # not attached
        missing = href.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
        assert c.get(missing, headers=headers).status_code == 404


@pytest.mark.parametrize("version", ["36.0", "5.5"])
def test_disks_are_queried_as_records_and_references(server, version):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c, version=version)
        vdc = demo_vdc(c, headers, version)
        for name in ("q-one", "q-two"):
            assert create(c, headers, vdc, name, GIB).status_code == 201
        page = get(c, "/api/query?type=disk&format=records&filter=name==q-*&sortAsc=name", headers, version)
        records = page.findall(f"{V15}DiskRecord")
        assert [
            (r.get("name"), r.get("sizeB"), r.get("busTypeDesc"), r.get("isAttached")) for r in records
        ] == [
            ("q-one", str(GIB), "SCSI", "false"),
            ("q-two", str(GIB), "SCSI", "false"),
        ]
        assert records[0].get("vdcName") == "demo-vdc" and records[0].get("ownerName") == "alice"
        refs = get(c, "/api/query?type=disk&format=references&filter=name==q-two", headers, version)
        (ref,) = refs.findall(f"{V15}DiskReference")
        assert get(c, ref.get("href"), headers, version).get("name") == "q-two"
        assert c.get("/api/query?type=adminDisk", headers=headers).status_code == 403
        admin = sign_in(c, "administrator@System", version=version)
        page = get(c, "/api/query?type=adminDisk&format=records&filter=name==q-one", admin, version)
        (record,) = page.findall(f"{V15}AdminDiskRecord")
        assert record.get("org").endswith(vdc.find(f"{V15}Link[@rel='up']").get("href").rsplit("/", 1)[1])


BETA = (
    "identity:\n"
    "  tenants:\n"
    "    - {name: beta, full_name: Beta Inc., vdcs: [{name: beta-vdc, network: beta-net}]}\n"
    "  users:\n"
    "    - {name: bob, domain: beta, roles: {cloud_director: vApp Author}}\n"
)


def test_another_org_neither_sees_nor_touches_a_disk_or_an_upload(server, scenario):
    assert scenario(BETA).status_code == 200
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c)
        vdc = demo_vdc(c, alice, "36.0")
        disk = assert_valid(create(c, alice, vdc, "private", GIB).content).get("href")
        session = get(c, "/api/session", alice, "36.0")
        org = get(c, link(session, "down", ".org+xml"), alice, "36.0")
        catalog = get(c, link(org, "down", ".catalog+xml", "demo-catalog"), alice, "36.0")
        medium = f'<Media xmlns="{V15[1:-1]}" name="private.iso" size="10" imageType="iso"/>'
        media_type = "application/vnd.vmware.vcloud.media+xml"
        upload = link(catalog, "add", ".media+xml")
        r = c.post(upload, content=medium, headers={**alice, "Content-Type": media_type})
        entity = get(c, assert_valid(r.content).find(f"{V15}Entity").get("href"), alice, "36.0")
        put_file = entity.find(f"{V15}Files/{V15}File/{V15}Link").get("href")
        web = next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        vm = next(v for v in get(c, web, alice, "36.0").iter(f"{V15}Vm") if v.get("name") == "web")

        bob = sign_in(c, "bob@beta")
        assert c.get(disk, headers=bob).status_code == 404
        assert c.delete(disk, headers=bob).status_code == 404
        assert (
            c.put(
                disk,
                content=f'<Disk xmlns="{V15[1:-1]}" name="mine" size="{GIB}"/>',
                headers={**bob, "Content-Type": DISK_TYPE},
            ).status_code
            == 404
        )
        attach = link(vm, "disk:attach", ".diskAttachOrDetachParams+xml")
        assert (
            c.post(
                attach, content=attach_body(disk), headers={**bob, "Content-Type": ATTACH_TYPE}
            ).status_code
            == 404
        )
        assert get(c, "/api/query?type=disk", bob, "36.0").findall(f"{V15}DiskRecord") == []
        bare = {"x-vcloud-authorization": bob["x-vcloud-authorization"]}
        assert c.put(put_file, content=bytes(10), headers=bare).status_code == 404
        assert c.get(entity.get("href"), headers=bob).status_code == 404
        denied = c.post(upload, content=medium, headers={**bob, "Content-Type": media_type})
        assert denied.status_code == 403  # a vApp Author may not upload (nor see the catalog)

        owner_href = link(get(c, disk, alice, "36.0"), "down", ".owner+xml")
        assert c.get(owner_href, headers=bob).status_code == 404
        owner = get(c, owner_href, alice, "36.0")
        alice_href = owner.find(f"{V15}User").get("href")
        bob_id = get(c, "/api/session", bob, "36.0").get("userId").rsplit(":", 1)[1]
        to = f'<Owner xmlns="{V15[1:-1]}"><User href="{alice_href.rsplit("/", 1)[0]}/{bob_id}"/></Owner>'
        owner_type = {**alice, "Content-Type": "application/vnd.vmware.vcloud.owner+xml"}
        assert c.put(owner_href, content=to, headers=owner_type).status_code == 400  # not of the org
        to = f'<Owner xmlns="{V15[1:-1]}"><User href="{alice_href}"/></Owner>'
        assert c.put(owner_href + "/", content=to, headers=owner_type).status_code == 204
        assert get(c, owner_href, alice, "36.0").find(f"{V15}User").get("name") == "alice"
