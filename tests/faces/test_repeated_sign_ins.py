"""Repeated sign-ins with the same password are recognised without a new argon2 verify, and that
changes nothing a client can see: a wrong password still fails and counts towards the lockout, a
locked, disabled or re-passworded account is refused although its old password was recognised."""

import pytest

from helpers import assert_error, sign_in, vcenter_session

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

LOCAL = "/v1/users/local/admin"


def test_the_same_credentials_again_and_again(server):
    sessions = {vcenter_session(server) for _ in range(20)}
    assert len(sessions) == 20  # each sign-in opens its own session


def test_a_recognised_password_still_meets_the_lockout(server):
    assert sign_in(server, "operator@vsphere.local").status_code == 200  # now recognised
    for _ in range(5):
        assert_error(sign_in(server, "operator@vsphere.local", "Wrong!Pass1"), 401, "Unauthenticated")
    assert_error(sign_in(server, "operator@vsphere.local"), 401, "ACCOUNT_LOCKED")
    server.advance(301)
    assert sign_in(server, "operator@vsphere.local").status_code == 200


def test_a_recognised_password_of_a_disabled_or_changed_account_is_refused(api, server):
    assert api.patch(LOCAL, json={"newPassword": "First!Pass2026"}).status_code == 204
    for _ in range(3):
        assert sign_in(server, "admin@local", "First!Pass2026").status_code == 200
    r = api.patch(LOCAL, json={"oldPassword": "First!Pass2026", "newPassword": "Second!Pass2026"})
    assert r.status_code == 204
    assert sign_in(server, "admin@local", "First!Pass2026").status_code == 401
    assert sign_in(server, "admin@local", "Second!Pass2026").status_code == 200
    assert api.delete(LOCAL).status_code == 204
    assert sign_in(server, "admin@local", "Second!Pass2026").status_code == 401
