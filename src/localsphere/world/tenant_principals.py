"""A tenant's principals: the users and groups of its sign-in domains (the SSO domain's for the
default tenant, its identity stores' for every tenant), signing in, looked up, searched, listed,
with a group's members.

SSO principals are the world's own rows and sign in with their password under the one lockout
policy. A directory's entries are asked of the directory: a sign-in is a bind as the user (the
password is never kept) and reads the groups that hold it, and the groups above those; a lookup,
a search or a group's members read it live; and each entry seen gets a row of its own (no
password) so that roles, business groups and tokens can name it, and so that lists page in the
database. Without ``criteria``, a list holds the entries seen so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world import directory, identity, odata, stamp
from localsphere.world.access import VRA
from localsphere.world.auth import Auth
from localsphere.world.clock import Clock
from localsphere.world.directory import DirectoryConfig, DirectoryGroup, DirectoryUser
from localsphere.world.errors import NotFound, Unauthenticated
from localsphere.world.identity import GROUP, ORG, USER, PrincipalView
from localsphere.world.identity_stores import IdentityStores
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.schema import Assignment, Domain, Membership, Principal
from localsphere.world.state import WorldState
from localsphere.world.store import Store
from localsphere.world.tenants import Tenants, TenantView, tenant_scope

SEARCH_MOST = 200  # directory entries one search brings in, of each kind

_COLUMNS = (
    Principal.id,
    Principal.kind,
    Principal.name,
    Principal.domain,
    Principal.first_name,
    Principal.last_name,
    Principal.email,
    Principal.description,
    Principal.enabled,
    Principal.locked_until,
)
# vRA's field names, for $filter and $orderby of users and groups.
FIELDS: odata.Fields = {
    "name": Principal.name,
    "principalId/name": Principal.name,
    "principalId/domain": Principal.domain,
    "domain": Principal.domain,
    "firstName": Principal.first_name,
    "lastName": Principal.last_name,
    "emailAddress": Principal.email,
    "description": Principal.description,
}


@dataclass(frozen=True)
class PrincipalInfo:
    """A user or group as vRA shows it."""

    id: str
    kind: str  # USER | GROUP
    name: str
    domain: str
    first_name: str | None
    last_name: str | None
    email: str | None
    description: str | None
    disabled: bool
    locked: bool

    @property
    def principal_id(self) -> str:
        """vRA's principal id: ``name@domain``."""
        return f"{self.name}@{self.domain}"


