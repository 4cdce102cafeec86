"""What a VM's configuration says beyond its devices, as vim25 reads it: its firmware, hot-add
switches, Tools settings and resource allocation (``config.*``, ``resourceConfig``), the files it
keeps on its datastores (``layoutEx``, ``storage``), what it can do (``capability``), the guest's
file systems (``guest.disk``) and the ``environmentBrowser`` it is made by.

Everything is read from the world's facts: firmware and hot-add from the VM's hardware (REST's
``boot.type``, ``cpu.hot_add_enabled``, ...), what its files take on each datastore by the
rules of the datastores' own figures (``world.datastore_space``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from pyVmomi import vim

from localsphere.faces.vim.data_objects import build
from localsphere.faces.vim.properties import reference
from localsphere.world import datastore_space, vm_guest, vm_hardware
from localsphere.world.inventory import DATASTORE, POWERED_ON, SUSPENDED, ObjectView, datastore_file

# vSphere's ``normal`` shares: 1000 per vCPU, 10 per MB of memory (vim25's ``SharesInfo``)
SHARES_PER_CPU, SHARES_PER_MB = 1000, 10
FIRMWARE = {
    "BIOS": vim.vm.GuestOsDescriptor.FirmwareType.bios,
    "EFI": vim.vm.GuestOsDescriptor.FirmwareType.efi,
}
TOOLS_POLICY = {"MANUAL": "manual", "UPGRADE_AT_POWER_CYCLE": "upgradeAtPowerCycle"}
ENVIRONMENT_BROWSER = "envbrowser-"
# What a simulated VM can do: all vim25 asks about, but what needs hardware or a feature the
# simulation lacks (confidential computing, SGX, record/replay, device groups, locked snapshots).
CANNOT = frozenset(
    {
        "disableSnapshotsSupported",
        "lockSnapshotsSupported",
        "consolePreferencesSupported",
        "recordReplaySupported",
        "sevSupported",
        "sevSnpSupported",
        "tdxSupported",
        "requireSgxAttestationSupported",
        "vendorDeviceGroupSupported",
        "pmemFailoverSupported",
        "ehvSecureBootSupported",
    }
)


def moment(epoch: float) -> datetime.datetime:
    """An instant of the world's clock (seconds since the epoch) as vim25's ``dateTime`` (UTC)."""
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC)


def vmx_path(o: ObjectView) -> str:
    """The datastore path of the VM's configuration file: ``[ds] name/name.vmx``, on its home
    datastore (one made before the world named it: its first disk's)."""
    disks = o.details.get("disks") or []
    where = o.details.get("datastore_name") or (disks[0]["file"].split("]")[0][1:] if disks else "datastore")
    return datastore_file(where, o.name, f"{o.name}.vmx")


def environment_browser(o: ObjectView) -> Any:
    """The VM's ``environmentBrowser``: ``envbrowser-<n>`` for ``vm-<n>`` (``environment_browser``
    module)."""
    return reference("EnvironmentBrowser", ENVIRONMENT_BROWSER + o.moid.rsplit("-", 1)[-1])


def allocation(shares: int) -> Any:
    """A ``ResourceAllocationInfo`` as vSphere gives a VM by default: nothing reserved, no limit
    (-1), ``normal`` shares."""
    return build(
        vim.ResourceAllocationInfo,
        reservation=0,
        expandableReservation=False,
        limit=-1,
        shares=build(vim.SharesInfo, shares=shares, level=vim.SharesInfo.Level.normal),
        overheadLimit=-1,
    )


def cpu_allocation(o: ObjectView) -> Any:
    return allocation(SHARES_PER_CPU * (o.cpu_count or 1))


def memory_allocation(o: ObjectView) -> Any:
    return allocation(SHARES_PER_MB * (o.memory_mib or 0))


def tools_config(o: ObjectView) -> Any:
    """``config.tools``: the Tools version and upgrade policy REST's ``vm/{vm}/tools`` shows, and
    vSphere's default power-operation scripts (all run)."""
    tools = vm_guest.tools(o)
    return build(
        vim.vm.ToolsConfigInfo,
        toolsVersion=int(str(tools["version_number"])),
        toolsInstallType="guestToolsTypeMSI"
        if tools["install_type"] == "MSI"
        else "guestToolsTypeOpenVMTools",
        afterPowerOn=True,
        afterResume=True,
        beforeGuestStandby=True,
        beforeGuestShutdown=True,
        beforeGuestReboot=True,
        toolsUpgradePolicy=TOOLS_POLICY.get(str(tools["upgrade_policy"]), "manual"),
        syncTimeWithHostAllowed=True,
        syncTimeWithHost=False,
    )


def config_fields(o: ObjectView) -> dict[str, Any]:
    """The fields of a VM's ``config`` (``VirtualMachineConfigInfo``) read here: ``firmware``,
    hot-add switches and limits, ``tools``, ``cpuAllocation`` and ``memoryAllocation``."""
    cpu, memory = vm_hardware.cpu(o), vm_hardware.memory(o)
    return {
        "firmware": FIRMWARE.get(vm_hardware.firmware(o.details), "bios"),
        "cpuHotAddEnabled": cpu["hot_add_enabled"],
        "cpuHotRemoveEnabled": cpu["hot_remove_enabled"],
        "memoryHotAddEnabled": memory["hot_add_enabled"],
        "hotPlugMemoryLimit": memory["hot_add_limit_MiB"],
        "hotPlugMemoryIncrementSize": memory["hot_add_increment_size_MiB"],
        "tools": tools_config(o),
        "cpuAllocation": cpu_allocation(o),
        "memoryAllocation": memory_allocation(o),
    }


def resource_config(o: ObjectView) -> Any:
    """``resourceConfig``: the VM's allocations, as its ``config`` has them."""
    return build(
        vim.ResourceConfigSpec,
        entity=reference("VirtualMachine", o.moid),
        changeVersion=str(o.created_at),
        lastModified=moment(o.created_at),
        cpuAllocation=cpu_allocation(o),
        memoryAllocation=memory_allocation(o),
    )


def capabilities(tools_auto_update: bool) -> Any:
    """A ``VirtualMachineCapability``: every flag true but ``CANNOT``'s, and whether Tools update
    themselves."""
    flags = {p.name: p.name not in CANNOT for p in vim.vm.Capability._GetPropertyList() if p.type is bool}
    return build(vim.vm.Capability, **{**flags, "toolsAutoUpdateSupported": tools_auto_update})


def capability(o: ObjectView) -> Any:
    """``capability``: ``capabilities``, Tools updating themselves where they are managed
    (``vm_guest.tools``)."""
    return capabilities(bool(vm_guest.tools(o)["auto_update_supported"]))


def usage(o: ObjectView) -> dict[str, tuple[int, int]]:
    """What the VM takes on each datastore (by id), by the rules the datastores' own figures
    follow (``world.datastore_space``: thick disks whole, thin ones what was written, home files
    and, while it runs, swap): ``(committed, uncommitted)`` bytes."""
    found = datastore_space.of_vm(o.details, o.power_state, o.memory_mib)
    return {moid: (space.committed, space.uncommitted) for moid, space in sorted(found.items())}


def storage(o: ObjectView) -> Any:
    """``storage``: each datastore's share of the VM's files (no disk is shared with another VM:
    all it commits is its own)."""
    return build(
        vim.vm.StorageInfo,
        perDatastoreUsage=[
            build(
                vim.vm.StorageInfo.UsageOnDatastore,
                datastore=reference(DATASTORE, moid),
                committed=c,
                uncommitted=u,
                unshared=c,
            )
            for moid, (c, u) in usage(o).items()
        ],
        timestamp=moment(o.created_at),
    )


def storage_summary(o: ObjectView) -> Any:
    """``summary.storage``: ``storage`` over all datastores."""
    found = usage(o).values()
    committed = sum(c for c, _ in found)
    return build(
        vim.vm.Summary.StorageSummary,
        committed=committed,
        uncommitted=sum(u for _, u in found),
        unshared=committed,
        timestamp=moment(o.created_at),
    )


def _file(key: int, name: str, kind: str, size: int) -> Any:
    return build(
        vim.vm.FileLayoutEx.FileInfo,
        key=key,
        name=name,
        type=kind,
        size=size,
        uniqueSize=size,
        accessible=True,
    )


SMALL_FILE = 8 * 1024  # a VM's .vmx and .nvram, bytes (the rest of its home files is its log)


def layout_ex(o: ObjectView) -> Any:
    """``layoutEx``: the VM's files (its ``.vmx``, ``.nvram``, each disk's descriptor and its
    ``-flat`` extent, ``vmware.log``, and while it runs or is suspended its ``.vswp``) numbered in
    that order, each disk's chain of files; sizes as ``world.datastore_space`` counts them (home
    files ``HOME_BYTES`` in all, the swap file the VM's memory)."""
    vmx = vmx_path(o)
    folder = vmx.rsplit("/", 1)[0]
    files = [_file(0, vmx, "config", SMALL_FILE), _file(1, f"{folder}/{o.name}.nvram", "nvram", SMALL_FILE)]
    chains = []
    for disk in vm_hardware.disks(o.details):
        descriptor, extent = len(files), len(files) + 1
        name = str(disk["file"])
        files.append(_file(descriptor, name, "diskDescriptor", 0))
        extent_name = name.removesuffix(".vmdk") + "-flat.vmdk"
        files.append(_file(extent, extent_name, "diskExtent", datastore_space.disk_committed(disk)))
        unit = build(vim.vm.FileLayoutEx.DiskUnit, fileKey=[descriptor, extent])
        chains.append(build(vim.vm.FileLayoutEx.DiskLayout, key=int(disk["key"]), chain=[unit]))
    log = datastore_space.HOME_BYTES - 2 * SMALL_FILE
    files.append(_file(len(files), f"{folder}/vmware.log", "log", log))
    if o.power_state in (POWERED_ON, SUSPENDED):
        swap = f"{folder}/{o.name}-{o.uuid[:8]}.vswp"
        files.append(_file(len(files), swap, "swap", (o.memory_mib or 0) * datastore_space.MIB))
    return build(vim.vm.FileLayoutEx, file=files, disk=chains, snapshot=[], timestamp=moment(o.created_at))


def layout(o: ObjectView) -> Any:
    """``layout`` (vim25's older ``FileLayout``, which Ansible's guest facts read for ``hw_files``):
    the files of ``layoutEx`` by role, each disk's files by its key."""
    ex = layout_ex(o)
    by_type: dict[str, list[str]] = defaultdict(list)
    for f in ex.file:
        by_type[f.type].append(f.name)
    named = {f.key: f.name for f in ex.file}
    disks = [
        build(vim.vm.FileLayout.DiskLayout, key=d.key, diskFile=[named[k] for k in d.chain[0].fileKey[:1]])
        for d in ex.disk
    ]
    swap = by_type.get("swap", [None])[0]
    return build(
        vim.vm.FileLayout,
        configFile=[n.rsplit("/", 1)[-1] for n in by_type["nvram"]],
        logFile=[n.rsplit("/", 1)[-1] for n in by_type["log"]],
        disk=disks,
        snapshot=[],
        swapFile=swap,
    )


def guest_disks(o: ObjectView) -> list[Any]:
    """``guest.disk``: the guest's file systems as Tools report them (``vm_guest.file_systems``),
    each on its virtual disk."""
    return [
        build(
            vim.vm.GuestInfo.DiskInfo,
            diskPath=str(fs["path"]),
            capacity=int(str(fs["capacity"])),
            freeSpace=int(str(fs["free_space"])),
            filesystemType=str(fs["type"]),
            mappings=[build(vim.vm.GuestInfo.VirtualDiskMapping, key=int(str(fs["disk"])))],
        )
        for fs in vm_guest.file_systems(o)
    ]
