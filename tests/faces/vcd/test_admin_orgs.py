"""vCloud Director's organization administration over the wire: the administrator's view of the
cloud lists every org, an org is created from an AdminOrg (a world tenant, which vRA sees),
changed, disabled (its users then cannot sign in), enabled, and removed only as the product
allows; its settings sections are read and changed; the system settings (general, LDAP) too.
Only the system administrator may do any of it. Every answer valid against the XSDs."""

from __future__ import annotations

import pytest
from lxml import etree

from conftest import DEMO_PASSWORD
from helpers import vcenter_session, vra_admin
from vcd_client import PROVIDER, V15, link, sign_in
from vcd_extension import instantiate
from vcd_schema import assert_valid

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

ADMIN_ORG = "application/vnd.vmware.admin.organization+xml"
X = "{http://www.vmware.com/vcloud/extension/v1.5}"
XML = {"Accept": "application/*+xml;version=36.0"}


def admin_org_body(name: str, full_name: str, enabled: bool = True, settings: str = "") -> str:
    return (
        f'<AdminOrg xmlns="http://www.vmware.com/vcloud/v1.5" name="{name}">'
        f"<Description>made by a test</Description><FullName>{full_name}</FullName>"
        f"<IsEnabled>{'true' if enabled else 'false'}</IsEnabled><Settings>{settings}</Settings></AdminOrg>"
    )


def create(c, provider, name="newco", enabled=True, settings=""):
    admin = assert_valid(c.get("/api/admin/", headers=provider).content)
    add = next(x.get("href") for x in admin.findall(f"{V15}Link") if x.get("rel") == "add")
    r = c.post(
        add,
        content=admin_org_body(name, "New Company", enabled, settings),
        headers={**provider, "Content-Type": ADMIN_ORG},
    )
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith(ADMIN_ORG)
    return assert_valid(r.content)


def test_create_an_org_that_vra_sees_and_list_it(server):
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        org = create(
            c,
            provider,
            settings="<VAppLeaseSettings><DeploymentLeaseSeconds>7200"
            "</DeploymentLeaseSeconds></VAppLeaseSettings>",
        )
        assert org.get("name") == "newco" and org.findtext(f"{V15}FullName") == "New Company"
        assert org.findtext(f"{V15}IsEnabled") == "true"
        lease = org.find(f"{V15}Settings/{V15}VAppLeaseSettings")
        assert lease.findtext(f"{V15}DeploymentLeaseSeconds") == "7200"
        assert lease.findtext(f"{V15}StorageLeaseSeconds") == str(30 * 86400)  # the default
        listed = assert_valid(c.get("/api/admin/", headers=provider).content)
        refs = {r.get("name"): r.get("href") for r in listed.iter(f"{V15}OrganizationReference")}
        assert refs["newco"] == org.get("href") and "System" in refs and "demo-org" in refs
        assert assert_valid(c.get(org.get("href"), headers=provider).content).get("id") == org.get("id")
        orgs = assert_valid(c.get("/api/org/", headers=provider).content)
        assert "newco" in {o.get("name") for o in orgs.findall(f"{V15}Org")}
        # the same tenant through vRA's identity service
        tenant = c.get("/identity/api/tenants/newco", headers=vra_admin(c))
        assert tenant.status_code == 200 and tenant.json()["name"] == "New Company"
        # a second org of the name: the product's DUPLICATE_NAME
        r = c.post(
            "/api/admin/orgs",
            content=admin_org_body("newco", "Again"),
            headers={**provider, "Content-Type": ADMIN_ORG},
        )
        assert r.status_code == 400 and assert_valid(r.content).get("minorErrorCode") == "DUPLICATE_NAME"


