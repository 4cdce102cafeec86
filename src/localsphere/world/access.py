"""The one access model: privileges and roles per product family, and who holds which role where.

A permission gives a principal (user or group) a role on an object and, if it propagates, on
everything below. What a principal may do on an object is decided as vCenter decides it: the
nearest object on the way up to the root that carries permissions for the principal or its groups
wins; there, the principal's own permissions win over its groups' (every group that holds it,
directly or through groups in groups) (so NoAccess on a folder hides
what an ancestor granted). Faces ask ``can``/``require``/``on``; none checks roles on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world import identity, stamp
from localsphere.world.auth import digest, new_api_key
from localsphere.world.clock import Clock
from localsphere.world.copies import Copies
from localsphere.world.errors import Conflict, Forbidden, Invalid, NotFound, bounded_text
from localsphere.world.identity import GROUP, KINDS, LOCAL_DOMAIN, PRINCIPAL_COLUMNS, SERVICE, PrincipalView
from localsphere.world.paging import Page, bounded_size, marker_after, next_marker
from localsphere.world.schema import Assignment, Domain, Membership, Principal, Role, RolePrivilege, Token
from localsphere.world.store import STATE, Store

SDDC = "sddc"  # the product family of VCF SDDC Manager's scopes and roles
VCENTER = "vcenter"  # vCenter's privileges, roles and permissions
OPS = "ops"  # VCF Operations (vRealize Operations) roles
VRA = "vra"  # vRealize Automation roles: system-wide (""), per tenant and per business group
VCD = "vcd"  # vCloud Director
ROOTS = {SDDC: "", VCENTER: "group-d1", OPS: "", VRA: "", VCD: ""}  # where root permissions sit


@dataclass(frozen=True)
class Permission:
    direct: bool  # the principal's own, not one of its groups'
    propagate: bool
    privileges: frozenset[str]


@dataclass(frozen=True)
class Grants:
    """A principal's permissions in one family, by the object they sit on."""

    by_scope: dict[str, tuple[Permission, ...]]

    def on(self, chain: list[str]) -> frozenset[str]:
        """Privileges on the object ``chain[0]``, whose ancestors follow up to the root."""
        for level, scope in enumerate(chain):
            here = [p for p in self.by_scope.get(scope, ()) if level == 0 or p.propagate]
            if here:
                chosen = [p for p in here if p.direct] or here
                return frozenset().union(*(p.privileges for p in chosen))
        return frozenset()

    def scopes(self) -> set[str]:
        return set(self.by_scope)

    def anywhere(self, root: str) -> frozenset[str]:
        """Privileges held on the root (``root``) or on any object: what a role permission
        limited to some objects still lets its holder call (the objects it sees are decided one
        by one)."""
        return frozenset().union(self.on([root]), *(self.on([scope]) for scope in self.by_scope))


@dataclass(frozen=True)
class Caller:
    """An authenticated principal acting on one product family, with its privileges at the root and
    its permissions, for decisions about single objects."""

    principal: PrincipalView
    family: str
    privileges: frozenset[str]
    grants: Grants = Grants({})

    def on(self, chain: list[str]) -> frozenset[str]:
        return self.grants.on(chain)


@dataclass(frozen=True)
class RoleView:
    id: str
    family: str
    name: str
    description: str
    system: bool


@dataclass(frozen=True)
class GrantRequest:
    kind: str
    name: str
    domain: str | None
    role_id: str


@dataclass(frozen=True)
class Grant:
    id: str
    principal: PrincipalView
    role_id: str
    created_at: float
    api_key: str | None = None


def groups_holding(member: Any) -> Select[Any]:
    """The ids of every group that holds ``member`` (a principal id or a bound parameter), directly
    or through groups in groups, as vCenter's SSO resolves nested groups (a recursive query;
    a cycle of groups ends it, as UNION keeps each group once)."""
    tree = (
        select(Membership.group_id.label("group_id"))
        .where(Membership.member_id == member)
        .cte("groups_holding", recursive=True)
    )
    tree = tree.union(select(Membership.group_id).join(tree, Membership.member_id == tree.c.group_id))
    return select(tree.c.group_id)


