"""The auth section's role permissions, role privilege edits, password change and the reads
around them, over the one identity and access model: a role given here is held at once, on
every session, and a password changed here signs in on every face."""

import xml.etree.ElementTree as ET

from helpers import assert_ops_error, ops_acquire

API = "/suite-api/api"
NS = {"ops": "http://webservice.vmware.com/vRealizeOpsMgr/1.0/"}
XML = {"Content-Type": "application/xml", "Accept": "application/xml"}


def ids(ops, path, key, name_key):
    return {item[name_key]: item["id"] for item in ops.get(f"{API}/auth/{path}").json()[key]}


def signed_in(server, username, password=None):
    """An httpx client holding ``username``'s OpsToken."""
    r = ops_acquire(server, username, *([password] if password else []))
    assert r.status_code == 200, r.text
    headers = {"Authorization": f"OpsToken {r.json()['token']}", "Accept": "application/json"}
    return server.client(headers=headers)


def test_a_permission_given_to_a_user_holds_at_once(ops, server):
    viewer = ids(ops, "users", "users", "username")["viewer"]
    path = f"{API}/auth/users/{viewer}/permissions"
    assert ops.get(path).json() == {"permissions": [{"roleName": "ReadOnly", "allowAllObjects": True}]}
    with signed_in(server, "viewer") as c:
        assert_ops_error(c.get(f"{API}/auth/users"), 403)
        r = ops.put(path, json={"roleName": "Administrator", "allowAllObjects": True})
        assert r.status_code == 200, r.text
        assert r.json()["permissions"] == [
            {"roleName": "Administrator", "allowAllObjects": True},
            {"roleName": "ReadOnly", "allowAllObjects": True},
        ]
        assert c.get(f"{API}/auth/users").status_code == 200  # the same token, at once
        assert c.get(f"{API}/auth/currentuser/permissions").json() == r.json()
        keys = [
            p["key"]
            for p in c.get(f"{API}/auth/currentuser/roles/Administrator/privileges").json()["privileges"]
        ]
        assert "ManageUsers" in keys
        assert_ops_error(c.get(f"{API}/auth/currentuser/roles/PowerUser/privileges"), 404)
        assert ops.put(path, json={"roleName": "Administrator", "allowAllObjects": True}).json() == r.json()
        assert ops.delete(f"{path}/Administrator").status_code == 204
        assert_ops_error(c.get(f"{API}/auth/users"), 403)
    assert_ops_error(ops.delete(f"{path}/Administrator"), 404)
    assert ops.get(f"{API}/auth/users/{viewer}").json()["roleNames"] == ["ReadOnly"]


def test_what_the_world_cannot_hold_is_refused(ops):
    viewer = ids(ops, "users", "users", "username")["viewer"]
    group = ids(ops, "usergroups", "userGroups", "name")["group_1"]
    path = f"{API}/auth/users/{viewer}/permissions"
    scoped = {"roleName": "PowerUser", "scopeId": "57922ca1-1bea-46c5-80d8-9f112b8805b0"}
    assert "Scope" in assert_ops_error(ops.put(path, json=scoped), 400)["message"]
    spec = {"adapterKind": "VMWARE", "resourceKind": "vSphere World", "name": "vSphere Hosts and Clusters"}
    traversed = {"roleName": "PowerUser", "allowAllObjects": False, "traversal-spec-instances": [spec]}
    assert_ops_error(ops.put(path, json=traversed), 400)
    assert_ops_error(ops.put(path, json={"roleName": "PowerUser", "allowAllObjects": False}), 400)
    assert_ops_error(ops.put(path, json={"roleName": "NoSuchRole", "allowAllObjects": True}), 400)
    assert_ops_error(ops.put(path, json={"allowAllObjects": True}), 400)
    assert_ops_error(
        ops.put(
            f"{API}/auth/users/{group}/permissions", json={"roleName": "PowerUser", "allowAllObjects": True}
        ),
        404,
    )
    assert_ops_error(ops.get(f"{API}/auth/usergroups/{viewer}/permissions"), 404)
    made = {"username": "scoped", "password": "Scoped!Pass2026", "role-permissions": [scoped]}
    assert_ops_error(ops.post(f"{API}/auth/users", json=made), 400)
    assert ops.get(path).json()["permissions"] == [{"roleName": "ReadOnly", "allowAllObjects": True}]


