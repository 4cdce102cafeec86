"""An org VDC's storage policies through the vCloud API: the provider VDC offers ``*`` and one a
datastore; ``POST /api/admin/vdc/{id}/vdcStorageProfiles`` (``UpdateVdcStorageProfiles``) adds and
removes them, ``PUT /api/admin/vdcStorageProfile/{id}`` edits one (enabled, limit, default);
removal is refused for the default and for a policy that holds vApps; instantiation into a policy
is held to its limit. Every answer valid against the XSDs."""

from __future__ import annotations

import pytest

from vcd_client import PROVIDER, V15, link, sign_in
from vcd_schema import assert_valid

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

ADMIN = "application/vnd.vmware.admin"
UPDATE_TYPE = f"{ADMIN}.updateVdcStorageProfiles+xml"
PROFILE_TYPE = f"{ADMIN}.vdcStorageProfile+xml"
INSTANTIATE_TYPE = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"


def error(r, status: int, minor: str) -> str:
    assert r.status_code == status, r.text
    body = assert_valid(r.content)
    assert (body.tag, body.get("minorErrorCode")) == (f"{V15}Error", minor)
    return body.get("message")


def demo_vdc(c, headers):
    """The demo VDC (the user's view) and its admin view, as the provider reads them."""
    orgs = assert_valid(c.get("/api/org/", headers=headers).content)
    org_href = next(o.get("href") for o in orgs if o.get("name") == "demo-org")
    org = assert_valid(c.get(org_href, headers=headers).content)
    vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=headers).content)
    admin = assert_valid(c.get(link(vdc, "alternate", f"{ADMIN}.vdc+xml"), headers=headers).content)
    return vdc, admin


def profiles(c, headers, vdc_href: str) -> dict[str, str]:
    """The VDC's storage policies: name -> admin href."""
    vdc = assert_valid(c.get(vdc_href, headers=headers).content)
    return {
        p.get("name"): p.get("href").replace("/api/vdcStorageProfile", "/api/admin/vdcStorageProfile")
        for p in vdc.find(f"{V15}VdcStorageProfiles")
    }


def update(c, headers, admin_vdc, inner: str):
    return c.post(
        link(admin_vdc, "edit", UPDATE_TYPE),
        content=f'<UpdateVdcStorageProfiles xmlns="http://www.vmware.com/vcloud/v1.5">{inner}</UpdateVdcStorageProfiles>',
        headers={**headers, "Content-Type": UPDATE_TYPE},
    )


def edit(c, headers, href: str, **values: str):
    """A GET of the admin policy, ``values`` (element -> text) changed, PUT back."""
    body = c.get(href, headers=headers).text
    for name, value in values.items():
        start = body.index(f"<{name}>") + len(name) + 2
        body = body[:start] + value + body[body.index(f"</{name}>", start) :]
    return c.put(href, content=body, headers={**headers, "Content-Type": PROFILE_TYPE})


def instantiate_into(c, headers, vdc_href: str, name: str, profile_href: str):
    """``photon-5`` instantiated with its VM on the policy ``profile_href`` (as pyvcloud's
    ``VDC.instantiate_vapp(storage_profile=...)`` writes it)."""
    session = assert_valid(c.get("/api/session", headers=headers).content)
    org = assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content)
    catalog = assert_valid(c.get(link(org, "down", ".catalog+xml", "demo-catalog"), headers=headers).content)
    item = next(i.get("href") for i in catalog.find(f"{V15}CatalogItems") if i.get("name") == "photon-5")
    template_href = assert_valid(c.get(item, headers=headers).content).find(f"{V15}Entity").get("href")
    template = assert_valid(c.get(template_href, headers=headers).content)
    vm_href = template.find(f"{V15}Children/{V15}Vm").get("href")
    body = (
        f'<InstantiateVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" name="{name}" '
        f'deploy="false" powerOn="false"><InstantiationParams/><Source href="{template_href}"/>'
        f'<SourcedItem><Source href="{vm_href}"/><StorageProfile href="{profile_href}"/></SourcedItem>'
        "<AllEULAsAccepted>true</AllEULAsAccepted></InstantiateVAppTemplateParams>"
    )
    return c.post(
        f"{vdc_href}/action/instantiateVAppTemplate",
        content=body,
        headers={**headers, "Content-Type": INSTANTIATE_TYPE},
    )


