"""vCD events, extension services, extension settings and blocking tasks

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("progress", sa.Integer(), nullable=True))
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=128), nullable=False),
        sa.Column("entity_kind", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("entity_name", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("user_name", sa.String(length=255), nullable=False),
        sa.Column("service", sa.String(length=128), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_events_tenant_at", "events", ["tenant", "at"])
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_pending", "events", ["pending"])
    op.create_table(
        "extension_services",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("routing_key", sa.String(length=255), nullable=False),
        sa.Column("exchange", sa.String(length=255), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("authorization_enabled", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("vendor", sa.String(length=255), nullable=False),
        sa.Column("definitions", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("namespace"),
    )
    op.create_table(
        "extension_api_filters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("url_pattern", sa.Text(), nullable=True),
        sa.Column("response_content_type", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(["service"], ["extension_services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extension_api_filters_service", "extension_api_filters", ["service", "seq"])
    op.create_table(
        "extension_settings",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "blocking_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=128), nullable=False),
        sa.Column("operation_name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("timeout_at", sa.Float(), nullable=False),
        sa.Column("timeout_action", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant"], ["tenants.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_blocking_tasks_status", "blocking_tasks", ["status", "timeout_at"])
    op.create_index("ix_blocking_tasks_task", "blocking_tasks", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_blocking_tasks_task", "blocking_tasks")
    op.drop_index("ix_blocking_tasks_status", "blocking_tasks")
    op.drop_table("blocking_tasks")
    op.drop_table("extension_settings")
    op.drop_index("ix_extension_api_filters_service", "extension_api_filters")
    op.drop_table("extension_api_filters")
    op.drop_table("extension_services")
    op.drop_index("ix_events_pending", "events")
    op.drop_index("ix_events_at", "events")
    op.drop_index("ix_events_tenant_at", "events")
    op.drop_table("events")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("progress")
