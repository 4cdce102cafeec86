"""The control verbs of the ``localsphere`` command, run as a user runs them, against a live server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import Server
from helpers import vcenter_session

ENV = {**os.environ, "COLUMNS": "200"}


def command(server: Server, *args: str, token: str | None = None) -> list[str]:
    """``localsphere`` pointed at the test server, with the admin credential (or ``token``)."""
    cmd = [sys.executable, "-m", "localsphere", "--url", server.https]
    return [*cmd, "--admin-token", token or server.admin_token, "--cacert", server.cert, *args]


def run(server: Server, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command(server, *args), capture_output=True, text=True, timeout=120, env=ENV)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_clock(server):
    assert "(frozen)" in run(server, "clock", "--freeze").stdout
    assert "(frozen)" in run(server, "clock").stdout
    run(server, "clock", "--advance", "60")
    assert "(frozen)" not in run(server, "clock", "--real").stdout
    assert server.control("GET", "/clock").json()["frozen"] is False
    assert run(server, "clock", "--freeze", "--real", check=False).returncode == 2


def test_snapshots(server, api):
    run(server, "snapshot", "save", "before")
    assert "before" in run(server, "snapshot", "list").stdout
    api.post(
        "/v1/users",
        json=[{"name": "robot", "type": "SERVICE", "role": {"id": "31fde0ae-a292-4141-ad25-79724a7c81e1"}}],
    )
    run(server, "snapshot", "restore", "before")
    names = {u["name"] for u in api.get("/v1/users").json()["elements"]}
    assert "robot" not in names
    run(server, "snapshot", "delete", "before")
    assert "before" not in run(server, "snapshot", "list").stdout
    missing = run(server, "snapshot", "restore", "before", check=False)
    assert missing.returncode == 1 and "404" in missing.stderr


def test_load_and_its_refusals(server, tmp_path):
    good = tmp_path / "lab.yaml"
    good.write_text(
        "identity:\n  users:\n    - {name: carol, roles: {vcenter: Admin}}\n"
        "inventory:\n  hosts: 2\n  vms: 3\n"
    )
    try:
        done = run(server, "load", str(good))
        assert "Loaded lab.yaml" in done.stdout
        assert vcenter_session(server, "carol@vsphere.local", "VMware1!")
        bad = tmp_path / "bad.yaml"
        bad.write_text("inventory:\n  hosts: 2\n  vms: many\n")
        refused = run(server, "load", str(bad), check=False)
        assert refused.returncode == 1 and "line 3" in refused.stderr and "vms" in refused.stderr
    finally:
        server.load("")


def test_faults(server, api):
    rule = json.dumps({"action": "error", "status": 503, "path": "/v1/roles"})
    fault_id = run(server, "faults", "add", rule).stdout.strip()
    try:
        assert api.get("/v1/roles").status_code == 503
        listed = run(server, "faults", "list").stdout
        assert fault_id in listed
        run(server, "faults", "remove", fault_id)
        assert api.get("/v1/roles").status_code == 200
        run(server, "faults", "add", rule)
        run(server, "faults", "clear")
        assert api.get("/v1/roles").status_code == 200
        assert run(server, "faults", "add", "{not json", check=False).returncode == 2
        assert run(server, "faults", "add", '{"action": "boom"}', check=False).returncode == 1
    finally:
        server.control("DELETE", "/faults")


def test_requests_and_follow(server, api):
    api.get("/v1/roles?pageSize=3")
    shown = run(server, "requests", "--limit", "5").stdout
    assert "/v1/roles?pageSize=3" in shown and "sddc-manager" in shown
    cmd = command(server, "requests", "--follow", "--limit", "1")
    follower = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        time.sleep(2)
        api.get("/v1/users?marker=followed")
        deadline = time.monotonic() + 20
        seen = ""
        while "marker=followed" not in seen and time.monotonic() < deadline:
            seen += follower.stdout.readline()
        assert "marker=followed" in seen
    finally:
        follower.kill()
        follower.wait()


def test_routes(server):
    shown = run(server, "routes").stdout
    assert "sddc-manager\tGET /v1/users\n" in shown and "vapi\t" in shown
    assert "sddc-manager\tPOST /v1/tokens\tanonymous\n" in shown


@pytest.mark.parametrize("token", ["wrong-token"])
def test_a_wrong_admin_credential_is_refused(server, token):
    done = subprocess.run(command(server, "clock", token=token), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "401" in done.stderr


def test_api_tokens(server):
    secret = run(server, "api-tokens", "create", "administrator@vsphere.local").stdout.strip()
    assert len(secret) == 64
    (made,) = [t for t in server.control("GET", "/api-tokens").json() if not t["revoked"]]
    assert made["id"] in run(server, "api-tokens", "list").stdout
    run(server, "api-tokens", "revoke", made["id"])
    assert all(t["revoked"] for t in server.control("GET", "/api-tokens").json())
    assert run(server, "api-tokens", "create", "nobody@vsphere.local", check=False).returncode == 1
