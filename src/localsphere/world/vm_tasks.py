"""A VM's operations as vCenter tasks (vSphere's ``PowerOnVM_Task``, ``PowerOffVM_Task``,
``SuspendVM_Task``, ``ResetVM_Task``, ``Destroy_Task``): the privilege checked on the VM, the
change made and its task recorded in one transaction, so every face sees the change as the task
starts. Other changes (clone, reconfigure, snapshots, folders) are made by their own world
operations and recorded by ``run``, all of one task's in one transaction, with what each did for
the event log (``facts.Fact``) in its task's chain. A change the VM's state does not allow is not
made: its task ends in error, and the task's ``details`` start with the error's reason
(``vm.power.already_powered_on: ...``, ``vm.powered_on: ...``), which the face words in its
product's terms."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from localsphere.world.access import Caller
from localsphere.world.clock import Clock
from localsphere.world.errors import AlreadyInState, Conflict, Invalid, WrongState
from localsphere.world.events import Entity, Events
from localsphere.world.facts import CREATED, REMOVED, SERVICE, STEP, Fact, Facts, fact_of
from localsphere.world.identity import PrincipalView
from localsphere.world.inventory import POWERED_OFF, VM, authorize, remove_vm, row_of, set_power
from localsphere.world.schema import Task
from localsphere.world.store import Store
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.tenants import DEFAULT_TENANT

OPERATIONS = {"start": "power on", "stop": "power off", "suspend": "suspend", "reset": "reset"}
# vSphere's names of the power operations, the action of the event a change made without a task
# records (vCenter's REST power calls)
POWER_ACTIONS = {
    "start": "PowerOnVM_Task",
    "stop": "PowerOffVM_Task",
    "suspend": "SuspendVM_Task",
    "reset": "ResetVM_Task",
}


RECENT_SECONDS = 600.0  # how long an ended task stays among the recent ones (vCenter: 10 minutes)
MOST_RECENT = 200  # the most recent tasks listed


class VmTasks:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks, events: Events, facts: Facts) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks
        self._events = events
        self._facts = facts

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
            self._facts.record(s, user, [removed], None, self._clock.now(s))

    def created(self, user: PrincipalView, moid: str) -> None:
        """Record that ``user`` made the VM ``moid`` (vCenter's REST create: ``CREATED``, as a
        SOAP create records it)."""
        with self._store.write() as s:
            self._facts.record(s, user, [fact_of(s, CREATED, row_of(s, VM, moid))], None, self._clock.now(s))

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
            authorize(caller, row.path, privilege, moid, s)
            self._tasks.check_idle(s, [moid])
            failure, quoted = "", None
            try:
                set_power(s, moid, action)
            except (AlreadyInState, WrongState) as exc:
                failure, quoted = f"{exc.reason}: {exc.message}", exc.arguments
            return self._tasks.start(
                s,
                DEFAULT_TENANT,
                name,
                f"{OPERATIONS[action]} virtual machine {row.name}",
                Owner(VM, moid, row.name),
                caller.principal,
                SERVICE,
                failure=failure,
                result=quoted,
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
        """Make ``change`` (world operations that check the caller's privileges themselves; it
        answers the id of an object it made, or None) and record it as the vSphere task ``name``
        on ``owner``, in one transaction; returns the task's id. The world operations ``change``
        makes join that transaction, so it is made whole or not at all: when the world refuses any
        part for its state or its values (Conflict, Invalid, WrongState, AlreadyInState), nothing
        of it is made, and its task ends in error, its ``details`` ``reason: message`` and its
        ``result`` the error's arguments. NotFound and Forbidden are raised (nothing made or
        recorded): the call itself fails, as vCenter's does. A change made records, after its
        task's event and in its chain, the ``facts`` it made known (given the id of what it made)."""
        with self._store.write() as s:
            failure, result, noted = "", None, []
            try:
                with s.begin_nested():
                    made = change()
                    noted = facts(made) if facts is not None else []
                result = None if made is None else [made]
            except (Conflict, Invalid, WrongState, AlreadyInState) as exc:
                failure, result = f"{exc.reason}: {exc.message}", exc.arguments
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
            self._facts.record(s, caller.principal, noted, task_id, now + STEP)
            return task_id

    def destroy(self, caller: Caller, moid: str, privilege: str, name: str) -> str:
        """Delete the VM ``moid`` as the task ``name``, recording that it was removed
        (``REMOVED``) in the task's chain; a VM that is not powered off stays, and its task ends
        in error (``vm.powered_on``). Errors as ``start``'s."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            authorize(caller, row.path, privilege, moid, s)
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
            self._facts.record(s, caller.principal, removed, task_id, now + STEP)
            return task_id
