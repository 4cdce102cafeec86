"""PropertyCollector filters and waiting for updates: ``CreateFilter`` / ``DestroyPropertyFilter``,
``WaitForUpdatesEx``, ``WaitForUpdates`` and ``CheckForUpdates`` (what ``pyVim.task.WaitForTask``,
govc's watchers and govmomi's ``property.Wait`` rely on).

A session's filters live in the world (``world.property_filters``), and so does what each told
(``world.filter_updates``), so any worker answers the next call. As vCenter does: asked with no
version, the answer holds every selected object (``enter``) with its selected properties; asked
with a version the collector gave, the call waits until something changed since (or
``maxWaitSeconds`` pass: no answer) and answers only that: an object newly selected as ``enter``
with all its properties, one no longer selected as ``leave``, a changed one as ``modify`` with the
changed properties alone (``assign`` with the new value; ``remove``, with none, for a property
that became unset). A filter made since that version reports its objects as ``enter``. Versions
count up per collector (as vCenter's do: "1", "2", ...); one the collector never gave, or too old
to answer from, is ``InvalidCollectorVersion``. ``WaitOptions.maxObjectUpdates`` cuts an answer
(``truncated``) with a version that resumes it (``<to>/<from>/<filter>/<last object>``), which
only WaitForUpdatesEx takes. ``partialUpdates`` is kept and read back; a changed property is
always reported whole.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from pyVmomi import vmodl

from localsphere.faces.vim import faults, soap
from localsphere.faces.vim.collectors import COLLECTOR, collector_of, on_collector
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.property_collector import MAX_RETRIEVE, Collector, Page
from localsphere.faces.vim.service import NOT_YET, Context, Method
from localsphere.faces.vim.service_instance import PROPERTY_COLLECTOR
from localsphere.faces.vim.soap import MoRef
from localsphere.world.filter_updates import MISSING, Fingerprints, Update, order
from localsphere.world.property_filters import FilterView, Versions

PC = vmodl.query.PropertyCollector
FILTER = "PropertyFilter"
INVALID_VERSION = "The collector version is out of date or invalid"  # the fault's description


def _spec(context: Context, text: str) -> Any:
    return soap.unpack(text.encode(), PC.FilterSpec, context.version)[0]


@dataclass(frozen=True)
class Since:
    """What a version asks for: the changes after ``version`` (0: everything), up to ``upto``
    (None: up to now), resuming after ``cursor`` (a filter id and the last object reported)."""

    version: int = 0
    upto: int | None = None
    cursor: tuple[str, str] | None = None
    first: bool = False  # no version: answered at once, whatever it holds


def _since(text: str, versions: Versions, resumable: bool) -> Since:
    """The version a client names, checked against what the collector gave (InvalidCollectorVersion)."""
    if not text:
        return Since(first=True)
    bad = faults.Fault(vmodl.query.InvalidCollectorVersion(), INVALID_VERSION)
    parts = text.split("/", 3)
    numbers = parts[:2]
    if not all(n.isascii() and n.isdigit() and len(n) < 12 for n in numbers) or len(parts) not in (1, 4):
        raise bad
    if len(parts) == 1:
        since = Since(int(parts[0]))
    elif not resumable:  # a truncated version is WaitForUpdatesEx's alone
        raise bad
    else:
        since = Since(int(parts[1]), int(parts[0]), (parts[2], parts[3]))
    if not versions.floor <= since.version <= versions.version or (since.upto or 0) > versions.version:
        raise bad
    if since.upto is not None and since.upto < since.version:
        raise bad
    return since


def _key(ref: MoRef) -> str:
    return f"{ref.type}:{ref.value}"


def _fingerprints(context: Context, contents: list[soap.Content]) -> Fingerprints:
    """Per object, a short hash of each property's value as the wire writes it (and of its
    missingSet, under ``MISSING``)."""
    found: Fingerprints = {}
    for ref, props, missing in contents:
        paths = {p: _hash(soap.value_xml(v, context.version)) for p, v in props}
        if missing:
            paths[MISSING] = _hash("|".join(f"{m.path}:{type(m.fault).__name__}" for m in missing))
        found[_key(ref)] = paths
    return found


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _digest(fingerprints: Fingerprints) -> str:
    digest = hashlib.sha256()
    for key, paths in fingerprints.items():
        digest.update(key.encode())
        for path, fingerprint in paths.items():
            digest.update(f"\0{path}\0{fingerprint}".encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _change(path: str, value: Any) -> Any:
    """A changed property: ``assign`` with its new value, or ``remove`` with none when it became
    unset (vim25's ``PropertyChangeOp``: a value is sent only for ``add`` and ``assign``)."""
    if value is None:
        return PC.Change(name=path, op=PC.Change.Op.remove)
    return PC.Change(name=path, op=PC.Change.Op.assign, val=value)


def _object_update(update: Update, current: dict[str, soap.Content]) -> Any:
    if update.kind == "leave":
        kind, _, moid = update.key.partition(":")
        return PC.ObjectUpdate(kind="leave", obj=faults.reference(MoRef(kind, moid)))
    ref, props, missing = current[update.key]
    values = dict(props)
    entering = update.kind == "enter"  # an object entering shows the properties it has set
    changes = [
        _change(path, values.get(path))
        for path in update.paths
        if path != MISSING and not (entering and values.get(path) is None)
    ]
    report_missing = update.kind == "enter" or MISSING in update.paths
    return PC.ObjectUpdate(
        kind=update.kind,
        obj=faults.reference(ref),
        changeSet=changes,
        missingSet=missing if report_missing else [],
    )


def _answer(
    context: Context,
    collector: Collector,
    watched: tuple[Versions, list[FilterView]],
    since: Since,
    most: int | None,
) -> tuple[Versions, list[tuple[str, list[Any]]], tuple[str, str] | None] | None:
    """What changed since a version, per filter (oldest first), cut after ``most`` objects; the
    collector's versions and where a cut answer resumes. None when nothing changed since the
    latest version."""
    versions, filters = watched
    current: dict[str, dict[str, soap.Content]] = {}
    seen = {}
    for kept in filters:
        contents, _ = collector.page(context, [_spec(context, kept.spec)], Page(limit=MAX_RETRIEVE))
        current[kept.id] = {_key(c[0]): c for c in contents}
        prints = _fingerprints(context, contents)
        seen[kept.id] = (_digest(prints), lambda prints=prints: prints)
    if (
        not since.first
        and since.version == versions.version
        and all(f.digest == seen[f.id][0] for f in filters)
    ):
        return None  # nothing new, and nothing to tell since: no need to look at what was told
    versions, told = context.world.property_filters.advance(
        context.session_id or "", collector_of(context), seen
    )
    upto = versions.version if since.upto is None else since.upto
    found: list[tuple[str, list[Any]]] = []
    count, last, cut = 0, None, None  # last: the filter and object reported last
    skipping = since.cursor is not None and since.cursor[0] in told
    for kept in filters:
        if kept.id not in told or cut is not None:
            continue
        updates = told[kept.id].since(since.version, upto)
        if skipping:
            assert since.cursor is not None
            if kept.id != since.cursor[0]:
                continue
            skipping = False
            updates = [u for u in updates if order(u.key) > order(since.cursor[1])]
        if most is not None and count + len(updates) > most:
            updates = updates[: most - count]
            cut = (kept.id, updates[-1].key) if updates else last
        count += len(updates)
        if updates:
            last = (kept.id, updates[-1].key)
            found.append((kept.id, [_object_update(u, current[kept.id]) for u in updates]))
    return versions, found, cut


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

    def answer(context: Context, args: dict[str, Any], resumable: bool) -> Any:
        """The UpdateSet since the version asked (NOT_YET while there is none; None once the
        wait is over)."""
        text = args.get("version") or ""
        options = args.get("options") if resumable else None
        most = options.maxObjectUpdates if options is not None else None
        if most is not None and most <= 0:
            raise faults.invalid_argument("maxObjectUpdates")
        watched = context.world.property_filters.watch(context.session_id or "", collector_of(context))
        since = _since(text, watched[0], resumable)
        found = _answer(context, collector, watched, since, most)
        if found is not None:
            versions, filters, cut = found
            if filters or not text:
                upto = versions.version if since.upto is None else since.upto
                version = f"{upto}/{since.version}/{cut[0]}/{cut[1]}" if cut is not None else str(upto)
                return PC.UpdateSet(
                    version=version,
                    filterSet=[
                        PC.FilterUpdate(filter=PC.Filter(f), objectSet=objects) for f, objects in filters
                    ],
                    truncated=cut is not None or None,
                )
            if since.upto is not None:  # the rest of a cut answer left nothing: go on from its end
                return answer(context, {**args, "version": str(since.upto)}, resumable)
        return None if context.last_try else NOT_YET

    def updates(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        return answer(context, args, resumable=True)

    def check(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        return answer(context, args, resumable=False)

    def wait_forever(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
        found = check(context, this, args)
        if found is None:  # the longest wait is over: nothing new, at the same version
            return PC.UpdateSet(version=args.get("version") or "")
        return found

    def most_seconds(args: dict[str, Any]) -> float | None:
        options = args.get("options")
        return None if options is None or options.maxWaitSeconds is None else float(options.maxWaitSeconds)

    return [
        Method("CreateFilter", on_collector(create), receivers),
        Method("DestroyPropertyFilter", destroy, frozenset({FILTER}), write=True),
        # write: a look that finds a change records it, on a world thread (never on the event loop)
        Method("WaitForUpdatesEx", on_collector(updates), receivers, write=True, wait=most_seconds),
        Method("WaitForUpdates", on_collector(wait_forever), receivers, write=True, wait=lambda _args: None),
        Method("CheckForUpdates", on_collector(check), receivers, write=True, wait=lambda _args: 0.0),
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
