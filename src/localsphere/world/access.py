"""The one access model: privileges and roles per product family, and who holds which role.

A principal's privileges in a family are the union of the roles assigned to it directly and to
the groups it belongs to. Faces ask ``can``/``require``; none of them checks roles on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world import identity, stamp
from localsphere.world.auth import digest, new_api_key
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Forbidden, Invalid, NotFound
from localsphere.world.identity import GROUP, KINDS, LOCAL_DOMAIN, PRINCIPAL_COLUMNS, SERVICE, PrincipalView
from localsphere.world.schema import Assignment, Domain, Membership, Principal, Role, RolePrivilege, Token
from localsphere.world.store import Store

SDDC = "sddc"  # the product family of VCF SDDC Manager's scopes and roles
VCENTER = "vcenter"  # vCenter's privileges, roles and permissions


@dataclass(frozen=True)
class Caller:
    """An authenticated principal acting on one product family, with its privileges there."""

    principal: PrincipalView
    family: str
    privileges: frozenset[str]


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


# A principal's privileges in a family: from its own role assignments and its groups'.
_PRIVILEGES = (
    select(RolePrivilege.privilege)
    .join(Assignment, Assignment.role_id == RolePrivilege.role_id)
    .where(Assignment.family == bindparam("family"), Assignment.scope == "")
    .where(
        (Assignment.principal_id == bindparam("principal"))
        | Assignment.principal_id.in_(
            select(Membership.group_id).where(Membership.member_id == bindparam("principal"))
        )
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
    if not can(caller, privilege):
        raise Forbidden(
            "privilege.missing", f"{caller.principal.upn} lacks {privilege}", caller.principal.upn, privilege
        )


class Access:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def privileges(self, db: Session | Connection, principal_id: str, family: str) -> frozenset[str]:
        return frozenset(db.scalars(_PRIVILEGES, {"principal": principal_id, "family": family}))

    def roles(self, family: str) -> list[RoleView]:
        columns = (Role.id, Role.family, Role.name, Role.description, Role.system)
        with self._store.query() as conn:
            rows = conn.execute(
                select(*columns).where(Role.family == family).order_by(Role.created_at, Role.name)
            )
            return [RoleView(*r) for r in rows]

    def grants(self, family: str, kinds: tuple[str, ...] = KINDS) -> list[Grant]:
        """Role assignments on the family's root, leaving out appliance-local accounts."""
        with self._store.query() as conn:
            rows = conn.execute(_GRANTS, {"family": family, "kinds": list(kinds)})
            return [Grant(gid, PrincipalView(*p), role_id, created) for gid, role_id, created, *p in rows]

    def grant(self, family: str, requests: list[GrantRequest]) -> list[Grant]:
        """Give roles to existing users and groups, creating service accounts (with an API key) on
        the way; all or nothing. A reference to something that does not exist is invalid input."""
        with self._store.write() as s:
            now = self._clock.now(s)
            granted = []
            for req in requests:
                role = s.get(Role, req.role_id)
                if role is None or role.family != family:
                    raise Invalid("role.not_found", f"Role with id {req.role_id} not found", req.role_id)
                api_key = None
                if req.kind == SERVICE:
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
