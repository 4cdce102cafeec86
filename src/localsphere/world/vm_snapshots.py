"""A VM's snapshots, as vSphere keeps them: a tree (each snapshot taken on top of the VM's current
one), the current snapshot (``details["current_snapshot"]``), and for each the VM's power state,
CPU, memory and devices when it was taken, which a revert puts back.

Rules as vSphere's API reference states them: a template has no snapshots taken; a revert to a
snapshot of a powered-on VM taken without memory leaves the VM powered off; removing a snapshot
keeps its children (they hang from its parent) unless asked to remove them too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from localsphere.world.access import Caller
from localsphere.world.clock import Clock
from localsphere.world.errors import NotFound, WrongState, bounded_text
from localsphere.world.inventory import POWERED_OFF, POWERED_ON, VM, authorize, next_id, power_to, row_of
from localsphere.world.schema import VmSnapshot
from localsphere.world.store import INVENTORY, Store, changed

CURRENT = "current_snapshot"  # a VM's details: its current snapshot's id
NAME_LENGTH = 80


@dataclass(frozen=True)
class SnapshotView:
    moid: str
    vm: str
    parent: str | None
    name: str
    description: str
    power_state: str  # the VM's when it was taken
    quiesced: bool
    created_at: float
    state: dict[str, Any]  # ``cpu_count``, ``memory_mib``, ``subtype``, ``details`` then


def _view(row: VmSnapshot) -> SnapshotView:
    return SnapshotView(
        row.moid,
        row.vm,
        row.parent,
        row.name,
        row.description,
        row.power_state,
        row.quiesced,
        row.created_at,
        json.loads(row.state),
    )


class VmSnapshots:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def of(self, vms: list[str]) -> dict[str, list[SnapshotView]]:
        """The snapshots of each VM, oldest first."""
        with self._store.query() as conn:
            rows = conn.execute(
                select(VmSnapshot)
                .where(VmSnapshot.vm.in_(vms))
                .order_by(VmSnapshot.created_at, VmSnapshot.moid)
            )
            found: dict[str, list[SnapshotView]] = {}
            for row in rows:
                found.setdefault(row.vm, []).append(_view(row))
            return found

    def get(self, moids: list[str]) -> list[SnapshotView]:
        """The snapshots among ``moids`` that exist."""
        with self._store.query() as conn:
            return [_view(row) for row in conn.execute(select(VmSnapshot).where(VmSnapshot.moid.in_(moids)))]

    def take(self, caller: Caller, vm: str, name: str, description: str, memory: bool, quiesce: bool) -> str:
        """A snapshot of the VM on top of its current one, which it becomes; its id. Invalid
        (``name.length``) for a bad name, WrongState (``vm.template``) for a template."""
        bounded_text(name, "name", NAME_LENGTH)
        with self._store.write() as s:
            row = row_of(s, VM, vm, lock=True)
            authorize(caller, row.path, "VirtualMachine.State.CreateSnapshot", vm, s)
            details = json.loads(row.details)
            if details.get("template"):  # ``inventory_edits.template``
                raise WrongState("vm.template", f"{row.name} is a template", vm)
            moid = f"snapshot-{next_id(s)}"
            on = row.power_state == POWERED_ON
            state = {
                "cpu_count": row.cpu_count,
                "memory_mib": row.memory_mib,
                "details": {k: v for k, v in details.items() if k != CURRENT},
            }
            s.add(
                VmSnapshot(
                    moid=moid,
                    vm=vm,
                    parent=details.get(CURRENT),
                    name=name,
                    description=description,
                    power_state=row.power_state if memory or not on else POWERED_OFF,
                    quiesced=quiesce,
                    state=json.dumps(state),
                    created_at=self._clock.now(s),
                )
            )
            details[CURRENT] = moid
            row.details = json.dumps(details)
            changed(s, INVENTORY)
            return moid

    def revert(self, caller: Caller, vm: str, snapshot: str | None, suppress_power_on: bool) -> None:
        """The VM as it was at ``snapshot`` (None: its current one), which becomes current:
        WrongState (``vm.snapshot.none``) when it has no current snapshot."""
        with self._store.write() as s:
            if snapshot is not None:
                vm = _snapshot(s, snapshot).vm
            row = row_of(s, VM, vm, lock=True)
            authorize(caller, row.path, "VirtualMachine.State.RevertToSnapshot", vm, s)
            details = json.loads(row.details)
            snapshot = snapshot or details.get(CURRENT)
            if snapshot is None:
                raise WrongState(
                    "vm.snapshot.none", f"Virtual machine {row.name} has no current snapshot", vm
                )
            taken = _snapshot(s, snapshot)
            state = json.loads(taken.state)
            row.cpu_count, row.memory_mib = state["cpu_count"], state["memory_mib"]
            row.details = json.dumps({**state["details"], CURRENT: snapshot})
            # the running state is the snapshot's now: a VM running at it runs from the revert on
            target = POWERED_OFF if suppress_power_on else taken.power_state
            power_to(s, row, target, restart=target == POWERED_ON)
            changed(s, INVENTORY)

    def remove(self, caller: Caller, snapshot: str, remove_children: bool) -> None:
        """Remove a snapshot (and the snapshots taken on top of it, with ``remove_children``; else
        they hang from its parent). The VM stays as it is; its current snapshot, if removed,
        becomes the removed one's parent."""
        with self._store.write() as s:
            taken = _snapshot(s, snapshot)
            row = row_of(s, VM, taken.vm, lock=True)
            authorize(caller, row.path, "VirtualMachine.State.RemoveSnapshot", row.moid, s)
            gone = _subtree(s, taken) if remove_children else {snapshot}
            if not remove_children:
                s.execute(update(VmSnapshot).where(VmSnapshot.parent == snapshot).values(parent=taken.parent))
            s.execute(delete(VmSnapshot).where(VmSnapshot.moid.in_(gone)))
            details = json.loads(row.details)
            if details.get(CURRENT) in gone:
                details[CURRENT] = taken.parent
                if taken.parent is None:
                    details.pop(CURRENT)
                row.details = json.dumps(details)
            changed(s, INVENTORY)

    def remove_all(self, caller: Caller, vm: str) -> None:
        """Every snapshot of the VM gone; the VM stays as it is."""
        with self._store.write() as s:
            row = row_of(s, VM, vm, lock=True)
            authorize(caller, row.path, "VirtualMachine.State.RemoveSnapshot", vm, s)
            s.execute(delete(VmSnapshot).where(VmSnapshot.vm == vm))
            details = json.loads(row.details)
            details.pop(CURRENT, None)
            row.details = json.dumps(details)
            changed(s, INVENTORY)


def _snapshot(s: Session, moid: str) -> VmSnapshot:
    found = s.get(VmSnapshot, moid)
    if found is None:
        raise NotFound("vm.snapshot.not_found", f"Snapshot {moid} does not exist", moid)
    return found


def _subtree(s: Session, top: VmSnapshot) -> set[str]:
    parents = {r.moid: r.parent for r in s.scalars(select(VmSnapshot).where(VmSnapshot.vm == top.vm))}
    gone = {top.moid}
    grew = True
    while grew:
        more = {m for m, p in parents.items() if p in gone} - gone
        gone |= more
        grew = bool(more)
    return gone
