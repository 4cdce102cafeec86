"""What a world is made of, before it is made: the plan a scenario file (or the ``--inventory``
counts) describes and ``seed`` builds.

Inventory plans hold counts and name templates, never one object per VM, so a plan of 100,000 VMs
is a few objects and the builder makes its rows lazily. Every planned item keeps the line of the
scenario file it came from, so the world can say where a name it does not know was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from localsphere.settings import InventorySpec

SDDC_FAMILY, VCENTER_FAMILY, OPS_FAMILY = "sddc", "vcenter", "operations"
AUTOMATION_FAMILY = "automation"  # vRA: a system or default-tenant role, by its id (CSP_TENANT_ADMIN)
CLOUD_FAMILY = "cloud_director"  # vCD: a role by its name (vApp Author), in the user's org
FAMILIES = (SDDC_FAMILY, VCENTER_FAMILY, OPS_FAMILY, AUTOMATION_FAMILY, CLOUD_FAMILY)
ROLE_FAMILIES = (SDDC_FAMILY, VCENTER_FAMILY, OPS_FAMILY)  # those a scenario may add roles to
POWER_STATES = ("POWERED_ON", "POWERED_OFF", "SUSPENDED")

# Settings a scenario may set: the names of ``serve``'s flags, with underscores.
SETTINGS = (
    "access_token_ttl",
    "refresh_token_ttl",
    "session_idle_timeout",
    "ops_token_ttl",
    "vra_token_ttl",
    "task_seconds",
    "lockout_failures",
    "lockout_window",
    "lockout_duration",
    "ops_max_requests",
    "ops_max_requests_per_address",
)


@dataclass(frozen=True)
class VmSize:
    cpus: int
    memory_mib: int
    disk_gib: int = 40
    weight: int = 1


@dataclass(frozen=True)
class PowerMix:
    """Fractions of VMs in each power state; they sum to 1."""

    on: float
    off: float
    suspended: float = 0.0


@dataclass(frozen=True)
class VmGroup:
    """``count`` VMs alike. ``name``: a template with ``{n}`` (1-based index in the group), ``{vm}``
    (the VM's number in the whole world), and its host's ``{d}``, ``{c}`` and ``{h}``; None names
    them ``vm-00001``... by that number.
    ``sizes`` None and ``power`` None keep the demo world's rotation of sizes and every third VM
    powered off; ``guest`` None rotates the guest operating systems."""

    count: int = 1
    name: str | None = None
    sizes: tuple[VmSize, ...] | None = None
    power: PowerMix | None = None
    guest: str | None = None
    line: int = 0


@dataclass(frozen=True)
class HostGroup:
    """``count`` hosts alike; ``name`` may use ``{n}``, ``{d}`` (datacenter index), ``{c}``
    (cluster index) and ``{h}`` (host index in the cluster)."""

    count: int = 1
    name: str = "esxi-{d:02d}-{c:02d}-{h:02d}.localsphere.test"
    cpus: int = 32
    memory_mib: int = 262144
    vms: tuple[VmGroup, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class ClusterGroup:
    """``name`` may use ``{n}``, ``{d}`` and ``{c}`` (cluster index in the datacenter)."""

    count: int = 1
    name: str = "cluster-{d:02d}-{c:02d}"
    hosts: tuple[HostGroup, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class DatastoreGroup:
    """``name`` may use ``{n}``, ``{d}`` and ``{s}`` (datastore index in the datacenter)."""

    count: int = 1
    name: str = "datastore-{d:02d}-{s:02d}"
    capacity_gib: int = 2048
    line: int = 0


@dataclass(frozen=True)
class NetworkGroup:
    """``name`` may use ``{n}``, ``{d}`` and ``{k}`` (network index in the datacenter). Every
    datacenter also has ``VM Network``."""

    count: int = 1
    name: str = "network-{k:02d}"
    line: int = 0


@dataclass(frozen=True)
class DatacenterGroup:
    """``name`` may use ``{n}`` and ``{d}`` (datacenter index in the world)."""

    count: int = 1
    name: str = "dc-{d:02d}"
    clusters: tuple[ClusterGroup, ...] = ()
    datastores: tuple[DatastoreGroup, ...] = ()
    networks: tuple[NetworkGroup, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class InventoryPlan:
    datacenters: tuple[DatacenterGroup, ...]

    @staticmethod
    def from_counts(
        spec: InventorySpec, sizes: tuple[VmSize, ...] | None = None, power: PowerMix | None = None
    ) -> InventoryPlan:
        """The plan of the ``--inventory`` counts (and of a scenario's counts form)."""
        vms = (VmGroup(count=spec.vms, sizes=sizes, power=power),) if spec.vms else ()
        hosts = (HostGroup(count=spec.hosts, vms=vms),) if spec.hosts else ()
        return InventoryPlan(
            (
                DatacenterGroup(
                    count=spec.datacenters,
                    clusters=(ClusterGroup(count=spec.clusters, hosts=hosts),) if spec.clusters else (),
                    datastores=(DatastoreGroup(count=spec.datastores),) if spec.datastores else (),
                    networks=(NetworkGroup(count=spec.networks),) if spec.networks else (),
                ),
            )
        )

    @property
    def vm_count(self) -> int:
        return sum(
            dc.count * cl.count * h.count * vm.count
            for dc in self.datacenters
            for cl in dc.clusters
            for h in cl.hosts
            for vm in h.vms
        )


@dataclass(frozen=True)
class UserPlan:
    """An SSO user (``domain`` the SSO domain) or an appliance-local one (``domain`` ``local``).
    ``roles``: family (``sddc``, ``vcenter``, ``operations``, ``automation``) to role name."""

    name: str
    domain: str = "vsphere.local"
    password: str | None = None  # None: the scenario's (or the server's) demo password
    enabled: bool = True
    roles: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class GroupPlan:
    """An SSO group; ``members`` are names of users or groups of the SSO domain."""

    name: str
    members: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class ServiceUserPlan:
    name: str
    api_key: str
    roles: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True)
class RolePlan:
    """A custom role of one family, holding privileges of that family's catalogue."""

    name: str
    family: str
    privileges: tuple[str, ...]
    description: str = ""
    line: int = 0


@dataclass(frozen=True)
class VdcPlan:
    """A VDC of a tenant's org (on the inventory's first cluster), with an org network when
    ``network`` names one."""

    name: str
    network: str | None = None
    line: int = 0


@dataclass(frozen=True)
class TenantPlan:
    """A tenant (an org): its own users are scenario users of ``domain: <its name>``."""

    name: str
    full_name: str | None = None  # None: its name (an org the world has already: as it is)
    description: str | None = None
    vdcs: tuple[VdcPlan, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class IdentityPlan:
    password: str | None = None
    users: tuple[UserPlan, ...] = ()
    groups: tuple[GroupPlan, ...] = ()
    service_users: tuple[ServiceUserPlan, ...] = ()
    roles: tuple[RolePlan, ...] = ()
    tenants: tuple[TenantPlan, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A whole world. ``base`` ``demo`` starts from the demo world's identities; ``empty`` from
    none (the built-in roles and privileges are always there). ``inventory`` None keeps the
    server's ``--inventory`` counts. ``settings`` holds only what the file sets."""

    base: str = "demo"
    settings: dict[str, int] = field(default_factory=dict)
    identity: IdentityPlan = field(default_factory=IdentityPlan)
    inventory: InventoryPlan | None = None
    source: str = ""  # the file's text; an empty one is the demo world

    def inventory_plan(self, counts: InventorySpec) -> InventoryPlan:
        """The inventory to build: the scenario's, else the server's ``--inventory`` counts."""
        return self.inventory or InventoryPlan.from_counts(counts)
