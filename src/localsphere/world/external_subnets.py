"""The IP scope of an external network (a port group no org network is backed by, as
``provider_view`` finds them): a /24 of 172.16.0.0/12 fixed by the port group's managed-object
id, so the same network shows the same subnet across resets, restarts and workers, and never one
of the org networks' 10.<n>.0.0/24 (``org_vdcs.add_planned``). Its gateway is the subnet's first
address, its DNS server the second, and vCD's static pool one range, ``.100`` to ``.199``.

What vCD shows of it (``IpScopeType``, network.xsd): IsInherited false, Gateway, Netmask, Dns1,
DnsSuffix, IsEnabled (5.1 on) and IpRanges."""

from __future__ import annotations

import ipaddress
import re
import zlib
from dataclasses import dataclass

SUPERNET = ipaddress.IPv4Network("172.16.0.0/12")
PREFIX_LENGTH = 24
DNS_SUFFIX = "localsphere.test"  # the domain of the world's vCenter (vcenter.localsphere.test)
POOL_FIRST, POOL_LAST = 100, 199  # the static pool's host numbers in the subnet
_DIGITS = re.compile(r"(\d+)$")


@dataclass(frozen=True)
class IpScope:
    """One subnet: addresses as dotted quads; ``ranges``: (first, last) pairs of the static pool."""

    gateway: str
    netmask: str
    dns1: str
    dns_suffix: str
    ranges: tuple[tuple[str, str], ...]


def ip_scope(moid: str) -> IpScope:
    """The IP scope of the port group ``moid`` (``network-13``): the /24 whose index in the
    supernet is the moid's number (its CRC-32 when it has none), modulo the supernet's size."""
    found = _DIGITS.search(moid)
    number = int(found.group(1)) if found else zlib.crc32(moid.encode())
    subnets = 1 << (PREFIX_LENGTH - SUPERNET.prefixlen)
    subnet = ipaddress.IPv4Network(
        (int(SUPERNET.network_address) + (number % subnets) * (1 << (32 - PREFIX_LENGTH)), PREFIX_LENGTH)
    )
    first = subnet.network_address
    return IpScope(
        gateway=str(first + 1),
        netmask=str(subnet.netmask),
        dns1=str(first + 2),
        dns_suffix=DNS_SUFFIX,
        ranges=((str(first + POOL_FIRST), str(first + POOL_LAST)),),
    )
