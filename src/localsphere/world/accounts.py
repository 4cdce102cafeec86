"""The users and groups of the SSO domains as a product's access control shows and edits them: a
principal with its names and e-mail, the groups that hold it directly (or, for a group, its direct
members), and the roles it holds in one product family at the family's root. An account made
here is the principal every face signs in: the same row, password and roles.

Lists are bounded (``MAX_ACCOUNTS``) and read in SQL, a query a kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from localsphere.world import fiql, identity, stamp
from localsphere.world.access import ROOTS
from localsphere.world.auth import SSO_POLICY, Auth, check_password
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.identity import GROUP, SSO, USER, PrincipalView
from localsphere.world.identity_stores import DIRECTORY
from localsphere.world.schema import Assignment, Domain, Membership, ObjectScope, Principal, Role, Token
from localsphere.world.store import Store

MAX_ACCOUNTS = 10_000  # in one list


@dataclass(frozen=True)
class Account:
    principal: PrincipalView
    first_name: str | None
    last_name: str | None
    email: str | None
    description: str | None
    enabled: bool
    groups: tuple[str, ...]  # ids of the groups that hold it directly
    members: tuple[str, ...]  # a group's direct members' ids
    roles: tuple[str, ...]  # role names at the family's root, by name


@dataclass(frozen=True)
class AccountSpec:
    """What a write sets; None leaves a field as it is (``password``, when set, is replaced)."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    description: str | None = None
    enabled: bool | None = None
    password: str | None = None
    groups: tuple[str, ...] | None = None
    members: tuple[str, ...] | None = None
    roles: tuple[str, ...] | None = None


def account_row(s: Session, kind: str, principal_id: str) -> Principal:
    """The row of a user or group of the SSO domains or of a linked directory (NotFound)."""
    return Accounts._row(s, kind, principal_id, imported=True)


