"""Operations' object scopes, and the permissions made from them

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "object_scopes",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("name", sa.String(length=255), nullable=True, unique=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("selections", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("modified_by", sa.String(length=36), nullable=True),
        sa.Column("modified_at", sa.Float(), nullable=False),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("object_scope", sa.String(length=36), nullable=True))
        batch_op.create_index("ix_assignments_object_scope", ["object_scope"])


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_object_scope")
        batch_op.drop_column("object_scope")
    op.drop_table("object_scopes")
