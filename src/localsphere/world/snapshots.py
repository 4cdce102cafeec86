"""Snapshots: the whole world saved under a name, to be restored later, all in the world's own database.

A snapshot is a stream of JSON lines, a header ``{"table": ..., "columns": [...]}`` before each table's
rows (one array per row), compressed and cut into chunks as it is written, so a world of any size is
saved and restored in bounded memory. It is read and written by column name, so a snapshot outlives
migrations that add tables or columns (which then take their defaults).
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from localsphere.world import stamp
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.schema import WORLD_TABLES, Snapshot, SnapshotChunk
from localsphere.world.store import WHOLE_WORLD, Store, bulk_insert, changed

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# The world as the last scenario load made it, which a reset returns to; no user's name can be it.
BASELINE = "_loaded"
CHUNK_BYTES = 1 << 20
ROWS_PER_BATCH = 5000
_LINE = orjson.OPT_APPEND_NEWLINE
_REVISION = text("SELECT version_num FROM alembic_version")


@dataclass(frozen=True)
class SnapshotView:
    name: str
    created_at: float  # world time
    revision: str  # the schema revision it was saved at
    rows: int
    size: int  # bytes, compressed


class Snapshots:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def save(self, name: str) -> SnapshotView:
        """Save every world table in one transaction, so the snapshot is one consistent instant."""
        _check_name(name)
        with self._store.write() as s:
            if self._store.kind == "postgresql":  # one view of the data for all the table reads below
                s.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            return self._save_in(s, name)

    def _save_in(self, s: Session, name: str) -> SnapshotView:
        snapshot = Snapshot(
            name=name, created_at=self._clock.now(s), revision=s.scalar(_REVISION), rows=0, size=0
        )
        s.add(snapshot)
        try:  # written first, as the chunks' parent; a concurrent save of the name fails here
            s.flush()
        except IntegrityError:
            raise Conflict("snapshot.exists", f"Snapshot {name} already exists", name) from None
        conn = s.connection()
        chunks = _ChunkWriter(conn, name)
        snapshot.rows = sum(_dump(conn, table, chunks) for table in WORLD_TABLES)
        snapshot.size = chunks.close()
        return _view(snapshot)

    def keep_baseline(self, s: Session) -> None:
        """Keep the world as the transaction ``s`` just built it as the one a reset returns to."""
        _delete(s, BASELINE)
        s.flush()
        self._save_in(s, BASELINE)

    @staticmethod
    def drop_baseline(s: Session) -> None:
        _delete(s, BASELINE)

    def restore_baseline(self, s: Session) -> bool:
        """Bring back the world a reset returns to, if a scenario left one; False if none."""
        if s.get(Snapshot, BASELINE) is None:
            return False
        self._restore_in(s, BASELINE)
        return True

    def list(self) -> list[SnapshotView]:
        with self._store.read() as s:
            rows = s.scalars(
                select(Snapshot).where(Snapshot.name != BASELINE).order_by(Snapshot.created_at, Snapshot.name)
            )
            return [_view(row) for row in rows]

    def get(self, name: str) -> SnapshotView:
        with self._store.read() as s:
            row = s.get(Snapshot, name) if NAME.fullmatch(name) else None
            if row is None:
                raise _missing(name)
            return _view(row)

    def delete(self, name: str) -> None:
        with self._store.write() as s:
            if not NAME.fullmatch(name) or not _delete(s, name):
                raise _missing(name)

    def restore(self, name: str) -> SnapshotView:
        """Replace the world with the snapshot in one transaction: all of it, or on any error nothing."""
        with self._store.write() as s:
            row = s.get(Snapshot, name) if NAME.fullmatch(name) else None
            if row is None:
                raise _missing(name)
            self._restore_in(s, name)
            changed(s, *WHOLE_WORLD)
            return _view(row)

    def _restore_in(self, s: Session, name: str) -> None:
        conn = s.connection()
        if self._store.kind == "postgresql":  # writers wait, so none slips a row into the new world
            tables = ", ".join(conn.dialect.identifier_preparer.format_table(t) for t in WORLD_TABLES)
            conn.execute(text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))
        for table in reversed(WORLD_TABLES):
            conn.execute(delete(table))
        _load(conn, name)
        if self._store.kind == "postgresql":  # explicit keys left the sequences behind
            _reset_sequences(conn)
        stamp.bump(s)  # workers' cached credential checks describe the old world


def _check_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise Invalid(
            "snapshot.name",
            "A snapshot name must be 1 to 128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            name,
        )


def _delete(s: Session, name: str) -> bool:
    s.execute(delete(SnapshotChunk).where(SnapshotChunk.snapshot == name))
    return s.execute(delete(Snapshot).where(Snapshot.name == name)).rowcount > 0


class _ChunkWriter:
    """Compresses the stream as it comes and stores each full chunk at once."""

    def __init__(self, conn: Connection, name: str) -> None:
        self._conn = conn
        self._name = name
        self._zip = zlib.compressobj()
        self._pending = bytearray()
        self._seq = 0
        self._size = 0

    def write(self, data: bytes) -> None:
        self._pending += self._zip.compress(data)
        while len(self._pending) >= CHUNK_BYTES:
            self._store()

    def close(self) -> int:
        """Store the rest; returns the compressed size."""
        self._pending += self._zip.flush()
        while self._pending:
            self._store()
        return self._size

    def _store(self) -> None:
        data = bytes(self._pending[:CHUNK_BYTES])
        del self._pending[:CHUNK_BYTES]
        self._conn.execute(insert(SnapshotChunk), {"snapshot": self._name, "seq": self._seq, "data": data})
        self._seq += 1
        self._size += len(data)


def _dump(conn: Connection, table: Table, chunks: _ChunkWriter) -> int:
    """Write one table's header and rows, streamed from the database; returns the row count."""
    floats = _checked_floats(table)
    chunks.write(
        orjson.dumps({"table": table.name, "columns": [c.name for c in table.columns]}, option=_LINE)
    )
    query = select(table).order_by(*table.primary_key.columns).execution_options(yield_per=ROWS_PER_BATCH)
    count = 0
    for part in conn.execute(query).partitions():
        rows = [tuple(row) for row in part]
        for row in rows:
            for i in floats:
                if row[i] is not None and not math.isfinite(row[i]):  # orjson would write null
                    column = table.columns[i].name
                    raise ValueError(f"{table.name}.{column} holds {row[i]}, which a snapshot cannot keep")
        chunks.write(b"".join(orjson.dumps(row, option=_LINE) for row in rows))
        count += len(rows)
    return count


