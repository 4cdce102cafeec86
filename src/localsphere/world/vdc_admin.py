"""The provider's administration of org VDCs (vCloud Director's ``/api/admin/vdc``): create one on a
provider VDC (a cluster of the world's vCenter, ``provider_view.py``) with an allocation model and
its terms, change it, enable or disable it, delete it. Each VDC stays a view of the world: its
resource pool below the cluster's root pool carries its CPU and memory ceiling and reservation,
which vCenter shows; instantiation and power-on check its capacity (``org_vdcs.check_capacity``).
Who may do this is the face's to check (provider-only rights)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localsphere.world import metadata
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, WrongState
from localsphere.world.inventory import CLUSTER
from localsphere.world.org_vdcs import ALLOCATION_MODELS, STORAGE_PROFILE, Terms, add_vdc, pool_details
from localsphere.world.schema import ManagedObject, OrgNetwork, OrgVdc, VApp, VdcStorageProfileRow
from localsphere.world.storage_policies import provider_policies, sync_default_limit
from localsphere.world.store import INVENTORY, Store, changed
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.vapps import Actor, remove_vapp
from localsphere.world.vdc_storage_profiles import ProfileSpec, add_profile

NAME_LENGTH = 128  # a VDC's name: a bound, not a rule of vCD's


@dataclass(frozen=True)
class VdcChange:
    """What an edit of a VDC sets (None: keep): its name, description and terms."""

    name: str | None = None
    description: str | None = None
    terms: Terms | None = None


def checked(terms: Terms) -> Terms:
    """``terms`` when they make sense; Invalid (the product's 400) otherwise: an unknown
    allocation model, a negative amount, a guarantee outside 0..1, a limit below the allocation
    of a pool model."""
    if terms.allocation_model not in ALLOCATION_MODELS:
        raise Invalid(
            "vdc.allocation_model",
            f"Invalid allocation model {terms.allocation_model}: one of {', '.join(ALLOCATION_MODELS)}.",
            terms.allocation_model,
        )
    amounts = {
        "Cpu Allocated": terms.cpu_allocated_mhz,
        "Cpu Limit": terms.cpu_limit_mhz,
        "Memory Allocated": terms.memory_allocated_mb,
        "Memory Limit": terms.memory_limit_mb,
        "storage Limit": terms.storage_limit_mb,
        "VmQuota": terms.vm_quota,
        "NicQuota": terms.nic_quota,
        "NetworkQuota": terms.network_quota,
    }
    for name, value in amounts.items():
        if value < 0:
            raise Invalid("vdc.negative", f"{name} must not be negative (it is {value}).", name)
    for name, share in (
        ("ResourceGuaranteedCpu", terms.cpu_guaranteed),
        ("ResourceGuaranteedMemory", terms.memory_guaranteed),
    ):
        if not 0 <= share <= 1:
            raise Invalid("vdc.guarantee", f"{name} must be between 0 and 1 (it is {share}).", name)
    if terms.vcpu_mhz <= 0:
        raise Invalid("vdc.vcpu", f"VCpuInMhz must be positive (it is {terms.vcpu_mhz}).", "VCpuInMhz")
    if terms.allocation_model == "Flex":
        for name, allocated, limit in (
            ("Cpu", terms.cpu_allocated_mhz, terms.cpu_limit_mhz),
            ("Memory", terms.memory_allocated_mb, terms.memory_limit_mb),
        ):
            if limit and limit < allocated:
                raise Invalid(
                    "vdc.limit",
                    f"{name} Limit ({limit}) must not be below {name} Allocated ({allocated}).",
                    name,
                )
    return terms


class VdcAdmin:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks

    def create(
        self,
        actor: Actor,
        tenant: str,
        name: str,
        description: str,
        cluster: str,
        terms: Terms,
        profiles: tuple[ProfileSpec, ...] = (),
    ) -> tuple[str, str]:
        """A VDC of ``tenant`` on the provider VDC of ``cluster`` (a cluster's moid) with the
        storage policies ``profiles`` of that provider VDC (the first with ``default``, else the
        first, is its default, its limit the terms'; none: ``*``); its id and the task that made
        it. Conflict for a name the org has, NotFound for no such cluster, Invalid for bad terms
        or policies."""
        _name(name)
        checked(terms)
        with self._store.write(serial=True) as s:  # look, then add: one name per org
            found = s.get(ManagedObject, cluster)
            if found is None or found.kind != CLUSTER:
                raise NotFound("provider_vdc.not_found", f"No provider VDC {cluster}.", cluster)
            now = self._clock.now(s)
            first = next((p for p in profiles if p.default), profiles[0] if profiles else None)
            if first is not None and first.name not in provider_policies(s, cluster):
                raise Invalid(
                    "storage_profile.unknown",
                    f'The provider VDC has no storage policy "{first.name}".',
                    first.name,
                )
            vdc_id = add_vdc(
                s, tenant, name, cluster, now, terms, description, first.name if first else STORAGE_PROFILE
            )
            row = _locked(s, vdc_id)
            for spec in profiles:
                if spec is not first:
                    add_profile(s, row, replace(spec, default=False), now)
            operation = f"Created Virtual Datacenter {name}({vdc_id})"
            owner = Owner("vdc", vdc_id, name)
            return vdc_id, self._tasks.start(s, tenant, "vdcCreateVdc", operation, owner, actor.principal)

    def update(self, actor: Actor, vdc_id: str, change: VdcChange) -> str:
        """Change a VDC's name, description or terms (its pool follows); the task's id. NotFound,
        Conflict for a name its org has, Invalid for bad terms."""
        with self._store.write(serial=True) as s:
            row = _locked(s, vdc_id)
            if change.name is not None and change.name != row.name:
                _name(change.name)
                taken = select(OrgVdc.id).where(OrgVdc.tenant == row.tenant, OrgVdc.name == change.name)
                if s.scalars(taken).first():
                    raise Conflict(
                        "vdc.exists", f"The org already has a VDC named {change.name}.", change.name
                    )
                row.name = change.name
            if change.description is not None:
                row.description = change.description
            if change.terms is not None:
                if change.terms.storage_limit_mb != row.storage_limit_mb:
                    sync_default_limit(s, vdc_id, change.terms.storage_limit_mb)
                for column, value in checked(change.terms).columns().items():
                    setattr(row, column, value)
                pool = s.get(ManagedObject, row.pool)
                if pool is not None:
                    pool.details = json.dumps({**json.loads(pool.details), **pool_details(change.terms)})
            changed(s, INVENTORY)
            operation = f"Updated Virtual Datacenter {row.name}({vdc_id})"
            owner = Owner("vdc", vdc_id, row.name)
            return self._tasks.start(s, row.tenant, "vdcUpdateVdc", operation, owner, actor.principal)

    def set_enabled(self, vdc_id: str, enabled: bool) -> None:
        """Enable or disable a VDC (a disabled one takes no new vApps); NotFound."""
        with self._store.write() as s:
            _locked(s, vdc_id).enabled = enabled
            changed(s, INVENTORY)

    def delete(self, actor: Actor, vdc_id: str, recursive: bool = False) -> str:
        """Delete a VDC, its vApps and networks (only when ``recursive``), its resource pool and
        the metadata of the VDC, its storage policy and networks; returns the task's id.
        WrongState (400) while it is enabled or, unless ``recursive``, holds vApps or networks."""
        with self._store.write() as s:
            row = _locked(s, vdc_id)
            if row.enabled:
                raise WrongState(
                    "vdc.enabled", f'VDC "{row.name}" is enabled: disable it before deleting it.', row.name
                )
            vapps = list(s.scalars(select(VApp).where(VApp.vdc == vdc_id)))
            networks = list(s.scalars(select(OrgNetwork).where(OrgNetwork.vdc == vdc_id)))
            if (vapps or networks) and not recursive:
                raise WrongState(
                    "vdc.not_empty",
                    f'VDC "{row.name}" cannot be deleted: it holds {len(vapps)} vApp(s) and '
                    f"{len(networks)} network(s).",
                    row.name,
                )
            tenant, name = row.tenant, row.name
            remove_vdc(s, row)
            operation = f"Deleted Virtual Datacenter {name}({vdc_id})"
            return self._tasks.start(
                s, tenant, "vdcDeleteVdc", operation, Owner("vdc", vdc_id, name), actor.principal
            )


def remove_vdc(s: Session, row: OrgVdc) -> None:
    """A VDC gone, in the caller's write transaction: its vApps (their VMs and folders), its
    networks and the port groups that backed them, its resource pool (all gone from vCenter),
    what its foreign keys take with it (independent disks), and the metadata of the VDC, its
    storage policy and its networks."""
    for vapp in s.scalars(select(VApp).where(VApp.vdc == row.id)).all():
        remove_vapp(s, vapp)
    networks = s.scalars(select(OrgNetwork).where(OrgNetwork.vdc == row.id)).all()
    for network in networks:
        s.execute(delete(ManagedObject).where(ManagedObject.moid == network.network))
        s.delete(network)
    profiles = s.scalars(select(VdcStorageProfileRow.id).where(VdcStorageProfileRow.vdc == row.id)).all()
    metadata.forget(s, [row.id, *profiles, *(n.id for n in networks)])
    pool = s.get(ManagedObject, row.pool)
    if pool is not None:
        s.delete(pool)
    s.delete(row)
    changed(s, INVENTORY)


def _locked(s: Session, vdc_id: str) -> OrgVdc:
    row = s.scalars(select(OrgVdc).where(OrgVdc.id == vdc_id).with_for_update()).first()
    if row is None:
        raise NotFound("vdc.not_found", f"No VDC with id {vdc_id}.", vdc_id)
    return row


def _name(name: str) -> None:
    if not name.strip() or len(name) > NAME_LENGTH:
        raise Invalid("vdc.name", f"A VDC's name has 1 to {NAME_LENGTH} characters.", name)
