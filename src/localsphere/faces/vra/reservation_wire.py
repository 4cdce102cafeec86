"""The reservation service's JSON: reservations with their ``extensionData`` (entries of typed
values: ``{"type": "integer"|"boolean"|"string", "value"}`` literals, ``entityRef``
``{componentId, classId, id, label}``, ``complex`` ``{componentTypeId, componentId, classId,
typeFilter, values: {entries}}`` and ``multiple`` ``{elementTypeId, items}``), reservation
types, their schemas and permissible values, and reservation policies. Sources: the 6.2
Programming Guide's "Working with Reservations" and "Working with Reservation Policies" (field
ids, type classes, schema ids), and public scripts' vSphere reservation bodies for the nesting
(docs/research/vra-reservations.md)."""

from __future__ import annotations

from typing import Any

from localsphere.faces.vra.errors import WireError
from localsphere.faces.vra.wire import json_object, text_field
from localsphere.world.listing import Choice
from localsphere.world.reservations import (
    AMAZON,
    VCLOUD,
    VSPHERE,
    NetworkSpec,
    PolicyView,
    ReservationSpec,
    ReservationView,
    StorageSpec,
)

Json = dict[str, Any]
SERVICE = "com.vmware.csp.iaas.blueprint.service"
POLICY_TYPE = "Infrastructure.Reservation.Policy.ComputeResource"
# schema class id -> (world kind, name, category)
TYPES = {
    "Infrastructure.Reservation.Virtual.vSphere": (VSPHERE, "vSphere", "Virtual"),
    "Infrastructure.Reservation.Cloud.vCloud": (VCLOUD, "vCloud", "Cloud"),
    "Infrastructure.Reservation.Cloud.Amazon": (AMAZON, "Amazon", "Cloud"),
}
TYPE_OF = {kind: type_id for type_id, (kind, _, _) in TYPES.items()}
ALERTS = ("storage", "memory", "cpu", "machine")
# The complex values' type classes, one set for vSphere and vCloud (Guide 6.2 p. 205's and p. 238's
# vCloud tables; 7.x p. 128's vSphere table names the same classes).
MEMORY_CLASS, STORAGE_CLASS, NETWORK_CLASS = (
    "Infrastructure.Reservation.Memory",
    "Infrastructure.Reservation.Storage",
    "Infrastructure.Reservation.Network",
)
# The extension fields each type has: (field id, label, type kind, class id, depends on the compute resource)
_COMMON = (
    ("computeResource", "Compute Resource", "ref", "ComputeResource", False),
    ("machineQuota", "Machine Quota", "INTEGER", None, False),
)
FIELDS = {
    VSPHERE: (
        *_COMMON,
        ("resourcePool", "Resource Pool", "ref", "ResourcePools", True),
        ("reservationMemory", "Memory", "complex", MEMORY_CLASS, True),
        ("reservationStorages", "Storage", "complex", STORAGE_CLASS, True),
        ("reservationNetworks", "Network", "complex", NETWORK_CLASS, True),
    ),
    VCLOUD: (
        *_COMMON,
        ("allocationModel", "Allocation Model", "INTEGER", None, False),
        ("reservationMemory", "Memory", "complex", MEMORY_CLASS, False),
        ("reservationStorages", "Storage", "complex", STORAGE_CLASS, True),
        ("reservationNetworks", "Network", "complex", NETWORK_CLASS, True),
    ),
    AMAZON: (
        *_COMMON,
        ("keyPair", "Key Pair", "ref", "KeyPair", True),
    ),
}
MULTIPLE = ("reservationStorages", "reservationNetworks")


def literal(kind: str, value: Any) -> Json:
    return {"type": kind, "value": value}


def ref(class_id: str, ref_id: str, label: str | None) -> Json:
    return {"type": "entityRef", "componentId": None, "classId": class_id, "id": ref_id, "label": label}


def complex_value(class_id: str, entries: list[Json]) -> Json:
    return {
        "type": "complex",
        "componentTypeId": SERVICE,
        "componentId": None,
        "classId": class_id,
        "typeFilter": None,
        "values": {"entries": entries},
    }


def entry(key: str, value: Json) -> Json:
    return {"key": key, "value": value}


def _class(kind: str, field: str) -> str:
    return next(f[3] for f in FIELDS[kind] if f[0] == field)


def storage_value(
    kind: str, target: str, label: str | None, size_gb: int, priority: int, enabled: bool
) -> Json:
    return complex_value(
        _class(kind, "reservationStorages"),
        [
            entry("storagePath", ref("storagePath", target, label)),
            entry("storageReservedSizeGB", literal("integer", size_gb)),
            entry("storageReservationPriority", literal("integer", priority)),
            entry("storageEnabled", literal("boolean", enabled)),
        ],
    )


