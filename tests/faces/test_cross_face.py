"""One world behind every face: identities, passwords, lockouts and role changes are shared."""

import pytest

from conftest import DEMO_PASSWORD, OPERATOR_ROLE
from helpers import assert_vapi_error, sign_in, vcenter_session

pytestmark = pytest.mark.every_backend  # see tests/conftest.py


def test_a_user_added_on_sddc_manager_signs_in_to_vcenter_with_the_same_password(server, api):
    r = api.post(
        "/v1/users",
        json=[
            {
                "name": "USER_2@vsphere.local",
                "domain": "vsphere.local",
                "type": "USER",
                "role": {"id": OPERATOR_ROLE},
            }
        ],
    )
    assert r.status_code == 201
    assert sign_in(server, "USER_2@vsphere.local").status_code == 200
    session = vcenter_session(server, "USER_2@vsphere.local", DEMO_PASSWORD)
    with server.client(headers={"vmware-api-session-id": session}) as c:
        assert c.get("/api/session").json()["user"] == "VSPHERE.LOCAL\\USER_2"
        assert c.get("/api/vcenter/vm").json() == []  # SDDC Manager roles give no vCenter permissions


def test_a_local_password_change_is_not_a_vcenter_login(server, api):
    assert api.patch("/v1/users/local/admin", json={"newPassword": "Fresh!Start2026"}).status_code == 204
    with server.client() as c:
        r = c.post("/api/session", auth=("admin@local", "Fresh!Start2026"))
    assert_vapi_error(r, 401, "UNAUTHENTICATED")  # admin@local is SDDC Manager's own account


def test_an_orgs_own_user_is_that_tenants_and_signs_in_nowhere_else(server):
    with server.client() as c:
        for path in ("/api/session", "/rest/com/vmware/cis/session"):
            assert c.post(path, auth=("alice@demo-org", DEMO_PASSWORD)).status_code == 401, path
        assert sign_in(server, "alice@demo-org").status_code == 401  # SDDC Manager's users are SSO's
        vra = c.post(
            "/identity/api/tokens",
            json={"username": "alice", "password": DEMO_PASSWORD, "tenant": "demo-org"},
        )
        assert vra.status_code == 200 and vra.json()["tenant"] == "demo-org"  # the org is a vRA tenant
        wrong = c.post(
            "/identity/api/tokens",
            json={"username": "alice", "password": DEMO_PASSWORD, "tenant": "vsphere.local"},
        )
        assert wrong.status_code == 401
