"""vCD people: roles made in one org (``roles.tenant``), and the rights an org is without

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("roles", sa.Column("tenant", sa.String(length=128), nullable=True))
    op.drop_index("ix_roles_family_name", "roles")
    op.create_index("ix_roles_family_tenant_name", "roles", ["family", "tenant", "name"], unique=True)
    op.create_table(
        "vcd_withheld_rights",
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("right", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant", "right"),
    )


def downgrade() -> None:
    op.drop_table("vcd_withheld_rights")
    op.drop_index("ix_roles_family_tenant_name", "roles")
    op.drop_column("roles", "tenant")
    op.create_index("ix_roles_family_name", "roles", ["family", "name"], unique=True)
