"""``InventoryView``: a session's own tree-browsing view (``CreateInventoryView``). It starts with
the root folder alone; ``OpenInventoryViewFolder`` adds an entity's children to its ``view``,
``CloseInventoryViewFolder`` takes them away again, each answering the entities it could not
resolve (unknown, not seen by the caller; closing one that is not open). The view is worked out
when read: the root folder, then the children of each open entity that is itself in the view, so
closing a folder hides what was opened below it. The open entities are kept in the world
(``world.session_objects``); ``DestroyView`` ends the view."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import faults, inventory
from localsphere.faces.vim.collectors import new_moid
from localsphere.faces.vim.list_views import resolve
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.service_instance import VIEW_MANAGER
from localsphere.faces.vim.soap import MoRef
from localsphere.world.inventory import ROOT_FOLDER

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

INVENTORY_VIEW = "InventoryView"


def _opened(context: Context, moid: str) -> list[str] | None:
    """The entities open in an inventory view of the caller's session (None: no such view)."""
    body = context.world.session_objects.body(context.session_id or "", moid, INVENTORY_VIEW)
    return None if body is None else json.loads(body)


def shown(context: Context, opened: list[str]) -> list[str]:
    """The view: the root folder, then the children of each open entity in the view so far."""
    sight = inventory.sight(context)
    view = [ROOT_FOLDER]
    children: dict[str, list[str]] = {}
    for o in context.world.inventory_graph.children(opened, sight=sight):
        children.setdefault(o.parent or "", []).append(o.moid)
    growing = True
    while growing:  # an entity opened below another shows once its parent's children do
        growing = False
        for moid in opened:
            if moid in view:
                new = [c for c in children.pop(moid, []) if c not in view]
                view += new
                growing = growing or bool(new)
    return view


def methods() -> list[Method]:
    def mine(context: Context, this: MoRef) -> list[str]:
        opened = _opened(context, this.value)
        if opened is None:
            raise faults.not_found(this)
        return opened

    def keep(context: Context, this: MoRef, opened: list[str]) -> None:
        body = json.dumps(list(dict.fromkeys(opened)))
        context.world.session_objects.replace(context.session_id or "", this.value, body)

    def create(context: Context, _this: MoRef, _args: dict[str, Any]) -> Any:
        moid = new_moid(context)
        context.world.session_objects.add(context.session_id or "", moid, INVENTORY_VIEW, "[]")
        return vim.view.InventoryView(moid)

    def open_folder(context: Context, this: MoRef, args: dict[str, Any]) -> list[Any]:
        opened = mine(context, this)
        resolved, unresolved = resolve(context, list(args["entity"]))
        keep(context, this, opened + resolved)
        return unresolved

    def close_folder(context: Context, this: MoRef, args: dict[str, Any]) -> list[Any]:
        opened = mine(context, this)
        entities = list(args["entity"])
        closing = {e._moId for e in entities if e._moId in opened}
        keep(context, this, [m for m in opened if m not in closing])
        return [e for e in entities if e._moId not in closing]

    views = frozenset({INVENTORY_VIEW})
    return [
        Method("CreateInventoryView", create, frozenset({"ViewManager"}), VIEW_MANAGER, write=True),
        Method("OpenInventoryViewFolder", open_folder, views, write=True),
        Method("CloseInventoryViewFolder", close_folder, views, write=True),
    ]


def family() -> Family:
    """An inventory view's ``view``."""

    def read(context: Context, _kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for moid in moids:
            opened = _opened(context, moid)
            if opened is not None:
                view = [inventory.ref(m) for m in shown(context, opened)] if "view" in paths else None
                found[moid] = {"view": view} if view is not None else {}
        return found

    return Family(frozenset({INVENTORY_VIEW}), read, lambda _kind: ["view"])
