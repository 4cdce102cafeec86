"""``EnvironmentBrowser``: what a VM can be made of where it runs, as Terraform's vSphere provider,
govc and pyVmomi's samples ask it: the hardware versions (``QueryConfigOptionDescriptor``), one
version's options with a descriptor of each guest the world knows (``QueryConfigOption``,
``QueryConfigOptionEx``, which may name the guests wanted) and what the VM's host offers
(``QueryConfigTarget``).

A VM's browser is ``envbrowser-<n>`` for ``vm-<n>`` (``vm_config_info.environment_browser``), a
cluster's ``envbrowser-<n>`` for ``domain-c<n>``; one the caller cannot see does not exist. The
numbers are vSphere 8's (``world.vm_sizes``) and the world's hardware versions
(``world.vm_hardware.VERSIONS``); every guest takes the devices the world simulates, with a
paravirtual SCSI adapter, a VMXNET3 adapter, a 16 GiB disk and EFI firmware recommended.
"""

from __future__ import annotations

from typing import Any

from pyVmomi import vim

from localsphere.faces.vim import datastores, faults, inventory, networks
from localsphere.faces.vim.service import Context, Method
from localsphere.faces.vim.soap import MoRef
from localsphere.faces.vim.vm_config_info import ENVIRONMENT_BROWSER, capabilities
from localsphere.faces.vim.vm_devices import IDE_KEYS
from localsphere.world import guest_os
from localsphere.world.inventory import CLUSTER, DATASTORE, HOST, NETWORK, VM, ObjectView
from localsphere.world.paging import MAX_PAGE
from localsphere.world.vm_hardware import DEFAULT_DISK_BYTES, DEFAULT_VERSION, VERSIONS
from localsphere.world.vm_sizes import CPUS_MOST, MEMORY_MIB_MOST, MEMORY_STEP_MIB

device = vim.vm.device
DISK_CONTROLLERS = [
    device.ParaVirtualSCSIController,
    device.VirtualLsiLogicController,
    device.VirtualLsiLogicSASController,
    device.VirtualBusLogicController,
    device.VirtualIDEController,
    device.VirtualAHCIController,
    device.VirtualNVMEController,
]
ETHERNET_CARDS = [device.VirtualVmxnet3, device.VirtualE1000e, device.VirtualE1000, device.VirtualPCNet32]
# the devices a VM here can have; those added or removed only while it is off
DEVICES = [*DISK_CONTROLLERS, device.VirtualDisk, *ETHERNET_CARDS, device.VirtualCdrom]
COLD = frozenset({device.VirtualIDEController, device.VirtualBusLogicController})
# vSphere's names of the hardware versions (``ConfigOptionDescriptor.description``)
RELEASES = {
    13: "ESXi 6.5",
    14: "ESXi 6.7",
    15: "ESXi 6.7 U2",
    17: "ESXi 7.0",
    18: "ESXi 7.0 U1",
    19: "ESXi 7.0 U2",
    20: "ESXi 8.0",
    21: "ESXi 8.0 U2",
    22: "ESXi 9.0",
}
GUEST_IDS = sorted(g for g in vim.vm.GuestOsDescriptor.GuestOsIdentifier.values if guest_os.of_guest_id(g))
"""The vim25 guest ids that name a guest the world knows (``world.guest_os``)."""


def _key(version: str) -> str:
    return f"vmx-{int(version.removeprefix('VMX_')):02d}"


KEYS = [_key(v) for v in VERSIONS]
DEFAULT_KEY = _key(DEFAULT_VERSION)


def _number(key: str) -> int:
    return int(key.removeprefix("vmx-"))


def _owner(context: Context, this: MoRef) -> ObjectView:
    """The VM or cluster whose browser ``this`` is; ManagedObjectNotFound for another."""
    number = this.value.removeprefix(ENVIRONMENT_BROWSER)
    if this.value.startswith(ENVIRONMENT_BROWSER) and number.isdigit():
        found = context.world.inventory_graph.objects(
            [f"vm-{number}", f"domain-c{number}"], inventory.sight(context)
        )
        owner = next((o for o in found.values() if o.kind in (VM, CLUSTER)), None)
        if owner is not None:
            return owner
    raise faults.not_found(this)


