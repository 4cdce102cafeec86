"""vRealize Automation's roles in the one access model (family ``vra``): the 6.2 catalogue, who
holds which role where, and what a caller may do in a tenant.

A role is held system-wide (scope ``""``: the system administrator), in a tenant (scope
``tenant:<name>``) or in a business group (``tenant:<name>:group:<id>``). Role ids are vRA's
(``CSP_TENANT_ADMIN``); the store keys each by a fixed UUID and keeps the id as its name. What
a role allows is the set of vRA permissions it holds (``assignedPermissions``), and those are the
privileges faces check. A caller sees a tenant when it signed in there or holds a system role;
any other tenant does not exist for it (NotFound, as vRA hides it).

Role ids and permissions vRA's public documents show: CSP_TENANT_ADMIN, CSP_SUBTENANT_MANAGER,
CSP_SUPPORT, CSP_CONSUMER, COM_VMWARE_IAAS_IAAS_ADMINISTRATOR, CSP_APPROVAL_ADMIN,
CATALOG_SERVICE_CATALOG_ADMIN; MY_TENANT_MANAGEMENT, TENANT_ADMIN_ROLE_ASSIGNMENT,
TENANT_USER_DATA_MANAGEMENT, CATALOG_CONSUME_TENANT_MGMT. The system administrator's, fabric
group administrator's and service architect's ids, and the other permission ids, are this
emulator's choice in the same style (no public source names them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from localsphere.world import identity, odata, stamp
from localsphere.world.access import ROOTS, VRA, Caller, groups_holding
from localsphere.world.clock import Clock
from localsphere.world.errors import Forbidden, Invalid, NotFound
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.schema import Assignment, Principal, Privilege, Role, RolePrivilege
from localsphere.world.store import Store
from localsphere.world.tenant_principals import TenantPrincipals
from localsphere.world.tenants import TenantView, group_scope, tenant_scope

SYSTEM, TENANT, BUSINESS_GROUP = "SYSTEM", "TENANT", "SUBTENANT"

# permission id -> (name, description)
PERMISSIONS = {
    "TENANT_MANAGEMENT": (
        "Tenant Management",
        "Create, update and delete tenants and their identity stores.",
    ),
    "MY_TENANT_MANAGEMENT": ("My Tenant Management", "Manage my tenant."),
    "TENANT_ADMIN_ROLE_ASSIGNMENT": (
        "Tenant Administrator Role Assignment",
        "Assign the tenant administrator role to other users.",
    ),
    "TENANT_USER_DATA_MANAGEMENT": (
        "Tenant User Data Management",
        "Manage the users and groups of a tenant.",
    ),
    "TENANT_ROLE_ASSIGNMENT": ("Tenant Role Assignment", "Assign tenant roles to users and groups."),
    "IAAS_ADMINISTRATION": ("IaaS Administration", "Manage endpoints, fabric groups and credentials."),
    "FABRIC_GROUP_ADMINISTRATION": (
        "Fabric Group Administration",
        "Manage reservations and compute resources.",
    ),
    "APPROVAL_POLICY_MANAGEMENT": ("Approval Policy Management", "Manage approval policies."),
    "CATALOG_ADMINISTRATION": ("Catalog Administration", "Manage services, catalog items and entitlements."),
    "SERVICE_DESIGN": ("Service Design", "Design and publish advanced services."),
    "CATALOG_CONSUME_TENANT_MGMT": (
        "Catalog Consume Tenant Management",
        "Consume services, resources and manage requests on behalf of any user within a Tenant",
    ),
    "SUBTENANT_MANAGEMENT": ("Business Group Management", "Manage a business group's members and requests."),
    "SUBTENANT_SUPPORT": (
        "Business Group Support",
        "Request and manage items on behalf of a business group.",
    ),
    "CATALOG_CONSUME": ("Catalog Consume", "Request catalog items and manage one's own items."),
}


@dataclass(frozen=True)
class RoleDef:
    id: str  # vRA's role id
    name: str
    description: str
    scope: str  # SYSTEM | TENANT | SUBTENANT
    permissions: tuple[str, ...]

    @property
    def key(self) -> str:
        """The role's row id in the store: fixed for the life of every world."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"localsphere:vra:role:{self.id}"))