class TenantPrincipals:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        state: WorldState,
        auth: Auth,
        tenants: Tenants,
        stores: IdentityStores,
    ) -> None:
        self._store = store
        self._clock = clock
        self._state = state
        self._auth = auth
        self._tenants = tenants
        self._stores = stores

    def sign_in(self, tenant_name: str, username: str, password: str) -> tuple[TenantView, PrincipalView]:
        """Check a user's password for a tenant: an SSO user's against its hash (counting failures
        toward the lockout), a directory user's by a bind as that user. A bare name is looked for
        among the org's own users, else in the tenant's default store (its first sign-in domain:
        the SSO domain, or its first directory). Unauthenticated, naming the
        user and the tenant as vRA does, when the tenant, the domain or the password is wrong."""
        user, place = _shown(username), _shown(tenant_name)
        refused = Unauthenticated(
            "credentials.invalid", f"Unable to authenticate user {user} in tenant {place}.", user, place
        )
        tenant = self._tenants.find(tenant_name)
        domains = self._tenants.domains(tenant) if tenant is not None else ()
        name, domain = _split(username, domains[0] if domains else None)
        chosen = next((d for d in domains if domain is not None and d.lower() == domain.lower()), None)
        with self._store.query() as conn:
            if tenant is not None and "@" not in username and "\\" not in username:  # the org's own first
                own = list(
                    conn.scalars(select(Domain.name).where(Domain.kind == ORG, Domain.tenant == tenant.name))
                )
                known = select(Principal.domain).where(
                    Principal.login.in_([identity.login_of(USER, name, d) for d in own])
                )
                chosen = conn.scalar(known) or chosen
            config = self._stores.config(conn, chosen) if chosen is not None else None
        if tenant is None or chosen is None or not password:
            raise refused
        if config is None:  # the SSO domain, or the org's own users (an ORG domain)
            try:
                return tenant, self._auth.sign_in(f"{name}@{chosen}", password=password, org_users=True)
            except Unauthenticated:  # wrong, locked or expired: vRA says no more than that
                raise refused from None
        unreachable = directory.DirectoryError(  # said to anyone: nothing of the directory's address
            directory.UNREACHABLE, f"The directory of tenant {tenant.name} cannot be reached."
        )
        try:
            found = directory.authenticate(config, name, password)
        except directory.DirectoryError:
            raise unreachable from None
        if found is None or found.disabled or not _storable(found):
            raise refused
        try:  # the groups it is in now, so that their roles are its own from this sign-in on
            ancestry = _ancestry(config, found)
        except directory.DirectoryError:
            raise unreachable from None
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            row = _keep_user(s, found, chosen, now)
            for entry, groups in ancestry:
                held = [_keep_group(s, g, chosen, now).id for g in groups]
                member = row if entry is found else _keep_group(s, entry, chosen, now)  # type: ignore[arg-type]
                _set_groups_of(s, member.id, chosen, held)
            return tenant, PrincipalView.of(row)

    def users(
        self, tenant: TenantView, listing: Listing, criteria: str | None = None
    ) -> Counted[PrincipalInfo]:
        return self._list(tenant, USER, listing, criteria)

    def groups(
        self, tenant: TenantView, listing: Listing, criteria: str | None = None
    ) -> Counted[PrincipalInfo]:
        return self._list(tenant, GROUP, listing, criteria)

    def _list(
        self, tenant: TenantView, kind: str, listing: Listing, criteria: str | None
    ) -> Counted[PrincipalInfo]:
        """The tenant's users (or groups) by name; ``criteria`` a text their name, first or last
        name or e-mail address holds (any case), looked for in the directories first."""
        if criteria:
            self._search_directories(tenant, criteria)
        domains = self._tenants.domains(tenant)
        with self._store.query() as conn:
            query = select(*_COLUMNS).where(Principal.kind == kind, Principal.domain.in_(domains))
            if criteria:
                needle = criteria.lower()
                query = query.where(
                    func.lower(Principal.name).contains(needle, autoescape=True)
                    | func.lower(Principal.first_name).contains(needle, autoescape=True)
                    | func.lower(Principal.last_name).contains(needle, autoescape=True)
                    | func.lower(Principal.email).contains(needle, autoescape=True)
                )
            now = self._state.reading().now
            return cut(conn, query, FIELDS, listing, (Principal.domain, Principal.name), _info(now))

    def assigned_groups(self, tenant: TenantView, listing: Listing) -> Counted[PrincipalInfo]:
        """The tenant's groups that hold a role in it or in one of its business groups."""
        scope = tenant_scope(tenant.name)
        holders = select(Assignment.principal_id).where(
            Assignment.family == VRA,
            (Assignment.scope == scope) | Assignment.scope.startswith(scope + ":", autoescape=True),
        )
        domains = self._tenants.domains(tenant)
        with self._store.query() as conn:
            query = select(*_COLUMNS).where(
                Principal.kind == GROUP, Principal.domain.in_(domains), Principal.id.in_(holders)
            )
            now = self._state.reading().now
            return cut(conn, query, FIELDS, listing, (Principal.domain, Principal.name), _info(now))

    def _search_directories(self, tenant: TenantView, criteria: str) -> None:
        with self._store.query() as conn:
            configs = [(d, c) for d in self._tenants.domains(tenant) if (c := self._stores.config(conn, d))]
        for domain, config in configs:
            users, groups = directory.search(config, criteria, SEARCH_MOST)
            users, groups = [u for u in users if _storable(u)], [g for g in groups if _storable(g)]
            with self._store.write(serial=True) as s:
                now = self._clock.now(s)
                for user in users:
                    _keep_user(s, user, domain, now)
                for group in groups:
                    _keep_group(s, group, domain, now)

    def get(self, tenant: TenantView, principal_id: str, kind: str | None = None) -> PrincipalInfo:
        """A user or group of the tenant by vRA's principal id (``name@domain``; a bare name in the
        default store); NotFound when the tenant's stores have none of that name."""
        row = self._find(tenant, principal_id, kind)
        if row is None:
            raise NotFound("principal.not_found", f"Principal {principal_id} not found.", principal_id)
        return row

    def _find(self, tenant: TenantView, principal_id: str, kind: str | None) -> PrincipalInfo | None:
        domains = self._tenants.domains(tenant)
        name, domain = _split(principal_id, domains[0] if domains else None)
        chosen = next((d for d in domains if domain is not None and d.lower() == domain.lower()), None)
        if chosen is None:
            return None
        with self._store.query() as conn:
            config = self._stores.config(conn, chosen)
            found = _read(conn, name, chosen, kind, self._state.reading().now)
        if found is not None or config is None:
            return found
        user = directory.find_user(config, name) if kind in (None, USER) else None
        group = directory.find_group(config, name) if user is None and kind in (None, GROUP) else None
        user = user if user is not None and _storable(user) else None
        group = group if group is not None and _storable(group) else None
        if user is None and group is None:
            return None
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            row = _keep_user(s, user, chosen, now) if user else _keep_group(s, group, chosen, now)  # type: ignore[arg-type]
            return _info(now)(tuple(getattr(row, c.key) for c in _COLUMNS))

    def members(
        self, tenant: TenantView, group_id: str, kind: str, listing: Listing
    ) -> Counted[PrincipalInfo]:
        """The users (``kind`` USER) or groups (GROUP) directly in a group of the tenant; a
        directory group's members are read from the directory."""
        group = self.get(tenant, group_id, GROUP)
        with self._store.query() as conn:
            config = self._stores.config(conn, group.domain)
        if config is not None:
            self._refresh_members(group, config)
        with self._store.query() as conn:
            inside = select(Membership.member_id).where(Membership.group_id == group.id)
            query = select(*_COLUMNS).where(Principal.kind == kind, Principal.id.in_(inside))
            now = self._state.reading().now
            return cut(conn, query, FIELDS, listing, (Principal.domain, Principal.name), _info(now))

    def refresh_members(self, tenant: TenantView, group_id: str) -> None:
        """Read a directory group's direct members anew from its directory (NotFound for no such
        group; nothing for a group of no directory)."""
        group = self.get(tenant, group_id, GROUP)
        with self._store.query() as conn:
            config = self._stores.config(conn, group.domain)
        if config is not None:
            self._refresh_members(group, config)

    def _refresh_members(self, group: PrincipalInfo, config: DirectoryConfig) -> None:
        entry = directory.find_group(config, group.name)
        users, groups = directory.members(config, entry) if entry is not None else ([], [])
        users, groups = [u for u in users if _storable(u)], [g for g in groups if _storable(g)]
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            ids = [_keep_user(s, u, group.domain, now).id for u in users]
            ids += [_keep_group(s, g, group.domain, now).id for g in groups]
            wanted = {i for i in ids if i != group.id}
            held = set(s.scalars(select(Membership.member_id).where(Membership.group_id == group.id)))
            if wanted != held:  # who holds the group's roles changes: every check is made anew
                s.execute(delete(Membership).where(Membership.group_id == group.id))
                s.add_all(Membership(group_id=group.id, member_id=i) for i in sorted(wanted))
                stamp.bump(s)


