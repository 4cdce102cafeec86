"""Every example of the SDDC Manager users/roles/tokens reference, replayed over HTTPS.

Ids, keys and timestamps are the world's own; everything else is the seed's literal wire format.
"""

import base64
import json
import re

from conftest import ADMIN_ROLE, OPERATOR_ROLE, VIEWER_ROLE

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
API_KEY = re.compile(r"^[A-Za-z0-9]{32}$")
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_add_users(api):
    body = [
        {
            "name": "USER_1@vsphere.local",
            "domain": "vsphere.local",
            "type": "USER",
            "role": {"id": VIEWER_ROLE},
        },
        {
            "name": "USER_2@vsphere.local",
            "domain": "vsphere.local",
            "type": "USER",
            "role": {"id": VIEWER_ROLE},
        },
        {"name": "SERVICE_USER_1", "type": "SERVICE", "role": {"id": VIEWER_ROLE}},
    ]
    r = api.post("/v1/users", json=body, headers=HEADERS)
    assert r.status_code == 201
    assert r.headers["content-type"] == "application/json"
    elements = r.json()["elements"]
    assert [list(e) for e in elements] == [
        ["id", "name", "domain", "type", "role", "creationTimestamp"],
        ["id", "name", "domain", "type", "role", "creationTimestamp"],
        ["id", "name", "domain", "type", "apiKey", "role", "creationTimestamp"],
    ]
    for sent, got in zip(body, elements, strict=True):
        assert UUID.match(got["id"])
        assert got["name"] == sent["name"] and got["type"] == sent["type"] and got["role"] == sent["role"]
        assert TIMESTAMP.match(got["creationTimestamp"])
    assert [e["domain"] for e in elements] == ["vsphere.local", "vsphere.local", "Nil"]
    assert API_KEY.match(elements[2]["apiKey"])


def test_add_service_user_and_sign_in_with_its_api_key(api, server):
    r = api.post(
        "/v1/users", json=[{"name": "service_account_1", "type": "SERVICE", "role": {"id": OPERATOR_ROLE}}]
    )
    assert r.status_code == 201
    (user,) = r.json()["elements"]
    assert user["name"] == "service_account_1" and user["domain"] == "Nil" and user["type"] == "SERVICE"
    assert user["role"] == {"id": OPERATOR_ROLE}
    with server.client() as c:
        r = c.post(
            "/v1/tokens", json={"username": "service_account_1", "apiKey": user["apiKey"]}, headers=HEADERS
        )
    assert r.status_code == 200
    assert claims(r.json()["accessToken"])["sub"] == "service_account_1"


def test_obtain_token_for_service_user_as_in_the_example(server):
    with server.client() as c:
        r = c.post(
            "/v1/tokens",
            headers=HEADERS,
            json={"username": "automationapp", "apiKey": "6598S0SIQC04sGjEr0nIeDlZx18GYRoT"},
        )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert list(body) == ["accessToken", "refreshToken"]
    assert list(body["refreshToken"]) == ["id"] and UUID.match(body["refreshToken"]["id"])
    header, _, _ = body["accessToken"].split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256"}
    payload = claims(body["accessToken"])
    assert list(payload) == ["jti", "iat", "sub", "iss", "aud", "nbf", "exp", "user", "name", "scope"]
    assert payload["iss"] == "vcf-auth" and payload["aud"] == "sddc-services"
    assert payload["exp"] - payload["iat"] == 3600 and payload["nbf"] == payload["iat"]
    assert sorted(payload["scope"]) == sorted(
        [
            "BACKUP_CONFIG_READ",
            "CREDENTIAL_READ",
            "USER_WRITE",
            "OTHER_WRITE",
            "BACKUP_CONFIG_WRITE",
            "OTHER_READ",
            "USER_READ",
            "CREDENTIAL_WRITE",
        ]
    )


