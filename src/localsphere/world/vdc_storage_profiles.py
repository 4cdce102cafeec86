"""An org VDC's storage policies (vCloud Director's ``VdcStorageProfile``): which of its provider
VDC's policies it may use (``provider_view.StoragePolicy``: ``*``, any datastore, or one named
after a datastore of the cluster's datacenter), each with its limit in MB (0: none), enabled or
not, and one the default, where vApps, disks and templates go unless told otherwise. A VDC is made
with the policies its ``CreateVdcParams`` names (none: ``*``), its default first (that one's id
fixed by the VDC's, ``storage_policies.storage_profile_id``); the VDC's ``storage_limit_mb`` is
always its default policy's limit.

What a policy holds is read from the store: the vApps, independent disks and catalog items on it
(``storage_profile`` of each; None: the VDC's first), and what it uses
(``storage_policies.used_mb``). Refusals follow vCD's 400s (the default cannot be disabled or
removed, nor a policy that holds anything)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.org_vdcs import VdcView, vdc_row, visible
from localsphere.world.schema import CatalogItem, Disk, OrgVdc, VApp, VdcStorageProfileRow
from localsphere.world.storage_policies import (
    ProfileView,
    on_profile,
    profile_view,
    profiles_of,
    provider_policies,
    used_mb,
)
from localsphere.world.store import INVENTORY, Store, changed
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.vapps import Actor


@dataclass(frozen=True)
class ProfileSpec:
    """A policy to add to a VDC (``AddStorageProfile``): the provider VDC's policy it is (by
    name), enabled, its limit in MB (0: none), whether it becomes the default."""

    name: str
    enabled: bool = True
    limit_mb: int = 0
    default: bool = False


@dataclass(frozen=True)
class ProfileChange:
    """What an ``AdminVdcStorageProfile`` PUT sets (None: keep)."""

    enabled: bool | None = None
    limit_mb: int | None = None
    default: bool | None = None


def _held(s: Session, profile: ProfileView) -> dict[str, int]:
    """What a policy holds: its vApps, disks and catalog items (templates, media), counted."""
    counts = {}
    for label, table in (("vApp(s)", VApp), ("disk(s)", Disk), ("catalog item(s)", CatalogItem)):
        where = on_profile(table.storage_profile, table.vdc, profile)
        counts[label] = s.scalar(select(func.count()).select_from(table).where(where)) or 0
    return counts


class VdcStorageProfiles:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks

    def of_vdc(self, vdc_id: str, viewer: str | None) -> list[ProfileView]:
        """The VDC's policies as ``viewer`` (None: the provider) sees them; NotFound."""
        with self._store.read() as s:
            vdc_row(s, vdc_id, viewer)
            return profiles_of(s, vdc_id)

    def get(self, profile_id: str, viewer: str | None) -> tuple[VdcView, ProfileView]:
        """A policy and its VDC; NotFound when there is none the viewer sees."""
        with self._store.read() as s:
            row = s.get(VdcStorageProfileRow, profile_id)
            vdc = s.scalar(
                select(OrgVdc.id).where(
                    OrgVdc.id == (row.vdc if row else None), visible(OrgVdc.tenant, viewer)
                )
            )
            if row is None or vdc is None:
                raise NotFound(
                    "storage_profile.not_found", f"No storage policy with id {profile_id}.", profile_id
                )
            return vdc_row(s, row.vdc, None), profile_view(row, used_mb(s, row))

    def change_set(self, actor: Actor, vdc_id: str, add: list[ProfileSpec], remove: list[str]) -> str:
        """``UpdateVdcStorageProfiles``: add the provider VDC's policies ``add`` names and remove
        the VDC's ``remove`` (ids); the task's id. Invalid for a name the provider VDC lacks, a
        policy the VDC has (Conflict), or a removal of the default or of a policy that holds
        vApps, disks or catalog items; NotFound for an unknown id."""
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            vdc = s.scalars(select(OrgVdc).where(OrgVdc.id == vdc_id).with_for_update()).first()
            if vdc is None:
                raise NotFound("vdc.not_found", f"No VDC with id {vdc_id}.", vdc_id)
            for profile_id in remove:
                row = s.get(VdcStorageProfileRow, profile_id)
                if row is None or row.vdc != vdc_id:
                    raise NotFound(
                        "storage_profile.not_found", f"No storage policy with id {profile_id}.", profile_id
                    )
                if row.is_default:
                    raise Invalid(
                        "storage_profile.default",
                        f'Storage policy "{row.name}" is the default of VDC "{vdc.name}": it cannot be '
                        "removed.",
                        row.name,
                    )
                held = {k: v for k, v in _held(s, profile_view(row, 0)).items() if v}
                if held:
                    listed = ", ".join(f"{n} {k}" for k, n in held.items())
                    raise Invalid(
                        "storage_profile.in_use",
                        f'Storage policy "{row.name}" of VDC "{vdc.name}" cannot be removed: it is in use '
                        f"by {listed}.",
                        row.name,
                    )
                s.delete(row)
            for spec in add:
                add_profile(s, vdc, spec, now)
            changed(s, INVENTORY)
            operation = f"Updated Virtual Datacenter {vdc.name}({vdc_id})"
            owner = Owner("vdc", vdc_id, vdc.name)
            return self._tasks.start(s, vdc.tenant, "vdcUpdateVdc", operation, owner, actor.principal)

    def update(self, profile_id: str, change: ProfileChange) -> None:
        """An ``AdminVdcStorageProfile`` PUT: enable or disable the policy, set its limit (MB),
        make it the default (the VDC's previous default stops being one). Invalid for disabling
        or un-defaulting the default, a negative limit or one below what it uses; NotFound."""
        with self._store.write(serial=True) as s:
            row = s.get(VdcStorageProfileRow, profile_id)
            if row is None:
                raise NotFound(
                    "storage_profile.not_found", f"No storage policy with id {profile_id}.", profile_id
                )
            vdc = s.scalars(select(OrgVdc).where(OrgVdc.id == row.vdc).with_for_update()).one()
            enabled = row.enabled if change.enabled is None else change.enabled
            default = row.is_default if change.default is None else change.default
            if row.is_default and not default:
                raise Invalid(
                    "storage_profile.default",
                    f'Storage policy "{row.name}" is the default of VDC "{vdc.name}": make another one the '
                    "default instead.",
                    row.name,
                )
            if default and not enabled:
                raise Invalid(
                    "storage_profile.default",
                    f'The default storage policy "{row.name}" of VDC "{vdc.name}" cannot be disabled.',
                    row.name,
                )
            if change.limit_mb is not None:
                used = used_mb(s, row)
                if change.limit_mb < 0 or (change.limit_mb and change.limit_mb < used):
                    raise Invalid(
                        "storage_profile.limit",
                        f'The limit of storage policy "{row.name}" ({change.limit_mb} MB) must not be '
                        f"negative nor below what it uses ({used} MB).",
                        "Limit",
                    )
                row.limit_mb = change.limit_mb
            row.enabled = enabled
            if default and not row.is_default:
                _make_default(s, vdc, row)
            if row.is_default:
                vdc.storage_limit_mb = row.limit_mb
            changed(s, INVENTORY)


