"""An org VDC's storage policies as rows (``vdc_storage_profiles``): a new VDC's ``*`` (its
default, its id fixed by the VDC's), which policy a new vApp, disk or template goes to, what a
policy's vApps' VMs' disks use (MB) and the check that none passes its limit. The service that
adds, changes and removes them is ``vdc_storage_profiles.py``; rows of a VDC whose
``storage_profile`` is None are on its ``*``."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world.errors import Invalid
from localsphere.world.inventory import DATASTORE, VM
from localsphere.world.schema import CatalogItem, Disk, ManagedObject, OrgVdc, VApp, VdcStorageProfileRow

MB = 1 << 20
STORAGE_PROFILE = "*"  # a VDC's first storage policy, named as vCD names its any-datastore one
PROFILES_MOST = 100  # policies one VDC lists: a bound, not a rule of vCD's


def storage_profile_id(vdc_id: str) -> str:
    """The id of a VDC's first storage policy (``*`` unless it was made with another): fixed by
    the VDC's; a vApp, disk or template whose ``storage_profile`` is None is on it."""
    return str(uuid.uuid5(uuid.UUID(vdc_id), STORAGE_PROFILE))


@dataclass(frozen=True)
class ProfileView:
    """A VDC's storage policy: its limit and what its vApps' VMs' disks use, in MB."""

    id: str
    vdc: str
    name: str
    enabled: bool
    limit_mb: int
    is_default: bool
    used_mb: int


def on_profile(
    column: ColumnElement[str | None], vdc_column: ColumnElement[str], profile: ProfileView
) -> ColumnElement[bool]:
    """The SQL condition that a row of a VDC (its ``storage_profile`` column, its VDC's column) is
    on ``profile``: named, or None for the VDC's ``*``."""
    named = column == profile.id
    if profile.id != storage_profile_id(profile.vdc):
        return and_(vdc_column == profile.vdc, named)
    return and_(vdc_column == profile.vdc, or_(named, column.is_(None)))


def add_default_profile(
    s: Session, vdc_id: str, limit_mb: int, now: float, name: str = STORAGE_PROFILE
) -> None:
    """A new VDC's first policy (``*`` unless named), its default (``org_vdcs.add_vdc``)."""
    s.add(
        VdcStorageProfileRow(
            id=storage_profile_id(vdc_id),
            vdc=vdc_id,
            name=name,
            enabled=True,
            limit_mb=limit_mb,
            is_default=True,
            created_at=now,
        )
    )


def used_mb(db: Session | Connection, profile: VdcStorageProfileRow | ProfileView) -> int:
    """The MB a policy holds: the disks of its vApps' VMs (an attached independent disk counted
    once, as itself), its independent disks, and its templates and media."""
    view = profile if isinstance(profile, ProfileView) else profile_view(profile, 0)
    vms = (
        select(ManagedObject.details)
        .join(VApp, VApp.id == ManagedObject.vapp)
        .where(ManagedObject.kind == VM, on_profile(VApp.storage_profile, VApp.vdc, view))
    )
    total = sum(
        d.get("capacity", 0)
        for details in db.scalars(vms)
        for d in json.loads(details).get("disks", ())
        if not d.get("independent")
    )
    for table in (Disk, CatalogItem):
        total += int(  # PostgreSQL sums a bigint as a numeric (a Decimal here)
            db.scalar(
                select(func.coalesce(func.sum(table.size_bytes), 0)).where(
                    on_profile(table.storage_profile, table.vdc, view)
                )
            )
        )
    return total // MB


def provider_policies(s: Session, moid: str) -> set[str]:
    """The names of the storage policies of the provider VDC whose cluster (or a pool of it) is
    ``moid`` (``provider_view.ProviderVdc.storage_policies``): ``*`` and its datacenter's
    datastores'."""
    datacenter = s.scalar(select(ManagedObject.datacenter).where(ManagedObject.moid == moid))
    names = s.scalars(
        select(ManagedObject.name).where(
            ManagedObject.kind == DATASTORE, ManagedObject.datacenter == datacenter
        )
    )
    return {STORAGE_PROFILE, *names}


def profile_view(row: VdcStorageProfileRow, used: int) -> ProfileView:
    """A policy's row as a view, ``used`` MB of it used."""
    return ProfileView(row.id, row.vdc, row.name, row.enabled, row.limit_mb, row.is_default, used)


def profiles_of(db: Session, vdc_id: str) -> list[ProfileView]:
    """A VDC's policies by name (the default first), with what each uses."""
    rows = db.scalars(
        select(VdcStorageProfileRow)
        .where(VdcStorageProfileRow.vdc == vdc_id)
        .order_by(VdcStorageProfileRow.is_default.desc(), VdcStorageProfileRow.name)
        .limit(PROFILES_MOST)
    )
    return [profile_view(row, used_mb(db, row)) for row in rows]


def chosen_profile(s: Session, vdc_id: str, profile_id: str | None) -> str:
    """The policy a new vApp, disk or template of VDC ``vdc_id`` goes to: ``profile_id`` when it is one
    of the VDC's and enabled, the VDC's default when None. Invalid (vCD's 400) otherwise."""
    if profile_id is None:
        found = s.scalar(
            select(VdcStorageProfileRow.id).where(
                VdcStorageProfileRow.vdc == vdc_id, VdcStorageProfileRow.is_default.is_(True)
            )
        )
        return found or storage_profile_id(vdc_id)
    row = s.get(VdcStorageProfileRow, profile_id)
    if row is None or row.vdc != vdc_id:
        raise Invalid(
            "storage_profile.unknown", f'Cannot find the VDC storage policy "{profile_id}".', profile_id
        )
    if not row.enabled:
        raise Invalid(
            "storage_profile.disabled", f'The VDC storage policy "{row.name}" is disabled.', profile_id
        )
    return row.id


def check_limits(s: Session, vdc_id: str) -> None:
    """Invalid (vCD's 400, which takes the change back) when a policy of the VDC now holds more
    than its limit (flushed first)."""
    s.flush()
    vdc_name = s.scalar(select(OrgVdc.name).where(OrgVdc.id == vdc_id)) or vdc_id
    for row in s.scalars(select(VdcStorageProfileRow).where(VdcStorageProfileRow.vdc == vdc_id)):
        used = used_mb(s, row)
        if row.limit_mb and used > row.limit_mb:
            raise Invalid(
                "vdc.storage",
                f"The requested operation will exceed the VDC's storage quota: storage policy "
                f'"{row.name}" of VDC "{vdc_name}" has a limit of {row.limit_mb} MB, '
                f"{used} MB would be used.",
                vdc_name,
            )


def sync_default_limit(s: Session, vdc_id: str, limit_mb: int) -> None:
    """The VDC's storage limit changed by its terms (``AdminVdc`` PUT): its default policy's too."""
    s.execute(
        update(VdcStorageProfileRow)
        .where(VdcStorageProfileRow.vdc == vdc_id, VdcStorageProfileRow.is_default.is_(True))
        .values(limit_mb=limit_mb)
    )
