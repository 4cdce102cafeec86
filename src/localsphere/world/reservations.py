"""vRA reservations and reservation policies, and the placement provisioning makes with them.

A reservation gives one business group (subtenant) of a tenant a share of one compute resource of
one of three kinds (``KINDS``):

- ``vsphere``: a cluster of the inventory (``target``: its moid), optionally one of its resource
  pools, storage on datastores of the cluster's datacenter (GB reserved on each) and networks of
  that datacenter, each optionally with a network profile;
- ``vcloud``: an org VDC (``target``: ``OrgVdc.id``), its storage policy and org networks;
- ``amazon``: a simulated EC2 region (``regions.REGIONS``) with a key pair; its memory and storage
  quotas may be 0, meaning none (EC2 bounds machines only).

Each has a priority (lower first), is enabled or not, and has quotas: memory (MB), storage (GB, the
sum of its enabled storages' reserved GB when it has storages) and machines (0: unlimited). What
placed machines hold is counted on the reservation (``used_*``, ``machines``) and recorded per
machine (``ReservationAllocation``, keyed by the machine's id), so ``place`` and ``release`` run
inside the caller's write transaction, atomically with the machine it makes or destroys.

Who may: the face lets a tenant's fabric group and tenant administrators write, and business group
managers read their groups' reservations (``tenant_roles``). Field names and rules follow the 6.2
Programming Guide's "Working with Reservations" (docs/research/vra-reservations.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from localsphere.world import identity, odata
from localsphere.world.clock import Clock, read_state
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.inventory import CLUSTER, DATASTORE, GIB, HOST, NETWORK, POOL
from localsphere.world.key_pairs import key_pair_of
from localsphere.world.listing import CHOICES_MOST, Choice, Counted, Listing, cut
from localsphere.world.network_profiles import profile_of
from localsphere.world.org_vdcs import storage_profile_id
from localsphere.world.regions import REGIONS, region
from localsphere.world.schema import (
    BusinessGroup,
    KeyPair,
    ManagedObject,
    NetworkProfile,
    OrgNetwork,
    OrgVdc,
    Reservation,
    ReservationAllocation,
    ReservationPolicy,
)
from localsphere.world.store import Store

VSPHERE, VCLOUD, AMAZON = "vsphere", "vcloud", "amazon"
KINDS = (VSPHERE, VCLOUD, AMAZON)
NAME_LENGTH = 255
PRIORITY_MOST = 2**31 - 1
MEMORY_MOST_MB = 2**40  # a petabyte-scale bound on a quota: past any world's clusters
STORAGE_MOST_GB = 2**40
MACHINES_MOST = 2**31 - 1
ITEMS_MOST = 100  # storages or networks of one reservation: a bound, not a rule of vRA's
# What vRA's reservation body calls the fields a refusal names (Guide 6.2's reservation JSON)
FIELD_NAMES = {
    "kind": "reservationTypeId",
    "target": "computeResource",
    "subtenant": "subTenantId",
    "memory_mb": "memoryReservedSizeMb",
    "storage_gb": "storageReservedSizeGB (in all)",
    "machine_quota": "machineQuota",
}
FIELDS: odata.Fields = {
    "id": Reservation.id,
    "name": Reservation.name,
    "description": Reservation.description,
    "subTenantId": Reservation.subtenant,
    "reservationPolicyId": Reservation.policy_id,
    "priority": Reservation.priority,
    "enabled": Reservation.enabled,
    "kind": Reservation.kind,
}
POLICY_FIELDS: odata.Fields = {
    "id": ReservationPolicy.id,
    "name": ReservationPolicy.name,
    "description": ReservationPolicy.description,
}


@dataclass(frozen=True)
class Placement:
    """Where ``place`` put a machine: the reservation and what it names."""

    reservation_id: str
    reservation_name: str
    kind: str
    target: str  # vsphere: the cluster's moid; vcloud: the org VDC's id; amazon: the region name
    resource_pool: str | None  # vsphere: the pool the reservation names (None: the cluster's root)
    network_profile_id: str | None
    key_pair_id: str | None  # amazon: the reservation's key pair


@dataclass(frozen=True)
class StorageSpec:
    target: str  # a datastore's moid (vsphere) or a VDC's storage policy id (vcloud)
    size_gb: int
    priority: int = 0
    enabled: bool = True


@dataclass(frozen=True)
class NetworkSpec:
    target: str  # a network's moid (vsphere) or an org network's id (vcloud)
    profile_id: str | None = None


@dataclass(frozen=True)
class ReservationSpec:
    name: str
    kind: str
    subtenant_id: str
    target: str
    priority: int = 0
    enabled: bool = True
    memory_mb: int = 0
    storage_gb: int | None = None  # None: the sum of the enabled storages' reserved GB
    machine_quota: int = 0
    description: str | None = None
    policy_id: str | None = None
    resource_pool: str | None = None
    storages: tuple[StorageSpec, ...] = ()
    networks: tuple[NetworkSpec, ...] = ()
    key_pair_id: str | None = None
    alert_policy: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # other extension data, kept as given


@dataclass(frozen=True)
class ReservationView:
    id: str
    tenant: str
    subtenant_id: str
    name: str
    description: str | None
    kind: str
    target: str
    resource_pool: str | None
    policy_id: str | None
    network_profile_id: str | None
    key_pair_id: str | None
    priority: int
    enabled: bool
    memory_mb: int
    storage_gb: int
    machine_quota: int
    used_memory_mb: int
    used_storage_gb: int
    machines: int
    storages: tuple[StorageSpec, ...]
    networks: tuple[NetworkSpec, ...]
    alert_policy: dict[str, Any] | None
    extra: dict[str, Any]
    created_at: float
    labels: dict[str, str]  # the name of each object it names, by id (compute resource, pool, ...)


@dataclass(frozen=True)
class PolicyView:
    id: str
    tenant: str
    name: str
    description: str | None


# Placement: the contract with provisioning.


def _quota_left(row: Reservation) -> tuple[int | None, int | None]:
    """Memory (MB) and storage (GB) left; None where the reservation sets no quota (Amazon's 0)."""
    unbounded = row.kind == AMAZON
    memory = None if unbounded and row.memory_mb == 0 else row.memory_mb - row.used_memory_mb
    storage = None if unbounded and row.storage_gb == 0 else row.storage_gb - row.used_storage_gb
    return memory, storage


def _shortfall(row: Reservation, memory_mb: int, storage_gb: int) -> str | None:
    """Why ``row`` cannot take the machine, or None when it can."""
    memory, storage = _quota_left(row)
    if memory is not None and memory < memory_mb:
        return f"Insufficient memory quota in reservation {row.name}: {memory_mb} MB asked, {memory} MB left."
    if storage is not None and storage < storage_gb:
        return (
            f"Insufficient storage quota in reservation {row.name}: {storage_gb} GB asked, {storage} GB left."
        )
    if row.machine_quota and row.machines >= row.machine_quota:
        return f"Insufficient machine quota in reservation {row.name}: all {row.machine_quota} machines used."
    return None


def place(
    s: Session,
    tenant: str,
    subtenant_id: str,
    kind: str,
    policy_id: str | None,
    cpus: int,
    memory_mb: int,
    storage_gb: int,
    owner: str,
) -> Placement:
    """Place a machine (``owner``: its id) of ``kind`` for a business group, in ``s``: among the
    group's enabled reservations of that kind (and, with ``policy_id``, of that policy), by
    priority (lower first) and then most memory left, the first whose memory, storage and machine
    quotas fit; records what the machine holds. ``cpus`` is not counted: vRA reservations have no
    CPU quota. Invalid (``reservation.none``) with the reason when none fits; Conflict when
    ``owner`` is placed already."""
    if kind not in KINDS:
        raise Invalid("reservation.kind", f"No reservation type {kind}.", kind)
    if memory_mb < 0 or storage_gb < 0 or cpus < 0:
        raise Invalid("reservation.request", "A machine asks for no negative CPU, memory or storage.", owner)
    if s.get(ReservationAllocation, owner) is not None:
        raise Conflict("reservation.placed", f"Machine {owner} is placed already.", owner)
    query = select(Reservation).where(
        Reservation.tenant == tenant,
        Reservation.subtenant == subtenant_id,
        Reservation.kind == kind,
        Reservation.enabled.is_(True),
    )
    if policy_id is not None:
        query = query.where(Reservation.policy_id == policy_id)
    left = Reservation.memory_mb - Reservation.used_memory_mb
    candidates = s.scalars(
        query.order_by(Reservation.priority, left.desc(), Reservation.id).with_for_update()
    )
    reasons = []
    for row in candidates:
        why = _shortfall(row, memory_mb, storage_gb)
        if why is not None:
            reasons.append(why)
            continue
        row.used_memory_mb += memory_mb
        row.used_storage_gb += storage_gb
        row.machines += 1
        s.add(
            ReservationAllocation(
                owner=owner,
                reservation_id=row.id,
                memory_mb=memory_mb,
                storage_gb=storage_gb,
                created_at=read_state(s).now,
            )
        )
        s.flush()
        return _placement(row)
    if not reasons:
        group = s.get(BusinessGroup, subtenant_id)
        named = group.name if group is not None else subtenant_id
        policy = f" of reservation policy {_policy_name(s, policy_id)}" if policy_id else ""
        reasons.append(f"No enabled {kind} reservation{policy} is available to business group {named}.")
    raise Invalid("reservation.none", " ".join(reasons), owner)


def _placement(row: Reservation) -> Placement:
    return Placement(
        row.id,
        row.name,
        row.kind,
        row.target,
        row.resource_pool,
        row.network_profile_id,
        None if row.key_pair_id is None else str(row.key_pair_id),
    )


def placement_of(s: Session, owner: str) -> Placement | None:
    """Where ``owner`` (a machine's id) is placed, or None when it holds no reservation."""
    held = s.get(ReservationAllocation, owner)
    row = s.get(Reservation, held.reservation_id) if held is not None else None
    return _placement(row) if row is not None else None


def release(s: Session, owner: str) -> None:
    """Give back what ``owner`` holds of its reservation, in ``s``; nothing when it holds none."""
    held = s.get(ReservationAllocation, owner)
    if held is None:
        return
    row = s.get(Reservation, held.reservation_id, with_for_update=True)
    if row is not None:
        row.used_memory_mb -= held.memory_mb
        row.used_storage_gb -= held.storage_gb
        row.machines -= 1
    s.delete(held)
    s.flush()


def _policy_name(s: Session, policy_id: str | None) -> str:
    row = s.get(ReservationPolicy, policy_id) if policy_id else None
    return row.name if row is not None else str(policy_id)


# Reservation policies.


def add_policy(s: Session, tenant: str, name: str, description: str | None, now: float) -> str:
    """Add a reservation policy in ``s``; Conflict for a name the tenant has. Returns its id."""
    bounded_text(name, "name", NAME_LENGTH)
    _unique_policy(s, tenant, name, None)
    policy_id = identity.new_id()
    s.add(ReservationPolicy(id=policy_id, tenant=tenant, name=name, description=description, created_at=now))
    s.flush()
    return policy_id


def _unique_policy(s: Session, tenant: str, name: str, own_id: str | None) -> None:
    clash = s.scalar(
        select(ReservationPolicy.id).where(
            ReservationPolicy.tenant == tenant, func.lower(ReservationPolicy.name) == name.lower()
        )
    )
    if clash is not None and clash != own_id:
        raise Conflict(
            "reservation_policy.exists", f"A reservation policy named {name} already exists.", name
        )


def policy_of(s: Session, tenant: str, policy_id: str) -> ReservationPolicy:
    row = s.get(ReservationPolicy, policy_id)
    if row is None or row.tenant != tenant:
        raise NotFound(
            "reservation_policy.not_found", f"Reservation policy {policy_id} not found.", policy_id
        )
    return row


def _policy_view(row: Any) -> PolicyView:
    return PolicyView(row.id, row.tenant, row.name, row.description)


class ReservationPolicies:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def list(self, tenant: str, listing: Listing) -> Counted[PolicyView]:
        columns = (ReservationPolicy.id, ReservationPolicy.tenant, ReservationPolicy.name)
        query = select(*columns, ReservationPolicy.description).where(ReservationPolicy.tenant == tenant)
        with self._store.query() as conn:
            return cut(
                conn,
                query,
                POLICY_FIELDS,
                listing,
                (ReservationPolicy.name, ReservationPolicy.id),
                _policy_view,
            )

    def get(self, tenant: str, policy_id: str) -> PolicyView:
        with self._store.read() as s:
            return _policy_view(policy_of(s, tenant, policy_id))

    def create(self, tenant: str, name: str, description: str | None) -> PolicyView:
        with self._store.write(serial=True) as s:
            policy_id = add_policy(s, tenant, name, description, self._clock.now(s))
        return self.get(tenant, policy_id)

    def update(self, tenant: str, policy_id: str, name: str, description: str | None) -> PolicyView:
        bounded_text(name, "name", NAME_LENGTH)
        with self._store.write(serial=True) as s:
            row = policy_of(s, tenant, policy_id)
            _unique_policy(s, tenant, name, row.id)
            row.name, row.description = name, description
            return _policy_view(row)

    def delete(self, tenant: str, policy_id: str) -> None:
        """Conflict while a reservation belongs to it."""
        with self._store.write(serial=True) as s:
            row = policy_of(s, tenant, policy_id)
            used_by = s.scalar(select(Reservation.name).where(Reservation.policy_id == row.id).limit(1))
            if used_by:
                raise Conflict(
                    "reservation_policy.in_use",
                    f"Reservation policy {row.name} is used by reservation {used_by}.",
                    row.name,
                )
            s.delete(row)


# Reservations.


def _whole(value: int, least: int, most: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise Invalid("reservation.range", f"{what} must be a whole number from {least} to {most}.", what)
    return value


def _cluster(s: Session, moid: str) -> ManagedObject:
    row = s.get(ManagedObject, moid)
    if row is None or row.kind != CLUSTER:
        raise Invalid("reservation.compute_resource", f"Compute resource {moid} not found.", moid)
    return row


def _checked(s: Session, tenant: str, spec: ReservationSpec) -> dict[str, Any]:
    """The columns ``spec`` gives a reservation, after checking it against the world: Invalid for
    a bad field or value, a compute resource, pool, storage, network, profile, key pair, policy
    or business group that is not one it may name; quotas out of range."""
    bounded_text(spec.name, "name", NAME_LENGTH)
    if spec.kind not in KINDS:
        raise Invalid("reservation.kind", f"No reservation type {spec.kind}.", spec.kind)
    group = s.get(BusinessGroup, spec.subtenant_id)
    if group is None or group.tenant != tenant:
        raise Invalid(
            "reservation.subtenant", f"Business group {spec.subtenant_id} not found.", spec.subtenant_id
        )
    if spec.policy_id is not None:
        try:
            policy_of(s, tenant, spec.policy_id)
        except NotFound as e:
            raise Invalid(e.reason, e.message, *e.arguments) from None
    _whole(spec.priority, 0, PRIORITY_MOST, "priority")
    _whole(spec.machine_quota, 0, MACHINES_MOST, "machineQuota")
    least_memory = 0 if spec.kind == AMAZON else 1
    _whole(spec.memory_mb, least_memory, MEMORY_MOST_MB, "reservationMemory")
    if len(spec.storages) > ITEMS_MOST or len(spec.networks) > ITEMS_MOST:
        raise Invalid(
            "reservation.items", f"A reservation has at most {ITEMS_MOST} storages and networks.", ""
        )
    for storage in spec.storages:
        _whole(storage.size_gb, 1, STORAGE_MOST_GB, "storageReservedSizeGB")
        _whole(storage.priority, 0, PRIORITY_MOST, "storagePriority")
    if len({st.target for st in spec.storages}) < len(spec.storages):
        raise Invalid("reservation.storage", "A storage is named twice.", "reservationStorages")
    if len({n.target for n in spec.networks}) < len(spec.networks):
        raise Invalid("reservation.network", "A network is named twice.", "reservationNetworks")
    for network in spec.networks:
        if network.profile_id is not None:
            try:
                profile_of(s, tenant, network.profile_id)
            except NotFound as e:
                raise Invalid(e.reason, e.message, *e.arguments) from None
    storages = {c.id: c for c in _storage_choices(s, spec.kind, spec.target)}
    networks = {c.id for c in _network_choices(s, spec.kind, spec.target)}
    if spec.kind == VSPHERE:
        cluster = _cluster(s, spec.target)
        if spec.resource_pool is not None:
            pool = s.get(ManagedObject, spec.resource_pool)
            if pool is None or pool.kind != POOL or pool.cluster != cluster.moid:
                raise Invalid(
                    "reservation.resource_pool",
                    f"Resource pool {spec.resource_pool} is not one of {cluster.name}.",
                    spec.resource_pool,
                )
        memory = s.scalar(
            select(func.coalesce(func.sum(ManagedObject.memory_mib), 0)).where(
                ManagedObject.kind == HOST, ManagedObject.cluster == cluster.moid
            )
        )
        if spec.memory_mb > memory:
            raise Invalid(
                "reservation.range",
                f"reservationMemory ({spec.memory_mb} MB) exceeds the {memory} MB of {cluster.name}.",
                "reservationMemory",
            )
    elif spec.kind == VCLOUD:
        if s.get(OrgVdc, spec.target) is None:
            raise Invalid(
                "reservation.compute_resource", f"Compute resource {spec.target} not found.", spec.target
            )
    else:
        region(spec.target)
        if spec.storages or spec.networks or spec.resource_pool:
            raise Invalid(
                "reservation.amazon", "An Amazon reservation names no storage, network or pool.", spec.target
            )
    if spec.kind != AMAZON and spec.key_pair_id is not None:
        raise Invalid("reservation.key_pair", "Only an Amazon reservation names a key pair.", "keyPair")
    key_pair = None
    if spec.key_pair_id is not None:
        try:
            key_pair = key_pair_of(s, tenant, spec.key_pair_id)
        except NotFound as e:
            raise Invalid(e.reason, e.message, *e.arguments) from None
        if key_pair.region != spec.target:
            raise Invalid(
                "reservation.key_pair", f"Key pair {key_pair.name} is not of {spec.target}.", spec.key_pair_id
            )
    for storage in spec.storages:
        known = storages.get(storage.target)
        if known is None:
            raise Invalid(
                "reservation.storage",
                f"Storage {storage.target} is not one of {spec.target}.",
                storage.target,
            )
        if known.capacity_gb is not None and storage.size_gb > known.capacity_gb:
            raise Invalid(
                "reservation.range",
                f"storageReservedSizeGB ({storage.size_gb}) exceeds the {known.capacity_gb} GB"
                f" of {known.name}.",
                storage.target,
            )
    for network in spec.networks:
        if network.target not in networks:
            raise Invalid(
                "reservation.network",
                f"Network {network.target} is not one of {spec.target}.",
                network.target,
            )
    storage_gb = spec.storage_gb
    if storage_gb is None:
        storage_gb = sum(st.size_gb for st in spec.storages if st.enabled)
    _whole(storage_gb, 0, STORAGE_MOST_GB, "storage quota")
    if spec.kind != AMAZON and storage_gb == 0:
        raise Invalid("reservation.storage", "A reservation reserves some storage.", "reservationStorages")
    profile = next((n.profile_id for n in spec.networks if n.profile_id), None)
    return {
        "tenant": tenant,
        "subtenant": group.id,
        "name": spec.name,
        "description": spec.description,
        "kind": spec.kind,
        "target": spec.target,
        "resource_pool": spec.resource_pool,
        "policy_id": spec.policy_id,
        "network_profile_id": profile,
        "key_pair_id": key_pair.id if key_pair is not None else None,
        "priority": spec.priority,
        "enabled": spec.enabled,
        "memory_mb": spec.memory_mb,
        "storage_gb": storage_gb,
        "machine_quota": spec.machine_quota,
        "details": json.dumps(
            {
                "storages": [[st.target, st.size_gb, st.priority, st.enabled] for st in spec.storages],
                "networks": [[n.target, n.profile_id] for n in spec.networks],
                "alert_policy": spec.alert_policy,
                "extra": spec.extra,
            }
        ),
    }


def add_reservation(s: Session, tenant: str, spec: ReservationSpec, now: float) -> str:
    """Add a reservation in ``s`` (checked: see ``ReservationSpec``; Conflict for a name the
    tenant has); returns its id."""
    columns = _checked(s, tenant, spec)
    _unique(s, tenant, spec.name, None)
    reservation_id = identity.new_id()
    s.add(
        Reservation(
            id=reservation_id,
            used_memory_mb=0,
            used_storage_gb=0,
            machines=0,
            created_at=now,
            **columns,
        )
    )
    s.flush()
    return reservation_id


def _unique(s: Session, tenant: str, name: str, own_id: str | None) -> None:
    clash = s.scalar(
        select(Reservation.id).where(
            Reservation.tenant == tenant, func.lower(Reservation.name) == name.lower()
        )
    )
    if clash is not None and clash != own_id:
        raise Conflict("reservation.exists", f"A reservation named {name} already exists.", name)


def reservation_of(s: Session, tenant: str, reservation_id: str) -> Reservation:
    row = s.get(Reservation, reservation_id)
    if row is None or row.tenant != tenant:
        raise NotFound("reservation.not_found", f"Reservation {reservation_id} not found.", reservation_id)
    return row


def _labels(s: Session, row: Reservation, details: dict[str, Any]) -> dict[str, str]:
    """The names of what ``row`` names, by id: what vRA's entity references carry as labels."""
    storages = [st[0] for st in details.get("storages", [])]
    networks = [n[0] for n in details.get("networks", [])]
    profiles = [n[1] for n in details.get("networks", []) if n[1]]
    labels: dict[str, str] = {}
    if row.kind == VSPHERE:
        moids = [row.target, *([row.resource_pool] if row.resource_pool else []), *storages, *networks]
        found = s.execute(select(ManagedObject.moid, ManagedObject.name).where(ManagedObject.moid.in_(moids)))
        labels.update({moid: name for moid, name in found})
    elif row.kind == VCLOUD:
        vdc = s.get(OrgVdc, row.target)
        if vdc is not None:
            labels[vdc.id] = vdc.name
            labels[storage_profile_id(vdc.id)] = f"{vdc.name} storage policy"
        found = s.execute(select(OrgNetwork.id, OrgNetwork.name).where(OrgNetwork.id.in_(networks)))
        labels.update({network_id: name for network_id, name in found})
    else:
        labels[row.target] = REGIONS.get(row.target, row.target)
        key_pair = s.get(KeyPair, row.key_pair_id) if row.key_pair_id is not None else None
        if key_pair is not None:
            labels[str(key_pair.id)] = key_pair.name
    if profiles:
        found = s.execute(
            select(NetworkProfile.id, NetworkProfile.name).where(NetworkProfile.id.in_(profiles))
        )
        labels.update({profile_id: name for profile_id, name in found})
    return labels


def _view(s: Session, row: Reservation) -> ReservationView:
    details = json.loads(row.details or "{}")
    return ReservationView(
        row.id,
        row.tenant,
        row.subtenant,
        row.name,
        row.description,
        row.kind,
        row.target,
        row.resource_pool,
        row.policy_id,
        row.network_profile_id,
        None if row.key_pair_id is None else str(row.key_pair_id),
        row.priority,
        row.enabled,
        row.memory_mb,
        row.storage_gb,
        row.machine_quota,
        row.used_memory_mb,
        row.used_storage_gb,
        row.machines,
        tuple(StorageSpec(*st) for st in details.get("storages", [])),
        tuple(NetworkSpec(*n) for n in details.get("networks", [])),
        details.get("alert_policy"),
        details.get("extra", {}),
        row.created_at,
        _labels(s, row, details),
    )


class Reservations:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def list(
        self, tenant: str, listing: Listing, subtenants: list[str] | None = None
    ) -> Counted[ReservationView]:
        """A tenant's reservations, or (``subtenants``) those of these business groups only."""
        query = select(Reservation.id).where(Reservation.tenant == tenant)
        if subtenants is not None:
            query = query.where(Reservation.subtenant.in_(subtenants))
        with self._store.query() as conn:
            ids = cut(conn, query, FIELDS, listing, (Reservation.name, Reservation.id), lambda r: r[0])
        with self._store.read() as s:
            rows = {r.id: r for r in s.scalars(select(Reservation).where(Reservation.id.in_(ids.items)))}
            return Counted([_view(s, rows[i]) for i in ids.items if i in rows], ids.total)

    def get(self, tenant: str, reservation_id: str) -> ReservationView:
        with self._store.read() as s:
            return _view(s, reservation_of(s, tenant, reservation_id))

    def create(self, tenant: str, spec: ReservationSpec) -> ReservationView:
        with self._store.write(serial=True) as s:
            reservation_id = add_reservation(s, tenant, spec, self._clock.now(s))
        return self.get(tenant, reservation_id)

    def update(self, tenant: str, reservation_id: str, spec: ReservationSpec) -> ReservationView:
        """Replace a reservation's fields. Its type, compute resource and business group stay
        while machines are placed by it, and no quota goes below what they hold (Conflict)."""
        with self._store.write(serial=True) as s:
            row = reservation_of(s, tenant, reservation_id)
            s.refresh(row, with_for_update=True)
            columns = _checked(s, tenant, spec)
            _unique(s, tenant, spec.name, row.id)
            if row.machines:
                for key in ("kind", "target", "subtenant"):
                    if columns[key] != getattr(row, key):
                        raise Conflict(
                            "reservation.in_use",
                            f"Reservation {row.name} has machines: its {FIELD_NAMES[key]} cannot change.",
                            row.name,
                        )
            used = (
                ("memory_mb", row.used_memory_mb),
                ("storage_gb", row.used_storage_gb),
                ("machine_quota", row.machines),
            )
            for key, held in used:
                quota = columns[key]
                if (
                    (quota or key != "machine_quota")
                    and quota < held
                    and not (row.kind == AMAZON and quota == 0)
                ):
                    raise Conflict(
                        "reservation.in_use",
                        f"Reservation {row.name}: its machines hold {held}, more than the new"
                        f" {FIELD_NAMES[key]} of {quota}.",
                        row.name,
                    )
            for key, value in columns.items():
                setattr(row, key, value)
            s.flush()
            return _view(s, row)

    def delete(self, tenant: str, reservation_id: str) -> None:
        """Conflict while machines are placed by it."""
        with self._store.write(serial=True) as s:
            row = reservation_of(s, tenant, reservation_id)
            if row.machines or s.scalar(
                select(ReservationAllocation.owner)
                .where(ReservationAllocation.reservation_id == row.id)
                .limit(1)
            ):
                raise Conflict(
                    "reservation.in_use", f"Reservation {row.name} has machines placed by it.", row.name
                )
            s.execute(delete(ReservationAllocation).where(ReservationAllocation.reservation_id == row.id))
            s.delete(row)

    # What a reservation may name (the schema's permissible values).

    def compute_resources(self, kind: str) -> list[Choice]:
        with self._store.read() as s:
            return _compute_choices(s, kind)

    def resource_pools(self, cluster: str) -> list[Choice]:
        with self._store.read() as s:
            _cluster(s, cluster)
            rows = s.execute(
                select(ManagedObject.moid, ManagedObject.name)
                .where(ManagedObject.kind == POOL, ManagedObject.cluster == cluster)
                .order_by(ManagedObject.path)
                .limit(CHOICES_MOST)
            )
            return [Choice(moid, name) for moid, name in rows]

    def storages(self, kind: str, target: str) -> list[Choice]:
        with self._store.read() as s:
            return _storage_choices(s, kind, target)

    def networks(self, kind: str, target: str) -> list[Choice]:
        with self._store.read() as s:
            return _network_choices(s, kind, target)


def _compute_choices(s: Session, kind: str) -> list[Choice]:
    if kind == VSPHERE:
        rows = s.execute(
            select(ManagedObject.moid, ManagedObject.name)
            .where(ManagedObject.kind == CLUSTER)
            .order_by(ManagedObject.name, ManagedObject.moid)
            .limit(CHOICES_MOST)
        )
        return [Choice(moid, name) for moid, name in rows]
    if kind == VCLOUD:
        rows = s.execute(select(OrgVdc.id, OrgVdc.name).order_by(OrgVdc.name, OrgVdc.id).limit(CHOICES_MOST))
        return [Choice(vdc_id, name) for vdc_id, name in rows]
    return [Choice(name, label) for name, label in REGIONS.items()]


def _datacenter_of(s: Session, kind: str, target: str) -> str | None:
    if kind == VSPHERE:
        row = s.get(ManagedObject, target)
        return row.datacenter if row is not None and row.kind == CLUSTER else None
    return None


def _storage_choices(s: Session, kind: str, target: str) -> list[Choice]:
    """Vsphere: the datastores of the cluster's datacenter; vcloud: the VDC's storage policy."""
    if kind == VCLOUD:
        vdc = s.get(OrgVdc, target)
        if vdc is None:
            return []
        limit = vdc.storage_limit_mb // 1024 if vdc.storage_limit_mb else None
        return [Choice(storage_profile_id(vdc.id), f"{vdc.name} storage policy", limit, limit)]
    datacenter = _datacenter_of(s, kind, target)
    if datacenter is None:
        return []
    rows = s.execute(
        select(ManagedObject.moid, ManagedObject.name, ManagedObject.capacity, ManagedObject.free_space)
        .where(ManagedObject.kind == DATASTORE, ManagedObject.datacenter == datacenter)
        .order_by(ManagedObject.name, ManagedObject.moid)
        .limit(CHOICES_MOST)
    )
    return [Choice(moid, name, (cap or 0) // GIB, (free or 0) // GIB) for moid, name, cap, free in rows]


def _network_choices(s: Session, kind: str, target: str) -> list[Choice]:
    """Vsphere: the networks of the cluster's datacenter; vcloud: the VDC's org networks."""
    if kind == VCLOUD:
        rows = s.execute(
            select(OrgNetwork.id, OrgNetwork.name)
            .where(OrgNetwork.vdc == target)
            .order_by(OrgNetwork.name)
            .limit(CHOICES_MOST)
        )
        return [Choice(i, name) for i, name in rows]
    datacenter = _datacenter_of(s, kind, target)
    if datacenter is None:
        return []
    rows = s.execute(
        select(ManagedObject.moid, ManagedObject.name)
        .where(ManagedObject.kind == NETWORK, ManagedObject.datacenter == datacenter)
        .order_by(ManagedObject.name, ManagedObject.moid)
        .limit(CHOICES_MOST)
    )
    return [Choice(moid, name) for moid, name in rows]
