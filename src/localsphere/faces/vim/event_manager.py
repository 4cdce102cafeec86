"""``EventManager`` (``content.eventManager``): ``description``, ``latestEvent``, ``QueryEvents``
and ``CreateCollectorForEvents``, with the ``EventHistoryCollector`` it makes (``latestPage``,
``ReadNextEvents``, ``ReadPreviousEvents``, ``RewindCollector``, ``ResetCollector``,
``SetCollectorPageSize``, ``DestroyCollector``).

The events are the world's event log (``world.events``), the one vCloud Director's events read,
as vSphere types them: a VM's power changes (by SOAP task or REST call) ``VmPoweredOnEvent``,
``VmPoweredOffEvent``, ``VmSuspendedEvent``, ``VmResettingEvent``; what a write recorded beside
its task's event (``world.facts.Fact``, in the task's chain): its creation and removal (by SOAP
task or REST call) ``VmCreatedEvent`` and ``VmRemovedEvent``, ``VmBeingCreatedEvent``,
``VmBeingClonedEvent`` and ``VmClonedEvent`` (of a template: ``VmBeingDeployedEvent``, ``VmDeployedEvent``),
``VmReconfiguredEvent`` (``configSpec``: the spec's plain values), ``VmRenamedEvent``,
``VmBeingRelocatedEvent`` and ``VmRelocatedEvent``, ``VmGuestShutdownEvent``,
``VmGuestRebootEvent``, ``VmGuestStandbyEvent``, ``DatacenterCreatedEvent``,
``ResourcePoolCreatedEvent``, ``ResourcePoolDestroyedEvent``, ``HostRemovedEvent``,
``ClusterDestroyedEvent`` and ``DatastoreDestroyedEvent``, ``EnteringMaintenanceModeEvent``,
``EnteredMaintenanceModeEvent`` and ``ExitMaintenanceModeEvent``, with the places the fact named as they
were (a removed host's datacenter); a revert to a snapshot as the ``EventEx``
``com.vmware.vc.vm.VmStateRevertedToSnapshot`` (found by that ``eventTypeId``); vCenter records no
event of its own for a snapshot taken or removed, a folder, a move into a folder or a network
removed (their TaskEvents tell); a VM marked as a template or back is vCenter's ``EventEx``
``com.vmware.vc.vm.VmConvertedToTemplateEvent`` or ``TemplateConvertedToVmEvent``, not recorded
here, their messages' words not being known; a session's sign-in and sign-out
``UserLoginSessionEvent`` and ``UserLogoutSessionEvent``; any other task's event, and a task that
failed, ``TaskEvent`` with the task's ``TaskInfo``. Each carries its entity's arguments (``vm``,
``host``, ``computeResource``, ``datacenter``) as the inventory has them now, ``createdTime`` on
the world clock, ``userName`` as vCenter writes it (``VSPHERE.LOCAL\\Administrator``) and a
``fullFormattedMessage`` in vCenter's words (its ``EventDescription`` formats).

``QueryEvents`` answers newest first, at most the filter's ``maxCount`` (1000 when unset, as
vCenter). A collector's latest page is its newest ``maxCount`` events (10 when unset), newest
first; its scrollable view starts just before that page (vSphere's ``ResetCollector``):
``ReadNextEvents`` reads newer events oldest first, ``ReadPreviousEvents`` older ones newest first
(vSphere Web Services API, ``HistoryCollector``). A collector lives in the store for the session
that made it, at most 32 a session (vCenter's ``event.maxCollectors``).
"""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim, vmodl