def test_bad_input_is_refused_and_nothing_changes(server):
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        headers = {**provider, "Content-Type": ADMIN_ORG}
        for body in (
            admin_org_body("bad name!", "x"),
            admin_org_body("ok", ""),
            admin_org_body(
                "ok",
                "x",
                settings="<VAppLeaseSettings><DeploymentLeaseSeconds>60"
                "</DeploymentLeaseSeconds></VAppLeaseSettings>",
            ),
            admin_org_body(
                "ok",
                "x",
                settings="<OrgGeneralSettings><StoredVmQuota>many</StoredVmQuota></OrgGeneralSettings>",
            ),
            "<AdminOrg",
            '<Org xmlns="http://www.vmware.com/vcloud/v1.5" name="ok"/>',
        ):
            r = c.post("/api/admin/orgs", content=body, headers=headers)
            assert r.status_code == 400, (body, r.text)
            assert assert_valid(r.content).get("majorErrorCode") == "400"
        orgs = assert_valid(c.get("/api/org/", headers=provider).content)
        assert {o.get("name") for o in orgs.findall(f"{V15}Org")} == {"System", "demo-org"}
        r = c.post("/api/admin/orgs", content="{}", headers={**provider, "Content-Type": "application/json"})
        assert r.status_code == 415


def test_update_disable_enable_and_the_users_sign_in(server):
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        orgs = assert_valid(c.get("/api/admin/", headers=provider).content)
        href = next(
            r.get("href") for r in orgs.iter(f"{V15}OrganizationReference") if r.get("name") == "demo-org"
        )
        org = assert_valid(c.get(href, headers=provider).content)
        rels = {x.get("rel"): x.get("href") for x in org.findall(f"{V15}Link")}
        assert "remove" not in rels and rels["disable"].endswith("/action/disable")
        users = [u.get("name") for u in org.iter(f"{V15}UserReference")]
        assert "alice" in users
        assert [v.get("name") for v in org.iter(f"{V15}Vdc")] == ["demo-vdc"]
        # PUT back what was read, with a new full name
        org.find(f"{V15}FullName").text = "Demo Renamed"
        r = c.put(href, content=etree.tostring(org), headers={**provider, "Content-Type": ADMIN_ORG})
        assert r.status_code == 200, r.text
        assert assert_valid(r.content).findtext(f"{V15}FullName") == "Demo Renamed"
        # disable: its users' sessions end, they cannot sign in, and the org says so
        alice = sign_in(c, "alice@demo-org")
        assert c.get("/api/session", headers=alice).status_code == 200
        assert c.post(rels["disable"], headers=provider).status_code == 204
        assert c.get("/api/session", headers=alice).status_code == 401
        r = c.post(
            "/api/sessions", auth=("alice@demo-org", DEMO_PASSWORD), headers={"Accept": provider["Accept"]}
        )
        assert r.status_code == 401 and assert_valid(r.content).get("majorErrorCode") == "401"
        org = assert_valid(c.get(href, headers=provider).content)
        assert org.findtext(f"{V15}IsEnabled") == "false"
        rels = {x.get("rel"): x.get("href") for x in org.findall(f"{V15}Link")}
        assert "remove" in rels and "enable" in rels
        plain = assert_valid(c.get(href.replace("/api/admin/org/", "/api/org/"), headers=provider).content)
        assert plain.findtext(f"{V15}IsEnabled") == "false"
        query = {"type": "organization", "format": "records", "filter": "isEnabled==false"}
        found = assert_valid(c.get("/api/query", params=query, headers=provider).content)
        assert [r.get("name") for r in found.findall(f"{V15}OrgRecord")] == ["demo-org"]
        assert c.post(rels["enable"], headers=provider).status_code == 204
        assert sign_in(c, "alice@demo-org")
        # the System org stays enabled
        system = next(
            r.get("href") for r in orgs.iter(f"{V15}OrganizationReference") if r.get("name") == "System"
        )
        r = c.post(f"{system}/action/disable", headers=provider)
        assert r.status_code == 400 and assert_valid(r.content).get("minorErrorCode") == "BAD_REQUEST"


def _task(c, headers, response):
    assert response.status_code == 202, response.text
    task = assert_valid(response.content)
    assert task.tag == f"{V15}Task"
    return assert_valid(c.get(task.get("href"), headers=headers).content)


