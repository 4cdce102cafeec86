"""``SearchIndex``: find a managed entity by its inventory path (``dc-01/vm/web-01``, a name holding
``/`` written ``%2f``), as the child of an entity by name, by UUID (a VM's BIOS UUID, or its
instance UUID when ``instanceUuid`` is set; a host's hardware UUID), by DNS name (a host's name; a
running VM's guest host name, ``world.vm_guest``) or by IP address (a host's management address;
an address a running VM's guest reports, as REST's guest identity and ``guest.net`` show). Each
``Find*`` answers the first entity in id order, or nothing (an unset ``returnval``) when none
matches or the caller may not see it; each ``FindAll*`` every one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote

from localsphere.faces.vim import inventory
from localsphere.faces.vim.host_systems import management_address
from localsphere.faces.vim.properties import reference
from localsphere.faces.vim.service import Context, Method
from localsphere.faces.vim.service_instance import SEARCH_INDEX
from localsphere.faces.vim.soap import MoRef
from localsphere.world import vm_guest
from localsphere.world.inventory import HOST, POWERED_ON, ROOT_FOLDER, VM, ObjectView
from localsphere.world.paging import MAX_PAGE

MAX_PATH_NAMES = 64  # names in an inventory path


def _entity(o: ObjectView | None) -> Any:
    return reference(o.kind, o.moid) if o is not None else None


def _found(objects: Iterable[ObjectView]) -> list[Any] | None:
    """A ``FindAll*`` answer: the entities, or none (an empty answer, which pyVmomi reads as an
    empty list; its ``returnval`` is not optional, so none is written)."""
    return [reference(o.kind, o.moid) for o in objects] or None


def _every(context: Context, kind: str, args: dict[str, Any]) -> Iterator[ObjectView]:
    """The VMs (``vmSearch``) or hosts the caller sees, in the call's datacenter when it names
    one, in id order, a page at a time."""
    graph, seen = context.world.inventory_graph, inventory.sight(context)
    datacenter = args.get("datacenter")
    under = datacenter._moId if datacenter is not None else ROOT_FOLDER
    after: str | None = None
    while True:
        page = graph.contents(under, {kind}, True, after, MAX_PAGE, seen)[:MAX_PAGE]
        yield from page
        if len(page) < MAX_PAGE:
            return
        after = page[-1].moid


def _kind(args: dict[str, Any]) -> str:
    return VM if args["vmSearch"] else HOST


def _by_uuid(context: Context, args: dict[str, Any]) -> Iterator[ObjectView]:
    """A host by its hardware UUID; a VM by its BIOS UUID, or its instance UUID when
    ``instanceUuid`` says so (case-insensitive)."""
    wanted = args["uuid"].lower()
    if not args["vmSearch"] or args.get("instanceUuid"):  # unique, and indexed: one look
        found = context.world.inventory_graph.by_uuid({_kind(args)}, wanted, inventory.sight(context))
        datacenter = args.get("datacenter")
        if found is not None and (datacenter is None or found.datacenter == datacenter._moId):
            yield found
        return
    datacenter = args.get("datacenter")
    under = datacenter._moId if datacenter is not None else None
    yield from context.world.inventory_graph.by_bios_uuid(wanted, under, inventory.sight(context))


def _running(o: ObjectView) -> bool:
    return o.kind == VM and o.power_state == POWERED_ON


def _by_dns_name(context: Context, args: dict[str, Any]) -> Iterator[ObjectView]:
    """A host by its name; a running VM by the host name its guest reports (case-insensitive)."""
    wanted = args["dnsName"].lower()
    for o in _every(context, _kind(args), args):
        name = o.name if o.kind == HOST else vm_guest.host_name(o) if _running(o) else ""
        if name.lower() == wanted:
            yield o


def _by_ip(context: Context, args: dict[str, Any]) -> Iterator[ObjectView]:
    """A host by its management address; a running VM by an address its guest reports (each
    NIC's, as ``guest.net`` lists them)."""
    wanted = args["ip"].strip()
    for o in _every(context, _kind(args), args):
        found = [management_address(o)] if o.kind == HOST else vm_guest.addresses(o) if _running(o) else []
        if wanted in found:
            yield o


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

    def all_by_uuid(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any] | None:
        return _found(_by_uuid(context, args))

    def by_uuid(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        return _entity(next(iter(_by_uuid(context, args)), None))

    def all_by_dns_name(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any] | None:
        return _found(_by_dns_name(context, args))

    def by_dns_name(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        return _entity(next(iter(_by_dns_name(context, args)), None))

    def all_by_ip(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any] | None:
        return _found(_by_ip(context, args))

    def by_ip(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        return _entity(next(iter(_by_ip(context, args)), None))

    receivers = frozenset({"SearchIndex"})
    return [
        Method("FindByInventoryPath", by_path, receivers, SEARCH_INDEX),
        Method("FindChild", child, receivers, SEARCH_INDEX),
        Method("FindByUuid", by_uuid, receivers, SEARCH_INDEX),
        Method("FindAllByUuid", all_by_uuid, receivers, SEARCH_INDEX),
        Method("FindByDnsName", by_dns_name, receivers, SEARCH_INDEX),
        Method("FindAllByDnsName", all_by_dns_name, receivers, SEARCH_INDEX),
        Method("FindByIp", by_ip, receivers, SEARCH_INDEX),
        Method("FindAllByIp", all_by_ip, receivers, SEARCH_INDEX),
    ]
