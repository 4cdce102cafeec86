"""How Operations names and shows the world's inventory: its adapter kinds and resource kinds, each
inventory object as a resource of the VMWARE adapter, and the relationships between them."""

from __future__ import annotations

from typing import Any

from localsphere.world import inventory as inv
from localsphere.world.inventory import ObjectView
from localsphere.world.metric_keys import StatKey
from localsphere.world.metrics import badge_scores

VMWARE = "VMWARE"
SELF_MONITORING = "vCenter Operations Adapter"
VCENTER_KIND = "VMwareAdapter Instance"
VCENTER_NAME = "vcenter.localsphere.test"
ADAPTERS = {
    VMWARE: {
        "key": VMWARE,
        "name": "vCenter Adapter",
        "description": "VMware vCenter Adapter",
        "adapterKindType": "GENERAL",
        "describeVersion": 100,
    },
    SELF_MONITORING: {
        "key": SELF_MONITORING,
        "name": "vCenter Operations Adapter",
        "description": "vC Ops Adapter for self-monitoring",
        "adapterKindType": "GENERAL",
        "describeVersion": 101,
    },
}
# world kind -> resource kind of the VMWARE adapter; the root folder is the vCenter itself
KINDS = {
    inv.DATACENTER: "Datacenter",
    inv.CLUSTER: "ClusterComputeResource",
    inv.HOST: "HostSystem",
    inv.POOL: "ResourcePool",
    inv.DATASTORE: "Datastore",
    inv.VM: "VirtualMachine",
    inv.FOLDER: "Folder",
}
WORLD_KINDS = {v: k for k, v in KINDS.items()} | {VCENTER_KIND: inv.VCENTER}
# Kinds the adapters describe that the world has no objects of (yet).
RESOURCE_KINDS = {
    VMWARE: [
        VCENTER_KIND,
        *KINDS.values(),
        "VmwareDistributedVirtualSwitch",
        "DistributedVirtualPortgroup",
        "StoragePod",
    ],
    SELF_MONITORING: [
        "vC-Ops-Cluster",
        "vC-Ops-Node",
        "vC-Ops-Analytics",
        "vC-Ops-Collector",
        "vC-Ops-Suite-API",
        "vC-Ops-Persistence",
    ],
}
_VM_IDS = ("VMEntityObjectID", "VMEntityVCID", "VMEntityName")
IDENTIFIERS = {
    "VirtualMachine": _VM_IDS,
    "HostSystem": _VM_IDS,
    VCENTER_KIND: ("VCURL", "VMEntityVCID"),
}
_UNIQUE = {"VMEntityObjectID", "VMEntityVCID", "VCURL"}
# Properties Operations collects for each resource kind.
PROPERTIES = {
    "VirtualMachine": (
        ("config|name", "Name"),
        ("config|guestFullName", "Guest OS"),
        ("config|hardware|numCpu", "Number of CPUs"),
        ("config|hardware|memoryKB", "Memory (KB)"),
        ("summary|runtime|powerState", "Power state"),
        ("summary|parentHost", "Host"),
    ),
    "HostSystem": (
        ("config|name", "Name"),
        ("hardware|cpuInfo|numCpuCores", "CPU cores"),
        ("hardware|memorySize", "Memory (KB)"),
        ("summary|parentCluster", "Cluster"),
    ),
}


def adapter(key: str) -> dict[str, Any]:
    return {**ADAPTERS[key], "identifiers": [], "resourceKinds": RESOURCE_KINDS[key]}


def identifier_types(kind: str) -> list[dict[str, Any]]:
    return [
        {"name": n, "dataType": "STRING", "isPartOfUniqueness": n in _UNIQUE}
        for n in IDENTIFIERS.get(kind, ("VMEntityObjectID",))
    ]


def resource_kind(adapter_key: str, kind: str) -> dict[str, Any]:
    return {
        "key": kind,
        "name": kind,
        "adapterKind": adapter_key,
        "adapterKindName": ADAPTERS[adapter_key]["name"],
        "resourceKindType": "ADAPTER_INSTANCE" if kind == VCENTER_KIND else "GENERAL",
        "resourceKindSubType": "NONE",
        "resourceIdentifierTypes": identifier_types(kind),
    }


def attribute(key: str, description: str, unit: str, is_property: bool) -> dict[str, Any]:
    """A resource kind's stat key or property. ``dataType2`` says FLOAT for metrics; the deprecated
    ``dataType``, whose enumeration has no FLOAT, says INTEGER for them, as the spec's examples
    of stat keys do."""
    return {
        "key": key,
        "description": description,
        "defaultMonitored": True,
        "rollupType": "LATEST" if is_property else "AVG",
        "instanceType": "INSTANCED",
        "unit": unit,
        "dataType": "STRING" if is_property else "INTEGER",
        "dataType2": "STRING" if is_property else "FLOAT",
        "monitoring": True,
        "property": is_property,
    }


def stat_attributes(keys: tuple[StatKey, ...]) -> list[dict[str, Any]]:
    return [attribute(k.key, k.description, k.unit, False) for k in keys]


def property_attributes(kind: str) -> list[dict[str, Any]]:
    return [attribute(key, text, "", True) for key, text in PROPERTIES.get(kind, ())]


def kind_of(o: ObjectView) -> str:
    return VCENTER_KIND if o.moid == inv.ROOT_FOLDER else KINDS[o.kind]


def health(o: ObjectView) -> tuple[str, float]:
    """A powered-off VM, or a disconnected host, collects nothing, so Operations shows it grey;
    everything else is healthy. The score is the world's ``badge|health``."""
    score = badge_scores(o)[0]
    return ("GREY" if score < 0 else "GREEN"), score


def status(o: ObjectView, color: str) -> str:
    """How the adapter collects it: data coming in, or none (a disconnected host sends none; a
    powered-off VM is watched through its host)."""
    if color != "GREY":
        return "DATA_RECEIVING"
    return "NO_DATA_RECEIVING" if o.kind == inv.HOST else "NO_PARENT_MONITORING"


def resource(o: ObjectView, vcenter: str) -> dict[str, Any]:
    """``vcenter``: the id of the vCenter the object belongs to (the world's root folder's uuid)."""
    kind = kind_of(o)
    name = VCENTER_NAME if kind == VCENTER_KIND else o.name
    values = {
        "VMEntityObjectID": o.moid,
        "VMEntityVCID": vcenter,
        "VMEntityName": name,
        "VCURL": f"https://{VCENTER_NAME}/sdk",
    }
    color, score = health(o)
    _, risk, efficiency = badge_scores(o)
    return {
        "creationTime": int(o.created_at * 1000),
        "resourceKey": {
            "name": name,
            "adapterKindKey": VMWARE,
            "resourceKindKey": kind,
            "resourceIdentifiers": [
                {"identifierType": t, "value": values[t["name"]]} for t in identifier_types(kind)
            ],
        },
        "resourceStatusStates": [
            {
                "adapterInstanceId": vcenter,
                "resourceState": "STARTED",
                "resourceStatus": status(o, color),
                "statusMessage": "",
            }
        ],
        "resourceHealth": color,
        "resourceHealthValue": score,
        "dtEnabled": True,
        "badges": [
            {"type": "HEALTH", "color": color, "score": score},
            {"type": "RISK", "color": color, "score": risk},
            {"type": "EFFICIENCY", "color": color, "score": efficiency},
        ],
        "relatedResources": [],
        "identifier": o.uuid,
    }