def test_a_permission_given_to_a_group_is_its_members(ops, server):
    group = ids(ops, "usergroups", "userGroups", "name")["group_1"]
    assert ops_acquire(server, "USER_1@vsphere.local").status_code == 403  # no role yet
    path = f"{API}/auth/usergroups/{group}/permissions"
    assert ops.get(path).json() == {"permissions": []}
    r = ops.put(path, json={"roleName": "PowerUser", "allowAllObjects": True})
    assert r.json() == {"permissions": [{"roleName": "PowerUser", "allowAllObjects": True}]}
    assert ops.get(f"{API}/auth/usergroups/{group}").json()["roleNames"] == ["PowerUser"]
    with signed_in(server, "USER_1@vsphere.local") as c:
        assert c.get(f"{API}/auth/currentuser/permissions").json() == {"permissions": []}  # its own
        privileges = c.get(f"{API}/auth/currentuser/roles/PowerUser/privileges").json()["privileges"]
        assert "ManageAlerts" in {p["key"] for p in privileges}
    assert ops.delete(f"{path}/PowerUser").status_code == 204
    assert ops_acquire(server, "USER_1@vsphere.local").status_code == 403


def test_permissions_in_xml(ops):
    operator = ids(ops, "users", "users", "username")["operator"]
    body = (
        '<ops:role-permission xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/" '
        'allowAllObjects="true"><ops:roleName>ContentAdmin</ops:roleName></ops:role-permission>'
    )
    r = ops.put(f"{API}/auth/users/{operator}/permissions", content=body, headers=XML)
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.content)
    assert root.tag == f"{{{NS['ops']}}}role-permissions"
    found = {
        p.findtext("ops:roleName", namespaces=NS): p.get("allowAllObjects")
        for p in root.findall("ops:role-permission", NS)
    }
    assert found == {"ContentAdmin": "true", "PowerUser": "true"}


def test_a_role_privileges_are_added_set_and_taken(ops, server):
    role = {"name": "Reporter", "privilege-keys": ["ViewEnvironment"]}
    assert ops.post(f"{API}/auth/roles", json=role).status_code == 201
    operator = ids(ops, "users", "users", "username")["operator"]
    path = f"{API}/auth/roles/Reporter/privileges"
    r = ops.post(path, json={"privilege-key": ["ManageUsers", "ManageAlerts"]})
    assert r.status_code == 200, r.text
    assert r.json() == {"privilege-key": ["ManageAlerts", "ManageUsers", "ViewEnvironment"]}
    given = {"roleName": "Reporter", "allowAllObjects": True}
    assert ops.put(f"{API}/auth/users/{operator}/permissions", json=given).status_code == 200
    with signed_in(server, "operator") as c:
        assert c.get(f"{API}/auth/users").status_code == 200  # ManageUsers, through Reporter
        r = ops.request("DELETE", path, json={"privilege-key": ["ManageUsers"]})
        assert r.json() == {"privilege-key": ["ManageAlerts", "ViewEnvironment"]}
        assert_ops_error(c.get(f"{API}/auth/users"), 403)  # at once
    r = ops.put(path, json={"privilege-key": ["ViewEnvironment"]})
    assert r.json() == {"privilege-key": ["ViewEnvironment"]}
    keys = [p["key"] for p in ops.get(path).json()["privileges"]]
    assert (
        keys == ["ViewEnvironment"] and ops.get(f"{API}/auth/roles/Reporter").json()["privilege-keys"] == keys
    )
    body = (
        '<ops:privilege-keys xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/">'
        "<ops:privilege-key>ManageAlarms</ops:privilege-key></ops:privilege-keys>"
    )
    r = ops.post(path, content=body, headers=XML)
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.content)
    assert root.tag == f"{{{NS['ops']}}}privilege-keys"
    assert [e.text for e in root.findall("ops:privilege-key", NS)] == ["ManageAlarms", "ViewEnvironment"]
    assert_ops_error(ops.post(path, json={"privilege-key": ["NoSuchPrivilege"]}), 400)
    assert_ops_error(ops.post(path, json={}), 400)
    assert_ops_error(
        ops.put(f"{API}/auth/roles/ReadOnly/privileges", json={"privilege-key": ["ManageUsers"]}), 400
    )
    assert_ops_error(ops.post(f"{API}/auth/roles/NoSuchRole/privileges", json={"privilege-key": []}), 404)
    assert [p["key"] for p in ops.get(f"{API}/auth/roles/ReadOnly/privileges").json()["privileges"]] == [
        "ViewEnvironment"
    ]


