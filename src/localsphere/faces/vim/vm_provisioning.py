"""Making and changing VMs through vim25, as govc and Ansible's ``vmware_guest`` call pyVmomi:
``Folder.CreateVM_Task``, ``VirtualMachine.CloneVM_Task``, ``ReconfigVM_Task``, ``RelocateVM_Task``,
``MarkAsTemplate`` and ``MarkAsVirtualMachine``. Each is the world's own operation, the one the
REST face's create, clone, relocate and ``vm/hardware`` calls make (``Inventory.create_vm``,
``VmPlacement``, ``VmHardware``), so REST and the property collector show the change at once.

A ``VirtualMachineConfigSpec`` is read for ``name``, ``guestId``, ``version`` (``vmx-21``),
``numCPUs``, ``numCoresPerSocket``, ``memoryMB``, the hot-add flags, ``firmware`` (REST's boot
``type``), ``files.vmPathName`` (its ``[datastore]`` places the VM), ``annotation``,
``extraConfig`` and ``deviceChange`` (``vm_devices``). A method's whole change is one
transaction (``VmTasks.run``): a spec whose any part the world refuses changes nothing (a create
or clone leaves no VM), as vCenter's all-or-nothing reconfiguration, and its task ends in error.
Each write records what it did for the event log in its task's chain (``world.facts``: a VM being
created and created, being cloned or deployed and cloned or deployed, reconfigured, relocated).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import faults, inventory, tasks, vm_devices
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world import guest_os, vm_hardware
from localsphere.world.errors import Invalid
from localsphere.world.facts import (
    CLONED,
    CLONING,
    CREATED,
    CREATING,
    DEPLOYED,
    DEPLOYING,
    RECONFIGURED,
    RELOCATED,
    RELOCATING,
    Fact,
)
from localsphere.world.inventory import FOLDER, VM, ObjectView, Placement
from localsphere.world.tasks import Owner
from localsphere.world.vm_placement import CloneSpec

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

HARDWARE_VERSION = re.compile(r"vmx-(?P<n>\d{2})")
FIRMWARE = {"bios": "BIOS", "efi": "EFI"}  # vim25's firmware types -> REST's boot types


def _moid(ref: Any) -> str | None:
    return None if ref is None else ref._moId


def _owner(o: ObjectView) -> Owner:
    return Owner(o.kind, o.moid, o.name)


def _guest(guest_id: str) -> str:
    """The world's name of a vim25 guest id (``centos7_64Guest`` -> ``CENTOS_7_64``); Invalid
    ``vm.guest`` (InvalidArgument ``guestId``) for an id outside ``GuestOsIdentifier``."""
    if guest_id not in inventory.GUEST_OS:
        raise Invalid("vm.guest", f"'{guest_id}' is not a guest id", "guestId")
    return inventory.GUEST_OS[guest_id]


def _datastore(context: Context, spec: Any, datacenter: str | None) -> str | None:
    """The datastore ``files.vmPathName`` names (``[datastore1]`` or ``[datastore1] vm/vm.vmx``);
    InvalidDatastorePath (``vm.datastore_path``) for a path that names none of the datacenter's."""
    path = spec.files.vmPathName if spec.files is not None else None
    if not path:
        raise Invalid("vm.files", "The configuration names no files", "files")
    found = vm_devices.DATASTORE_OF.match(path)
    moid = vm_devices.datastore_named(context, datacenter, found["name"]) if found else None
    if moid is None:
        raise Invalid(vm_devices.DATASTORE_PATH, f"No datastore for '{path}'", path)
    return moid


