"""What vCloud Director does when a lease ends (vCloudEntities.xsd, ``VAppLeaseSettings``): a
vApp whose deployment (runtime) lease ends is stopped: undeployed, its running VMs suspended, or
powered off when its org says ``PowerOffOnRuntimeLeaseExpiration``; its storage lease then starts
from that instant. A vApp or template whose storage lease ends is deleted when its org says
``DeleteOnStorageLeaseExpiration``, else flagged expired and kept (the product's "expired
items"), until deployed again (a vApp) or deleted.

Ends are applied on the world clock: after the clock moves (``Clock.advance`` runs ``sweep``), and
as it runs, when a request looks (``settle``: the vCD face's first step, at most once a second in
each process, a cheap read unless something is due); each is applied at the instant it fell due, so
one long step of the clock does everything that falls due within it, in order."""

from __future__ import annotations

import time

from sqlalchemy import Select, and_, delete, select
from sqlalchemy.orm import Session

from localsphere.world.catalogs import VAPP_TEMPLATE
from localsphere.world.clock import Clock, read_state
from localsphere.world.inventory import POWERED_OFF, POWERED_ON, SUSPENDED, VM, power_to
from localsphere.world.schema import CatalogItem, ManagedObject, MetadataEntry, VApp
from localsphere.world.store import INVENTORY, Store, changed
from localsphere.world.vapp_leases import org_leases, set_deployed
from localsphere.world.vapps import remove_vapp

SWEPT_MOST = 500  # leases one sweep ends: a bound; the next sweep goes on
LOOK_SECONDS = 1.0  # how often (real time, per process) ``settle`` looks for lease ends due


def _deployments_due(now: float) -> Select[tuple[VApp]]:
    return select(VApp).where(VApp.deployed.is_(True), VApp.deployment_expires_at <= now)


def _vapp_storage_due(now: float) -> Select[tuple[VApp]]:
    return select(VApp).where(
        VApp.deployed.is_(False), VApp.expired.is_(False), VApp.storage_expires_at <= now
    )


def _templates_due(now: float) -> Select[tuple[CatalogItem]]:
    return select(CatalogItem).where(
        and_(CatalogItem.kind == VAPP_TEMPLATE, CatalogItem.expired.is_(False)),
        CatalogItem.storage_expires_at <= now,
    )


class LeaseExpiry:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._looked = float("-inf")  # when (monotonic seconds) ``settle`` last looked
        clock.on_moved(self.sweep)

    def settle(self) -> None:
        """Apply the lease ends due by the world clock's now, if any, unless this process looked
        less than ``LOOK_SECONDS`` ago: leases end as the clock runs, not only when it is moved."""
        looked = time.monotonic()
        if looked - self._looked < LOOK_SECONDS:
            return
        self._looked = looked
        with self._store.query() as conn:
            now = read_state(conn).now
            due = any(
                conn.execute(query(now).with_only_columns(column).limit(1)).first() is not None
                for query, column in (
                    (_deployments_due, VApp.id),
                    (_vapp_storage_due, VApp.id),
                    (_templates_due, CatalogItem.id),
                )
            )
        if due:
            self.sweep()

    def sweep(self) -> int:
        """Apply every lease end due by the world clock's now; how many were applied."""
        with self._store.write() as s:
            now = read_state(s).now
            done = self._deployments(s, now) + self._vapp_storage(s, now) + self._templates(s, now)
            if done:
                changed(s, INVENTORY)
            return done

    def _deployments(self, s: Session, now: float) -> int:
        due = s.scalars(_deployments_due(now).limit(SWEPT_MOST).with_for_update()).all()
        for vapp in due:
            leases, _ = org_leases(s, vapp.tenant)
            target = POWERED_OFF if leases.power_off_on_runtime_lease_expiration else SUSPENDED
            for vm in s.scalars(
                select(ManagedObject).where(
                    ManagedObject.vapp == vapp.id,
                    ManagedObject.kind == VM,
                    ManagedObject.power_state == POWERED_ON,
                )
            ):
                power_to(s, vm, target)
            ended = vapp.deployment_expires_at
            set_deployed(s, vapp, False, ended)
        return len(due)

    def _vapp_storage(self, s: Session, now: float) -> int:
        due = s.scalars(_vapp_storage_due(now).limit(SWEPT_MOST).with_for_update()).all()
        for vapp in due:
            leases, _ = org_leases(s, vapp.tenant)
            if leases.delete_on_storage_lease_expiration:
                remove_vapp(s, vapp)
            else:
                vapp.expired = True
        return len(due)

    def _templates(self, s: Session, now: float) -> int:
        due = s.scalars(_templates_due(now).limit(SWEPT_MOST).with_for_update()).all()
        for item in due:
            _, leases = org_leases(s, item.tenant)
            if leases.delete_on_storage_lease_expiration:
                s.execute(delete(MetadataEntry).where(MetadataEntry.object == item.entity_id))
                s.delete(item)
            else:
                item.expired = True
        return len(due)