class Accounts:
    def __init__(self, store: Store, clock: Clock, auth: Auth) -> None:
        self._store = store
        self._clock = clock
        self._auth = auth

    def list(
        self,
        kind: str,
        family: str,
        ids: Iterable[str] | None = None,
        names: Iterable[str] | None = None,
        roles: Iterable[str] | None = None,
    ) -> list[Account]:
        """Users or groups of the SSO domains, and those of linked directories imported with a
        role of the family, by domain and name; ``names``: their names (``name`` or
        ``name@domain``, any case), ``roles``: holding one of these roles."""
        imported = select(Assignment.principal_id).where(Assignment.family == family)
        query = (
            select(Principal)
            .join(Domain, Domain.name == Principal.domain)
            .where(Principal.kind == kind)
            .where((Domain.kind == SSO) | ((Domain.kind == DIRECTORY) & Principal.id.in_(imported)))
        )
        if ids is not None:
            query = query.where(Principal.id.in_(sorted(set(ids))))
        if names is not None:
            wanted = [n.lower() for n in names]
            query = query.where(func.lower(Principal.name).in_(wanted) | Principal.login.in_(wanted))
        if roles is not None:
            holders = (
                select(Assignment.principal_id)
                .join(Role, Role.id == Assignment.role_id)
                .where(Assignment.family == family, Role.name.in_(sorted(set(roles))))
            )
            query = query.where(Principal.id.in_(holders))
        with self._store.read() as s:
            rows = s.scalars(query.order_by(Principal.domain, Principal.login).limit(MAX_ACCOUNTS))
            return [self._account(s, row, family) for row in rows]

    def get(self, kind: str, family: str, principal_id: str) -> Account:
        with self._store.read() as s:
            return self._account(s, self._row(s, kind, principal_id, imported=True), family)

    def create(self, kind: str, family: str, domain: str, name: str, spec: AccountSpec) -> Account:
        """A user (with a password) or a group in the SSO domain ``domain``. Conflict when the
        name is taken; Invalid when a group, member or role named does not exist."""
        if not name.strip():
            raise Invalid("principal.name_empty", "The name must not be empty", "name")
        bounded_text(name, "name", identity.NAME_LENGTH)
        if kind == USER and not spec.password:
            raise Invalid("password.missing", "A password is required", "password")
        password_hash = self._hash(spec.password)
        with self._store.write(serial=True) as s:
            known = s.get(Domain, domain)
            if known is None or known.kind != SSO:
                raise Invalid("domain.not_found", f"SSO domain {domain} not found", domain)
            if identity.find(s, identity.login_of(kind, name, domain)) is not None:
                raise Conflict("principal.exists", f"{name} already exists", name)
            now = self._clock.now(s)
            row = identity.add_principal(s, kind, name, domain, now, password_hash=password_hash)
            s.flush()
            self._apply(s, row, family, replace(spec, password=None))
            return self._account(s, row, family)

    def update(self, kind: str, family: str, principal_id: str, spec: AccountSpec) -> Account:
        password_hash = self._hash(spec.password)
        with self._store.write(serial=True) as s:
            row = self._row(s, kind, principal_id)
            if password_hash is not None:
                row.password_hash, row.password_changed_at = password_hash, self._clock.now(s)
            self._apply(s, row, family, spec)
            return self._account(s, row, family)

    def delete(self, kind: str, principal_ids: Iterable[str], keep: str | None = None) -> None:
        """Remove accounts with their memberships, roles (and the object scopes of their own) and
        tokens; all or nothing. ``keep``: the one that may not go (the caller's own)."""
        with self._store.write() as s:
            rows = [self._row(s, kind, pid, imported=True) for pid in dict.fromkeys(principal_ids)]
            for row in rows:
                if row.id == keep:
                    raise Invalid("principal.self", "You cannot delete your own account", row.id)
                s.execute(delete(Token).where(Token.principal_id == row.id))
                own = select(Assignment.object_scope).where(Assignment.principal_id == row.id)
                s.execute(delete(ObjectScope).where(ObjectScope.name.is_(None), ObjectScope.id.in_(own)))
                s.execute(delete(Assignment).where(Assignment.principal_id == row.id))
                s.execute(
                    delete(Membership).where(
                        (Membership.member_id == row.id) | (Membership.group_id == row.id)
                    )
                )
                s.delete(row)
            stamp.bump(s)

    def adopt(self, family: str, principal_id: str, roles: tuple[str, ...], kind: str = USER) -> Account:
        """Give a directory user or group (the row a linked store keeps of it) ``roles`` at the
        family's root, besides those it holds: how Operations imports a user or group of an LDAP
        or AD source. NotFound for no such principal, Invalid for an unknown role."""
        with self._store.write(serial=True) as s:
            row = self._row(s, kind, principal_id, imported=True)
            held = self._roles(s, row.id, family)
            self._apply(s, row, family, AccountSpec(roles=tuple(sorted({*held, *roles}))))
            return self._account(s, row, family)

    def change_password(self, principal_id: str, current: str, new: str) -> None:
        """A user changes its own password (``Auth.change_password``: the current one checked,
        the new one held to the policy); the same password then signs in on every face."""
        with self._store.read() as s:
            login = self._row(s, USER, principal_id).login
        self._auth.change_password(login, new, current, policy=SSO_POLICY)

    def _hash(self, password: str | None) -> str | None:
        """The hash of a new SSO password, which must keep the SSO policy (None: none given)."""
        if not password:
            return None
        check_password(password, SSO_POLICY)
        return self._auth.hash_password(password)

    def search(self, kind: str, family: str, domain: str, pattern: str, limit: int) -> list[Account]:
        """Users or groups of one SSO domain whose name matches ``pattern`` (any case; ``*``
        matches any run of characters), by name, at most ``limit``."""
        query = (
            select(Principal)
            .join(Domain, Domain.name == Principal.domain)
            .where(Domain.kind == SSO, Principal.kind == kind, Principal.domain == domain)
            .where(fiql.like(Principal.name, pattern))
            .order_by(Principal.login)
            .limit(limit)
        )
        with self._store.read() as s:
            return [self._account(s, row, family) for row in s.scalars(query)]

    # ---- in a transaction

    def _apply(self, s: Session, row: Principal, family: str, spec: AccountSpec) -> None:
        for field in ("first_name", "last_name", "email", "description"):
            value = getattr(spec, field)
            if value is not None:  # an empty one clears it
                setattr(row, field, bounded_text(value, field, identity.NAME_LENGTH) if value else None)
        if spec.enabled is not None:
            row.enabled = spec.enabled
        if spec.groups is not None:
            self._link(s, row.id, spec.groups, as_member=True)
        if spec.members is not None:
            self._link(s, row.id, spec.members, as_member=False)
        if spec.roles is not None:
            self._set_roles(s, row.id, family, spec.roles)
        stamp.bump(s)  # held privileges may have changed

    @staticmethod
    def _link(s: Session, principal_id: str, others: tuple[str, ...], as_member: bool) -> None:
        """Make ``others`` the groups of ``principal_id`` (``as_member``) or its members."""
        kinds = (GROUP,) if as_member else (USER, GROUP)
        found = set(
            s.scalars(
                select(Principal.id).where(Principal.id.in_(sorted(set(others))), Principal.kind.in_(kinds))
            )
        )
        missing = sorted(set(others) - found)
        if missing:
            raise Invalid(
                "principal.not_found", f"No such {'group' if as_member else 'member'}: {missing[0]}", *missing
            )
        mine = Membership.member_id if as_member else Membership.group_id
        s.execute(delete(Membership).where(mine == principal_id))
        for other in sorted(found - {principal_id}):
            pair = (other, principal_id) if as_member else (principal_id, other)
            s.add(Membership(group_id=pair[0], member_id=pair[1]))

    def _set_roles(self, s: Session, principal_id: str, family: str, names: tuple[str, ...]) -> None:
        query = select(Role.name, Role.id).where(Role.family == family, Role.name.in_(sorted(set(names))))
        by_name = {name: role_id for name, role_id in s.execute(query)}
        missing = sorted(set(names) - set(by_name))
        if missing:
            raise Invalid("role.not_found", f"No such role: {missing[0]}", *missing)
        root = ROOTS[family]
        s.execute(
            delete(Assignment).where(
                Assignment.principal_id == principal_id, Assignment.family == family, Assignment.scope == root
            )
        )
        now = self._clock.now(s)
        for name in sorted(by_name):
            s.add(
                Assignment(
                    id=identity.new_id(),
                    family=family,
                    principal_id=principal_id,
                    role_id=by_name[name],
                    scope=root,
                    created_at=now,
                )
            )

    @staticmethod
    def _roles(s: Session, principal_id: str, family: str) -> list[str]:
        query = (
            select(Role.name)
            .join(Assignment, Assignment.role_id == Role.id)
            .where(Assignment.principal_id == principal_id, Assignment.family == family)
            .where(Assignment.scope == ROOTS[family])
            .order_by(Role.name)
        )
        return list(dict.fromkeys(s.scalars(query)))

    def _account(self, s: Session, row: Principal, family: str) -> Account:
        s.flush()
        groups = s.scalars(
            select(Membership.group_id).where(Membership.member_id == row.id).order_by(Membership.group_id)
        )
        members = s.scalars(
            select(Membership.member_id).where(Membership.group_id == row.id).order_by(Membership.member_id)
        )
        return Account(
            principal=PrincipalView.of(row),
            first_name=row.first_name,
            last_name=row.last_name,
            email=row.email,
            description=row.description,
            enabled=row.enabled,
            groups=tuple(groups),
            members=tuple(members) if row.kind == GROUP else (),
            roles=tuple(self._roles(s, row.id, family)),
        )

    @staticmethod
    def _row(s: Session, kind: str, principal_id: str, imported: bool = False) -> Principal:
        """An SSO domain's user or group; ``imported``: or a linked directory's (whose password is
        the directory's, never set here). NotFound otherwise."""
        row = s.get(Principal, principal_id)
        domain = s.get(Domain, row.domain) if row is not None and row.domain else None
        kinds = (SSO, DIRECTORY) if imported else (SSO,)
        if row is None or row.kind != kind or domain is None or domain.kind not in kinds:
            noun = "User" if kind == USER else "User group"
            raise NotFound("principal.not_found", f"{noun} {principal_id} not found", principal_id)
        return row
