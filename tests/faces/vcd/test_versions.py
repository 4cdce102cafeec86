"""vCloud Director's ``GET /api/versions``: the versions offered, valid against the XSDs, what
pyvcloud negotiates from it, and vCD's ``Error`` for what the face does not serve."""

import httpx
import pytest
from pyvcloud.vcd.client import Client

from conftest import Server
from vcd_schema import assert_valid

VERSIONS_NS = "{http://www.vmware.com/vcloud/versions}"
VCLOUD_NS = "{http://www.vmware.com/vcloud/v1.5}"


def test_versions_lists_every_version_with_its_sign_in_url(server):
    with server.client() as c:
        r = c.get("/api/versions", headers={"Accept": "application/*+xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    root = assert_valid(r.content)
    infos = root.findall(f"{VERSIONS_NS}VersionInfo")
    offered = [i.findtext(f"{VERSIONS_NS}Version") for i in infos]
    assert offered == ["5.1", "5.5", *(f"{n}.0" for n in range(29, 37))]
    deprecated = {i.findtext(f"{VERSIONS_NS}Version") for i in infos if i.get("deprecated") == "true"}
    assert deprecated == {"5.1", "5.5", "29.0", "30.0", "31.0", "32.0"}
    assert {i.findtext(f"{VERSIONS_NS}LoginUrl") for i in infos} == {f"{server.https}/api/sessions"}


def test_versions_needs_no_credential_and_answers_any_accept(server):
    with server.client() as c:
        for accept in ("application/*+xml;version=5.5", "application/*+xml;version=99.0", "*/*"):
            assert c.get("/api/versions", headers={"Accept": accept}).status_code == 200


def test_pyvcloud_negotiates_the_newest_version_it_knows(server):
    """What pyvcloud does first when it signs in (its sign-in itself comes with the sessions)."""
    client = Client(server.https, verify_ssl_certs=server.cert)
    assert client.get_supported_versions_list()[-1] == "36.0"
    client._negotiate_api_version()  # the step set_credentials takes before it signs in
    assert client.get_api_version() == "36.0"


@pytest.mark.parametrize(("method", "status"), [("POST", 405), ("DELETE", 405)])
def test_what_the_face_does_not_serve_is_vcds_error(server, method, status):
    with server.client() as c:
        r = c.request(method, "/api/versions", headers={"Accept": "application/*+xml;version=5.5"})
    assert r.status_code == status
    assert r.headers["content-type"] == "application/vnd.vmware.vcloud.error+xml;version=5.5"
    error = assert_valid(r.content)
    assert error.tag == f"{VCLOUD_NS}Error" and error.get("majorErrorCode") == str(status)
    assert error.get("minorErrorCode") == "METHOD_NOT_ALLOWED" and error.get("stackTrace") is None


def test_the_vcd_listener_serves_vcd_alone(server):
    with server.client(base_url=server.vcd) as c:
        r = c.get("/api/versions")
        assert r.status_code == 200 and assert_valid(r.content).tag == f"{VERSIONS_NS}SupportedVersions"
        r = c.get("/api/session", headers={"Accept": "application/*+xml;version=36.0"})
        assert r.status_code == 401 and assert_valid(r.content).get("minorErrorCode") == "UNAUTHORIZED"
        for path in ("/v1/users", "/identity/api/tenants", "/nothing"):
            r = c.get(path, headers={"Accept": "application/*+xml;version=36.0"})
            assert r.status_code == 404, path  # no other face's path is served there
            assert assert_valid(r.content).get("minorErrorCode") == "RESOURCE_NOT_FOUND"
    with server.client() as c:  # the shared port's /api/session is still vCenter's
        assert c.get("/api/session").json()["error_type"] == "UNAUTHENTICATED"


def test_vcd_port_zero_opens_no_listener(new_database, tmp_path):
    off = Server(tmp_path / "world", new_database(), extra=["--vcd-port", "0"]).start()
    try:
        with pytest.raises(httpx.ConnectError), off.client(base_url=off.vcd) as c:
            c.get("/api/versions")
        with off.client() as c:
            assert c.get("/api/versions").status_code == 200  # the shared port still has it
    finally:
        off.stop()
