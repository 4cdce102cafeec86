"""Users and roles: bad input, who may write, and what deleting a user does to its tokens."""

import pytest

from conftest import ADMIN_ROLE, OPERATOR_ROLE, VIEWER_ROLE
from helpers import assert_error, get_users, sign_in

pytestmark = pytest.mark.every_backend  # see tests/conftest.py


def user(name="USER_1@vsphere.local", kind="USER", role=VIEWER_ROLE, domain="vsphere.local"):
    return {"name": name, "domain": domain, "type": kind, "role": {"id": role}}


@pytest.mark.parametrize(
    ("body", "code", "argument"),
    [
        (
            [user(role="dce22906-47db-412c-b39a-02995cbda4e1")],
            "ROLE_NOT_FOUND",
            "dce22906-47db-412c-b39a-02995cbda4e1",
        ),
        ([user("USER_9@vsphere.local")], "USER_NOT_FOUND_IN_DOMAIN", "USER_9@vsphere.local"),
        ([user(domain="corp.local")], "DOMAIN_MISMATCH", "USER_1@vsphere.local"),
        ([user("USER_1", domain="nowhere.local")], "SSO_DOMAIN_NOT_FOUND", "nowhere.local"),
        ([user("USER_1", domain=None)], "DOMAIN_REQUIRED", "USER_1"),
        ([user("administrator@vsphere.local")], "USER_ALREADY_EXISTS", "administrator@vsphere.local"),
        ([user("automationapp", "SERVICE")], "USER_ALREADY_EXISTS", "automationapp"),
        ([user(), user()], "USER_ALREADY_EXISTS", "USER_1@vsphere.local"),
        ([user("group_1@vsphere.local")], "USER_NOT_FOUND_IN_DOMAIN", "group_1@vsphere.local"),
        ([user("admin@local", domain="local")], "SSO_DOMAIN_NOT_FOUND", "local"),
    ],
)
def test_add_users_refuses_bad_references(api, body, code, argument):
    r = api.post("/v1/users", json=body)
    assert_error(r, 400, code)
    assert argument in r.json()["arguments"]
    assert len(api.get("/v1/users").json()["elements"]) == 4  # all or nothing


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x"}, "body"),
        ([], "body"),
        (["USER_1"], "[0]"),
        ([{"domain": "vsphere.local", "type": "USER", "role": {"id": VIEWER_ROLE}}], "[0].name"),
        ([user(kind="ROBOT")], "[0].type"),
        ([{**user(), "role": None}], "[0].role"),
        ([{**user(), "role": {"id": 7}}], "[0].role.id"),
        ([{**user(), "name": ["USER_1"]}], "[0].name"),
        ([user(), {**user("USER_2@vsphere.local"), "domain": 3}], "[1].domain"),
    ],
)
def test_add_users_refuses_wrong_shapes(api, body, field):
    r = api.post("/v1/users", json=body)
    assert_error(r, 400, "INVALID_INPUT")
    assert r.json()["arguments"] == [field]


def test_add_users_with_broken_json(api):
    r = api.post("/v1/users", content=b"[{", headers={"Content-Type": "application/json"})
    assert_error(r, 400, "MALFORMED_JSON")


def test_oversized_body_is_refused(api):
    r = api.post(
        "/v1/users", content=b"[" + b" " * (1 << 20) + b"]", headers={"Content-Type": "application/json"}
    )
    assert_error(r, 413, "REQUEST_TOO_LARGE")


def test_delete_unknown_user(api):
    assert_error(api.delete("/v1/users/618ec78a-a163-4029-b759-9ea8bd0f0e7f"), 404, "USER_NOT_FOUND")


def test_unknown_path_and_method(api):
    assert_error(api.get("/v1/nothing-here"), 404, "NOT_FOUND")
    r = api.put("/v1/roles", json={})
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in r.headers["allow"] and "PUT" not in r.headers["allow"]


def test_unknown_sso_domain(api):
    assert_error(api.get("/v1/sso-domains/corp.local/entities"), 404, "SSO_DOMAIN_NOT_FOUND")


def test_ui_users_leave_out_service_accounts(api):
    names = {e["name"] for e in api.get("/v1/users/ui").json()["elements"]}
    assert names == {"administrator@vsphere.local", "operator@vsphere.local", "viewer@vsphere.local"}


