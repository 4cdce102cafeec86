"""The inventory's shape through vim25: ``Folder.CreateFolder`` (the new ``Folder`` at once),
``Folder.MoveIntoFolder_Task``, ``ManagedEntity.Rename_Task`` and ``ManagedEntity.Destroy_Task``
(a VM, or a folder with everything in it), ``Folder.UnregisterAndDestroy_Task``; each change is
the world's (``InventoryEdits``), so REST's folder and VM lists show it at once.

Faults as vCenter raises them: ``DuplicateName`` for a name in use, ``InvalidName`` for an empty
or too long one (on ``CreateFolder``), ``NotSupported`` for a datacenter's own folders,
``InvalidArgument`` for an entity the folder cannot hold, ``InvalidPowerState`` for a folder with
a running VM in it.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import faults, inventory, tasks
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.inventory import DATACENTER, FOLDER, POOL, VM
from localsphere.world.tasks import Owner

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

ENTITIES = frozenset(inventory.KINDS)


def _owner(context: Context, this: MoRef) -> Owner:
    found = tasks.entity(context, this)
    return Owner(this.type, this.value, found.name)


def create_folder(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    tasks.entity(context, this)
    return vim.Folder(
        context.world.inventory_edits.create_folder(context.signed_in.caller, this.value, args["name"])
    )


def move_into_folder(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    moids = [entity._moId for entity in args["list"]]
    caller = context.signed_in.caller
    return tasks.run_task(
        context,
        _owner(context, this),
        "MoveIntoFolder_Task",
        f"move entities into folder {this.value}",
        lambda: context.world.inventory_edits.move_into_folder(caller, this.value, moids),
    )


def rename(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    caller, name = context.signed_in.caller, args["newName"]
    owner = _owner(context, this)
    return tasks.run_task(
        context,
        owner,
        "Rename_Task",
        f"rename {owner.name} to {name}",
        lambda: context.world.inventory_edits.rename(caller, this.value, this.type, name),
    )


def destroy(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
    """A VM's (``tasks.destroy_vm``), a folder's with all in it, a datacenter's with all in it
    (vCenter's destroy of a datacenter is forced), or a resource pool's (its VMs and child pools
    move to its parent); hosts, clusters, datastores and networks are not destroyed here."""
    if this.type == VM:
        return tasks.destroy_vm(context, this)
    if this.type == FOLDER:
        return _destroy_folder(context, this, "Destroy_Task", False)
    caller, owner = context.signed_in.caller, _owner(context, this)
    edits = context.world.compute_resources
    if this.type == DATACENTER:
        change = partial(edits.delete_datacenter, this.value, True, (caller, "Datacenter.Delete"))
    elif this.type == POOL:
        change = partial(edits.delete_pool, this.value, (caller, "Resource.DeletePool"))
    else:
        raise faults.not_implemented(f"Destroy_Task of a {this.type}")
    kind = "datacenter" if this.type == DATACENTER else "resource pool"
    return tasks.run_task(context, owner, "Destroy_Task", f"destroy {kind} {owner.name}", change)


def unregister_and_destroy(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
    return _destroy_folder(context, this, "UnregisterAndDestroy_Task", True)


def _destroy_folder(context: Context, this: MoRef, name: str, unregister: bool) -> Any:
    caller = context.signed_in.caller
    owner = _owner(context, this)
    return tasks.run_task(
        context,
        owner,
        name,
        f"destroy folder {owner.name}",
        lambda: context.world.inventory_edits.destroy_folder(caller, this.value, unregister),
    )


def methods() -> list[Method]:
    folder = frozenset({FOLDER})
    return [
        Method("CreateFolder", create_folder, folder, write=True),
        Method("MoveIntoFolder_Task", move_into_folder, folder, write=True),
        Method("UnregisterAndDestroy_Task", unregister_and_destroy, folder, write=True),
        Method("Rename_Task", rename, ENTITIES, write=True),
        Method(tasks.DESTROY, destroy, ENTITIES, write=True),
    ]
