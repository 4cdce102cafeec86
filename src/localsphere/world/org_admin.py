"""vCloud Director's administration of organizations. An org is a tenant (``tenants.py``: vRA
sees the same one); what the product adds to it lives on its ``org_settings`` row: whether it is
enabled, and its settings (general, the leases of vApps and of vApp templates, e-mail, password
policy). An org without a row has the product's defaults and is enabled (the demo world's orgs,
those a scenario or vRA makes).

Rules, as the vCloud API Programming Guide's "Creating and Managing Organizations" gives them: a
disabled org's users cannot sign in (and disabling it ends their sessions); the System org is
never disabled nor removed; an org is removed only when it is disabled (else the task fails:
"You must disable the organization before deleting it.") and holds no VDCs, and, unless the
removal is recursive, no catalogs and no local users either."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from localsphere.world import stamp
from localsphere.world.access import VCD
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, Unauthenticated, WrongState
from localsphere.world.identity import GROUP, ORG, SSO, USER, PrincipalView
from localsphere.world.inventory import POWERED_OFF
from localsphere.world.org_policy import PasswordPolicySettings
from localsphere.world.schema import (
    Assignment,
    Catalog,
    Domain,
    IdentityStore,
    ManagedObject,
    OrgSettingsRow,
    OrgVdc,
    Principal,
    Tenant,
    Token,
    VApp,
)
from localsphere.world.sealed import Sealer
from localsphere.world.store import STATE, Store, changed
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.tenants import (
    DEFAULT_TENANT,
    NAME,
    TEXT_LENGTH,
    TenantView,
    add_org,
    org_uuid,
    remove_tenant,
    tenant_row,
)
from localsphere.world.vapp_leases import TemplateLeaseSettings, VAppLeaseSettings
from localsphere.world.vapps import not_stopped
from localsphere.world.vdc_admin import remove_vdc

INT_MOST = 2**31 - 1  # the XSDs' xs:int
HOUR = 3600
NOT_DISABLED = "You must disable the organization before deleting it."  # the product's words


@dataclass(frozen=True)
class GeneralSettings:
    """``OrgGeneralSettings``: quotas are counts, 0 for unlimited; a delay in seconds."""

    can_publish_catalogs: bool = False
    can_publish_externally: bool = False
    can_subscribe: bool = False
    deployed_vm_quota: int = 0
    stored_vm_quota: int = 0
    use_server_boot_sequence: bool = False
    delay_after_power_on_seconds: int = 0
    vdc_quota: int = 0


@dataclass(frozen=True)
class SmtpServer:
    """An org's own SMTP server; its password is kept sealed and never given back
    (``password_set`` says whether there is one)."""

    use_authentication: bool = False
    host: str = ""
    port: int = 25
    username: str = ""
    password_set: bool = False


@dataclass(frozen=True)
class EmailSettings:
    """``OrgEmailSettings``: the system's SMTP server and sender unless the org has its own."""

    is_default_smtp_server: bool = True
    is_default_org_email: bool = True
    from_email_address: str = ""
    default_subject_prefix: str = ""
    is_alert_email_to_all_admins: bool = True
    alert_email_to: str = ""
    smtp: SmtpServer = field(default_factory=SmtpServer)