def test_delete_as_the_product_allows(server):
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        org = create(c, provider, "goner")
        href = org.get("href")
        # enabled: the task fails with the product's words
        task = _task(c, provider, c.delete(href, headers=provider))
        assert task.get("status") == "error"
        assert "You must disable the organization before deleting it." in task.findtext(f"{V15}Details")
        error = task.find(f"{V15}Error")
        assert (error.get("majorErrorCode"), error.get("minorErrorCode")) == ("400", "INVALID_STATE")
        assert error.get("message") == "You must disable the organization before deleting it."
        assert c.get(href, headers=provider).status_code == 200
        assert c.post(f"{href}/action/disable", headers=provider).status_code == 204
        task = _task(c, provider, c.delete(f"{href}?force=false&recursive=false", headers=provider))
        assert task.get("status") == "success" and task.get("operationName") == "orgDelete"
        r = c.get(href, headers=provider)
        assert r.status_code == 404 and assert_valid(r.content).get("minorErrorCode") == "RESOURCE_NOT_FOUND"
        # an org that holds a VDC goes only recursively
        demo = _demo(c, provider)
        assert c.post(f"{demo}/action/disable", headers=provider).status_code == 204
        task = _task(c, provider, c.delete(demo, headers=provider))
        assert task.get("status") == "error" and "virtual datacenters" in task.findtext(f"{V15}Details")
        assert task.find(f"{V15}Error").get("minorErrorCode") == "INVALID_STATE"
        assert c.get(demo, headers=provider).status_code == 200


def _demo(c, provider) -> str:
    return next(
        r.get("href")
        for r in assert_valid(c.get("/api/admin/", headers=provider).content).iter(
            f"{V15}OrganizationReference"
        )
        if r.get("name") == "demo-org"
    )


def test_a_recursive_forced_delete_removes_the_org_and_all_it_holds_from_every_face(server):
    with server.client() as c, server.client() as vc:
        vc.headers["vmware-api-session-id"] = vcenter_session(server)
        provider = sign_in(c, PROVIDER)
        alice = sign_in(c, "alice@demo-org")
        vapp = assert_valid(instantiate(c, alice, "running").content)
        started = c.post(link(vapp, "power:powerOn", ""), headers=alice)
        assert (
            assert_valid(c.get(assert_valid(started.content).get("href"), headers=alice).content).get(
                "status"
            )
            == "success"
        )
        demo = _demo(c, provider)
        org = assert_valid(c.get(demo, headers=provider).content)
        vdc_href = next(v.get("href") for v in org.iter(f"{V15}Vdc") if v.get("name") == "demo-vdc")
        pool = assert_valid(c.get(vdc_href, headers=provider).content).findtext(
            f"{V15}ResourcePoolRefs/{X}VimObjectRef/{X}MoRef"
        )
        vms = [vm["vm"] for vm in vc.get("/api/vcenter/vm", params={"resource_pools": pool}).json()]
        assert vms and vc.get(f"/api/vcenter/resource-pool/{pool}").status_code == 200
        # recursive alone: an enabled org, then a running vApp, refuse; nothing goes
        task = _task(c, provider, c.delete(f"{demo}?recursive=true", headers=provider))
        assert task.find(f"{V15}Error").get("minorErrorCode") == "INVALID_STATE"
        assert c.post(f"{demo}/action/disable", headers=provider).status_code == 204
        task = _task(c, provider, c.delete(f"{demo}?recursive=true", headers=provider))
        assert task.get("status") == "error" and "Stop the vApp" in task.find(f"{V15}Error").get("message")
        assert c.get(demo, headers=provider).status_code == 200
        assert c.post(f"{demo}/action/enable", headers=provider).status_code == 204
        # forced: enabled or not, running or not, all of it goes
        task = _task(c, provider, c.delete(f"{demo}?recursive=true&force=true", headers=provider))
        assert task.get("status") == "success", etree.tostring(task)
        assert c.get(demo, headers=provider).status_code == 404
        assert c.get(vdc_href, headers=provider).status_code == 404
        assert "demo-org" not in {
            r.get("name")
            for r in assert_valid(c.get("/api/admin/", headers=provider).content).iter(
                f"{V15}OrganizationReference"
            )
        }
        assert c.get("/identity/api/tenants/demo-org", headers=vra_admin(c)).status_code == 404
        assert vc.get(f"/api/vcenter/resource-pool/{pool}").status_code == 404
        assert all(vc.get(f"/api/vcenter/vm/{vm}").status_code == 404 for vm in vms)
        r = c.post("/api/sessions", auth=("alice@demo-org", DEMO_PASSWORD), headers={"Accept": XML["Accept"]})
        assert r.status_code == 401


