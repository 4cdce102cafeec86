"""A host's managers, which its ``configManager`` (``HostConfigManager``) refers to, and what
community.vmware's host modules, govc and Terraform read of them: ``HostNetworkSystem``
(``networkInfo``, ``networkConfig``, ``dnsConfig``, ``ipRouteConfig``), ``HostDatastoreSystem``
(``datastore``), ``HostStorageSystem`` (``storageDeviceInfo``, ``fileSystemVolumeInfo``),
``HostDateTimeSystem`` (``dateTimeInfo``; ``QueryDateTime``: the world clock),
``HostServiceSystem`` (``serviceInfo``), ``HostFirewallSystem`` (``firewallInfo``),
``HostCpuSchedulerSystem`` (``hyperthreadInfo``) and ``HostPowerSystem`` (``capability``,
``info``). Their values are the host's own
(``host_systems``), so a manager's property and the host's ``config`` agree.

vCenter names a host's managers after the host's number: ``networkSystem-12`` for ``host-12``
(``dateTimeSystem-872`` of ``host-872``, ``powerSystem-1`` of ``host-1`` in PowerCLI's and
Perl SDK users' output). A manager is seen by whoever sees its host; another id is
ManagedObjectNotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import faults, host_systems, service_instance
from localsphere.faces.vim.inventory import Reader, each, sight
from localsphere.faces.vim.properties import Family, reads_of, reference, references
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.inventory import DATASTORE, HOST, NETWORK, ObjectView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context


@dataclass(frozen=True)
class Manager:
    """One manager of a host: its id (``networkSystem-12``) and its host."""

    moid: str
    host: ObjectView


ManagerReader = Any  # (Context, list[Manager]) -> {manager id: value}


def _of_host(build: Any) -> ManagerReader:
    """A reader of a value every manager's host answers alone."""

    def read(_context: Context, managers: list[Manager]) -> dict[str, Any]:
        return {m.moid: build(m.host) for m in managers}

    return read


def _in_datacenter(kind: str, build: Any) -> ManagerReader:
    """A reader of a value built from the host and the datastores or networks of its datacenter."""

    def read(context: Context, managers: list[Manager]) -> dict[str, Any]:
        found = host_systems.in_datacenters(context, [m.host for m in managers], kind)
        return {m.moid: build(m.host, found[m.host.moid]) for m in managers}

    return read


def _network_part(part: str) -> ManagerReader:
    return _in_datacenter(NETWORK, lambda o, nets: getattr(host_systems.network_info(o, nets), part))


# type -> (the prefix of its ids, the ``HostConfigManager`` field, its paths' readers)
MANAGERS: dict[str, tuple[str, str, dict[str, ManagerReader]]] = {
    "HostNetworkSystem": (
        "networkSystem",
        "networkSystem",
        {
            "networkInfo": _in_datacenter(NETWORK, host_systems.network_info),
            "networkConfig": _in_datacenter(NETWORK, host_systems.network_config),
            "dnsConfig": _network_part("dnsConfig"),
            "ipRouteConfig": _network_part("ipRouteConfig"),
        },
    ),
    "HostDatastoreSystem": (
        "datastoreSystem",
        "datastoreSystem",
        {
            "datastore": _in_datacenter(
                DATASTORE, lambda _o, found: references(DATASTORE, [d.moid for d in found])
            ),
            "capabilities": _of_host(
                lambda _o: vim.host.DatastoreSystem.Capabilities(
                    nfsMountCreationRequired=True,
                    nfsMountCreationSupported=True,
                    localDatastoreSupported=False,
                    vmfsExtentExpansionSupported=True,
                )
            ),
        },
    ),
    "HostStorageSystem": (
        "storageSystem",
        "storageSystem",
        {
            "storageDeviceInfo": _in_datacenter(
                DATASTORE, lambda _o, found: host_systems.storage_device(found)
            ),
            "fileSystemVolumeInfo": _in_datacenter(
                DATASTORE, lambda _o, found: host_systems.file_system_volumes(found)
            ),
        },
    ),
    "HostDateTimeSystem": (
        "dateTimeSystem",
        "dateTimeSystem",
        {"dateTimeInfo": _of_host(lambda _o: host_systems.date_time_info())},
    ),
    "HostServiceSystem": (
        "serviceSystem",
        "serviceSystem",
        {"serviceInfo": _of_host(lambda _o: host_systems.service_info())},
    ),
    "HostFirewallSystem": (
        "firewallSystem",
        "firewallSystem",
        {"firewallInfo": _of_host(lambda _o: host_systems.firewall_info())},
    ),
    "HostCpuSchedulerSystem": (
        "cpuSchedulerSystem",
        "cpuScheduler",
        {"hyperthreadInfo": _of_host(lambda _o: host_systems.HYPERTHREADING)},
    ),
    "HostPowerSystem": (
        "powerSystem",
        "powerSystem",
        {
            "capability": _of_host(lambda _o: host_systems.power_capability()),
            "info": _of_host(lambda _o: vim.host.PowerSystem.Info(currentPolicy=host_systems.POWER_POLICY)),
        },
    ),
}


def _number(o: ObjectView) -> str:
    return o.moid.removeprefix("host-")


def config_manager(o: ObjectView) -> Any:
    """A host's ``configManager``: its managers' references."""
    return vim.host.ConfigManager(
        **{field: reference(kind, f"{prefix}-{_number(o)}") for kind, (prefix, field, _) in MANAGERS.items()}
    )


def _loader(kind: str) -> Any:
    """The managers of ``kind`` among the ids whose hosts the caller sees."""
    prefix = MANAGERS[kind][0] + "-"

    def load(context: Context, moids: list[str], _paths: list[str]) -> list[Manager]:
        hosts = {m: "host-" + m.removeprefix(prefix) for m in moids if m.startswith(prefix)}
        found = context.world.inventory_graph.objects(set(hosts.values()), sight(context))
        return [
            Manager(m, o)
            for m, host in hosts.items()
            if (o := found.get(host)) is not None and o.kind == HOST
        ]

    return load


def family() -> Family:
    """Every host manager type, read through its host."""
    reads = {kind: reads_of(table, _loader(kind)) for kind, (_, _, table) in MANAGERS.items()}

    def read(context: Context, kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        return reads[kind](context, moids, paths)

    return Family(frozenset(MANAGERS), read, lambda kind: sorted(MANAGERS[kind][2]))


def query_date_time(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
    """``QueryDateTime``: the host's clock, which is the world's."""
    if not _loader(this.type)(context, [this.value], []):
        raise faults.not_found(this)
    return service_instance.now(context)


def methods() -> list[Method]:
    return [Method("QueryDateTime", query_date_time, frozenset({"HostDateTimeSystem"}))]


# the HostSystem paths this module reads, for the inventory's table
PATHS: dict[str, Reader] = {"configManager": each(config_manager)}
