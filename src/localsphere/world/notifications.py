"""Notifications: the system's AMQP broker settings, whether notifications are on, and the
publisher that sends every event recorded while they are on (``events.py``) to the broker over
a real AMQP 0-9-1 connection (pika).

The world decides what is sent and when; the face that owns the product's message format
registers a ``Renderer``, which writes an event's messages and names their exchanges (vCD: an XML
``Notification`` on the configured exchange and its JSON on ``<prefix>.notifications20``). The
publisher is a thread of each worker, started when an event to publish is recorded or the
settings change. It takes the pending events in a write transaction that locks them (PostgreSQL:
``SKIP LOCKED``, so two workers never send one event twice), publishes them, and marks them sent
in that transaction: a broker that is down leaves them pending, to be sent once it is back, and
no request ever waits for the broker. With no broker host configured, pending events are dropped.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pika
import pika.exceptions
from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world.errors import Invalid
from localsphere.world.events import NOTIFICATIONS, EventView, view_of
from localsphere.world.schema import Event, ExtensionSetting
from localsphere.world.sealed import Sealer
from localsphere.world.store import Store

log = logging.getLogger(__name__)
# pika logs every failed connection attempt as errors with tracebacks; the publisher says once
# per attempt what failed (``could not publish notifications``), so pika's own are kept quiet.
logging.getLogger("pika").setLevel(logging.CRITICAL)
AMQP = "amqp"
BATCH = 100  # events published per transaction
IDLE_SECONDS = 1.0  # how often the publisher looks again when nothing woke it
RETRY_SECONDS = 2.0  # after a broker failure
CONNECT_SECONDS = 5.0  # connection and socket timeout towards the broker


@dataclass(frozen=True)
class AmqpSettings:
    """The broker (vCD's ``AmqpSettings``): host, port, user, vhost, exchange, TLS, and the
    prefix of the exchanges the product makes; ``password`` is never shown (``has_password``
    says whether one is kept). ``base``: the API's base URL that messages point to (the
    entityResolver), as the administrator who configured it called the API."""

    host: str = ""
    port: int = 5672
    username: str = "guest"
    exchange: str = "systemExchange"
    vhost: str = "/"
    use_ssl: bool = False
    ssl_accept_all: bool = False
    prefix: str = "vcd"
    base: str = ""
    password: str | None = field(default=None, repr=False)  # only ever given, never read back
    has_password: bool = False


@dataclass(frozen=True)
class Message:
    """One message to the broker: its exchange, routing key, AMQP headers, body and content type."""

    exchange: str
    routing_key: str
    headers: dict[str, str]
    body: bytes
    content_type: str


Renderer = Callable[[EventView, AmqpSettings], Sequence[Message]]  # (event, broker settings) -> messages


def _read(db: Session | Connection, name: str) -> dict[str, Any]:
    value = db.execute(select(ExtensionSetting.value).where(ExtensionSetting.name == name)).scalar()
    return json.loads(value) if value else {}


class Notifications:
    def __init__(self, store: Store, sealer: Sealer) -> None:
        self._store = store
        self._sealer = sealer
        self._renderer: Renderer | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def render_with(self, renderer: Renderer) -> None:
        """The face that writes the product's messages."""
        self._renderer = renderer

    # --- settings ----------------------------------------------------------------------------

    def amqp(self) -> AmqpSettings:
        """The broker settings (the password left out)."""
        with self._store.query() as conn:
            data = _read(conn, AMQP)
        return _amqp(data)

    def configure_amqp(self, given: AmqpSettings) -> AmqpSettings:
        """Replace the broker settings; a ``password`` of None keeps the one kept. Invalid for a
        port outside 1-65535 or an empty user, vhost or exchange."""
        _check(given)
        with self._store.write() as s:
            kept = _read(s, AMQP)
            sealed = kept.get("password", "") if given.password is None else self._sealer.seal(given.password)
            value = {
                "host": given.host,
                "port": given.port,
                "username": given.username,
                "exchange": given.exchange,
                "vhost": given.vhost,
                "use_ssl": given.use_ssl,
                "ssl_accept_all": given.ssl_accept_all,
                "prefix": given.prefix,
                "base": given.base,
                "password": sealed,
            }
            _write(s, AMQP, value)
        self._kick()
        return _amqp(value)

    def broker(self) -> tuple[AmqpSettings, str]:
        """The broker settings and the kept password (opened; "" when none), for whoever talks
        to the broker (the publisher, extension requests)."""
        with self._store.query() as conn:
            data = _read(conn, AMQP)
        return _amqp(data), self._sealer.open(str(data["password"])) if data.get("password") else ""

    def enabled(self) -> bool:
        with self._store.query() as conn:
            return bool(_read(conn, NOTIFICATIONS).get("enabled"))

    def enable(self, on: bool) -> bool:
        """Turn notifications on or off (events recorded from then on are published or not)."""
        with self._store.write() as s:
            _write(s, NOTIFICATIONS, {"enabled": on})
        self._kick()
        return on

    def test(self, given: AmqpSettings) -> str | None:
        """Try to connect to the broker ``given`` names (its password, or the one kept when it
        gives none) and open a channel; None when that works, else why not."""
        _check(given)
        if given.password is None:
            with self._store.query() as conn:
                kept = str(_read(conn, AMQP).get("password", ""))
            given = replace(given, password=self._sealer.open(kept) if kept else "")
        try:
            connection = connect(given, given.password or "")
        except (pika.exceptions.AMQPError, OSError) as exc:
            return f"Cannot connect to the AMQP broker at {given.host}:{given.port}: {_reason(exc)}"
        try:
            connection.channel()
        except pika.exceptions.AMQPError as exc:
            return f"The AMQP broker at {given.host}:{given.port} refused a channel: {_reason(exc)}"
        finally:
            _closed(connection)
        return None

    # --- the publisher -----------------------------------------------------------------------

    def wake(self) -> None:
        """An event to publish was recorded: start the publisher if needed, and wake it."""
        self._kick()

    def _kick(self) -> None:
        if self._thread is None:
            with self._starting:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="notifications", daemon=True)
                    self._thread.start()
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()

    def _run(self) -> None:
        connection: pika.BlockingConnection | None = None
        used: tuple[object, ...] | None = None
        while not self._stop.is_set():
            self._wake.wait(IDLE_SECONDS)
            self._wake.clear()
            try:
                connection, used = self._publish(connection, used)
            except Exception as exc:  # a broker or store failure: the events stay pending
                log.warning("could not publish notifications (%s); retrying", _reason(exc))
                connection = _closed(connection)
                self._stop.wait(RETRY_SECONDS)
        _closed(connection)

    def _publish(
        self, connection: pika.BlockingConnection | None, used: tuple[object, ...] | None
    ) -> tuple[pika.BlockingConnection | None, tuple[object, ...] | None]:
        """Publish one batch of pending events; the connection kept for the next (reopened when
        the settings changed)."""
        while True:
            with self._store.query() as conn:  # a look first: no write while nothing waits
                if conn.execute(select(Event.id).where(Event.pending.is_(True)).limit(1)).first() is None:
                    return connection, used
            with self._store.write() as s:
                query = (
                    select(Event).where(Event.pending.is_(True)).order_by(Event.at, Event.seq).limit(BATCH)
                )
                if self._store.kind == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                rows = s.scalars(query).all()
                if not rows:
                    return connection, used
                data = _read(s, AMQP)
                settings = _amqp(data)
                renderer = self._renderer
                if settings.host and renderer is not None:
                    password = self._sealer.open(str(data["password"])) if data.get("password") else ""
                    key = (settings, password)
                    if connection is None or not connection.is_open or key != used:
                        connection = _closed(connection)
                        connection = connect(settings, password)
                        used = key
                    channels: dict[str, Any] = {}  # exchange -> a channel where it exists
                    for row in rows:
                        for message in renderer(view_of(row), settings):
                            if message.exchange not in channels:
                                channels[message.exchange] = _exchange(connection, message.exchange)
                            channels[message.exchange].basic_publish(
                                message.exchange,
                                message.routing_key,
                                message.body,
                                pika.BasicProperties(
                                    content_type=message.content_type,
                                    headers=message.headers,
                                    delivery_mode=2,
                                ),
                            )
                    for channel in channels.values():
                        channel.close()
                s.execute(update(Event).where(Event.id.in_([r.id for r in rows])).values(pending=False))


