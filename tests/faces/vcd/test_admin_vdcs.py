"""Org VDC administration through the vCloud API (``/api/admin/org/{id}/vdcsparams``,
``/api/admin/vdc/{id}``): allocation models and their capacity, which instantiation and power-on
consume and which refuses clearly when exhausted; a disabled VDC takes no vApps; deletion; only
the provider may; every answer valid against the XSDs; the VDC's resource pool seen on vCenter."""

from __future__ import annotations

import pytest

from helpers import vcenter_session
from vcd_client import PROVIDER, V15, instantiate_body, link, sign_in
from vcd_schema import assert_valid

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

EXT = "{http://www.vmware.com/vcloud/extension/v1.5}"
CREATE_TYPE = "application/vnd.vmware.admin.createVdcParams+xml"
ADMIN_VDC_TYPE = "application/vnd.vmware.admin.vdc+xml"
INSTANTIATE_TYPE = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"


def create_body(
    name: str,
    pvdc_href: str,
    model: str = "AllocationPool",
    cpu: tuple[str, int, int] = ("GHz", 4, 4),
    memory: tuple[str, int, int] = ("MB", 4096, 4096),
    storage_mb: int = 102400,
    vm_quota: int = 0,
    enabled: bool = True,
) -> str:
    """A ``CreateVdcParams`` as pyvcloud's ``Org.create_org_vdc`` writes it."""
    return (
        f'<CreateVdcParams xmlns="http://www.vmware.com/vcloud/v1.5" name="{name}">'
        "<Description>made by a test</Description>"
        f"<AllocationModel>{model}</AllocationModel>"
        f"<ComputeCapacity><Cpu><Units>{cpu[0]}</Units><Allocated>{cpu[1]}</Allocated><Limit>{cpu[2]}</Limit></Cpu>"
        f"<Memory><Units>{memory[0]}</Units><Allocated>{memory[1]}</Allocated><Limit>{memory[2]}</Limit>"
        "</Memory></ComputeCapacity>"
        f"<NicQuota>0</NicQuota><NetworkQuota>0</NetworkQuota><VmQuota>{vm_quota}</VmQuota>"
        f"<IsEnabled>{'true' if enabled else 'false'}</IsEnabled>"
        "<VdcStorageProfile><Enabled>true</Enabled><Units>MB</Units>"
        f"<Limit>{storage_mb}</Limit><Default>true</Default>"
        # the provider VDC's ``*`` policy, whose id is the provider VDC's
        f'<ProviderVdcStorageProfile href="{pvdc_href.replace("/providervdc/", "/pvdcStorageProfile/")}"/>'
        "</VdcStorageProfile>"
        "<ResourceGuaranteedMemory>0.5</ResourceGuaranteedMemory>"
        "<ResourceGuaranteedCpu>0.25</ResourceGuaranteedCpu>"
        "<VCpuInMhz>2000</VCpuInMhz><IsThinProvision>true</IsThinProvision>"
        f'<ProviderVdcReference href="{pvdc_href}"/>'
        "<UsesFastProvisioning>false</UsesFastProvisioning>"
        "</CreateVdcParams>"
    )


def provider_vdc_href(c, headers) -> str:
    admin = assert_valid(c.get("/api/admin/", headers=headers).content)
    refs = admin.findall(f"{V15}ProviderVdcReferences/{V15}ProviderVdcReference")
    assert refs, "the admin view lists the provider VDCs"
    return refs[0].get("href")


def demo_org_href(c, headers) -> str:
    orgs = assert_valid(c.get("/api/org/", headers=headers).content)
    return next(o.get("href") for o in orgs if o.get("name") == "demo-org")


def create(c, headers, body: str):
    org_id = demo_org_href(c, headers).rsplit("/", 1)[-1]
    return c.post(
        f"/api/admin/org/{org_id}/vdcsparams", content=body, headers={**headers, "Content-Type": CREATE_TYPE}
    )


def template(c, headers, name: str = "photon-5") -> str:
    session = assert_valid(c.get("/api/session", headers=headers).content)
    org = assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content)
    catalog = assert_valid(c.get(link(org, "down", ".catalog+xml", "demo-catalog"), headers=headers).content)
    item_href = next(i.get("href") for i in catalog.find(f"{V15}CatalogItems") if i.get("name") == name)
    return assert_valid(c.get(item_href, headers=headers).content).find(f"{V15}Entity").get("href")


def instantiate(c, headers, vdc_id: str, name: str, template_href: str, power_on: bool = False):
    return c.post(
        f"/api/vdc/{vdc_id}/action/instantiateVAppTemplate",
        content=instantiate_body(name, template_href, power_on),
        headers={**headers, "Content-Type": INSTANTIATE_TYPE},
    )


