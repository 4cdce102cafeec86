"""An org's objects as the vCloud API shows them: VDCs (``GET /api/vdc/{id}``), catalogs
(``/api/catalog/{id}``), catalog items (``/api/catalogItem/{id}``), vApp templates
(``/api/vAppTemplate/vappTemplate-{id}``) and their VMs, media (``/api/media/{id}``) and org
networks (``/api/network/{id}``), and the links an Org carries to them. Shapes: the XSDs, and
what pyvcloud and vcd-cli read (docs/research/vcd-objects.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import Runner
from localsphere.faces.vcd.hardware import Nic, connections, hardware
from localsphere.faces.vcd.hrefs import ADMIN_TYPE, VCLOUD_TYPE, Hrefs, media_type, object_id
from localsphere.faces.vcd.metadata import METADATA_TYPE
from localsphere.faces.vcd.ovf_types import (
    LeaseSettingsSection,
    TemplateChildren,
    VAppTemplate,
    VAppTemplateVm,
)
from localsphere.faces.vcd.sharing import CONTROL_ACCESS, access_links
from localsphere.faces.vcd.transfers import (
    UPLOAD_PARAMS,
    catalog_item,
    download_links,
    transfer_state,
)
from localsphere.faces.vcd.types import (
    AvailableNetworks,
    Capacity,
    Catalog,
    CatalogItems,
    ComputeCapacity,
    IpScope,
    IpScopes,
    Link,
    Media,
    NetworkConfiguration,
    OrgVdcNetwork,
    Owner,
    Reference,
    ResourceEntities,
    Vdc,
    VdcStorageProfile,
    VdcStorageProfiles,
)
from localsphere.faces.vcd.wire import Asked, asked, vcd_time, xml
from localsphere.world import World
from localsphere.world.catalogs import MEDIA, VAPP_TEMPLATE, CatalogView, ItemView, template_vm_id
from localsphere.world.org_vdcs import VdcUsage, VdcView, reserved
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import org_of, org_uuid

QUERY_RECORDS = f"{VCLOUD_TYPE}.query.records+xml"
INSTANTIATE = f"{VCLOUD_TYPE}.instantiateVAppTemplateParams+xml"
NETWORK_TYPE = f"{VCLOUD_TYPE}.network+xml"  # how a VDC names its networks
RESOURCES_LISTED = 1000  # of a VDC's vApps in its ResourceEntities: a bound, not a rule of vCD's
MB = 1 << 20
STATUS_NOT_READY, STATUS_READY, STATUS_POWERED_OFF = 0, 1, 8


def org_links(hrefs: Hrefs, tenant: str, vdcs: list[VdcView], catalogs: list[CatalogView]) -> list[Link]:
    """What an Org links to below its own: the queries of its VDCs and of its catalogs (which
    vcd-cli and pyvcloud follow from API 33 on: the first with ``vdc`` in its href, then the first
    with ``catalog``), its task list and metadata, and its VDCs and catalogs by name (what clients of older
    versions follow)."""
    org = org_of(tenant)
    return [
        Link(
            "down", f"{hrefs.base}/api/query?type=orgVdc&format=records&filter=orgName=={org}", QUERY_RECORDS
        ),
        Link(
            "down", f"{hrefs.base}/api/query?type=catalog&format=records&filter=orgName=={org}", QUERY_RECORDS
        ),
        Link("down", hrefs.of("tasksList", tenant), media_type("tasksList")),
        Link("down", f"{hrefs.of('org', tenant)}/metadata", METADATA_TYPE),
        Link("add", f"{hrefs.base}/api/admin/org/{org_uuid(tenant)}/catalogs", f"{ADMIN_TYPE}.catalog+xml"),
        *(Link("down", hrefs.of("vdc", v.id), media_type("vdc"), v.name) for v in vdcs),
        *(Link("down", hrefs.of("catalog", c.id), media_type("catalog"), c.name) for c in catalogs),
    ]


class ObjectViews:
    def __init__(self, world: World, runner: Runner) -> None:
        self.world = world
        self.runner = runner

    async def vdc(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        vdc_id = request.path_params["vdc"]
        view, usage = await self.runner.read(self.world.org_vdcs.get, vdc_id, a.viewer)
        return xml(await self.vdc_element(a, view, usage), a.version, media_type("vdc"))

    async def vdc_element(self, a: Asked, view: VdcView, usage: VdcUsage) -> Vdc:
        """A VDC with its capacity and what it holds (the provider's has its admin links too)."""
        vapps = await self.runner.read(self.world.vapps.of_vdc, view.id, RESOURCES_LISTED, a.actor)
        items = await self.runner.read(self.world.catalogs.in_vdc, view.id, RESOURCES_LISTED)
        disks = await self.runner.read(self.world.disks.of_vdc, view.id, RESOURCES_LISTED)
        networks = await self.runner.read(self.world.org_vdcs.networks, view.id, view.tenant)
        profiles = await self.runner.read(self.world.vdc_storage_profiles.of_vdc, view.id, None)
        h = a.hrefs
        href = h.of("vdc", view.id)
        entities = (
            [h.reference("vApp", i, n) for i, n in vapps]
            + [
                h.reference(
                    "vAppTemplate" if item.kind == VAPP_TEMPLATE else "media", item.entity_id, item.name
                )
                for item in items
            ]
            + [h.reference("disk", d.id, d.name) for d in disks]
        )
        model = view.allocation_model
        admin = [
            Link("alternate", f"{h.base}/api/admin/vdc/{view.id}", f"{ADMIN_TYPE}.vdc+xml"),
            Link("remove", f"{h.base}/api/admin/vdc/{view.id}"),
        ]
        return Vdc(
            **h.identity("vdc", view.id, view.name),
            status=STATUS_READY,
            links=[
                Link("up", h.of("org", view.tenant), media_type("org")),
                Link("add", f"{href}/action/instantiateVAppTemplate", INSTANTIATE),
                Link("add", f"{href}/action/composeVApp", f"{VCLOUD_TYPE}.composeVAppParams+xml"),
                Link("add", f"{href}/action/cloneVApp", f"{VCLOUD_TYPE}.cloneVAppParams+xml"),
                Link("add", f"{href}/disk", f"{VCLOUD_TYPE}.diskCreateParams+xml"),
                Link("down", f"{href}/metadata", METADATA_TYPE),
                *(admin if a.provider else []),
            ],
            description=view.description,
            allocation_model=model,
            compute_capacity=ComputeCapacity(
                Capacity(
                    "MHz",
                    view.cpu_allocated_mhz,
                    view.cpu_ceiling_mhz,
                    reserved(model, view.cpu_allocated_mhz, usage.cpu_mhz, view.cpu_guaranteed),
                    usage.cpu_mhz,
                ),
                Capacity(
                    "MB",
                    view.memory_allocated_mb,
                    view.memory_ceiling_mb,
                    reserved(model, view.memory_allocated_mb, usage.memory_mb, view.memory_guaranteed),
                    usage.memory_mb,
                ),
            ),
            resource_entities=ResourceEntities(entities),
            available_networks=AvailableNetworks(
                [Reference(h.of("network", n.id), NETWORK_TYPE, n.name) for n in networks]
            ),
            nic_quota=view.nic_quota,
            network_quota=view.network_quota,
            used_network_count=len(networks),
            vm_quota=view.vm_quota,
            is_enabled=view.enabled,
            storage_profiles=VdcStorageProfiles(
                [h.reference("storageProfile", p.id, p.name) for p in profiles]
            ),
            vcpu_in_mhz2=view.vcpu_mhz,
        )

    async def storage_profile(self, request: Request, caller: TenantCaller) -> Response:
        """A VDC's storage policy: enabled, default, its limit and what the disks of its vApps'
        VMs use of it (MB)."""
        a = asked(request, caller)
        profile_id = request.path_params["profile"]
        view, profile = await self.runner.read(self.world.vdc_storage_profiles.get, profile_id, a.viewer)
        h = a.hrefs
        answer = VdcStorageProfile(
            **h.identity("storageProfile", profile_id, profile.name),
            links=[
                Link("up", h.of("vdc", view.id), media_type("vdc")),
                Link("down", f"{h.of('storageProfile', profile_id)}/metadata", METADATA_TYPE),
            ],
            enabled=profile.enabled,
            limit=profile.limit_mb,
            default=profile.is_default,
            storage_used_mb=profile.used_mb,
        )
        return xml(answer, a.version, media_type("storageProfile"))

    async def catalog(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        view = await self.runner.read(self.world.catalogs.get, request.path_params["catalog"], a.viewer)
        items = await self.runner.read(self.world.catalogs.items, view.id)
        h = a.hrefs
        href = h.of("catalog", view.id)
        answer = Catalog(
            **h.identity("catalog", view.id, view.name),
            links=[
                Link("up", h.of("org", view.tenant), media_type("org")),
                Link("down", f"{href}/controlAccess/", CONTROL_ACCESS),
                *access_links(h, "catalog", view.id),
                Link("add", f"{href}/action/captureVApp", f"{VCLOUD_TYPE}.captureVAppParams+xml"),
                Link("down", f"{href}/metadata", METADATA_TYPE),
                Link("add", f"{href}/action/upload", UPLOAD_PARAMS),
                Link("add", f"{href}/action/upload", media_type("media")),
            ],
            description=view.description,
            owner=owner(h, view.owner_id, view.owner_name),
            catalog_items=CatalogItems([h.resource("catalogItem", i.id, i.name) for i in items]),
            is_published=view.published,
            date_created=vcd_time(view.created_at),
            version_number=1,
        )
        return xml(answer, a.version, media_type("catalog"))

    async def catalog_item(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        item = await self.runner.read(self.world.catalogs.item, request.path_params["item"], a.viewer)
        return xml(catalog_item(a, item), a.version, media_type("catalogItem"))

    async def template(self, request: Request, caller: TenantCaller) -> Response:
        """A vApp template (``vappTemplate-<id>``), or one of its VMs (``vm-<id>``: a
        ``VAppTemplate`` of the VM's media type)."""
        a = asked(request, caller)
        wanted = request.path_params["template"]
        if wanted.startswith("vm-"):
            item, vm = await self.runner.read(self.world.catalogs.template_vm, object_id(wanted), a.viewer)
            children = template_element(a, item).children
            answer = next(v for v in (children.vms if children else []) if v.name == vm.name)
            return xml(answer, a.version, media_type("templateVm"), tag="VAppTemplate")
        item = await self.runner.read(self.world.catalogs.entity, object_id(wanted), VAPP_TEMPLATE, a.viewer)
        answer = template_element(a, item)
        answer.files, answer.tasks = await transfer_state(self.world, self.runner, a, item)
        return xml(answer, a.version, media_type("vAppTemplate"))

    async def template_lease(self, request: Request, caller: TenantCaller) -> Response:
        """A template's ``leaseSettingsSection/``."""
        a = asked(request, caller)
        wanted = object_id(request.path_params["template"])
        item = await self.runner.read(self.world.catalogs.entity, wanted, VAPP_TEMPLATE, a.viewer)
        lease = template_element(a, item).lease
        return xml(lease, a.version, f"{VCLOUD_TYPE}.leaseSettingsSection+xml", tag="LeaseSettingsSection")

    async def media(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        item = await self.runner.read(
            self.world.catalogs.entity, request.path_params["media"], MEDIA, a.viewer
        )
        h = a.hrefs
        href = h.of("media", item.entity_id)
        files, running = await transfer_state(self.world, self.runner, a, item)
        answer = Media(
            **h.identity("media", item.entity_id, item.name),
            status=STATUS_READY if item.waiting is None else STATUS_NOT_READY,
            image_type=item.image_type,
            size=item.size_bytes,
            links=[
                *([Link("up", h.of("vdc", item.vdc), media_type("vdc"))] if item.vdc else []),
                Link("down", f"{h.of('media', item.entity_id)}/metadata", METADATA_TYPE),
                *download_links(h, item, href),
            ],
            description=item.description,
            tasks=running,
            files=files,
            owner=owner(h, item.owner_id, item.owner_name),
        )
        return xml(answer, a.version, media_type("media"))

    async def network(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        view = await self.runner.read(self.world.org_vdcs.network, request.path_params["network"], a.viewer)
        h = a.hrefs
        answer = OrgVdcNetwork(
            **h.identity("network", view.id, view.name),
            status=STATUS_READY,
            links=[
                Link("up", h.of("org", view.tenant), media_type("org")),
                Link("up", h.of("vdc", view.vdc), media_type("vdc")),
                Link("down", f"{h.of('network', view.id)}/metadata", METADATA_TYPE),
            ],
            description=view.description,
            configuration=NetworkConfiguration(
                IpScopes([IpScope(False, view.gateway, view.netmask, view.dns or None, is_enabled=True)]),
                view.fence_mode,
            ),
            is_shared=False,
        )
        return xml(answer, a.version, media_type("network"))


def owner(h: Hrefs, user_id: str | None, name: str | None) -> Owner | None:
    """An entity's ``Owner``; None when its owner is gone."""
    if user_id is None:
        return None
    return Owner(f"{VCLOUD_TYPE}.owner+xml", h.reference("user", user_id, name))


def template_element(a: Asked, item: ItemView) -> VAppTemplate:
    """A vApp template with its VMs: what pyvcloud copies into an instantiation (each VM's
    href, id, name, type and its primary network connection index)."""
    h = a.hrefs
    href = h.of("vAppTemplate", item.entity_id)
    vms = [
        VAppTemplateVm(
            **h.identity("templateVm", vm_id, vm.name),
            status=STATUS_POWERED_OFF,
            links=[Link("up", href, media_type("vAppTemplate"))],
            description="",
            hardware=hardware(vm.cpus, vm.memory_mb, [vm.disk_mb * MB], [Nic(None, None)]),
            network_connections=connections([Nic(None, None)], None, None),
            local_id=vm.name,
            date_created=vcd_time(item.created_at),
        )
        for vm in item.vms
        for vm_id in (template_vm_id(item.entity_id, vm.name),)
    ]
    return VAppTemplate(
        **h.identity("vAppTemplate", item.entity_id, item.name),
        status=STATUS_POWERED_OFF if item.waiting is None else STATUS_NOT_READY,
        ovf_descriptor_uploaded=item.waiting != "descriptor",
        gold_master=False,
        links=[
            *([Link("up", h.of("vdc", item.vdc), media_type("vdc"))] if item.vdc else []),
            Link("down", f"{href}/metadata", METADATA_TYPE),
            *download_links(h, item, href),
        ],
        description=item.description,
        owner=owner(h, item.owner_id, item.owner_name),
        children=TemplateChildren(vms),
        lease=LeaseSettingsSection(
            href=f"{href}/leaseSettingsSection/",
            type=f"{VCLOUD_TYPE}.leaseSettingsSection+xml",
            required=False,
            storage_lease_seconds=item.storage_lease_s,
            storage_lease_expiration=vcd_time(item.storage_expires_at),
        ),
        date_created=vcd_time(item.created_at),
    )