CATALOGUE = (
    RoleDef("CSP_ADMIN", "System Administrator", "System Administrator", SYSTEM, ("TENANT_MANAGEMENT",)),
    RoleDef(
        "CSP_TENANT_ADMIN",
        "Tenant Administrator",
        "Tenant Administrator",
        TENANT,
        (
            "MY_TENANT_MANAGEMENT",
            "TENANT_ADMIN_ROLE_ASSIGNMENT",
            "TENANT_USER_DATA_MANAGEMENT",
            "TENANT_ROLE_ASSIGNMENT",
            "CATALOG_CONSUME_TENANT_MGMT",
        ),
    ),
    RoleDef(
        "COM_VMWARE_IAAS_IAAS_ADMINISTRATOR",
        "IaaS Administrator",
        "IaaS Administrator",
        TENANT,
        ("IAAS_ADMINISTRATION",),
    ),
    RoleDef(
        "COM_VMWARE_IAAS_VIRTUAL_INFRASTRUCTURE_ADMIN",
        "Fabric Group Administrator",
        "Fabric Group Administrator",
        TENANT,
        ("FABRIC_GROUP_ADMINISTRATION",),
    ),
    RoleDef(
        "CSP_APPROVAL_ADMIN",
        "Approval Administrator",
        "Approval Administrator",
        TENANT,
        ("APPROVAL_POLICY_MANAGEMENT",),
    ),
    RoleDef(
        "CATALOG_SERVICE_CATALOG_ADMIN",
        "Catalog Administrator",
        "Catalog Administrator",
        TENANT,
        ("CATALOG_ADMINISTRATION",),
    ),
    RoleDef(
        "COM_VMWARE_DOMAIN_SERVICE_ARCHITECT",
        "Service Architect",
        "Service Architect",
        TENANT,
        ("SERVICE_DESIGN",),
    ),
    RoleDef(
        "CSP_SUBTENANT_MANAGER",
        "Business Group Manager",
        "Business Group Manager",
        BUSINESS_GROUP,
        ("SUBTENANT_MANAGEMENT", "SUBTENANT_SUPPORT", "CATALOG_CONSUME"),
    ),
    RoleDef(
        "CSP_SUPPORT",
        "Support User",
        "Support User",
        BUSINESS_GROUP,
        ("SUBTENANT_SUPPORT", "CATALOG_CONSUME"),
    ),
    RoleDef("CSP_CONSUMER", "Basic User", "Basic User", BUSINESS_GROUP, ("CATALOG_CONSUME",)),
)
BY_ID = {role.id: role for role in CATALOGUE}
BY_KEY = {role.key: role for role in CATALOGUE}
GROUP_ROLES = tuple(role for role in CATALOGUE if role.scope == BUSINESS_GROUP)
SYSTEM_ADMIN, TENANT_ADMIN = BY_ID["CSP_ADMIN"], BY_ID["CSP_TENANT_ADMIN"]


@dataclass(frozen=True)
class TenantCaller:
    """A caller signed in to a tenant with a vRA bearer token."""

    caller: Caller
    tenant: str  # where it signed in

    @property
    def system(self) -> frozenset[str]:
        """What its system-wide roles allow (the system administrator's: in every tenant)."""
        return self.caller.grants.on([ROOTS[VRA]])

    def privileges(self, tenant: TenantView) -> frozenset[str]:
        """What it may do in ``tenant``: its system roles', and its tenant roles' there if it
        signed in there. NotFound when the tenant is not one it can see."""
        system = self.system
        if self.tenant.lower() != tenant.name.lower():
            if not system:
                raise NotFound("tenant.not_found", f"Tenant {tenant.name} not found.", tenant.name)
            return system
        return system | self.caller.grants.on([tenant_scope(tenant.name)])

    def require(self, tenant: TenantView, *permissions: str, held: frozenset[str] | None = None) -> None:
        """Forbidden unless it holds one of ``permissions`` in ``tenant`` (or in ``held``)."""
        if (held if held is not None else self.privileges(tenant)).isdisjoint(permissions):
            upn = self.caller.principal.upn
            raise Forbidden("privilege.missing", f"{upn} is not authorized to perform this operation.", upn)

    def groups(self, tenant: TenantView) -> frozenset[str]:
        """The ids of the business groups of ``tenant`` where it holds a role (itself or through
        a group), if it signed in there."""
        if self.tenant.lower() != tenant.name.lower():
            return frozenset()
        prefix = group_scope(tenant.name, "")
        return frozenset(
            scope.removeprefix(prefix)
            for scope in self.caller.grants.scopes()
            if scope.startswith(prefix) and self.caller.grants.on([scope])
        )

    def in_group(self, tenant: TenantView, group_id: str) -> frozenset[str]:
        """What it may do in a business group of ``tenant``: the tenant's, and its roles' there."""
        return self.privileges(tenant) | self.caller.grants.on([group_scope(tenant.name, group_id)])

    def groups_with(self, tenant: TenantView, permission: str) -> list[str]:
        """The ids of ``tenant``'s business groups where its roles hold ``permission``."""
        prefix = group_scope(tenant.name, "")
        grants = self.caller.grants
        held = (s for s in grants.scopes() if s.startswith(prefix) and permission in grants.on([s]))
        return sorted(s[len(prefix) :] for s in held)


# vRA's field names of a role, for $filter and $orderby (the store keeps its id as the name and
# its display name as the description).
ROLE_FIELDS: odata.Fields = {"id": Role.name, "name": Role.description, "description": Role.description}


def _role_of(row: Row[Any]) -> RoleDef:
    return BY_ID[row[0]]


def role(role_id: str) -> RoleDef:
    found = BY_ID.get(role_id)
    if found is None:
        raise NotFound("role.not_found", f"Role {role_id} not found.", role_id)
    return found


