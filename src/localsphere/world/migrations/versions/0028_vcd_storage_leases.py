"""vCD: an org VDC's storage policies, which one a vApp, disk or template is on; vApp and
template leases

Revision ID: 0028
Revises: 0027
"""

import time
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

_LEASES = (
    ("vapps", sa.Column("deployment_lease_s", sa.BigInteger(), nullable=False, server_default="0")),
    ("vapps", sa.Column("storage_lease_s", sa.BigInteger(), nullable=False, server_default="0")),
    ("vapps", sa.Column("deployment_expires_at", sa.Float(), nullable=True)),
    ("vapps", sa.Column("storage_expires_at", sa.Float(), nullable=True)),
    ("vapps", sa.Column("expired", sa.Boolean(), nullable=False, server_default=sa.false())),
    ("catalog_items", sa.Column("storage_lease_s", sa.BigInteger(), nullable=False, server_default="0")),
    ("catalog_items", sa.Column("storage_expires_at", sa.Float(), nullable=True)),
    ("catalog_items", sa.Column("expired", sa.Boolean(), nullable=False, server_default=sa.false())),
)


def upgrade() -> None:
    op.create_table(
        "vdc_storage_profiles",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vdc", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("limit_mb", sa.BigInteger(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["vdc"], ["org_vdcs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_vdc_storage_profiles_vdc_name", "vdc_storage_profiles", ["vdc", "name"], unique=True)
    for table in ("vapps", "disks", "catalog_items"):
        op.add_column(table, sa.Column("storage_profile", sa.String(length=36), nullable=True))
    for table, column in _LEASES:
        op.add_column(table, column)
    conn = op.get_bind()
    now = time.time()
    for vdc, limit in conn.execute(sa.text("SELECT id, storage_limit_mb FROM org_vdcs")).all():
        conn.execute(  # a VDC made before: its one policy ``*``, its default (org_vdcs.storage_profile_id)
            sa.text(
                "INSERT INTO vdc_storage_profiles (id, vdc, name, enabled, limit_mb, is_default, created_at) "
                "VALUES (:id, :vdc, '*', :on, :limit, :on, :now)"
            ),
            {"id": str(uuid.uuid5(uuid.UUID(vdc), "*")), "vdc": vdc, "on": True, "limit": limit, "now": now},
        )


def downgrade() -> None:
    for table, column in reversed(_LEASES):
        op.drop_column(table, column.name)
    for table in ("catalog_items", "disks", "vapps"):
        op.drop_column(table, "storage_profile")
    op.drop_index("ix_vdc_storage_profiles_vdc_name", "vdc_storage_profiles")
    op.drop_table("vdc_storage_profiles")
