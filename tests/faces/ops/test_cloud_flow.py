"""The seed's cloud flow: an API token made for a user (control API), traded at the gateway for a
1799-second access token, used as ``Authorization: CSPToken``, refused with 1512 once expired."""

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
        r = c.post(AUTHORIZE, content=f"refresh_token={made['token']}", headers=FORM)
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


def test_revoked_or_unknown_api_tokens_are_refused(server):
    made = make_api_token(server, "viewer@vsphere.local")
    assert server.control("DELETE", f"/api-tokens/{made['id']}").status_code == 204
    assert server.control("DELETE", f"/api-tokens/{made['id'][:-1]}x").status_code == 404
    with server.client() as c:
        for token in (made["token"], "x" * 64):
            r = c.post(AUTHORIZE, content=f"refresh_token={token}", headers=FORM)
            assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_the_gateway_wants_a_form(server):
    made = make_api_token(server)
    with server.client() as c:
        r = c.post(AUTHORIZE, json={"refresh_token": made["token"]})
        assert r.status_code == 415
        r = c.post(AUTHORIZE, content="", headers=FORM)
        assert r.status_code == 400


def test_api_tokens_need_the_admin_credential_and_a_known_user(server):
    with server.client() as c:
        assert (
            c.post("/_localsphere/api-tokens", json={"username": "administrator@vsphere.local"}).status_code
            == 401
        )
    r = server.control("POST", "/api-tokens", json={"username": "nobody@vsphere.local"})
    assert r.status_code == 400