def connect(settings: AmqpSettings, password: str) -> pika.BlockingConnection:
    """A connection to the broker ``settings`` name (the one way the world opens one); pika's
    AMQPError or OSError when it cannot be had within ``CONNECT_SECONDS``."""
    return pika.BlockingConnection(_parameters(settings, password))


def _exchange(connection: pika.BlockingConnection, name: str) -> Any:
    """A channel on which the exchange ``name`` exists: the administrator's own, whatever its
    type, or else one declared here (a durable topic exchange)."""
    channel = connection.channel()
    try:
        channel.exchange_declare(name, passive=True)
    except pika.exceptions.ChannelClosedByBroker:  # there is none (the broker closed the channel)
        channel = connection.channel()
        channel.exchange_declare(name, exchange_type="topic", durable=True)
    return channel


def _amqp(data: dict[str, Any]) -> AmqpSettings:
    defaults = AmqpSettings()
    return AmqpSettings(
        host=str(data.get("host", defaults.host)),
        port=int(data.get("port", defaults.port)),
        username=str(data.get("username", defaults.username)),
        exchange=str(data.get("exchange", defaults.exchange)),
        vhost=str(data.get("vhost", defaults.vhost)),
        use_ssl=bool(data.get("use_ssl", defaults.use_ssl)),
        ssl_accept_all=bool(data.get("ssl_accept_all", defaults.ssl_accept_all)),
        prefix=str(data.get("prefix", defaults.prefix)),
        base=str(data.get("base", defaults.base)),
        has_password=bool(data.get("password")),
    )


