"""vCloud Director's roles in the one access model (family ``vcd``): its rights, the predefined
roles that hold them, and what a caller signed in to an org may do.

A role is held system-wide (scope ``""``: the System org's administrators, in every org) or in
an org (scope ``tenant:<name>``). Rights and role names are vCD's own, as its UI and API show
them (``vApp: Power Operations``, ``Organization Administrator``); the set here is the part of
vCD's catalogue the face's operations check. Role ids are fixed UUIDs, so a world keeps them
across resets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localsphere.world.access import ROOTS, VCD
from localsphere.world.clock import Clock
from localsphere.world.errors import Forbidden, NotFound
from localsphere.world.identity import SSO, USER
from localsphere.world.identity_stores import DIRECTORY
from localsphere.world.schema import (
    Assignment,
    Domain,
    IdentityStore,
    Principal,
    Privilege,
    Role,
    RolePrivilege,
)
from localsphere.world.store import Store
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import DEFAULT_TENANT, tenant_scope

VIEW_ORG = "Organization: View"
VIEW_VDC = "Organization vDC: View"
VIEW_CATALOGS = "Catalog: View Private and Shared Catalogs"
CAPTURE = "Catalog: Add vApp from My Cloud"
CREATE_VAPP = "vApp: Create / Reconfigure a vApp"
COPY_VAPP = "vApp: Copy"
DELETE_VAPP = "vApp: Delete"
POWER = "vApp: Power Operations"
EDIT_CPU = "vApp: Edit VM CPU"
EDIT_MEMORY = "vApp: Edit VM Memory"
EDIT_NETWORK = "vApp: Edit VM Network"
EDIT_PROPERTIES = "vApp: Edit VM Properties"
VIEW_VAPP = "vApp: View vApp"
VIEW_TASKS = "Task: View Tasks"
MANAGE_TASKS = "Task: Resume, Abort, or Fail"
ADMIN_VIEW = "General: Administrator View"
# users, groups, roles and catalogs (the administration API's rights)
CREATE_CATALOG = "Catalog: Create / Delete a Catalog"
EDIT_CATALOG = "Catalog: Edit Properties"
VIEW_PEOPLE = "Group / User: View"
MANAGE_PEOPLE = "Group / User: Manage"
MANAGE_ROLES = "Role: Create, Edit, Delete, or Copy"

# right -> its category, as vCD groups them
RIGHTS = {
    VIEW_ORG: "Organization",
    VIEW_VDC: "Organization vDC",
    VIEW_CATALOGS: "Catalog",
    CAPTURE: "Catalog",
    CREATE_VAPP: "vApp",
    COPY_VAPP: "vApp",
    DELETE_VAPP: "vApp",
    POWER: "vApp",
    EDIT_CPU: "vApp",
    EDIT_MEMORY: "vApp",
    EDIT_NETWORK: "vApp",
    EDIT_PROPERTIES: "vApp",
    VIEW_VAPP: "vApp",
    VIEW_TASKS: "Task",
    MANAGE_TASKS: "Task",
    ADMIN_VIEW: "General",
    CREATE_CATALOG: "Catalog",
    EDIT_CATALOG: "Catalog",
    VIEW_PEOPLE: "Group / User",
    MANAGE_PEOPLE: "Group / User",
    MANAGE_ROLES: "Role",
}
_VIEWS = (VIEW_ORG, VIEW_VDC, VIEW_CATALOGS, VIEW_VAPP, VIEW_TASKS)
_VAPP_USE = (*_VIEWS, POWER, EDIT_CPU, EDIT_MEMORY, EDIT_NETWORK, EDIT_PROPERTIES)
_VAPP_AUTHOR = (*_VAPP_USE, CREATE_VAPP, COPY_VAPP, DELETE_VAPP)
_ORG_ADMIN = tuple(r for r in RIGHTS if r != ADMIN_VIEW)
_ROLE_IDS = uuid.UUID("4c53a1d0-0000-4000-8000-00000000c0d0")  # namespace of the roles' fixed ids


_RIGHT_IDS = uuid.UUID("4c53a1d0-0000-4000-8000-00000000c0d1")  # namespace of the rights' fixed ids


def right_id(name: str) -> str:
    """A right's fixed id (vCD's ``urn:vcloud:right:<uuid>``), from its name."""
    return str(uuid.uuid5(_RIGHT_IDS, name))


@dataclass(frozen=True)
class OrgRole:
    name: str
    description: str
    rights: tuple[str, ...]

    @property
    def key(self) -> str:
        return str(uuid.uuid5(_ROLE_IDS, self.name))


SYSTEM_ADMINISTRATOR = OrgRole("System Administrator", "Manages the whole cloud.", tuple(RIGHTS))
ORGANIZATION_ADMINISTRATOR = OrgRole(
    "Organization Administrator", "Manages the users, catalogs and vApps of an organization.", _ORG_ADMIN
)
CATALOG_AUTHOR_RIGHTS = (*_VAPP_AUTHOR, CAPTURE, MANAGE_TASKS, CREATE_CATALOG, EDIT_CATALOG)
CATALOGUE = (
    SYSTEM_ADMINISTRATOR,
    ORGANIZATION_ADMINISTRATOR,
    OrgRole("Catalog Author", "Creates and publishes catalogs and their templates.", CATALOG_AUTHOR_RIGHTS),
    OrgRole("vApp Author", "Uses catalogs and creates vApps.", _VAPP_AUTHOR),
    OrgRole("vApp User", "Uses existing vApps.", _VAPP_USE),
    OrgRole("Console Access Only", "Views vApps and their VMs' state.", _VIEWS),
    OrgRole("Defer to Identity Provider", "Holds the rights its identity provider's roles give.", ()),
)
BY_NAME = {r.name: r for r in CATALOGUE}


def seed_catalogue(s: Session, now: float) -> None:
    """vCloud Director's rights and predefined roles, as every world has them."""
    s.add_all(
        Privilege(family=VCD, name=right, group=group, description=right) for right, group in RIGHTS.items()
    )
    for role in CATALOGUE:
        s.add(
            Role(
                id=role.key,
                family=VCD,
                name=role.name,
                description=role.description,
                system=True,
                created_at=now,
            )
        )
    s.flush()
    s.add_all(RolePrivilege(role_id=role.key, privilege=right) for role in CATALOGUE for right in role.rights)


