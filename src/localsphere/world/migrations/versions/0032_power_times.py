"""A VM's power-on clock: when it last booted, when it was last suspended, how long it was suspended

Revision ID: 0032
Revises: 0031
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.add_column(sa.Column("booted_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("suspended_at", sa.Float(), nullable=True))
        batch.add_column(sa.Column("suspended_for", sa.Float(), nullable=True))
    # A VM running or suspended before counted its uptime from its creation: it booted then.
    op.execute(
        sa.text(
            "UPDATE objects SET booted_at = created_at, suspended_for = 0"
            " WHERE kind = 'VirtualMachine' AND power_state IN ('POWERED_ON', 'SUSPENDED')"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("suspended_for")
        batch.drop_column("suspended_at")
        batch.drop_column("booted_at")
