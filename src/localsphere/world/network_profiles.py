"""vRA network profiles: a tenant's static IPv4 address pools (EXTERNAL, NAT or PRIVATE), each a
subnet (gateway and mask, DNS and WINS servers) with ranges of addresses from which provisioning
gives each machine one, the lowest free, and takes it back when the machine goes.

Addresses are kept as 32-bit numbers (``ipaddress``), so "the lowest free" is one indexed query
per range. A range must lie in the profile's subnet, not hold its gateway, and not overlap another
range of the profile; a profile whose addresses are held is not deleted, and an update may not
drop a held address from its ranges. The 6.2 Programming Guide's "Working with Network Profiles"
names the fields (see docs/research/vra-reservations.md)."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from localsphere.world import identity, odata
from localsphere.world.clock import Clock, read_state
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.schema import IpAllocation, IpRange, NetworkProfile, Reservation
from localsphere.world.store import Store

PROFILE_TYPES = ("EXTERNAL", "NAT", "PRIVATE")
NAME_LENGTH = 255
RANGES_MOST = 100  # of one profile: a bound, not a rule of vRA's
DETAIL_FIELDS = ("primaryDnsAddress", "secondaryDnsAddress", "dnsSuffix", "dnsSearchSuffix")
ADDRESS_FIELDS = ("primaryDnsAddress", "secondaryDnsAddress", "primaryWinsAddress", "secondaryWinsAddress")
FIELDS: odata.Fields = {
    "id": NetworkProfile.id,
    "name": NetworkProfile.name,
    "description": NetworkProfile.description,
    "profileType": NetworkProfile.profile_type,
    "createdDate": odata.epoch_seconds(NetworkProfile.created_at),
}


@dataclass(frozen=True)
class RangeSpec:
    name: str
    start: str  # an IPv4 address
    end: str
    description: str | None = None


@dataclass(frozen=True)
class ProfileSpec:
    name: str
    profile_type: str  # EXTERNAL | NAT | PRIVATE
    subnet_mask: str
    gateway: str | None = None
    description: str | None = None
    # DNS and WINS addresses, DNS suffixes, and for NAT the NAT type and external profile's id
    details: dict[str, Any] = field(default_factory=dict)
    ranges: tuple[RangeSpec, ...] = ()


@dataclass(frozen=True)
class RangeView:
    id: str
    name: str
    description: str | None
    start: str
    end: str
    allocated: int  # how many of its addresses machines hold


@dataclass(frozen=True)
class ProfileView:
    id: str
    tenant: str
    name: str
    description: str | None
    profile_type: str
    gateway: str | None
    subnet_mask: str
    details: dict[str, Any]
    ranges: tuple[RangeView, ...]
    created_at: float


def _address(text: Any, what: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(str(text).strip())
    except ValueError:
        raise Invalid("network_profile.address", f"{what} is not an IPv4 address: {text!r}.", what) from None


def checked(spec: ProfileSpec) -> list[tuple[int, int]]:
    """The ranges of ``spec`` as (first, last) numbers, after checking the whole spec: Invalid for
    a bad name, type, mask, gateway, DNS or WINS address, or a range that is malformed, reversed,
    outside the subnet, holds the gateway or overlaps another."""
    bounded_text(spec.name, "name", NAME_LENGTH)
    if spec.profile_type not in PROFILE_TYPES:
        raise Invalid(
            "network_profile.type",
            f"profileType must be one of {', '.join(PROFILE_TYPES)}, not {spec.profile_type!r}.",
            "profileType",
        )
    try:
        subnet = ipaddress.IPv4Network(f"0.0.0.0/{spec.subnet_mask}")
    except ValueError:
        raise Invalid(
            "network_profile.mask",
            f"subnetMask is not an IPv4 subnet mask: {spec.subnet_mask!r}.",
            "subnetMask",
        ) from None
    gateway = _address(spec.gateway, "gatewayAddress") if spec.gateway else None
    network = ipaddress.IPv4Network(f"{gateway}/{subnet.prefixlen}", strict=False) if gateway else None
    for key in ADDRESS_FIELDS:
        if spec.details.get(key):
            _address(spec.details[key], key)
    if len(spec.ranges) > RANGES_MOST:
        raise Invalid("network_profile.ranges", f"A profile has at most {RANGES_MOST} IP ranges.", "ranges")
    found: list[tuple[int, int, str]] = []
    for r in spec.ranges:
        bounded_text(r.name, "range name", NAME_LENGTH)
        start, end = _address(r.start, "beginIPv4Address"), _address(r.end, "endIPv4Address")
        if start > end:
            raise Invalid("network_profile.range", f"IP range {r.name}: {start} comes after {end}.", r.name)
        if network is not None and (start not in network or end not in network):
            raise Invalid(
                "network_profile.range", f"IP range {r.name} ({start}-{end}) is outside {network}.", r.name
            )
        if gateway is not None and start <= gateway <= end:
            raise Invalid("network_profile.range", f"IP range {r.name} holds the gateway {gateway}.", r.name)
        found.append((int(start), int(end), r.name))
    found.sort()
    for (_, end, name), (start, _, other) in pairwise(found):
        if start <= end:
            raise Invalid("network_profile.overlap", f"IP ranges {name} and {other} overlap.", other)
    return [(start, end) for start, end, _ in found]


def add_profile(s: Session, tenant: str, spec: ProfileSpec, now: float) -> str:
    """Add a profile and its ranges in ``s`` (checked; Conflict when the tenant has one of that
    name); returns its id."""
    ranges = checked(spec)
    _unique(s, tenant, spec.name, None)
    _external_parent(s, tenant, spec)
    profile_id = identity.new_id()
    s.add(
        NetworkProfile(
            id=profile_id,
            tenant=tenant,
            name=spec.name,
            description=spec.description,
            profile_type=spec.profile_type,
            gateway=spec.gateway or None,
            subnet_mask=spec.subnet_mask,
            details=json.dumps(spec.details),
            created_at=now,
        )
    )
    s.flush()
    _add_ranges(s, profile_id, spec, ranges)
    return profile_id


def _add_ranges(s: Session, profile_id: str, spec: ProfileSpec, ranges: list[tuple[int, int]]) -> None:
    by_start = {int(ipaddress.IPv4Address(r.start.strip())): r for r in spec.ranges}
    s.add_all(
        IpRange(
            id=identity.new_id(),
            profile_id=profile_id,
            name=by_start[start].name,
            description=by_start[start].description,
            start_num=start,
            end_num=end,
        )
        for start, end in ranges
    )


def _external_parent(s: Session, tenant: str, spec: ProfileSpec) -> None:
    """A NAT profile translates to an external one: Invalid unless ``externalNetworkProfileId``
    names an EXTERNAL profile of the tenant (vRA refuses a NAT profile without it)."""
    if spec.profile_type != "NAT":
        return
    parent = spec.details.get("externalNetworkProfileId")
    found = (
        s.scalar(
            select(NetworkProfile.id).where(
                NetworkProfile.tenant == tenant,
                NetworkProfile.id == parent,
                NetworkProfile.profile_type == "EXTERNAL",
            )
        )
        if parent
        else None
    )
    if found is None:
        raise Invalid(
            "network_profile.external",
            "A NAT network profile needs externalNetworkProfileId: an EXTERNAL profile of the tenant.",
            "externalNetworkProfileId",
        )


def _unique(s: Session, tenant: str, name: str, own_id: str | None) -> None:
    clash = s.scalars(
        select(NetworkProfile.id).where(
            NetworkProfile.tenant == tenant, func.lower(NetworkProfile.name) == name.lower()
        )
    ).first()
    if clash is not None and clash != own_id:
        raise Conflict("network_profile.exists", f"A network profile named {name} already exists.", name)


def _lowest_free(s: Session, profile_id: str, start: int, end: int) -> int | None:
    """The lowest number in [start, end] that no allocation of the profile holds, or None."""
    taken = select(IpAllocation.address_num).where(IpAllocation.profile_id == profile_id)
    if s.scalar(taken.where(IpAllocation.address_num == start)) is None:
        return start
    after = aliased(IpAllocation)
    gap = (
        select(func.min(IpAllocation.address_num + 1))
        .where(
            IpAllocation.profile_id == profile_id,
            IpAllocation.address_num >= start,
            IpAllocation.address_num < end,
        )
        .where(
            ~select(after.owner)
            .where(after.profile_id == profile_id, after.address_num == IpAllocation.address_num + 1)
            .exists()
        )
    )
    return s.scalar(gap)


def allocate(s: Session, profile_id: str, owner: str) -> str:
    """Give ``owner`` (a machine's id) the lowest free IPv4 address of the profile's ranges, in
    ``s``. NotFound for an unknown profile; Conflict when ``owner`` holds an address already;
    Invalid (``network_profile.exhausted``) when none is free."""
    profile = s.get(NetworkProfile, profile_id, with_for_update=True)  # one allocation at a time
    if profile is None:
        raise NotFound("network_profile.not_found", f"Network profile {profile_id} not found.", profile_id)
    if s.get(IpAllocation, owner) is not None:
        raise Conflict("network_profile.owner", f"{owner} holds an address already.", owner)
    ranges = s.execute(
        select(IpRange.start_num, IpRange.end_num)
        .where(IpRange.profile_id == profile_id)
        .order_by(IpRange.start_num)
    ).all()
    for start, end in ranges:
        number = _lowest_free(s, profile_id, start, end)
        if number is not None:
            s.add(
                IpAllocation(
                    owner=owner, profile_id=profile_id, address_num=number, created_at=read_state(s).now
                )
            )
            s.flush()
            return str(ipaddress.IPv4Address(number))
    raise Invalid(
        "network_profile.exhausted",
        f"No IP address is left in network profile {profile.name}: all its ranges are allocated.",
        profile.name,
    )


def release(s: Session, owner: str) -> None:
    """Free the address ``owner`` holds, in ``s``; nothing when it holds none."""
    s.execute(delete(IpAllocation).where(IpAllocation.owner == owner))


def address_of(s: Session, owner: str) -> str | None:
    """The address ``owner`` holds, or None."""
    number = s.scalar(select(IpAllocation.address_num).where(IpAllocation.owner == owner))
    return None if number is None else str(ipaddress.IPv4Address(number))


def profile_of(s: Session, tenant: str, profile_id: str) -> NetworkProfile:
    """The tenant's profile ``profile_id``; NotFound for another tenant's or none."""
    row = s.get(NetworkProfile, profile_id)
    if row is None or row.tenant != tenant:
        raise NotFound("network_profile.not_found", f"Network profile {profile_id} not found.", profile_id)
    return row


class NetworkProfiles:
    """A tenant's network profiles (the face checks who may: fabric group administrators write)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def list(self, tenant: str, listing: Listing) -> Counted[ProfileView]:
        query = select(NetworkProfile.id).where(NetworkProfile.tenant == tenant)
        with self._store.query() as conn:
            ids = cut(conn, query, FIELDS, listing, (NetworkProfile.name, NetworkProfile.id), lambda r: r[0])
        with self._store.read() as s:
            return Counted([_view(s, s.get(NetworkProfile, i)) for i in ids.items], ids.total)

    def get(self, tenant: str, profile_id: str) -> ProfileView:
        with self._store.read() as s:
            return _view(s, profile_of(s, tenant, profile_id))

    def create(self, tenant: str, spec: ProfileSpec) -> ProfileView:
        with self._store.write(serial=True) as s:
            profile_id = add_profile(s, tenant, spec, self._clock.now(s))
        return self.get(tenant, profile_id)

    def update(self, tenant: str, profile_id: str, spec: ProfileSpec) -> ProfileView:
        """Replace a profile's fields and ranges; Conflict when an address a machine holds would
        fall outside the new ranges."""
        ranges = checked(spec)
        with self._store.write(serial=True) as s:
            row = profile_of(s, tenant, profile_id)
            s.refresh(row, with_for_update=True)
            _unique(s, tenant, spec.name, row.id)
            _external_parent(s, tenant, spec)
            held = s.scalars(select(IpAllocation.address_num).where(IpAllocation.profile_id == row.id))
            for number in held:
                if not any(start <= number <= end for start, end in ranges):
                    address = ipaddress.IPv4Address(number)
                    raise Conflict(
                        "network_profile.in_use",
                        f"Address {address} of network profile {row.name} is allocated to a machine.",
                        str(address),
                    )
            row.name, row.description, row.profile_type = spec.name, spec.description, spec.profile_type
            row.gateway, row.subnet_mask = spec.gateway or None, spec.subnet_mask
            row.details = json.dumps(spec.details)
            s.execute(delete(IpRange).where(IpRange.profile_id == row.id))
            _add_ranges(s, row.id, spec, ranges)
        return self.get(tenant, profile_id)

    def delete(self, tenant: str, profile_id: str) -> None:
        """Conflict while machines hold its addresses or a reservation names it."""
        with self._store.write(serial=True) as s:
            row = profile_of(s, tenant, profile_id)
            if s.scalar(select(IpAllocation.owner).where(IpAllocation.profile_id == row.id).limit(1)):
                raise Conflict(
                    "network_profile.in_use",
                    f"Network profile {row.name} has IP addresses allocated to machines.",
                    row.name,
                )
            used_by = s.scalar(
                select(Reservation.name).where(Reservation.network_profile_id == row.id).limit(1)
            )
            if used_by:
                raise Conflict(
                    "network_profile.in_use",
                    f"Network profile {row.name} is used by reservation {used_by}.",
                    row.name,
                )
            s.delete(row)


def _view(s: Session, row: NetworkProfile | None) -> ProfileView:
    assert row is not None
    counted = (
        select(func.count())
        .select_from(IpAllocation)
        .where(
            IpAllocation.profile_id == row.id,
            IpAllocation.address_num >= IpRange.start_num,
            IpAllocation.address_num <= IpRange.end_num,
        )
        .scalar_subquery()
    )
    ranges = s.execute(
        select(IpRange, counted).where(IpRange.profile_id == row.id).order_by(IpRange.start_num)
    ).all()
    return ProfileView(
        row.id,
        row.tenant,
        row.name,
        row.description,
        row.profile_type,
        row.gateway,
        row.subnet_mask,
        json.loads(row.details or "{}"),
        tuple(
            RangeView(
                r.id,
                r.name,
                r.description,
                str(ipaddress.IPv4Address(r.start_num)),
                str(ipaddress.IPv4Address(r.end_num)),
                allocated,
            )
            for r, allocated in ranges
        ),
        row.created_at,
    )
