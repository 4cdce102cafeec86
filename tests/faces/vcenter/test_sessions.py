"""vCenter API sessions over REST: /api/session, the legacy /rest login, idle expiry."""

import pytest

from conftest import DEMO_PASSWORD
from helpers import assert_vapi_error, vcenter_session


def test_create_get_delete(server):
    with server.client() as c:
        r = c.post("/api/session", auth=("administrator@vsphere.local", DEMO_PASSWORD))
        assert r.status_code == 201 and r.headers["content-type"] == "application/json"
        session_id = r.json()
        assert isinstance(session_id, str) and len(session_id) == 32
        headers = {"vmware-api-session-id": session_id}
        info = c.get("/api/session", headers=headers).json()
        assert info["user"] == "VSPHERE.LOCAL\\administrator"
        assert info["created_time"].endswith("Z") and info["last_accessed_time"] >= info["created_time"]
        assert c.delete("/api/session", headers=headers).status_code == 204
        body = assert_vapi_error(c.get("/api/session", headers=headers), 401, "UNAUTHENTICATED")
        assert body["challenge"] == 'Basic realm="vCenter"'


@pytest.mark.parametrize("user", ["operator@vsphere.local", "USER_3@vsphere.local"])
def test_every_sso_user_signs_in_with_the_same_password(server, user):
    assert vcenter_session(server, user)


@pytest.mark.parametrize(
    "auth", [("administrator@vsphere.local", "wrong"), ("nobody@vsphere.local", DEMO_PASSWORD), None]
)
def test_bad_credentials(server, auth):
    with server.client() as c:
        r = c.post("/api/session", auth=auth)
    body = assert_vapi_error(r, 401, "UNAUTHENTICATED")
    assert r.headers["www-authenticate"] == 'Basic realm="vCenter"'
    assert body["messages"][0]["args"] == []


def test_unknown_or_missing_session(server):
    with server.client() as c:
        assert_vapi_error(c.get("/api/session"), 401, "UNAUTHENTICATED")
        r = c.get("/api/vcenter/authorization/roles", headers={"vmware-api-session-id": "0" * 32})
        assert_vapi_error(r, 401, "UNAUTHENTICATED")


def test_legacy_rest_login(server):
    with server.client() as c:
        r = c.post("/rest/com/vmware/cis/session", auth=("administrator@vsphere.local", DEMO_PASSWORD))
        assert r.status_code == 200
        session_id = r.json()["value"]
        assert c.get("/api/session", headers={"vmware-api-session-id": session_id}).status_code == 200
        r = c.post("/rest/com/vmware/cis/session", auth=("administrator@vsphere.local", "wrong"))
    assert r.status_code == 401
    assert r.json()["type"] == "com.vmware.vapi.std.errors.unauthenticated"
    assert r.json()["value"]["error_type"] == "UNAUTHENTICATED"


def test_idle_sessions_expire_and_use_keeps_them_alive(server):
    session_id = vcenter_session(server)
    headers = {"vmware-api-session-id": session_id}
    with server.client(headers=headers) as c:
        for _ in range(3):  # 3 x 20 idle minutes, each ended by a call: still alive
            server.advance(20 * 60)
            assert c.get("/api/session").status_code == 200
        server.advance(30 * 60 + 1)
        assert_vapi_error(c.get("/api/session"), 401, "UNAUTHENTICATED")


def test_the_same_user_and_lockout_as_the_sddc_face(server):
    for _ in range(5):
        with server.client() as c:
            c.post("/api/session", auth=("viewer@vsphere.local", "wrong"))
    with server.client() as c:
        assert_vapi_error(
            c.post("/api/session", auth=("viewer@vsphere.local", DEMO_PASSWORD)), 401, "UNAUTHENTICATED"
        )
        r = c.post("/v1/tokens", json={"username": "viewer@vsphere.local", "password": DEMO_PASSWORD})
    assert r.json()["errorCode"] == "ACCOUNT_LOCKED"


def test_unknown_api_path(server):
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as c:
        assert_vapi_error(c.get("/api/vcenter/nothing"), 404, "NOT_FOUND")
