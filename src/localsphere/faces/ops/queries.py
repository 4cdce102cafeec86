"""The resources section's queries: ``POST /api/resources/query`` (a ``resource-query``: which
resources, a page of them) and ``POST /api/resources/properties/latest/query`` (a
``properties-query``: the latest values of some properties of some resources).

The query's filters become a world ``ResourceFilter``; what the world cannot have is answered
as the product would: ``resourceState`` is STARTED and ``resourceStatus`` DATA_RECEIVING (or
NO_PARENT_MONITORING, grey) for every resource, the one adapter instance is the vCenter, no
resource has tags or a maintenance schedule, and the collector is ``local_collector`` (id 1).
Stat conditions (``statConditions``, ``statKey`` with bounds) are refused with 400: metric values
are computed, not stored, so no query can select by them.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import Runner
from localsphere.faces.ops import resources as res
from localsphere.faces.ops.wire import OpsError, page_body, paging, read_document, reply
from localsphere.world import World, guest_os
from localsphere.world import inventory as inv
from localsphere.world.access import OPS, Caller
from localsphere.world.errors import NotFound
from localsphere.world.inventory import SEEING, ObjectView
from localsphere.world.resource_queries import OPERATORS, BadQuery, Condition, ResourceFilter

COLLECTOR = ("local_collector", 1)  # the one collector's name and id
HEALTHS = ("GREEN", "YELLOW", "ORANGE", "RED", "GREY")
MAX_IDS = 10_000  # resource ids in one query
# property key -> the world value a condition on it compares
PROPERTY_VALUES = {
    "config|name": "name",
    "config|guestFullName": "guest_full_name",
    "config|hardware|numCpu": "cpu_count",
    "config|hardware|memoryKB": "memory_kib",
    "summary|runtime|powerState": "power_state",
    "hardware|cpuInfo|numCpuCores": "cpu_count",
    "hardware|memorySize": "memory_kib",
}
POWER = {inv.POWERED_ON: "Powered On", inv.POWERED_OFF: "Powered Off", inv.SUSPENDED: "Suspended"}
_POWER_STATES = {shown.lower(): state for state, shown in POWER.items()}


def _strings(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in items):
        raise OpsError(400, f"{key} must be a list of strings")
    return [str(v) for v in items]


def _kinds(body: dict[str, Any]) -> frozenset[str]:
    """The world kinds the adapter and resource kinds name; none when they name only others."""
    adapters = _strings(body, "adapterKind")
    if adapters and res.VMWARE not in adapters:
        return frozenset()
    wanted = _strings(body, "resourceKind")
    if not wanted:
        return frozenset(res.WORLD_KINDS.values())
    return frozenset(res.WORLD_KINDS[k] for k in wanted if k in res.WORLD_KINDS)


def _property_kinds(key: str) -> frozenset[str]:
    return frozenset(res.WORLD_KINDS[kind] for kind, props in res.PROPERTIES.items() if key in dict(props))


def _condition(item: Any) -> Condition:
    if not isinstance(item, dict) or not isinstance(item.get("key"), str):
        raise OpsError(400, "Every property condition needs a key and an operator")
    operator = str(item.get("operator", "")).upper()
    if operator not in OPERATORS:
        raise OpsError(400, f"Unknown operator {item.get('operator')}; one of {', '.join(OPERATORS)}")
    value = PROPERTY_VALUES.get(item["key"])
    if value is None:  # a property no resource has here: compare something no object holds
        return Condition("name", operator, None, frozenset())
    operand: str | float | None = item.get("stringValue")
    if value in ("cpu_count", "memory_kib"):
        raw = item.get("doubleValue", operand)
        try:
            operand = float(raw) if raw is not None else None
        except (TypeError, ValueError):
            raise OpsError(400, f"The value of {item['key']} must be a number") from None
    elif value == "power_state" and isinstance(operand, str):
        operand = _POWER_STATES.get(operand.lower(), operand)
    if operand is None and operator not in ("EXISTS", "NOT_EXISTS"):
        raise OpsError(400, f"The condition on {item['key']} needs a value")
    return Condition(value, operator, operand, _property_kinds(item["key"]))


def _conditions(body: dict[str, Any]) -> tuple[tuple[Condition, ...], bool]:
    found, any_of = [], False
    given = body.get("propertyConditions")
    if given is not None:
        if not isinstance(given, dict) or not isinstance(given.get("conditions"), list):
            raise OpsError(400, "propertyConditions needs a list of conditions")
        found = [_condition(c) for c in given["conditions"]]
        any_of = str(given.get("conjunctionOperator", "AND")).upper() == "OR"
    if isinstance(body.get("propertyName"), str):
        operator = "EQ" if body.get("propertyValue") is not None else "EXISTS"
        item = {"key": body["propertyName"], "operator": operator, "stringValue": body.get("propertyValue")}
        found.append(_condition(item))
        any_of = any_of and len(found) == 1
    return tuple(found), any_of


def _grey(body: dict[str, Any]) -> bool | None:
    """From ``resourceHealth`` and ``resourceStatus``: True (grey only), False (green only), None
    (either, or neither: ``_nothing`` tells that no resource passes)."""
    wanted: set[bool] = {True, False}
    health = {h.upper() for h in _strings(body, "resourceHealth")}
    if health:
        wanted &= {h == "GREY" for h in health if h in ("GREEN", "GREY")}
    status = {s.upper() for s in _strings(body, "resourceStatus")}
    if status:
        wanted &= {
            s == "NO_PARENT_MONITORING" for s in status if s in ("DATA_RECEIVING", "NO_PARENT_MONITORING")
        }
    if not wanted:
        return None
    return next(iter(wanted)) if len(wanted) == 1 else None


def _nothing(body: dict[str, Any], vcenter: str) -> bool:
    """Whether a filter no resource here can pass is given."""
    health = {h.upper() for h in _strings(body, "resourceHealth")}
    status = {s.upper() for s in _strings(body, "resourceStatus")}
    states = {s.upper() for s in _strings(body, "resourceState")}
    instances = set(_strings(body, "adapterInstanceId"))
    collectors = _strings(body, "collectorName")
    collector_ids = _strings(body, "collectorId")
    return bool(
        (health and not health & {"GREEN", "GREY"})
        or (status and not status & {"DATA_RECEIVING", "NO_PARENT_MONITORING"})
        or (states and "STARTED" not in states)
        or (instances and vcenter not in instances)
        or (collectors and COLLECTOR[0] not in collectors)
        or (collector_ids and str(COLLECTOR[1]) not in collector_ids)
        or body.get("resourceTag")
        or _strings(body, "maintenanceScheduleId")
        or _strings(body, "credentialId")
    )


def resource_filter(body: Any) -> ResourceFilter:
    """The world filter of a ``resource-query`` (OpsError 400 when it is malformed or asks for
    stat conditions)."""
    if not isinstance(body, dict):
        raise OpsError(400, "The body must be a resource-query object")
    if body.get("statConditions") or body.get("statKey"):
        raise OpsError(400, "Stat conditions are not supported: metric values are not stored")
    names, ids, parents = _strings(body, "name"), _strings(body, "resourceId"), _strings(body, "parentId")
    if len(ids) + len(parents) > MAX_IDS:
        raise OpsError(400, f"At most {MAX_IDS} resource ids are accepted")
    recently = body.get("recentlyAdded")
    if recently is not None and (not isinstance(recently, int) or isinstance(recently, bool)):
        raise OpsError(400, "recentlyAdded must be seconds since 1970")
    conditions, any_of = _conditions(body)
    return ResourceFilter(
        kinds=_kinds(body),
        name=names[0] if names else None,
        regex=() if names else tuple(_strings(body, "regex")),
        uuids=frozenset(ids) if ids else None,
        grey=_grey(body),
        created_after=float(recently) if recently is not None else None,
        parents=frozenset(parents) if parents else None,
        conditions=conditions,
        any_condition=any_of,
    )


def property_values(o: ObjectView, names: dict[str, str]) -> dict[str, str]:
    """The latest properties Operations shows of ``o`` (``res.PROPERTIES``); ``names``: the names
    of its host and cluster, by managed-object id."""
    values = {
        "config|name": o.name,
        "config|guestFullName": guest_os.full_name(o.subtype) if o.subtype else "",
        "config|hardware|numCpu": str(o.cpu_count or 0),
        "config|hardware|memoryKB": str((o.memory_mib or 0) * 1024),
        "summary|runtime|powerState": POWER.get(o.power_state or "", ""),
        "summary|parentHost": names.get(o.host or "", ""),
        "hardware|cpuInfo|numCpuCores": str(o.cpu_count or 0),
        "hardware|memorySize": str((o.memory_mib or 0) * 1024),
        "summary|parentCluster": names.get(o.cluster or "", ""),
    }
    kind = res.kind_of(o)
    return {key: values[key] for key, _ in res.PROPERTIES.get(kind, ())}


def known(world: World, rid: str, caller: Caller, privilege: str = SEEING[OPS]) -> ObjectView | None:
    """The resource ``rid`` if it exists and ``caller`` sees it (its permissions on all objects,
    or on a scope that holds it); Forbidden when it sees it without ``privilege``."""
    try:
        found = world.inventory.by_uuid(rid)
        if found.kind not in res.KINDS:
            return None
        world.inventory.visible(caller, privilege, found)
    except NotFound:
        return None
    return found


class Queries:
    """The query handlers of the face; ``vcenter`` reads the vCenter's resource id."""

    def __init__(self, world: World, runner: Runner, max_body: int) -> None:
        self.world, self.runner, self.max_body = world, runner, max_body

    def _vcenter(self) -> str:
        return self.world.inventory.get(inv.FOLDER, inv.ROOT_FOLDER).uuid

    async def resources(self, request: Request, caller: Caller) -> Response:
        """``POST /api/resources/query``: a page of the resources a ``resource-query`` selects,
        of those the caller sees."""
        body = await read_document(request, self.max_body, "resource-query")
        wanted = resource_filter(body)
        page, size = paging(request)
        vcenter = await self.runner.read(self._vcenter)
        if not wanted.kinds or _nothing(body, vcenter):
            return reply(request, "resources", page_body(request, 0, page, size, [], {}))
        sight = await self.runner.read(self.world.inventory.sight, caller)
        try:
            total, found = await self.runner.read(
                self.world.resource_queries.page, wanted, page * size, size, sight
            )
        except BadQuery as exc:
            raise OpsError(400, str(exc)) from None
        items = [res.resource(o, vcenter) for o in found]
        return reply(request, "resources", page_body(request, total, page, size, items, {}))

    async def latest_properties(self, request: Request, caller: Caller) -> Response:
        """``POST /api/resources/properties/latest/query``: for each known resource of
        ``resourceIds``, the latest value of each of ``propertyKeys`` it has (unknown ids and
        keys are left out, as of stats)."""
        body = await read_document(request, self.max_body, "properties-query")
        if not isinstance(body, dict):
            raise OpsError(400, "The body must be a properties-query object")
        ids, keys = _strings(body, "resourceIds"), _strings(body, "propertyKeys")
        if not ids or not keys:
            raise OpsError(400, "resourceIds and propertyKeys are required")
        if len(ids) > MAX_IDS:
            raise OpsError(400, f"At most {MAX_IDS} resource ids are accepted")

        def read() -> list[dict[str, Any]]:
            now, found = int(self.world.state.reading().now * 1000), []
            for rid in dict.fromkeys(ids):
                o = known(self.world, rid, caller)
                if o is None:
                    continue
                values = self._values(o)
                contents = [
                    {"statKey": k, "timestamps": [now], "values": [values[k]]}
                    for k in dict.fromkeys(keys)
                    if k in values
                ]
                found.append({"resourceId": rid, "property-contents": {"property-content": contents}})
            return found

        return reply(request, "resources-property-contents", {"values": await self.runner.read(read)})

    async def properties(self, request: Request, caller: Caller) -> Response:
        """``GET /api/resources/{id}/properties``: a ``resource-property``, the resource's
        properties and their current values; 404 for a resource that does not exist."""
        rid = request.path_params["id"]
        found = await self.runner.read(self._properties, [rid], caller)
        if not found:
            raise OpsError(404, f"Resource {rid} not found")
        return reply(request, "resource-property", found[0])

    async def properties_of_many(self, request: Request, caller: Caller) -> Response:
        """``GET /api/resources/properties?resourceId=...``: ``resource-properties``, those of the
        resources that exist (at most ``MAX_IDS``)."""
        ids = request.query_params.getlist("resourceId")
        if not ids:
            raise OpsError(400, "resourceId is required")
        if len(ids) > MAX_IDS:
            raise OpsError(400, f"At most {MAX_IDS} resource ids are accepted")
        found = await self.runner.read(self._properties, ids, caller)
        return reply(request, "resource-properties", {"resourcePropertiesList": found})

    def _properties(self, ids: list[str], caller: Caller) -> list[dict[str, Any]]:
        found = []
        for rid in dict.fromkeys(ids):
            o = known(self.world, rid, caller)
            if o is not None:
                values = self._values(o)
                found.append(
                    {"resourceId": rid, "property": [{"name": k, "value": v} for k, v in values.items()]}
                )
        return found

    def _values(self, o: ObjectView) -> dict[str, str]:
        """``property_values`` of ``o``, with the names of its host and cluster read."""
        names = {
            m: self.world.inventory.get(k, m).name
            for k, m in ((inv.HOST, o.host), (inv.CLUSTER, o.cluster))
            if m
        }
        return property_values(o, names)