# A principal's permissions in a family, its own and its groups', one row per privilege (or one
# row with none, for a role such as NoAccess).
_PERMISSIONS = (
    select(
        Assignment.id,
        Assignment.scope,
        Assignment.propagate,
        Assignment.principal_id,
        RolePrivilege.privilege,
    )
    .outerjoin(RolePrivilege, RolePrivilege.role_id == Assignment.role_id)
    .where(Assignment.family == bindparam("family"))
    .where(
        (Assignment.principal_id == bindparam("principal"))
        | Assignment.principal_id.in_(groups_holding(bindparam("principal")))
    )
)
_GRANTS = (
    select(Assignment.id, Assignment.role_id, Assignment.created_at, *PRINCIPAL_COLUMNS)
    .join(Principal, Principal.id == Assignment.principal_id)
    .where(Assignment.family == bindparam("family"), Assignment.scope == "")
    .where(Principal.kind.in_(bindparam("kinds", expanding=True)))
    .where((Principal.domain.is_(None)) | (Principal.domain != LOCAL_DOMAIN))
    .order_by(Assignment.created_at, Principal.login)
)


def can(caller: Caller, privilege: str) -> bool:
    return privilege in caller.privileges


def require(caller: Caller, privilege: str) -> None:
    """Forbidden ``privilege.missing`` (arguments: the user, the privilege, and the family's root
    object where it has one, as a check on an object names the object) unless the caller holds
    ``privilege`` at the root."""
    if not can(caller, privilege):
        upn, root = caller.principal.upn, ROOTS[caller.family]
        raise Forbidden(
            "privilege.missing", f"{upn} lacks {privilege}", upn, privilege, *([root] if root else [])
        )


def require_somewhere(caller: Caller, privilege: str) -> None:
    """As ``require``, for a family whose roles may be limited to objects (VCF Operations' object
    scopes): ``privilege`` held on the root or on any object lets the call in."""
    if privilege not in caller.privileges and privilege not in caller.grants.anywhere(ROOTS[caller.family]):
        require(caller, privilege)