def add_profile(s: Session, vdc: OrgVdc, spec: ProfileSpec, now: float) -> None:
    """The provider VDC's policy ``spec`` names added to ``vdc`` (locked), the default if it says
    so. Invalid for a name its provider VDC lacks or a negative limit, Conflict when the VDC
    has it."""
    if spec.name not in provider_policies(s, vdc.pool):
        raise Invalid(
            "storage_profile.unknown",
            f'The provider VDC of VDC "{vdc.name}" has no storage policy "{spec.name}".',
            spec.name,
        )
    if spec.limit_mb < 0:
        raise Invalid(
            "storage_profile.limit", f"Limit must not be negative (it is {spec.limit_mb}).", "Limit"
        )
    taken = select(VdcStorageProfileRow.id).where(
        VdcStorageProfileRow.vdc == vdc.id, VdcStorageProfileRow.name == spec.name
    )
    if s.scalar(taken):
        raise Conflict(
            "storage_profile.exists",
            f'VDC "{vdc.name}" already has storage policy "{spec.name}".',
            spec.name,
        )
    row = VdcStorageProfileRow(
        id=str(uuid.uuid4()),
        vdc=vdc.id,
        name=spec.name,
        enabled=spec.enabled,
        limit_mb=spec.limit_mb,
        is_default=False,
        created_at=now,
    )
    s.add(row)
    s.flush()
    if spec.default:
        _make_default(s, vdc, row)


def _make_default(s: Session, vdc: OrgVdc, row: VdcStorageProfileRow) -> None:
    """``row`` the VDC's default policy, the one before no more; the VDC's limit follows it."""
    if not row.enabled:
        raise Invalid(
            "storage_profile.default",
            f'The disabled storage policy "{row.name}" cannot be the default.',
            row.name,
        )
    s.execute(
        update(VdcStorageProfileRow)
        .where(VdcStorageProfileRow.vdc == vdc.id, VdcStorageProfileRow.id != row.id)
        .values(is_default=False)
    )
    row.is_default = True
    vdc.storage_limit_mb = row.limit_mb
