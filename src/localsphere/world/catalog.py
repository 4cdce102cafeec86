"""vRA's service catalog: services, catalog items (published blueprints of three kinds) and
entitlements that let a business group's users request items (each under an approval policy, or
none) and run resource actions. Names are unique in a tenant, in any case.

A blueprint's kind says where its machines go: ``vsphere`` (a VM of the vCenter inventory),
``vcloud`` (a vApp of an org VDC, from the blueprint's vApp template) and ``amazon`` (an
instance of the simulated EC2 endpoint, of one of the blueprint's instance types). Its ranges
bound a request: CPUs, memory in MB, storage in GB; ``lease_days`` is the longest lease.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from localsphere.world import identity, odata
from localsphere.world.approvals import tenant_policy
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.schema import (
    BusinessGroup,
    VraCatalogItem,
    VraEntitledItem,
    VraEntitlement,
    VraService,
)
from localsphere.world.store import Store

VSPHERE, VCLOUD, AMAZON = "vsphere", "vcloud", "amazon"
KINDS = (VSPHERE, VCLOUD, AMAZON)
PUBLISHED, ACTIVE = "PUBLISHED", "ACTIVE"
# An entitlement's states (vRA 7's API reference; 6.2's guide shows ACTIVE alone): only an ACTIVE
# one entitles its business group.
ENTITLEMENT_STATES = ("ACTIVE", "INACTIVE", "DRAFT")
NAME_LENGTH = 255
# Amazon's instance types the simulated endpoint offers: (vCPUs, memory in MB).
INSTANCE_TYPES = {
    "t2.micro": (1, 1024),
    "t2.small": (1, 2048),
    "t2.medium": (2, 4096),
    "m4.large": (2, 8192),
    "m4.xlarge": (4, 16384),
}


@dataclass(frozen=True)
class Range:
    least: int
    most: int
    default: int


@dataclass(frozen=True)
class ItemView:
    """A catalog item and the blueprint it publishes."""

    id: str
    tenant: str
    service_id: str
    service_name: str
    name: str
    description: str
    kind: str
    status: str
    blueprint_id: str
    cpus: Range
    memory_mb: Range
    storage_gb: Range
    lease_days: int
    created_at: float
    updated_at: float
    reservation_policy_id: str | None = None
    template_id: str | None = None  # vcloud: the vApp template's entity id
    ami: str | None = None  # amazon
    instance_types: tuple[str, ...] = ()  # amazon
    machine_prefix: str = "vra-"
    # the business groups (id, name) whose users may request it, for a consumer's view
    organizations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ItemSpec:
    name: str
    kind: str
    blueprint_id: str
    cpus: Range
    memory_mb: Range
    storage_gb: Range
    lease_days: int
    description: str = ""
    reservation_policy_id: str | None = None
    template_id: str | None = None
    ami: str | None = None
    instance_types: tuple[str, ...] = ()
    machine_prefix: str = "vra-"


@dataclass(frozen=True)
class ServiceView:
    id: str
    tenant: str
    name: str
    description: str
    status: str
    created_at: float


@dataclass(frozen=True)
class EntitlementSpec:
    """A new entitlement: its business group, (catalog item id, approval policy id or None) and
    (resource action binding id, approval policy id or None) pairs."""

    name: str
    description: str
    status: str  # one of ENTITLEMENT_STATES
    subtenant_id: str
    items: list[tuple[str, str | None]]
    actions: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class EntitlementView:
    id: str
    tenant: str
    name: str
    description: str
    status: str
    subtenant_id: str
    subtenant_name: str
    created_at: float
    # (catalog item id, its name, approval policy id or None)
    items: tuple[tuple[str, str, str | None], ...] = field(default=())
    # (resource action binding id, approval policy id or None)
    actions: tuple[tuple[str, str | None], ...] = ()


SERVICE_FIELDS: odata.Fields = {
    "id": VraService.id,
    "name": VraService.name,
    "description": VraService.description,
    "status": VraService.status,
    "lastUpdatedDate": odata.epoch_seconds(VraService.created_at),
}
ITEM_FIELDS: odata.Fields = {
    "id": VraCatalogItem.id,
    "name": VraCatalogItem.name,
    "description": VraCatalogItem.description,
    "status": VraCatalogItem.status,
    "service/id": VraService.id,
    "service/name": VraService.name,
    "catalogItemType/id": VraCatalogItem.kind,
    "dateCreated": odata.epoch_seconds(VraCatalogItem.created_at),
    "lastUpdatedDate": odata.epoch_seconds(VraCatalogItem.updated_at),
}
ENTITLEMENT_FIELDS: odata.Fields = {
    "id": VraEntitlement.id,
    "name": VraEntitlement.name,
    "description": VraEntitlement.description,
    "status": VraEntitlement.status,
    "organization/subTenant/id": BusinessGroup.id,
    "organization/subTenant/name": BusinessGroup.name,
    "lastUpdatedDate": odata.epoch_seconds(VraEntitlement.created_at),
}
_ITEM_COLUMNS = (
    VraCatalogItem.id,
    VraCatalogItem.tenant,
    VraCatalogItem.service_id,
    VraService.name,
    VraCatalogItem.name,
    VraCatalogItem.description,
    VraCatalogItem.kind,
    VraCatalogItem.status,
    VraCatalogItem.blueprint_id,
    VraCatalogItem.cpu_min,
    VraCatalogItem.cpu_max,
    VraCatalogItem.cpu_default,
    VraCatalogItem.memory_min,
    VraCatalogItem.memory_max,
    VraCatalogItem.memory_default,
    VraCatalogItem.storage_min,
    VraCatalogItem.storage_max,
    VraCatalogItem.storage_default,
    VraCatalogItem.lease_days,
    VraCatalogItem.created_at,
    VraCatalogItem.updated_at,
    VraCatalogItem.spec,
)
_ITEMS = select(*_ITEM_COLUMNS).join(VraService, VraService.id == VraCatalogItem.service_id)
_ENTITLEMENTS = select(
    VraEntitlement.id,
    VraEntitlement.tenant,
    VraEntitlement.name,
    VraEntitlement.description,
    VraEntitlement.status,
    VraEntitlement.subtenant_id,
    BusinessGroup.name,
    VraEntitlement.created_at,
).join(BusinessGroup, BusinessGroup.id == VraEntitlement.subtenant_id)


def _item(row: Any) -> ItemView:
    spec = json.loads(row.spec or "{}")
    return ItemView(
        *row[:9],
        Range(row.cpu_min, row.cpu_max, row.cpu_default),
        Range(row.memory_min, row.memory_max, row.memory_default),
        Range(row.storage_min, row.storage_max, row.storage_default),
        row.lease_days,
        row.created_at,
        row.updated_at,
        spec.get("reservation_policy_id"),
        spec.get("template_id"),
        spec.get("ami"),
        tuple(spec.get("instance_types", ())),
        spec.get("machine_prefix", "vra-"),
    )


def _service(row: Any) -> ServiceView:
    return ServiceView(*row)


def entitled_to(groups: frozenset[str]) -> Any:
    """SQL: the catalog item is granted, by an active entitlement, to one of ``groups``."""
    return (
        select(VraEntitledItem.item_id)
        .join(VraEntitlement, VraEntitlement.id == VraEntitledItem.entitlement_id)
        .where(
            VraEntitledItem.item_id == VraCatalogItem.id,
            VraEntitlement.subtenant_id.in_(sorted(groups)),
            VraEntitlement.status == ACTIVE,
        )
        .exists()
    )


def item_row(db: Any, tenant: str, item_id: str) -> ItemView:
    """A catalog item of ``tenant`` (a Session or Connection); NotFound when there is none."""
    row = db.execute(_ITEMS.where(VraCatalogItem.tenant == tenant, VraCatalogItem.id == item_id)).first()
    if row is None:
        raise NotFound("catalog_item.not_found", f"Catalog item with id {item_id} not found.", item_id)
    return _item(row)


def entitlement_of(db: Any, tenant: str, subtenant_id: str, item_id: str) -> str | bool | None:
    """How a business group may request an item: the approval policy id of the entitlement that
    grants it (None: no policy), or False when no active entitlement grants it."""
    row = db.execute(
        select(VraEntitledItem.policy_id)
        .join(VraEntitlement, VraEntitlement.id == VraEntitledItem.entitlement_id)
        .where(
            VraEntitlement.tenant == tenant,
            VraEntitlement.subtenant_id == subtenant_id,
            VraEntitlement.status == ACTIVE,
            VraEntitledItem.item_id == item_id,
        )
        .order_by(VraEntitledItem.policy_id.is_(None), VraEntitledItem.policy_id)
        .limit(1)
    ).first()
    return False if row is None else row[0]


def actions_of(raw: str | None) -> tuple[tuple[str, str | None], ...]:
    """An entitlement's stored actions: (binding id, approval policy id or None) pairs (an entry
    of a bare binding id has no policy)."""
    return tuple((a, None) if isinstance(a, str) else (a[0], a[1]) for a in json.loads(raw or "[]"))


def action_entitlement_of(db: Any, tenant: str, subtenant_id: str, binding: str) -> str | bool | None:
    """How a business group may run a resource action: the approval policy id of an active
    entitlement that grants it (None: no policy), or False when none grants it."""
    found: str | bool | None = False
    for raw in db.scalars(
        select(VraEntitlement.actions).where(
            VraEntitlement.tenant == tenant,
            VraEntitlement.subtenant_id == subtenant_id,
            VraEntitlement.status == ACTIVE,
        )
    ):
        for granted, policy in actions_of(raw):
            if granted == binding:
                if policy:
                    return policy
                found = None
    return found


def entitled_actions(db: Any, subtenant_ids: set[str]) -> dict[str, frozenset[str]]:
    """The resource actions (binding ids) active entitlements grant each of the business groups."""
    granted: dict[str, set[str]] = {g: set() for g in subtenant_ids}
    rows = db.execute(
        select(VraEntitlement.subtenant_id, VraEntitlement.actions).where(
            VraEntitlement.subtenant_id.in_(sorted(subtenant_ids)), VraEntitlement.status == ACTIVE
        )
    )
    for group, raw in rows:
        granted[group].update(a for a, _ in actions_of(raw))
    return {g: frozenset(a) for g, a in granted.items()}


def check_item(spec: ItemSpec) -> None:
    """Invalid for a blueprint that contradicts itself."""
    _name(spec.name)
    if spec.kind not in KINDS:
        raise Invalid("catalog_item.kind", f"kind must be one of {', '.join(KINDS)}.", "kind")
    for label, r in (("CPUs", spec.cpus), ("memory", spec.memory_mb), ("storage", spec.storage_gb)):
        if not 0 < r.least <= r.default <= r.most:
            raise Invalid("catalog_item.range", f"The {label} range must hold its default.", label)
    if spec.lease_days < 0:
        raise Invalid("catalog_item.lease", "Lease days must not be negative.", "lease")
    if spec.kind == VCLOUD and not spec.template_id:
        raise Invalid("catalog_item.template", "A vCloud blueprint names its vApp template.", "template")
    if spec.kind == AMAZON and (not spec.ami or not spec.instance_types):
        raise Invalid("catalog_item.ami", "An Amazon blueprint names an AMI and instance types.", "ami")
    unknown = set(spec.instance_types) - set(INSTANCE_TYPES)
    if unknown:
        raise Invalid("catalog_item.instance_type", f"No instance type {sorted(unknown)[0]}.", "instance")


def add_service(s: Session, tenant: str, name: str, description: str, now: float) -> str:
    """A new active service of ``tenant`` in the write transaction ``s``; returns its id."""
    _name(name)
    _unique(s, VraService, tenant, name, "service")
    service_id = identity.new_id()
    s.add(
        VraService(
            id=service_id, tenant=tenant, name=name, description=description, status=ACTIVE, created_at=now
        )
    )
    return service_id


def add_item(s: Session, tenant: str, service_id: str, spec: ItemSpec, now: float) -> str:
    """A new published catalog item in ``service_id``; returns its id."""
    check_item(spec)
    _unique(s, VraCatalogItem, tenant, spec.name, "catalog item")
    extra = {
        "reservation_policy_id": spec.reservation_policy_id,
        "template_id": spec.template_id,
        "ami": spec.ami,
        "instance_types": list(spec.instance_types),
        "machine_prefix": spec.machine_prefix,
    }
    item_id = identity.new_id()
    s.add(
        VraCatalogItem(
            id=item_id,
            tenant=tenant,
            service_id=service_id,
            name=spec.name,
            description=spec.description,
            kind=spec.kind,
            status=PUBLISHED,
            blueprint_id=spec.blueprint_id,
            cpu_min=spec.cpus.least,
            cpu_max=spec.cpus.most,
            cpu_default=spec.cpus.default,
            memory_min=spec.memory_mb.least,
            memory_max=spec.memory_mb.most,
            memory_default=spec.memory_mb.default,
            storage_min=spec.storage_gb.least,
            storage_max=spec.storage_gb.most,
            storage_default=spec.storage_gb.default,
            lease_days=spec.lease_days,
            spec=json.dumps({k: v for k, v in extra.items() if v}),
            created_at=now,
            updated_at=now,
        )
    )
    return item_id


def add_entitlement(
    s: Session,
    tenant: str,
    subtenant_id: str,
    name: str,
    items: list[tuple[str, str | None]],
    now: float,
    description: str = "",
    actions: tuple[tuple[str, str | None], ...] = (),
    status: str = ACTIVE,
) -> str:
    """A new entitlement (active unless ``status`` says) of a business group to ``items`` (catalog
    item id, approval policy id or None) and resource ``actions`` (binding id, approval policy id
    or None); returns its id. NotFound for an item, group or approval policy of another tenant (or
    none); Invalid for a status not in ENTITLEMENT_STATES."""
    _name(name)
    if status not in ENTITLEMENT_STATES:
        raise Invalid("entitlement.status", f"status must be one of {', '.join(ENTITLEMENT_STATES)}.", status)
    _unique(s, VraEntitlement, tenant, name, "entitlement")
    if (
        s.scalar(
            select(BusinessGroup.id).where(BusinessGroup.id == subtenant_id, BusinessGroup.tenant == tenant)
        )
        is None
    ):
        raise NotFound("business_group.not_found", f"Business group {subtenant_id} not found.", subtenant_id)
    for item_id, _policy in items:
        item_row(s, tenant, item_id)
    for policy_id in sorted({p for _, p in (*items, *actions) if p}):
        tenant_policy(s, tenant, policy_id)
    entitlement_id = identity.new_id()
    s.add(
        VraEntitlement(
            id=entitlement_id,
            tenant=tenant,
            subtenant_id=subtenant_id,
            name=name,
            description=description,
            status=status,
            actions=json.dumps([list(a) for a in actions]),
            created_at=now,
        )
    )
    s.flush()
    s.add_all(
        VraEntitledItem(entitlement_id=entitlement_id, item_id=i, policy_id=p) for i, p in dict(items).items()
    )
    return entitlement_id


class Catalog:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def services(self, tenant: str, listing: Listing) -> Counted[ServiceView]:
        query = select(
            VraService.id,
            VraService.tenant,
            VraService.name,
            VraService.description,
            VraService.status,
            VraService.created_at,
        ).where(VraService.tenant == tenant)
        with self._store.query() as conn:
            return cut(conn, query, SERVICE_FIELDS, listing, (VraService.name, VraService.id), _service)

    def items(self, tenant: str, listing: Listing, groups: frozenset[str] | None = None) -> Counted[ItemView]:
        """The tenant's catalog items (``groups`` given: those entitled to one of them, each with
        the groups among them that may request it)."""
        query = _ITEMS.where(VraCatalogItem.tenant == tenant)
        if groups is not None:
            query = query.where(VraCatalogItem.status == PUBLISHED, entitled_to(groups))
        with self._store.query() as conn:
            found = cut(conn, query, ITEM_FIELDS, listing, (VraCatalogItem.name, VraCatalogItem.id), _item)
            if groups is None:
                return found
            return Counted([self._with_groups(conn, i, groups) for i in found.items], found.total)

    def item(self, tenant: str, item_id: str, groups: frozenset[str] | None = None) -> ItemView:
        """A catalog item (``groups`` given: NotFound unless one of them is entitled to it)."""
        with self._store.query() as conn:
            found = item_row(conn, tenant, item_id)
            if groups is None:
                return found
            found = self._with_groups(conn, found, groups)
        if not found.organizations or found.status != PUBLISHED:
            raise NotFound("catalog_item.not_found", f"Catalog item with id {item_id} not found.", item_id)
        return found

    @staticmethod
    def _with_groups(conn: Any, item: ItemView, groups: frozenset[str]) -> ItemView:
        rows = conn.execute(
            select(BusinessGroup.id, BusinessGroup.name)
            .join(VraEntitlement, VraEntitlement.subtenant_id == BusinessGroup.id)
            .join(
                VraEntitledItem,
                and_(VraEntitledItem.entitlement_id == VraEntitlement.id, VraEntitledItem.item_id == item.id),
            )
            .where(BusinessGroup.id.in_(sorted(groups)), VraEntitlement.status == ACTIVE)
            .distinct()
            .order_by(BusinessGroup.name, BusinessGroup.id)
        ).all()
        return ItemView(**{**item.__dict__, "organizations": tuple((r[0], r[1]) for r in rows)})

    def entitlements(self, tenant: str, listing: Listing) -> Counted[EntitlementView]:
        query = _ENTITLEMENTS.where(VraEntitlement.tenant == tenant)
        with self._store.query() as conn:
            found = cut(
                conn, query, ENTITLEMENT_FIELDS, listing, (VraEntitlement.name, VraEntitlement.id), tuple
            )
            return Counted([self._entitlement(conn, row) for row in found.items], found.total)

    def entitlement(self, tenant: str, entitlement_id: str) -> EntitlementView:
        with self._store.query() as conn:
            row = conn.execute(
                _ENTITLEMENTS.where(VraEntitlement.tenant == tenant, VraEntitlement.id == entitlement_id)
            ).first()
            if row is None:
                raise NotFound(
                    "entitlement.not_found",
                    f"Entitlement with id {entitlement_id} not found.",
                    entitlement_id,
                )
            return self._entitlement(conn, row)

    def create_entitlement(self, tenant: str, spec: EntitlementSpec) -> EntitlementView:
        with self._store.write(serial=True) as s:
            entitlement_id = add_entitlement(
                s,
                tenant,
                spec.subtenant_id,
                spec.name,
                spec.items,
                self._clock.now(s),
                spec.description,
                spec.actions,
                spec.status,
            )
        return self.entitlement(tenant, entitlement_id)

    @staticmethod
    def _entitlement(conn: Any, row: Any) -> EntitlementView:
        items = conn.execute(
            select(VraEntitledItem.item_id, VraCatalogItem.name, VraEntitledItem.policy_id)
            .join(VraCatalogItem, VraCatalogItem.id == VraEntitledItem.item_id)
            .where(VraEntitledItem.entitlement_id == row[0])
            .order_by(VraCatalogItem.name)
        ).all()
        actions = conn.scalar(select(VraEntitlement.actions).where(VraEntitlement.id == row[0]))
        return EntitlementView(
            *row, items=tuple((i[0], i[1], i[2]) for i in items), actions=actions_of(actions)
        )


def _name(name: str) -> None:
    if not name.strip() or len(name) > NAME_LENGTH:
        raise Invalid("catalog.name", f"name must be 1 to {NAME_LENGTH} characters.", "name")


def _unique(s: Session, table: Any, tenant: str, name: str, words: str) -> None:
    clash = s.scalar(select(table.id).where(table.tenant == tenant, func.lower(table.name) == name.lower()))
    if clash is not None:
        raise Conflict("catalog.exists", f"A {words} named {name} already exists.", name)
