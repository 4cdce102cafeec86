"""What the vRA wire tests share: tokens, vRA's error body, the demo world's users and a second
tenant's administrator, the demo business group."""

from __future__ import annotations

from conftest import DEMO_PASSWORD
from helpers import INTERNALS

BASE = "/identity/api"


def token(server, username="administrator", password=DEMO_PASSWORD, tenant="vsphere.local"):
    with server.client() as c:
        r = c.post(f"{BASE}/tokens", json={"username": username, "password": password, "tenant": tenant})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def bearer(value):
    return {"Authorization": f"Bearer {value}", "Accept": "application/json"}


def assert_vra_error(r, status, code):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    (first, *rest) = r.json()["errors"]
    assert list(first) == ["code", "source", "message", "systemMessage", "moreInfoUrl"]
    assert first["code"] == code and first["source"] is None and first["moreInfoUrl"] is None
    assert not INTERNALS.search(r.text), r.text
    return [first, *rest]


RES = "/reservation-service/api"
IAAS = "/iaas-proxy-provider/api"
VSPHERE = "Infrastructure.Reservation.Virtual.vSphere"


def admin(server):
    return bearer(token(server))


def user(server, name):
    return bearer(token(server, name))


def other_tenant_admin(server):
    """alice, made the tenant administrator of demo-org (a tenant of its own)."""
    with server.client(headers=admin(server)) as c:
        r = c.put(
            "/identity/api/authorization/tenants/demo-org/principals/alice@demo-org/roles/CSP_TENANT_ADMIN"
        )
        assert r.status_code == 204, r.text
    return bearer(token(server, "alice", tenant="demo-org"))


def demo_group(server):
    with server.client(headers=admin(server)) as c:
        groups = c.get("/identity/api/tenants/vsphere.local/subtenants").json()["content"]
    return next(g["id"] for g in groups if g["name"] == "Demo Group")
