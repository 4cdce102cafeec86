"""Organization administration through the official clients, unmodified: pyvcloud 23.0.4's
``System.create_org`` / ``delete_org`` and ``Org.update_org`` (which PUTs back the AdminOrg it
read) at the newest version it negotiates and forced to 5.5 and 32.0, and vcd-cli 24.1.0's ``vcd
org create/list/info/update/delete`` as a system administrator types them; both remove an org
with all it holds (``force`` and ``recursive``)."""

from __future__ import annotations

import pytest
from pyvcloud.vcd.client import BasicLoginCredentials, Client, E, TaskStatus
from pyvcloud.vcd.exceptions import AccessForbiddenException, ClientException, VcdTaskException
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.system import System

from clients.vcd.test_vcd_cli import rows, vcd  # noqa: F401 - the vcd-cli fixture
from conftest import DEMO_PASSWORD


def connect(server, user: str, org: str, version: str | None = None) -> Client:
    client = Client(server.vcd, api_version=version, verify_ssl_certs=server.cert)
    client.set_credentials(BasicLoginCredentials(user, org, DEMO_PASSWORD))
    return client


@pytest.mark.parametrize("version", [None, "32.0", "5.5"])
def test_pyvcloud_creates_disables_and_deletes_an_org(server, version):
    client = connect(server, "administrator", "System", version)
    try:
        system = System(client, admin_resource=client.get_admin())
        made = system.create_org("pyorg", "Python Org", is_enabled=True)
        assert made.get("name") == "pyorg" and str(made.FullName) == "Python Org"
        assert bool(made.IsEnabled) is True
        assert "pyorg" in {o.get("name") for o in client.get_org_list()}
        org = Org(client, resource=client.get_org_by_name("pyorg"))
        # an enabled org does not go: the task fails with the product's words
        with pytest.raises(VcdTaskException, match="You must disable the organization"):
            client.get_task_monitor().wait_for_success(system.delete_org("pyorg"))
        updated = org.update_org(is_enabled=False)
        assert updated.get("name") == "pyorg" and bool(updated.IsEnabled) is False
        task = system.delete_org("pyorg")
        done = client.get_task_monitor().wait_for_success(task)
        assert done.get("status") == TaskStatus.SUCCESS.value
        assert "pyorg" not in {o.get("name") for o in client.get_org_list()}
    finally:
        client.logout()


def test_an_org_user_may_not_create_an_org(server):
    client = connect(server, "alice", "demo-org")
    try:
        with pytest.raises(ClientException):  # its session links to no administrator's view
            client.get_admin()
        with pytest.raises(AccessForbiddenException):
            client.get_resource(f"{server.vcd}/api/admin/")
        with pytest.raises(AccessForbiddenException):
            client.post_resource(
                f"{server.vcd}/api/admin/orgs",
                E.AdminOrg(E.FullName("x"), E.IsEnabled(True), E.Settings, name="x"),
                "application/vnd.vmware.admin.organization+xml",
            )
    finally:
        client.logout()


def test_vcd_cli_org_administration(server, vcd):  # noqa: F811
    out = vcd("login", server.vcd, "System", "administrator", "-p", DEMO_PASSWORD, "-w")
    assert "administrator logged in, org: 'System'" in out
    assert "Org 'cliorg' is successfully created." in vcd("org", "create", "cliorg", "CLI Org", "--enabled")
    listed = {row[-1] for row in rows(vcd("org", "list"))[1:]}
    assert listed == {"System", "demo-org", "cliorg"}
    info = vcd("org", "info", "cliorg")
    assert "CLI Org" in info and "cliorg" in info
    assert "Org 'cliorg' is successfully updated." in vcd("org", "update", "cliorg", "--disable")
    deleted = vcd("org", "delete", "cliorg", "-y")
    assert "orgDelete" in deleted and "success" in deleted
    assert {row[-1] for row in rows(vcd("org", "list"))[1:]} == {"System", "demo-org"}
    vcd("logout")


def test_pyvcloud_force_deletes_an_org_with_all_it_holds(server):
    client = connect(server, "administrator", "System")
    try:
        system = System(client, admin_resource=client.get_admin())
        task = system.delete_org("demo-org", force=True, recursive=True)
        done = client.get_task_monitor().wait_for_success(task)
        assert done.get("status") == TaskStatus.SUCCESS.value
        assert "demo-org" not in {o.get("name") for o in client.get_org_list()}
    finally:
        client.logout()


def test_vcd_cli_force_deletes_an_org_recursively(server, vcd):  # noqa: F811
    vcd("login", server.vcd, "System", "administrator", "-p", DEMO_PASSWORD, "-w")
    deleted = vcd("org", "delete", "demo-org", "--recursive", "--force", "-y", answer="y\n")
    assert "orgDelete" in deleted and "success" in deleted
    assert {row[-1] for row in rows(vcd("org", "list"))[1:]} == {"System"}
    vcd("logout")