class Access:
    """Who holds which role where. The lists of role assignments are read from this process's
    copies while the ``STATE`` generation stays: every change of an assignment bumps the access
    stamp, which moves it (``world.copies``); ``max_age``: the most seconds a copy is trusted."""

    def __init__(self, store: Store, clock: Clock, max_age: float) -> None:
        self._store = store
        self._clock = clock
        self._grants: Copies[tuple[str, tuple[str, ...]], tuple[Grant, ...]] = Copies(
            store.generations[STATE], max_age, limit=100
        )

    def permissions_of(self, db: Session | Connection, principal_id: str, family: str) -> Grants:
        found: dict[str, tuple[str, bool, bool, set[str]]] = {}
        for pid, scope, propagate, holder, privilege in db.execute(
            _PERMISSIONS, {"principal": principal_id, "family": family}
        ):
            entry = found.setdefault(pid, (scope, propagate, holder == principal_id, set()))
            if privilege is not None:
                entry[3].add(privilege)
        by_scope: dict[str, list[Permission]] = {}
        for scope, propagate, direct, held in found.values():
            by_scope.setdefault(scope, []).append(Permission(direct, propagate, frozenset(held)))
        return Grants({scope: tuple(items) for scope, items in by_scope.items()})

    def role_names(self, principal_id: str, family: str) -> list[str]:
        """The roles a principal holds in a family, its groups' included, by name."""
        groups = groups_holding(principal_id)
        query = (
            select(Role.name)
            .join(Assignment, Assignment.role_id == Role.id)
            .where(Assignment.family == family)
            .where((Assignment.principal_id == principal_id) | Assignment.principal_id.in_(groups))
            .distinct()
            .order_by(Role.name)
        )
        with self._store.query() as conn:
            return list(conn.scalars(query))

    def privileges(self, db: Session | Connection, principal_id: str, family: str) -> frozenset[str]:
        """Privileges on the family's root object."""
        return self.permissions_of(db, principal_id, family).on([ROOTS[family]])

    def roles(self, family: str) -> list[RoleView]:
        columns = (Role.id, Role.family, Role.name, Role.description, Role.system)
        with self._store.query() as conn:
            rows = conn.execute(
                select(*columns).where(Role.family == family).order_by(Role.created_at, Role.name)
            )
            return [RoleView(*r) for r in rows]

    def grants(self, family: str, kinds: tuple[str, ...] = KINDS) -> list[Grant]:
        """Role assignments on the family's root, leaving out appliance-local accounts."""

        def read() -> tuple[Grant, ...]:
            with self._store.query() as conn:
                rows = conn.execute(_GRANTS, {"family": family, "kinds": list(kinds)})
                return tuple(
                    Grant(gid, PrincipalView(*p), role_id, created) for gid, role_id, created, *p in rows
                )

        return list(self._grants.kept((family, kinds), read))

    def grant(self, family: str, requests: list[GrantRequest]) -> list[Grant]:
        """Give roles to existing users and groups, creating service accounts (with an API key) on
        the way; all or nothing. A reference to something that does not exist is invalid input.
        One such write at a time (``serial``): it looks for an assignment before it adds one."""
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            granted = []
            for req in requests:
                role = s.get(Role, req.role_id)
                if role is None or role.family != family:
                    raise Invalid("role.not_found", f"Role with id {req.role_id} not found", req.role_id)
                api_key = None
                if req.kind == SERVICE:
                    bounded_text(req.name, "name", identity.NAME_LENGTH)
                    if identity.find(s, identity.login_of(SERVICE, req.name, None)) is not None:
                        raise Conflict("principal.exists", f"User {req.name} already exists", req.name)
                    api_key = new_api_key()
                    principal = identity.add_principal(
                        s, SERVICE, req.name, None, now, api_key_digest=digest(api_key)
                    )
                    s.flush()
                else:
                    principal = self._existing(s, req)
                if s.scalars(
                    select(Assignment.id).where(
                        Assignment.family == family,
                        Assignment.principal_id == principal.id,
                        Assignment.scope == "",
                    )
                ).first():
                    raise Conflict("assignment.exists", f"User {req.name} already exists", req.name)
                row = Assignment(
                    id=identity.new_id(),
                    family=family,
                    principal_id=principal.id,
                    role_id=role.id,
                    scope="",
                    created_at=now,
                )
                s.add(row)
                s.flush()
                granted.append(Grant(row.id, PrincipalView.of(principal), role.id, now, api_key))
            stamp.bump(s)  # a group's members may hold more privileges now
            return granted

    @staticmethod
    def _existing(s: Session, req: GrantRequest) -> Principal:
        name, domain = identity.split_name(req.name, req.domain)
        if not domain:
            raise Invalid("principal.domain_missing", f"Domain is required for {req.name}", req.name)
        known = s.get(Domain, domain)
        if known is None or known.kind != identity.SSO:
            raise Invalid("domain.not_found", f"SSO domain {domain} not found", domain)
        row = identity.find(s, identity.login_of(req.kind, name, known.name))
        if row is None or row.kind != req.kind:
            raise Invalid(
                "principal.not_found", f"{req.kind} {name}@{domain} not found in {domain}", req.name, domain
            )
        return row

    def revoke(self, family: str, grant_id: str) -> None:
        """Take a role away; a service account goes with it, anyone else loses their tokens at once."""
        with self._store.write() as s:
            row = s.get(Assignment, grant_id)
            if row is None or row.family != family:
                raise NotFound("assignment.not_found", f"User with id {grant_id} not found", grant_id)
            principal = s.get(Principal, row.principal_id)
            s.delete(row)
            stamp.bump(s)
            if principal is not None and principal.kind == SERVICE:
                s.delete(principal)
            elif principal is not None and principal.kind != GROUP:
                s.execute(
                    update(Token)
                    .where(Token.principal_id == principal.id, Token.family == family)
                    .values(revoked=True)
                )


@dataclass(frozen=True)
class PermissionView:
    id: str
    scope: str
    principal: PrincipalView
    role_id: str
    propagate: bool


ADMIN_ROLES = {VCENTER: "-1"}  # the role whose last permission on the root may not go


