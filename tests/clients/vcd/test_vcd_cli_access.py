"""``vcd-cli`` 24.1.0, unmodified, for access control: a vApp's and the demo catalog's access
control lists listed, shared with the org and with a user, and the catalog published."""

from __future__ import annotations

from clients.vcd.test_vcd_cli import rows, vcd  # noqa: F401 (the fixture)
from conftest import DEMO_PASSWORD

SCENARIO = "identity:\n  users:\n    - {name: bob, domain: demo-org, roles: {cloud_director: vApp Author}}\n"


def test_access_control_lists_of_a_vapp_and_a_catalog(server, scenario, vcd):  # noqa: F811
    assert scenario(SCENARIO).status_code == 200
    vcd("login", server.vcd, "demo-org", "alice", "-p", DEMO_PASSWORD, "-w")
    listed = rows(vcd("catalog", "acl", "list", "demo-catalog"))
    assert ["ReadOnly", "demo-org", "(org_in_use)", "org"] in listed  # access_level, subject_name, _type
    vcd("vapp", "acl", "share", "demo-web", "--access-level", "Change")
    vcd("vapp", "acl", "add", "demo-web", "user:bob:FullControl")
    acl = rows(vcd("vapp", "acl", "list", "demo-web"))
    assert ["FullControl", "bob", "user"] in acl and ["Change", "demo-org", "(org_in_use)", "org"] in acl
    vcd("vapp", "acl", "remove", "demo-web", "user:bob", "-y")
    assert all("bob" not in row for row in rows(vcd("vapp", "acl", "list", "demo-web")))
    assert "Catalog shared." in vcd("catalog", "share", "demo-catalog")
    assert "Catalog unshared." in vcd("catalog", "unshare", "demo-catalog")
