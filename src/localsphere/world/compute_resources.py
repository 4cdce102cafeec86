"""Changes to vCenter's compute inventory: datacenters made and deleted, standalone hosts added,
removed, connected and disconnected, hosts put in and out of maintenance mode, resource pools
made, changed and deleted.

Rules as the ``com.vmware.vcenter`` bindings (9.1.1.0) state them: a datacenter with objects in
it is deleted only when forced; a host in a cluster is not removed by ``Host.delete``; a root
resource pool is neither changed nor deleted; a pool's reservation must fit in what its parent
(and, when the parent's reservation is expandable, the parents above) has left unreserved.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from localsphere.world.access import Caller
from localsphere.world.clock import Clock
from localsphere.world.errors import AlreadyInState, Conflict, Invalid, NotFound, WrongState, bounded_text
from localsphere.world.inventory import (
    DATACENTER,
    FOLDER,
    HOST,
    MAINTENANCE,
    POOL,
    POWERED_ON,
    ROOT_FOLDER,
    VM,
    ObjectView,
    add_object,
    authorize,
    in_maintenance,
    row_of,
)
from localsphere.world.metrics import HOST_MHZ_PER_CORE
from localsphere.world.schema import ExternalStat, ManagedObject, OrgVdc
from localsphere.world.store import INVENTORY, STATS, Store, changed

# What every simulated host runs and is: ESXi 8.0 Update 3 (the release vCD 10.x and vCenter 8
# manage), on packages of 8 cores each
ESXI_VERSION, ESXI_BUILD = "8.0.3", "24022510"
CORES_PER_PACKAGE = 8


def cpu_packages(cores: int) -> int:
    """How many CPU packages (sockets) a host of ``cores`` cores has."""
    return max(1, cores // CORES_PER_PACKAGE)


NAME_LENGTH = 80  # vCenter's longest inventory name
HOST_NAME = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
THUMBPRINT = re.compile(r"(?:[0-9A-Fa-f]{2}:){19}[0-9A-Fa-f]{2}")  # SHA-1, colon-separated
STANDALONE_CPUS, STANDALONE_MEMORY_MIB = 32, 262144  # an added host's size, as the plan's default
RESOURCES = ("cpu", "memory")


def host_thumbprint(hostname: str) -> str:
    """The SHA-1 thumbprint of a simulated ESXi host's certificate: derived from its name, so a
    client can know it before it adds the host."""
    digest = hashlib.sha1(f"localsphere:{hostname.lower()}".encode()).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 40, 2))


@dataclass(frozen=True)
class HostSpec:
    """A standalone host to add, as ``Host.CreateSpec`` gives it (the password is checked, never kept)."""

    hostname: str
    user_name: str
    password: str
    folder: str | None
    verification: str  # NONE, THUMBPRINT or CERTIFICATE
    thumbprint: str | None = None
    certificate: str | None = None
    port: int | None = None
    force_add: bool = False


def allocation(row: ManagedObject, resource: str) -> dict[str, Any]:
    """A pool's ``resource`` (cpu or memory) allocation: reservation (MHz or MiB), whether it is
    expandable, limit (-1: none) and shares. A root pool holds its compute resource's capacity."""
    stored = json.loads(row.details).get(resource)
    return stored if stored is not None else allocation_defaults()


def root_allocation(s: Session, row: ManagedObject, resource: str) -> dict[str, Any]:
    """A root pool's allocation: all of its cluster's (or standalone host's) capacity."""
    owner = ManagedObject.cluster == row.cluster if row.cluster else ManagedObject.moid == row.host
    column = ManagedObject.cpu_count if resource == "cpu" else ManagedObject.memory_mib
    total = s.scalar(select(func.coalesce(func.sum(column), 0)).where(ManagedObject.kind == HOST, owner)) or 0
    return _whole(resource, int(total))


def _whole(resource: str, total: int) -> dict[str, Any]:
    """The allocation of all of ``total`` cores (``cpu``) or MiB (``memory``)."""
    capacity = total * (HOST_MHZ_PER_CORE if resource == "cpu" else 1)
    return {
        **allocation_defaults(),
        "reservation": capacity,
        "expandable_reservation": False,
        "limit": capacity,
    }


