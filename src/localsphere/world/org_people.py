"""vCloud Director's administration of people in an org: its own users (principals of the org's
own domain, or of the SSO domain for the System org), the groups it imports from the SSO domain
(System org) or from a directory linked to its tenant, the roles it makes (``Role.tenant``) or
shares with every org (the predefined ones), and the rights it holds (``OrgRights``: every
right but those withheld).

A user or group holds one vCD role: in its org (scope ``tenant:<name>``), or, for the System
Administrator role, everywhere (the root). A group's members hold its role through the one
access model (``access.groups_holding``). Passwords are argon2 hashes kept to the SSO password
policy, never echoed. Rights are checked by the face (``org_roles.require``); this module keeps
tenant isolation: an org user sees and changes only its own org's people and roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from localsphere.world import fiql, identity, stamp
from localsphere.world.access import ROOTS, VCD, groups_holding
from localsphere.world.auth import SSO_POLICY, Auth, check_password
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.identity import GROUP, ORG, SSO, USER
from localsphere.world.identity_stores import DIRECTORY
from localsphere.world.org_roles import BY_NAME, RIGHTS, SYSTEM_ADMINISTRATOR, right_id
from localsphere.world.schema import (
    Assignment,
    Domain,
    IdentityStore,
    Membership,
    Principal,
    Role,
    RolePrivilege,
    Token,
    WithheldRight,
)
from localsphere.world.store import Store
from localsphere.world.tenant_principals import TenantPrincipals
from localsphere.world.tenants import DEFAULT_TENANT, Tenants, tenant_scope

# Rights only the provider holds: never an org's, never in a role an org makes.
PROVIDER_RIGHTS = frozenset({"General: Administrator View"})
TENANT_RIGHTS = tuple(r for r in RIGHTS if r not in PROVIDER_RIGHTS)
DESCRIPTION_LENGTH = 4096


RIGHT_BY_ID = {right_id(name): name for name in RIGHTS}


@dataclass(frozen=True)
class RightView:
    id: str
    name: str
    category: str


def right(right_ref: str) -> RightView:
    """A right by its id; NotFound otherwise."""
    name = RIGHT_BY_ID.get(right_ref)
    if name is None:
        raise NotFound("right.not_found", f"No right with id {right_ref}.", right_ref)
    return RightView(right_ref, name, RIGHTS[name])


def rights() -> list[RightView]:
    """Every right of vCD's catalogue, by name."""
    return [RightView(right_id(n), n, RIGHTS[n]) for n in sorted(RIGHTS)]


@dataclass(frozen=True)
class RoleInfo:
    id: str
    name: str
    description: str
    tenant: str | None  # None: every org's (a predefined role)
    predefined: bool
    rights: tuple[str, ...]  # by name


@dataclass(frozen=True)
class UserSpec:
    """What a write of a user sets; None leaves a field as it is. ``locked`` False unlocks (no
    one locks an account but its failed sign-ins)."""

    name: str | None = None
    password: str | None = None
    full_name: str | None = None
    email: str | None = None
    description: str | None = None
    enabled: bool | None = None
    locked: bool | None = None
    role_id: str | None = None


def _visible_role(row: Role | None, viewer: str | None) -> bool:
    if row is None or row.family != VCD:
        return False
    if viewer is None:
        return True
    return row.tenant == viewer if row.tenant else row.name != SYSTEM_ADMINISTRATOR.name


def _scope_of(role: Role, tenant: str) -> str:
    return ROOTS[VCD] if role.name == SYSTEM_ADMINISTRATOR.name and not role.tenant else tenant_scope(tenant)


