"""vt mappings and privilege checks

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privilege_checks",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session", sa.String(length=64), nullable=True),
        sa.Column("principal_name", sa.String(length=255), nullable=True),
        sa.Column("principal_domain", sa.String(length=255), nullable=True),
        sa.Column("object", sa.String(length=32), nullable=False),
        sa.Column("privilege", sa.String(length=255), nullable=False),
        sa.Column("op_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "vt_mappings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vtcontainer", sa.String(length=255), nullable=False),
        sa.Column("object", sa.String(length=32), nullable=False),
        sa.Column("object_kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vt_mappings", schema=None) as batch_op:
        batch_op.create_index("ix_vt_mappings_unique", ["vtcontainer", "object"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("vt_mappings", schema=None) as batch_op:
        batch_op.drop_index("ix_vt_mappings_unique")

    op.drop_table("vt_mappings")
    op.drop_table("privilege_checks")
