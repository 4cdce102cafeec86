"""The control API: health, the admin credential, reset and the world clock."""

import pytest

from helpers import get_users
from localsphere import __version__


def test_health_needs_no_credential(server):
    with server.client() as c:
        body = c.get("/_localsphere/health").json()
    assert body["status"] == "ok" and body["version"] == __version__
    assert body["database"] in ("sqlite", "postgresql") and body["uptime"] >= 0


CONTROL_CALLS = [
    ("POST", "/reset"),
    ("GET", "/clock"),
    ("POST", "/clock"),
    ("POST", "/scenario"),
    ("GET", "/snapshots"),
    ("POST", "/snapshots"),
    ("GET", "/snapshots/x"),
    ("POST", "/snapshots/x/restore"),
    ("DELETE", "/snapshots/x"),
    ("GET", "/faults"),
    ("POST", "/faults"),
    ("DELETE", "/faults"),
    ("DELETE", "/faults/x"),
    ("GET", "/requests"),
    ("DELETE", "/requests"),
]


@pytest.mark.parametrize(("method", "path"), CONTROL_CALLS)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic YWRtaW46YWRtaW4="])
def test_admin_credential_is_required(server, method, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    with server.client() as c:
        r = c.request(method, f"/_localsphere{path}", headers=headers, json={"freeze": True})
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert server.control("GET", "/clock").json()["frozen"] is False


def test_sddc_token_is_not_an_admin_credential(server):
    with server.client() as c:
        r = c.post("/_localsphere/reset", headers={"Authorization": f"Bearer {server.token()}"})
    assert r.status_code == 401


def test_reset_returns_the_seeded_world(server, api):
    api.post(
        "/v1/users",
        json=[{"name": "robot", "type": "SERVICE", "role": {"id": "31fde0ae-a292-4141-ad25-79724a7c81e1"}}],
    )
    api.patch("/v1/users/local/admin", json={"newPassword": "First!Pass2026"})
    token = server.token()
    server.advance(1000)
    assert server.control("POST", "/reset").json() == {"status": "reset"}
    assert get_users(server, token).status_code == 401  # tokens belong to the old world
    fresh = server.token()
    with server.client(headers={"Authorization": f"Bearer {fresh}"}) as c:
        names = {e["name"] for e in c.get("/v1/users").json()["elements"]}
        assert "robot" not in names and "administrator@vsphere.local" in names
        assert c.get("/v1/users/local/admin").json()["isConfigured"] is False
    assert server.control("GET", "/clock").json()["frozen"] is False


def test_clock_freeze_advance_and_release(server):
    frozen = server.control("POST", "/clock", json={"freeze": True}).json()
    assert frozen["frozen"] is True
    later = server.control("GET", "/clock").json()
    assert later["epoch"] == frozen["epoch"] and later["now"] == frozen["now"]
    advanced = server.control("POST", "/clock", json={"advance_seconds": 90}).json()
    assert advanced["epoch"] == pytest.approx(frozen["epoch"] + 90) and advanced["frozen"] is True
    real = server.control("POST", "/clock", json={"real": True}).json()
    assert real["frozen"] is False and real["epoch"] < advanced["epoch"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"advance_seconds": -5},
        {"advance_seconds": "10"},
        {"advance_seconds": 1e20},
        {"advance_seconds": 1e308},
        {"freeze": True, "real": True},
        [1],
    ],
)
def test_clock_refuses_bad_requests(server, body):
    before = server.control("GET", "/clock").json()
    r = server.control("POST", "/clock", json=body)
    assert r.status_code == 400 and r.json()["error"] == "invalid"
    after = server.control("GET", "/clock").json()
    assert after["frozen"] == before["frozen"] and after["epoch"] - before["epoch"] < 60  # unchanged


def test_control_unknown_path(server):
    assert server.control("GET", "/nothing").status_code == 404
