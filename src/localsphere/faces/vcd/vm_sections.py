"""A VM's configuration sections, read and changed one at a time (``/api/vApp/vm-{id}/...``): the
virtual hardware (``virtualHardwareSection/`` and its ``cpu`` and ``memory`` items), the network
connections, the guest customization and the operating system; and a vApp's lease and network
configuration. A change answers 202 with its Task, as every change of a VM does."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.vcd.hrefs import VCLOUD_TYPE, media_type, object_id
from localsphere.faces.vcd.model import OVF, RASD, VCLOUD, VMW
from localsphere.faces.vcd.ovf_types import Item, OvfProperty, ProductSection, ProductSectionList, Vm
from localsphere.faces.vcd.tasks import TaskViews
from localsphere.faces.vcd.types import Link
from localsphere.faces.vcd.vapps import PRODUCT_SECTIONS, vapp_element, vm_element
from localsphere.faces.vcd.wire import Asked, asked, read_xml, whole, xml
from localsphere.world import World, guest_os
from localsphere.world.errors import NotFound
from localsphere.world.org_roles import CREATE_VAPP, EDIT_CPU, EDIT_MEMORY, EDIT_NETWORK, EDIT_PROPERTIES
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.vapps import NicPlan, VmReconfig

V = f"{{{VCLOUD}}}"
RASD_ITEM = f"{VCLOUD_TYPE}.rasdItem+xml"
# The guest customization flags kept, by their element in GuestCustomizationSection.
CUSTOMIZATION_TAGS = {
    "enabled": "Enabled",
    "change_sid": "ChangeSid",
    "admin_password_enabled": "AdminPasswordEnabled",
    "admin_password_auto": "AdminPasswordAuto",
    "reset_password_required": "ResetPasswordRequired",
}


def _section_type(name: str) -> str:
    return f"{VCLOUD_TYPE}.{name}+xml"


class SectionViews:
    def __init__(self, world: World, runner: Runner, tasks: TaskViews, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.tasks = tasks
        self.max_body = max_body

    async def _vm(self, request: Request, caller: TenantCaller) -> tuple[Asked, Vm]:
        a = asked(request, caller)
        entity = request.path_params["entity"]
        if not entity.startswith("vm-"):
            raise NotFound("vm.not_found", f"No VM {entity}.", entity)
        vm, vapp = await self.runner.read(self.world.vapps.vm, object_id(entity), a.viewer)
        return a, vm_element(a, vm, vapp)

    async def hardware(self, request: Request, caller: TenantCaller) -> Response:
        a, vm = await self._vm(request, caller)
        return xml(
            vm.hardware, a.version, _section_type("virtualHardwareSection"), tag="VirtualHardwareSection"
        )

    async def item(self, request: Request, caller: TenantCaller) -> Response:
        """``virtualHardwareSection/cpu`` or ``/memory``: the one hardware item."""
        a, vm = await self._vm(request, caller)
        return xml(
            _item(vm.hardware.items if vm.hardware else [], request),
            a.version,
            RASD_ITEM,
            tag="Item",
            namespace=VCLOUD,
        )

    async def connections(self, request: Request, caller: TenantCaller) -> Response:
        a, vm = await self._vm(request, caller)
        section = vm.network_connections
        return xml(
            section, a.version, _section_type("networkConnectionSection"), tag="NetworkConnectionSection"
        )

    async def customization(self, request: Request, caller: TenantCaller) -> Response:
        a, vm = await self._vm(request, caller)
        section = vm.guest_customization
        return xml(
            section, a.version, _section_type("guestCustomizationSection"), tag="GuestCustomizationSection"
        )

    async def operating_system(self, request: Request, caller: TenantCaller) -> Response:
        a, vm = await self._vm(request, caller)
        section = vm.operating_system
        return xml(section, a.version, _section_type("operatingSystemSection"), tag="OperatingSystemSection")

    async def product_sections(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        entity = request.path_params["entity"]
        if not entity.startswith("vm-"):
            raise NotFound("vm.not_found", f"No VM {entity}.", entity)
        vm, _ = await self.runner.read(self.world.vapps.vm, object_id(entity), a.viewer)
        properties = [OvfProperty(key, "string", True, value) for key, value in sorted(vm.properties.items())]
        answer = ProductSectionList(
            href=f"{a.hrefs.of('vm', vm.id)}/productSections/",
            type=PRODUCT_SECTIONS,
            links=[Link("up", a.hrefs.of("vm", vm.id), media_type("vm"))],
            sections=[ProductSection(properties=properties)],
        )
        return xml(answer, a.version, PRODUCT_SECTIONS)

    async def change_product_sections(self, request: Request, caller: TenantCaller) -> Response:
        """A ``ProductSectionList``: the VM's properties become those it names."""
        body = await self._body(request, "ProductSectionList")
        properties = {}
        for item in body.iter(f"{{{OVF}}}Property"):
            key = item.get(f"{{{OVF}}}key")
            if not key:
                raise InputError("value", "A Property needs an ovf:key.")
            value = item.get(f"{{{OVF}}}value")
            if value is None:
                value = item.findtext(f"{{{OVF}}}Value") or ""
            properties[key] = value
        return await self._change(request, caller, VmReconfig(properties=properties))

    async def vapp_section(self, request: Request, caller: TenantCaller) -> Response:
        """A vApp's ``leaseSettingsSection/`` or ``networkConfigSection/``."""
        a = asked(request, caller)
        entity = request.path_params["entity"]
        if not entity.startswith("vapp-"):
            raise NotFound("vapp.not_found", f"No vApp {entity}.", entity)
        vapp = vapp_element(a, await self.runner.read(self.world.vapps.get, object_id(entity), a.viewer))
        if request.url.path.rstrip("/").endswith("leaseSettingsSection"):
            return xml(
                vapp.lease, a.version, _section_type("leaseSettingsSection"), tag="LeaseSettingsSection"
            )
        return xml(
            vapp.network_config, a.version, _section_type("networkConfigSection"), tag="NetworkConfigSection"
        )

    async def change_lease(self, request: Request, caller: TenantCaller) -> Response:
        """A ``LeaseSettingsSection`` to a vApp's ``leaseSettingsSection/``: its deployment and
        storage lease (seconds; what it leaves out stays), within its org's longest; 202, the Task."""
        a = asked(request, caller)
        a.require(CREATE_VAPP)
        body = await self._body(request, "LeaseSettingsSection")
        entity = request.path_params["entity"]
        if not entity.startswith("vapp-"):
            raise NotFound("vapp.not_found", f"No vApp {entity}.", entity)
        deployment, storage = (
            whole(found, name) if (found := (body.findtext(f"{{{VCLOUD}}}{name}") or "").strip()) else None
            for name in ("DeploymentLeaseInSeconds", "StorageLeaseInSeconds")
        )
        task_id = await self.runner.call(
            self.world.vapps.change_lease, a.actor, object_id(entity), deployment, storage
        )
        return await self.tasks.answer(a, task_id)

    async def change_item(self, request: Request, caller: TenantCaller) -> Response:
        body = await self._body(request, "Item")
        quantity = whole(body.findtext(f"{{{RASD}}}VirtualQuantity") or "", "rasd:VirtualQuantity")
        if request.url.path.rstrip("/").endswith("cpu"):
            change = VmReconfig(cpus=quantity, cores_per_socket=_cores(body))
        else:
            change = VmReconfig(memory_mb=quantity)
        return await self._change(request, caller, change)

    async def change_hardware(self, request: Request, caller: TenantCaller) -> Response:
        """A whole ``VirtualHardwareSection``: its CPU and memory items are what changes."""
        body = await self._body(request, "VirtualHardwareSection", OVF)
        return await self._change(request, caller, VmReconfig(**_hardware(body)))

    async def change_connections(self, request: Request, caller: TenantCaller) -> Response:
        body = await self._body(request, "NetworkConnectionSection")
        return await self._change(request, caller, VmReconfig(nics=_connections(body)))

    async def change_customization(self, request: Request, caller: TenantCaller) -> Response:
        body = await self._body(request, "GuestCustomizationSection")
        return await self._change(request, caller, VmReconfig(**_customization(body)))

    async def change_operating_system(self, request: Request, caller: TenantCaller) -> Response:
        body = await self._body(request, "OperatingSystemSection", OVF)
        return await self._change(request, caller, VmReconfig(guest_os=_guest(body)))

    async def reconfigure(self, request: Request, caller: TenantCaller) -> Response:
        """A whole ``Vm`` (``.../action/reconfigureVm``, or ``PUT`` on the VM: its ``edit`` link):
        its name and the sections it carries are what changes."""
        body = await self._body(request, "Vm")
        changes: dict[str, Any] = {"name": body.get("name") or None}
        hardware = body.find(f"{{{OVF}}}VirtualHardwareSection")
        if hardware is not None:
            changes.update(_hardware(hardware))
        connections = body.find(f"{V}NetworkConnectionSection")
        if connections is not None:
            changes["nics"] = _connections(connections)
        customization = body.find(f"{V}GuestCustomizationSection")
        if customization is not None:
            changes.update(_customization(customization))
        system = body.find(f"{{{OVF}}}OperatingSystemSection")
        if system is not None:
            changes["guest_os"] = _guest(system)
        return await self._change(request, caller, VmReconfig(**changes))

    async def _body(self, request: Request, tag: str, namespace: str = VCLOUD) -> ET.Element:
        body = await read_xml(request, self.max_body)
        if body is None or body.tag != f"{{{namespace}}}{tag}":
            raise InputError("value", f"The body must be the element {tag} of namespace {namespace}.")
        return body

    async def _change(self, request: Request, caller: TenantCaller, change: VmReconfig) -> Response:
        a = asked(request, caller)
        for given, right in (
            (change.cpus, EDIT_CPU),
            (change.memory_mb, EDIT_MEMORY),
            (change.nics, EDIT_NETWORK),
            (change.cores_per_socket, EDIT_CPU),
            (change.guest_os or change.computer_name or change.properties or change.name, EDIT_PROPERTIES),
            (change.customization, EDIT_PROPERTIES),
        ):
            if given is not None:
                a.require(right)
        entity = request.path_params["entity"]
        if not entity.startswith("vm-"):
            raise NotFound("vm.not_found", f"No VM {entity}.", entity)
        task_id = await self.runner.call(self.world.vapps.reconfigure, a.actor, object_id(entity), change)
        return await self.tasks.answer(a, task_id)