from localsphere.faces.vim import faults, inventory, tasks
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.service_instance import EVENT_MANAGER, session_key
from localsphere.faces.vim.soap import VIM_NS, MoRef
from localsphere.world import inventory as inv
from localsphere.world.errors import NotFound
from localsphere.world.event_history import (
    ALL,
    LOGOUT,
    MAX_COLLECTORS,
    SESSIONS,
    EventFilter,
    Match,
    Recorded,
)
from localsphere.world.events import LOGIN
from localsphere.world.facts import (
    CLONED,
    CLONING,
    CLUSTER_DESTROYED,
    CREATED,
    CREATING,
    DATACENTER_CREATED,
    DATASTORE_DESTROYED,
    DEPLOYED,
    DEPLOYING,
    ENTERED_MAINTENANCE,
    ENTERING_MAINTENANCE,
    EXITED_MAINTENANCE,
    GUEST_REBOOT,
    GUEST_SHUTDOWN,
    GUEST_STANDBY,
    HOST_REMOVED,
    POOL_CREATED,
    POOL_DESTROYED,
    RECONFIGURED,
    RELOCATED,
    RELOCATING,
    REMOVED,
    RENAMED,
    REVERTED,
)
from localsphere.world.inventory import ObjectView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

COLLECTOR = "EventHistoryCollector"
QUERY_MAX, PAGE_DEFAULT, PAGE_MAX = 1000, 10, 1000
EV = vim.event
# a world action (succeeded) -> its vSphere event type and vCenter's format of its message
VM_EVENTS = {
    "PowerOnVM_Task": (EV.VmPoweredOnEvent, "{vm} on {host} in {datacenter} is powered on"),
    "PowerOffVM_Task": (EV.VmPoweredOffEvent, "{vm} on {host} in {datacenter} is powered off"),
    "SuspendVM_Task": (EV.VmSuspendedEvent, "{vm} on {host} in {datacenter} is suspended"),
    "ResetVM_Task": (EV.VmResettingEvent, "{vm} on {host} in {datacenter} is reset"),
}
# a world fact (``world.facts.FACTS``) -> its vSphere event type and vCenter's format of its message
# (vCenter's ``EventDescription``, as govmomi's simulator copies it)
FACT_EVENTS = {
    CREATING: (EV.VmBeingCreatedEvent, "Creating {vm} on host {host} in {datacenter}"),
    CREATED: (EV.VmCreatedEvent, "Created virtual machine {vm} on {host} in {datacenter}"),
    REMOVED: (EV.VmRemovedEvent, "Removed {vm} on {host} from {datacenter}"),
    CLONING: (
        EV.VmBeingClonedEvent,
        "Cloning {vm} on host {host} in {datacenter} to {destName} on host {destHost}",
    ),
    CLONED: (EV.VmClonedEvent, "Clone of {sourceVm} completed"),
    DEPLOYING: (
        EV.VmBeingDeployedEvent,
        "Deploying {vm} on host {host} in {datacenter} from template {srcTemplate}",
    ),
    DEPLOYED: (EV.VmDeployedEvent, "Template {srcTemplate} deployed on host {host}"),
    RENAMED: (EV.VmRenamedEvent, "Renamed {vm} from {oldName} to {newName} in {datacenter}"),
    RECONFIGURED: (EV.VmReconfiguredEvent, "Reconfigured {vm} on {host} in {datacenter}"),
    RELOCATING: (
        EV.VmBeingRelocatedEvent,
        "Relocating {vm} from {host}, {ds} in {datacenter} to {destHost}, {destDatastore} in "
        "{destDatacenter}",
    ),
    RELOCATED: (EV.VmRelocatedEvent, "Completed the relocation of the virtual machine"),
    GUEST_SHUTDOWN: (EV.VmGuestShutdownEvent, "Guest OS shut down for {vm} on {host} in {datacenter}"),
    GUEST_REBOOT: (EV.VmGuestRebootEvent, "Guest OS reboot for {vm} on {host} in {datacenter}"),
    GUEST_STANDBY: (EV.VmGuestStandbyEvent, "Guest OS standby for {vm} on {host} in {datacenter}"),
    DATACENTER_CREATED: (EV.DatacenterCreatedEvent, "Created datacenter {datacenter} in folder {parent}"),
    POOL_CREATED: (
        EV.ResourcePoolCreatedEvent,
        "Created resource pool {resourcePool} in compute-resource {computeResource} in {datacenter}",
    ),
    POOL_DESTROYED: (
        EV.ResourcePoolDestroyedEvent,
        "Removed resource pool {resourcePool} on {computeResource} in {datacenter}",
    ),
    HOST_REMOVED: (EV.HostRemovedEvent, "Removed host {host} in {datacenter}"),
    CLUSTER_DESTROYED: (
        EV.ClusterDestroyedEvent,
        "Removed cluster {computeResource} in datacenter {datacenter}",
    ),
    DATASTORE_DESTROYED: (EV.DatastoreDestroyedEvent, "Removed unconfigured datastore {ds}"),
    ENTERING_MAINTENANCE: (
        EV.EnteringMaintenanceModeEvent,
        "Host {host} in {datacenter} has started to enter maintenance mode",
    ),
    ENTERED_MAINTENANCE: (
        EV.EnteredMaintenanceModeEvent,
        "Host {host} in {datacenter} has entered maintenance mode",
    ),
    EXITED_MAINTENANCE: (
        EV.ExitMaintenanceModeEvent,
        "Host {host} in {datacenter} has exited maintenance mode",
    ),
}
# a world fact vCenter tells as an ``EventEx`` -> its ``eventTypeId`` and vCenter's message (its
# end as PowerCLI scripts read it: "has been reverted to the state of snapshot (.*), with ID \d")
EVENTS_EX = {
    REVERTED: (
        "com.vmware.vc.vm.VmStateRevertedToSnapshot",
        "The execution state of the virtual machine {vm} on host {host}, in compute resource "
        "{computeResource} has been reverted to the state of snapshot {snapshotName}, with ID {snapshotId}",
    ),
}
SESSION_EVENTS = {
    LOGIN: (EV.UserLoginSessionEvent, "User {user}@{ip} logged in as {agent}"),
    LOGOUT: (EV.UserLogoutSessionEvent, "User {user}@{ip} logged out (user agent: {agent})"),
}
TASK_FORMAT = "Task: {task}"
GENERAL = (EV.GeneralUserEvent, "{message}")
CATEGORY = "info"
SCOPE = EventFilter(kinds=list(inventory.KINDS), services=[SESSIONS])


