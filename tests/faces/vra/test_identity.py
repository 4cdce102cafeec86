"""vRA 6.2's identity service on the wire: the Programming Guide's curl examples replayed as they
are written, tokens (HEAD, DELETE, expiry on the world clock), tenants, identity stores linked to
a real OpenLDAP slapd, principals, business groups, role assignments, paging and filtering, and
tenant isolation."""

import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import DEMO_PASSWORD, Server
from vra_helpers import assert_vra_error, bearer, token

BASE = "/identity/api"
DOMAIN = "example.mycompany.com"
TENANT = {
    "@type": "Tenant",
    "id": "development",
    "urlName": "development",
    "name": "DevelopmentTenant",
    "description": "Tenant for all developers",
    "contactEmail": "dev@example.com",
    "defaultTenant": False,
}


def curl(server, *args):
    """The Programming Guide's curl command, against the live server, trusting its certificate."""
    out = subprocess.run(
        ["curl", "-s", "-S", "--cacert", server.cert, "-w", "\n%{http_code}", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    body, _, status = out.rpartition("\n")
    return int(status), body


def ldap_store(slapd, **changes):
    spec = {
        "alias": "example.com",
        "domain": DOMAIN,
        "groupBaseSearchDn": slapd.group_base,
        "name": "openLDAPDemo",
        "password": slapd.admin_password,
        "type": "LDAP",
        "url": slapd.url,
        "userBaseSearchDn": slapd.user_base,
        "userNameDn": slapd.admin_dn,
    }
    return spec | changes


@pytest.fixture
def linked(server, slapd):
    """The development tenant with the demo directory linked; yields the system admin's token."""
    admin = token(server)
    with server.client(headers=bearer(admin)) as c:
        assert c.put(f"{BASE}/tenants/development", json=TENANT).status_code == 201
        r = c.put(f"{BASE}/tenants/development/directories/{DOMAIN}", json=ldap_store(slapd))
        assert r.status_code == 204, r.text
    return admin


# --- the Programming Guide, literally -----------------------------------------------------------


def test_the_guides_curl_examples(server, slapd):
    host = server.https.removeprefix("https://")
    status, body = curl(
        server,
        "-H",
        "Accept: application/json",
        "-H",
        "Content-Type: application/json",
        "--data",
        '{"username":"administrator@vsphere.local","password":"VMware1!","tenant":"vsphere.local"}',
        f"https://{host}/identity/api/tokens",
    )
    assert status == 200
    answer = json.loads(body)
    assert list(answer) == ["expires", "id", "tenant"] and answer["tenant"] == "vsphere.local"
    assert answer["expires"].endswith("Z") and len(answer["expires"]) == 24
    tok = answer["id"]
    auth = f"Authorization: Bearer {tok}"

    # 1. the tenants, as XML
    status, body = curl(server, "-H", "Accept:text/xml", "-H", auth, f"https://{host}/identity/api/tenants")
    assert status == 200
    root = ET.fromstring(body)
    assert root.find("content/id").text == "vsphere.local"
    assert root.find("content/defaultTenant").text == "true"
    assert root.find("metadata/totalElements").text == "2"  # and the demo world's org, demo-org

    # 2. a new tenant, from a file (POST, as --data sends it) and inline (PUT, the reference's verb)
    status, body = curl(
        server,
        "-H",
        "Content-Type: application/json",
        "-H",
        auth,
        f"https://{host}/identity/api/tenants/development",
        "--data",
        json.dumps(TENANT),
    )
    assert status == 201, body
    assert json.loads(body)["name"] == "DevelopmentTenant" and json.loads(body)["password"] is None
    status, body = curl(
        server,
        "-X",
        "PUT",
        "-H",
        "Accept: application/json",
        "-H",
        "Content-Type: application/json",
        "-H",
        auth,
        "--data",
        json.dumps(TENANT | {"name": "Development"}),
        f"https://{host}/identity/api/tenants/development",
    )
    assert status == 200 and json.loads(body)["name"] == "Development"

    # 3. the identity stores of a tenant: none yet
    status, body = curl(
        server,
        "-H",
        "Accept: application/json",
        "-H",
        auth,
        f"https://{host}/identity/api/tenants/development/directories",
    )
    assert status == 200 and json.loads(body)["content"] == []

    # 4. link the directory, with the file's contents, as --data sends them
    status, body = curl(
        server,
        "-H",
        "Content-Type: application/json",
        "-H",
        auth,
        f"https://{host}/identity/api/tenants/development/directories/{DOMAIN}",
        "--data",
        json.dumps(ldap_store(slapd)),
    )
    assert status == 204, body
    status, body = curl(
        server,
        "-H",
        "Accept: application/json",
        "-H",
        auth,
        f"https://{host}/identity/api/tenants/development/directories",
    )
    (store,) = json.loads(body)["content"]
    assert list(store) == [
        "@type",
        "domain",
        "name",
        "description",
        "alias",
        "type",
        "userNameDn",
        "password",
        "url",
        "groupBaseSearchDn",
        "userBaseSearchDn",
    ]
    assert store["@type"] == "IdentityStore" and store["password"] is None and store["type"] == "LDAP"
    assert slapd.admin_password not in body

    # 5. a user of the directory, as XML
    status, body = curl(
        server,
        "-H",
        "Accept:text/xml",
        "-H",
        auth,
        f"https://{host}/identity/api/tenants/development/principals/tony@{DOMAIN}",
    )
    assert status == 200, body
    user = ET.fromstring(body)
    assert user.tag == "user" and user.find("firstName").text == "Tony"
    assert user.find("principalId/domain").text == DOMAIN

    # 6. tony becomes the tenant's administrator: the URL ends in a slash, the body is "{}"
    status, body = curl(
        server,
        "-H",
        "Content-Type: application/json",
        "-H",
        auth,
        f"https://{host}/identity/api/authorization/tenants/development/principals/tony@{DOMAIN}/roles/CSP_TENANT_ADMIN/",
        "--data",
        "{}",
    )
    assert status == 204, body

    # 7. tony's roles
    status, body = curl(
        server,
        "-H",
        "Content-Type: application/json",
        "-H",
        auth,
        f"https://{host}/identity/api/authorization/tenants/development/principals/tony@{DOMAIN}/roles",
    )
    assert status == 200
    (held,) = json.loads(body)["content"]
    assert held["@type"] == "SystemRole" and held["id"] == "CSP_TENANT_ADMIN"
    assert {p["id"] for p in held["assignedPermissions"]} >= {
        "MY_TENANT_MANAGEMENT",
        "TENANT_ADMIN_ROLE_ASSIGNMENT",
    }


def test_token_head_delete_and_expiry_on_the_world_clock(server):
    tok = token(server)
    with server.client() as c:
        assert c.head(f"{BASE}/tokens/{tok}").status_code == 204
        assert c.head(f"{BASE}/tokens/garbage").status_code == 401
        assert c.head(f"{BASE}/tokens/{tok}/").status_code == 204
        assert c.get(f"{BASE}/tenants", headers=bearer(tok)).status_code == 200
        assert c.delete(f"{BASE}/tokens/{tok}").status_code == 204
        assert c.head(f"{BASE}/tokens/{tok}").status_code == 401
        assert_vra_error(c.get(f"{BASE}/tenants", headers=bearer(tok)), 401, 10000)
        assert_vra_error(c.delete(f"{BASE}/tokens/{tok}"), 401, 10000)
        assert c.get(f"{BASE}/tokens/{token(server)}").status_code == 405

    other = token(server)
    server.advance(24 * 3600 - 60)
    with server.client() as c:
        assert c.head(f"{BASE}/tokens/{other}").status_code == 204
    server.advance(120)  # past the default 24 hours
    with server.client() as c:
        assert c.head(f"{BASE}/tokens/{other}").status_code == 401


def test_sign_in_refusals_name_the_user_and_the_tenant(server):
    with server.client() as c:
        r = c.post(
            f"{BASE}/tokens", json={"username": "administrator", "password": "x", "tenant": "vsphere.local"}
        )
        (e,) = assert_vra_error(r, 401, 90135)
        assert e["message"] == "Unable to authenticate user administrator in tenant vsphere.local."
        r = c.post(
            f"{BASE}/tokens", json={"username": "administrator", "password": DEMO_PASSWORD, "tenant": "nope"}
        )
        assert_vra_error(r, 401, 90135)
        r = c.post(
            f"{BASE}/tokens",
            json={"username": "administrator@local", "password": "x", "tenant": "vsphere.local"},
        )
        assert_vra_error(r, 401, 90135)
        _, *rest = assert_vra_error(c.post(f"{BASE}/tokens", json={"username": 1}), 400, 20117)
        assert rest and rest[0]["code"] == 10101
        assert_vra_error(c.post(f"{BASE}/tokens", content=b"{"), 400, 20117)
    # the SSO user's one lockout count: five wrong passwords here lock vCenter's sign-in too
    with server.client() as c:
        for _ in range(5):
            c.post(
                f"{BASE}/tokens", json={"username": "viewer", "password": "bad", "tenant": "vsphere.local"}
            )
        assert c.post("/api/session", auth=("viewer@vsphere.local", DEMO_PASSWORD)).status_code == 401


# --- tenants ------------------------------------------------------------------------------------


def test_tenants_are_the_worlds_and_the_default_one_stays(server):
    admin = token(server)
    with server.client(headers=bearer(admin)) as c:
        dotted = TENANT | {"id": "dev.lab", "urlName": "dev.lab", "name": "ctl\u0001x"}
        assert c.put(f"{BASE}/tenants/dev.lab", json=dotted).status_code == 201
        xml = c.get(f"{BASE}/tenants/dev.lab", headers={"Accept": "text/xml"})
        assert ET.fromstring(xml.content).find("name").text == "ctl\ufffdx"  # well-formed XML
        for accept, kind in (
            ("text/xml;q=0", "json"),
            ("application/json;q=0.1, text/xml", "xml"),
            ("application/xml, application/json", "json"),
            ("*/*", "json"),
        ):
            r = c.get(f"{BASE}/tenants/dev.lab", headers={"Accept": accept})
            assert kind in r.headers["content-type"], (accept, r.headers["content-type"])
        assert c.delete(f"{BASE}/tenants/dev.lab").status_code == 204
        # an error answers XML too when the client asks for it
        missing = c.get(f"{BASE}/tenants/dev.lab", headers={"Accept": "text/xml"})
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/xml")
        (error,) = ET.fromstring(missing.content).findall("errors")
        assert (error.find("code").text, error.find("source").get("nil")) == ("10002", "true")
        unauthenticated = c.get(
            f"{BASE}/tenants", headers={"Accept": "text/xml", "Authorization": "Bearer x"}
        )
        assert unauthenticated.status_code == 401
        assert ET.fromstring(unauthenticated.content).find("errors/code").text == "10000"
        assert c.put(f"{BASE}/tenants/development", json=TENANT).status_code == 201
        r = c.get(f"{BASE}/tenants")
        assert [t["id"] for t in r.json()["content"]] == ["vsphere.local", "demo-org", "development"]
        assert r.json()["content"][2] == TENANT | {"password": None}
        assert c.get(f"{BASE}/tenants/DEVELOPMENT").json()["id"] == "development"
        assert_vra_error(c.put(f"{BASE}/tenants/other", json=TENANT), 400, 20117)  # id != path
        assert_vra_error(
            c.put(f"{BASE}/tenants/bad%20id", json=TENANT | {"id": "bad id", "urlName": None}), 400, 20117
        )
        assert_vra_error(c.delete(f"{BASE}/tenants/vsphere.local"), 400, 10004)
        assert c.delete(f"{BASE}/tenants/development").status_code == 204
        assert_vra_error(c.get(f"{BASE}/tenants/development"), 404, 10002)


def test_paging_filtering_and_ordering(server):
    admin = token(server)
    with server.client(headers=bearer(admin)) as c:
        for n in range(5):
            body = TENANT | {"id": f"t{n}", "urlName": f"t{n}", "name": f"Tenant {n}"}
            assert c.put(f"{BASE}/tenants/t{n}", json=body).status_code == 201
        page = c.get(
            f"{BASE}/tenants", params={"limit": 2, "page": 2}
        ).json()  # after vsphere.local, demo-org
        assert [t["id"] for t in page["content"]] == ["t0", "t1"]
        assert page["metadata"] == {"size": 2, "totalElements": 7, "totalPages": 4, "number": 2, "offset": 2}
        assert [link["rel"] for link in page["links"]] == ["first", "previous", "next", "last"]
        assert "page=3" in page["links"][2]["href"]
        assert c.get(page["links"][2]["href"]).json()["content"][0]["id"] == "t2"
        r = c.get(f"{BASE}/tenants", params={"$filter": "startswith(name,'Tenant') and id ne 't0'"})
        assert [t["id"] for t in r.json()["content"]] == ["t1", "t2", "t3", "t4"]
        r = c.get(f"{BASE}/tenants", params={"$filter": "substringof('nant 3', name)"})
        assert [t["id"] for t in r.json()["content"]] == ["t3"]
        r = c.get(f"{BASE}/tenants", params={"$orderby": "name desc", "$top": 2, "$skip": 1})
        assert [t["id"] for t in r.json()["content"]] == ["t4", "t3"]  # after "vsphere.local"
        assert c.get(f"{BASE}/tenants", params={"limit": 9999}).json()["metadata"]["size"] == 9999
        for huge in ("99999999", "1" + "0" * 30):  # clamped, not refused
            assert c.get(f"{BASE}/tenants", params={"limit": huge}).json()["metadata"]["size"] == 10_000
        assert c.get(f"{BASE}/tenants", params={"limit": "0" * 20 + "5"}).json()["metadata"]["size"] == 5
        empty = c.get(f"{BASE}/tenants", params={"$top": 0, "$skip": 1}).json()
        assert empty["content"] == [] and empty["links"] == []  # no "next" that never advances
        zero = c.get(f"{BASE}/tenants", params={"limit": 0, "page": 2}).json()  # as $top=0
        assert zero["content"] == [] and zero["links"] == [] and zero["metadata"]["size"] == 0
        assert zero["metadata"]["totalElements"] == empty["metadata"]["totalElements"] > 0
        page = c.get(f"{BASE}/tenants", params={"$skip": 1, "$top": 2}).json()
        assert [t["id"] for t in page["content"]] == ["demo-org", "t0"]
        links = {link["rel"]: link["href"] for link in page["links"]}
        assert "%24skip=3&%24top=2" in links["next"] and "%24skip=0&%24top=2" in links["previous"]
        roles = c.get(f"{BASE}/authorization/roles", params={"$filter": "startswith(id,'CSP_')", "limit": 3})
        assert [r["id"] for r in roles.json()["content"]] == [
            "CSP_ADMIN",
            "CSP_APPROVAL_ADMIN",
            "CSP_CONSUMER",
        ]
        assert roles.json()["metadata"]["totalElements"] == 6
        assert_vra_error(
            c.get(f"{BASE}/authorization/roles", params={"$filter": "password eq 'x'"}), 400, 20117
        )
        for bad in (
            {"$filter": "nope eq 1"},
            {"$filter": "name eq"},
            {"page": "0"},
            {"limit": "x"},
            {"$orderby": "x"},
        ):
            assert_vra_error(c.get(f"{BASE}/tenants", params=bad), 400, 20117)


# --- identity stores and LDAP principals --------------------------------------------------------


def test_linking_refuses_what_it_cannot_bind(server, slapd):
    admin = token(server)
    with server.client(headers=bearer(admin)) as c:
        assert c.put(f"{BASE}/tenants/development", json=TENANT).status_code == 201
        url = f"{BASE}/tenants/development/directories/{DOMAIN}"
        closed = slapd.url.rsplit(":", 1)[0] + ":1"
        for changes, code in (
            ({"url": closed}, 90027),
            ({"url": f"ldap://127.0.0.1:{server.http_port}"}, 90027),  # answers, but not LDAP
            ({"url": f"ldap://{'a' * 64}.example.com:389"}, 90027),
            ({"url": "ldap://[fe80::1%25eth0]:389"}, 90027),  # an address ldap3 cannot take
            ({"userNameDn": "not a dn"}, 90028),
            ({"password": "wrong-password"}, 90028),
            ({"userNameDn": f"cn=nobody,{slapd.user_base}"}, 90028),
            ({"userBaseSearchDn": f"ou=missing,{slapd.base}"}, 90029),
            ({"groupBaseSearchDn": f"ou=missing,{slapd.base}"}, 90029),
        ):
            r = c.put(url, json=ldap_store(slapd, **changes))
            assert len(assert_vra_error(r, 400, code)) == 1
            assert "Error" not in r.text and "Errno" not in r.text, r.text  # no library's words
            assert slapd.admin_password not in r.text and "wrong-password" not in r.text
        assert_vra_error(c.put(url, json=ldap_store(slapd, type="KERBEROS")), 400, 20117)
        # a domain no URL or principal id could name
        for domain in ("a/b", "x@y", "-", "a..b", "a-.b", "-a.b"):
            r = c.post(f"{BASE}/tenants/development/directories", json=ldap_store(slapd, domain=domain))
            assert_vra_error(r, 400, 20117)
        assert c.get(f"{BASE}/tenants/development/directories").json()["content"] == []
        # POST to the collection names the domain in the body; twice is a 400
        r = c.post(f"{BASE}/tenants/development/directories", json=ldap_store(slapd))
        assert r.status_code == 200 and r.json()["domain"] == DOMAIN and r.json()["password"] is None
        assert_vra_error(
            c.post(f"{BASE}/tenants/development/directories", json=ldap_store(slapd, name="x")), 400, 10004
        )
        assert c.get(f"{BASE}/tenants/development/directories/{DOMAIN}").json()["name"] == "openLDAPDemo"
        # the SSO domain is no store of another tenant's
        r = c.put(
            f"{BASE}/tenants/development/directories/vsphere.local", json=ldap_store(slapd, domain=None)
        )
        assert_vra_error(r, 400, 10004)
        # a change without a password keeps the sealed one
        r = c.put(url, json=ldap_store(slapd, password=None, name="renamed"))
        assert r.status_code == 204, r.text
        assert c.get(url).json()["name"] == "renamed"
    sealed = (server.data_dir / "secrets.key").exists()
    assert sealed
    if server.db_url is None:
        assert slapd.admin_password.encode() not in (server.data_dir / "localsphere.db").read_bytes()


def test_a_directory_user_signs_in_with_its_directory_password(server, slapd, linked):
    tony = slapd.users["tony"]
    with server.client() as c:
        ok = c.post(
            f"{BASE}/tokens", json={"username": f"tony@{DOMAIN}", "password": tony, "tenant": "development"}
        )
        assert ok.status_code == 200 and ok.json()["tenant"] == "development"
        bare = c.post(f"{BASE}/tokens", json={"username": "tony", "password": tony, "tenant": "development"})
        assert bare.status_code == 200  # the bare name, in the tenant's default store
        for wrong in (
            {"password": "nope"},
            {"password": ""},
            {"tenant": "vsphere.local"},
            {"username": "ghost"},
        ):
            body = {"username": f"tony@{DOMAIN}", "password": tony, "tenant": "development"} | wrong
            assert_vra_error(c.post(f"{BASE}/tokens", json=body), 401, 90135)
        # SSO users are not the development tenant's
        body = {"username": "administrator@vsphere.local", "password": DEMO_PASSWORD, "tenant": "development"}
        assert_vra_error(c.post(f"{BASE}/tokens", json=body), 401, 90135)
        me = ok.json()["id"]
        r = c.get(
            f"{BASE}/authorization/tenants/development/principals/tony@{DOMAIN}/roles", headers=bearer(me)
        )
        assert r.status_code == 200 and r.json()["content"] == []  # no role yet: its own roles it may read
        r = c.get(f"{BASE}/authorization/tenants/development/principals/tony/roles", headers=bearer(me))
        assert r.status_code == 200  # by its bare name too
        r = c.get(f"{BASE}/authorization/tenants/development/principals/maria/roles", headers=bearer(me))
        assert_vra_error(r, 403, 10003)  # another's
        assert_vra_error(c.get(f"{BASE}/tenants/development/directories", headers=bearer(me)), 403, 10003)


def test_principals_groups_and_members_come_from_the_directory(server, slapd, linked):
    with server.client(headers=bearer(linked)) as c:
        base = f"{BASE}/tenants/development"
        r = c.get(f"{base}/principals", params={"criteria": "ton"})
        (user,) = r.json()["content"]
        assert list(user) == [
            "@type",
            "firstName",
            "lastName",
            "description",
            "emailAddress",
            "locked",
            "disabled",
            "principalId",
            "tenantName",
            "name",
        ]
        assert (
            user["principalId"] == {"domain": DOMAIN, "name": "tony"} and user["tenantName"] == "development"
        )
        assert user["name"] == f"{user['firstName']} {user['lastName']}"
        assert_vra_error(c.get(f"{base}/principals/ghost@{DOMAIN}"), 404, 10002)
        assert_vra_error(c.get(f"{base}/principals/administrator@vsphere.local"), 404, 10002)
        assert c.get(f"{base}/principals/developers@{DOMAIN}").json()["@type"] == "Group"
        group = c.get(f"{base}/groups/developers@{DOMAIN}").json()
        assert group["@type"] == "Group" and group["fqdn"] == f"developers@{DOMAIN}"
        members = c.get(f"{base}/groups/developers@{DOMAIN}/principals").json()["content"]
        assert sorted(m["principalId"]["name"] for m in members) == sorted(slapd.groups["developers"])
        inner = c.get(f"{base}/groups/ops@{DOMAIN}/groups").json()["content"]
        assert [g["name"] for g in inner] == ["developers"]
        r = c.get(
            f"{base}/principals",
            params={"parentGroup": f"developers@{DOMAIN}", "$filter": "principalId/name eq 'tony'"},
        )
        assert [u["principalId"]["name"] for u in r.json()["content"]] == ["tony"]
        r = c.get(f"{base}/groups", params={"criteria": "*)(cn=*"})
        assert r.status_code == 200 and r.json()["content"] == []


def test_business_groups_and_their_roles(server, slapd, linked):
    with server.client(headers=bearer(linked)) as c:
        base = f"{BASE}/tenants/development/subtenants"
        spec = {
            "name": "Engineering",
            "description": "builders",
            "subtenantRoles": [
                {
                    "scopeRoleRef": "CSP_SUBTENANT_MANAGER",
                    "principalId": [{"domain": DOMAIN, "name": "maria"}],
                },
                {"scopeRoleRef": "CSP_CONSUMER", "principalId": [f"tony@{DOMAIN}"]},
            ],
            "extensionData": {
                "entries": [{"key": "iaas-manager-emails", "value": {"type": "string", "value": "m@x"}}]
            },
            "tenant": "development",
        }
        r = c.post(base, json=spec)
        assert r.status_code == 201, r.text
        made = r.json()
        assert list(made) == [
            "@type",
            "id",
            "name",
            "description",
            "subtenantRoles",
            "extensionData",
            "tenant",
        ]
        assert r.headers["location"].endswith(f"/subtenants/{made['id']}")
        roles = {x["scopeRoleRef"]: x["principalId"] for x in made["subtenantRoles"]}
        assert roles == {
            "CSP_SUBTENANT_MANAGER": [{"domain": DOMAIN, "name": "maria"}],
            "CSP_SUPPORT": [],
            "CSP_CONSUMER": [{"domain": DOMAIN, "name": "tony"}],
        }
        assert_vra_error(c.post(base, json=spec), 400, 10004)  # names are unique in a tenant
        listed = c.get(base, params={"$filter": "name eq 'Engineering'"}).json()["content"]
        assert [g["id"] for g in listed] == [made["id"]] and listed[0]["subtenantRoles"] is None
        one = f"{base}/{made['id']}"
        assert (
            c.post(
                f"{one}/roles/CSP_SUPPORT/principals", json=[{"domain": DOMAIN, "name": "lee"}]
            ).status_code
            == 204
        )
        holders = c.get(f"{one}/roles/CSP_SUPPORT/principals/").json()["content"]
        assert holders == [{"principalId": {"domain": DOMAIN, "name": "lee"}}]
        r = c.get(f"{one}/roles/CSP_SUPPORT/principals", params={"$filter": "principalId/name eq 'x'"})
        assert r.json()["content"] == [] and r.json()["metadata"]["totalElements"] == 0
        assert_vra_error(c.get(f"{one}/roles/CSP_SUPPORT/principals", params={"limit": "abc"}), 400, 20117)
        roles = c.get(f"{one}/roles", params={"$orderby": "id desc", "limit": 2}).json()
        assert [x["id"] for x in roles["content"]] == ["CSP_SUPPORT", "CSP_SUBTENANT_MANAGER"]
        assert c.delete(f"{one}/roles/CSP_SUPPORT/principals/lee@{DOMAIN}").status_code == 204
        assert c.get(f"{one}/roles/CSP_SUPPORT/principals").json()["content"] == []
        assert_vra_error(
            c.post(f"{one}/roles/CSP_TENANT_ADMIN/principals", json=[f"lee@{DOMAIN}"]), 400, 20117
        )
        r = c.put(one, json=made | {"name": "Engineers", "subtenantRoles": None})
        assert r.status_code == 200 and r.json()["name"] == "Engineers"
        assert {x["scopeRoleRef"]: x["principalId"] for x in r.json()["subtenantRoles"]}["CSP_CONSUMER"]
        tenant_base = f"{BASE}/tenants/development"
        assert c.get(f"{tenant_base}/groups/assigned").json()["content"] == []
        assert (
            c.post(f"{one}/roles/CSP_CONSUMER/principals", json=[f"developers@{DOMAIN}"]).status_code == 204
        )
        (assigned,) = c.get(f"{tenant_base}/groups/assigned").json()["content"]
        assert assigned["fqdn"] == f"developers@{DOMAIN}"
        (theirs,) = c.get(f"{tenant_base}/groups/developers@{DOMAIN}/subtenants").json()["content"]
        assert theirs["id"] == made["id"] and theirs["name"] == "Engineers"
        assert c.get(f"{tenant_base}/groups/ops@{DOMAIN}/subtenants").json()["content"] == []
        odd = {
            "name": "Odd",
            "extensionData": {"entries": [{"key": "k", "value": {"²µ": 1, "@type": "\u0001"}}]},
        }
        odd_id = c.post(base, json=odd).json()["id"]
        xml = c.get(f"{base}/{odd_id}", headers={"Accept": "application/xml;q=0, text/xml"})
        assert xml.headers["content-type"].startswith("text/xml")
        ET.fromstring(xml.content)  # well-formed whatever the keys and values
        bad = {"name": "Bad", "extensionData": {"entries": [1, 2]}}
        assert_vra_error(c.post(base, json=bad), 400, 20117)
        assert c.delete(one).status_code == 204
        assert_vra_error(c.get(one), 404, 10002)


# --- isolation ----------------------------------------------------------------------------------


def test_a_tenant_administrator_sees_nothing_of_another_tenant(server, slapd, linked):
    with server.client(headers=bearer(linked)) as c:
        r = c.put(
            f"{BASE}/authorization/tenants/development/principals/tony@{DOMAIN}/roles/CSP_TENANT_ADMIN",
            json={},
        )
        assert r.status_code == 204
        other = TENANT | {"id": "other", "urlName": "other", "name": "Other"}
        assert c.put(f"{BASE}/tenants/other", json=other).status_code == 201
        group = c.post(f"{BASE}/tenants/other/subtenants", json={"name": "Theirs"}).json()
    tony = token(server, f"tony@{DOMAIN}", slapd.users["tony"], "development")
    with server.client(headers=bearer(tony)) as c:
        assert [t["id"] for t in c.get(f"{BASE}/tenants").json()["content"]] == ["development"]
        assert c.get(f"{BASE}/tenants/development/directories").status_code == 200
        assert c.post(f"{BASE}/tenants/development/subtenants", json={"name": "Ours"}).status_code == 201
        theirs = f"{BASE}/tenants/other"
        for method, path, body in (
            ("GET", "", None),
            ("PUT", "", other),
            ("DELETE", "", None),
            ("GET", "/directories", None),
            ("PUT", f"/directories/{DOMAIN}", ldap_store(slapd)),
            ("GET", "/principals", None),
            ("GET", "/groups", None),
            ("GET", "/subtenants", None),
            ("GET", f"/subtenants/{group['id']}", None),
            ("DELETE", f"/subtenants/{group['id']}", None),
            ("POST", f"/subtenants/{group['id']}/roles/CSP_CONSUMER/principals", [f"tony@{DOMAIN}"]),
        ):
            r = c.request(method, theirs + path, json=body)
            assert_vra_error(r, 404, 10002)
        r = c.put(
            f"{BASE}/authorization/tenants/other/principals/tony@{DOMAIN}/roles/CSP_TENANT_ADMIN", json={}
        )
        assert_vra_error(r, 404, 10002)
        assert_vra_error(c.get(f"{BASE}/tenants/vsphere.local"), 404, 10002)
        for name in ("OTHER", "NOSUCH"):  # the same words whether it exists or not
            (e,) = assert_vra_error(c.get(f"{BASE}/tenants/{name}/subtenants"), 404, 10002)
            assert e["message"] == f"Tenant {name} not found."
        # a tenant administrator is no system administrator
        r = c.put(f"{BASE}/tenants/newone", json=TENANT | {"id": "newone", "urlName": "newone"})
        assert_vra_error(r, 404, 10002)  # as for "other", which exists: nothing tells them apart
        r = c.put(
            f"{BASE}/authorization/tenants/development/principals/maria@{DOMAIN}/roles/CSP_ADMIN", json={}
        )
        assert_vra_error(r, 403, 10003)
        # but gives tenant roles in its own tenant
        r = c.put(
            f"{BASE}/authorization/tenants/development/principals/maria@{DOMAIN}/roles/CSP_APPROVAL_ADMIN/"
        )
        assert r.status_code == 204
    with server.client(headers=bearer(linked)) as c:  # a system role is the default tenant's users'
        r = c.put(f"{BASE}/authorization/tenants/development/principals/maria@{DOMAIN}/roles/CSP_ADMIN")
        assert_vra_error(r, 400, 20117)
    with server.client(headers=bearer(linked)) as c:  # the system administrator still sees both
        assert {t["id"] for t in c.get(f"{BASE}/tenants").json()["content"]} >= {"development", "other"}
        assert (
            c.delete(
                f"{BASE}/authorization/tenants/development/principals/tony@{DOMAIN}/roles/CSP_TENANT_ADMIN"
            ).status_code
            == 204
        )
    with server.client(headers=bearer(tony)) as c:  # the role is gone at once
        assert_vra_error(c.get(f"{BASE}/tenants/development/directories"), 403, 10003)


def test_the_role_catalogue(server):
    with server.client(headers=bearer(token(server))) as c:
        roles = c.get(f"{BASE}/authorization/roles", params={"limit": 100}).json()["content"]
        ids = {r["id"] for r in roles}
        assert ids >= {
            "CSP_ADMIN",
            "CSP_TENANT_ADMIN",
            "COM_VMWARE_IAAS_IAAS_ADMINISTRATOR",
            "CSP_SUBTENANT_MANAGER",
            "CSP_SUPPORT",
            "CSP_CONSUMER",
            "CSP_APPROVAL_ADMIN",
            "CATALOG_SERVICE_CATALOG_ADMIN",
        }
        assert c.get(f"{BASE}/authorization/roles/CSP_CONSUMER").json()["name"] == "Basic User"
        assert_vra_error(c.get(f"{BASE}/authorization/roles/NOPE"), 404, 10002)
        assert_vra_error(c.get(f"{BASE}/nothing/here"), 404, 10002)
        assert_vra_error(c.patch(f"{BASE}/tenants"), 405, 10005)


# --- persistence --------------------------------------------------------------------------------


def test_everything_survives_a_restart_and_tokens_live_as_long_as_the_setting(new_database, tmp_path, slapd):
    server = Server(tmp_path / "world", new_database(), extra=["--vra-token-ttl", "600"]).start()
    try:
        admin = token(server)
        with server.client(headers=bearer(admin)) as c:
            assert c.put(f"{BASE}/tenants/development", json=TENANT).status_code == 201
            r = c.put(f"{BASE}/tenants/development/directories/{DOMAIN}", json=ldap_store(slapd))
            assert r.status_code == 204
            r = c.put(
                f"{BASE}/authorization/tenants/development/principals/tony@{DOMAIN}/roles/CSP_TENANT_ADMIN"
            )
            assert r.status_code == 204
        tony = token(server, "tony", slapd.users["tony"], "development")
        server.stop()
        server.start()
        with server.client(headers=bearer(tony)) as c:
            assert c.head(f"{BASE}/tokens/{tony}").status_code == 204
            (store,) = c.get(f"{BASE}/tenants/development/directories").json()["content"]
            assert store["domain"] == DOMAIN
            r = c.get(f"{BASE}/authorization/tenants/development/principals/tony@{DOMAIN}/roles")
            assert [x["id"] for x in r.json()["content"]] == ["CSP_TENANT_ADMIN"]
        assert token(server, "tony", slapd.users["tony"], "development")  # the sealed bind password opens
        server.advance(601)
        with server.client() as c:
            assert c.head(f"{BASE}/tokens/{tony}").status_code == 401
    finally:
        server.stop()


def test_a_scenario_gives_vra_roles_in_the_default_tenant(server, scenario):
    text = (
        "settings:\n  vra_token_ttl: 60\n"
        "identity:\n  users:\n    - {name: alice, roles: {automation: CSP_TENANT_ADMIN}}\n"
        "  tenants:\n    - {name: acme, full_name: ACME Corporation}\n"
    )
    assert scenario(text).status_code == 200
    alice = token(server, "alice@vsphere.local")
    with server.client(headers=bearer(alice)) as c:
        assert c.get(f"{BASE}/tenants/vsphere.local/directories").status_code == 200
        assert_vra_error(c.get(f"{BASE}/tenants/acme"), 404, 10002)  # a tenant administrator's only
        r = c.get(f"{BASE}/authorization/tenants/vsphere.local/principals/alice@vsphere.local/roles")
        assert [x["id"] for x in r.json()["content"]] == ["CSP_TENANT_ADMIN"]
    with server.client(headers=bearer(token(server))) as c:
        acme = c.get(f"{BASE}/tenants/acme").json()
        assert acme["name"] == "ACME Corporation" and acme["defaultTenant"] is False
    server.advance(61)
    with server.client() as c:
        assert c.head(f"{BASE}/tokens/{alice}").status_code == 401
    refused = scenario("identity:\n  users:\n    - {name: bob, roles: {automation: CSP_CONSUMER}}\n")
    assert refused.status_code == 400 and "business group role" in refused.json()["message"]


def test_faults_and_the_request_log_know_the_automation_face(server):
    admin = token(server)
    rule = {
        "face": "automation",
        "path": "/identity/api/tenants*",
        "principal": "administrator@vsphere.local",
        "action": "error",
        "status": 503,
    }
    assert server.control("POST", "/faults", json=rule).status_code in (200, 201)
    try:
        with server.client(headers=bearer(admin)) as c:
            r = c.get(f"{BASE}/tenants")
            assert r.status_code == 503 and r.json()["errors"][0]["code"] == 503
            assert c.head(f"{BASE}/tokens/{admin}").status_code == 204  # another path
            assert c.head(f"{BASE}//tokens/{admin}").status_code == 404
            assert c.head(f"{BASE}/TOKENS/{admin}").status_code == 404
            assert c.get(f"{BASE}/{admin}").status_code == 404  # a token wherever a client puts it
            assert c.get(f"{BASE}/tenants", params={"x": admin}).status_code in (200, 503)
    finally:
        server.control("DELETE", "/faults")
    with server.client(headers=bearer(admin)) as c:
        assert c.get(f"{BASE}/tenants").status_code == 200
    logged = server.control("GET", "/requests").json()
    entries = logged["requests"] if isinstance(logged, dict) else logged
    assert not [e for e in entries if admin in e["path"]]  # a live token in a path is not kept
    assert [e for e in entries if e["path"] == f"{BASE}/tokens/REDACTED"]
    mine = [e for e in entries if e["path"] == f"{BASE}/tenants"]
    assert (
        mine and mine[-1]["face"] == "automation" and mine[-1]["principal"] == "administrator@vsphere.local"
    )


def test_every_operation_on_another_tenant_is_a_404(server, slapd, linked):
    """A walk of every route the server lists under a tenant, as the development tenant's
    administrator, at the tenant ``other`` (which exists, with a business group): each answer is
    vRA's 404, whatever the operation, so nothing tells the tenant is there."""
    with server.client(headers=bearer(linked)) as c:
        r = c.put(f"{BASE}/authorization/tenants/development/principals/tony@{DOMAIN}/roles/CSP_TENANT_ADMIN")
        assert r.status_code == 204
        other = TENANT | {"id": "other", "urlName": "other", "name": "Other"}
        assert c.put(f"{BASE}/tenants/other", json=other).status_code == 201
        group = c.post(f"{BASE}/tenants/other/subtenants", json={"name": "Theirs"}).json()["id"]
    lines = server.control("GET", "/routes").json()["faces"]["automation"]
    walked = [line for line in lines if "{tenant}" in line and not line.endswith("/")]
    assert len(walked) > 25
    tony = token(server, "tony", slapd.users["tony"], "development")
    values = {"tenant": "other", "id": group, "domain": DOMAIN, "principal": f"tony@{DOMAIN}"}
    values |= {"group": f"developers@{DOMAIN}", "role": "CSP_CONSUMER"}
    with server.client(headers=bearer(tony)) as c:
        for line in walked:
            method, path = line.split(" ", 1)
            url = re.sub(r"\{(\w+)[^}]*\}", lambda m: values[m.group(1)], path)
            body = [f"tony@{DOMAIN}"] if url.endswith("/principals") else {"name": "x", **other}
            r = c.request(method, url, json=body if method in ("POST", "PUT") else None)
            assert_vra_error(r, 404, 10002)
    with server.client(headers=bearer(linked)) as c:  # and nothing changed there
        assert c.get(f"{BASE}/tenants/other/subtenants/{group}").json()["name"] == "Theirs"
        assert c.get(f"{BASE}/tenants/other").json()["name"] == "Other"


def test_answers_carry_the_guides_headers(server):
    with server.client() as c:
        body = {"username": "administrator", "password": DEMO_PASSWORD, "tenant": "vsphere.local"}
        r = c.post(f"{BASE}/tokens", json=body)
        assert r.headers["server"] == "Apache-Coyote/1.1"
        assert r.headers["content-type"] == "application/json;charset=UTF-8"
        assert r.headers["cache-control"] == "no-cache, no-store" and r.headers["pragma"] == "no-cache"
        r = c.get(f"{BASE}/tenants")
        assert r.headers["server"] == "Apache-Coyote/1.1" and r.status_code == 401


def test_a_directory_groups_roles_reach_its_members_and_their_members(server, slapd, linked):
    """ops holds developers, which holds maria: a role given to ops is maria's from her next
    sign-in, without anyone listing a group's members first."""
    with server.client(headers=bearer(linked)) as c:
        r = c.put(f"{BASE}/authorization/tenants/development/principals/ops@{DOMAIN}/roles/CSP_TENANT_ADMIN")
        assert r.status_code == 204
    maria = token(server, "maria", slapd.users["maria"], "development")
    with server.client(headers=bearer(maria)) as c:
        assert c.get(f"{BASE}/tenants/development/directories").status_code == 200
        r = c.get(f"{BASE}/authorization/tenants/development/principals/maria@{DOMAIN}/roles")
        assert [x["id"] for x in r.json()["content"]] == ["CSP_TENANT_ADMIN"]
    with server.client(headers=bearer(linked)) as c:
        r = c.delete(
            f"{BASE}/authorization/tenants/development/principals/ops@{DOMAIN}/roles/CSP_TENANT_ADMIN"
        )
        assert r.status_code == 204
    with server.client(headers=bearer(maria)) as c:  # and gone from her live token at once
        assert_vra_error(c.get(f"{BASE}/tenants/development/directories"), 403, 10003)


@pytest.mark.every_backend  # racing writes: PostgreSQL locks otherwise than SQLite
def test_racing_writes_make_one_of_each_and_no_500(server, slapd, linked):
    """Twenty identical writes at once, as scripts retrying in parallel send them: one tenant (in
    any case), one store, one business group, one role each; every other answer a 4xx or a 2xx."""
    from concurrent.futures import ThreadPoolExecutor

    def send(args):
        method, path, body = args
        with server.client(headers=bearer(linked)) as c:
            return c.request(method, f"{BASE}{path}", json=body).status_code

    waves = [
        [
            ("PUT", f"/tenants/{'race' if n % 2 else 'RACE'}", TENANT | {"id": "race", "urlName": None})
            for n in range(20)
        ],
        [("POST", "/tenants/race/directories", ldap_store(slapd, domain="race.test")) for _ in range(20)],
        [("POST", "/tenants/development/subtenants", {"name": "same"}) for _ in range(20)],
        [
            (
                "PUT",
                f"/authorization/tenants/development/principals/lee@{DOMAIN}/roles/CSP_APPROVAL_ADMIN",
                {},
            )
            for _ in range(20)
        ],
    ]
    with ThreadPoolExecutor(20) as pool:
        for wave in waves:
            statuses = list(pool.map(send, wave))
            assert all(status < 500 for status in statuses), statuses
            assert any(status < 300 for status in statuses), statuses
    with server.client(headers=bearer(linked)) as c:
        ids = [t["id"].lower() for t in c.get(f"{BASE}/tenants", params={"limit": 100}).json()["content"]]
        assert ids.count("race") == 1
        assert len(c.get(f"{BASE}/tenants/race/directories").json()["content"]) == 1
        groups = c.get(f"{BASE}/tenants/development/subtenants", params={"$filter": "name eq 'same'"})
        assert groups.json()["metadata"]["totalElements"] == 1
        roles = c.get(f"{BASE}/authorization/tenants/development/principals/lee@{DOMAIN}/roles").json()
        assert [r["id"] for r in roles["content"]] == ["CSP_APPROVAL_ADMIN"]
        body = {"username": "x" * 600 + "@vsphere.local", "password": "x", "tenant": "vsphere.local"}
        assert_vra_error(c.post(f"{BASE}/tokens", json=body), 401, 90135)  # not a 500 on PostgreSQL


def test_nested_sso_groups_pass_their_roles_on_on_every_face(server, scenario):
    text = (
        "identity:\n  users:\n    - {name: carol}\n  groups:\n    - {name: inner, members: [carol]}\n"
        "    - {name: outer, members: [inner], roles: {automation: CSP_TENANT_ADMIN, sddc: VIEWER}}\n"
    )
    assert scenario(text).status_code == 200
    with server.client(headers=bearer(token(server, "carol"))) as c:
        assert c.get(f"{BASE}/tenants/vsphere.local/directories").status_code == 200
    with server.client(headers={"Authorization": f"Bearer {server.token('carol@vsphere.local')}"}) as c:
        assert c.get("/v1/users").status_code == 200
