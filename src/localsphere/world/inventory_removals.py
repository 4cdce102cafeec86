"""Hosts, clusters, datastores and networks taken out of vCenter's inventory (vSphere's
``Destroy_Task`` of each), each checked against the caller's privilege on it, so that the REST
lists no longer show them the moment the change is made.

Rules as vCenter states them: a host is removed only while it is disconnected or in maintenance
mode: otherwise WrongState (vSphere's InvalidState); its VMs and
resource pools leave the inventory with it. A cluster goes with its hosts, pools and VMs. A
datastore or a network that a VM still uses (a disk or home on the datastore, a NIC on the
network) stays: Conflict (``*.in_use``, vSphere's ResourceInUse, quoting the kind and the name).
Whatever backs a vCloud Director VDC or runs its VMs stays too (Conflict).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from localsphere.world.access import Caller
from localsphere.world.errors import Conflict, WrongState
from localsphere.world.inventory import (
    CLUSTER,
    DATASTORE,
    DISCONNECTED,
    HOST,
    NETWORK,
    POOL,
    VM,
    authorize,
    in_maintenance,
    row_of,
)
from localsphere.world.schema import ExternalStat, ManagedObject, OrgNetwork, OrgVdc
from localsphere.world.store import INVENTORY, STATS, Store, changed


class InventoryRemovals:
    def __init__(self, store: Store) -> None:
        self._store = store

    def destroy_host(self, caller: Caller, moid: str) -> None:
        """Remove a host with its pools and VMs: a clustered one needs
        ``Host.Inventory.RemoveHostFromCluster`` on it, a standalone one
        ``Host.Inventory.DeleteCluster``; WrongState (``host.connected``) while it is connected and
        not in maintenance mode,
        Conflict (``host.in_use_by_vcd``) while it runs vCD VMs."""
        with self._store.write() as s:
            host = row_of(s, HOST, moid, lock=True)
            privilege = (
                "Host.Inventory.RemoveHostFromCluster" if host.cluster else "Host.Inventory.DeleteCluster"
            )
            authorize(caller, host.path, privilege, moid, s)
            if host.subtype != DISCONNECTED and not in_maintenance(host):
                raise WrongState(
                    "host.connected",
                    "The operation is not allowed in the current state.",
                    host.name,
                )
            vms = (ManagedObject.kind == VM) & (ManagedObject.host == moid)
            _unused_by_vcd(s, host, vms, "host.in_use_by_vcd")
            _remove(s, ManagedObject.path.startswith(host.path, autoescape=True) | vms)

    def destroy_cluster(self, caller: Caller, moid: str) -> None:
        """Remove a cluster with its hosts, pools and VMs (``Host.Inventory.DeleteCluster`` on
        it); Conflict (``cluster.in_use_by_vcd``) while a vCD VDC or VM lives in it."""
        with self._store.write() as s:
            cluster = row_of(s, CLUSTER, moid, lock=True)
            authorize(caller, cluster.path, "Host.Inventory.DeleteCluster", moid, s)
            inside = ManagedObject.path.startswith(cluster.path, autoescape=True)
            vms = (ManagedObject.kind == VM) & (ManagedObject.cluster == moid)
            _unused_by_vcd(s, cluster, vms, "cluster.in_use_by_vcd")
            pools = select(ManagedObject.moid).where(inside, ManagedObject.kind == POOL)
            if s.scalars(select(OrgVdc.id).where(OrgVdc.pool.in_(pools))).first():
                raise Conflict(
                    "cluster.in_use_by_vcd", f"Cluster {cluster.name} backs a vCD VDC", CLUSTER, cluster.name
                )
            _remove(s, inside | vms)

    def destroy_datastore(self, caller: Caller, moid: str) -> None:
        """Remove a datastore (``Datastore.Delete`` on it); Conflict (``datastore.in_use``) while
        a VM's disk or home is on it."""
        self._destroy_unused(caller, DATASTORE, moid, "Datastore.Delete", f'"datastore": "{moid}"')

    def destroy_network(self, caller: Caller, moid: str) -> None:
        """Remove a network (``Network.Delete`` on it); Conflict (``network.in_use``) while a VM's
        NIC is on it or a vCD org network is backed by it."""
        self._destroy_unused(caller, NETWORK, moid, "Network.Delete", f'"network": "{moid}"')

    def _destroy_unused(self, caller: Caller, kind: str, moid: str, privilege: str, use: str) -> None:
        with self._store.write() as s:
            row = row_of(s, kind, moid, lock=True)
            authorize(caller, row.path, privilege, moid, s)
            used = (ManagedObject.kind == VM) & ManagedObject.details.contains(use, autoescape=True)
            backing = (
                kind == NETWORK and s.scalars(select(OrgNetwork.id).where(OrgNetwork.network == moid)).first()
            )
            if backing or s.scalars(select(ManagedObject.moid).where(used).limit(1)).first():
                reason = f"{kind.lower()}.in_use"
                raise Conflict(reason, f"The resource '{row.name}' is in use.", kind, row.name)
            _remove(s, ManagedObject.moid == moid)


def _unused_by_vcd(s: Session, row: ManagedObject, vms: ColumnElement[bool], reason: str) -> None:
    """Conflict (``reason``) when one of the VMs ``vms`` selects is a vCD VM."""
    if s.scalars(select(ManagedObject.moid).where(vms, ManagedObject.vapp.is_not(None)).limit(1)).first():
        raise Conflict(reason, f"{row.name} runs vCloud Director VMs", row.kind, row.name)


def _remove(s: Session, gone: ColumnElement[bool]) -> None:
    """The objects ``gone`` selects out of the inventory, with their pushed samples."""
    s.execute(delete(ExternalStat).where(ExternalStat.resource.in_(select(ManagedObject.uuid).where(gone))))
    s.execute(delete(ManagedObject).where(gone))
    changed(s, INVENTORY, STATS)