def _user(recorded: Recorded) -> str:
    name = recorded.event.user_name
    return f"{recorded.domain.upper()}\\{name}" if recorded.domain else name


def _types(spec: Any) -> tuple[list[type], list[str]] | None:
    """The event types a filter asks for, and the names it gives (an ``EventEx``'s
    ``eventTypeId`` among them); None: any. A name vSphere does not know matches none."""
    names = list(spec.eventTypeId or []) + [VmomiSupport.GetWsdlName(t) for t in spec.type or []]
    if not names:
        return None
    found = []
    for name in names:
        try:
            found.append(VmomiSupport.GetWsdlType(VIM_NS, name))
        except KeyError:
            continue
    return found, names


def _matches(asked: tuple[list[type], list[str]] | None) -> list[Match] | None:
    """The world's events of the vSphere types (or ``EventEx`` ids) asked for."""
    if asked is None:
        return None
    types, names = asked

    def wanted(cls: type) -> bool:
        return any(issubclass(cls, t) for t in types)

    mapped, facts = list(VM_EVENTS), [*FACT_EVENTS, *EVENTS_EX]
    extended = [a for a, (type_id, _) in EVENTS_EX.items() if type_id in names or wanted(EV.EventEx)]
    found = [Match(actions=extended)]
    vms = [inv.VM]
    found.append(
        Match(actions=[a for a, (cls, _) in VM_EVENTS.items() if wanted(cls)], success=True, kinds=vms)
    )
    found.append(Match(actions=[a for a, (cls, _) in SESSION_EVENTS.items() if wanted(cls)]))
    found.append(Match(actions=[a for a, (cls, _) in FACT_EVENTS.items() if wanted(cls)]))
    if wanted(EV.TaskEvent):
        found += [
            Match(exclude=[*mapped, *facts], task=True),
            Match(actions=mapped, success=False, task=True),
            Match(actions=mapped, task=True, exclude_kinds=vms),
        ]
    if wanted(GENERAL[0]):
        found.append(Match(exclude=[*mapped, *SESSION_EVENTS, *facts], task=False))
    return found


