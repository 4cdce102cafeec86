"""Blocking tasks over the world's task engine (``tasks.py``): the system administrator names the
operations (task operation names, such as ``vdcInstantiateVapp`` or ``vappDeploy``) whose tasks
wait for an extension; such a task, when it starts, is held and gets a blocking task, ``active``,
with a timeout on the world clock. An extension (a system administrator's session) then resumes,
aborts or fails it, or gives it more time; once the timeout has passed, the timeout action
(resume, abort or fail) is taken by whoever reads a task or blocking task first, so a test that
advances the clock sees it taken. Each blocking task records its own event (kind
``blockingTask``, action ``create``), which a broker hears about when notifications are on.

Settings (the ``blockingTask`` extension setting): ``operations`` (names), ``timeout_action``
and ``timeout_seconds``. Only operations whose change the task makes (a recipe) are held: until
it is resumed, their change is not made (a held power-on leaves its VMs off on every face)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid, NotFound, WrongState
from localsphere.world.events import Entity, Events
from localsphere.world.schema import BlockingTask, ExtensionSetting, Task
from localsphere.world.store import Store
from localsphere.world.tasks import ABORT, FAIL, HELD_UNTIL, RESUME, Tasks

SETTING = "blockingTask"
ACTIVE, RESUMED, ABORTED, FAILED = "active", "resumed", "aborted", "failed"
ENDS = {RESUME: RESUMED, ABORT: ABORTED, FAIL: FAILED}
ACTIONS = tuple(ENDS)
DEFAULT_TIMEOUT = 86400.0  # seconds; not from a source
MOST_OPERATIONS = 256
BLOCKING_TASK = "blockingTask"  # the kind of a blocking task's event entity


@dataclass(frozen=True)
class BlockingSettings:
    """Which task operations wait for an extension, and what happens after ``timeout_seconds``."""

    operations: tuple[str, ...] = ()
    timeout_action: str = ABORT
    timeout_seconds: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class BlockingTaskView:
    """A blocking task: its own id, the held task's id and operation name, its org, ``status``
    (active, resumed, aborted, failed), when it was made and when it times out (epoch seconds),
    what happens then, and the message of the action that ended it."""

    id: str
    task_id: str
    operation_name: str
    tenant: str
    status: str
    created_at: float
    timeout_at: float
    timeout_action: str
    message: str


def _view(row: BlockingTask) -> BlockingTaskView:
    return BlockingTaskView(
        row.id,
        row.task_id,
        row.operation_name,
        row.tenant,
        row.status,
        row.created_at,
        row.timeout_at,
        row.timeout_action,
        row.message,
    )


def _due(now: float) -> Select[tuple[BlockingTask]]:
    """The active blocking tasks to end at ``now``: timed out, or their task no longer held."""
    return (
        select(BlockingTask)
        .join(Task, Task.id == BlockingTask.task_id)
        .where(BlockingTask.status == ACTIVE, or_(BlockingTask.timeout_at <= now, Task.ends_at != HELD_UNTIL))
    )


def _settings(s: Session | Connection) -> BlockingSettings:
    value = s.execute(select(ExtensionSetting.value).where(ExtensionSetting.name == SETTING)).scalar()
    if not value:
        return BlockingSettings()
    data = json.loads(value)
    return BlockingSettings(tuple(data["operations"]), data["timeout_action"], data["timeout_seconds"])


class BlockingTasks:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks, events: Events) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks
        self._events = events
        tasks.holding(self._hold, self.settle)

    def settings(self) -> BlockingSettings:
        with self._store.query() as conn:
            return _settings(conn)

    def configure(self, given: BlockingSettings) -> BlockingSettings:
        """Replace the settings. Invalid for an unknown timeout action, a timeout that is not
        positive or too many operations."""
        if given.timeout_action not in ACTIONS:
            raise Invalid("blocking.action", f"The timeout action is one of {', '.join(ACTIONS)}.")
        if not 0 < given.timeout_seconds <= 10 * 365 * 86400:
            raise Invalid("blocking.timeout", "The timeout must be positive and at most ten years.")
        if len(given.operations) > MOST_OPERATIONS or any(not 0 < len(o) <= 64 for o in given.operations):
            raise Invalid("blocking.operations", "Name at most 256 operations of 1 to 64 characters.")
        value = json.dumps(
            {
                "operations": sorted(set(given.operations)),
                "timeout_action": given.timeout_action,
                "timeout_seconds": given.timeout_seconds,
            }
        )
        with self._store.write() as s:
            row = s.get(ExtensionSetting, SETTING)
            if row is None:
                s.add(ExtensionSetting(name=SETTING, value=value))
            else:
                row.value = value
            return _settings(s)

    def _hold(self, s: Session, task_id: str, tenant: str, operation_name: str, now: float) -> bool:
        chosen = _settings(s)
        if operation_name not in chosen.operations:
            return False
        blocking_id = str(uuid.uuid4())
        s.add(
            BlockingTask(
                id=blocking_id,
                task_id=task_id,
                tenant=tenant,
                operation_name=operation_name,
                status=ACTIVE,
                created_at=now,
                timeout_at=now + chosen.timeout_seconds,
                timeout_action=chosen.timeout_action,
                message="",
            )
        )
        task = s.get(Task, task_id)
        assert task is not None
        self._events.record(
            s,
            tenant,
            "create",
            Entity(BLOCKING_TASK, blocking_id, operation_name),
            task.user_id,
            task.user_name,
            task_id=task_id,
            at=now,
        )
        return True

    def active(self, most: int) -> list[BlockingTaskView]:
        """The active blocking tasks, oldest first, at most ``most``."""
        self.settle()
        with self._store.write() as s:
            rows = s.scalars(
                select(BlockingTask)
                .where(BlockingTask.status == ACTIVE)
                .order_by(BlockingTask.created_at, BlockingTask.id)
                .limit(most)
            ).all()
            return [_view(r) for r in rows]

    def get(self, blocking_id: str) -> BlockingTaskView:
        """A blocking task; NotFound when there is none."""
        self.settle()
        with self._store.write() as s:
            row = s.get(BlockingTask, blocking_id)
            if row is None:
                raise NotFound("blocking_task.not_found", f"No blocking task {blocking_id}.", blocking_id)
            return _view(row)

    def act(self, blocking_id: str, action: str, message: str) -> BlockingTaskView:
        """Resume, abort or fail an active blocking task (its task's change is made and it goes
        on, or it ends with its change never made), saying ``message``. WrongState when it is no
        longer active, unless it already ended the way asked (the product's abort of an aborted
        request succeeds)."""
        if action not in ACTIONS:
            raise Invalid("blocking.action", f"The action is one of {', '.join(ACTIONS)}.")
        self.settle()
        with self._store.write() as s:
            row = self._locked(s, blocking_id)
            if row.status == ENDS[action]:
                return _view(row)
            if row.status != ACTIVE:
                raise WrongState(
                    "blocking_task.ended",
                    f"The blocking task is {row.status}, no longer active.",
                    blocking_id,
                )
            self._end(s, row, action, message)
            return _view(row)

    def extend(self, blocking_id: str, message: str, timeout_seconds: float) -> BlockingTaskView:
        """Give an active blocking task ``timeout_seconds`` more from now (``updateProgress``)."""
        if not 0 < timeout_seconds <= 10 * 365 * 86400:
            raise Invalid("blocking.timeout", "The timeout must be positive and at most ten years.")
        self.settle()
        with self._store.write() as s:
            row = self._locked(s, blocking_id)
            if row.status != ACTIVE:
                raise WrongState(
                    "blocking_task.ended",
                    f"The blocking task is {row.status}, no longer active.",
                    blocking_id,
                )
            row.timeout_at = self._clock.now(s) + timeout_seconds
            row.message = message
            return _view(row)

    def settle(self) -> None:
        """Take the timeout action of every active blocking task whose timeout has passed, and
        end (aborted) those whose task was cancelled meanwhile."""
        with self._store.query() as conn:
            now = self._clock.now(conn)
            due = conn.execute(_due(now).with_only_columns(BlockingTask.id).limit(1)).first()
        if due is None:
            return
        with self._store.write() as s:
            now = self._clock.now(s)
            for row in s.scalars(_due(now).with_for_update(of=BlockingTask)).all():
                self._end(s, row, row.timeout_action, "The blocking task timed out.")

    def _locked(self, s: Session, blocking_id: str) -> BlockingTask:
        row = s.scalars(select(BlockingTask).where(BlockingTask.id == blocking_id).with_for_update()).first()
        if row is None:
            raise NotFound("blocking_task.not_found", f"No blocking task {blocking_id}.", blocking_id)
        return row

    def _end(self, s: Session, row: BlockingTask, action: str, message: str) -> None:
        try:
            self._tasks.release(s, row.task_id, action, message)
        except WrongState:  # the task was cancelled meanwhile: the blocking task ends with it
            action, message = ABORT, "The task was cancelled."
        s.execute(
            update(BlockingTask).where(BlockingTask.id == row.id).values(status=ENDS[action], message=message)
        )
        s.refresh(row)
