"""vCloud Director's AMQP notifications: an XML ``Notification`` for each world event, with the
product's routing key and headers (vCloud API Programming Guide 5.5, "Notification Message
Format", pp. 312-314): the key is ``operationSuccess.entity.org.user.subType1...subTypeN``
(the event type's components after ``com/vmware/vcloud/event``... written with dots), followed by
the task name for a task or blocking task; the headers are ``notification.type``,
``notification.entityType``, ``notification.entityUUID``, ``notification.orgUUID``,
``notification.userUUID`` and ``notification.operationSuccess``. A Notification links the
entityResolver and names the entity, the user (``down``), the org (``up``) and, for a blocking
task, its task (not yet the task's owner, ``task:owner``)."""

from __future__ import annotations

from localsphere.faces.vcd.hrefs import KINDS
from localsphere.faces.vcd.model import document
from localsphere.faces.vcd.types_extension import EntityLink, Notification, NotificationLink
from localsphere.faces.vcd.versions import NEWEST
from localsphere.faces.vcd.wire import vcd_time
from localsphere.world.event_types import event_type
from localsphere.world.events import EventView
from localsphere.world.notifications import Message
from localsphere.world.tenants import org_of, org_uuid

XML_TYPE = "text/xml"
BLOCKING_TASK = "blockingTask"


def _uuid(kind: str, object_id: str) -> str:
    return org_uuid(object_id) if kind == "org" else object_id


def _urn(kind: str, object_id: str) -> str:
    known = KINDS.get(kind)
    return f"urn:vcloud:{known.urn if known else kind.lower()}:{_uuid(kind, object_id)}"


def render(event: EventView, base: str) -> Message:
    """The message of ``event``; ``base``: the API's base URL (``https://host``)."""
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
    body = Notification(
        type=full_type,
        event_id=event.id,
        links=[NotificationLink("entityResolver", f"{base}/api/entity/")],
        entity_links=links,
        timestamp=vcd_time(event.at) or "",
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
    return Message(".".join(parts), headers, document(body, NEWEST), XML_TYPE)
