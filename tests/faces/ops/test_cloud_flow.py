"""The seed's cloud flow: an API token made for a user (control API), traded at the gateway for a
1799-second access token, used as ``Authorization: CSPToken``, refused with 1512 once expired; every
input form the gateway takes, and its refusals in its own error body."""

import pytest

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

AUTHORIZE = "/csp/gateway/am/api/auth/api-tokens/authorize"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def make_api_token(server, username="administrator@vsphere.local"):
    r = server.control("POST", "/api-tokens", json={"username": username})
    assert r.status_code == 201, r.text
    return r.json()


def test_the_cloud_flow_end_to_end(server):
    made = make_api_token(server)
    assert len(made["token"]) == 64 and made["username"] == "administrator@vsphere.local"
    assert made["id"] in [t["id"] for t in server.control("GET", "/api-tokens").json()]
    with server.client() as c:
        r = c.post(AUTHORIZE, content=f"api_token={made['token']}", headers=FORM)
        assert r.status_code == 200
        body = r.json()
        assert list(body) == [
            "id_token",
            "token_type",
            "expires_in",
            "scope",
            "access_token",
            "refresh_token",
        ]
        assert body["token_type"] == "bearer" and body["expires_in"] == 1799
        assert body["refresh_token"] == made["token"]
        auth = {"Authorization": f"CSPToken {body['access_token']}"}
        assert c.get("/vrops-cloud/suite-api/api/adapterkinds", headers=auth).status_code == 200
        server.advance(1700)
        assert c.get("/vrops-cloud/suite-api/api/adapterkinds", headers=auth).status_code == 200  # no sliding
        server.advance(100)
        r = c.get("/vrops-cloud/suite-api/api/adapterkinds", headers=auth)
    assert r.status_code == 401
    assert r.json() == {
        "message": 'The provided token for auth scheme "CSPToken" is either invalid or has expired.',
        "httpStatusCode": 401,
        "apiErrorCode": 1512,
    }


def gateway_error(r, status=400):
    """The gateway's CspErrorResponse, in its order, with fresh ids."""
    assert r.status_code == status and r.headers["content-type"] == "application/json"
    body = r.json()
    assert list(body)[:6] == ["metadata", "traceId", "statusCode", "message", "requestId", "moduleCode"]
    assert body["statusCode"] == status and body["moduleCode"] == 540 and body["metadata"] is None
    assert len(body["traceId"]) == 16 and len(body["requestId"]) == 16
    assert "error" not in body and "error_description" not in body
    return body


def test_revoked_or_unknown_api_tokens_are_refused(server):
    made = make_api_token(server, "viewer@vsphere.local")
    assert server.control("DELETE", f"/api-tokens/{made['id']}").status_code == 204
    assert server.control("DELETE", f"/api-tokens/{made['id'][:-1]}x").status_code == 404
    with server.client() as c:
        for token in (made["token"], "x" * 60 + "QRSTU"):
            body = gateway_error(c.post(AUTHORIZE, content=f"api_token={token}", headers=FORM))
            assert body["message"] == f"invalid_grant: Invalid refresh token: xxxx...{token[-5:]}"
            assert body["cspErrorCode"] == "540.120-340.800"
            assert token not in str(body)
        body = gateway_error(c.post(AUTHORIZE, params={"refresh_token": "short"}))
        assert body["message"] == "invalid_grant: Invalid refresh token: xxxx..."


JSON_TYPE = {"Content-Type": "application/json"}
FORM_UTF8 = {**FORM, "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}


@pytest.mark.parametrize(
    "place, field, headers, extra",
    [
        ("form", "api_token", FORM, ""),
        ("form", "refresh_token", FORM, ""),
        ("form", "api_token", FORM, "passcode=123456&scope=openid&"),
        ("form", "api_token", FORM_UTF8, ""),
        ("query", "refresh_token", {}, ""),
        ("query", "refresh_token", JSON_TYPE, ""),  # the PowerCLI examples' form
        ("query", "api_token", {}, ""),
    ],
)
def test_every_input_form_the_gateway_takes(server, place, field, headers, extra):
    token = make_api_token(server)["token"]
    with server.client() as c:
        if place == "query":
            r = c.post(AUTHORIZE, params={field: token}, headers=headers, content=b"{}" if headers else b"")
        else:
            r = c.post(AUTHORIZE, content=f"{extra}{field}={token}", headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["refresh_token"] == token
        auth = {"Authorization": f"CSPToken {r.json()['access_token']}"}
        assert c.get("/vrops-cloud/suite-api/api/adapterkinds", headers=auth).status_code == 200


def test_the_form_wins_over_the_query_and_api_token_over_refresh_token(server):
    good = make_api_token(server)["token"]
    with server.client() as c:
        r = c.post(AUTHORIZE, params={"refresh_token": "x" * 64}, content=f"api_token={good}", headers=FORM)
        assert r.status_code == 200 and r.json()["refresh_token"] == good
        r = c.post(AUTHORIZE, content=f"refresh_token={'y' * 64}&api_token={good}", headers=FORM)
        assert r.status_code == 200 and r.json()["refresh_token"] == good
        r = c.post(AUTHORIZE, content=f"api_token=&refresh_token={good}", headers=FORM)  # empty: next one
        assert r.status_code == 200 and r.json()["refresh_token"] == good


@pytest.mark.parametrize(
    "content, headers, params",
    [
        ("", FORM, None),
        ("api_token=", FORM, None),
        ("api_token=&refresh_token=", FORM, None),
        ("passcode=123456", FORM, None),
        ("", {}, {"refresh_token": ""}),
        ('{"api_token": "abc"}', JSON_TYPE, None),  # the gateway reads no JSON body
    ],
)
def test_a_missing_or_empty_token_is_400(server, content, headers, params):
    with server.client() as c:
        body = gateway_error(c.post(AUTHORIZE, content=content, headers=headers, params=params))
    assert body["message"].startswith("invalid_request: api_token is required, as a form field")


def test_too_many_fields_and_other_methods_get_the_gateways_body(server):
    with server.client() as c:
        many = "&".join(f"f{i}=1" for i in range(30))
        assert "At most 20" in gateway_error(c.post(AUTHORIZE, content=many, headers=FORM))["message"]
        assert "At most 20" in gateway_error(c.post(f"{AUTHORIZE}?{many}"))["message"]
        assert gateway_error(c.get(AUTHORIZE), 405)["message"] == "Request method is not supported"
        for path in ("/csp/gateway/am/api/nope", f"{AUTHORIZE}/", "/csp"):  # no such operation: its 404 too
            assert gateway_error(c.post(path), 404)["message"] == "The requested resource could not be found"


def test_api_tokens_need_the_admin_credential_and_a_known_user(server):
    with server.client() as c:
        assert (
            c.post("/_localsphere/api-tokens", json={"username": "administrator@vsphere.local"}).status_code
            == 401
        )
    r = server.control("POST", "/api-tokens", json={"username": "nobody@vsphere.local"})
    assert r.status_code == 400
