"""metric samples pushed from outside

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_stats",
        sa.Column("resource", sa.String(length=36), nullable=False),
        sa.Column("stat_key", sa.String(length=255), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("resource", "stat_key", "at_ms"),
    )


def downgrade() -> None:
    op.drop_table("external_stats")
