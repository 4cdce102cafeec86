"""The administration API's people: an org's users made, read, changed (disabled, unlocked, a new
password, another role) and removed; groups imported from the SSO domain and from a directory
linked to the org's tenant, whose members then hold the group's role; roles made with rights,
changed and removed; the org's rights; catalogs made, renamed and removed. Every answer valid
against the XSDs of the version asked."""

from __future__ import annotations

import pytest

from conftest import DEMO_PASSWORD
from helpers import link_directory
from vcd_client import ORG_USER, PROVIDER, V15, link, sign_in
from vcd_schema import assert_valid

USER_TYPE = "application/vnd.vmware.admin.user+xml"
ROLE_TYPE = "application/vnd.vmware.admin.role+xml"
NEW_PASSWORD = "Str0ng!Pass"


def version_of(headers) -> str:
    return headers["Accept"].rsplit("=", 1)[1]


def role_href(c, headers, name: str) -> str:
    records = assert_valid(
        c.get("/api/query", params={"type": "role", "filter": f"name=={name}"}, headers=headers).content,
        version_of(headers),
    )
    (record,) = records.findall(f"{V15}RoleRecord")
    return record.get("href")


def right_href(c, headers, name: str) -> str:
    records = c.get("/api/query", params={"type": "right", "filter": f"name=={name}"}, headers=headers)
    (record,) = assert_valid(records.content, version_of(headers)).findall(f"{V15}RightRecord")
    return record.get("href")


def org_admin_href(c, headers, what: str) -> str:
    """``/api/admin/org/{id}/<what>`` of the caller's own org."""
    session = assert_valid(c.get("/api/session", headers=headers).content, version_of(headers))
    org = link(session, "down", ".org+xml")
    return f"{org.replace('/api/org/', '/api/admin/org/')}/{what}"


def user_body(name: str, password: str | None, role: str, enabled: bool = True) -> str:
    secret = f"<Password>{password}</Password>" if password is not None else ""
    return (
        f'<User xmlns="http://www.vmware.com/vcloud/v1.5" name="{name}"><FullName>Bea Smith</FullName>'
        f"<EmailAddress>bea@example.com</EmailAddress><IsEnabled>{str(enabled).lower()}</IsEnabled>"
        f'<Role href="{role}"/>{secret}</User>'
    )


def can_sign_in(c, user: str, password: str = DEMO_PASSWORD) -> bool:
    r = c.post("/api/sessions", auth=(user, password), headers={"Accept": "application/*+xml;version=36.0"})
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


@pytest.mark.parametrize("version", ["5.5", "31.0", "36.0"])
def test_an_org_administrator_makes_changes_and_removes_a_user(server, version):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER, version)
        users = org_admin_href(c, alice, "users")
        sent = {**alice, "Content-Type": USER_TYPE}
        body = user_body("bea", NEW_PASSWORD, role_href(c, alice, "vApp User"))
        made = c.post(users, content=body, headers=sent)
        assert made.status_code == 201, made.text
        assert b"Password" not in made.content and NEW_PASSWORD.encode() not in made.content
        user = assert_valid(made.content, version)
        assert (user.get("name"), user.findtext(f"{V15}FullName")) == ("bea", "Bea Smith")
        assert user.find(f"{V15}Role").get("name") == "vApp User"
        assert user.findtext(f"{V15}IsEnabled") == "true" and user.findtext(f"{V15}IsLocked") == "false"
        href = user.get("href")
        assert can_sign_in(c, "bea@demo-org", NEW_PASSWORD)
        again = c.post(users, content=body, headers=sent)
        assert (
            again.status_code == 400 and assert_valid(again.content).get("minorErrorCode") == "DUPLICATE_NAME"
        )
        weak = c.post(users, content=user_body("weak", "abc", role_href(c, alice, "vApp User")), headers=sent)
        assert weak.status_code == 400 and "policy" in assert_valid(weak.content).get("message")
        # disabled: no sign-in; enabled with another password and role
        off = user_body("bea", None, role_href(c, alice, "vApp User"), enabled=False)
        assert c.put(href, content=off, headers=sent).status_code == 200
        assert not can_sign_in(c, "bea@demo-org", NEW_PASSWORD)
        on = user_body("bea", "An0ther!Pass", role_href(c, alice, "Catalog Author"))
        changed = assert_valid(c.put(href, content=on, headers=sent).content, version)
        assert changed.find(f"{V15}Role").get("name") == "Catalog Author"
        assert can_sign_in(c, "bea@demo-org", "An0ther!Pass")
        assert assert_valid(c.get(href, headers=alice).content, version).findtext(f"{V15}IsEnabled") == "true"
        assert c.delete(href, headers=alice).status_code == 204
        assert c.get(href, headers=alice).status_code == 404
        assert not can_sign_in(c, "bea@demo-org", "An0ther!Pass")


