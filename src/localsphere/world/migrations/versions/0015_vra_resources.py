"""vRA's catalog resources and their actions: a machine's lease and last change, the indexes a
consumer's and a business group's resource lists page by, and the resource action a request
runs

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vra_machines") as batch:
        batch.add_column(sa.Column("updated_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.Float(), nullable=True))
    op.create_index("ix_vra_machines_owner", "vra_machines", ["tenant", "owner", "created_at"])
    op.create_index("ix_vra_machines_subtenant", "vra_machines", ["subtenant_id", "created_at"])
    with op.batch_alter_table("vra_requests") as batch:
        batch.add_column(sa.Column("resource_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("action", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("vra_requests") as batch:
        batch.drop_column("action")
        batch.drop_column("resource_id")
    op.drop_index("ix_vra_machines_subtenant", "vra_machines")
    op.drop_index("ix_vra_machines_owner", "vra_machines")
    with op.batch_alter_table("vra_machines") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("updated_at")
