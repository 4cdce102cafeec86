"""vRA identity: tenants' contact and default flag, identity stores, business groups, principals'
directory attributes, tokens' tenant, several roles per principal and object

Revision ID: 0008
Revises: 0007
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DEFAULT_TENANT = "vsphere.local"


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("contact_email", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("is_default", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("principals") as batch:
        batch.add_column(sa.Column("first_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("last_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("email", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch.add_column(sa.Column("dn", sa.Text(), nullable=True))
        batch.create_index("ix_principals_domain_name", ["domain", "name"])
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("tenant", sa.String(length=128), nullable=True))
    with op.batch_alter_table("assignments") as batch:
        batch.drop_index("ix_assignments_unique")
        batch.create_index(
            "ix_assignments_unique", ["family", "principal_id", "scope", "role_id"], unique=True
        )
    op.create_table(
        "identity_stores",
        sa.Column(
            "domain",
            sa.String(length=255),
            sa.ForeignKey("domains.name", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("alias", sa.String(length=255), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("user_name_dn", sa.Text(), nullable=False),
        sa.Column("password_sealed", sa.Text(), nullable=False),
        sa.Column("user_base_dn", sa.Text(), nullable=False),
        sa.Column("group_base_dn", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_identity_stores_tenant", "identity_stores", ["tenant"])
    op.create_table(
        "business_groups",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("extension_data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_business_groups_tenant_name", "business_groups", ["tenant", "name"], unique=True)
    # A world made before this revision gets its default tenant, the SSO domain's.
    op.execute(
        sa.text(
            "INSERT INTO tenants (name, full_name, description, created_at, is_default) "
            "SELECT name, name, '', :now, :yes FROM domains WHERE name = :name "
            "AND NOT EXISTS (SELECT 1 FROM tenants WHERE name = :name)"
        ).bindparams(now=time.time(), yes=True, name=DEFAULT_TENANT)
    )


def downgrade() -> None:
    op.drop_index("ix_business_groups_tenant_name", "business_groups")
    op.drop_table("business_groups")
    op.drop_index("ix_identity_stores_tenant", "identity_stores")
    op.drop_table("identity_stores")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_index("ix_assignments_unique")
        batch.create_index("ix_assignments_unique", ["family", "principal_id", "scope"], unique=True)
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("tenant")
    with op.batch_alter_table("principals") as batch:
        batch.drop_index("ix_principals_domain_name")
        for column in ("dn", "description", "email", "last_name", "first_name"):
            batch.drop_column(column)
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("is_default")
        batch.drop_column("contact_email")
