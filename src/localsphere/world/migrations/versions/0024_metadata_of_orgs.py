"""vCD metadata on orgs: an entry's object may be an org's tenant name (up to 128 characters)

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("metadata_entries") as batch:
        batch.alter_column("object", existing_type=sa.String(length=36), type_=sa.String(length=128))


def downgrade() -> None:
    with op.batch_alter_table("metadata_entries") as batch:
        batch.alter_column("object", existing_type=sa.String(length=128), type_=sa.String(length=36))
