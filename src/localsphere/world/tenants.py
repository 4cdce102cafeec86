"""Tenants: the default one (``vsphere.local``, whose users are the SSO domain's), those a scenario
declares and those made through vRA's identity service; vCloud Director shows them as
organizations. A tenant's users are those of its identity stores (and, for the default tenant,
of the SSO domain)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world import odata, stamp
from localsphere.world.clock import Clock
from localsphere.world.copies import Copies
from localsphere.world.errors import Conflict, Forbidden, Invalid, NotFound
from localsphere.world.identity import ORG, SSO
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.schema import Assignment, Domain, IdentityStore, OrgVdc, Tenant
from localsphere.world.store import STATE, Store, changed

DEFAULT_TENANT = "vsphere.local"
NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")  # of a tenant made through vRA's API
TEXT_LENGTH = 255  # of a tenant's display name and contact e-mail address
ORGS_MOST = 10_000  # orgs one answer lists

_COLUMNS = (Tenant.name, Tenant.full_name, Tenant.description, Tenant.contact_email, Tenant.is_default)
# vRA's field names, for $filter and $orderby.
FIELDS: odata.Fields = {
    "id": Tenant.name,
    "urlName": Tenant.name,
    "name": Tenant.full_name,
    "description": Tenant.description,
    "contactEmail": Tenant.contact_email,
    "defaultTenant": Tenant.is_default,
}


@dataclass(frozen=True)
class TenantView:
    name: str  # vRA's id and urlName
    full_name: str  # vRA's name
    description: str
    contact_email: str | None
    is_default: bool


@dataclass(frozen=True)
class TenantSpec:
    full_name: str
    description: str | None = None
    contact_email: str | None = None


SYSTEM_ORG = "System"  # vCloud Director's provider org: the default tenant, whose users are SSO's
_ORG_IDS = uuid.UUID("4c53a1d0-0000-4000-8000-00000000c1d0")  # namespace of orgs' fixed ids


def org_name(tenant: TenantView) -> str:
    """A tenant's name as vCloud Director calls the org: ``System`` for the default tenant."""
    return SYSTEM_ORG if tenant.is_default else tenant.name


def org_of(tenant: str) -> str:
    """The org name of the tenant named ``tenant`` (``System`` for the default tenant)."""
    return SYSTEM_ORG if tenant.lower() == DEFAULT_TENANT else tenant


def tenant_of_org(org: str) -> str:
    """The tenant an org name names (``System``, in any case, is the default tenant)."""
    return DEFAULT_TENANT if org.lower() == SYSTEM_ORG.lower() else org


def org_id(tenant: TenantView) -> str:
    """An org's UUID (vCD's ``urn:vcloud:org:<uuid>``): fixed by its tenant's name, so it stays
    the same across resets and restarts."""
    return org_uuid(tenant.name)


def org_uuid(tenant: str) -> str:
    """The UUID of the org of the tenant named ``tenant`` (as ``org_id``)."""
    return str(uuid.uuid5(_ORG_IDS, tenant.lower()))


def tenant_scope(tenant: str) -> str:
    """Where a tenant's roles are assigned (``Assignment.scope``) in the vRA family."""
    return f"tenant:{tenant}"


def group_scope(tenant: str, group_id: str) -> str:
    """Where a business group's roles are assigned: below its tenant's scope."""
    return f"{tenant_scope(tenant)}:group:{group_id}"


def tenant_row(db: Session | Connection, name: str) -> TenantView | None:
    """The tenant named ``name`` (case-insensitively, as vRA's URLs take it), or None."""
    row = db.execute(select(*_COLUMNS).where(func.lower(Tenant.name) == name.lower())).first()
    return TenantView(*row) if row is not None else None


def _sign_in_domains(db: Session | Connection, tenant: TenantView) -> tuple[str, ...]:
    sso = []
    if tenant.is_default:
        sso = list(db.scalars(select(Domain.name).where(Domain.kind == SSO).order_by(Domain.name)))
    linked = db.scalars(
        select(IdentityStore.domain).where(IdentityStore.tenant == tenant.name).order_by(IdentityStore.domain)
    )
    own = db.scalars(select(Domain.name).where(Domain.kind == ORG, Domain.tenant == tenant.name))
    return (*sso, *linked, *own)


def add_org(s: Session, name: str, full_name: str, now: float, description: str = "") -> Tenant:
    """A tenant, with an ORG domain named as it for its org's own users (unless a domain has that
    name already: a directory's, say)."""
    row = Tenant(name=name, full_name=full_name, description=description, created_at=now, is_default=False)
    s.add(row)
    if s.get(Domain, name) is None:
        s.add(Domain(name=name, kind=ORG, created_at=now, tenant=name))
    s.flush()
    return row


