"""``vcd-cli`` 24.1.0, unmodified, as the System administrator types it: the attached vCenter,
provider VDCs, network pools and datastores of the provider's vSphere view, and disabling and
enabling an org's VDC, read back on the wire."""

from __future__ import annotations

from lxml import etree

from clients.vcd.test_pyvcloud_vdcs import create_body
from clients.vcd.test_vcd_cli import rows, vcd  # noqa: F401 (the fixture)
from conftest import DEMO_PASSWORD
from vcd_client import PROVIDER, V15, link, sign_in


def test_the_providers_view_and_a_vdc_switched_off_and_on(server, vcd):  # noqa: F811
    out = vcd("login", server.vcd, "System", "administrator", "-p", DEMO_PASSWORD, "-w")
    assert "administrator logged in" in out
    (_, *listed) = rows(vcd("vc", "list"))
    assert listed and listed[0][-1] == "vcenter.localsphere.test"
    info = vcd("vc", "info", "vcenter.localsphere.test")
    assert "IsConnected" in info and "Uuid" in info
    pvdcs = rows(vcd("pvdc", "list"))
    assert len(pvdcs) >= 2
    assert "demo-vdc" in vcd("pvdc", "info", "cluster-01-01")  # its VDCs, from its vdcReferences
    assert any("port groups" in line for line in vcd("netpool", "list").splitlines())
    datastores = rows(vcd("datastore", "list"))
    assert len(datastores) >= 2 and datastores[0] == ["Id", "name"]
    vcd("org", "use", "demo-org")
    assert enabled(server) == "true"
    vcd("vdc", "disable", "demo-vdc")
    assert enabled(server) == "false"
    vcd("vdc", "enable", "demo-vdc")
    assert enabled(server) == "true"


def test_a_vdc_deleted_with_vcd_cli(server, vcd):  # noqa: F811
    """A VDC made on the wire, disabled and deleted as a user types it; its task succeeds."""
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c, PROVIDER)
        admin = etree.fromstring(c.get("/api/admin/", headers=headers).content)
        pvdc = admin.find(f"{V15}ProviderVdcReferences/{V15}ProviderVdcReference").get("href")
        orgs = etree.fromstring(c.get("/api/org/", headers=headers).content)
        org_id = next(o.get("href") for o in orgs if o.get("name") == "demo-org").rsplit("/", 1)[-1]
        body = create_body("cli-vdc", pvdc)
        made = c.post(
            f"/api/admin/org/{org_id}/vdcsparams",
            content=body,
            headers={**headers, "Content-Type": "application/vnd.vmware.admin.createVdcParams+xml"},
        )
        assert made.status_code == 201, made.text
    vcd("login", server.vcd, "System", "administrator", "-p", DEMO_PASSWORD, "-w")
    vcd("org", "use", "demo-org")
    assert "cli-vdc" in vcd("vdc", "list")
    vcd("vdc", "disable", "cli-vdc")
    deleted = vcd("vdc", "delete", "cli-vdc", "-y")
    assert "Deleted Virtual Datacenter cli-vdc" in deleted and "success" in deleted
    assert "cli-vdc" not in vcd("vdc", "list")


def enabled(server) -> str:
    """The demo VDC's IsEnabled, as the provider reads it on the wire."""
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c, PROVIDER)
        orgs = c.get("/api/org/", headers=headers)
        org_href = next(o.get("href") for o in etree.fromstring(orgs.content) if o.get("name") == "demo-org")
        org = etree.fromstring(c.get(org_href, headers=headers).content)
        vdc = etree.fromstring(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=headers).content)
        return vdc.findtext(f"{V15}IsEnabled")
