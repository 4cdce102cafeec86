"""Identity stores: LDAP and Active Directory directories linked to a tenant. Linking (or
changing) one connects to the directory and binds with its credentials first, and is refused
when that fails (``directory.DirectoryError``). The bind password is kept sealed (``sealed.py``)
and never given back. A store's domain is a ``domains`` row of its own, so its principals (the
entries seen so far: signed in, looked up, given a role) and their roles go when it is unlinked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world import directory, odata, stamp
from localsphere.world.clock import Clock
from localsphere.world.directory import DirectoryConfig
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.schema import Domain, IdentityStore
from localsphere.world.sealed import Sealer, SealError
from localsphere.world.store import Store
from localsphere.world.tenants import TenantView

DIRECTORY = "DIRECTORY"  # the kind of a linked directory's domain
TYPES = (directory.LDAP, directory.AD, directory.NATIVE_AD)
TEXT_LENGTH = 255  # of a store's domain, name and alias
# A store's domain: what principal ids (name@domain) and URLs (/directories/{domain}) can carry.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"  # no "-" at either end
DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")

_COLUMNS = (
    IdentityStore.domain,
    IdentityStore.tenant,
    IdentityStore.name,
    IdentityStore.description,
    IdentityStore.alias,
    IdentityStore.type,
    IdentityStore.url,
    IdentityStore.user_name_dn,
    IdentityStore.user_base_dn,
    IdentityStore.group_base_dn,
)
# vRA's field names, for $filter and $orderby.
FIELDS: odata.Fields = {
    "domain": IdentityStore.domain,
    "name": IdentityStore.name,
    "description": IdentityStore.description,
    "alias": IdentityStore.alias,
    "type": IdentityStore.type,
    "url": IdentityStore.url,
    "userNameDn": IdentityStore.user_name_dn,
    "userBaseSearchDn": IdentityStore.user_base_dn,
    "groupBaseSearchDn": IdentityStore.group_base_dn,
}


@dataclass(frozen=True)
class StoreView:
    domain: str
    tenant: str
    name: str
    description: str | None
    alias: str | None
    type: str
    url: str
    user_name_dn: str
    user_base_dn: str
    group_base_dn: str


@dataclass(frozen=True)
class StoreSpec:
    """What a client gives to link or change a store; ``password`` None keeps the one stored."""

    name: str
    type: str
    url: str
    user_name_dn: str
    password: str | None
    user_base_dn: str
    group_base_dn: str
    description: str | None = None
    alias: str | None = None

    def __repr__(self) -> str:  # never the password
        return f"StoreSpec(name={self.name!r}, type={self.type!r}, url={self.url!r})"


class IdentityStores:
    def __init__(self, store: Store, clock: Clock, sealer: Sealer) -> None:
        self._store = store
        self._clock = clock
        self._sealer = sealer

    def list(self, tenant: TenantView, listing: Listing) -> Counted[StoreView]:
        with self._store.query() as conn:
            query = select(*_COLUMNS).where(IdentityStore.tenant == tenant.name)
            return cut(conn, query, FIELDS, listing, (IdentityStore.domain,), _view)

    def get(self, tenant: TenantView, domain: str) -> StoreView:
        with self._store.query() as conn:
            row = conn.execute(select(*_COLUMNS).where(*_named(tenant, domain))).first()
        if row is None:
            raise NotFound("identity_store.not_found", f"Identity store {domain} not found.", domain)
        return _view(row)

    def link(
        self, tenant: TenantView, domain: str, spec: StoreSpec, only_new: bool = False
    ) -> tuple[StoreView, bool]:
        """Link the directory ``spec`` describes to ``tenant`` as ``domain``, or change the store
        already linked there (unless ``only_new``: then Conflict); True when it was linked now.
        The directory is reached and bound first (DirectoryError when it cannot be); Conflict
        when another tenant or the SSO domain owns the domain name."""
        _check(domain, spec)
        password = spec.password
        if password is None:
            with self._store.query() as conn:
                sealed = conn.scalar(select(IdentityStore.password_sealed).where(*_named(tenant, domain)))
            if sealed is None:
                raise Invalid(
                    "identity_store.password", "A password is required to link a store.", "password"
                )
            password = self._open(sealed)
        directory.check(_config(spec, password))  # a network round trip: outside any transaction
        with self._store.write(serial=True) as s:
            row = s.scalars(select(IdentityStore).where(*_named(tenant, domain))).first()
            made = row is None
            if row is not None and only_new:
                raise Conflict(
                    "identity_store.exists", f"An identity store for {domain} already exists.", domain
                )
            if row is None:
                taken = s.scalars(
                    select(Domain.name).where(func.lower(Domain.name) == domain.lower())
                ).first()
                if taken is not None:
                    raise Conflict("identity_store.exists", f"The domain {domain} is already in use.", domain)
                now = self._clock.now(s)
                s.add(Domain(name=domain, kind=DIRECTORY, created_at=now))
                s.flush()
                row = IdentityStore(domain=domain, tenant=tenant.name, created_at=now)
                s.add(row)
            row.name, row.type, row.url = spec.name, spec.type, spec.url
            row.description, row.alias = spec.description, spec.alias
            row.user_name_dn, row.user_base_dn, row.group_base_dn = (
                spec.user_name_dn,
                spec.user_base_dn,
                spec.group_base_dn,
            )
            row.password_sealed = self._sealer.seal(password)
            s.flush()
            stamp.bump(s)
            return _view(tuple(getattr(row, c.key) for c in _COLUMNS)), made

    def unlink(self, tenant: TenantView, domain: str) -> None:
        """Unlink a store: its principals, their roles and their tokens go with its domain."""
        with self._store.write(serial=True) as s:
            name = s.scalar(select(IdentityStore.domain).where(*_named(tenant, domain)))
            if name is None:
                raise NotFound("identity_store.not_found", f"Identity store {domain} not found.", domain)
            known = s.get(Domain, name)
            if known is not None:
                s.delete(known)
            stamp.bump(s)

    def config(self, db: Session | Connection, domain: str) -> DirectoryConfig | None:
        """How to reach the directory behind ``domain`` (its password opened), or None when the
        domain is no linked directory."""
        row = db.execute(
            select(
                IdentityStore.type,
                IdentityStore.url,
                IdentityStore.user_name_dn,
                IdentityStore.password_sealed,
                IdentityStore.user_base_dn,
                IdentityStore.group_base_dn,
            ).where(IdentityStore.domain == domain)
        ).first()
        if row is None:
            return None
        return DirectoryConfig(row[0], row[1], row[2], self._open(row[3]), row[4], row[5])

    def _open(self, sealed: str) -> str:
        try:
            return self._sealer.open(sealed)
        except SealError:
            raise Invalid(
                "identity_store.sealed",
                "The store's password was sealed under another data directory's key; link it again "
                "with its password.",
            ) from None


def _named(tenant: TenantView, domain: str) -> tuple:  # type: ignore[type-arg]
    return (IdentityStore.tenant == tenant.name, func.lower(IdentityStore.domain) == domain.lower())


def _config(spec: StoreSpec, password: str) -> DirectoryConfig:
    return DirectoryConfig(
        spec.type, spec.url, spec.user_name_dn, password, spec.user_base_dn, spec.group_base_dn
    )


def _check(domain: str, spec: StoreSpec) -> None:
    if not DOMAIN.fullmatch(domain) or len(domain) > TEXT_LENGTH:
        raise Invalid(
            "identity_store.domain",
            "domain must be a DNS name: labels of letters, digits, '-' or '_', joined by dots.",
            "domain",
        )
    for field, value in (("name", spec.name), ("alias", spec.alias or "x")):
        if not value.strip() or len(value) > TEXT_LENGTH:
            raise Invalid(f"identity_store.{field}", f"{field} must be 1 to {TEXT_LENGTH} characters.", field)
    if spec.type not in TYPES:
        raise Invalid("identity_store.type", f"type must be one of {', '.join(TYPES)}.", "type")
    for field, value in (
        ("url", spec.url),
        ("userNameDn", spec.user_name_dn),
        ("userBaseSearchDn", spec.user_base_dn),
        ("groupBaseSearchDn", spec.group_base_dn),
    ):
        if not value.strip():
            raise Invalid(f"identity_store.{field}", f"{field} is required.", field)
    if spec.password is not None and not spec.password:
        raise Invalid("identity_store.password", "password must not be empty.", "password")


def _view(row: tuple) -> StoreView:  # type: ignore[type-arg]
    return StoreView(*row)
