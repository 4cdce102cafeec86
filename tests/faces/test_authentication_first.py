"""Authentication comes first on every face: a walk of every route the server lists that needs a
credential, called with none, a garbage one and a released or expired one, with and without a
query and a body. Every answer is the face's own 401, whatever the query or the body held (they
are not read before the credential is checked). Faces added later are walked the same way: the
walk reads the routes off the live server and fails on a face it does not know."""

import re
import xml.etree.ElementTree as ET

from helpers import ADMIN, ops_acquire, vcenter_session

QUERY = {
    "adapterKind": "X",
    "resourceId": "x",
    "resourceKind": "x",
    "page": "-1",
    "pageSize": "0",
    "action": "no",
}
# Queries the server refuses outright: not before it has refused a missing credential.
BAD_QUERIES = ["a=%00", "x=" + "y" * 40_000, "&".join(["p=1"] * 1500)]
BODIES = [None, b"[" * 5000, b"<a><a><a>" * 300, b'{"username": 1}']
NOBODY = ("nobody@vsphere.local", "wrong")


def is_face_401(face, path, r):
    if r.status_code != 401:
        return False
    if face == "cloud-director" and path.startswith("/cloudapi/"):  # cloudapi's errors are JSON
        body = r.json()
        return body["minorErrorCode"] == "UNAUTHORIZED" and body["stackTrace"] is None
    if face == "cloud-director":
        error = ET.fromstring(r.content)
        return (
            error.tag == "{http://www.vmware.com/vcloud/v1.5}Error" and error.get("majorErrorCode") == "401"
        )
    body = r.json()
    if face == "sddc-manager":
        return body["errorCode"] in ("Unauthorized", "Unauthenticated")
    if face == "operations":
        return body["apiErrorCode"] == 1512 and body["httpStatusCode"] == 401
    if face == "vcenter":
        if path.startswith("/rest/"):
            return body["type"] == "com.vmware.vapi.std.errors.unauthenticated"
        return body["error_type"] == "UNAUTHENTICATED"
    if face == "automation":
        return body["errors"][0]["code"] == 10000 and body["errors"][0]["source"] is None
    if face == "control":
        return body["error"] == "unauthorized"
    raise AssertionError(f"the walk does not know the face {face}: teach it its credentials and its 401")


def credentials(server):
    """face -> {name: headers}: none, garbage, and a credential that worked once and no longer does."""
    with server.client() as c:
        sddc = c.post("/v1/tokens", json={"username": ADMIN, "password": "VMware1!"}).json()["accessToken"]
    with server.client() as c:
        vra = c.post(
            "/identity/api/tokens",
            json={"username": "administrator", "password": "VMware1!", "tenant": "vsphere.local"},
        ).json()["id"]
        assert c.delete(f"/identity/api/tokens/{vra}").status_code == 204
        vcd = c.post(
            "/api/sessions",
            auth=("administrator@System", "VMware1!"),
            headers={"Accept": "application/*+xml;version=36.0"},
        ).headers["x-vcloud-authorization"]
        closed = c.delete(
            "/cloudapi/1.0.0/sessions/current",
            headers={"x-vcloud-authorization": vcd, "Accept": "application/json;version=36.0"},
        )
        assert closed.status_code == 204
    server.advance(2 * 3600)  # past the access token's hour
    session = vcenter_session(server)
    ops = ops_acquire(server).json()["token"]
    with server.client() as c:
        assert c.delete("/api/session", headers={"vmware-api-session-id": session}).status_code == 204
        assert c.post(
            "/suite-api/api/auth/token/release", headers={"Authorization": f"OpsToken {ops}"}
        ).is_success
    return {
        "sddc-manager": {
            "none": {},
            "garbage": {"Authorization": "Bearer garbage.garbage.garbage"},
            "expired": {"Authorization": f"Bearer {sddc}"},
        },
        "vcenter": {
            "none": {},
            "garbage": {"vmware-api-session-id": "garbage"},
            "released": {"vmware-api-session-id": session},
        },
        "operations": {
            "none": {},
            "garbage": {"Authorization": "OpsToken garbage"},
            "released": {"Authorization": f"OpsToken {ops}"},
        },
        "automation": {
            "none": {},
            "garbage": {"Authorization": "Bearer garbage"},
            "deleted": {"Authorization": f"Bearer {vra}"},
        },
        "cloud-director": {
            "none": {},
            "garbage": {"x-vcloud-authorization": "garbage"},
            "garbage bearer": {"Authorization": "Bearer garbage"},
            "closed": {"x-vcloud-authorization": vcd},
        },
        "control": {"none": {}, "garbage": {"Authorization": "Bearer garbage"}},
    }


def test_every_route_that_needs_a_credential_checks_it_first(server):
    catalogue = server.control("GET", "/routes").json()
    anonymous = set(catalogue["anonymous"])
    walked = credentials(server)
    failures, calls = [], 0

    def expect_401(face, line, how, r):
        nonlocal calls
        calls += 1
        if not is_face_401(face, line.split(" ", 1)[1], r):
            failures.append(f"{line} [{how}]: {r.status_code} {r.text[:300]}")

    with server.client() as c:
        for face, lines in catalogue["faces"].items():
            for line in (line for line in lines if line not in anonymous):
                method, target = line.split(" ", 1)
                path, _, action = target.partition("?")
                url = re.sub(r"\{[^}]*\}", "x", path)
                for name, headers in walked[face].items():
                    for query in ({}, QUERY):
                        for body in BODIES if method in ("POST", "PUT", "PATCH") else [None]:
                            params = dict([action.split("=")] if action else []) | query
                            r = c.request(method, url, params=params, content=body, headers=headers)
                            expect_401(face, line, f"{name}, query={bool(query)}", r)
                for query in BAD_QUERIES:
                    r = c.request(method, f"{url}?{query}", headers=walked[face]["garbage"])
                    expect_401(face, line, f"?{query[:20]}", r)
    assert calls > 500
    assert not failures, "\n".join(failures[:20])