def descriptors() -> list[Any]:
    """Every hardware version a VM can have here, the world's default marked."""
    return [
        vim.vm.ConfigOptionDescriptor(
            key=key,
            description=f"{RELEASES.get(_number(key), f'Hardware version {_number(key)}')} virtual machine",
            host=[],
            createSupported=_number(key) >= 4,
            defaultConfigOption=key == DEFAULT_KEY,
            runSupported=True,
            upgradeSupported=True,
        )
        for key in KEYS
    ]


def guest_descriptor(guest_id: str) -> Any:
    """What vSphere supports and recommends for the guest ``guest_id``."""
    name = inventory.GUEST_OS[guest_id]
    windows = guest_os.family(name) == "WINDOWS"
    darwin = guest_os.family(name) == "DARWIN"
    return vim.vm.GuestOsDescriptor(
        id=guest_id,
        family=inventory.guest_family(guest_id),
        fullName=guest_os.full_name(name),
        supportedMaxCPUs=CPUS_MOST,
        numSupportedPhysicalSockets=CPUS_MOST,
        numSupportedCoresPerSocket=CPUS_MOST,
        supportedMinMemMB=MEMORY_STEP_MIB,
        supportedMaxMemMB=MEMORY_MIB_MOST,
        recommendedMemMB=4096 if windows else 2048,
        recommendedColorDepth=32,
        supportedDiskControllerList=DISK_CONTROLLERS,
        recommendedSCSIController=device.VirtualLsiLogicSASController
        if windows
        else device.ParaVirtualSCSIController,
        recommendedDiskController=device.VirtualLsiLogicSASController
        if windows
        else device.ParaVirtualSCSIController,
        supportedNumDisks=256,
        recommendedDiskSizeMB=DEFAULT_DISK_BYTES >> 20,
        recommendedCdromController=device.VirtualAHCIController,
        supportedEthernetCard=ETHERNET_CARDS,
        recommendedEthernetCard=device.VirtualE1000e if windows else device.VirtualVmxnet3,
        smcRequired=darwin,
        supportsWakeOnLan=True,
        supportsVMI=False,
        supportsMemoryHotAdd=True,
        supportsCpuHotAdd=True,
        supportsCpuHotRemove=True,
        supportedFirmware=["bios", "efi"],
        recommendedFirmware="efi",
        supports3D=True,
        recommended3D=False,
        smcRecommended=darwin,
        ich7mRecommended=darwin,
        usbRecommended=darwin,
        supportLevel="supported",
        supportedForCreate=True,
        vRAMSizeInKB=vim.option.IntOption(min=1024, max=262144, defaultValue=4096),
        numSupportedFloppyDevices=2,
        supportsPvscsiControllerForBoot=True,
        diskUuidEnabled=False,
        supportsHotPlugPCI=True,
    )


def _int(low: int, high: int, default: int) -> Any:
    return vim.option.IntOption(min=low, max=high, defaultValue=default)


def _shares() -> Any:
    return vim.ResourceAllocationOption(
        sharesOption=vim.SharesOption(
            sharesOption=_int(1, 1_000_000, 1000), defaultLevel=vim.SharesInfo.Level.normal
        )
    )


def hardware_options(key: str) -> Any:
    """A hardware version's devices (``DEVICES``) and limits: vCPUs (1 to ``CPUS_MOST``), memory
    (MB), controllers."""
    return vim.vm.VirtualHardwareOption(
        hwVersion=_number(key),
        virtualDeviceOption=[
            vim.vm.device.VirtualDeviceOption(
                type=kind, deprecated=False, plugAndPlay=kind not in COLD, hotRemoveSupported=kind not in COLD
            )
            for kind in DEVICES
        ],
        deviceListReadonly=False,
        numCPU=list(range(1, CPUS_MOST + 1)),
        numCoresPerSocket=_int(1, CPUS_MOST, 1),
        numCpuReadonly=False,
        memoryMB=vim.option.LongOption(min=MEMORY_STEP_MIB, max=MEMORY_MIB_MOST, defaultValue=1024),
        numPCIControllers=_int(1, 1, 1),
        numIDEControllers=_int(2, 2, 2),
        numUSBControllers=_int(0, 1, 0),
        numUSBXHCIControllers=_int(0, 1, 0),
        numSIOControllers=_int(1, 1, 1),
        numPS2Controllers=_int(1, 1, 1),
        resourceConfigOption=vim.ResourceConfigOption(
            cpuAllocationOption=_shares(), memoryAllocationOption=_shares()
        ),
    )