def configure(context: Context, vm: str, spec: Any, renamed: bool = True) -> None:
    """Make a ``VirtualMachineConfigSpec``'s changes on the VM, each checked against the privilege
    vSphere asks for it; its devices are checked before anything is changed (``vm_devices.check``),
    and the caller makes the whole in one transaction, so a refusal of any part changes nothing."""
    world, caller = context.world, context.signed_in.caller
    changes = list(spec.deviceChange or [])
    if changes:
        world.inventory.require(caller, "VirtualMachine.Config.AddRemoveDevice", vm)
        vm_devices.check(context, world.inventory_graph.objects([vm], None)[vm], changes)
    if renamed and spec.name:
        world.inventory_edits.rename(caller, vm, VM, spec.name)
    if spec.guestId is not None:
        world.inventory_edits.change_guest(caller, vm, _guest(spec.guestId))
    if (spec.numCPUs, spec.numCoresPerSocket, spec.cpuHotAddEnabled, spec.cpuHotRemoveEnabled) != (None,) * 4:
        world.inventory.require(caller, "VirtualMachine.Config.CPUCount", vm)
        world.vm_hardware.update_cpu(
            vm, spec.numCPUs, spec.numCoresPerSocket, spec.cpuHotAddEnabled, spec.cpuHotRemoveEnabled
        )
    if spec.firmware is not None:
        if spec.firmware not in FIRMWARE:
            raise Invalid("vm.firmware", f"'{spec.firmware}' is not a firmware of this VM", "firmware")
        world.inventory.require(caller, "VirtualMachine.Config.Settings", vm)
        world.vm_hardware.update_boot(vm, {"type": FIRMWARE[spec.firmware]})
    if spec.memoryMB is not None or spec.memoryHotAddEnabled is not None:
        world.inventory.require(caller, "VirtualMachine.Config.Memory", vm)
        world.vm_hardware.update_memory(vm, spec.memoryMB, spec.memoryHotAddEnabled)
    extra = {
        option.key: None if option.value is None else str(option.value) for option in spec.extraConfig or []
    }
    world.inventory_edits.update_settings(caller, vm, spec.annotation, extra)
    if changes:
        vm_devices.apply(context, world.inventory_graph.objects([vm], None)[vm], changes)


