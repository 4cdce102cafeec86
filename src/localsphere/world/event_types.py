"""vCloud Director's names of the world's events (``events.py``): ``com/vmware/vcloud/event/`` +
the entity's kind in lower case + ``/`` + a verb (``vapp/create``, ``vm/modify``,
``session/login``, ``blockingtask/create``), from the vCloud API Programming Guide 5.5,
"Notification Types" (pp. 314-316). An extension service's own event keeps the type it posted.
Both as Python (for a notification) and as SQL (so the query service filters and sorts by it in
the database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, case, func, literal, or_
from sqlalchemy.sql.elements import ColumnElement

from localsphere.world.events import LOGIN, EventView
from localsphere.world.schema import Event
from localsphere.world.tasks import VCD_SERVICE

PREFIX = "com/vmware/vcloud/event/"
# A task's operation name -> the verb of its event; any other of the product's is ``modify``.
VERBS = {
    "vdcInstantiateVapp": "create",
    "vdcComposeVapp": "create",
    "vdcCloneVapp": "create",
    "vdcCaptureTemplate": "create",
    "vdcImportVm": "create",
    "vdcCreateVdc": "create",
    "catalogCreateCatalog": "create",
    "vdcCreateDisk": "create",
    "vdcUploadOvfContents": "create",
    "vdcUploadMedia": "create",
    "vdcDeleteVapp": "delete",
    "vappDeleteVm": "delete",
    "vdcDeleteVdc": "delete",
    "vdcDeleteDisk": "delete",
    "orgDelete": "delete",
    "vappDeploy": "deploy",
    "vappUndeployPowerOff": "undeploy",
    "vappUndeploySuspend": "undeploy",
    "create": "create",
    LOGIN: "login",
}
PRODUCT = ("", VCD_SERVICE)  # the service namespaces of the product's own events


def event_type(event: EventView) -> str:
    """The event's type as vCD names it."""
    if event.service not in PRODUCT:
        return event.action
    kind = "session" if event.action == LOGIN else event.entity.kind.lower()
    return f"{PREFIX}{kind.lower()}/{VERBS.get(event.action, 'modify')}"


def event_type_sql() -> ColumnElement[Any]:
    """``event_type`` as SQL over the ``events`` table."""
    verb = case(*((Event.action == a, literal(v, String)) for a, v in VERBS.items()), else_=literal("modify"))
    kind = case((Event.action == LOGIN, literal("session", String)), else_=func.lower(Event.entity_kind))
    product = or_(*(Event.service == p for p in PRODUCT))
    return case((product, literal(PREFIX, String) + kind + literal("/", String) + verb), else_=Event.action)