def test_only_the_system_administrator(server):
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        admin = assert_valid(c.get("/api/admin/", headers=provider).content)
        demo = next(
            r.get("href") for r in admin.iter(f"{V15}OrganizationReference") if r.get("name") == "demo-org"
        )
        alice = sign_in(c, "alice@demo-org")
        # its own administrator reads its AdminOrg (whence pyvcloud adds users and roles), no more
        assert c.get(demo, headers=alice).status_code == 200
        for method, path, body in (
            ("GET", "/api/admin/", None),
            ("GET", f"{demo}/settings", None),
            ("GET", f"{demo}/settings/general", None),
            ("POST", f"{demo}/action/disable", None),
            ("DELETE", demo, None),
            ("POST", "/api/admin/orgs", admin_org_body("x", "y")),
            ("GET", "/api/admin/extension/settings", None),
            ("GET", "/api/admin/extension/settings/ldapSettings", None),
        ):
            r = c.request(method, path, content=body, headers={**alice, "Content-Type": ADMIN_ORG})
            assert r.status_code == 403, (method, path, r.text)
            assert assert_valid(r.content).get("minorErrorCode") == "ACCESS_TO_RESOURCE_IS_FORBIDDEN"
        assert assert_valid(c.get(demo, headers=provider).content).findtext(f"{V15}IsEnabled") == "true"


SECTIONS = {
    "general": ("GeneralOrgSettings", "StoredVmQuota", "12"),
    "vAppLeaseSettings": ("VAppLeaseSettings", "StorageLeaseSeconds", "0"),
    "vAppTemplateLeaseSettings": ("OrgVAppTemplateLeaseSettings", "StorageLeaseSeconds", "86400"),
    "email": ("OrgEmailSettings", "FromEmailAddress", "cloud@example.test"),
    "passwordPolicy": ("OrgPasswordPolicySettings", "InvalidLoginsBeforeLockout", "3"),
}


@pytest.mark.parametrize("version", ["5.1", "5.5", "29.0", "36.0"])
def test_settings_sections(server, version):
    with server.client() as c:
        provider = sign_in(c, PROVIDER, version)
        org = create(c, provider, f"set{version.replace('.', '')}")
        settings = assert_valid(c.get(f"{org.get('href')}/settings", headers=provider).content, version)
        assert settings.tag == f"{V15}OrgSettings"
        for path, (tag, field, value) in SECTIONS.items():
            href = f"{org.get('href')}/settings/{path}"
            section = assert_valid(c.get(href, headers=provider).content, version)
            assert section.tag == f"{V15}{tag}"
            section.find(f"{V15}{field}").text = value
            r = c.put(
                href,
                content=etree.tostring(section),
                headers={**provider, "Content-Type": "application/*+xml"},
            )
            assert r.status_code == 200, r.text
            assert assert_valid(r.content, version).findtext(f"{V15}{field}") == value
            assert (
                assert_valid(c.get(href, headers=provider).content, version).findtext(f"{V15}{field}")
                == value
            )
        whole = assert_valid(c.get(org.get("href"), headers=provider).content, version)
        assert (
            whole.findtext(f"{V15}Settings/{V15}OrgPasswordPolicySettings/{V15}InvalidLoginsBeforeLockout")
            == "3"
        )
        r = c.get(f"{org.get('href')}/settings/nothing", headers=provider)
        assert r.status_code == 404


def test_an_smtp_password_is_kept_and_never_shown(server):
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        org = create(c, provider, "mailer")
        href = f"{org.get('href')}/settings/email"
        body = (
            '<OrgEmailSettings xmlns="http://www.vmware.com/vcloud/v1.5"><IsDefaultSmtpServer>false'
            "</IsDefaultSmtpServer><IsDefaultOrgEmail>true</IsDefaultOrgEmail><FromEmailAddress/>"
            "<DefaultSubjectPrefix>[cloud]</DefaultSubjectPrefix><IsAlertEmailToAllAdmins>true"
            "</IsAlertEmailToAllAdmins><SmtpServerSettings><IsUseAuthentication>true</IsUseAuthentication>"
            "<Host>smtp.example.test</Host><Port>587</Port><Username>mailer</Username>"
            "<Password>s3cret-smtp</Password></SmtpServerSettings></OrgEmailSettings>"
        )
        r = c.put(href, content=body, headers={**provider, "Content-Type": "application/*+xml"})
        assert r.status_code == 200, r.text
        assert b"s3cret-smtp" not in r.content
        got = c.get(href, headers=provider)
        assert b"s3cret-smtp" not in got.content
        smtp = assert_valid(got.content).find(f"{V15}SmtpServerSettings")
        assert smtp.findtext(f"{V15}Host") == "smtp.example.test" and smtp.findtext(f"{V15}Port") == "587"
        assert b"s3cret-smtp" not in c.get(org.get("href"), headers=provider).content


