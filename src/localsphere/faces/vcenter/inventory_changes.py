"""The ``com.vmware.vcenter`` operations that change the inventory: datacenters made and deleted,
standalone hosts added, removed, connected and disconnected, resource pools made, changed and
deleted, and a VM's actions on ``POST /api/vcenter/vm[/{vm}]?action=`` (clone, instant-clone,
register; relocate, unregister). Shapes as the 9.1.1.0 bindings declare them (``vcenter_client``);
the world decides (``world.compute_resources``, ``world.vm_placement``)."""

from __future__ import annotations

from typing import Any

from localsphere.faces.vapi.operations import Context, Operation
from localsphere.faces.vapi.types import (
    BOOLEAN,
    LONG,
    SECRET,
    STRING,
    Enum,
    Struct,
    Type,
    map_of,
    optional,
    set_of,
)
from localsphere.faces.vcenter.vm_hardware import NIC_UPDATE, nic_settings
from localsphere.world import World
from localsphere.world.compute_resources import HostSpec
from localsphere.world.facts import HOST_REMOVED
from localsphere.world.inventory import Placement
from localsphere.world.vm_placement import CloneSpec

V = "com.vmware.vcenter"
DC, HOST, POOL, VMS = f"{V}.datacenter", f"{V}.host", f"{V}.resource_pool", f"{V}.VM"
SHARES_INFO = Struct(
    f"{POOL}.shares_info", {"level": Enum(("LOW", "NORMAL", "HIGH", "CUSTOM")), "shares": optional(LONG)}
)
ALLOCATION_INFO = Struct(
    f"{POOL}.resource_allocation_info",
    {"reservation": LONG, "expandable_reservation": BOOLEAN, "limit": LONG, "shares": SHARES_INFO},
)


def _allocation_spec(name: str) -> Struct:
    return Struct(
        f"{POOL}.{name}",
        {
            "reservation": optional(LONG),
            "expandable_reservation": optional(BOOLEAN),
            "limit": optional(LONG),
            "shares": optional(SHARES_INFO),
        },
    )


def _placement(name: str, *fields: str) -> Struct:
    return Struct(f"{VMS}.{name}", {f: optional(STRING) for f in fields})


PLACEMENT_FIELDS = ("folder", "resource_pool", "host", "cluster", "datastore")
POOL_CREATE = Struct(
    f"{POOL}.create_spec",
    {
        "name": STRING,
        "parent": STRING,
        "cpu_allocation": optional(_allocation_spec("resource_allocation_create_spec")),
        "memory_allocation": optional(_allocation_spec("resource_allocation_create_spec")),
    },
)
POOL_UPDATE = Struct(
    f"{POOL}.update_spec",
    {
        "name": optional(STRING),
        "cpu_allocation": optional(_allocation_spec("resource_allocation_update_spec")),
        "memory_allocation": optional(_allocation_spec("resource_allocation_update_spec")),
    },
)
HOST_CREATE = Struct(
    f"{HOST}.create_spec",
    {
        "hostname": STRING,
        "port": optional(LONG),
        "user_name": STRING,
        "password": SECRET,
        "folder": optional(STRING),
        "thumbprint_verification": Enum(("NONE", "THUMBPRINT", "CERTIFICATE")),
        "thumbprint": optional(STRING),
        "ssl_certificate": optional(STRING),
        "force_add": optional(BOOLEAN),
    },
)
DISK_DATASTORE = Struct(f"{VMS}.disk_clone_spec", {"datastore": optional(STRING)})
CLONE = Struct(
    f"{VMS}.clone_spec",
    {
        "source": STRING,
        "name": STRING,
        "placement": optional(_placement("clone_placement_spec", *PLACEMENT_FIELDS)),
        "disks_to_remove": optional(set_of(STRING)),
        "disks_to_update": optional(map_of(STRING, DISK_DATASTORE)),
        "power_on": optional(BOOLEAN),
        "guest_customization_spec": optional(
            Struct(f"{VMS}.guest_customization_spec", {"name": optional(STRING)})
        ),
    },
)
RELOCATE = Struct(
    f"{VMS}.relocate_spec",
    {
        "placement": optional(_placement("relocate_placement_spec", *PLACEMENT_FIELDS)),
        "disks": optional(
            map_of(STRING, Struct(f"{VMS}.disk_relocate_spec", {"datastore": optional(STRING)}))
        ),
    },
)
INSTANT_CLONE = Struct(
    f"{VMS}.instant_clone_spec",
    {
        "source": STRING,
        "name": STRING,
        "placement": optional(
            _placement("instant_clone_placement_spec", "folder", "resource_pool", "datastore")
        ),
        "nics_to_update": optional(map_of(STRING, NIC_UPDATE)),
        "disconnect_all_nics": optional(BOOLEAN),
        "parallel_ports_to_update": optional(map_of(STRING, Type())),
        "serial_ports_to_update": optional(map_of(STRING, Type())),
        "bios_uuid": optional(STRING),
    },
)
REGISTER = Struct(
    f"{VMS}.register_spec",
    {
        "datastore": optional(STRING),
        "path": optional(STRING),
        "datastore_path": optional(STRING),
        "name": optional(STRING),
        "placement": optional(
            _placement("register_placement_spec", "folder", "resource_pool", "host", "cluster")
        ),
    },
)


