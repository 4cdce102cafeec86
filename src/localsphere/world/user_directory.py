"""vSphere's ``UserDirectory``: a search of the SSO domains' users and groups, by name, optionally
among a group's direct members or a user's direct groups (as ``RetrieveUserGroups`` asks)."""

from __future__ import annotations

from sqlalchemy import select

from localsphere.world.errors import NotFound
from localsphere.world.identity import GROUP, USER, Identity, PrincipalView, login_of, split_name
from localsphere.world.schema import Membership, Principal
from localsphere.world.store import Store


class UserDirectory:
    def __init__(self, store: Store, identity: Identity) -> None:
        self._store = store
        self._identity = identity

    def search(
        self,
        domain: str | None,
        text: str,
        exact: bool,
        kinds: set[str],
        in_group: str | None = None,
        of_user: str | None = None,
    ) -> list[PrincipalView]:
        """The users and groups (``kinds``) of ``domain`` (None: every SSO domain) whose name
        holds ``text`` (case-insensitive; ``exact``: is it), members of the group ``in_group``
        or groups holding the user ``of_user`` when given (a name, ``user@domain`` or
        ``domain\\group``). NotFound ``domain.not_found`` for a domain that is not SSO's."""
        domains = [domain] if domain else self._identity.domain_names()
        found: list[PrincipalView] = []
        for one in domains:
            found += self._identity.entities(one, None if exact else text or None)
        if exact:
            found = [p for p in found if p.name.lower() == text.lower()]
        found = [p for p in found if p.kind in kinds]
        if in_group:
            members = self._linked(in_group, GROUP, domain, Membership.group_id, Membership.member_id)
            found = [p for p in found if p.id in members]
        if of_user:
            groups = self._linked(of_user, USER, domain, Membership.member_id, Membership.group_id)
            found = [p for p in found if p.id in groups]
        return found

    def _linked(self, name: str, kind: str, domain: str | None, by: object, other: object) -> set[str]:
        local, named = split_name(name, domain)
        with self._store.query() as conn:
            who = conn.scalar(select(Principal.id).where(Principal.login == login_of(kind, local, named)))
            if who is None:
                raise NotFound("principal.not_found", f"{name} does not exist", name)
            return set(conn.scalars(select(other).where(by == who)))  # type: ignore[call-overload,operator]
