"""Events numbered in the order they were recorded (vSphere's event keys); collectors stand at a number

Revision ID: 0031
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

SEQUENCE = "event_sequence"  # events.EVENT_SEQUENCE


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    ids = conn.execute(sa.text("SELECT id FROM events ORDER BY at, id")).scalars().all()
    if ids:
        conn.execute(
            sa.text("UPDATE events SET seq = :seq WHERE id = :id"),
            [{"seq": n, "id": i} for n, i in enumerate(ids, 1)],
        )
    conn.execute(sa.text("DELETE FROM world_meta WHERE key = :key"), {"key": SEQUENCE})
    conn.execute(
        sa.text("INSERT INTO world_meta (key, value) VALUES (:key, :value)"),
        {"key": SEQUENCE, "value": str(len(ids) + 1)},
    )
    with op.batch_alter_table("events") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.create_index("ix_events_seq", ["seq"], unique=True)
        batch.create_index("ix_events_task", ["task_id"])
    with op.batch_alter_table("event_collectors") as batch:
        batch.add_column(sa.Column("event_seq", sa.Integer(), nullable=True))
    conn.execute(
        sa.text("UPDATE event_collectors SET event_seq = (SELECT seq FROM events WHERE events.id = event)")
    )
    with op.batch_alter_table("event_collectors") as batch:
        batch.drop_column("event")
        batch.alter_column("event_seq", new_column_name="event", existing_type=sa.Integer())


def downgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("event_collectors") as batch:
        batch.add_column(sa.Column("event_id", sa.String(length=36), nullable=True))
    conn.execute(
        sa.text("UPDATE event_collectors SET event_id = (SELECT id FROM events WHERE events.seq = event)")
    )
    with op.batch_alter_table("event_collectors") as batch:
        batch.drop_column("event")
        batch.alter_column("event_id", new_column_name="event", existing_type=sa.String(length=36))
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_task")
        batch.drop_index("ix_events_seq")
        batch.drop_column("seq")
    conn.execute(sa.text("DELETE FROM world_meta WHERE key = :key"), {"key": SEQUENCE})
