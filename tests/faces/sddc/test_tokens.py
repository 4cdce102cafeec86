"""Tokens: sign-in, expiry on the world clock, refresh, revocation, forgery, lockout."""

import base64
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import DEMO_PASSWORD
from helpers import ADMIN, assert_error, get_users, sign_in


def test_password_sign_in_carries_the_role_scopes(server):
    r = sign_in(server, "viewer@vsphere.local")
    assert r.status_code == 200
    payload = r.json()["accessToken"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["sub"] == claims["user"] == claims["name"] == "viewer@vsphere.local"
    assert sorted(claims["scope"]) == ["BACKUP_CONFIG_READ", "OTHER_READ", "USER_READ"]


def test_login_is_case_insensitive(server):
    assert sign_in(server, "Administrator@VSPHERE.local").status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [(ADMIN, "wrong"), ("nobody@vsphere.local", DEMO_PASSWORD), ("group_1@vsphere.local", "x")],
)
def test_bad_credentials_are_refused(server, username, password):
    body = assert_error(sign_in(server, username, password), 401, "Unauthenticated")
    assert body["arguments"] == []


def test_user_without_an_sddc_role_cannot_sign_in(server):
    assert_error(sign_in(server, "USER_1@vsphere.local"), 403, "Forbidden")


def test_stale_bearer_on_token_creation_is_ignored(server):
    assert sign_in(server, headers={"Authorization": "Bearer expired.garbage.token"}).status_code == 200


def test_wrong_api_key_is_refused(server):
    with server.client() as c:
        r = c.post("/v1/tokens", json={"username": "automationapp", "apiKey": "x" * 32})
    assert_error(r, 401, "Unauthenticated")


@pytest.mark.parametrize(
    "body",
    [{"username": ADMIN}, {"password": DEMO_PASSWORD}, {"username": 5, "password": DEMO_PASSWORD}, [], "x"],
)
def test_malformed_token_requests(server, body):
    with server.client() as c:
        assert_error(c.post("/v1/tokens", json=body), 400, "INVALID_INPUT")


def test_broken_json(server):
    with server.client() as c:
        r = c.post("/v1/tokens", content=b'{"username": ', headers={"Content-Type": "application/json"})
    assert_error(r, 400, "MALFORMED_JSON")


def test_missing_authorization(server):
    with server.client() as c:
        body = assert_error(c.get("/v1/users"), 401, "Unauthorized")
        assert body["message"] == "Authorization Header is missing or not in correct format"
        assert_error(
            c.get("/v1/users", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}), 401, "Unauthorized"
        )


def test_forged_token_is_refused(server):
    token = server.token()
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert_error(get_users(server, f"{head}.{forged}.{signature}"), 401, "Unauthenticated")
    assert_error(get_users(server, f"{head}.{payload}.{signature[:-4]}AAAA"), 401, "Unauthenticated")
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    assert_error(get_users(server, f"{unsigned}.{payload}."), 401, "Unauthenticated")


def test_access_token_expires_on_the_world_clock(server):
    token = server.token()
    assert get_users(server, token).status_code == 200
    server.advance(3599)
    assert get_users(server, token).status_code == 200
    server.advance(2)
    assert_error(get_users(server, token), 401, "Unauthenticated")


def test_refresh_returns_a_new_access_token(server):
    pair = sign_in(server).json()
    server.advance(4000)  # the access token has expired; the refresh token lives a day
    assert get_users(server, pair["accessToken"]).status_code == 401
    with server.client() as c:
        r = c.patch("/v1/tokens/access-token/refresh", json=pair["refreshToken"]["id"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    fresh = r.json()
    assert isinstance(fresh, str) and fresh != pair["accessToken"]
    assert get_users(server, fresh).status_code == 200


def test_refresh_accepts_the_raw_id_as_plain_text(server):
    refresh_id = sign_in(server).json()["refreshToken"]["id"]
    with server.client() as c:
        r = c.patch(
            "/v1/tokens/access-token/refresh", content=refresh_id, headers={"Content-Type": "text/plain"}
        )
    assert r.status_code == 200 and get_users(server, r.json()).status_code == 200


def test_refresh_token_expires(server):
    refresh_id = sign_in(server).json()["refreshToken"]["id"]
    server.advance(86401)
    with server.client() as c:
        assert_error(
            c.patch("/v1/tokens/access-token/refresh", json=refresh_id), 404, "REFRESH_TOKEN_NOT_FOUND"
        )


def test_unknown_or_empty_refresh_token(server):
    with server.client() as c:
        r = c.patch("/v1/tokens/access-token/refresh", json="3c6b3c30-3bf2-480b-9539-8483699ab911")
        assert_error(r, 404, "REFRESH_TOKEN_NOT_FOUND")
        r = c.patch(
            "/v1/tokens/access-token/refresh", content=b"", headers={"Content-Type": "application/json"}
        )
        assert_error(r, 400, "REQUEST_BODY_MISSING")


def test_invalidating_the_refresh_token_revokes_its_access_tokens(server):
    pair = sign_in(server).json()
    refresh_id = pair["refreshToken"]["id"]
    with server.client() as c:
        second = c.patch("/v1/tokens/access-token/refresh", json=refresh_id).json()
        r = c.request("DELETE", "/v1/tokens/refresh-token", json=refresh_id)
        assert r.status_code == 204
        assert_error(
            c.patch("/v1/tokens/access-token/refresh", json=refresh_id), 404, "REFRESH_TOKEN_NOT_FOUND"
        )
    assert_error(get_users(server, pair["accessToken"]), 401, "Unauthenticated")
    assert_error(get_users(server, second), 401, "Unauthenticated")
    assert get_users(server, server.token()).status_code == 200  # other sessions are untouched


def test_lockout_after_repeated_failures(server):
    for _ in range(4):
        assert sign_in(server, password="wrong").status_code == 401
    assert sign_in(server).status_code == 200  # success clears the count
    for _ in range(5):
        assert sign_in(server, password="wrong").status_code == 401
    body = assert_error(sign_in(server), 401, "ACCOUNT_LOCKED")
    assert "locked" in body["message"]
    assert "remediationMessage" in body
    assert sign_in(server, "operator@vsphere.local").status_code == 200  # only that account
    server.advance(301)
    assert sign_in(server).status_code == 200


def test_failures_outside_the_window_do_not_add_up(server):
    for _ in range(4):
        assert sign_in(server, password="wrong").status_code == 401
    server.advance(181)
    assert sign_in(server, password="wrong").status_code == 401
    assert sign_in(server).status_code == 200


def test_service_account_lockout_by_api_key(server):
    with server.client() as c:
        for _ in range(5):
            assert (
                c.post("/v1/tokens", json={"username": "automationapp", "apiKey": "bad"}).status_code == 401
            )
        r = c.post(
            "/v1/tokens", json={"username": "automationapp", "apiKey": "6598S0SIQC04sGjEr0nIeDlZx18GYRoT"}
        )
    assert_error(r, 401, "ACCOUNT_LOCKED")


@pytest.mark.every_backend  # concurrent writes: PostgreSQL locks otherwise than SQLite
def test_concurrent_failures_all_count(server):
    with ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(lambda _: sign_in(server, password="wrong").status_code, range(5)))
    assert statuses == [401] * 5
    assert_error(sign_in(server), 401, "ACCOUNT_LOCKED")
