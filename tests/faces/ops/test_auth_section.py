"""The auth section over the one identity and access model: users, user groups, roles,
privileges, auth sources, the current user, ``GET /api/versions``, and ``authSource`` at
acquisition. A user made here signs in on every face."""

import xml.etree.ElementTree as ET

import pytest

from conftest import DEMO_PASSWORD
from helpers import assert_ops_error, ops_acquire

API = "/suite-api/api"
NS = {"ops": "http://webservice.vmware.com/vRealizeOpsMgr/1.0/"}
ACQUIRE = f"{API}/auth/token/acquire"


def by_name(users):
    return {u["username"]: u for u in users}


def test_users_groups_and_the_current_user(ops):
    users = by_name(ops.get(f"{API}/auth/users").json()["users"])
    admin = users["administrator"]
    assert admin["enabled"] is True and admin["roleNames"] == ["Administrator"]
    assert admin["role-permissions"] == [{"roleName": "Administrator", "allowAllObjects": True}]
    assert "password" not in admin
    assert users["viewer"]["roleNames"] == ["ReadOnly"] and users["USER_1"]["roleNames"] == []
    assert ops.get(f"{API}/auth/users/{admin['id']}").json() == admin
    assert ops.get(f"{API}/auth/currentuser").json() == admin
    only = ops.get(f"{API}/auth/users", params={"roleName": "ReadOnly"}).json()["users"]
    assert [u["username"] for u in only] == ["viewer"]
    named = ops.get(f"{API}/auth/users", params={"username": ["OPERATOR", "viewer@vsphere.local"]}).json()
    assert sorted(u["username"] for u in named["users"]) == ["operator", "viewer"]
    groups = {g["name"]: g for g in ops.get(f"{API}/auth/usergroups").json()["userGroups"]}
    assert sorted(groups["group_1"]["userIds"]) == sorted([users["USER_1"]["id"], users["USER_2"]["id"]])
    assert groups["group_1"]["id"] in users["USER_1"]["groupIds"]
    assert ops.get(f"{API}/auth/usergroups/{groups['group_1']['id']}").json() == groups["group_1"]
    assert_ops_error(ops.get(f"{API}/auth/users/{groups['group_1']['id']}"), 404)
    assert_ops_error(ops.get(f"{API}/auth/usergroups/nobody"), 404)


def test_roles_privileges_sources_and_versions(ops, server):
    roles = {r["name"]: r for r in ops.get(f"{API}/auth/roles").json()["userRoles"]}
    assert roles["ReadOnly"]["privilege-keys"] == ["ViewEnvironment"] and roles["ReadOnly"]["system-created"]
    one = ops.get(f"{API}/auth/roles/PowerUser").json()
    assert one == roles["PowerUser"]
    keys = [p["key"] for p in ops.get(f"{API}/auth/roles/ReadOnly/privileges").json()["privileges"]]
    assert keys == ["ViewEnvironment"]
    privileges = ops.get(f"{API}/auth/privileges", params={"key": "ManageAlerts"}).json()["privileges"]
    assert privileges == [
        {"key": "ManageAlerts", "name": "Manage Alerts", "description": privileges[0]["description"]}
    ]
    assert_ops_error(ops.get(f"{API}/auth/roles/NoSuchRole"), 404)
    sources = ops.get(f"{API}/auth/sources").json()["sources"]
    assert sources[0]["name"] == "Local Users" and sources[0]["sourceType"]["id"] == "LOCAL"
    assert ops.get(f"{API}/auth/sources/{sources[0]['id']}").json() == sources[0]
    with server.client() as anonymous:
        assert anonymous.get(f"{API}/auth/sources").json()["sources"] == sources
    versions = ops.get(f"{API}/versions").json()["values"]
    assert versions == [ops.get(f"{API}/versions/current").json()]


def test_the_auth_section_in_xml(ops):
    r = ops.get(f"{API}/auth/users", headers={"Accept": "application/xml"})
    root = ET.fromstring(r.content)
    assert root.tag == f"{{{NS['ops']}}}user-list"
    admin = next(
        u
        for u in root.findall("ops:user", NS)
        if u.findtext("ops:username", namespaces=NS) == "administrator"
    )
    assert admin.get("enabled") == "true"
    assert [e.text for e in admin.findall("ops:roleNames/ops:roleName", NS)] == ["Administrator"]
    r = ops.get(f"{API}/auth/roles/ReadOnly", headers={"Accept": "application/xml"})
    role = ET.fromstring(r.content)
    assert role.get("system-created") == "true"
    assert [e.text for e in role.findall("ops:privilege-keys/ops:privilege-key", NS)] == ["ViewEnvironment"]


@pytest.mark.parametrize("source", [None, "LOCAL", "local", "Local Users", "vsphere.local"])
def test_acquire_reads_auth_source_as_clients_send_it(server, source):
    body = {"username": "viewer", "password": DEMO_PASSWORD}
    if source is not None:
        body["authSource"] = source
    with server.client() as c:
        r = c.post(ACQUIRE, json=body)
        assert r.status_code == 200, r.text
        assert r.json()["roles"] == ["ReadOnly"]
        sources = c.get(f"{API}/auth/sources").json()["sources"]
        r = c.post(ACQUIRE, json={**body, "authSource": sources[0]["id"]})
        assert r.status_code == 200
        assert_ops_error(c.post(ACQUIRE, json={**body, "authSource": "Imported LDAP Server"}), 401)


