"""``vcd-cli`` 24.1.0, unmodified, as a user types it: sign in, list orgs, VDCs and catalogs,
create a vApp from a template, power it on, list vApps and tasks; show a vRA machine's vApp. Its
profile lives in a throw-away home directory; the server's certificate is the one it trusts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO_PASSWORD
from faces.vra.test_catalog import VCLOUD
from faces.vra.test_resources import consumer, provisioned

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

VCD = Path(sys.executable).with_name("vcd")


@pytest.fixture
def vcd(server, tmp_path):
    if not VCD.exists() and shutil.which("vcd") is None:
        pytest.skip("vcd-cli is not installed")
    env = {**os.environ, "HOME": str(tmp_path), "REQUESTS_CA_BUNDLE": server.cert, "LANG": "C.UTF-8"}

    def run(*args: str, answer: str | None = None) -> str:
        """vcd-cli's output; ``answer``: what is typed at its prompts."""
        done = subprocess.run(
            [str(VCD), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            input=answer,
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    return run


def rows(text: str) -> list[list[str]]:
    """A table vcd-cli printed, as rows of cells (the header first)."""
    lines = [line for line in text.splitlines() if line.strip() and not set(line.strip()) <= {"-", " "}]
    return [line.split() for line in lines]


def test_a_user_session(server, vcd):
    host = server.vcd
    out = vcd("login", host, "demo-org", "alice", "-p", DEMO_PASSWORD, "-w")
    assert "alice logged in, org: 'demo-org', vdc: 'demo-vdc'" in out
    assert rows(vcd("org", "list"))[1:] == [["True", "True", "demo-org"]]
    assert rows(vcd("vdc", "list"))[1:] == [["True", "demo-vdc", "demo-org"]]
    catalogs = rows(vcd("catalog", "list"))
    assert "demo-catalog" in catalogs[1]
    created = vcd("vapp", "create", "cli-app", "-c", "demo-catalog", "-t", "photon-5")
    assert "result: success" in created and "Creating Virtual Application cli-app" in created
    vcd("vapp", "power-off", "cli-app", "-y")
    powered = vcd("vapp", "power-on", "cli-app")
    assert "Starting Virtual Application cli-app" in powered and "result: success" in powered
    listed = {row[3]: row for row in rows(vcd("vapp", "list"))[1:]}
    assert set(listed) == {"cli-app", "demo-web"} and "POWERED_ON" in listed["cli-app"]
    info = vcd("vapp", "info", "cli-app")
    assert "Powered on" in info and "demo-net" in info
    tasks = rows(vcd("task", "list"))
    assert tasks[0][:2] == ["id", "name"] and [r[1] for r in tasks[1:4]] == [
        "vappDeploy",
        "vappPowerOff",
        "vdcInstantiateVapp",
    ]
    vcd("logout")


def test_a_vra_machine_shows_with_its_owner_and_vm(server, vcd):
    """A vRA vCloud machine's vApp, as vcd-cli shows it: its owner and its VM named as the machine."""
    with server.client() as c:
        _, machine = provisioned(server, c, consumer(server, c), VCLOUD)
    name = machine["name"]
    vcd("login", server.vcd, "demo-org", "alice", "-p", DEMO_PASSWORD, "-w")
    lines = vcd("vapp", "info", name).splitlines()[2:]  # after the header and its rule
    info = dict([*re.split(r"\s{2,}", line.strip(), maxsplit=1), ""][:2] for line in lines)
    assert (info["name"], info["owner"], info["status"]) == (name, "alice", "Powered on")
    assert (info["vm-1: name"], info["vm-1: computer-name"]) == (name, name)
