"""Tasks: every long operation of any face is one. Its change to the world is made, in the same
transaction, when it starts (so every face sees one world at every instant); the task then runs
on the world clock: ``queued`` for its first quarter, ``running`` with a growing ``progress``
until ``ends_at``, and then its end state (``success``, ``error`` or ``aborted``). Nothing moves
a task on but the clock: a test that freezes it and advances it finishes a task exactly.

How long a task takes is the policy's ``task_seconds`` (0: done as soon as it starts). While it
runs, the objects it changes are busy (``Busy`` for another operation on them). A task that has
not ended may be cancelled when its change can be taken back: the service that started it gave
a recipe (``undo``, JSON) that the handler it registered (``on_cancel``) applies, in the
transaction that ends the task ``aborted``; any other is not cancellable (WrongState).

A task started ``held`` (an upload) is not on the clock: it runs, with the progress its work
reports (``report``), until its work ends it (``finish``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from localsphere.world.clock import Clock
from localsphere.world.errors import NotFound, WrongState
from localsphere.world.identity import PrincipalView
from localsphere.world.policy import Policies
from localsphere.world.schema import Task
from localsphere.world.store import Store

QUEUED, RUNNING, SUCCESS, ERROR, ABORTED = "queued", "running", "success", "error", "aborted"
ENDED = frozenset({SUCCESS, ERROR, ABORTED})
HELD_UNTIL = 1e15  # the end of a held task until its work ends it: past any world time
VCD_SERVICE = "com.vmware.cloud"  # vCloud Director's own tasks' ``serviceNamespace``
COLUMNS = (
    Task.id,
    Task.tenant,
    Task.operation_name,
    Task.operation,
    Task.service,
    Task.owner_kind,
    Task.owner_id,
    Task.owner_name,
    Task.user_id,
    Task.user_name,
    Task.status,
    Task.details,
    Task.undo,
    Task.started_at,
    Task.ends_at,
    Task.progress,
)


@dataclass(frozen=True)
class TaskView:
    """A task as it stands at ``now`` (epoch seconds, world time): ``status`` one of queued,
    running, success, error, aborted; ``progress`` 0-100; ``ended_at`` None until it ends."""

    id: str
    tenant: str
    operation_name: str  # the product's name of the operation (vCD: ``vappDeploy``)
    operation: str  # what it does, in words
    service: str
    owner_kind: str
    owner_id: str
    owner_name: str
    user_id: str | None
    user_name: str
    status: str
    progress: int
    details: str  # why it failed, for an ``error`` task
    started_at: float
    ended_at: float | None
    cancellable: bool  # while it runs: its change can be taken back

    @staticmethod
    def at(row: Any, now: float) -> TaskView:
        """The view of a ``COLUMNS`` row at the world time ``now``."""
        ends_at, started_at = row.ends_at, row.started_at
        if now >= ends_at:
            status, progress, ended = row.status, 100, ends_at
        elif row.progress is not None:  # held: as far as its work says
            status, progress, ended = RUNNING, row.progress, None
        else:
            span = ends_at - started_at
            status = QUEUED if now < started_at + span / 4 else RUNNING
            progress, ended = (0 if status == QUEUED else min(99, int(100 * (now - started_at) / span))), None
        return TaskView(
            row.id,
            row.tenant,
            row.operation_name,
            row.operation,
            row.service,
            row.owner_kind,
            row.owner_id,
            row.owner_name,
            row.user_id,
            row.user_name,
            status,
            progress,
            row.details,
            started_at,
            ended,
            ended is None and bool(row.undo),
        )


def status_at(now: float) -> ColumnElement[str]:
    """A task's status at the world time ``now`` as SQL, for filters and ordering."""
    return case(
        (Task.ends_at <= literal(now), Task.status),
        (Task.progress.is_not(None), literal(RUNNING)),
        (Task.started_at + (Task.ends_at - Task.started_at) / 4 > literal(now), literal(QUEUED)),
        else_=literal(RUNNING),
    )


class Busy(WrongState):
    """An object another task is still changing (vCD's BUSY_ENTITY)."""


Undo = Callable[[Session, dict[str, Any]], None]


@dataclass(frozen=True)
class Owner:
    """The object a task changes: its kind in the face's words (``vApp``), id and name."""

    kind: str
    id: str
    name: str


