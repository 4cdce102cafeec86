"""AMQP notifications through the vCloud API (Programming Guide 5.5, chapter 10: "Retrieve or
Update AMQP Settings", "Test AMQP Settings", "Enable Notifications", "Notification Message
Format"), received from a real RabbitMQ broker (the ``broker`` fixture): the broker is configured
(its password never shown) and tested; once notifications are on, a change's event and a blocking
task's arrive on the configured exchange with the product's routing key, headers and XML
Notification, and as JSON on ``vcd.notifications20``."""

from __future__ import annotations

import json
import secrets
import time

from vcd_client import ORG_USER, PROVIDER, V15, sign_in
from vcd_extension import AMQP_TYPE, SETTINGS, VMEXT, amqp_settings, demo_org, instantiate
from vcd_schema import assert_valid

NOTIFICATIONS_TYPE = "application/vnd.vmware.admin.notificationsSettings+xml"
WAIT_SECONDS = 30  # the most a message may take to arrive before the test gives up


def received(channel, queue: str, wanted) -> tuple:
    """The first message on ``queue`` that ``wanted(routing_key)`` accepts: (method, properties, body)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            channel.connection.sleep(0.1)
        elif wanted(method.routing_key):
            return method, properties, body
    raise AssertionError(f"no message arrived on {queue} in {WAIT_SECONDS} seconds")


def test_events_and_blocking_tasks_are_published_to_the_broker(server, broker):
    exchange = f"localsphere.test.{secrets.token_hex(4)}"
    broker.exchange_declare(exchange, exchange_type="topic", durable=True)
    queue = broker.queue_declare("", exclusive=True).method.queue
    broker.queue_bind(queue, exchange, routing_key="#")
    # the JSON notifications' exchange is the prefix's, shared by every server on the broker
    broker.exchange_declare("vcd.notifications20", exchange_type="topic", durable=True)
    json_queue = broker.queue_declare("", exclusive=True).method.queue
    broker.queue_bind(json_queue, "vcd.notifications20", routing_key="#")
    try:
        with server.client(base_url=server.vcd) as c:
            admin = sign_in(c, PROVIDER)
            sent = {**admin, "Content-Type": AMQP_TYPE}
            r = c.put(f"{SETTINGS}/amqp", content=amqp_settings(exchange), headers=sent)
            assert r.status_code == 200, r.text
            shown = assert_valid(r.content)
            assert shown.findtext(f"{VMEXT}AmqpExchange") == exchange
            assert (
                shown.find(f"{VMEXT}AmqpPassword") is None and b"guest</vmext:AmqpPassword" not in r.content
            )
            assert (
                assert_valid(c.get(f"{SETTINGS}/amqp", headers=admin).content).find(f"{VMEXT}AmqpPassword")
                is None
            )
            tested = assert_valid(
                c.post(f"{SETTINGS}/amqp/action/test", content=amqp_settings(exchange), headers=sent).content
            )
            assert tested.findtext(f"{VMEXT}Valid") == "true"
            wrong = c.post(
                f"{SETTINGS}/amqp/action/test", content=amqp_settings(exchange, "wrong"), headers=sent
            )
            refused = assert_valid(wrong.content)
            assert refused.findtext(f"{VMEXT}Valid") == "false" and refused.find(f"{VMEXT}error") is not None
            on = (
                '<vmext:NotificationsSettings xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5">'
                "<vmext:EnableNotifications>true</vmext:EnableNotifications></vmext:NotificationsSettings>"
            )
            r = c.put(
                f"{SETTINGS}/notifications", content=on, headers={**admin, "Content-Type": NOTIFICATIONS_TYPE}
            )
            assert assert_valid(r.content).findtext(f"{VMEXT}EnableNotifications") == "true"
            alice = sign_in(c, ORG_USER)
            org, user = demo_org(c, alice)
            # a broker that cannot be reached loses nothing: what happened meanwhile is sent once it is back
            down = amqp_settings(exchange).replace(">5672<", ">1<")
            assert c.put(f"{SETTINGS}/amqp", content=down, headers=sent).status_code == 200
            early = assert_valid(instantiate(c, alice, "early").content).get("id").rsplit(":", 1)[-1]
            assert c.put(f"{SETTINGS}/amqp", content=amqp_settings(exchange), headers=sent).status_code == 200
            method, _, _ = received(broker, queue, lambda key: key.endswith(".vapp.create"))
            assert method.routing_key.startswith(f"true.{early}.{org}.{user}.")
            vapp = assert_valid(instantiate(c, alice, "heard").content)
            vapp_id = vapp.get("id").rsplit(":", 1)[-1]
            method, properties, body = received(broker, queue, lambda key: key.endswith(".vapp.create"))
            vapp_key = f"true.{vapp_id}.{org}.{user}.com.vmware.vcloud.event.vapp.create"
            assert method.routing_key == vapp_key
            headers = properties.headers
            assert headers["notification.type"] == "com/vmware/vcloud/event/vapp/create"
            assert (headers["notification.entityType"], headers["notification.entityUUID"]) == (
                "vapp",
                vapp_id,
            )
            assert (headers["notification.orgUUID"], headers["notification.userUUID"]) == (org, user)
            assert headers["notification.operationSuccess"] == "true"
            notification = assert_valid(body)
            assert notification.tag == f"{VMEXT}Notification"
            assert notification.get("type") == "com/vmware/vcloud/event/vapp/create"
            links = {x.get("rel"): x.get("id") for x in notification.findall(f"{VMEXT}EntityLink")}
            assert links == {
                "entity": vapp.get("id"),
                "down": f"urn:vcloud:user:{user}",
                "up": f"urn:vcloud:org:{org}",
            }
            # ... and as JSON on <prefix>.notifications20 (guide 5.5, p. 314)
            method, properties, body = received(broker, json_queue, lambda key: key == vapp_key)
            assert properties.content_type == "application/json"
            assert properties.headers["notification.entityUUID"] == vapp_id
            as_json = json.loads(body)
            assert as_json["type"] == "com/vmware/vcloud/event/vapp/create"
            assert as_json["operationSuccess"] is True
            assert (as_json["entity"], as_json["user"], as_json["org"]) == (
                vapp.get("id"),
                f"urn:vcloud:user:{user}",
                f"urn:vcloud:org:{org}",
            )
            assert as_json["eventId"] == notification.get("eventId") and as_json["timestamp"]
            resolver = notification.find(f"{VMEXT}Link")
            assert resolver.get("rel") == "entityResolver" and resolver.get("href").endswith("/api/entity/")
            assert notification.findtext(f"{VMEXT}OperationSuccess") == "true"
            # a blocking task's message names it, its task and the task's name
            blocking = (
                '<vmext:BlockingTaskSettings xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5" '
                'xmlns:vcloud="http://www.vmware.com/vcloud/v1.5"><vmext:TimeoutAction>abort</vmext:TimeoutAction>'
                "<vmext:BlockingTaskOperations><vcloud:Operation>vdcInstantiateVapp</vcloud:Operation>"
                "</vmext:BlockingTaskOperations><vmext:TimeoutInMilliseconds>600000</vmext:TimeoutInMilliseconds>"
                "</vmext:BlockingTaskSettings>"
            )
            assert c.put(f"{SETTINGS}/blockingTask", content=blocking, headers=sent).status_code == 200
            held = assert_valid(instantiate(c, alice, "waiting").content)
            method, properties, body = received(broker, queue, lambda key: ".blockingtask." in key)
            assert method.routing_key.endswith(
                ".com.vmware.vcloud.event.blockingtask.create.vdcInstantiateVapp"
            )
            notification = assert_valid(body)
            links = {x.get("rel"): x for x in notification.findall(f"{VMEXT}EntityLink")}
            task_id = held.find(f"{V15}Tasks/{V15}Task").get("id")
            assert links["task"].get("id") == task_id and links["entity"].get("type") == "vcloud:blockingtask"
            blocking_id = links["entity"].get("id").rsplit(":", 1)[-1]
            found = assert_valid(
                c.get(f"/api/admin/extension/blockingTask/{blocking_id}", headers=admin).content
            )
            assert found.get("status") == "active" and found.get("name") == "vdcInstantiateVapp"
    finally:
        broker.exchange_delete(exchange)


def test_amqp_settings_keep_their_password_and_follow_the_version(server):
    """No broker needed: settings are kept and shown as the version asked, a test of a port where
    nothing listens is not valid, and an org user may see none of it."""
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER, version="5.1")
        body = amqp_settings("systemExchange", "s3cret").replace("5672", "1")
        r = c.put(f"{SETTINGS}/amqp", content=body, headers={**admin, "Content-Type": AMQP_TYPE})
        assert r.status_code == 200, r.text
        for answer in (r.content, c.get(f"{SETTINGS}/amqp", headers=admin).content):
            shown = assert_valid(answer, "5.1")
            assert shown.findtext(f"{VMEXT}AmqpPort") == "1" and b"s3cret" not in answer
            assert shown.find(f"{VMEXT}AmqpSslAcceptAll") is None  # 5.5's
        tested = c.post(
            f"{SETTINGS}/amqp/action/test", content=body, headers={**admin, "Content-Type": AMQP_TYPE}
        )
        assert assert_valid(tested.content, "5.1").findtext(f"{VMEXT}Valid") == "false"
        bad = c.put(
            f"{SETTINGS}/amqp",
            content=body.replace(">1<", ">70000<"),
            headers={**admin, "Content-Type": AMQP_TYPE},
        )
        assert bad.status_code == 400
        off = assert_valid(c.get(f"{SETTINGS}/notifications", headers=admin).content, "5.1")
        assert off.findtext(f"{VMEXT}EnableNotifications") == "false"
        alice = sign_in(c, ORG_USER)
        assert c.get(f"{SETTINGS}/amqp", headers=alice).status_code == 403
