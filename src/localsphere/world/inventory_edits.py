"""Changes to the inventory's shape and to a VM's settings, as vCenter makes them: renaming any
entity, folders made, moved into and destroyed, a VM marked as a template and back, its notes
(``annotation``) and advanced settings (``extraConfig``).

Rules as vSphere's API reference states them: a name is unique among the entities of a folder
(``DuplicateName``); a folder holds only its own kind of entity (a VM folder VMs and VM folders);
a datacenter's four top folders are not renamed, moved or destroyed; a folder is destroyed with
everything in it, which needs its VMs powered off; a template is never powered on.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, delete, func, literal, select, update
from sqlalchemy.orm import Session

from localsphere.world.access import Caller
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, WrongState, bounded_text
from localsphere.world.guest_os import check_guest
from localsphere.world.inventory import (
    CLUSTER,
    DATACENTER,
    DATASTORE,
    FOLDER,
    HOST,
    NETWORK,
    POOL,
    POWERED_OFF,
    VM,
    Placement,
    add_object,
    authorize,
    place,
    row_of,
)
from localsphere.world.schema import ExternalStat, ManagedObject
from localsphere.world.store import INVENTORY, STATS, Store, changed
from localsphere.world.vm_placement import forget

NAME_LENGTH = 80  # vCenter's longest entity name
# The privilege that renames an entity of each kind (vSphere's ``Rename_Task``)
RENAME = {
    VM: "VirtualMachine.Config.Rename",
    FOLDER: "Folder.Rename",
    DATACENTER: "Datacenter.Rename",
    CLUSTER: "Host.Inventory.RenameCluster",
    POOL: "Resource.RenamePool",
    DATASTORE: "Datastore.Rename",
}
FOLDER_PREFIXES = {  # a new folder's id, by the kind of folder (vCenter's ``group-v12``)
    "DATACENTER": "group-d",
    "VIRTUAL_MACHINE": "group-v",
    "HOST": "group-h",
    "DATASTORE": "group-s",
    "NETWORK": "group-n",
}
HOLDS = {  # the kinds of entity a folder of each kind holds, besides folders like itself
    "DATACENTER": {DATACENTER},
    "VIRTUAL_MACHINE": {VM},
    "HOST": {CLUSTER, HOST},
    "DATASTORE": {DATASTORE},
    "NETWORK": {NETWORK},
}
MOVE = {VM: "VirtualMachine.Inventory.Move", FOLDER: "Folder.Move", DATACENTER: "Datacenter.Move"}


def template(details: dict[str, Any]) -> bool:
    """Whether a VM is a template."""
    return bool(details.get("template", False))


def unique_name(s: Session, name: str, parent: str, kind: str, moid: str | None = None) -> None:
    """Conflict (``entity.exists``: the name, the folder) when an entity of ``parent`` other than
    ``moid`` has the name: VMs by the folder they are in, others by their parent."""
    column = ManagedObject.folder if kind == VM else ManagedObject.parent
    kinds = [VM] if kind == VM else [FOLDER, DATACENTER, CLUSTER, HOST, DATASTORE, NETWORK, POOL]
    found = s.scalars(
        select(ManagedObject.moid).where(
            column == parent, ManagedObject.name == name, ManagedObject.kind.in_(kinds)
        )
    ).first()
    if found is not None and found != moid:
        raise Conflict("entity.exists", f"The name '{name}' already exists.", name, parent)


class InventoryEdits:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def rename(self, caller: Caller, moid: str, kind: str, name: str) -> None:
        """Rename an entity: Invalid (``entity.name``) for an empty or too long name, Conflict for
        one in use beside it, Invalid (``entity.not_renamed``) for a host, a network or a
        datacenter's top folder; NotFound/Forbidden as ``authorize``."""
        with self._store.write() as s:
            row = row_of(s, kind, moid, lock=True)
            authorize(caller, row.path, RENAME.get(kind, "System.Read"), moid, s)
            if kind not in RENAME or _top_folder(s, row):
                raise Invalid("entity.not_renamed", f"{row.name} cannot be renamed", moid)
            _name(name)
            unique_name(s, name, (row.folder or "") if kind == VM else (row.parent or ""), kind, moid)
            row.name = name
            changed(s, INVENTORY)

    def create_folder(self, caller: Caller, parent_id: str, name: str) -> str:
        """A folder in the folder ``parent_id``, of its kind; its id. Conflict for a name in use."""
        _name(name)
        with self._store.write() as s:
            parent = row_of(s, FOLDER, parent_id, lock=True)
            authorize(caller, parent.path, "Folder.Create", parent_id, s)
            unique_name(s, name, parent_id, FOLDER)
            subtype = parent.subtype or "VIRTUAL_MACHINE"
            row = add_object(
                s,
                FOLDER,
                FOLDER_PREFIXES.get(subtype, "group-"),
                name,
                parent,
                self._clock.now(s),
                subtype=subtype,
            )
            changed(s, INVENTORY)
            return row.moid

    def move_into_folder(self, caller: Caller, folder_id: str, moids: list[str]) -> None:
        """Move entities into a folder, each keeping everything under it: Invalid
        (``folder.wrong_kind``) for an entity the folder does not hold or a folder moved into
        itself, (``folder.other_datacenter``) across datacenters; Conflict for a name in use."""
        with self._store.write() as s:
            folder = row_of(s, FOLDER, folder_id, lock=True)
            for moid in moids:
                row = s.get(ManagedObject, moid, with_for_update=True)
                if row is None:
                    raise NotFound(
                        "object.not_found", f"Object with identifier '{moid}' does not exist", moid
                    )
                authorize(caller, row.path, MOVE.get(row.kind, "Folder.Move"), moid, s)
                authorize(caller, folder.path, MOVE.get(row.kind, "Folder.Move"), folder_id, s)
                holds = row.kind in HOLDS.get(folder.subtype or "", set()) or (
                    row.kind == FOLDER and row.subtype == folder.subtype
                )
                if not holds or folder.path.startswith(row.path) or _top_folder(s, row):
                    raise Invalid(
                        "folder.wrong_kind", f"{folder.name} cannot hold {row.name}", moid, folder_id
                    )
                if row.datacenter != folder.datacenter:
                    raise Invalid(
                        "folder.other_datacenter", f"{row.name} cannot move to another datacenter", moid
                    )
                if (row.folder if row.kind == VM else row.parent) == folder_id:
                    continue
                unique_name(s, row.name, folder_id, row.kind)
                _repath(s, row, folder)
            changed(s, INVENTORY)

    def destroy_folder(self, caller: Caller, moid: str, unregister_only: bool = False) -> None:
        """Destroy a folder and everything in it (``unregister_only``: its VMs are forgotten, as
        vSphere's ``UnregisterAndDestroy_Task`` of a VM folder; their files stay, to be
        registered again). WrongState (``vm.powered_on``)
        while a VM in it is not powered off; Invalid (``folder.system``) for a datacenter's top
        folder or the root folder."""
        with self._store.write() as s:
            row = row_of(s, FOLDER, moid, lock=True)
            authorize(caller, row.path, "Folder.Delete", moid, s)
            if row.parent is None or _top_folder(s, row):
                raise Invalid("folder.system", f"The folder {row.name} cannot be destroyed", moid)
            if unregister_only and row.subtype != "VIRTUAL_MACHINE":
                raise Invalid("folder.system", f"{row.name} is not a folder of virtual machines", moid)
            inside = select(ManagedObject).where(ManagedObject.path.startswith(row.path, autoescape=True))
            rows = list(s.scalars(inside))
            running = next((r for r in rows if r.kind == VM and r.power_state != POWERED_OFF), None)
            if running is not None:
                state = (running.power_state or "").lower()
                raise WrongState(
                    "vm.powered_on", f"Virtual machine {running.name} is {state}", running.moid, state
                )
            vms = [r for r in rows if r.kind == VM]
            for vm in vms:
                if unregister_only:
                    authorize(caller, vm.path, "VirtualMachine.Inventory.Unregister", vm.moid, s)
                    forget(s, vm)
                else:
                    authorize(caller, vm.path, "VirtualMachine.Inventory.Delete", vm.moid, s)
            gone = [r.moid for r in rows if not (unregister_only and r.kind == VM)]
            s.execute(delete(ExternalStat).where(ExternalStat.resource.in_([vm.uuid for vm in vms])))
            s.execute(delete(ManagedObject).where(ManagedObject.moid.in_(gone)))
            changed(s, INVENTORY, STATS)

    def mark_as_template(self, caller: Caller, moid: str) -> None:
        """A VM becomes a template: WrongState (``vm.powered_on``) unless it is powered off,
        (``vm.template``) when it is one already."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            authorize(caller, row.path, "VirtualMachine.Provisioning.MarkAsTemplate", moid, s)
            details = json.loads(row.details)
            if template(details):
                raise WrongState("vm.template", f"{row.name} is a template already", moid)
            if row.power_state != POWERED_OFF:
                state = (row.power_state or "").lower()
                raise WrongState("vm.powered_on", f"Virtual machine {row.name} is {state}", moid, state)
            details["template"] = True
            row.details = json.dumps(details)
            changed(s, INVENTORY)

    def mark_as_virtual_machine(self, caller: Caller, moid: str, pool: str, host: str | None) -> None:
        """A template becomes a VM again, in ``pool`` (on ``host``): WrongState (``vm.not_template``)
        when it is not a template; Invalid for a placement that does not hold together."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            authorize(caller, row.path, "VirtualMachine.Provisioning.MarkAsVM", moid, s)
            details = json.loads(row.details)
            if not template(details):
                raise WrongState("vm.not_template", f"{row.name} is not a template", moid)
            where = place(s, Placement(folder=row.folder, pool=pool, host=host))
            authorize(caller, where.pool.path, "Resource.AssignVMToPool", where.pool.moid, s)
            for column, value in where.columns().items():
                setattr(row, column, value)
            details["template"] = False
            row.details = json.dumps(details)
            changed(s, INVENTORY)

    def change_guest(self, caller: Caller, moid: str, guest: str) -> None:
        """Make a VM's guest the one named (``CENTOS_7_64``, a ``guest_os.NAMES``): Invalid
        ``vm.guest`` for a name vCenter does not know; the caller needs
        VirtualMachine.Config.Settings on the VM."""
        check_guest(guest)
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            authorize(caller, row.path, "VirtualMachine.Config.Settings", moid, s)
            row.subtype = guest
            changed(s, INVENTORY)

    def update_settings(
        self, caller: Caller, moid: str, annotation: str | None, extra_config: dict[str, str | None]
    ) -> None:
        """A VM's notes and advanced settings (a key set to None or "" is removed, as vSphere
        does); unchanged when None / empty."""
        if annotation is None and not extra_config:
            return
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            details = json.loads(row.details)
            if annotation is not None:
                authorize(caller, row.path, "VirtualMachine.Config.Annotation", moid, s)
                details["annotation"] = annotation
            if extra_config:
                authorize(caller, row.path, "VirtualMachine.Config.AdvancedConfig", moid, s)
                kept = details.setdefault("extra_config", {})
                for key, value in extra_config.items():
                    if value in (None, ""):
                        kept.pop(key, None)
                    else:
                        kept[key] = value
            row.details = json.dumps(details)
            changed(s, INVENTORY)


def _name(name: str) -> None:
    try:
        bounded_text(name, "name", NAME_LENGTH)
    except Invalid:
        raise Invalid("entity.name", f"'{name}' is not a valid name", name) from None


def _top_folder(s: Session, row: ManagedObject) -> bool:
    """Whether ``row`` is one of a datacenter's own folders (vm, host, datastore, network)."""
    if row.kind != FOLDER or row.parent is None:
        return False
    return s.scalar(select(ManagedObject.kind).where(ManagedObject.moid == row.parent)) == DATACENTER


def _repath(s: Session, row: ManagedObject, folder: ManagedObject) -> None:
    """``row`` and everything under it moved below ``folder``."""
    old, new = row.path, f"{folder.path}{row.moid}/"
    s.execute(
        update(ManagedObject)
        .where(ManagedObject.path.startswith(old, autoescape=True))
        .values(path=literal(new, String) + func.substr(ManagedObject.path, len(old) + 1))
        .execution_options(synchronize_session=False)
    )
    moved = {"parent": folder.moid, **({"folder": folder.moid} if row.kind == VM else {})}
    s.execute(update(ManagedObject).where(ManagedObject.moid == row.moid).values(**moved))
    s.expire(row)
