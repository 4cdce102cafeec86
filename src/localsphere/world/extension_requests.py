"""Requests to extension services, forwarded over AMQP as vCloud Director forwards them (vCloud
API Programming Guide, "vCloud Director Extension Services": "Extension Service AMQP Message
Format"; the VMware Cloud Director 10.x guide's page of that name).

A request whose path an enabled service's API filter matches (``ExtensionServices.matching``) is
published to the service's exchange with its routing key on the broker of the system AMQP
settings, as a JSON array of three objects:

- the request: ``method``, ``id``, ``scheme``, ``protocol``, ``headers`` (name: value),
  ``queryString`` (null when none), ``localPort``, ``remoteAddr``, ``remotePort``, ``localAddr``,
  ``request`` (true), ``requestUri`` and ``body`` (base64);
- the security context: ``user`` and ``org`` (``urn:vcloud:user:...``, ``urn:vcloud:org:...``)
  and ``rights`` (the caller's rights in that org, ``urn:vcloud:right:...``);
- the request's context: ``apiVersion`` (the vCloud API version the request names, or null).

The AMQP properties carry ``correlation_id`` (the request's ``id``) and ``reply_to`` (a queue of
this request's own, bound to the reply exchange ``<prefix>.replyExchange`` by its name), and the
headers ``messageType: ProcessHttpRequest`` and ``replyToExchange``. The service answers on that
exchange with ``reply_to`` as its routing key and the same correlation id, with one JSON object:
``id``, ``statusCode``, ``headers``, ``body`` (base64) and ``request`` (false).

Each forwarded request opens its own connection (pika's connections are one thread's) and waits
at most ``timeout`` seconds for the reply: ``NotAnswered`` after that, ``BrokerUnavailable`` when
no broker is configured, it cannot be reached, or no queue takes the service's messages, and
``BadReply`` for a reply that is not the product's JSON."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass, field

import pika
import pika.exceptions

from localsphere.world.errors import WorldError
from localsphere.world.extension_services import ServiceView
from localsphere.world.notifications import Notifications, connect

REQUEST_MESSAGE = "ProcessHttpRequest"
REPLY_EXCHANGE = "replyExchange"  # after the AMQP prefix: ``vcd.replyExchange``
MAX_REPLY_BYTES = 24 << 20  # the most bytes of a reply message
WAIT_STEP_SECONDS = 0.5  # how often the wait for a reply looks at the clock
# Hop-by-hop and length headers of a reply the server sets itself.
_DROPPED = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"})
# What a reply's header may be (RFC 9110's token; visible Latin-1 and blanks): others are dropped.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]{0,8192}")


class BrokerUnavailable(WorldError):
    """No broker is configured, it cannot be reached, or nothing takes the service's messages."""


class NotAnswered(WorldError):
    """The extension service did not reply in time."""


class BadReply(WorldError):
    """The extension service's reply is not the product's response message."""


@dataclass(frozen=True)
class ForwardedRequest:
    """What of an HTTP request goes to a service: its method, path (``request_uri``), query string
    (None when none), scheme (``https``), protocol (``HTTP/1.1``), headers, body, both ends'
    addresses and ports, and the caller (its user id, org UUID and the urns of its rights) and
    the API version its ``Accept`` names (None when none)."""

    method: str
    request_uri: str
    query_string: str | None
    scheme: str
    protocol: str
    headers: dict[str, str]
    body: bytes
    local_addr: str
    local_port: int
    remote_addr: str
    remote_port: int
    user_id: str
    org_uuid: str
    rights: tuple[str, ...] = ()
    api_version: str | None = None