def _shown(text: str, most: int = 255) -> str:
    """``text`` as an answer may quote it: at most ``most`` characters."""
    return text if len(text) <= most else text[:most] + "..."


def _split(principal_id: str, default_domain: str | None) -> tuple[str, str | None]:
    if "@" in principal_id:
        name, _, domain = principal_id.rpartition("@")
        return name, domain
    if "\\" in principal_id:
        domain, _, name = principal_id.partition("\\")
        return name, domain
    return principal_id, default_domain


def _read(conn: Connection, name: str, domain: str, kind: str | None, now: float) -> PrincipalInfo | None:
    query = select(*_COLUMNS).where(
        Principal.domain == domain,
        func.lower(Principal.name) == name.lower(),
        Principal.kind.in_((USER, GROUP)),
    )
    if kind is not None:
        query = query.where(Principal.kind == kind)
    row = conn.execute(query.order_by(Principal.kind.desc())).first()
    return _info(now)(row) if row is not None else None


def _info(now: float) -> Callable[[tuple], PrincipalInfo]:  # type: ignore[type-arg]
    def make(row: tuple) -> PrincipalInfo:  # type: ignore[type-arg]
        pid, kind, name, domain, first, last, email, description, enabled, locked_until = row
        locked = locked_until is not None and locked_until > now
        return PrincipalInfo(pid, kind, name, domain, first, last, email, description, not enabled, locked)

    return make


