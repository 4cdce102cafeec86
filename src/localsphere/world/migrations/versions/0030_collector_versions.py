"""What each PropertyCollector filter last told its session, and each collector's update version

Revision ID: 0030
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collector_versions",
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("collector", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["session"], ["tokens.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session", "collector"),
    )
    with op.batch_alter_table("property_filters") as batch:
        batch.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("told", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("property_filters") as batch:
        batch.drop_column("told")
        batch.drop_column("digest")
    op.drop_table("collector_versions")
