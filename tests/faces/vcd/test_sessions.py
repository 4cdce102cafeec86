"""vCloud Director sessions: legacy and cloudapi sign-in for the System org (SSO users) and for an
org (a tenant, with a directory linked through vRA), the Session and its links, 403/401/406,
sign-out, the idle timeout on the world clock, and pyvcloud signing in unmodified, at the newest
version and forced to an old one."""

import xml.etree.ElementTree as ET

import pytest
from pyvcloud.vcd.client import BasicLoginCredentials, Client

from conftest import DEMO_PASSWORD
from helpers import link_directory
from vcd_schema import assert_valid

V15 = "{http://www.vmware.com/vcloud/v1.5}"
XML36 = {"Accept": "application/*+xml;version=36.0"}
JSON36 = {"Accept": "application/json;version=36.0"}


def legacy(c, user="administrator@System", password=DEMO_PASSWORD, headers=XML36):
    return c.post("/api/sessions", auth=(user, password), headers=headers)


@pytest.mark.parametrize("port", ["shared", "vcd"])
def test_legacy_sign_in_gives_a_session_and_its_token(server, port):
    with server.client(base_url=server.vcd if port == "vcd" else None) as c:
        r = legacy(c)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/vnd.vmware.vcloud.session+xml;version=36.0"
        token = r.headers["x-vcloud-authorization"]
        session = assert_valid(r.content)
        assert (session.get("user"), session.get("org")) == ("administrator", "System")
        assert session.get("userId").startswith("urn:vcloud:user:")
        links = {(link.get("rel"), link.get("type")) for link in session.findall(f"{V15}Link")}
        for wanted in ("orgList+xml", "org+xml", "query.queryList+xml"):
            assert ("down", f"application/vnd.vmware.vcloud.{wanted}") in links
        assert ("down", "application/vnd.vmware.admin.vmwExtension+xml") in links  # the provider's
        assert len(links) == len(session.findall(f"{V15}Link"))  # no rel and type twice
    for base in (server.vcd, server.https):  # on the shared port, the token makes it vCD's
        with server.client(base_url=base) as c:
            r = c.get("/api/session", headers={"x-vcloud-authorization": token, **XML36})
            assert r.status_code == 200 and assert_valid(r.content).get("user") == "administrator"


def test_on_the_shared_port_api_session_is_vcds_only_when_the_request_says_so(server):
    with server.client() as c:
        r = c.get("/api/session", headers=XML36)  # a vCD version in Accept: vCD's 401
        assert r.status_code == 401 and assert_valid(r.content).get("minorErrorCode") == "UNAUTHORIZED"
        r = c.get("/api/session")  # no vCD mark: vCenter's
        assert r.status_code == 401 and r.json()["error_type"] == "UNAUTHENTICATED"
        vcenter = c.post("/api/session", auth=("administrator@vsphere.local", DEMO_PASSWORD)).json()
        assert c.get("/api/session", headers={"vmware-api-session-id": vcenter}).json()["user"]
        logged = server.control("GET", "/requests").json()
        faces = {(e["path"], e["status"], e["face"]) for e in logged["requests"]}
        assert ("/api/session", 401, "cloud-director") in faces and ("/api/session", 401, "vcenter") in faces


def test_an_older_version_gets_an_older_session(server):
    with server.client(base_url=server.vcd) as c:
        r = legacy(c, headers={"Accept": "application/*+xml;version=5.5"})
    # Not checked against the XSDs, which describe 30.0 (where AuthorizedLocations is required).
    session = ET.fromstring(r.content)
    assert r.status_code == 200 and session.tag == f"{V15}Session"
    assert session.get("userId") and session.get("locationId") is None
    assert session.find(f"{V15}AuthorizedLocations") is None


def test_refusals(server):
    with server.client() as c:
        r = c.post("/api/sessions", headers=XML36)
        assert r.status_code == 403 and assert_valid(r.content).get("majorErrorCode") == "403"
        r = legacy(c, password="wrong")
        assert r.status_code == 401 and "x-vcloud-authorization" not in r.headers
        assert legacy(c, user="administrator").status_code == 401  # no org
        assert legacy(c, user="administrator@nosuchorg").status_code == 401
        for accept in ("application/*+xml", "application/*+xml;version=99.0"):
            r = legacy(c, headers={"Accept": accept})
            error = assert_valid(r.content)
            assert r.status_code == 406 and error.get("minorErrorCode") == "NOT_ACCEPTABLE"
            assert "36.0, 35.0" in error.get("message") and "32.0 [D]" in error.get("message")


