"""Independent disks through the vCloud API (docs/research/vcd-transfers.md): a VDC's
``POST /api/vdc/{id}/disk`` of ``DiskCreateParams`` (201, the Disk and its task), ``GET``,
``PUT`` (a ``Disk``: name, size, description, iops; 202) and ``DELETE`` (202) of
``/api/disk/{id}``, the VMs it is attached to (``GET /api/disk/{id}/attachedVms``), and a VM's
``POST /api/vApp/vm-{id}/disk/action/attach`` and ``.../detach`` of ``DiskAttachOrDetachParams``
(202). A disk's size is ``size`` in bytes, or API 33's ``sizeMb`` as pyvcloud sends it there."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.vcd.hrefs import VCLOUD_TYPE, media_type, object_id
from localsphere.faces.vcd.metadata import METADATA_TYPE
from localsphere.faces.vcd.model import VCLOUD
from localsphere.faces.vcd.objects import owner
from localsphere.faces.vcd.tasks import TaskViews, task
from localsphere.faces.vcd.types import Link, Owner, TasksInProgress
from localsphere.faces.vcd.types_disks import DiskEntity, Vms
from localsphere.faces.vcd.wire import Asked, asked, read_xml, whole, xml
from localsphere.world import World
from localsphere.world.disks import DiskChange, DiskView
from localsphere.world.errors import NotFound
from localsphere.world.org_roles import CREATE_VAPP
from localsphere.world.tenant_roles import TenantCaller

V = f"{{{VCLOUD}}}"
DISK_CREATE = f"{VCLOUD_TYPE}.diskCreateParams+xml"
DISK_ATTACH = f"{VCLOUD_TYPE}.diskAttachOrDetachParams+xml"
VMS_TYPE = f"{VCLOUD_TYPE}.vms+xml"
OWNER_TYPE = f"{VCLOUD_TYPE}.owner+xml"
STATUS_READY = 1
MB = 1 << 20


def disk_element(a: Asked, disk: DiskView, tasks: TasksInProgress | None = None) -> DiskEntity:
    h = a.hrefs
    href = h.of("disk", disk.id)
    return DiskEntity(
        **h.identity("disk", disk.id, disk.name),
        status=STATUS_READY,
        size=disk.size_bytes,
        iops=disk.iops,
        bus_type=disk.bus_type,
        bus_sub_type=disk.bus_sub_type,
        links=[
            Link("up", h.of("vdc", disk.vdc), media_type("vdc")),
            Link("edit", href, media_type("disk")),
            Link("remove", href),
            Link("down", f"{href}/attachedVms", VMS_TYPE),
            Link("down", f"{href}/owner", OWNER_TYPE),
            Link("down", f"{href}/metadata", METADATA_TYPE),
        ],
        description=disk.description,
        tasks=tasks,
        storage_profile=h.reference("storageProfile", *disk.storage_profile),
        owner=owner(h, disk.owner_id, disk.owner_name),
    )


def _profile(disk: ET.Element) -> str | None:
    """The VDC storage policy a new ``Disk``'s ``StorageProfile`` names, by id (None: the default)."""
    found = disk.find(f"{V}StorageProfile")
    return object_id(found.get("href", "")) if found is not None and found.get("href") else None


def vm_disk_links(href: str) -> list[Link]:
    """A VM's links to attach and detach independent disks."""
    return [
        Link("disk:attach", f"{href}/disk/action/attach", DISK_ATTACH),
        Link("disk:detach", f"{href}/disk/action/detach", DISK_ATTACH),
    ]