def rights(caller: TenantCaller) -> frozenset[str]:
    """What a caller may do in the org it signed in to: its system-wide roles' rights and its
    roles' in that org."""
    grants = caller.caller.grants
    return grants.on([ROOTS[VCD]]) | grants.on([tenant_scope(caller.tenant)])


def require(caller: TenantCaller, right: str) -> None:
    """Forbidden, in vCD's words, unless the caller holds ``right``."""
    if right not in rights(caller):
        raise Forbidden(
            "right.missing",
            f"Either you need some or all of the following rights [{right}] to perform this operation "
            "or the target entity is invalid.",
            right,
        )


@dataclass(frozen=True)
class OrgUser:
    """A user as an org shows it: where it belongs (its tenant), whether it signs in from a
    directory, its account's state and its vCD roles."""

    id: str
    name: str
    tenant: str
    full_name: str
    email: str | None
    enabled: bool
    locked: bool
    external: bool  # a directory's user (LDAP), not the org's own
    roles: tuple[str, ...]
    role_ids: tuple[str, ...] = ()


def org_user_id(db: Any, org: str, upn: str) -> str | None:
    """The id of the user ``upn`` (name@domain, any case) when it is one of the org's (of a
    domain the org holds, or the SSO domain for the System org); None otherwise."""
    row = db.execute(
        select(Principal.id, Domain.kind, func.coalesce(Domain.tenant, IdentityStore.tenant))
        .join(Domain, Domain.name == Principal.domain)
        .outerjoin(IdentityStore, IdentityStore.domain == Domain.name)
        .where(Principal.kind == USER, Principal.login == upn.lower())
    ).first()
    if row is None:
        return None
    tenant = _org_of(row[1], row[2])
    return row[0] if tenant is not None and tenant.lower() == org.lower() else None


def _org_of(domain_kind: str, tenant: str | None) -> str | None:
    """The org a user's domain belongs to: its tenant's, or the System org's for the SSO domain."""
    return tenant or (DEFAULT_TENANT if domain_kind == SSO else None)


class OrgRoles:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def user(self, user_id: str, viewer: str | None, kind: str = USER) -> OrgUser:
        """A user (or, ``kind`` GROUP, a group) of an org (the System org's: the SSO domain's),
        as ``viewer`` (a tenant; None: the provider) may see it; NotFound otherwise."""
        with self._store.query() as conn:
            now = self._clock.now(conn)
            row = conn.execute(
                select(
                    Principal.id,
                    Principal.name,
                    Principal.first_name,
                    Principal.last_name,
                    Principal.email,
                    Principal.enabled,
                    Principal.locked_until,
                    Domain.kind,
                    func.coalesce(Domain.tenant, IdentityStore.tenant),
                )
                .join(Domain, Domain.name == Principal.domain)
                .outerjoin(IdentityStore, IdentityStore.domain == Domain.name)
                .where(Principal.id == user_id, Principal.kind == kind)
            ).first()
            tenant = _org_of(row[7], row[8]) if row is not None else None
            if row is None or tenant is None or (viewer is not None and tenant != viewer):
                what = kind.lower()
                raise NotFound(f"{what}.not_found", f"No {what} with id {user_id}.", user_id)
            held = list(
                conn.execute(
                    select(Role.id, Role.name)
                    .join(Assignment, Assignment.role_id == Role.id)
                    .where(Assignment.family == VCD, Assignment.principal_id == user_id)
                    .order_by(Role.name)
                )
            )
        full = " ".join(part for part in (row[2], row[3]) if part)
        locked = row[6] is not None and row[6] > now
        return OrgUser(
            row[0],
            row[1],
            tenant,
            full,
            row[4],
            row[5],
            locked,
            row[7] == DIRECTORY,
            tuple(name for _, name in held),
            tuple(rid for rid, _ in held),
        )