class OrgPeople:
    def __init__(
        self, store: Store, clock: Clock, auth: Auth, tenants: Tenants, principals: TenantPrincipals
    ):
        self._store = store
        self._clock = clock
        self._auth = auth
        self._tenants = tenants
        self._principals = principals

    # ---- users

    def create_user(self, tenant: str, spec: UserSpec) -> str:
        """A user of the org of ``tenant`` (the System org's: of the SSO domain) with a password
        (the SSO policy's) and a role the org sees; its id. Conflict when the name is taken."""
        name = bounded_text(spec.name or "", "name", identity.NAME_LENGTH)
        if not spec.password:
            raise Invalid("password.missing", "A password is required to create a local user.", "Password")
        if spec.role_id is None:
            raise Invalid("role.missing", "A role is required to create a user.", "Role")
        check_password(spec.password, SSO_POLICY)
        password_hash = self._auth.hash_password(spec.password)
        with self._store.write(serial=True) as s:
            domain = self._own_domain(s, tenant)
            if identity.find(s, identity.login_of(USER, name, domain)) is not None:
                raise Conflict("user.exists", f"A user named {name} already exists in the org.", name)
            now = self._clock.now(s)
            row = identity.add_principal(s, USER, name, domain, now, password_hash=password_hash)
            row.enabled = bool(spec.enabled)
            self._apply(s, row, spec)
            s.flush()
            self._give(s, row.id, self._role(s, spec.role_id, tenant), tenant, now)
            stamp.bump(s)
            return row.id

    def update_user(self, user_id: str, viewer: str | None, spec: UserSpec) -> None:
        """Change a user's names, state, password or role; ``locked`` False unlocks it."""
        password_hash = None
        if spec.password:
            check_password(spec.password, SSO_POLICY)
            password_hash = self._auth.hash_password(spec.password)
        with self._store.write(serial=True) as s:
            row, tenant = self._principal(s, user_id, USER, viewer)
            if spec.name is not None and spec.name.lower() != row.name.lower():
                raise Invalid("user.rename", "A user's name cannot change.", "name")
            self._apply(s, row, spec)
            if spec.enabled is not None:
                row.enabled = spec.enabled
            if spec.locked is False:
                row.locked_until, row.failed_logins, row.first_failed_at = None, 0, None
            if password_hash is not None:
                if row.domain is None or s.get(Domain, row.domain).kind == DIRECTORY:  # type: ignore[union-attr]
                    raise Invalid(
                        "user.external", "A directory user's password is the directory's.", "Password"
                    )
                row.password_hash, row.password_changed_at = password_hash, self._clock.now(s)
                s.execute(update(Token).where(Token.principal_id == row.id).values(revoked=True))
            if spec.role_id is not None:
                self._give(s, row.id, self._role(s, spec.role_id, tenant), tenant, self._clock.now(s))
            if spec.enabled is False:
                s.execute(update(Token).where(Token.principal_id == row.id).values(revoked=True))
            stamp.bump(s)

    def delete_user(self, user_id: str, viewer: str | None, by: str) -> None:
        """Remove a user with its role, memberships and sessions (``by``: the caller's id, who
        may not remove itself)."""
        with self._store.write() as s:
            row, _ = self._principal(s, user_id, USER, viewer)
            if row.id == by:
                raise Invalid("user.self", "You cannot delete your own account.", row.id)
            s.execute(delete(Token).where(Token.principal_id == row.id))
            s.execute(delete(Assignment).where(Assignment.principal_id == row.id))
            s.execute(delete(Membership).where(Membership.member_id == row.id))
            s.delete(row)
            stamp.bump(s)

    # ---- groups

    def import_group(self, tenant: str, name: str, role_id: str | None) -> str:
        """Import a group into the org: the SSO domain's (System org) or a directory's linked to
        its tenant (read from the directory), with a role (vApp User when none is named); its id.
        NotFound when no such group exists there, Conflict when it is imported already."""
        view = self._tenants.get(tenant)
        found = self._principals.get(view, name, GROUP)  # may read the directory
        with self._store.write(serial=True) as s:
            row = s.get(Principal, found.id)
            domain = s.get(Domain, row.domain) if row is not None and row.domain else None
            if row is None or domain is None or domain.kind == ORG:
                raise NotFound("group.not_found", f"No group {name} in the org's identity sources.", name)
            scope = tenant_scope(tenant)
            held = select(Assignment.id).where(
                Assignment.family == VCD, Assignment.principal_id == row.id, Assignment.scope == scope
            )
            if s.scalars(held).first() is not None:
                raise Conflict("group.exists", f"The group {name} is imported already.", name)
            role = self._role(s, role_id or BY_NAME["vApp User"].key, tenant)
            self._give(s, row.id, role, tenant, self._clock.now(s))
            stamp.bump(s)
            return row.id

    def set_group_role(self, group_id: str, viewer: str | None, role_id: str) -> None:
        with self._store.write(serial=True) as s:
            row, tenant = self._principal(s, group_id, GROUP, viewer)
            self._give(s, row.id, self._role(s, role_id, tenant), tenant, self._clock.now(s))
            stamp.bump(s)

    def remove_group(self, group_id: str, viewer: str | None) -> None:
        """Take an imported group out of the org: its members lose its role (the group stays in
        its source)."""
        with self._store.write() as s:
            row, tenant = self._principal(s, group_id, GROUP, viewer)
            s.execute(
                delete(Assignment).where(
                    Assignment.family == VCD,
                    Assignment.principal_id == row.id,
                    Assignment.scope.in_((ROOTS[VCD], tenant_scope(tenant))),
                )
            )
            stamp.bump(s)

    def members(self, group_id: str, viewer: str | None) -> list[tuple[str, str]]:
        """The (id, name) of the users directly in an imported group, by name (a directory
        group's are read from its directory first)."""
        with self._store.read() as s:
            row, tenant = self._principal(s, group_id, GROUP, viewer)
            name = f"{row.name}@{row.domain}"
        self._principals.refresh_members(self._tenants.get(tenant), name)
        with self._store.query() as conn:
            inside = select(Membership.member_id).where(Membership.group_id == group_id)
            query = (
                select(Principal.id, Principal.name)
                .where(Principal.kind == USER, Principal.id.in_(inside))
                .order_by(Principal.name)
                .limit(1000)
            )
            return [(r[0], r[1]) for r in conn.execute(query)]

    # ---- roles

    def roles(
        self, viewer: str | None, offset: int, limit: int, name: str | None = None
    ) -> tuple[int, list[RoleInfo]]:
        """One page of the roles ``viewer`` (a tenant; None: the provider) sees, the predefined
        ones and its own, by name (``name``: those it matches, ``*`` any text): (how many in all,
        the page)."""
        query = select(Role).where(Role.family == VCD)
        if viewer is not None:
            query = query.where(
                (Role.tenant == viewer) | ((Role.tenant == "") & (Role.name != SYSTEM_ADMINISTRATOR.name))
            )
        if name is not None:
            query = query.where(fiql.like(Role.name, name))
        with self._store.read() as s:
            total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = s.scalars(query.order_by(Role.name, Role.id).offset(offset).limit(limit))
            return total, [self._info(s, r) for r in rows]

    def role(self, role_id: str, viewer: str | None) -> RoleInfo:
        with self._store.read() as s:
            row = s.get(Role, role_id)
            if not _visible_role(row, viewer):
                raise NotFound("role.not_found", f"No role with id {role_id}.", role_id)
            assert row is not None
            return self._info(s, row)

    def create_role(self, tenant: str, name: str, description: str, held: list[str]) -> RoleInfo:
        """A role of one org, holding rights the org has. Conflict for a name the org sees
        already; Invalid for an unknown right or one the org lacks."""
        bounded_text(name, "name", identity.NAME_LENGTH)
        with self._store.write(serial=True) as s:
            wanted = self._grantable(s, tenant, held)
            if self._named(s, tenant, name, None):
                raise Conflict("role.exists", f"A role named {name} exists already.", name)
            row = Role(
                id=identity.new_id(),
                family=VCD,
                name=name,
                description=description[:DESCRIPTION_LENGTH],
                system=False,
                created_at=self._clock.now(s),
                tenant=tenant,
            )
            s.add(row)
            s.flush()
            s.add_all(RolePrivilege(role_id=row.id, privilege=r) for r in wanted)
            s.flush()
            return self._info(s, row)

    def update_role(
        self,
        role_id: str,
        viewer: str | None,
        name: str | None,
        description: str | None,
        held: list[str] | None,
    ) -> RoleInfo:
        """Rename, describe or change the rights of a role the caller's org made (a predefined
        role changes only by the provider)."""
        with self._store.write(serial=True) as s:
            row = self._changeable(s, role_id, viewer)
            tenant = row.tenant or DEFAULT_TENANT
            if name is not None and name != row.name:
                bounded_text(name, "name", identity.NAME_LENGTH)
                if row.system:
                    raise Invalid("role.predefined", "A predefined role keeps its name.", row.name)
                if self._named(s, tenant, name, row.id):
                    raise Conflict("role.exists", f"A role named {name} exists already.", name)
                row.name = name
            if description is not None:
                row.description = description[:DESCRIPTION_LENGTH]
            if held is not None:
                wanted = self._grantable(s, tenant, held) if row.tenant else self._known(held)
                s.execute(delete(RolePrivilege).where(RolePrivilege.role_id == row.id))
                s.add_all(RolePrivilege(role_id=row.id, privilege=r) for r in wanted)
            stamp.bump(s)  # its holders' rights change
            s.flush()
            return self._info(s, row)

    def delete_role(self, role_id: str, viewer: str | None) -> None:
        """Remove a role an org made; refused (Invalid) while anyone holds it, and for a
        predefined role."""
        with self._store.write() as s:
            row = self._changeable(s, role_id, viewer)
            if row.system:
                raise Invalid("role.predefined", "A predefined role cannot be deleted.", row.name)
            if s.scalars(select(Assignment.id).where(Assignment.role_id == row.id)).first() is not None:
                raise Invalid("role.in_use", f"The role {row.name} is assigned to users or groups.", row.name)
            s.delete(row)
            stamp.bump(s)

    def held(self, principal_id: str) -> list[tuple[str, str]]:
        """The (id, name) of the vCD roles a principal holds, its groups' included, by name."""
        query = (
            select(Role.id, Role.name)
            .join(Assignment, Assignment.role_id == Role.id)
            .where(Assignment.family == VCD)
            .where(
                (Assignment.principal_id == principal_id)
                | Assignment.principal_id.in_(groups_holding(principal_id))
            )
            .distinct()
            .order_by(Role.name, Role.id)
        )
        with self._store.query() as conn:
            return [(r[0], r[1]) for r in conn.execute(query)]

    # ---- the org's rights

    def org_rights(self, tenant: str) -> list[str]:
        """The rights the org holds, by name: every tenant right but those withheld."""
        with self._store.query() as conn:
            withheld = set(conn.scalars(select(WithheldRight.right).where(WithheldRight.tenant == tenant)))
        return sorted(r for r in TENANT_RIGHTS if r not in withheld)

    def set_org_rights(self, tenant: str, held: list[str]) -> list[str]:
        """Make ``held`` the org's rights (Invalid for an unknown or provider right); the org's own
        roles lose the rights it no longer holds (the predefined roles, every org's, keep theirs)."""
        wanted = set(self._known(held))
        refused = sorted(wanted & PROVIDER_RIGHTS)
        if refused:
            raise Invalid("right.provider", f"The right {refused[0]} is the provider's only.", refused[0])
        withheld = [r for r in TENANT_RIGHTS if r not in wanted]
        with self._store.write() as s:
            s.execute(delete(WithheldRight).where(WithheldRight.tenant == tenant))
            s.add_all(WithheldRight(tenant=tenant, right=r) for r in withheld)
            own = select(Role.id).where(Role.family == VCD, Role.tenant == tenant)
            s.execute(  # the org's own roles lose them too, as the product's do
                delete(RolePrivilege).where(
                    RolePrivilege.role_id.in_(own), RolePrivilege.privilege.in_(withheld)
                )
            )
            stamp.bump(s)
        return self.org_rights(tenant)

    # ---- in a transaction

    @staticmethod
    def _own_domain(s: Session, tenant: str) -> str:
        """Where the org's own users live: its ORG domain, or the SSO domain for the System org."""
        if tenant == DEFAULT_TENANT:
            found = s.scalar(select(Domain.name).where(Domain.kind == SSO).order_by(Domain.name))
        else:
            found = s.scalar(select(Domain.name).where(Domain.kind == ORG, Domain.tenant == tenant))
        if found is None:
            raise NotFound("org.not_found", f"No org of tenant {tenant}.", tenant)
        return found

    @staticmethod
    def _apply(s: Session, row: Principal, spec: UserSpec) -> None:
        if spec.full_name is not None:
            first, _, last = spec.full_name.strip().partition(" ")
            row.first_name = first[: identity.NAME_LENGTH] or None
            row.last_name = last.strip()[: identity.NAME_LENGTH] or None
        if spec.email is not None:
            row.email = spec.email[: identity.NAME_LENGTH] or None
        if spec.description is not None:
            row.description = spec.description[:DESCRIPTION_LENGTH] or None

    @staticmethod
    def _principal(s: Session, principal_id: str, kind: str, viewer: str | None) -> tuple[Principal, str]:
        """A user (or group) of an org ``viewer`` sees, and that org's tenant; a group counts as
        the org's only while it holds a role there (imported)."""
        row = s.get(Principal, principal_id) if len(principal_id) <= 36 else None
        tenant = None
        if row is not None and row.kind == kind and row.domain is not None:
            domain = s.get(Domain, row.domain)
            linked = s.scalar(select(IdentityStore.tenant).where(IdentityStore.domain == row.domain))
            if domain is not None:
                tenant = domain.tenant or linked or (DEFAULT_TENANT if domain.kind == SSO else None)
        if tenant is not None and kind == GROUP:
            scopes = (ROOTS[VCD], tenant_scope(tenant))
            held = select(Assignment.id).where(
                Assignment.family == VCD,
                Assignment.principal_id == principal_id,
                Assignment.scope.in_(scopes),
            )
            tenant = tenant if s.scalars(held).first() is not None else None
        if row is None or tenant is None or (viewer is not None and tenant.lower() != viewer.lower()):
            what = kind.lower()
            raise NotFound(f"{what}.not_found", f"No {what} with id {principal_id}.", principal_id)
        return row, tenant

    @staticmethod
    def _role(s: Session, role_ref: str, tenant: str) -> Role:
        row = s.get(Role, role_ref) if len(role_ref) <= 36 else None
        if not _visible_role(row, None if tenant == DEFAULT_TENANT else tenant):
            raise Invalid("role.not_found", f"No role with id {role_ref}.", role_ref)
        if row is not None and row.tenant and row.tenant != tenant:
            raise Invalid("role.not_found", f"No role with id {role_ref}.", role_ref)
        assert row is not None
        return row

    @staticmethod
    def _give(s: Session, principal_id: str, role: Role, tenant: str, now: float) -> None:
        """Make ``role`` the principal's one vCD role in ``tenant``'s org."""
        s.execute(
            delete(Assignment).where(
                Assignment.family == VCD,
                Assignment.principal_id == principal_id,
                Assignment.scope.in_((ROOTS[VCD], tenant_scope(tenant))),
            )
        )
        s.add(
            Assignment(
                id=identity.new_id(),
                family=VCD,
                principal_id=principal_id,
                role_id=role.id,
                scope=_scope_of(role, tenant),
                created_at=now,
            )
        )

    @staticmethod
    def _known(held: list[str]) -> list[str]:
        unknown = sorted({r for r in held if r not in RIGHTS})
        if unknown:
            raise Invalid("right.not_found", f"No right named {unknown[0]}.", unknown[0])
        return sorted(set(held))

    def _grantable(self, s: Session, tenant: str, held: list[str]) -> list[str]:
        """``held`` when the org holds every one of them (the provider's roles: any right)."""
        wanted = self._known(held)
        if tenant == DEFAULT_TENANT:
            return wanted
        withheld = set(s.scalars(select(WithheldRight.right).where(WithheldRight.tenant == tenant)))
        lacking = [r for r in wanted if r in withheld or r in PROVIDER_RIGHTS]
        if lacking:
            raise Invalid("right.not_in_org", f"The org does not hold the right {lacking[0]}.", lacking[0])
        return wanted

    @staticmethod
    def _named(s: Session, tenant: str, name: str, other_than: str | None) -> bool:
        query = select(Role.id).where(
            Role.family == VCD,
            func.lower(Role.name) == name.lower(),
            (Role.tenant == tenant) | (Role.tenant == ""),
        )
        return any(found != other_than for found in s.scalars(query))

    @staticmethod
    def _changeable(s: Session, role_id: str, viewer: str | None) -> Role:
        row = s.get(Role, role_id) if len(role_id) <= 36 else None
        if not _visible_role(row, viewer):
            raise NotFound("role.not_found", f"No role with id {role_id}.", role_id)
        assert row is not None
        if not row.tenant and viewer is not None:
            raise Invalid("role.predefined", "Only the provider changes a predefined role.", row.name)
        return row

    @staticmethod
    def _info(s: Session, row: Role) -> RoleInfo:
        held = s.scalars(
            select(RolePrivilege.privilege)
            .where(RolePrivilege.role_id == row.id)
            .order_by(RolePrivilege.privilege)
        )
        return RoleInfo(row.id, row.name, row.description, row.tenant or None, row.system, tuple(held))
