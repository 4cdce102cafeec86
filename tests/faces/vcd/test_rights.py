"""Rights decide every vCD call: per predefined role, what is refused (vCD's 403, naming the right)
and what is allowed; a user of another org who holds the rights finds nothing of this org; the
route table names a right for operations that exist; a role made with one right allows just that."""

from __future__ import annotations

import pytest

from conftest import DEMO_PASSWORD
from localsphere.faces.vcd.rights import ROUTE_RIGHTS
from localsphere.world.org_roles import BY_NAME, RIGHTS
from vcd_client import ORG_USER, V15, instantiate_body, link, sign_in
from vcd_schema import assert_valid

SCENARIO = "identity:\n  users:\n" + "".join(
    f"    - {{name: {name}, domain: demo-org, roles: {{cloud_director: {role}}}}}\n"
    for name, role in (
        ("viewer", "Console Access Only"),
        ("user", "vApp User"),
        ("author", "vApp Author"),
        ("librarian", "Catalog Author"),
        ("deferred", "Defer to Identity Provider"),
    )
)
CATALOG = '<AdminCatalog xmlns="http://www.vmware.com/vcloud/v1.5" name="{}"/>'
CATALOG_TYPE = {"Content-Type": "application/vnd.vmware.admin.catalog+xml"}
INSTANTIATE_TYPE = {"Content-Type": "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"}


def org_parts(c, headers):
    session = assert_valid(c.get("/api/session", headers=headers).content)
    org_href = link(session, "down", ".org+xml")
    org = assert_valid(c.get(org_href, headers=headers).content)
    return org_href, org


def refused(r, right: str) -> bool:
    error = assert_valid(r.content)
    return (
        r.status_code == 403
        and error.get("minorErrorCode") == "ACCESS_TO_RESOURCE_IS_FORBIDDEN"
        and f"[{right}]" in error.get("message")
    )


@pytest.fixture
def roles_scenario(server, scenario):
    made = scenario(SCENARIO)
    assert made.status_code == 200, made.text
    return server


def share_with_the_org(c, owner, vapp: str) -> None:
    """Share a vApp with everyone in its org at Change, so that what each member may do with it is
    its role's rights alone (no owner's share in the way)."""
    shared = c.post(
        f"{vapp}/action/controlAccess",
        content=(
            '<ControlAccessParams xmlns="http://www.vmware.com/vcloud/v1.5"><IsSharedToEveryone>true'
            "</IsSharedToEveryone><EveryoneAccessLevel>Change</EveryoneAccessLevel></ControlAccessParams>"
        ),
        headers={**owner, "Content-Type": "application/vnd.vmware.vcloud.controlAccess+xml"},
    )
    assert shared.status_code == 200, shared.text


@pytest.mark.parametrize(
    ("user", "allowed"),
    [("viewer", False), ("user", False), ("author", False), ("librarian", True)],
)
def test_only_a_catalog_author_makes_a_catalog(roles_scenario, user, allowed):
    with roles_scenario.client(base_url=roles_scenario.vcd) as c:
        alice = sign_in(c, ORG_USER)
        _, org = org_parts(c, alice)
        add = link(org, "add", "admin.catalog+xml")
        caller = sign_in(c, f"{user}@demo-org")
        r = c.post(add, content=CATALOG.format(f"by-{user}"), headers={**caller, **CATALOG_TYPE})
        if allowed:
            assert r.status_code == 201, r.text
            href = assert_valid(r.content).get("href")
            assert c.delete(href, headers=caller).status_code == 204
        else:
            assert refused(r, "Catalog: Create / Delete a Catalog"), r.text


