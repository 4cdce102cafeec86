"""Requests for extension services forwarded over AMQP (vCloud API Programming Guide, chapter 11,
"vCloud Director Extension Services": "Extension Service AMQP Message Format"), against the real
RabbitMQ (the ``broker`` fixture): an extension thread consumes from its queue and replies on the
reply exchange, and the caller gets the extension's answer; the message carries the request and
only the caller's own user, org and rights; no reply in time is a 504, no broker a 503; a disabled
service, an unauthenticated caller and a path no filter matches are not forwarded. (The
session's server waits one second for an extension's reply.)"""

from __future__ import annotations

import base64
import json
import secrets
import threading

import pika
import pytest

from localsphere.world.org_roles import ADMIN_VIEW, right_id
from vcd_client import ORG_USER, PROVIDER, sign_in
from vcd_extension import AMQP_TYPE, SETTINGS, demo_org
from vcd_schema import assert_valid

SERVICE_TYPE = "application/vnd.vmware.admin.service+xml"
HELLO_TYPE = "application/vnd.example.hello+xml"


def service_xml(exchange: str, enabled: bool = True) -> str:
    """A service on ``exchange`` (routing key ``hello``) serving ``/api/org/{org}/<exchange>[/...]``."""
    return (
        '<vmext:Service xmlns="http://www.vmware.com/vcloud/v1.5" '
        'xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5" name="hello">'
        f"<vmext:Namespace>org.example.{exchange}</vmext:Namespace>"
        f"<vmext:Enabled>{'true' if enabled else 'false'}</vmext:Enabled>"
        "<vmext:AuthorizationEnabled>false</vmext:AuthorizationEnabled>"
        f"<vmext:RoutingKey>hello</vmext:RoutingKey><vmext:Priority>50</vmext:Priority>"
        f"<vmext:Exchange>{exchange}</vmext:Exchange>"
        "<vmext:ApiFilters><vmext:ApiFilter><vmext:UrlPattern>/api/org/[^/]+/"
        f"{exchange}(/.*)?</vmext:UrlPattern>"
        "</vmext:ApiFilter></vmext:ApiFilters></vmext:Service>"
    )


def amqp(port: int = 5672) -> str:
    return (
        '<vmext:AmqpSettings xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5">'
        f"<vmext:AmqpHost>127.0.0.1</vmext:AmqpHost><vmext:AmqpPort>{port}</vmext:AmqpPort>"
        "<vmext:AmqpUsername>guest</vmext:AmqpUsername><vmext:AmqpPassword>guest</vmext:AmqpPassword>"
        "<vmext:AmqpExchange>systemExchange</vmext:AmqpExchange><vmext:AmqpVHost>/</vmext:AmqpVHost>"
        "<vmext:AmqpUseSSL>false</vmext:AmqpUseSSL><vmext:AmqpPrefix>vcd</vmext:AmqpPrefix>"
        "</vmext:AmqpSettings>"
    )


@pytest.fixture
def extension(broker):
    """A service's exchange and queue on the test broker: (exchange, queue)."""
    exchange = f"localsphere.ext.{secrets.token_hex(4)}"
    broker.exchange_declare(exchange, exchange_type="direct")
    queue = broker.queue_declare(exchange).method.queue  # the extension's thread reads it too
    broker.queue_bind(queue, exchange, routing_key="hello")
    yield exchange, queue
    broker.queue_delete(queue)
    broker.exchange_delete(exchange)


def register(c, admin, exchange: str) -> str:
    """Register the hello service on ``exchange``; its href."""
    r = c.post(
        "/api/admin/extension/service",
        content=service_xml(exchange),
        headers={**admin, "Content-Type": SERVICE_TYPE},
    )
    assert r.status_code == 201, r.text
    return assert_valid(r.content).get("href")


def configure(c, admin, port: int = 5672) -> None:
    r = c.put(f"{SETTINGS}/amqp", content=amqp(port), headers={**admin, "Content-Type": AMQP_TYPE})
    assert r.status_code == 200, r.text


def hello(message: list) -> bytes:
    """The extension's reply: 201, a hello document around the request's body."""
    reply = {
        "id": message[0]["id"],
        "statusCode": 201,
        "headers": {"Content-Type": HELLO_TYPE, "X-Hello": "world", "X-Bad": "a\r\nSet-Cookie: x"},
        "body": base64.b64encode(b"<hello>" + base64.b64decode(message[0]["body"]) + b"</hello>").decode(),
        "request": False,
    }
    return json.dumps(reply).encode()


