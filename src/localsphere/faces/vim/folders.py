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

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import inventory, tasks
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.facts import (
    CLUSTER_DESTROYED,
    DATASTORE_DESTROYED,
    HOST_REMOVED,
    POOL_DESTROYED,
    RENAMED,
    Fact,
)
from localsphere.world.inventory import CLUSTER, DATACENTER, DATASTORE, FOLDER, HOST, NETWORK, POOL, VM
from localsphere.world.tasks import Owner

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

ENTITIES = frozenset(inventory.KINDS)
WORDS = {  # a kind of entity destroyed, as a task's description words it
    DATACENTER: "datacenter",
    POOL: "resource pool",
    HOST: "host",
    CLUSTER: "cluster",
    DATASTORE: "datastore",
    NETWORK: "network",
}


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

    def facts(_: str | None) -> list[Fact]:
        if this.type != VM:
            return []
        return [context.world.facts.fact(RENAMED, this.value, old_name=owner.name, new_name=name)]

    return tasks.run_task(
        context,
        owner,
        "Rename_Task",
        f"rename {owner.name} to {name}",
        lambda: context.world.inventory_edits.rename(caller, this.value, this.type, name),
        facts,
    )


def destroy(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
    """A VM's (``tasks.destroy_vm``), a folder's with all in it, a datacenter's with all in it
    (vCenter's destroy of a datacenter is forced), a resource pool's (its VMs and child pools
    move to its parent), a host's, a cluster's, a datastore's or a network's
    (``InventoryRemovals``: a standalone host is destroyed itself, this face showing no
    ComputeResource above it)."""
    if this.type == VM:
        return tasks.destroy_vm(context, this)
    if this.type == FOLDER:
        return _destroy_folder(context, this, "Destroy_Task", False)
    caller, owner = context.signed_in.caller, _owner(context, this)
    edits, removals = context.world.compute_resources, context.world.inventory_removals
    changes: dict[str, tuple[Callable[[], None], str | None]] = {
        DATACENTER: (partial(edits.delete_datacenter, this.value, True, (caller, "Datacenter.Delete")), None),
        POOL: (partial(edits.delete_pool, this.value, (caller, "Resource.DeletePool")), POOL_DESTROYED),
        HOST: (partial(removals.destroy_host, caller, this.value), HOST_REMOVED),
        CLUSTER: (partial(removals.destroy_cluster, caller, this.value), CLUSTER_DESTROYED),
        DATASTORE: (partial(removals.destroy_datastore, caller, this.value), DATASTORE_DESTROYED),
        NETWORK: (partial(removals.destroy_network, caller, this.value), None),
    }
    change, action = changes[this.type]
    facts = context.world.facts
    if this.type == DATACENTER:  # its VMs go with it
        noted = facts.removed_within(this.value)
    else:
        noted = [] if action is None else [facts.fact(action, this.value)]
    operation = f"destroy {WORDS[this.type]} {owner.name}"
    return tasks.run_task(context, owner, "Destroy_Task", operation, change, lambda _: noted)


def unregister_and_destroy(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
    return _destroy_folder(context, this, "UnregisterAndDestroy_Task", True)


def _destroy_folder(context: Context, this: MoRef, name: str, unregister: bool) -> Any:
    caller = context.signed_in.caller
    owner = _owner(context, this)
    noted = [] if unregister else context.world.facts.removed_within(this.value)  # its VMs go with it
    return tasks.run_task(
        context,
        owner,
        name,
        f"destroy folder {owner.name}",
        lambda: context.world.inventory_edits.destroy_folder(caller, this.value, unregister),
        lambda _: noted,
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