def _users(spec: Any) -> list[list[str | None]] | None:
    if spec.userName is None or not spec.userName.userList:
        return None
    found: list[list[str | None]] = []
    for name in spec.userName.userList:
        domain, slash, rest = name.partition("\\")
        if slash:
            found.append([domain, rest])
        else:
            user, at, domain = name.partition("@")
            found.append([domain, user] if at else [None, name])
    return found


def _epoch(value: datetime.datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=datetime.UTC)).timestamp()


def world_filter(context: Context, spec: Any) -> EventFilter:
    """The world's filter of an ``EventFilterSpec``: entity and recursion, time, users, types,
    categories (``description``'s: the events written here are all ``info``)."""
    entity, recursion = None, ALL
    if spec.entity is not None:
        entity = spec.entity.entity._moId
        recursion = spec.entity.recursion or ALL
        this = MoRef(VmomiSupport.GetWsdlName(type(spec.entity.entity)), entity)
        if entity not in context.world.inventory_graph.objects([entity], inventory.sight(context)):
            raise faults.not_found(this)
        if entity == inv.ROOT_FOLDER and recursion == ALL:
            entity = None
    time = spec.time
    matches = _matches(_types(spec))
    if spec.category and CATEGORY not in spec.category:
        matches = []  # every event this face writes is of the info category
    return EventFilter(
        kinds=SCOPE.kinds,
        services=SCOPE.services,
        entity=entity,
        recursion=recursion,
        begin=_epoch(time.beginTime) if time else None,
        end=_epoch(time.endTime) if time else None,
        users=_users(spec),
        matches=matches,
    )


# the kind of an entity an event names -> the argument's field on Event, its type and its reference
ARGUMENTS = {
    inv.HOST: ("host", EV.HostEventArgument, "host"),
    inv.CLUSTER: ("computeResource", EV.ComputeResourceEventArgument, "computeResource"),
    inv.DATACENTER: ("datacenter", EV.DatacenterEventArgument, "datacenter"),
}
# a place a fact names (``world.facts.facts_of``) -> its argument's type, reference and managed type,
# and the field of ``Event`` that names it
PLACES = {
    "host": (EV.HostEventArgument, "host", vim.HostSystem, "host"),
    "cluster": (
        EV.ComputeResourceEventArgument,
        "computeResource",
        vim.ClusterComputeResource,
        "computeResource",
    ),
    "datacenter": (EV.DatacenterEventArgument, "datacenter", vim.Datacenter, "datacenter"),
    "datastore": (EV.DatastoreEventArgument, "datastore", vim.Datastore, "ds"),
    "folder": (EV.FolderEventArgument, "folder", vim.Folder, None),
    "pool": (EV.ResourcePoolEventArgument, "resourcePool", vim.ResourcePool, "resourcePool"),
    "vm": (EV.VmEventArgument, "vm", vim.VirtualMachine, "vm"),
}
# the kind of the entity a fact is about -> its place
PLACE_OF = {
    inv.VM: "vm",
    inv.HOST: "host",
    inv.CLUSTER: "cluster",
    inv.DATACENTER: "datacenter",
    inv.DATASTORE: "datastore",
    inv.POOL: "pool",
}


UNNAMED = ["", ""]  # a place a fact did not name


def _place(role: str, named: list[str]) -> Any:
    """The event argument of a place a fact names (``[moid, name]``)."""
    cls, attr, managed, _ = PLACES[role]
    return cls(name=named[1], **{attr: managed(named[0])})


