"""Tasks: every long operation of any face is one. Its change to the world is made, in the same
transaction, when it starts (so every face sees one world at every instant), by the operation or,
when it gives its change as a recipe (``change``, JSON), by the task; the task then runs
on the world clock: ``queued`` for its first quarter, ``running`` with a growing ``progress``
until ``ends_at``, and then its end state (``success``, ``error`` or ``aborted``). Nothing moves
a task on but the clock: a test that freezes it and advances it finishes a task exactly. A task
that failed keeps the kind of world error it failed with (``error_kind``), for the faces' codes.

How long a task takes is the policy's ``task_seconds`` (0: done as soon as it starts). While it
runs, the objects it changes are busy (``Busy`` for another operation on them). A task that has
not ended may be cancelled when its change can be taken back: the service that started it gave
a recipe (``undo``, JSON) that the handler it registered (``on_recipe``) applies, in the
transaction that ends the task ``aborted``; any other is not cancellable (WrongState).

Every task records its event (``events.py``) when it starts. A task whose operation the system
administrator made blocking (``blocking_tasks.py``, which registers its ``hold``) is held when
it starts: its change waits (the task stays ``queued``, its objects busy) until it is
``released``: resumed (the change is made then, and the task runs from then on; a change the
world refuses by then ends it in error, as if never asked), or aborted or failed (nothing is
made; what the operation reserved, such as a new vApp's name, is taken back as a cancel takes
it back). Only a task whose change is a recipe is ever held.

A task started ``reported`` (an upload) is not on the clock: it runs, with the progress its work
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
from localsphere.world.errors import Invalid, NotFound, WorldError, WrongState
from localsphere.world.events import Entity, Events
from localsphere.world.identity import PrincipalView
from localsphere.world.policy import Policies
from localsphere.world.schema import Principal, Task
from localsphere.world.store import Store

QUEUED, RUNNING, SUCCESS, ERROR, ABORTED = "queued", "running", "success", "error", "aborted"
ENDED = frozenset({SUCCESS, ERROR, ABORTED})
HELD_UNTIL = 253402300799.0  # a held task's ``ends_at`` (9999-12-31): it ends when released
RESUME, ABORT, FAIL = "resume", "abort", "fail"  # how a held task is released
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
    Task.error_kind,
    Task.change,
    Task.result,
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
    error_kind: str  # the kind of world error it failed with (``WrongState``...); "": unknown
    started_at: float
    ended_at: float | None
    cancellable: bool  # while it runs: its change can be taken back (or, held, is not made yet)
    result: list[str] | None = None  # a vSphere task's: the object it made, or its error's values

    @staticmethod
    def at(row: Any, now: float) -> TaskView:
        """The view of a ``COLUMNS`` row at the world time ``now``."""
        ends_at, started_at = row.ends_at, row.started_at
        if row.progress is not None:  # an extension service's task: as it last said
            ended = ends_at if now >= ends_at else None
            progress = 100 if ended is not None and row.status == SUCCESS else row.progress
            status = row.status
        elif now >= ends_at:
            status, progress, ended = row.status, 100, ends_at
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
            row.error_kind,
            started_at,
            ended,
            ended is None and bool(row.undo or row.change),
            json.loads(row.result) if row.result else None,
        )


def status_at(now: float) -> ColumnElement[str]:
    """A task's status at the world time ``now`` as SQL, for filters and ordering."""
    return case(
        (Task.ends_at <= literal(now), Task.status),
        (Task.progress.is_not(None), Task.status),
        (Task.started_at + (Task.ends_at - Task.started_at) / 4 > literal(now), literal(QUEUED)),
        else_=literal(RUNNING),
    )


def _check_reported(status: str, progress: int) -> None:
    if status not in (QUEUED, RUNNING, *ENDED):
        raise Invalid(
            "task.status", f"A task's status is one of queued, running, success, error, aborted: {status}."
        )
    if not 0 <= progress <= 100:
        raise Invalid("task.progress", f"A task's progress is 0 to 100: {progress}.")


class Busy(WrongState):
    """An object another task is still changing (vCD's BUSY_ENTITY)."""


Recipe = Callable[[Session, dict[str, Any]], None]
# ``hold(s, task_id, tenant, operation_name, now)``: whether a task that starts is held
Hold = Callable[[Session, str, str, str, float], bool]


@dataclass(frozen=True)
class Owner:
    """The object a task changes: its kind in the face's words (``vApp``), id and name."""

    kind: str
    id: str
    name: str