@dataclass(frozen=True)
class ExtensionReply:
    """The service's answer: HTTP status, headers and body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def request_message(request: ForwardedRequest, message_id: str) -> bytes:
    """The JSON request message (the module's docstring gives its shape)."""
    return json.dumps(
        [
            {
                "method": request.method,
                "id": message_id,
                "scheme": request.scheme,
                "protocol": request.protocol,
                "headers": request.headers,
                "queryString": request.query_string,
                "localPort": request.local_port,
                "remoteAddr": request.remote_addr,
                "remotePort": request.remote_port,
                "localAddr": request.local_addr,
                "request": True,
                "requestUri": request.request_uri,
                "body": base64.b64encode(request.body).decode("ascii"),
            },
            {
                "user": f"urn:vcloud:user:{request.user_id}",
                "org": f"urn:vcloud:org:{request.org_uuid}",
                "rights": list(request.rights),
            },
            {"apiVersion": request.api_version},
        ]
    ).encode()


def reply_of(body: bytes) -> ExtensionReply:
    """The service's response message as an answer; BadReply when it is not one."""
    try:
        data = json.loads(body)
        status = data["statusCode"]
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError("statusCode")
        headers = data.get("headers") or {}
        if not isinstance(headers, dict):
            raise ValueError("headers")
        encoded = data.get("body") or ""
        payload = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else None
        if payload is None:
            raise ValueError("body")
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BadReply(
            "extension.reply", f"The extension service's reply could not be read ({exc})."
        ) from None
    kept = {str(k): str(v) for k, v in headers.items() if _passed(str(k), str(v))}
    return ExtensionReply(status, kept, payload)


def _passed(name: str, value: str) -> bool:
    """Whether a reply's header goes to the client."""
    return (
        name.lower() not in _DROPPED
        and _HEADER_NAME.fullmatch(name) is not None
        and _HEADER_VALUE.fullmatch(value) is not None
    )


class ExtensionRequests:
    def __init__(self, notifications: Notifications, timeout: float) -> None:
        self._notifications = notifications
        self._timeout = timeout

    def forward(self, service: ServiceView, request: ForwardedRequest) -> ExtensionReply:
        """Publish ``request`` to ``service`` and wait for its reply (blocks up to the timeout:
        run it off the event loop)."""
        settings, password = self._notifications.broker()
        if not settings.host:
            raise BrokerUnavailable(
                "extension.no_broker", "No AMQP broker is configured to reach extension services."
            )
        try:
            connection = connect(settings, password)
        except (pika.exceptions.AMQPError, OSError):
            raise BrokerUnavailable(
                "extension.broker_down",
                f"The AMQP broker at {settings.host}:{settings.port} cannot be reached.",
            ) from None
        try:
            return self._exchange(connection, f"{settings.prefix}.{REPLY_EXCHANGE}", service, request)
        except pika.exceptions.UnroutableError:
            raise BrokerUnavailable(
                "extension.unroutable",
                f"No queue takes the messages of extension service {service.name} "
                f"(exchange {service.exchange}, routing key {service.routing_key}).",
            ) from None
        except pika.exceptions.ChannelClosedByBroker as exc:
            raise BrokerUnavailable(
                "extension.refused", f"The AMQP broker refused the request: {exc.reply_text}."
            ) from None
        except (pika.exceptions.AMQPError, OSError):
            raise BrokerUnavailable(
                "extension.broker_down",
                f"The connection to the AMQP broker at {settings.host}:{settings.port} was lost.",
            ) from None
        finally:
            if connection.is_open:
                with contextlib.suppress(pika.exceptions.AMQPError, OSError):  # dropped either way
                    connection.close()

    def _exchange(
        self,
        connection: pika.BlockingConnection,
        replies: str,
        service: ServiceView,
        request: ForwardedRequest,
    ) -> ExtensionReply:
        channel = connection.channel()
        channel.exchange_declare(replies, exchange_type="direct", durable=True)
        queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
        channel.queue_bind(queue, replies, routing_key=queue)
        channel.confirm_delivery()
        message_id = str(uuid.uuid4())
        channel.basic_publish(
            service.exchange,
            service.routing_key,
            request_message(request, message_id),
            pika.BasicProperties(
                content_type="application/json",
                correlation_id=message_id,
                reply_to=queue,
                headers={"messageType": REQUEST_MESSAGE, "replyToExchange": replies},
            ),
            mandatory=True,
        )
        deadline = time.monotonic() + self._timeout
        step = min(WAIT_STEP_SECONDS, self._timeout)
        for method, properties, body in channel.consume(queue, auto_ack=True, inactivity_timeout=step):
            if method is not None and properties.correlation_id == message_id:
                if len(body) > MAX_REPLY_BYTES:
                    raise BadReply("extension.reply", "The extension service's reply is too large.")
                return reply_of(body)
            if time.monotonic() >= deadline:
                break
        raise NotAnswered(
            "extension.timeout",
            f"Extension service {service.name} did not answer within {self._timeout:g} seconds.",
        )
