"""Snapshots over HTTP: a restore brings back every object, identity, token and the clock exactly."""

import pytest

from conftest import ADMIN_ROLE
from helpers import get_users, ops_acquire, vcenter_session

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

VM = "/api/vcenter/vm"


@pytest.fixture
def snapshots(server):
    yield
    for snapshot in server.control("GET", "/snapshots").json():
        server.control("DELETE", f"/snapshots/{snapshot['name']}")


def world_view(server, token, session):
    """What the faces show of the world: VMs with their state, users with their roles, the clock."""
    with server.client(headers={"vmware-api-session-id": session}) as vc:
        vms = sorted((v["vm"], v["name"], v["power_state"], v["cpu_count"]) for v in vc.get(VM).json())
        hosts = sorted((h["host"], h["name"]) for h in vc.get("/api/vcenter/host").json())
    page = get_users(server, token).json()["elements"]
    users = sorted((u["id"], u["name"], u["role"]["id"]) for u in page)
    return vms, hosts, users


def test_a_restore_brings_everything_back(server, api, snapshots):
    session = vcenter_session(server)
    ops_token = ops_acquire(server).json()["token"]
    old_token = server.token()
    server.control("POST", "/clock", json={"freeze": True})
    clock = server.control("GET", "/clock").json()
    before = world_view(server, old_token, session)
    saved = server.control("POST", "/snapshots", json={"name": "base"})
    assert saved.status_code == 201 and saved.json()["name"] == "base" and saved.json()["rows"] > 0

    # Change the world through every face, and the clock.
    with server.client(headers={"vmware-api-session-id": session}) as vc:
        cluster = vc.get("/api/vcenter/cluster").json()[0]["cluster"]
        spec = {"name": "new-vm", "guest_OS": "UBUNTU_64", "placement": {"cluster": cluster}}
        assert vc.post(VM, json=spec).status_code == 201
        first = before[0][0][0]
        vc.post(
            f"{VM}/{first}/power", params={"action": "stop" if before[0][0][2] == "POWERED_ON" else "start"}
        )
    api.post("/v1/users", json=[{"name": "robot", "type": "SERVICE", "role": {"id": ADMIN_ROLE}}])
    new_token = server.token()
    with server.client(headers={"Authorization": f"OpsToken {ops_token}"}) as c:
        assert c.post("/suite-api/api/auth/token/release").status_code == 200
    server.advance(7200)
    assert world_view(server, server.token(), vcenter_session(server)) != before

    restored = server.control("POST", "/snapshots/base/restore")
    assert restored.status_code == 200 and restored.json()["status"] == "restored"
    assert server.control("GET", "/clock").json() == clock
    assert world_view(server, old_token, session) == before  # the old session and token live again
    assert get_users(server, old_token).status_code == 200
    assert get_users(server, new_token).status_code == 401  # made after the snapshot
    with server.client(headers={"Authorization": f"OpsToken {ops_token}"}) as c:
        assert c.get("/suite-api/api/adapterkinds").status_code == 200  # released after the snapshot
    server.control("POST", "/clock", json={"real": True})


def test_list_get_delete_and_refusals(server, snapshots):
    assert server.control("POST", "/snapshots", json={"name": "one"}).status_code == 201
    assert server.control("POST", "/snapshots", json={"name": "two"}).status_code == 201
    assert [s["name"] for s in server.control("GET", "/snapshots").json()] == ["one", "two"]
    assert server.control("GET", "/snapshots/one").json()["name"] == "one"
    duplicate = server.control("POST", "/snapshots", json={"name": "one"})
    assert duplicate.status_code == 409 and duplicate.json()["error"] == "conflict"
    for bad in ({"name": "../etc"}, {"name": ""}, {"label": "x"}, ["one"]):
        r = server.control("POST", "/snapshots", json=bad)
        assert r.status_code == 400 and r.json()["error"] == "invalid"
    assert server.control("DELETE", "/snapshots/one").status_code == 204
    for method, path in (
        ("DELETE", "/snapshots/one"),
        ("POST", "/snapshots/one/restore"),
        ("GET", "/snapshots/one"),
    ):
        r = server.control(method, path)
        assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert [s["name"] for s in server.control("GET", "/snapshots").json()] == ["two"]


def test_snapshots_survive_a_reset(server, snapshots, api):
    api.post("/v1/users", json=[{"name": "robot", "type": "SERVICE", "role": {"id": ADMIN_ROLE}}])
    server.control("POST", "/snapshots", json={"name": "with-robot"})
    server.reset()
    assert server.control("POST", "/snapshots/with-robot/restore").status_code == 200
    token = server.token()
    with server.client(headers={"Authorization": f"Bearer {token}"}) as c:
        assert "robot" in {u["name"] for u in c.get("/v1/users").json()["elements"]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/snapshots"),
        ("POST", "/snapshots"),
        ("POST", "/snapshots/x/restore"),
        ("DELETE", "/snapshots/x"),
    ],
)
def test_the_admin_credential_is_required(server, method, path):
    with server.client() as c:
        r = c.request(
            method, f"/_localsphere{path}", json={"name": "x"}, headers={"Authorization": "Bearer nope"}
        )
    assert r.status_code == 401
