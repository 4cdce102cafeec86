"""VM snapshots through vim25: ``CreateSnapshot_Task``, ``RevertToCurrentSnapshot_Task`` and
``RemoveAllSnapshots_Task`` on a VM; ``RevertToSnapshot_Task`` and ``RemoveSnapshot_Task`` on a
``VirtualMachineSnapshot`` (``snapshot-<n>``), whose ``config`` is the VM's configuration when it
was taken, ``childSnapshot`` the snapshots taken on top of it and ``vm`` its VM; and the VM's
``snapshot`` property (``VirtualMachineSnapshotInfo``: ``rootSnapshotList`` trees, each node's
``snapshot``, ``vm``, ``name``, ``description``, ``id``, ``createTime``, ``state``, ``quiesced``,
``childSnapshotList``; ``currentSnapshot``). The snapshots are the world's (``VmSnapshots``).

A snapshot is seen by whoever sees its VM. Snapshot ids' numbers come from the inventory's
sequence, so ``id`` (the number) is unique in the vCenter, as vSphere's is per VM.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import faults, inventory, tasks
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.facts import REVERTED, Fact
from localsphere.world.inventory import VM, ObjectView
from localsphere.world.tasks import Owner
from localsphere.world.vm_snapshots import CURRENT, SnapshotView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

SNAPSHOT = "VirtualMachineSnapshot"


def _tree(snapshot: SnapshotView, children: dict[str | None, list[SnapshotView]]) -> Any:
    return vim.vm.SnapshotTree(
        snapshot=vim.vm.Snapshot(snapshot.moid),
        vm=vim.VirtualMachine(snapshot.vm),
        name=snapshot.name,
        description=snapshot.description,
        id=int(snapshot.moid.removeprefix("snapshot-")),
        createTime=datetime.datetime.fromtimestamp(snapshot.created_at, datetime.UTC),
        state=inventory.POWER[snapshot.power_state],
        quiesced=snapshot.quiesced,
        childSnapshotList=[_tree(c, children) for c in children.get(snapshot.moid, [])],
    )


def snapshot_info(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    """The ``snapshot`` property of each VM that has snapshots (unset for the others)."""
    found = context.world.vm_snapshots.of([o.moid for o in objects])
    info: dict[str, Any] = {}
    for o in objects:
        taken = found.get(o.moid)
        if not taken:
            continue
        children: dict[str | None, list[SnapshotView]] = {}
        for snapshot in taken:
            children.setdefault(snapshot.parent, []).append(snapshot)
        current = o.details.get(CURRENT)
        info[o.moid] = vim.vm.SnapshotInfo(
            currentSnapshot=vim.vm.Snapshot(current) if current else None,
            rootSnapshotList=[_tree(s, children) for s in children.get(None, [])],
        )
    return info


def root_snapshots(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    """The ``rootSnapshot`` property: the roots of each VM's snapshot trees."""
    found = snapshot_info(context, objects)
    return {moid: [node.snapshot for node in info.rootSnapshotList] for moid, info in found.items()}


# the VM's properties this module reads, for the inventory's VirtualMachine table
VM_PATHS = {"snapshot": snapshot_info, "rootSnapshot": root_snapshots}


def _snapshots(context: Context, moids: list[str]) -> tuple[list[SnapshotView], dict[str, ObjectView]]:
    """The snapshots among ``moids`` whose VMs the caller sees, and those VMs."""
    found = context.world.vm_snapshots.get(moids)
    vms = context.world.inventory_graph.objects({s.vm for s in found}, inventory.sight(context))
    return [s for s in found if s.vm in vms], vms