def test_org_changes_are_in_snapshots_and_reset_clears_them(server):
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        create(c, provider, "snapped")
    assert server.control("POST", "/snapshots", json={"name": "with-org"}).status_code in (200, 201)
    server.reset()
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        names = {
            o.get("name")
            for o in assert_valid(c.get("/api/org/", headers=provider).content).findall(f"{V15}Org")
        }
        assert "snapped" not in names
    assert server.control("POST", "/snapshots/with-org/restore").status_code == 200
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        names = {
            o.get("name")
            for o in assert_valid(c.get("/api/org/", headers=provider).content).findall(f"{V15}Org")
        }
        assert "snapped" in names
    assert server.control("DELETE", "/snapshots/with-org").status_code in (200, 204)


@pytest.mark.parametrize("version", ["5.1", "36.0"])
def test_system_general_settings(server, version):
    with server.client() as c:
        provider = sign_in(c, PROVIDER, version)
        extension = assert_valid(c.get("/api/admin/extension", headers=provider).content, version)
        href = next(
            x.get("href")
            for x in extension.findall(f"{V15}Link")
            if x.get("type", "").endswith("systemSettings+xml")
        )
        settings = assert_valid(c.get(href, headers=provider).content, version)
        assert settings.tag == f"{X}SystemSettings"
        general = settings.find(f"{X}GeneralSettings")
        general_href = general.get("href")
        general = assert_valid(c.get(general_href, headers=provider).content, version)
        general.find(f"{X}ActivityLogKeepDays").text = "45"
        r = c.put(
            general_href,
            content=etree.tostring(general),
            headers={**provider, "Content-Type": "application/*+xml"},
        )
        assert r.status_code == 200, r.text
        assert assert_valid(r.content, version).findtext(f"{X}ActivityLogKeepDays") == "45"
        again = assert_valid(c.get(href, headers=provider).content, version)
        assert again.findtext(f"{X}GeneralSettings/{X}ActivityLogKeepDays") == "45"
        general.find(f"{X}SessionTimeoutMinutes").text = "0"
        r = c.put(
            general_href,
            content=etree.tostring(general),
            headers={**provider, "Content-Type": "application/*+xml"},
        )
        assert r.status_code == 400


