"""principals' names indexed for prefix matches on PostgreSQL (LIKE 'prefix%' under any locale)

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_principals_domain_name_prefix",
        "principals",
        ["domain", "name"],
        postgresql_ops={"name": "varchar_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_principals_domain_name_prefix", "principals")
