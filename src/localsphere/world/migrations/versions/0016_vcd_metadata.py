"""vCD metadata: the typed entries of vApps and VMs, by domain and key

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metadata_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object", sa.String(length=36), nullable=False),
        sa.Column("domain", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_metadata_entries_object", "metadata_entries", ["kind", "object", "domain", "key"], unique=True
    )
    op.create_index("ix_metadata_entries_key", "metadata_entries", ["kind", "key"])


def downgrade() -> None:
    op.drop_index("ix_metadata_entries_key", "metadata_entries")
    op.drop_index("ix_metadata_entries_object", "metadata_entries")
    op.drop_table("metadata_entries")
