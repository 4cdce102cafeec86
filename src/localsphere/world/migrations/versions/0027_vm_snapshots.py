"""vSphere VM snapshots, and what a vSphere task answers with

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vm_snapshots",
        sa.Column("moid", sa.String(length=32), nullable=False),
        sa.Column("vm", sa.String(length=32), nullable=False),
        sa.Column("parent", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("power_state", sa.String(length=16), nullable=False),
        sa.Column("quiesced", sa.Boolean(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["vm"], ["objects.moid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("moid"),
    )
    op.create_index("ix_vm_snapshots_vm", "vm_snapshots", ["vm"])
    op.add_column("tasks", sa.Column("result", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("tasks", "result")
    op.drop_index("ix_vm_snapshots_vm", "vm_snapshots")
    op.drop_table("vm_snapshots")
