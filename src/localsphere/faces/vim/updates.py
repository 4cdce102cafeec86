"""PropertyCollector filters and waiting for updates: ``CreateFilter`` / ``DestroyPropertyFilter``,
``WaitForUpdatesEx``, ``WaitForUpdates`` and ``CheckForUpdates`` (what ``pyVim.task.WaitForTask``
and govc's watchers rely on).

A session's filters live in the world (``world.property_filters``), so any worker answers its next
call. A version names what the client was last told: a digest of every value its filters select.
Asked with no version, the answer holds every selected object (``enter``) with all its selected
properties; asked with a version, the call waits until the values differ from what that version
names (or ``maxWaitSeconds`` pass: no answer), then answers every selected object (``modify``)
with all its properties and the new version. An object that left a filter is not reported
(``leave`` needs what the client was told, which a digest does not keep).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pyVmomi import vmodl

from localsphere.faces.vim import faults, soap
from localsphere.faces.vim.collectors import COLLECTOR, collector_of, on_collector
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.property_collector import MAX_RETRIEVE, Collector, Page
from localsphere.faces.vim.service import NOT_YET, Context, Method
from localsphere.faces.vim.service_instance import PROPERTY_COLLECTOR
from localsphere.faces.vim.soap import MoRef

PC = vmodl.query.PropertyCollector
FILTER = "PropertyFilter"


def _spec(context: Context, text: str) -> Any:
    return soap.unpack(text.encode(), PC.FilterSpec, context.version)[0]


VERSION = re.compile(r"[0-9a-f]{20}")  # a version ``_state`` gives


def _state(context: Context, collector: Collector) -> tuple[str, list[tuple[str, list[soap.Content]]]]:
    """The version of what the session's filters select now, and each filter's contents."""
    digest = hashlib.sha256()
    found = []
    for kept in context.world.property_filters.of_session(context.session_id or "", collector_of(context)):
        contents, _ = collector.page(context, [_spec(context, kept.spec)], Page(limit=MAX_RETRIEVE))
        digest.update(kept.id.encode())
        digest.update(soap.object_contents(contents, None, context.version, wrapped=False).encode())
        found.append((kept.id, contents))
    return digest.hexdigest()[:20], found


def _update_set(version: str, found: list[tuple[str, list[soap.Content]]], kind: str) -> Any:
    filters = []
    for filter_id, contents in found:
        objects = [
            PC.ObjectUpdate(
                kind=kind,
                obj=faults.reference(ref),
                changeSet=[PC.Change(name=path, op="assign", val=value) for path, value in props],
                missingSet=missing,
            )
            for ref, props, missing in contents
        ]
        filters.append(PC.FilterUpdate(filter=PC.Filter(filter_id), objectSet=objects))
    return PC.UpdateSet(version=version, filterSet=filters)


def methods(collector: Collector) -> list[Method]:
    receivers = frozenset({"PropertyCollector"})

    def create(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        spec = args["spec"]
        collector.check(spec)
        text = soap.pack([spec], PC.FilterSpec, context.version).decode()
        assert context.session_id is not None
        return PC.Filter(
            context.world.property_filters.create(
                context.session_id, text, args["partialUpdates"], collector_of(context)
            )
        )

    def destroy(context: Context, this: MoRef, _args: dict[str, Any]) -> None:
        assert context.session_id is not None
        context.world.property_filters.destroy(context.session_id, this.value)

    def updates(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        version = args.get("version") or ""
        if version and not VERSION.fullmatch(version):  # not one this face gave: vCenter refuses it
            raise faults.Fault(vmodl.query.InvalidCollectorVersion(), "The collector version is not valid.")
        current, found = _state(context, collector)
        if not version:
            return _update_set(current, found, "enter")
        if version != current:
            return _update_set(current, found, "modify")
        return None if context.last_try else NOT_YET

    def wait_forever(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
        found = updates(context, this, args)
        if found is None:  # the longest wait is over: nothing new, at the same version
            return PC.UpdateSet(version=args.get("version") or "")
        return found

    def most_seconds(args: dict[str, Any]) -> float | None:
        options = args.get("options")
        return None if options is None or options.maxWaitSeconds is None else float(options.maxWaitSeconds)

    return [
        Method("CreateFilter", on_collector(create), receivers),
        Method("DestroyPropertyFilter", destroy, frozenset({FILTER}), write=True),
        Method("WaitForUpdatesEx", on_collector(updates), receivers, wait=most_seconds),
        Method("WaitForUpdates", on_collector(wait_forever), receivers, wait=lambda _args: None),
        Method("CheckForUpdates", on_collector(updates), receivers, wait=lambda _args: 0.0),
    ]


def family() -> Family:
    """A filter's ``spec`` and ``partialUpdates``; the PropertyCollector's ``filter`` list."""

    def read(context: Context, kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        filters = context.world.property_filters
        session = context.session_id or ""
        if kind == "PropertyCollector":  # the default collector and the session's own ones
            lists: dict[str, dict[str, Any]] = {}
            for moid in moids:
                mine = None if moid == PROPERTY_COLLECTOR else moid
                if mine is None or context.world.session_objects.body(session, mine, COLLECTOR) is not None:
                    listed = [PC.Filter(f.id) for f in filters.of_session(session, mine)]
                    lists[moid] = {"filter": listed} if "filter" in paths else {}
            return lists
        kept = filters.of_ids(session, moids)
        found: dict[str, dict[str, Any]] = {}
        for f in kept:
            values = {
                "spec": lambda f=f: _spec(context, f.spec),
                "partialUpdates": lambda f=f: f.partial_updates,
            }
            found[f.id] = {p: values[p]() for p in paths if p in values}
        return found

    paths = {"PropertyCollector": ["filter"], FILTER: ["partialUpdates", "spec"]}
    return Family(frozenset(paths), read, lambda kind: paths[kind])
