"""vSphere objects a session owns (its PropertyCollectors and list views); each filter's collector

Revision ID: 0029
Revises: 0028
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_objects",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("session", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["session"], ["tokens.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_session_objects_session", "session_objects", ["session"])
    with op.batch_alter_table("property_filters") as batch:
        batch.add_column(sa.Column("collector", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("property_filters") as batch:
        batch.drop_column("collector")
    op.drop_index("ix_session_objects_session", "session_objects")
    op.drop_table("session_objects")