def network_value(
    kind: str, target: str, label: str | None, profile: str | None, profile_label: str | None
) -> Json:
    entries = [entry("networkPath", ref("Network", target, label))]
    if profile:
        entries.append(entry("networkProfile", ref("networkProfile", profile, profile_label)))
    return complex_value(_class(kind, "reservationNetworks"), entries)


def reservation(view: ReservationView) -> Json:
    labels = view.labels
    entries = [
        entry("computeResource", ref("ComputeResource", view.target, labels.get(view.target))),
        entry("machineQuota", literal("integer", view.machine_quota)),
    ]
    if view.resource_pool:
        entries.append(
            entry("resourcePool", ref("ResourcePools", view.resource_pool, labels.get(view.resource_pool)))
        )
    if view.kind != AMAZON or view.memory_mb:
        memory = [entry("memoryReservedSizeMb", literal("integer", view.memory_mb))]
        entries.append(
            entry("reservationMemory", complex_value(_class(view.kind, "reservationMemory"), memory))
        )
    if view.storages:
        items = [
            storage_value(view.kind, st.target, labels.get(st.target), st.size_gb, st.priority, st.enabled)
            for st in view.storages
        ]
        entries.append(
            entry("reservationStorages", {"type": "multiple", "elementTypeId": "COMPLEX", "items": items})
        )
    if view.networks:
        items = [
            network_value(
                view.kind, n.target, labels.get(n.target), n.profile_id, labels.get(n.profile_id or "")
            )
            for n in view.networks
        ]
        entries.append(
            entry("reservationNetworks", {"type": "multiple", "elementTypeId": "COMPLEX", "items": items})
        )
    if view.key_pair_id:
        entries.append(entry("keyPair", ref("KeyPair", view.key_pair_id, labels.get(view.key_pair_id))))
    entries += [entry(k, v) for k, v in view.extra.items()]
    return {
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "reservationTypeId": TYPE_OF[view.kind],
        "tenantId": view.tenant,
        "subTenantId": view.subtenant_id,
        "enabled": view.enabled,
        "priority": view.priority,
        "reservationPolicyId": view.policy_id,
        "alertPolicy": view.alert_policy,
        "extensionData": {"entries": entries},
    }


def reservation_type(type_id: str) -> Json:
    _, name, category = TYPES[type_id]
    return {
        "@type": "ReservationType",
        "id": type_id,
        "name": name,
        "description": f"{name} reservation",
        "category": category,
        "serviceTypeId": SERVICE,
        "schemaClassId": type_id,
        "alertTypes": [{"id": a, "name": a.capitalize(), "referenceResourceId": a} for a in ALERTS],
    }


def kind_of(type_id: str) -> str:
    """The world's kind of a reservation type id; WireError for an unknown one."""
    found = TYPES.get(type_id)
    if found is None:
        raise WireError(
            "reservationTypeId", f"reservationTypeId {type_id!r} is not a supported reservation type."
        )
    return found[0]


def schema(type_id: str, full: bool) -> Json:
    """A reservation type's schema: its extension fields (``full``: with the fields of each
    complex type's class)."""
    kind = kind_of(type_id)
    fields = []
    for field_id, label, data, class_id, depends in FIELDS[kind]:
        if data == "ref":
            data_type: Json = {
                "type": "ref",
                "componentTypeId": SERVICE,
                "componentId": None,
                "classId": class_id,
                "typeFilter": None,
                "label": label,
            }
        elif data == "complex":
            data_type = {
                "type": "complex",
                "componentTypeId": SERVICE,
                "componentId": None,
                "classId": class_id,
                "typeFilter": None,
                "label": label,
            }
            if full:
                data_type["fields"] = _complex_fields(field_id)
        else:
            data_type = {"type": "primitive", "typeId": data}
        fields.append(
            {
                "id": field_id,
                "label": label,
                "description": None,
                "dataType": data_type,
                "displayAdvice": "DATA_TABLE" if field_id in MULTIPLE else None,
                "permissibleValues": {
                    "type": "dynamic",
                    "customAllowed": False,
                    "dependencies": ["computeResource"] if depends else [],
                }
                if data in ("ref", "complex")
                else None,
                "state": {"dependencies": [], "facets": []},
                "isMultiValued": field_id in MULTIPLE,
            }
        )
    return {"fields": fields}


