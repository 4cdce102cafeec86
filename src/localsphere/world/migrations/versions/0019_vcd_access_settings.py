"""vCD access control: the shares of vApps and catalogs (controlAccess)

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_settings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object", sa.String(length=36), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_access_settings_object",
        "access_settings",
        ["kind", "object", "subject_kind", "subject"],
        unique=True,
    )
    op.create_index("ix_access_settings_subject", "access_settings", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_access_settings_subject", "access_settings")
    op.drop_index("ix_access_settings_object", "access_settings")
    op.drop_table("access_settings")
