"""Operations' directory auth sources over a real slapd: an OPEN_LDAP source added (the directory
linked to the default tenant, the store vRA sees too), listed, tested, changed and deleted; its
users imported with a role, found by a search and signed in through ``authSource``; the refusals;
and the bind password never given back."""

import xml.etree.ElementTree as ET

import pytest

from conftest import DEMO_PASSWORD, free_port
from helpers import assert_ops_error, ldap_source, vra_admin

API = "/suite-api/api"
SOURCES = f"{API}/auth/sources"
ACQUIRE = f"{API}/auth/token/acquire"
NS = {"ops": "http://webservice.vmware.com/vRealizeOpsMgr/1.0/"}
DOMAIN = "example.mycompany.com"  # from the slapd tree's base DN, dc=example,dc=mycompany,dc=com


def props(source):
    return {p["name"]: p["value"] for p in source["property"]}


def acquire(server, username, password, source=None):
    body = {"username": username, "password": password}
    if source is not None:
        body["authSource"] = source
    with server.client() as c:
        return c.post(ACQUIRE, json=body)


@pytest.fixture
def source(ops, slapd):
    made = ops.post(SOURCES, json=ldap_source(slapd))
    assert made.status_code == 201, made.text
    return made.json()


def test_a_directory_source_is_added_listed_and_its_users_sign_in(ops, server, slapd, source):
    assert source["name"] == "Lab LDAP" and source["sourceType"]["id"] == "OPEN_LDAP"
    assert source["certificates"] == []
    shown = props(source)
    assert "password" not in shown
    assert shown["domain"] == DOMAIN and shown["base-domain"] == slapd.base
    assert shown["user-name"] == slapd.admin_dn and shown["use-ssl"] == "false"
    assert shown["display-name"] == "The lab's directory" and shown["common-name"] == "uid"
    listed = ops.get(SOURCES).json()["sources"]
    assert [s["sourceType"]["id"] for s in listed] == ["LOCAL", "OPEN_LDAP"]
    assert listed[1] == source == ops.get(f"{SOURCES}/{source['id']}").json()
    # Signed in before it is imported: the password is right, but the user has no Operations role.
    assert_ops_error(acquire(server, "tony", slapd.users["tony"], "Lab LDAP"), 403)
    imported = ops.post(
        f"{SOURCES}/{source['id']}/users",
        json={"users": [{"username": "tony", "roleNames": ["ReadOnly"]}]},
    )
    assert imported.status_code == 201, imported.text
    (tony,) = imported.json()["users"]
    assert tony["username"] == f"tony@{DOMAIN}" and tony["roleNames"] == ["ReadOnly"]
    assert tony["firstName"] == "Tony" and tony["lastName"] == "Stark"
    for named in ("Lab LDAP", source["id"], DOMAIN, "lab ldap"):
        token = acquire(server, "tony", slapd.users["tony"], named)
        assert token.status_code == 200, token.text
        assert token.json()["roles"] == ["ReadOnly"]
    assert acquire(server, f"tony@{DOMAIN}", slapd.users["tony"]).status_code == 200
    signed = token.json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {signed}", "Accept": "application/json"}) as c:
        assert c.get(f"{API}/auth/currentuser").json() == tony
        assert c.get(f"{API}/resources").status_code == 200
    assert ops.get(f"{API}/auth/users/{tony['id']}").json() == tony
    listed = ops.get(f"{API}/auth/users", params={"roleName": "ReadOnly"}).json()["users"]
    assert [u["username"] for u in listed] == [f"tony@{DOMAIN}", "viewer"]
    # The password is checked by the directory, every time.
    assert_ops_error(acquire(server, "tony", "not-" + slapd.users["tony"], "Lab LDAP"), 401)
    assert_ops_error(acquire(server, "nobody", slapd.users["tony"], "Lab LDAP"), 401)
    assert_ops_error(acquire(server, "tony", slapd.users["tony"], "No Such Source"), 401)
    # The local users still sign in, from LOCAL, and the directory's do not sign in there.
    assert acquire(server, "administrator", DEMO_PASSWORD, "LOCAL").status_code == 200
    assert_ops_error(acquire(server, "tony", slapd.users["tony"], "LOCAL"), 401)


def test_the_source_is_the_default_tenants_identity_store(ops, server, slapd, source):
    with server.client() as c:
        vra = vra_admin(c)
        store = c.get(f"/identity/api/tenants/vsphere.local/directories/{DOMAIN}", headers=vra)
        assert store.status_code == 200, store.text
        assert store.json()["name"] == "Lab LDAP" and store.json()["url"] == slapd.url.rstrip("/")
        assert slapd.admin_password not in store.text
        signed = c.post(
            "/identity/api/tokens",
            json={"username": f"maria@{DOMAIN}", "password": slapd.users["maria"], "tenant": "vsphere.local"},
        )
        assert signed.status_code == 200, signed.text


def test_users_and_groups_of_the_directory_are_searched(ops, source):
    found = ops.post(f"{SOURCES}/{source['id']}/users/search", json={"name": "*a*"})
    assert found.status_code == 200, found.text
    users = found.json()["user-search-response"]
    assert [u["name"] for u in users] == ["demoadmin", "maria"]
    assert users[1]["firstName"] == "Maria" and users[1]["distinguishedName"].startswith("uid=maria,")
    one = ops.post(f"{SOURCES}/{source['id']}/users/search", json={"name": "LEE"}).json()
    assert [u["name"] for u in one["user-search-response"]] == ["lee"]
    groups = ops.post(f"{SOURCES}/{source['id']}/usergroups/search", json={"name": "dev*"}).json()
    assert [g["name"] for g in groups["usergroup-search-response"]] == ["developers"]
    other = ops.post(f"{SOURCES}/{source['id']}/users/search", json={"name": "*", "domain": "elsewhere"})
    assert other.json()["user-search-response"] == []


