"""The ``PropertyCollector``: ``RetrievePropertiesEx`` / ``ContinueRetrievePropertiesEx`` /
``CancelRetrievePropertiesEx`` and the older ``RetrieveProperties``.

A ``FilterSpec`` names starting objects (``ObjectSpec``), how to walk on from them
(``TraversalSpec``: from an object of ``type``, follow the references in its property ``path``;
``SelectionSpec``: a traversal named elsewhere in the spec, which makes recursion possible), and
which properties to read of which types (``PropertySpec``). The walk goes level by level, reading
one property of all the objects of a level in one bulk read; then the properties of a page of the
objects found are read in bulk too, type by type.

Paging (``RetrieveOptions.maxObjects``): a page ends with a ``token`` that carries what the next
page needs (the spec and where the page ended), so any worker continues it, and the retrieval it
belongs to (a random id, the same on all its pages): ``CancelRetrievePropertiesEx`` marks that
retrieval cancelled for the session (``world.session_objects``, the newest ``MAX_CANCELLED``), and
a token of a cancelled retrieval is refused as a token of no retrieval is (InvalidArgument
``token``: vSphere's ``RetrieveResult.token`` may only be used in the session that got it).

The common shape of a container view (``ObjectSpec(view, skip) ->
TraversalSpec(ContainerView.view)``) pages by key in the database; any other walk is made again
and cut at the token's offset.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pyVmomi import VmomiSupport, vmodl

from localsphere.faces.vim import faults, properties, soap
from localsphere.faces.vim.collectors import on_collector
from localsphere.faces.vim.properties import Properties, typed
from localsphere.faces.vim.service import Context, Method
from localsphere.faces.vim.service_instance import session_key
from localsphere.faces.vim.soap import MoRef
from localsphere.faces.vim.view_manager import CONTAINER_VIEW, ContainerView
from localsphere.world.inventory_graph import MAX_PAGE

PC = vmodl.query.PropertyCollector
MAX_OBJECTS = MAX_PAGE  # a page when the client sets no maxObjects
MAX_RETRIEVE = 100_000  # RetrieveProperties has no pages: the most objects it answers
MAX_WALK = 200_000  # the most objects one walk may visit
CANCELLED = "CancelledRetrieval"  # a session's mark of a retrieval it cancelled
MAX_CANCELLED = 100  # the cancelled retrievals a session is known to have, newest


@dataclass(frozen=True)
class Page:
    """Where a page starts: the key it follows (container views) or the offset (any other walk);
    and how many objects it holds at most (the ``maxObjects`` the retrieval began with)."""

    after: str | None = None
    offset: int = 0
    limit: int = MAX_OBJECTS


def wsdl_name(typ: type) -> str:
    return VmomiSupport.GetWsdlName(typ)


def ref_of(obj: Any) -> MoRef:
    return MoRef(wsdl_name(type(obj)), obj._moId)


class Collector:
    def __init__(self, properties_: Properties) -> None:
        self.properties = properties_

    # -- what to read of each type

    def check(self, spec: Any) -> None:
        """InvalidProperty when a PropertySpec names a path its type does not have."""
        self._paths(spec)

    def _paths(self, spec: Any) -> dict[str, list[str]]:
        """Per type named by a PropertySpec, the paths to read (checked: InvalidProperty)."""
        wanted: dict[str, list[str]] = {}
        for prop in spec.propSet or []:
            name = wsdl_name(prop.type)
            paths = wanted.setdefault(name, [])
            for path in prop.pathSet or []:
                if properties.property_type(name, path) is None:
                    raise faults.invalid_property(path)
                if path not in paths:
                    paths.append(path)
            if prop.all:
                wanted[name] = ["*", *paths]
        return wanted

    def _paths_for(self, kind: str, wanted: dict[str, list[str]]) -> list[str] | None:
        """The paths to read of an object of ``kind``: those of every PropertySpec whose type it
        is (or is a subtype of); None when no PropertySpec names it (it is not reported)."""
        cls = properties.vim_type(kind)
        found: list[str] | None = None
        for name, paths in wanted.items():
            if issubclass(cls, properties.vim_type(name)):
                found = found or []
                for path in paths:
                    if path == "*":
                        family = self.properties.by_type.get(kind)
                        extra = family.all_paths(kind) if family else []
                        found += [p for p in extra if p not in found]
                    elif path not in found:
                        found.append(path)
        return found

    # -- the walk

    def walk(self, context: Context, spec: Any) -> list[MoRef]:
        """Every object a FilterSpec reaches, in the order found, each once."""
        named = _named_traversals(spec)
        found: dict[tuple[str, str], MoRef] = {}
        frontier: list[tuple[MoRef, list[Any]]] = []
        for start in spec.objectSet or []:
            this = ref_of(start.obj)
            if not start.skip:
                found.setdefault((this.type, this.value), this)
            frontier.append((this, list(start.selectSet or [])))
        seen: set[tuple[str, str, int]] = set()
        while frontier:
            # (traversal, type) -> the objects of that type to follow it from
            work: dict[tuple[int, str], tuple[Any, list[str]]] = {}
            for this, selections in frontier:
                for selection in selections:
                    traversal = _resolve(selection, named)
                    if traversal is None or not issubclass(properties.vim_type(this.type), traversal.type):
                        continue
                    key = (this.type, this.value, id(traversal))
                    if key in seen:
                        continue
                    seen.add(key)
                    work.setdefault((id(traversal), this.type), (traversal, []))[1].append(this.value)
            frontier = []
            for (_, kind), (traversal, moids) in work.items():
                family = self.properties.by_type.get(kind)
                if family is None:
                    continue
                if properties.property_type(kind, traversal.path) is None:
                    raise faults.invalid_property(traversal.path)
                read = family.read(context, kind, moids, [traversal.path])
                for moid in moids:
                    value = read.get(moid, {}).get(traversal.path)
                    for obj in value if isinstance(value, list) else [value] if value is not None else []:
                        if not isinstance(obj, VmomiSupport.ManagedObject):
                            continue
                        ref = ref_of(obj)
                        if not traversal.skip:
                            found.setdefault((ref.type, ref.value), ref)
                        frontier.append((ref, list(traversal.selectSet or [])))
                if len(found) > MAX_WALK:
                    raise faults.invalid_argument(
                        "specSet", f"The traversal reaches more than {MAX_WALK} objects"
                    )
        return list(found.values())

    # -- reading a page

    def contents(
        self, context: Context, spec: Any, objects: list[MoRef], roots: frozenset[MoRef] = frozenset()
    ) -> list[soap.Content]:
        """The content of each object a PropertySpec names: the properties it has values for, in
        the order asked (an object that is gone is left out, or reported missing when the spec
        asks for that; one of ``roots``, the spec's own objects, is ManagedObjectNotFound then,
        as vCenter's ``reportMissingObjectsInResults`` unset says)."""
        wanted = self._paths(spec)
        by_kind: dict[str, list[MoRef]] = defaultdict(list)
        for ref in objects:
            by_kind[ref.type].append(ref)
        values: dict[tuple[str, str], dict[str, Any] | None] = {}
        reported: dict[str, list[str]] = {}
        for kind, refs in by_kind.items():
            paths = self._paths_for(kind, wanted) if kind in self.properties.by_type else None
            if paths is None:
                continue
            reported[kind] = paths
            read = self.properties.by_type[kind].read(context, kind, [r.value for r in refs], paths)
            for ref in refs:
                values[(kind, ref.value)] = read.get(ref.value)
        result: list[soap.Content] = []
        for ref in objects:
            if ref.type not in reported:
                continue
            got = values.get((ref.type, ref.value))
            if got is None:
                if spec.reportMissingObjectsInResults:
                    fault = vmodl.fault.ManagedObjectNotFound(obj=faults.reference(ref))
                    result.append((ref, [], [PC.MissingProperty(path="", fault=fault)]))
                elif ref in roots:
                    raise faults.not_found(ref)
                continue
            props = [(path, typed(ref.type, path, got[path])) for path in reported[ref.type] if path in got]
            result.append((ref, props, []))
        return result

    # -- pages

    def page(
        self, context: Context, specs: list[Any], start: Page, strict: bool = False
    ) -> tuple[list[soap.Content], Page | None]:
        """One page of results and where the next starts (None: this was the last). ``strict``
        (a retrieval, not a filter's look or a later page): a spec's own object that is not there
        is ManagedObjectNotFound, unless the spec asks it reported."""
        limit = start.limit
        view = _container_view_walk(specs, context)
        if view is not None:
            wanted = self._paths(specs[0])
            light = all(
                path in self.properties.by_type[kind].light
                for kind in view.kinds
                for path in self._paths_for(kind, wanted) or []
            )
            objects = view.page(context, start.after, limit + 1, light)
            more = len(objects) > limit
            objects = objects[:limit]
            refs = [MoRef(o.kind, o.moid) for o in objects]
            following = Page(after=objects[-1].moid, limit=limit) if more and objects else None
            return self.contents(context, specs[0], refs), following
        found: list[soap.Content] = []
        total = 0
        for spec in specs:
            wanted = self._paths(spec)
            reported = {}  # the types a PropertySpec names: only their objects count towards a page
            reached = [
                r
                for r in self.walk(context, spec)
                if reported.setdefault(r.type, self._paths_for(r.type, wanted)) is not None
            ]
            begin = max(0, start.offset - total)
            chosen = reached[begin : begin + limit - len(found)] if begin < len(reached) else []
            roots = frozenset(ref_of(o.obj) for o in spec.objectSet or []) if strict else frozenset()
            found += self.contents(context, spec, chosen, roots)
            total += len(reached)
            if len(found) >= limit:
                break
        end = start.offset + limit
        return found, Page(offset=end, limit=limit) if end < total else None


def _named_traversals(spec: Any) -> dict[str, Any]:
    """Every TraversalSpec of a FilterSpec that has a name, by name."""
    named: dict[str, Any] = {}
    stack = [s for o in spec.objectSet or [] for s in o.selectSet or []]
    while stack:
        selection = stack.pop()
        if isinstance(selection, PC.TraversalSpec):
            if selection.name and selection.name not in named:
                named[selection.name] = selection
                stack.extend(selection.selectSet or [])
            elif not selection.name:
                stack.extend(selection.selectSet or [])
    return named


def _resolve(selection: Any, named: dict[str, Any]) -> Any:
    if isinstance(selection, PC.TraversalSpec):
        return selection
    if selection.name not in named:
        raise faults.invalid_argument("selectSet", f"No traversal named {selection.name}")
    return named[selection.name]


def _container_view_walk(specs: list[Any], context: Context) -> ContainerView | None:
    """The container view of the usual shape (one ObjectSpec: the view, skipped, and one
    traversal of its ``view`` and no further), which pages by key; else None."""
    if len(specs) != 1 or len(specs[0].objectSet or []) != 1:
        return None
    start = specs[0].objectSet[0]
    if wsdl_name(type(start.obj)) != CONTAINER_VIEW or not start.skip or len(start.selectSet or []) != 1:
        return None
    traversal = start.selectSet[0]
    if not isinstance(traversal, PC.TraversalSpec) or traversal.path != "view" or traversal.selectSet:
        return None
    if traversal.skip:
        return None
    return ContainerView.of(start.obj._moId, context.session_id)


# Tokens: "<session key>.<retrieval>.<k key | o offset>.<page size>.<the specs, compressed>",
# URL-safe text; the retrieval: RETRIEVAL_DIGITS hex digits


RETRIEVAL_DIGITS = 16


def new_retrieval() -> str:
    """The id of a new retrieval, which its pages' tokens carry."""
    return secrets.token_hex(RETRIEVAL_DIGITS // 2)


def token_of(context: Context, retrieval: str, specs: list[Any], following: Page) -> str:
    packed = base64.urlsafe_b64encode(
        zlib.compress(soap.pack(specs, PC.FilterSpec, context.version))
    ).decode()
    where = f"k{following.after}" if following.after is not None else f"o{following.offset}"
    assert context.session_id is not None
    return f"{session_key(context.session_id)[:8]}.{retrieval}.{where}.{following.limit}.{packed}"


def _cancelled(context: Context, retrieval: str) -> str:
    """The session's mark of the cancelled ``retrieval`` (its id in the store, the session's key in it)."""
    return f"retrieval-{session_key(context.session_id or '')}-{retrieval}"


def specs_of(context: Context, token: str) -> tuple[str, list[Any], Page]:
    """The retrieval, the specs and the page a token names; InvalidArgument for a token not of
    this session."""
    assert context.session_id is not None
    own, _, rest = token.partition(".")
    retrieval, _, rest = rest.partition(".")
    where, _, rest = rest.partition(".")
    size, _, packed = rest.partition(".")
    bad = faults.invalid_argument("token")
    if own != session_key(context.session_id)[:8] or len(where) < 2 or where[0] not in "ko":
        raise bad
    if len(retrieval) != RETRIEVAL_DIGITS or not all(c in "0123456789abcdef" for c in retrieval):
        raise bad
    if not size.isdigit() or not 0 < int(size) <= MAX_OBJECTS or not where[1:].isascii():
        raise bad
    try:
        limit = int(size)
        page = Page(where[1:], 0, limit) if where[0] == "k" else Page(None, int(where[1:]), limit)
        unpacker = zlib.decompressobj()
        xml = unpacker.decompress(base64.urlsafe_b64decode(packed), soap.MAX_PACKED)
        specs = soap.unpack(xml, PC.FilterSpec, context.version)
    except (ValueError, binascii.Error, zlib.error, soap.BadRequest):
        raise bad from None
    if unpacker.unconsumed_tail or not specs:
        raise bad
    return retrieval, specs, page


def methods(collector: Collector) -> list[Method]:
    receivers = frozenset({"PropertyCollector"})

    def answer(context: Context, retrieval: str, specs: list[Any], start: Page, strict: bool = False) -> Any:
        objects, following = collector.page(context, specs, start, strict)
        if not objects and following is None:
            return None  # vCenter answers an empty result with no returnval
        token = token_of(context, retrieval, specs, following) if following is not None else None
        return soap.object_contents(objects, token, context.version, wrapped=True)

    def retrieve_ex(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        options = args.get("options")
        wanted = options.maxObjects if options is not None and options.maxObjects else MAX_OBJECTS
        if wanted < 0:
            raise faults.invalid_argument("maxObjects")
        specs, start = list(args["specSet"]), Page(limit=min(wanted, MAX_OBJECTS))
        return answer(context, new_retrieval(), specs, start, True)

    def continue_ex(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        retrieval, specs, start = specs_of(context, args["token"])
        marks = context.world.session_objects
        if marks.body(context.session_id or "", _cancelled(context, retrieval), CANCELLED) is not None:
            raise faults.invalid_argument("token")
        found = answer(context, retrieval, specs, start)
        return found or PC.RetrieveResult(objects=[])  # a page past the last

    def cancel_ex(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        """The retrieval is marked cancelled for the session; a token of another session, or none,
        is refused."""
        retrieval, _, _ = specs_of(context, args["token"])
        context.world.session_objects.mark(
            context.session_id or "", _cancelled(context, retrieval), CANCELLED, MAX_CANCELLED
        )

    def retrieve(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        objects, _ = collector.page(context, list(args["specSet"]), Page(limit=MAX_RETRIEVE), True)
        return soap.object_contents(objects, None, context.version, wrapped=False) if objects else None

    return [
        Method("RetrievePropertiesEx", on_collector(retrieve_ex), receivers),
        Method("ContinueRetrievePropertiesEx", on_collector(continue_ex), receivers),
        Method("CancelRetrievePropertiesEx", on_collector(cancel_ex), receivers, write=True),
        Method("RetrieveProperties", on_collector(retrieve), receivers),
    ]