def _fact_event(event: Any, common: dict[str, Any]) -> Any:
    """The vSphere event of a world fact: its entity and places as the fact recorded them."""
    told = json.loads(event.details or "{}")
    places = dict(told.get("where", {}))
    entity = event.entity
    if entity.kind in PLACE_OF:
        places[PLACE_OF[entity.kind]] = [entity.id, entity.name]
    fields: dict[str, Any] = {}
    names: dict[str, str] = {}
    for role, named in places.items():
        field = PLACES[role][3]
        names[field or role] = named[1]
        if field is not None:
            fields[field] = _place(role, named)
    if event.action in EVENTS_EX:
        return _event_ex(event, {**common, **fields}, told, names)
    if entity.kind == inv.VM:
        fields["template"] = False
    extra, more = _fact_fields(event.action, told)
    cls, text = FACT_EVENTS[event.action]
    names |= more
    return cls(**{**common, **fields, **extra}, fullFormattedMessage=text.format_map(_Blank(names)))


def _event_ex(event: Any, fields: dict[str, Any], told: dict[str, Any], names: dict[str, str]) -> Any:
    """A fact vCenter tells as an ``EventEx``: its type id, its arguments (a snapshot's name and
    number) and the object it is about."""
    type_id, text = EVENTS_EX[event.action]
    snapshot = told.get("snapshot", UNNAMED)
    said = {"snapshotName": snapshot[1], "snapshotId": snapshot[0].rpartition("-")[2]}
    entity = event.entity
    return EV.EventEx(
        **fields,
        eventTypeId=type_id,
        severity=CATEGORY,
        arguments=[vmodl.KeyAnyValue(key=key, value=value) for key, value in said.items()],
        objectId=entity.id,
        objectType=getattr(vim, entity.kind, None),
        objectName=entity.name,
        fullFormattedMessage=text.format_map(_Blank(names | said)),
    )


class _Blank(dict):  # type: ignore[type-arg]
    """Names for a message's format: a place the fact does not name reads as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


def _other_end(prefix: str, places: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """A relocation's other end (``dest``: where it goes, ``source``: where it was): its host,
    datacenter and datastore, as fields and names (``destHost``...)."""
    fields = {f"{prefix}Host": _place("host", places.get("host", UNNAMED))}
    roles = ("host", "datacenter", "datastore")
    fields |= {f"{prefix}{r.capitalize()}": _place(r, places[r]) for r in roles[1:] if r in places}
    return fields, {f"{prefix}{r.capitalize()}": places[r][1] for r in roles if r in places}


def _fact_fields(action: str, told: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """A fact's own fields on its event (beyond its places), and their names for its message."""
    if action == RENAMED:
        old, new = told.get("old_name", ""), told.get("new_name", "")
        return {"oldName": old, "newName": new}, {"oldName": old, "newName": new}
    if action == RECONFIGURED:
        return {"configSpec": vim.vm.ConfigSpec(**told.get("changes", {}))}, {}
    if action == CLONING:
        to = told.get("to", {})
        dest = to.get("where", {})
        host, folder = dest.get("host", UNNAMED), dest.get("folder", UNNAMED)
        fields = {
            "destName": to.get("name", ""),
            "destHost": _place("host", host),
            "destFolder": _place("folder", folder),
        }
        return fields, {"destName": to.get("name", ""), "destHost": host[1]}
    if action in (CLONED, DEPLOYING, DEPLOYED):
        source = told.get("source", UNNAMED)
        key = "sourceVm" if action == CLONED else "srcTemplate"
        return {key: _place("vm", source)}, {key: source[1]}
    if action == RELOCATING:
        return _other_end("dest", told.get("to", {}))
    if action == RELOCATED:
        return _other_end("source", told.get("from", {}))
    if action == DATACENTER_CREATED:
        parent = told.get("parent", UNNAMED)
        return {"parent": _place("folder", parent)}, {"parent": parent[1]}
    if action == POOL_CREATED:
        parent = told.get("parent", UNNAMED)
        return {"parent": _place("pool", parent)}, {}
    return {}, {}


def _argument(o: ObjectView) -> tuple[str, Any]:
    """An event's argument naming ``o`` (a host, cluster or datacenter), and its field."""
    field, cls, attr = ARGUMENTS[o.kind]
    return field, cls(name=o.name, **{attr: inventory.ref(o.moid)})


