"""``ViewManager`` and its container views: ``CreateContainerView(container, type, recursive)``
names the managed entities of some types in a container (at any depth when ``recursive``), live:
its ``view`` property is read from the inventory whenever it is read.

A view's id carries its definition (``session[<session key>]<definition>``, in the shape of
vCenter's ``session[52a1...]52b3...``), so that every worker reads the same view without a shared
table; ``DestroyView`` is accepted, and a view is only good for the session that made it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim

from localsphere.faces.vim import faults, inventory, properties
from localsphere.faces.vim.properties import Family, reference
from localsphere.faces.vim.service import Context, Method
from localsphere.faces.vim.service_instance import VIEW_MANAGER, session_key
from localsphere.faces.vim.soap import MoRef
from localsphere.world.inventory_graph import MAX_PAGE

if TYPE_CHECKING:
    from localsphere.world.inventory import ObjectView

CONTAINER_VIEW = "ContainerView"


@dataclass(frozen=True)
class ContainerView:
    """A container view's definition: the container's id, the world kinds it shows (all of the
    types asked for, a supertype standing for its subtypes), the types as asked, and whether it
    looks below the container's children."""

    container: str
    kinds: tuple[str, ...]
    types: tuple[str, ...]
    recursive: bool

    def moid(self, session_id: str) -> str:
        definition = json.dumps([self.container, self.types, self.recursive], separators=(",", ":"))
        encoded = base64.urlsafe_b64encode(definition.encode()).decode().rstrip("=")
        return f"session[{session_key(session_id)}]{encoded}"

    @staticmethod
    def of(moid: str, session_id: str | None) -> ContainerView | None:
        """The view an id names, when it is a view of the session ``session_id``."""
        prefix = f"session[{session_key(session_id or '')}]"
        if not moid.startswith(prefix):
            return None
        encoded = moid[len(prefix) :]
        try:
            container, types, recursive = json.loads(
                base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            )
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            return None
        if not isinstance(container, str) or not isinstance(recursive, bool) or not isinstance(types, list):
            return None
        return ContainerView.define(container, [t for t in types if isinstance(t, str)], recursive)

    @staticmethod
    def define(container: str, types: Sequence[str], recursive: bool) -> ContainerView:
        wanted = [properties.vim_type(t) for t in types if _known(t)]
        kinds = tuple(
            kind
            for kind in inventory.KINDS
            if not types or any(issubclass(properties.vim_type(kind), w) for w in wanted)
        )
        return ContainerView(container, kinds, tuple(types), recursive)

    def page(self, context: Context, after: str | None, limit: int, light: bool = False) -> list[ObjectView]:
        """Up to ``limit`` of the objects the view shows, in id order after ``after``; ``light``:
        only the ``inventory.LIGHT`` paths of them will be read."""
        graph = context.world.inventory_graph
        seen = inventory.sight(context)
        found = graph.contents(self.container, set(self.kinds), self.recursive, after, limit, seen, not light)
        inventory.keep(context, found, light)
        return found


def _known(type_name: str) -> bool:
    try:
        properties.vim_type(type_name)
    except KeyError:
        return False
    return True


def methods() -> list[Method]:
    def create(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        container = args["container"]._moId
        types = [VmomiSupport.GetWsdlName(t) for t in args.get("type") or []]
        unknown = [t for t in types if not _known(t)]
        if unknown:
            raise faults.invalid_argument("type")
        found = context.world.inventory_graph.objects([container], inventory.sight(context))
        if container not in found:
            raise faults.not_found(MoRef(VmomiSupport.GetWsdlName(type(args["container"])), container))
        view = ContainerView.define(container, types, bool(args["recursive"]))
        assert context.session_id is not None
        return vim.view.ContainerView(view.moid(context.session_id))

    def destroy(context: Context, this: MoRef, _args: dict[str, Any]) -> None:
        if ContainerView.of(this.value, context.session_id) is None and not (
            context.world.session_objects.remove(context.session_id or "", this.value, this.type)
        ):
            raise faults.not_found(this)

    return [
        Method("CreateContainerView", create, frozenset({"ViewManager"}), VIEW_MANAGER),
        Method(
            "DestroyView",
            destroy,
            frozenset({CONTAINER_VIEW, "ListView", "InventoryView", "View"}),
            write=True,
        ),
    ]


def family() -> Family:
    """The properties of container views (``view``, ``container``, ``type``, ``recursive``) and
    the ViewManager's ``viewList``."""

    def read(context: Context, kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        if kind == "ViewManager":
            return {VIEW_MANAGER: {"viewList": []}} if VIEW_MANAGER in moids else {}
        found: dict[str, dict[str, Any]] = {}
        for moid in moids:
            view = ContainerView.of(moid, context.session_id)
            if view is None:
                continue
            values: dict[str, Any] = {}
            for path in paths:
                if path == "view":
                    values[path] = [reference(o.kind, o.moid) for o in view.page(context, None, MAX_PAGE)]
                elif path == "container":
                    values[path] = inventory.ref(view.container)
                elif path == "type":
                    values[path] = list(view.types)
                elif path == "recursive":
                    values[path] = view.recursive
            found[moid] = values
        return found

    paths = {CONTAINER_VIEW: ["container", "recursive", "type", "view"], "ViewManager": ["viewList"]}
    return Family(frozenset(paths), read, lambda kind: paths[kind])
