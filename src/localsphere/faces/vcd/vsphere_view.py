"""The provider's vSphere view (``/api/admin/extension/...``): the vCenter attached
(``vimServerReferences``, ``vimServer/{id}``: the world's, its id the vCenter's instance uuid), its
resource pools, networks and hosts, the datastores, provider VDCs (``/api/admin/providervdc/{id}``
and the extension's ``providervdc/{id}``), external networks and network pools, the vSphere URL of
an object (``vimServer/{id}/{type}/{moref}/vSphereWebClientUrl``), importing a vCenter VM into a
vApp (``importVmAsVApp``, ``importVmIntoExistingVApp``) and relocating a vApp's VM to another
datastore (``POST /api/vApp/vm-{id}/action/relocate``). System administrators only (``General:
Administrator View``). Shapes: extension/vmwextensions.xsd, admin/providerVdc.xsd, the guide's
"Managing and Monitoring a Cloud" examples, and what pyvcloud's ``Platform`` reads
(docs/research/vcd-vdc-admin.md)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.vcd.hrefs import ADMIN_TYPE, Hrefs, media_type, object_id
from localsphere.faces.vcd.metadata import METADATA_TYPE
from localsphere.faces.vcd.model import VCLOUD, version_key
from localsphere.faces.vcd.tasks import TaskViews, task
from localsphere.faces.vcd.types import (
    AvailableNetworks,
    IpRange,
    IpRanges,
    IpScope,
    IpScopes,
    Link,
    NetworkConfiguration,
    Reference,
    ResourceReference,
    TasksInProgress,
)
from localsphere.faces.vcd.types_vdcs import (
    Datastore,
    ExternalNetwork,
    ExternalNetworkReferences,
    Host,
    HostReferences,
    NetworkPoolReferences,
    PortGroupPool,
    ProviderVdc,
    ProviderVdcCapacity,
    ProviderVdcStorageProfile,
    ProviderVdcStorageProfiles,
    References,
    ResourcePool,
    ResourcePoolList,
    RootComputeCapacity,
    VdcReferences,
    Vdcs,
    VimObjectRef,
    VimObjectRefList,
    VimObjectRefs,
    VimServer,
    VimServerReferences,
    VMWExternalNetwork,
    VMWNetworkPoolReferences,
    VMWProviderVdc,
    VSphereWebClientUrl,
)
from localsphere.faces.vcd.vapps import vapp_element
from localsphere.faces.vcd.wire import Asked, asked, read_xml, xml
from localsphere.world import World
from localsphere.world.compute_resources import ESXI_VERSION, cpu_packages
from localsphere.world.errors import NotFound
from localsphere.world.external_subnets import ip_scope
from localsphere.world.inventory import DATASTORE, HOST, NETWORK
from localsphere.world.metrics import HOST_MHZ_PER_CORE
from localsphere.world.org_roles import ADMIN_VIEW
from localsphere.world.provider_view import VCENTER_NAME, VIM_TYPES, VimObject
from localsphere.world.provider_view import ProviderVdc as PvdcView
from localsphere.world.tenant_roles import TenantCaller

EXT = "/api/admin/extension"
VIM_SERVER_TYPE = f"{ADMIN_TYPE}.vmwvirtualcenter+xml"
VIM_REFS_TYPE = f"{ADMIN_TYPE}.vmwVimServerReferences+xml"
HOST_TYPE = f"{ADMIN_TYPE}.host+xml"
HOST_REFS_TYPE = f"{ADMIN_TYPE}.vmwHostReferences+xml"
DATASTORE_TYPE = f"{ADMIN_TYPE}.datastore+xml"
DATASTORES_TYPE = f"{ADMIN_TYPE}.datastoreList+xml"
EXTERNAL_TYPE = f"{ADMIN_TYPE}.vmwexternalnet+xml"
EXTERNAL_ADMIN_TYPE = f"{ADMIN_TYPE}.network+xml"
EXTERNAL_REFS_TYPE = f"{ADMIN_TYPE}.vmwExternalNetworkReferences+xml"
POOL_TYPE = f"{ADMIN_TYPE}.networkPool+xml"
POOL_REFS_TYPE = f"{ADMIN_TYPE}.vmwNetworkPoolReferences+xml"
PVDC_TYPE = f"{ADMIN_TYPE}.providervdc+xml"
VMW_PVDC_TYPE = f"{ADMIN_TYPE}.vmwprovidervdc+xml"
PVDC_PROFILE_TYPE = f"{ADMIN_TYPE}.pvdcStorageProfile+xml"
RESOURCE_POOLS_TYPE = f"{ADMIN_TYPE}.resourcePoolList+xml"
VIM_OBJECTS_TYPE = f"{ADMIN_TYPE}.vimObjectRefList+xml"
WEB_CLIENT_TYPE = f"{ADMIN_TYPE}.vSphereWebClientUrl+xml"
VDC_REFS_TYPE = f"{ADMIN_TYPE}.vdcReferences+xml"
ADMIN_VDC_TYPE = f"{ADMIN_TYPE}.vdc+xml"
VC_VERSION = "8.0.3"  # a vCenter version vCD 10.x (API 36.0) supports; no other face reports one
MB_PER_GB = 1024


def extension_links(base: str) -> list[Link]:
    """What ``GET /api/admin/extension`` links to for the vSphere view (the links pyvcloud's
    ``Platform`` follows by type)."""
    return [
        Link("down", f"{base}{EXT}/vimServerReferences", VIM_REFS_TYPE),
        Link("down", f"{base}{EXT}/hostReferences", HOST_REFS_TYPE),
        Link("down", f"{base}{EXT}/datastores", DATASTORES_TYPE),
        Link("down", f"{base}{EXT}/externalNetworkReferences", EXTERNAL_REFS_TYPE),
        Link("down", f"{base}{EXT}/networkPoolReferences", POOL_REFS_TYPE),
    ]


def pvdc_reference(base: str, pvdc: PvdcView) -> Reference:
    return Reference(f"{base}/api/admin/providervdc/{pvdc.id}", PVDC_TYPE, pvdc.cluster.name)


def _text(body: ET.Element, name: str) -> str | None:
    for child in body:
        if child.tag.rsplit("}", 1)[-1] == name:
            return (child.text or "").strip()
    return None


def _href(body: ET.Element, name: str) -> str | None:
    for child in body:
        if child.tag.rsplit("}", 1)[-1] == name:
            return child.get("href")
    return None


class VSphereViews:
    def __init__(self, world: World, runner: Runner, tasks: TaskViews, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.tasks = tasks
        self.max_body = max_body

    async def _vcenter(self, a: Asked, request: Request) -> str:
        """The vCenter's id, checked against the path's ``{vim}`` when there is one."""
        vcenter = await self.runner.read(self.world.provider_view.vcenter_id)
        wanted = request.path_params.get("vim")
        if wanted is not None and wanted != vcenter:
            raise NotFound("vim_server.not_found", f"No vCenter server with id {wanted}.", wanted)
        return vcenter

    def _vim_ref(self, a: Asked, vcenter: str) -> ResourceReference:
        return vim_server_ref(a.hrefs, vcenter)

    def _object_ref(self, a: Asked, vcenter: str, o: VimObject) -> VimObjectRef:
        return VimObjectRef(self._vim_ref(a, vcenter), o.moid, o.vim_type)

    async def vim_servers(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        answer = VimServerReferences(
            href=f"{a.hrefs.base}{EXT}/vimServerReferences",
            type=VIM_REFS_TYPE,
            references=[self._vim_ref(a, vcenter)],
        )
        return xml(answer, a.version, VIM_REFS_TYPE)

    async def vim_server(self, request: Request, caller: TenantCaller) -> Response:
        """The world's vCenter: its URL is this server's (its vCenter face), its uuid the
        instance uuid the other faces show."""
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        href = f"{a.hrefs.base}{EXT}/vimServer/{vcenter}"
        answer = VimServer(
            href=href,
            type=VIM_SERVER_TYPE,
            id=f"urn:vcloud:vimserver:{vcenter}",
            name=VCENTER_NAME,
            links=[
                Link("down", f"{href}/resourcePoolList", RESOURCE_POOLS_TYPE),
                Link("down", f"{href}/networks", VIM_OBJECTS_TYPE),
                Link("down", f"{href}/hostReferences", HOST_REFS_TYPE),
                Link("add", f"{href}/importVmAsVApp", f"{ADMIN_TYPE}.importVmAsVAppParams+xml"),
                Link(
                    "add",
                    f"{href}/importVmIntoExistingVApp",
                    f"{ADMIN_TYPE}.importVmIntoExistingVAppParams+xml",
                ),
            ],
            username="administrator@vsphere.local",
            url=f"https://{request.url.netloc}",
            is_enabled=True,
            is_connected=True,
            uuid=vcenter,
            vc_version=VC_VERSION,
            use_vsphere_service=False,
            web_client_url=f"https://{request.url.netloc}/ui",
        )
        return xml(answer, a.version, VIM_SERVER_TYPE)

    async def resource_pools(self, request: Request, caller: TenantCaller) -> Response:
        """The resource pools no VDC is backed by: what a provider VDC may take."""
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        pools = await self.runner.read(self.world.provider_view.resource_pools)
        href = f"{a.hrefs.base}{EXT}/vimServer/{vcenter}/resourcePoolList"
        answer = ResourcePoolList(
            href=href,
            type=RESOURCE_POOLS_TYPE,
            pools=[ResourcePool(name=p.name, moref=p.moid, vim_type=p.vim_type) for p in pools],
        )
        return xml(answer, a.version, RESOURCE_POOLS_TYPE)

    async def networks(self, request: Request, caller: TenantCaller) -> Response:
        """The vCenter's port groups."""
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        found = await self.runner.read(self.world.provider_view.objects, NETWORK)
        answer = VimObjectRefList(
            href=f"{a.hrefs.base}{EXT}/vimServer/{vcenter}/networks",
            type=VIM_OBJECTS_TYPE,
            refs=VimObjectRefs([self._object_ref(a, vcenter, o) for o in found]),
        )
        return xml(answer, a.version, VIM_OBJECTS_TYPE)

    async def host_references(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        await self._vcenter(a, request)
        hosts = await self.runner.read(self.world.provider_view.objects, HOST)
        answer = HostReferences(
            href=f"{a.hrefs.base}{request.url.path}",
            type=HOST_REFS_TYPE,
            hosts=[Reference(f"{a.hrefs.base}{EXT}/host/{h.id}", HOST_TYPE, h.name) for h in hosts],
        )
        return xml(answer, a.version, HOST_REFS_TYPE)

    async def host(self, request: Request, caller: TenantCaller) -> Response:
        """A host: its CPU (MHz), memory (GB) and the VM-facing moid vCD calls ``VmMoRef``."""
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        found = await self.runner.read(self.world.provider_view.object, HOST, request.path_params["host"])
        href = f"{a.hrefs.base}{EXT}/host/{found.id}"
        cores = found.cpu_count or 0
        answer = Host(
            href=href,
            type=HOST_TYPE,
            id=f"urn:vcloud:host:{found.id}",
            name=found.name,
            links=[Link("up", self._vim_ref(a, vcenter).href, VIM_SERVER_TYPE)],
            packages=cpu_packages(cores),
            logical=cores,
            cpu_total=cores * HOST_MHZ_PER_CORE,
            mem_total=round((found.memory_mib or 0) / MB_PER_GB, 2),
            os_name="VMware ESXi",
            os_version=ESXI_VERSION,
            moref=found.moid,
        )
        return xml(answer, a.version, HOST_TYPE)

    async def datastores(self, request: Request, caller: TenantCaller) -> Response:
        """``DatastoreReferences``: each datastore's reference with its urn (what pyvcloud's
        ``Platform.list_datastores`` reads)."""
        a = asked(request, caller, ADMIN_VIEW)
        found = await self.runner.read(self.world.provider_view.objects, DATASTORE)
        answer = References(
            href=f"{a.hrefs.base}{EXT}/datastores",
            type=DATASTORES_TYPE,
            references=[
                ResourceReference(
                    f"{a.hrefs.base}{EXT}/datastore/{d.id}",
                    f"urn:vcloud:datastore:{d.id}",
                    DATASTORE_TYPE,
                    d.name,
                )
                for d in found
            ],
        )
        return xml(answer, a.version, DATASTORES_TYPE, tag="DatastoreReferences", namespace=VCLOUD)

    async def datastore(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        d = await self.runner.read(
            self.world.provider_view.object, DATASTORE, request.path_params["datastore"]
        )
        total_mb = (d.capacity or 0) / (1 << 20)
        used_mb = total_mb - (d.free_space or 0) / (1 << 20)
        answer = Datastore(
            href=f"{a.hrefs.base}{EXT}/datastore/{d.id}",
            type=DATASTORE_TYPE,
            id=f"urn:vcloud:datastore:{d.id}",
            name=d.name,
            vim_object=self._object_ref(a, vcenter, d),
            fs_type=d.subtype or "VMFS",
            display_name=d.name,
            total_mb=round(total_mb, 2),
            total_gb=round(total_mb / MB_PER_GB, 2),
            used_mb=round(used_mb, 2),
            used_gb=round(used_mb / MB_PER_GB, 2),
            used_percent=round(100 * used_mb / total_mb, 2) if total_mb else 0.0,
        )
        return xml(answer, a.version, DATASTORE_TYPE)

    async def external_networks(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        found = await self.runner.read(self.world.provider_view.external_networks)
        answer = ExternalNetworkReferences(
            href=f"{a.hrefs.base}{EXT}/externalNetworkReferences",
            type=EXTERNAL_REFS_TYPE,
            references=[
                Reference(f"{a.hrefs.base}{EXT}/externalnet/{n.id}", EXTERNAL_TYPE, n.name) for n in found
            ],
        )
        return xml(answer, a.version, EXTERNAL_REFS_TYPE)

    async def external_network(self, request: Request, caller: TenantCaller) -> Response:
        """The extension's view of an external network: its port group."""
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        n = await self.runner.read(self.world.provider_view.external_network, request.path_params["network"])
        href = f"{a.hrefs.base}{EXT}/externalnet/{n.id}"
        answer = VMWExternalNetwork(
            href=href,
            type=EXTERNAL_TYPE,
            id=f"urn:vcloud:network:{n.id}",
            name=n.name,
            links=[
                Link("alternate", f"{a.hrefs.base}/api/admin/network/{n.id}", EXTERNAL_ADMIN_TYPE),
                Link("down", f"{a.hrefs.base}/api/admin/network/{n.id}/metadata", METADATA_TYPE),
            ],
            description="",
            configuration=_external_configuration(n),
            port_group=self._object_ref(a, vcenter, n),
        )
        return xml(answer, a.version, EXTERNAL_TYPE)

    async def admin_network(self, request: Request, caller: TenantCaller) -> Response:
        """``GET /api/admin/network/{id}``: an external network as the admin view shows it."""
        a = asked(request, caller, ADMIN_VIEW)
        n = await self.runner.read(self.world.provider_view.external_network, request.path_params["network"])
        answer = ExternalNetwork(
            href=f"{a.hrefs.base}/api/admin/network/{n.id}",
            type=EXTERNAL_ADMIN_TYPE,
            id=f"urn:vcloud:network:{n.id}",
            name=n.name,
            links=[
                Link("alternate", f"{a.hrefs.base}{EXT}/externalnet/{n.id}", EXTERNAL_TYPE),
                Link("down", f"{a.hrefs.base}/api/admin/network/{n.id}/metadata", METADATA_TYPE),
            ],
            description="",
            configuration=_external_configuration(n),
            provider_info=f"NETWORK:{n.moid}",
        )
        return xml(answer, a.version, EXTERNAL_ADMIN_TYPE)

    async def network_pools(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        pools = await self.runner.read(self.world.provider_view.network_pools)
        answer = VMWNetworkPoolReferences(
            href=f"{a.hrefs.base}{EXT}/networkPoolReferences",
            type=POOL_REFS_TYPE,
            references=[
                Reference(f"{a.hrefs.base}{EXT}/networkPool/{p.id}", POOL_TYPE, p.name) for p in pools
            ],
        )
        return xml(answer, a.version, POOL_REFS_TYPE)

    async def network_pool(self, request: Request, caller: TenantCaller) -> Response:
        """A network pool: port-group backed (``xsi:type`` PortGroupPoolType)."""
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        p = await self.runner.read(self.world.provider_view.network_pool, request.path_params["pool"])
        answer = PortGroupPool(
            href=f"{a.hrefs.base}{EXT}/networkPool/{p.id}",
            type=POOL_TYPE,
            id=f"urn:vcloud:networkpool:{p.id}",
            name=p.name,
            status=1,
            description="",
            port_groups=VimObjectRefs([self._object_ref(a, vcenter, g) for g in p.port_groups]),
            vim_server=self._vim_ref(a, vcenter),
            used=p.used,
        )
        return xml(answer, a.version, POOL_TYPE)

    def _pvdc_parts(self, a: Asked, pvdc: PvdcView) -> dict[str, object]:
        """What both views of a provider VDC show: capacity, storage policy, VDCs, network pool,
        and the external networks of its datacenter (what pyvcloud's
        ``ExternalNetwork.list_provider_vdc`` looks for)."""
        h = a.hrefs
        return {
            "status": 1,
            "description": f"The hosts of cluster {pvdc.cluster.name}",
            "compute_capacity": RootComputeCapacity(
                ProviderVdcCapacity(
                    "MHz", pvdc.cpu_allocated_mhz, 0, pvdc.cpu_total_mhz, pvdc.cpu_used_mhz, 0
                ),
                ProviderVdcCapacity(
                    "MB", pvdc.memory_allocated_mb, 0, pvdc.memory_total_mb, pvdc.memory_used_mb, 0
                ),
                is_elastic=False,
                is_ha=False,
            ),
            "available_networks": AvailableNetworks(
                [
                    Reference(f"{h.base}/api/admin/network/{n.id}", EXTERNAL_ADMIN_TYPE, n.name)
                    for n in pvdc.external_networks
                ]
            ),
            "storage_profiles": ProviderVdcStorageProfiles(
                [
                    Reference(f"{h.base}/api/admin/pvdcStorageProfile/{p.id}", PVDC_PROFILE_TYPE, p.name)
                    for p in pvdc.storage_policies
                ]
            ),
            # ``Vdcs`` in the 5.x form only: from 29.0 a provider VDC's VDCs are its ``vdcReferences``
            # (pyvcloud's pvdc_to_dict, so vcd-cli's ``pvdc info``, cannot read a ``Vdcs`` element)
            "vdcs": Vdcs([Reference(f"{h.base}/api/vdc/{i}", media_type("vdc"), n) for i, n in pvdc.vdcs])
            if version_key(a.version) < version_key("29.0")
            else None,
            "is_enabled": True,
            "network_pools": NetworkPoolReferences(
                [
                    Reference(
                        f"{h.base}{EXT}/networkPool/{pvdc.network_pool.id}", POOL_TYPE, pvdc.network_pool.name
                    )
                ]
            ),
        }

    async def provider_vdc(self, request: Request, caller: TenantCaller) -> Response:
        """``GET /api/admin/providervdc/{id}``: a cluster as a provider VDC."""
        a = asked(request, caller, ADMIN_VIEW)
        pvdc = await self.runner.read(self.world.provider_view.provider_vdc, request.path_params["pvdc"])
        href = f"{a.hrefs.base}/api/admin/providervdc/{pvdc.id}"
        answer = ProviderVdc(
            href=href,
            type=PVDC_TYPE,
            id=f"urn:vcloud:providervdc:{pvdc.id}",
            name=pvdc.cluster.name,
            links=[
                Link("alternate", f"{a.hrefs.base}{EXT}/providervdc/{pvdc.id}", VMW_PVDC_TYPE),
                Link("down", f"{href}/vdcReferences", VDC_REFS_TYPE),
                Link("down", f"{href}/metadata", METADATA_TYPE),
            ],
            **self._pvdc_parts(a, pvdc),  # type: ignore[arg-type]
        )
        return xml(answer, a.version, PVDC_TYPE)

    async def vdc_references(self, request: Request, caller: TenantCaller) -> Response:
        """``GET /api/admin/providervdc/{id}/vdcReferences``: the org VDCs it backs (what
        ``vcd pvdc info`` lists)."""
        a = asked(request, caller, ADMIN_VIEW)
        pvdc = await self.runner.read(self.world.provider_view.provider_vdc, request.path_params["pvdc"])
        href = f"{a.hrefs.base}/api/admin/providervdc/{pvdc.id}"
        answer = VdcReferences(
            href=f"{href}/vdcReferences",
            type=VDC_REFS_TYPE,
            links=[Link("up", href, PVDC_TYPE)],
            vdcs=[Reference(f"{a.hrefs.base}/api/admin/vdc/{i}", ADMIN_VDC_TYPE, n) for i, n in pvdc.vdcs],
        )
        return xml(answer, a.version, VDC_REFS_TYPE)

    async def provider_storage_profile(self, request: Request, caller: TenantCaller) -> Response:
        """``GET /api/admin/pvdcStorageProfile/{id}``: a provider VDC's storage policy (``*``: all
        of its datastores; else one datastore's), its capacity in MB."""
        a = asked(request, caller, ADMIN_VIEW)
        pvdc, policy = await self.runner.read(
            self.world.provider_view.storage_policy, request.path_params["profile"]
        )
        href = f"{a.hrefs.base}/api/admin/pvdcStorageProfile/{policy.id}"
        answer = ProviderVdcStorageProfile(
            href=href,
            type=PVDC_PROFILE_TYPE,
            id=f"urn:vcloud:providervdcstorageprofile:{policy.id}",
            name=policy.name,
            links=[Link("up", f"{a.hrefs.base}/api/admin/providervdc/{pvdc.id}", PVDC_TYPE)],
            enabled=True,
            capacity_total=float(policy.total_mb),
            capacity_used=float(policy.used_mb),
        )
        return xml(answer, a.version, PVDC_PROFILE_TYPE)

    async def vmw_provider_vdc(self, request: Request, caller: TenantCaller) -> Response:
        """``GET /api/admin/extension/providervdc/{id}``: with its vCenter objects."""
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        pvdc = await self.runner.read(self.world.provider_view.provider_vdc, request.path_params["pvdc"])
        answer = VMWProviderVdc(
            href=f"{a.hrefs.base}{EXT}/providervdc/{pvdc.id}",
            type=VMW_PVDC_TYPE,
            id=f"urn:vcloud:providervdc:{pvdc.id}",
            name=pvdc.cluster.name,
            links=[Link("alternate", f"{a.hrefs.base}/api/admin/providervdc/{pvdc.id}", PVDC_TYPE)],
            **self._pvdc_parts(a, pvdc),  # type: ignore[arg-type]
            datastores=VimObjectRefs([self._object_ref(a, vcenter, d) for d in pvdc.datastores]),
            resource_pools=VimObjectRefs([self._object_ref(a, vcenter, pvdc.root_pool)]),
            vim_servers=[self._vim_ref(a, vcenter)],
            hosts=HostReferences(
                hosts=[Reference(f"{a.hrefs.base}{EXT}/host/{h.id}", HOST_TYPE, h.name) for h in pvdc.hosts]
            ),
            hardware_version="vmx-21",
        )
        return xml(answer, a.version, VMW_PVDC_TYPE)

    async def web_client_url(self, request: Request, caller: TenantCaller) -> Response:
        """The vSphere Client URL of a vCenter object (``{kind}``: a VimObjectType, ``{moref}``
        its moid); 404 for an object the vCenter has not."""
        a = asked(request, caller, ADMIN_VIEW)
        vcenter = await self._vcenter(a, request)
        kinds = {vim: kind for kind, vim in VIM_TYPES.items()}
        kind = kinds.get(request.path_params["kind"])
        moref = request.path_params["moref"]
        if kind is None:
            raise NotFound(
                "vim_object.not_found", f"No vSphere object type {request.path_params['kind']}.", moref
            )
        found = await self.runner.read(self.world.provider_view.object, kind, moref)
        target = f"urn:vmomi:{kind}:{found.moid}:{vcenter}"
        url = f"https://{request.url.netloc}/ui/app/{kind.lower()};nav=h/{target}/summary"
        return xml(VSphereWebClientUrl(url=url), a.version, WEB_CLIENT_TYPE)

    async def import_as_vapp(self, request: Request, caller: TenantCaller) -> Response:
        """``ImportVmAsVAppParams``: a vCenter VM into a new vApp of a VDC (``sourceMove``: the VM
        itself, else a copy); 201, the vApp with the task."""
        a = asked(request, caller, ADMIN_VIEW)
        await self._vcenter(a, request)
        body = await self._body(request, "ImportVmAsVAppParams")
        vdc = _href(body, "Vdc")
        moref = _text(body, "VmMoRef")
        if not vdc or not moref:
            raise InputError("body", "ImportVmAsVAppParams needs a VmMoRef and a Vdc.")
        name = body.get("name") or moref
        vapp_id, task_id = await self.runner.call(
            self.world.provider_view.import_as_vapp, a.actor, moref, object_id(vdc), name, _move(body)
        )
        return await self._vapp_answer(a, vapp_id, task_id)

    async def import_into_vapp(self, request: Request, caller: TenantCaller) -> Response:
        """``ImportVmIntoExistingVAppParams``: a vCenter VM into a vApp; 202, the Task."""
        a = asked(request, caller, ADMIN_VIEW)
        await self._vcenter(a, request)
        body = await self._body(request, "ImportVmIntoExistingVAppParams")
        vapp = _href(body, "VApp")
        moref = _text(body, "VmMoRef")
        if not vapp or not moref:
            raise InputError("body", "ImportVmIntoExistingVAppParams needs a VmMoRef and a VApp.")
        task_id = await self.runner.call(
            self.world.provider_view.import_into_vapp, a.actor, moref, object_id(vapp), _move(body)
        )
        return await self.tasks.answer(a, task_id)

    async def relocate(self, request: Request, caller: TenantCaller) -> Response:
        """``RelocateParams`` to ``/api/vApp/vm-{id}/action/relocate``: the VM's disks to the
        datastore it names; 202, the Task."""
        a = asked(request, caller, ADMIN_VIEW)
        entity = request.path_params["entity"]
        if not entity.startswith("vm-"):
            raise NotFound("vm.not_found", f"No VM {entity}.", entity)
        body = await self._body(request, "RelocateParams")
        datastore = _href(body, "Datastore")
        if not datastore:
            raise InputError("body", "RelocateParams needs a Datastore reference.")
        task_id = await self.runner.call(
            self.world.provider_view.relocate, a.actor, object_id(entity), object_id(datastore)
        )
        return await self.tasks.answer(a, task_id)

    async def _body(self, request: Request, tag: str) -> ET.Element:
        body = await read_xml(request, self.max_body)
        if body is None or body.tag.rsplit("}", 1)[-1] != tag:
            raise InputError("body", f"The request body must be a {tag} element.")
        return body

    async def _vapp_answer(self, a: Asked, vapp_id: str, task_id: str) -> Response:
        vapp = await self.runner.read(self.world.vapps.get, vapp_id, None)
        view = await self.runner.read(self.world.tasks.get, task_id, None)
        answer = vapp_element(a, vapp, TasksInProgress([task(a.hrefs, view)]))
        return xml(answer, a.version, media_type("vApp"), 201)


def _move(body: ET.Element) -> bool:
    return (body.get("sourceMove") or "").lower() == "true"


def _external_configuration(network: VimObject) -> NetworkConfiguration:
    """An external network's ``Configuration``: its one IP scope (world/external_subnets.py),
    enabled, and fence mode ``isolated`` (what vCD writes of every external network)."""
    scope = ip_scope(network.moid)
    return NetworkConfiguration(
        IpScopes(
            [
                IpScope(
                    is_inherited=False,
                    gateway=scope.gateway,
                    netmask=scope.netmask,
                    dns1=scope.dns1,
                    dns_suffix=scope.dns_suffix,
                    is_enabled=True,
                    ip_ranges=IpRanges([IpRange(first, last) for first, last in scope.ranges]),
                )
            ]
        ),
        "isolated",
    )


def vim_server_ref(hrefs: Hrefs, vcenter: str) -> ResourceReference:
    """The attached vCenter's reference (``vcenter``: its instance uuid), with its urn (what
    ``vcd network external info`` shows as ``vim_server_id``)."""
    return ResourceReference(
        f"{hrefs.base}{EXT}/vimServer/{vcenter}",
        f"urn:vcloud:vimserver:{vcenter}",
        VIM_SERVER_TYPE,
        VCENTER_NAME,
    )
