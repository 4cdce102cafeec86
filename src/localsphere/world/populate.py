"""A scenario's identities, put into a freshly seeded world: custom roles, users, groups, service
accounts, tenants and their role grants. Names the world does not know are refused with the line of
the scenario file that wrote them, and nothing of the load is kept."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localsphere.world import identity, tenant_roles
from localsphere.world.access import OPS, ROOTS, SDDC, VCD, VCENTER, VRA
from localsphere.world.auth import digest
from localsphere.world.identity import GROUP, ORG, SERVICE, USER
from localsphere.world.plan import (
    AUTOMATION_FAMILY,
    CLOUD_FAMILY,
    OPS_FAMILY,
    SDDC_FAMILY,
    VCENTER_FAMILY,
    GroupPlan,
    IdentityPlan,
    RolePlan,
)
from localsphere.world.scenario import ScenarioError
from localsphere.world.schema import (
    Assignment,
    Domain,
    Membership,
    Principal,
    Privilege,
    Role,
    RolePrivilege,
    Tenant,
)
from localsphere.world.tenants import DEFAULT_TENANT, add_org, tenant_scope

FAMILY = {
    SDDC_FAMILY: SDDC,
    VCENTER_FAMILY: VCENTER,
    OPS_FAMILY: OPS,
    AUTOMATION_FAMILY: VRA,
    CLOUD_FAMILY: VCD,
}


class _Passwords:
    """Hashes by password: one slow hash per distinct password of a load, not one per user."""

    def __init__(self, hash_password: Callable[[str], str]) -> None:
        self._hash = hash_password
        self._made: dict[str, str] = {}

    def __call__(self, password: str) -> str:
        if password not in self._made:
            self._made[password] = self._hash(password)
        return self._made[password]


def populate(
    s: Session, plan: IdentityPlan, now: float, hash_password: Callable[[str], str], demo_password: str
) -> None:
    for role in plan.roles:
        _add_role(s, role, now)
    s.flush()
    for tenant in plan.tenants:  # first: their orgs' own users are users of the scenario
        known = s.get(Tenant, tenant.name)
        if known is None:
            add_org(s, tenant.name, tenant.full_name or tenant.name, now, tenant.description or "")
        else:  # the demo world's org, say: what the scenario says of it
            known.full_name = tenant.full_name or known.full_name
            known.description = known.description if tenant.description is None else tenant.description
    passwords = _Passwords(hash_password)
    domains = set(s.scalars(select(Domain.name)))
    for user in plan.users:
        if user.domain not in domains:
            raise ScenarioError(user.line, f"user {user.name}: unknown domain {user.domain}")
        row = identity.find(s, identity.login_of(USER, user.name, user.domain))
        password_hash = passwords(user.password or plan.password or demo_password)
        if row is None:
            row = identity.add_principal(s, USER, user.name, user.domain, now, password_hash=password_hash)
        elif user.password is not None:
            row.password_hash, row.password_changed_at = password_hash, now
        row.enabled = user.enabled
        s.flush()
        _grant(s, row, user.roles, user.line, now)
    sso = next(iter(s.scalars(select(Domain.name).where(Domain.kind == identity.SSO))), None)
    for group in plan.groups:
        _add_group(s, group, sso, now)
    for service in plan.service_users:
        row = identity.find(s, identity.login_of(SERVICE, service.name, None))
        if row is None:
            row = identity.add_principal(s, SERVICE, service.name, None, now)
        row.api_key_digest = digest(service.api_key)
        s.flush()
        _grant(s, row, service.roles, service.line, now)


def _add_role(s: Session, role: RolePlan, now: float) -> None:
    family = FAMILY[role.family]
    known = set(s.scalars(select(Privilege.name).where(Privilege.family == family)))
    unknown = sorted(set(role.privileges) - known)
    if unknown:
        raise ScenarioError(
            role.line, f"role {role.name}: unknown {role.family} privileges: {', '.join(unknown)}"
        )
    if s.scalar(select(Role.id).where(Role.family == family, Role.name == role.name)):
        raise ScenarioError(role.line, f"role {role.name}: {role.family} already has a role of that name")
    role_id = identity.new_id()
    s.add(
        Role(
            id=role_id,
            family=family,
            name=role.name,
            description=role.description,
            system=False,
            created_at=now,
        )
    )
    s.flush()
    s.add_all(RolePrivilege(role_id=role_id, privilege=p) for p in sorted(set(role.privileges)))


def _add_group(s: Session, group: GroupPlan, sso: str | None, now: float) -> None:
    """A group of the SSO domain (or the one of that name already there) with its members, which
    are users or groups named before it."""
    row = identity.find(s, identity.login_of(GROUP, group.name, sso))
    if row is None:
        row = identity.add_principal(s, GROUP, group.name, sso, now)
        s.flush()
    for member in group.members:
        found = identity.find(s, identity.login_of(USER, member, sso)) or identity.find(
            s, identity.login_of(GROUP, member, sso)
        )
        if found is None:
            raise ScenarioError(group.line, f"group {group.name}: no user or group {member} in {sso}")
        s.merge(Membership(group_id=row.id, member_id=found.id))
    _grant(s, row, group.roles, group.line, now)


def _grant(s: Session, principal: Principal, roles: dict[str, str], line: int, now: float) -> None:
    """Give the principal each named role at its family's root (a vRA tenant role: in the default
    tenant), in place of what it held there."""
    for family_name, role_name in roles.items():
        family = FAMILY[family_name]
        role_id = s.scalar(select(Role.id).where(Role.family == family, Role.name == role_name))
        if role_id is None:
            raise ScenarioError(line, f"{principal.name}: {family_name} has no role {role_name}")
        scope = ROOTS[family]
        org = s.scalar(select(Domain.tenant).where(Domain.name == principal.domain, Domain.kind == ORG))
        if family == VCD and org is not None:  # an org's own user: a role in its org
            scope = tenant_scope(org)
        if family == VRA:
            kind = tenant_roles.BY_ID[role_name].scope
            if kind == tenant_roles.BUSINESS_GROUP:
                raise ScenarioError(line, f"{principal.name}: {role_name} is a business group role")
            if kind == tenant_roles.TENANT:
                scope = tenant_scope(DEFAULT_TENANT)
        s.execute(
            delete(Assignment).where(
                Assignment.family == family,
                Assignment.principal_id == principal.id,
                Assignment.scope == scope,
            )
        )
        s.add(
            Assignment(
                id=identity.new_id(),
                family=family,
                principal_id=principal.id,
                role_id=role_id,
                scope=scope,
                created_at=now,
            )
        )
