"""A session's own PropertyCollectors: ``CreatePropertyCollector`` makes one (named, as vCenter
names them, ``session[<session key>]<id>``), with filters and update versions of its own;
``DestroyPropertyCollector`` ends it and its filters. Every method of the PropertyCollector works
on the default collector (``propertyCollector``) and on the caller's own ones alike
(``on_collector``); another session's collector is not there for the caller."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from pyVmomi import vmodl

from localsphere.faces.vim import faults
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.service_instance import PROPERTY_COLLECTOR, session_key
from localsphere.faces.vim.soap import MoRef

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context, Run

COLLECTOR = "PropertyCollector"
RECEIVERS = frozenset({COLLECTOR})


def collector_of(context: Context) -> str | None:
    """The collector the call is on (None: the default one), as ``on_collector`` found it."""
    return context.notes.get("collector")


def on_collector(run: Run) -> Run:
    """``run`` on the default collector or one of the caller's own (ManagedObjectNotFound for any
    other)."""

    def call(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
        if this.value != PROPERTY_COLLECTOR:
            session = context.session_id or ""
            if context.world.session_objects.body(session, this.value, COLLECTOR) is None:
                raise faults.not_found(this)
            context.notes["collector"] = this.value
        return run(context, this, args)

    return call


def new_moid(context: Context) -> str:
    """An id for an object the caller's session makes, as vCenter names them."""
    return f"session[{session_key(context.session_id or '')}]{uuid.uuid4()}"


def methods() -> list[Method]:
    def create(context: Context, _this: MoRef, _args: dict[str, Any]) -> Any:
        session = context.session_id or ""
        collector = new_moid(context)
        context.world.session_objects.add(session, collector, COLLECTOR)
        return vmodl.query.PropertyCollector(collector)

    def destroy(context: Context, this: MoRef, _args: dict[str, Any]) -> None:
        if collector_of(context) is None:
            raise faults.invalid_argument(None, "The session's default PropertyCollector cannot be destroyed")
        context.world.session_objects.remove(context.session_id or "", this.value, COLLECTOR)
        context.world.property_filters.destroy_collector(context.session_id or "", this.value)

    return [
        Method("CreatePropertyCollector", on_collector(create), RECEIVERS, write=True),
        Method("DestroyPropertyCollector", on_collector(destroy), RECEIVERS, write=True),
    ]
