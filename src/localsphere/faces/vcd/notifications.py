"""vCloud Director's AMQP notifications: an XML ``Notification`` for each world event, with the
product's routing key and headers (vCloud API Programming Guide 5.5, "Notification Message
Format", pp. 312-314): the key is ``operationSuccess.entity.org.user.subType1...subTypeN``
(the event type's components after ``com/vmware/vcloud/event``... written with dots), followed by
the task name for a task or blocking task; the headers are ``notification.type``,
``notification.entityType``, ``notification.entityUUID``, ``notification.orgUUID``,
``notification.userUUID`` and ``notification.operationSuccess``. A Notification links the
entityResolver and names the entity, the user (``down``), the org (``up``) and, for a blocking
task, its task (not yet the task's owner, ``task:owner``). The same notification goes as JSON
(``eventId``, ``type``, ``timestamp``, ``operationSuccess``, ``entity``, ``user``, ``org``,
``task``: p. 314) to the exchange ``<AmqpPrefix>.notifications20``, as vCloud Director 5.5
publishes both formats."""

from __future__ import annotations

import json

from localsphere.faces.vcd.hrefs import KINDS
from localsphere.faces.vcd.model import document
from localsphere.faces.vcd.types_extension import EntityLink, Notification, NotificationLink
from localsphere.faces.vcd.versions import NEWEST
from localsphere.faces.vcd.wire import vcd_time
from localsphere.world.event_types import event_type
from localsphere.world.events import EventView
from localsphere.world.notifications import AmqpSettings, Message
from localsphere.world.tenants import org_of, org_uuid

XML_TYPE = "text/xml"
JSON_TYPE = "application/json"
JSON_EXCHANGE = "notifications20"  # after the AMQP prefix (guide 5.5, "Notification Message Format")
BLOCKING_TASK = "blockingTask"
# The JSON notification's member for each EntityLink rel of the XML one (guide 5.5, p. 314)
_JSON_NAMES = {"entity": "entity", "down": "user", "up": "org", "task": "task"}


def _uuid(kind: str, object_id: str) -> str:
    return org_uuid(object_id) if kind == "org" else object_id


def _urn(kind: str, object_id: str) -> str:
    known = KINDS.get(kind)
    return f"urn:vcloud:{known.urn if known else kind.lower()}:{_uuid(kind, object_id)}"


def render(event: EventView, settings: AmqpSettings) -> tuple[Message, Message]:
    """The messages of ``event``: the XML ``Notification`` on the configured exchange and the
    same as JSON on ``<prefix>.notifications20``, with one routing key and headers; links point
    to the API's base URL of ``settings`` (``https://host``)."""
    kind = event.entity.kind
    full_type = event_type(event)
    entity_uuid = _uuid(kind, event.entity.id)
    org = org_uuid(event.tenant)
    user = event.user_id or "none"
    success = "true" if event.success else "false"
    parts = [success, entity_uuid, org, user, *full_type.replace("/", ".").split(".")]
    if kind in ("task", BLOCKING_TASK):
        parts.append(event.entity.name)
    links = [
        EntityLink(_urn(kind, event.entity.id), f"vcloud:{kind.lower()}", event.entity.name, "entity"),
    ]
    if event.user_id:
        links.append(EntityLink(f"urn:vcloud:user:{event.user_id}", "vcloud:user", event.user_name, "down"))
    links.append(EntityLink(f"urn:vcloud:org:{org}", "vcloud:org", org_of(event.tenant), "up"))
    if event.task_id is not None and kind == BLOCKING_TASK:
        links.append(EntityLink(f"urn:vcloud:task:{event.task_id}", "vcloud:task", event.entity.name, "task"))
    timestamp = vcd_time(event.at) or ""
    body = Notification(
        type=full_type,
        event_id=event.id,
        links=[NotificationLink("entityResolver", f"{settings.base}/api/entity/")],
        entity_links=links,
        timestamp=timestamp,
        operation_success=event.success,
    )
    headers = {
        "notification.type": full_type,
        "notification.entityType": kind.lower(),
        "notification.entityUUID": entity_uuid,
        "notification.orgUUID": org,
        "notification.userUUID": user,
        "notification.operationSuccess": success,
    }
    key = ".".join(parts)
    as_json = {
        "eventId": event.id,
        "type": full_type,
        "timestamp": timestamp,
        "operationSuccess": event.success,
        **{_JSON_NAMES[link.rel]: link.id for link in links},
    }
    return (
        Message(settings.exchange, key, headers, document(body, NEWEST), XML_TYPE),
        Message(f"{settings.prefix}.{JSON_EXCHANGE}", key, headers, json.dumps(as_json).encode(), JSON_TYPE),
    )
