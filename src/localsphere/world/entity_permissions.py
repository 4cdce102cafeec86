"""vSphere's AuthorizationManager writes, on the world's one access model: permissions set, reset and
removed on an object as a whole (``SetEntityPermissions``, ``ResetEntityPermissions``,
``RemoveEntityPermission``), a role removed with its permissions or a role's permissions moved to
another (``RemoveAuthorizationRole``, ``MergePermissions``), and what a principal holds on objects
(``HasUserPrivilegeOnEntities``, ``FetchUserPrivilegeOnEntities``).

Each write is one transaction that bumps the access stamp; one that would leave no Admin
permission on the root folder fails whole (Conflict ``permission.last_admin``), as vCenter's
AuthMinimumAdminPermission."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from localsphere.world import identity, stamp
from localsphere.world.access import ADMIN_ROLES, ROOTS, VCENTER, Access, Caller, PermissionView
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.identity import GROUP, USER, PrincipalView
from localsphere.world.schema import Assignment, Principal, Role
from localsphere.world.store import Store


@dataclass(frozen=True)
class EntityGrant:
    """One permission to set on an object: the principal (``DOMAIN\\name`` or ``name@domain``), a
    group or a user, its role and whether it propagates."""

    name: str
    group: bool
    role_id: str
    propagate: bool


class EntityPermissions:
    def __init__(self, store: Store, clock: Clock, access: Access) -> None:
        self._store = store
        self._clock = clock
        self._access = access

    def set_on(self, scope: str, grants: list[EntityGrant], reset: bool = False) -> None:
        """Give each principal of ``grants`` its role on ``scope``, replacing the permission it
        held there; ``reset``: the permissions of everyone else on ``scope`` go. NotFound
        ``principal.not_found`` for an unknown principal, ``role.not_found`` for an unknown role."""
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            principals = [self._principal(s, g.name, g.group) for g in grants]
            for g in grants:
                self._role(s, g.role_id)
            if reset:
                kept = [p.id for p in principals]
                s.execute(
                    delete(Assignment).where(
                        Assignment.family == VCENTER,
                        Assignment.scope == scope,
                        Assignment.principal_id.not_in(kept),
                    )
                )
            for principal, g in zip(principals, grants, strict=True):
                row = s.scalars(self._on(scope).where(Assignment.principal_id == principal.id)).first()
                if row is None:
                    row = Assignment(
                        id=identity.new_id(), family=VCENTER, principal_id=principal.id, scope=scope
                    )
                    row.created_at = now
                    s.add(row)
                row.role_id, row.propagate = g.role_id, g.propagate
            self._done(s)

    def remove_on(self, scope: str, name: str, group: bool) -> None:
        """Take the principal's permission on ``scope`` away (NotFound ``permission.not_found``)."""
        with self._store.write(serial=True) as s:
            principal = self._principal(s, name, group)
            row = s.scalars(self._on(scope).where(Assignment.principal_id == principal.id)).first()
            if row is None:
                raise NotFound("permission.not_found", f"No permission for {name} on {scope}", name, scope)
            s.delete(row)
            self._done(s)

    def of_role(self, role_id: str) -> list[PermissionView]:
        """The permissions that give ``role_id`` (NotFound ``role.not_found``)."""
        with self._store.read() as s:
            self._role(s, role_id)
            query = select(Assignment, Principal).join(Principal, Principal.id == Assignment.principal_id)
            rows = s.execute(query.where(Assignment.role_id == role_id).order_by(Assignment.id)).all()
            return [
                PermissionView(a.id, a.scope, PrincipalView.of(p), a.role_id, a.propagate) for a, p in rows
            ]

    def remove_role(self, role_id: str, fail_if_used: bool) -> None:
        """Delete a role that is not a system role (Invalid ``role.system``); its permissions go with
        it unless ``fail_if_used`` (then Conflict ``role.in_use`` while any uses it)."""
        with self._store.write(serial=True) as s:
            role = self._editable(s, role_id)
            used = select(Assignment.id).where(Assignment.role_id == role_id)
            if fail_if_used and s.scalars(used.limit(1)).first():
                raise Conflict("role.in_use", f"Role {role.name} is used by permissions", role_id)
            s.execute(delete(Assignment).where(Assignment.role_id == role_id))
            s.delete(role)
            self._done(s)

    def merge(self, source: str, target: str) -> None:
        """Give every permission of role ``source`` role ``target`` instead (NotFound for either
        unknown; Invalid ``role.same`` when they are one)."""
        with self._store.write(serial=True) as s:
            self._role(s, source)
            self._role(s, target)
            if source == target:
                raise Invalid("role.same", "The source and the destination role are the same", source)
            s.execute(update(Assignment).where(Assignment.role_id == source).values(role_id=target))
            self._done(s)

    def caller_named(self, name: str) -> Caller | None:
        """The user ``name`` (``DOMAIN\\user`` or ``user@domain``) as a vCenter caller, with its
        permissions; None when there is no such user."""
        with self._store.read() as s:
            row = self._find(s, name, False)
            if row is None:
                return None
            principal, grants = PrincipalView.of(row), self._access.permissions_of(s, row.id, VCENTER)
        return Caller(principal, VCENTER, grants.on([ROOTS[VCENTER]]), grants)

    def caller_of(self, principal: PrincipalView) -> Caller:
        with self._store.query() as conn:
            grants = self._access.permissions_of(conn, principal.id, VCENTER)
        return Caller(principal, VCENTER, grants.on([ROOTS[VCENTER]]), grants)

    @staticmethod
    def _on(scope: str) -> Select[tuple[Assignment]]:
        return select(Assignment).where(Assignment.family == VCENTER, Assignment.scope == scope)

    @staticmethod
    def _find(s: Session, name: str, group: bool) -> Principal | None:
        local, domain = identity.split_name(name, None)
        kind = GROUP if group else USER
        row = identity.find(s, identity.login_of(kind, local, domain))
        return row if row is not None and row.kind == kind else None

    def _principal(self, s: Session, name: str, group: bool) -> Principal:
        row = self._find(s, name, group)
        if row is None:
            raise NotFound("principal.not_found", f"{'Group' if group else 'User'} {name} not found", name)
        return row

    @staticmethod
    def _role(s: Session, role_id: str) -> Role:
        role = s.get(Role, role_id)
        if role is None or role.family != VCENTER:
            raise NotFound("role.not_found", f"Role {role_id} not found", role_id)
        return role

    def _editable(self, s: Session, role_id: str) -> Role:
        role = self._role(s, role_id)
        if role.system:
            raise Invalid("role.system", f"System role {role.name} cannot be changed", role_id)
        return role

    @staticmethod
    def _done(s: Session) -> None:
        """Bump the access stamp, unless the change left the root without an Admin permission."""
        s.flush()
        admin = select(Assignment.id).where(
            Assignment.family == VCENTER,
            Assignment.scope == ROOTS[VCENTER],
            Assignment.role_id == ADMIN_ROLES[VCENTER],
        )
        if s.scalars(admin.limit(1)).first() is None:
            raise Conflict("permission.last_admin", "The last administrator permission on the root cannot go")
        stamp.bump(s)