def _is_root(row: ManagedObject) -> bool:
    return row.parent in (row.cluster, row.host) and row.parent is not None


class ComputeResources:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def allocations(self, moid: str) -> dict[str, dict[str, Any]]:
        """A pool's CPU and memory allocations (``allocation``; a root pool's from its capacity)."""
        with self._store.read() as s:
            row = row_of(s, POOL, moid)
            if _is_root(row):
                return {r: root_allocation(s, row, r) for r in RESOURCES}
            return {r: allocation(row, r) for r in RESOURCES}

    def allocations_of(self, pools: list[ObjectView]) -> dict[str, dict[str, dict[str, Any]]]:
        """``allocations`` of many pools at once, by id: the root pools' capacity in one read of
        the hosts of their clusters (or their standalone hosts)."""
        roots = [o for o in pools if o.parent is not None and o.parent in (o.cluster, o.host)]
        root_ids = {o.moid for o in roots}
        clusters = sorted({o.cluster for o in roots if o.cluster})
        hosts = sorted({o.host for o in roots if not o.cluster and o.host})
        totals: dict[str, list[int]] = {}
        if roots:
            with self._store.read() as s:
                rows = s.execute(
                    select(ManagedObject.moid, ManagedObject.cluster)
                    .add_columns(ManagedObject.cpu_count, ManagedObject.memory_mib)
                    .where(ManagedObject.kind == HOST)
                    .where(or_(ManagedObject.cluster.in_(clusters), ManagedObject.moid.in_(hosts)))
                )
                for moid, cluster, cpus, memory in rows:
                    total = totals.setdefault(cluster or moid, [0, 0])
                    total[0] += cpus or 0
                    total[1] += memory or 0
        found = {}
        for o in pools:
            if o.moid in root_ids:
                cpus, memory = totals.get(o.cluster or o.host or "", [0, 0])
                found[o.moid] = {"cpu": _whole("cpu", cpus), "memory": _whole("memory", memory)}
            else:
                found[o.moid] = {r: o.details.get(r) or allocation_defaults() for r in RESOURCES}
        return found

    # Datacenters

    def create_datacenter(self, caller: Caller, name: str, folder: str | None) -> str:
        """A datacenter with its four folders in ``folder`` (the root folder when None): Conflict
        for a name in use, Invalid for a name out of bounds or a folder not for datacenters."""
        bounded_text(name, "name", NAME_LENGTH)
        with self._store.write() as s:
            parent = row_of(s, FOLDER, folder or ROOT_FOLDER)
            if parent.subtype != "DATACENTER":
                raise Invalid(
                    "datacenter.folder", f"Folder {parent.moid} cannot hold datacenters", parent.moid
                )
            authorize(caller, parent.path, "Datacenter.Create", parent.moid, s)
            if s.scalars(
                select(ManagedObject.moid).where(ManagedObject.kind == DATACENTER, ManagedObject.name == name)
            ).first():
                raise Conflict("datacenter.exists", f"A datacenter named {name} already exists", name)
            now = self._clock.now(s)
            dc = add_object(s, DATACENTER, "datacenter-", name, parent, now, folder=parent.moid)
            for prefix, kind, label in (
                ("group-v", "VIRTUAL_MACHINE", "vm"),
                ("group-h", "HOST", "host"),
                ("group-s", "DATASTORE", "datastore"),
                ("group-n", "NETWORK", "network"),
            ):
                add_object(s, FOLDER, prefix, label, dc, now, subtype=kind)
            changed(s, INVENTORY)
            return dc.moid

    def delete_datacenter(self, moid: str, force: bool, checked: tuple[Caller, str] | None = None) -> None:
        """Delete a datacenter: Conflict (in use) when anything but its empty folders is in it and
        ``force`` is not set, or, even forced, when a vCD VDC or vApp lives in it. ``checked``: a
        caller and the privilege it must hold on it, for a face that does not check first."""
        with self._store.write() as s:
            dc = row_of(s, DATACENTER, moid, lock=True)
            if checked is not None:
                authorize(checked[0], dc.path, checked[1], moid, s)
            inside = ManagedObject.path.startswith(dc.path, autoescape=True)
            contents = s.scalar(
                select(func.count()).where(
                    inside, ManagedObject.kind != FOLDER, ManagedObject.moid != dc.moid
                )
            )
            vms_in = s.scalar(
                select(func.count()).where(ManagedObject.kind == VM, ManagedObject.datacenter == dc.moid)
            )
            if (contents or vms_in) and not force:
                raise Conflict("datacenter.in_use", f"Datacenter {dc.name} is not empty", dc.name)
            pools = select(ManagedObject.moid).where(inside, ManagedObject.kind == POOL)
            vcd_vms = select(ManagedObject.moid).where(
                ManagedObject.datacenter == dc.moid, ManagedObject.vapp.is_not(None)
            )
            if (
                s.scalars(select(OrgVdc.id).where(OrgVdc.pool.in_(pools))).first()
                or s.scalars(vcd_vms).first()
            ):
                raise Conflict(
                    "datacenter.in_use_by_vcd", f"Datacenter {dc.name} holds a vCloud Director VDC", dc.name
                )
            gone = select(ManagedObject.uuid).where(inside | (ManagedObject.datacenter == dc.moid))
            s.execute(delete(ExternalStat).where(ExternalStat.resource.in_(gone)))
            s.execute(delete(ManagedObject).where(inside | (ManagedObject.datacenter == dc.moid)))
            changed(s, INVENTORY, STATS)

    # Standalone hosts

    def add_host(self, caller: Caller, spec: HostSpec) -> str:
        """A connected standalone host in a host folder, with its root resource pool. Invalid for
        a bad host name, port, folder or thumbprint (the message names the host's own), Conflict
        for a host vCenter manages already."""
        name = spec.hostname.strip()
        if not _valid_host_name(name):
            raise Invalid("host.name", f"'{spec.hostname}' is not a host name or IP address", spec.hostname)
        if spec.port is not None and not 1 <= spec.port <= 65535:
            raise Invalid("host.port", f"Port {spec.port} is out of range", str(spec.port))
        if not spec.user_name.strip():
            raise Invalid("host.user_name", "The host's administrator user name is required", "user_name")
        thumbprint = host_thumbprint(name)
        _verify(spec, thumbprint)
        with self._store.write() as s:
            folder = self._host_folder(s, spec.folder)
            authorize(caller, folder.path, "Host.Inventory.AddStandaloneHost", folder.moid, s)
            if s.scalars(
                select(ManagedObject.moid).where(
                    ManagedObject.kind == HOST, func.lower(ManagedObject.name) == name.lower()
                )
            ).first():
                raise Conflict("host.exists", f"Host {name} is already managed by this vCenter Server", name)
            now = self._clock.now(s)
            host = add_object(
                s,
                HOST,
                "host-",
                name,
                folder,
                now,
                folder=folder.moid,
                subtype="CONNECTED",
                power_state=POWERED_ON,
                cpu_count=STANDALONE_CPUS,
                memory_mib=STANDALONE_MEMORY_MIB,
                details={"thumbprint": thumbprint, "port": spec.port or 443, "user_name": spec.user_name},
            )
            add_object(s, POOL, "resgroup-", "Resources", host, now, host=host.moid)
            changed(s, INVENTORY)
            return host.moid

    @staticmethod
    def _host_folder(s: Session, folder: str | None) -> ManagedObject:
        if folder is None:
            folders = s.scalars(
                select(ManagedObject)
                .where(ManagedObject.kind == FOLDER, ManagedObject.subtype == "HOST")
                .limit(2)
            ).all()
            if len(folders) != 1:
                raise Invalid("host.folder", "Name the host folder: the system cannot choose one", "folder")
            return folders[0]
        found = s.get(ManagedObject, folder)
        if found is None:
            raise NotFound("folder.not_found", f"Folder with identifier '{folder}' does not exist", folder)
        if found.kind != FOLDER or found.subtype != "HOST":
            raise Invalid("host.folder_type", f"{folder} cannot hold hosts", folder)
        return found

    def remove_host(self, moid: str) -> None:
        """Remove a standalone host, its resource pools, and the VMs on it from the inventory:
        Conflict (in use) for a host in a cluster, or one running vCD VMs."""
        with self._store.write() as s:
            host = row_of(s, HOST, moid, lock=True)
            if host.cluster is not None:
                raise Conflict("host.in_cluster", f"Host {host.name} is in cluster {host.cluster}", host.name)
            on_host = (ManagedObject.kind == VM) & (ManagedObject.host == moid)
            if s.scalars(select(ManagedObject.moid).where(on_host, ManagedObject.vapp.is_not(None))).first():
                raise Conflict("host.in_use_by_vcd", f"Host {host.name} runs vCloud Director VMs", host.name)
            gone = ManagedObject.path.startswith(host.path, autoescape=True) | on_host
            s.execute(
                delete(ExternalStat).where(ExternalStat.resource.in_(select(ManagedObject.uuid).where(gone)))
            )
            s.execute(delete(ManagedObject).where(gone))
            changed(s, INVENTORY, STATS)

    def connect_host(self, moid: str, connect: bool, caller: Caller | None = None) -> None:
        """Connect or disconnect a host: AlreadyInState when it already is. ``caller``: one who
        must hold ``Host.Config.Connection`` on it, for a face that does not check first."""
        target = "CONNECTED" if connect else "DISCONNECTED"
        with self._store.write() as s:
            host = row_of(s, HOST, moid, lock=True)
            if caller is not None:
                authorize(caller, host.path, "Host.Config.Connection", moid, s)
            if host.subtype == target:
                raise AlreadyInState(
                    f"host.already_{target.lower()}",
                    f"Host {host.name} is already {target.lower()}",
                    host.name,
                )
            host.subtype = target
            changed(s, INVENTORY)

    def set_maintenance(self, caller: Caller, moid: str, entering: bool) -> None:
        """Put a host in maintenance mode or take it out (``Host.Config.Maintenance`` on it).
        WrongState: ``host.not_connected`` for a disconnected host, ``host.maintenance`` when it
        is in that mode already (or out of it), ``host.vms_powered_on`` (quoting the host's name
        and how many) to enter while VMs run on it: with no DRS to move them, vCenter waits for
        them to be moved or powered off; the world refuses instead, as vSphere's InvalidState."""
        with self._store.write() as s:
            host = row_of(s, HOST, moid, lock=True)
            authorize(caller, host.path, "Host.Config.Maintenance", moid, s)
            if host.subtype != "CONNECTED":
                raise WrongState("host.not_connected", f"Host {host.name} is not connected", host.name)
            if in_maintenance(host) == entering:
                state = "in" if entering else "not in"
                raise WrongState(
                    "host.maintenance", f"Host {host.name} is {state} maintenance mode", host.name
                )
            if entering:
                running = s.scalar(
                    select(func.count()).where(
                        ManagedObject.kind == VM,
                        ManagedObject.host == moid,
                        ManagedObject.power_state == POWERED_ON,
                    )
                )
                if running:
                    raise WrongState(
                        "host.vms_powered_on",
                        f"{running} virtual machines are powered on on host {host.name}",
                        host.name,
                        str(running),
                    )
            details = json.loads(host.details or "{}")
            details[MAINTENANCE] = entering
            host.details = json.dumps(details)
            changed(s, INVENTORY)

    # Resource pools

    def create_pool(
        self, caller: Caller, name: str, parent: str, wanted: dict[str, dict[str, Any] | None]
    ) -> str:
        """A resource pool below ``parent``; ``wanted``: per resource (cpu, memory) the settings
        given (None: the defaults). Invalid for a name in use among its siblings or bad settings,
        or a reservation its parents cannot give (``resource_pool.insufficient``)."""
        bounded_text(name, "name", NAME_LENGTH)
        with self._store.write() as s:
            parent_row = row_of(s, POOL, parent, lock=True)
            authorize(caller, parent_row.path, "Resource.CreatePool", parent_row.moid, s)
            _unique_pool_name(s, parent_row.moid, name)
            settings = {r: _settings(r, allocation_defaults(), wanted.get(r)) for r in RESOURCES}
            for r in RESOURCES:
                _fits(s, parent_row, r, settings[r]["reservation"], 0)
            row = add_object(
                s,
                POOL,
                "resgroup-",
                name,
                parent_row,
                self._clock.now(s),
                cluster=parent_row.cluster,
                host=parent_row.host,
                details=settings,
            )
            changed(s, INVENTORY)
            return row.moid

    def update_pool(self, moid: str, name: str | None, wanted: dict[str, dict[str, Any] | None]) -> None:
        """Rename a pool or change its allocations; Invalid for a root pool, a name in use, bad
        settings, a reservation below what its children reserve, or one its parents cannot give."""
        with self._store.write() as s:
            row = row_of(s, POOL, moid, lock=True)
            if _is_root(row):
                raise Invalid("resource_pool.root", f"The root resource pool {moid} cannot be changed", moid)
            if name is not None and name != row.name:
                bounded_text(name, "name", NAME_LENGTH)
                _unique_pool_name(s, str(row.parent), name)
                row.name = name
            details = json.loads(row.details)
            parent = row_of(s, POOL, str(row.parent))
            for r in RESOURCES:
                current = allocation(row, r)
                settings = _settings(r, current, wanted.get(r))
                if not settings["expandable_reservation"] and settings["reservation"] < _reserved_by_children(
                    s, row, r
                ):
                    raise Invalid(
                        "resource_pool.reservation_below_children",
                        f"The {r} reservation is below what the pool's children reserve",
                        r,
                    )
                _fits(s, parent, r, settings["reservation"], current["reservation"])
                details[r] = settings
            row.details = json.dumps(details)
            changed(s, INVENTORY)

    def delete_pool(self, moid: str, checked: tuple[Caller, str] | None = None) -> None:
        """Delete a pool; its child pools and VMs move to its parent. Invalid for a root pool
        (the product's Unsupported), Conflict (in use) for a vCD VDC's pool. ``checked``: as
        ``delete_datacenter``'s."""
        with self._store.write() as s:
            row = row_of(s, POOL, moid, lock=True)
            if checked is not None:
                authorize(checked[0], row.path, checked[1], moid, s)
            if _is_root(row):
                raise Invalid(
                    "resource_pool.root.delete", f"The root resource pool {moid} cannot be deleted", moid
                )
            if s.scalars(select(OrgVdc.id).where(OrgVdc.pool == moid)).first():
                raise Conflict(
                    "resource_pool.in_use_by_vcd",
                    f"Resource pool {row.name} backs a vCloud Director VDC",
                    moid,
                )
            parent = row_of(s, POOL, str(row.parent))
            for vm in s.scalars(
                select(ManagedObject).where(ManagedObject.kind == VM, ManagedObject.pool == moid)
            ):
                vm.pool = parent.moid
            below = s.scalars(
                select(ManagedObject).where(
                    ManagedObject.path.startswith(row.path, autoescape=True), ManagedObject.moid != moid
                )
            )
            for child in below:
                child.path = parent.path + child.path.removeprefix(row.path)
                if child.parent == moid:
                    child.parent = parent.moid
            s.execute(delete(ExternalStat).where(ExternalStat.resource == row.uuid))
            s.delete(row)
            changed(s, INVENTORY, STATS)


