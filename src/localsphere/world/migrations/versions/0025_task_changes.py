"""Tasks: the change a held task makes when it is resumed, and the kind of a failed task's error

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("change", sa.Text(), nullable=False, server_default=""))
    op.add_column("tasks", sa.Column("error_kind", sa.String(length=32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_column("error_kind")
        batch_op.drop_column("change")
