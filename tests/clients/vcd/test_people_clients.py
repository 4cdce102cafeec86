"""``pyvcloud`` 23.0.4 and ``vcd-cli`` 24.1.0, unmodified, administering an org's catalogs, users
and roles as its Organization Administrator: a catalog created, renamed and deleted; rights and
roles found by name; a role's rights added and removed; a user changed (disabled, another role)
and deleted; at the newest version (36.0) and forced to 5.5 and 31.0 (below cloudapi sign-in)."""

from __future__ import annotations

import pytest
from lxml import etree
from pyvcloud.vcd.client import BasicLoginCredentials, Client
from pyvcloud.vcd.exceptions import AccessForbiddenException, EntityNotFoundException, UnauthorizedException
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.role import Role

from clients.vcd.test_vcd_cli import rows, vcd  # noqa: F401 (vcd: the fixture)
from conftest import DEMO_PASSWORD

V15 = "{http://www.vmware.com/vcloud/v1.5}"


def as_alice(server, path_of, body: str, media: str) -> None:
    """POST ``body`` to ``path_of(org_admin_href)`` as demo-org's administrator, over the wire: what
    pyvcloud does from the org's administrative view (``GET /api/admin/org/{id}``), which the
    org part of the administration API serves."""
    with server.client(base_url=server.vcd) as c:
        accept = {"Accept": "application/*+xml;version=36.0"}
        signed = c.post("/api/sessions", auth=("alice@demo-org", DEMO_PASSWORD), headers=accept)
        alice = {**accept, "x-vcloud-authorization": signed.headers["x-vcloud-authorization"]}
        org = c.get("/api/org/", headers=alice).text.split('<Org href="', 1)[1].split('"', 1)[0]
        made = c.post(
            path_of(org.replace("/api/org/", "/api/admin/org/"), c, alice),
            content=body(c, alice) if callable(body) else body,
            headers={**alice, "Content-Type": media},
        )
        assert made.status_code == 201, made.text


def record_href(c, headers, kind: str, name: str) -> str:
    found = c.get("/api/query", params={"type": kind, "filter": f"name=={name}"}, headers=headers)
    (record,) = etree.fromstring(found.content).iter(f"{V15}{kind[0].upper()}{kind[1:]}Record")
    return record.get("href")


def make_user(server, name: str, role: str, password: str = "Str0ng!Pass") -> None:
    def body(c, alice) -> str:
        return (
            f'<User xmlns="http://www.vmware.com/vcloud/v1.5" name="{name}"><IsEnabled>true</IsEnabled>'
            f'<Role href="{record_href(c, alice, "role", role)}"/><Password>{password}</Password></User>'
        )

    as_alice(server, lambda org, c, h: f"{org}/users", body, "application/vnd.vmware.admin.user+xml")


def make_role(server, name: str, right: str) -> None:
    def body(c, alice) -> str:
        return (
            f'<Role xmlns="http://www.vmware.com/vcloud/v1.5" name="{name}"><RightReferences>'
            f'<RightReference href="{record_href(c, alice, "right", right)}"/></RightReferences></Role>'
        )

    as_alice(server, lambda org, c, h: f"{org}/roles", body, "application/vnd.vmware.admin.role+xml")


@pytest.fixture
def alice(server):
    made = []

    def connect(version: str | None) -> Client:
        c = Client(server.vcd, api_version=version, verify_ssl_certs=server.cert)
        c.set_credentials(BasicLoginCredentials("alice", "demo-org", DEMO_PASSWORD))
        made.append(c)
        return c

    yield connect
    for c in made:
        c.logout()


@pytest.mark.parametrize("version", [None, "31.0", "5.5"])
def test_pyvcloud_creates_renames_and_deletes_a_catalog(alice, version):
    c = alice(version)
    org = Org(c, resource=c.get_org())
    made = org.create_catalog("golden", "Golden images")
    assert made.get("name") == "golden" and made.Tasks.Task[0].get("status") == "success"
    assert c.get_task_monitor().wait_for_success(made.Tasks.Task[0]).get("status") == "success"
    org.reload()
    assert {x["name"] for x in org.list_catalogs()} == {"demo-catalog", "golden"}
    changed = org.update_catalog("golden", "platinum", "Best images")
    assert (changed.get("name"), changed.Description.text) == ("platinum", "Best images")
    org.reload()
    org.delete_catalog("platinum")
    org.reload()
    assert [x["name"] for x in org.list_catalogs()] == ["demo-catalog"]
    with pytest.raises(EntityNotFoundException):
        org.get_catalog("platinum")


@pytest.mark.parametrize("version", [None, "31.0", "5.5"])
def test_pyvcloud_finds_rights_and_roles_and_changes_a_roles_rights(server, alice, version):
    c = alice(version)
    org = Org(c, resource=c.get_org())
    assert org.get_right_record("Catalog: Create / Delete a Catalog")["category"] == "Catalog"
    assert len(org.list_rights_available_in_vcd()) >= 20
    right = org.get_right_resource("vApp: Power Operations")
    assert right.Category.text == "vApp"
    names = {r["name"] for r in org.list_roles()}
    assert {"Organization Administrator", "vApp User", "Catalog Author"} <= names
    assert "System Administrator" not in names
    make_role(server, "Auditor", "Organization: View")  # a role of the org's own, to change
    role = Role(c, resource=org.get_role_resource("Auditor"))
    assert role.list_rights() == [{"name": "Organization: View"}]
    role.add_rights(["vApp: View vApp", "Task: View Tasks"], org)
    role = Role(c, resource=org.get_role_resource("Auditor"))
    assert {r["name"] for r in role.list_rights()} == {
        "Organization: View",
        "vApp: View vApp",
        "Task: View Tasks",
    }
    role.remove_rights(["Organization: View"])
    role = Role(c, resource=org.get_role_resource("Auditor"))
    assert {r["name"] for r in role.list_rights()} == {"vApp: View vApp", "Task: View Tasks"}
    org.delete_role("Auditor")
    with pytest.raises(EntityNotFoundException):
        org.get_role_record("Auditor")