def error(r, status: int, minor: str) -> str:
    assert r.status_code == status, r.text
    body = assert_valid(r.content)
    assert (body.tag, body.get("majorErrorCode"), body.get("minorErrorCode")) == (
        f"{V15}Error",
        str(status),
        minor,
    )
    return body.get("message")


@pytest.mark.parametrize("version", ["5.5", "36.0"])
def test_the_provider_creates_a_vdc_with_its_terms_and_vcenter_sees_its_pool(server, version):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER, version)
        r = create(c, admin, create_body("pool-vdc", provider_vdc_href(c, admin)))
        assert r.status_code == 201, r.text
        assert r.headers["content-type"].startswith(ADMIN_VDC_TYPE)
        made = assert_valid(r.content, version)
        assert made.tag == f"{V15}AdminVdc" and made.get("name") == "pool-vdc"
        task = made.find(f"{V15}Tasks/{V15}Task")
        assert task.get("operationName") == "vdcCreateVdc"
        again = assert_valid(c.get(made.get("href"), headers=admin).content, version)
        assert again.findtext(f"{V15}AllocationModel") == "AllocationPool"
        cpu = again.find(f"{V15}ComputeCapacity/{V15}Cpu")
        assert [cpu.findtext(f"{V15}{x}") for x in ("Units", "Allocated", "Limit")] == ["MHz", "4000", "4000"]
        if version != "5.5":  # Reserved is 5.1's: the guaranteed quarter of the allocation
            assert cpu.findtext(f"{V15}Reserved") == "1000"
        memory = again.find(f"{V15}ComputeCapacity/{V15}Memory")
        assert [memory.findtext(f"{V15}{x}") for x in ("Allocated", "Limit")] == ["4096", "4096"]
        assert again.findtext(f"{V15}ResourceGuaranteedMemory") == "0.5"
        assert again.findtext(f"{V15}VCpuInMhz") == "2000"
        assert again.findtext(f"{V15}IsThinProvision") == "true"
        assert again.find(f"{V15}ProviderVdcReference").get("href") == provider_vdc_href(c, admin)
        vdc_id = again.get("href").rsplit("/", 1)[-1]
        # The user's view of the same VDC, and its storage policy's limit
        user_view = assert_valid(c.get(f"/api/vdc/{vdc_id}", headers=admin).content, version)
        assert user_view.findtext(f"{V15}IsEnabled") == "true"
        assert user_view.findtext(f"{V15}VCpuInMhz2") == (None if version == "5.5" else "2000")
        assert link(user_view, "alternate", ADMIN_VDC_TYPE) == again.get("href")
        if version != "5.5":
            pool = again.find(f"{V15}ResourcePoolRefs/{EXT}VimObjectRef/{EXT}MoRef").text
            (profile,) = user_view.find(f"{V15}VdcStorageProfiles")
            assert (
                assert_valid(c.get(profile.get("href"), headers=admin).content).findtext(f"{V15}Limit")
                == "102400"
            )
            admin_profile = c.get(
                profile.get("href").replace("/api/vdcStorageProfile", "/api/admin/vdcStorageProfile"),
                headers=admin,
            )
            assert assert_valid(admin_profile.content).tag == f"{V15}AdminVdcStorageProfile"
            # vCenter sees the VDC's resource pool with its ceiling
            session = vcenter_session(server)
            with server.client() as vc:
                found = vc.get(
                    f"/api/vcenter/resource-pool/{pool}", headers={"vmware-api-session-id": session}
                )
            assert found.status_code == 200, found.text
            info = found.json()
            assert "pool-vdc" in info["name"]
            assert info["cpu_allocation"]["limit"] == 4000
            assert info["memory_allocation"]["limit"] == 4096


def test_instantiation_consumes_capacity_and_is_refused_beyond_it(server):
    """A VM quota of 2, memory of 1536 MB: a vApp of one 1024 MB VM powered on fits; a second
    powered on does not (memory); a third VM does not (quota); nothing is left of a refusal."""
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        body = create_body("small", provider_vdc_href(c, admin), memory=("MB", 1536, 1536), vm_quota=2)
        vdc = assert_valid(create(c, admin, body).content)
        vdc_id = vdc.get("href").rsplit("/", 1)[-1]
        alice = sign_in(c)
        photon = template(c, alice)
        first = instantiate(c, alice, vdc_id, "one", photon, power_on=True)
        assert first.status_code == 201, first.text
        message = error(instantiate(c, alice, vdc_id, "two", photon, power_on=True), 400, "BAD_REQUEST")
        assert "memory" in message and "1536" in message
        view = assert_valid(c.get(f"/api/vdc/{vdc_id}", headers=alice).content)
        assert [e.get("name") for e in view.find(f"{V15}ResourceEntities")] == ["one"]  # nothing left over
        used = view.find(f"{V15}ComputeCapacity/{V15}Memory/{V15}Used").text
        assert used == "1024"
        assert instantiate(c, alice, vdc_id, "two", photon).status_code == 201  # powered off: fits
        vapp = assert_valid(c.get(f"/api/vdc/{vdc_id}", headers=alice).content)
        two = next(e.get("href") for e in vapp.find(f"{V15}ResourceEntities") if e.get("name") == "two")
        on = c.post(f"{two}/power/action/powerOn", headers=alice)
        assert "memory" in error(on, 400, "BAD_REQUEST")
        message = error(instantiate(c, alice, vdc_id, "three", photon), 400, "BAD_REQUEST")
        assert "VM quota of 2" in message