@pytest.mark.parametrize(
    ("user", "view", "power", "create"),
    [
        ("viewer", True, False, False),
        ("user", True, True, False),
        ("author", True, True, True),
        ("deferred", False, False, False),
    ],
)
def test_each_predefined_role_may_do_what_its_rights_say(roles_scenario, user, view, power, create):
    with roles_scenario.client(base_url=roles_scenario.vcd) as c:
        alice = sign_in(c, ORG_USER)
        _, org = org_parts(c, alice)
        vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=alice).content)
        vapp = next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        share_with_the_org(c, alice, vapp)
        catalog = assert_valid(
            c.get(link(org, "down", ".catalog+xml", "demo-catalog"), headers=alice).content
        )
        item = next(i.get("href") for i in catalog.find(f"{V15}CatalogItems") if i.get("name") == "photon-5")
        template = assert_valid(c.get(item, headers=alice).content).find(f"{V15}Entity").get("href")
        caller = sign_in(c, f"{user}@demo-org")
        r = c.get(vapp, headers=caller)
        assert r.status_code == 200 if view else refused(r, "vApp: View vApp")
        r = c.get("/api/query", params={"type": "vApp"}, headers=caller)
        assert r.status_code == 200 if view else refused(r, "vApp: View vApp")
        r = c.post(f"{vapp}/power/action/suspend", headers=caller)
        assert r.status_code == 202 if power else refused(r, "vApp: Power Operations"), r.text
        body = instantiate_body(f"by-{user}", template)
        r = c.post(
            link(vdc, "add", "instantiateVAppTemplateParams+xml"),
            content=body,
            headers={**caller, **INSTANTIATE_TYPE},
        )
        assert r.status_code == 201 if create else refused(r, "vApp: Create / Reconfigure a vApp"), r.text
        r = c.post(
            link(org, "add", "admin.catalog+xml"),
            content=CATALOG.format("nope"),
            headers={**caller, **CATALOG_TYPE},
        )
        assert refused(r, "Catalog: Create / Delete a Catalog")


def test_only_an_org_administrator_manages_people_and_roles(roles_scenario):
    with roles_scenario.client(base_url=roles_scenario.vcd) as c:
        alice = sign_in(c, ORG_USER)
        org_href, _ = org_parts(c, alice)
        admin = org_href.replace("/api/org/", "/api/admin/org/")
        librarian = sign_in(c, "librarian@demo-org")
        user = (
            '<User xmlns="http://www.vmware.com/vcloud/v1.5" name="zed"><Role href="x"/>'
            "<Password>Str0ng!Pass</Password></User>"
        )
        r = c.post(
            f"{admin}/users",
            content=user,
            headers={**librarian, "Content-Type": "application/vnd.vmware.admin.user+xml"},
        )
        assert refused(r, "Group / User: Manage")
        role = '<Role xmlns="http://www.vmware.com/vcloud/v1.5" name="r"/>'
        r = c.post(
            f"{admin}/roles",
            content=role,
            headers={**librarian, "Content-Type": "application/vnd.vmware.admin.role+xml"},
        )
        assert refused(r, "Role: Create, Edit, Delete, or Copy")
        # the org's members (whom to share with) it lists and reads, not the admin query types
        listed = assert_valid(c.get("/api/query", params={"type": "user"}, headers=librarian).content)
        records = {u.get("name"): u.get("href") for u in listed.findall(f"{V15}UserRecord")}
        assert c.get(records["alice"], headers=librarian).status_code == 200
        assert c.get("/api/query", params={"type": "adminUser"}, headers=librarian).status_code == 403
        own = assert_valid(c.get("/api/session", headers=librarian).content).get("userId").rsplit(":", 1)[1]
        assert c.get(f"/api/admin/user/{own}", headers=librarian).status_code == 200  # its own
        users = assert_valid(c.get("/api/query", params={"type": "user"}, headers=alice).content)
        assert "librarian" in [u.get("name") for u in users.findall(f"{V15}UserRecord")]