@pytest.mark.parametrize("version", [None, "5.5"])
def test_pyvcloud_changes_and_deletes_a_user(server, alice, version):
    make_user(server, "dora", "vApp User")
    c = alice(version)
    org = Org(c, resource=c.get_org())
    assert {u.get("name") for u in org.list_users()} >= {"alice", "dora"}
    user = org.get_user("dora")
    assert (user.get("name"), user.Role.get("name"), user.IsEnabled.text) == ("dora", "vApp User", "true")
    changed = org.update_user("dora", is_enabled=False, role_name="vApp Author")
    assert (changed.IsEnabled.text, changed.Role.get("name")) == ("false", "vApp Author")
    dora = Client(server.vcd, api_version=version, verify_ssl_certs=server.cert)
    with pytest.raises(UnauthorizedException):  # disabled: no sign-in
        dora.set_credentials(BasicLoginCredentials("dora", "demo-org", "Str0ng!Pass"))
    org.update_user("dora", is_enabled=True)
    dora.set_credentials(BasicLoginCredentials("dora", "demo-org", "Str0ng!Pass"))
    with pytest.raises(AccessForbiddenException):  # a vApp Author makes no catalog
        Org(dora, resource=dora.get_org()).create_catalog("mine", "")
    dora.logout()
    org.delete_user("dora")
    with pytest.raises(EntityNotFoundException):
        org.get_user("dora")


def test_vcd_cli_administers_catalogs_users_and_roles(server, vcd):  # noqa: F811
    make_user(server, "ed", "vApp User")
    vcd("login", server.vcd, "demo-org", "alice", "-p", DEMO_PASSWORD, "-w")
    created = vcd("catalog", "create", "cli-catalog", "-d", "made by vcd-cli")
    assert "cli-catalog" in created and "success" in created
    assert "cli-catalog" in {cell for row in rows(vcd("catalog", "list"))[1:] for cell in row}
    vcd("catalog", "delete", "cli-catalog", "-y")
    assert "cli-catalog" not in {cell for row in rows(vcd("catalog", "list"))[1:] for cell in row}
    assert {"ed", "alice"} <= {row[-1] for row in rows(vcd("user", "list"))[1:]}
    assert "successfully updated" in vcd("user", "update", "ed", "--enable")
    roles = vcd("role", "list")
    assert "Catalog Author" in roles and "vApp User" in roles
    rights = vcd("role", "list-rights", "Catalog Author")
    assert "Catalog: Create / Delete a Catalog" in rights
    vcd("user", "delete", "ed", "-y")
    assert [row[-1] for row in rows(vcd("user", "list"))[1:]] == ["alice"]
    vcd("logout")


def test_pyvcloud_creates_a_user_and_a_role_from_the_admin_org(server, alice):
    """``Org.create_user`` and ``create_role`` follow the ``add`` links of the org's administrative
    view (``GET /api/admin/org/{id}``: ``admin_people.admin_org_links``), which its administrator
    reads."""
    c = alice(None)
    org = Org(c, resource=c.get_org())
    role = org.create_role("Reader", "Reads", ["Organization: View", "vApp: View vApp"])
    assert {r.get("name") for r in role.RightReferences.RightReference} == {
        "Organization: View",
        "vApp: View vApp",
    }
    user = org.create_user("rita", "Str0ng!Pass", org.get_role_record("Reader")["href"], is_enabled=True)
    assert (user.get("name"), user.Role.get("name")) == ("rita", "Reader")
    org.delete_user("rita")
    org.delete_role("Reader")


@pytest.mark.parametrize("version", [None, "32.0"])
def test_the_system_administrator_finds_an_orgs_users_and_roles(server, version):
    """As the provider, pyvcloud filters the admin query types by the org's href."""
    c = Client(server.vcd, api_version=version, verify_ssl_certs=server.cert)
    c.set_credentials(BasicLoginCredentials("administrator", "System", DEMO_PASSWORD))
    try:
        org = Org(c, resource=c.get_org_by_name("demo-org"))
        assert "alice" in [u.get("name") for u in org.list_users()]
        assert org.get_user("alice").get("name") == "alice"
        assert org.get_role_record("vApp User").get("name") == "vApp User"
        # the org's rights, as the AdminOrg's RightReferences carry them
        org = Org(c, resource=c.get_org_by_name("demo-org"))
        assert "vApp: Copy" in [r["name"] for r in org.list_rights_of_org()]
        org.remove_rights(["vApp: Copy"])
        org = Org(c, resource=c.get_org_by_name("demo-org"))
        assert "vApp: Copy" not in [r["name"] for r in org.list_rights_of_org()]
        org.add_rights(["vApp: Copy"])
        org = Org(c, resource=c.get_org_by_name("demo-org"))
        assert "vApp: Copy" in [r["name"] for r in org.list_rights_of_org()]
    finally:
        c.logout()
