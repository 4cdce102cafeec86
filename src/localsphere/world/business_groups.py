"""Business groups (vRA's subtenants): named groups of a tenant's users whose managers, support
users and members hold the business group roles (``tenant_roles.GROUP_ROLES``) on the group's
scope. Names are unique in a tenant, in any case."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, literal, select
from sqlalchemy.orm import Session

from localsphere.world import identity, odata, stamp
from localsphere.world.access import VRA, groups_holding
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Forbidden, Invalid, NotFound
from localsphere.world.identity import USER
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.schema import Assignment, BusinessGroup, Principal
from localsphere.world.store import Store
from localsphere.world.tenant_principals import TenantPrincipals
from localsphere.world.tenant_roles import BUSINESS_GROUP, BY_ID, BY_KEY, GROUP_ROLES, RoleDef, give
from localsphere.world.tenants import TenantView, group_scope

NAME_LENGTH = 255
HOLDERS_MOST = 10_000  # of a group's roles, read for one answer: a bound, not a rule of vRA's
_COLUMNS = (
    BusinessGroup.id,
    BusinessGroup.tenant,
    BusinessGroup.name,
    BusinessGroup.description,
    BusinessGroup.extension_data,
)
FIELDS: odata.Fields = {
    "id": BusinessGroup.id,
    "name": BusinessGroup.name,
    "description": BusinessGroup.description,
    "tenant": BusinessGroup.tenant,
}

HOLDER_FIELDS: odata.Fields = {"principalId/name": Principal.name, "principalId/domain": Principal.domain}


def member_of(db: Any, tenant: str, group_id: str, upn: str) -> str | None:
    """The canonical ``name@domain`` of the user ``upn`` (any case) when it holds a role in the
    business group, itself or through a group of it; None for no such user; Forbidden when the
    user exists but holds no role there."""
    found = db.execute(
        select(Principal.id, Principal.name, Principal.domain).where(
            Principal.kind == USER, Principal.login == upn.lower()
        )
    ).first()
    if found is None:
        return None
    held = db.scalar(
        select(Assignment.id)
        .where(
            Assignment.family == VRA,
            Assignment.scope == group_scope(tenant, group_id),
            (Assignment.principal_id == found.id) | Assignment.principal_id.in_(groups_holding(found.id)),
        )
        .limit(1)
    )
    upn = f"{found.name}@{found.domain}"
    if held is None:
        raise Forbidden("business_group.member", f"{upn} is not a member of business group {group_id}.", upn)
    return upn


def _holder(row: Any) -> tuple[str, str]:
    return row[0], row[1] or ""


@dataclass(frozen=True)
class GroupView:
    id: str
    tenant: str
    name: str
    description: str | None
    extension_data: dict[str, Any]  # vRA's ``extensionData``: ``{"entries": [...]}``
    # role id -> its holders as (name, domain), in the catalogue's order; None in lists
    roles: dict[str, list[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class GroupSpec:
    name: str
    description: str | None = None
    extension_data: dict[str, Any] | None = None
    roles: dict[str, list[str]] | None = None  # role id -> principal ids (name@domain); None: keep


class BusinessGroups:
    def __init__(self, store: Store, clock: Clock, principals: TenantPrincipals) -> None:
        self._store = store
        self._clock = clock
        self._principals = principals

    def list(self, tenant: TenantView, listing: Listing) -> Counted[GroupView]:
        with self._store.query() as conn:
            query = select(*_COLUMNS).where(BusinessGroup.tenant == tenant.name)
            return cut(conn, query, FIELDS, listing, (BusinessGroup.name, BusinessGroup.id), _view)

    def of_principal(self, tenant: TenantView, principal_id: str, listing: Listing) -> Counted[GroupView]:
        """The tenant's business groups in which a user or group holds a role."""
        principal = self._principals.get(tenant, principal_id)
        prefix = group_scope(tenant.name, "")
        holds = select(Assignment.id).where(
            Assignment.family == VRA,
            Assignment.principal_id == principal.id,
            Assignment.scope == literal(prefix) + BusinessGroup.id,
        )
        with self._store.query() as conn:
            query = select(*_COLUMNS).where(BusinessGroup.tenant == tenant.name, holds.exists())
            return cut(conn, query, FIELDS, listing, (BusinessGroup.name, BusinessGroup.id), _view)

    def get(self, tenant: TenantView, group_id: str) -> GroupView:
        with self._store.query() as conn:
            row = conn.execute(select(*_COLUMNS).where(*_named(tenant, group_id))).first()
            if row is None:
                raise NotFound("business_group.not_found", f"Business group {group_id} not found.", group_id)
            held = conn.execute(
                select(Assignment.role_id, Principal.name, Principal.domain)
                .join(Principal, Principal.id == Assignment.principal_id)
                .where(Assignment.family == VRA, Assignment.scope == group_scope(tenant.name, row.id))
                .order_by(Principal.domain, Principal.name)
                .limit(HOLDERS_MOST)
            ).all()
        roles: dict[str, list[tuple[str, str]]] = {r.id: [] for r in GROUP_ROLES}
        for key, name, domain in held:
            if key in BY_KEY:
                roles[BY_KEY[key].id].append((name, domain or ""))
        view = _view(row)
        return GroupView(view.id, view.tenant, view.name, view.description, view.extension_data, roles)

    def holders(
        self, tenant: TenantView, group_id: str, role_id: str, listing: Listing
    ) -> Counted[tuple[str, str]]:
        """Who holds a business group role, as (name, domain), paged and filtered by
        ``principalId/name`` and ``principalId/domain``."""
        chosen = _group_role(role_id)
        group = self.get(tenant, group_id)
        query = (
            select(Principal.name, Principal.domain)
            .join(Assignment, Assignment.principal_id == Principal.id)
            .where(
                Assignment.family == VRA,
                Assignment.scope == group_scope(tenant.name, group.id),
                Assignment.role_id == chosen.key,
            )
        )
        with self._store.query() as conn:
            return cut(conn, query, HOLDER_FIELDS, listing, (Principal.domain, Principal.name), _holder)

    def create(self, tenant: TenantView, spec: GroupSpec) -> GroupView:
        _check(spec)
        holders = self._holders(tenant, spec.roles or {})
        group_id = identity.new_id()
        with self._store.write(serial=True) as s:
            self._unique(s, tenant, spec.name, None)
            now = self._clock.now(s)
            s.add(
                BusinessGroup(
                    id=group_id,
                    tenant=tenant.name,
                    name=spec.name,
                    description=spec.description,
                    extension_data=json.dumps(spec.extension_data or {"entries": []}),
                    created_at=now,
                )
            )
            s.flush()
            self._set_roles(s, tenant, group_id, holders, now)
            stamp.bump(s)
        return self.get(tenant, group_id)

    def update(self, tenant: TenantView, group_id: str, spec: GroupSpec) -> GroupView:
        """Change a group: its name, description and extension data, and, when ``spec.roles`` is
        given, who holds each of its roles (each role named there is replaced)."""
        _check(spec)
        holders = self._holders(tenant, spec.roles) if spec.roles is not None else None
        with self._store.write(serial=True) as s:
            row = s.scalars(select(BusinessGroup).where(*_named(tenant, group_id))).first()
            if row is None:
                raise NotFound("business_group.not_found", f"Business group {group_id} not found.", group_id)
            self._unique(s, tenant, spec.name, row.id)
            row.name, row.description = spec.name, spec.description
            if spec.extension_data is not None:
                row.extension_data = json.dumps(spec.extension_data)
            if holders is not None:
                self._set_roles(s, tenant, row.id, holders, self._clock.now(s))
            stamp.bump(s)
            group_id = row.id
        return self.get(tenant, group_id)

    def delete(self, tenant: TenantView, group_id: str) -> None:
        with self._store.write(serial=True) as s:
            row = s.scalars(select(BusinessGroup).where(*_named(tenant, group_id))).first()
            if row is None:
                raise NotFound("business_group.not_found", f"Business group {group_id} not found.", group_id)
            s.execute(
                delete(Assignment).where(
                    Assignment.family == VRA, Assignment.scope == group_scope(tenant.name, row.id)
                )
            )
            s.delete(row)
            stamp.bump(s)

    def add_holders(self, tenant: TenantView, group_id: str, role_id: str, principal_ids: list[str]) -> None:
        """Give a business group role to more users and groups of the tenant."""
        chosen = _group_role(role_id)
        holders = self._holders(tenant, {role_id: principal_ids})
        group = self.get(tenant, group_id)
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            for principal_id in holders[chosen.id]:
                row = s.get(Principal, principal_id)
                if row is not None:
                    give(s, row, chosen, group_scope(tenant.name, group.id), now)
            stamp.bump(s)

    def remove_holders(
        self, tenant: TenantView, group_id: str, role_id: str, principal_id: str | None
    ) -> None:
        """Take a business group role from one user or group, or (``principal_id`` None) from all."""
        chosen = _group_role(role_id)
        group = self.get(tenant, group_id)
        query = delete(Assignment).where(
            Assignment.family == VRA,
            Assignment.scope == group_scope(tenant.name, group.id),
            Assignment.role_id == chosen.key,
        )
        if principal_id is not None:
            query = query.where(Assignment.principal_id == self._principals.get(tenant, principal_id).id)
        with self._store.write(serial=True) as s:
            s.execute(query)
            stamp.bump(s)

    def _holders(self, tenant: TenantView, roles: dict[str, list[str]]) -> dict[str, list[str]]:
        """Role id -> the row ids of the principals named for it (looked up, in their directory
        when need be, before any write); Invalid for a role that is no business group role."""
        found: dict[str, list[str]] = {}
        for role_id, principal_ids in roles.items():
            chosen = _group_role(role_id)
            found[chosen.id] = [self._principals.get(tenant, p).id for p in dict.fromkeys(principal_ids)]
        return found

    @staticmethod
    def _set_roles(
        s: Any, tenant: TenantView, group_id: str, holders: dict[str, list[str]], now: float
    ) -> None:
        scope = group_scope(tenant.name, group_id)
        for role_id, principal_ids in holders.items():
            chosen = BY_ID[role_id]
            s.execute(
                delete(Assignment).where(
                    Assignment.family == VRA, Assignment.scope == scope, Assignment.role_id == chosen.key
                )
            )
            s.flush()
            for principal_id in principal_ids:
                row = s.get(Principal, principal_id)
                if row is not None:
                    give(s, row, chosen, scope, now)

    @staticmethod
    def _unique(s: Session, tenant: TenantView, name: str, own_id: str | None) -> None:
        clash = s.scalars(
            select(BusinessGroup.id).where(
                BusinessGroup.tenant == tenant.name, func.lower(BusinessGroup.name) == name.lower()
            )
        ).first()
        if clash is not None and clash != own_id:
            raise Conflict("business_group.exists", f"A business group named {name} already exists.", name)


def _group_role(role_id: str) -> RoleDef:
    chosen = BY_ID.get(role_id)
    if chosen is None or chosen.scope != BUSINESS_GROUP:
        raise Invalid("role.not_found", f"Role {role_id} is not a business group role.", role_id)
    return chosen


def _named(tenant: TenantView, group_id: str) -> tuple:  # type: ignore[type-arg]
    return (BusinessGroup.tenant == tenant.name, BusinessGroup.id == group_id)


def _check(spec: GroupSpec) -> None:
    if not spec.name.strip() or len(spec.name) > NAME_LENGTH:
        raise Invalid("business_group.name", f"name must be 1 to {NAME_LENGTH} characters.", "name")


def _view(row: Any) -> GroupView:
    return GroupView(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}"))
