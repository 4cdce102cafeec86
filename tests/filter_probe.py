"""A throw-away table for the filter languages' tests (``odata``, ``fiql``): made on SQLite in
memory or in a PostgreSQL database of the ``new_database`` fixture, filled with rows, and asked
which rows a condition matches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement


class Probe:
    def __init__(self, table: sa.Table) -> None:
        self.table = table
        self.empty = {column.name: None for column in table.columns}

    def engine(self, new_database: Callable[[], str | None]) -> Iterator[sa.Engine]:
        """For a module-scoped fixture: the table made, then dropped."""
        engine = sa.create_engine(new_database() or "sqlite://")
        self.table.metadata.create_all(engine)
        yield engine
        self.table.metadata.drop_all(engine)
        engine.dispose()

    def load(self, engine: sa.Engine, rows: list[dict[str, Any]]) -> None:
        """The table holding ``rows`` only (unnamed columns NULL)."""
        with engine.begin() as conn:
            conn.execute(self.table.delete())
            if rows:
                conn.execute(self.table.insert(), [{**self.empty, **row} for row in rows])

    def matching(self, engine: sa.Engine, condition: ColumnElement[bool]) -> list[int]:
        """The ids of the rows ``condition`` takes, in order."""
        with engine.connect() as conn:
            query = sa.select(self.table.c.id).where(condition).order_by(self.table.c.id)
            return list(conn.scalars(query))