def test_a_user_changes_its_own_password_for_every_face(ops, server):
    made = {"username": "jane", "password": "Jane!Start2026", "roleNames": ["ReadOnly"]}
    assert ops.post(f"{API}/auth/users", json=made).status_code == 201
    change = f"{API}/auth/users/passwordchange"
    with signed_in(server, "jane", "Jane!Start2026") as c:
        for _ in range(6):  # a wrong current password is refused, and counts towards no lockout
            wrong = c.put(change, json={"currentPassword": "Not!Mine2026x", "newPassword": "Jane!Next2026"})
            assert_ops_error(wrong, 400)
        weak = assert_ops_error(
            c.put(change, json={"currentPassword": "Jane!Start2026", "newPassword": "short"}), 400
        )
        assert "policy" in weak["message"] and "short" not in weak["message"]
        assert_ops_error(c.put(change, json={"currentPassword": "Jane!Start2026"}), 400)
        r = c.put(change, json={"currentPassword": "Jane!Start2026", "newPassword": "Jane!Next2026"})
        assert r.status_code == 204, r.text
        assert c.get(f"{API}/auth/currentuser").json()["username"] == "jane"  # still signed in
        body = (
            '<ops:password-change xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/">'
            "<ops:currentPassword>Jane!Next2026</ops:currentPassword>"
            "<ops:newPassword>Jane!Third2026</ops:newPassword></ops:password-change>"
        )
        assert c.put(change, content=body, headers=XML).status_code == 204
    assert_ops_error(ops_acquire(server, "jane", "Jane!Start2026"), 401)
    assert ops_acquire(server, "jane", "Jane!Third2026").status_code == 200
    with server.client() as c:
        assert c.post("/api/session", auth=("jane@vsphere.local", "Jane!Third2026")).status_code == 201
        assert c.post("/api/session", auth=("jane@vsphere.local", "Jane!Next2026")).status_code == 401


def test_users_and_groups_are_deleted_together(ops):
    made = [
        ops.post(f"{API}/auth/users", json={"username": n, "password": "Bulk!Delete2026"}).json()["id"]
        for n in ("bulk1", "bulk2")
    ]
    assert_ops_error(ops.delete(f"{API}/auth/users", params={"id": [*made, "nobody"]}), 404)
    assert len(ops.get(f"{API}/auth/users", params={"id": made}).json()["users"]) == 2  # all or nothing
    assert ops.delete(f"{API}/auth/users", params={"id": made}).status_code == 204
    assert ops.get(f"{API}/auth/users", params={"id": made}).json()["users"] == []
    assert_ops_error(ops.delete(f"{API}/auth/users"), 400)
    groups = [ops.post(f"{API}/auth/usergroups", json={"name": n}).json()["id"] for n in ("team1", "team2")]
    assert ops.delete(f"{API}/auth/usergroups", params={"id": groups}).status_code == 204
    assert ops.get(f"{API}/auth/usergroups", params={"id": groups}).json()["userGroups"] == []