def _checked_floats(table: Table) -> list[int]:
    """The positions of the table's float columns; refuses a column JSON cannot carry exactly (binary,
    decimal, dates) rather than save a different world."""
    floats = []
    for i, column in enumerate(table.columns):
        kind = column.type.python_type
        if kind not in (str, int, float, bool):
            raise TypeError(f"{table.name}.{column.name} holds {kind.__name__}, which a snapshot cannot keep")
        if kind is float:
            floats.append(i)
    return floats


def _load(conn: Connection, name: str) -> None:
    """Insert the snapshot's rows, a batch at a time, in the order saved (parents first)."""
    by_name = {table.name: table for table in WORLD_TABLES}
    table: Table | None = None
    columns: list[str] = []
    batch: list[list[Any]] = []
    for line in _lines(conn, name):
        item = orjson.loads(line)
        if isinstance(item, dict):
            if batch:
                _insert(conn, table, columns, batch)
                batch = []
            table, columns = by_name.get(item["table"]), item["columns"]
            if table is None:
                raise Invalid(
                    "snapshot.incompatible",
                    f"Snapshot {name} holds table {item['table']}, which this world does not have",
                    name,
                    item["table"],
                )
            unknown = [c for c in columns if c not in table.columns]
            if unknown:
                raise Invalid(
                    "snapshot.incompatible",
                    f"Snapshot {name} holds columns {', '.join(unknown)} of {table.name}, "
                    "which this world does not have",
                    name,
                    table.name,
                )
        elif table is None:
            raise Invalid("snapshot.corrupt", f"Snapshot {name} has rows before any table", name)
        else:
            if len(item) != len(columns):
                raise Invalid("snapshot.corrupt", f"Snapshot {name} has a row of the wrong length", name)
            batch.append(item)
            if len(batch) >= ROWS_PER_BATCH:
                _insert(conn, table, columns, batch)
                batch = []
    if batch:
        _insert(conn, table, columns, batch)


def _insert(conn: Connection, table: Table | None, columns: list[str], rows: list[list[Any]]) -> None:
    assert table is not None
    if set(columns) == set(table.columns.keys()):
        bulk_insert(conn, table, columns, rows)
    else:  # an older snapshot: the columns it lacks take their defaults
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def _lines(conn: Connection, name: str) -> Iterator[bytes]:
    """The snapshot's lines, decompressed at most a chunk's size at a time (whatever the compression
    ratio); a line may span chunks."""
    unzip = zlib.decompressobj()
    pending = b""
    query = select(SnapshotChunk.data).where(SnapshotChunk.snapshot == name).order_by(SnapshotChunk.seq)
    for data in conn.execute(query.execution_options(yield_per=4)).scalars():
        while data:
            *lines, pending = (pending + unzip.decompress(data, CHUNK_BYTES)).split(b"\n")
            data = unzip.unconsumed_tail
            yield from lines
    *lines, pending = (pending + unzip.flush()).split(b"\n")
    yield from lines
    if not unzip.eof or pending or unzip.unused_data:
        raise Invalid("snapshot.corrupt", f"Snapshot {name} is truncated or damaged", name)


def _reset_sequences(conn: Connection) -> None:
    """Point each autoincrement key's sequence past the restored rows (or at 1 for an empty table)."""
    for table in WORLD_TABLES:
        column = table.autoincrement_column
        if column is not None:
            top = func.max(column)
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            conn.execute(select(func.setval(sequence, func.coalesce(top, 1), top.is_not(None))))


def _missing(name: str) -> NotFound:
    return NotFound("snapshot.not_found", f"Snapshot {name} does not exist", name)


def _view(row: Snapshot) -> SnapshotView:
    return SnapshotView(row.name, row.created_at, row.revision, row.rows, row.size)
