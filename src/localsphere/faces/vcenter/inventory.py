"""``com.vmware.vcenter`` inventory: list and get for datacenters, clusters, hosts, datastores,
networks, folders, resource pools and VMs; VM create and delete; VM power."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localsphere.faces.vapi.errors import vapi_error
from localsphere.faces.vapi.operations import Context, Operation
from localsphere.faces.vapi.types import (
    BOOLEAN,
    LONG,
    STRING,
    Enum,
    Struct,
    Type,
    list_of,
    map_of,
    optional,
    set_of,
)
from localsphere.faces.vcenter import inventory_changes as changes
from localsphere.faces.vcenter import vm_guest
from localsphere.faces.vcenter import vm_hardware as hardware
from localsphere.world import World
from localsphere.world import inventory as inv
from localsphere.world.errors import NotFound
from localsphere.world.inventory import Filter, ObjectView
from localsphere.world.vm_hardware import bios_uuid

V = "com.vmware.vcenter"
MAX_RESULTS = 4000  # vCenter refuses a list longer than this: narrow the filter
# A list's own limit, where it has one below MAX_RESULTS (the vSphere Automation API reference).
LIMITS = {"host": 2500, "datastore": 2500, "network": 1000, "folder": 1000, "resource_pool": 1000}
LIMITS |= {"cluster": 1000, "datacenter": 1000}
IDS = optional(set_of(STRING))
POWER_STATES = Enum(("POWERED_OFF", "POWERED_ON", "SUSPENDED"))
CONNECTION_STATES = Enum(("CONNECTED", "DISCONNECTED", "NOT_RESPONDING"))
DATASTORE_TYPES = Enum(("VMFS", "NFS", "NFS41", "CIFS", "VSAN", "VFFS", "VVOL"))
NETWORK_TYPES = Enum(("STANDARD_PORTGROUP", "DISTRIBUTED_PORTGROUP", "OPAQUE_NETWORK"))
FOLDER_TYPES = Enum(("DATACENTER", "DATASTORE", "HOST", "NETWORK", "VIRTUAL_MACHINE"))


def _filter(service: str, **fields: Type) -> Struct:
    return Struct(f"{service}.filter_spec", fields)


def _summary(service: str, **fields: Type) -> Struct:
    return Struct(f"{service}.summary", fields)


def _lister(
    world: World,
    kind: str,
    service: str,
    where: Callable[[dict[str, Any]], Filter],
    render: Callable[[ObjectView], dict[str, Any]],
) -> Callable[[Context, dict[str, Any]], Any]:
    """``service``: the path's last part (``vm``, ``resource_pool``), which names the list's limit
    and its refusal (``com.vmware.api.vcenter.vm.too_many_matches``)."""
    most = LIMITS.get(service, MAX_RESULTS)

    def run(context: Context, given: dict[str, Any]) -> list[dict[str, Any]]:
        found = world.inventory.list(kind, where(given["filter"] or {}), most + 1, context.caller)
        if len(found) > most:
            raise vapi_error(f"list.too_many.{service}")
        return [render(o) for o in found]

    return run


def _getter(
    world: World, kind: str, param: str, render: Callable[[ObjectView], dict[str, Any]]
) -> Callable[[Context, dict[str, Any]], Any]:
    def run(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        return render(world.inventory.get(kind, given[param]))

    return run


# Datacenters, clusters, hosts, datastores, networks, folders, resource pools.

DC = f"{V}.datacenter"
DC_SUMMARY = _summary(DC, datacenter=STRING, name=STRING)
DC_INFO = Struct(
    f"{DC}.info",
    {
        "name": STRING,
        "datastore_folder": STRING,
        "host_folder": STRING,
        "network_folder": STRING,
        "vm_folder": STRING,
    },
)
DC_FILTER = _filter(DC, datacenters=IDS, names=IDS, folders=IDS)
CLUSTER = f"{V}.cluster"
CLUSTER_SUMMARY = _summary(CLUSTER, cluster=STRING, name=STRING, ha_enabled=BOOLEAN, drs_enabled=BOOLEAN)
CLUSTER_INFO = Struct(f"{CLUSTER}.info", {"name": STRING, "resource_pool": STRING})
CLUSTER_FILTER = _filter(CLUSTER, clusters=IDS, names=IDS, folders=IDS, datacenters=IDS)
HOST = f"{V}.host"
HOST_SUMMARY = _summary(
    HOST,
    host=STRING,
    name=STRING,
    connection_state=STRING,
    power_state=optional(STRING),
    host_uuid=optional(STRING),
)
HOST_FILTER = _filter(
    HOST,
    hosts=IDS,
    names=IDS,
    folders=IDS,
    datacenters=IDS,
    standalone=optional(BOOLEAN),
    clusters=IDS,
    connection_states=optional(set_of(CONNECTION_STATES)),
    host_uuids=IDS,
)
DS = f"{V}.datastore"
DS_SUMMARY = _summary(
    DS, datastore=STRING, name=STRING, type=STRING, free_space=optional(LONG), capacity=optional(LONG)
)
DS_INFO = Struct(
    f"{DS}.info",
    {
        "name": STRING,
        "type": STRING,
        "accessible": BOOLEAN,
        "free_space": optional(LONG),
        "multiple_host_access": BOOLEAN,
        "thin_provisioning_supported": BOOLEAN,
    },
)
DS_FILTER = _filter(
    DS, datastores=IDS, names=IDS, types=optional(set_of(DATASTORE_TYPES)), folders=IDS, datacenters=IDS
)
NET = f"{V}.network"
NET_SUMMARY = _summary(NET, network=STRING, name=STRING, type=STRING)
NET_FILTER = _filter(
    NET, networks=IDS, names=IDS, types=optional(set_of(NETWORK_TYPES)), folders=IDS, datacenters=IDS
)
FOLDER = f"{V}.folder"
FOLDER_SUMMARY = _summary(FOLDER, folder=STRING, name=STRING, type=STRING)
FOLDER_FILTER = _filter(
    FOLDER, folders=IDS, names=IDS, type=optional(FOLDER_TYPES), parent_folders=IDS, datacenters=IDS
)
POOL = f"{V}.resource_pool"
POOL_SUMMARY = _summary(POOL, resource_pool=STRING, name=STRING)
POOL_INFO = Struct(
    f"{POOL}.info",
    {
        "name": STRING,
        "resource_pools": set_of(STRING),
        "cpu_allocation": optional(changes.ALLOCATION_INFO),
        "memory_allocation": optional(changes.ALLOCATION_INFO),
    },
)
POOL_FILTER = _filter(
    POOL, resource_pools=IDS, names=IDS, parent_resource_pools=IDS, datacenters=IDS, hosts=IDS, clusters=IDS
)

# Virtual machines.

VMS = f"{V}.VM"
POWER = f"{V}.vm.power"
VM_SUMMARY = _summary(
    VMS, vm=STRING, name=STRING, power_state=STRING, cpu_count=optional(LONG), memory_size_MiB=optional(LONG)
)
VM_FILTER = _filter(
    VMS,
    vms=IDS,
    names=IDS,
    folders=IDS,
    datacenters=IDS,
    hosts=IDS,
    clusters=IDS,
    resource_pools=IDS,
    power_states=optional(set_of(POWER_STATES)),
)
NOTHING = map_of(STRING, Type())  # device kinds the simulation has none of
VM_INFO = Struct(
    f"{VMS}.info",
    {
        "guest_OS": STRING,
        "name": STRING,
        "identity": optional(
            Struct(f"{V}.vm.identity.info", {"name": STRING, "bios_uuid": STRING, "instance_uuid": STRING})
        ),
        "power_state": STRING,
        "instant_clone_frozen": optional(BOOLEAN),
        "hardware": hardware.HARDWARE_INFO,
        "boot": hardware.BOOT_INFO,
        "boot_devices": list_of(hardware.BOOT_DEVICE),
        "cpu": hardware.CPU_INFO,
        "memory": hardware.MEMORY_INFO,
        "disks": map_of(STRING, hardware.DISK_INFO),
        "nics": map_of(STRING, hardware.NIC_INFO),
        "cdroms": map_of(STRING, hardware.CDROM_INFO),
        "floppies": NOTHING,
        "parallel_ports": NOTHING,
        "serial_ports": NOTHING,
        "sata_adapters": map_of(STRING, hardware.SATA_ADAPTER_INFO),
        "scsi_adapters": map_of(STRING, hardware.SCSI_ADAPTER_INFO),
    },
)
# Parts of a VM create spec the world does not simulate: refused when given, never ignored.
UNSIMULATED_DEVICES = (
    "floppies",
    "parallel_ports",
    "serial_ports",
    "sata_adapters",
    "scsi_adapters",
    "nvme_adapters",
)
VM_CREATE = Struct(
    f"{VMS}.create_spec",
    {
        "guest_OS": STRING,
        "name": optional(STRING),
        "placement": optional(
            Struct(
                f"{VMS}.placement_spec",
                {
                    "folder": optional(STRING),
                    "resource_pool": optional(STRING),
                    "host": optional(STRING),
                    "cluster": optional(STRING),
                    "datastore": optional(STRING),
                },
            )
        ),
        "hardware_version": optional(hardware.VERSION),
        "boot": optional(hardware.BOOT_CREATE),
        "cpu": optional(hardware.CPU_UPDATE),
        "memory": optional(hardware.MEMORY_UPDATE),
        "disks": optional(list_of(hardware.DISK_CREATE)),
        "nics": optional(list_of(hardware.NIC_CREATE)),
        "cdroms": optional(list_of(hardware.CDROM_CREATE)),
        "boot_devices": optional(list_of(hardware.BOOT_DEVICE_CREATE)),
        **dict.fromkeys(UNSIMULATED_DEVICES, optional(list_of(Type()))),
        "storage_policy": optional(Struct(f"{VMS}.storage_policy_spec", {"policy": STRING})),
    },
)
POWER_INFO = Struct(f"{POWER}.info", {"state": STRING, "clean_power_off": optional(BOOLEAN)})


def vm_summary(o: ObjectView) -> dict[str, Any]:
    return {
        "vm": o.moid,
        "name": o.name,
        "power_state": o.power_state,
        "cpu_count": o.cpu_count,
        "memory_size_MiB": o.memory_mib,
    }


def vm_info(o: ObjectView) -> dict[str, Any]:
    """A VM's ``vcenter.VM.info``; NOT_FOUND for a template, which vCenter's REST API (7.0 on)
    neither lists nor reads as a VM (vmware_rest issue 165, govmomi issue 3693)."""
    details = o.details
    if details.get("template"):
        raise NotFound("vm.not_found", f"VM with identifier '{o.moid}' does not exist", o.moid)
    return {
        "guest_OS": o.subtype,
        "name": o.name,
        "identity": {"name": o.name, "bios_uuid": bios_uuid(o), "instance_uuid": o.uuid},
        "power_state": o.power_state,
        "instant_clone_frozen": details.get("instant_clone_frozen"),
        **hardware.devices(o),
        "floppies": {},
        "parallel_ports": {},
        "serial_ports": {},
    }


def operations(world: World) -> list[Operation]:
    read = "System.Read"

    def listing(
        service: str,
        path: str,
        kind: str,
        spec: Struct,
        summary: Struct,
        where: Callable[[dict[str, Any]], Filter],
        render: Callable[[ObjectView], dict[str, Any]],
    ) -> Operation:
        return Operation(
            service,
            "list",
            "GET",
            path,
            {"filter": optional(spec)},
            list_of(summary),
            _lister(world, kind, path.rsplit("/", 1)[-1].replace("-", "_"), where, render),
        )

    def getting(
        service: str,
        path: str,
        kind: str,
        param: str,
        info: Struct,
        render: Callable[[ObjectView], dict[str, Any]],
    ) -> Operation:
        return Operation(
            service,
            "get",
            "GET",
            f"{path}/{{{param}}}",
            {param: STRING},
            info,
            _getter(world, kind, param, render),
            privilege=read,
            scope=param,
        )

    def create_vm(context: Context, given: dict[str, Any]) -> str:
        """A VM as its create spec describes it: with a blank 16 GiB disk unless it lists disks, and
        the disks, adapters and drives it lists; a spec the world cannot honour makes no VM."""
        spec = given["spec"]
        unsimulated = [name for name in UNSIMULATED_DEVICES if spec[name]]
        if unsimulated:
            raise vapi_error("vm.devices.unsimulated", ", ".join(unsimulated))
        cpu, memory = spec["cpu"] or {}, spec["memory"] or {}
        vm = world.inventory.create_vm(
            context.caller,
            spec["name"] or "Virtual Machine",
            spec["guest_OS"],
            changes.placement(spec["placement"]),
            cpu.get("count") or 1,
            memory.get("size_MiB") or 1024,
            16 << 30 if spec["disks"] is None else 0,
            spec["hardware_version"],
        )
        try:
            hardware.furnish(world, vm, spec)
        except Exception:
            world.inventory.delete_vm(vm)
            raise
        world.vm_tasks.created(context.caller.principal, vm)
        return vm

    def power(action: str) -> Callable[[Context, dict[str, Any]], None]:
        def run(context: Context, given: dict[str, Any]) -> None:
            world.vm_tasks.power(context.caller.principal, given["vm"], action)

        return run

    def power_info(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        vm = world.inventory.get(inv.VM, given["vm"])
        clean = vm.details.get("clean_power_off", True) if vm.power_state == inv.POWERED_OFF else None
        return {"state": vm.power_state, "clean_power_off": clean}

    vm_path = "/vcenter/vm/{vm}"
    power_path = f"{vm_path}/power"
    power_privileges = {"start": "PowerOn", "stop": "PowerOff", "suspend": "Suspend", "reset": "Reset"}
    return [
        listing(
            DC,
            "/vcenter/datacenter",
            inv.DATACENTER,
            DC_FILTER,
            DC_SUMMARY,
            lambda f: Filter(moids=f.get("datacenters"), names=f.get("names"), folders=f.get("folders")),
            lambda o: {"datacenter": o.moid, "name": o.name},
        ),
        getting(
            DC, "/vcenter/datacenter", inv.DATACENTER, "datacenter", DC_INFO, lambda o: _datacenter(world, o)
        ),
        listing(
            CLUSTER,
            "/vcenter/cluster",
            inv.CLUSTER,
            CLUSTER_FILTER,
            CLUSTER_SUMMARY,
            lambda f: _common(f, "clusters"),
            lambda o: {
                "cluster": o.moid,
                "name": o.name,
                "ha_enabled": o.details.get("ha_enabled", False),
                "drs_enabled": o.details.get("drs_enabled", False),
            },
        ),
        getting(
            CLUSTER,
            "/vcenter/cluster",
            inv.CLUSTER,
            "cluster",
            CLUSTER_INFO,
            lambda o: {"name": o.name, "resource_pool": world.inventory.children(o.moid, inv.POOL)[0]},
        ),
        listing(
            HOST,
            "/vcenter/host",
            inv.HOST,
            HOST_FILTER,
            HOST_SUMMARY,
            lambda f: _host_filter(world, f),
            lambda o: {
                "host": o.moid,
                "name": o.name,
                "connection_state": o.subtype,
                "power_state": o.power_state if o.subtype == "CONNECTED" else None,
                "host_uuid": o.uuid,
            },
        ),
        listing(
            DS,
            "/vcenter/datastore",
            inv.DATASTORE,
            DS_FILTER,
            DS_SUMMARY,
            lambda f: _common(f, "datastores", subtypes=f.get("types")),
            lambda o: {
                "datastore": o.moid,
                "name": o.name,
                "type": o.subtype,
                "free_space": o.free_space,
                "capacity": o.capacity,
            },
        ),
        getting(
            DS,
            "/vcenter/datastore",
            inv.DATASTORE,
            "datastore",
            DS_INFO,
            lambda o: {
                "name": o.name,
                "type": o.subtype,
                "accessible": o.details.get("accessible", True),
                "free_space": o.free_space,
                "multiple_host_access": o.details.get("multiple_host_access", True),
                "thin_provisioning_supported": o.details.get("thin_provisioning", True),
            },
        ),
        listing(
            NET,
            "/vcenter/network",
            inv.NETWORK,
            NET_FILTER,
            NET_SUMMARY,
            lambda f: _common(f, "networks", subtypes=f.get("types")),
            lambda o: {"network": o.moid, "name": o.name, "type": o.subtype},
        ),
        listing(
            FOLDER,
            "/vcenter/folder",
            inv.FOLDER,
            FOLDER_FILTER,
            FOLDER_SUMMARY,
            lambda f: Filter(
                moids=f.get("folders"),
                names=f.get("names"),
                subtypes={f["type"]} if f.get("type") else None,
                parents=f.get("parent_folders"),
                datacenters=f.get("datacenters"),
            ),
            lambda o: {"folder": o.moid, "name": o.name, "type": o.subtype},
        ),
        listing(
            POOL,
            "/vcenter/resource-pool",
            inv.POOL,
            POOL_FILTER,
            POOL_SUMMARY,
            lambda f: _pool_filter(world, f),
            lambda o: {"resource_pool": o.moid, "name": o.name},
        ),
        getting(
            POOL,
            "/vcenter/resource-pool",
            inv.POOL,
            "resource_pool",
            POOL_INFO,
            lambda o: _pool(world, o),
        ),
        listing(
            VMS,
            "/vcenter/vm",
            inv.VM,
            VM_FILTER,
            VM_SUMMARY,
            lambda f: _common(
                f,
                "vms",
                hosts=f.get("hosts"),
                clusters=f.get("clusters"),
                pools=f.get("resource_pools"),
                power_states=f.get("power_states"),
                templates=False,
            ),
            vm_summary,
        ),
        getting(VMS, "/vcenter/vm", inv.VM, "vm", VM_INFO, vm_info),
        Operation(
            VMS,
            "create",
            "POST",
            "/vcenter/vm",
            {"spec": VM_CREATE},
            STRING,
            create_vm,
            body="spec",
            status=201,
            write=True,
        ),
        Operation(
            VMS,
            "delete",
            "DELETE",
            vm_path,
            {"vm": STRING},
            None,
            lambda context, given: world.vm_tasks.delete(context.caller.principal, given["vm"]),
            privilege="VirtualMachine.Inventory.Delete",
            scope="vm",
            write=True,
        ),
        Operation(
            POWER,
            "get",
            "GET",
            power_path,
            {"vm": STRING},
            POWER_INFO,
            power_info,
            privilege=read,
            scope="vm",
        ),
        *(
            Operation(
                POWER,
                action,
                "POST",
                power_path,
                {"vm": STRING},
                None,
                power(action),
                action=action,
                privilege=f"VirtualMachine.Interact.{privilege}",
                scope="vm",
                write=True,
            )
            for action, privilege in power_privileges.items()
        ),
        *hardware.operations(world),
        *vm_guest.operations(world),
        *changes.operations(world),
    ]


def _common(f: dict[str, Any], ids: str, **more: Any) -> Filter:
    """The filter fields most inventory lists share: their own ids, names, folders and datacenters."""
    return Filter(
        moids=f.get(ids),
        names=f.get("names"),
        folders=f.get("folders"),
        datacenters=f.get("datacenters"),
        **more,
    )


def _pool(world: World, o: ObjectView) -> dict[str, Any]:
    allocations = world.compute_resources.allocations(o.moid)
    return {
        "name": o.name,
        "resource_pools": set(world.inventory.children(o.moid, inv.POOL)),
        "cpu_allocation": allocations["cpu"],
        "memory_allocation": allocations["memory"],
    }


def _datacenter(world: World, o: ObjectView) -> dict[str, Any]:
    folders = {f.subtype: f.moid for f in world.inventory.list(inv.FOLDER, Filter(parents={o.moid}), 10)}
    return {
        "name": o.name,
        "datastore_folder": folders["DATASTORE"],
        "host_folder": folders["HOST"],
        "network_folder": folders["NETWORK"],
        "vm_folder": folders["VIRTUAL_MACHINE"],
    }


def _host_filter(world: World, f: dict[str, Any]) -> Filter:
    """``standalone``: hosts right in a host folder (True) or in a cluster (False)."""
    clusters, parents = f.get("clusters"), None
    if f.get("standalone") is True:
        host_folders = world.inventory.list(inv.FOLDER, Filter(subtypes={"HOST"}), MAX_RESULTS)
        parents = {o.moid for o in host_folders}
    elif f.get("standalone") is False:
        every = {o.moid for o in world.inventory.list(inv.CLUSTER, Filter(), MAX_RESULTS)}
        clusters = every if clusters is None else clusters & every
    return _common(
        f,
        "hosts",
        clusters=clusters,
        parents=parents,
        subtypes=f.get("connection_states"),
        uuids=f.get("host_uuids"),
    )


def _pool_filter(world: World, f: dict[str, Any]) -> Filter:
    """A clustered host's resource pools are its cluster's; a standalone host's are its own."""
    moids = f.get("resource_pools")
    if f.get("hosts") is not None:
        hosts = world.inventory.list(inv.HOST, Filter(moids=f["hosts"]), MAX_RESULTS)
        clustered = {h.cluster for h in hosts if h.cluster}
        alone = {h.moid for h in hosts if not h.cluster}
        pools = {p.moid for p in world.inventory.list(inv.POOL, Filter(clusters=clustered), MAX_RESULTS)}
        pools |= {p.moid for p in world.inventory.list(inv.POOL, Filter(hosts=alone), MAX_RESULTS)}
        moids = pools if moids is None else moids & pools
    return Filter(
        moids=moids,
        names=f.get("names"),
        parents=f.get("parent_resource_pools"),
        datacenters=f.get("datacenters"),
        clusters=f.get("clusters"),
    )
