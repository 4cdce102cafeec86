"""The world's event log: what happened (``action``), to which entity, by whom, in which org, at
what world time, and whether it succeeded. Every task records one when it starts (``tasks.py``),
so every change a face makes through the task engine is logged in one place; sign-ins and
extension services' own events are recorded here too. Face-neutral: an action is the world's
name of an operation (a task's operation name, ``login``, or a service's own word) or of what an
operation did beside its task (``vm_tasks.FACTS``: ``vm.renamed``, ``host.removed``...); a face names
the event type in its product's words (vCD: ``com/vmware/vcloud/event/vapp/create``).

While notifications are on (``notifications.py``), each event is recorded ``pending`` in the same
transaction as the change, and the publisher sends it to the broker afterwards: an event is never
lost to a broker that is down, and no request waits for the broker."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid
from localsphere.world.inventory import next_id
from localsphere.world.schema import Event, ExtensionSetting
from localsphere.world.store import Store

NOTIFICATIONS = "notifications"  # the setting that turns publishing on (``{"enabled": true}``)
LOGIN = "login"  # a session was opened
SERVICE_LENGTH, ACTION_LENGTH, DETAILS_LENGTH = 128, 128, 2000  # vCD's bounds on a posted Event
EVENT_SEQUENCE = "event_sequence"  # numbers events in the order they are recorded (``Event.seq``)


@dataclass(frozen=True)
class Entity:
    """What an event is about: its kind in the world's words (``vApp``, ``vm``, ``org``, ``user``,
    ``blockingTask``...), id and name."""

    kind: str
    id: str
    name: str


@dataclass(frozen=True)
class EventView:
    """One event; ``seq`` its number in recording order (a later event has a larger one), ``at``
    in epoch seconds (world time)."""

    id: str
    seq: int
    tenant: str
    action: str
    entity: Entity
    user_id: str | None
    user_name: str
    service: str
    success: bool
    at: float
    details: str
    task_id: str | None


def view_of(row: Event) -> EventView:
    """The view of an event's row."""
    return EventView(
        row.id,
        row.seq,
        row.tenant,
        row.action,
        Entity(row.entity_kind, row.entity_id, row.entity_name),
        row.user_id,
        row.user_name,
        row.service,
        row.success,
        row.at,
        row.details,
        row.task_id,
    )


def notifying(db: Session | Connection) -> bool:
    """Whether notifications are on (the ``notifications`` setting), read in ``db``'s transaction."""
    value = db.execute(select(ExtensionSetting.value).where(ExtensionSetting.name == NOTIFICATIONS)).scalar()
    return bool(value and json.loads(value).get("enabled"))


class Events:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._listeners: list[Callable[[], None]] = []

    def on_pending(self, listener: Callable[[], None]) -> None:
        """``listener()`` hears that an event to publish was recorded (the publisher wakes)."""
        self._listeners.append(listener)

    def record(
        self,
        s: Session,
        tenant: str,
        action: str,
        entity: Entity,
        user_id: str | None,
        user_name: str,
        success: bool = True,
        service: str = "",
        details: str = "",
        task_id: str | None = None,
        at: float | None = None,
    ) -> str:
        """Record an event in the caller's write transaction ``s`` (at world time ``at``, None:
        now), numbered after every event recorded before it; returns its id."""
        pending = notifying(s)
        event_id = str(uuid.uuid4())
        s.add(
            Event(
                id=event_id,
                seq=next_id(s, EVENT_SEQUENCE),
                tenant=tenant,
                action=action[:ACTION_LENGTH],
                entity_kind=entity.kind,
                entity_id=entity.id,
                entity_name=entity.name[:255],
                user_id=user_id,
                user_name=user_name[:255],
                service=service[:SERVICE_LENGTH],
                success=success,
                at=self._clock.now(s) if at is None else at,
                details=details[:DETAILS_LENGTH],
                task_id=task_id,
                pending=pending,
            )
        )
        if pending:
            for listener in self._listeners:
                self._store.after(listener)
        return event_id

    def post(
        self,
        tenant: str,
        action: str,
        entity: Entity,
        user_id: str | None,
        user_name: str,
        success: bool,
        service: str,
        details: str = "",
    ) -> str:
        """An extension service's own event in an org's stream (vCD's ``POST .../events``).
        Invalid when its action or service namespace is empty, longer than 128 characters or
        claims the product's own (``com/vmware/vcloud``, ``com.vmware.vcloud``), or its text is
        over 2000 characters (vCD's EventType rules)."""
        if not 1 <= len(action) <= ACTION_LENGTH or action.startswith("com/vmware/vcloud"):
            raise Invalid("event.type", "An event's type must be 1 to 128 characters, not the product's own.")
        if not 1 <= len(service) <= SERVICE_LENGTH or service.startswith("com.vmware.vcloud"):
            raise Invalid(
                "event.namespace",
                "An event's serviceNamespace must be 1 to 128 characters, not the product's.",
            )
        if len(details) > DETAILS_LENGTH:
            raise Invalid("event.text", "An event's typeFull is at most 2000 characters.")
        with self._store.write() as s:
            return self.record(s, tenant, action, entity, user_id, user_name, success, service, details)
