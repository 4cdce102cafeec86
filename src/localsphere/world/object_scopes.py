"""VCF Operations' object scopes and the role permissions limited to objects, over the one access
model.

A scope is a named set of inventory objects, given as traversal specification instances (a
template of the VMWARE adapter, ``TRAVERSAL_SPECS``, with every object of its tree or picked
objects). A role permission is a role a principal holds either on all objects (an assignment on
the family's root) or on a scope's objects: then it is held as vCenter holds a permission on an
inventory object, one assignment per object of the scope (``Assignment.object_scope`` names the
scope it came from), propagating to what is below the object when the pick says so. Reads and
checks then go through ``access`` and ``inventory`` as for any permission: no check of its own.

One role per principal is held once: giving it again replaces it whole (on all objects, on a
scope, or on the objects of traversal specification instances given inline, kept as a scope of
the permission's own, without a name). Changing a scope changes the objects of every permission
made from it; deleting it takes those permissions away.

Picks (``ResourceSelection`` types): PROPAGATE is the object and everything below it; SPECIFIC
and UNPROPAGATE the object alone. A spec instance with every object selected starts at the root
folder (the vSphere World) for each of the three templates, as the world has one tree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localsphere.world import identity, stamp
from localsphere.world.access import ROOTS
from localsphere.world.accounts import account_row
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.inventory import ROOT_FOLDER
from localsphere.world.schema import Assignment, ManagedObject, ObjectScope, Role
from localsphere.world.store import Store

VMWARE, WORLD = "VMWARE", "vSphere World"
# The traversal specification templates of the VMWARE adapter: (adapter kind, root resource kind, name)
TRAVERSAL_SPECS = tuple(
    (VMWARE, WORLD, name) for name in ("vSphere Hosts and Clusters", "vSphere Networking", "vSphere Storage")
)
PICKS = ("PROPAGATE", "UNPROPAGATE", "SPECIFIC")
PROPAGATING = "PROPAGATE"
MAX_SCOPES = 1000  # in one list
MAX_OBJECTS = 10_000  # picked in one scope
READ_ONLY = "ReadOnly"  # the role the deprecated traversal spec assignment gives


@dataclass(frozen=True)
class Pick:
    type: str  # one of PICKS
    uuids: tuple[str, ...]  # the objects' uuids (Operations' resource ids)


@dataclass(frozen=True)
class Selection:
    """A traversal specification instance: a template and the objects of its tree it selects."""

    adapter_kind: str
    resource_kind: str | None
    name: str
    every: bool  # every object of the template's tree; ``picks`` are then ignored
    picks: tuple[Pick, ...] = ()
    adapter_kinds: tuple[str, ...] = ()  # for an adapter association template; kept, not used

    def as_json(self) -> dict[str, object]:
        return {
            "adapterKind": self.adapter_kind,
            "resourceKind": self.resource_kind,
            "name": self.name,
            "every": self.every,
            "picks": [[p.type, list(p.uuids)] for p in self.picks],
            "adapterKinds": list(self.adapter_kinds),
        }

    @staticmethod
    def of(data: dict[str, object]) -> Selection:
        picks = tuple(Pick(t, tuple(u)) for t, u in data["picks"])  # type: ignore[attr-defined]
        return Selection(
            str(data["adapterKind"]),
            data["resourceKind"],  # type: ignore[arg-type]
            str(data["name"]),
            bool(data["every"]),
            picks,
            tuple(data["adapterKinds"]),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class ScopeView:
    id: str
    name: str | None
    description: str | None
    selections: tuple[Selection, ...]
    created_by: str | None  # a principal id
    created_at: float
    modified_by: str | None
    modified_at: float


@dataclass(frozen=True)
class RolePermission:
    """A role a principal holds itself: on all objects (``scope`` None), or on a scope's objects
    (a named scope's id, or the permission's own selections when the scope has no name)."""

    role: str
    scope: ScopeView | None


class ObjectScopes:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    # ---- scopes

    def list(self) -> list[ScopeView]:
        """The named scopes, by name (at most ``MAX_SCOPES``)."""
        query = select(ObjectScope).where(ObjectScope.name.is_not(None)).order_by(ObjectScope.name)
        with self._store.read() as s:
            return [_view(row) for row in s.scalars(query.limit(MAX_SCOPES))]

    def get(self, scope_id: str) -> ScopeView:
        with self._store.read() as s:
            return _view(_named(s, scope_id))

    def create(
        self, name: str, description: str | None, selections: tuple[Selection, ...], by: str
    ) -> ScopeView:
        """A named scope. Invalid for an empty name or a selection naming no known template or
        object; Conflict for a name in use."""
        with self._store.write(serial=True) as s:
            self._check(s, name, None, selections)
            now = self._clock.now(s)
            row = ObjectScope(
                id=identity.new_id(),
                name=name,
                description=description,
                selections=_dump(selections),
                created_by=by,
                created_at=now,
                modified_by=by,
                modified_at=now,
            )
            s.add(row)
            s.flush()
            return _view(row)

    def update(
        self, scope_id: str, name: str, description: str | None, selections: tuple[Selection, ...], by: str
    ) -> ScopeView:
        """A named scope changed whole; the permissions made from it hold on its new objects."""
        with self._store.write(serial=True) as s:
            row = _named(s, scope_id)
            self._check(s, name, row.id, selections)
            row.name, row.description, row.selections = name, description, _dump(selections)
            row.modified_by, row.modified_at = by, self._clock.now(s)
            self._expand_again(s, row)
            return _view(row)

    def delete(self, scope_ids: Iterable[str]) -> None:
        """Named scopes removed with the permissions made from them; all or nothing (NotFound)."""
        with self._store.write() as s:
            rows = [_named(s, i) for i in dict.fromkeys(scope_ids)]
            for row in rows:
                s.execute(delete(Assignment).where(Assignment.object_scope == row.id))
                s.delete(row)
            stamp.bump(s)

    # ---- role permissions

    def permissions(self, kind: str, family: str, principal_id: str) -> list[RolePermission]:
        """The role permissions a user or group holds itself, by role name."""
        with self._store.read() as s:
            account_row(s, kind, principal_id)
            return self._permissions(s, family, principal_id)

    def grant(
        self,
        kind: str,
        family: str,
        principal_id: str,
        role: str,
        scope_id: str | None = None,
        selections: tuple[Selection, ...] | None = None,
    ) -> list[RolePermission]:
        """Give a user or group ``role`` on all objects, on the named scope ``scope_id``, or on the
        objects of ``selections``, replacing whatever permission of that role it held; its role
        permissions then. NotFound for no such principal; Invalid for an unknown role, scope,
        template or object."""
        with self._store.write(serial=True) as s:
            row = account_row(s, kind, principal_id)
            role_id = _role(s, family, role)
            scope = None
            if scope_id is not None:
                scope = s.get(ObjectScope, scope_id)
                if scope is None or scope.name is None:
                    raise Invalid("scope.not_found", f"Scope {scope_id} does not exist", scope_id)
            elif selections is not None:
                _objects(s, selections)  # checked before anything goes
            self._drop(s, family, row.id, role_id)
            if scope is None and selections is not None:
                scope = self._own_scope(s, selections)
            self._assign(s, family, row.id, role_id, scope)
            stamp.bump(s)
            return self._permissions(s, family, row.id)

    def revoke(self, kind: str, family: str, principal_id: str, role: str) -> None:
        """Take every permission of ``role`` from a user or group; NotFound when it holds none."""
        with self._store.write(serial=True) as s:
            row = account_row(s, kind, principal_id)
            role_id = s.scalar(select(Role.id).where(Role.family == family, Role.name == role))
            if role_id is None or not self._drop(s, family, row.id, role_id):
                raise NotFound("role.not_held", f"{row.name} does not hold the role {role}", role)
            stamp.bump(s)

    def add_selection(self, kind: str, family: str, principal_id: str, selection: Selection) -> None:
        """The deprecated traversal specification assignment: ``selection`` added to every
        permission of the principal limited by selections of its own, and to a ReadOnly one
        (made when it holds none). Permissions on all objects or on a named scope stay."""
        with self._store.write(serial=True) as s:
            row = account_row(s, kind, principal_id)
            _objects(s, (selection,))
            held = self._permissions(s, family, row.id)
            own = [p for p in held if p.scope is not None and p.scope.name is None]
            if all(p.role != READ_ONLY for p in held):
                own.append(RolePermission(READ_ONLY, None))
            for permission in own:
                before = permission.scope.selections if permission.scope is not None else ()
                role_id = _role(s, family, permission.role)
                self._drop(s, family, row.id, role_id)
                self._assign(s, family, row.id, role_id, self._own_scope(s, (*before, selection)))
            stamp.bump(s)

    # ---- in a transaction

    @staticmethod
    def _check(s: Session, name: str, own: str | None, selections: tuple[Selection, ...]) -> None:
        if not name.strip():
            raise Invalid("scope.name_empty", "The scope's name must not be empty", "name")
        bounded_text(name, "name", identity.NAME_LENGTH)
        other = s.scalar(select(ObjectScope.id).where(ObjectScope.name == name))
        if other is not None and other != own:
            raise Conflict("scope.exists", f"A scope named {name} already exists", name)
        _objects(s, selections)

    def _own_scope(self, s: Session, selections: tuple[Selection, ...]) -> ObjectScope:
        """A permission's own scope: its selections, without a name."""
        now = self._clock.now(s)
        scope = ObjectScope(
            id=identity.new_id(), name=None, selections=_dump(selections), created_at=now, modified_at=now
        )
        s.add(scope)
        s.flush()
        return scope

    def _assign(
        self, s: Session, family: str, principal_id: str, role_id: str, scope: ObjectScope | None
    ) -> None:
        now = self._clock.now(s)
        targets = _objects(s, _load(scope.selections)) if scope is not None else {ROOTS[family]: True}
        for moid, propagate in sorted(targets.items()):
            s.add(
                Assignment(
                    id=identity.new_id(),
                    family=family,
                    principal_id=principal_id,
                    role_id=role_id,
                    scope=moid,
                    propagate=propagate,
                    created_at=now,
                    object_scope=scope.id if scope is not None else None,
                )
            )

    def _expand_again(self, s: Session, scope: ObjectScope) -> None:
        holders = s.execute(
            select(Assignment.family, Assignment.principal_id, Assignment.role_id)
            .where(Assignment.object_scope == scope.id)
            .distinct()
        ).all()
        s.execute(delete(Assignment).where(Assignment.object_scope == scope.id))
        s.flush()
        for family, principal_id, role_id in holders:
            self._assign(s, family, principal_id, role_id, scope)
        stamp.bump(s)

    @staticmethod
    def _drop(s: Session, family: str, principal_id: str, role_id: str) -> bool:
        """Remove a principal's permissions of one role (and the scopes of their own); whether
        there were any."""
        mine = (
            Assignment.family == family,
            Assignment.principal_id == principal_id,
            Assignment.role_id == role_id,
        )
        scopes = set(s.scalars(select(Assignment.object_scope).where(*mine)))
        found = s.scalar(select(Assignment.id).where(*mine).limit(1)) is not None
        s.execute(delete(Assignment).where(*mine))
        own = [i for i in scopes if i is not None]
        if own:
            s.execute(delete(ObjectScope).where(ObjectScope.id.in_(own), ObjectScope.name.is_(None)))
        s.flush()
        return found

    @staticmethod
    def _permissions(s: Session, family: str, principal_id: str) -> list[RolePermission]:
        rows = s.execute(
            select(Role.name, Assignment.scope, Assignment.object_scope)
            .join(Role, Role.id == Assignment.role_id)
            .where(Assignment.family == family, Assignment.principal_id == principal_id)
        ).all()
        found: dict[tuple[str, str | None], RolePermission] = {}
        for role, on, scope_id in rows:
            if scope_id is None and on != ROOTS[family]:
                continue  # a permission on one object, given elsewhere (not by an Operations role)
            if (role, scope_id) not in found:
                scope = s.get(ObjectScope, scope_id) if scope_id is not None else None
                found[(role, scope_id)] = RolePermission(role, _view(scope) if scope is not None else None)
        return sorted(found.values(), key=lambda p: (p.role, p.scope is not None))