def _check(given: AmqpSettings) -> None:
    if not 0 < given.port < 65536:
        raise Invalid("amqp.port", f"The AMQP port must be 1 to 65535, not {given.port}.")
    if not given.username or not given.vhost or not given.exchange:
        raise Invalid("amqp.settings", "The AMQP user, virtual host and exchange may not be empty.")
    if len(given.host) > 255 or any(
        len(x) > 255 for x in (given.username, given.vhost, given.exchange, given.prefix)
    ):
        raise Invalid("amqp.settings", "AMQP settings are at most 255 characters each.")


def _write(s: Session, name: str, value: dict[str, Any]) -> None:
    row = s.get(ExtensionSetting, name)
    if row is None:
        s.add(ExtensionSetting(name=name, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)


def _parameters(settings: AmqpSettings, password: str) -> pika.ConnectionParameters:
    ssl_options = None
    if settings.use_ssl:
        import ssl

        context = ssl.create_default_context()
        if settings.ssl_accept_all:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        ssl_options = pika.SSLOptions(context, settings.host)
    return pika.ConnectionParameters(
        host=settings.host,
        port=settings.port,
        virtual_host=settings.vhost,
        credentials=pika.PlainCredentials(settings.username, password),
        ssl_options=ssl_options,
        socket_timeout=CONNECT_SECONDS,
        blocked_connection_timeout=CONNECT_SECONDS,
        connection_attempts=1,
        stack_timeout=CONNECT_SECONDS,
    )


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:300]


def _closed(connection: pika.BlockingConnection | None) -> None:
    if connection is not None and connection.is_open:
        try:
            connection.close()
        except Exception:  # closing a broken connection may fail too; it is dropped either way
            log.debug("closing the AMQP connection failed", exc_info=True)
    return None
