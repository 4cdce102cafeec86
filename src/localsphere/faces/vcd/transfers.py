"""Uploads and downloads through the vCloud API (docs/research/vcd-transfers.md): a catalog's
``POST /api/catalog/{id}/action/upload`` of an ``UploadVAppTemplateParams`` (an OVF package) or a
``Media`` answers the new ``CatalogItem``; its entity lists the files to send in ``Files``, each
with an ``upload:default`` link into the transfer service (``PUT /transfer/{transfer}/{name}``,
a whole file or parts with ``Content-Range: bytes first-last/total``, as pyvcloud sends them).
``POST .../action/enableDownload`` of a usable template or medium opens a download
(``GET /transfer/{transfer}/{name}``: a template's ``download:default`` link names its
descriptor, its files lie beside it); ``.../action/disableDownload`` closes it.

The transfer service's requests carry the session, but no API version (pyvcloud sends none)."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from localsphere.faces.http import InputError, Runner, read_body
from localsphere.faces.vcd.errors import error_response
from localsphere.faces.vcd.hrefs import VCLOUD_TYPE, Hrefs, media_type
from localsphere.faces.vcd.metadata import METADATA_TYPE
from localsphere.faces.vcd.model import VCLOUD
from localsphere.faces.vcd.tasks import TaskViews, task
from localsphere.faces.vcd.types import CatalogItem, File, FilesList, Link, TasksInProgress
from localsphere.faces.vcd.versions import NEWEST
from localsphere.faces.vcd.wire import Asked, asked, base, read_xml, vcd_time, whole, xml
from localsphere.world import World
from localsphere.world.catalogs import MEDIA, VAPP_TEMPLATE, ItemView
from localsphere.world.errors import NotFound
from localsphere.world.org_roles import CAPTURE, VIEW_CATALOGS
from localsphere.world.ovf import DESCRIPTOR
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.transfers import FileView, RangeGap

UPLOAD_PARAMS = f"{VCLOUD_TYPE}.uploadVAppTemplateParams+xml"
V = f"{{{VCLOUD}}}"
CONTENT_RANGE = re.compile(r"bytes (\d{1,18})-(\d{1,18})/(\d{1,18}|\*)")


def transfer_href(hrefs: Hrefs, transfer: str, name: str) -> str:
    return f"{hrefs.base}/transfer/{transfer}/{quote(name)}"


def files_list(hrefs: Hrefs, files: list[FileView], rel: str) -> FilesList:
    """A transfer's ``Files``, each with its ``rel`` link (``upload:default``, ``download:default``)."""
    return FilesList(
        [
            File(
                name=f.name,
                size=f.size,
                bytes_transferred=f.received,
                links=[Link(rel, transfer_href(hrefs, f.transfer, f.name))],
            )
            for f in files
        ]
    )


def download_links(hrefs: Hrefs, item: ItemView, href: str) -> list[Link]:
    """The links of a usable template or medium to its download: ``enable`` it, then (a
    template) its descriptor's ``download:default`` and ``disable``."""
    if item.waiting is not None:
        return []
    if item.download is None:
        return [Link("enable", f"{href}/action/enableDownload")]
    links = [Link("disable", f"{href}/action/disableDownload")]
    if item.kind == VAPP_TEMPLATE:
        links.append(Link("download:default", transfer_href(hrefs, item.download, DESCRIPTOR), "text/xml"))
    return links


async def transfer_state(
    world: World, runner: Runner, a: Asked, item: ItemView
) -> tuple[FilesList | None, TasksInProgress | None]:
    """What a template or medium shows of its transfers: the files of its upload while it runs
    (with their ``upload:default`` links), else a medium's enabled download's; and the upload's
    task while it runs."""
    if item.waiting is not None and item.transfer is not None:
        transfer, rel = item.transfer, "upload:default"
    elif item.kind == MEDIA and item.download is not None:
        transfer, rel = item.download, "download:default"
    else:
        return None, None
    files = await runner.read(world.transfers.files, transfer)
    running = None
    if item.waiting is not None and item.task is not None:
        running = TasksInProgress([task(a.hrefs, await runner.read(world.tasks.get, item.task, None))])
    return files_list(a.hrefs, files, rel), running


