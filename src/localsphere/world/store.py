"""The database: one engine per process, short transactions, migrations by Alembic.

A write opened while the same thread has one open joins it (a savepoint of its transaction), and
a read sees what it wrote so far: so an operation made of several world operations (a vim25
``ReconfigVM_Task``'s spec) is one transaction, made whole or not at all. While a thread writes,
its reads bypass the process's copies (``copies.uncommitted``), so nothing it has not committed is
kept there.

SQLite (the embedded default) runs in WAL mode and takes its write lock up front
(``BEGIN IMMEDIATE``) for write transactions, so concurrent writers wait for each other instead of
failing on a stale snapshot. PostgreSQL is the scale-out store shared by several workers.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Table, create_engine, event, insert, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from localsphere.world.copies import Generation, LocalGeneration, uncommitted

MIGRATIONS = Path(__file__).with_name("migrations")
_CHANGED = "localsphere.changed"
# What a write transaction may say it changed, for the copies workers keep (``world.copies``):
STATE = "state"  # the world-state row (the clock, the access stamp, the settings)
INVENTORY = "inventory"  # the managed objects
STATS = "stats"  # the samples pushed to them
FAULTS = "faults"  # the fault rules
TOPICS = (STATE, INVENTORY, STATS, FAULTS)
WHOLE_WORLD = (STATE, INVENTORY, STATS)  # what a load, a reset or a restore replaces
CHANNEL = "localsphere_world"  # PostgreSQL's notification channel for them, per database
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', :topic)")
_PG_MIGRATION_LOCK = 0x4C53_5048  # arbitrary advisory-lock key: "LSPH"
_PG_SERIAL_LOCK = 0x4C53_5357  # the advisory-lock key of ``write(serial=True)``: "LSSW"
_SERIAL = text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=_PG_SERIAL_LOCK)


class NeedsStore(Exception):
    """A call tried from this process's copies alone (``Store.without_io``) needs the store."""