def placement(given: dict[str, Any] | None) -> Placement:
    """A world placement from a ``*PlacementSpec``."""
    p = given or {}
    return Placement(
        p.get("folder"), p.get("resource_pool"), p.get("host"), p.get("cluster"), p.get("datastore")
    )


def allocations(spec: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    return {"cpu": spec["cpu_allocation"], "memory": spec["memory_allocation"]}


def operations(world: World) -> list[Operation]:
    compute = world.compute_resources
    vms = world.vm_placement

    def create_host(context: Context, given: dict[str, Any]) -> str:
        s = given["spec"]
        spec = HostSpec(
            s["hostname"],
            s["user_name"],
            s["password"],
            s["folder"],
            s["thumbprint_verification"],
            s["thumbprint"],
            s["ssl_certificate"],
            s["port"],
            bool(s["force_add"]),
        )
        return compute.add_host(context.caller, spec)

    def remove_host(context: Context, given: dict[str, Any]) -> None:
        """The host gone, recorded as vCenter records it (the SOAP face's ``HostRemovedEvent``)."""
        removed = world.facts.fact(HOST_REMOVED, given["host"])
        compute.remove_host(given["host"])
        world.facts.note(context.caller.principal, [removed])

    def clone(context: Context, given: dict[str, Any]) -> str:
        s = given["spec"]
        moves = s["disks_to_update"] or {}
        spec = CloneSpec(
            s["source"],
            s["name"],
            placement(s["placement"]),
            frozenset(s["disks_to_remove"] or ()),
            tuple((k, v["datastore"]) for k, v in moves.items() if v["datastore"]),
            bool(s["power_on"]),
            (s["guest_customization_spec"] or {}).get("name"),
        )
        return vms.clone(context.caller, spec)

    def instant_clone(context: Context, given: dict[str, Any]) -> str:
        s = given["spec"]
        nics = {k: nic_settings(v) for k, v in (s["nics_to_update"] or {}).items()}
        return vms.instant_clone(
            context.caller,
            s["source"],
            s["name"],
            placement(s["placement"]),
            nics,
            bool(s["disconnect_all_nics"]),
            s["bios_uuid"],
        )

    def register(context: Context, given: dict[str, Any]) -> str:
        s = given["spec"]
        return vms.register(
            context.caller,
            s["datastore"],
            s["path"],
            s["datastore_path"],
            s["name"],
            placement(s["placement"]),
        )

    def relocate(context: Context, given: dict[str, Any]) -> None:
        s = given["spec"]
        disks = {k: v["datastore"] for k, v in (s["disks"] or {}).items() if v["datastore"]}
        vms.relocate(context.caller, given["vm"], placement(s["placement"]), disks)

    def creating(
        service: str, path: str, spec: Struct, run: Any, output: Type = STRING, **more: Any
    ) -> Operation:
        """A creation: its privileges are checked by the world on the objects the spec names."""
        return Operation(
            service,
            more.pop("name", "create"),
            "POST",
            path,
            {"spec": spec},
            output,
            run,
            body="spec",
            write=True,
            **more,
        )

    def on(
        service: str, name: str, method: str, path: str, param: str, run: Any, privilege: str, **more: Any
    ) -> Operation:
        """An operation on the object ``param`` names, with the privilege it needs there."""
        params = {param: STRING, **more.pop("params", {})}
        return Operation(service, name, method, path, params, None, run, privilege, param, write=True, **more)

    vm_path = "/vcenter/vm/{vm}"
    pool_path = "/vcenter/resource-pool/{resource_pool}"
    return [
        creating(
            DC,
            "/vcenter/datacenter",
            Struct(f"{DC}.create_spec", {"name": STRING, "folder": optional(STRING)}),
            lambda c, g: compute.create_datacenter(c.caller, g["spec"]["name"], g["spec"]["folder"]),
            status=201,
        ),
        on(
            DC,
            "delete",
            "DELETE",
            "/vcenter/datacenter/{datacenter}",
            "datacenter",
            lambda _, g: compute.delete_datacenter(g["datacenter"], bool(g["force"])),
            "Datacenter.Delete",
            params={"force": optional(BOOLEAN)},
        ),
        creating(HOST, "/vcenter/host", HOST_CREATE, create_host, status=201),
        on(
            HOST,
            "delete",
            "DELETE",
            "/vcenter/host/{host}",
            "host",
            remove_host,
            "Host.Inventory.RemoveHostFromCluster",
        ),
        *(
            on(
                HOST,
                action,
                "POST",
                f"/vcenter/host/{{host}}/{action}",
                "host",
                lambda _, g, up=(action == "connect"): compute.connect_host(g["host"], up),
                "Host.Config.Connection",
            )
            for action in ("connect", "disconnect")
        ),
        creating(
            POOL,
            "/vcenter/resource-pool",
            POOL_CREATE,
            lambda c, g: compute.create_pool(
                c.caller, g["spec"]["name"], g["spec"]["parent"], allocations(g["spec"])
            ),
            status=201,
        ),
        on(
            POOL,
            "update",
            "PATCH",
            pool_path,
            "resource_pool",
            lambda _, g: compute.update_pool(g["resource_pool"], g["spec"]["name"], allocations(g["spec"])),
            "Resource.EditPool",
            params={"spec": POOL_UPDATE},
            body="spec",
        ),
        on(
            POOL,
            "delete",
            "DELETE",
            pool_path,
            "resource_pool",
            lambda _, g: compute.delete_pool(g["resource_pool"]),
            "Resource.DeletePool",
        ),
        creating(VMS, "/vcenter/vm", CLONE, clone, name="clone", action="clone"),
        creating(
            VMS, "/vcenter/vm", INSTANT_CLONE, instant_clone, name="instant_clone", action="instant-clone"
        ),
        creating(VMS, "/vcenter/vm", REGISTER, register, name="register", action="register"),
        on(
            VMS,
            "relocate",
            "POST",
            vm_path,
            "vm",
            relocate,
            "Resource.ColdMigrate",
            params={"spec": RELOCATE},
            body="spec",
            action="relocate",
        ),
        on(
            VMS,
            "unregister",
            "POST",
            vm_path,
            "vm",
            lambda _, g: vms.unregister(g["vm"]),
            "VirtualMachine.Inventory.Unregister",
            action="unregister",
        ),
    ]