def _item(items: list[Item], request: Request) -> Item:
    kind = 3 if request.url.path.rstrip("/").endswith("cpu") else 4
    return next(item for item in items if item.resource_type == kind)


def _cores(item: ET.Element) -> int | None:
    found = item.findtext(f"{{{VMW}}}CoresPerSocket")
    return whole(found, "vmw:CoresPerSocket") if found and found.strip() else None


def _hardware(section: ET.Element) -> dict[str, Any]:
    """What an ``ovf:VirtualHardwareSection`` changes: its CPU item (and cores per socket) and
    its memory item."""
    found: dict[str, Any] = {}
    for item in section.findall(f"{{{OVF}}}Item"):
        kind = (item.findtext(f"{{{RASD}}}ResourceType") or "").strip()
        quantity = item.findtext(f"{{{RASD}}}VirtualQuantity")
        if kind == "3" and quantity:
            found["cpus"] = whole(quantity, "rasd:VirtualQuantity")
            found["cores_per_socket"] = _cores(item)
        elif kind == "4" and quantity:
            found["memory_mb"] = whole(quantity, "rasd:VirtualQuantity")
    return found


def _connections(section: ET.Element) -> list[NicPlan]:
    """A ``NetworkConnectionSection``'s NICs in index order: network (``none``: not connected),
    address allocation mode and address, adapter type."""
    wanted: list[tuple[int, NicPlan]] = []
    for connection in section.findall(f"{V}NetworkConnection"):
        index = whole(connection.findtext(f"{V}NetworkConnectionIndex") or "", "NetworkConnectionIndex")
        network = connection.get("network") or "none"
        connected = (connection.findtext(f"{V}IsConnected") or "true").strip().lower() == "true"
        mode = (connection.findtext(f"{V}IpAddressAllocationMode") or "DHCP").strip()
        ip = (connection.findtext(f"{V}IpAddress") or "").strip() or None
        adapter = (connection.findtext(f"{V}NetworkAdapterType") or "VMXNET3").strip()
        on = network if network.lower() != "none" else None
        wanted.append((index, NicPlan(on, mode, ip, adapter, connected)))
    return [plan for _, plan in sorted(wanted, key=lambda w: w[0])]


def _customization(section: ET.Element) -> dict[str, Any]:
    """A ``GuestCustomizationSection``'s computer name and flags (an admin password is taken as
    set, and never kept or shown)."""
    flags = {
        key: (section.findtext(f"{V}{tag}") or "").strip().lower() == "true"
        for key, tag in CUSTOMIZATION_TAGS.items()
        if section.find(f"{V}{tag}") is not None
    }
    name = (section.findtext(f"{V}ComputerName") or "").strip()
    return {"computer_name": name or None, "customization": flags or None}


def _guest(section: ET.Element) -> str:
    guest = section.get(f"{{{VMW}}}osType")
    if not guest:
        raise InputError("value", "OperatingSystemSection needs a vmw:osType.")
    return guest_os.of_guest_id(guest) or guest
