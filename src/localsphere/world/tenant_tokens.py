"""Tokens of users signed in to a tenant: vRA's HTTP bearer tokens, valid for a fixed lifetime on
the world clock (``vra_token_ttl``, vRA's ``identity.basic.token.lifetime.hours``), and vCloud
Director's sessions (an org is a tenant), which live while they are used; both revocable.

A token is a session row of its family keyed by the digest of its id, with the tenant it was
issued in. A vRA token's id has the product's shape, base64 of
``<ms>:<20 hex>:tenant:<tenant>username:<user>:<128 hex>``, whose last part is 64 random bytes:
unguessable whatever the rest says.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from localsphere.settings import Policy
from localsphere.world.events import LOGIN, Entity, Events
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


def vra_token_id(now: float, tenant: str, upn: str) -> str:
    """A vRA bearer token's id: the product's shape, ending in 64 random bytes."""
    text = f"{int(now * 1000)}:{secrets.token_hex(10)}:tenant:{tenant}username:{upn}:{secrets.token_hex(64)}"
    return base64.b64encode(text.encode()).decode()


class TenantTokens:
    """The sessions of users signed in to a tenant, in one product family: vRA's bearer tokens
    (a fixed ``lifetime`` read from the policy, ids of ``shape``) and vCloud Director's sessions
    (no lifetime: they live while they are used, for the policy's idle timeout)."""

    def __init__(
        self,
        store: Store,
        policies: Policies,
        sessions: Sessions,
        principals: TenantPrincipals,
        family: str,
        lifetime: Callable[[Policy], float] | None = None,
        shape: Callable[[float, str, str], str] | None = None,
        events: Events | None = None,
    ) -> None:
        """``events``: where a sign-in is recorded (None: it is not)."""
        self._store = store
        self._events = events
        self._policies = policies
        self._sessions = sessions
        self._principals = principals
        self._family = family
        self._lifetime = lifetime
        self._shape = shape

    def issue(self, tenant: str, username: str, password: str) -> Issued:
        """Sign a user in to a tenant (``TenantPrincipals.sign_in``) and issue its token."""
        found, principal = self._principals.sign_in(tenant, username, password)
        lifetime = None
        if self._lifetime is not None:
            with self._store.query() as conn:
                lifetime = self._lifetime(self._policies.read(conn))
        shape = self._shape
        make_id = (lambda now: shape(now, found.name, principal.upn)) if shape is not None else None
        opened = self._sessions.open(
            principal, self._family, lifetime=lifetime, tenant=found.name, make_id=make_id
        )
        if self._events is not None:
            with self._store.write() as s:
                who = Entity("user", principal.id, principal.name)
                self._events.record(s, found.name, LOGIN, who, principal.id, principal.name)
        return Issued(opened.session_id, opened.expires_at, found.name)

    def check(self, token: str) -> TenantCaller:
        """The caller a live token names; Unauthenticated when unknown, expired or revoked."""
        info = self._sessions.check(token, self._family)
        return TenantCaller(info.caller, info.tenant or "")

    def revoke(self, token: str) -> None:
        """End a token at once, on every worker; Unauthenticated when it is not a live one."""
        self._sessions.check(token, self._family)
        self._sessions.close(token, self._family)