def allocation_defaults() -> dict[str, Any]:
    """A pool's allocation unless told otherwise: nothing reserved, expandable, no limit."""
    return {"reservation": 0, "expandable_reservation": True, "limit": -1, "shares": {"level": "NORMAL"}}


def _settings(resource: str, current: dict[str, Any], given: dict[str, Any] | None) -> dict[str, Any]:
    """``current`` changed by ``given`` (its None fields unchanged), checked as vSphere does."""
    merged = {**current, **{k: v for k, v in (given or {}).items() if v is not None}}
    shares = dict(merged["shares"])
    if shares["level"] == "CUSTOM":
        if shares.get("shares") is None or shares["shares"] < 0:
            raise Invalid(
                "resource_pool.shares", "CUSTOM shares need a number of shares, 0 or more", resource
            )
    else:  # a number only CUSTOM shares have (the level names it otherwise)
        shares["shares"] = None
    merged["shares"] = shares
    if merged["reservation"] < 0:
        raise Invalid(
            "resource_pool.reservation", f"The {resource} reservation must not be negative", resource
        )
    if merged["limit"] != -1 and merged["limit"] < merged["reservation"]:
        raise Invalid(
            "resource_pool.limit", f"The {resource} limit must be -1 or at least the reservation", resource
        )
    return merged


