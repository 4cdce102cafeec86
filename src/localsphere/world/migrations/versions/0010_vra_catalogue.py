"""vRA's role catalogue in worlds made before it: its permissions and roles, and the SSO
administrator as system and default-tenant administrator (a world seeded since has them)

Revision ID: 0010
Revises: 0009
"""

import time
import uuid

import sqlalchemy as sa
from alembic import op

# The catalogue as the code has it: a later change of it comes with a migration of its own.
from localsphere.world.tenant_roles import CATALOGUE, PERMISSIONS, SYSTEM_ADMIN, TENANT_ADMIN

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_PRIVILEGE = sa.text(
    "INSERT INTO privileges (family, name, \"group\", description, on_parent) VALUES ('vra', :n, :g, :d, :f)"
)
_ROLE = sa.text(
    "INSERT INTO roles (id, family, name, description, system, created_at) "
    "VALUES (:id, 'vra', :name, :description, :system, :now)"
)
_HELD = sa.text("INSERT INTO role_privileges (role_id, privilege) VALUES (:r, :p)")
_ASSIGNMENT = sa.text(
    "INSERT INTO assignments (id, family, principal_id, role_id, scope, propagate, created_at) "
    "VALUES (:id, 'vra', :p, :r, :s, :t, :now)"
)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT 1 FROM domains LIMIT 1")).first() is None:
        return  # a world not yet seeded: its seed makes the catalogue
    if conn.execute(sa.text("SELECT 1 FROM roles WHERE family = 'vra' LIMIT 1")).first() is not None:
        return
    now = time.time()
    conn.execute(_PRIVILEGE, [{"n": p, "g": g, "d": d, "f": False} for p, (g, d) in PERMISSIONS.items()])
    for role in CATALOGUE:
        conn.execute(
            _ROLE, {"id": role.key, "name": role.id, "description": role.name, "system": True, "now": now}
        )
        conn.execute(_HELD, [{"r": role.key, "p": p} for p in role.permissions])
    admin = conn.execute(
        sa.text("SELECT id FROM principals WHERE login = 'administrator@vsphere.local'")
    ).scalar()
    if admin is None:
        return
    for role, scope in ((SYSTEM_ADMIN, ""), (TENANT_ADMIN, "tenant:vsphere.local")):
        conn.execute(
            _ASSIGNMENT,
            {"id": str(uuid.uuid4()), "p": admin, "r": role.key, "s": scope, "t": True, "now": now},
        )


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM assignments WHERE family = 'vra'"))
    conn.execute(
        sa.text("DELETE FROM role_privileges WHERE role_id IN (SELECT id FROM roles WHERE family = 'vra')")
    )
    conn.execute(sa.text("DELETE FROM roles WHERE family = 'vra'"))
    conn.execute(sa.text("DELETE FROM privileges WHERE family = 'vra'"))
