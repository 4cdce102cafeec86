"""vCD people: roles made in one org (``roles.tenant``), and the rights an org is without

Revision ID: 0022
Revises: 0021
"""

import time

import sqlalchemy as sa
from alembic import op

from localsphere.world.org_roles import CATALOGUE, RIGHTS

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("roles", sa.Column("tenant", sa.String(length=128), nullable=False, server_default=""))
    op.drop_index("ix_roles_family_name", "roles")
    op.create_index("ix_roles_family_tenant_name", "roles", ["family", "tenant", "name"], unique=True)
    op.create_table(
        "vcd_withheld_rights",
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("right", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant", "right"),
    )
    _catalogue(op.get_bind())


def _catalogue(conn: sa.Connection) -> None:
    """A world made before: the rights and predefined roles it lacks (the administration API's
    rights, Defer to Identity Provider), each added once. A world being made gets them from its seed."""
    if conn.execute(sa.text("SELECT 1 FROM roles WHERE family = 'vcd' LIMIT 1")).first() is None:
        return
    now = time.time()
    for right, group in RIGHTS.items():
        conn.execute(
            sa.text(
                'INSERT INTO privileges (family, name, "group", description, on_parent) '
                "SELECT 'vcd', CAST(:n AS VARCHAR(255)), CAST(:g AS VARCHAR(255)), CAST(:d AS TEXT), :f "
                "WHERE NOT EXISTS (SELECT 1 FROM privileges WHERE family = 'vcd' AND name = :k)"
            ),
            {"n": right, "g": group, "d": right, "f": False, "k": right},
        )
    for role in CATALOGUE:
        conn.execute(
            sa.text(
                "INSERT INTO roles (id, family, name, description, system, created_at) "
                "SELECT CAST(:id AS VARCHAR(36)), 'vcd', CAST(:name AS VARCHAR(255)), "
                "CAST(:description AS TEXT), :system, :now "
                "WHERE NOT EXISTS (SELECT 1 FROM roles WHERE id = :k)"
            ),
            {
                "id": role.key,
                "name": role.name,
                "description": role.description,
                "system": True,
                "now": now,
                "k": role.key,
            },
        )
        for right in role.rights:
            conn.execute(
                sa.text(
                    "INSERT INTO role_privileges (role_id, privilege) "
                    "SELECT CAST(:r AS VARCHAR(36)), CAST(:p AS VARCHAR(255)) WHERE NOT EXISTS "
                    "(SELECT 1 FROM role_privileges WHERE role_id = :kr AND privilege = :kp)"
                ),
                {"r": role.key, "p": right, "kr": role.key, "kp": right},
            )


def downgrade() -> None:
    op.drop_table("vcd_withheld_rights")
    op.drop_index("ix_roles_family_tenant_name", "roles")
    op.drop_column("roles", "tenant")
    op.create_index("ix_roles_family_name", "roles", ["family", "name"], unique=True)
