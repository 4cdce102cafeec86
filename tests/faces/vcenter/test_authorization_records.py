"""vTContainer mappings and the record of privilege checks."""

import pytest

from helpers import assert_vapi_error, vcenter_session

MAPPINGS = "/api/vcenter/authorization/vt-containers/mappings"
CHECKS = "/api/vcenter/authorization/privilege-checks"


@pytest.fixture
def session(server):
    return vcenter_session(server)


@pytest.fixture
def vc(server, session):
    with server.client(headers={"vmware-api-session-id": session}) as c:
        yield c


def test_mappings(vc):
    vm = vc.get("/api/vcenter/vm").json()[0]["vm"]
    r = vc.post(MAPPINGS, json={"vtcontainer": "vtc-1", "object": {"type": "VirtualMachine", "id": vm}})
    assert r.status_code == 201
    mapping = r.json()
    assert vc.get(f"{MAPPINGS}/{mapping}").json() == {
        "vtcontainer": "vtc-1",
        "object": {"type": "VirtualMachine", "id": vm},
    }
    vc.post(MAPPINGS, json={"vtcontainer": "vtc-2", "object": {"type": "Folder", "id": "group-d1"}})
    assert len(vc.get(MAPPINGS).json()["items"]) == 2
    only = vc.get(MAPPINGS, params={"vtcontainers": "vtc-1"}).json()["items"]
    assert [m["mapping"] for m in only] == [mapping]
    assert [
        m["info"]["vtcontainer"] for m in vc.get(MAPPINGS, params={"types": "Folder"}).json()["items"]
    ] == ["vtc-2"]
    again = vc.post(MAPPINGS, json={"vtcontainer": "vtc-1", "object": {"type": "VirtualMachine", "id": vm}})
    assert_vapi_error(again, 400, "ALREADY_EXISTS")
    missing = vc.post(
        MAPPINGS, json={"vtcontainer": "vtc-1", "object": {"type": "VirtualMachine", "id": "vm-0"}}
    )
    assert_vapi_error(missing, 404, "NOT_FOUND")
    assert vc.delete(f"{MAPPINGS}/{mapping}").status_code == 204
    assert_vapi_error(vc.get(f"{MAPPINGS}/{mapping}"), 404, "NOT_FOUND")


def test_privilege_checks_are_recorded(server, vc, session):
    start = vc.get(f"{CHECKS}/latest").json()
    vm = vc.get("/api/vcenter/vm").json()[0]["vm"]
    vc.get(f"{'/api/vcenter/vm'}/{vm}/power", headers={"vapi-ctx-opid": "op-42"})
    with server.client(
        headers={"vmware-api-session-id": vcenter_session(server, "viewer@vsphere.local")}
    ) as c:
        c.post(f"/api/vcenter/vm/{vm}/power", params={"action": "stop"})  # refused, but checked
    r = vc.post(CHECKS, params={"action": "list"}, json={"iteration": {"marker": start}})
    assert r.status_code == 200
    body = r.json()
    checks = [(i["object"]["id"], i["principal"]["name"], i["privilege"]) for i in body["items"]]
    assert (vm, "administrator", "System.Read") in checks
    assert (vm, "viewer", "VirtualMachine.Interact.PowerOff") in checks
    assert body["truncated"] is False and body["marker"]
    by_op = vc.post(
        CHECKS,
        params={"action": "list"},
        json={"iteration": {"marker": start}, "filter": {"op_ids": ["op-42"]}},
    ).json()
    assert [(i["object"]["id"], i["privilege"]) for i in by_op["items"]] == [(vm, "System.Read")]
    by_session = vc.post(
        CHECKS,
        params={"action": "list"},
        json={"iteration": {"marker": start}, "filter": {"sessions": [session]}},
    ).json()
    assert {i["principal"]["name"] for i in by_session["items"]} == {"administrator"}
    later = vc.post(CHECKS, params={"action": "list"}, json={"iteration": {"marker": body["marker"]}}).json()
    assert all(i["privilege"] == "Sessions.CollectPrivilegeChecks" for i in later["items"])
    assert_vapi_error(
        vc.post(CHECKS, params={"action": "list"}, json={"iteration": {"marker": "bad"}}),
        400,
        "INVALID_ARGUMENT",
    )


def test_collecting_needs_the_privilege(server):
    with server.client(
        headers={"vmware-api-session-id": vcenter_session(server, "viewer@vsphere.local")}
    ) as c:
        assert_vapi_error(c.get(f"{CHECKS}/latest"), 403, "UNAUTHORIZED")
        assert_vapi_error(
            c.post(MAPPINGS, json={"vtcontainer": "v", "object": {"type": "Folder", "id": "group-d1"}}),
            403,
            "UNAUTHORIZED",
        )
