"""GET /_localsphere/routes: every operation the server answers, per face, read off the live app."""

import re
from pathlib import Path

import pytest

OPLISTS = Path(__file__).resolve().parents[4] / "shared" / "reference" / "oplists"


def shape(line):
    return re.sub(r"\{[^}]*\}", "{}", line)


def test_routes_need_the_admin_credential(server):
    with server.client() as c:
        assert c.get("/_localsphere/routes").status_code == 401
        assert c.get("/_localsphere/routes", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_every_face_and_the_vapi_pairs(server):
    r = server.control("GET", "/routes")
    assert r.status_code == 200
    body = r.json()
    faces = body["faces"]
    assert {"sddc-manager", "vcenter", "operations", "control"} <= set(faces)
    assert "POST /v1/tokens" in faces["sddc-manager"]
    assert "GET /api/vcenter/vm/{vm}" in faces["vcenter"]
    assert "POST /api" in faces["vcenter"]  # JSON-RPC
    assert "GET /suite-api/api/resources/{id}/stats" in faces["operations"]
    assert "GET /vrops-cloud/suite-api/api/resources/{id}/stats" in faces["operations"]
    assert "GET /_localsphere/routes" in faces["control"]
    assert all(line == line.strip() and " /" in line for lines in faces.values() for line in lines)
    pairs = {(p["service"], p["operation"]) for p in body["vapi"]}
    assert ("com.vmware.cis.session", "create") in pairs
    assert ("com.vmware.vcenter.VM", "list") in pairs


@pytest.mark.skipif(not OPLISTS.is_dir(), reason="the reference operation lists are not beside the project")
def test_the_operations_routes_are_the_products(server):
    """Each suite-api route we serve is one of the official bindings' operations."""
    official = {shape(line) for line in (OPLISTS / "vcf-operations-suite-api.txt").read_text().split("\n")}
    ours = [
        line
        for line in server.control("GET", "/routes").json()["faces"]["operations"]
        if "/suite-api/" in line
    ]
    unknown = [line for line in ours if shape(line.replace("/vrops-cloud", "")) not in official]
    assert ours and not unknown
