"""vCenter permissions: the API, propagation, the most specific permission winning, and objects
without System.View being invisible."""

import pytest

from helpers import DEMO_VMS, assert_vapi_error, vcenter_session

PERMS = "/api/vcenter/authorization/permissions"


@pytest.fixture
def vc(server):
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as c:
        yield c


def grant(vc, object_id, name, role, propagating=True, kind="USER", type_="Folder"):
    r = vc.post(
        PERMS,
        json={
            "object": {"type": type_, "id": object_id},
            "principal": {"type": kind, "name": name, "domain": "vsphere.local"},
            "role": role,
            "propagating": propagating,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()


def vm_folder(vc):
    dc = vc.get("/api/vcenter/datacenter").json()[0]["datacenter"]
    return vc.get(f"/api/vcenter/datacenter/{dc}").json()["vm_folder"]


def as_user(server, user="USER_1@vsphere.local"):
    return server.client(headers={"vmware-api-session-id": vcenter_session(server, user)})


def test_list_the_seeded_permissions(vc):
    r = vc.post(PERMS, params={"action": "list"})
    assert r.status_code == 200
    items = {i["info"]["principal"]["name"]: i["info"] for i in r.json()["items"]}
    assert items["administrator"] == {
        "object": {"type": "Folder", "id": "group-d1"},
        "principal": {"type": "USER", "name": "administrator", "domain": "vsphere.local"},
        "role": "-1",
        "propagating": True,
    }
    only_admin = vc.post(PERMS, params={"action": "list"}, json={"filter": {"roles": ["-1"]}}).json()
    assert [i["info"]["principal"]["name"] for i in only_admin["items"]] == ["administrator"]
    page = vc.post(PERMS, params={"action": "list"}, json={"iterate": {"page_size": 2}}).json()
    assert len(page["items"]) == 2 and page["marker"]


def test_a_user_without_permissions_sees_nothing(server):
    with as_user(server) as c:
        assert c.get("/api/vcenter/vm").json() == []
        assert c.get("/api/vcenter/host").json() == []
        assert c.get("/api/vcenter/datacenter").json() == []


def test_permission_on_a_folder_shows_what_is_below_it(server, vc):
    folder = vm_folder(vc)
    permission = grant(vc, folder, "USER_1", "-2")
    all_vms = vc.get("/api/vcenter/vm").json()
    with as_user(server) as c:
        assert c.get("/api/vcenter/vm").json() == all_vms
        assert c.get("/api/vcenter/host").json() == []
        vm = all_vms[0]["vm"]
        assert c.get(f"/api/vcenter/vm/{vm}").status_code == 200
        r = c.post(f"/api/vcenter/vm/{vm}/power", params={"action": "stop"})
        assert_vapi_error(r, 403, "UNAUTHORIZED")  # ReadOnly: sees it, may not touch it
        dc = vc.get("/api/vcenter/datacenter").json()[0]["datacenter"]
        # above the grant: seen as the way down (System.View alone), not read
        assert [d["datacenter"] for d in c.get("/api/vcenter/datacenter").json()] == [dc]
        assert_vapi_error(c.get(f"/api/vcenter/datacenter/{dc}"), 403, "UNAUTHORIZED")
        assert vc.delete(f"{PERMS}/{permission}").status_code == 204
        assert c.get("/api/vcenter/vm").json() == []  # the next call sees the change


def test_no_access_lower_down_wins_and_a_user_wins_over_its_group(server, vc):
    folder = vm_folder(vc)
    grant(vc, "group-d1", "group_1", "-1", kind="GROUP")  # USER_1 and USER_2 are members
    with as_user(server, "USER_2@vsphere.local") as c:
        assert len(c.get("/api/vcenter/vm").json()) == DEMO_VMS
    grant(vc, folder, "USER_2", "-5")  # NoAccess on the VM folder, for USER_2 only
    with as_user(server, "USER_2@vsphere.local") as c:
        assert c.get("/api/vcenter/vm").json() == []
        assert len(c.get("/api/vcenter/host").json()) == 3
    with as_user(server, "USER_1@vsphere.local") as c:
        assert len(c.get("/api/vcenter/vm").json()) == DEMO_VMS


def test_a_non_propagating_permission_stays_on_its_object(server, vc):
    vm = vc.get("/api/vcenter/vm").json()[0]["vm"]
    grant(vc, vm, "USER_3", "4", propagating=False, type_="VirtualMachine")  # VM power user on one VM
    with as_user(server, "USER_3@vsphere.local") as c:
        assert [v["vm"] for v in c.get("/api/vcenter/vm").json()] == [vm]
        action = "stop" if c.get(f"/api/vcenter/vm/{vm}/power").json()["state"] == "POWERED_ON" else "start"
        assert c.post(f"/api/vcenter/vm/{vm}/power", params={"action": action}).status_code == 204


def test_get_update_and_refusals(vc):
    permission = grant(vc, vm_folder(vc), "USER_4", "-2")
    assert vc.get(f"{PERMS}/{permission}").json()["role"] == "-2"
    assert vc.patch(f"{PERMS}/{permission}", json={"role": "5", "is_propagating": False}).status_code == 204
    info = vc.get(f"{PERMS}/{permission}").json()
    assert info["role"] == "5" and info["propagating"] is False
    r = vc.post(
        PERMS,
        json={
            "object": {"type": "Folder", "id": "group-d1"},
            "principal": {"type": "USER", "name": "nobody", "domain": "vsphere.local"},
            "role": "-2",
            "propagating": True,
        },
    )
    assert_vapi_error(r, 400, "INVALID_ARGUMENT")
    r = vc.post(
        PERMS,
        json={
            "object": {"type": "Folder", "id": "group-x9"},
            "principal": {"type": "USER", "name": "USER_4", "domain": "vsphere.local"},
            "role": "-2",
            "propagating": True,
        },
    )
    assert_vapi_error(r, 404, "NOT_FOUND")
    admin = next(
        i["permission"]
        for i in vc.post(PERMS, params={"action": "list"}).json()["items"]
        if i["info"]["role"] == "-1"
    )
    assert_vapi_error(vc.delete(f"{PERMS}/{admin}"), 400, "RESOURCE_BUSY")
    assert_vapi_error(vc.get(f"{PERMS}/no-such-permission"), 404, "NOT_FOUND")


def test_modifying_permissions_needs_the_privilege(server):
    with as_user(server, "viewer@vsphere.local") as c:
        r = c.post(
            PERMS,
            json={
                "object": {"type": "Folder", "id": "group-d1"},
                "principal": {"type": "USER", "name": "USER_1", "domain": "vsphere.local"},
                "role": "-1",
                "propagating": True,
            },
        )
    assert_vapi_error(r, 403, "UNAUTHORIZED")