def test_system_ldap_settings_link_the_directory(server, slapd):
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        href = "/api/admin/extension/settings/ldapSettings"
        blank = assert_valid(c.get(href, headers=provider).content)
        assert blank.find(f"{X}HostName") is None
        host, port = slapd.url.split("://")[1].rsplit(":", 1)
        body = (
            f'<LdapSettings xmlns="{X[1:-1]}"><HostName>{host}</HostName><Port>{port}</Port>'
            "<IsSsl>false</IsSsl><IsSslAcceptAll>false</IsSslAcceptAll><PagedSearchDisabled>false"
            f"</PagedSearchDisabled><SearchBase>{slapd.user_base}</SearchBase><UserName>{slapd.admin_dn}"
            f"</UserName><Password>wrong</Password><AuthenticationMechanism>SIMPLE</AuthenticationMechanism>"
            f"<GroupSearchBase>{slapd.group_base}</GroupSearchBase><IsGroupSearchBaseEnabled>true"
            "</IsGroupSearchBaseEnabled><ConnectorType>OPEN_LDAP</ConnectorType></LdapSettings>"
        )
        headers = {**provider, "Content-Type": "application/*+xml"}
        r = c.put(href, content=body, headers=headers)
        assert r.status_code == 400, r.text  # the bind fails: nothing is linked
        assert assert_valid(c.get(href, headers=provider).content).find(f"{X}HostName") is None
        good = body.replace("<Password>wrong</Password>", f"<Password>{slapd.admin_password}</Password>")
        r = c.put(href, content=good, headers=headers)
        assert r.status_code == 200, r.text
        assert slapd.admin_password.encode() not in r.content
        shown = assert_valid(c.get(href, headers=provider).content)
        assert shown.findtext(f"{X}HostName") == host and shown.findtext(f"{X}SearchBase") == slapd.user_base
        assert shown.find(f"{X}Password") is None
        # the directory's users now sign in to the System org
        r = c.post(
            "/api/sessions",
            auth=("tony@" + _domain(slapd.user_base) + "@System", slapd.users["tony"]),
            headers={"Accept": provider["Accept"]},
        )
        assert r.status_code == 200, r.text
        # a blank host name unlinks it
        r = c.put(
            href,
            content=f'<LdapSettings xmlns="{X[1:-1]}"><Port>389</Port><IsSsl>false</IsSsl>'
            "<IsSslAcceptAll>false</IsSslAcceptAll><PagedSearchDisabled>false</PagedSearchDisabled>"
            "<AuthenticationMechanism>SIMPLE</AuthenticationMechanism><IsGroupSearchBaseEnabled>false"
            "</IsGroupSearchBaseEnabled><ConnectorType>OPEN_LDAP</ConnectorType></LdapSettings>",
            headers=headers,
        )
        assert r.status_code == 200, r.text
        assert assert_valid(c.get(href, headers=provider).content).find(f"{X}HostName") is None


def _domain(base: str) -> str:
    return ".".join(p.split("=", 1)[1] for p in base.split(",") if p.lower().startswith("dc="))


def test_the_password_policy_locks_the_orgs_own_users_out(server):
    """alice is demo-org's own user: its policy decides when she is locked out, and for how long."""
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        admin = assert_valid(c.get("/api/admin/", headers=provider).content)
        demo = next(
            r.get("href") for r in admin.iter(f"{V15}OrganizationReference") if r.get("name") == "demo-org"
        )
        policy = f"{demo}/settings/passwordPolicy"
        shown = assert_valid(c.get(policy, headers=provider).content)
        assert shown.findtext(f"{V15}AccountLockoutEnabled") == "true"
        headers = {
            **provider,
            "Content-Type": "application/vnd.vmware.admin.organizationPasswordPolicySettings+xml",
        }

        def put(enabled: str, logins: str, minutes: str) -> None:
            body = (
                '<OrgPasswordPolicySettings xmlns="http://www.vmware.com/vcloud/v1.5">'
                f"<AccountLockoutEnabled>{enabled}</AccountLockoutEnabled><InvalidLoginsBeforeLockout>{logins}"
                f"</InvalidLoginsBeforeLockout><AccountLockoutIntervalMinutes>{minutes}"
                "</AccountLockoutIntervalMinutes></OrgPasswordPolicySettings>"
            )
            r = c.put(policy, content=body, headers=headers)
            assert r.status_code == 200, r.text

        def attempt(password: str) -> int:
            accept = {"Accept": provider["Accept"]}
            return c.post("/api/sessions", auth=("alice@demo-org", password), headers=accept).status_code

        put("true", "2", "1")
        assert [attempt("wrong"), attempt("wrong")] == [401, 401]
        assert attempt(DEMO_PASSWORD) == 401  # locked for a minute
        server.advance(61)
        assert attempt(DEMO_PASSWORD) == 200
        put("false", "2", "1")
        assert [attempt("wrong") for _ in range(4)] == [401] * 4
        assert attempt(DEMO_PASSWORD) == 200
        r = c.put(
            policy,
            content="<OrgPasswordPolicySettings xmlns='http://www.vmware.com/vcloud/v1.5'>"
            "<InvalidLoginsBeforeLockout>0</InvalidLoginsBeforeLockout></OrgPasswordPolicySettings>",
            headers=headers,
        )
        assert r.status_code == 400