def family() -> Family:
    """``VirtualMachineSnapshot``'s ``config``, ``childSnapshot`` and ``vm``."""

    def read(context: Context, _kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        found, vms = _snapshots(context, moids)
        children = context.world.vm_snapshots.of(list({s.vm for s in found}))
        answer: dict[str, dict[str, Any]] = {}
        for snapshot in found:
            values: dict[str, Any] = {}
            for path in paths:
                head, _, rest = path.partition(".")
                if head == "vm":
                    values[path] = vim.VirtualMachine(snapshot.vm)
                elif head == "childSnapshot":
                    taken = children.get(snapshot.vm, [])
                    values[path] = [vim.vm.Snapshot(c.moid) for c in taken if c.parent == snapshot.moid]
                elif head == "config":
                    value = inventory.vm_config(_as_taken(vms[snapshot.vm], snapshot))
                    for part in filter(None, rest.split(".")):
                        value = getattr(value, part, None)
                    if value is not None:
                        values[path] = value
            answer[snapshot.moid] = values
        return answer

    return Family(frozenset({SNAPSHOT}), read, lambda _kind: ["childSnapshot", "config", "vm"])


def _as_taken(vm: ObjectView, snapshot: SnapshotView) -> ObjectView:
    """The VM as it was when the snapshot was taken."""
    state = snapshot.state
    return dataclasses.replace(
        vm,
        cpu_count=state["cpu_count"],
        memory_mib=state["memory_mib"],
        power_state=snapshot.power_state,
        details_json=json.dumps(state["details"]),
    )


def _snapshot_owner(context: Context, this: MoRef) -> tuple[SnapshotView, Owner]:
    found, vms = _snapshots(context, [this.value])
    if not found:
        raise faults.not_found(this)
    return found[0], Owner(VM, found[0].vm, vms[found[0].vm].name)


def create_snapshot(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    vm = tasks.entity(context, this)
    caller, name = context.signed_in.caller, args["name"]
    return tasks.run_task(
        context,
        Owner(VM, vm.moid, vm.name),
        "CreateSnapshot_Task",
        f"create snapshot {name} of virtual machine {vm.name}",
        lambda: context.world.vm_snapshots.take(
            caller, vm.moid, name, args.get("description") or "", bool(args["memory"]), bool(args["quiesce"])
        ),
    )


def _reverted(context: Context, vm: str) -> list[Fact]:
    """That the VM ``vm`` went back to its current snapshot (vCenter's
    ``com.vmware.vc.vm.VmStateRevertedToSnapshot``)."""
    current = context.world.inventory_graph.objects([vm])[vm].details[CURRENT]
    (snapshot,) = context.world.vm_snapshots.get([current])
    return [context.world.facts.fact(REVERTED, vm, snapshot=[snapshot.moid, snapshot.name])]


def revert_to_current(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    vm = tasks.entity(context, this)
    caller = context.signed_in.caller
    return tasks.run_task(
        context,
        Owner(VM, vm.moid, vm.name),
        "RevertToCurrentSnapshot_Task",
        f"revert virtual machine {vm.name} to its current snapshot",
        lambda: context.world.vm_snapshots.revert(caller, vm.moid, None, bool(args.get("suppressPowerOn"))),
        lambda _: _reverted(context, vm.moid),
    )


def revert(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    snapshot, owner = _snapshot_owner(context, this)
    caller = context.signed_in.caller
    return tasks.run_task(
        context,
        owner,
        "RevertToSnapshot_Task",
        f"revert virtual machine {owner.name} to snapshot {snapshot.name}",
        lambda: context.world.vm_snapshots.revert(
            caller, owner.id, snapshot.moid, bool(args.get("suppressPowerOn"))
        ),
        lambda _: _reverted(context, owner.id),
    )


def remove(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    snapshot, owner = _snapshot_owner(context, this)
    caller = context.signed_in.caller
    return tasks.run_task(
        context,
        owner,
        "RemoveSnapshot_Task",
        f"remove snapshot {snapshot.name} of virtual machine {owner.name}",
        lambda: context.world.vm_snapshots.remove(caller, snapshot.moid, bool(args["removeChildren"])),
    )


def remove_all(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
    vm = tasks.entity(context, this)
    caller = context.signed_in.caller
    return tasks.run_task(
        context,
        Owner(VM, vm.moid, vm.name),
        "RemoveAllSnapshots_Task",
        f"remove every snapshot of virtual machine {vm.name}",
        lambda: context.world.vm_snapshots.remove_all(caller, vm.moid),
    )


def methods() -> list[Method]:
    vm, snapshot = frozenset({VM}), frozenset({SNAPSHOT})
    return [
        Method("CreateSnapshot_Task", create_snapshot, vm, write=True),
        Method("RevertToCurrentSnapshot_Task", revert_to_current, vm, write=True),
        Method("RemoveAllSnapshots_Task", remove_all, vm, write=True),
        Method("RevertToSnapshot_Task", revert, snapshot, write=True),
        Method("RemoveSnapshot_Task", remove, snapshot, write=True),
    ]
