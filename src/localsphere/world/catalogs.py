"""Catalogs of an org and their items: vApp templates (the VMs a vApp made from one gets) and
media images. A catalog item is the entry; the template or medium it offers is its entity, with
an id of its own (``CatalogItem.entity_id``), as vCloud Director names them apart."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localsphere.world.errors import Conflict, NotFound, WrongState
from localsphere.world.schema import Catalog, CatalogItem, Principal
from localsphere.world.sharing import CATALOG, catalog_in_view, seen, who
from localsphere.world.storage_policies import check_limits, chosen_profile
from localsphere.world.store import Store
from localsphere.world.vapp_leases import start_template_lease

if TYPE_CHECKING:
    from localsphere.world.vapps import Actor

VAPP_TEMPLATE, MEDIA = "VAPP_TEMPLATE", "MEDIA"
ITEMS_MOST = 10_000  # items or catalogs one answer lists: a bound, not a rule of vCD's
GIB = 1 << 30
ENTITY_WORDS = {VAPP_TEMPLATE: "vApp template", MEDIA: "medium"}  # an item's entity, in messages
TEMPLATE_KEYS = ("name", "cpus", "memory_mb", "disk_mb", "guest_os")  # what a template keeps of a VM


@dataclass(frozen=True)
class TemplateVm:
    """One VM of a vApp template: what a vApp made from it gets."""

    name: str
    cpus: int = 1
    memory_mb: int = 1024
    disk_mb: int = 16384
    guest_os: str = "OTHER_LINUX_64"
    # how one instantiation makes it (never a template's own): its guest's host name, and how its
    # NIC gets an address (DHCP, POOL, MANUAL with ``ip``, NONE)
    computer_name: str | None = None
    ip_mode: str = "DHCP"
    ip: str | None = None

    @staticmethod
    def of(spec: dict[str, Any]) -> TemplateVm:
        return TemplateVm(**{k: spec[k] for k in TEMPLATE_KEYS if k in spec})


def template_vm_id(entity_id: str, name: str) -> str:
    """The id of a template's VM (vCD's ``urn:vcloud:vm:<id>`` under ``/api/vAppTemplate/vm-<id>``):
    fixed by the template and the VM's name, which is unique in it."""
    return str(uuid.uuid5(uuid.UUID(entity_id), name))


@dataclass(frozen=True)
class CatalogView:
    id: str
    tenant: str
    name: str
    description: str
    owner_id: str | None
    owner_name: str | None
    published: bool
    created_at: float
    templates: int
    media: int


@dataclass(frozen=True)
class ItemView:
    id: str  # the catalog item's
    entity_id: str  # the template's or medium's
    kind: str  # VAPP_TEMPLATE | MEDIA
    catalog: str
    catalog_name: str
    tenant: str
    vdc: str | None
    name: str
    description: str
    size_bytes: int
    owner_id: str | None
    owner_name: str | None
    created_at: float
    vms: tuple[TemplateVm, ...] = field(default=())  # a template's
    image_type: str = "iso"  # a medium's
    # An upload's (``transfers.py``): what it waits for (``descriptor``, ``files``; None: nothing,
    # the entity is usable), its transfer's id and its task's; whether its files were uploaded
    # (else a download makes them up); the transfer that downloads it, while download is enabled.
    waiting: str | None = None
    transfer: str | None = None
    task: str | None = None
    uploaded: bool = False
    download: str | None = None
    # A template's storage lease (``vapp_leases.py``): seconds (0: never), when it ends, whether it has.
    storage_lease_s: int = 0
    storage_expires_at: float | None = None
    expired: bool = False

    def check_usable(self) -> None:
        """WrongState while its upload has not finished (vCD's template is not ready until then)
        or once its storage lease has ended."""
        if self.expired:
            raise WrongState(
                f"{self.kind.lower()}.expired",
                f'The {ENTITY_WORDS[self.kind]} "{self.name}" has expired: its storage lease has ended.',
                self.name,
            )
        if self.waiting is not None:
            words = ENTITY_WORDS[self.kind]
            raise WrongState(
                f"{self.kind.lower()}.not_ready",
                f'The {words} "{self.name}" is not ready: its upload has not finished.',
                self.name,
            )


