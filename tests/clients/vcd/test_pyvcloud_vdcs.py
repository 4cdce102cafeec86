"""``pyvcloud`` 23.0.4, unmodified, as the System administrator: the provider's vSphere view
(``Platform``: vCenters, hosts, datastores, external networks; ``System``: provider VDCs, network
pools), an org VDC's life (``Org.create_org_vdc`` where the admin org is served, ``VDC.enable_vdc``,
``delete_vdc``) and a VM's relocation (``VM.relocate``), at the newest version and at 5.5."""

from __future__ import annotations

import pytest
from pyvcloud.vcd.client import BasicLoginCredentials, Client
from pyvcloud.vcd.exceptions import AccessForbiddenException
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.platform import Platform
from pyvcloud.vcd.pvdc import PVDC
from pyvcloud.vcd.system import System
from pyvcloud.vcd.vapp import VApp
from pyvcloud.vcd.vdc import VDC
from pyvcloud.vcd.vm import VM

from conftest import DEMO_PASSWORD
from helpers import vcenter_session

CREATE_TYPE = "application/vnd.vmware.admin.createVdcParams+xml"


def create_body(name: str, pvdc_href: str) -> str:
    """A pay-as-you-go ``CreateVdcParams`` as pyvcloud's ``Org.create_org_vdc`` writes one."""
    return (
        f'<CreateVdcParams xmlns="http://www.vmware.com/vcloud/v1.5" name="{name}"><Description/>'
        "<AllocationModel>AllocationVApp</AllocationModel><ComputeCapacity>"
        "<Cpu><Units>MHz</Units><Allocated>0</Allocated><Limit>0</Limit></Cpu>"
        "<Memory><Units>MB</Units><Allocated>0</Allocated><Limit>0</Limit></Memory></ComputeCapacity>"
        "<NicQuota>0</NicQuota><NetworkQuota>0</NetworkQuota><VmQuota>0</VmQuota><IsEnabled>true</IsEnabled>"
        f'<ProviderVdcReference href="{pvdc_href}"/></CreateVdcParams>'
    )


@pytest.fixture
def connect(server):
    made = []

    def make(user: str = "administrator", org: str = "System", version: str | None = None) -> Client:
        c = Client(server.vcd, api_version=version, verify_ssl_certs=server.cert)
        c.set_credentials(BasicLoginCredentials(user, org, DEMO_PASSWORD))
        made.append(c)
        return c

    yield make
    for c in made:
        c.logout()


@pytest.mark.parametrize("version", [None, "5.5"])
def test_the_platform_view_of_the_worlds_vcenter(connect, version):
    c = connect(version=version)
    platform = Platform(c)
    (vcenter,) = platform.list_vcenters()
    found = platform.get_vcenter(vcenter.get("name"))
    assert found.Uuid.text == found.get("href").rsplit("/", 1)[-1]
    hosts = platform.list_hosts()
    assert len(hosts) > 0 and platform.get_host(hosts[0].get("name")).VmMoRef.text.startswith("host-")
    datastores = platform.list_datastores()
    assert datastores and all(d["Id"] for d in datastores)
    assert platform.get_datastore_href_by_id(datastores[0]["Id"]).endswith(datastores[0]["Id"])
    networks = platform.list_external_networks()
    assert len(networks) > 0
    external = platform.get_external_network(networks[0].get("name"))
    assert external.VimPortGroupRef.MoRef.text.startswith("network-")
    system = System(c, admin_resource=c.get_admin())
    pvdcs = system.list_provider_vdcs()
    assert len(pvdcs) > 0 and system.get_provider_vdc(pvdcs[0].get("name")).get("href") == pvdcs[0].get(
        "href"
    )
    # a provider VDC's org VDCs and its metadata, as ``vcd pvdc info`` follows them
    held = {
        ref.get("name")
        for p in pvdcs
        for ref in getattr(PVDC(c, href=p.get("href")).get_vdc_references(), "VdcReference", [])
    }
    assert "demo-vdc" in held
    pvdc = PVDC(c, href=pvdcs[0].get("href"))
    pvdc.set_metadata("GENERAL", "READWRITE", "tier", "gold")
    assert {e.Key.text: e.TypedValue.Value.text for e in pvdc.get_metadata().MetadataEntry} == {
        "tier": "gold"
    }
    profile = system.get_provider_vdc_storage_profile("*")
    assert profile.get("providerVdc") in {p.get("href") for p in pvdcs}
    pools = system.list_network_pools()
    assert len(pools) > 0 and system.get_network_pool_reference(pools[0].get("name")) is not None


