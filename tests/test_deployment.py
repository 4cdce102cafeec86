"""The server as deployed: restarts keep the world, `localsphere reset` reseeds it, and several
workers over one database behave as one server."""

import os
import subprocess
import sys

import pytest

from conftest import ADMIN_ROLE, Server
from helpers import assert_error, get_users, sign_in

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

ROBOT = [{"name": "robot", "type": "SERVICE", "role": {"id": ADMIN_ROLE}}]


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def test_restart_keeps_users_passwords_and_tokens(new_database, data_dir):
    server = Server(data_dir, new_database()).start()
    try:
        pair = sign_in(server).json()
        auth = {"Authorization": f"Bearer {pair['accessToken']}"}
        with server.client(headers=auth) as c:
            robot = c.post("/v1/users", json=ROBOT).json()["elements"][0]
            assert c.patch("/v1/users/local/admin", json={"newPassword": "First!Pass2026"}).status_code == 204
        for _ in range(5):
            sign_in(server, "operator@vsphere.local", "wrong")
    finally:
        server.stop()

    again = Server(data_dir, server.db_url).start()
    try:
        assert get_users(again, pair["accessToken"]).status_code == 200
        with again.client() as c:
            assert (
                c.patch("/v1/tokens/access-token/refresh", json=pair["refreshToken"]["id"]).status_code == 200
            )
            r = c.post("/v1/tokens", json={"username": "robot", "apiKey": robot["apiKey"]})
            assert r.status_code == 200
        assert sign_in(again, "admin@local", "First!Pass2026").status_code == 200
        assert_error(sign_in(again, "operator@vsphere.local"), 401, "ACCOUNT_LOCKED")
        assert (data_dir / "localsphere.crt").read_bytes() == (
            server.data_dir / "localsphere.crt"
        ).read_bytes()
    finally:
        again.stop()


def test_admin_credential_is_generated_once_and_kept(data_dir):
    first = Server(data_dir, None).start()
    first.stop()
    kept = data_dir / "admin-token"
    token = kept.read_text().strip()
    assert first.admin_token == token and len(token) >= 32
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    again = Server(data_dir, None).start()
    try:
        assert again.admin_token == token
        assert again.control("GET", "/clock").status_code == 200
    finally:
        again.stop()
    given = Server(data_dir, None, admin_token="set-by-flag-0123456789").start()
    try:
        assert given.control("GET", "/clock").status_code == 200
        given.admin_token = token
        assert given.control("GET", "/clock").status_code == 401  # the flag wins over the file
    finally:
        given.stop()