class Permissions:
    """Permissions on objects: who holds which role where, per family."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def add(
        self, family: str, kind: str, name: str, domain: str | None, role_id: str, scope: str, propagate: bool
    ) -> str:
        """A permission; one per principal and object (Conflict), checked one write at a time."""
        with self._store.write(serial=True) as s:
            principal = self._principal(s, kind, name, domain)
            self._role(s, family, role_id)
            exists = select(Assignment.id).where(
                Assignment.family == family,
                Assignment.scope == scope,
                Assignment.principal_id == principal.id,
            )
            if s.scalars(exists).first():
                raise Conflict(
                    "permission.exists",
                    f"{principal.login} already has a permission on {scope}",
                    principal.login,
                    scope,
                )
            row = Assignment(
                id=identity.new_id(),
                family=family,
                principal_id=principal.id,
                role_id=role_id,
                scope=scope,
                propagate=propagate,
                created_at=self._clock.now(s),
            )
            s.add(row)
            stamp.bump(s)
            return row.id

    def get(self, family: str, permission_id: str) -> PermissionView:
        with self._store.read() as s:
            return self._view(s, self._row(s, family, permission_id))

    def update(self, family: str, permission_id: str, role_id: str | None, propagate: bool | None) -> None:
        with self._store.write() as s:
            row = self._row(s, family, permission_id)
            if role_id is not None and role_id != row.role_id:
                self._role(s, family, role_id)
                self._keep_an_admin(s, row)
                row.role_id = role_id
            if propagate is not None:
                row.propagate = propagate
            stamp.bump(s)

    def remove(self, family: str, permission_id: str) -> None:
        with self._store.write() as s:
            row = self._row(s, family, permission_id)
            self._keep_an_admin(s, row)
            s.delete(row)
            stamp.bump(s)

    def list(
        self,
        family: str,
        scopes: set[str] | None = None,
        principals: list[tuple[str, str, str | None]] | None = None,
        roles: set[str] | None = None,
        propagate: bool | None = None,
        marker: str | None = None,
        page_size: int | None = None,
    ) -> Page:
        size, after = bounded_size(page_size, 200), marker_after(marker)
        query = select(Assignment).where(Assignment.family == family)
        with self._store.read() as s:
            if scopes is not None:
                query = query.where(Assignment.scope.in_(sorted(scopes)))
            if roles is not None:
                query = query.where(Assignment.role_id.in_(sorted(roles)))
            if propagate is not None:
                query = query.where(Assignment.propagate.is_(propagate))
            if principals is not None:
                ids = [p.id for k, n, d in principals if (p := self._find(s, k, n, d)) is not None]
                query = query.where(Assignment.principal_id.in_(ids))
            if after is not None:
                query = query.where(Assignment.id > after)
            rows = list(s.scalars(query.order_by(Assignment.id).limit(size + 1)))
            views = [self._view(s, r) for r in rows[:size]]
        return Page(views, next_marker(views[-1].id) if len(rows) > size else None)

    @staticmethod
    def _keep_an_admin(s: Session, row: Assignment) -> None:
        admin = ADMIN_ROLES.get(row.family)
        if row.role_id != admin or row.scope != ROOTS[row.family]:
            return
        others = select(Assignment.id).where(
            Assignment.family == row.family,
            Assignment.scope == row.scope,
            Assignment.role_id == admin,
            Assignment.id != row.id,
        )
        if s.scalars(others).first() is None:
            raise Conflict(
                "permission.last_admin", "The last administrator permission on the root cannot go", row.id
            )

    @staticmethod
    def _find(s: Session, kind: str, name: str, domain: str | None) -> Principal | None:
        local, domain = identity.split_name(name, domain)
        row = identity.find(s, identity.login_of(kind, local, domain))
        return row if row is not None and row.kind == kind else None

    def _principal(self, s: Session, kind: str, name: str, domain: str | None) -> Principal:
        row = self._find(s, kind, name, domain)
        if row is None:
            raise Invalid("principal.not_found", f"{kind} {name} not found", name)
        return row

    @staticmethod
    def _role(s: Session, family: str, role_id: str) -> None:
        role = s.get(Role, role_id)
        if role is None or role.family != family:
            raise Invalid("role.not_found", f"Role with id {role_id} not found", role_id)

    @staticmethod
    def _row(s: Session, family: str, permission_id: str) -> Assignment:
        row = s.get(Assignment, permission_id)
        if row is None or row.family != family:
            raise NotFound("permission.not_found", f"Permission {permission_id} not found", permission_id)
        return row

    @staticmethod
    def _view(s: Session, row: Assignment) -> PermissionView:
        principal = s.get(Principal, row.principal_id)
        assert principal is not None
        return PermissionView(row.id, row.scope, PrincipalView.of(principal), row.role_id, row.propagate)