class TransferViews:
    def __init__(self, world: World, runner: Runner, tasks: TaskViews, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.tasks = tasks
        self.max_body = max_body

    async def upload(self, request: Request, caller: TenantCaller) -> Response:
        """``UploadVAppTemplateParams`` (a template) or ``Media`` (a medium of ``size`` bytes,
        ``imageType`` iso or floppy): 201 and the new catalog item."""
        a = asked(request, caller)
        a.require(CAPTURE)
        body = await read_xml(request, self.max_body)
        if body is None or body.tag not in (f"{V}UploadVAppTemplateParams", f"{V}Media"):
            raise InputError(
                "value", f"The body must be UploadVAppTemplateParams or Media of namespace {VCLOUD}."
            )
        description = body.findtext(f"{V}Description") or ""
        name = body.get("name") or ""
        if body.tag == f"{V}Media":
            size = whole(body.get("size") or "", "The size of a medium")
            kind_args = (MEDIA, name, description, size, (body.get("imageType") or "").lower())
        else:
            kind_args = (VAPP_TEMPLATE, name, description)
        item_id, _ = await self.runner.call(
            self.world.transfers.upload, a.actor, request.path_params["catalog"], *kind_args
        )
        item = await self.runner.read(self.world.catalogs.item, item_id, a.viewer)
        return xml(catalog_item(a, item), a.version, media_type("catalogItem"), 201)

    async def put(self, request: Request, caller: TenantCaller) -> Response:
        """A file, or a part of one (``Content-Range``), of an upload: 200 and no body."""
        a = _asked(request, caller)
        data = await read_body(request, self.world.transfers.part_most)
        first, total = 0, None
        given = request.headers.get("content-range")
        if given:
            found = CONTENT_RANGE.fullmatch(given.strip())
            if found is None or int(found[2]) - int(found[1]) + 1 != len(data):
                raise InputError(
                    "value", "Content-Range must be bytes FIRST-LAST/TOTAL and match the body's length."
                )
            first, total = int(found[1]), None if found[3] == "*" else int(found[3])
        transfer, name = request.path_params["transfer"], request.path_params["name"]
        try:
            await self.runner.call(self.world.transfers.put, a.actor, transfer, name, first, total, data)
        except RangeGap as gap:
            return error_response(request, 416, gap.message, "REQUESTED_RANGE_NOT_SATISFIABLE")
        return Response(status_code=200)

    async def get(self, request: Request, caller: TenantCaller) -> Response:
        """A file of an enabled download: a template's descriptor (``text/xml``) or one of its
        files, or a medium's."""
        a = _asked(request, caller)
        a.require(VIEW_CATALOGS)
        name = request.path_params["name"]
        found = await self.runner.read(
            self.world.transfers.download, a.viewer, request.path_params["transfer"], name
        )
        kind = "text/xml" if name == DESCRIPTOR else "application/octet-stream"
        if found.path is not None:
            return FileResponse(found.path, media_type=kind)
        return Response(found.data, media_type=kind)

    async def enable_download(self, request: Request, caller: TenantCaller) -> Response:
        """202 and the task that makes the template or medium downloadable."""
        a = asked(request, caller)
        a.require(VIEW_CATALOGS)
        kind, entity = _entity(request)
        task_id = await self.runner.call(self.world.transfers.enable_download, a.actor, entity, kind)
        return await self.tasks.answer(a, task_id)

    async def disable_download(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(VIEW_CATALOGS)
        kind, entity = _entity(request)
        await self.runner.call(self.world.transfers.disable_download, a.actor, entity, kind)
        return Response(status_code=204)


def catalog_item(a: Asked, item: ItemView) -> CatalogItem:
    """A catalog item: its entry and a reference to its template or medium."""
    h = a.hrefs
    kind = "vAppTemplate" if item.kind == VAPP_TEMPLATE else "media"
    return CatalogItem(
        **h.identity("catalogItem", item.id, item.name),
        size=item.size_bytes,
        links=[
            Link("up", h.of("catalog", item.catalog), media_type("catalog")),
            Link("down", f"{h.of('catalogItem', item.id)}/metadata", METADATA_TYPE),
        ],
        description=item.description,
        entity=h.reference(kind, item.entity_id, item.name),
        date_created=vcd_time(item.created_at),
        version_number=1,
    )


def _asked(request: Request, caller: TenantCaller) -> Asked:
    """A transfer request as the face reads it: it names no version."""
    return Asked(NEWEST, Hrefs(base(request)), caller)


def _entity(request: Request) -> tuple[str, str]:
    """The world's kind and the id of the template or medium a path names."""
    if "template" in request.path_params:
        wanted = request.path_params["template"]
        if not wanted.startswith("vappTemplate-"):
            raise NotFound("vapptemplate.not_found", f"No vApp template {wanted}.", wanted)
        return VAPP_TEMPLATE, wanted[len("vappTemplate-") :]
    return MEDIA, request.path_params["media"]
