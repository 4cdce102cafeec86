"""Fault rules over HTTP: each face's own error bodies, delays, dropped connections, the N-th call,
counts, principals, and that a fault never changes stored state."""

import time

import httpx
import pytest

from conftest import ADMIN_ROLE
from helpers import assert_error, assert_ops_error, assert_vapi_error, ops_acquire, vcenter_session


@pytest.fixture
def faults(server):
    """Adds rules through the control API; removes every rule after the test."""

    def add(**rule):
        r = server.control("POST", "/faults", json=rule)
        assert r.status_code == 201, r.text
        return r.json()

    yield add
    assert server.control("DELETE", "/faults").status_code == 204


def test_rules_are_listed_and_removed(server, faults):
    made = faults(action="error", status=503, face="sddc-manager", method="get", path="/v1/users*", count=2)
    assert made["method"] == "GET" and made["seen"] == 0 and made["fired"] == 0
    listed = server.control("GET", "/faults").json()
    assert [f["id"] for f in listed] == [made["id"]]
    assert server.control("DELETE", f"/faults/{made['id']}").status_code == 204
    assert server.control("GET", "/faults").json() == []
    r = server.control("DELETE", f"/faults/{made['id']}")
    assert r.status_code == 404 and r.json()["error"] == "not_found"


@pytest.mark.parametrize(
    "rule",
    [
        {"action": "explode"},
        {"action": "error"},
        {"action": "error", "status": 200},
        {"action": "delay"},
        {"action": "delay", "delay_seconds": 1, "status": 500},
        {"action": "drop", "face": "vcd"},
        {"action": "drop", "probability": 0},
        {"action": "drop", "nth": 0},
        {"action": "drop", "count": True},
        {"action": "drop", "colour": "red"},
        ["not", "an", "object"],
    ],
)
def test_bad_rules_are_refused(server, rule):
    r = server.control("POST", "/faults", json=rule)
    assert r.status_code == 400 and r.json()["error"] == "invalid" and r.json()["message"]
    assert server.control("GET", "/faults").json() == []


def test_sddc_manager_errors_in_its_own_body(server, faults, api):
    faults(action="error", status=401, face="sddc-manager", path="/v1/users", count=1)
    assert_error(api.get("/v1/users"), 401, "Unauthenticated")
    assert api.get("/v1/users").status_code == 200  # count 1: only once
    for status, code in (
        (429, "TOO_MANY_REQUESTS"),
        (500, "INTERNAL_SERVER_ERROR"),
        (503, "SERVICE_UNAVAILABLE"),
    ):
        faults(action="error", status=status, path="/v1/roles", count=1)
        assert_error(api.get("/v1/roles"), status, code)


def test_vcenter_errors_in_its_own_body(server, faults):
    session = vcenter_session(server)
    faults(action="error", status=401, face="vcenter", path="/api/vcenter/vm", count=1)
    faults(action="error", status=503, face="vcenter", path="/api/vcenter/host", count=1)
    with server.client(headers={"vmware-api-session-id": session}) as c:
        body = assert_vapi_error(c.get("/api/vcenter/vm"), 401, "UNAUTHENTICATED")
        assert body["messages"][0]["id"] == "com.vmware.vapi.endpoint.method.authentication.required"
        assert_vapi_error(c.get("/api/vcenter/host"), 503, "SERVICE_UNAVAILABLE")
        assert c.get("/api/vcenter/vm").status_code == 200


def test_operations_errors_in_its_own_body(server, faults):
    token = ops_acquire(server).json()["token"]
    faults(action="error", status=401, face="operations", path="*/api/resources", count=1)
    faults(action="error", status=429, face="operations", path="*/api/adapterkinds", count=1)
    with server.client(headers={"Authorization": f"OpsToken {token}", "Accept": "application/json"}) as c:
        body = assert_ops_error(c.get("/suite-api/api/resources"), 401, 1512)
        assert '"OpsToken"' in body["message"]
        r = c.get("/suite-api/api/adapterkinds")
        assert_ops_error(r, 429)
        assert r.headers["retry-after"] == "1"
        assert c.get("/suite-api/api/resources").status_code == 200


def test_the_nth_call_fails_and_only_it(server, faults, api):
    made = faults(action="error", status=500, path="/v1/roles", nth=3, count=1)
    statuses = [api.get("/v1/roles").status_code for _ in range(5)]
    assert statuses == [200, 200, 500, 200, 200]
    listed = server.control("GET", "/faults").json()[0]
    assert listed["id"] == made["id"] and listed["seen"] == 5 and listed["fired"] == 1


def test_probability_fires_some_of_the_time(server, faults, api):
    faults(action="error", status=503, path="/v1/roles", probability=0.5)
    statuses = [api.get("/v1/roles").status_code for _ in range(60)]
    assert 0 < statuses.count(503) < 60 and set(statuses) == {200, 503}


def test_a_delay_holds_the_request_then_answers(server, faults, api):
    faults(action="delay", delay_seconds=0.6, path="/v1/roles", count=1)
    started = time.monotonic()
    r = api.get("/v1/roles")
    assert r.status_code == 200 and time.monotonic() - started >= 0.6


def test_a_dropped_connection_gets_no_answer(server, faults, api):
    faults(action="drop", path="/v1/roles", count=1)
    with pytest.raises(httpx.TransportError):
        api.get("/v1/roles")
    assert api.get("/v1/roles").status_code == 200


def test_a_rule_for_one_principal_spares_the_others(server, faults, api):
    faults(action="error", status=503, path="/v1/users", principal="VIEWER@vsphere.local")
    viewer = server.token("viewer@vsphere.local")
    with server.client(headers={"Authorization": f"Bearer {viewer}"}) as c:
        assert_error(c.get("/v1/users"), 503, "SERVICE_UNAVAILABLE")
    assert api.get("/v1/users").status_code == 200  # the administrator is not matched


def test_a_faulted_write_changes_nothing(server, faults, api):
    faults(action="error", status=500, method="POST", path="/v1/users")
    r = api.post("/v1/users", json=[{"name": "robot", "type": "SERVICE", "role": {"id": ADMIN_ROLE}}])
    assert_error(r, 500, "INTERNAL_SERVER_ERROR")
    names = {u["name"] for u in api.get("/v1/users").json()["elements"]}
    assert "robot" not in names


def test_the_control_api_is_never_faulted(server, faults):
    faults(action="error", status=503)  # every face, every path
    assert server.control("GET", "/clock").status_code == 200
    with server.client() as c:
        assert c.get("/_localsphere/health").status_code == 200
        assert c.get("/v1/roles").status_code == 503