_TEMPLATES = (
    select(func.count())
    .where(CatalogItem.catalog == Catalog.id, CatalogItem.kind == VAPP_TEMPLATE)
    .scalar_subquery()
)
_MEDIA = (
    select(func.count()).where(CatalogItem.catalog == Catalog.id, CatalogItem.kind == MEDIA).scalar_subquery()
)
CATALOG_COLUMNS = (
    Catalog.id,
    Catalog.tenant,
    Catalog.name,
    Catalog.description,
    Catalog.owner_id,
    Principal.name,
    Catalog.published,
    Catalog.created_at,
    _TEMPLATES.label("templates"),
    _MEDIA.label("media"),
)
ITEM_COLUMNS = (
    CatalogItem.id,
    CatalogItem.entity_id,
    CatalogItem.kind,
    CatalogItem.catalog,
    Catalog.name,
    CatalogItem.tenant,
    CatalogItem.vdc,
    CatalogItem.name,
    CatalogItem.description,
    CatalogItem.size_bytes,
    CatalogItem.owner_id,
    Principal.name,
    CatalogItem.created_at,
    CatalogItem.storage_lease_s,
    CatalogItem.storage_expires_at,
    CatalogItem.expired,
    CatalogItem.spec,
)


def _catalogs() -> Any:
    return select(*CATALOG_COLUMNS).outerjoin(Principal, Principal.id == Catalog.owner_id)


def _items() -> Any:
    return (
        select(*ITEM_COLUMNS)
        .join(Catalog, Catalog.id == CatalogItem.catalog)
        .outerjoin(Principal, Principal.id == CatalogItem.owner_id)
    )


def _in_view(viewer: str | None) -> Any:
    """SQL: an item (of ``_items()``) of a catalog the org ``viewer`` may see (None: the provider)."""
    return catalog_in_view(Catalog.id, Catalog.tenant, Catalog.published, viewer)


def _item(row: Any) -> ItemView:
    spec = json.loads(row[-1] or "{}")
    upload = spec.get("upload", {})
    state = {
        "waiting": upload.get("waiting"),
        "transfer": upload.get("transfer"),
        "task": upload.get("task"),
        "uploaded": bool(upload),
        "download": spec.get("download"),
        "storage_lease_s": row.storage_lease_s,
        "storage_expires_at": row.storage_expires_at,
        "expired": row.expired,
    }
    if row.kind == VAPP_TEMPLATE:
        return ItemView(*row[:-4], vms=tuple(TemplateVm.of(v) for v in spec.get("vms", ())), **state)
    return ItemView(*row[:-4], image_type=spec.get("image_type", "iso"), **state)


def add_catalog(
    s: Session, tenant: str, name: str, owner_id: str | None, now: float, description: str = ""
) -> str:
    if s.scalars(select(Catalog.id).where(Catalog.tenant == tenant, Catalog.name == name)).first():
        raise Conflict("catalog.exists", f"The org already has a catalog named {name}.", name)
    catalog_id = str(uuid.uuid4())
    s.add(
        Catalog(
            id=catalog_id,
            tenant=tenant,
            name=name,
            description=description,
            owner_id=owner_id,
            published=False,
            created_at=now,
        )
    )
    return catalog_id


def add_item(
    s: Session,
    catalog_id: str,
    kind: str,
    name: str,
    vdc: str | None,
    owner_id: str | None,
    now: float,
    description: str = "",
    vms: tuple[TemplateVm, ...] = (),
    size_bytes: int = 0,
    extra: dict[str, Any] | None = None,
) -> str:
    """A template (with its ``vms``) or medium in a catalog, its spec with ``extra`` (an
    upload's state, a medium's ``image_type``); returns the entity's id."""
    catalog = s.get(Catalog, catalog_id)
    if catalog is None:
        raise NotFound("catalog.not_found", f"No catalog {catalog_id}.", catalog_id)
    if s.scalars(
        select(CatalogItem.id).where(CatalogItem.catalog == catalog_id, CatalogItem.name == name)
    ).first():
        raise Conflict("catalog_item.exists", f"The catalog already has an item named {name}.", name)
    entity_id = str(uuid.uuid4())
    spec: dict[str, Any] = (
        {"vms": [{k: getattr(vm, k) for k in TEMPLATE_KEYS} for vm in vms]}
        if kind == VAPP_TEMPLATE
        else {"image_type": "iso"}
    ) | (extra or {})
    size = size_bytes or sum(vm.disk_mb for vm in vms) * (1 << 20)
    item = CatalogItem(
        id=str(uuid.uuid4()),
        entity_id=entity_id,
        kind=kind,
        catalog=catalog_id,
        tenant=catalog.tenant,
        vdc=vdc,
        name=name,
        description=description,
        size_bytes=size,
        spec=json.dumps(spec),
        owner_id=owner_id,
        created_at=now,
        storage_profile=chosen_profile(s, vdc, None) if vdc else None,
    )
    if kind == VAPP_TEMPLATE:
        start_template_lease(s, item, now)
    s.add(item)
    if vdc:
        check_limits(s, vdc)
    return entity_id


