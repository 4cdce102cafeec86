"""The inventory as vim25's managed entities: Folder, Datacenter, ClusterComputeResource,
HostSystem, ResourcePool, VirtualMachine, Datastore and Network, with the world's ids, and their
properties as pyVmomi reads them (``name``, ``parent``, ``childEntity``, ``vmFolder``,
``runtime.powerState``, ``config.hardware``, ``summary.*``, ``datastore``, ``network``, ...).

Relations are read for all the objects of a request at once (the children of every folder asked
about in one query), never one query per object. A caller sees the objects its permissions let it
see (System.View): the others do not exist for it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import quick_stats, vm_config_info, vm_devices
from localsphere.faces.vim.data_objects import build
from localsphere.faces.vim.properties import Family, reads_of, reference, references
from localsphere.faces.vim.quick_stats import megabytes
from localsphere.faces.vim.vm_config_info import moment
from localsphere.world import datastore_space, guest_os, vm_guest, vm_hardware
from localsphere.world.inventory import (
    CLUSTER,
    DATACENTER,
    DATASTORE,
    DISCONNECTED,
    FOLDER,
    HOST,
    NETWORK,
    POOL,
    POWERED_OFF,
    POWERED_ON,
    VM,
    Filter,
    ObjectView,
    Sight,
    boot_of,
)
from localsphere.world.metrics import HOST_MHZ_PER_CORE

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

KINDS = (FOLDER, DATACENTER, CLUSTER, HOST, POOL, VM, DATASTORE, NETWORK)
_PREFIXES = (
    ("group-", FOLDER),
    ("datacenter-", DATACENTER),
    ("domain-c", CLUSTER),
    ("host-", HOST),
    ("resgroup-", POOL),
    ("vm-", VM),
    ("datastore-", DATASTORE),
    ("network-", NETWORK),
    ("snapshot-", "VirtualMachineSnapshot"),  # not an entity: its VM's (``vm_snapshots``)
)
POWER = {
    POWERED_ON: vim.VirtualMachine.PowerState.poweredOn,
    POWERED_OFF: vim.VirtualMachine.PowerState.poweredOff,
    "SUSPENDED": vim.VirtualMachine.PowerState.suspended,
}
CHILD_TYPES = {  # a folder's ``childType``, by the kind of folder it is
    "DATACENTER": ["Folder", "Datacenter"],
    "VIRTUAL_MACHINE": ["Folder", "VirtualMachine", "VirtualApp"],
    "HOST": ["Folder", "ComputeResource"],
    "DATASTORE": ["Folder", "Datastore", "StoragePod"],
    "NETWORK": ["Folder", "Network", "DistributedVirtualSwitch"],
}
DATACENTER_FOLDERS = {
    "vmFolder": "VIRTUAL_MACHINE",
    "hostFolder": "HOST",
    "datastoreFolder": "DATASTORE",
    "networkFolder": "NETWORK",
}
GUEST_OS = {
    guest_id: guest_os.of_guest_id(guest_id) or guest_os.DEFAULT
    for guest_id in vim.vm.GuestOsDescriptor.GuestOsIdentifier.values
}
"""The world's guest (``guest_os.NAMES``) of each vim25 ``GuestOsIdentifier``:
``{"centos7_64Guest": "CENTOS_7_64"}``."""
GUEST_IDS = {name: guest_id for guest_id, name in GUEST_OS.items()}
FAMILIES = {"DARWIN": "darwinGuestFamily", "OTHER": "otherGuestFamily"}  # the others: ``<family>Guest``
GREEN, GRAY = vim.ManagedEntity.Status.green, vim.ManagedEntity.Status.gray
MIB = 1 << 20
Reader = Callable[["Context", list[ObjectView]], dict[str, Any]]


def kind_of(moid: str) -> str:
    """The managed type of a world id, by its prefix (``vm-14`` -> VirtualMachine)."""
    return named_kind(moid) or FOLDER


def named_kind(moid: str) -> str | None:
    """The managed type a world id's prefix names, or None for text that is no world id."""
    return next((kind for prefix, kind in _PREFIXES if moid.startswith(prefix)), None)


