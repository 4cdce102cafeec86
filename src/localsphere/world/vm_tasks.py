"""A VM's operations as vCenter tasks (vSphere's ``PowerOnVM_Task``, ``PowerOffVM_Task``,
``SuspendVM_Task``, ``ResetVM_Task``, ``Destroy_Task``): the privilege checked on the VM, the
change made and its task recorded in one transaction, so every face sees the change as the task
starts. Other changes (clone, reconfigure, snapshots, folders) are made by their own world
operations and recorded by ``run``. A change the VM's state does not allow is not made: its task
ends in error, and the task's ``details`` start with the error's reason
(``vm.power.already_powered_on: ...``, ``vm.powered_on: ...``), which the face words in its
product's terms."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsphere.world.access import Caller
from localsphere.world.clock import Clock
from localsphere.world.errors import AlreadyInState, Conflict, Invalid, NotFound, WrongState
from localsphere.world.events import Entity, Events
from localsphere.world.identity import PrincipalView
from localsphere.world.inventory import POWERED_OFF, VM, authorize, remove_vm, row_of, set_power
from localsphere.world.schema import ManagedObject, Task
from localsphere.world.store import Store
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.tenants import DEFAULT_TENANT

SERVICE = "vim"  # the tasks' ``service``: vSphere's
OPERATIONS = {"start": "power on", "stop": "power off", "suspend": "suspend", "reset": "reset"}
# vSphere's names of the power operations, the action of the event a change made without a task
# records (vCenter's REST power calls)
POWER_ACTIONS = {
    "start": "PowerOnVM_Task",
    "stop": "PowerOffVM_Task",
    "suspend": "SuspendVM_Task",
    "reset": "ResetVM_Task",
}


# the world's words for what an operation did that a product's event log tells beside its task's
# own event (``Fact``), by a SOAP task or a REST call alike
CREATING, CREATED, REMOVED = "vm.creating", "vm.created", "vm.removed"
CLONING, CLONED = "vm.cloning", "vm.cloned"
RENAMED, RECONFIGURED = "vm.renamed", "vm.reconfigured"
RELOCATING, RELOCATED = "vm.relocating", "vm.relocated"
GUEST_SHUTDOWN, GUEST_REBOOT, GUEST_STANDBY = "vm.guest.shutdown", "vm.guest.reboot", "vm.guest.standby"
DATACENTER_CREATED = "datacenter.created"
POOL_CREATED, POOL_DESTROYED = "resource_pool.created", "resource_pool.destroyed"
HOST_REMOVED, CLUSTER_DESTROYED, DATASTORE_DESTROYED = (
    "host.removed",
    "cluster.destroyed",
    "datastore.destroyed",
)
FACTS = (
    CREATING,
    CREATED,
    REMOVED,
    CLONING,
    CLONED,
    RENAMED,
    RECONFIGURED,
    RELOCATING,
    RELOCATED,
    GUEST_SHUTDOWN,
    GUEST_REBOOT,
    GUEST_STANDBY,
    DATACENTER_CREATED,
    POOL_CREATED,
    POOL_DESTROYED,
    HOST_REMOVED,
    CLUSTER_DESTROYED,
    DATASTORE_DESTROYED,
)
PLACES = ("host", "cluster", "datacenter", "folder")  # the columns of the places a fact names
STEP = 0.001  # world seconds between the events of one operation, so they read in their order
RECENT_SECONDS = 600.0  # how long an ended task stays among the recent ones (vCenter: 10 minutes)
MOST_RECENT = 200  # the most recent tasks listed


@dataclass(frozen=True)
class Fact:
    """What an operation did, for the event log: ``action`` (one of ``FACTS``), the entity it is
    about, and what a product's event tells of it that the inventory may no longer hold
    (``details``, JSON-able: ``where`` the entity stood, names and ids as they were)."""

    action: str
    entity: Entity
    details: dict[str, Any] = field(default_factory=dict)


def where_of(s: Session, row: ManagedObject) -> dict[str, list[str]]:
    """Where an inventory object stands: its host, cluster, datacenter, folder and (a VM's) home
    datastore, each ``[moid, name]``."""
    moids = {role: moid for role in PLACES if (moid := getattr(row, role))}
    home = json.loads(row.details or "{}").get("datastore")
    if home:
        moids["datastore"] = home
    query = select(ManagedObject.moid, ManagedObject.name).where(
        ManagedObject.moid.in_(sorted(set(moids.values())))
    )
    names = {moid: name for moid, name in s.execute(query)}
    return {role: [moid, names[moid]] for role, moid in moids.items() if moid in names}


def fact_of(s: Session, action: str, row: ManagedObject, **details: Any) -> Fact:
    """The fact ``action`` about the object of ``row`` where it stands now, with ``details``."""
    return Fact(action, Entity(row.kind, row.moid, row.name), {"where": where_of(s, row), **details})


class VmTasks:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks, events: Events) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks
        self._events = events

    def power(self, user: PrincipalView, moid: str, action: str) -> None:
        """``start``, ``stop``, ``suspend`` or ``reset`` the VM ``moid`` at once, by ``user``
        (vCenter's REST power calls), and record its event; the errors of
        ``inventory.set_power``, nothing changed or recorded then."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            set_power(s, moid, action)
            entity = Entity(VM, moid, row.name)
            self._events.record(
                s, DEFAULT_TENANT, POWER_ACTIONS[action], entity, user.id, user.name, service=SERVICE
            )

    def delete(self, user: PrincipalView, moid: str) -> None:
        """Delete the VM ``moid`` at once, by ``user`` (vCenter's REST delete), and record that it
        was removed (``REMOVED``, as a SOAP destroy does); WrongState (``vm.powered_on``) unless it
        is powered off, nothing changed or recorded then."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            removed = fact_of(s, REMOVED, row)
            remove_vm(s, row)
            self._note(s, user, [removed], None, self._clock.now(s))

    def created(self, user: PrincipalView, moid: str) -> None:
        """Record that ``user`` made the VM ``moid`` (vCenter's REST create: ``CREATED``, as a
        SOAP create records it)."""
        with self._store.write() as s:
            self._note(s, user, [fact_of(s, CREATED, row_of(s, VM, moid))], None, self._clock.now(s))

    def fact(self, action: str, moid: str, **details: Any) -> Fact:
        """The fact ``action`` about the inventory object ``moid`` where it stands now, with
        ``details``; NotFound when there is no such object."""
        with self._store.read() as s:
            row = s.scalars(select(ManagedObject).where(ManagedObject.moid == moid)).first()
            if row is None:
                raise NotFound("object.not_found", f"Object with identifier '{moid}' does not exist", moid)
            return fact_of(s, action, row, **details)

    def where(self, moid: str) -> dict[str, list[str]]:
        """Where the inventory object ``moid`` stands now (``where_of``); NotFound as ``fact``'s."""
        where: dict[str, list[str]] = self.fact("", moid).details["where"]
        return where

    def recent(self) -> list[tuple[str, str]]:
        """The vSphere tasks queued, running or ended in the last ``RECENT_SECONDS`` (world time),
        newest first, at most ``MOST_RECENT``: each task's id and the id of the object it changes."""
        with self._store.query() as conn:
            now = self._clock.now(conn)
            rows = conn.execute(
                select(Task.id, Task.owner_id)
                .where(Task.service == SERVICE, Task.ends_at >= now - RECENT_SECONDS)
                .order_by(Task.started_at.desc(), Task.id)
                .limit(MOST_RECENT)
            )
            return [(row.id, row.owner_id) for row in rows]

    def start(self, caller: Caller, moid: str, action: str, privilege: str, name: str) -> str:
        """Start ``action`` (start, stop, suspend or reset) on the VM ``moid`` as the task
        ``name`` (the product's name of the operation); returns the task's id. NotFound when the
        VM does not exist or ``caller`` may not see it, Forbidden without ``privilege`` on it,
        Busy while another task changes it."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            authorize(caller, row.path, privilege, moid)
            self._tasks.check_idle(s, [moid])
            try:
                set_power(s, moid, action)
                failure = ""
            except (AlreadyInState, WrongState) as exc:
                failure = f"{exc.reason}: {exc.message}"
            return self._tasks.start(
                s,
                DEFAULT_TENANT,
                name,
                f"{OPERATIONS[action]} virtual machine {row.name}",
                Owner(VM, moid, row.name),
                caller.principal,
                SERVICE,
                failure=failure,
            )

    def run(
        self,
        caller: Caller,
        owner: Owner,
        name: str,
        operation: str,
        change: Callable[[], str | None],
        facts: Callable[[str | None], list[Fact]] | None = None,
    ) -> str:
        """Make ``change`` (a world operation that checks the caller's privileges itself; it
        answers the id of an object it made, or None) and record it as the vSphere task ``name``
        on ``owner``; returns the task's id. A change the world refuses for its state or its
        values (Conflict, Invalid, WrongState, AlreadyInState) is not made: its task ends in
        error, its ``details`` ``reason: message`` and its ``result`` the error's arguments.
        NotFound and Forbidden are raised: the call itself fails, as vCenter's does. A change
        made records, after its task's event and in its chain, the ``facts`` it made known
        (given the id of what it made)."""
        failure, result, noted = "", None, []
        try:
            made = change()
            result = None if made is None else [made]
            noted = facts(made) if facts is not None else []
        except (Conflict, Invalid, WrongState, AlreadyInState) as exc:
            failure, result = f"{exc.reason}: {exc.message}", exc.arguments
        with self._store.write() as s:
            now = self._clock.now(s)
            task_id = self._tasks.start(
                s,
                DEFAULT_TENANT,
                name,
                operation,
                owner,
                caller.principal,
                SERVICE,
                failure=failure,
                begins=now,
                result=result,
            )
            self._note(s, caller.principal, noted, task_id, now + STEP)
            return task_id

    def note(self, user: PrincipalView, facts: list[Fact]) -> None:
        """Record what an operation made without a task did (``facts``), by ``user``, in order."""
        with self._store.write() as s:
            self._note(s, user, facts, None, self._clock.now(s))

    def _note(
        self, s: Session, user: PrincipalView, facts: list[Fact], task_id: str | None, at: float
    ) -> None:
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

    def destroy(self, caller: Caller, moid: str, privilege: str, name: str) -> str:
        """Delete the VM ``moid`` as the task ``name``, recording that it was removed
        (``REMOVED``) in the task's chain; a VM that is not powered off stays, and its task ends
        in error (``vm.powered_on``). Errors as ``start``'s."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            authorize(caller, row.path, privilege, moid)
            self._tasks.check_idle(s, [moid])
            failure, removed = "", []
            if row.power_state != POWERED_OFF:
                state = (row.power_state or "").lower()
                failure = f"vm.powered_on: Virtual machine {moid} is {state}; it must be powered off"
            else:
                removed = [fact_of(s, REMOVED, row)]
                remove_vm(s, row)
            now = self._clock.now(s)
            task_id = self._tasks.start(
                s,
                DEFAULT_TENANT,
                name,
                f"delete virtual machine {row.name}",
                Owner(VM, moid, row.name),
                caller.principal,
                SERVICE,
                failure=failure,
                begins=now,
            )
            self._note(s, caller.principal, removed, task_id, now + STEP)
            return task_id