def vim_events(context: Context, found: list[Recorded]) -> list[Any]:
    """The world's events as vSphere's, in the same order, less those about objects the caller
    does not see (vCenter shows the events of the entities one may view)."""
    graph = context.world.inventory_graph
    ids = {r.event.entity.id for r in found if r.event.entity.kind in inventory.KINDS}
    entities = graph.objects(ids)
    seen = graph.objects(ids, inventory.sight(context)) if ids else {}
    around = graph.objects({m for o in entities.values() for m in (o.host, o.cluster, o.datacenter) if m})
    return [
        _vim_event(context, r, entities, around)
        for r in found
        if r.event.entity.id not in entities or r.event.entity.id in seen
    ]


def _vim_event(
    context: Context, recorded: Recorded, entities: dict[str, ObjectView], around: dict[str, ObjectView]
) -> Any:
    event = recorded.event
    entity = event.entity
    common: dict[str, Any] = {
        "key": event.seq,  # vCenter numbers events as they are recorded
        "chainId": recorded.chain,
        "createdTime": datetime.datetime.fromtimestamp(event.at, datetime.UTC),
        "userName": _user(recorded),
    }
    names = {"vm": entity.name, "host": "", "datacenter": "", "user": common["userName"]}
    o = entities.get(entity.id)
    if entity.kind == inv.VM:
        common["vm"] = EV.VmEventArgument(name=entity.name, vm=vim.VirtualMachine(entity.id))
    elif o is not None and o.kind in ARGUMENTS:
        field, argument = _argument(o)
        common[field] = argument
    for moid in (o.host, o.cluster, o.datacenter) if o is not None else ():
        if moid in around:
            field, argument = _argument(around[moid])
            common[field], names[field] = argument, around[moid].name
    if event.action in SESSION_EVENTS:
        cls, text = SESSION_EVENTS[event.action]
        told = json.loads(event.details or "{}")
        extra = {
            "ipAddress": told.get("ip", ""),
            "userAgent": told.get("agent", ""),
            "sessionId": told.get("session", ""),
        }
        if cls is EV.UserLoginSessionEvent:
            extra["locale"] = "en"
        message = text.format(user=names["user"], ip=extra["ipAddress"], agent=extra["userAgent"])
        return cls(**common, **extra, fullFormattedMessage=message)
    if event.success and (event.action in FACT_EVENTS or event.action in EVENTS_EX):
        return _fact_event(event, common)
    if event.success and entity.kind == inv.VM and event.action in VM_EVENTS:
        cls, text = VM_EVENTS[event.action]
        message = text.format(vm=names["vm"], host=names["host"], datacenter=names["datacenter"])
        return cls(**common, template=False, fullFormattedMessage=message)
    if event.task_id is not None:
        try:
            info = tasks.task_info(context.world.tasks.get(event.task_id, None), recorded.chain)
        except NotFound:
            info = None
        if info is not None:
            message = TASK_FORMAT.format(task=info.descriptionId)
            return EV.TaskEvent(**common, info=info, fullFormattedMessage=message)
    return GENERAL[0](**common, message=event.action, fullFormattedMessage=event.action)


def description() -> Any:
    """``EventManager.description``: the categories and the event types this face writes."""
    categories = [vim.ElementDescription(key=c, label=c.capitalize(), summary=c.capitalize()) for c in
                  ("info", "warning", "error", "user")]  # fmt: skip
    formats = [
        *VM_EVENTS.values(),
        *FACT_EVENTS.values(),
        *SESSION_EVENTS.values(),
        (EV.TaskEvent, TASK_FORMAT),
        GENERAL,
    ]
    details = [
        EV.EventDescription.EventDetail(
            key=cls,  # a vmodl.TypeName: pyVmomi writes the type's WSDL name
            category=CATEGORY,
            formatOnDatacenter=text,
            formatOnComputeResource=text,
            formatOnHost=text,
            formatOnVm=text,
            fullFormat=text,
        )
        for cls, text in formats
    ]
    return EV.EventDescription(category=categories, eventInfo=details)


