"""The leases of vApps and vApp templates, as vCloud Director applies its org's lease settings
(``VAppLeaseSettings`` / ``TemplateLeaseSettings``, vCloudEntities.xsd): a new vApp
takes the org's deployment (runtime) and storage lease, a new template its storage lease (in
seconds; 0: never ends). The deployment lease runs while the vApp is deployed (from its deploy or
power-on); the storage lease while it is not (from its creation or undeploy), and a template's
from its creation. What happens when one ends is ``lease_expiry.py``'s.

A vApp's own lease (``LeaseSettingsSection`` PUT) may be shorter than the org's, never longer
(the product's 400), unless the org's is 0 (no bound)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world.clock import read_state
from localsphere.world.errors import Invalid
from localsphere.world.schema import CatalogItem, OrgSettingsRow, VApp

HOUR = 3600  # a lease other than 0 is at least an hour (vCD's bound, as for the org's)


@dataclass(frozen=True)
class VAppLeaseSettings:
    """``VAppLeaseSettings``: leases in seconds, 0 for never expiring (else at least an hour);
    the product's defaults: a 7-day runtime lease, a 30-day storage lease."""

    delete_on_storage_lease_expiration: bool = False
    deployment_lease_seconds: int = 7 * 86400
    storage_lease_seconds: int = 30 * 86400
    power_off_on_runtime_lease_expiration: bool = False


@dataclass(frozen=True)
class TemplateLeaseSettings:
    """``VAppTemplateLeaseSettings``: the storage lease of templates, in seconds (0: never;
    the product's default: 90 days)."""

    delete_on_storage_lease_expiration: bool = False
    storage_lease_seconds: int = 90 * 86400


def org_leases(db: Session | Connection, tenant: str) -> tuple[VAppLeaseSettings, TemplateLeaseSettings]:
    """The org's lease settings for vApps and templates (the product's defaults when unset)."""
    text = db.scalar(select(OrgSettingsRow.settings).where(OrgSettingsRow.tenant == tenant))
    stored = json.loads(text) if text else {}
    return (
        VAppLeaseSettings(**stored.get("vapp_lease", {})),
        TemplateLeaseSettings(**stored.get("template_lease", {})),
    )


def _ends(start: float, seconds: int) -> float | None:
    return start + seconds if seconds else None


def start_vapp_leases(s: Session, vapp: VApp, now: float) -> None:
    """A new vApp (``deployed`` set) takes its org's leases; the one of its state starts now."""
    leases, _ = org_leases(s, vapp.tenant)
    vapp.deployment_lease_s = leases.deployment_lease_seconds
    vapp.storage_lease_s = leases.storage_lease_seconds
    vapp.expired = False
    _restart(vapp, bool(vapp.deployed), now)


def start_template_lease(s: Session, item: CatalogItem, now: float) -> None:
    """A new vApp template takes its org's storage lease, which starts now."""
    _, leases = org_leases(s, item.tenant)
    item.storage_lease_s = leases.storage_lease_seconds
    item.storage_expires_at = _ends(now, item.storage_lease_s)
    item.expired = False


def _restart(vapp: VApp, deployed: bool, now: float) -> None:
    if deployed:
        vapp.deployment_expires_at = _ends(now, vapp.deployment_lease_s)
        vapp.storage_expires_at = None
    else:
        vapp.deployment_expires_at = None
        vapp.storage_expires_at = _ends(now, vapp.storage_lease_s)


def set_deployed(s: Session, vapp: VApp, deployed: bool, now: float | None = None) -> None:
    """The vApp (locked) deployed or not: a deploy starts its deployment lease (and ends the
    storage lease's run, and its being expired), an undeploy starts its storage lease; the same
    state again changes nothing. ``now``: the world clock's, unless given."""
    if bool(vapp.deployed) == deployed:
        return
    vapp.deployed = deployed
    if deployed:
        vapp.expired = False
    _restart(vapp, deployed, read_state(s).now if now is None else now)


def set_vapp_leases(s: Session, vapp: VApp, deployment_s: int | None, storage_s: int | None) -> None:
    """A ``LeaseSettingsSection`` PUT: the vApp's leases (None: keep) anew, restarted now.
    Invalid (vCD's 400) for a lease below an hour (other than 0) or past its org's longest."""
    leases, _ = org_leases(s, vapp.tenant)
    for name, wanted, most in (
        ("DeploymentLeaseInSeconds", deployment_s, leases.deployment_lease_seconds),
        ("StorageLeaseInSeconds", storage_s, leases.storage_lease_seconds),
    ):
        if wanted is None:
            continue
        if wanted < 0 or 0 < wanted < HOUR:
            raise Invalid("vapp.lease", f"{name} must be 0 or at least {HOUR} seconds.", name)
        if most and (wanted == 0 or wanted > most):
            raise Invalid(
                "vapp.lease",
                f"The requested {name} of {wanted} seconds exceeds the maximum of {most} seconds "
                "allowed by the organization's lease policy.",
                name,
            )
    if deployment_s is not None:
        vapp.deployment_lease_s = deployment_s
    if storage_s is not None:
        vapp.storage_lease_s = storage_s
    _restart(vapp, bool(vapp.deployed), read_state(s).now)