def test_the_storage_limit_refuses_a_vapp_that_would_pass_it(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        body = create_body("tiny-disk", provider_vdc_href(c, admin), model="AllocationVApp", storage_mb=10000)
        vdc_id = assert_valid(create(c, admin, body).content).get("href").rsplit("/", 1)[-1]
        alice = sign_in(c)
        message = error(instantiate(c, alice, vdc_id, "big", template(c, alice)), 400, "BAD_REQUEST")
        assert "storage" in message and "10000 MB" in message


def test_a_disabled_vdc_refuses_instantiation_and_deletion_needs_it_disabled(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        made = assert_valid(create(c, admin, create_body("switch", provider_vdc_href(c, admin))).content)
        href = made.get("href")
        vdc_id = href.rsplit("/", 1)[-1]
        alice = sign_in(c)
        photon = template(c, alice)
        assert link(made, "disable", "") == f"{href}/action/disable"
        assert c.post(f"{href}/action/disable", headers=admin).status_code == 204
        disabled = assert_valid(c.get(href, headers=admin).content)
        assert disabled.findtext(f"{V15}IsEnabled") == "false"
        assert link(disabled, "enable", "") == f"{href}/action/enable"
        assert "disabled" in error(instantiate(c, alice, vdc_id, "no", photon), 400, "BAD_REQUEST")
        assert c.post(f"{href}/action/enable", headers=admin).status_code == 204
        assert instantiate(c, alice, vdc_id, "yes", photon).status_code == 201
        assert "disable it" in error(c.delete(href, headers=admin), 400, "BAD_REQUEST")
        c.post(f"{href}/action/disable", headers=admin)
        assert "vApp" in error(c.delete(href, headers=admin), 400, "BAD_REQUEST")
        r = c.delete(f"{href}?recursive=true&force=true", headers=admin)
        assert r.status_code == 202, r.text
        deleted = assert_valid(r.content)
        assert deleted.get("operationName") == "vdcDeleteVdc"
        error(c.get(href, headers=admin), 404, "RESOURCE_NOT_FOUND")
        error(c.get(f"/api/vdc/{vdc_id}", headers=alice), 404, "RESOURCE_NOT_FOUND")


def test_an_edit_changes_the_terms_and_the_pool_follows(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        made = assert_valid(create(c, admin, create_body("edited", provider_vdc_href(c, admin))).content)
        href = made.get("href")
        current = c.get(href, headers=admin).text
        changed = (
            current.replace(
                "<AllocationModel>AllocationPool</AllocationModel>", "<AllocationModel>Flex</AllocationModel>"
            )
            .replace("<Limit>4000</Limit>", "<Limit>8000</Limit>")
            .replace("<VmQuota>0</VmQuota>", "<VmQuota>7</VmQuota>")
        )
        r = c.put(href, content=changed, headers={**admin, "Content-Type": ADMIN_VDC_TYPE})
        assert r.status_code == 202, r.text
        assert assert_valid(r.content).find(f"{V15}Tasks/{V15}Task").get("operationName") == "vdcUpdateVdc"
        after = assert_valid(c.get(href, headers=admin).content)
        assert after.findtext(f"{V15}AllocationModel") == "Flex"
        assert after.findtext(f"{V15}ComputeCapacity/{V15}Cpu/{V15}Limit") == "8000"
        assert after.findtext(f"{V15}VmQuota") == "7"
        pool = after.find(f"{V15}ResourcePoolRefs/{EXT}VimObjectRef/{EXT}MoRef").text
        session = vcenter_session(server)
        with server.client() as vc:
            info = vc.get(
                f"/api/vcenter/resource-pool/{pool}", headers={"vmware-api-session-id": session}
            ).json()
        assert info["cpu_allocation"]["limit"] == 8000
        bad = current.replace(
            "<AllocationModel>AllocationPool</AllocationModel>", "<AllocationModel>Nope</AllocationModel>"
        )
        message = error(
            c.put(href, content=bad, headers={**admin, "Content-Type": ADMIN_VDC_TYPE}), 400, "BAD_REQUEST"
        )
        assert "allocation model" in message.lower()


def test_bad_params_get_the_products_errors(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        pvdc = provider_vdc_href(c, admin)
        assert "Units" in error(
            create(c, admin, create_body("u", pvdc, cpu=("THz", 1, 1))), 400, "BAD_REQUEST"
        )
        error(create(c, admin, create_body("m", pvdc, model="Other")), 400, "BAD_REQUEST")
        error(create(c, admin, create_body("p", pvdc.rsplit("/", 1)[0] + "/nope")), 404, "RESOURCE_NOT_FOUND")
        assert create(c, admin, create_body("dup", pvdc)).status_code == 201
        error(create(c, admin, create_body("dup", pvdc)), 400, "DUPLICATE_NAME")
        error(create(c, admin, "<CreateVdcParams"), 400, "BAD_REQUEST")


def test_org_users_may_not_administer_vdcs(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        pvdc = provider_vdc_href(c, admin)
        made = assert_valid(create(c, admin, create_body("theirs", pvdc)).content)
        alice = sign_in(c)
        error(create(c, alice, create_body("mine", pvdc)), 403, "ACCESS_TO_RESOURCE_IS_FORBIDDEN")
        error(c.get(made.get("href"), headers=alice), 403, "ACCESS_TO_RESOURCE_IS_FORBIDDEN")
        error(
            c.post(f"{made.get('href')}/action/disable", headers=alice),
            403,
            "ACCESS_TO_RESOURCE_IS_FORBIDDEN",
        )
        error(c.delete(made.get("href"), headers=alice), 403, "ACCESS_TO_RESOURCE_IS_FORBIDDEN")
        error(c.get(pvdc, headers=alice), 403, "ACCESS_TO_RESOURCE_IS_FORBIDDEN")
        user_view = assert_valid(
            c.get(f"/api/vdc/{made.get('href').rsplit('/', 1)[-1]}", headers=alice).content
        )
        assert not [x for x in user_view.findall(f"{V15}Link") if x.get("rel") == "remove"]


def test_the_storage_policy_limit_is_edited_and_then_binds(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        made = assert_valid(create(c, admin, create_body("roomy", provider_vdc_href(c, admin))).content)
        vdc_id = made.get("href").rsplit("/", 1)[-1]
        (profile,) = made.find(f"{V15}VdcStorageProfiles")
        href = profile.get("href").replace("/api/vdcStorageProfile", "/api/admin/vdcStorageProfile")
        current = c.get(href, headers=admin).text
        smaller = current.replace("<Limit>102400</Limit>", "<Limit>10</Limit>").replace(
            "<Units>MB</Units>", "<Units>GB</Units>"
        )
        r = c.put(
            href,
            content=smaller,
            headers={**admin, "Content-Type": "application/vnd.vmware.admin.vdcStorageProfile+xml"},
        )
        assert r.status_code == 200, r.text  # the policy as it now is
        assert assert_valid(r.content).findtext(f"{V15}Limit") == "10240"
        assert assert_valid(c.get(href, headers=admin).content).findtext(f"{V15}Limit") == "10240"
        alice = sign_in(c)
        message = error(instantiate(c, alice, vdc_id, "big", template(c, alice)), 400, "BAD_REQUEST")
        assert "10240 MB" in message


def test_deleting_a_vdc_with_its_vapps_and_networks_takes_them_from_vcenter(server):
    with server.client(base_url=server.vcd) as c, server.client() as vc:
        admin = sign_in(c, PROVIDER)
        orgs = assert_valid(c.get("/api/org/", headers=admin).content)
        org_href = next(o.get("href") for o in orgs if o.get("name") == "demo-org")
        org = assert_valid(c.get(org_href, headers=admin).content)
        vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=admin).content)
        admin_href = link(vdc, "alternate", ADMIN_VDC_TYPE)
        (network,) = vdc.find(f"{V15}AvailableNetworks")
        vc.headers["vmware-api-session-id"] = vcenter_session(server)
        before = {n["name"] for n in vc.get("/api/vcenter/network").json()}
        assert any(n.startswith("demo-net-") for n in before)
        c.post(f"{admin_href}/action/disable", headers=admin)
        assert "network" in error(c.delete(admin_href, headers=admin), 400, "BAD_REQUEST")
        r = c.delete(f"{admin_href}?recursive=true&force=true", headers=admin)
        assert r.status_code == 202, r.text
        after = {n["name"] for n in vc.get("/api/vcenter/network").json()}
        assert not any(n.startswith("demo-net-") for n in after)
        assert c.get(network.get("href"), headers=admin).status_code == 404
        assert not [v for v in vc.get("/api/vcenter/vm", params={"names": "web"}).json()]
