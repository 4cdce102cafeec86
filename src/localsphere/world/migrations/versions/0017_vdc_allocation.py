"""vCD org VDC administration: an allocation model's terms on each VDC

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

COLUMNS = (
    ("cpu_allocated_mhz", sa.BigInteger(), "0"),
    ("memory_allocated_mb", sa.BigInteger(), "0"),
    ("cpu_guaranteed", sa.Float(), "0"),
    ("memory_guaranteed", sa.Float(), "1"),
    ("vcpu_mhz", sa.BigInteger(), "1000"),
    ("vm_quota", sa.Integer(), "0"),
    ("nic_quota", sa.Integer(), "0"),
    ("network_quota", sa.Integer(), "0"),
    ("thin_provision", sa.Boolean(), sa.false()),
    ("fast_provisioning", sa.Boolean(), sa.false()),
)


def upgrade() -> None:
    with op.batch_alter_table("org_vdcs") as batch:
        for name, kind, default in COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("org_vdcs") as batch:
        for name, _, _ in COLUMNS:
            batch.drop_column(name)
