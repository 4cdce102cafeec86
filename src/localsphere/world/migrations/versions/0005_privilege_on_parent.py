"""privileges checked on the parent object

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("privileges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_parent", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("privileges", schema=None) as batch_op:
        batch_op.drop_column("on_parent")