def config_option(key: str | None, guest_ids: list[str] | None = None) -> Any:
    """The options of hardware version ``key`` (the default when None) with the descriptors of
    ``guest_ids`` (all the world knows when None; ids it does not know are left out);
    InvalidArgument for a version the world has not."""
    key = key or DEFAULT_KEY
    if key not in KEYS:
        raise faults.invalid_argument("key", f"Unknown configuration option key '{key}'")
    wanted = GUEST_IDS if guest_ids is None else [g for g in guest_ids if g in GUEST_IDS]
    default = inventory.GUEST_IDS[guest_os.DEFAULT]
    return vim.vm.ConfigOption(
        version=key,
        description=next(d.description for d in descriptors() if d.key == key),
        guestOSDescriptor=[guest_descriptor(g) for g in wanted],
        guestOSDefaultIndex=wanted.index(default) if default in wanted else 0,
        hardwareOptions=hardware_options(key),
        capabilities=capabilities(True),
        datastore=vim.vm.DatastoreOption(),
        defaultDevice=[  # what every VM here has before its spec adds to it (``vm_devices``)
            device.VirtualIDEController(key=key, busNumber=bus) for bus, key in enumerate(IDE_KEYS)
        ],
        supportedMonitorType=["release", "debug", "stats"],
    )


MOST_FILE_BYTES = 62 << 40  # a VMFS 6 file's, and a virtual disk's, largest size


def config_target(context: Context, owner: ObjectView, host: Any) -> Any:
    """What the host (``host``, else the VM's, else the cluster's first) offers a VM: its cores
    and memory, and the datastores and networks of the datacenter (those the caller sees)."""
    graph, seen = context.world.inventory_graph, inventory.sight(context)
    dc = owner.datacenter or ""
    stores = graph.contents(dc, {DATASTORE}, True, None, MAX_PAGE, seen) if dc else []
    nets = graph.contents(dc, {NETWORK}, True, None, MAX_PAGE, seen) if dc else []
    moid = host._moId if host is not None else owner.host if owner.kind == VM else None
    hosts = list(graph.objects([moid], seen).values()) if moid else graph.children([owner.moid], {HOST}, seen)
    cores = max((h.cpu_count or 0 for h in hosts), default=0)
    memory = max((h.memory_mib or 0 for h in hosts), default=0)
    return vim.vm.ConfigTarget(
        numCpus=cores,
        numCpuCores=cores,
        numNumaNodes=1 if hosts else 0,
        maxCpusPerHost=cores,
        smcPresent=False,
        maxMemMBOptimalPerf=memory,
        supportedMaxMemMB=memory,
        autoVmotion=False,
        datastore=[
            vim.vm.DatastoreInfo(
                name=d.name,
                datastore=inventory.datastore_summary(d),
                capability=datastores.CAPABILITY,
                maxFileSize=MOST_FILE_BYTES,
                maxVirtualDiskCapacity=MOST_FILE_BYTES,
                mode="readWrite",
            )
            for d in stores
        ],
        network=[vim.vm.NetworkInfo(name=n.name, network=networks.summary(n)) for n in nets],
    )


def methods() -> list[Method]:
    def query_descriptors(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
        _owner(context, this)
        return descriptors()

    def query_option(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
        _owner(context, this)
        return config_option(args.get("key"))

    def query_option_ex(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
        _owner(context, this)
        spec = args.get("spec")
        return config_option(
            spec.key if spec else None, list(spec.guestId) if spec and spec.guestId else None
        )

    def query_target(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
        return config_target(context, _owner(context, this), args.get("host"))

    receivers = frozenset({"EnvironmentBrowser"})
    return [
        Method("QueryConfigOptionDescriptor", query_descriptors, receivers),
        Method("QueryConfigOption", query_option, receivers),
        Method("QueryConfigOptionEx", query_option_ex, receivers),
        Method("QueryConfigTarget", query_target, receivers),
    ]