def test_a_user_made_in_vcd_is_the_tenants_on_every_face(server):
    """One world: the org's new user signs in to the same tenant through vRA's identity service."""
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        body = user_body("vera", NEW_PASSWORD, role_href(c, alice, "vApp User"))
        made = c.post(
            org_admin_href(c, alice, "users"), content=body, headers={**alice, "Content-Type": USER_TYPE}
        )
        assert made.status_code == 201, made.text
    with server.client() as c:
        asked = {"username": "vera", "password": NEW_PASSWORD, "tenant": "demo-org"}
        token = c.post("/identity/api/tokens", json=asked)
        assert token.status_code == 200, token.text
        wrong = c.post("/identity/api/tokens", json={**asked, "password": "Wr0ng!Pass"})
        assert wrong.status_code == 401


def test_a_locked_user_is_unlocked_by_its_administrator(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        sent = {**alice, "Content-Type": USER_TYPE}
        role = role_href(c, alice, "vApp User")
        made = c.post(
            org_admin_href(c, alice, "users"), content=user_body("bo", NEW_PASSWORD, role), headers=sent
        )
        href = assert_valid(made.content).get("href")
        for _ in range(5):
            assert not can_sign_in(c, "bo@demo-org", "Wrong!Pass1")
        assert not can_sign_in(c, "bo@demo-org", NEW_PASSWORD)
        assert assert_valid(c.get(href, headers=alice).content).findtext(f"{V15}IsLocked") == "true"
        unlock = '<User xmlns="http://www.vmware.com/vcloud/v1.5" name="bo"><IsLocked>false</IsLocked></User>'
        assert assert_valid(c.put(href, content=unlock, headers=sent).content).findtext(f"{V15}IsLocked") == (
            "false"
        )
        assert can_sign_in(c, "bo@demo-org", NEW_PASSWORD)


def test_another_orgs_user_is_not_there_for_an_org_administrator(server, scenario):
    made = scenario("identity:\n  tenants:\n    - {name: beta, full_name: Beta Inc.}\n")
    assert made.status_code == 200, made.text
    with server.client(base_url=server.vcd) as c:
        provider = sign_in(c, PROVIDER)
        orgs = assert_valid(c.get("/api/org/", headers=provider).content).findall(f"{V15}Org")
        beta = next(o.get("href") for o in orgs if o.get("name") == "beta").replace(
            "/api/org/", "/api/admin/org/"
        )
        role = role_href(c, provider, "vApp Author")
        made = c.post(
            f"{beta}/users",
            content=user_body("ben", NEW_PASSWORD, role),
            headers={**provider, "Content-Type": USER_TYPE},
        )
        assert made.status_code == 201, made.text
        href = assert_valid(made.content).get("href")
        alice = sign_in(c, ORG_USER)
        assert c.get(href, headers=alice).status_code == 404
        assert c.delete(href, headers=alice).status_code == 404
        refused = c.post(
            f"{beta}/users",
            content=user_body("x", NEW_PASSWORD, role),
            headers={**alice, "Content-Type": USER_TYPE},
        )
        assert refused.status_code == 403
        assert can_sign_in(c, "ben@beta", NEW_PASSWORD)


@pytest.mark.parametrize("version", ["5.5", "31.0", "36.0"])
def test_a_role_is_made_changed_held_and_removed(server, version):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER, version)
        sent = {**alice, "Content-Type": ROLE_TYPE}
        rights = [
            right_href(c, alice, n)
            for n in ("Organization: View", "Catalog: View Private and Shared Catalogs")
        ]
        refs = "".join(f'<RightReference href="{h}"/>' for h in rights)
        body = (
            '<Role xmlns="http://www.vmware.com/vcloud/v1.5" name="Librarian">'
            "<Description>Books</Description>"
            f"<RightReferences>{refs}</RightReferences></Role>"
        )
        made = c.post(org_admin_href(c, alice, "roles"), content=body, headers=sent)
        assert made.status_code == 201, made.text
        role = assert_valid(made.content, version)
        href = role.get("href")
        names = [r.get("name") for r in role.findall(f"{V15}RightReferences/{V15}RightReference")]
        assert names == ["Catalog: View Private and Shared Catalogs", "Organization: View"]
        right = assert_valid(c.get(rights[0], headers=alice).content, version)
        assert (right.get("name"), right.findtext(f"{V15}Category")) == ("Organization: View", "Organization")
        # the role in the query service, by name, as pyvcloud finds it
        assert role_href(c, alice, "Librarian") == href
        maker = right_href(c, alice, "Catalog: Create / Delete a Catalog")
        more = body.replace("</RightReferences>", f'<RightReference href="{maker}"/></RightReferences>')
        changed = assert_valid(c.put(href, content=more, headers=sent).content, version)
        assert len(changed.findall(f"{V15}RightReferences/{V15}RightReference")) == 3
        # held by a user, it lets the user make a catalog; in use, it stays
        user = c.post(
            org_admin_href(c, alice, "users"),
            content=user_body("lib", NEW_PASSWORD, href),
            headers={**alice, "Content-Type": USER_TYPE},
        )
        assert user.status_code == 201, user.text
        lib = {
            "Accept": alice["Accept"],
            "x-vcloud-authorization": c.post(
                "/api/sessions", auth=("lib@demo-org", NEW_PASSWORD), headers={"Accept": alice["Accept"]}
            ).headers["x-vcloud-authorization"],
        }
        catalog = '<AdminCatalog xmlns="http://www.vmware.com/vcloud/v1.5" name="books"/>'
        made_catalog = c.post(
            org_admin_href(c, alice, "catalogs"),
            content=catalog,
            headers={**lib, "Content-Type": "application/vnd.vmware.admin.catalog+xml"},
        )
        assert made_catalog.status_code == 201, made_catalog.text
        in_use = c.delete(href, headers=alice)
        assert in_use.status_code == 400 and "assigned" in assert_valid(in_use.content).get("message")
        assert c.delete(assert_valid(user.content).get("href"), headers=alice).status_code == 204
        assert c.delete(href, headers=alice).status_code == 204
        assert c.get(href, headers=alice).status_code == 404
        predefined = c.delete(role_href(c, alice, "vApp User"), headers=alice)
        assert predefined.status_code == 400


