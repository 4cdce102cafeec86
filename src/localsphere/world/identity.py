"""Who exists: identity domains and their principals (users, groups, service accounts).

A principal's ``login`` is its unique, case-insensitive sign-in name: ``user@domain`` for users,
``domain\\group`` for groups, the bare name for service accounts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localsphere.world.errors import Invalid, NotFound
from localsphere.world.schema import Domain, Principal
from localsphere.world.store import Store

USER, GROUP, SERVICE = "USER", "GROUP", "SERVICE"
KINDS = (USER, GROUP, SERVICE)
SSO, LOCAL = "SSO", "LOCAL"
ORG = "ORG"  # a tenant's own users: a vCloud Director org's local users (``Domain.tenant``)
LOCAL_DOMAIN = "local"


@dataclass(frozen=True)
class PrincipalView:
    id: str
    kind: str
    name: str
    domain: str | None
    created_at: float

    @property
    def upn(self) -> str:
        """``name@domain`` for users and groups, the bare name for service accounts."""
        return f"{self.name}@{self.domain}" if self.domain else self.name

    @staticmethod
    def of(row: Principal) -> PrincipalView:
        return PrincipalView(row.id, row.kind, row.name, row.domain, row.created_at)


# The columns of a PrincipalView, in its field order, for queries that skip the ORM.
PRINCIPAL_COLUMNS = (Principal.id, Principal.kind, Principal.name, Principal.domain, Principal.created_at)


def login_of(kind: str, name: str, domain: str | None) -> str:
    if domain is None:
        return name.lower()
    if kind == GROUP:
        return f"{domain}\\{name}".lower()
    return f"{name}@{domain}".lower()


def split_name(name: str, domain: str | None) -> tuple[str, str | None]:
    """Read ``user@domain`` (or ``domain\\user``) and an optional separate domain into (name, domain).

    Raises Invalid when the two disagree about the domain.
    """
    local, named = name, None
    if "@" in name:
        local, _, named = name.rpartition("@")
    elif "\\" in name:
        named, _, local = name.partition("\\")
    if named and domain and named.lower() != domain.lower():
        raise Invalid("principal.domain_mismatch", f"Domain of {name} does not match {domain}", name, domain)
    return local, (named or domain)


def new_id() -> str:
    return str(uuid.uuid4())


class Identity:
    def __init__(self, store: Store) -> None:
        self._store = store

    def domain_names(self, kind: str = SSO) -> list[str]:
        with self._store.query() as conn:
            return list(conn.scalars(select(Domain.name).where(Domain.kind == kind).order_by(Domain.name)))

    def entities(self, domain: str, search: str | None = None) -> list[PrincipalView]:
        """Users and groups of an SSO domain, users first, each kind by name."""
        with self._store.query() as conn:
            if conn.scalar(select(Domain.kind).where(Domain.name == domain)) != SSO:
                raise NotFound("domain.not_found", f"SSO domain {domain} not found", domain)
            query = select(*PRINCIPAL_COLUMNS).where(
                Principal.domain == domain, Principal.kind.in_((USER, GROUP))
            )
            if search:
                query = query.where(func.lower(Principal.name).contains(search.lower(), autoescape=True))
            query = query.order_by(Principal.kind.desc(), func.lower(Principal.name), Principal.name)
            return [PrincipalView(*p) for p in conn.execute(query)]


NAME_LENGTH = 255  # of a principal's name, as the store keeps it
LOGIN_LENGTH = 512  # of its login; no longer one names anybody


def find(session: Session, login: str, for_update: bool = False) -> Principal | None:
    """The principal signing in as ``login``; ``for_update`` locks its row until the transaction ends.
    No login holds a NUL character (PostgreSQL's text cannot), so one names nobody."""
    if "\x00" in login or len(login) > LOGIN_LENGTH:
        return None
    query = select(Principal).where(Principal.login == login.lower())
    return session.scalars(query.with_for_update() if for_update else query).first()


def add_principal(
    session: Session,
    kind: str,
    name: str,
    domain: str | None,
    now: float,
    password_hash: str | None = None,
    api_key_digest: str | None = None,
) -> Principal:
    row = Principal(
        id=new_id(),
        kind=kind,
        name=name,
        domain=domain,
        login=login_of(kind, name, domain),
        password_hash=password_hash,
        api_key_digest=api_key_digest,
        enabled=True,
        created_at=now,
        password_changed_at=now if password_hash else None,
        password_expiry=False,
        failed_logins=0,
    )
    session.add(row)
    return row
