"""vCloud Director's objects: org VDCs, catalogs and their items, org networks, vApps (a VM's
``vapp``), tasks, the ORG domains that hold an org's own users, and vCD's roles (for a world
seeded before: its rights and roles, and the SSO administrator as System Administrator)

Revision ID: 0011
Revises: 0010
"""

import time
import uuid

import sqlalchemy as sa
from alembic import op

# The catalogue as the code has it: a later change of it comes with a migration of its own.
from localsphere.world.org_roles import CATALOGUE, RIGHTS, SYSTEM_ADMINISTRATOR

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _tenant() -> sa.Column:
    return sa.Column(
        "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
    )


def _owner(name: str = "owner_id") -> sa.Column:
    return sa.Column(
        name, sa.String(length=36), sa.ForeignKey("principals.id", ondelete="SET NULL"), nullable=True
    )


def upgrade() -> None:
    with op.batch_alter_table("domains") as batch:
        batch.add_column(sa.Column("tenant", sa.String(length=128), nullable=True))
    with op.batch_alter_table("objects") as batch:
        batch.add_column(sa.Column("vapp", sa.String(length=36), nullable=True))
        batch.create_index("ix_objects_vapp", ["vapp", "kind"])
    op.create_table(
        "org_vdcs",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("pool", sa.String(length=32), nullable=False),
        sa.Column("allocation_model", sa.String(length=32), nullable=False),
        sa.Column("cpu_limit_mhz", sa.BigInteger(), nullable=False),
        sa.Column("memory_limit_mb", sa.BigInteger(), nullable=False),
        sa.Column("storage_limit_mb", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_org_vdcs_tenant_name", "org_vdcs", ["tenant", "name"], unique=True)
    op.create_table(
        "catalogs",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _owner(),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_catalogs_tenant_name", "catalogs", ["tenant", "name"], unique=True)
    op.create_table(
        "catalog_items",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("entity_id", sa.String(length=36), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "catalog", sa.String(length=36), sa.ForeignKey("catalogs.id", ondelete="CASCADE"), nullable=False
        ),
        _tenant(),
        sa.Column(
            "vdc", sa.String(length=36), sa.ForeignKey("org_vdcs.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        _owner(),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_catalog_items_catalog_name", "catalog_items", ["catalog", "name"], unique=True)
    op.create_index("ix_catalog_items_tenant_kind_name", "catalog_items", ["tenant", "kind", "name"])
    op.create_table(
        "org_networks",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _tenant(),
        sa.Column(
            "vdc", sa.String(length=36), sa.ForeignKey("org_vdcs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fence_mode", sa.String(length=16), nullable=False),
        sa.Column("gateway", sa.String(length=64), nullable=False),
        sa.Column("netmask", sa.String(length=64), nullable=False),
        sa.Column("dns", sa.String(length=64), nullable=False),
        sa.Column("network", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_org_networks_vdc_name", "org_networks", ["vdc", "name"], unique=True)
    op.create_table(
        "vapps",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _tenant(),
        sa.Column(
            "vdc", sa.String(length=36), sa.ForeignKey("org_vdcs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _owner(),
        sa.Column("deployed", sa.Boolean(), nullable=False),
        sa.Column("folder", sa.String(length=32), nullable=False),
        sa.Column("networks", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_vapps_vdc_name", "vapps", ["vdc", "name"], unique=True)
    op.create_index("ix_vapps_tenant_name", "vapps", ["tenant", "name"])
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _tenant(),
        sa.Column("operation_name", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("owner_kind", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("owner_name", sa.String(length=255), nullable=False),
        _owner("user_id"),
        sa.Column("user_name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("undo", sa.Text(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("ends_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_tasks_tenant_started", "tasks", ["tenant", "started_at"])
    op.create_index("ix_tasks_owner", "tasks", ["owner_id"])
    _catalogue()


def _catalogue() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT 1 FROM domains LIMIT 1")).first() is None:
        return  # a world not yet seeded: its seed makes the catalogue
    # Every tenant's org has a domain of its own users, named as it (unless one has that name).
    conn.execute(
        sa.text(
            "INSERT INTO domains (name, kind, created_at, tenant) "
            "SELECT t.name, 'ORG', t.created_at, t.name FROM tenants t "
            "WHERE NOT t.is_default AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.name = t.name)"
        )
    )
    if conn.execute(sa.text("SELECT 1 FROM roles WHERE family = 'vcd' LIMIT 1")).first() is not None:
        return
    now = time.time()
    conn.execute(
        sa.text(
            'INSERT INTO privileges (family, name, "group", description, on_parent) '
            "VALUES ('vcd', :n, :g, :d, :f)"
        ),
        [{"n": right, "g": group, "d": right, "f": False} for right, group in RIGHTS.items()],
    )
    for role in CATALOGUE:
        conn.execute(
            sa.text(
                "INSERT INTO roles (id, family, name, description, system, created_at) "
                "VALUES (:id, 'vcd', :name, :description, :system, :now)"
            ),
            {"id": role.key, "name": role.name, "description": role.description, "system": True, "now": now},
        )
        if role.rights:  # a role of no rights (Defer to Identity Provider) has none to insert
            conn.execute(
                sa.text("INSERT INTO role_privileges (role_id, privilege) VALUES (:r, :p)"),
                [{"r": role.key, "p": right} for right in role.rights],
            )
    admin = conn.execute(
        sa.text("SELECT id FROM principals WHERE login = 'administrator@vsphere.local'")
    ).scalar()
    if admin is not None:
        conn.execute(
            sa.text(
                "INSERT INTO assignments (id, family, principal_id, role_id, scope, propagate, created_at) "
                "VALUES (:id, 'vcd', :p, :r, '', :t, :now)"
            ),
            {"id": str(uuid.uuid4()), "p": admin, "r": SYSTEM_ADMINISTRATOR.key, "t": True, "now": now},
        )


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM assignments WHERE family = 'vcd'"))
    conn.execute(
        sa.text("DELETE FROM role_privileges WHERE role_id IN (SELECT id FROM roles WHERE family = 'vcd')")
    )
    conn.execute(sa.text("DELETE FROM roles WHERE family = 'vcd'"))
    conn.execute(sa.text("DELETE FROM privileges WHERE family = 'vcd'"))
    conn.execute(sa.text("DELETE FROM domains WHERE kind = 'ORG'"))  # an org's own users go with it
    for table in ("tasks", "vapps", "org_networks", "catalog_items", "catalogs", "org_vdcs"):
        op.drop_table(table)
    # Plain ALTER TABLE (SQLite 3.35+): a batch rebuild of ``domains`` would cascade-delete its
    # principals.
    op.drop_index("ix_objects_vapp", table_name="objects")
    op.execute("ALTER TABLE objects DROP COLUMN vapp")
    op.execute("ALTER TABLE domains DROP COLUMN tenant")