class Catalogs:
    def __init__(self, store: Store) -> None:
        self._store = store

    def of_org(self, tenant: str, actor: Actor | None = None) -> list[CatalogView]:
        """An org's catalogs (those ``actor`` may read, when given), by name."""
        with self._store.query() as conn:
            query = _catalogs().where(Catalog.tenant == tenant).order_by(Catalog.name).limit(ITEMS_MOST)
            if actor is not None:
                viewer = who(conn, actor)
                query = query.where(
                    seen(CATALOG, Catalog.id, Catalog.tenant, Catalog.owner_id, viewer, Catalog.published)
                )
            return [CatalogView(*row) for row in conn.execute(query)]

    def shared_with(self, actor: Actor) -> list[CatalogView]:
        """Other orgs' catalogs ``actor`` may read (shared to its org, or published when it
        administers it), by name; none for the provider, who sees every org's as its own."""
        if actor.viewer is None:
            return []
        with self._store.read() as s:
            viewer = who(s, actor)
            query = (
                _catalogs()
                .where(Catalog.tenant != actor.viewer)
                .where(seen(CATALOG, Catalog.id, Catalog.tenant, Catalog.owner_id, viewer, Catalog.published))
                .order_by(Catalog.name)
                .limit(ITEMS_MOST)
            )
            return [CatalogView(*row) for row in s.execute(query)]

    def get(self, catalog_id: str, viewer: str | None) -> CatalogView:
        """A catalog as ``viewer`` (a tenant, None: the provider) sees it; NotFound otherwise."""
        with self._store.query() as conn:
            row = conn.execute(
                _catalogs().where(
                    Catalog.id == catalog_id,
                    catalog_in_view(Catalog.id, Catalog.tenant, Catalog.published, viewer),
                )
            ).first()
        if row is None:
            raise NotFound("catalog.not_found", f"No catalog with id {catalog_id}.", catalog_id)
        return CatalogView(*row)

    def items(self, catalog_id: str) -> list[ItemView]:
        with self._store.query() as conn:
            query = (
                _items().where(CatalogItem.catalog == catalog_id).order_by(CatalogItem.name).limit(ITEMS_MOST)
            )
            return [_item(row) for row in conn.execute(query)]

    def in_vdc(self, vdc_id: str, most: int) -> list[ItemView]:
        """The templates and media whose storage is in a VDC, by name, at most ``most``."""
        with self._store.query() as conn:
            query = _items().where(CatalogItem.vdc == vdc_id).order_by(CatalogItem.name).limit(most)
            return [_item(row) for row in conn.execute(query)]

    def item(self, item_id: str, viewer: str | None) -> ItemView:
        return self._one(CatalogItem.id == item_id, item_id, viewer, "catalog_item")

    def entity(self, entity_id: str, kind: str, viewer: str | None) -> ItemView:
        """The template or medium ``entity_id`` (of ``kind``), with its catalog entry."""
        found = self._one(CatalogItem.entity_id == entity_id, entity_id, viewer, kind.lower())
        if found.kind != kind:
            words = ENTITY_WORDS[kind]
            raise NotFound(f"{kind.lower()}.not_found", f"No {words} with id {entity_id}.", entity_id)
        return found

    def template_vm(self, vm_id: str, viewer: str | None) -> tuple[ItemView, TemplateVm]:
        """A template's VM by its id (``template_vm_id``), and its template, among the templates
        ``viewer`` sees; NotFound when there is none."""
        with self._store.query() as conn:
            rows = conn.execute(
                _items().where(CatalogItem.kind == VAPP_TEMPLATE, _in_view(viewer)).limit(ITEMS_MOST)
            )
            for row in rows:
                template = _item(row)
                for vm in template.vms:
                    if template_vm_id(template.entity_id, vm.name) == vm_id:
                        return template, vm
        raise NotFound("vm.not_found", f"No template VM with id {vm_id}.", vm_id)

    def _one(self, condition: Any, wanted: str, viewer: str | None, what: str) -> ItemView:
        with self._store.query() as conn:
            row = conn.execute(_items().where(condition, _in_view(viewer))).first()
        if row is None:
            words = ENTITY_WORDS.get(what.upper(), what.replace("_", " "))
            raise NotFound(f"{what}.not_found", f"No {words} with id {wanted}.", wanted)
        return _item(row)