@pytest.mark.parametrize(
    "weak", ["x", "password", "Sh0rt!", "NoDigits!here", "Aaaa1111!!!!b", "Far2Long!" * 3]
)
def test_a_new_password_keeps_the_sso_policy(ops, server, weak):
    r = ops.post(f"{API}/auth/users", json={"username": "weakling", "password": weak})
    assert_ops_error(r, 400)
    assert "policy" in r.json()["message"]
    assert ops_acquire(server, "weakling", weak).status_code == 401  # nobody was made
    strong = {"username": "strong", "password": "Str0ng!Pass", "roleNames": ["ReadOnly"]}
    made = ops.post(f"{API}/auth/users", json=strong).json()
    r = ops.put(f"{API}/auth/users", json={"id": made["id"], "username": "strong", "password": weak})
    assert_ops_error(r, 400)
    assert ops_acquire(server, "strong", "Str0ng!Pass").status_code == 200  # the old one still works


def test_a_user_made_here_signs_in_on_every_face(ops, server):
    groups = {g["name"]: g["id"] for g in ops.get(f"{API}/auth/usergroups").json()["userGroups"]}
    spec = {
        "username": "jdoe",
        "password": "Secret!Pass2026",
        "firstName": "Jane",
        "lastName": "Doe",
        "emailAddress": "jdoe@example.com",
        "roleNames": ["PowerUser"],
        "groupIds": [groups["group_2"]],
    }
    r = ops.post(f"{API}/auth/users", json=spec)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["username"] == "jdoe" and made["roleNames"] == ["PowerUser"] and "password" not in made
    assert made["groupIds"] == [groups["group_2"]] and made["firstName"] == "Jane"
    assert_ops_error(ops.post(f"{API}/auth/users", json=spec), 400)  # the name is taken
    token = ops_acquire(server, "jdoe", "Secret!Pass2026").json()
    assert token["roles"] == ["PowerUser"]
    with server.client() as c:
        assert c.post("/api/session", auth=("jdoe@vsphere.local", "Secret!Pass2026")).status_code == 201
        assert c.post(
            "/v1/tokens", json={"username": "jdoe@vsphere.local", "password": "Secret!Pass2026"}
        ).status_code in (200, 201, 403)
    group = ops.get(f"{API}/auth/usergroups/{groups['group_2']}").json()
    assert made["id"] in group["userIds"]
    changed = ops.put(
        f"{API}/auth/users",
        json={"id": made["id"], "username": "jdoe", "roleNames": ["ReadOnly"], "enabled": False},
    )
    assert changed.status_code == 200 and changed.json()["roleNames"] == ["ReadOnly"]
    assert ops_acquire(server, "jdoe", "Secret!Pass2026").status_code == 401  # disabled
    assert ops.delete(f"{API}/auth/users", params={"id": made["id"]}).status_code == 204
    assert_ops_error(ops.get(f"{API}/auth/users/{made['id']}"), 404)
    me = ops.get(f"{API}/auth/currentuser").json()
    assert_ops_error(ops.delete(f"{API}/auth/users/{me['id']}"), 400)


def test_groups_and_roles_are_written(ops, server):
    viewer = by_name(ops.get(f"{API}/auth/users").json()["users"])["viewer"]
    r = ops.post(
        f"{API}/auth/usergroups",
        json={"name": "auditors", "userIds": [viewer["id"]], "roleNames": ["PowerUser"]},
    )
    assert r.status_code == 201, r.text
    group = r.json()
    assert group["userIds"] == [viewer["id"]]
    assert ops_acquire(server, "viewer@vsphere.local").json()["roles"] == ["PowerUser", "ReadOnly"]
    role = {"name": "Auditor", "description": "Reads", "privilege-keys": ["ViewEnvironment", "ManageAlerts"]}
    r = ops.post(f"{API}/auth/roles", json=role)
    assert r.status_code == 201 and r.json()["privilege-keys"] == ["ManageAlerts", "ViewEnvironment"]
    assert r.json()["system-created"] is False
    assert_ops_error(ops.post(f"{API}/auth/roles", json={**role, "privilege-keys": ["NoSuchPrivilege"]}), 400)
    r = ops.put(f"{API}/auth/roles", json={"name": "Auditor", "privilege-keys": ["ViewEnvironment"]})
    assert r.status_code == 200 and r.json()["privilege-keys"] == ["ViewEnvironment"]
    r = ops.put(
        f"{API}/auth/usergroups", json={"id": group["id"], "name": "auditors", "roleNames": ["Auditor"]}
    )
    assert r.status_code == 200 and r.json()["roleNames"] == ["Auditor"]
    assert_ops_error(ops.delete(f"{API}/auth/roles/Auditor"), 400)  # held by the group
    assert_ops_error(ops.delete(f"{API}/auth/roles/ReadOnly"), 400)  # a system role
    assert ops.delete(f"{API}/auth/usergroups/{group['id']}").status_code == 204
    assert ops.delete(f"{API}/auth/roles/Auditor").status_code == 204
    assert_ops_error(ops.get(f"{API}/auth/roles/Auditor"), 404)
    assert ops_acquire(server, "viewer@vsphere.local").json()["roles"] == ["ReadOnly"]


def test_only_managers_of_users_read_and_write_them(server):
    token = ops_acquire(server, "viewer@vsphere.local").json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {token}", "Accept": "application/json"}) as c:
        assert_ops_error(c.get(f"{API}/auth/users"), 403)
        assert_ops_error(c.post(f"{API}/auth/users", json={"username": "x", "password": "y"}), 403)
        assert c.get(f"{API}/auth/currentuser").json()["username"] == "viewer"
        assert c.get(f"{API}/auth/roles").status_code == 200
