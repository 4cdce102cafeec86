"""What an operation did, for the event log, beside its task's own event: a VM made, cloned,
renamed, relocated, removed; a guest shut down; a datacenter or a pool made; a host, cluster or
datastore removed; a host in and out of maintenance mode (``FACTS``, the world's words). Each
fact names its entity and where the entity stood (``facts_of``: its host, cluster, datacenter,
folder and home datastore, with their names, read before a change that moves or removes it), so a
product's event can name them after the inventory has forgotten them. Facts are recorded in
order, a ``STEP`` of world time apart, in the chain of the task that made them (its ``task_id``)
or of none; a face types them in its product's words (vSphere: ``VmRenamedEvent``...)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsphere.world.clock import Clock
from localsphere.world.errors import NotFound
from localsphere.world.events import Entity, Events
from localsphere.world.identity import PrincipalView
from localsphere.world.inventory import VM
from localsphere.world.schema import ManagedObject
from localsphere.world.store import Store
from localsphere.world.tenants import DEFAULT_TENANT

SERVICE = "vim"  # the facts' ``service``: vSphere's, as its tasks'

# the world's words for what an operation did that a product's event log tells beside its task's
# own event (``Fact``), by a SOAP task or a REST call alike
CREATING, CREATED, REMOVED = "vm.creating", "vm.created", "vm.removed"
CLONING, CLONED = "vm.cloning", "vm.cloned"
DEPLOYING, DEPLOYED = "vm.deploying", "vm.deployed"  # a clone of a template
RENAMED, RECONFIGURED = "vm.renamed", "vm.reconfigured"
RELOCATING, RELOCATED = "vm.relocating", "vm.relocated"
REVERTED = "vm.snapshot.reverted"  # a VM back to a snapshot (details: ``snapshot``, [id, name])
GUEST_SHUTDOWN, GUEST_REBOOT, GUEST_STANDBY = "vm.guest.shutdown", "vm.guest.reboot", "vm.guest.standby"
DATACENTER_CREATED = "datacenter.created"
POOL_CREATED, POOL_DESTROYED = "resource_pool.created", "resource_pool.destroyed"
HOST_REMOVED, CLUSTER_DESTROYED, DATASTORE_DESTROYED = (
    "host.removed",
    "cluster.destroyed",
    "datastore.destroyed",
)
# a host put in maintenance mode (entering, then entered) and taken out of it
ENTERING_MAINTENANCE, ENTERED_MAINTENANCE, EXITED_MAINTENANCE = (
    "host.maintenance.entering",
    "host.maintenance.entered",
    "host.maintenance.exited",
)
FACTS = (
    CREATING,
    CREATED,
    REMOVED,
    CLONING,
    CLONED,
    DEPLOYING,
    DEPLOYED,
    RENAMED,
    RECONFIGURED,
    RELOCATING,
    RELOCATED,
    REVERTED,
    GUEST_SHUTDOWN,
    GUEST_REBOOT,
    GUEST_STANDBY,
    DATACENTER_CREATED,
    POOL_CREATED,
    POOL_DESTROYED,
    HOST_REMOVED,
    CLUSTER_DESTROYED,
    DATASTORE_DESTROYED,
    ENTERING_MAINTENANCE,
    ENTERED_MAINTENANCE,
    EXITED_MAINTENANCE,
)
PLACES = ("host", "cluster", "datacenter", "folder")  # the columns of the places a fact names
CHUNK = 500  # ids in one IN list
MOST_REMOVED = 10_000  # the most VMs a destroy of what holds them records one by one
# world seconds between the events of one operation, so they read in their order: 10 µs, apart in
# a createdTime, and 10,000 VMs destroyed together are recorded within 0.1 s
STEP = 1e-5


@dataclass(frozen=True)
class Fact:
    """What an operation did, for the event log: ``action`` (one of ``FACTS``), the entity it is
    about, and what a product's event tells of it that the inventory may no longer hold
    (``details``, JSON-able: ``where`` the entity stood, names and ids as they were)."""

    action: str
    entity: Entity
    details: dict[str, Any] = field(default_factory=dict)


def _places(row: ManagedObject) -> dict[str, str]:
    moids = {role: moid for role in PLACES if (moid := getattr(row, role))}
    home = json.loads(row.details or "{}").get("datastore")
    if home:
        moids["datastore"] = home
    return moids


def facts_of(s: Session, action: str, rows: list[ManagedObject], **details: Any) -> list[Fact]:
    """The fact ``action`` about each object of ``rows`` where it stands now (``where``: its host,
    cluster, datacenter, folder and, a VM's, home datastore, each ``[moid, name]``), with
    ``details``; the places' names read in one query a ``CHUNK``."""
    places = [_places(row) for row in rows]
    wanted = sorted({moid for p in places for moid in p.values()})
    names: dict[str, str] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        query = select(ManagedObject.moid, ManagedObject.name).where(ManagedObject.moid.in_(chunk))
        names |= {moid: name for moid, name in s.execute(query)}
    return [
        Fact(
            action,
            Entity(row.kind, row.moid, row.name),
            {"where": {role: [m, names[m]] for role, m in p.items() if m in names}, **details},
        )
        for row, p in zip(rows, places, strict=True)
    ]


def fact_of(s: Session, action: str, row: ManagedObject, **details: Any) -> Fact:
    """The fact ``action`` about the object of ``row`` where it stands now, with ``details``."""
    return facts_of(s, action, [row], **details)[0]


class Facts:
    def __init__(self, store: Store, clock: Clock, events: Events) -> None:
        self._store = store
        self._clock = clock
        self._events = events

    def fact(self, action: str, moid: str, **details: Any) -> Fact:
        """The fact ``action`` about the inventory object ``moid`` where it stands now, with
        ``details``; NotFound when there is no such object."""
        with self._store.read() as s:
            row = s.scalars(select(ManagedObject).where(ManagedObject.moid == moid)).first()
            if row is None:
                raise NotFound("object.not_found", f"Object with identifier '{moid}' does not exist", moid)
            return fact_of(s, action, row, **details)

    def removed_within(self, container: str) -> list[Fact]:
        """That the VMs below ``container`` (a folder or a datacenter), at most ``MOST_REMOVED``
        of them, are removed (``REMOVED``), where they stand now: read before a destroy takes them."""
        with self._store.read() as s:
            (path,) = s.execute(select(ManagedObject.path).where(ManagedObject.moid == container)).one()
            inside = ManagedObject.path.startswith(path, autoescape=True)
            rows = list(
                s.scalars(select(ManagedObject).where(inside, ManagedObject.kind == VM).limit(MOST_REMOVED))
            )
            return facts_of(s, REMOVED, rows)

    def where(self, moid: str) -> dict[str, list[str]]:
        """Where the inventory object ``moid`` stands now (``facts_of``); NotFound as ``fact``'s."""
        where: dict[str, list[str]] = self.fact("", moid).details["where"]
        return where

    def note(self, user: PrincipalView, facts: list[Fact]) -> None:
        """Record what ``user``'s operation made without a task did (``facts``), in order, now."""
        with self._store.write() as s:
            self.record(s, user, facts, None, self._clock.now(s))

    def record(
        self, s: Session, user: PrincipalView, facts: list[Fact], task_id: str | None, at: float
    ) -> None:
        """Record ``facts`` in the caller's write transaction ``s``, from the world time ``at`` a
        ``STEP`` apart, in the chain of the task ``task_id`` (None: of none)."""
        for n, fact in enumerate(facts):
            self._events.record(
                s,
                DEFAULT_TENANT,
                fact.action,
                fact.entity,
                user.id,
                user.name,
                service=SERVICE,
                details=json.dumps(fact.details) if fact.details else "",
                task_id=task_id,
                at=at + n * STEP,
            )