class Tenants:
    """Tenants, and the domains whose users sign in to each. What every vRA request reads (its
    tenant, the tenant's domains) is kept in this process's copies while the ``STATE`` generation
    stays: making or changing a tenant, linking or unlinking a store, a reset all move it;
    ``max_age``: the most seconds a copy is trusted."""

    def __init__(self, store: Store, clock: Clock, max_age: float) -> None:
        self._store = store
        self._clock = clock
        self._found: Copies[str, TenantView | None] = Copies(store.generations[STATE], max_age, limit=1000)
        self._domains: Copies[str, tuple[str, ...]] = Copies(store.generations[STATE], max_age, limit=1000)

    def domains(self, tenant: TenantView) -> tuple[str, ...]:
        """The domains whose users sign in to ``tenant``: the SSO domain's for the default tenant,
        its identity stores', then its org's own users' (the first is its default store, where a
        bare name is looked for)."""

        def read() -> tuple[str, ...]:
            with self._store.query() as conn:
                return _sign_in_domains(conn, tenant)

        return self._domains.kept(tenant.name, read)

    def list(self, listing: Listing, only: str | None = None) -> Counted[TenantView]:
        """Every tenant (or just the one named ``only``), the default first, then by name."""
        with self._store.query() as conn:
            query = select(*_COLUMNS)
            if only is not None:
                query = query.where(func.lower(Tenant.name) == only.lower())
            return cut(conn, query, FIELDS, listing, (Tenant.is_default.desc(), Tenant.name), _view)

    def find(self, name: str) -> TenantView | None:
        def read() -> TenantView | None:
            with self._store.query() as conn:
                return tenant_row(conn, name)

        return self._found.kept(name.lower(), read)

    def orgs(self, viewer: str) -> list[TenantView]:
        """vCloud Director's orgs as a user signed in to the tenant ``viewer`` sees them: the
        System org's users (the provider) see every org, anyone else only its own. At most
        ``ORGS_MOST``."""
        own = self.get(viewer)
        if not own.is_default:
            return [own]
        return self.list(Listing(0, ORGS_MOST)).items

    def org(self, org: str, viewer: str) -> TenantView:
        """The org whose UUID is ``org``, as ``viewer``'s users see it; NotFound when there is
        none, Forbidden when it is another org and they are not the provider's."""
        found = next((t for t in self.list(Listing(0, ORGS_MOST)).items if org_id(t) == org.lower()), None)
        if found is None:
            raise NotFound("org.not_found", f"No org with id {org}.", org)
        own = self.get(viewer)
        if not own.is_default and own.name != found.name:
            raise Forbidden("org.forbidden", "Access to the org is forbidden.", org)
        return found

    def get(self, name: str) -> TenantView:
        found = self.find(name)
        if found is None:
            raise NotFound("tenant.not_found", f"Tenant {name} not found.", name)
        return found

    def put(self, name: str, spec: TenantSpec) -> tuple[TenantView, bool]:
        """Make the tenant ``name`` or change it; True when it was made. Invalid when a name or a
        text is out of bounds."""
        _check(name, spec)
        with self._store.write(serial=True) as s:
            row = s.scalars(select(Tenant).where(func.lower(Tenant.name) == name.lower())).first()
            made = row is None
            if row is None:
                if not NAME.fullmatch(name):
                    raise Invalid(
                        "tenant.name", "Tenant id may only contain letters, digits, '_', '.' and '-'.", name
                    )
                row = add_org(s, name, spec.full_name, self._clock.now(s))
            row.full_name = spec.full_name
            row.description = spec.description or ""
            row.contact_email = spec.contact_email
            s.flush()
            changed(s, STATE)
            return _view(tuple(getattr(row, c.key) for c in _COLUMNS)), made

    def delete(self, name: str) -> None:
        """Remove a tenant with its identity stores, its org's own users, their principals and its
        role assignments; the default tenant stays (Conflict), and so does one whose org still has
        a VDC (Conflict: its vApps' VMs run in the inventory, as vCloud Director refuses it)."""
        with self._store.write(serial=True) as s:
            row = s.scalars(select(Tenant).where(func.lower(Tenant.name) == name.lower())).first()
            if row is None:
                raise NotFound("tenant.not_found", f"Tenant {name} not found.", name)
            if row.is_default:
                raise Conflict("tenant.default", "The default tenant cannot be deleted.", name)
            if s.scalars(select(OrgVdc.id).where(OrgVdc.tenant == row.name).limit(1)).first():
                raise Conflict(
                    "tenant.has_vdcs", f"Tenant {row.name} still has virtual datacenters.", row.name
                )
            remove_tenant(s, row)


def remove_tenant(s: Session, row: Tenant) -> None:
    """Remove a tenant in the caller's transaction, with its identity stores, its org's own users,
    their principals and its role assignments (what it holds besides goes by its foreign keys)."""
    domains = list(s.scalars(select(IdentityStore.domain).where(IdentityStore.tenant == row.name)))
    domains += s.scalars(select(Domain.name).where(Domain.tenant == row.name))
    scope = tenant_scope(row.name)
    s.execute(
        delete(Assignment).where(
            (Assignment.scope == scope) | Assignment.scope.startswith(scope + ":", autoescape=True)
        )
    )
    s.execute(delete(Domain).where(Domain.name.in_(domains)))
    s.delete(row)
    stamp.bump(s)


def _check(name: str, spec: TenantSpec) -> None:
    if not spec.full_name.strip() or len(spec.full_name) > TEXT_LENGTH:
        raise Invalid("tenant.full_name", f"Tenant name must be 1 to {TEXT_LENGTH} characters.", "name")
    if spec.contact_email is not None and len(spec.contact_email) > TEXT_LENGTH:
        raise Invalid(
            "tenant.contact_email",
            f"Contact e-mail must be at most {TEXT_LENGTH} characters.",
            "contactEmail",
        )
    if len(name) > 128:
        raise Invalid("tenant.name", "Tenant id must be at most 128 characters.", name)


def _view(row: tuple) -> TenantView:  # type: ignore[type-arg]
    return TenantView(row[0], row[1], row[2] or "", row[3], bool(row[4]))
