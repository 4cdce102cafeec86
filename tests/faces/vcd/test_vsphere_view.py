"""The provider's vSphere view through the vCloud API's extension: the world's vCenter (the same
instance uuid vCenter qualifies its ids with), its hosts, datastores, networks and resource pools,
provider VDCs, external networks and network pools, an object's vSphere URL; importing a vCenter
VM into a vApp and relocating a vApp's VM to another datastore, both seen on vCenter's REST face.
System administrators only; every answer valid against the XSDs."""

from __future__ import annotations

import contextlib

import pytest

from helpers import vcenter_session
from vcd_client import PROVIDER, V15, link, sign_in
from vcd_schema import assert_valid

EXT = "{http://www.vmware.com/vcloud/extension/v1.5}"
IMPORT_TYPE = "application/vnd.vmware.admin.importVmAsVAppParams+xml"
INTO_TYPE = "application/vnd.vmware.admin.importVmIntoExistingVAppParams+xml"
RELOCATE_TYPE = "application/vnd.vmware.vcloud.relocateVmParams+xml"


@contextlib.contextmanager
def vcenter(server):
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        yield vc


def ext_link(element, type_suffix: str) -> str:
    (found,) = [
        x.get("href") for x in element.findall(f"{V15}Link") if x.get("type", "").endswith(type_suffix)
    ]
    return found


def vim_server(c, headers):
    extension = assert_valid(c.get("/api/admin/extension", headers=headers).content)
    refs = assert_valid(c.get(ext_link(extension, ".vmwVimServerReferences+xml"), headers=headers).content)
    (ref,) = refs.findall(f"{EXT}VimServerReference")
    return extension, assert_valid(c.get(ref.get("href"), headers=headers).content)


def demo_vdc(c, headers):
    """The demo org's VDC as the provider administers it."""
    orgs = assert_valid(c.get("/api/org/", headers=headers).content)
    org_href = next(o.get("href") for o in orgs if o.get("name") == "demo-org")
    org = assert_valid(c.get(org_href, headers=headers).content)
    vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=headers).content)
    return assert_valid(c.get(link(vdc, "alternate", "admin.vdc+xml"), headers=headers).content)


def pool_of(admin_vdc) -> str:
    return admin_vdc.find(f"{V15}ResourcePoolRefs/{EXT}VimObjectRef/{EXT}MoRef").text


def test_the_extension_shows_the_worlds_vcenter_its_hosts_datastores_and_networks(server):
    with server.client(base_url=server.vcd) as c, vcenter(server) as vc:
        admin = sign_in(c, PROVIDER)
        extension, vim = vim_server(c, admin)
        (qualified,) = vc.get("/api/vcenter/vm/vm-424242").json()["messages"][0]["args"]
        assert vim.findtext(f"{EXT}Uuid") == qualified.split(":", 1)[1]
        assert vim.get("href").rsplit("/", 1)[-1] == vim.findtext(f"{EXT}Uuid")
        assert vim.findtext(f"{EXT}IsConnected") == "true"
        pools = assert_valid(c.get(ext_link(vim, ".resourcePoolList+xml"), headers=admin).content)
        morefs = {p.findtext(f"{EXT}MoRef") for p in pools.findall(f"{EXT}ResourcePool")}
        vc_pools = {p["resource_pool"] for p in vc.get("/api/vcenter/resource-pool").json()}
        assert morefs and morefs <= vc_pools
        assert pool_of(demo_vdc(c, admin)) not in morefs  # a VDC's pool is taken
        networks = assert_valid(c.get(ext_link(vim, ".vimObjectRefList+xml"), headers=admin).content)
        net_morefs = {m.text for m in networks.iter(f"{EXT}MoRef")}
        assert net_morefs == {n["network"] for n in vc.get("/api/vcenter/network").json()}
        hosts = assert_valid(c.get(ext_link(extension, ".vmwHostReferences+xml"), headers=admin).content)
        host_refs = hosts.findall(f"{EXT}HostReference")
        host = assert_valid(c.get(host_refs[0].get("href"), headers=admin).content)
        assert host.findtext(f"{EXT}VmMoRef") in {h["host"] for h in vc.get("/api/vcenter/host").json()}
        assert float(host.findtext(f"{EXT}MemTotal")) > 0
        datastores = assert_valid(c.get(ext_link(extension, ".datastoreList+xml"), headers=admin).content)
        refs = datastores.findall(f"{V15}Reference")
        assert all(r.get("id").startswith("urn:vcloud:datastore:") for r in refs)
        datastore = assert_valid(c.get(refs[0].get("href"), headers=admin).content)
        moref = datastore.findtext(f"{EXT}VimObjectRef/{EXT}MoRef")
        (vc_datastore,) = vc.get("/api/vcenter/datastore", params={"datastores": moref}).json()
        assert vc_datastore["name"] == datastore.get("name")
        assert float(datastore.findtext(f"{EXT}TotalCapacityMb")) == pytest.approx(
            vc_datastore["capacity"] / (1 << 20), abs=0.01
        )


