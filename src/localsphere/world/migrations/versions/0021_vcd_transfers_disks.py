"""vCD uploads, downloads and independent disks: transfer files, disks

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transfer_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("transfer", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_transfer_files_name", "transfer_files", ["transfer", "name"], unique=True)
    op.create_index("ix_transfer_files_entity", "transfer_files", ["entity"])
    op.create_table(
        "disks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("vdc", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("bus_type", sa.String(length=8), nullable=False),
        sa.Column("bus_sub_type", sa.String(length=32), nullable=False),
        sa.Column("iops", sa.BigInteger(), nullable=True),
        sa.Column("owner_id", sa.String(length=36), nullable=True),
        sa.Column("vm", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.name"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["vdc"], ["org_vdcs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["principals.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_disks_vdc_name", "disks", ["vdc", "name"])
    op.create_index("ix_disks_vm", "disks", ["vm"])


def downgrade() -> None:
    op.drop_index("ix_disks_vm", "disks")
    op.drop_index("ix_disks_vdc_name", "disks")
    op.drop_table("disks")
    op.drop_index("ix_transfer_files_entity", "transfer_files")
    op.drop_index("ix_transfer_files_name", "transfer_files")
    op.drop_table("transfer_files")