def test_an_org_user_is_refused_the_platform_view(connect):
    c = connect("alice", "demo-org")
    c.get_org()
    with pytest.raises(AccessForbiddenException):
        c.get_resource(f"{c.get_api_uri()}/admin/extension/vimServerReferences")


def test_an_org_vdcs_life(server, connect):
    c = connect()
    system = System(c, admin_resource=c.get_admin())
    pvdc = system.list_provider_vdcs()[0]
    org = Org(c, resource=c.get_org_by_name("demo-org"))
    admin_org = c.get_resource(org.href.replace("/api/org/", "/api/admin/org/"))
    links = admin_org.findall("{http://www.vmware.com/vcloud/v1.5}Link")
    assert any(x.get("rel") == "add" and "createVdcParams" in (x.get("type") or "") for x in links)
    made = org.create_org_vdc(
        "py-vdc",
        pvdc.get("name"),
        allocation_model="AllocationPool",
        cpu_allocated=2000,
        cpu_limit=2000,
        mem_allocated=2048,
        mem_limit=2048,
        vm_quota=3,
        storage_profiles=[],
    )
    c.get_task_monitor().wait_for_success(made.Tasks.Task[0])
    vdc = VDC(c, resource=org.get_vdc("py-vdc"))
    assert vdc.get_resource().AllocationModel.text == "AllocationPool"
    _life_of(c, org, "py-vdc")


def test_enable_disable_and_delete_a_vdc(server, connect):
    """A VDC made on the wire, then driven by pyvcloud's ``VDC`` calls."""
    c = connect()
    system = System(c, admin_resource=c.get_admin())
    pvdc = system.list_provider_vdcs()[0]
    org = Org(c, resource=c.get_org_by_name("demo-org"))
    org_id = org.href.rstrip("/").rsplit("/", 1)[-1]
    with server.client(base_url=server.vcd) as h:
        headers = {
            "Accept": "application/*+xml;version=36.0",
            "x-vcloud-authorization": c.get_xvcloud_authorization_token() or c.get_access_token(),
            "Content-Type": CREATE_TYPE,
        }
        r = h.post(
            f"/api/admin/org/{org_id}/vdcsparams",
            content=create_body("wire-vdc", pvdc.get("href")),
            headers=headers,
        )
    assert r.status_code == 201, r.text
    org.reload()
    _life_of(c, org, "wire-vdc")


def _life_of(c: Client, org: Org, name: str) -> None:
    vdc = VDC(c, resource=org.get_vdc(name))
    vdc.enable_vdc(False)
    assert VDC(c, href=vdc.href).get_resource().IsEnabled.text == "false"
    vdc.enable_vdc(True)
    assert VDC(c, href=vdc.href).get_resource().IsEnabled.text == "true"
    vdc.enable_vdc(False)
    task = VDC(c, href=vdc.href).delete_vdc()
    assert c.get_task_monitor().wait_for_success(task).get("status") == "success"
    org.reload()
    assert org.get_vdc(name) is None


def test_a_vm_relocated_by_pyvcloud(server, connect):
    """``VM.relocate`` moves the VM's disk; vCenter's REST face shows it on the new datastore."""
    c = connect()
    org = Org(c, resource=c.get_org_by_name("demo-org"))
    vdc = VDC(c, resource=org.get_vdc("demo-vdc"))
    vm = VM(c, resource=VApp(c, resource=vdc.get_vapp("demo-web")).get_vm("web"))
    vm_uuid = vm.get_resource().get("id").rsplit(":", 1)[-1]
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        moref = next(
            v["vm"]
            for v in vc.get("/api/vcenter/vm", params={"names": "web"}).json()
            if vc.get(f"/api/vcenter/vm/{v['vm']}").json()["identity"]["instance_uuid"] == vm_uuid
        )
        (disk,) = vc.get(f"/api/vcenter/vm/{moref}").json()["disks"].values()
        current = disk["backing"]["vmdk_file"].split("]")[0][1:]
        target = next(d for d in Platform(c).list_datastores() if d["name"] != current)
        task = vm.relocate(target["Id"])
        assert c.get_task_monitor().wait_for_success(task).get("status") == "success"
        (disk,) = vc.get(f"/api/vcenter/vm/{moref}").json()["disks"].values()
    assert disk["backing"]["vmdk_file"].startswith(f"[{target['name']}] ")
