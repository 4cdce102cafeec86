"""The provider's administration of org VDCs: create one in an org (``POST
/api/admin/org/{id}/vdcsparams``, ``CreateVdcParams``), read, change and delete it (``GET``/``PUT``/
``DELETE /api/admin/vdc/{id}``, ``AdminVdc``), enable or disable it (``POST .../action/enable``,
``disable``), and its storage policy (``GET /api/admin/vdcStorageProfile/{id}``). Only the provider
may (``General: Administrator View``; others get the product's 403). Shapes: admin/providerVdc.xsd
and what pyvcloud's ``Org.create_org_vdc``, ``update_org_vdc`` and ``VDC.enable_vdc``/``delete_vdc``
send and read (docs/research/vcd-vdc-admin.md)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import fields, replace

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.vcd.hrefs import ADMIN_TYPE, VCLOUD_TYPE, media_type, object_id
from localsphere.faces.vcd.metadata import METADATA_TYPE
from localsphere.faces.vcd.objects import ObjectViews
from localsphere.faces.vcd.tasks import TaskViews, task
from localsphere.faces.vcd.types import Link, Reference, TasksInProgress, Vdc
from localsphere.faces.vcd.types_vdcs import AdminVdc, AdminVdcStorageProfile, VimObjectRef, VimObjectRefs
from localsphere.faces.vcd.vsphere_view import vim_server_ref
from localsphere.faces.vcd.wire import Asked, asked, read_xml, xml
from localsphere.world import World
from localsphere.world.org_roles import ADMIN_VIEW
from localsphere.world.org_vdcs import Terms, VdcUsage, VdcView
from localsphere.world.storage_policies import ProfileView
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import org_uuid
from localsphere.world.vdc_admin import VdcChange
from localsphere.world.vdc_storage_profiles import ProfileChange, ProfileSpec

ADMIN_VDC_TYPE = f"{ADMIN_TYPE}.vdc+xml"
CREATE_VDC_TYPE = f"{ADMIN_TYPE}.createVdcParams+xml"
ADMIN_PROFILE_TYPE = f"{ADMIN_TYPE}.vdcStorageProfile+xml"
PVDC_PROFILE_TYPE = f"{ADMIN_TYPE}.pvdcStorageProfile+xml"
UPDATE_PROFILES_TYPE = f"{ADMIN_TYPE}.updateVdcStorageProfiles+xml"
PROVIDER_VDC_TYPE = f"{ADMIN_TYPE}.providervdc+xml"
NETWORK_POOL_TYPE = f"{ADMIN_TYPE}.networkPool+xml"
# Units a capacity may be given in, as multiples of the unit the world keeps (MHz, MB)
CPU_UNITS = {"MHZ": 1, "GHZ": 1000}
SIZE_UNITS = {"MB": 1, "GB": 1024, "TB": 1024 * 1024}


def admin_org_links(base: str, org: str) -> list[Link]:
    """What an ``AdminOrg`` links to for its VDCs: where a ``CreateVdcParams`` goes (the link
    pyvcloud's ``Org.create_org_vdc`` follows: ``rel="add"`` of the createVdcParams type)."""
    return [Link("add", f"{base}/api/admin/org/{org}/vdcsparams", CREATE_VDC_TYPE)]


def _children(body: ET.Element) -> dict[str, ET.Element]:
    """A body's child elements by local name (the first of each), whatever their namespace."""
    found: dict[str, ET.Element] = {}
    for child in body:
        found.setdefault(child.tag.rsplit("}", 1)[-1], child)
    return found


def _number(node: ET.Element | None, name: str, kind: type = int) -> float | None:
    if node is None or node.text is None or not node.text.strip():
        return None
    try:
        return kind(node.text.strip())
    except ValueError:
        raise InputError("value", f"{name} must be a number, not {node.text.strip()!r}.") from None


def _flag(node: ET.Element | None) -> bool | None:
    if node is None or node.text is None:
        return None
    text = node.text.strip().lower()
    if text not in ("true", "false", "1", "0"):
        raise InputError("value", f"{node.tag.rsplit('}', 1)[-1]} must be true or false.")
    return text in ("true", "1")


def _amount(capacity: ET.Element | None, name: str, units: dict[str, int]) -> tuple[int | None, int | None]:
    """A ``Cpu`` or ``Memory`` capacity's Allocated and Limit in the world's unit (MHz, MB)."""
    if capacity is None:
        return None, None
    parts = _children(capacity)
    unit = (parts["Units"].text or "").strip() if "Units" in parts else next(iter(units))
    factor = units.get(unit.upper())
    if factor is None:
        raise InputError("value", f"{name} Units must be one of {', '.join(units)}, not {unit!r}.")
    allocated, limit = (_number(parts.get(p), f"{name} {p}") for p in ("Allocated", "Limit"))
    return (
        None if allocated is None else int(allocated * factor),
        None if limit is None else int(limit * factor),
    )


def terms_of(body: ET.Element, base: Terms) -> Terms:
    """The terms a ``CreateVdcParams`` or an ``AdminVdc`` states, over ``base`` (what it leaves
    out stays): allocation model, CPU and memory allocated and limit (in their ``Units``), quotas,
    guarantees, vCPU speed, provisioning, enablement, and its default storage policy's limit."""
    parts = _children(body)
    changes: dict[str, object] = {}
    if "AllocationModel" in parts:
        changes["allocation_model"] = (parts["AllocationModel"].text or "").strip()
    compute = _children(parts["ComputeCapacity"]) if "ComputeCapacity" in parts else {}
    for resource, units, allocated_field, limit_field in (
        ("Cpu", CPU_UNITS, "cpu_allocated_mhz", "cpu_limit_mhz"),
        ("Memory", SIZE_UNITS, "memory_allocated_mb", "memory_limit_mb"),
    ):
        allocated, limit = _amount(compute.get(resource), resource, units)
        if allocated is not None:
            changes[allocated_field] = allocated
        if limit is not None:
            changes[limit_field] = limit
    for name, field_name, kind in (
        ("NicQuota", "nic_quota", int),
        ("NetworkQuota", "network_quota", int),
        ("VmQuota", "vm_quota", int),
        ("ResourceGuaranteedMemory", "memory_guaranteed", float),
        ("ResourceGuaranteedCpu", "cpu_guaranteed", float),
        ("VCpuInMhz", "vcpu_mhz", int),
    ):
        value = _number(parts.get(name), name, kind)
        if value is not None:
            changes[field_name] = value
    for name, field_name in (
        ("IsThinProvision", "thin_provision"),
        ("UsesFastProvisioning", "fast_provisioning"),
        ("IsEnabled", "enabled"),
    ):
        value = _flag(parts.get(name))
        if value is not None:
            changes[field_name] = value
    profiles = [p for p in body if p.tag.rsplit("}", 1)[-1] == "VdcStorageProfile"]
    if profiles:
        chosen = next((p for p in profiles if _flag(_children(p).get("Default"))), profiles[0])
        limit = _limit_mb(_children(chosen))
        if limit is not None:
            changes["storage_limit_mb"] = limit
    return replace(base, **changes)  # type: ignore[arg-type]


def _terms(view: VdcView) -> Terms:
    """A VDC's terms as they stand."""
    return Terms(**{f.name: getattr(view, f.name) for f in fields(Terms)})


def _limit_mb(parts: dict[str, ET.Element]) -> int | None:
    """A storage policy's ``Limit`` in MB, from its ``Units`` (MB unless told); None: not given."""
    units = parts.get("Units")
    unit = ((units.text if units is not None else None) or "MB").strip()
    factor = SIZE_UNITS.get(unit.upper())
    if factor is None:
        raise InputError("value", f"Units must be one of MB, GB, TB, not {unit!r}.")
    amount = _number(parts.get("Limit"), "Limit")
    return None if amount is None else int(amount * factor)


def _profile_spec(part: ET.Element, names: dict[str, str]) -> ProfileSpec:
    """A ``VdcStorageProfile`` of a ``CreateVdcParams`` or an ``AddStorageProfile``: the provider
    VDC's policy its ``ProviderVdcStorageProfile`` names (by id among ``names``: id -> name; an
    unknown one, by its name or id, which the world refuses), enabled, limit (MB), default."""
    fields_of = _children(part)
    provider = fields_of.get("ProviderVdcStorageProfile")
    if provider is None:
        raise InputError("body", f"A {part.tag.rsplit('}', 1)[-1]} must name its ProviderVdcStorageProfile.")
    wanted = object_id(provider.get("href") or "")
    return ProfileSpec(
        name=names.get(wanted) or provider.get("name") or wanted,
        enabled=_flag(fields_of.get("Enabled")) is not False,
        limit_mb=_limit_mb(fields_of) or 0,
        default=bool(_flag(fields_of.get("Default"))),
    )


def _expect(body: ET.Element | None, *tags: str) -> ET.Element:
    if body is None or body.tag.rsplit("}", 1)[-1] not in tags:
        raise InputError("body", f"The request body must be a {' or '.join(tags)} element.")
    return body


class AdminVdcViews:
    def __init__(
        self, world: World, runner: Runner, objects: ObjectViews, tasks: TaskViews, max_body: int
    ) -> None:
        self.world = world
        self.runner = runner
        self.objects = objects
        self.tasks = tasks
        self.max_body = max_body

    async def create(self, request: Request, caller: TenantCaller) -> Response:
        """``CreateVdcParams`` to ``/api/admin/org/{id}/vdcsparams``: 201, the ``AdminVdc`` with
        the task that made it. Its ``ProviderVdcReference`` names the provider VDC to take."""
        a = asked(request, caller, ADMIN_VIEW)
        body = _expect(await read_xml(request, self.max_body), "CreateVdcParams")
        org = await self.runner.read(self.world.tenants.org, request.path_params["org"], a.caller.tenant)
        parts = _children(body)
        provider = parts.get("ProviderVdcReference")
        if provider is None or not provider.get("href"):
            raise InputError("body", "CreateVdcParams must name its ProviderVdcReference.")
        pvdc = await self.runner.read(
            self.world.provider_view.provider_vdc, object_id(provider.get("href", ""))
        )
        name = body.get("name") or ""
        description = (parts["Description"].text or "") if "Description" in parts else ""
        names = {p.id: p.name for p in pvdc.storage_policies}
        vdc_id, task_id = await self.runner.call(
            self.world.vdc_admin.create,
            a.actor,
            org.name,
            name,
            description,
            pvdc.cluster.moid,
            terms_of(body, Terms()),
            tuple(_profile_spec(p, names) for p in body if p.tag.rsplit("}", 1)[-1] == "VdcStorageProfile"),
        )
        return await self._answer(a, vdc_id, task_id, 201)

    async def get(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        view, usage = await self.runner.read(self.world.org_vdcs.get, request.path_params["vdc"], None)
        return xml(await self._element(a, view, usage), a.version, ADMIN_VDC_TYPE)

    async def update(self, request: Request, caller: TenantCaller) -> Response:
        """An ``AdminVdc`` (as a GET answered it, changed) to ``PUT /api/admin/vdc/{id}``: 202,
        the ``AdminVdc`` as it now is, with the task."""
        a = asked(request, caller, ADMIN_VIEW)
        body = _expect(await read_xml(request, self.max_body), "AdminVdc", "Vdc")
        vdc_id = request.path_params["vdc"]
        view, _ = await self.runner.read(self.world.org_vdcs.get, vdc_id, None)
        parts = _children(body)
        change = VdcChange(
            name=body.get("name") or None,
            description=(parts["Description"].text or "") if "Description" in parts else None,
            terms=terms_of(body, _terms(view)),
        )
        task_id = await self.runner.call(self.world.vdc_admin.update, a.actor, vdc_id, change)
        return await self._answer(a, vdc_id, task_id, 202)

    async def delete(self, request: Request, caller: TenantCaller) -> Response:
        """``DELETE /api/admin/vdc/{id}`` (``?recursive=true&force=true``: with its vApps): 202, the Task."""
        a = asked(request, caller, ADMIN_VIEW)
        wanted = request.query_params
        recursive = (
            wanted.get("recursive", "").lower() == "true" and wanted.get("force", "").lower() == "true"
        )
        task_id = await self.runner.call(
            self.world.vdc_admin.delete, a.actor, request.path_params["vdc"], recursive
        )
        return await self.tasks.answer(a, task_id)

    async def enable(self, request: Request, caller: TenantCaller) -> Response:
        return await self._set_enabled(request, caller, True)

    async def disable(self, request: Request, caller: TenantCaller) -> Response:
        return await self._set_enabled(request, caller, False)

    async def _set_enabled(self, request: Request, caller: TenantCaller, enabled: bool) -> Response:
        """``POST .../action/enable`` or ``disable``: 204, as the product answers."""
        asked(request, caller, ADMIN_VIEW)
        await self.runner.call(self.world.vdc_admin.set_enabled, request.path_params["vdc"], enabled)
        return Response(status_code=204)

    async def storage_profile(self, request: Request, caller: TenantCaller) -> Response:
        """``GET /api/admin/vdcStorageProfile/{id}``: a VDC's storage policy and the provider
        VDC's it is of."""
        a = asked(request, caller, ADMIN_VIEW)
        view, profile = await self.runner.read(
            self.world.vdc_storage_profiles.get, request.path_params["profile"], None
        )
        return xml(await self._profile_element(a, view, profile), a.version, ADMIN_PROFILE_TYPE)

    async def _profile_element(self, a: Asked, view: VdcView, profile: ProfileView) -> AdminVdcStorageProfile:
        pvdc = await self.runner.read(self.world.provider_view.provider_vdc_of, view.pool)
        policy = next((p for p in pvdc.storage_policies if p.name == profile.name), None)
        h = a.hrefs
        href = f"{h.base}/api/admin/vdcStorageProfile/{profile.id}"
        return AdminVdcStorageProfile(
            href=href,
            type=ADMIN_PROFILE_TYPE,
            id=f"urn:vcloud:vdcstorageProfile:{profile.id}",
            name=profile.name,
            links=[
                Link("up", f"{h.base}/api/admin/vdc/{view.id}", ADMIN_VDC_TYPE),
                Link("edit", href, ADMIN_PROFILE_TYPE),
                Link("down", f"{href}/metadata", METADATA_TYPE),
            ],
            enabled=profile.enabled,
            limit=profile.limit_mb,
            default=profile.is_default,
            storage_used_mb=profile.used_mb,
            provider_profile=Reference(
                f"{h.base}/api/admin/pvdcStorageProfile/{policy.id}", PVDC_PROFILE_TYPE, policy.name
            )
            if policy is not None
            else None,
        )

    async def update_storage_profile(self, request: Request, caller: TenantCaller) -> Response:
        """An ``AdminVdcStorageProfile`` to ``PUT /api/admin/vdcStorageProfile/{id}``: its
        ``Enabled``, ``Limit`` (in its ``Units``) and ``Default`` (what it leaves out stays);
        200, the policy as it now is (what pyvcloud's ``VDC.update_storage_profile`` reads)."""
        a = asked(request, caller, ADMIN_VIEW)
        body = _expect(await read_xml(request, self.max_body), "AdminVdcStorageProfile", "VdcStorageProfile")
        profile_id = request.path_params["profile"]
        parts = _children(body)
        change = ProfileChange(
            enabled=_flag(parts.get("Enabled")),
            limit_mb=_limit_mb(parts),
            default=_flag(parts.get("Default")),
        )
        await self.runner.call(self.world.vdc_storage_profiles.update, profile_id, change)
        view, profile = await self.runner.read(self.world.vdc_storage_profiles.get, profile_id, None)
        return xml(await self._profile_element(a, view, profile), a.version, ADMIN_PROFILE_TYPE)

    async def update_storage_profiles(self, request: Request, caller: TenantCaller) -> Response:
        """``UpdateVdcStorageProfiles`` to ``POST /api/admin/vdc/{id}/vdcStorageProfiles``: its
        ``AddStorageProfile``s (each naming a ``ProviderVdcStorageProfile`` of the VDC's provider
        VDC) and ``RemoveStorageProfile``s (references to the VDC's); 202, the Task."""
        a = asked(request, caller, ADMIN_VIEW)
        body = _expect(await read_xml(request, self.max_body), "UpdateVdcStorageProfiles")
        vdc_id = request.path_params["vdc"]
        view, _ = await self.runner.read(self.world.org_vdcs.get, vdc_id, None)
        pvdc = await self.runner.read(self.world.provider_view.provider_vdc_of, view.pool)
        names = {p.id: p.name for p in pvdc.storage_policies}
        add, remove = [], []
        for part in body:
            tag = part.tag.rsplit("}", 1)[-1]
            if tag == "RemoveStorageProfile":
                remove.append(object_id(part.get("href") or ""))
            elif tag == "AddStorageProfile":
                add.append(_profile_spec(part, names))
        task_id = await self.runner.call(
            self.world.vdc_storage_profiles.change_set, a.actor, vdc_id, add, remove
        )
        return await self.tasks.answer(a, task_id)

    async def _answer(self, a: Asked, vdc_id: str, task_id: str, status: int) -> Response:
        view, usage = await self.runner.read(self.world.org_vdcs.get, vdc_id, None)
        element = await self._element(a, view, usage)
        found = await self.runner.read(self.world.tasks.get, task_id, None)
        element.tasks = TasksInProgress([task(a.hrefs, found)])
        return xml(element, a.version, ADMIN_VDC_TYPE, status)

    async def _element(self, a: Asked, view: VdcView, usage: VdcUsage) -> AdminVdc:
        """The ``AdminVdc``: the VDC as its users see it, its admin links, its terms and what
        backs it (its provider VDC, network pool, resource pool)."""
        base = await self.objects.vdc_element(a, view, usage)
        pvdc = await self.runner.read(self.world.provider_view.provider_vdc_of, view.pool)
        vcenter = await self.runner.read(self.world.provider_view.vcenter_id)
        h = a.hrefs
        href = f"{h.base}/api/admin/vdc/{view.id}"
        vim_server = vim_server_ref(h, vcenter)
        values = {f.name: getattr(base, f.name) for f in fields(Vdc)}
        values.update(
            href=href,
            type=ADMIN_VDC_TYPE,
            links=[
                Link(
                    "up", f"{h.base}/api/admin/org/{org_uuid(view.tenant)}", f"{ADMIN_TYPE}.organization+xml"
                ),
                Link("edit", href, ADMIN_VDC_TYPE),
                Link("edit", f"{href}/vdcStorageProfiles", UPDATE_PROFILES_TYPE),
                Link("remove", href),
                Link("disable", f"{href}/action/disable")
                if view.enabled
                else Link("enable", f"{href}/action/enable"),
                Link("alternate", h.of("vdc", view.id), media_type("vdc")),
                Link(
                    "add",
                    f"{h.of('vdc', view.id)}/action/instantiateVAppTemplate",
                    f"{VCLOUD_TYPE}.instantiateVAppTemplateParams+xml",
                ),
            ],
        )
        return AdminVdc(
            **values,
            guaranteed_memory=view.memory_guaranteed,
            guaranteed_cpu=view.cpu_guaranteed,
            vcpu_mhz=view.vcpu_mhz,
            thin_provision=view.thin_provision,
            network_pool=Reference(
                f"{h.base}/api/admin/extension/networkPool/{pvdc.network_pool.id}",
                NETWORK_POOL_TYPE,
                pvdc.network_pool.name,
            ),
            provider_vdc=Reference(
                f"{h.base}/api/admin/providervdc/{pvdc.id}", PROVIDER_VDC_TYPE, pvdc.cluster.name
            ),
            resource_pools=VimObjectRefs([VimObjectRef(vim_server, view.pool, "RESOURCE_POOL")]),
            fast_provisioning=view.fast_provisioning,
            over_commit=True,
            vm_discovery=False,
        )