def test_a_vdc_adds_edits_uses_and_removes_a_storage_policy_of_its_provider_vdc(server):
    with server.client(base_url=server.vcd) as c:
        admin, alice = sign_in(c, PROVIDER), sign_in(c)
        vdc, admin_vdc = demo_vdc(c, admin)
        vdc_href = vdc.get("href")
        pvdc = assert_valid(
            c.get(admin_vdc.find(f"{V15}ProviderVdcReference").get("href"), headers=admin).content
        )
        offered = {p.get("name"): p.get("href") for p in pvdc.find(f"{V15}StorageProfiles")}
        assert "*" in offered and len(offered) >= 2, offered
        name, pvdc_profile = next((n, h) for n, h in offered.items() if n != "*")
        policy = assert_valid(c.get(pvdc_profile, headers=admin).content)
        assert policy.get("name") == name and float(policy.findtext(f"{V15}CapacityTotal")) > 0

        # Added: 202 and a task; the VDC lists it beside its default ``*``
        added = update(
            c,
            admin,
            admin_vdc,
            "<AddStorageProfile><Enabled>true</Enabled><Units>GB</Units><Limit>10</Limit>"
            f'<Default>false</Default><ProviderVdcStorageProfile href="{pvdc_profile}"/></AddStorageProfile>',
        )
        assert added.status_code == 202, added.text
        assert assert_valid(added.content).tag == f"{V15}Task"
        hrefs = profiles(c, admin, vdc_href)
        assert set(hrefs) == {"*", name}
        mine = assert_valid(c.get(hrefs[name], headers=admin).content)
        assert mine.tag == f"{V15}AdminVdcStorageProfile"
        assert [mine.findtext(f"{V15}{x}") for x in ("Enabled", "Limit", "Default")] == [
            "true",
            "10240",
            "false",
        ]
        assert mine.find(f"{V15}ProviderVdcStorageProfile").get("href") == pvdc_profile
        error(
            update(
                c,
                admin,
                admin_vdc,
                "<AddStorageProfile><Enabled>true</Enabled><Units>MB</Units><Limit>0</Limit>"
                "<Default>false</Default><ProviderVdcStorageProfile "
                f'href="{pvdc_profile.rsplit("/", 1)[0]}/nope"/></AddStorageProfile>',
            ),
            400,
            "BAD_REQUEST",
        )

        # Its limit binds instantiation into it (photon's disk is 16 GB); raised, the vApp fits
        user_href = hrefs[name].replace("/api/admin/vdcStorageProfile", "/api/vdcStorageProfile")
        message = error(instantiate_into(c, alice, vdc_href, "tiered", user_href), 400, "BAD_REQUEST")
        assert f'"{name}"' in message and "10240 MB" in message
        r = edit(c, admin, hrefs[name], Limit="20", Units="GB")
        assert r.status_code == 200, r.text
        assert assert_valid(r.content).findtext(f"{V15}Limit") == "20480"
        made = instantiate_into(c, alice, vdc_href, "tiered", user_href)
        assert made.status_code == 201, made.text
        vm = assert_valid(made.content).find(f"{V15}Children/{V15}Vm")
        assert vm.find(f"{V15}StorageProfile").get("name") == name
        # An independent disk on it too: its own and what it holds
        disk_body = (
            '<DiskCreateParams xmlns="http://www.vmware.com/vcloud/v1.5"><Disk name="data" size="1073741824">'
            f'<StorageProfile href="{user_href}"/></Disk></DiskCreateParams>'
        )
        r = c.post(
            f"{vdc_href}/disk",
            content=disk_body,
            headers={**alice, "Content-Type": "application/vnd.vmware.vcloud.diskCreateParams+xml"},
        )
        assert r.status_code == 201, r.text
        disk = assert_valid(r.content)
        assert disk.find(f"{V15}StorageProfile").get("name") == name
        found = assert_valid(
            c.get("/api/query", params={"type": "disk", "filter": "name==data"}, headers=alice).content
        )
        (record,) = [x for x in found if x.tag == f"{V15}DiskRecord"]
        assert record.get("storageProfileName") == name
        used = assert_valid(c.get(user_href, headers=alice).content)
        assert used.findtext(f"{V15}StorageUsedMB") == str(16384 + 1024)

        # Removal: refused while it holds the vApp, and for the default
        remove = f'<RemoveStorageProfile href="{user_href}"/>'
        refused = error(update(c, admin, admin_vdc, remove), 400, "BAD_REQUEST")
        assert "in use" in refused and "1 vApp(s)" in refused and "1 disk(s)" in refused
        star = hrefs["*"].replace("/api/admin/vdcStorageProfile", "/api/vdcStorageProfile")
        assert "default" in error(
            update(c, admin, admin_vdc, f'<RemoveStorageProfile href="{star}"/>'), 400, "BAD_REQUEST"
        )
        assert "default" in error(edit(c, admin, hrefs["*"], Enabled="false"), 400, "BAD_REQUEST")

        # Made the default, the other one is no more; the VDC's storage limit follows it
        assert edit(c, admin, hrefs[name], Default="true").status_code == 200
        assert assert_valid(c.get(hrefs["*"], headers=admin).content).findtext(f"{V15}Default") == "false"
        assert edit(c, admin, hrefs["*"], Default="true").status_code == 200

        # Without its vApp it goes
        vapp = assert_valid(made.content).get("href")
        assert c.delete(vapp, headers=alice).status_code == 202
        assert c.delete(disk.get("href"), headers=alice).status_code == 202
        gone = update(c, admin, admin_vdc, remove)
        assert gone.status_code == 202, gone.text
        assert set(profiles(c, admin, vdc_href)) == {"*"}
        assert c.get(hrefs[name], headers=admin).status_code == 404