def ref(moid: str) -> Any:
    return reference(kind_of(moid), moid)


def keep(context: Context, objects: list[ObjectView], light: bool = False) -> None:
    """Objects read already in this call (a page of a view), which ``loader`` then need not read;
    ``light``: read without their details, for the ``LIGHT`` paths only."""
    context.notes.setdefault("light" if light else "objects", {}).update((o.moid, o) for o in objects)


def sight(context: Context) -> Sight | None:
    """What the caller sees of the inventory (None: everything), worked out once a call."""
    if "sight" not in context.notes:
        context.notes["sight"] = context.world.inventory.sight(context.signed_in.caller)
    return context.notes["sight"]


def loader(kind: str) -> Callable[[Context, list[str], list[str]], list[ObjectView]]:
    """The objects of ``kind`` among the ids that the caller sees: those read already in this
    call (``keep``; without their details, when no path asked needs them), the others now."""

    def load(context: Context, moids: list[str], paths: list[str]) -> list[ObjectView]:
        kept: dict[str, ObjectView] = context.notes.setdefault("objects", {})
        if all(p in LIGHT for p in paths):
            kept = {**context.notes.get("light", {}), **kept}
        missing = [m for m in moids if m not in kept]
        if missing:
            found = context.world.inventory_graph.objects(missing, sight(context))
            context.notes["objects"].update(found)
            kept.update(found)
        return [o for m in moids if (o := kept.get(m)) is not None and o.kind == kind]

    return load


def guest(o: ObjectView) -> tuple[str, str]:
    """A VM's vim25 guest id and full name (``("centos7_64Guest", "CentOS 7 (64-bit)")``); a guest
    vCenter does not know reads as ``otherGuest64``."""
    name = o.subtype if o.subtype in GUEST_IDS else "OTHER_64"
    return GUEST_IDS[name], guest_os.full_name(name)


def guest_family(guest_id: str) -> str:
    """vim25's ``GuestOsFamily`` of a guest id (``linuxGuest``, ``darwinGuestFamily``, ...)."""
    family = guest_os.family(GUEST_OS.get(guest_id, guest_os.DEFAULT))
    return FAMILIES.get(family, f"{family.lower()}Guest")


def each(fn: Callable[[ObjectView], Any]) -> Reader:
    """A reader of a path every object answers alone."""

    def read(_context: Context, objects: list[ObjectView]) -> dict[str, Any]:
        return {o.moid: fn(o) for o in objects}

    return read


def grouped(owner: Callable[[ObjectView], str | None], children: list[ObjectView]) -> dict[str, list[Any]]:
    by: dict[str, list[Any]] = defaultdict(list)
    for child in children:
        key = owner(child)
        if key is not None:
            by[key].append(reference(child.kind, child.moid))
    return by


