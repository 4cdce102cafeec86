"""Object scopes and the role permissions limited to them, over the one access model: a scope made,
read, changed and deleted (JSON and XML) and its refusals; a user with ReadOnly on a scope sees
only the scope's resources (lists, queries, stats, properties, relationships) while a user on all
objects sees all; permissions by traversal specification instances and the deprecated traversal
spec assignment; a directory source's groups synchronized from the directory; the token exchange
and the VIDB well-known URL."""

import xml.etree.ElementTree as ET

import pytest

from helpers import assert_ops_error, ldap_source, ops_acquire

API = "/suite-api/api"
SCOPES = f"{API}/auth/scopes"
NS = {"ops": "http://webservice.vmware.com/vRealizeOpsMgr/1.0/"}
PASSWORD = "Sc0ped!Pass2026"
HOSTS_AND_CLUSTERS = {
    "adapterKind": "VMWARE",
    "resourceKind": "vSphere World",
    "name": "vSphere Hosts and Clusters",
}


def spec(*picks, every=False):
    """A ``traversal-spec-instance`` of the Hosts and Clusters template; ``picks``: (type, ids)."""
    chosen = [{"type": t, "resourceId": list(ids)} for t, ids in picks]
    return {**HOSTS_AND_CLUSTERS, "resourceSelection": chosen, "selectAllResources": every}


def resources(client, kind=None):
    params = {"resourceKind": kind} if kind else {}
    r = client.get(f"{API}/resources", params=params)
    assert r.status_code == 200, r.text
    return {x["identifier"]: x["resourceKey"]["name"] for x in r.json()["resourceList"]}


def signed_in(server, username, password=PASSWORD):
    r = ops_acquire(server, username, password)
    assert r.status_code == 200, r.text
    headers = {"Authorization": f"OpsToken {r.json()['token']}", "Accept": "application/json"}
    return server.client(headers=headers)


