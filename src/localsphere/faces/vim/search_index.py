"""``SearchIndex``: find a managed entity by its inventory path (``dc-01/vm/web-01``, a name holding
``/`` written ``%2f``), as the child of an entity by name, by UUID (a VM's BIOS or instance UUID,
a host's hardware UUID) or by DNS name (a host's name; a running VM's guest host name, which is
its name here). Each answers the entity, or nothing (an unset ``returnval``) when none matches or
the caller may not see it."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from localsphere.faces.vim import inventory
from localsphere.faces.vim.properties import reference
from localsphere.faces.vim.service import Context, Method
from localsphere.faces.vim.service_instance import SEARCH_INDEX
from localsphere.faces.vim.soap import MoRef
from localsphere.world.inventory import HOST, POWERED_ON, ROOT_FOLDER, VM, ObjectView

MAX_PATH_NAMES = 64  # names in an inventory path


def _entity(o: ObjectView | None) -> Any:
    return reference(o.kind, o.moid) if o is not None else None


def _in(o: ObjectView | None, datacenter: Any) -> ObjectView | None:
    """``o`` when no datacenter is given or it is in that one."""
    if o is None or datacenter is None:
        return o
    return o if o.datacenter == datacenter._moId else None


def methods() -> list[Method]:
    def by_path(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        graph, seen = context.world.inventory_graph, inventory.sight(context)
        names = [unquote(n) for n in args["inventoryPath"].strip("/").split("/") if n]
        if not names or len(names) > MAX_PATH_NAMES:
            return None
        found: ObjectView | None = None
        parent = ROOT_FOLDER
        for name in names:
            found = graph.child_named(parent, name, seen)
            if found is None:
                return None
            parent = found.moid
        return _entity(found)

    def child(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        graph = context.world.inventory_graph
        return _entity(graph.child_named(args["entity"]._moId, args["name"], inventory.sight(context)))

    def by_uuid(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        # a VM by its SMBIOS UUID (``config.uuid``) unless ``instanceUuid`` asks for its instance UUID
        graph, seen = context.world.inventory_graph, inventory.sight(context)
        if args["vmSearch"] and not args.get("instanceUuid"):
            found = graph.by_bios_uuid(args["uuid"], seen)
        else:
            found = graph.by_uuid({VM} if args["vmSearch"] else {HOST}, args["uuid"], seen)
        return _entity(_in(found, args.get("datacenter")))

    def by_dns_name(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        kinds = {VM} if args["vmSearch"] else {HOST}
        dc = args.get("datacenter")
        found = context.world.inventory_graph.by_name(
            kinds, args["dnsName"], dc._moId if dc is not None else None, inventory.sight(context)
        )
        if found is not None and found.kind == VM and found.power_state != POWERED_ON:
            return None  # a VM's DNS name is what its running guest reports
        return _entity(found)

    receivers = frozenset({"SearchIndex"})
    return [
        Method("FindByInventoryPath", by_path, receivers, SEARCH_INDEX),
        Method("FindChild", child, receivers, SEARCH_INDEX),
        Method("FindByUuid", by_uuid, receivers, SEARCH_INDEX),
        Method("FindByDnsName", by_dns_name, receivers, SEARCH_INDEX),
    ]