NESTING_MOST = 8  # levels of groups in groups read up from a user at its sign-in


def _ancestry(
    config: DirectoryConfig, user: DirectoryUser
) -> list[tuple[DirectoryUser | DirectoryGroup, list[DirectoryGroup]]]:
    """The user and every group above it (up to ``NESTING_MOST`` levels), each with the groups
    that hold it directly, as the directory says now."""
    found: list[tuple[DirectoryUser | DirectoryGroup, list[DirectoryGroup]]] = []
    seen, level = {user.dn}, [user]
    for _ in range(NESTING_MOST):
        above: list[DirectoryGroup] = []
        for entry in level:
            groups = [g for g in directory.groups_of(config, entry) if _storable(g)]
            found.append((entry, groups))
            for group in groups:
                if group.dn not in seen:
                    seen.add(group.dn)
                    above.append(group)
        if not above:
            break
        level = above  # type: ignore[assignment]
    return found


def _set_groups_of(s: Session, member_id: str, domain: str, group_ids: list[str]) -> None:
    """Make a directory principal's groups (of its own domain) exactly ``group_ids``, bumping the
    access stamp when that changes who holds what."""
    in_domain = select(Principal.id).where(Principal.domain == domain, Principal.kind == GROUP)
    current = set(
        s.scalars(
            select(Membership.group_id).where(
                Membership.member_id == member_id, Membership.group_id.in_(in_domain)
            )
        )
    )
    wanted = set(group_ids)
    if current == wanted:
        return
    s.execute(
        delete(Membership).where(
            Membership.member_id == member_id, Membership.group_id.in_(sorted(current - wanted))
        )
    )
    s.add_all(Membership(group_id=g, member_id=member_id) for g in sorted(wanted - current))
    stamp.bump(s)


def _storable(entry: DirectoryUser | DirectoryGroup) -> bool:
    """Whether a directory entry's name fits the store's principals (a longer one is as if the
    directory had no such entry: it can be given no role, and cannot sign in)."""
    return len(entry.name) <= identity.NAME_LENGTH


def _cut(text: str | None) -> str | None:
    """A directory attribute as the store keeps it: its first 255 characters."""
    return text[: identity.NAME_LENGTH] if text is not None else None


def _keep_user(s: Session, user: DirectoryUser, domain: str, now: float) -> Principal:
    """The row of a directory user, made or brought up to date with what the directory says."""
    row = _row(s, USER, user.name, domain, now)
    row.first_name, row.last_name, row.email = _cut(user.first_name), _cut(user.last_name), _cut(user.email)
    row.description, row.dn, row.enabled = user.description, user.dn, not user.disabled
    return row


def _keep_group(s: Session, group: DirectoryGroup, domain: str, now: float) -> Principal:
    row = _row(s, GROUP, group.name, domain, now)
    row.description, row.dn = group.description, group.dn
    return row


def _row(s: Session, kind: str, name: str, domain: str, now: float) -> Principal:
    row = identity.find(s, identity.login_of(kind, name, domain))
    if row is None:
        if s.get(Domain, domain) is None:
            raise NotFound("identity_store.not_found", f"Identity store {domain} not found.", domain)
        row = identity.add_principal(s, kind, name, domain, now)
        s.flush()
    return row