def _complex_fields(field_id: str) -> list[Json]:
    primitive = {
        "reservationMemory": (("memoryReservedSizeMb", "INTEGER"),),
        "reservationStorages": (
            ("storagePath", "ref"),
            ("storageReservedSizeGB", "INTEGER"),
            ("storageReservationPriority", "INTEGER"),
            ("storageEnabled", "BOOLEAN"),
        ),
        "reservationNetworks": (("networkPath", "ref"), ("networkProfile", "ref")),
    }[field_id]
    return [
        {
            "id": name,
            "label": name,
            "dataType": {"type": "ref", "classId": name}
            if data == "ref"
            else {"type": "primitive", "typeId": data},
            "isMultiValued": False,
        }
        for name, data in primitive
    ]


def value_choices(kind: str, field_id: str, choices: list[Choice]) -> Json:
    """The permissible values of a field: ``{"values": [{"underlyingValue", "label"}]}``."""
    values = []
    for c in choices:
        if field_id == "reservationStorages":
            underlying = storage_value(kind, c.id, c.name, 0, 0, True)
            underlying["values"]["entries"] += [
                entry("storageTotalSizeGB", literal("integer", c.capacity_gb)),
                entry("storageFreeSizeGB", literal("integer", c.free_gb)),
            ]
        elif field_id == "reservationNetworks":
            underlying = network_value(kind, c.id, c.name, None, None)
        else:
            class_id = next(f[3] for f in FIELDS[kind] if f[0] == field_id)
            underlying = ref(class_id, c.id, c.name)
        values.append({"underlyingValue": underlying, "label": c.name})
    return {"values": values}


def dependency(body: Any, field: str = "computeResource") -> str | None:
    """The id a values request's ``dependencyValues`` gives ``field``, if any."""
    if body is None:
        return None
    found = _entries(json_object(body).get("dependencyValues") or {"entries": []}, "dependencyValues")
    value = found.get(field)
    return _ref_id(value, field) if value is not None else None


def policy(view: PolicyView) -> Json:
    return {
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "tenantId": view.tenant,
        "reservationPolicyTypeId": POLICY_TYPE,
    }


def policy_spec(body: Any, tenant: str) -> tuple[str, str | None]:
    """A reservation policy body: its name and description. WireError for another tenant's
    ``tenantId`` or another type."""
    fields = json_object(body)
    own_tenant(fields, tenant)
    kind = fields.get("reservationPolicyTypeId")
    if kind is not None and kind != POLICY_TYPE:
        raise WireError("reservationPolicyTypeId", f"reservationPolicyTypeId must be {POLICY_TYPE}.")
    return text_field(fields, "name") or "", text_field(fields, "description", required=False)


def own_tenant(fields: Json, tenant: str) -> None:
    """WireError when a body's ``tenantId`` names another tenant than the caller's."""
    tenant_id = fields.get("tenantId")
    if tenant_id is not None and (not isinstance(tenant_id, str) or tenant_id.lower() != tenant.lower()):
        raise WireError("tenantId", "tenantId must be the tenant you are signed in to.")


def same_id(body: Any, path_id: str) -> None:
    """WireError when a PUT body's ``id`` names another object than the path."""
    given = body.get("id") if isinstance(body, dict) else None
    if given is not None and given != path_id:
        raise WireError("id", "id must be the id in the path.")


# Readers of the reservation body.


def _entries(value: Any, field: str) -> dict[str, Any]:
    """``{"entries": [{"key", "value"}]}`` as a dict (a key given twice: the last one)."""
    if not isinstance(value, dict) or not isinstance(value.get("entries"), list):
        raise WireError(field, f"{field} must be an object with a list of entries.")
    found = {}
    for item in value["entries"]:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("key"), str)
            or not isinstance(item.get("value"), dict)
        ):
            raise WireError(field, f"Each entry of {field} must have a key and a typed value.")
        found[item["key"]] = item["value"]
    return found


def _ref_id(value: Any, field: str) -> str:
    if (
        not isinstance(value, dict)
        or value.get("type") != "entityRef"
        or not isinstance(value.get("id"), (str, int))
    ):
        raise WireError(field, f"{field} must be an entityRef with an id.")
    return str(value["id"])


def _integer(value: Any, field: str) -> int:
    number = value.get("value") if isinstance(value, dict) else None
    if (
        not isinstance(value, dict)
        or value.get("type") != "integer"
        or isinstance(number, bool)
        or not isinstance(number, int)
    ):
        raise WireError(field, f"{field} must be an integer value.")
    return number


