"""Servers on several machines over one PostgreSQL database share no memory: they hear of each
other's changes through PostgreSQL's notifications. The two servers here trust their copies for an
hour (``--change-poll-seconds 3600``), so only a notification can tell them in time."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from conftest import DEMO_PASSWORD, Server
from helpers import ADMIN, ops_acquire

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

HOUR = ["--change-poll-seconds", "3600"]


def eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Whether ``check`` comes true within ``seconds`` (a notification is not instant)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


@pytest.fixture
def two_servers(backend, new_database, tmp_path):
    if backend != "postgresql":
        pytest.skip("only PostgreSQL is shared between machines")
    url = new_database()
    first = Server(tmp_path / "a", url, extra=HOUR).start()
    second = Server(tmp_path / "b", url, extra=HOUR).start()
    yield first, second
    first.stop()
    second.stop()


def test_a_session_closed_on_one_server_is_refused_by_the_other(two_servers):
    a, b = two_servers
    with a.client() as on_a, b.client() as on_b:
        session = {"vmware-api-session-id": on_a.post("/api/session", auth=(ADMIN, DEMO_PASSWORD)).json()}
        assert on_b.get("/api/session", headers=session).status_code == 200  # now in b's copy
        assert on_a.delete("/api/session", headers=session).status_code == 204
        assert eventually(lambda: on_b.get("/api/session", headers=session).status_code == 401)


def test_the_clock_moved_on_one_server_moves_on_the_other(two_servers):
    a, b = two_servers
    with b.client() as on_b:
        session = {"vmware-api-session-id": on_b.post("/api/session", auth=(ADMIN, DEMO_PASSWORD)).json()}
        assert on_b.get("/api/session", headers=session).status_code == 200
        a.advance(2 * 3600)  # past the idle timeout (30 minutes)
        assert eventually(lambda: on_b.get("/api/session", headers=session).status_code == 401)


def test_a_fault_rule_added_on_one_server_fires_on_the_other(two_servers):
    a, b = two_servers
    with b.client() as on_b:
        assert on_b.get("/api/session").status_code == 401  # b has read the (empty) rules
        rule = {"action": "error", "face": "vcenter", "path": "/api/session", "status": 503}
        assert a.control("POST", "/faults", json=rule).status_code == 201
        assert eventually(lambda: on_b.get("/api/session").status_code == 503)
        assert a.control("DELETE", "/faults").status_code == 204
        assert eventually(lambda: on_b.get("/api/session").status_code == 401)


def test_a_vm_powered_on_through_one_server_is_on_through_the_other(two_servers):
    a, b = two_servers
    with a.client() as on_a, b.client() as on_b:
        session = {"vmware-api-session-id": on_a.post("/api/session", auth=(ADMIN, DEMO_PASSWORD)).json()}
        vms = on_b.get("/api/vcenter/vm", headers=session, params={"power_states": "POWERED_OFF"}).json()
        vm = vms[0]["vm"]
        assert on_b.get(f"/api/vcenter/vm/{vm}", headers=session).json()["power_state"] == "POWERED_OFF"
        assert (
            on_a.post(f"/api/vcenter/vm/{vm}/power", headers=session, params={"action": "start"}).status_code
            == 204
        )
        assert eventually(
            lambda: on_b.get(f"/api/vcenter/vm/{vm}", headers=session).json()["power_state"] == "POWERED_ON"
        )


def test_stats_pushed_through_one_server_are_read_through_the_other(two_servers):
    a, b = two_servers
    token = ops_acquire(a).json()["token"]
    api = "/suite-api/api"
    ops = {"Authorization": f"OpsToken {token}"}
    with a.client(headers=ops) as on_a, b.client(headers=ops) as on_b:
        ds = on_b.get(f"{api}/resources", params={"resourceKind": "Datastore"}).json()["resourceList"][0]
        stats = f"{api}/resources/{ds['identifier']}/stats"

        def custom() -> list[float]:
            found = on_b.get(stats, params={"statKey": "custom|iops"}).json()["values"]
            return [v for s in found for stat in s["stat-list"]["stat"] for v in stat["data"]]

        assert custom() == []  # b now knows nothing was pushed
        simulated = on_b.get(stats, params={"statKey": "capacity|usedSpacePct"}).json()["values"]
        t = simulated[0]["stat-list"]["stat"][0]["timestamps"][-1]  # within the day a query shows
        push = {"stat-content": [{"statKey": "custom|iops", "timestamps": [t], "data": [7.0]}]}
        assert on_a.post(stats, json=push).status_code == 200
        assert eventually(lambda: custom() == [7.0])


def test_a_tenant_made_or_removed_on_one_server_is_seen_so_on_the_other(two_servers):
    a, b = two_servers
    body = {"username": "administrator", "password": DEMO_PASSWORD, "tenant": "vsphere.local"}
    with a.client() as on_a, b.client() as on_b:
        token = {"Authorization": f"Bearer {on_b.post('/identity/api/tokens', json=body).json()['id']}"}
        assert on_b.get("/identity/api/tenants/acme", headers=token).status_code == 404  # in b's copy
        tenant = {"id": "acme", "urlName": "acme", "name": "ACME"}
        assert on_a.put("/identity/api/tenants/acme", json=tenant, headers=token).status_code == 201
        assert eventually(lambda: on_b.get("/identity/api/tenants/acme", headers=token).status_code == 200)
        assert on_a.delete("/identity/api/tenants/acme", headers=token).status_code == 204
        assert eventually(lambda: on_b.get("/identity/api/tenants/acme", headers=token).status_code == 404)
