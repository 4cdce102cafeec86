"""Scenarios over HTTP: a YAML world's identities, inventory and settings, seen through the faces;
refusals with the line and the reason; reset returning to the loaded world; progress lines."""

import json

import pytest

from helpers import DEMO_VMS, ops_acquire, sign_in, vcenter_session

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

LAB = """\
settings:
  lockout_failures: 2
identity:
  password: "Lab!Pass2026"
  users:
    - name: alice
      roles: {sddc: ADMIN, vcenter: LabOperator, operations: ReadOnly}
    - name: bob
      password: "Bob!Pass2026"
      enabled: false
  groups:
    - name: lab-admins
      members: [alice]
      roles: {vcenter: ReadOnly}
  service_users:
    - name: ci-bot
      api_key: "0123456789abcdefABCDEF"
      roles: {sddc: VIEWER}
  roles:
    - name: LabOperator
      family: vcenter
      privileges: [System.Anonymous, System.View, System.Read, VirtualMachine.Interact.PowerOn]
  tenants:
    - name: acme
      full_name: ACME Corporation
inventory:
  datacenters:
    - name: lab
      datastores: [{name: "fast-{s}", count: 2, capacity_gib: 1024}]
      networks: [prod]
      clusters:
        - name: gold
          hosts:
            - name: esx-1.lab
              vms:
                - {name: web-1, cpus: 2, memory_mib: 4096, power: on}
                - {name: "batch-{n}", count: 3, sizes: [{cpus: 8, memory_mib: 32768}], power: off}
            - name: "esx-{h}.lab"
              vms: [{count: 4}]
"""


@pytest.fixture
def lab(server):
    r = server.load(LAB)
    assert r.status_code == 200, r.text
    yield r.json()
    assert server.load("").status_code == 200  # back to the demo world for the next test


def vms(server, session):
    with server.client(headers={"vmware-api-session-id": session}) as c:
        r = c.get("/api/vcenter/vm")
    assert r.status_code == 200, r.text
    return {v["name"]: v for v in r.json()}


def test_the_scenario_world_through_every_face(server, lab):
    assert lab["status"] == "loaded" and lab["vms"] == 8
    session = vcenter_session(server, "alice@vsphere.local", "Lab!Pass2026")
    seen = vms(server, session)
    assert len(seen) == 8 and {"web-1", "batch-1", "batch-3", "vm-00008"} <= set(seen)
    assert seen["web-1"]["cpu_count"] == 2 and seen["web-1"]["memory_size_MiB"] == 4096
    assert seen["web-1"]["power_state"] == "POWERED_ON"
    assert {(v["cpu_count"], v["power_state"]) for k, v in seen.items() if k.startswith("batch-")} == {
        (8, "POWERED_OFF")
    }
    with server.client(headers={"vmware-api-session-id": session}) as c:
        hosts = sorted(h["name"] for h in c.get("/api/vcenter/host").json())
        datastores = sorted(d["name"] for d in c.get("/api/vcenter/datastore").json())
        networks = sorted(n["name"] for n in c.get("/api/vcenter/network").json())
    assert hosts == ["esx-1.lab", "esx-2.lab"]
    assert datastores == ["fast-1", "fast-2"] and networks == ["VM Network", "prod"]
    token = sign_in(server, "alice@vsphere.local", "Lab!Pass2026").json()["accessToken"]
    with server.client(headers={"Authorization": f"Bearer {token}"}) as c:
        names = {u["name"] for u in c.get("/v1/users").json()["elements"]}
    assert {"alice@vsphere.local", "ci-bot", "administrator@vsphere.local"} <= names
    assert ops_acquire(server, "alice@vsphere.local", "Lab!Pass2026").json()["roles"] == ["ReadOnly"]
    with server.client() as c:
        bot = c.post("/v1/tokens", json={"username": "ci-bot", "apiKey": "0123456789abcdefABCDEF"})
    assert bot.status_code == 200
    assert sign_in(server, "bob@vsphere.local", "Bob!Pass2026").status_code == 401  # disabled


def test_settings_of_the_scenario_apply(server, lab):
    for _ in range(2):
        assert sign_in(server, "alice@vsphere.local", "wrong").status_code == 401
    locked = sign_in(server, "alice@vsphere.local", "Lab!Pass2026")
    assert locked.status_code == 401 and locked.json()["errorCode"] == "ACCOUNT_LOCKED"


