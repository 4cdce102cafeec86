"""vApps and their VMs as the vCloud API shows them and drives them: ``GET /api/vApp/vapp-{id}``
and ``/api/vApp/vm-{id}``, instantiation (``POST /api/vdc/{id}/action/instantiateVAppTemplate``),
power operations (``.../power/action/{powerOn|powerOff|reboot|reset|shutdown|suspend}``),
``.../action/deploy`` and ``.../action/undeploy``, and ``DELETE``. Every change answers 202 with
its Task (instantiation: 201 with the new vApp and its Task). The links an entity carries follow
its state, as pyvcloud decides what it may do by them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.vcd.disks import vm_disk_links
from localsphere.faces.vcd.hardware import Nic, connections, hardware
from localsphere.faces.vcd.hrefs import VCLOUD_TYPE, media_type, object_id
from localsphere.faces.vcd.metadata import METADATA_TYPE
from localsphere.faces.vcd.model import OVF, RASD, VCLOUD
from localsphere.faces.vcd.objects import NETWORK_TYPE, owner, template_element
from localsphere.faces.vcd.ovf_types import (
    Children,
    ComputeResource,
    DiskSection,
    DiskSettings,
    GuestCustomizationSection,
    HardwareVersion,
    LeaseSettingsSection,
    NetworkConfig,
    NetworkConfigSection,
    NetworkConfiguration,
    NetworkSection,
    OperatingSystemSection,
    OvfNetwork,
    VApp,
    Vm,
    VmSpecSection,
)
from localsphere.faces.vcd.sharing import CONTROL_ACCESS, access_links
from localsphere.faces.vcd.tasks import TaskViews, task
from localsphere.faces.vcd.types import Link, Reference, TasksInProgress
from localsphere.faces.vcd.wire import Asked, asked, read_xml, vcd_time, whole, xml
from localsphere.world import World
from localsphere.world.catalogs import VAPP_TEMPLATE
from localsphere.world.errors import NotFound
from localsphere.world.inventory import POWERED_OFF, POWERED_ON, SUSPENDED
from localsphere.world.org_roles import CAPTURE, COPY_VAPP, CREATE_VAPP, DELETE_VAPP, POWER
from localsphere.world.ovf import GUESTS
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.vapps import MIXED, RESOLVED, Source, VAppView, VmChange, VmView

# vCD's status numbers of a vApp or VM (pyvcloud's VCLOUD_STATUS_MAP).
STATUS = {RESOLVED: 1, SUSPENDED: 3, POWERED_ON: 4, POWERED_OFF: 8, MIXED: 10}
POWER_ACTIONS = ("powerOn", "powerOff", "reboot", "reset", "shutdown", "suspend")
UNDEPLOY_ACTIONS = ("default", "powerOff", "suspend", "shutdown", "force")
DEPLOY_TYPE = f"{VCLOUD_TYPE}.deployVAppParams+xml"
UNDEPLOY_TYPE = f"{VCLOUD_TYPE}.undeployVAppParams+xml"
PRODUCT_SECTIONS = f"{VCLOUD_TYPE}.productSections+xml"
MB = 1 << 20
V = f"{{{VCLOUD}}}"
LEASE_TYPE = f"{VCLOUD_TYPE}.leaseSettingsSection+xml"
VM_TOOLS_VERSION = "12352"  # VMware Tools 12.3.5, as vSphere 8 reports it


def _power_links(href: str, states: set[str], deployed: bool, vm: bool) -> list[Link]:
    """The operations a vApp or VM in these power states allows, as links (power ones without
    a type: pyvcloud looks them up so)."""
    links = []
    if states & {POWERED_OFF, SUSPENDED} or not states:
        links.append(Link("power:powerOn", f"{href}/power/action/powerOn"))
    if POWERED_ON in states:
        links += [Link(f"power:{op}", f"{href}/power/action/{op}") for op in POWER_ACTIONS if op != "powerOn"]
    elif SUSPENDED in states:
        links.append(Link("power:powerOff", f"{href}/power/action/powerOff"))
    if not (vm and POWERED_ON in states):
        links.append(Link("deploy", f"{href}/action/deploy", DEPLOY_TYPE))
    if deployed or POWERED_ON in states:
        links.append(Link("undeploy", f"{href}/action/undeploy", UNDEPLOY_TYPE))
    else:
        links.append(Link("remove", href))
    return links


def vm_element(a: Asked, vm: VmView, vapp: VAppView) -> Vm:
    h = a.hrefs
    href = h.of("vm", vm.id)
    nics = [
        Nic(
            n.get("network_name"),
            n.get("mac"),
            n.get("mode") or ("DHCP" if n.get("network") else "NONE"),
            n.get("ip"),
            n.get("adapter") or "VMXNET3",
            n.get("connected", True),
        )
        for n in vm.nics
    ] or [Nic(None, None)]
    guest, os_id = GUESTS.get(vm.guest_os, ("otherGuest64", 1))
    profile = h.reference("storageProfile", *vapp.storage_profile)
    return Vm(
        **h.identity("vm", vm.id, vm.name),
        status=STATUS.get(vm.power_state, 8),
        deployed=vm.power_state == POWERED_ON,
        needs_customization=False,
        links=[
            *_power_links(href, {vm.power_state}, vm.power_state == POWERED_ON, vm=True),
            Link("up", h.of("vApp", vapp.id), media_type("vApp")),
            Link("down", f"{href}/metadata", METADATA_TYPE),
            Link("down", f"{href}/productSections/", PRODUCT_SECTIONS),
            Link("reconfigureVm", f"{href}/action/reconfigureVm", media_type("vm")),
            Link("edit", href, media_type("vm")),
            *(
                [Link("relocate", f"{href}/action/relocate", f"{VCLOUD_TYPE}.relocateVmParams+xml")]
                if a.provider
                else []
            ),
            *vm_disk_links(href),
        ],
        description="",
        hardware=hardware(
            vm.cpus, vm.memory_mb, [d.get("capacity", 0) for d in vm.disks], nics, vm.cores_per_socket
        ),
        operating_system=OperatingSystemSection(id=os_id, os_type=guest, description=vm.guest_os),
        network_connections=connections(
            nics, f"{href}/networkConnectionSection/", f"{VCLOUD_TYPE}.networkConnectionSection+xml"
        ),
        guest_customization=GuestCustomizationSection(
            href=f"{href}/guestCustomizationSection/",
            type=f"{VCLOUD_TYPE}.guestCustomizationSection+xml",
            required=False,
            virtual_machine_id=vm.id,
            computer_name=vm.computer_name,
            links=[
                Link(
                    "edit",
                    f"{href}/guestCustomizationSection/",
                    f"{VCLOUD_TYPE}.guestCustomizationSection+xml",
                )
            ],
            **vm.customization,
        ),
        spec=VmSpecSection(
            os_type=guest,
            num_cpus=vm.cpus,
            num_cores_per_socket=vm.cores_per_socket,
            cpu_resource_mhz=ComputeResource(0),
            memory_resource_mb=ComputeResource(vm.memory_mb),
            disk_section=DiskSection(
                [
                    DiskSettings(
                        str(2000 + index), disk.get("capacity", 0) // MB, index, 0, storage_profile=profile
                    )
                    for index, disk in enumerate(vm.disks)
                ]
            ),
            hardware_version=HardwareVersion(),  # no link: its document comes with the VDC's capabilities
            vm_tools_version=VM_TOOLS_VERSION,
        ),
        date_created=vcd_time(vm.created_at),
        local_id=vm.name,
        storage_profile=profile,
    )


def lease_section(href: str, vapp: VAppView) -> LeaseSettingsSection:
    """A vApp's ``LeaseSettingsSection``: its leases (seconds, 0: never) and when the running
    one ends (vApp.xsd ``LeaseSettingsSectionType``)."""
    section = f"{href}/leaseSettingsSection/"
    lease = vapp.lease
    return LeaseSettingsSection(
        href=section,
        type=LEASE_TYPE,
        required=False,
        links=[Link("edit", section, LEASE_TYPE)],
        deployment_lease_seconds=lease.deployment_lease_s,
        storage_lease_seconds=lease.storage_lease_s,
        deployment_lease_expiration=vcd_time(lease.deployment_expires_at),
        storage_lease_expiration=vcd_time(lease.storage_expires_at),
    )


def vapp_element(a: Asked, vapp: VAppView, tasks: TasksInProgress | None = None) -> VApp:
    h = a.hrefs
    href = h.of("vApp", vapp.id)
    networks = [name for _, name in vapp.networks]
    return VApp(
        **h.identity("vApp", vapp.id, vapp.name),
        status=STATUS.get(vapp.status, 8),
        deployed=vapp.deployed,
        ovf_descriptor_uploaded=True,
        links=[
            *_power_links(href, {vm.power_state for vm in vapp.vms}, vapp.deployed, vm=False),
            Link("recompose", f"{href}/action/recomposeVApp", f"{VCLOUD_TYPE}.recomposeVAppParams+xml"),
            Link("up", h.of("vdc", vapp.vdc), media_type("vdc")),
            Link("down", f"{href}/controlAccess/", CONTROL_ACCESS),
            *access_links(h, "vApp", vapp.id),
            Link("down", f"{href}/metadata", METADATA_TYPE),
        ],
        description=vapp.description,
        tasks=tasks,
        lease=lease_section(href, vapp),
        network_section=NetworkSection(networks=[OvfNetwork(n) for n in networks]),
        network_config=NetworkConfigSection(
            href=f"{href}/networkConfigSection/",
            type=f"{VCLOUD_TYPE}.networkConfigSection+xml",
            required=False,
            configs=[
                NetworkConfig(
                    n, None, NetworkConfiguration(Reference(h.of("network", i), NETWORK_TYPE, n)), True
                )
                for i, n in vapp.networks
            ],
        ),
        date_created=vcd_time(vapp.created_at),
        owner=owner(h, vapp.owner_id, vapp.owner_name),
        in_maintenance_mode=False,
        children=Children([vm_element(a, vm, vapp) for vm in vapp.vms]),
    )


class VAppViews:
    def __init__(self, world: World, runner: Runner, tasks: TaskViews, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.tasks = tasks
        self.max_body = max_body

    async def get(self, request: Request, caller: TenantCaller) -> Response:
        """A vApp (``vapp-<id>``) or a VM (``vm-<id>``)."""
        a = asked(request, caller)
        entity = request.path_params["entity"]
        if entity.startswith("vm-"):
            vm, vapp = await self.runner.read(self.world.vapps.vm, object_id(entity), a.viewer)
            return xml(vm_element(a, vm, vapp), a.version, media_type("vm"))
        vapp = await self.runner.read(self.world.vapps.get, _vapp_id(entity), a.viewer)
        return xml(vapp_element(a, vapp), a.version, media_type("vApp"))

    async def power(self, request: Request, caller: TenantCaller) -> Response:
        action = request.path_params["action"]
        if action not in POWER_ACTIONS:
            raise NotFound("action.not_found", f"No power operation {action}.", action)
        return await self._act(request, caller, action)

    async def deploy(self, request: Request, caller: TenantCaller) -> Response:
        body = await read_xml(request, self.max_body)
        _expect(body, "DeployVAppParams", optional=True)
        power_on = body is None or body.get("powerOn", "true").lower() == "true"
        return await self._act(request, caller, "deploy+powerOn" if power_on else "deploy")

    async def undeploy(self, request: Request, caller: TenantCaller) -> Response:
        body = await read_xml(request, self.max_body)
        _expect(body, "UndeployVAppParams", optional=True)
        found = body.find(f"{V}UndeployPowerAction") if body is not None else None
        how = (found.text or "default").strip() if found is not None else "default"
        if how not in UNDEPLOY_ACTIONS:
            raise InputError("value", f"UndeployPowerAction must be one of {', '.join(UNDEPLOY_ACTIONS)}.")
        return await self._act(request, caller, "undeploy", how)

    async def _act(
        self, request: Request, caller: TenantCaller, action: str, how: str = "default"
    ) -> Response:
        a = asked(request, caller)
        a.require(POWER)
        entity = request.path_params["entity"]
        if entity.startswith("vm-"):
            task_id = await self.runner.call(
                self.world.vapps.act_on_vm, a.actor, object_id(entity), action, how
            )
        else:
            task_id = await self.runner.call(self.world.vapps.act, a.actor, _vapp_id(entity), action, how)
        return await self.tasks.answer(a, task_id)

    async def delete(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(DELETE_VAPP)
        entity = request.path_params["entity"]
        if entity.startswith("vm-"):
            task_id = await self.runner.call(self.world.vapps.delete_vm, a.actor, object_id(entity))
            return await self.tasks.answer(a, task_id)
        force = request.query_params.get("force", "false").lower() == "true"
        task_id = await self.runner.call(self.world.vapps.delete, a.actor, _vapp_id(entity), force)
        return await self.tasks.answer(a, task_id)

    async def instantiate(self, request: Request, caller: TenantCaller) -> Response:
        """``InstantiateVAppTemplateParams``: a vApp from a template; 201, the vApp and its Task."""
        a = asked(request, caller)
        a.require(CREATE_VAPP)
        body = _expect(await read_xml(request, self.max_body), "InstantiateVAppTemplateParams")
        name, template = _name(body), _source(body)
        vapp_id, task_id = await self.runner.call(
            self.world.vapps.instantiate,
            a.actor,
            request.path_params["vdc"],
            name,
            object_id(template),
            _network(body),
            _flag(body, "powerOn"),
            _description(body),
            {s.id: s.change for s in _sources(body) if s.change is not None},
            _flag(body, "deploy"),
            _storage_profile(body),
        )
        return await self._made(a, vapp_id, task_id)

    async def compose(self, request: Request, caller: TenantCaller) -> Response:
        """``ComposeVAppParams``: a vApp of the VMs it sources (none: an empty one); 201."""
        a = asked(request, caller)
        a.require(CREATE_VAPP)
        body = _expect(await read_xml(request, self.max_body), "ComposeVAppParams")
        vapp_id, task_id = await self.runner.call(
            self.world.vapps.compose,
            a.actor,
            request.path_params["vdc"],
            _name(body),
            _sources(body),
            _network(body),
            _flag(body, "powerOn"),
            _description(body),
            (),
            _flag(body, "deploy"),
            _storage_profile(body),
        )
        return await self._made(a, vapp_id, task_id)

    async def clone(self, request: Request, caller: TenantCaller) -> Response:
        """``CloneVAppParams``: a copy of a vApp in a VDC (``IsSourceDelete``: a move); 201."""
        a = asked(request, caller)
        a.require(COPY_VAPP)
        body = _expect(await read_xml(request, self.max_body), "CloneVAppParams")
        move = (body.findtext(f"{V}IsSourceDelete") or "false").strip().lower() == "true"
        vapp_id, task_id = await self.runner.call(
            self.world.vapps.clone,
            a.actor,
            request.path_params["vdc"],
            _vapp_id(object_id_entity(_source(body))),
            _name(body),
            _description(body),
            move,
        )
        return await self._made(a, vapp_id, task_id)

    async def recompose(self, request: Request, caller: TenantCaller) -> Response:
        """``RecomposeVAppParams``: VMs added (``SourcedItem``) and deleted (``DeleteItem``); 202."""
        a = asked(request, caller)
        a.require(CREATE_VAPP)
        body = _expect(await read_xml(request, self.max_body), "RecomposeVAppParams")
        remove = [object_id(d.get("href", "")) for d in body.findall(f"{V}DeleteItem")]
        vapp_id = _vapp_id(request.path_params["entity"])
        task_id = await self.runner.call(self.world.vapps.recompose, a.actor, vapp_id, _sources(body), remove)
        return await self.tasks.answer(a, task_id)

    async def capture(self, request: Request, caller: TenantCaller) -> Response:
        """``CaptureVAppParams``: a vApp template of a vApp in a catalog; 201 with the template."""
        a = asked(request, caller)
        a.require(CAPTURE)
        body = _expect(await read_xml(request, self.max_body), "CaptureVAppParams")
        entity_id, task_id = await self.runner.call(
            self.world.vapps.capture,
            a.actor,
            request.path_params["catalog"],
            _vapp_id(object_id_entity(_source(body))),
            _name(body),
            _description(body),
            _target_item(body),
        )
        item = await self.runner.read(self.world.catalogs.entity, entity_id, VAPP_TEMPLATE, a.viewer)
        view = await self.runner.read(self.world.tasks.get, task_id, None)
        answer = template_element(a, item)
        answer.tasks = TasksInProgress([task(a.hrefs, view)])
        return xml(answer, a.version, media_type("vAppTemplate"), 201)

    async def _made(self, a: Asked, vapp_id: str, task_id: str) -> Response:
        """201: the new vApp, with the task that made it."""
        vapp = await self.runner.read(self.world.vapps.get, vapp_id, a.viewer)
        view = await self.runner.read(self.world.tasks.get, task_id, None)
        answer = vapp_element(a, vapp, TasksInProgress([task(a.hrefs, view)]))
        return xml(answer, a.version, media_type("vApp"), 201)


def _target_item(body: ET.Element) -> str | None:
    """The catalog item a capture replaces (``TargetCatalogItem``), by id; None: a new one."""
    found = body.find(f"{V}TargetCatalogItem")
    return object_id(found.get("href", "")) if found is not None and found.get("href") else None


def _source(body: ET.Element) -> str:
    """The href of a creation's ``Source`` (InputError, a 400, when it has none)."""
    found = body.find(f"{V}Source")
    if found is None or not found.get("href"):
        raise InputError("value", f"{body.tag.split('}')[-1]} needs a Source href.")
    return found.get("href", "")


