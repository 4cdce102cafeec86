"""The small protocol promises, on every face: 405 lists every method of the path in ``Allow``;
paths no route serves, even with control characters in them, get the owning face's JSON 404;
bodies nested too deep and queries too long are refused in the face's words and leave the
connection usable."""

import socket
import time

import pytest

from helpers import ADMIN, assert_error, assert_ops_error, assert_vapi_error, ops_acquire, vcenter_session

DEEP_XML = b'<?xml version="1.0"?>' + b"<a>" * 490 + b"</a>" * 490


def allowed(r):
    return {m.strip() for m in r.headers["allow"].split(",")}


def test_405_lists_every_method_of_the_path(server):
    with server.client() as c:
        r = c.options("/v1/users")
        assert_error(r, 405, "METHOD_NOT_ALLOWED")
        assert allowed(r) == {"GET", "HEAD", "POST"}
        r = c.put("/v1/users/local/admin")
        assert allowed(r) == {"DELETE", "GET", "HEAD", "PATCH"}
        r = c.options("/v1/users/ui")  # also /v1/users/{id}, which DELETE reaches
        assert allowed(r) == {"DELETE", "GET", "HEAD"}
        r = c.delete("/suite-api/api/resources")
        assert_ops_error(r, 405)
        assert allowed(r) == {"GET", "HEAD"}
        r = c.put("/suite-api/api/resources/stats")
        assert allowed(r) == {"GET", "HEAD", "POST"}
        r = c.put("/_localsphere/clock")
        assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
        assert allowed(r) == {"GET", "HEAD", "POST"}
        # vCenter names a method it has no operation for OPERATION_NOT_FOUND, and says which it has
        r = c.put("/api/vcenter/vm")
        assert_vapi_error(r, 404, "OPERATION_NOT_FOUND")
        assert allowed(r) == {"GET", "HEAD", "POST"}


@pytest.mark.parametrize(
    ("path", "face"),
    [
        ("/api/vcenter/vm/a%0Ab", "vapi"),
        ("/api/vcenter/vm/a%00b", "vapi"),
        ("/api/no/such/thing", "vapi"),
        ("/rest/vcenter/vm%0A", "legacy"),
        ("/v1/users/a%0Ab/x", "sddc"),
        ("/v1/nothing", "sddc"),
        ("/suite-api/api/resources/a%0Ab/stats/x", "ops"),
        ("/vrops-cloud/suite-api/nothing", "ops"),
        ("/_localsphere/nothing%0A", "control"),
        ("/nothing", "control"),
        # a trailing slash is another path: no redirect to a Location made of the client's Host
        ("/v1/users/", "sddc"),
        ("/api/vcenter/vm/", "vapi"),
        ("/suite-api/api/resources/", "ops"),
        ("/_localsphere/faults/", "control"),
    ],
)
def test_a_path_no_route_serves_gets_the_faces_json_404(server, path, face):
    """Signed in to vCenter, so that a path its operation serves (``/vm/{vm}`` with a newline in
    the id) is answered by the operation: not found, in JSON."""
    headers = {"Host": "evil.example", "vmware-api-session-id": vcenter_session(server)}
    with server.client(headers=headers) as c:
        r = c.get(path)
    assert (
        r.status_code == 404
        and "location" not in r.headers
        and r.headers["content-type"].startswith("application/json")
    ), r.text
    body = r.json()
    if face == "vapi":
        assert body["error_type"] == "NOT_FOUND"
    elif face == "legacy":
        assert body["type"] == "com.vmware.vapi.std.errors.not_found"
    elif face == "sddc":
        assert body["errorCode"] == "NOT_FOUND"
    elif face == "ops":
        assert body["httpStatusCode"] == 404
    else:
        assert body["error"] == "not_found"


def test_a_deeply_nested_xml_body_is_a_400_and_the_connection_goes_on(server):
    """The issue's example: 490 levels of XML to token acquisition answered 500 and left the
    keep-alive connection without an answer."""
    with server.client(headers={"Content-Type": "application/xml", "Accept": "application/xml"}) as c:
        r = c.post("/suite-api/api/auth/token/acquire", content=DEEP_XML)
        assert r.status_code == 400 and r.headers["content-type"] == "application/xml"
        assert b"nested more than 64 levels" in r.content and b'httpStatusCode="400"' in r.content
        again = c.post(
            "/suite-api/api/auth/token/acquire",
            content=f"<username-password><username>{ADMIN}</username><password>VMware1!</password>"
            "</username-password>".encode(),
        )
        assert again.status_code == 200