def test_reset_returns_to_the_loaded_scenario(server, lab):
    session = vcenter_session(server)
    with server.client(headers={"vmware-api-session-id": session}) as c:
        assert c.delete(f"/api/vcenter/vm/{vms(server, session)['batch-1']['vm']}").status_code == 204
    assert "batch-1" not in vms(server, session)
    server.reset()
    session = vcenter_session(server, "alice@vsphere.local", "Lab!Pass2026")
    assert "batch-1" in vms(server, session)


def test_no_password_of_the_scenario_is_stored_in_clear(server, lab):
    assert server.control("GET", "/snapshots").json() == []  # what reset returns to is not listed
    if server.db_url is None:  # SQLite: the database's own files
        stored = b"".join(p.read_bytes() for p in server.data_dir.glob("localsphere.db*"))
        assert b"Lab!Pass2026" not in stored and b"Bob!Pass2026" not in stored
        assert b"0123456789abcdefABCDEF" not in stored


def test_an_empty_scenario_is_the_demo_world(server, lab):
    assert server.load("").status_code == 200
    assert sign_in(server, "alice@vsphere.local", "Lab!Pass2026").status_code == 401
    session = vcenter_session(server)
    assert len(vms(server, session)) == DEMO_VMS


def test_an_empty_base_has_only_the_scenarios_people(server):
    r = server.load("base: empty\nidentity:\n  users:\n    - {name: solo, roles: {vcenter: Admin}}\n")
    try:
        assert r.status_code == 200, r.text
        assert sign_in(server).status_code == 401  # no administrator@vsphere.local
        assert vcenter_session(server, "solo@vsphere.local", "VMware1!")
    finally:
        server.load("")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("identity:\n  users:\n    - name: [unclosed\n", 4, ""),
        ("settings:\n  access_token_ttl: 60\n  colour: red\n", 3, "colour"),
        ("inventory:\n  datacenters: 1\n  vms: yes\n", 3, "vms"),
        ("identity:\n  users:\n    - name: eve\n      roles: {vcenter: NoSuchRole}\n", 3, "NoSuchRole"),
        (
            "identity:\n  roles:\n    - name: R\n      family: vcenter\n      privileges: [No.Such]\n",
            3,
            "No.Such",
        ),
        ("identity:\n  groups:\n    - name: g\n      members: [nobody]\n", 3, "nobody"),
    ],
)
def test_invalid_scenarios_are_refused_with_the_line(server, text, line, words):
    before = server.control("GET", "/clock").json()
    r = server.load(text)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error"] == "invalid_scenario" and body["line"] == line and words in body["message"]
    assert f"line {line}" in body["message"]
    assert vcenter_session(server)  # the demo world is still there
    assert server.control("GET", "/clock").json()["frozen"] == before["frozen"]


def test_progress_lines_then_the_result(server):
    scenario = "inventory:\n  datacenters: 1\n  clusters: 1\n  hosts: 2\n  vms: 6000\n"
    try:
        r = server.load_streaming(scenario)
        lines = [json.loads(line) for line in r.text.splitlines()]
        progress, result = lines[:-1], lines[-1]
        assert result["status"] == "loaded" and result["vms"] == 12000
        assert progress and all(p["total"] == 12000 for p in progress)
        made = [p["vms"] for p in progress]
        assert made == sorted(made) and made[-1] == 12000
    finally:
        server.load("")


def test_the_admin_credential_is_required(server):
    with server.client() as c:
        r = c.post("/_localsphere/scenario", content=b"base: empty\n")
    assert r.status_code == 401
    assert vcenter_session(server)


def test_two_objects_of_one_name_are_refused_with_the_line(server):
    text = (
        "inventory:\n  datacenters:\n    - clusters:\n        - hosts:\n"
        "            - {name: esx-a, vms: [{name: web}]}\n"
        "            - {name: esx-b, vms: [{name: web}]}\n"
    )
    r = server.load(text)
    assert r.status_code == 400 and r.json()["line"] == 6 and "'web'" in r.json()["message"]
    assert vcenter_session(server)  # the demo world is still there