def new_user(ops, name, **body):
    r = ops.post(f"{API}/auth/users", json={"username": name, "password": PASSWORD, **body})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_scope_is_made_read_changed_and_deleted(ops):
    vms = sorted(resources(ops, "VirtualMachine"))
    body = {
        "name": "Web VMs",
        "description": "Only the web tier",
        "traversalSpecInstances": [spec(("SPECIFIC", vms[:1]))],
    }
    r = ops.post(SCOPES, json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made == {"id": made["id"], **body, "traversalSpecInstances": [spec(("SPECIFIC", vms[:1]))]}
    me = ops.get(f"{API}/auth/currentuser").json()["id"]
    details = ops.get(f"{SCOPES}/{made['id']}").json()
    assert details["createdBy"] == details["lastModifiedBy"] == me
    assert details["creationTime"] == details["lastModifiedTime"] > 0
    assert ops.get(SCOPES).json()["scopesDetails"] == [details]
    changed = {**made, "name": "Web and app VMs", "traversalSpecInstances": [spec(("PROPAGATE", vms[:2]))]}
    r = ops.put(SCOPES, json=changed)
    assert r.status_code == 200, r.text
    assert r.json() == changed
    assert ops.get(f"{SCOPES}/{made['id']}").json()["name"] == "Web and app VMs"
    # The same in XML, as the spec's examples write it.
    r = ops.get(f"{SCOPES}/{made['id']}", headers={"Accept": "application/xml"})
    root = ET.fromstring(r.content)
    assert root.tag == f"{{{NS['ops']}}}scope-details" and root.get("id") == made["id"]
    instance = root.find("ops:traversalSpecInstances/ops:traversalSpecInstance", NS)
    assert instance.get("selectAllResources") == "false"
    picked = instance.find("ops:resourceSelection", NS)
    assert picked.get("type") == "PROPAGATE"
    assert [e.text for e in picked.findall("ops:resourceId", NS)] == vms[:2]
    document = (
        '<ops:uuid-values xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/">'
        f"<ops:uuids>{made['id']}</ops:uuids></ops:uuid-values>"
    )
    r = ops.request("DELETE", SCOPES, content=document, headers={"Content-Type": "application/xml"})
    assert r.status_code == 200, r.text
    assert ops.get(SCOPES).json()["scopesDetails"] == []
    assert_ops_error(ops.get(f"{SCOPES}/{made['id']}"), 404)


def test_what_a_scope_cannot_be_is_refused(ops):
    vm = sorted(resources(ops, "VirtualMachine"))[0]
    good = {"name": "One", "traversalSpecInstances": [spec(("SPECIFIC", [vm]))]}
    assert ops.post(SCOPES, json=good).status_code == 201
    assert "already exists" in assert_ops_error(ops.post(SCOPES, json=good), 400)["message"]
    assert_ops_error(ops.post(SCOPES, json={**good, "name": ""}), 400)
    unknown = {
        "name": "Two",
        "traversalSpecInstances": [spec(("SPECIFIC", ["7f430ad1-9648-4419-9bc1-7cb0d2855f7c"]))],
    }
    assert "not found" in assert_ops_error(ops.post(SCOPES, json=unknown), 400)["message"]
    other = {"name": "Three", "traversalSpecInstances": [{**spec(every=True), "name": "No Such Spec"}]}
    assert "Traversal specification" in assert_ops_error(ops.post(SCOPES, json=other), 400)["message"]
    bad_type = {"name": "Four", "traversalSpecInstances": [spec(("SOME", [vm]))]}
    assert_ops_error(ops.post(SCOPES, json=bad_type), 400)
    assert_ops_error(ops.put(SCOPES, json={**good, "id": "57922ca1-1bea-46c5-80d8-9f112b8805b0"}), 404)
    assert_ops_error(ops.put(SCOPES, json=good), 400)  # no id
    r = ops.request("DELETE", SCOPES, json={"uuids": ["57922ca1-1bea-46c5-80d8-9f112b8805b0"]})
    assert_ops_error(r, 404)
    assert [s["name"] for s in ops.get(SCOPES).json()["scopesDetails"]] == ["One"]  # nothing went


def test_a_scoped_user_sees_only_its_scope(ops, server):
    everything = resources(ops)
    vms = sorted(resources(ops, "VirtualMachine"))
    clusters = sorted(resources(ops, "ClusterComputeResource"))
    mine = vms[0]
    body = {
        "name": "Mine",
        "traversalSpecInstances": [spec(("SPECIFIC", [mine]), ("PROPAGATE", clusters[:1]))],
    }
    scope = ops.post(SCOPES, json=body).json()["id"]
    scoped = new_user(ops, "scoped")
    whole = new_user(ops, "whole")
    path = f"{API}/auth/users/{scoped}/permissions"
    r = ops.put(path, json={"roleName": "ReadOnly", "scopeId": scope, "allowAllObjects": False})
    assert r.status_code == 200, r.text
    assert r.json() == {"permissions": [{"roleName": "ReadOnly", "allowAllObjects": False, "scopeId": scope}]}
    assert ops.get(path).json() == r.json()
    ops.put(f"{API}/auth/users/{whole}/permissions", json={"roleName": "ReadOnly", "allowAllObjects": True})
    cluster_children = {
        x["identifier"]
        for x in ops.get(f"{API}/resources/{clusters[0]}/relationships/CHILD").json()["resourceList"]
    }
    with signed_in(server, "scoped") as c, signed_in(server, "whole") as w:
        assert resources(w) == everything
        seen = resources(c)
        assert {mine, clusters[0], *cluster_children} <= set(seen)  # and what is below the cluster
        assert set(seen) & set(vms) == {mine}  # VMs sit in their folders, not under the cluster
        assert len(seen) < len(everything)
        outside = vms[1]
        assert outside not in seen
        assert c.get(f"{API}/resources/{mine}").status_code == 200
        assert_ops_error(c.get(f"{API}/resources/{outside}"), 404)
        assert w.get(f"{API}/resources/{outside}").status_code == 200
        assert_ops_error(c.get(f"{API}/resources/{outside}/properties"), 404)
        assert_ops_error(c.get(f"{API}/resources/{outside}/stats/latest"), 404)
        # A stats query over both: only the one in the scope answers.
        query = {"resourceId": [mine, outside], "statKey": ["cpu|usage_average"]}
        r = c.post(f"{API}/resources/stats/latest/query", json=query)
        assert r.status_code == 200, r.text
        assert [v["resourceId"] for v in r.json()["values"]] == [mine]
        both = w.post(f"{API}/resources/stats/latest/query", json=query).json()["values"]
        assert sorted(v["resourceId"] for v in both) == sorted([mine, outside])
        r = c.post(f"{API}/resources/query", json={"resourceKind": ["VirtualMachine"]})
        assert [x["identifier"] for x in r.json()["resourceList"]] == [mine]
        assert r.json()["pageInfo"]["totalCount"] == 1
        props = c.get(f"{API}/resources/properties", params={"resourceId": [mine, outside]}).json()
        assert [p["resourceId"] for p in props["resourcePropertiesList"]] == [mine]
        # The scope changed: the permission holds on its new objects at once.
        moved = {"id": scope, "name": "Mine", "traversalSpecInstances": [spec(("SPECIFIC", [outside]))]}
        assert ops.put(SCOPES, json=moved).status_code == 200
        assert set(resources(c)) == {outside}
        # All objects again: everything.
        ops.put(path, json={"roleName": "ReadOnly", "allowAllObjects": True})
        assert resources(c) == everything
        assert ops.get(path).json() == {"permissions": [{"roleName": "ReadOnly", "allowAllObjects": True}]}
        # Back on the scope, then the scope deleted: the permission goes with it.
        ops.put(path, json={"roleName": "ReadOnly", "scopeId": scope})
        assert ops.request("DELETE", SCOPES, json={"uuids": [scope]}).status_code == 200
        assert ops.get(path).json() == {"permissions": []}
        assert_ops_error(c.get(f"{API}/resources"), 403)


def test_permissions_by_traversal_specs(ops, server):
    vms = sorted(resources(ops, "VirtualMachine"))
    user = new_user(ops, "traversed")
    path = f"{API}/auth/users/{user}/permissions"
    given = {
        "roleName": "ReadOnly",
        "allowAllObjects": False,
        "traversal-spec-instances": [spec(("SPECIFIC", vms[:1]))],
    }
    r = ops.put(path, json=given)
    assert r.status_code == 200, r.text
    assert r.json() == {"permissions": [given]}
    assert ops.get(SCOPES).json()["scopesDetails"] == []  # a permission's own specs are no scope
    with signed_in(server, "traversed") as c:
        assert set(resources(c)) == {vms[0]}
        # The deprecated assignment adds its instance to the ReadOnly permission.
        r = ops.put(f"{API}/auth/users/{user}/traversalspecs", json=spec(("SPECIFIC", vms[1:2])))
        assert r.status_code == 200, r.text
        assert set(resources(c)) == set(vms[:2])
        (held,) = ops.get(path).json()["permissions"]
        assert held["roleName"] == "ReadOnly" and len(held["traversal-spec-instances"]) == 2
        # Every object of the template's tree: everything.
        ops.put(path, json={"roleName": "ReadOnly", "traversal-spec-instances": [spec(every=True)]})
        assert set(vms) <= set(resources(c))
        assert ops.delete(f"{path}/ReadOnly").status_code == 204
    assert_ops_error(ops.delete(f"{path}/ReadOnly"), 404)
    # In XML, as the official client may send it.
    document = (
        f'<ops:role-permission xmlns:ops="{NS["ops"]}" allowAllObjects="false">'
        "<ops:roleName>ReadOnly</ops:roleName><ops:traversal-spec-instances>"
        '<ops:traversal-spec-instance selectAllResources="false"><ops:adapterKind>VMWARE</ops:adapterKind>'
        "<ops:resourceKind>vSphere World</ops:resourceKind><ops:name>vSphere Hosts and Clusters</ops:name>"
        f'<ops:resourceSelection type="SPECIFIC"><ops:resourceId>{vms[0]}</ops:resourceId>'
        "</ops:resourceSelection>"
        "</ops:traversal-spec-instance></ops:traversal-spec-instances></ops:role-permission>"
    )
    xml = {"Content-Type": "application/xml", "Accept": "application/xml"}
    r = ops.put(path, content=document, headers=xml)
    assert r.status_code == 200, r.text
    ids = ET.fromstring(r.content).findall(".//ops:resourceId", NS)
    assert [e.text for e in ids] == [vms[0]]
    # What cannot be given is refused, in the product's error body.
    assert_ops_error(
        ops.put(path, json={"roleName": "ReadOnly", "scopeId": "57922ca1-1bea-46c5-80d8-9f112b8805b0"}), 400
    )
    assert_ops_error(ops.put(path, json={"roleName": "ReadOnly", "allowAllObjects": False}), 400)
    assert_ops_error(
        ops.put(path, json={"roleName": "NoSuchRole", "traversal-spec-instances": [spec(every=True)]}), 400
    )
    assert_ops_error(
        ops.put(
            f"{API}/auth/users/57922ca1-1bea-46c5-80d8-9f112b8805b0/traversalspecs", json=spec(every=True)
        ),
        404,
    )


def test_a_group_permission_on_a_scope_holds_for_its_members(ops, server):
    vms = sorted(resources(ops, "VirtualMachine"))
    scope = ops.post(
        SCOPES, json={"name": "G", "traversalSpecInstances": [spec(("SPECIFIC", vms[-1:]))]}
    ).json()
    group = ops.post(f"{API}/auth/usergroups", json={"name": "scoped-group"}).json()["id"]
    new_user(ops, "member", groupIds=[group])
    r = ops.put(
        f"{API}/auth/usergroups/{group}/permissions", json={"roleName": "ReadOnly", "scopeId": scope["id"]}
    )
    assert r.status_code == 200, r.text
    with signed_in(server, "member") as c:
        assert set(resources(c)) == {vms[-1]}


@pytest.fixture
def source(ops, slapd):
    made = ops.post(f"{API}/auth/sources", json=ldap_source(slapd))
    assert made.status_code == 201, made.text
    return made.json()


def test_a_directory_sources_groups_are_synchronized(ops, server, slapd, source):
    sync = f"{API}/auth/sources/{source['id']}/usergroups/synchronize"
    r = ops.post(
        f"{API}/auth/usergroups",
        json={"name": "developers", "authSourceId": source["id"], "roleNames": ["ReadOnly"]},
    )
    assert r.status_code == 201, r.text
    group = r.json()
    assert group["name"] == "developers" and group["roleNames"] == ["ReadOnly"] and group["userIds"] == []
    assert ops.put(sync).status_code == 200
    members = ops.get(f"{API}/auth/usergroups/{group['id']}").json()["userIds"]
    assert len(members) == 2  # tony and maria, read from the directory
    # Its members sign in with the group's role.
    with server.client() as c:
        body = {"username": "maria", "password": slapd.users["maria"], "authSource": source["name"]}
        r = c.post(f"{API}/auth/token/acquire", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["roles"] == ["ReadOnly"]
    assert_ops_error(
        ops.put(f"{API}/auth/sources/57922ca1-1bea-46c5-80d8-9f112b8805b0/usergroups/synchronize"), 404
    )
    local = ops.get(f"{API}/auth/sources").json()["sources"][0]["id"]
    assert_ops_error(ops.put(f"{API}/auth/sources/{local}/usergroups/synchronize"), 400)
    r = ops.post(f"{API}/auth/usergroups", json={"name": "nosuchgroup", "authSourceId": source["id"]})
    assert_ops_error(r, 404)


def test_the_token_exchange_and_the_vidb_url(ops, server):
    r = ops.post(f"{API}/auth/token/exchange", json={"serviceKeys": ["ops-li", "ops-ni"]})
    assert "Invalid service key" in assert_ops_error(r, 400)["message"]
    assert_ops_error(ops.post(f"{API}/auth/token/exchange", json={"serviceKeys": []}), 400)
    assert_ops_error(ops.post(f"{API}/auth/token/exchange", json={}), 400)
    with server.client() as c:
        assert_ops_error(c.post(f"{API}/auth/token/exchange", json={"serviceKeys": ["ops-li"]}), 401)
        assert "VIDB" in assert_ops_error(c.get(f"{API}/auth/sources/vidb/well-known-url"), 409)["message"]
        r = c.get(f"{API}/auth/sources/vidb/well-known-url", headers={"Accept": "application/xml"})
        assert r.status_code == 409 and ET.fromstring(r.content).get("httpStatusCode") == "409"
