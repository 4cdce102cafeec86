"""Virtual machine power methods (``PowerOnVM_Task``, ``PowerOffVM_Task``, ``SuspendVM_Task``,
``ResetVM_Task``), each answered by a ``Task`` of the world's task engine, and the ``Task``
managed object whose ``info`` (``TaskInfo``) says how it stands: ``name`` the method, its
``descriptionId``, ``state``, ``progress``, ``error`` (``InvalidPowerState`` for a change the
VM's state did not allow), ``reason`` (the user), times. The privilege each method needs is the
one pyVmomi's method table declares for it (``VirtualMachine.Interact.PowerOff``, ...), checked
by the world on the VM."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim, vmodl

from localsphere.faces.vim import faults, inventory
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.service_instance import TASK_MANAGER
from localsphere.faces.vim.soap import VIM_NS, MoRef
from localsphere.world.errors import NotFound
from localsphere.world.facts import Fact
from localsphere.world.inventory import ObjectView
from localsphere.world.tasks import ABORTED, ERROR, QUEUED, RUNNING, SUCCESS, Owner, TaskView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

TASK = "Task"
PREFIX = "task-"
STATE = vim.TaskInfo.State
POWER = vim.VirtualMachine.PowerState
# method -> (the world's power action, TaskInfo.descriptionId, the power state it asks for)
POWER_METHODS = {
    "PowerOnVM_Task": ("start", "VirtualMachine.powerOn", POWER.poweredOn),
    "PowerOffVM_Task": ("stop", "VirtualMachine.powerOff", POWER.poweredOff),
    "SuspendVM_Task": ("suspend", "VirtualMachine.suspend", POWER.suspended),
    "ResetVM_Task": ("reset", "VirtualMachine.reset", POWER.poweredOn),
}
DESTROY, DELETE = "Destroy_Task", "VirtualMachine.Inventory.Delete"  # pyVmomi declares no privilege
STATES = {
    QUEUED: STATE.queued,
    RUNNING: STATE.running,
    SUCCESS: STATE.success,
    ERROR: STATE.error,
    ABORTED: STATE.error,
}
DESCRIPTIONS = {
    **{name: d for name, (_, d, _) in POWER_METHODS.items()},
    "CreateVM_Task": "Folder.createVm",
    "RevertToSnapshot_Task": "vm.Snapshot.revert",
    "RemoveSnapshot_Task": "vm.Snapshot.remove",
    "SearchDatastore_Task": "host.DatastoreBrowser.search",
    "SearchDatastoreSubFolders_Task": "host.DatastoreBrowser.searchSubFolders",
}
# the end of a world power error's reason -> the state the VM was in
EXISTING = (
    ("powered_on", POWER.poweredOn),
    ("powered_off", POWER.poweredOff),
    ("suspended", POWER.suspended),
)
WORDS = {POWER.poweredOn: "Powered on", POWER.poweredOff: "Powered off", POWER.suspended: "Suspended"}


def _time(epoch: float | None) -> datetime.datetime | None:
    return None if epoch is None else datetime.datetime.fromtimestamp(epoch, datetime.UTC)


def _error(task: TaskView) -> Any:
    """The fault of a task that ended in error."""
    if task.status == ABORTED:
        return vmodl.fault.RequestCanceled()
    reason = task.details.partition(":")[0]
    existing = next((state for end, state in EXISTING if reason.endswith(end)), None)
    if reason == "vm.powered_on":
        fault = vim.fault.InvalidPowerState(existingState=POWER.poweredOn, requestedState=POWER.poweredOff)
        fault.msg = "The attempted operation cannot be performed in the current state (Powered on)."
        return fault
    if reason.startswith("vm.power.") and existing is not None:
        requested = POWER_METHODS.get(task.operation_name, (None, None, None))[2]
        fault = vim.fault.InvalidPowerState(existingState=existing, requestedState=requested)
        fault.msg = f"The attempted operation cannot be performed in the current state ({WORDS[existing]})."
        return fault
    reason, _, message = task.details.partition(": ")
    found = faults.from_reason(reason, message or task.details, task.result or [])
    fault = found.value
    fault.msg = found.message
    return fault


def _method(name: str) -> Any:
    """pyVmomi's method of a task's operation name, or None for a name vim25 has not."""
    try:
        return VmomiSupport.GetWsdlMethod(VIM_NS, name)
    except KeyError:
        return None


def _description(task: TaskView, method: Any) -> str:
    """vCenter's ``descriptionId``: the receiver's type and the method (``Folder.createVm``)."""
    if task.operation_name in DESCRIPTIONS:
        return DESCRIPTIONS[task.operation_name]
    if method is None:
        return task.operation_name
    short = method.info.name
    return f"{task.owner_kind}.{short[0].lower()}{short[1:]}"


def task_info(task: TaskView, chain: int = 0) -> Any:
    """The ``TaskInfo`` of ``task``; ``eventChainId``: ``chain``, the chain of its events (the key
    of its own ``TaskEvent``, ``EventHistory.chains``)."""
    moid = PREFIX + task.id
    method = _method(task.operation_name)
    ended = task.ended_at is not None
    made = task.result[0] if task.status == SUCCESS and task.result else None
    kind = getattr(vim, task.owner_kind, None)  # None: another product's object (a vCD vApp)
    return vim.TaskInfo(
        key=moid,
        task=vim.Task(moid),
        name=method,
        descriptionId=_description(task, method),
        entity=None if kind is None else kind(task.owner_id),
        entityName=task.owner_name,
        result=None if made is None else _result(task.operation_name, made),
        state=STATES[task.status],
        cancelled=task.status == ABORTED,
        cancelable=task.cancellable,
        error=_error(task) if ended and task.status in (ERROR, ABORTED) else None,
        progress=None if ended or task.status != RUNNING else task.progress,
        reason=vim.TaskReasonUser(userName=task.user_name),
        queueTime=_time(task.started_at),
        startTime=_time(task.started_at),
        completeTime=_time(task.ended_at),
        eventChainId=chain,
    )


SEARCHES = ("SearchDatastore_Task", "SearchDatastoreSubFolders_Task")  # tasks whose result is data


def _result(operation: str, made: str) -> Any:
    """A successful task's ``result``: the object it made, or a datastore search's answer."""
    if operation in SEARCHES:
        from localsphere.faces.vim.datastore_browser import search_results  # which runs those tasks

        return search_results(operation, made)
    return inventory.ref(made)


def methods() -> list[Method]:
    def power(name: str) -> Any:
        action = POWER_METHODS[name][0]
        privilege = VmomiSupport.GetWsdlMethod(VIM_NS, name).info.privId

        def run(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
            caller = context.signed_in.caller
            task_id = context.world.vm_tasks.start(caller, this.value, action, privilege, name)
            return vim.Task(PREFIX + task_id)

        return run

    receivers = frozenset({"VirtualMachine"})
    return [
        *(Method(name, power(name), receivers, write=True) for name in POWER_METHODS),
    ]


def destroy_vm(context: Context, this: MoRef) -> Any:
    """``Destroy_Task`` of a VM: InvalidPowerState (in the task) unless it is powered off."""
    caller = context.signed_in.caller
    return vim.Task(PREFIX + context.world.vm_tasks.destroy(caller, this.value, DELETE, DESTROY))


def entity(context: Context, this: MoRef) -> ObjectView:
    """The inventory object ``this`` names, as the caller sees it; ManagedObjectNotFound else."""
    found = context.world.inventory_graph.objects([this.value], inventory.sight(context)).get(this.value)
    if found is None or found.kind != this.type:
        raise faults.not_found(this)
    return found


def run_task(
    context: Context,
    owner: Owner,
    name: str,
    operation: str,
    change: Callable[[], str | None],
    facts: Callable[[str | None], list[Fact]] | None = None,
) -> Any:
    """A ``Task`` for a change the world makes now (``VmTasks.run``): the method ``name`` on
    ``owner``, ``operation`` in words; ``change`` answers the id of an object it made, or None;
    ``facts``, of that id, what the change made known for the event log (``Facts.fact``)."""
    caller = context.signed_in.caller
    return vim.Task(PREFIX + context.world.vm_tasks.run(caller, owner, name, operation, change, facts))


def family() -> Family:
    """The ``info`` of tasks the caller started or whose object it sees (or that is gone), and
    the TaskManager's ``recentTask``: the tasks of the last ten minutes on objects it sees."""

    def read(context: Context, kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        if kind == TASK_MANAGER:
            if TASK_MANAGER not in moids:
                return {}
            return {TASK_MANAGER: {"recentTask": recent(context)} if "recentTask" in paths else {}}
        listed: dict[str, TaskView] = {}
        for moid in moids:
            if not moid.startswith(PREFIX):
                continue
            try:
                listed[moid] = context.world.tasks.get(moid.removeprefix(PREFIX), None)
            except NotFound:
                continue
        # a task is seen by whoever started it or sees its object; another's task on an object the
        # caller may not see is not there for it, as the object is not (one gone since: it is)
        hidden = _hidden(context, {t.owner_id for t in listed.values()})
        me = context.signed_in.caller.principal.id
        shown = {moid: t for moid, t in listed.items() if t.user_id == me or t.owner_id not in hidden}
        chains = context.world.event_history.chains([t.id for t in shown.values()]) if shown else {}
        found: dict[str, dict[str, Any]] = {}
        for moid, task in shown.items():
            info = task_info(task, chains.get(task.id, 0))
            found[moid] = {p: v for p in paths if (v := _part(info, p)) is not None}
        return found

    paths = {TASK: ["info"], TASK_MANAGER: ["recentTask"]}
    return Family(frozenset(paths), read, lambda kind: paths[kind])


def _hidden(context: Context, owners: set[str]) -> set[str]:
    """The objects among ``owners`` that are there but that the caller may not see."""
    sight = inventory.sight(context)
    if sight is None:
        return set()
    graph = context.world.inventory_graph
    return set(graph.objects(owners, None)) - set(graph.objects(owners, sight))


def recent(context: Context) -> list[Any]:
    listed = context.world.vm_tasks.recent()
    seen = context.world.inventory_graph.objects({owner for _, owner in listed}, inventory.sight(context))
    return [vim.Task(PREFIX + task_id) for task_id, owner in listed if owner in seen]


def _part(info: Any, path: str) -> Any:
    """``info`` or a part of it (``info.state``); None for any other path."""
    head, _, rest = path.partition(".")
    if head != "info":
        return None
    value = info
    for part in filter(None, rest.split(".")):
        value = getattr(value, part, None)
    return value
