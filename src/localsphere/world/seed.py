"""The seeded demo world: what a first start and every reset begin with.

Ids that users put into scripts (the SDDC Manager role ids) are fixed, so they stay the same for
the life of a world and across resets.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from localsphere.settings import InventorySpec
from localsphere.world import datastore_space, identity, inventory, org_roles
from localsphere.world.access import OPS, ROOTS, SDDC, VCD, VCENTER, VRA
from localsphere.world.auth import digest
from localsphere.world.demo_catalog import seed_demo_catalog
from localsphere.world.demo_cloud import seed_demo_cloud, seed_demo_org
from localsphere.world.demo_reservations import seed_demo_reservations
from localsphere.world.identity import GROUP, LOCAL, LOCAL_DOMAIN, SERVICE, SSO, USER
from localsphere.world.org_vdcs import add_planned
from localsphere.world.plan import Scenario
from localsphere.world.populate import populate
from localsphere.world.schema import (
    WORLD_TABLES,
    Assignment,
    Domain,
    Membership,
    Meta,
    Principal,
    Privilege,
    Role,
    RolePrivilege,
    Tenant,
    WorldState,
)
from localsphere.world.stamp import new_stamp
from localsphere.world.tenant_roles import SYSTEM_ADMIN, TENANT_ADMIN, seed_catalogue
from localsphere.world.tenants import DEFAULT_TENANT, tenant_scope
from localsphere.world.tokens import ensure_signing_key

SSO_DOMAIN = "vsphere.local"

SDDC_SCOPES = {
    "USER_READ": ("Users", "Read users, roles and SSO domains"),
    "USER_WRITE": ("Users", "Add and remove users, manage the local account"),
    "CREDENTIAL_READ": ("Credentials", "Read credentials"),
    "CREDENTIAL_WRITE": ("Credentials", "Rotate and update credentials"),
    "BACKUP_CONFIG_READ": ("Backup", "Read the backup configuration"),
    "BACKUP_CONFIG_WRITE": ("Backup", "Change the backup configuration"),
    "OTHER_READ": ("Other", "Read inventory, tasks and everything else"),
    "OTHER_WRITE": ("Other", "Change inventory and start operations"),
}

SDDC_ROLES = {
    "ADMIN": ("31fde0ae-a292-4141-ad25-79724a7c81e1", "Administrator", tuple(SDDC_SCOPES)),
    "OPERATOR": (
        "429255c8-21d3-40eb-84b5-df7451508e47",
        "Operator",
        ("OTHER_READ", "OTHER_WRITE", "USER_READ", "BACKUP_CONFIG_READ"),
    ),
    "VIEWER": (
        "e6e05b87-8a49-4c24-9d9c-0f8f4596e4f1",
        "Viewer",
        ("OTHER_READ", "USER_READ", "BACKUP_CONFIG_READ"),
    ),
}

# VCF Operations: its privilege keys (the product's own names where the reference shows them) and
# roles, with ids fixed for the life of a world.
OPS_PRIVILEGES = {
    "ViewEnvironment": "Read adapter kinds, resources and their metrics",
    "ManageResources": "Create and delete resources, push metrics",
    "ManageAlerts": "Manage alert definitions",
    "ManageAlarms": "Manage alarms",
    "ManageNotificationPlugins": "Manage notification plug-ins",
    "ManageUsers": "Manage users, groups and roles",
}
_OPS_ALL = tuple(OPS_PRIVILEGES)
_OPS_READ = ("ViewEnvironment",)
OPS_ROLES = {
    "Administrator": _OPS_ALL,
    "PowerUser": tuple(p for p in _OPS_ALL if p != "ManageUsers"),
    "PowerUserMinusRemediation": ("ViewEnvironment", "ManageAlerts", "ManageAlarms"),
    "ContentAdmin": ("ViewEnvironment", "ManageAlerts", "ManageAlarms", "ManageNotificationPlugins"),
    "ReadOnly": _OPS_READ,
    **{f"GeneralUser-{n}": _OPS_READ for n in range(1, 5)},
}


def ops_role_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"localsphere:ops:role:{name}"))


# (name, SDDC Manager role, vCenter role at the root, Operations role); every seeded SSO user has the
# demo password.
SSO_USERS = [
    ("administrator", "ADMIN", "-1", "Administrator"),
    ("operator", "OPERATOR", "4", "PowerUser"),
    ("viewer", "VIEWER", "-2", "ReadOnly"),
    ("USER_1", None, None, None),
    ("USER_2", None, None, None),
    ("USER_3", None, None, None),
    ("USER_4", None, None, None),
]
DATA = Path(__file__).with_name("data")
SSO_GROUPS = {"group_1": ["USER_1", "USER_2"], "group_2": ["USER_3"], "group_3": ["USER_4"], "group_4": []}
# The demo inventory has been running for a month: its objects were made then, and Operations has
# that much metric history of them.
INVENTORY_AGE = 30 * 86400
SERVICE_USERS = [("automationapp", "6598S0SIQC04sGjEr0nIeDlZx18GYRoT", "ADMIN")]


def seed(
    s: Session,
    now: float,
    hash_password: Callable[[str], str],
    demo_password: str,
    inventory_spec: InventorySpec,
    scenario: Scenario | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Empty the world and fill it with the demo world, or with what ``scenario`` describes (the
    signing key survives); returns how many inventory objects it made."""
    scenario = scenario or Scenario()
    for table in reversed(WORLD_TABLES):  # children first, so foreign keys never object
        if table.name != Meta.__tablename__:  # the signing key and the scenario to reset to stay
            s.execute(delete(table))
    ensure_signing_key(s)
    s.add(
        WorldState(
            id=1,
            clock_offset=0.0,
            clock_frozen_at=None,
            access_stamp=new_stamp(),
            settings=json.dumps(scenario.settings),
        )
    )
    s.add_all(
        [
            Domain(name=SSO_DOMAIN, kind=SSO, created_at=now),
            Domain(name=LOCAL_DOMAIN, kind=LOCAL, created_at=now),
        ]
    )
    s.add_all(Privilege(family=SDDC, name=n, group=g, description=d) for n, (g, d) in SDDC_SCOPES.items())
    for name, (role_id, description, scopes) in SDDC_ROLES.items():
        s.add(Role(id=role_id, family=SDDC, name=name, description=description, system=True, created_at=now))
        s.add_all(RolePrivilege(role_id=role_id, privilege=p) for p in scopes)
    _seed_vcenter_catalogue(s, now)
    s.add_all(
        Privilege(family=OPS, name=n, group="Operations", description=d) for n, d in OPS_PRIVILEGES.items()
    )
    for name, held in OPS_ROLES.items():
        s.add(
            Role(id=ops_role_id(name), family=OPS, name=name, description=name, system=True, created_at=now)
        )
        s.add_all(RolePrivilege(role_id=ops_role_id(name), privilege=p) for p in held)
    seed_catalogue(s, now)
    org_roles.seed_catalogue(s, now)
    s.add(
        Tenant(name=DEFAULT_TENANT, full_name=DEFAULT_TENANT, description="", created_at=now, is_default=True)
    )
    s.flush()

    demo_hash = (
        _seed_demo_identities(s, now, hash_password, demo_password) if scenario.base == "demo" else None
    )
    _seed_local_account(s, now)
    # The demo world's org (not a scenario's own world): made before the scenario's identities, so
    # that they may add users to it.
    demo_owner = seed_demo_org(s, now, demo_hash) if demo_hash and scenario.inventory is None else None
    populate(s, scenario.identity, now, hash_password, demo_password)
    made = inventory.build(s, scenario.inventory_plan(inventory_spec), now - INVENTORY_AGE, progress)
    add_planned(s, scenario.identity.tenants, now)
    if demo_owner is not None:
        seed_demo_cloud(s, now - INVENTORY_AGE, demo_owner, now)
    if demo_hash is not None:
        seed_demo_reservations(s, now)
        seed_demo_catalog(s, now)
    datastore_space.recount(s)  # the inventory's rows went in by statement: counted once here
    return made