def _reserved_by_children(s: Session, row: ManagedObject, resource: str) -> int:
    children = s.scalars(
        select(ManagedObject).where(ManagedObject.kind == POOL, ManagedObject.parent == row.moid)
    )
    return sum(allocation(c, resource)["reservation"] for c in children)


def _fits(s: Session, parent: ManagedObject, resource: str, wanted: int, held: int) -> None:
    """Invalid (``resource_pool.insufficient``) unless ``parent`` can give ``wanted`` more than
    the ``held`` its child has now: from what it has left unreserved, and when its reservation
    is expandable, from its own parents in turn."""
    need = wanted - held
    row: ManagedObject | None = parent
    while need > 0 and row is not None:
        own = root_allocation(s, row, resource) if _is_root(row) else allocation(row, resource)
        free = own["reservation"] - _reserved_by_children(s, row, resource)
        if free >= need:
            return
        if not own["expandable_reservation"]:
            break
        need -= max(free, 0)
        row = s.get(ManagedObject, row.parent) if row.parent else None
        if row is not None and row.kind != POOL:
            row = None
    if need > 0:
        unit = "MHz" if resource == "cpu" else "MiB"
        raise Invalid(
            "resource_pool.insufficient",
            f"The parent resource pool cannot give a {resource} reservation of {wanted} {unit}",
            resource,
            str(wanted),
        )