def test_provider_vdcs_external_networks_and_network_pools(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        top = assert_valid(c.get("/api/admin/", headers=admin).content)
        (ref,) = top.findall(f"{V15}ProviderVdcReferences/{V15}ProviderVdcReference")[:1]
        pvdc = assert_valid(c.get(ref.get("href"), headers=admin).content)
        assert pvdc.tag == f"{V15}ProviderVdc"
        assert pvdc.find(f"{V15}Vdcs") is None  # from 29.0 they are its vdcReferences
        refs = assert_valid(c.get(link(pvdc, "down", ".vdcReferences+xml"), headers=admin).content)
        assert "demo-vdc" in [v.get("name") for v in refs]
        old_admin = sign_in(c, PROVIDER, "5.5")
        old_form = assert_valid(c.get(ref.get("href"), headers=old_admin).content, "5.5")
        assert "demo-vdc" in [v.get("name") for v in old_form.find(f"{V15}Vdcs")]
        cpu = pvdc.find(f"{V15}ComputeCapacity/{V15}Cpu")
        assert int(cpu.findtext(f"{V15}Total")) > 0 and int(cpu.findtext(f"{V15}Used")) >= 4000
        vmw = assert_valid(c.get(link(pvdc, "alternate", ".vmwprovidervdc+xml"), headers=admin).content)
        assert vmw.tag == f"{EXT}VMWProviderVdc"
        assert vmw.findall(f"{EXT}HostReferences/{EXT}HostReference")
        (pool_ref,) = pvdc.findall(f"{V15}NetworkPoolReferences/{V15}NetworkPoolReference")
        pool = assert_valid(c.get(pool_ref.get("href"), headers=admin).content)
        assert pool.tag == f"{EXT}VMWNetworkPool" and pool.findall(f"{EXT}PortGroupRefs/{EXT}VimObjectRef")
        assert pool.findtext(f"{EXT}UsedNetworksCount") == "1"  # the demo org's network
        extension = assert_valid(c.get("/api/admin/extension", headers=admin).content)
        pools = assert_valid(
            c.get(ext_link(extension, ".vmwNetworkPoolReferences+xml"), headers=admin).content
        )
        assert pool_ref.get("href") in [p.get("href") for p in pools.findall(f"{EXT}NetworkPoolReference")]
        externals = assert_valid(
            c.get(ext_link(extension, ".vmwExternalNetworkReferences+xml"), headers=admin).content
        )
        refs = externals.findall(f"{EXT}ExternalNetworkReference")
        assert refs
        external = assert_valid(c.get(refs[0].get("href"), headers=admin).content)
        assert external.find(f"{EXT}VimPortGroupRef/{EXT}MoRef") is not None
        admin_view = assert_valid(c.get(link(external, "alternate", ".network+xml"), headers=admin).content)
        assert admin_view.tag == f"{V15}ExternalNetwork" and admin_view.get("name") == external.get("name")


def test_the_vsphere_url_of_an_object(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        _, vim = vim_server(c, admin)
        pool = pool_of(demo_vdc(c, admin))
        r = c.get(f"{vim.get('href')}/RESOURCE_POOL/{pool}/vSphereWebClientUrl", headers=admin)
        assert r.status_code == 200, r.text
        answer = assert_valid(r.content)
        assert answer.tag == f"{EXT}VSphereWebClientUrl" and pool in answer.findtext(f"{EXT}URL")
        assert (
            c.get(
                f"{vim.get('href')}/RESOURCE_POOL/resgroup-999999/vSphereWebClientUrl", headers=admin
            ).status_code
            == 404
        )
        assert c.get(f"{vim.get('href')}/GALAXY/{pool}/vSphereWebClientUrl", headers=admin).status_code == 404


def loose_vm(vc, vcd_vms: set[str]) -> dict:
    """A vCenter VM no vApp holds, powered off."""
    for vm in vc.get("/api/vcenter/vm", params={"power_states": "POWERED_OFF"}).json():
        info = vc.get(f"/api/vcenter/vm/{vm['vm']}").json()
        if info["identity"]["instance_uuid"] not in vcd_vms:
            return vm
    raise AssertionError("no loose VM")


def test_importing_a_vcenter_vm_moves_or_copies_it_into_a_vapp(server):
    with server.client(base_url=server.vcd) as c, vcenter(server) as vc:
        admin = sign_in(c, PROVIDER)
        _, vim = vim_server(c, admin)
        vdc = demo_vdc(c, admin)
        pool = pool_of(vdc)
        vdc_href = link(vdc, "alternate", ".vcloud.vdc+xml")
        in_pool = {v["vm"] for v in vc.get("/api/vcenter/vm", params={"resource_pools": pool}).json()}
        vm = loose_vm(vc, set())
        assert vm["vm"] not in in_pool
        body = (
            '<ImportVmAsVAppParams xmlns="http://www.vmware.com/vcloud/extension/v1.5" '
            f'name="imported" sourceMove="true"><VmMoRef>{vm["vm"]}</VmMoRef>'
            f'<Vdc href="{vdc_href}"/></ImportVmAsVAppParams>'
        )
        r = c.post(
            ext_link(vim, "importVmAsVAppParams+xml"),
            content=body,
            headers={**admin, "Content-Type": IMPORT_TYPE},
        )
        assert r.status_code == 201, r.text
        vapp = assert_valid(r.content)
        assert vapp.get("name") == "imported"
        assert vapp.find(f"{V15}Tasks/{V15}Task").get("operationName") == "vdcImportVm"
        (child,) = assert_valid(c.get(vapp.get("href"), headers=admin).content).findall(
            f"{V15}Children/{V15}Vm"
        )
        assert child.get("name") == vm["name"]
        moved = vc.get(f"/api/vcenter/vm/{vm['vm']}").json()
        assert moved["identity"]["instance_uuid"] == child.get("id").rsplit(":", 1)[-1]  # the same VM
        assert vm["vm"] in {
            v["vm"] for v in vc.get("/api/vcenter/vm", params={"resource_pools": pool}).json()
        }
        again = c.post(
            ext_link(vim, "importVmAsVAppParams+xml"),
            content=body.replace('"imported"', '"twice"'),
            headers={**admin, "Content-Type": IMPORT_TYPE},
        )
        assert again.status_code == 400 and "already belongs to a vApp" in again.text
        # a copy into that vApp: the source stays where it was
        other = loose_vm(vc, {child.get("id").rsplit(":", 1)[-1]})
        into = (
            '<ImportVmIntoExistingVAppParams xmlns="http://www.vmware.com/vcloud/extension/v1.5" '
            f'sourceMove="false"><VmName>{other["name"]}</VmName><VmMoRef>{other["vm"]}</VmMoRef>'
            f'<VApp href="{vapp.get("href")}"/>'
            "</ImportVmIntoExistingVAppParams>"
        )
        r = c.post(
            ext_link(vim, "importVmIntoExistingVAppParams+xml"),
            content=into,
            headers={**admin, "Content-Type": INTO_TYPE},
        )
        assert r.status_code == 202, r.text
        assert assert_valid(r.content).get("operationName") == "vdcImportVm"
        names = [
            v.get("name")
            for v in assert_valid(c.get(vapp.get("href"), headers=admin).content).findall(
                f"{V15}Children/{V15}Vm"
            )
        ]
        assert sorted(names) == sorted([vm["name"], other["name"]])
        assert vc.get(f"/api/vcenter/vm/{other['vm']}").status_code == 200  # still there
        assert other["vm"] not in {
            v["vm"] for v in vc.get("/api/vcenter/vm", params={"resource_pools": pool}).json()
        }


def test_relocating_a_vms_disks_is_seen_on_vcenter(server):
    with server.client(base_url=server.vcd) as c, vcenter(server) as vc:
        admin = sign_in(c, PROVIDER)
        vdc = demo_vdc(c, admin)
        user_vdc = assert_valid(c.get(link(vdc, "alternate", ".vcloud.vdc+xml"), headers=admin).content)
        vapp_href = next(
            e.get("href") for e in user_vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web"
        )
        vm = next(
            v
            for v in assert_valid(c.get(vapp_href, headers=admin).content).findall(f"{V15}Children/{V15}Vm")
            if v.get("name") == "web"
        )
        vm_id = vm.get("id").rsplit(":", 1)[-1]
        moref = next(
            v["vm"]
            for v in vc.get("/api/vcenter/vm", params={"names": "web"}).json()
            if vc.get(f"/api/vcenter/vm/{v['vm']}").json()["identity"]["instance_uuid"] == vm_id
        )
        before = vc.get(f"/api/vcenter/vm/{moref}").json()
        (disk,) = before["disks"].values()
        current = disk["backing"]["vmdk_file"].split("]")[0][1:]
        extension = assert_valid(c.get("/api/admin/extension", headers=admin).content)
        datastores = assert_valid(c.get(ext_link(extension, ".datastoreList+xml"), headers=admin).content)
        target = next(r for r in datastores.findall(f"{V15}Reference") if r.get("name") != current)
        # only a datastore of the VM's datacenter will do; the test world has one datacenter
        body = (
            '<RelocateParams xmlns="http://www.vmware.com/vcloud/v1.5">'
            f'<Datastore href="{target.get("href")}"/></RelocateParams>'
        )
        r = c.post(
            link(vm, "relocate", ".relocateVmParams+xml"),
            content=body,
            headers={**admin, "Content-Type": RELOCATE_TYPE},
        )
        assert r.status_code == 202, r.text
        assert assert_valid(r.content).get("operationName") == "vappRelocateVm"
        after = vc.get(f"/api/vcenter/vm/{moref}").json()
        (disk,) = after["disks"].values()
        assert disk["backing"]["vmdk_file"].startswith(f"[{target.get('name')}] ")
        missing = body.replace(target.get("href").rsplit("/", 1)[-1], "00000000-0000-0000-0000-000000000000")
        r = c.post(
            link(vm, "relocate", ".relocateVmParams+xml"),
            content=missing,
            headers={**admin, "Content-Type": RELOCATE_TYPE},
        )
        assert r.status_code == 404


def test_org_users_see_no_vsphere_view(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        _, vim = vim_server(c, admin)
        alice = sign_in(c)
        for path in (
            "/api/admin/extension/vimServerReferences",
            vim.get("href"),
            "/api/admin/extension/hostReferences",
            "/api/admin/extension/datastores",
            "/api/admin/extension/networkPoolReferences",
            "/api/admin/extension/externalNetworkReferences",
        ):
            r = c.get(path, headers=alice)
            assert r.status_code == 403, path
            assert assert_valid(r.content).get("minorErrorCode") == "ACCESS_TO_RESOURCE_IS_FORBIDDEN"
        r = c.post(
            f"{vim.get('href')}/importVmAsVApp",
            content="<x/>",
            headers={**alice, "Content-Type": IMPORT_TYPE},
        )
        assert r.status_code == 403


@pytest.mark.parametrize("kind", ["providerVdc", "providerVdcStorageProfile", "externalNetwork"])
def test_the_providers_query_types(server, kind):
    """Records of the provider's objects whose hrefs answer; an org user finds none."""
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        r = c.get("/api/query", params={"type": kind, "format": "records"}, headers=admin)
        assert r.status_code == 200, r.text
        records = [x for x in assert_valid(r.content) if x.tag.endswith("Record")]
        assert records and int(assert_valid(r.content).get("total")) == len(records)
        for record in records[:2]:
            assert_valid(c.get(record.get("href"), headers=admin).content)
        if kind == "providerVdcStorageProfile":
            assert records[0].get("name") == "*" and "/api/admin/providervdc/" in records[0].get(
                "providerVdc"
            )
        named = c.get(
            "/api/query",
            params={"type": kind, "format": "records", "filter": f"name=={records[0].get('name')}"},
            headers=admin,
        )
        assert records[0].get("href") in named.text
        alice = sign_in(c)
        mine = assert_valid(c.get("/api/query", params={"type": kind}, headers=alice).content)
        assert mine.get("total") == "0"


@pytest.mark.parametrize("version", ["5.5", "29.0"])
def test_the_providers_documents_are_valid_in_older_versions(server, version):
    """Everything reachable from the admin and extension views, at ``version``, valid in it."""
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER, version)
        queue = [f"{server.vcd}/api/admin/", f"{server.vcd}/api/admin/extension"]
        seen: set[str] = set()
        while queue and len(seen) < 200:
            href = queue.pop(0)
            posts = ("/importVmAsVApp", "/importVmIntoExistingVApp")
            if href in seen or "/api/admin/" not in href or "/action/" in href or href.endswith(posts):
                continue  # the user views are test_vapps' to walk
            seen.add(href)
            r = c.get(href, headers=admin)
            if r.status_code == 405:  # where a POST adds (``rel="add"``), such as /api/admin/orgs
                assert "POST" in r.headers["allow"], href
                continue
            assert r.status_code == 200, (href, r.text[:200])
            document = assert_valid(r.content, version)
            queue.extend(
                e.get("href") for e in document.iter() if (e.get("href") or "").startswith(server.vcd)
            )
        assert any("/extension/host/" in h for h in seen) and any("/extension/datastore/" in h for h in seen)