def test_deeply_nested_json_is_refused_in_every_faces_words(server):
    deep = b"[" * 65 + b"]" * 65
    deeper = b"{" + b'"a":{' * 3000 + b"}" * 3001
    token = server.token()
    session = vcenter_session(server)
    ops = ops_acquire(server).json()["token"]
    with server.client(headers={"Content-Type": "application/json"}) as c:
        for body in (deep, deeper):
            r = c.post("/v1/users", content=body, headers={"Authorization": f"Bearer {token}"})
            assert "nested more than 64 levels" in assert_error(r, 400, "MALFORMED_JSON")["message"]
            r = c.post(
                "/suite-api/api/resources/stats/query",
                content=body,
                headers={"Authorization": f"OpsToken {ops}"},
            )
            assert "nested more than 64" in assert_ops_error(r, 400)["message"]
            r = c.post("/api/vcenter/vm", content=body, headers={"vmware-api-session-id": session})
            assert (
                "nested more than 64"
                in assert_vapi_error(r, 400, "INVALID_ARGUMENT")["messages"][0]["default_message"]
            )
            r = c.post("/api", content=body)
            assert r.status_code == 200 and r.json()["error"]["code"] == -32700
            r = server.control("POST", "/faults", content=body)
            assert r.status_code == 400 and "nested" in r.json()["message"]


def test_queries_too_long_or_with_a_nul_are_refused(server):
    token = server.token()
    with server.client(headers={"Authorization": f"Bearer {token}"}) as c:
        r = c.get("/v1/sso-domains/vsphere.local/entities", params={"entityName": "x" * 40_000})
        assert "longer than 32768" in assert_error(r, 400, "INVALID_INPUT")["message"]
        r = c.get("/v1/sso-domains/vsphere.local/entities?" + "&".join(["a=1"] * 1001))
        assert "more than 1000 parameters" in assert_error(r, 400, "INVALID_INPUT")["message"]
        r = c.get("/v1/sso-domains/vsphere.local/entities?entityName=a%00b")
        assert "NUL" in assert_error(r, 400, "INVALID_INPUT")["message"]
        assert (
            c.get("/v1/sso-domains/vsphere.local/entities", params={"entityName": "USER"}).status_code == 200
        )


def test_an_xml_body_in_an_encoding_the_server_lacks_is_a_400(server):
    with server.client(headers={"Content-Type": "application/xml"}) as c:
        for encoding in ("bogus", "UTF-7", "rot13", "zlib", "utf-32-le"):
            body = f'<?xml version="1.0" encoding="{encoding}"?><username-password/>'.encode()
            r = c.post("/suite-api/api/auth/token/acquire", content=body)
            assert "unsupported encoding" in assert_ops_error(r, 400)["message"], encoding


@pytest.mark.parametrize("path", ["/v1/tokens", "/api", "/suite-api/api/auth/token/acquire"])
def test_a_client_leaving_mid_body_is_no_internal_error(server, path):
    """No error line and no traceback; the request log says the connection was dropped (0).
    JSON-RPC (``/api``) reads its body inside its own error mapping, and lets the departure by."""
    server.control("DELETE", "/requests")
    log = server.data_dir / "server.log"
    before = log.stat().st_size
    with socket.create_connection(("127.0.0.1", server.http_port)) as raw:
        raw.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
            + b'Content-Length: 100\r\n\r\n{"use'
        )
    for _ in range(50):
        logged = server.control("GET", "/requests").json()["requests"]
        if logged:
            break
        time.sleep(0.1)
    assert [(e["path"], e["status"]) for e in logged] == [(path, 0)]
    with log.open("rb") as f:
        f.seek(before)
        written = f.read().decode()
    assert "ERROR" not in written and "Traceback" not in written, written


def test_each_answer_names_its_server_once(server):
    """vCenter's answers come through its envoy proxy; the rest name LocalSphere, never the HTTP
    server under the app, and a 500 or a 404 no route serves is no exception."""
    with server.client() as c:
        for path, expected in [
            ("/api/session", "envoy"),
            ("/rest/com/vmware/cis/session", "envoy"),
            ("/v1/users", "LocalSphere"),
            ("/suite-api/api/versions/current", "LocalSphere"),
            ("/_localsphere/health", "LocalSphere"),
            ("/nothing", "LocalSphere"),
        ]:
            r = c.get(path)
            assert r.headers.get_list("server") == [expected], (path, r.headers)