def _collector_id(context: Context, this: MoRef) -> str:
    prefix = f"session[{session_key(context.session_id or '')}]"
    if not this.value.startswith(prefix):
        raise faults.not_found(this)
    return this.value[len(prefix) :]


def _count(args: dict[str, Any], limit: int) -> int:
    count = args["maxCount"]
    if not count > 0:
        raise faults.invalid_argument("maxCount")
    return min(count, limit)


def methods() -> list[Method]:
    def query_events(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        spec = args["filter"]
        limit = spec.maxCount if spec.maxCount and spec.maxCount > 0 else QUERY_MAX
        found = context.world.event_history.find(world_filter(context, spec), min(limit, QUERY_MAX))
        return vim_events(context, found)

    def create_collector(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        spec = args["filter"]
        size = spec.maxCount or PAGE_DEFAULT
        if not 0 < size <= PAGE_MAX:
            raise faults.invalid_argument("maxCount")
        assert context.session_id is not None
        collector = context.world.event_history.create(context.session_id, world_filter(context, spec), size)
        return EV.EventHistoryCollector(f"session[{session_key(context.session_id)}]{collector}")

    def reader(newer: bool) -> Any:
        def run(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
            found = context.world.event_history.read(
                context.session_id or "", _collector_id(context, this), _count(args, PAGE_MAX), newer
            )
            return vim_events(context, found)

        return run

    def rewind(context: Context, this: MoRef, _args: dict[str, Any]) -> None:
        context.world.event_history.rewind(context.session_id or "", _collector_id(context, this))

    def reset(context: Context, this: MoRef, _args: dict[str, Any]) -> None:
        context.world.event_history.reset(context.session_id or "", _collector_id(context, this))

    def page_size(context: Context, this: MoRef, args: dict[str, Any]) -> None:
        size = args["maxCount"] or PAGE_DEFAULT
        if not 0 < size <= PAGE_MAX:
            raise faults.invalid_argument("maxCount")
        context.world.event_history.reset(context.session_id or "", _collector_id(context, this), size)

    def destroy(context: Context, this: MoRef, _args: dict[str, Any]) -> None:
        context.world.event_history.destroy(context.session_id or "", _collector_id(context, this))

    manager, collectors = frozenset({"EventManager"}), frozenset({COLLECTOR})
    return [
        Method("QueryEvents", query_events, manager, EVENT_MANAGER),
        Method("CreateCollectorForEvents", create_collector, manager, EVENT_MANAGER, write=True),
        Method("ReadNextEvents", reader(True), collectors, write=True),
        Method("ReadPreviousEvents", reader(False), collectors, write=True),
        Method("RewindCollector", rewind, collectors, write=True),
        Method("ResetCollector", reset, collectors, write=True),
        Method("SetCollectorPageSize", page_size, collectors, write=True),
        Method("DestroyCollector", destroy, collectors, write=True),
    ]


def family() -> Family:
    """The EventManager's properties and its collectors' (``latestPage``, ``initialized``)."""

    def read(context: Context, kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        history = context.world.event_history
        if kind == "EventManager":
            if EVENT_MANAGER not in moids:
                return {}
            values = {
                "description": description,
                "latestEvent": lambda: next(iter(vim_events(context, history.find(SCOPE, 1))), None),
                "maxCollector": lambda: MAX_COLLECTORS,
            }
            found = {p: values[p]() for p in paths if p in values}
            return {EVENT_MANAGER: {p: v for p, v in found.items() if v is not None}}
        answer = {}
        for moid in moids:
            try:
                view = history.get(context.session_id or "", _collector_id(context, MoRef(kind, moid)))
            except (faults.Fault, NotFound):
                continue
            values = {
                "latestPage": lambda v=view: vim_events(context, history.find(v.filter, v.page_size)),
                "initialized": lambda: True,
            }
            answer[moid] = {p: values[p]() for p in paths if p in values}
        return answer

    paths = {
        "EventManager": ["description", "latestEvent", "maxCollector"],
        COLLECTOR: ["initialized", "latestPage"],
    }
    return Family(frozenset(paths), read, lambda kind: paths[kind])
