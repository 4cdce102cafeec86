"""vCloud Director's system settings, as the system administrator sees and changes them: the
general settings (kept on the ``system_settings`` row of their section; none: the product's
defaults) and the system LDAP settings, which are the System org's directory: the first identity
store linked to the default tenant (``identity_stores.py``), which vRA and Operations see as
well. Changing them links or changes that store (binding to the directory first; DirectoryError
when that fails) and a blank host name unlinks it. Its bind password is never given back. An
org's LDAP settings (its ``CUSTOM`` mode) are its tenant's directory the same way."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select

from localsphere.world import directory
from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid
from localsphere.world.identity_stores import IdentityStores, StoreSpec, StoreView
from localsphere.world.listing import Listing
from localsphere.world.schema import SystemSetting
from localsphere.world.store import STATE, Store, changed
from localsphere.world.tenants import DEFAULT_TENANT, Tenants, org_of

GENERAL = "general"
INT_MOST = 2**31 - 1
OPEN_LDAP, ACTIVE_DIRECTORY = "OPEN_LDAP", "ACTIVE_DIRECTORY"  # the product's connector types
CONNECTORS = {OPEN_LDAP: directory.LDAP, ACTIVE_DIRECTORY: directory.AD}


@dataclass(frozen=True)
class GeneralSettings:
    """``GeneralSettings`` (extension/settings.xsd): times in the units their names say;
    ``sync_start`` epoch seconds."""

    absolute_session_timeout_minutes: int = 1440
    activity_log_display_days: int = 30
    activity_log_keep_days: int = 90
    allow_overlapping_ext_nets: bool = False
    host_check_delay_in_seconds: int = 300
    host_check_timeout_seconds: int = 30
    installation_id: int = 1
    ip_reservation_timeout_seconds: int = 7200
    login_name_only: bool = False
    pre_pop_default_name: bool = True
    quarantine_enabled: bool = False
    quarantine_response_timeout_seconds: int = 1800
    session_timeout_minutes: int = 30
    show_stack_traces: bool = False
    sync_start: float = 0.0
    sync_interval_in_hours: int = 24
    system_external_address: str = ""
    transfer_session_timeout_seconds: int = 3600
    verify_vc_certificates: bool = False
    elastic_allocation_pool: bool = True
    max_vdc_quota: int = 0


@dataclass(frozen=True)
class LdapSettings:
    """The system LDAP settings: where the directory is (``host_name`` "" when none is linked),
    how to bind (``user_name``, a DN; ``password`` given on a change only, None keeps the stored
    one) and where users and groups are; ``domain``: the store's domain, the suffix its users
    sign in with (``tony@lab.test``)."""

    host_name: str = ""
    port: int = 389
    is_ssl: bool = False
    search_base: str = ""
    user_name: str = ""
    password: str | None = field(default=None, repr=False)
    group_search_base: str = ""
    connector_type: str = OPEN_LDAP
    domain: str = ""


def _domain_of(base: str, host: str) -> str:
    """The domain a system directory's users sign in with: its search base's ``dc=`` parts
    (``dc=lab,dc=test``: ``lab.test``), else its host name."""
    parts = [p.split("=", 1)[1].strip() for p in base.split(",") if p.strip().lower().startswith("dc=")]
    return ".".join(parts) if parts else host


def _ldap_view(store: StoreView | None) -> LdapSettings:
    if store is None:
        return LdapSettings()
    url = urlsplit(store.url)
    ssl = url.scheme.lower() == "ldaps"
    connector = next((c for c, kind in CONNECTORS.items() if kind == store.type), OPEN_LDAP)
    return LdapSettings(
        host_name=url.hostname or "",
        port=url.port or (636 if ssl else 389),
        is_ssl=ssl,
        search_base=store.user_base_dn,
        user_name=store.user_name_dn,
        group_search_base=store.group_base_dn,
        connector_type=connector,
        domain=store.domain,
    )


class SystemSettings:
    def __init__(self, store: Store, clock: Clock, tenants: Tenants, stores: IdentityStores) -> None:
        self._store = store
        self._clock = clock
        self._tenants = tenants
        self._stores = stores

    def general(self) -> GeneralSettings:
        with self._store.query() as conn:
            text = conn.scalar(select(SystemSetting.value).where(SystemSetting.section == GENERAL))
        return GeneralSettings(**json.loads(text)) if text else GeneralSettings()

    def set_general(self, settings: GeneralSettings) -> GeneralSettings:
        """Keep new general settings; Invalid when a number is out of bounds."""
        for one in dataclasses.fields(settings):
            value = getattr(settings, one.name)
            if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= INT_MOST:
                raise Invalid("system.settings", f"{one.name} must be between 0 and {INT_MOST}.", one.name)
        if settings.session_timeout_minutes < 1 or settings.absolute_session_timeout_minutes < 1:
            raise Invalid("system.settings", "Session timeouts must be at least 1 minute.", "session")
        if len(settings.system_external_address) > 2048:
            raise Invalid("system.settings", "The external address is too long.", "systemExternalAddress")
        text = json.dumps(dataclasses.asdict(settings), sort_keys=True)
        with self._store.write() as s:
            row = s.get(SystemSetting, GENERAL)
            if row is None:
                s.add(SystemSetting(section=GENERAL, value=text))
            else:
                row.value = text
            changed(s, STATE)
        return settings

    def ldap(self, tenant: str = DEFAULT_TENANT) -> LdapSettings:
        """The system directory's settings (an org's: ``tenant``'s), without its password, or
        blank ones when none is linked."""
        return _ldap_view(self._directory(tenant))

    def set_ldap(self, wanted: LdapSettings, tenant_name: str = DEFAULT_TENANT) -> LdapSettings:
        """Link the directory ``wanted`` describes to the System org (an org: ``tenant_name``),
        changing the one linked already, after binding to it; a blank host name unlinks it.
        Invalid when a value is missing or out of bounds, DirectoryError when the directory
        cannot be used."""
        tenant = self._tenants.get(tenant_name)
        current = self._directory(tenant_name)
        if not wanted.host_name.strip():
            if current is not None:
                self._stores.unlink(tenant, current.domain)
            return LdapSettings()
        if wanted.connector_type not in CONNECTORS:
            raise Invalid(
                "system.ldap", f"ConnectorType must be one of {', '.join(CONNECTORS)}.", "ConnectorType"
            )
        if not 0 < wanted.port < 65536:
            raise Invalid("system.ldap", "Port must be between 1 and 65535.", "Port")
        if not wanted.search_base.strip() or not wanted.user_name.strip():
            raise Invalid("system.ldap", "SearchBase and UserName are required.", "SearchBase")
        scheme = "ldaps" if wanted.is_ssl else "ldap"
        host = wanted.host_name.strip()
        spec = StoreSpec(
            name=current.name if current is not None else f"{org_of(tenant.name)}-ldap",
            type=CONNECTORS[wanted.connector_type],
            url=f"{scheme}://{f'[{host}]' if ':' in host else host}:{wanted.port}",
            user_name_dn=wanted.user_name.strip(),
            password=wanted.password if wanted.password else None,
            user_base_dn=wanted.search_base.strip(),
            group_base_dn=(wanted.group_search_base or wanted.search_base).strip(),
        )
        domain = current.domain if current is not None else _domain_of(spec.user_base_dn, host)
        linked, _ = self._stores.link(tenant, domain, spec)
        return _ldap_view(linked)

    def _directory(self, tenant_name: str) -> StoreView | None:
        """The org's directory: the first identity store linked to its tenant."""
        tenant = self._tenants.get(tenant_name)
        found = self._stores.list(tenant, Listing(0, 1)).items
        return found[0] if found else None
