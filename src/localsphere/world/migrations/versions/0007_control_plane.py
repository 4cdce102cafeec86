"""the control plane: scenario settings, tenants, snapshots, fault rules

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("world_state") as batch:
        batch.add_column(sa.Column("settings", sa.Text(), nullable=False, server_default="{}"))
    op.create_table(
        "tenants",
        sa.Column("name", sa.String(length=128), primary_key=True),
        sa.Column("full_name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("name", sa.String(length=128), primary_key=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("revision", sa.String(length=32), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "snapshot_chunks",
        sa.Column(
            "snapshot",
            sa.String(length=128),
            sa.ForeignKey("snapshots.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("snapshot", "seq"),
    )
    op.create_table(
        "fault_rules",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("seen", sa.BigInteger(), nullable=False),
        sa.Column("fired", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    for table in ("fault_rules", "snapshot_chunks", "snapshots", "tenants"):
        op.drop_table(table)
    with op.batch_alter_table("world_state") as batch:
        batch.drop_column("settings")
