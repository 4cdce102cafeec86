"""``ListView``: a session's own list of managed entities (``CreateListView``, or
``CreateListViewFromView`` from what a container or list view shows now), changed by
``ModifyListView`` / ``ResetListView`` / ``ResetListViewFromView``, which answer the objects they
could not resolve (unknown, or not seen by the caller). Its ``view`` property, a
PropertyCollector root, holds the listed objects that still exist and the caller sees, in the
order they were added. The list is kept in the world (``world.session_objects``), so any worker
answers the session's next call; ``DestroyView`` ends it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim

from localsphere.faces.vim import faults, inventory
from localsphere.faces.vim.collectors import new_moid
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.service_instance import VIEW_MANAGER
from localsphere.faces.vim.soap import MoRef
from localsphere.faces.vim.view_manager import ContainerView
from localsphere.world.inventory_graph import MAX_PAGE

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

LIST_VIEW = "ListView"


def _listed(context: Context, moid: str) -> list[str] | None:
    """The objects a list view of the caller's session lists (None: no such view)."""
    body = context.world.session_objects.body(context.session_id or "", moid, LIST_VIEW)
    return None if body is None else json.loads(body)


def seen(context: Context, moids: list[str]) -> list[str]:
    found = context.world.inventory_graph.objects(moids, inventory.sight(context))
    return [m for m in dict.fromkeys(moids) if m in found]


def _shown(context: Context, view: Any) -> list[str]:
    """What a container or list view of the caller's session shows now."""
    moid = view._moId
    container = ContainerView.of(moid, context.session_id)
    if container is not None:
        return [o.moid for o in container.page(context, None, MAX_PAGE, light=True)]
    listed = _listed(context, moid)
    if listed is None:
        raise faults.not_found(MoRef(VmomiSupport.GetWsdlName(type(view)), moid))
    return seen(context, listed)


def resolve(context: Context, objects: list[Any]) -> tuple[list[str], list[Any]]:
    """The ids of ``objects`` the caller sees, and the objects it does not (unresolved)."""
    known = set(seen(context, [o._moId for o in objects]))
    return [o._moId for o in objects if o._moId in known], [o for o in objects if o._moId not in known]


def methods() -> list[Method]:
    def make(context: Context, moids: list[str]) -> Any:
        moid = new_moid(context)
        context.world.session_objects.add(context.session_id or "", moid, LIST_VIEW, json.dumps(moids))
        return vim.view.ListView(moid)

    def mine(context: Context, this: MoRef) -> list[str]:
        listed = _listed(context, this.value)
        if listed is None:
            raise faults.not_found(this)
        return listed

    def keep(context: Context, this: MoRef, moids: list[str]) -> None:
        unique = list(dict.fromkeys(moids))
        context.world.session_objects.replace(context.session_id or "", this.value, json.dumps(unique))

    def create(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        return make(context, resolve(context, list(args.get("obj") or []))[0])

    def create_from_view(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        return make(context, _shown(context, args["view"]))

    def modify(context: Context, this: MoRef, args: dict[str, Any]) -> list[Any]:
        listed = mine(context, this)
        added, unresolved = resolve(context, list(args.get("add") or []))
        removed = {o._moId for o in args.get("remove") or []}
        keep(context, this, [m for m in listed if m not in removed] + added)
        return unresolved

    def reset(context: Context, this: MoRef, args: dict[str, Any]) -> list[Any]:
        mine(context, this)
        resolved, unresolved = resolve(context, list(args.get("obj") or []))
        keep(context, this, resolved)
        return unresolved

    def reset_from_view(context: Context, this: MoRef, args: dict[str, Any]) -> None:
        mine(context, this)
        keep(context, this, _shown(context, args["view"]))

    manager, views = frozenset({"ViewManager"}), frozenset({LIST_VIEW})
    return [
        Method("CreateListView", create, manager, VIEW_MANAGER, write=True),
        Method("CreateListViewFromView", create_from_view, manager, VIEW_MANAGER, write=True),
        Method("ModifyListView", modify, views, write=True),
        Method("ResetListView", reset, views, write=True),
        Method("ResetListViewFromView", reset_from_view, views, write=True),
    ]


def family() -> Family:
    """A list view's ``view``: the listed objects that exist and the caller sees."""

    def read(context: Context, _kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for moid in moids:
            listed = _listed(context, moid)
            if listed is None:
                continue
            shown = seen(context, listed)
            found[moid] = {"view": [inventory.ref(m) for m in shown]} if "view" in paths else {}
        return found

    return Family(frozenset({LIST_VIEW}), read, lambda _kind: ["view"])