def children_of(kinds: set[str] | None = None) -> Reader:
    """The objects whose parent each object is: one query for all of them."""

    def read(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
        found = context.world.inventory_graph.children([o.moid for o in objects], kinds, sight(context))
        by = grouped(lambda c: c.parent, found)
        return {o.moid: by.get(o.moid, []) for o in objects}

    return read


def _used_by(kind: str, vm: ObjectView) -> set[str]:
    """The hosts, pools, datastores or networks (``kind``) a VM is on or uses."""
    if kind == DATASTORE:
        return {d["datastore"] for d in vm.details.get("disks") or []} | {vm.details.get("datastore") or ""}
    if kind == NETWORK:
        return {n["network"] for n in vm.details.get("nics") or []}
    return {(vm.host if kind == HOST else vm.pool) or ""}


def vms_of(kind: str) -> Reader:
    """The ``vm`` of hosts, pools, datastores and networks: the VMs on or using each."""

    def read(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
        found = context.world.inventory_graph.vms_of([o.moid for o in objects], kind, sight(context))
        by: dict[str, list[Any]] = defaultdict(list)
        for vm in found:
            for moid in _used_by(kind, vm):
                by[moid].append(reference(VM, vm.moid))
        return {o.moid: by.get(o.moid, []) for o in objects}

    return read


def in_datacenter(kind: str) -> Reader:
    """The datastores or networks of each object's datacenter (every host of a datacenter sees them)."""

    def read(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
        graph, seen = context.world.inventory_graph, sight(context)
        by: dict[str, list[Any]] = {}
        for dc in {o.datacenter or o.moid for o in objects}:
            by[dc] = references(kind, [x.moid for x in graph.contents(dc, {kind}, True, None, 10_000, seen)])
        return {o.moid: by.get(o.datacenter or o.moid, []) for o in objects}

    return read


def datacenter_folder(subtype: str) -> Reader:
    def read(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
        found = context.world.inventory_graph.children([o.moid for o in objects], {FOLDER})
        return {f.parent: reference(FOLDER, f.moid) for f in found if f.subtype == subtype and f.parent}

    return read


def with_stats(build: Callable[[ObjectView, dict[str, int]], Any]) -> Reader:
    """A reader of a path built from each object and its latest counters (``quick_stats``), read
    for all the objects at once."""

    def read(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
        stats = quick_stats.latest(context, objects)
        return {o.moid: build(o, stats[o.moid]) for o in objects}

    return read


def _parent(o: ObjectView) -> Any:
    return ref(o.parent) if o.parent else None


ENTITY: dict[str, Reader] = {
    "name": each(lambda o: o.name),
    "parent": each(_parent),
    "overallStatus": each(lambda _: GREEN),
    "configStatus": each(lambda _: GREEN),
    "alarmActionsEnabled": each(lambda _: True),
}


def boot_time(o: ObjectView) -> datetime.datetime | None:
    """When a host (its creation), or a VM, last booted: the VM's last power-on from powered off,
    reset or guest reboot, kept while it is suspended and unset once it is powered off
    (vim25's ``VirtualMachineRuntimeInfo.bootTime``); the metric model counts its uptime
    (``sys.uptime.latest``) from it too (``inventory.uptime``)."""
    boot = boot_of(o)
    return moment(boot) if boot is not None else None


def _suspended(o: ObjectView) -> dict[str, Any]:
    """A booted VM's ``suspendTime`` (when it was last suspended, if it was) and
    ``suspendInterval`` (seconds it was suspended since it booted, the current stay excluded)."""
    if boot_of(o) is None:
        return {}
    at = {"suspendTime": moment(o.suspended_at)} if o.suspended_at is not None else {}
    return {**at, "suspendInterval": int(o.suspended_for or 0)}


def _cut_off(context: Context, objects: list[ObjectView]) -> set[str]:
    """The hosts of ``objects`` that are disconnected (one read of them all)."""
    hosts = {o.host for o in objects if o.host}
    if not hosts:
        return set()
    found = context.world.inventory.list(HOST, Filter(moids=hosts, subtypes={DISCONNECTED}), len(hosts))
    return {h.moid for h in found}


def with_connection(build_one: Callable[[ObjectView, bool], Any]) -> Reader:
    """A reader of a VM's path that says whether vCenter reaches it (its host is connected)."""

    def read(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
        cut = _cut_off(context, objects)
        return {o.moid: build_one(o, o.host in cut) for o in objects}

    return read


def _vm_runtime(o: ObjectView, disconnected: bool = False) -> Any:
    """A VM's ``runtime``; ``connectionState`` disconnected while its host is."""
    states = vim.VirtualMachine.ConnectionState
    return build(
        vim.vm.RuntimeInfo,
        host=reference(HOST, o.host) if o.host else None,
        connectionState=states.disconnected if disconnected else states.connected,
        powerState=POWER.get(o.power_state or "", vim.VirtualMachine.PowerState.poweredOff),
        faultToleranceState=vim.VirtualMachine.FaultToleranceState.notConfigured,
        toolsInstallerMounted=False,
        numMksConnections=0,
        recordReplayState=vim.VirtualMachine.RecordReplayState.inactive,
        onlineStandby=False,
        consolidationNeeded=False,
        bootTime=boot_time(o),
        **_suspended(o),
        maxCpuUsage=(o.cpu_count or 0) * HOST_MHZ_PER_CORE,
        maxMemoryUsage=o.memory_mib,
    )


def _vm_config_summary(o: ObjectView) -> Any:
    guest_id, full_name = guest(o)
    return build(
        vim.vm.Summary.ConfigSummary,
        name=o.name,
        template=_template(o),
        vmPathName=vm_config_info.vmx_path(o),
        annotation=o.details.get("annotation"),
        memorySizeMB=o.memory_mib,
        numCpu=o.cpu_count,
        numEthernetCards=len(o.details.get("nics") or []),
        numVirtualDisks=len(o.details.get("disks") or []),
        uuid=vm_hardware.bios_uuid(o),
        instanceUuid=o.uuid,
        guestId=guest_id,
        guestFullName=full_name,
    )


def _vm_quick_stats(o: ObjectView, stats: dict[str, int]) -> Any:
    """A VM's ``summary.quickStats``: its latest CPU (MHz), memory (MB) and uptime (s) samples;
    a simulated VM is never short of CPU or memory (nothing ballooned, swapped or shared)."""
    on = o.power_state == POWERED_ON
    cpu, consumed = stats["cpu.usagemhz.average"], megabytes(stats["mem.consumed.average"])
    return build(
        vim.vm.Summary.QuickStats,
        overallCpuUsage=cpu,
        overallCpuDemand=stats["cpu.demand.average"],
        overallCpuReadiness=0,
        guestMemoryUsage=megabytes(stats["mem.active.average"]),
        hostMemoryUsage=consumed,
        guestHeartbeatStatus=GREEN if on else GRAY,
        distributedCpuEntitlement=cpu,
        distributedMemoryEntitlement=consumed,
        staticCpuEntitlement=(o.cpu_count or 0) * HOST_MHZ_PER_CORE if on else 0,
        staticMemoryEntitlement=(o.memory_mib or 0) if on else 0,
        grantedMemory=consumed,
        privateMemory=consumed,
        sharedMemory=0,
        swappedMemory=0,
        balloonedMemory=0,
        consumedOverheadMemory=0,
        compressedMemory=0,
        ssdSwappedMemory=0,
        activeMemory=megabytes(stats["mem.active.average"]),
        uptimeSeconds=stats["sys.uptime.latest"],
    )


# VMware Tools as vim25 names what the world's guest model (``world.vm_guest.tools``) says
TOOLS_STATUS = {"CURRENT": "guestToolsCurrent", "UNMANAGED": "guestToolsUnmanaged"}
TOOLS_TYPE = {"MSI": "guestToolsTypeMSI", "OPEN_VM_TOOLS": "guestToolsTypeOpenVMTools"}


def _tools(o: ObjectView) -> dict[str, Any]:
    """The fields of a VM's ``guest`` and ``summary.guest`` that name its Tools."""
    tools = vm_guest.tools(o)
    running = tools["run_state"] == "RUNNING"
    return {
        "toolsStatus": vim.vm.GuestInfo.ToolsStatus.toolsOk if running else "toolsNotRunning",
        "toolsVersionStatus": TOOLS_STATUS[str(tools["version_status"])],
        "toolsVersionStatus2": TOOLS_STATUS[str(tools["version_status"])],
        "toolsRunningStatus": "guestToolsRunning" if running else "guestToolsNotRunning",
    }


def _hw_version(o: ObjectView) -> str:
    hardware = o.details.get("hardware") or {}
    return str(hardware.get("version") or "VMX_21").lower().replace("_", "-")


def _vm_guest_summary(o: ObjectView) -> Any:
    on = o.power_state == POWERED_ON
    return build(
        vim.vm.Summary.GuestSummary,
        guestId=guest(o)[0],
        guestFullName=guest(o)[1],
        hostName=vm_guest.host_name(o) if on else None,
        ipAddress=vm_guest.ip_address(o) if on else None,
        hwVersion=_hw_version(o),
        **_tools(o),
    )


def _vm_summaries(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    """VMs' ``summary``: their latest counters and their hosts' connection read once for all."""
    stats, cut = quick_stats.latest(context, objects), _cut_off(context, objects)
    return {o.moid: _vm_summary(o, stats[o.moid], o.host in cut) for o in objects}


def _vm_summary(o: ObjectView, stats: dict[str, int], disconnected: bool) -> Any:
    return build(
        vim.vm.Summary,
        vm=reference(VM, o.moid),
        runtime=_vm_runtime(o, disconnected),
        config=_vm_config_summary(o),
        guest=_vm_guest_summary(o),
        storage=vm_config_info.storage_summary(o),
        quickStats=_vm_quick_stats(o, stats),
        overallStatus=GREEN,
    )


def _template(o: ObjectView) -> bool:
    return bool(o.details.get("template", False))


def vm_config(o: ObjectView) -> Any:
    """A VM's ``config`` (``VirtualMachineConfigInfo``): its hardware with its devices, its notes
    and advanced settings, its BIOS and instance UUIDs, and ``vm_config_info.config_fields``."""
    guest_id, full_name = guest(o)
    version = _hw_version(o)
    return build(
        vim.vm.ConfigInfo,
        changeVersion=str(o.created_at),
        modified=moment(o.created_at),
        name=o.name,
        guestFullName=full_name,
        version=version,
        uuid=vm_hardware.bios_uuid(o),
        instanceUuid=o.uuid,
        template=_template(o),
        guestId=guest_id,
        alternateGuestName="",
        annotation=o.details.get("annotation"),
        extraConfig=[
            build(vim.option.OptionValue, key=k, value=v)
            for k, v in (o.details.get("extra_config") or {}).items()
        ],
        files=build(vim.vm.FileInfo, vmPathName=vm_config_info.vmx_path(o)),
        flags=build(vim.vm.FlagInfo),
        defaultPowerOps=build(vim.vm.DefaultPowerOpInfo),
        hardware=build(
            vim.vm.VirtualHardware,
            numCPU=o.cpu_count,
            numCoresPerSocket=o.details.get("cores_per_socket", 1),
            memoryMB=o.memory_mib,
            device=vm_devices.devices(o),
        ),
        **vm_config_info.config_fields(o),
    )


def _preferred(address: str) -> Any:
    return build(vim.net.IpConfigInfo.IpAddress, ipAddress=address, prefixLength=24, state="preferred")


def _vm_guest(o: ObjectView) -> Any:
    """A VM's ``guest``: what its Tools report (``world.vm_guest``, as REST's ``guest/identity``
    and ``tools`` answer): while it runs, the guest's host name, its primary address, and each
    NIC's address (a /24, preferred) and MAC, and its file systems (``guest.disk``)."""
    on = o.power_state == POWERED_ON
    tools = vm_guest.tools(o)
    nics = o.details.get("nics") or []
    guest_id, full_name = guest(o)
    return build(
        vim.vm.GuestInfo,
        guestState="running" if on else "notRunning",
        hostName=vm_guest.host_name(o) if on else None,
        ipAddress=vm_guest.ip_address(o) if on else None,
        guestId=guest_id,
        guestFamily=guest_family(guest_id),
        guestFullName=full_name,
        toolsVersion=str(tools["version_number"]),
        toolsInstallType=TOOLS_TYPE[str(tools["install_type"])],
        guestOperationsReady=on,
        interactiveGuestOperationsReady=False,
        guestStateChangeSupported=True,
        hwVersion=_hw_version(o),
        net=[
            build(
                vim.vm.GuestInfo.NicInfo,
                network=nic.get("network_name"),
                ipAddress=[address],
                macAddress=nic.get("mac"),
                connected=True,
                deviceConfigId=int(nic["key"]),
                ipConfig=build(vim.net.IpConfigInfo, ipAddress=[_preferred(address)]),
            )
            for nic, address in zip(nics, vm_guest.addresses(o), strict=True)
        ]
        if on
        else [],
        disk=vm_config_info.guest_disks(o),
        **_tools(o),
    )


def _on(o: ObjectView, devices: str, key: str) -> list[str]:
    """The datastores a VM's disks are on, or the networks its NICs are on."""
    return sorted({d[key] for d in o.details.get(devices) or []})


VIRTUAL_MACHINE: dict[str, Reader] = {
    **ENTITY,
    "runtime": with_connection(_vm_runtime),
    "runtime.connectionState": with_connection(lambda _o, cut: "disconnected" if cut else "connected"),
    "runtime.powerState": each(lambda o: POWER.get(o.power_state or "")),
    "runtime.host": each(lambda o: reference(HOST, o.host) if o.host else None),
    "summary": _vm_summaries,
    "summary.runtime": with_connection(_vm_runtime),
    "summary.runtime.powerState": each(lambda o: POWER.get(o.power_state or "")),
    "summary.guest": each(_vm_guest_summary),
    "summary.storage": each(vm_config_info.storage_summary),
    "summary.quickStats": with_stats(_vm_quick_stats),
    "summary.config": each(_vm_config_summary),
    "summary.config.name": each(lambda o: o.name),
    "summary.config.numCpu": each(lambda o: o.cpu_count),
    "summary.config.memorySizeMB": each(lambda o: o.memory_mib),
    "summary.config.uuid": each(vm_hardware.bios_uuid),
    "summary.config.instanceUuid": each(lambda o: o.uuid),
    "config": each(vm_config),
    "config.template": each(_template),
    "summary.config.template": each(_template),
    "config.name": each(lambda o: o.name),
    "config.uuid": each(vm_hardware.bios_uuid),
    "config.instanceUuid": each(lambda o: o.uuid),
    "config.hardware.numCPU": each(lambda o: o.cpu_count),
    "config.hardware.memoryMB": each(lambda o: o.memory_mib),
    "config.guestId": each(lambda o: guest(o)[0]),
    "guest": each(_vm_guest),
    "guest.disk": each(vm_config_info.guest_disks),
    "resourceConfig": each(vm_config_info.resource_config),
    "storage": each(vm_config_info.storage),
    "layoutEx": each(vm_config_info.layout_ex),
    "layout": each(vm_config_info.layout),
    "guestHeartbeatStatus": each(lambda o: GREEN if o.power_state == POWERED_ON else GRAY),
    "capability": each(vm_config_info.capability),
    "environmentBrowser": each(vm_config_info.environment_browser),
    "resourcePool": each(lambda o: reference(POOL, o.pool) if o.pool else None),
    "datastore": each(lambda o: references(DATASTORE, sorted(datastore_space.datastores_of(o.details)))),
    "network": each(
        lambda o: references(NETWORK, sorted({n["network"] for n in o.details.get("nics") or []}))
    ),
}


# A host's relations; its own facts (``runtime``, ``summary``, ``hardware``, ``config``) are
# ``host_systems``'
HOST_SYSTEM: dict[str, Reader] = {
    **ENTITY,
    "vm": vms_of(HOST),
    "datastore": in_datacenter(DATASTORE),
    "network": in_datacenter(NETWORK),
}


def datastore_url(o: ObjectView) -> str:
    """A datastore's URL, as its summary and its info name it."""
    return f"ds:///vmfs/volumes/{o.uuid}/"


def datastore_summary(o: ObjectView) -> Any:
    """A datastore's ``summary`` (``DatastoreSummary``)."""
    details = o.details
    return build(
        vim.Datastore.Summary,
        datastore=reference(DATASTORE, o.moid),
        name=o.name,
        url=datastore_url(o),
        capacity=o.capacity or 0,
        freeSpace=o.free_space or 0,
        uncommitted=int(details.get("uncommitted", 0)),  # what thin disks may grow into
        maintenanceMode="normal",
        accessible=bool(details.get("accessible", True)),
        multipleHostAccess=bool(details.get("multiple_host_access", True)),
        type=o.subtype or "VMFS",
    )


TABLES: dict[str, dict[str, Reader]] = {
    FOLDER: {
        **ENTITY,
        "childEntity": children_of(),
        "childType": each(lambda o: CHILD_TYPES.get(o.subtype or "", ["Folder"])),
    },
    DATACENTER: {
        **ENTITY,
        **{path: datacenter_folder(subtype) for path, subtype in DATACENTER_FOLDERS.items()},
        "datastore": in_datacenter(DATASTORE),
        "network": in_datacenter(NETWORK),
    },
    CLUSTER: {
        **ENTITY,
        "host": children_of({HOST}),
        "resourcePool": each(lambda _: None),  # filled by the pool read below
        "datastore": in_datacenter(DATASTORE),
        "network": in_datacenter(NETWORK),
    },
    HOST: HOST_SYSTEM,
    POOL: {
        **ENTITY,
        "owner": each(lambda o: reference(CLUSTER, o.cluster) if o.cluster else None),
        "resourcePool": children_of({POOL}),
        "vm": vms_of(POOL),
    },
    VM: VIRTUAL_MACHINE,
    DATASTORE: {
        **ENTITY,
        "summary": each(datastore_summary),
        "summary.capacity": each(lambda o: o.capacity),
        "vm": vms_of(DATASTORE),
    },
    NETWORK: {**ENTITY, "summary.name": each(lambda o: o.name), "vm": vms_of(NETWORK)},
}


def _cluster_pool(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    found = context.world.inventory_graph.children([o.moid for o in objects], {POOL}, sight(context))
    return {p.parent: reference(POOL, p.moid) for p in found if p.parent}


TABLES[CLUSTER]["resourcePool"] = _cluster_pool
# The paths read from an object's own columns, without its details (devices, flags): a list of
# many objects that asks only for these reads less.
LIGHT = frozenset(
    {
        *ENTITY,
        "runtime.powerState",
        "runtime.host",
        "summary.runtime.powerState",
        "summary.config.name",
        "summary.config.numCpu",
        "summary.config.memorySizeMB",
        "summary.config.instanceUuid",
        "config.name",
        "config.instanceUuid",
        "config.hardware.numCPU",
        "config.hardware.memoryMB",
        "config.guestId",
        "resourcePool",
        "childType",
        "owner",
    }
)


def family(more: dict[str, dict[str, Reader]] | None = None) -> Family:
    """Every inventory type, read from the world's managed objects; ``more``: readers of further
    paths by type, which other modules lend (a VM's ``snapshot``)."""
    tables = {kind: {**table, **(more or {}).get(kind, {})} for kind, table in TABLES.items()}
    reads = {kind: reads_of(table, loader(kind)) for kind, table in tables.items()}
    all_paths = {kind: sorted(p for p in table if "." not in p) for kind, table in tables.items()}

    def read(context: Context, kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        return reads[kind](context, moids, paths)

    return Family(frozenset(KINDS), read, lambda kind: all_paths.get(kind, []), LIGHT)