def test_sign_ins_refuse_a_wrong_password_and_a_session_in_its_place(server):
    """The operations that take a user's password answer 401 to none, to a wrong one, and to a
    session id where the password belongs."""
    session = vcenter_session(server)
    with server.client() as c:
        for path in ("/api/session", "/rest/com/vmware/cis/session"):
            nul = {"auth": ("nob\x00ody@vsphere.local", "x")}  # names nobody, on PostgreSQL too
            for extra in ({}, {"auth": NOBODY}, nul, {"headers": {"vmware-api-session-id": session}}):
                r = c.post(path, **extra)
                assert is_face_401("vcenter", path, r), (path, extra, r.text)


def test_the_anonymous_operations_are_only_the_sign_ins(server):
    anonymous = set(server.control("GET", "/routes").json()["anonymous"])
    assert anonymous == {
        "GET /_localsphere/health",
        "POST /api",  # JSON-RPC: the credential is in the request's security context
        "POST /csp/gateway/am/api/auth/api-tokens/authorize",
        "POST /suite-api/api/auth/token/acquire",
        "POST /vrops-cloud/suite-api/api/auth/token/acquire",
        # Operations: the auth sources a sign-in may name, and the VIDB discovery address (the
        # spec's unauthenticated reads)
        "GET /suite-api/api/auth/sources",
        "GET /vrops-cloud/suite-api/api/auth/sources",
        "GET /suite-api/api/auth/sources/vidb/well-known-url",
        "GET /vrops-cloud/suite-api/api/auth/sources/vidb/well-known-url",
        "POST /v1/tokens",
        "PATCH /v1/tokens/access-token/refresh",
        "DELETE /v1/tokens/refresh-token",
        # vRA: a token is its own credential when it is the path
        "POST /identity/api/tokens",
        "POST /identity/api/tokens/",
        "HEAD /identity/api/tokens/{token:path}",
        "DELETE /identity/api/tokens/{token:path}",
        "GET /api/versions",  # vCD: what a client reads before it signs in
        "POST /api/sessions",
        "POST /cloudapi/1.0.0/sessions",
        "POST /cloudapi/1.0.0/sessions/provider",
        # vCenter's SOAP API: the session is a cookie each method checks (the service content and
        # Login need none), and the documents a client reads first
        "POST /sdk",
        "GET /sdk/vimServiceVersions.xml",
        "GET /sdk/vimService.wsdl",
        "GET /sdk/vim.wsdl",
        "GET /sdk/vim-messages.xsd",
        "GET /sdk/vim-types.xsd",
    }


def rpc(session_ctx, service, operation):
    security = {"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": session_ctx}
    return {
        "jsonrpc": "2.0",
        "method": "invoke",
        "id": "7",
        "params": {
            "serviceId": service,
            "operationId": operation,
            "ctx": {"appCtx": {}, "securityCtx": security if session_ctx else {}},
            "input": {"STRUCTURE": {"operation-input": {"vm": "x", "spec": [[[[[]]]]]}}},
        },
    }


def test_every_json_rpc_operation_checks_the_session_first(server):
    """``POST /api`` reads the credential from the body: every operation of it answers
    UNAUTHENTICATED to no session, a garbage one and a released one, whatever its input."""
    pairs = server.control("GET", "/routes").json()["vapi"]
    session = vcenter_session(server)
    with server.client() as c:
        assert c.delete("/api/session", headers={"vmware-api-session-id": session}).status_code == 204
        for pair in pairs:
            for given in (None, "garbage", session):
                r = c.post("/api", json=rpc(given, pair["service"], pair["operation"]))
                assert r.status_code == 200
                error = r.json()["result"]["error"]["ERROR"]
                assert "com.vmware.vapi.std.errors.unauthenticated" in error, (pair, given, r.text)
                assert r.json()["id"] == "7"


def test_an_operations_list_of_another_adapter_needs_a_token(server):
    """The example of the issue: a list of another adapter kind answered an empty page to anyone."""
    with server.client() as c:
        for headers in ({}, {"Authorization": "OpsToken nope"}):
            r = c.get("/suite-api/api/resources", params={"adapterKind": "X"}, headers=headers)
            assert is_face_401("operations", "", r), r.text


def test_a_body_is_not_read_before_the_credential(server):
    """A body larger than the server takes is answered 401, not 413, without a credential."""
    big = b"x" * (2 * 1024 * 1024)
    # One connection: an answer given before the body was read says ``Connection: close`` (the
    # server drops that connection), so the client opens another for the next request.
    with server.client() as c:
        r = c.post("/v1/users", content=big, headers={"Content-Type": "application/json"})
        assert is_face_401("sddc-manager", "/v1/users", r)
        assert r.headers["connection"] == "close"
        r = c.post("/suite-api/api/resources/stats/query", content=big)
        assert is_face_401("operations", "", r)
        assert r.headers["connection"] == "close"
        r = c.get("/suite-api/api/versions/current")  # a read body-less request keeps its connection
        assert "close" not in r.headers.get("connection", "")