def test_cloudapi_sign_in_and_sign_out(server):
    with server.client() as c:
        r = c.post(
            "/cloudapi/1.0.0/sessions/provider", auth=("administrator@System", DEMO_PASSWORD), headers=JSON36
        )
        assert r.status_code == 200
        token = r.headers["x-vmware-vcloud-access-token"]
        assert r.json()["org"]["name"] == "System" and r.json()["user"]["name"] == "administrator"
        wrong_door = c.post(
            "/cloudapi/1.0.0/sessions", auth=("administrator@System", DEMO_PASSWORD), headers=JSON36
        )
        assert wrong_door.status_code == 401  # the System org signs in as the provider
        error = wrong_door.json()  # cloudapi's errors are its JSON
        assert error["minorErrorCode"] == "UNAUTHORIZED" and error["message"] and error["stackTrace"] is None
        assert wrong_door.headers["x-vmware-vcloud-request-id"]
    with server.client(base_url=server.vcd) as c:
        bearer = {**XML36, "Authorization": f"Bearer {token}"}
        current = c.get("/cloudapi/1.0.0/sessions/current", headers={**bearer, **JSON36})
        assert current.status_code == 200 and current.json()["roles"] == ["System Administrator"]
        assert current.json()["id"] == r.json()["id"]
        assert c.get("/api/session", headers=bearer).status_code == 200
        json_body = c.post(
            "/api/vApp/vapp-00000000-0000-0000-0000-000000000000/action/undeploy",
            content=b"{}",
            headers={**bearer, "Content-Type": "application/json"},
        )
        assert json_body.status_code == 415
        assert assert_valid(json_body.content).get("minorErrorCode") == "UNSUPPORTED_MEDIA_TYPE"
        assert c.delete("/cloudapi/1.0.0/sessions/current", headers=bearer).status_code == 204
        assert c.get("/api/session", headers=bearer).status_code == 401


def test_sessions_end_after_30_idle_minutes_on_the_world_clock(server):
    with server.client(base_url=server.vcd) as c:
        token = legacy(c).headers["x-vcloud-authorization"]
        headers = {**XML36, "x-vcloud-authorization": token}
        server.advance(25 * 60)
        assert c.get("/api/session", headers=headers).status_code == 200  # used: lives on
        server.advance(31 * 60)
        assert c.get("/api/session", headers=headers).status_code == 401
        assert legacy(c).status_code == 200


def test_an_org_is_a_tenant_and_its_users_are_the_tenants(server, slapd):
    link_directory(server, slapd, "acme")
    with server.client() as c:
        r = legacy(c, user="tony@acme", password=slapd.users["tony"])
        assert r.status_code == 200
        session = assert_valid(r.content)
        assert (session.get("user"), session.get("org")) == ("tony", "acme")
        links = {(link.get("rel"), link.get("type")) for link in session.findall(f"{V15}Link")}
        assert ("down", "application/vnd.vmware.admin.vmwExtension+xml") not in links  # no provider
        assert legacy(c, user="administrator@acme").status_code == 401  # SSO is the System org's


@pytest.mark.parametrize("port", ["vcd", "shared"])
@pytest.mark.parametrize("version", [None, "32.0"])
def test_pyvcloud_signs_in_and_out(server, version, port):
    client = Client(
        server.vcd if port == "vcd" else server.https, api_version=version, verify_ssl_certs=server.cert
    )
    try:
        client.set_credentials(BasicLoginCredentials("administrator", "System", DEMO_PASSWORD))
        assert client.get_api_version() == (version or "36.0")
        assert client.is_sysadmin()
    finally:
        client.logout()
    with server.client(base_url=server.vcd) as c:  # the session it held is gone
        assert c.get("/api/session", headers=XML36).status_code == 401


def test_the_idle_timeout_is_the_policys_in_force(server, scenario):
    assert scenario("settings:\n  session_idle_timeout: 600\n").status_code == 200
    with server.client() as c:
        r = c.post(
            "/cloudapi/1.0.0/sessions/provider", auth=("administrator@System", DEMO_PASSWORD), headers=JSON36
        )
        assert r.json()["sessionIdleTimeoutMinutes"] == 10
        headers = {**XML36, "x-vcloud-authorization": r.headers["x-vcloud-authorization"]}
    server.advance(11 * 60)
    with server.client(base_url=server.vcd) as c:
        assert c.get("/api/session", headers=headers).status_code == 401