def _unique_pool_name(s: Session, parent: str, name: str) -> None:
    if s.scalars(
        select(ManagedObject.moid).where(
            ManagedObject.kind == POOL, ManagedObject.parent == parent, ManagedObject.name == name
        )
    ).first():
        raise Invalid("resource_pool.duplicate_name", f"The name '{name}' already exists.", name)


def _valid_host_name(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return bool(HOST_NAME.fullmatch(name)) and not name.replace(".", "").isdigit()


def _verify(spec: HostSpec, thumbprint: str) -> None:
    """The host's identity as ``spec.verification`` says: THUMBPRINT must be the host's own (the
    message tells it, as vSphere's SSLVerifyFault does), CERTIFICATE a PEM certificate."""
    if spec.thumbprint is not None and spec.certificate is not None:
        raise Invalid("host.verification", "Give a thumbprint or a certificate, not both", "thumbprint")
    if spec.verification == "THUMBPRINT":
        if spec.thumbprint is None or not THUMBPRINT.fullmatch(spec.thumbprint):
            raise Invalid(
                "host.thumbprint",
                "The SSL thumbprint is not a SHA-1 thumbprint"
                if spec.thumbprint
                else "An SSL thumbprint is required",
                *([spec.thumbprint] if spec.thumbprint else []),
            )
        if spec.thumbprint.upper() != thumbprint:
            raise Invalid(
                "host.thumbprint_mismatch",
                f"The SSL thumbprint does not match the host's certificate ({thumbprint})",
                spec.hostname,
                thumbprint,
            )
    elif spec.verification == "CERTIFICATE":
        try:
            x509.load_pem_x509_certificate((spec.certificate or "").encode())
        except ValueError:
            raise Invalid(
                "host.certificate", "The SSL certificate is not a PEM certificate", "ssl_certificate"
            ) from None