def test_settings_are_tested_without_being_kept(ops, slapd):
    tried = ops.post(f"{SOURCES}/test", json=ldap_source(slapd, name="Tried"))
    assert tried.status_code == 200, tried.text
    assert tried.json()["name"] == "Tried" and "password" not in props(tried.json())
    assert slapd.admin_password not in tried.text
    assert [s["sourceType"]["id"] for s in ops.get(SOURCES).json()["sources"]] == ["LOCAL"]
    patched = ops.patch(f"{SOURCES}/test", json=ldap_source(slapd, name="Tried"))
    assert patched.status_code == 200, patched.text
    wrong = ops.post(f"{SOURCES}/test", json=ldap_source(slapd, password="not-the-password"))
    assert "refused the bind" in assert_ops_error(wrong, 400)["message"]
    base = ops.post(f"{SOURCES}/test", json=ldap_source(slapd, **{"base-domain": "dc=nowhere,dc=test"}))
    assert "does not exist" in assert_ops_error(base, 400)["message"]


def test_unusable_settings_and_other_kinds_are_refused(ops, slapd):
    closed = ops.post(SOURCES, json=ldap_source(slapd, port=str(free_port())))
    assert "cannot connect" in assert_ops_error(closed, 400)["message"]
    wrong = ops.post(SOURCES, json=ldap_source(slapd, password="not-the-password"))
    assert "refused the bind" in assert_ops_error(wrong, 400)["message"]
    base = ops.post(SOURCES, json=ldap_source(slapd, **{"base-domain": "dc=nowhere,dc=test"}))
    assert "does not exist" in assert_ops_error(base, 400)["message"]
    assert_ops_error(ops.post(SOURCES, json=ldap_source(slapd, password=None)), 400)
    assert_ops_error(ops.post(SOURCES, json=ldap_source(slapd, host=None)), 400)
    assert_ops_error(ops.post(SOURCES, json=ldap_source(slapd, port="99999")), 400)
    for kind in ("SSO_SAML", "VIDM", "VCD", "LOCAL"):
        body = {**ldap_source(slapd), "sourceType": {"id": kind, "name": kind}}
        assert "not simulated" in assert_ops_error(ops.post(SOURCES, json=body), 400)["message"]
    assert_ops_error(ops.post(SOURCES, json={"name": "x"}), 400)
    assert [s["sourceType"]["id"] for s in ops.get(SOURCES).json()["sources"]] == ["LOCAL"]


def test_a_directory_source_is_changed_and_deleted(ops, server, slapd, source):
    sid = source["id"]
    renamed = ops.put(SOURCES, json={**ldap_source(slapd, name="Renamed", password=None), "id": sid})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["id"] == sid and renamed.json()["name"] == "Renamed"
    assert ops.get(f"{SOURCES}/{sid}").json()["name"] == "Renamed"
    refused = ops.put(SOURCES, json={**ldap_source(slapd, password="not-the-password"), "id": sid})
    assert_ops_error(refused, 400)
    moved = ops.put(SOURCES, json={**ldap_source(slapd, domain="elsewhere.test"), "id": sid})
    assert "cannot be changed" in assert_ops_error(moved, 400)["message"]
    imported = ops.post(
        f"{SOURCES}/{sid}/users", json={"users": [{"username": "lee", "roleNames": ["ReadOnly"]}]}
    )
    assert imported.status_code == 201, imported.text
    assert acquire(server, "lee", slapd.users["lee"], "Renamed").status_code == 200
    assert ops.delete(f"{SOURCES}/{sid}").status_code == 204
    assert_ops_error(ops.get(f"{SOURCES}/{sid}"), 404)
    assert_ops_error(ops.delete(f"{SOURCES}/{sid}"), 404)
    assert_ops_error(acquire(server, "lee", slapd.users["lee"], "Renamed"), 401)
    assert_ops_error(acquire(server, f"lee@{DOMAIN}", slapd.users["lee"]), 401)


def test_the_sso_domains_sources_are_neither_changed_nor_deleted(ops, slapd):
    local = ops.get(SOURCES).json()["sources"][0]
    assert "cannot be deleted" in assert_ops_error(ops.delete(f"{SOURCES}/{local['id']}"), 400)["message"]
    changed = ops.put(SOURCES, json={**ldap_source(slapd), "id": local["id"]})
    assert "cannot be changed" in assert_ops_error(changed, 400)["message"]
    imported = ops.post(f"{SOURCES}/{local['id']}/users", json={"users": [{"username": "tony"}]})
    assert_ops_error(imported, 400)
    assert ops.get(SOURCES).json()["sources"] == [local]


def test_the_bind_password_never_comes_back(ops, slapd, source):
    secret = slapd.admin_password
    xml = {"Accept": "application/xml"}
    answers = [
        ops.get(SOURCES),
        ops.get(f"{SOURCES}/{source['id']}"),
        ops.get(SOURCES, headers=xml),
        ops.get(f"{SOURCES}/{source['id']}", headers=xml),
        ops.put(SOURCES, json={**ldap_source(slapd), "id": source["id"]}),
        ops.post(f"{SOURCES}/test", json=ldap_source(slapd)),
        ops.post(SOURCES, json=ldap_source(slapd, name="Again")),  # the domain is in use: 400
    ]
    for answer in answers:
        assert secret not in answer.text, answer.request.url
    root = ET.fromstring(answers[3].content)
    names = [p.get("name") for p in root.findall("ops:name-value", NS)]
    assert "host" in names and "password" not in names
