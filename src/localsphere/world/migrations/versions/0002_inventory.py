"""inventory objects

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "objects",
        sa.Column("moid", sa.String(length=32), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("parent", sa.String(length=32), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("datacenter", sa.String(length=32), nullable=True),
        sa.Column("folder", sa.String(length=32), nullable=True),
        sa.Column("cluster", sa.String(length=32), nullable=True),
        sa.Column("host", sa.String(length=32), nullable=True),
        sa.Column("pool", sa.String(length=32), nullable=True),
        sa.Column("subtype", sa.String(length=32), nullable=True),
        sa.Column("power_state", sa.String(length=16), nullable=True),
        sa.Column("cpu_count", sa.Integer(), nullable=True),
        sa.Column("memory_mib", sa.BigInteger(), nullable=True),
        sa.Column("capacity", sa.BigInteger(), nullable=True),
        sa.Column("free_space", sa.BigInteger(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("moid"),
        sa.UniqueConstraint("uuid"),
    )
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.create_index("ix_objects_kind_cluster", ["kind", "cluster"], unique=False)
        batch_op.create_index("ix_objects_kind_datacenter", ["kind", "datacenter"], unique=False)
        batch_op.create_index("ix_objects_kind_folder", ["kind", "folder"], unique=False)
        batch_op.create_index("ix_objects_kind_host", ["kind", "host"], unique=False)
        batch_op.create_index("ix_objects_kind_name", ["kind", "name"], unique=False)
        batch_op.create_index("ix_objects_kind_pool", ["kind", "pool"], unique=False)
        batch_op.create_index("ix_objects_parent", ["parent"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("objects", schema=None) as batch_op:
        batch_op.drop_index("ix_objects_parent")
        batch_op.drop_index("ix_objects_kind_pool")
        batch_op.drop_index("ix_objects_kind_name")
        batch_op.drop_index("ix_objects_kind_host")
        batch_op.drop_index("ix_objects_kind_folder")
        batch_op.drop_index("ix_objects_kind_datacenter")
        batch_op.drop_index("ix_objects_kind_cluster")

    op.drop_table("objects")
