"""vSphere PropertyCollector filters, kept per session

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "property_filters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("partial_updates", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["session"], ["tokens.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_property_filters_session", "property_filters", ["session"])


def downgrade() -> None:
    op.drop_index("ix_property_filters_session", "property_filters")
    op.drop_table("property_filters")