class Tasks:
    def __init__(self, store: Store, clock: Clock, policies: Policies) -> None:
        self._store = store
        self._clock = clock
        self._policies = policies
        self._undoers: dict[str, Undo] = {}

    def on_cancel(self, kind: str, undo: Undo) -> None:
        """``undo(s, recipe)`` takes back the change of a cancelled task whose recipe names
        ``kind`` (``{"kind": kind, ...}``)."""
        self._undoers[kind] = undo

    def check_idle(self, s: Session, owners: list[str], names: dict[str, str] | None = None) -> None:
        """Busy when a task that has not ended changes one of the objects ``owners`` (ids)."""
        now = self._clock.now(s)
        running = s.execute(
            select(Task.owner_id, Task.owner_name, Task.operation_name)
            .where(Task.owner_id.in_(owners), Task.ends_at > now)
            .limit(1)
        ).first()
        if running is not None:
            raise Busy(
                "entity.busy",
                f'The entity "{running.owner_name}" is busy completing an operation '
                f"{running.operation_name}.",
                running.owner_name,
            )

    def start(
        self,
        s: Session,
        tenant: str,
        operation_name: str,
        operation: str,
        owner: Owner,
        user: PrincipalView,
        service: str = VCD_SERVICE,
        undo: dict[str, Any] | None = None,
        seconds: float | None = None,
        failure: str = "",
        begins: float | None = None,
        held: bool = False,
    ) -> str:
        """Record a task in the caller's write transaction ``s``, beginning now (or at ``begins``,
        the world time the caller's change was made at); returns its id. It ends after
        ``seconds`` (None: the policy's ``task_seconds``), in success, or in error when ``failure``
        says why; ``undo``: the recipe that takes its change back if it is cancelled (None: it
        cannot be); ``held``: it runs until ``finish`` ends it."""
        now = self._clock.now(s) if begins is None else begins
        if seconds is None:
            seconds = self._policies.read(s).task_seconds
        task_id = str(uuid.uuid4())
        s.add(
            Task(
                id=task_id,
                tenant=tenant,
                operation_name=operation_name,
                operation=operation,
                service=service,
                owner_kind=owner.kind,
                owner_id=owner.id,
                owner_name=owner.name,
                user_id=user.id,
                user_name=user.name,
                status=ERROR if failure else SUCCESS,
                details=failure,
                undo=json.dumps(undo) if undo else "",
                started_at=now,
                ends_at=HELD_UNTIL if held else now + max(0, seconds),
                progress=0 if held else None,
            )
        )
        return task_id

    def report(self, s: Session, task_id: str, progress: int) -> None:
        """A held task's progress (0-99), in the caller's write transaction."""
        s.execute(
            update(Task)
            .where(Task.id == task_id, Task.progress.is_not(None))
            .values(progress=max(0, min(99, progress)))
        )

    def finish(self, s: Session, task_id: str, failure: str = "") -> None:
        """End a held task now, in success (or in error when ``failure`` says why)."""
        now = self._clock.now(s)
        s.execute(
            update(Task)
            .where(Task.id == task_id, Task.progress.is_not(None))
            .values(status=ERROR if failure else SUCCESS, details=failure, ends_at=now, progress=None)
        )

    def get(self, task_id: str, tenant: str | None) -> TaskView:
        """A task as it stands now; NotFound when there is none, or it is another tenant's
        (``tenant`` None: any tenant's)."""
        with self._store.query() as conn:
            now = self._clock.now(conn)
            query = select(*COLUMNS).where(Task.id == task_id)
            if tenant is not None:
                query = query.where(Task.tenant == tenant)
            row = conn.execute(query).first()
        if row is None:
            raise NotFound("task.not_found", f"No task with id {task_id}.", task_id)
        return TaskView.at(row, now)

    def cancel(self, task_id: str, tenant: str | None) -> TaskView:
        """Take a running task's change back and end it ``aborted`` now; WrongState when it has
        ended or its change cannot be taken back."""
        with self._store.write() as s:
            now = self._clock.now(s)
            query = select(*COLUMNS).where(Task.id == task_id).with_for_update()
            if tenant is not None:
                query = query.where(Task.tenant == tenant)
            row = s.execute(query).first()
            if row is None:
                raise NotFound("task.not_found", f"No task with id {task_id}.", task_id)
            if now >= row.ends_at:
                raise WrongState("task.ended", f"Task {task_id} has already ended.", task_id)
            recipe = json.loads(row.undo) if row.undo else None
            undo = self._undoers.get(recipe.get("kind", "")) if recipe else None
            if recipe is None or undo is None:
                raise WrongState("task.not_cancellable", f"Task {task_id} cannot be cancelled.", task_id)
            undo(s, recipe)
            s.execute(update(Task).where(Task.id == task_id).values(status=ABORTED, ends_at=now, undo=""))
            row = s.execute(select(*COLUMNS).where(Task.id == task_id)).one()
            return TaskView.at(row, now)

    def of_org(self, tenant: str, most: int) -> list[TaskView]:
        """A tenant's newest tasks, newest first, at most ``most``."""
        with self._store.query() as conn:
            now = self._clock.now(conn)
            query = (
                select(*COLUMNS)
                .where(Task.tenant == tenant)
                .order_by(Task.started_at.desc(), Task.id)
                .limit(most)
            )
            return [TaskView.at(row, now) for row in conn.execute(query)]
