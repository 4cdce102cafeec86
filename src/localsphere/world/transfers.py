"""Uploads and downloads of vApp templates (OVF packages) and media (vCD's transfer service).

An upload makes its catalog item at once, with an entity that is not usable yet and a task held
open until every file has arrived. A template's package starts with one file, its descriptor
(``descriptor.ovf``): once it arrives, the files it references join the upload, each with the
size the descriptor gives, and the template takes the VMs it declares. A medium's one file
(``file``) has the size its upload request gave. A file arrives in parts, in order (a part may
repeat what came before it, never leave a gap), and never grows past its size; the task's
progress is the share of bytes arrived. Files lie in the data directory, named by their ids.

A download is enabled on a usable entity: it gets a transfer of its own, whose files are the
uploaded ones, or for a template never uploaded (the demo world's, a captured one) a descriptor
of its VMs and a stand-in for each disk (``ovf.py``)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from localsphere.world import ovf
from localsphere.world.catalogs import MEDIA, VAPP_TEMPLATE, Catalogs, ItemView, add_item
from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid, NotFound, WrongState
from localsphere.world.org_vdcs import visible
from localsphere.world.schema import Catalog, CatalogItem, OrgVdc, TransferFile
from localsphere.world.storage_policies import check_limits
from localsphere.world.store import Store
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.vapps import Actor

MEDIUM_FILE = "file"  # the name of a medium's one file, as vCD names it
IMAGE_TYPES = ("iso", "floppy")
UNDO = "transfer"  # the kind of this module's undo recipes (``Tasks.on_recipe``)
UNKNOWN_SIZE = -1
PRUNE_BATCH = 500  # file ids looked up at once  # a descriptor's size until it arrives, as vCD lists it
NAME_LENGTH = 128


class RangeGap(Invalid):
    """A part that starts past the bytes that have arrived (HTTP's 416)."""


@dataclass(frozen=True)
class FileView:
    """A file of a transfer: its name, its size in bytes (``UNKNOWN_SIZE`` for a descriptor not
    yet uploaded) and how many of them have arrived."""

    transfer: str
    name: str
    size: int
    received: int


@dataclass(frozen=True)
class Download:
    """What a download's file holds: its bytes, or the path of the file that has them, and its size."""

    size: int
    data: bytes | None = None
    path: Path | None = None


class Transfers:
    def __init__(
        self, store: Store, clock: Clock, tasks: Tasks, catalogs: Catalogs, directory: Path, part_most: int
    ) -> None:
        """``directory``: where the files lie; ``part_most``: the most bytes one part carries."""
        self._store = store
        self._clock = clock
        self._tasks = tasks
        self._catalogs = catalogs
        self._directory = directory
        self.part_most = part_most
        tasks.on_recipe(UNDO, self._undo)

    def upload(
        self,
        actor: Actor,
        catalog_id: str,
        kind: str,
        name: str,
        description: str = "",
        size: int | None = None,
        image_type: str = "iso",
    ) -> tuple[str, str]:
        """A template (``kind`` VAPP_TEMPLATE) or a medium of ``size`` bytes in a catalog, waiting
        for its files; returns (the catalog item's id, the upload task's id). Invalid for a bad
        name, size or image type; Conflict when the catalog has an item of that name; NotFound
        when the catalog is not one the actor sees."""
        if not name or len(name) > NAME_LENGTH:
            raise Invalid("item.name", f"A catalog item's name has 1 to {NAME_LENGTH} characters.", name)
        if kind == MEDIA:
            if image_type not in IMAGE_TYPES:
                raise Invalid("media.image_type", f"A medium's imageType is one of {', '.join(IMAGE_TYPES)}.")
            if size is None or not 0 < size <= ovf.FILE_MOST:
                raise Invalid("media.size", f"A medium's size is 1 to {ovf.FILE_MOST} bytes.")
        with self._store.write() as s:
            now = self._clock.now(s)
            catalog = s.get(Catalog, catalog_id)
            if catalog is None or (actor.viewer is not None and catalog.tenant != actor.viewer):
                raise NotFound("catalog.not_found", f"No catalog with id {catalog_id}.", catalog_id)
            vdc = s.scalars(
                select(OrgVdc.id).where(OrgVdc.tenant == catalog.tenant).order_by(OrgVdc.name).limit(1)
            ).first()
            if vdc is None:
                raise WrongState("vdc.none", "The org has no VDC to store the upload in.", catalog.tenant)
            transfer = str(uuid.uuid4())
            first = (ovf.DESCRIPTOR, UNKNOWN_SIZE) if kind == VAPP_TEMPLATE else (MEDIUM_FILE, size or 0)
            upload = {
                "waiting": "descriptor" if kind == VAPP_TEMPLATE else "files",
                "transfer": transfer,
            }
            extra = {"upload": upload} | ({"image_type": image_type} if kind == MEDIA else {})
            entity_id = add_item(
                s, catalog.id, kind, name, vdc, actor.principal.id, now, description, (), size or 0, extra
            )
            s.add(
                TransferFile(
                    id=str(uuid.uuid4()),
                    transfer=transfer,
                    entity=entity_id,
                    tenant=catalog.tenant,
                    name=first[0],
                    size=first[1],
                    received=0,
                    created_at=now,
                )
            )
            if kind == VAPP_TEMPLATE:
                operation_name, operation = "vdcUploadOvfContents", f"Uploading OVF contents for {name}"
                owner = Owner("vAppTemplate", entity_id, name)
            else:
                operation_name, operation = "vdcUploadMedia", f"Importing Media File {name}({entity_id})"
                owner = Owner("media", entity_id, name)
            undo = {"kind": UNDO, "entity": entity_id}
            started = self._tasks.start(
                s, catalog.tenant, operation_name, operation, owner, actor.principal, undo=undo, reported=True
            )
            _set_upload(s, entity_id, {**upload, "task": started})
            item_id = s.scalars(select(CatalogItem.id).where(CatalogItem.entity_id == entity_id)).one()
            return item_id, started

    def _undo(self, s: Session, recipe: dict[str, object]) -> None:
        """A cancelled upload: its catalog item and files gone."""
        entity = str(recipe["entity"])
        ids = list(s.scalars(select(TransferFile.id).where(TransferFile.entity == entity)))
        s.execute(delete(TransferFile).where(TransferFile.entity == entity))
        s.execute(delete(CatalogItem).where(CatalogItem.entity_id == entity))
        for file_id in ids:
            self._path(file_id).unlink(missing_ok=True)

    def prune(self) -> int:
        """Delete the files in the directory that no transfer names any more (after a reset or a
        load replaced the world); returns how many."""
        if not self._directory.is_dir():
            return 0
        names = [p.name for p in self._directory.iterdir()]
        kept: set[str] = set()
        with self._store.query() as conn:
            for start in range(0, len(names), PRUNE_BATCH):
                batch = names[start : start + PRUNE_BATCH]
                kept.update(conn.execute(select(TransferFile.id).where(TransferFile.id.in_(batch))).scalars())
        gone = [name for name in names if name not in kept]
        for name in gone:
            self._path(name).unlink(missing_ok=True)
        return len(gone)

    def files(self, transfer: str) -> list[FileView]:
        """A transfer's files: the descriptor first, then by name."""
        with self._store.query() as conn:
            rows = conn.execute(
                select(TransferFile.transfer, TransferFile.name, TransferFile.size, TransferFile.received)
                .where(TransferFile.transfer == transfer)
                .order_by(TransferFile.name != ovf.DESCRIPTOR, TransferFile.name)
                .limit(ovf.FILES_MOST + 1)
            )
            return [FileView(*row) for row in rows]

    def put(self, actor: Actor, transfer: str, name: str, first: int, total: int | None, data: bytes) -> None:
        """A part of an upload's file: ``data`` from byte ``first`` on, of a file of ``total``
        bytes (None: not said). A descriptor arrives whole. NotFound when the transfer has no
        such file the actor sees; Invalid when ``total`` is not the file's size, the part runs
        past it, or the descriptor is not a valid OVF one; RangeGap when the part leaves a gap;
        WrongState when the file is complete already."""
        with self._store.write() as s:
            row = s.scalars(
                select(TransferFile)
                .where(
                    TransferFile.transfer == transfer,
                    TransferFile.name == name,
                    visible(TransferFile.tenant, actor.viewer),
                )
                .with_for_update()
            ).first()
            item = self._upload_item(s, row)
            if row is None or item is None:
                raise NotFound("transfer.not_found", f"No file {name} to upload here.", name)
            if row.size != UNKNOWN_SIZE and row.received >= row.size:
                raise WrongState("transfer.complete", f"File {name} has been uploaded already.", name)
            if row.name == ovf.DESCRIPTOR and row.size == UNKNOWN_SIZE:
                if first != 0 or (total is not None and total != len(data)):
                    raise Invalid("transfer.descriptor", "An OVF descriptor is uploaded whole, in one part.")
                self._descriptor(s, row, item, data)
            else:
                if total is not None and total != row.size:
                    raise Invalid("transfer.size", f"File {name} has {row.size} bytes, not {total}.", name)
                if first > row.received:
                    raise RangeGap(
                        "transfer.gap",
                        f"File {name} has {row.received} bytes so far; a part cannot start at byte {first}.",
                        name,
                    )
                if first + len(data) > row.size:
                    raise Invalid(
                        "transfer.size",
                        f"File {name} has {row.size} bytes; this part runs to byte {first + len(data)}.",
                        name,
                    )
                self._write(row.id, first, data)
                row.received = max(row.received, first + len(data))
            s.flush()
            self._progress(s, item)

    def _upload_item(self, s: Session, row: TransferFile | None) -> CatalogItem | None:
        """The catalog item whose upload ``row`` belongs to; None when it is gone or done."""
        if row is None:
            return None
        item = s.scalars(
            select(CatalogItem).where(CatalogItem.entity_id == row.entity).with_for_update()
        ).first()
        if item is None or json.loads(item.spec or "{}").get("upload", {}).get("transfer") != row.transfer:
            return None
        return item

    def _descriptor(self, s: Session, row: TransferFile, item: CatalogItem, data: bytes) -> None:
        """The descriptor arrived: its files join the upload, its VMs make the template's."""
        package = ovf.read(data)
        self._write(row.id, 0, data)
        row.size = row.received = len(data)
        now = self._clock.now(s)
        for file in package.files:
            s.add(
                TransferFile(
                    id=str(uuid.uuid4()),
                    transfer=row.transfer,
                    entity=row.entity,
                    tenant=row.tenant,
                    name=file.name,
                    size=file.size,
                    received=0,
                    created_at=now,
                )
            )
        spec = json.loads(item.spec or "{}")
        spec["vms"] = [
            {k: getattr(vm, k) for k in ("name", "cpus", "memory_mb", "disk_mb", "guest_os")}
            for vm in package.vms
        ]
        spec["upload"]["waiting"] = "files"
        item.spec = json.dumps(spec)
        item.size_bytes = sum(f.size for f in package.files) or sum(vm.disk_mb for vm in package.vms) << 20
        if item.vdc:
            check_limits(s, item.vdc)  # the template's storage policy holds it

    def _progress(self, s: Session, item: CatalogItem) -> None:
        """The upload's task: its share of bytes arrived; ended, and the entity usable, once
        every file is complete."""
        spec = json.loads(item.spec or "{}")
        upload = spec["upload"]
        if upload.get("waiting") == "descriptor":
            return
        size, received = s.execute(
            select(
                func.coalesce(func.sum(TransferFile.size), 0),
                func.coalesce(func.sum(TransferFile.received), 0),
            ).where(TransferFile.transfer == upload["transfer"], TransferFile.name != ovf.DESCRIPTOR)
        ).one()
        if received < size:
            self._tasks.report(s, upload["task"], int(100 * received / size))
            return
        upload["waiting"] = None
        item.spec = json.dumps(spec)
        self._tasks.finish(s, upload["task"])

    def _write(self, file_id: str, offset: int, data: bytes) -> None:
        path = self._path(file_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "r+b" if path.exists() else "wb") as out:
            out.seek(offset)
            out.write(data)

    def _path(self, file_id: str) -> Path:
        return self._directory / file_id

    def enable_download(self, actor: Actor, entity_id: str, kind: str) -> str:
        """Let a usable template or medium be downloaded: a transfer of its own, kept until
        ``disable_download``; returns the task's id. WrongState while it is uploading, or for a
        medium never uploaded (there are no bytes to give)."""
        item = self._catalogs.entity(entity_id, kind, actor.viewer)
        item.check_usable()
        with self._store.write() as s:
            now = self._clock.now(s)
            row = s.scalars(
                select(CatalogItem).where(CatalogItem.entity_id == entity_id).with_for_update()
            ).one()
            spec = json.loads(row.spec or "{}")
            if spec.get("download") is None:
                files = self._sources(s, item)
                if not files:
                    raise WrongState(
                        "media.no_content", f'The medium "{item.name}" has no content to download.'
                    )
                token = str(uuid.uuid4())
                for name, size in files.items():
                    s.add(
                        TransferFile(
                            id=str(uuid.uuid4()),
                            transfer=token,
                            entity=entity_id,
                            tenant=item.tenant,
                            name=name,
                            size=size,
                            received=size,
                            created_at=now,
                        )
                    )
                spec["download"] = token
                row.spec = json.dumps(spec)
            words = "vApp Template" if kind == VAPP_TEMPLATE else "Media"
            owner = Owner("vAppTemplate" if kind == VAPP_TEMPLATE else "media", entity_id, item.name)
            return self._tasks.start(
                s,
                item.tenant,
                "vdcEnableDownload",
                f"Enabling download of {words} {item.name}({entity_id})",
                owner,
                actor.principal,
            )

    def disable_download(self, actor: Actor, entity_id: str, kind: str) -> None:
        """End a template's or medium's download transfer (nothing when there is none)."""
        self._catalogs.entity(entity_id, kind, actor.viewer)
        with self._store.write() as s:
            row = s.scalars(
                select(CatalogItem).where(CatalogItem.entity_id == entity_id).with_for_update()
            ).one()
            spec = json.loads(row.spec or "{}")
            token = spec.pop("download", None)
            if token is not None:
                s.execute(delete(TransferFile).where(TransferFile.transfer == token))
                row.spec = json.dumps(spec)

    def _sources(self, s: Session, item: ItemView) -> dict[str, int]:
        """A download's files and their sizes: the uploaded ones, else (a template) made up."""
        if item.uploaded:
            rows = s.execute(
                select(TransferFile.name, TransferFile.size).where(TransferFile.transfer == item.transfer)
            )
            return {row.name: row.size for row in rows}
        if item.kind == MEDIA:
            return {}
        made = {ovf.DESCRIPTOR: len(ovf.descriptor(item.name, item.vms))}
        return made | {ovf.disk_file(vm): len(ovf.stand_in_disk(vm)) for vm in item.vms}

    def download(self, viewer: str | None, transfer: str, name: str) -> Download:
        """A file of an enabled download; NotFound when there is none the viewer sees."""
        with self._store.query() as conn:
            row = conn.execute(
                select(TransferFile.entity, TransferFile.size).where(
                    TransferFile.transfer == transfer,
                    TransferFile.name == name,
                    TransferFile.received == TransferFile.size,
                    visible(TransferFile.tenant, viewer),
                )
            ).first()
        item = self._downloadable(row.entity, viewer, transfer) if row is not None else None
        if row is None or item is None:
            raise NotFound("transfer.not_found", f"No file {name} to download here.", name)
        if item.uploaded:
            with self._store.query() as conn:
                file_id = conn.execute(
                    select(TransferFile.id).where(
                        TransferFile.transfer == item.transfer, TransferFile.name == name
                    )
                ).scalar()
            path = self._path(file_id or "")
            if file_id is None or not path.exists():  # the bytes went with a world restored from a snapshot
                raise NotFound("transfer.gone", f"The bytes of file {name} are no longer here.", name)
            return Download(row.size, path=path)
        if name == ovf.DESCRIPTOR:
            data = ovf.descriptor(item.name, item.vms)
        else:
            data = next(ovf.stand_in_disk(vm) for vm in item.vms if ovf.disk_file(vm) == name)
        return Download(len(data), data=data)

    def _downloadable(self, entity_id: str, viewer: str | None, transfer: str) -> ItemView | None:
        for kind in (VAPP_TEMPLATE, MEDIA):
            try:
                item = self._catalogs.entity(entity_id, kind, viewer)
            except NotFound:
                continue
            return item if item.download == transfer else None
        return None


def _set_upload(s: Session, entity_id: str, upload: dict[str, object]) -> None:
    row = s.scalars(select(CatalogItem).where(CatalogItem.entity_id == entity_id)).one()
    spec = json.loads(row.spec or "{}")
    spec["upload"] = upload
    row.spec = json.dumps(spec)