def test_added_user_signs_in_with_the_role_given(api, server):
    assert sign_in(server, "USER_1@vsphere.local").status_code == 403
    api.post("/v1/users", json=[user(role=OPERATOR_ROLE)])
    r = sign_in(server, "USER_1@vsphere.local")
    assert r.status_code == 200
    with server.client(headers={"Authorization": f"Bearer {r.json()['accessToken']}"}) as c:
        assert c.get("/v1/users").status_code == 200
        assert_error(c.post("/v1/users", json=[user("USER_2@vsphere.local")]), 403, "Forbidden")


def test_a_role_given_to_a_group_is_held_by_its_members(api, server):
    r = api.post("/v1/users", json=[user("group_1", "GROUP", ADMIN_ROLE)])
    assert r.status_code == 201
    assert r.json()["elements"][0]["name"] == "group_1@vsphere.local"
    token = sign_in(server, "USER_2@vsphere.local").json()["accessToken"]
    assert get_users(server, token).status_code == 200
    assert sign_in(server, "USER_3@vsphere.local").status_code == 403  # not a member
    api.delete(f"/v1/users/{r.json()['elements'][0]['id']}")
    assert_error(get_users(server, token), 401, "Unauthenticated")


def test_deleting_a_user_stops_its_tokens_at_once(api, server):
    grant = api.post("/v1/users", json=[user(role=ADMIN_ROLE)]).json()["elements"][0]
    pair = sign_in(server, "USER_1@vsphere.local").json()
    assert get_users(server, pair["accessToken"]).status_code == 200
    assert api.delete(f"/v1/users/{grant['id']}").status_code == 204
    assert_error(get_users(server, pair["accessToken"]), 401, "Unauthenticated")
    with server.client() as c:
        r = c.patch("/v1/tokens/access-token/refresh", json=pair["refreshToken"]["id"])
    assert_error(r, 404, "REFRESH_TOKEN_NOT_FOUND")
    assert_error(sign_in(server, "USER_1@vsphere.local"), 403, "Forbidden")


def test_deleting_a_service_user_removes_it(api, server):
    created = api.post("/v1/users", json=[user("robot", "SERVICE", ADMIN_ROLE)]).json()["elements"][0]
    with server.client() as c:
        r = c.post("/v1/tokens", json={"username": "robot", "apiKey": created["apiKey"]})
        token = r.json()["accessToken"]
        assert api.delete(f"/v1/users/{created['id']}").status_code == 204
        assert_error(get_users(server, token), 401, "Unauthenticated")
        r = c.post("/v1/tokens", json={"username": "robot", "apiKey": created["apiKey"]})
        assert_error(r, 401, "Unauthenticated")
    again = api.post("/v1/users", json=[user("robot", "SERVICE", ADMIN_ROLE)])
    assert again.status_code == 201 and again.json()["elements"][0]["apiKey"] != created["apiKey"]


WRITES = [
    ("POST", "/v1/users", [user()]),
    ("DELETE", "/v1/users/{admin_id}", None),
    ("PATCH", "/v1/users/local/admin", {"newPassword": "Fresh!Start2026"}),
    ("DELETE", "/v1/users/local/admin", None),
    ("PATCH", "/v1/users/local/admin/config", {"enforceExpiryForAdmin": True}),
]
READS = [
    "/v1/users",
    "/v1/users/ui",
    "/v1/roles",
    "/v1/sso-domains",
    "/v1/sso-domains/vsphere.local/entities",
    "/v1/users/local/admin",
]


@pytest.mark.parametrize("who", ["viewer@vsphere.local", "operator@vsphere.local"])
def test_viewer_and_operator_read_but_never_write(api, server, who):
    admin_id = next(e["id"] for e in api.get("/v1/users").json()["elements"] if e["name"].startswith("admin"))
    before = api.get("/v1/users").json()
    token = sign_in(server, who).json()["accessToken"]
    with server.client(headers={"Authorization": f"Bearer {token}"}) as c:
        for path in READS:
            assert c.get(path).status_code == 200, path
        for method, path, body in WRITES:
            r = c.request(method, path.format(admin_id=admin_id), json=body)
            assert_error(r, 403, "Forbidden")
            assert "USER_WRITE" in r.json()["arguments"]
    assert api.get("/v1/users").json() == before
    assert api.get("/v1/users/local/admin").json()["isConfigured"] is False