def _name(body: ET.Element) -> str:
    name = body.get("name")
    if not name:
        raise InputError("value", f"{body.tag.split('}')[-1]} needs a name.")
    return name


def object_id_entity(href: str) -> str:
    """The last segment of an href, prefix kept (``vapp-<id>``)."""
    return href.rstrip("/").rsplit("/", 1)[-1]


def _flag(body: ET.Element, name: str) -> bool:
    """A boolean attribute of vCD's creation parameters, true unless it says false (the XSD's
    default)."""
    return body.get(name, "true").strip().lower() not in ("false", "0")


def _vapp_id(entity: str) -> str:
    if not entity.startswith("vapp-"):
        raise NotFound("vapp.not_found", f"No vApp {entity}.", entity)
    return entity[len("vapp-") :]


def _expect(body: ET.Element | None, tag: str, optional: bool = False) -> ET.Element:
    """The body, which must be the vCloud element ``tag`` (or absent, when ``optional``)."""
    if body is None:
        if optional:
            return ET.Element(f"{V}{tag}")
        raise InputError("empty", f"The request needs a {tag} body.")
    if body.tag != f"{V}{tag}":
        raise InputError("value", f"The body must be the element {tag} of namespace {VCLOUD}.")
    return body


def _sources(body: ET.Element) -> list[Source]:
    """The VMs a composition takes (``SourcedItem``s: a template's VM, or a vApp's), each with its
    new name (``VmGeneralParams/Name``) and its CPUs and memory (hardware items of resource type
    3 and 4)."""
    found = []
    for item in body.findall(f"{V}SourcedItem"):
        source = item.find(f"{V}Source")
        href = source.get("href", "") if source is not None else ""
        if not href:
            raise InputError("value", "A SourcedItem needs a Source href.")
        kind = "vm" if "/api/vApp/vm-" in href else "templateVm"
        name = item.find(f"{V}VmGeneralParams/{V}Name")
        sizes: dict[int, int] = {}
        for hw in item.findall(f"{V}InstantiationParams/{{{OVF}}}VirtualHardwareSection/{{{OVF}}}Item"):
            kind_text = (hw.findtext(f"{{{RASD}}}ResourceType") or "").strip()
            quantity = hw.findtext(f"{{{RASD}}}VirtualQuantity")
            if kind_text in ("3", "4") and quantity is not None:
                try:
                    sizes[int(kind_text)] = int(quantity.strip())
                except ValueError:
                    raise InputError(
                        "value", "A hardware item's VirtualQuantity must be a whole number."
                    ) from None
        params = f"{V}InstantiationParams"
        disk = item.find(f"{params}/{{{OVF}}}VirtualHardwareSection/{{{OVF}}}Item/{{{RASD}}}HostResource")
        capacity = disk.get(f"{V}capacity") if disk is not None else None
        connection = item.find(f"{params}/{V}NetworkConnectionSection/{V}NetworkConnection")
        change = VmChange(
            (name.text or "").strip() if name is not None and name.text else None,
            sizes.get(3),
            sizes.get(4),
            whole(capacity, "vcloud:capacity") if capacity else None,
            (item.findtext(f"{params}/{V}GuestCustomizationSection/{V}ComputerName") or "").strip() or None,
            (connection.findtext(f"{V}IpAddressAllocationMode") or "").strip() or None
            if connection is not None
            else None,
            (connection.findtext(f"{V}IpAddress") or "").strip() or None if connection is not None else None,
        )
        move = (item.get("sourceDelete") or "false").strip().lower() == "true"
        found.append(Source(kind, object_id(href), change, move))
    return found


def _network(body: ET.Element) -> str | None:
    """The org network an ``InstantiationParams/NetworkConfigSection`` names, by id."""
    parent = body.find(
        f"{V}InstantiationParams/{V}NetworkConfigSection/{V}NetworkConfig/{V}Configuration/{V}ParentNetwork"
    )
    return object_id(parent.get("href", "")) if parent is not None and parent.get("href") else None


def _storage_profile(body: ET.Element) -> str | None:
    """The VDC storage policy a ``SourcedItem/StorageProfile`` names (the first; vCD takes one a
    VM, this world one a vApp), by id; None: the VDC's default."""
    found = body.find(f"{V}SourcedItem/{V}StorageProfile")
    return object_id(found.get("href", "")) if found is not None and found.get("href") else None


def _description(body: ET.Element) -> str:
    found = body.find(f"{V}Description")
    return (found.text or "") if found is not None else ""