def test_privilege_groups_source_types_scopes_and_traversal_specs(ops):
    groups = ops.get(f"{API}/auth/privilegegroups").json()["privilegeGroups"]
    assert groups == [{"key": "Operations", "name": "Operations"}]
    assert ops.get(f"{API}/auth/privilegegroups", params={"key": "Nothing"}).json() == {"privilegeGroups": []}
    types = ops.get(f"{API}/auth/sourcetypes").json()["sourceTypes"]
    assert [t["id"] for t in types] == ["LOCAL", "VC", "OPEN_LDAP", "ACTIVE_DIRECTORY"]
    local = ops.get(f"{API}/auth/sources").json()["sources"][0]
    assert ops.get(f"{API}/auth/sourcetypes/LOCAL").json() == types[0] == local["sourceType"]
    assert_ops_error(ops.get(f"{API}/auth/sourcetypes/SSO_SAML"), 404)
    assert ops.get(f"{API}/auth/scopes").json() == {"scopesDetails": []}
    assert_ops_error(ops.get(f"{API}/auth/scopes/57922ca1-1bea-46c5-80d8-9f112b8805b0"), 404)
    specs = ops.get(f"{API}/auth/traversalspecs").json()["specs"]
    assert "vSphere Hosts and Clusters" in {s["name"] for s in specs}
    assert all(s["rootAdapterKindKey"] == "VMWARE" for s in specs)
    one = ops.get(f"{API}/auth/traversalspecs", params={"name": "vSphere Storage", "adapterKind": "VMWARE"})
    assert [s["name"] for s in one.json()["specs"]] == ["vSphere Storage"]
    assert ops.get(f"{API}/auth/traversalspecs", params={"adapterKind": "AWS"}).json() == {"specs": []}


def test_the_reads_in_xml(ops):
    accept = {"Accept": "application/xml"}
    root = ET.fromstring(ops.get(f"{API}/auth/privilegegroups", headers=accept).content)
    assert [g.get("key") for g in root.findall("ops:privilege-group", NS)] == ["Operations"]
    root = ET.fromstring(ops.get(f"{API}/auth/sourcetypes", headers=accept).content)
    assert [t.get("id") for t in root.findall("ops:auth-sourcetype", NS)] == [
        "LOCAL",
        "VC",
        "OPEN_LDAP",
        "ACTIVE_DIRECTORY",
    ]
    root = ET.fromstring(ops.get(f"{API}/auth/traversalspecs", headers=accept).content)
    specs = root.findall("ops:traversal-spec", NS)
    assert specs and specs[0].get("adapterInstanceAssociation") == "false"
    assert specs[0].findtext("ops:rootAdapterKindKey", namespaces=NS) == "VMWARE"
    root = ET.fromstring(ops.get(f"{API}/auth/scopes", headers=accept).content)
    assert root.tag == f"{{{NS['ops']}}}scopes-details" and root.findall(".//ops:scopeDetails", NS) == []


def test_a_source_principals_are_searched(ops):
    local = ops.get(f"{API}/auth/sources").json()["sources"][0]["id"]
    search = f"{API}/auth/sources/{local}"
    r = ops.post(f"{search}/users/search", json={"name": "user_*"})
    assert r.status_code == 200, r.text
    assert [u["name"] for u in r.json()["user-search-response"]] == ["USER_1", "USER_2", "USER_3", "USER_4"]
    made = {
        "username": "x_ray",
        "password": "Xray!Search2026",
        "firstName": "Xavier",
        "emailAddress": "x@example.com",
    }
    assert ops.post(f"{API}/auth/users", json=made).status_code == 201
    found = ops.post(f"{search}/users/search", json={"name": "x_*", "domain": "vsphere.local"}).json()
    assert found == {
        "user-search-response": [{"name": "x_ray", "firstName": "Xavier", "emailAddress": "x@example.com"}]
    }
    assert ops.post(f"{search}/users/search", json={"name": "x%"}).json() == {"user-search-response": []}
    assert ops.post(f"{search}/users/search", json={"name": "x*", "domain": "other.test"}).json() == {
        "user-search-response": []
    }
    groups = ops.post(f"{search}/usergroups/search", json={"name": "GROUP_1"}).json()
    assert groups == {"usergroup-search-response": [{"name": "group_1"}]}
    body = (
        '<ops:usergroup-search-request xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/">'
        "<ops:name>group_*</ops:name></ops:usergroup-search-request>"
    )
    root = ET.fromstring(ops.post(f"{search}/usergroups/search", content=body, headers=XML).content)
    assert [g.get("name") for g in root.findall("ops:usergroup-search-response", NS)][:2] == [
        "group_1",
        "group_2",
    ]
    assert_ops_error(ops.post(f"{search}/users/search", json={}), 400)
    assert_ops_error(ops.post(f"{API}/auth/sources/nowhere/users/search", json={"name": "*"}), 404)
