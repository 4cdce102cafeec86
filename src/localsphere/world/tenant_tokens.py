"""vRA's HTTP bearer tokens: issued to a user signing in to a tenant, valid for a fixed lifetime
on the world clock (``vra_token_ttl``, vRA's ``identity.basic.token.lifetime.hours``), revocable.

A token is a session row of the ``vra`` family keyed by the digest of its id, with the tenant it
was issued in. Its id has the product's shape, base64 of
``<ms>:<20 hex>:tenant:<tenant>username:<user>:<128 hex>``, whose last part is 64 random bytes:
unguessable whatever the rest says.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from localsphere.world.access import VRA
from localsphere.world.policy import Policies
from localsphere.world.sessions import Sessions
from localsphere.world.store import Store
from localsphere.world.tenant_principals import TenantPrincipals
from localsphere.world.tenant_roles import TenantCaller


@dataclass(frozen=True)
class Issued:
    token: str
    expires_at: float  # epoch seconds, world time
    tenant: str  # the tenant's id as the store spells it


class TenantTokens:
    def __init__(
        self, store: Store, policies: Policies, sessions: Sessions, principals: TenantPrincipals
    ) -> None:
        self._store = store
        self._policies = policies
        self._sessions = sessions
        self._principals = principals

    def issue(self, tenant: str, username: str, password: str) -> Issued:
        """Sign a user in to a tenant (``TenantPrincipals.sign_in``) and issue its token."""
        found, principal = self._principals.sign_in(tenant, username, password)
        with self._store.query() as conn:
            lifetime = self._policies.read(conn).vra_token_ttl

        def make_id(now: float) -> str:
            text = (
                f"{int(now * 1000)}:{secrets.token_hex(10)}:tenant:{found.name}"
                f"username:{principal.upn}:{secrets.token_hex(64)}"
            )
            return base64.b64encode(text.encode()).decode()

        opened = self._sessions.open(principal, VRA, lifetime=lifetime, tenant=found.name, make_id=make_id)
        return Issued(opened.session_id, opened.expires_at, found.name)

    def check(self, token: str) -> TenantCaller:
        """The caller a live token names; Unauthenticated when unknown, expired or revoked."""
        info = self._sessions.check(token, VRA)
        return TenantCaller(info.caller, info.tenant or "")

    def revoke(self, token: str) -> None:
        """End a token at once, on every worker; Unauthenticated when it is not a live one."""
        self._sessions.check(token, VRA)
        self._sessions.close(token, VRA)