def create_vm(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    folder = tasks.entity(context, this)
    spec, pool, host = args["config"], _moid(args.get("pool")), _moid(args.get("host"))
    world, caller = context.world, context.signed_in.caller

    def change() -> str:
        if not spec.name:
            raise Invalid("vm.name", "The configuration names no virtual machine", "name")
        version = HARDWARE_VERSION.fullmatch(spec.version or "")
        moid = world.inventory.create_vm(
            caller,
            spec.name,
            guest_os.DEFAULT if spec.guestId is None else _guest(spec.guestId),
            Placement(
                folder=this.value,
                pool=pool,
                host=host,
                datastore=_datastore(context, spec, folder.datacenter),
            ),
            1 if spec.numCPUs is None else spec.numCPUs,  # vSphere's defaults when unset; 0 refused
            4 if spec.memoryMB is None else spec.memoryMB,
            0,
            f"VMX_{version['n']}" if version else None,
        )
        configure(
            context, moid, vim.vm.ConfigSpec(**{**_set(spec), "numCPUs": None, "memoryMB": None}), False
        )
        return moid

    def facts(made: str | None) -> list[Fact]:
        return [world.facts.fact(CREATING, str(made)), world.facts.fact(CREATED, str(made))]

    return tasks.run_task(
        context, _owner(folder), "CreateVM_Task", f"create virtual machine {spec.name}", change, facts
    )


def _set(spec: Any) -> dict[str, Any]:
    """The properties set in a data object."""
    return {
        p.name: getattr(spec, p.name) for p in spec._GetPropertyList() if getattr(spec, p.name) is not None
    }


def _placement(location: Any, folder: str | None) -> tuple[Placement, dict[str, str]]:
    """A ``RelocateSpec`` as the world's placement, and the datastores of its disk locators."""
    if location is None:
        return Placement(folder=folder), {}
    disks = {str(d.diskId): d.datastore._moId for d in location.disk or [] if d.datastore is not None}
    return (
        Placement(
            folder=folder or _moid(location.folder),
            pool=_moid(location.pool),
            host=_moid(location.host),
            datastore=_moid(location.datastore),
        ),
        disks,
    )


def clone_vm(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    source = tasks.entity(context, this)
    spec, name = args["spec"], args["name"]
    folder = tasks.entity(context, MoRef(FOLDER, args["folder"]._moId))
    world, caller = context.world, context.signed_in.caller
    placement, disks = _placement(spec.location, folder.moid)
    if source.details.get("template") and placement.pool is None and placement.host is None:
        raise faults.invalid_argument("spec.location.pool")
    if spec.template and spec.powerOn:
        raise faults.invalid_argument("spec.powerOn")

    def change() -> str:
        clone = CloneSpec(
            source.moid, name, placement, disk_datastores=tuple(disks.items()), power_on=bool(spec.powerOn)
        )
        moid = world.vm_placement.clone(caller, clone)
        if spec.config is not None:
            configure(context, moid, spec.config, False)
        if spec.template:
            world.inventory_edits.mark_as_template(caller, moid)
        return moid

    def facts(made: str | None) -> list[Fact]:
        # a clone's first event is about the source (``destName`` the clone's); a deployment's
        # both about the VM deployed, the template their ``srcTemplate``
        told = {"source": [source.moid, source.name]}
        if source.details.get("template"):
            return [
                world.facts.fact(DEPLOYING, str(made), **told),
                world.facts.fact(DEPLOYED, str(made), **told),
            ]
        to = {"name": name, "where": world.facts.where(str(made))}
        return [
            world.facts.fact(CLONING, source.moid, to=to, **told),
            world.facts.fact(CLONED, str(made), **told),
        ]

    return tasks.run_task(
        context, _owner(source), "CloneVM_Task", f"clone virtual machine {source.name}", change, facts
    )


def relocate_vm(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    """InvalidArgument (``spec.disk.diskId``) for a disk locator of a disk the VM has not."""
    vm = tasks.entity(context, this)
    placement, disks = _placement(args["spec"], None)
    if set(disks) - {str(d["key"]) for d in vm_hardware.disks(vm.details)}:
        raise faults.invalid_argument("spec.disk.diskId")
    world, caller = context.world, context.signed_in.caller
    before = world.facts.where(vm.moid)

    def facts(_: str | None) -> list[Fact]:
        moved = world.facts.fact(RELOCATED, vm.moid, **{"from": before})
        return [Fact(RELOCATING, moved.entity, {"where": before, "to": moved.details["where"]}), moved]

    return tasks.run_task(
        context,
        _owner(vm),
        "RelocateVM_Task",
        f"relocate virtual machine {vm.name}",
        lambda: world.vm_placement.relocate(caller, vm.moid, placement, disks),
        facts,
    )


def reconfigure_vm(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    vm, spec = tasks.entity(context, this), args["spec"]
    changes = {key: value for key, value in _set(spec).items() if isinstance(value, str | int | bool)}
    return tasks.run_task(
        context,
        _owner(vm),
        "ReconfigVM_Task",
        f"reconfigure virtual machine {vm.name}",
        lambda: configure(context, vm.moid, spec),
        lambda _: [context.world.facts.fact(RECONFIGURED, vm.moid, changes=changes)],
    )


def mark_as_template(context: Context, this: MoRef, _args: dict[str, Any]) -> None:
    context.world.inventory_edits.mark_as_template(context.signed_in.caller, tasks.entity(context, this).moid)


def mark_as_virtual_machine(context: Context, this: MoRef, args: dict[str, Any]) -> None:
    vm = tasks.entity(context, this)
    pool, host = _moid(args.get("pool")), _moid(args.get("host"))
    context.world.inventory_edits.mark_as_virtual_machine(context.signed_in.caller, vm.moid, str(pool), host)


def methods() -> list[Method]:
    vm = frozenset({VM})
    table: list[tuple[str, Callable[..., Any], frozenset[str]]] = [
        ("CreateVM_Task", create_vm, frozenset({FOLDER})),
        ("CloneVM_Task", clone_vm, vm),
        ("RelocateVM_Task", relocate_vm, vm),
        ("ReconfigVM_Task", reconfigure_vm, vm),
        ("MarkAsTemplate", mark_as_template, vm),
        ("MarkAsVirtualMachine", mark_as_virtual_machine, vm),
    ]
    return [Method(name, run, receivers, write=True) for name, run, receivers in table]
