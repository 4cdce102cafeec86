"""vCloud Director's access control of vApps and catalogs: owners, shares (``controlAccess``) and
published catalogs, and the one decision every read and write of such an object goes through.

An object grants FullControl to its owner and nothing to other users until it is shared
(5.5 guide, "Controlling Access to vApps and Catalogs"): with everyone in its org, or with
users and groups of its org, each at ReadOnly (read and use it), Change (modify it, not its
sharing) or FullControl (also change its owner, share or delete it). An org administrator holds
FullControl on every object of the org, the provider (the System org) on every object. A catalog
may also be shared with another org (its members get the share's level) and published, which
lets the administrators of every other org read it. Facts and sources: docs/research/vcd-access.md.

``require`` (``Sharing.check`` in a transaction of its own) is the one decision: the vCD face
asks it before every operation on a vApp, VM, catalog or catalog item (faces/vcd/sharing.py), the
world's own services where an operation reaches such an object otherwise (a template to
instantiate), and ``seen`` says the same in SQL for lists and queries. An object of the caller's
org it may not use is Forbidden; another org's its org does not see is left to the operation (its
rights first, then its NotFound); another org's catalog its org sees but the caller may not read
is NotFound."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, false, literal, or_, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from localsphere.world.access import VCD, groups_holding
from localsphere.world.errors import Forbidden, Invalid, NotFound
from localsphere.world.identity import GROUP, USER
from localsphere.world.org_roles import ORGANIZATION_ADMINISTRATOR, SYSTEM_ADMINISTRATOR, OrgRoles
from localsphere.world.schema import (
    AccessSetting,
    Assignment,
    Catalog,
    CatalogItem,
    ManagedObject,
    Principal,
    Role,
    VApp,
)
from localsphere.world.store import Store
from localsphere.world.tenants import tenant_scope

if TYPE_CHECKING:  # vapps imports catalogs, which imports this module
    from localsphere.world.vapps import Actor

READ_ONLY, CHANGE, FULL_CONTROL = "ReadOnly", "Change", "FullControl"
LEVELS = (READ_ONLY, CHANGE, FULL_CONTROL)  # weakest first
VAPP, CATALOG = "vApp", "catalog"
EVERYONE, ORG = "EVERYONE", "ORG"  # subject kinds besides USER and GROUP
SETTINGS_MOST = 1000  # shares of one object: a bound, not a rule of vCD's
# The kinds a check may name, and the object whose access decides for them.
_OWNING = {
    VAPP: VAPP,
    "vm": VAPP,
    CATALOG: CATALOG,
    "catalogItem": CATALOG,
    "vAppTemplate": CATALOG,
    "media": CATALOG,
}


@dataclass(frozen=True)
class Setting:
    """One share: to a user or group (``subject`` its id), or an org (its tenant's name)."""

    subject_kind: str  # USER, GROUP or ORG
    subject: str
    name: str  # the user's or group's name, the org's tenant name
    level: str


@dataclass(frozen=True)
class Shares:
    """An object's sharing: its org, everyone's level there (None: not shared to everyone) and
    the shares to users, groups and orgs (by kind, then name)."""

    tenant: str
    everyone: str | None
    settings: tuple[Setting, ...]


@dataclass(frozen=True)
class Ownership:
    tenant: str
    owner_id: str | None
    owner_name: str | None


def _rank(level: str | None) -> int:
    return LEVELS.index(level) + 1 if level in LEVELS else 0


def level_of(text: str) -> str:
    """An access level as the wire names it; Invalid (vCD's 400) for another word."""
    if text not in LEVELS:
        raise Invalid(
            "access.level", f"The access level must be one of {', '.join(LEVELS)}, not {text}.", text
        )
    return text


def org_admin(db: Session | Connection, principal_id: str, tenant: str) -> bool:
    """Whether the principal (or a group holding it) is an Organization Administrator of the org
    ``tenant``, or holds a vCD role system-wide (the System org's administrators)."""
    holders = or_(
        Assignment.principal_id == principal_id, Assignment.principal_id.in_(groups_holding(principal_id))
    )
    found = db.execute(
        select(Assignment.id)
        .join(Role, Role.id == Assignment.role_id)
        .where(Assignment.family == VCD, holders)
        .where(
            or_(
                and_(Assignment.scope == tenant_scope(tenant), Role.name == ORGANIZATION_ADMINISTRATOR.name),
                and_(Assignment.scope == "", Role.name == SYSTEM_ADMINISTRATOR.name),
            )
        )
        .limit(1)
    ).first()
    return found is not None


@dataclass(frozen=True)
class Who:
    """Who looks at objects, for the queries' conditions: the principal, its org, and whether it
    administers that org (or is the provider: ``tenant`` None)."""

    principal_id: str
    tenant: str | None
    admin: bool


def who(db: Session | Connection, actor: Actor) -> Who:
    admin = actor.viewer is None or org_admin(db, actor.principal.id, actor.viewer)
    return Who(actor.principal.id, actor.viewer, admin)


def _shared_to(
    kind: str, object_id: Any, principal_id: str, tenant: str, same_org: Any
) -> ColumnElement[bool]:
    """SQL: a share of the object to the principal, a group holding it, its org, or (in the
    object's own org, ``same_org``) everyone."""
    return (
        select(AccessSetting.id)
        .where(AccessSetting.kind == kind, AccessSetting.object == object_id)
        .where(_subject_matches(principal_id, tenant, same_org))
        .exists()
    )


def seen(
    kind: str, object_id: Any, tenant: Any, owner: Any, viewer: Who, published: Any = None
) -> ColumnElement[bool]:
    """SQL: the object (``kind`` vApp or catalog, by its id, org and owner columns; a catalog's
    ``published`` column) is one ``viewer`` may read: every object for the provider; in its own
    org, every one for an administrator, else those it owns or that are shared to it; of another
    org, a catalog shared to its org, or published when it administers its org."""
    if viewer.tenant is None:
        return true()
    own = tenant == viewer.tenant
    mine = true() if viewer.admin else owner == viewer.principal_id
    shared = _shared_to(kind, object_id, viewer.principal_id, viewer.tenant, own)
    inside = and_(own, or_(mine, shared))
    if kind != CATALOG:
        return inside
    public = and_(published, true() if viewer.admin else false())
    return or_(inside, and_(~own, or_(public, shared)))


def catalog_in_view(catalog_id: Any, tenant: Any, published: Any, viewer: str | None) -> ColumnElement[bool]:
    """SQL: a catalog some user of the org ``viewer`` (None: the provider) may read: the org's
    own, a published one, or one shared to the org. Who of the org may is ``check``'s to decide."""
    if viewer is None:
        return true()
    shared = (
        select(AccessSetting.id)
        .where(
            AccessSetting.kind == CATALOG,
            AccessSetting.object == catalog_id,
            AccessSetting.subject_kind == ORG,
            AccessSetting.subject == viewer,
        )
        .exists()
    )
    return or_(tenant == viewer, published, shared)


def _object(db: Session | Connection, kind: str, object_id: str) -> tuple[str, str, Any] | None:
    """The object that decides access to ``kind``/``object_id`` (a VM: its vApp; a catalog item,
    template or medium: its catalog): (kind, id, its row), or None when there is none."""
    owning = _OWNING.get(kind)
    if owning is None:
        raise ValueError(f"no access control for {kind}")
    if kind == "vm":
        found = db.execute(select(ManagedObject.vapp).where(ManagedObject.uuid == object_id)).scalar()
        return _object(db, VAPP, found) if found else None
    if kind in ("catalogItem", "vAppTemplate", "media"):
        column = CatalogItem.id if kind == "catalogItem" else CatalogItem.entity_id
        found = db.execute(select(CatalogItem.catalog).where(column == object_id)).scalar()
        return _object(db, CATALOG, found) if found else None
    if kind == VAPP:
        row = db.execute(select(VApp.tenant, VApp.owner_id, false()).where(VApp.id == object_id)).first()
    else:
        row = db.execute(
            select(Catalog.tenant, Catalog.owner_id, Catalog.published).where(Catalog.id == object_id)
        ).first()
    return (owning, object_id, row) if row is not None else None


def level(db: Session | Connection, actor: Actor, kind: str, object_id: str) -> str | None:
    """The access level ``actor`` holds on an object (None: none), as the module's rules say."""
    found = _object(db, kind, object_id)
    if found is None:
        return None
    owning, object_id, (tenant, owner_id, published) = found
    if actor.viewer is None:
        return FULL_CONTROL
    principal = actor.principal.id
    admin = org_admin(db, principal, actor.viewer)
    if tenant == actor.viewer and (admin or owner_id == principal):
        return FULL_CONTROL
    best = READ_ONLY if owning == CATALOG and tenant != actor.viewer and published and admin else None
    rows = db.execute(
        select(AccessSetting.level).where(
            AccessSetting.kind == owning,
            AccessSetting.object == object_id,
            _subject_matches(principal, actor.viewer, tenant == actor.viewer),
        )
    )
    for (held,) in rows:
        if _rank(held) > _rank(best):
            best = held
    return best


def _subject_matches(principal_id: str, tenant: str, same_org: Any) -> ColumnElement[bool]:
    """SQL: a share's subject is the principal, a group holding it, its org ``tenant``, or
    everyone when ``same_org`` (a bool or SQL) says the object is of the principal's org."""
    if isinstance(same_org, bool):
        same_org = true() if same_org else false()
    return or_(
        and_(AccessSetting.subject_kind == EVERYONE, same_org),
        and_(AccessSetting.subject_kind == USER, AccessSetting.subject == principal_id),
        and_(AccessSetting.subject_kind == GROUP, AccessSetting.subject.in_(groups_holding(principal_id))),
        and_(AccessSetting.subject_kind == ORG, AccessSetting.subject == tenant),
    )


def require(db: Session | Connection, actor: Actor, kind: str, object_id: str, wanted: str) -> None:
    """Nothing when ``actor`` holds ``wanted`` (or more) on the object, or there is no such
    object, or it is another org's that its org does not see either (the operation answers
    those, after its rights); NotFound when it is another org's catalog that its org sees
    (published, or shared to it) but it may not read; Forbidden (in vCD's words) otherwise."""
    found = _object(db, kind, object_id)
    if found is None or actor.viewer is None:
        return
    held = level(db, actor, kind, object_id)
    if _rank(held) >= _rank(wanted):
        return
    owning, owning_id, (tenant, _, published) = found
    if held is None and tenant != actor.viewer:
        if (
            owning == CATALOG
            and db.execute(
                select(
                    catalog_in_view(
                        literal(owning_id), literal(tenant), literal(bool(published)), actor.viewer
                    )
                )
            ).scalar()
        ):
            raise NotFound(f"{kind.lower()}.not_found", f"No {kind} with id {object_id}.", object_id)
        return
    raise Forbidden(
        "access.level",
        f"Either you need some or all of the following rights [{wanted} access to this {found[0]}] "
        "to perform this operation or the target entity is invalid.",
        wanted,
    )


def forget(s: Session, kind: str, object_id: str) -> None:
    """An object's shares gone with it (``kind`` vApp or catalog): a deletion's step."""
    s.execute(delete(AccessSetting).where(AccessSetting.kind == kind, AccessSetting.object == object_id))


def share_to_everyone(s: Session, tenant: str, kind: str, object_id: str, wanted: str) -> None:
    """Share an object of the org ``tenant`` with everyone in it at ``wanted`` (a seed's step)."""
    s.add(
        AccessSetting(
            tenant=tenant, kind=kind, object=object_id, subject_kind=EVERYONE, subject="", level=wanted
        )
    )


class Sharing:
    """Owners, shares and publication of vApps and catalogs; ``check`` for every operation."""

    def __init__(self, store: Store, org_roles: OrgRoles) -> None:
        self._store = store
        self._org_roles = org_roles

    def check(self, actor: Actor, kind: str, object_id: str, wanted: str) -> None:
        """``require`` in a transaction of its own (``kind``: vApp, vm, catalog, catalogItem,
        vAppTemplate or media)."""
        with self._store.read() as s:
            require(s, actor, kind, object_id, wanted)

    def of(self, actor: Actor, kind: str, object_id: str) -> Shares:
        """An object's sharing (ReadOnly access needed); NotFound when there is no such object."""
        with self._store.read() as s:
            tenant = self._existing(s, actor, kind, object_id, READ_ONLY)
            return _shares(s, kind, object_id, tenant)

    def share(
        self,
        actor: Actor,
        kind: str,
        object_id: str,
        everyone: str | None,
        settings: list[tuple[str, str, str]],
    ) -> Shares:
        """Replace an object's sharing (FullControl needed): ``everyone`` the level of everyone in
        its org (None: not shared so), ``settings`` (subject kind, subject id or org name,
        level). Invalid for a subject of another org (an org subject is a catalog's alone),
        NotFound for one that does not exist."""
        if len(settings) > SETTINGS_MOST:
            raise Invalid("access.settings", f"An object has at most {SETTINGS_MOST} access settings.", "")
        with self._store.read() as s:
            tenant = self._existing(s, actor, kind, object_id, FULL_CONTROL)
        rows = {(k, self._subject(kind, tenant, k, sub)): level_of(lv) for k, sub, lv in settings}
        with self._store.write() as s:
            self._existing(s, actor, kind, object_id, FULL_CONTROL)
            s.execute(
                delete(AccessSetting).where(AccessSetting.kind == kind, AccessSetting.object == object_id)
            )
            if everyone is not None:
                rows[(EVERYONE, "")] = level_of(everyone)
            s.add_all(
                AccessSetting(
                    tenant=tenant, kind=kind, object=object_id, subject_kind=k, subject=sub, level=lv
                )
                for (k, sub), lv in rows.items()
            )
            s.flush()
            return _shares(s, kind, object_id, tenant)

    def owner(self, actor: Actor, kind: str, object_id: str) -> Ownership:
        """A vApp's or catalog's owner (ReadOnly access needed)."""
        with self._store.read() as s:
            tenant = self._existing(s, actor, kind, object_id, READ_ONLY)
            table = VApp if kind == VAPP else Catalog
            row = s.execute(
                select(table.owner_id, Principal.name)
                .outerjoin(Principal, Principal.id == table.owner_id)
                .where(table.id == object_id)
            ).one()
            return Ownership(tenant, row[0], row[1])

    def change_owner(self, actor: Actor, kind: str, object_id: str, user_id: str) -> Ownership:
        """Give a vApp or catalog to the user ``user_id`` of its org (FullControl needed; NotFound
        for a user who is not one of the org's)."""
        with self._store.read() as s:
            tenant = self._existing(s, actor, kind, object_id, FULL_CONTROL)
        user = self._org_roles.user(user_id, tenant)
        with self._store.write() as s:
            self._existing(s, actor, kind, object_id, FULL_CONTROL)
            table = VApp if kind == VAPP else Catalog
            row = s.get(table, object_id, with_for_update=True)
            assert row is not None  # _existing found it
            row.owner_id = user.id
            return Ownership(tenant, user.id, user.name)

    def publish(self, actor: Actor, catalog_id: str, published: bool) -> None:
        """Publish a catalog to every org, or take it back (FullControl on it needed)."""
        with self._store.write() as s:
            self._existing(s, actor, CATALOG, catalog_id, FULL_CONTROL)
            row = s.get(Catalog, catalog_id, with_for_update=True)
            assert row is not None
            row.published = published

    @staticmethod
    def _existing(s: Session, actor: Actor, kind: str, object_id: str, wanted: str) -> str:
        """The org of the object (NotFound when there is none the actor may see), once ``require``
        allows ``wanted``."""
        found = _object(s, kind, object_id)
        if found is None or (
            actor.viewer is not None
            and level(s, actor, kind, object_id) is None
            and found[2][0] != actor.viewer
        ):
            raise NotFound(f"{kind.lower()}.not_found", f"No {kind} with id {object_id}.", object_id)
        require(s, actor, kind, object_id, wanted)
        return str(found[2][0])

    def _subject(self, kind: str, tenant: str, subject_kind: str, subject: str) -> str:
        """A share's subject, checked: a user or group of the object's org (its id), or, for a
        catalog, an org other than its own (its tenant's name)."""
        if subject_kind == ORG:
            if kind != CATALOG:
                raise Invalid("access.subject", "Only a catalog may be shared with an organization.", subject)
            return subject
        if subject_kind not in (USER, GROUP):
            raise Invalid(
                "access.subject",
                f"A share's subject is a user, a group or an org, not {subject_kind}.",
                subject,
            )
        return self._org_roles.user(subject, tenant, subject_kind).id


def _shares(s: Session, kind: str, object_id: str, tenant: str) -> Shares:
    rows = s.execute(
        select(AccessSetting.subject_kind, AccessSetting.subject, Principal.name, AccessSetting.level)
        .outerjoin(Principal, Principal.id == AccessSetting.subject)
        .where(AccessSetting.kind == kind, AccessSetting.object == object_id)
        .order_by(AccessSetting.subject_kind, AccessSetting.subject)
        .limit(SETTINGS_MOST + 1)
    ).all()
    everyone = next((r.level for r in rows if r.subject_kind == EVERYONE), None)
    settings = tuple(
        Setting(r.subject_kind, r.subject, r.name or r.subject, r.level)
        for r in rows
        if r.subject_kind == ORG or (r.subject_kind in (USER, GROUP) and r.name is not None)
    )
    return Shares(tenant, everyone, tuple(sorted(settings, key=lambda x: (x.subject_kind, x.name.lower()))))