def _seed_local_account(s: Session, now: float) -> None:
    """The appliance's own account, ``admin@local``, SDDC Manager's administrator: part of the
    appliance rather than of the demo, so every world has it."""
    admin = identity.add_principal(s, USER, "admin", LOCAL_DOMAIN, now)
    s.flush()
    s.add(
        Assignment(
            id=identity.new_id(),
            family=SDDC,
            principal_id=admin.id,
            role_id=SDDC_ROLES["ADMIN"][0],
            scope=ROOTS[SDDC],
            created_at=now,
        )
    )


def _seed_demo_identities(
    s: Session, now: float, hash_password: Callable[[str], str], demo_password: str
) -> str:
    """The demo users, groups and their roles; returns the demo password's hash, which they share."""
    sddc_roles = {name: role_id for name, (role_id, _, _) in SDDC_ROLES.items()}
    grants: list[tuple[str, Principal, str]] = []  # (family, principal, role id)
    users = {}
    demo_hash = hash_password(demo_password)  # one slow hash for the users who share the password
    for name, sddc_role, vcenter_role, ops_role in SSO_USERS:
        row = identity.add_principal(s, USER, name, SSO_DOMAIN, now, password_hash=demo_hash)
        users[name] = row
        if sddc_role:
            grants.append((SDDC, row, sddc_roles[sddc_role]))
        if vcenter_role:
            grants.append((VCENTER, row, vcenter_role))
        if ops_role:
            grants.append((OPS, row, ops_role_id(ops_role)))
    s.flush()
    # vRA: the SSO administrator is the system administrator and the default tenant's administrator.
    # vRA: the SSO administrator is the system administrator and the default tenant's administrator;
    # vCD: the System org's system administrator.
    held = [
        (VRA, SYSTEM_ADMIN.key, ""),
        (VRA, TENANT_ADMIN.key, tenant_scope(DEFAULT_TENANT)),
        (VCD, org_roles.SYSTEM_ADMINISTRATOR.key, ROOTS[VCD]),
    ]
    s.add_all(
        Assignment(
            id=identity.new_id(),
            family=family,
            principal_id=users["administrator"].id,
            role_id=r,
            scope=scope,
            created_at=now,
        )
        for family, r, scope in held
    )
    for group, members in SSO_GROUPS.items():
        row = identity.add_principal(s, GROUP, group, SSO_DOMAIN, now)
        s.flush()
        s.add_all(Membership(group_id=row.id, member_id=users[m].id) for m in members)
    for name, api_key, role in SERVICE_USERS:
        service = identity.add_principal(s, SERVICE, name, None, now, api_key_digest=digest(api_key))
        grants.append((SDDC, service, sddc_roles[role]))
    s.flush()
    s.add_all(
        Assignment(
            id=identity.new_id(), family=f, principal_id=p.id, role_id=r, scope=ROOTS[f], created_at=now
        )
        for f, p, r in grants
    )
    return demo_hash