def test_an_org_with_local_users_goes_only_recursively(server, scenario):
    made = scenario(
        "identity:\n  tenants:\n    - {name: gamma, full_name: Gamma}\n"
        "  users:\n    - {name: gil, domain: gamma, roles: {cloud_director: vApp User}}\n"
    )
    assert made.status_code == 200, made.text
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        admin = assert_valid(c.get("/api/admin/", headers=provider).content)
        href = next(
            r.get("href") for r in admin.iter(f"{V15}OrganizationReference") if r.get("name") == "gamma"
        )
        assert [
            u.get("name")
            for u in assert_valid(c.get(href, headers=provider).content).iter(f"{V15}UserReference")
        ] == ["gil"]
        assert c.post(f"{href}/action/disable", headers=provider).status_code == 204
        task = _task(c, provider, c.delete(href, headers=provider))
        assert task.get("status") == "error" and "local users" in task.findtext(f"{V15}Details")
        task = _task(c, provider, c.delete(f"{href}?recursive=true", headers=provider))
        assert task.get("status") == "success"
        assert c.get(href, headers=provider).status_code == 404
        assert c.get("/identity/api/tenants/gamma", headers=vra_admin(c)).status_code == 404
        r = c.post("/api/sessions", auth=("gil@gamma", DEMO_PASSWORD), headers={"Accept": provider["Accept"]})
        assert r.status_code == 401


def test_an_orgs_own_directory(server, slapd):
    """An org's LDAP settings: CUSTOM links its directory (bound first; the password never shown),
    whose users then sign in to it; NONE unlinks it."""
    with server.client() as c:
        provider = sign_in(c, PROVIDER)
        org = create(c, provider, "ldaporg")
        href = f"{org.get('href')}/settings/ldap"
        shown = assert_valid(c.get(href, headers=provider).content)
        assert shown.tag == f"{V15}OrgLdapSettings" and shown.findtext(f"{V15}OrgLdapMode") == "NONE"
        host, port = slapd.url.split("://")[1].rsplit(":", 1)
        body = (
            '<OrgLdapSettings xmlns="http://www.vmware.com/vcloud/v1.5"><OrgLdapMode>CUSTOM</OrgLdapMode>'
            f"<CustomOrgLdapSettings><HostName>{host}</HostName><Port>{port}</Port><IsSsl>false</IsSsl>"
            f"<SearchBase>{slapd.user_base}</SearchBase><UserName>{slapd.admin_dn}</UserName>"
            f"<Password>{slapd.admin_password}</Password><AuthenticationMechanism>SIMPLE"
            f"</AuthenticationMechanism><GroupSearchBase>{slapd.group_base}</GroupSearchBase>"
            "<IsGroupSearchBaseEnabled>true</IsGroupSearchBaseEnabled><ConnectorType>OPEN_LDAP"
            "</ConnectorType></CustomOrgLdapSettings></OrgLdapSettings>"
        )
        headers = {**provider, "Content-Type": "application/vnd.vmware.admin.organizationLdapSettings+xml"}
        r = c.put(href, content=body, headers=headers)
        assert r.status_code == 200, r.text
        assert slapd.admin_password.encode() not in r.content
        linked = assert_valid(r.content)
        assert linked.findtext(f"{V15}OrgLdapMode") == "CUSTOM"
        assert linked.findtext(f"{V15}CustomOrgLdapSettings/{V15}SearchBase") == slapd.user_base
        whole = assert_valid(c.get(org.get("href"), headers=provider).content)
        assert whole.findtext(f"{V15}Settings/{V15}OrgLdapSettings/{V15}OrgLdapMode") == "CUSTOM"
        tony = c.post("/api/sessions", auth=("tony@ldaporg", slapd.users["tony"]), headers=XML)
        assert tony.status_code == 200, tony.text
        none = '<OrgLdapSettings xmlns="http://www.vmware.com/vcloud/v1.5"><OrgLdapMode>NONE</OrgLdapMode></OrgLdapSettings>'
        assert c.put(href, content=none, headers=headers).status_code == 200
        assert assert_valid(c.get(href, headers=provider).content).findtext(f"{V15}OrgLdapMode") == "NONE"
        assert (
            c.post("/api/sessions", auth=("tony@ldaporg", slapd.users["tony"]), headers=XML).status_code
            == 401
        )
        system = none.replace("NONE", "SYSTEM")
        assert c.put(href, content=system, headers=headers).status_code == 400