def test_cli_reset_reseeds_the_world(new_database, data_dir):
    server = Server(data_dir, new_database()).start()
    try:
        with server.client(headers={"Authorization": f"Bearer {server.token()}"}) as c:
            c.post("/v1/users", json=ROBOT)
    finally:
        server.stop()
    cmd = [sys.executable, "-m", "localsphere", "reset", "--data-dir", str(data_dir)]
    if server.db_url:
        cmd += ["--db", server.db_url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "seeded state" in done.stdout
    again = Server(data_dir, server.db_url).start()
    try:
        with again.client(headers={"Authorization": f"Bearer {again.token()}"}) as c:
            assert "robot" not in {e["name"] for e in c.get("/v1/users").json()["elements"]}
    finally:
        again.stop()


def each_worker(server, workers=2):
    """A kept-alive connection to each worker, found by the pid its health answer names."""
    clients = {}
    for _ in range(200):
        c = server.client()
        pid = c.get("/_localsphere/health").json()["worker"]
        if pid in clients:
            c.close()
        else:
            clients[pid] = c
        if len(clients) == workers:
            return list(clients.values())
    raise AssertionError("a worker never answered")


def test_two_workers_share_tokens_and_revocations(new_database, data_dir):
    server = Server(data_dir, new_database(), workers=2).start()
    try:
        one, two = each_worker(server)
        pair = one.post(
            "/v1/tokens", json={"username": "administrator@vsphere.local", "password": "VMware1!"}
        ).json()
        auth = {"Authorization": f"Bearer {pair['accessToken']}"}
        for c in (one, two):  # each worker has now checked (and remembers) the token
            assert c.get("/v1/users", headers=auth).status_code == 200
        fresh = two.patch("/v1/tokens/access-token/refresh", json=pair["refreshToken"]["id"]).json()
        assert one.get("/v1/users", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
        assert (
            two.request("DELETE", "/v1/tokens/refresh-token", json=pair["refreshToken"]["id"]).status_code
            == 204
        )
        assert_error(one.get("/v1/users", headers=auth), 401, "Unauthenticated")
        assert_error(
            one.get("/v1/users", headers={"Authorization": f"Bearer {fresh}"}), 401, "Unauthenticated"
        )
        admin = {"Authorization": f"Bearer {server.token()}"}
        grant = one.post(
            "/v1/users",
            headers=admin,
            json=[
                {
                    "name": "USER_1@vsphere.local",
                    "domain": "vsphere.local",
                    "type": "USER",
                    "role": {"id": ADMIN_ROLE},
                }
            ],
        ).json()
        user = {"Authorization": f"Bearer {sign_in(server, 'USER_1@vsphere.local').json()['accessToken']}"}
        for c in (one, two):
            assert c.get("/v1/users", headers=user).status_code == 200
        assert one.delete(f"/v1/users/{grant['elements'][0]['id']}", headers=admin).status_code == 204
        assert_error(two.get("/v1/users", headers=user), 401, "Unauthenticated")
        token = server.token()
        server.advance(3601)  # the clock is shared too
        for c in (one, two):
            assert_error(
                c.get("/v1/users", headers={"Authorization": f"Bearer {token}"}), 401, "Unauthenticated"
            )
        for c in (one, two):
            c.close()
    finally:
        server.stop()


SCENARIO = """\
identity:
  users:
    - {name: dana, password: "Dana!Pass2026", roles: {sddc: VIEWER, vcenter: ReadOnly}}
inventory:
  datacenters: 2
  clusters: 1
  hosts: 2
  vms: 5
"""


def test_serve_with_a_scenario_builds_its_world_at_every_start(new_database, data_dir):
    scenario = data_dir.parent / "lab.yaml"
    scenario.write_text(SCENARIO)
    server = Server(data_dir, new_database(), extra=["--scenario", str(scenario)]).start()
    try:
        token = sign_in(server, "dana@vsphere.local", "Dana!Pass2026").json()["accessToken"]
        assert get_users(server, token).status_code == 200
        with server.client() as c:
            session = c.post("/api/session", auth=("dana@vsphere.local", "Dana!Pass2026")).json()
            vms = c.get("/api/vcenter/vm", headers={"vmware-api-session-id": session}).json()
        assert len(vms) == 20
        server.reset()  # a reset returns to the scenario's world
        assert sign_in(server, "dana@vsphere.local", "Dana!Pass2026").status_code == 200
    finally:
        server.stop()
    log = (data_dir / "server.log").read_text()
    assert "Loaded" in log and "20 VMs" in log


def test_serve_refuses_an_invalid_scenario_with_its_line(data_dir):
    scenario = data_dir.parent / "bad.yaml"
    scenario.write_text("inventory:\n  hosts: 2\n  vms: lots\n")
    cmd = [
        sys.executable,
        "-m",
        "localsphere",
        "serve",
        "--data-dir",
        str(data_dir),
        "--scenario",
        str(scenario),
    ]
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"}
    )
    assert done.returncode == 2
    assert "line 3" in done.stdout and "vms" in done.stdout


def test_two_workers_share_fault_rules_and_the_request_log(data_dir):
    server = Server(data_dir, None, workers=2).start()
    try:
        one, two = each_worker(server)
        auth = {"Authorization": f"Bearer {server.token()}"}
        for c in (one, two):  # each worker has read the (empty) rules
            assert c.get("/v1/roles", headers=auth).status_code == 200
        rule = server.control("POST", "/faults", json={"action": "error", "status": 503, "path": "/v1/roles"})
        for c in (one, two):  # at once on both, not a second later
            assert c.get("/v1/roles", headers=auth).status_code == 503
        server.control("DELETE", f"/faults/{rule.json()['id']}")
        for c in (one, two):
            assert c.get("/v1/roles?after=removal", headers=auth).status_code == 200
        logged = server.control("GET", "/requests?limit=6").json()["requests"]
        assert [(e["path"], e["status"]) for e in logged] == [
            ("/v1/roles", 200),
            ("/v1/roles", 200),
            ("/v1/roles", 503),
            ("/v1/roles", 503),
            ("/v1/roles?after=removal", 200),
            ("/v1/roles?after=removal", 200),
        ]
        for c in (one, two):
            c.close()
    finally:
        server.stop()