class TenantRoles:
    def __init__(self, store: Store, clock: Clock, principals: TenantPrincipals) -> None:
        self._store = store
        self._clock = clock
        self._principals = principals

    def catalogue(self, listing: Listing, scopes: tuple[str, ...] = ()) -> Counted[RoleDef]:
        """vRA's roles (those of the ``scopes`` named: SYSTEM, TENANT, SUBTENANT), paged and
        filtered by id, name and description."""
        query = select(Role.name).where(Role.family == VRA)
        if scopes:
            query = query.where(Role.name.in_([r.id for r in CATALOGUE if r.scope in scopes]))
        with self._store.query() as conn:
            return cut(conn, query, ROLE_FIELDS, listing, (Role.name,), _role_of)

    def of(
        self, tenant: TenantView, principal_id: str, listing: Listing, by: TenantCaller
    ) -> Counted[RoleDef]:
        """The roles a user or group holds in a tenant, its groups' and its system roles included.
        Anyone may read its own; another's needs tenant management or user data management."""
        principal = self._principals.get(tenant, principal_id)
        if principal.id != by.caller.principal.id:
            by.require(tenant, "TENANT_MANAGEMENT", "TENANT_USER_DATA_MANAGEMENT")
        scopes = (ROOTS[VRA], tenant_scope(tenant.name))
        groups = groups_holding(principal.id)
        held = (
            select(Assignment.role_id)
            .where(Assignment.family == VRA, Assignment.scope.in_(scopes))
            .where((Assignment.principal_id == principal.id) | Assignment.principal_id.in_(groups))
        )
        query = select(Role.name).where(Role.family == VRA, Role.id.in_(held))
        with self._store.query() as conn:
            return cut(conn, query, ROLE_FIELDS, listing, (Role.name,), _role_of)

    def assign(self, tenant: TenantView, principal_id: str, role_id: str, by: TenantCaller) -> None:
        """Give a user or group of the tenant a system or tenant role (a system role only by a
        system administrator); doing it twice changes nothing."""
        chosen = self._assignable(tenant, role_id, by)
        principal = self._principals.get(tenant, principal_id)  # may read the directory: first
        with self._store.write(serial=True) as s:
            row = s.get(Principal, principal.id)
            if row is None:
                raise NotFound("principal.not_found", f"Principal {principal_id} not found.", principal_id)
            give(s, row, chosen, _scope_of(tenant, chosen), self._clock.now(s))
            stamp.bump(s)

    def unassign(self, tenant: TenantView, principal_id: str, role_id: str, by: TenantCaller) -> None:
        chosen = self._assignable(tenant, role_id, by)
        principal = self._principals.get(tenant, principal_id)
        with self._store.write(serial=True) as s:
            s.execute(
                delete(Assignment).where(
                    Assignment.family == VRA,
                    Assignment.principal_id == principal.id,
                    Assignment.role_id == chosen.key,
                    Assignment.scope == _scope_of(tenant, chosen),
                )
            )
            stamp.bump(s)

    @staticmethod
    def _assignable(tenant: TenantView, role_id: str, by: TenantCaller) -> RoleDef:
        chosen = BY_ID.get(role_id)
        if chosen is None or chosen.scope == BUSINESS_GROUP:
            raise Invalid("role.not_found", f"Role {role_id} is not a system or tenant role.", role_id)
        if chosen.scope == SYSTEM:
            by.require(tenant, "TENANT_MANAGEMENT")
        else:
            by.require(tenant, "TENANT_MANAGEMENT", "TENANT_ROLE_ASSIGNMENT")
        if chosen.scope == SYSTEM and not tenant.is_default:
            raise Invalid(
                "role.system_tenant", f"{role_id} is held by users of the default tenant only.", role_id
            )
        return chosen


def _scope_of(tenant: TenantView, chosen: RoleDef) -> str:
    return ROOTS[VRA] if chosen.scope == SYSTEM else tenant_scope(tenant.name)


def give(s: Session, principal: Principal, chosen: RoleDef, scope: str, now: float) -> None:
    """Give ``principal`` the role at ``scope`` unless it holds it there already (in ``s``)."""
    held = select(Assignment.id).where(
        Assignment.family == VRA,
        Assignment.principal_id == principal.id,
        Assignment.role_id == chosen.key,
        Assignment.scope == scope,
    )
    if s.scalars(held).first() is None:
        s.add(
            Assignment(
                id=identity.new_id(),
                family=VRA,
                principal_id=principal.id,
                role_id=chosen.key,
                scope=scope,
                created_at=now,
            )
        )


def seed_catalogue(s: Session, now: float) -> None:
    """vRA's roles and permissions, as every world has them."""
    s.add_all(
        Privilege(family=VRA, name=p, group=name, description=description)
        for p, (name, description) in PERMISSIONS.items()
    )
    for r in CATALOGUE:
        s.add(Role(id=r.key, family=VRA, name=r.id, description=r.name, system=True, created_at=now))
    s.flush()
    s.add_all(RolePrivilege(role_id=r.key, privilege=p) for r in CATALOGUE for p in r.permissions)