@dataclass(frozen=True)
class OrgSettings:
    general: GeneralSettings = field(default_factory=GeneralSettings)
    vapp_lease: VAppLeaseSettings = field(default_factory=VAppLeaseSettings)
    template_lease: TemplateLeaseSettings = field(default_factory=TemplateLeaseSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    password_policy: PasswordPolicySettings = field(default_factory=PasswordPolicySettings)


SECTIONS = tuple(f.name for f in dataclasses.fields(OrgSettings))


@dataclass(frozen=True)
class AdminOrgView:
    tenant: TenantView
    enabled: bool
    settings: OrgSettings

    @property
    def id(self) -> str:
        return org_uuid(self.tenant.name)


@dataclass(frozen=True)
class OrgChange:
    """What an update gives: None keeps a value; ``smtp_password`` None keeps the stored one."""

    full_name: str | None = None
    description: str | None = None
    enabled: bool | None = None
    settings: OrgSettings | None = None
    smtp_password: str | None = field(default=None, repr=False)


def _settings(text: str | None) -> OrgSettings:
    """Stored settings (JSON by section and field); what a section leaves out takes its default."""
    stored = json.loads(text) if text else {}
    parts: dict[str, Any] = {}
    for one in dataclasses.fields(OrgSettings):
        kind = type(one.default_factory())  # type: ignore[misc]
        values = dict(stored.get(one.name, {}))
        if kind is EmailSettings:
            values["smtp"] = SmtpServer(**values.get("smtp", {}))
        parts[one.name] = kind(**values)
    return OrgSettings(**parts)


def _check(settings: OrgSettings) -> None:
    """Invalid when a value is out of the product's bounds."""
    for section in SECTIONS:
        values = dataclasses.asdict(getattr(settings, section))
        values.update({f"smtp_{k}": v for k, v in values.pop("smtp", {}).items()})
        for name, value in values.items():
            if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= INT_MOST:
                raise Invalid("org.settings", f"{name} must be between 0 and {INT_MOST}.", name)
            if isinstance(value, str) and len(value) > TEXT_LENGTH:
                raise Invalid("org.settings", f"{name} must be at most {TEXT_LENGTH} characters.", name)
    leases = (
        settings.vapp_lease.deployment_lease_seconds,
        settings.vapp_lease.storage_lease_seconds,
        settings.template_lease.storage_lease_seconds,
    )
    if any(0 < lease < HOUR for lease in leases):
        raise Invalid("org.lease", "A lease must be 0 (never expires) or at least 3600 seconds.", "lease")
    policy = settings.password_policy
    if policy.invalid_logins_before_lockout < 1 or policy.account_lockout_interval_minutes < 1:
        raise Invalid(
            "org.password_policy",
            "Invalid logins before lockout and the lockout interval must be at least 1.",
            "passwordPolicy",
        )


def _stored(settings: OrgSettings) -> str:
    return json.dumps(dataclasses.asdict(settings), sort_keys=True)


class OrgAdmin:
    """Orgs as the system administrator manages them; ``sealer`` keeps SMTP passwords."""

    def __init__(self, store: Store, clock: Clock, tasks: Tasks, sealer: Sealer) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks
        self._sealer = sealer

    def get(self, tenant: str) -> AdminOrgView:
        """The org of the tenant named ``tenant``; NotFound when there is none."""
        with self._store.query() as conn:
            found = tenant_row(conn, tenant)
            if found is None:
                raise NotFound("org.not_found", f"No org {tenant}.", tenant)
            row = conn.execute(
                select(OrgSettingsRow.enabled, OrgSettingsRow.settings).where(
                    OrgSettingsRow.tenant == found.name
                )
            ).first()
        if row is None:
            return AdminOrgView(found, True, OrgSettings())
        return AdminOrgView(found, bool(row[0]), _settings(row[1]))

    def require_enabled(self, tenant: str) -> None:
        """Unauthenticated (vCD's 401, naming nothing) when the org named by tenant is disabled."""
        with self._store.query() as conn:
            enabled = conn.scalar(
                select(OrgSettingsRow.enabled)
                .join(Tenant, Tenant.name == OrgSettingsRow.tenant)
                .where(func.lower(Tenant.name) == tenant.lower())
            )
        if enabled is False:
            raise Unauthenticated("org.disabled", "Invalid credentials.")

    def create(
        self,
        name: str,
        full_name: str,
        description: str,
        enabled: bool,
        settings: OrgSettings,
        smtp_password: str | None = None,
    ) -> AdminOrgView:
        """Make an org (a tenant, with an ORG domain for its own users); Conflict (vCD's
        DUPLICATE_NAME) when a tenant has the name, Invalid when a name or value is out of bounds."""
        if not NAME.fullmatch(name):
            raise Invalid(
                "org.name",
                "An organization's name may only contain letters, digits, '_', '.' and '-' "
                "(at most 128 characters).",
                name,
            )
        _text(full_name, "FullName")
        _text(description, "Description", empty=True, most=65535)
        _check(settings)
        with self._store.write(serial=True) as s:
            if tenant_row(s, name) is not None:
                raise Conflict("org.exists", f"The organization name {name} is already in use.", name)
            add_org(s, name, full_name, self._clock.now(s), description)
            s.add(OrgSettingsRow(tenant=name, enabled=enabled, settings="{}"))
            self._write_settings(s, name, settings, smtp_password)
            changed(s, STATE)
        return self.get(name)

    def update(self, tenant: str, change: OrgChange) -> AdminOrgView:
        """Change an org's names, state or settings (None keeps each)."""
        if change.full_name is not None:
            _text(change.full_name, "FullName")
        if change.description is not None:
            _text(change.description, "Description", empty=True, most=65535)
        if change.settings is not None:
            _check(change.settings)
        with self._store.write(serial=True) as s:
            row = self._tenant(s, tenant)
            if change.enabled is False and row.is_default:
                raise Invalid("org.system", "The System organization cannot be disabled.", row.name)
            if change.full_name is not None:
                row.full_name = change.full_name
            if change.description is not None:
                row.description = change.description
            own = self._own(s, row.name)
            if change.enabled is not None and own.enabled != change.enabled:
                own.enabled = change.enabled
                if not change.enabled:  # its users' sessions end
                    s.execute(
                        update(Token)
                        .where(Token.family == VCD, Token.tenant == row.name, Token.revoked.is_(False))
                        .values(revoked=True)
                    )
                stamp.bump(s)  # session checks look again
            if change.settings is not None:
                self._write_settings(s, row.name, change.settings, change.smtp_password)
            changed(s, STATE)
            name = row.name
        return self.get(name)

    def delete(self, tenant: str, recursive: bool, user: PrincipalView, force: bool = False) -> str:
        """Remove an org; the id of the System org's task that says how it went. ``recursive``
        removes all it holds too: its VDCs (their vApps, networks, disks and resource pools, gone
        from vCenter), catalogs, users and groups; ``force`` (with ``recursive`` only, as the
        product) whatever their state, and the org even while it is enabled. The task fails
        (WrongState, the product's INVALID_STATE) when the org is enabled, unless ``recursive``
        when it holds VDCs, catalogs or local users, and unless ``force`` when a vApp of it runs."""
        force = force and recursive
        with self._store.write(serial=True) as s:
            row = self._tenant(s, tenant)
            if row.is_default:
                raise Invalid("org.system", "The System organization cannot be deleted.", row.name)
            name = row.name
            owner = Owner("org", org_uuid(name), name)
            failure = self._why_not(s, row, recursive, force)
            if failure is None:
                for vdc in s.scalars(select(OrgVdc).where(OrgVdc.tenant == name)).all():
                    remove_vdc(s, vdc)
                remove_tenant(s, row)
            task = self._tasks.start(
                s,
                DEFAULT_TENANT,
                "orgDelete",
                f"Deleted Organization {name}",
                owner,
                user,
                failure=failure or "",
            )
            changed(s, STATE)
            return task

    def _why_not(self, s: Session, row: Tenant, recursive: bool, force: bool) -> WrongState | None:
        own = s.get(OrgSettingsRow, row.name)
        if not force and (own is None or own.enabled):
            return WrongState("org.enabled", NOT_DISABLED, row.name)
        if recursive:
            running = (VApp.deployed.is_(True)) | VApp.id.in_(
                select(ManagedObject.vapp).where(ManagedObject.power_state != POWERED_OFF)
            )
            vapp = s.scalars(select(VApp.name).where(VApp.tenant == row.name, running).limit(1)).first()
            return not_stopped(vapp) if vapp is not None and not force else None
        held = []
        if s.scalars(select(OrgVdc.id).where(OrgVdc.tenant == row.name).limit(1)).first():
            held.append("virtual datacenters")
        if s.scalars(select(Catalog.id).where(Catalog.tenant == row.name).limit(1)).first():
            held.append("catalogs")
        users = (
            select(Principal.id)
            .join(Domain, Domain.name == Principal.domain)
            .where(Domain.kind == ORG, Domain.tenant == row.name)
            .limit(1)
        )
        if s.scalars(users).first():
            held.append("local users or groups")
        if held:
            message = (
                f"The organization {row.name} still contains {' and '.join(held)}: remove them first, "
                "or remove the organization with recursive=true."
            )
            return WrongState("org.not_empty", message, row.name)
        return None

    def members(self, tenant: str) -> list[Member]:
        """An org's users and groups as its AdminOrg lists them (its own, its directories' seen so
        far, and for the System org the SSO domain's; groups once imported), by name; at most
        ``MEMBERS_MOST``."""
        return _members(self._store, tenant)

    @staticmethod
    def _tenant(s: Session, tenant: str) -> Tenant:
        row = s.scalars(select(Tenant).where(func.lower(Tenant.name) == tenant.lower())).first()
        if row is None:
            raise NotFound("org.not_found", f"No org {tenant}.", tenant)
        return row

    @staticmethod
    def _own(s: Session, tenant: str) -> OrgSettingsRow:
        own = s.get(OrgSettingsRow, tenant)
        if own is None:
            own = OrgSettingsRow(tenant=tenant, enabled=True, settings="{}")
            s.add(own)
            s.flush()
        return own

    def _write_settings(self, s: Session, tenant: str, settings: OrgSettings, password: str | None) -> None:
        own = self._own(s, tenant)
        smtp = settings.email.smtp
        if password is not None:
            own.smtp_password_sealed = self._sealer.seal(password) if password else ""
        has_password = bool(own.smtp_password_sealed)
        if smtp.password_set != has_password:
            email = dataclasses.replace(
                settings.email, smtp=dataclasses.replace(smtp, password_set=has_password)
            )
            settings = dataclasses.replace(settings, email=email)
        own.settings = _stored(settings)


def _text(value: str, name: str, empty: bool = False, most: int = TEXT_LENGTH) -> None:
    if (not empty and not value.strip()) or len(value) > most:
        least = 0 if empty else 1
        raise Invalid("org.text", f"{name} must be {least} to {most} characters.", name)


MEMBERS_MOST = 1000  # users (and groups) an AdminOrg lists


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    kind: str  # USER or GROUP


def _members(store: Store, tenant: str) -> list[Member]:
    own = select(Domain.name).where(Domain.kind == ORG, Domain.tenant == tenant)
    linked = select(IdentityStore.domain).where(IdentityStore.tenant == tenant)
    where = Principal.domain.in_(own) | Principal.domain.in_(linked)
    if tenant.lower() == DEFAULT_TENANT:
        where = where | Principal.domain.in_(select(Domain.name).where(Domain.kind == SSO))
    # a group is the org's once imported: when it holds a vCD role (``org_people.import_group``)
    imported = select(Assignment.principal_id).where(Assignment.family == VCD)
    kinds = (Principal.kind == USER) | ((Principal.kind == GROUP) & Principal.id.in_(imported))
    query = (
        select(Principal.id, Principal.name, Principal.kind)
        .where(where, kinds)
        .order_by(Principal.name, Principal.id)
        .limit(MEMBERS_MOST)
    )
    with store.query() as conn:
        return [Member(*row) for row in conn.execute(query)]
