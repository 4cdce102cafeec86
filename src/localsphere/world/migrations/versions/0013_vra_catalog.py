"""vRA's catalog: services, catalog items (blueprints), approval policies, entitlements and the
items they grant, catalog requests, approval work items, provisioned machines, and the simulated
EC2 endpoint's instances

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = (
    "ec2_instances",
    "vra_machines",
    "vra_work_items",
    "vra_requests",
    "vra_entitled_items",
    "vra_entitlements",
    "vra_approval_policies",
    "vra_catalog_items",
    "vra_services",
)


def upgrade() -> None:
    op.create_table(
        "vra_services",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_vra_services_tenant_name", "vra_services", ["tenant", "name"], unique=True)
    op.create_table(
        "vra_catalog_items",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "service_id",
            sa.String(length=36),
            sa.ForeignKey("vra_services.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("blueprint_id", sa.String(length=36), nullable=False),
        sa.Column("cpu_min", sa.Integer(), nullable=False),
        sa.Column("cpu_max", sa.Integer(), nullable=False),
        sa.Column("cpu_default", sa.Integer(), nullable=False),
        sa.Column("memory_min", sa.Integer(), nullable=False),
        sa.Column("memory_max", sa.Integer(), nullable=False),
        sa.Column("memory_default", sa.Integer(), nullable=False),
        sa.Column("storage_min", sa.Integer(), nullable=False),
        sa.Column("storage_max", sa.Integer(), nullable=False),
        sa.Column("storage_default", sa.Integer(), nullable=False),
        sa.Column("lease_days", sa.Integer(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_vra_catalog_items_tenant_name", "vra_catalog_items", ["tenant", "name"], unique=True)
    op.create_table(
        "vra_approval_policies",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type_id", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("levels", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index(
        "ix_vra_approval_policies_tenant_name", "vra_approval_policies", ["tenant", "name"], unique=True
    )
    op.create_table(
        "vra_entitlements",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "subtenant_id",
            sa.String(length=36),
            sa.ForeignKey("business_groups.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_vra_entitlements_tenant_name", "vra_entitlements", ["tenant", "name"], unique=True)
    op.create_table(
        "vra_entitled_items",
        sa.Column(
            "entitlement_id",
            sa.String(length=36),
            sa.ForeignKey("vra_entitlements.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "item_id",
            sa.String(length=36),
            sa.ForeignKey("vra_catalog_items.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "policy_id",
            sa.String(length=36),
            sa.ForeignKey("vra_approval_policies.id", ondelete="SET NULL"),
            nullable=True,
        ),
    )
    op.create_index("ix_vra_entitled_items_item", "vra_entitled_items", ["item_id"])
    op.create_table(
        "vra_requests",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column(
            "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "item_id",
            sa.String(length=36),
            sa.ForeignKey("vra_catalog_items.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "subtenant_id",
            sa.String(length=36),
            sa.ForeignKey("business_groups.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("requested_for", sa.String(length=512), nullable=False),
        sa.Column("requested_by", sa.String(length=512), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("policy_id", sa.String(length=36), nullable=True),
        sa.Column("post_approval", sa.Boolean(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_vra_requests_requested_for", "vra_requests", ["requested_for"])
    op.create_index("ix_vra_requests_tenant_created", "vra_requests", ["tenant", "created_at"])
    op.create_index("ix_vra_requests_requested_by", "vra_requests", ["requested_by"])
    op.create_table(
        "vra_work_items",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column(
            "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "request_id",
            sa.String(length=36),
            sa.ForeignKey("vra_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("subtenant_id", sa.String(length=36), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("assignees", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("completed_by", sa.String(length=512), nullable=True),
        sa.Column("opens_at", sa.Float(), nullable=False),
        sa.Column("completed_at", sa.Float(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_vra_work_items_request", "vra_work_items", ["request_id"])
    op.create_index("ix_vra_work_items_tenant_status", "vra_work_items", ["tenant", "status"])
    op.create_table(
        "vra_machines",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "request_id",
            sa.String(length=36),
            sa.ForeignKey("vra_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("subtenant_id", sa.String(length=36), nullable=False),
        sa.Column("owner", sa.String(length=512), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("vm", sa.String(length=32), nullable=True),
        sa.Column("vapp", sa.String(length=36), nullable=True),
        sa.Column("instance", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_vra_machines_request", "vra_machines", ["request_id"])
    op.create_table(
        "ec2_instances",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("image_id", sa.String(length=32), nullable=False),
        sa.Column("instance_type", sa.String(length=32), nullable=False),
        sa.Column("key_pair_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("private_ip", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    for table in TABLES:  # children first
        op.drop_table(table)
