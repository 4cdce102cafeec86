"""An org's lease settings applied to its vApps and templates through the vCloud API: a new vApp's
``LeaseSettingsSection`` carries the org's leases and, deployed, when its deployment lease ends; a
vApp's own lease stays within the org's (the product's 400); on the world clock an ended
deployment lease stops the vApp (powered off or suspended, as vCenter shows), an ended storage
lease flags it expired or deletes it, and a template's likewise. Every answer valid against the XSDs."""

from __future__ import annotations

import pytest
from lxml import etree

from helpers import vcenter_session
from vcd_client import PROVIDER, V15, instantiate_body, link, sign_in
from vcd_schema import assert_valid

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

HOUR = 3600
LEASE_TYPE = "application/vnd.vmware.vcloud.leaseSettingsSection+xml"
INSTANTIATE_TYPE = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"
CAPTURE_TYPE = "application/vnd.vmware.vcloud.captureVAppParams+xml"


def set_leases(c, provider, section: str, **values: str) -> None:
    """The demo org's lease settings ``section`` (``vAppLeaseSettings``,
    ``vAppTemplateLeaseSettings``) with ``values`` (element -> text)."""
    orgs = assert_valid(c.get("/api/org/", headers=provider).content)
    org_id = next(o.get("href") for o in orgs if o.get("name") == "demo-org").rsplit("/", 1)[-1]
    href = f"/api/admin/org/{org_id}/settings/{section}"
    body = assert_valid(c.get(href, headers=provider).content)
    for name, value in values.items():
        body.find(f"{V15}{name}").text = value
    r = c.put(href, content=etree.tostring(body), headers={**provider, "Content-Type": "application/*+xml"})
    assert r.status_code == 200, r.text


def catalog(c, headers):
    session = assert_valid(c.get("/api/session", headers=headers).content)
    org = assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content)
    return org, assert_valid(
        c.get(link(org, "down", ".catalog+xml", "demo-catalog"), headers=headers).content
    )


def instantiate(c, headers, name: str, power_on: bool, template: str = "photon-5"):
    """A vApp of ``template`` in the demo VDC, as the org's user makes it; its document."""
    org, found = catalog(c, headers)
    item = next(i.get("href") for i in found.find(f"{V15}CatalogItems") if i.get("name") == template)
    entity = assert_valid(c.get(item, headers=headers).content).find(f"{V15}Entity").get("href")
    vdc = link(org, "down", ".vdc+xml", "demo-vdc")
    r = c.post(
        f"{vdc}/action/instantiateVAppTemplate",
        content=instantiate_body(name, entity, power_on),
        headers={**headers, "Content-Type": INSTANTIATE_TYPE},
    )
    assert r.status_code == 201, r.text
    return assert_valid(r.content)


def lease_of(c, headers, vapp_href: str) -> dict[str, str | None]:
    vapp = assert_valid(c.get(vapp_href, headers=headers).content)
    section = vapp.find(f"{V15}LeaseSettingsSection")
    fields = ("DeploymentLeaseInSeconds", "StorageLeaseInSeconds", "DeploymentLeaseExpiration")
    found = {f: section.findtext(f"{V15}{f}") for f in (*fields, "StorageLeaseExpiration")}
    return {**found, "deployed": vapp.get("deployed")}


def expired(c, headers, name: str, kind: str = "vApp") -> str:
    r = c.get("/api/query", params={"type": kind, "filter": f"name=={name}"}, headers=headers)
    (record,) = [x for x in assert_valid(r.content) if x.tag.endswith("Record")]
    return record.get("isExpired")


def advance(server, c, vc, seconds: float) -> dict[str, str]:
    """The world clock moved on ``seconds``; sessions anew (theirs have timed out): the org
    user's headers (vCD), the vCenter client's session id."""
    server.advance(seconds)
    if vc is not None:
        vc.headers["vmware-api-session-id"] = vcenter_session(server)
    return sign_in(c)


