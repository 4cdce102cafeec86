"""The local account admin@local: first configuration, changes, policy, disabling, expiry."""

import pytest

from helpers import assert_error, get_users, sign_in
from world.test_password_policy import RULES

LOCAL = "/v1/users/local/admin"


@pytest.mark.parametrize(("rule", "good", "bad", "words"), RULES, ids=[r[0] for r in RULES])
def test_policy_rule_over_the_wire(api, server, rule, good, bad, words):
    r = api.patch(LOCAL, json={"newPassword": bad})
    body = assert_error(r, 400, "PASSWORD_POLICY_VIOLATION")
    assert any(words in a for a in body["arguments"])
    assert api.get(LOCAL).json()["isConfigured"] is False
    assert api.patch(LOCAL, json={"newPassword": good}).status_code == 204
    assert sign_in(server, "admin@local", good).status_code == 200


def test_change_needs_the_right_old_password(api, server):
    assert api.patch(LOCAL, json={"newPassword": "First!Pass2026"}).status_code == 204
    assert_error(api.patch(LOCAL, json={"newPassword": "Second!Pass2026"}), 400, "OLD_PASSWORD_REQUIRED")
    r = api.patch(LOCAL, json={"oldPassword": "Wrong!Pass2026", "newPassword": "Second!Pass2026"})
    assert_error(r, 400, "INCORRECT_OLD_PASSWORD")
    assert sign_in(server, "admin@local", "First!Pass2026").status_code == 200
    r = api.patch(LOCAL, json={"oldPassword": "First!Pass2026", "newPassword": "Second!Pass2026"})
    assert r.status_code == 204
    assert sign_in(server, "admin@local", "First!Pass2026").status_code == 401
    assert sign_in(server, "admin@local", "Second!Pass2026").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "INVALID_INPUT"),
        ({"newPassword": 12345678901234}, 400, "INVALID_INPUT"),
        ({"newPassword": ""}, 400, "INVALID_INPUT"),
        ([], 400, "INVALID_INPUT"),
    ],
)
def test_malformed_password_requests(api, body, status, code):
    assert_error(api.patch(LOCAL, json=body), status, code)


def test_unconfigured_local_account_cannot_sign_in(server):
    assert_error(sign_in(server, "admin@local", ""), 401, "Unauthenticated")


def test_disable_ends_sessions_and_sign_in(api, server):
    api.patch(LOCAL, json={"newPassword": "First!Pass2026"})
    token = sign_in(server, "admin@local", "First!Pass2026").json()["accessToken"]
    assert get_users(server, token).status_code == 200
    assert api.delete(LOCAL).status_code == 204
    assert api.get(LOCAL).json()["isConfigured"] is False
    assert_error(get_users(server, token), 401, "Unauthenticated")
    assert_error(sign_in(server, "admin@local", "First!Pass2026"), 401, "Unauthenticated")
    assert api.patch(LOCAL, json={"newPassword": "Again!Pass2026"}).status_code == 204  # configure anew


def test_enforced_expiry(api, server):
    api.patch(LOCAL, json={"newPassword": "First!Pass2026"})
    assert api.patch(f"{LOCAL}/config", json={"enforceExpiryForAdmin": True}).status_code == 204
    local = api.get(LOCAL).json()
    assert local["isExpirationEnabled"] is True
    assert local["passwordExpirationTimestamp"] > local["modificationTimestamp"]
    assert_error(api.patch(f"{LOCAL}/config", json={"enforceExpiryForAdmin": "yes"}), 400, "INVALID_INPUT")
    server.advance(89 * 86400)
    assert sign_in(server, "admin@local", "First!Pass2026").status_code == 200
    server.advance(2 * 86400)
    assert_error(sign_in(server, "admin@local", "First!Pass2026"), 401, "PASSWORD_EXPIRED")


def test_locked_local_account_shows_as_locked(api, server):
    api.patch(LOCAL, json={"newPassword": "First!Pass2026"})
    for _ in range(5):
        sign_in(server, "admin@local", "Wrong!Pass2026")
    assert api.get(LOCAL).json()["isAccountLocked"] is True
    assert_error(sign_in(server, "admin@local", "First!Pass2026"), 401, "ACCOUNT_LOCKED")