class Tasks:
    def __init__(self, store: Store, clock: Clock, policies: Policies, events: Events) -> None:
        self._store = store
        self._clock = clock
        self._policies = policies
        self._events = events
        self._recipes: dict[str, Recipe] = {}
        self._hold: Hold | None = None
        self._settle: Callable[[], None] | None = None

    def holding(self, hold: Hold, settle: Callable[[], None]) -> None:
        """``hold`` decides whether a task that starts is held; ``settle()`` runs before a task
        is read (it releases held tasks whose timeout has passed on the world clock)."""
        self._hold, self._settle = hold, settle

    def on_recipe(self, kind: str, apply: Recipe) -> None:
        """``apply(s, recipe)`` makes what a recipe naming ``kind`` (``{"kind": kind, ...}``) says:
        a task's change, or the undo that takes a cancelled task's change back. It raises a world
        error when the world refuses the change."""
        self._recipes[kind] = apply

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
        failure: str | WorldError = "",
        begins: float | None = None,
        reported: bool = False,
        change: dict[str, Any] | None = None,
        result: list[str] | None = None,
    ) -> str:
        """Record a task in the caller's write transaction ``s``, beginning now (or at ``begins``,
        the world time the caller's change was made at); returns its id. It ends after
        ``seconds`` (None: the policy's ``task_seconds``), in success, or in error when ``failure``
        says why (a world error: its message and kind); ``undo``: the recipe that takes its change
        back if it is cancelled (None: it cannot be); ``change``: the recipe of the operation's
        change, which the task makes (now, or once resumed when it is held; None: the operation
        made its change); ``reported``: it runs, as far as ``report`` says, until ``finish`` ends
        it (never held); ``result``: what a vSphere task answers with (``Task.result``). The world
        errors of ``change`` made now."""
        now = self._clock.now(s) if begins is None else begins
        if seconds is None:
            seconds = self._policies.read(s).task_seconds
        task_id = str(uuid.uuid4())
        error_kind = type(failure).__name__ if isinstance(failure, WorldError) else ""
        failure = failure.message if isinstance(failure, WorldError) else failure
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
                status=RUNNING if reported else ERROR if failure else SUCCESS,
                details=failure,
                error_kind=error_kind,
                undo=json.dumps(undo) if undo else "",
                started_at=now,
                ends_at=HELD_UNTIL if reported else now + max(0, seconds),
                progress=0 if reported else None,
                result=None if result is None else json.dumps(result),
            )
        )
        if change and not reported and self._hold is not None:
            s.flush()  # the task's row first: a blocking task refers to it
            if self._hold(s, task_id, tenant, operation_name, now):
                held = {"ends_at": HELD_UNTIL, "change": json.dumps(change)}
                s.execute(update(Task).where(Task.id == task_id).values(**held))
                return task_id
        if change:
            self._apply(s, change)
        self._record(
            s, tenant, operation_name, owner, user.id, user.name, not failure, service, failure, task_id, now
        )
        return task_id

    def _record(
        self,
        s: Session,
        tenant: str,
        action: str,
        owner: Owner,
        user_id: str | None,
        user_name: str,
        success: bool,
        service: str,
        details: str,
        task_id: str,
        now: float,
    ) -> None:
        entity = Entity(owner.kind, owner.id, owner.name)
        self._events.record(
            s, tenant, action, entity, user_id, user_name, success, service, details, task_id, now
        )

    def release(self, s: Session, task_id: str, how: str, message: str = "") -> None:
        """End a held task's wait in the caller's write transaction ``s``: ``resume`` (its change
        is made now and it runs for the policy's ``task_seconds``; when the world refuses the
        change by now, it ends in error with the world's reason and what the operation reserved is
        taken back), ``abort`` or ``fail`` (its change is not made, what the operation reserved is
        taken back, and it ends ``aborted`` or ``error`` saying ``message``); its event is recorded
        then. WrongState when the task is not held (it has ended, or was cancelled)."""
        now = self._clock.now(s)
        row = s.execute(select(*COLUMNS).where(Task.id == task_id).with_for_update()).first()
        if row is None or row.ends_at != HELD_UNTIL:
            raise WrongState("task.not_held", f"Task {task_id} is not waiting.", task_id)
        owner = Owner(row.owner_kind, row.owner_id, row.owner_name)
        refused = self._resume(s, row.change) if how == RESUME else None
        if how == RESUME and refused is None:
            seconds = self._policies.read(s).task_seconds
            s.execute(update(Task).where(Task.id == task_id).values(ends_at=now + max(0, seconds), change=""))
            success, details = row.status == SUCCESS, row.details
        else:
            if row.undo:
                self._take_back(s, task_id, row.undo)
            status = ABORTED if how == ABORT else ERROR
            details = message or ("The task was aborted." if how == ABORT else "The task failed.")
            values: dict[str, Any] = {"status": status, "details": details, "ends_at": now, "change": ""}
            if refused is not None:
                values |= {"details": refused.message, "error_kind": type(refused).__name__}
                details = refused.message
            s.execute(update(Task).where(Task.id == task_id).values(**values))
            success = False
        self._record(
            s,
            row.tenant,
            row.operation_name,
            owner,
            row.user_id,
            row.user_name,
            success,
            row.service,
            details,
            task_id,
            now,
        )

    def _resume(self, s: Session, change_text: str) -> WorldError | None:
        """Make a held task's change, in a savepoint of ``s``; the world error that refused it
        (the savepoint rolled back) or None."""
        try:
            with s.begin_nested():
                self._apply(s, json.loads(change_text))
        except WorldError as refused:
            return refused
        return None

    def _apply(self, s: Session, recipe: dict[str, Any]) -> None:
        apply = self._recipes.get(recipe.get("kind", ""))
        if apply is None:
            raise WrongState("task.recipe", f"No one makes changes of kind {recipe.get('kind')}.")
        apply(s, recipe)

    def _take_back(self, s: Session, task_id: str, undo_text: str) -> None:
        recipe = json.loads(undo_text) if undo_text else None
        undo = self._recipes.get(recipe.get("kind", "")) if recipe else None
        if recipe is None or undo is None:
            raise WrongState("task.not_cancellable", f"Task {task_id} cannot be cancelled.", task_id)
        undo(s, recipe)

    def post(
        self,
        tenant: str,
        operation_name: str,
        operation: str,
        owner: Owner,
        user_id: str | None,
        user_name: str,
        service: str,
        status: str,
        progress: int,
        details: str = "",
    ) -> str:
        """An extension service's own task in an org's list (vCD's ``POST /api/tasksList/{org}``),
        as the service says it stands (``status`` queued or running; ``progress`` 0-100): it
        changes nothing in the world and moves only as the service ``update``s it. Its event is
        recorded. ``user_id``: the user it is for, kept when the world knows one of that id (the
        name alone otherwise). Returns its id."""
        _check_reported(status, progress)
        with self._store.write() as s:
            now = self._clock.now(s)
            if user_id is not None and s.get(Principal, user_id) is None:
                user_id = None
            task_id = str(uuid.uuid4())
            ended = status in ENDED
            s.add(
                Task(
                    id=task_id,
                    tenant=tenant,
                    operation_name=operation_name[:64],
                    operation=operation,
                    service=service[:64],
                    owner_kind=owner.kind,
                    owner_id=owner.id,
                    owner_name=owner.name[:255],
                    user_id=user_id,
                    user_name=user_name[:255],
                    status=status,
                    details=details,
                    undo="",
                    started_at=now,
                    ends_at=now if ended else HELD_UNTIL,
                    progress=progress,
                )
            )
            s.flush()
            self._record(
                s,
                tenant,
                operation_name,
                owner,
                user_id,
                user_name,
                status != ERROR,
                service,
                details,
                task_id,
                now,
            )
            return task_id

    def update(self, task_id: str, status: str, progress: int | None, details: str | None) -> None:
        """An extension service reports how its task stands (vCD's ``PUT /api/task/{id}``); ended
        (success, error, aborted) it ends now. NotFound for no task; WrongState for a task of the
        world's own or one that has ended."""
        _check_reported(status, progress if progress is not None else 0)
        with self._store.write() as s:
            now = self._clock.now(s)
            row = s.execute(select(*COLUMNS).where(Task.id == task_id).with_for_update()).first()
            if row is None:
                raise NotFound("task.not_found", f"No task with id {task_id}.", task_id)
            if row.progress is None:
                raise WrongState(
                    "task.not_external", f"Task {task_id} is not an extension's to update.", task_id
                )
            if now >= row.ends_at:
                raise WrongState("task.ended", f"Task {task_id} has already ended.", task_id)
            values: dict[str, Any] = {"status": status}
            if progress is not None:
                values["progress"] = progress
            if details is not None:
                values["details"] = details
            if status in ENDED:
                values["ends_at"] = now
            s.execute(update(Task).where(Task.id == task_id).values(**values))

    def report(self, s: Session, task_id: str, progress: int) -> None:
        """A reported task's progress (0-99), in the caller's write transaction."""
        s.execute(
            update(Task)
            .where(Task.id == task_id, Task.progress.is_not(None))
            .values(progress=max(0, min(99, progress)))
        )

    def finish(self, s: Session, task_id: str, failure: str = "") -> None:
        """End a reported task now, in success (or in error when ``failure`` says why)."""
        now = self._clock.now(s)
        s.execute(
            update(Task)
            .where(Task.id == task_id, Task.progress.is_not(None))
            .values(status=ERROR if failure else SUCCESS, details=failure, ends_at=now, progress=None)
        )

    def get(self, task_id: str, tenant: str | None) -> TaskView:
        """A task as it stands now; NotFound when there is none, or it is another tenant's
        (``tenant`` None: any tenant's)."""
        if self._settle is not None:
            self._settle()
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
        """Take a running task's change back (a held one's change is not made; what its operation
        reserved is taken back) and end it ``aborted`` now; WrongState when it has ended or its
        change cannot be taken back."""
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
            if row.undo or not row.change:
                self._take_back(s, task_id, row.undo)
            values = {"status": ABORTED, "ends_at": now, "undo": "", "change": ""}
            s.execute(update(Task).where(Task.id == task_id).values(**values))
            row = s.execute(select(*COLUMNS).where(Task.id == task_id)).one()
            return TaskView.at(row, now)

    def of_org(self, tenant: str, most: int) -> list[TaskView]:
        """A tenant's newest tasks, newest first, at most ``most``."""
        if self._settle is not None:
            self._settle()
        with self._store.query() as conn:
            now = self._clock.now(conn)
            query = (
                select(*COLUMNS)
                .where(Task.tenant == tenant)
                .order_by(Task.started_at.desc(), Task.id)
                .limit(most)
            )
            return [TaskView.at(row, now) for row in conn.execute(query)]
