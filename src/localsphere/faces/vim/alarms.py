"""``AlarmManager`` (``content.alarmManager``) and its ``Alarm`` objects: vCenter's default alarms,
defined on the root folder (``GetAlarm`` of the root folder, or of no entity, lists them; of
another entity, none: no alarm is defined there), each with its ``info`` (``AlarmInfo``: name,
``systemName``, expression). Nothing here raises an alarm: an entity's ``triggeredAlarmState`` is
empty, its ``declaredAlarmState`` (and ``GetAlarmState``) a green state of every default alarm
for its type.

The alarms, their system names and thresholds are those of a fresh vCenter 8 (its *Alarm
Definitions*: a metric's thresholds in hundredths of a percent, held for five minutes)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim.authorization_writes import entity
from localsphere.faces.vim.inventory import Reader
from localsphere.faces.vim.perf_counters import BY_NAME
from localsphere.faces.vim.properties import UNSET, Family, reference, walk
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.inventory import FOLDER, HOST, ROOT_FOLDER, VM, ObjectView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

ALARM_MANAGER = "AlarmManager"
ALARM = "Alarm"
GREEN = vim.ManagedEntity.Status.green
HOLD_SECONDS = 300  # how long a metric stays past a threshold before the alarm turns


@dataclass(frozen=True)
class DefaultAlarm:
    """One default alarm: its id, name, ``systemName``, the managed type it watches, and either
    a metric (``cpu.usage.average``) with its yellow and red thresholds or a state path with the
    value that turns it red."""

    moid: str
    name: str
    system_name: str
    description: str
    kind: str
    metric: str = ""
    yellow: int = 0
    red: int = 0
    state_path: str = ""
    red_state: str = ""


DEFAULTS = (
    DefaultAlarm("alarm-1", "Host connection and power state", "alarm.HostConnectionStateAlarm",
                 "Default alarm to monitor host connection and power state", HOST,
                 state_path="runtime.connectionState", red_state="notResponding"),
    DefaultAlarm("alarm-2", "Host CPU usage", "alarm.HostCPUUsageAlarm",
                 "Default alarm to monitor host CPU usage", HOST, "cpu.usage.average", 7500, 9000),
    DefaultAlarm("alarm-3", "Host memory usage", "alarm.HostMemoryUsageAlarm",
                 "Default alarm to monitor host memory usage", HOST, "mem.usage.average", 9000, 9500),
    DefaultAlarm("alarm-4", "Virtual machine CPU usage", "alarm.VmCPUUsageAlarm",
                 "Default alarm to monitor virtual machine CPU usage", VM, "cpu.usage.average", 7500, 9000),
    DefaultAlarm("alarm-5", "Virtual machine memory usage", "alarm.VmMemoryUsageAlarm",
                 "Default alarm to monitor virtual machine memory usage", VM, "mem.usage.average",
                 8500, 9500),
)  # fmt: skip
BY_MOID = {a.moid: a for a in DEFAULTS}


def _expression(a: DefaultAlarm) -> Any:
    kind = getattr(vim, a.kind)
    if a.metric:
        metric = vim.PerformanceManager.MetricId(counterId=BY_NAME[a.metric].key, instance="")
        one = vim.alarm.MetricAlarmExpression(
            operator="isAbove", type=kind, metric=metric, yellow=a.yellow, yellowInterval=HOLD_SECONDS,
            red=a.red, redInterval=HOLD_SECONDS,
        )  # fmt: skip
    else:
        one = vim.alarm.StateAlarmExpression(
            operator="isEqual", type=kind, statePath=a.state_path, red=a.red_state
        )
    return vim.alarm.OrAlarmExpression(expression=[one])


def _since(context: Context) -> datetime.datetime:
    """When the default alarms were defined: when the world's vCenter was made (its root folder)."""
    made = context.world.inventory.get(FOLDER, ROOT_FOLDER).created_at
    return datetime.datetime.fromtimestamp(made, datetime.UTC)


def info(context: Context, a: DefaultAlarm) -> Any:
    return vim.alarm.AlarmInfo(
        key=a.moid,
        alarm=vim.alarm.Alarm(a.moid),
        name=a.name,
        systemName=a.system_name,
        description=a.description,
        enabled=True,
        expression=_expression(a),
        setting=vim.alarm.AlarmSetting(toleranceRange=0, reportingFrequency=HOLD_SECONDS),
        entity=vim.Folder(ROOT_FOLDER),
        lastModifiedTime=_since(context),
        lastModifiedUser="",
        creationEventId=0,
    )


def states(o: ObjectView) -> list[Any]:
    """An entity's ``declaredAlarmState``: each default alarm for its type, green."""
    return [
        vim.alarm.AlarmState(
            key=f"{a.moid}.{o.moid}",
            entity=reference(o.kind, o.moid),
            alarm=vim.alarm.Alarm(a.moid),
            overallStatus=GREEN,
            time=datetime.datetime.fromtimestamp(o.created_at, datetime.UTC),
            acknowledged=False,
        )
        for a in DEFAULTS
        if a.kind == o.kind
    ]


def _declared(_context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    return {o.moid: states(o) for o in objects}


def _triggered(_context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    return {o.moid: [] for o in objects}


ENTITY_PATHS: dict[str, Reader] = {"declaredAlarmState": _declared, "triggeredAlarmState": _triggered}
"""Readers of an inventory entity's alarm states, for ``inventory.family``."""


def methods() -> list[Method]:
    def get_alarm(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any]:
        on = args.get("entity")
        if on is not None and entity(context, on) != ROOT_FOLDER:
            return []
        return [vim.alarm.Alarm(a.moid) for a in DEFAULTS]

    def get_alarm_state(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any]:
        moid = entity(context, args["entity"])
        return states(context.world.inventory_graph.objects([moid])[moid])

    receivers = frozenset({ALARM_MANAGER})
    return [
        Method("GetAlarm", get_alarm, receivers, ALARM_MANAGER),
        Method("GetAlarmState", get_alarm_state, receivers, ALARM_MANAGER),
    ]


def family() -> Family:
    """The default alarms' ``info`` (and its parts: ``info.name``); the manager's own properties
    are unset."""

    def read(context: Context, kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        if kind == ALARM_MANAGER:
            return {ALARM_MANAGER: {}} if ALARM_MANAGER in moids else {}
        found: dict[str, dict[str, Any]] = {}
        for moid in (m for m in moids if m in BY_MOID):
            whole = info(context, BY_MOID[moid])
            parts = {p: whole if p == "info" else walk(whole, p.removeprefix("info.")) for p in paths}
            found[moid] = {p: v for p, v in parts.items() if p.split(".")[0] == "info" and v is not UNSET}
        return found

    paths = {ALARM_MANAGER: [], ALARM: ["info"]}
    return Family(frozenset(paths), read, lambda kind: paths[kind])