class Store:
    """``generations``: per topic, the generation this store bumps after committing a change of it
    (those the server's workers share; by default this process's own)."""

    def __init__(
        self, url: str, generations: Mapping[str, Generation] | None = None, pool_size: int = 16
    ) -> None:
        self.url = url
        self.generations = dict(generations or {topic: LocalGeneration() for topic in TOPICS})
        # SQLite has one writer at a time: this process's writers queue here, handed the turn at
        # once, rather than in SQLite's busy handler, which sleeps up to 100 ms between tries.
        # (Writers of other processes still meet in the busy handler.)
        self._writing: AbstractContextManager[Any] = (
            threading.RLock() if url.startswith("sqlite") else nullcontext()
        )
        self.kind = "sqlite" if url.startswith("sqlite") else "postgresql"
        if self.kind == "sqlite":
            self.engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 30},
                pool_size=pool_size,
                max_overflow=pool_size,
            )
            _configure_sqlite(self.engine)
        else:
            self.engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "after_transaction_create", _noted_at_savepoint)
        event.listen(self._sessions, "after_soft_rollback", _noted_back_to_savepoint)
        # Reads skip BEGIN/ROLLBACK: two round trips fewer (PostgreSQL), two statements fewer
        # (SQLite) for a one-statement read; each statement reads committed data. Each thread
        # keeps its reading connection: a checkout from the pool and its return cost 70 µs, more
        # than the read of a session or a principal.
        self._reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._readers = threading.local()
        self._kept: set[Connection] = set()
        self._kept_lock = threading.Lock()
        self._tries = threading.local()  # this thread's try without the store, if any
        self._open = threading.local()  # this thread's write transaction, which others join
        self._hooks: list[Callable[[Session], None]] = []  # ``before_commit``'s

    def listen(self, name: str, listener: Callable[..., Any]) -> None:
        """Have ``listener`` hear ``name``, one of SQLAlchemy's session events, of this store's
        sessions (``datastore_space`` notes the VMs a write changes)."""
        event.listen(self._sessions, name, listener)

    def before_commit(self, hook: Callable[[Session], None]) -> None:
        """Have ``hook`` finish each write transaction, before the topics it changed are told and
        it commits (``datastore_space`` adds what the VMs it changed take to their datastores)."""
        self._hooks.append(hook)

    def io(self) -> None:
        """Say that what follows uses the store: in a try without it, ``NeedsStore`` now."""
        if getattr(self._tries, "effects", None) is not None:
            raise NeedsStore

    @contextmanager
    def without_io(self) -> Iterator[None]:
        """Try a call from this process's copies alone: it raises ``NeedsStore`` as soon as it would
        read or write the store, before any effect, and may then be run again where waiting is
        allowed. Effects it defers (``after``) happen when it ends any other way."""
        effects: list[Callable[[], None]] = []
        self._tries.effects = effects
        try:
            yield
        except NeedsStore:
            self._tries.effects = None
            raise
        except BaseException:
            self._settle(effects)
            raise
        self._settle(effects)

    def _settle(self, effects: list[Callable[[], None]]) -> None:
        self._tries.effects = None
        for effect in effects:
            effect()

    def after(self, effect: Callable[[], None]) -> None:
        """Do ``effect`` now, or in a try without the store, once it turns out not to need it."""
        effects = getattr(self._tries, "effects", None)
        if effects is None:
            effect()
        else:
            effects.append(effect)

    @contextmanager
    def query(self) -> Iterator[Connection]:
        """A read-only transaction without the ORM, for the paths every request takes: prebuilt
        Core statements on a bare connection cost a fraction of a session's bookkeeping."""
        self.io()
        joined = self._joined()
        if joined is not None:  # inside a write: read what it wrote so far
            joined.flush()
            yield joined.connection()
            return
        conn: Connection | None = getattr(self._readers, "conn", None)
        if conn is None:
            conn = self._readers.conn = self._reader.connect()
            with self._kept_lock:
                self._kept.add(conn)
        try:
            yield conn
        except DBAPIError:  # the connection may be broken (a server gone): the next read opens one
            self._forget_reader(conn)
            raise

    def _forget_reader(self, conn: Connection) -> None:
        self._readers.conn = None
        with self._kept_lock:
            self._kept.discard(conn)
        conn.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads: closing it rolls back whatever it might have changed.
        Inside a write of this thread, that write's session (it reads what the write wrote)."""
        self.io()
        joined = self._joined()
        if joined is not None:
            yield joined
            return
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self, serial: bool = False) -> Iterator[Session]:
        """A transaction that writes; committed on success, rolled back on any error.

        ``serial``: one such transaction at a time in the whole world, for writes that look
        before they add (is the name taken? is the entry known?), so two of them never both add.
        SQLite's writers queue anyway; on PostgreSQL it is a transaction-level advisory lock,
        after which every statement sees what the one before committed.

        Opened while this thread has a write open, it is a savepoint of that one: rolled back
        alone on an error (which goes on to the caller), committed with the outer write."""
        self.io()
        joined = self._joined()
        if joined is not None:
            if serial and self.kind == "postgresql":
                joined.execute(_SERIAL)
            with joined.begin_nested():
                yield joined
            return
        with self._writing, self._sessions() as session, uncommitted():
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            if serial and self.kind == "postgresql":
                session.execute(_SERIAL)
            self._open.session = session
            try:
                yield session
                for hook in self._hooks:
                    hook(session)
                topics = session.info.get(_CHANGED, ())
                if self.kind == "postgresql":  # delivered to every listener when this commits
                    for topic in sorted(topics):
                        session.execute(_NOTIFY, {"topic": topic})
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                self._open.session = None
            for topic in topics:
                self.generations[topic].bump()

    def _joined(self) -> Session | None:
        """The write transaction this thread has open, if any."""
        return getattr(self._open, "session", None)

    @contextmanager
    def write_core(self) -> Iterator[Connection]:
        """A write transaction without the ORM, for the few writes on paths every request takes
        (inside a write of this thread: a savepoint of it, as ``write``'s)."""
        self.io()
        joined = self._joined()
        if joined is not None:
            with joined.begin_nested():
                yield joined.connection()
            return
        with (
            self._writing,
            self.engine.connect() as conn,
            conn.execution_options(sqlite_begin="IMMEDIATE").begin(),
        ):
            yield conn

    def migrate(self) -> None:
        """Bring the schema to the newest revision; safe to call from several processes."""
        with self.engine.begin() as conn:
            if self.kind == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        with self._kept_lock:
            kept, self._kept = self._kept, set()
        for conn in kept:
            conn.close()
        self.engine.dispose()


_AT_SAVEPOINT: weakref.WeakKeyDictionary[SessionTransaction, dict[Any, Any]] = weakref.WeakKeyDictionary()
_AT_SAVEPOINT_LOCK = threading.Lock()  # every writing thread's savepoints share the one table


def _noted_at_savepoint(session: Session, transaction: SessionTransaction) -> None:
    """What a write had noted in its session's ``info`` (the topics it changed, what
    ``datastore_space`` counts) when one of its savepoints began (after its flush)."""
    if transaction.nested:
        noted = copy.deepcopy(session.info)
        with _AT_SAVEPOINT_LOCK:
            _AT_SAVEPOINT[transaction] = noted


def _noted_back_to_savepoint(session: Session, transaction: SessionTransaction) -> None:
    """A savepoint rolled back takes back what was noted since it began, with its rows."""
    with _AT_SAVEPOINT_LOCK:
        noted = _AT_SAVEPOINT.pop(transaction, None)
    if noted is not None:
        session.info.clear()
        session.info.update(noted)


def changed(session: Session, *topics: str) -> None:
    """Say that ``session``'s write transaction changes ``topics`` (of ``TOPICS``): once it
    commits, the store bumps their generations, and on PostgreSQL every server's ``Changes``
    hears of them."""
    session.info.setdefault(_CHANGED, set()).update(topics)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'DEFERRED')}")


def bulk_insert(conn: Connection, table: Table, columns: list[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows that give every one of ``columns``: by COPY on PostgreSQL (in the
    transaction's own connection; several times faster than INSERT), else by executemany."""
    if conn.dialect.name == "postgresql":
        quote = conn.dialect.identifier_preparer
        names = ", ".join(quote.quote(c) for c in columns)
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {quote.format_table(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
