"""A VM's virtual hardware and network connections as OVF sections, the same for a vApp's VM and
a template's: CPU (ResourceType 3), memory (4), one item a NIC (10) and a disk (17), with the
units vcd-cli prints (``rasd:VirtualQuantityUnits``)."""

from __future__ import annotations

from dataclasses import dataclass

from localsphere.faces.vcd.ovf_types import (
    Connection,
    HostResource,
    Item,
    NetworkConnection,
    NetworkConnectionSection,
    VirtualHardwareSection,
)
from localsphere.faces.vcd.types import Link

MB = 1 << 20
NONE_NETWORK = "none"  # vCD's name for "not connected"


@dataclass(frozen=True)
class Nic:
    network: str | None  # the org network's name; None: not connected
    mac: str | None
    mode: str = "NONE"  # how it gets its address: DHCP, POOL, MANUAL, NONE
    ip: str | None = None
    adapter: str = "VMXNET3"
    connected: bool = True


def hardware(
    cpus: int, memory_mb: int, disks_bytes: list[int], nics: list[Nic], cores_per_socket: int = 1
) -> VirtualHardwareSection:
    """The ``ovf:VirtualHardwareSection`` of a VM."""
    items = [
        Item(
            address=nic.mac,
            address_on_parent=index,
            automatic_allocation=nic.network is not None and nic.connected,
            connection=Connection(nic.mode, nic.ip, index == 0, nic.network or NONE_NETWORK),
            description=f"{nic.adapter} ethernet adapter",
            element_name=f"Network adapter {index}",
            instance_id=1 + index,
            resource_sub_type=nic.adapter,
            resource_type=10,
        )
        for index, nic in enumerate(nics)
    ]
    items += [
        Item(
            address_on_parent=index,
            description="Hard disk",
            element_name=f"Hard disk {index + 1}",
            host_resource=HostResource(capacity=size // MB, bus_type=6),
            instance_id=2000 + index,
            resource_type=17,
        )
        for index, size in enumerate(disks_bytes)
    ]
    items += [
        Item(
            allocation_units="hertz * 10^6",
            description="Number of Virtual CPUs",
            element_name=f"{cpus} virtual CPU(s)",
            instance_id=4,
            reservation=0,
            resource_type=3,
            virtual_quantity=cpus,
            virtual_quantity_units="count",
            cores_per_socket=cores_per_socket,
        ),
        Item(
            allocation_units="byte * 2^20",
            description="Memory Size",
            element_name=f"{memory_mb} MB of memory",
            instance_id=5,
            reservation=0,
            resource_type=4,
            virtual_quantity=memory_mb,
            virtual_quantity_units="byte * 2^20",
        ),
    ]
    return VirtualHardwareSection(items=items)


def connections(nics: list[Nic], href: str | None, media_type: str | None) -> NetworkConnectionSection:
    """The ``NetworkConnectionSection``: one connection a NIC, the first the primary one; with an
    ``href``, the ``edit`` link that changes it."""
    return NetworkConnectionSection(
        links=[Link("edit", href, media_type)] if href and media_type else [],
        href=href,
        type=media_type,
        required=False if href else None,
        primary_index=0,
        connections=[
            NetworkConnection(
                network=nic.network or NONE_NETWORK,
                index=index,
                ip_address=nic.ip,
                is_connected=nic.network is not None and nic.connected,
                mac_address=nic.mac,
                allocation_mode=nic.mode,
                adapter_type=nic.adapter,
            )
            for index, nic in enumerate(nics)
        ],
    )