def test_a_user_of_another_org_holding_the_rights_finds_nothing_here(server, scenario):
    made = scenario(
        "identity:\n  tenants:\n    - {name: beta, full_name: Beta Inc.}\n"
        "  users:\n    - {name: bob, domain: beta, roles: {cloud_director: Organization Administrator}}\n"
    )
    assert made.status_code == 200, made.text
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        org_href, org = org_parts(c, alice)
        vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=alice).content)
        vapp = next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        catalog = link(org, "down", ".catalog+xml", "demo-catalog")
        bob = sign_in(c, "bob@beta")
        for href in (vapp, vdc.get("href"), catalog, catalog.replace("/api/catalog/", "/api/admin/catalog/")):
            r = c.get(href, headers=bob)
            assert r.status_code == 404 and assert_valid(r.content).get("majorErrorCode") == "404", href
        assert (
            c.delete(catalog.replace("/api/catalog/", "/api/admin/catalog/"), headers=bob).status_code == 404
        )
        records = assert_valid(c.get("/api/query", params={"type": "vApp"}, headers=bob).content)
        assert records.get("total") == "0"
        r = c.post(
            f"{org_href.replace('/api/org/', '/api/admin/org/')}/catalogs",
            content=CATALOG.format("theirs"),
            headers={**bob, **CATALOG_TYPE},
        )
        assert r.status_code == 403


def test_the_route_table_names_known_rights_for_operations_that_exist(server):
    """Every right of ``ROUTE_RIGHTS`` is one of vCD's catalogue, every route it names answers
    something other than 404/405 for its method; the predefined roles hold rights of the catalogue."""
    assert set(ROUTE_RIGHTS.values()) <= set(RIGHTS)
    assert all(set(role.rights) <= set(RIGHTS) for role in BY_NAME.values())
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        for method, path in ROUTE_RIGHTS:
            concrete = path.replace("{", "").replace("}", "")
            r = c.request(method, concrete, headers=alice)
            assert r.status_code < 500 and r.status_code != 405, (method, path, r.status_code)


def test_a_role_with_one_right_allows_just_that(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        org_href, org = org_parts(c, alice)
        vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=alice).content)
        demo_web = next(e for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        share_with_the_org(c, alice, demo_web.get("href"))
        admin = org_href.replace("/api/org/", "/api/admin/org/")
        rights = assert_valid(
            c.get(
                "/api/query", params={"type": "right", "filter": "name==vApp: View vApp"}, headers=alice
            ).content
        ).findall(f"{V15}RightRecord")
        role = (
            '<Role xmlns="http://www.vmware.com/vcloud/v1.5" name="Watcher"><RightReferences>'
            f'<RightReference href="{rights[0].get("href")}"/></RightReferences></Role>'
        )
        made = c.post(
            f"{admin}/roles",
            content=role,
            headers={**alice, "Content-Type": "application/vnd.vmware.admin.role+xml"},
        )
        assert made.status_code == 201, made.text
        user = (
            f'<User xmlns="http://www.vmware.com/vcloud/v1.5" name="watcher"><IsEnabled>true</IsEnabled>'
            f'<Role href="{assert_valid(made.content).get("href")}"/>'
            f"<Password>{DEMO_PASSWORD}</Password></User>"
        )
        r = c.post(
            f"{admin}/users",
            content=user,
            headers={**alice, "Content-Type": "application/vnd.vmware.admin.user+xml"},
        )
        assert r.status_code == 201, r.text
        watcher = sign_in(c, "watcher@demo-org")
        vdc_href = link(org, "down", ".vdc+xml", "demo-vdc")
        assert refused(c.get(vdc_href, headers=watcher), "Organization vDC: View")
        vapps = assert_valid(c.get("/api/query", params={"type": "vApp"}, headers=watcher).content)
        (record,) = vapps.findall(f"{V15}VAppRecord")
        assert c.get(record.get("href"), headers=watcher).status_code == 200
        assert refused(
            c.post(f"{record.get('href')}/power/action/suspend", headers=watcher), "vApp: Power Operations"
        )