def test_org_leases_apply_to_a_new_vapp_and_end_on_the_world_clock(server):
    with server.client(base_url=server.vcd) as c, server.client() as vc:
        provider, alice = sign_in(c, PROVIDER), sign_in(c)
        set_leases(
            c,
            provider,
            "vAppLeaseSettings",
            DeploymentLeaseSeconds=str(2 * HOUR),
            StorageLeaseSeconds=str(3 * HOUR),
            DeleteOnStorageLeaseExpiration="false",
            PowerOffOnRuntimeLeaseExpiration="true",
        )
        href = instantiate(c, alice, "leased", power_on=True).get("href")
        lease = lease_of(c, alice, href)
        assert (lease["DeploymentLeaseInSeconds"], lease["StorageLeaseInSeconds"]) == (
            str(2 * HOUR),
            str(3 * HOUR),
        )
        assert lease["DeploymentLeaseExpiration"] and lease["StorageLeaseExpiration"] is None
        assert lease["deployed"] == "true"

        # Its own lease: never past the org's; shorter, it restarts now
        section = f"{href}/leaseSettingsSection/"
        current = assert_valid(c.get(section, headers=alice).content)
        assert link(current, "edit", LEASE_TYPE) == section
        current.find(f"{V15}DeploymentLeaseInSeconds").text = str(3 * HOUR)
        too_long = c.put(
            section, content=etree.tostring(current), headers={**alice, "Content-Type": LEASE_TYPE}
        )
        assert too_long.status_code == 400, too_long.text
        assert "exceeds the maximum" in assert_valid(too_long.content).get("message")
        current.find(f"{V15}DeploymentLeaseInSeconds").text = str(HOUR)
        r = c.put(section, content=etree.tostring(current), headers={**alice, "Content-Type": LEASE_TYPE})
        assert r.status_code == 202, r.text
        assert lease_of(c, alice, href)["DeploymentLeaseInSeconds"] == str(HOUR)

        vc.headers["vmware-api-session-id"] = vcenter_session(server)
        (vm,) = vc.get("/api/vcenter/vm", params={"names": "photon"}).json()
        assert vm["power_state"] == "POWERED_ON"

        # The deployment lease ends: undeployed, powered off (the org says so); storage lease runs
        alice = advance(server, c, vc, HOUR + 1)
        lease = lease_of(c, alice, href)
        assert lease["deployed"] == "false" and lease["DeploymentLeaseExpiration"] is None
        assert lease["StorageLeaseExpiration"]
        assert vc.get(f"/api/vcenter/vm/{vm['vm']}/power").json()["state"] == "POWERED_OFF"
        assert expired(c, alice, "leased") == "false"

        # The storage lease ends: kept, flagged expired (the org does not delete)
        alice = advance(server, c, vc, 3 * HOUR)
        assert c.get(href, headers=alice).status_code == 200
        assert expired(c, alice, "leased") == "true"

        # Deleting on storage lease expiry, and suspending on runtime lease expiry
        provider = sign_in(c, PROVIDER)
        set_leases(
            c,
            provider,
            "vAppLeaseSettings",
            DeleteOnStorageLeaseExpiration="true",
            PowerOffOnRuntimeLeaseExpiration="false",
        )
        assert c.delete(href, headers=alice).status_code == 202
        href = instantiate(c, alice, "brief", power_on=True).get("href")
        (vm,) = vc.get("/api/vcenter/vm", params={"names": "photon"}).json()
        alice = advance(server, c, vc, 2 * HOUR + 1)
        assert vc.get(f"/api/vcenter/vm/{vm['vm']}/power").json()["state"] == "SUSPENDED"
        assert c.get(href, headers=alice).status_code == 200
        alice = advance(server, c, vc, 3 * HOUR)
        assert c.get(href, headers=alice).status_code in (403, 404)
        assert vc.get("/api/vcenter/vm", params={"names": "photon"}).json() == []


def test_a_new_templates_storage_lease_is_the_orgs_and_ends_on_the_world_clock(server):
    with server.client(base_url=server.vcd) as c:
        provider, alice = sign_in(c, PROVIDER), sign_in(c)
        set_leases(
            c,
            provider,
            "vAppTemplateLeaseSettings",
            StorageLeaseSeconds=str(2 * HOUR),
            DeleteOnStorageLeaseExpiration="false",
        )
        vapp = instantiate(c, alice, "source", power_on=False).get("href")
        _, found = catalog(c, alice)
        params = (
            '<CaptureVAppParams xmlns="http://www.vmware.com/vcloud/v1.5" name="leased-image">'
            f'<Source href="{vapp}"/></CaptureVAppParams>'
        )
        r = c.post(
            link(found, "add", ".captureVAppParams+xml"),
            content=params,
            headers={**alice, "Content-Type": CAPTURE_TYPE},
        )
        assert r.status_code == 201, r.text
        template = assert_valid(r.content)
        section = template.find(f"{V15}LeaseSettingsSection")
        assert section.findtext(f"{V15}StorageLeaseInSeconds") == str(2 * HOUR)
        assert section.findtext(f"{V15}StorageLeaseExpiration")
        assert expired(c, alice, "leased-image", "vAppTemplate") == "false"
        alice = advance(server, c, None, 2 * HOUR + 1)
        assert expired(c, alice, "leased-image", "vAppTemplate") == "true"
        # An expired template makes no vApps
        org, _ = catalog(c, alice)
        r = c.post(
            f"{link(org, 'down', '.vdc+xml', 'demo-vdc')}/action/instantiateVAppTemplate",
            content=instantiate_body("late", template.get("href")),
            headers={**alice, "Content-Type": INSTANTIATE_TYPE},
        )
        assert r.status_code == 400 and "expired" in assert_valid(r.content).get("message"), r.text