def test_an_orgs_rights_are_granted_by_the_provider(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        provider = sign_in(c, PROVIDER)
        href = org_admin_href(c, alice, "rights")
        maker = right_href(c, alice, "Catalog: Create / Delete a Catalog")
        own = (
            '<Role xmlns="http://www.vmware.com/vcloud/v1.5" name="Curator"><RightReferences>'
            f'<RightReference href="{maker}"/></RightReferences></Role>'
        )
        curator = c.post(
            org_admin_href(c, alice, "roles"), content=own, headers={**alice, "Content-Type": ROLE_TYPE}
        )
        assert curator.status_code == 201, curator.text
        held = assert_valid(c.get(href, headers=alice).content)
        names = [r.get("name") for r in held.findall(f"{V15}RightReference")]
        assert "Catalog: Create / Delete a Catalog" in names and "General: Administrator View" not in names
        kept = "".join(
            f'<RightReference href="{r.get("href")}"/>'
            for r in held.findall(f"{V15}RightReference")
            if r.get("name") != "Catalog: Create / Delete a Catalog"
        )
        body = f'<OrgRights xmlns="http://www.vmware.com/vcloud/v1.5">{kept}</OrgRights>'
        sent = {"Content-Type": "application/vnd.vmware.admin.org.rights+xml"}
        assert c.put(href, content=body, headers={**alice, **sent}).status_code == 403
        now = assert_valid(c.put(href, content=body, headers={**provider, **sent}).content)
        assert "Catalog: Create / Delete a Catalog" not in [r.get("name") for r in now]
        # a role of the org may no longer hold the right withheld
        role = (
            '<Role xmlns="http://www.vmware.com/vcloud/v1.5" name="Maker"><RightReferences>'
            f'<RightReference href="{right_href(c, alice, "Catalog: Create / Delete a Catalog")}"/>'
            "</RightReferences></Role>"
        )
        refused = c.post(
            org_admin_href(c, alice, "roles"), content=role, headers={**alice, "Content-Type": ROLE_TYPE}
        )
        assert refused.status_code == 400
        # and the org's own role holding it has lost it
        kept = assert_valid(c.get(assert_valid(curator.content).get("href"), headers=alice).content)
        assert kept.findall(f"{V15}RightReferences/{V15}RightReference") == []
        maker = right_href(c, alice, "Catalog: Create / Delete a Catalog")
        back = (
            '<OrgRights xmlns="http://www.vmware.com/vcloud/v1.5">'
            f'<RightReference href="{maker}"/></OrgRights>'
        )
        added = assert_valid(c.post(href, content=back, headers={**provider, **sent}).content)
        assert len(added.findall(f"{V15}RightReference")) == len(names)


def test_a_directory_group_gives_its_members_its_role(server, scenario, slapd):
    assert scenario("identity:\n  tenants:\n    - {name: acme, full_name: ACME}\n").status_code == 200
    link_directory(server, slapd, "acme")
    with server.client(base_url=server.vcd) as c:
        provider = sign_in(c, PROVIDER)
        orgs = assert_valid(c.get("/api/org/", headers=provider).content).findall(f"{V15}Org")
        acme = next(o.get("href") for o in orgs if o.get("name") == "acme").replace(
            "/api/org/", "/api/admin/org/"
        )
        tony = {"Accept": "application/*+xml;version=36.0"}
        r = c.post("/api/sessions", auth=("tony@acme", slapd.users["tony"]), headers=tony)
        tony["x-vcloud-authorization"] = r.headers["x-vcloud-authorization"]
        catalog = '<AdminCatalog xmlns="http://www.vmware.com/vcloud/v1.5" name="dev-images"/>'
        sent = {"Content-Type": "application/vnd.vmware.admin.catalog+xml"}
        assert c.post(f"{acme}/catalogs", content=catalog, headers={**tony, **sent}).status_code == 403
        body = (
            '<Group xmlns="http://www.vmware.com/vcloud/v1.5" name="developers">'
            f'<Role href="{role_href(c, provider, "Catalog Author")}"/></Group>'
        )
        gsent = {**provider, "Content-Type": "application/vnd.vmware.admin.group+xml"}
        made = c.post(f"{acme}/groups", content=body, headers=gsent)
        assert made.status_code == 201, made.text
        group = assert_valid(made.content)
        assert group.findtext(f"{V15}ProviderType") == "LDAP"
        assert sorted(u.get("name") for u in group.findall(f"{V15}UsersList/{V15}UserReference")) == [
            "maria",
            "tony",
        ]
        assert c.post(f"{acme}/groups", content=body, headers=gsent).status_code == 400
        assert c.post(f"{acme}/catalogs", content=catalog, headers={**tony, **sent}).status_code == 201
        missing = body.replace("developers", "nobody")
        assert c.post(f"{acme}/groups", content=missing, headers=gsent).status_code == 404
        assert c.delete(group.get("href"), headers=provider).status_code == 204
        assert c.get(group.get("href"), headers=provider).status_code == 404
        again = catalog.replace("dev-images", "more")
        assert c.post(f"{acme}/catalogs", content=again, headers={**tony, **sent}).status_code == 403


def test_an_sso_group_is_imported_into_the_system_org(server):
    with server.client(base_url=server.vcd) as c:
        provider = sign_in(c, PROVIDER)
        href = org_admin_href(c, provider, "groups")
        body = (
            '<Group xmlns="http://www.vmware.com/vcloud/v1.5" name="group_1">'
            f'<Role href="{role_href(c, provider, "vApp Author")}"/></Group>'
        )
        made = c.post(
            href, content=body, headers={**provider, "Content-Type": "application/vnd.vmware.admin.group+xml"}
        )
        assert made.status_code == 201, made.text
        group = assert_valid(made.content)
        assert group.findtext(f"{V15}ProviderType") == "INTEGRATED"
        assert group.find(f"{V15}Role").get("name") == "vApp Author"
        assert len(group.findall(f"{V15}UsersList/{V15}UserReference")) == 2
        user = sign_in(c, "USER_1@System")
        session = assert_valid(c.get("/api/session", headers=user).content)
        assert session.get("roles") == "vApp Author"


@pytest.mark.parametrize("version", ["5.5", "36.0"])
def test_catalogs_are_made_renamed_and_removed(server, version):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER, version)
        sent = {**alice, "Content-Type": "application/vnd.vmware.admin.catalog+xml"}
        body = (
            '<AdminCatalog xmlns="http://www.vmware.com/vcloud/v1.5" name="golden">'
            "<Description>Golden images</Description></AdminCatalog>"
        )
        made = c.post(org_admin_href(c, alice, "catalogs"), content=body, headers=sent)
        assert made.status_code == 201, made.text
        catalog = assert_valid(made.content, version)
        assert catalog.findtext(f"{V15}Description") == "Golden images"
        (task,) = catalog.findall(f"{V15}Tasks/{V15}Task")
        assert task.get("operationName") == "catalogCreateCatalog"
        assert assert_valid(c.get(task.get("href"), headers=alice).content).get("status") == "success"
        assert catalog.find(f"{V15}Owner/{V15}User").get("name") == "alice"
        href = catalog.get("href")
        twice = c.post(org_admin_href(c, alice, "catalogs"), content=body, headers=sent)
        assert twice.status_code == 400
        # the org links to it; its user view is there too
        org = assert_valid(
            c.get(
                org_admin_href(c, alice, "")[: -len("/")].replace("/api/admin/org/", "/api/org/"),
                headers=alice,
            ).content,
            version,
        )
        assert link(org, "down", ".catalog+xml", "golden")
        renamed = body.replace("golden", "platinum").replace("Golden images", "Best")
        changed = assert_valid(c.put(href, content=renamed, headers=sent).content, version)
        assert (changed.get("name"), changed.findtext(f"{V15}Description")) == ("platinum", "Best")
        assert c.delete(href, headers=alice).status_code == 204
        assert c.get(href, headers=alice).status_code == 404
        demo = link(org, "down", ".catalog+xml", "demo-catalog").replace(
            "/api/catalog/", "/api/admin/catalog/"
        )
        full = c.delete(demo, headers=alice)
        assert full.status_code == 400 and "holds" in assert_valid(full.content).get("message")
        assert c.get(demo, headers=alice).status_code == 200