def _rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text().splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def _expand(spec: str, catalogue: list[str]) -> set[str]:
    """A role's privileges from its data line: ids, ``ALL``, ``Group.*`` and ``-Group.*``."""
    held: set[str] = set()
    for item in filter(None, spec.split(",")):
        drop, name = item.startswith("-"), item.lstrip("-")
        if name == "ALL":
            chosen = set(catalogue)
        elif name.endswith(".*"):
            chosen = {p for p in catalogue if p.startswith(name[:-1])}
        else:
            chosen = {name}
        if not chosen or chosen - set(catalogue):
            raise ValueError(f"vcenter_roles.tsv names unknown privileges: {item}")
        held = held - chosen if drop else held | chosen
    return held


def _seed_vcenter_catalogue(s: Session, now: float) -> None:
    """vCenter's 520 privileges and its roles, inserted in bulk: every reset makes them anew."""
    privileges = _rows("vcenter_privileges.tsv")
    s.execute(
        insert(Privilege),
        [
            {"family": VCENTER, "name": n, "group": g, "description": d, "on_parent": parent == "yes"}
            for n, g, d, parent in privileges
        ],
    )
    catalogue = [p[0] for p in privileges]
    roles, held = [], []
    for role_id, name, description, system, spec in _rows("vcenter_roles.tsv"):
        roles.append(
            {
                "id": role_id,
                "family": VCENTER,
                "name": name,
                "description": description,
                "system": system == "yes",
                "created_at": now,
            }
        )
        held += [{"role_id": role_id, "privilege": p} for p in sorted(_expand(spec, catalogue))]
    s.execute(insert(Role), roles)
    s.execute(insert(RolePrivilege), held)
