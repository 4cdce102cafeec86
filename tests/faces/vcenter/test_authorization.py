"""vCenter authorization over REST: the privilege catalogue and roles, with privilege checks."""

import pytest

from helpers import assert_vapi_error, vcenter_session

ROLES = "/api/vcenter/authorization/roles"
PRIVILEGES = "/api/vcenter/authorization/privileges"
BASE = {"System.Anonymous", "System.Read", "System.View"}


@pytest.fixture
def vc(server):
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as c:
        yield c


def as_user(server, user):
    return server.client(headers={"vmware-api-session-id": vcenter_session(server, user)})


def names(result):
    return [item["info"]["name"] for item in result["items"]]


def test_roles_in_lexicographical_order_with_system_flags(vc):
    result = vc.get(ROLES).json()
    assert names(result) == sorted(names(result)) and "marker" not in result
    by_name = {i["info"]["name"]: i for i in result["items"]}
    assert by_name["Admin"]["role"] == "-1" and by_name["Admin"]["info"]["system"] is True
    assert set(by_name["ReadOnly"]["info"]["privileges"]) == BASE
    assert by_name["NoAccess"]["info"]["privileges"] == []
    assert by_name["VirtualMachineUser"]["info"]["system"] is False


def test_filters(vc):
    assert names(vc.get(ROLES, params=[("names", "Admin"), ("names", "View")]).json()) == ["Admin", "View"]
    assert names(vc.get(ROLES, params={"filter.names": "ReadOnly"}).json()) == ["ReadOnly"]
    holding = vc.get(ROLES, params=[("privileges", "Datastore.AllocateSpace"), ("privileges", "System.Read")])
    assert names(holding.json()) == ["Admin", "DatastoreConsumer", "NoCryptoAdmin"]
    assert "Admin" not in names(vc.get(ROLES, params={"is_system": "false"}).json())
    assert set(names(vc.get(ROLES, params={"is_system": "true"}).json())) >= {"Admin", "NoAccess"}


def test_paging_with_a_marker(vc):
    everything = names(vc.get(ROLES).json())
    seen, marker = [], None
    while True:
        params = {"page_size": 5, **({"marker": marker} if marker else {})}
        page = vc.get(ROLES, params=params).json()
        assert len(page["items"]) <= 5
        seen += names(page)
        marker = page.get("marker")
        if not marker:
            break
    assert seen == everything


@pytest.mark.parametrize(
    "params", [{"marker": "not-a-marker"}, {"page_size": 0}, {"page_size": "many"}, {"is_system": "maybe"}]
)
def test_bad_filter_or_marker(vc, params):
    assert_vapi_error(vc.get(ROLES, params=params), 400, "INVALID_ARGUMENT")


def test_create_update_delete(vc):
    r = vc.post(
        ROLES,
        json={"name": "Operators", "description": "ops", "privileges": ["VirtualMachine.Interact.PowerOn"]},
    )
    assert r.status_code == 201
    role = r.json()
    info = vc.get(f"{ROLES}/{role}").json()
    assert info == {
        "name": "Operators",
        "description": "ops",
        "system": False,
        "privileges": sorted(BASE | {"VirtualMachine.Interact.PowerOn"}),
    }
    r = vc.patch(f"{ROLES}/{role}", json={"name": "Operators 2", "privileges": []})
    assert r.status_code == 204
    info = vc.get(f"{ROLES}/{role}").json()
    assert info["name"] == "Operators 2" and info["description"] == "ops" and set(info["privileges"]) == BASE
    assert vc.delete(f"{ROLES}/{role}").status_code == 204
    assert_vapi_error(vc.get(f"{ROLES}/{role}"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"name": "Admin", "description": "", "privileges": []}, "ALREADY_EXISTS"),
        ({"name": "X", "description": "", "privileges": ["No.Such.Privilege"]}, "INVALID_ARGUMENT"),
        ({"name": "X", "description": ""}, "INVALID_ARGUMENT"),
        ({"name": 5, "description": "", "privileges": []}, "INVALID_ARGUMENT"),
        ([], "INVALID_ARGUMENT"),
    ],
)
def test_create_refuses_bad_specs(vc, body, error):
    assert_vapi_error(vc.post(ROLES, json=body), 400, error)


def test_system_roles_cannot_change(vc):
    assert_vapi_error(vc.patch(f"{ROLES}/-2", json={"description": "mine"}), 400, "UNSUPPORTED")
    assert_vapi_error(vc.delete(f"{ROLES}/-1"), 400, "UNSUPPORTED")


def test_a_role_in_use_cannot_be_deleted(vc):
    assert_vapi_error(vc.delete(f"{ROLES}/4"), 400, "RESOURCE_IN_USE")  # operator@vsphere.local holds it


def test_missing_privileges(server):
    with as_user(server, "viewer@vsphere.local") as c:  # ReadOnly: may read, not modify
        assert c.get(ROLES).status_code == 200
        r = c.post(ROLES, json={"name": "Mine", "description": "", "privileges": []})
        assert_vapi_error(r, 403, "UNAUTHORIZED")
    with as_user(server, "USER_1@vsphere.local") as c:  # no permission at all
        assert_vapi_error(c.get(ROLES), 403, "UNAUTHORIZED")


def test_a_role_change_is_seen_by_the_next_call(server, vc):
    with as_user(server, "operator@vsphere.local") as op:
        spec = {"name": "Mine", "description": "", "privileges": []}
        assert_vapi_error(op.post(ROLES, json=spec), 403, "UNAUTHORIZED")
        held = vc.get(f"{ROLES}/4").json()["privileges"]
        assert (
            vc.patch(f"{ROLES}/4", json={"privileges": [*held, "Authorization.ModifyRoles"]}).status_code
            == 204
        )
        assert op.post(ROLES, json=spec).status_code == 201


def test_privileges(vc):
    page = vc.get(PRIVILEGES).json()
    assert len(page["items"]) == 200 and page["marker"]
    rest = vc.get(PRIVILEGES, params={"marker": page["marker"], "page_size": 1000}).json()
    ids = [i["privilege"] for i in page["items"] + rest["items"]]
    assert len(ids) > 500 and ids == sorted(ids) and {"System.Read", "Authorization.ModifyRoles"} <= set(ids)
    info = vc.get(f"{PRIVILEGES}/VirtualMachine.Interact.PowerOn").json()
    assert info == {
        "name": "VirtualMachine.Interact.PowerOn",
        "description": info["description"],
        "on_parent": False,
        "version": 1,
    }
    found = vc.get(PRIVILEGES, params=[("names", "System.Read"), ("names", "System.View")]).json()
    assert [i["privilege"] for i in found["items"]] == ["System.Read", "System.View"]
    assert_vapi_error(vc.get(f"{PRIVILEGES}/No.Such"), 404, "NOT_FOUND")


def test_privileges_checked_on_the_parent(vc):
    found = vc.get(PRIVILEGES, params={"is_on_parent": "true"}).json()["items"]
    ids = {i["privilege"] for i in found}
    assert len(ids) == 24 and {"VirtualMachine.Inventory.Delete", "Folder.Delete"} <= ids
    assert all(i["info"]["on_parent"] is True for i in found)
    assert vc.get(f"{PRIVILEGES}/Datacenter.Delete").json()["on_parent"] is True
