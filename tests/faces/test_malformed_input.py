"""Only the product's words reach a client. Every body field of every operation that reads a body
gets malformed values (wrong types, nothing, huge, nested, NUL, out of range), every body gets
broken encodings, and every answer must be the face's 4xx (or a success where the value happens
to be acceptable): never a 5xx, and never a Python exception's name or repr."""

import copy

import pytest

from conftest import ADMIN_ROLE, DEMO_PASSWORD
from helpers import ADMIN, INTERNALS, ops_acquire, vcenter_session

VALUES = [
    None,
    True,
    -1,
    2**64,
    -(2**63) - 1,
    1.5e308,
    0.5,
    "",
    "x" * 5000,
    "nul\u0000here",
    "../../etc/passwd",
    [],
    [None],
    [[["deep"]]],
    {},
    {"a": {"b": [1, {"c": None}]}},
]
RAW_BODIES = [b"", b"{", b"[1,]", b"\xff\xfe\x00", b'{"a": 1}{', b"[" * 100 + b"]" * 100, b"null", b"<x/>"]


def paths(value, at=()):
    """Every place in a JSON value: keys of objects and indexes of lists, depth first."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*at, key)
            yield from paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*at, index)
            yield from paths(item, (*at, index))


def with_value(template, where, value):
    body = copy.deepcopy(template)
    target = body
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    return body


def without(template, where):
    body = copy.deepcopy(template)
    target = body
    for step in where[:-1]:
        target = target[step]
    del target[where[-1]]
    return body


def variants(template):
    """The template's malformed neighbours: each place given each value, each key left out, and
    the whole body replaced by each value."""
    for where in paths(template):
        for value in VALUES:
            yield with_value(template, where, value)
        yield without(template, where)
    yield from VALUES


def check(r, what):
    assert r.status_code < 500, f"{what}: {r.status_code} {r.text[:500]}"
    assert not INTERNALS.search(r.text), f"{what}: {r.text[:500]}"


@pytest.fixture
def world_ids(server):
    """Ids of real objects, so that templates are valid before they are broken."""
    session = vcenter_session(server)
    with server.client(headers={"vmware-api-session-id": session}) as c:
        cluster = c.get("/api/vcenter/cluster").json()[0]["cluster"]
        vm = c.get("/api/vcenter/vm").json()[0]["vm"]
    ops_token = ops_acquire(server).json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {ops_token}"}) as c:
        resource = c.get("/suite-api/api/resources", params={"resourceKind": "VirtualMachine"}).json()
    return {"cluster": cluster, "vm": vm, "resource": resource["resourceList"][0]["identifier"]}


def sweep(client, method, path, template, params=None):
    sent = 0
    for body in [*variants(template)]:
        r = client.request(method, path, json=body, params=params)
        check(r, f"{method} {path} {str(body)[:200]}")
        sent += 1
    for raw in RAW_BODIES:
        r = client.request(
            method, path, content=raw, params=params, headers={"Content-Type": "application/json"}
        )
        check(r, f"{method} {path} raw {raw[:40]!r}")
        sent += 1
    return sent


def test_sddc_manager_bodies(server):
    token = server.token()
    refresh = None
    with server.client() as c:
        pair = c.post(
            "/v1/tokens", json={"username": "viewer@vsphere.local", "password": DEMO_PASSWORD}
        ).json()
        refresh = pair["refreshToken"]["id"]
        sent = sweep(
            c, "POST", "/v1/tokens", {"username": "operator@vsphere.local", "password": DEMO_PASSWORD}
        )
        sent += sweep(c, "PATCH", "/v1/tokens/access-token/refresh", refresh)
    with server.client(headers={"Authorization": f"Bearer {token}"}) as c:
        user = {
            "name": "USER_1@vsphere.local",
            "domain": "vsphere.local",
            "type": "USER",
            "role": {"id": ADMIN_ROLE},
        }
        sent += sweep(c, "POST", "/v1/users", [user])
        sent += sweep(c, "PATCH", "/v1/users/local/admin/config", {"enforceExpiryForAdmin": True})
        sent += sweep(
            c, "PATCH", "/v1/users/local/admin", {"newPassword": "VMware123!VMware123!", "oldPassword": "x"}
        )
    with server.client() as c:
        sent += sweep(c, "DELETE", "/v1/tokens/refresh-token", refresh)
    assert sent > 300


def test_operations_bodies(server, world_ids):
    token = ops_acquire(server).json()["token"]
    rid = world_ids["resource"]
    query = {
        "resourceId": [rid],
        "statKey": ["cpu|usage_average"],
        "begin": 1_700_000_000_000,
        "end": 1_700_003_600_000,
        "rollUpType": "AVG",
        "intervalType": "MINUTES",
        "intervalQuantifier": 5,
    }
    latest = {"resourceId": [rid], "statKey": ["cpu|usage_average"], "maxSamples": 2}
    content = {"statKey": "custom|load", "timestamps": [1_700_000_000_000], "data": [1.5]}
    api = "/suite-api/api"
    with server.client() as c:
        sent = sweep(c, "POST", f"{api}/auth/token/acquire", {"username": ADMIN, "password": DEMO_PASSWORD})
    with server.client(headers={"Authorization": f"OpsToken {token}"}) as c:
        sent += sweep(c, "POST", f"{api}/resources/stats/query", query)
        sent += sweep(c, "POST", f"{api}/resources/stats/latest/query", latest)
        sent += sweep(
            c,
            "POST",
            f"{api}/resources/{rid}/stats/query",
            {k: v for k, v in query.items() if k != "resourceId"},
        )
        sent += sweep(c, "POST", f"{api}/resources/{rid}/stats", {"stat-content": [content]})
        sent += sweep(
            c,
            "POST",
            f"{api}/resources/stats",
            {"resource-stat-content": [{"id": rid, "stat-contents": [content]}]},
        )
    assert sent > 500


XML_BODIES = [
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><ops:username-password>&e;</ops:username-password>',
    b'<!DOCTYPE a SYSTEM "http://127.0.0.1:1/evil.dtd"><a/>',
    b"<a>" * 490 + b"</a>" * 490,
    b"<ops:username-password xmlns:ops='urn:wrong'/>",
    b"<username-password><username>a</username><password><x>1</x></password></username-password>",
    b"<unclosed",
    b"\xff\xfe<\x00a\x00/\x00>",
    b"<stat-query><begin>tomorrow</begin><resourceId>a</resourceId></stat-query>",
    b"<stat-query><begin>99999999999999999999999</begin><resourceId>a</resourceId></stat-query>",
    b"<resources-stat-contents><resource-stat-content id='x'><stat-contents><stat-content statKey='k'>"
    b"<timestamps>1</timestamps><data>nan</data></stat-content></stat-contents></resource-stat-content>"
    b"</resources-stat-contents>",
]


def test_operations_xml_bodies(server, world_ids):
    """XML bodies: entities, external DTDs, 490 levels of nesting, wrong roots and values."""
    token = ops_acquire(server).json()["token"]
    rid = world_ids["resource"]
    api = "/suite-api/api"
    with server.client(headers={"Content-Type": "application/xml", "Accept": "application/xml"}) as c:
        for body in XML_BODIES:
            check(c.post(f"{api}/auth/token/acquire", content=body), f"acquire {body[:60]!r}")
        c.headers["Authorization"] = f"OpsToken {token}"
        for path in (
            "resources/stats/query",
            "resources/stats/latest/query",
            f"resources/{rid}/stats",
            "resources/stats",
        ):
            for body in XML_BODIES:
                r = c.post(f"{api}/{path}", content=body)
                check(r, f"{path} {body[:60]!r}")
                assert r.status_code in (400, 404, 200), r.text


def test_vcenter_bodies(server, world_ids):
    session = vcenter_session(server)
    vm_spec = {
        "name": "swept",
        "guest_OS": "UBUNTU_64",
        "placement": {"cluster": world_ids["cluster"]},
        "cpu": {"count": 2},
        "memory": {"size_MiB": 2048},
    }
    permission = {
        "object": {"type": "Folder", "id": "group-d1"},
        "principal": {"type": "USER", "name": "USER_1", "domain": "vsphere.local"},
        "role": "-2",
        "propagating": True,
    }
    roles = "/api/vcenter/authorization/roles"
    with server.client(headers={"vmware-api-session-id": session}) as c:
        role = c.post(roles, json={"name": "Swept", "description": "", "privileges": []}).json()
        granted = c.post("/api/vcenter/authorization/permissions", json=permission).json()
        sent = sweep(c, "POST", "/api/vcenter/vm", vm_spec)
        sent += sweep(c, "POST", roles, {"name": "Role", "description": "d", "privileges": ["System.View"]})
        sent += sweep(c, "PATCH", f"{roles}/{role}", {"name": "Role 2", "privileges": ["System.View"]})
        sent += sweep(c, "POST", "/api/vcenter/authorization/permissions", permission)
        sent += sweep(
            c,
            "PATCH",
            f"/api/vcenter/authorization/permissions/{granted}",
            {"role": "-3", "is_propagating": False},
        )
        sent += sweep(
            c,
            "POST",
            "/api/vcenter/authorization/permissions",
            {"filter": {"roles": ["-1"]}, "iterate": {"page_size": 2}},
            params={"action": "list"},
        )
        sent += sweep(
            c,
            "POST",
            "/api/vcenter/authorization/vt-containers/mappings",
            {"vtcontainer": "vtc", "object": {"type": "VirtualMachine", "id": world_ids["vm"]}},
        )
        sent += sweep(
            c,
            "POST",
            "/api/vcenter/authorization/privilege-checks",
            {"iteration": {"size": 5}, "filter": {"op_ids": ["x"], "privileges": ["System.View"]}},
            params={"action": "list"},
        )
    assert sent > 800


def test_vcenter_queries(server, world_ids):
    """Malformed query values of every list and every power action."""
    session = vcenter_session(server)
    lists = ["datacenter", "cluster", "host", "datastore", "network", "folder", "resource-pool", "vm"]
    values = ["", "x" * 5000, "-1", "99999999999999999999999", "BAD_STATE", "%FF", "a,b", "[]"]
    with server.client(headers={"vmware-api-session-id": session}) as c:
        for kind in lists:
            for name in ("names", "filter.names", "power_states", "types", "page_size", "datacenters", "x"):
                for value in values:
                    check(c.get(f"/api/vcenter/{kind}", params={name: value}), f"{kind} {name}={value}")
        for action in ("start", "stop", "reset", "suspend", "", "x" * 300):
            check(c.post(f"/api/vcenter/vm/{world_ids['vm']}/power", params={"action": action}), action)
        for name in ("roles", "privileges"):
            for value in values:
                check(c.get(f"/api/vcenter/authorization/{name}", params={"names": value}), f"{name} {value}")


def test_json_rpc_envelopes(server):
    """The JSON-RPC envelope and its contexts, malformed in every place."""
    session = vcenter_session(server)
    template = {
        "jsonrpc": "2.0",
        "method": "invoke",
        "id": "1",
        "params": {
            "serviceId": "com.vmware.vcenter.VM",
            "operationId": "list",
            "ctx": {
                "appCtx": {"opId": "x"},
                "securityCtx": {"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": session},
            },
            "input": {"STRUCTURE": {"operation-input": {"filter": {"OPTIONAL": None}}}},
        },
    }
    with server.client() as c:
        assert "output" in c.post("/api", json=template).json()["result"]
        sent = sweep(c, "POST", "/api", template)
    assert sent > 200


def test_control_plane_bodies(server):
    fault = {
        "action": "error",
        "face": "vcenter",
        "path": "/api/nothing",
        "status": 503,
        "nth": 9,
        "count": 2,
    }
    checks = [
        ("POST", "/snapshots", {"name": "snap"}),
        ("POST", "/faults", fault),
        ("POST", "/clock", {"advance_seconds": 1}),
        ("POST", "/api-tokens", {"username": ADMIN}),
    ]
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    with server.client(headers=headers) as c:
        try:
            sent = sum(
                sweep(c, method, f"/_localsphere{path}", template) for method, path, template in checks
            )
        finally:  # fault rules outlive resets: the sweep's must not reach the tests after it
            assert c.delete("/_localsphere/faults").status_code == 204
        for scenario in (b"a: [", b"- 1", b"identity: {users: 5}", b"\xff", b"{" * 100):
            check(c.post("/_localsphere/scenario", content=scenario), f"scenario {scenario!r}")
        for bad in ("-1", "x", "9" * 30):
            check(c.get("/_localsphere/requests", params={"limit": bad, "after": bad}), bad)
    assert sent > 100