def _role(s: Session, family: str, name: str) -> str:
    role_id = s.scalar(select(Role.id).where(Role.family == family, Role.name == name))
    if role_id is None:
        raise Invalid("role.not_found", f"No such role: {name}", name)
    return role_id


def _named(s: Session, scope_id: str) -> ObjectScope:
    row = s.get(ObjectScope, scope_id)
    if row is None or row.name is None:
        raise NotFound("scope.not_found", f"Scope {scope_id} not found", scope_id)
    return row


def _objects(s: Session, selections: Iterable[Selection]) -> dict[str, bool]:
    """The objects the selections name, by managed-object id, each with whether it propagates.
    Invalid for an unknown template or object, or too many objects."""
    known = {(a.lower(), n.lower()): r for a, r, n in TRAVERSAL_SPECS}
    found: dict[str, bool] = {}
    wanted: dict[str, bool] = {}
    for selection in selections:
        root = known.get((selection.adapter_kind.lower(), selection.name.lower()))
        if root is None or (selection.resource_kind or root).lower() != root.lower():
            spec = f"{selection.adapter_kind}/{selection.resource_kind}/{selection.name}"
            raise Invalid("traversal_spec.not_found", f"Traversal specification {spec} not found", spec)
        if selection.every:
            found[ROOT_FOLDER] = True
            continue
        for pick in selection.picks:
            if pick.type not in PICKS:
                raise Invalid("selection.type", f"Unknown selection type {pick.type}", pick.type)
            for uuid in pick.uuids:
                wanted[uuid] = wanted.get(uuid, False) or pick.type == PROPAGATING
    if len(wanted) > MAX_OBJECTS:
        raise Invalid("scope.too_big", f"At most {MAX_OBJECTS} objects are picked in one scope")
    if wanted:
        rows = dict(
            s.execute(
                select(ManagedObject.uuid, ManagedObject.moid).where(ManagedObject.uuid.in_(sorted(wanted)))
            ).all()
        )
        missing = sorted(set(wanted) - set(rows))
        if missing:
            raise Invalid("object.not_found", f"Resource {missing[0]} not found", *missing)
        for uuid, moid in rows.items():
            found[moid] = found.get(moid, False) or wanted[uuid]
    return found


def _dump(selections: tuple[Selection, ...]) -> str:
    return json.dumps([x.as_json() for x in selections])


def _load(text: str) -> tuple[Selection, ...]:
    return tuple(Selection.of(x) for x in json.loads(text))


def _view(row: ObjectScope) -> ScopeView:
    return ScopeView(
        row.id,
        row.name,
        row.description,
        _load(row.selections),
        row.created_by,
        row.created_at,
        row.modified_by,
        row.modified_at,
    )