def serve_one(queue: str, seen: list, reply=hello) -> threading.Thread:
    """An extension: takes one request from ``queue``, keeps (properties, message) in ``seen``,
    and answers ``reply(message)`` on the reply exchange the request names."""

    def run() -> None:
        connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", 5672))
        channel = connection.channel()
        for method, properties, body in channel.consume(queue, auto_ack=True, inactivity_timeout=30):
            if method is None:
                break
            message = json.loads(body)
            seen.append((properties, message))
            channel.basic_publish(
                properties.headers["replyToExchange"],
                properties.reply_to,
                reply(message),
                pika.BasicProperties(
                    correlation_id=properties.correlation_id, headers={"messageType": "ProcessHttpResponse"}
                ),
            )
            break
        connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_request_goes_to_the_extension_and_its_reply_is_the_answer(server, extension):
    exchange, queue = extension
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        configure(c, admin)
        register(c, admin, exchange)
        alice = sign_in(c, ORG_USER)
        org, user = demo_org(c, alice)
        seen: list = []
        thread = serve_one(queue, seen)
        r = c.post(
            f"/api/org/{org}/{exchange}",
            params={"greeting": "hi"},
            content=b"<ping/>",
            headers={**alice, "Content-Type": "application/vnd.example.ping+xml"},
        )
        thread.join()
        assert r.status_code == 201, r.text
        assert r.content == b"<hello><ping/></hello>"
        assert r.headers["content-type"] == HELLO_TYPE and r.headers["x-hello"] == "world"
        assert "x-bad" not in r.headers and "set-cookie" not in r.headers  # no header smuggled in
        ((properties, (request, security, context)),) = seen
        assert properties.headers["messageType"] == "ProcessHttpRequest"
        assert properties.headers["replyToExchange"] == "vcd.replyExchange"
        assert properties.correlation_id == request["id"] and properties.reply_to
        assert (request["method"], request["requestUri"], request["queryString"]) == (
            "POST",
            f"/api/org/{org}/{exchange}",
            "greeting=hi",
        )
        assert request["request"] is True and request["scheme"] == "https"
        assert base64.b64decode(request["body"]) == b"<ping/>"
        assert request["headers"]["content-type"] == "application/vnd.example.ping+xml"
        assert request["headers"]["x-vcloud-authorization"] == alice["x-vcloud-authorization"]
        assert "authorization" not in request["headers"]  # a password is never passed on
        assert security["user"] == f"urn:vcloud:user:{user}" and security["org"] == f"urn:vcloud:org:{org}"
        assert (
            security["rights"] and f"urn:vcloud:right:{right_id(ADMIN_VIEW)}" not in security["rights"]
        )  # alice's, not the provider's
        assert context["apiVersion"] == "36.0"


def test_what_is_not_forwarded_and_what_fails(server, extension, broker):
    exchange, queue = extension
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        alice = sign_in(c, ORG_USER)
        org, _ = demo_org(c, alice)
        configure(c, admin, port=1)  # nothing listens there
        href = register(c, admin, exchange)
        r = c.get(f"/api/org/{org}/{exchange}", headers=alice)
        assert r.status_code == 503 and assert_valid(r.content).get("minorErrorCode") == "SERVICE_UNAVAILABLE"
        configure(c, admin)
        # nobody answers: 504, and the request did reach the service's queue (here through the shared port)
        with server.client() as shared:
            r = shared.get(f"/api/org/{org}/{exchange}/later", headers=alice)
        assert r.status_code == 504, r.text
        assert assert_valid(r.content).get("majorErrorCode") == "504"
        method, _, body = broker.basic_get(queue, auto_ack=True)
        assert method is not None and json.loads(body)[0]["requestUri"] == f"/api/org/{org}/{exchange}/later"
        # a reply that is not the product's: 500
        thread = serve_one(queue, [], reply=lambda _: b"not json")
        r = c.get(f"/api/org/{org}/{exchange}", headers=alice)
        thread.join()
        assert r.status_code == 500
        assert assert_valid(r.content).get("minorErrorCode") == "INTERNAL_SERVER_ERROR"
        # no session: 401, nothing sent
        r = c.get(f"/api/org/{org}/{exchange}", headers={"Accept": alice["Accept"]})
        assert r.status_code == 401
        # a disabled service is not forwarded to: the face's 404
        r = c.put(
            href,
            content=service_xml(exchange, enabled=False),
            headers={**admin, "Content-Type": SERVICE_TYPE},
        )
        assert r.status_code == 200, r.text
        r = c.get(f"/api/org/{org}/{exchange}", headers=alice)
        assert r.status_code == 404 and assert_valid(r.content).get("minorErrorCode") == "RESOURCE_NOT_FOUND"
        assert broker.basic_get(queue, auto_ack=True)[0] is None
        # the face's own operations keep their 405 and 404
        r = c.post(f"/api/org/{org}", headers=alice)
        assert r.status_code == 405 and "GET" in r.headers["allow"]
        assert c.get(f"/api/org/{org}/nothing", headers=alice).status_code == 404
