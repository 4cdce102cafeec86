"""vCloud Director's object metadata on vApps, VMs, catalogs, catalog items, vApp templates, media,
org VDCs and their storage policies, independent disks, provider VDCs, org VDC networks,
external networks and orgs (``OBJECTS``: one line per kind): typed entries (STRING, NUMBER,
BOOLEAN, DATETIME) under a key in a domain, GENERAL (the object's users may change it; the system
administrator alone those of the ``PROVIDER_WRITES`` kinds: org VDCs, storage policies, provider
VDCs, networks, orgs) or SYSTEM (only the system administrator may; org users see its READONLY
entries and never its PRIVATE ones). Every change starts a task, as vCD's does. Who of an org may
use an object is world/sharing.py's to decide. Facts: docs/research/vcd-metadata.md."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, case, cast, delete, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from localsphere.world.catalogs import MEDIA, VAPP_TEMPLATE
from localsphere.world.errors import Forbidden, Invalid, NotFound, bounded_text
from localsphere.world.inventory import CLUSTER, NETWORK
from localsphere.world.org_vdcs import vdc_row, visible
from localsphere.world.schema import (
    Catalog,
    CatalogItem,
    Disk,
    ManagedObject,
    MetadataEntry,
    OrgNetwork,
    OrgVdc,
    Tenant,
    VdcStorageProfileRow,
)
from localsphere.world.sharing import catalog_in_view
from localsphere.world.store import Store
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.tenants import DEFAULT_TENANT, org_of
from localsphere.world.vapps import Actor, locked_vapp, locked_vm

GENERAL, SYSTEM = "GENERAL", "SYSTEM"
READWRITE, READONLY, PRIVATE = "READWRITE", "READONLY", "PRIVATE"
STRING, NUMBER, BOOLEAN, DATETIME = "STRING", "NUMBER", "BOOLEAN", "DATETIME"
VISIBILITIES = {GENERAL: (READWRITE,), SYSTEM: (READONLY, PRIVATE)}
ENTRIES_MOST = 1024  # of one object (vCD's)
KEY_LENGTH, VALUE_LENGTH = 256, 4096  # a key's (vCD's); a string value's (a bound, not vCD's)
LONG = 1 << 63
_FIELD = re.compile(r"metadata(?:@(GENERAL|SYSTEM))?:(.+)")  # a query filter's metadata field


@dataclass(frozen=True)
class Entry:
    """One entry: ``value`` as the wire writes it (a number's digits, ``true``/``false``, a time
    in UTC as ``2026-11-30T08:11:43.000Z``)."""

    domain: str
    key: str
    visibility: str
    type: str
    value: str


def entry(domain: str, key: str, visibility: str | None, type_: str, value: str) -> Entry:
    """An entry checked and its value made canonical; Invalid (vCD's 400) naming what is wrong."""
    if domain not in VISIBILITIES:
        raise Invalid(
            "metadata.domain", f"The metadata domain must be GENERAL or SYSTEM, not {domain}.", domain
        )
    visibility = visibility or VISIBILITIES[domain][0]
    if visibility not in VISIBILITIES[domain]:
        raise Invalid(
            "metadata.visibility",
            f"Visibility {visibility} is not allowed in the {domain} domain "
            f"(allowed: {', '.join(VISIBILITIES[domain])}).",
            visibility,
        )
    bounded_text(key, "Key", KEY_LENGTH)
    return Entry(domain, key, visibility, type_, _canonical(type_, value))


def _canonical(type_: str, value: str) -> str:
    text = value.strip()
    if type_ == STRING:
        if len(value) > VALUE_LENGTH:
            raise Invalid("metadata.value", f"A string value has at most {VALUE_LENGTH} characters.", "")
        return value
    if type_ == NUMBER:
        try:
            number = int(text)
        except ValueError:
            number = LONG
        if not -LONG <= number < LONG:
            raise Invalid("metadata.value", f"{text!r} is not a signed 8-byte integer.", text)
        return str(number)
    if type_ == BOOLEAN:
        if text not in ("true", "false", "1", "0"):
            raise Invalid("metadata.value", f"{text!r} is not one of true, false, 1, 0.", text)
        return "true" if text in ("true", "1") else "false"
    if type_ == DATETIME:
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise Invalid("metadata.value", f"{text!r} is not an xs:dateTime.", text) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        moment = moment.astimezone(dt.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    raise Invalid("metadata.type", f"Unknown metadata value type {type_}.", type_)


class Metadata:
    """The metadata of objects of the kinds ``OBJECTS`` names. ``actor.viewer`` None is the
    system administrator; everything else sees what its org sees."""

    def __init__(self, store: Store, tasks: Tasks) -> None:
        self._store = store
        self._tasks = tasks

    def network_kind(self, network_id: str) -> str:
        """Which kind of network ``network_id`` is (``/api/admin/network/{id}`` serves both): an
        org VDC network (``network``) or else an external one (``externalNetwork``)."""
        with self._store.read() as s:
            found = s.scalar(select(OrgNetwork.id).where(OrgNetwork.id == network_id))
        return "network" if found is not None else "externalNetwork"

    def of(self, kind: str, object_id: str, viewer: str | None) -> list[Entry]:
        """An object's entries the viewer may see, domain then key order; NotFound without it."""
        with self._store.read() as s:
            _object(s, kind, object_id, viewer)
            rows = s.scalars(
                select(MetadataEntry)
                .where(MetadataEntry.kind == kind, MetadataEntry.object == object_id)
                .order_by(MetadataEntry.domain, MetadataEntry.key)
                .limit(ENTRIES_MOST)
            )
            return [_entry(row) for row in rows if _sees(viewer, row.visibility)]

    def value(self, kind: str, object_id: str, domain: str, key: str, viewer: str | None) -> Entry:
        """One entry; Forbidden (vCD answers a missing key with 403) when there is none the
        viewer may see."""
        with self._store.read() as s:
            _object(s, kind, object_id, viewer)
            row = _row(s, kind, object_id, domain, key)
            if row is None or not _sees(viewer, row.visibility):
                raise _missing(key)
            return _entry(row)

    def merge(self, actor: Actor, kind: str, object_id: str, entries: list[Entry]) -> str:
        """Add or replace ``entries`` (by domain and key); returns the task's id. Forbidden for a
        SYSTEM entry unless the actor is the system administrator; Invalid beyond the bound."""
        with self._store.write() as s:
            tenant, owner = _object(s, kind, object_id, actor.viewer)
            for one in entries:
                _may_write(actor, kind, one.domain)
                row = _row(s, kind, object_id, one.domain, one.key)
                if row is None:
                    row = MetadataEntry(
                        tenant=tenant, kind=kind, object=object_id, domain=one.domain, key=one.key
                    )
                    s.add(row)
                row.visibility, row.type, row.value = one.visibility, one.type, one.value
            s.flush()
            count = len(
                s.scalars(
                    select(MetadataEntry.id)
                    .where(MetadataEntry.kind == kind, MetadataEntry.object == object_id)
                    .limit(ENTRIES_MOST + 1)
                ).all()
            )
            if count > ENTRIES_MOST:
                raise Invalid(
                    "metadata.count", f"An object holds at most {ENTRIES_MOST} metadata entries.", ""
                )
            operation = f"Updating metadata of {owner.name}({object_id})"
            return self._tasks.start(s, tenant, "metadataUpdate", operation, owner, actor.principal)

    def remove(self, actor: Actor, kind: str, object_id: str, domain: str, key: str) -> str:
        """Remove one entry; returns the task's id. Forbidden when there is none the actor sees
        or it is SYSTEM's and the actor is not the system administrator."""
        with self._store.write() as s:
            tenant, owner = _object(s, kind, object_id, actor.viewer)
            row = _row(s, kind, object_id, domain, key)
            if row is None or not _sees(actor.viewer, row.visibility):
                raise _missing(key)
            _may_write(actor, kind, domain)
            s.delete(row)
            operation = f"Deleting metadata of {owner.name}({object_id})"
            return self._tasks.start(s, tenant, "metadataDelete", operation, owner, actor.principal)


def field(name: str) -> tuple[str, str] | None:
    """The (domain, key) a query's ``fields`` entry names (``metadata:KEY``,
    ``metadata@SYSTEM:KEY``); None for another field."""
    matched = _FIELD.fullmatch(name)
    return (matched.group(1) or GENERAL, matched.group(2)) if matched else None


def entries_of(
    db: Session | Connection, kind: str, ids: list[str], wanted: list[tuple[str, str]], provider: bool
) -> dict[str, list[Entry]]:
    """The entries of the objects ``ids`` of ``kind`` under the (domain, key)s ``wanted``, by
    object, each in ``wanted``'s order; an org user's never PRIVATE ones. For query records."""
    if not ids or not wanted:
        return {}
    query = select(
        MetadataEntry.object,
        MetadataEntry.domain,
        MetadataEntry.key,
        MetadataEntry.visibility,
        MetadataEntry.type,
        MetadataEntry.value,
    ).where(
        MetadataEntry.kind == kind,
        MetadataEntry.object.in_(ids),
        MetadataEntry.key.in_({key for _, key in wanted}),
    )
    if not provider:
        query = query.where(MetadataEntry.visibility != PRIVATE)
    found: dict[str, list[Entry]] = {}
    for row in db.execute(query):
        if (row.domain, row.key) in wanted:
            found.setdefault(row.object, []).append(Entry(*row[1:]))
    for listed in found.values():
        listed.sort(key=lambda e: wanted.index((e.domain, e.key)))
    return found


class FilterFields(dict[str, Any]):
    """A query's filter fields (name -> SQL) with vCD's metadata ones: ``metadata:KEY`` (the
    GENERAL domain) and ``metadata@SYSTEM:KEY`` name the value of the record's entry of that key
    (``filter=metadata:owner==team-a``, ``metadata:rank=gt=NUMBER:5``: ``_FilterField``); an org
    user's never names a PRIVATE entry. ``kind`` is one of ``KINDS``, ``record_id`` the records'
    own id column."""

    def __init__(self, fields: dict[str, Any], kind: str, record_id: Any, provider: bool) -> None:
        super().__init__(fields)
        self._kind, self._record_id, self._provider = kind, record_id, provider

    def get(self, name: str, default: Any = None) -> Any:
        found = super().get(name)
        matched = _FIELD.fullmatch(name) if found is None else None
        if matched is None:
            return default if found is None else found
        return _FilterField(
            self._kind, self._record_id, self._provider, matched.group(1) or GENERAL, matched.group(2)
        )


@dataclass(frozen=True)
class _FilterField:
    """One metadata key in a filter (``fiql.TypedField``): a value without a type word is compared
    as text with an entry of any type; ``NUMBER:5`` as a number, ``DATETIME:...`` and
    ``BOOLEAN:...`` as their canonical text, ``STRING:...`` as text, each only with entries of
    that type (the guide's metadata filter expressions)."""

    kind: str
    record_id: Any
    provider: bool
    domain: str
    key: str

    def typed(self, raw: str) -> tuple[ColumnElement[Any], str]:
        word, colon, rest = raw.partition(":")
        if not colon or word not in (STRING, NUMBER, BOOLEAN, DATETIME):
            return self._value(MetadataEntry.value), raw
        if word == NUMBER:
            number = case((MetadataEntry.type == NUMBER, cast(MetadataEntry.value, BigInteger)))
            return self._value(number), rest
        text = case((MetadataEntry.type == word, MetadataEntry.value))
        if word == STRING:
            return self._value(text), rest
        try:
            return self._value(text), _canonical(word, rest)
        except Invalid as exc:
            raise ValueError(exc.message) from None

    def _value(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        query = select(column).where(
            MetadataEntry.kind == self.kind,
            MetadataEntry.object == self.record_id,
            MetadataEntry.domain == self.domain,
            MetadataEntry.key == self.key,
        )
        if not self.provider:
            query = query.where(MetadataEntry.visibility != PRIVATE)
        return query.scalar_subquery()


def _vapp(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    found = locked_vapp(s, object_id, viewer)
    return found.tenant, found.name


def _vm(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    vm, vapp = locked_vm(s, object_id, viewer)
    return vapp.tenant, vm.name


def _catalog(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    row = s.execute(
        select(Catalog.tenant, Catalog.name).where(
            Catalog.id == object_id, catalog_in_view(Catalog.id, Catalog.tenant, Catalog.published, viewer)
        )
    ).first()
    if row is None:
        raise NotFound("catalog.not_found", f"No catalog with id {object_id}.", object_id)
    return row.tenant, row.name


def _item(column: Any, kind: str | None, words: str) -> Lookup:
    """How to find a catalog item by ``column`` (its id, or its entity's), of ``kind`` (None: any)."""

    def find(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
        query = (
            select(CatalogItem.tenant, CatalogItem.name)
            .join(Catalog, Catalog.id == CatalogItem.catalog)
            .where(
                column == object_id, catalog_in_view(Catalog.id, Catalog.tenant, Catalog.published, viewer)
            )
        )
        row = s.execute(query if kind is None else query.where(CatalogItem.kind == kind)).first()
        if row is None:
            raise NotFound("metadata.object", f"No {words} with id {object_id}.", object_id)
        return row.tenant, row.name

    return find


def _vdc(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    found = vdc_row(s, object_id, viewer)
    return found.tenant, found.name


def _disk(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    row = s.execute(
        select(Disk.tenant, Disk.name).where(Disk.id == object_id, visible(Disk.tenant, viewer))
    ).first()
    if row is None:
        raise NotFound("disk.not_found", f"No disk with id {object_id}.", object_id)
    return row.tenant, row.name


def _provider_vdc(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    """A provider VDC (a cluster, by its uuid): the System administrator's alone."""
    name = s.scalar(
        select(ManagedObject.name).where(ManagedObject.kind == CLUSTER, ManagedObject.uuid == object_id)
    )
    if name is None or viewer is not None:
        raise NotFound("provider_vdc.not_found", f"No provider VDC with id {object_id}.", object_id)
    return DEFAULT_TENANT, name


def _storage_profile(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    """A VDC's storage policy, as its org (or the provider) sees it."""
    row = s.execute(
        select(OrgVdc.tenant, VdcStorageProfileRow.name)
        .join(OrgVdc, OrgVdc.id == VdcStorageProfileRow.vdc)
        .where(VdcStorageProfileRow.id == object_id, visible(OrgVdc.tenant, viewer))
    ).first()
    if row is None:
        raise NotFound("storage_profile.not_found", f"No storage policy with id {object_id}.", object_id)
    return row.tenant, row.name


def _network(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    """An org VDC network, as its org (or the provider) sees it."""
    row = s.execute(
        select(OrgNetwork.tenant, OrgNetwork.name).where(
            OrgNetwork.id == object_id, visible(OrgNetwork.tenant, viewer)
        )
    ).first()
    if row is None:
        raise NotFound("network.not_found", f"No network with id {object_id}.", object_id)
    return row.tenant, row.name


def _external_network(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    """An external network (a port group, by its uuid, that no org network is backed by): the
    System administrator's alone."""
    name = s.scalar(
        select(ManagedObject.name).where(
            ManagedObject.kind == NETWORK,
            ManagedObject.uuid == object_id,
            ManagedObject.moid.not_in(select(OrgNetwork.network)),
        )
    )
    if name is None or viewer is not None:
        raise NotFound("network.not_found", f"No external network with id {object_id}.", object_id)
    return DEFAULT_TENANT, name


def _org(s: Session, object_id: str, viewer: str | None) -> tuple[str, str]:
    """An org, by its tenant's name (the query service's id of an org record): its own users'
    and the provider's."""
    name = s.scalar(select(Tenant.name).where(Tenant.name == object_id))
    if name is None or viewer not in (None, name):
        raise NotFound("org.not_found", f"No org {object_id}.", object_id)
    return name, org_of(name)


def forget(s: Session, object_ids: list[str]) -> None:
    """The entries of objects gone (a deletion's step, in its write transaction)."""
    if object_ids:
        s.execute(delete(MetadataEntry).where(MetadataEntry.object.in_(object_ids)))


Lookup = Callable[[Session, str, str | None], tuple[str, str]]
# Each kind of object that holds metadata (as tasks and the query service name it): how to find
# one as a viewer (a tenant; None: the provider) sees it, its org and name (NotFound otherwise).
OBJECTS: dict[str, Lookup] = {
    "vApp": _vapp,
    "vm": _vm,
    "catalog": _catalog,
    "catalogItem": _item(CatalogItem.id, None, "catalog item"),
    "vAppTemplate": _item(CatalogItem.entity_id, VAPP_TEMPLATE, "vApp template"),
    "media": _item(CatalogItem.entity_id, MEDIA, "medium"),
    "vdc": _vdc,
    "disk": _disk,
    "providerVdc": _provider_vdc,
    "network": _network,
    "externalNetwork": _external_network,
    "org": _org,
    "storageProfile": _storage_profile,
}
KINDS = tuple(OBJECTS)
# kinds whose every entry only the system administrator changes (pyvcloud: "Only admins can
# perform this operation" of VDCs' and VDC networks' metadata; an org's settings are the provider's)
PROVIDER_WRITES = ("vdc", "providerVdc", "network", "externalNetwork", "org", "storageProfile")


def _object(s: Session, kind: str, object_id: str, viewer: str | None) -> tuple[str, Owner]:
    """The object's tenant and its task owner; NotFound when the viewer may not see it."""
    tenant, name = OBJECTS[kind](s, object_id, viewer)
    return tenant, Owner(kind, object_id, name)


def _row(s: Session, kind: str, object_id: str, domain: str, key: str) -> MetadataEntry | None:
    return s.scalars(
        select(MetadataEntry).where(
            MetadataEntry.kind == kind,
            MetadataEntry.object == object_id,
            MetadataEntry.domain == domain,
            MetadataEntry.key == key,
        )
    ).first()


def _sees(viewer: str | None, visibility: str) -> bool:
    return viewer is None or visibility != PRIVATE


def _may_write(actor: Actor, kind: str, domain: str) -> None:
    if domain == SYSTEM and actor.viewer is not None:
        raise Forbidden(
            "metadata.system", "Only a system administrator may change metadata in the SYSTEM domain.", domain
        )
    if kind in PROVIDER_WRITES and actor.viewer is not None:
        raise Forbidden(
            "metadata.admin", f"Only a system administrator may change the metadata of a {kind}.", kind
        )


def _missing(key: str) -> Forbidden:
    return Forbidden("metadata.missing", f"No access to metadata entry {key}, or there is none.", key)


def _entry(row: MetadataEntry) -> Entry:
    return Entry(row.domain, row.key, row.visibility, row.type, row.value)