class DiskViews:
    def __init__(self, world: World, runner: Runner, tasks: TaskViews, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.tasks = tasks
        self.max_body = max_body

    async def create(self, request: Request, caller: TenantCaller) -> Response:
        """``DiskCreateParams``: 201, the new Disk with its task."""
        a = asked(request, caller)
        a.require(CREATE_VAPP)
        body = await read_xml(request, self.max_body)
        if body is None or body.tag != f"{V}DiskCreateParams" or body.find(f"{V}Disk") is None:
            raise InputError(
                "value", f"The body must be a DiskCreateParams with a Disk, of namespace {VCLOUD}."
            )
        disk = body.find(f"{V}Disk")
        assert disk is not None
        size = _size(disk)
        if size is None:
            raise InputError("value", "A new disk needs its size (size in bytes, or sizeMb).")
        disk_id, task_id = await self.runner.call(
            self.world.disks.create,
            a.actor,
            request.path_params["vdc"],
            disk.get("name") or "",
            size,
            disk.findtext(f"{V}Description") or "",
            disk.get("busType"),
            disk.get("busSubType"),
            _whole(disk.get("iops"), "iops"),
            _profile(disk),
        )
        view = await self.runner.read(self.world.disks.get, disk_id, a.viewer)
        running = await self.runner.read(self.world.tasks.get, task_id, None)
        answer = disk_element(a, view, TasksInProgress([task(a.hrefs, running)]))
        return xml(answer, a.version, media_type("disk"), 201)

    async def get(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        view = await self.runner.read(self.world.disks.get, request.path_params["disk"], a.viewer)
        return xml(disk_element(a, view), a.version, media_type("disk"))

    async def update(self, request: Request, caller: TenantCaller) -> Response:
        """A ``Disk`` with what changes (name, size or sizeMb, Description, iops): 202, its task."""
        a = asked(request, caller)
        a.require(CREATE_VAPP)
        body = await read_xml(request, self.max_body)
        if body is None or body.tag != f"{V}Disk":
            raise InputError("value", f"The body must be a Disk of namespace {VCLOUD}.")
        change = DiskChange(
            body.get("name"), _size(body), body.findtext(f"{V}Description"), _whole(body.get("iops"), "iops")
        )
        task_id = await self.runner.call(
            self.world.disks.update, a.actor, request.path_params["disk"], change
        )
        return await self.tasks.answer(a, task_id)

    async def delete(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(CREATE_VAPP)
        task_id = await self.runner.call(self.world.disks.delete, a.actor, request.path_params["disk"])
        return await self.tasks.answer(a, task_id)

    async def attached_vms(self, request: Request, caller: TenantCaller) -> Response:
        """The VM the disk is attached to (none: an empty list)."""
        a = asked(request, caller)
        view = await self.runner.read(self.world.disks.get, request.path_params["disk"], a.viewer)
        h = a.hrefs
        href = f"{h.of('disk', view.id)}/attachedVms"
        answer = Vms(
            href=href,
            type=VMS_TYPE,
            links=[Link("up", h.of("disk", view.id), media_type("disk"))],
            vms=[h.reference("vm", view.vm, view.vm_name)] if view.vm else [],
        )
        return xml(answer, a.version, VMS_TYPE)

    async def owner(self, request: Request, caller: TenantCaller) -> Response:
        """A disk's ``Owner``."""
        a = asked(request, caller)
        view = await self.runner.read(self.world.disks.get, request.path_params["disk"], a.viewer)
        found = owner(a.hrefs, view.owner_id, view.owner_name) or Owner(OWNER_TYPE)
        return xml(found, a.version, OWNER_TYPE, tag="Owner")

    async def change_owner(self, request: Request, caller: TenantCaller) -> Response:
        """An ``Owner`` naming a user of the disk's org (its ``User`` href): 204."""
        a = asked(request, caller)
        a.require(CREATE_VAPP)
        body = await read_xml(request, self.max_body)
        user = body.find(f"{V}User") if body is not None and body.tag == f"{V}Owner" else None
        if user is None or not user.get("href"):
            raise InputError("value", "The body must be an Owner naming a User href.")
        user_id = object_id(user.get("href", ""))
        await self.runner.call(self.world.disks.change_owner, a.actor, request.path_params["disk"], user_id)
        return Response(status_code=204)

    async def attach(self, request: Request, caller: TenantCaller) -> Response:
        """``DiskAttachOrDetachParams`` naming a disk: 202, the task that attaches it to the VM
        (``action`` attach) or detaches it (detach)."""
        a = asked(request, caller)
        a.require(CREATE_VAPP)
        entity, action = request.path_params["entity"], request.path_params["action"]
        if not entity.startswith("vm-") or action not in ("attach", "detach"):
            raise NotFound("disk.action", f"No disk operation {action} on {entity}.", entity)
        body = await read_xml(request, self.max_body)
        disk = (
            body.find(f"{V}Disk") if body is not None and body.tag == f"{V}DiskAttachOrDetachParams" else None
        )
        if disk is None or not disk.get("href"):
            raise InputError("value", "The body must be a DiskAttachOrDetachParams naming a Disk href.")
        act = self.world.disks.attach if action == "attach" else self.world.disks.detach
        task_id = await self.runner.call(act, a.actor, object_id(entity), object_id(disk.get("href", "")))
        return await self.tasks.answer(a, task_id)


def _size(disk: ET.Element) -> int | None:
    """A Disk's size in bytes: ``size``, or ``sizeMb`` (API 33 on) in MB."""
    if disk.get("size") is not None:
        return whole(disk.get("size", ""), "size")
    if disk.get("sizeMb") is not None:
        return whole(disk.get("sizeMb", ""), "sizeMb") * MB
    return None


def _whole(text: str | None, name: str) -> int | None:
    return whole(text, name) if text is not None else None