def test_get_users(api):
    r = api.get("/v1/users", headers=HEADERS)
    assert r.status_code == 200
    elements = r.json()["elements"]
    assert list(r.json()) == ["elements"]
    by_name = {e["name"]: e for e in elements}
    assert by_name["administrator@vsphere.local"]["role"] == {"id": ADMIN_ROLE}
    assert by_name["operator@vsphere.local"]["role"] == {"id": OPERATOR_ROLE}
    assert by_name["viewer@vsphere.local"]["role"] == {"id": VIEWER_ROLE}
    assert by_name["automationapp"]["type"] == "SERVICE" and by_name["automationapp"]["domain"] == "Nil"
    assert "apiKey" not in by_name["automationapp"]  # shown once, when created
    assert "admin@local" not in by_name
    for e in elements:
        assert list(e) == ["id", "name", "domain", "type", "role", "creationTimestamp"]


def test_delete_a_user(api):
    r = api.post(
        "/v1/users",
        json=[
            {
                "name": "USER_1@vsphere.local",
                "domain": "vsphere.local",
                "type": "USER",
                "role": {"id": VIEWER_ROLE},
            }
        ],
    )
    user_id = r.json()["elements"][0]["id"]
    r = api.delete(f"/v1/users/{user_id}", headers=HEADERS)
    assert r.status_code == 204 and r.content == b""
    assert user_id not in {e["id"] for e in api.get("/v1/users").json()["elements"]}


def test_get_the_roles(api):
    r = api.get("/v1/roles", headers=HEADERS)
    assert r.status_code == 200
    assert r.json() == {
        "elements": [
            {"id": ADMIN_ROLE, "name": "ADMIN", "description": "Administrator"},
            {"id": OPERATOR_ROLE, "name": "OPERATOR", "description": "Operator"},
            {"id": VIEWER_ROLE, "name": "VIEWER", "description": "Viewer"},
        ]
    }


def test_get_sso_domain(api):
    r = api.get("/v1/sso-domains", headers=HEADERS)
    assert r.status_code == 200
    assert r.text == '{"elements":["vsphere.local"]}'


def test_get_sso_domain_entities(api):
    r = api.get("/v1/sso-domains/vsphere.local/entities", headers=HEADERS)
    assert r.status_code == 200
    elements = r.json()["elements"]
    users = [e for e in elements if e["type"] == "USER"]
    groups = [e for e in elements if e["type"] == "GROUP"]
    assert elements == users + groups  # users first, as in the example
    assert {"id": "USER_1@vsphere.local", "name": "USER_1", "type": "USER"} in users
    assert {"id": "vsphere.local\\\\group_1", "name": "", "type": "GROUP"} in groups
    assert len(groups) == 4
    assert '"id":"vsphere.local\\\\\\\\group_1"' in r.text  # the literal escaping of the example


def test_get_sso_domain_entities_filtered_by_name(api):
    r = api.get("/v1/sso-domains/vsphere.local/entities", params={"entityName": "user_"})
    assert [e["id"] for e in r.json()["elements"]] == [f"USER_{i}@vsphere.local" for i in range(1, 5)]


def test_get_local_account_details(api):
    r = api.get("/v1/users/local/admin", headers=HEADERS)
    assert r.status_code == 200
    assert r.json() == {
        "isConfigured": False,
        "name": "admin@local",
        "type": "USER",
        "role": {"id": ADMIN_ROLE},
    }


def test_update_password_for_local_account(api):
    r = api.patch("/v1/users/local/admin", json={"newPassword": "Fresh!Start2026"}, headers=HEADERS)
    assert r.status_code == 204 and r.content == b""
    r = api.patch(
        "/v1/users/local/admin",
        json={"oldPassword": "Fresh!Start2026", "newPassword": "Second#Go2026"},
        headers=HEADERS,
    )
    assert r.status_code == 204
    local = api.get("/v1/users/local/admin").json()
    assert local["isConfigured"] is True and local["name"] == "admin@local"
    assert local["isAccountLocked"] is False and local["isExpirationEnabled"] is False
    assert TIMESTAMP.match(local["modificationTimestamp"])
