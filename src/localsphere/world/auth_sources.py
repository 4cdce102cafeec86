"""Operations' directory auth sources: the LDAP and Active Directory directories linked to the
default tenant as its identity stores (``identity_stores``), the one store that vRA and every
other face sign in from. A source is its store, named by the store's domain: adding one links the
directory (bound first, refused when that fails), removing one unlinks it with the principals
seen in it, their roles and their tokens.

Its users sign in by a bind as themselves (``TenantPrincipals.sign_in``: the password is never
kept), and an Operations user is one it imported with a role (``import_users``). A search reads
the directory live. Every call that talks to the directory does so outside any transaction.
"""

from __future__ import annotations

from fnmatch import fnmatch

from sqlalchemy import select

from localsphere.world import directory
from localsphere.world.accounts import Account, Accounts
from localsphere.world.directory import DirectoryConfig, DirectoryGroup, DirectoryUser
from localsphere.world.errors import NotFound
from localsphere.world.identity import GROUP, USER, PrincipalView
from localsphere.world.identity_stores import IdentityStores, StoreSpec, StoreView
from localsphere.world.listing import Listing
from localsphere.world.schema import Assignment, Principal, Tenant
from localsphere.world.store import Store
from localsphere.world.tenant_principals import SEARCH_MOST, TenantPrincipals
from localsphere.world.tenants import TenantView, tenant_row

MOST_SOURCES = 1000  # directories one list shows


class AuthSources:
    def __init__(
        self, store: Store, stores: IdentityStores, principals: TenantPrincipals, accounts: Accounts
    ) -> None:
        self._store = store
        self._stores = stores
        self._principals = principals
        self._accounts = accounts

    def _tenant(self) -> TenantView:
        """The default tenant, whose identity stores are Operations' directory sources."""
        with self._store.query() as conn:
            name = conn.scalar(select(Tenant.name).where(Tenant.is_default))
            found = tenant_row(conn, name) if name is not None else None
        if found is None:
            raise NotFound("tenant.not_found", "The world has no default tenant")
        return found

    def directories(self) -> list[StoreView]:
        """The directories linked to the default tenant, by domain."""
        return self._stores.list(self._tenant(), Listing(0, MOST_SOURCES)).items

    def link(self, domain: str, spec: StoreSpec, only_new: bool) -> StoreView:
        """Link (or, unless ``only_new``, change) the directory of ``domain``: bound first
        (DirectoryError when it cannot be), Conflict when the domain is taken."""
        return self._stores.link(self._tenant(), domain, spec, only_new)[0]

    def unlink(self, domain: str) -> None:
        """NotFound when no directory of the default tenant has that domain."""
        self._stores.unlink(self._tenant(), domain)

    def test(self, spec: StoreSpec, domain: str | None) -> None:
        """Connect, bind and read both base DNs of ``spec``, linking nothing; without a password,
        with the one the directory of ``domain`` keeps. DirectoryError when any step fails."""
        password = spec.password
        if password is None and domain is not None:
            with self._store.query() as conn:
                kept = self._stores.config(conn, domain)
            password = kept.password if kept is not None else None
        config = DirectoryConfig(
            spec.type, spec.url, spec.user_name_dn, password or "", spec.user_base_dn, spec.group_base_dn
        )
        directory.check(config)

    def sign_in(self, domain: str, name: str, password: str) -> PrincipalView:
        """A directory user, its password checked by a bind as that user (with the groups that
        hold it read anew). Unauthenticated when refused; DirectoryError when unreachable."""
        return self._principals.sign_in(self._tenant().name, f"{name}@{domain}", password)[1]

    def search(
        self, domain: str, kind: str, pattern: str, limit: int
    ) -> list[DirectoryUser | DirectoryGroup]:
        """The directory's users (or groups) whose sign-in name (a group's cn) matches
        ``pattern`` (any case; ``*`` any run of characters), by name, at most ``limit``."""
        with self._store.query() as conn:
            config = self._stores.config(conn, domain)
        if config is None:
            raise NotFound("identity_store.not_found", f"Identity store {domain} not found.", domain)
        literal = max(pattern.split("*"), key=len)  # the directory narrows, the pattern decides
        users, groups = directory.search(config, literal, SEARCH_MOST)
        found: list[DirectoryUser | DirectoryGroup] = [*(users if kind == USER else groups)]
        wanted = pattern.lower()
        return [e for e in found if fnmatch(e.name.lower(), wanted)][:limit]

    def import_group(self, domain: str, family: str, name: str, roles: tuple[str, ...]) -> Account:
        """Bring in a directory group by name with its roles at the family's root (NotFound for a
        name the directory does not have); its members come with ``synchronize``."""
        found = self._principals.get(self._tenant(), f"{name}@{domain}", GROUP)
        return self._accounts.adopt(family, found.id, roles, GROUP)

    def synchronize(self, domain: str, family: str) -> None:
        """Read anew from the directory the members of every group of ``domain`` that holds a role
        of the family (an imported group): who is in it, and so who holds its roles, is the
        directory's. DirectoryError when the directory cannot be read."""
        tenant = self._tenant()
        held = select(Assignment.principal_id).where(Assignment.family == family)
        with self._store.query() as conn:
            names = list(
                conn.scalars(
                    select(Principal.name)
                    .where(Principal.domain == domain, Principal.kind == GROUP, Principal.id.in_(held))
                    .order_by(Principal.name)
                    .limit(MOST_SOURCES)
                )
            )
        for name in names:
            self._principals.refresh_members(tenant, f"{name}@{domain}")

    def import_users(
        self, domain: str, family: str, users: list[tuple[str, tuple[str, ...]]]
    ) -> list[Account]:
        """Bring in directory users by sign-in name, each given its roles at the family's root
        (besides any it holds): NotFound for a name the directory does not have, Invalid for an
        unknown role (users before it stay imported)."""
        tenant = self._tenant()
        done = []
        for name, roles in users:
            found = self._principals.get(tenant, f"{name}@{domain}", USER)
            done.append(self._accounts.adopt(family, found.id, roles))
        return done
