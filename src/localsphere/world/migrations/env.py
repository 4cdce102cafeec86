"""Alembic environment: always runs on the connection the Store hands over."""

from alembic import context

from localsphere.world.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