def _boolean(value: Any, field: str) -> bool:
    if (
        not isinstance(value, dict)
        or value.get("type") != "boolean"
        or not isinstance(value.get("value"), bool)
    ):
        raise WireError(field, f"{field} must be a boolean value.")
    return value["value"]


def _complex(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("type") != "complex":
        raise WireError(field, f"{field} must be a complex value.")
    return _entries(value.get("values"), field)


def _items(value: Any, field: str) -> list[dict[str, Any]]:
    if (
        not isinstance(value, dict)
        or value.get("type") != "multiple"
        or not isinstance(value.get("items"), list)
    ):
        raise WireError(field, f"{field} must be a multiple value with items.")
    return [_complex(item, field) for item in value["items"]]


def _number(fields: Json, field: str, default: int) -> int:
    value = fields.get(field, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise WireError(field, f"{field} must be a whole number.")
    return value


_KNOWN = {
    "computeResource",
    "machineQuota",
    "resourcePool",
    "reservationMemory",
    "reservationStorages",
    "reservationNetworks",
    "keyPair",
}


def reservation_spec(body: Any, tenant: str) -> ReservationSpec:
    """A reservation body: its common fields and its ``extensionData``. WireError for what is
    missing or of the wrong shape; the world checks what the ids name and the quotas' ranges."""
    fields = json_object(body)
    own_tenant(fields, tenant)
    kind = kind_of(text_field(fields, "reservationTypeId") or "")
    enabled = fields.get("enabled", True)
    if not isinstance(enabled, bool):
        raise WireError("enabled", "enabled must be true or false.")
    alert = fields.get("alertPolicy")
    if alert is not None and not isinstance(alert, dict):
        raise WireError("alertPolicy", "alertPolicy must be an object.")
    extension = _entries(fields.get("extensionData"), "extensionData")
    if "computeResource" not in extension:
        raise WireError("computeResource", "extensionData must name the computeResource.")
    memory = 0
    if "reservationMemory" in extension:
        entries = _complex(extension["reservationMemory"], "reservationMemory")
        if "memoryReservedSizeMb" not in entries:
            raise WireError("reservationMemory", "reservationMemory must give memoryReservedSizeMb.")
        memory = _integer(entries["memoryReservedSizeMb"], "memoryReservedSizeMb")
    elif kind != AMAZON:
        raise WireError("reservationMemory", "extensionData must give the reservationMemory.")
    storages = []
    for item in (
        _items(extension["reservationStorages"], "reservationStorages")
        if "reservationStorages" in extension
        else []
    ):
        if "storagePath" not in item or "storageReservedSizeGB" not in item:
            raise WireError(
                "reservationStorages", "Each storage must give storagePath and storageReservedSizeGB."
            )
        priority = item.get("storageReservationPriority")
        enabled_storage = item.get("storageEnabled")
        storages.append(
            StorageSpec(
                _ref_id(item["storagePath"], "storagePath"),
                _integer(item["storageReservedSizeGB"], "storageReservedSizeGB"),
                _integer(priority, "storageReservationPriority") if priority is not None else 0,
                _boolean(enabled_storage, "storageEnabled") if enabled_storage is not None else True,
            )
        )
    networks = []
    for item in (
        _items(extension["reservationNetworks"], "reservationNetworks")
        if "reservationNetworks" in extension
        else []
    ):
        path = item.get("networkPath", item.get("reservationNetworkPath"))
        if path is None:
            raise WireError("reservationNetworks", "Each network must give its networkPath.")
        profile = item.get("networkProfile")
        networks.append(
            NetworkSpec(_ref_id(path, "networkPath"), _ref_id(profile, "networkProfile") if profile else None)
        )
    pool = extension.get("resourcePool")
    key_pair = extension.get("keyPair")
    quota = extension.get("machineQuota")
    return ReservationSpec(
        name=text_field(fields, "name") or "",
        kind=kind,
        subtenant_id=text_field(fields, "subTenantId") or "",
        target=_ref_id(extension["computeResource"], "computeResource"),
        priority=_number(fields, "priority", 0),
        enabled=enabled,
        memory_mb=memory,
        machine_quota=_integer(quota, "machineQuota") if quota is not None else 0,
        description=text_field(fields, "description", required=False),
        policy_id=text_field(fields, "reservationPolicyId", required=False),
        resource_pool=_ref_id(pool, "resourcePool") if pool is not None else None,
        storages=tuple(storages),
        networks=tuple(networks),
        key_pair_id=_ref_id(key_pair, "keyPair") if key_pair is not None else None,
        alert_policy=alert,
        extra={k: v for k, v in extension.items() if k not in _KNOWN},
    )
