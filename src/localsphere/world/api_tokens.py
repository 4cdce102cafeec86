"""Long-lived API tokens a user holds for the cloud sign-in flow (VMware Cloud Services' "API
tokens"): made and revoked by an operator, traded for short access tokens. Stored by digest; the
public id is the start of that digest, which reveals nothing usable."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from sqlalchemy import select, update

from localsphere.world import identity
from localsphere.world.auth import digest
from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid, NotFound, Unauthenticated
from localsphere.world.identity import USER, PrincipalView
from localsphere.world.schema import Principal, Token
from localsphere.world.store import Store

API_TOKEN = "api_token"
LIFETIME = 180 * 86400
PUBLIC_ID = 16  # characters of the digest shown as the token's id
ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class ApiTokenView:
    id: str
    principal: PrincipalView
    created_at: float
    expires_at: float
    revoked: bool


class ApiTokens:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def create(self, login: str, family: str) -> tuple[str, ApiTokenView]:
        """A new token for a user: the secret (shown once) and what is kept of it."""
        secret = "".join(secrets.choice(ALPHABET) for _ in range(64))
        with self._store.write() as s:
            principal = identity.find(s, login)
            if principal is None or principal.kind != USER:
                raise Invalid("principal.not_found", f"User {login} not found", login)
            now = self._clock.now(s)
            row = Token(
                id=digest(secret),
                kind=API_TOKEN,
                family=family,
                principal_id=principal.id,
                issued_at=now,
                expires_at=now + LIFETIME,
                revoked=False,
            )
            s.add(row)
            return secret, ApiTokenView(
                row.id[:PUBLIC_ID], PrincipalView.of(principal), now, row.expires_at, False
            )

    def list(self, family: str) -> list[ApiTokenView]:
        with self._store.read() as s:
            rows = s.execute(
                select(Token, Principal)
                .join(Principal, Principal.id == Token.principal_id)
                .where(Token.kind == API_TOKEN, Token.family == family)
                .order_by(Token.issued_at)
            )
            return [
                ApiTokenView(t.id[:PUBLIC_ID], PrincipalView.of(p), t.issued_at, t.expires_at, t.revoked)
                for t, p in rows
            ]

    def revoke(self, public_id: str, family: str) -> None:
        if len(public_id) != PUBLIC_ID or not all(c in string.hexdigits for c in public_id):
            raise NotFound("api_token.not_found", f"API token {public_id} not found", public_id)
        with self._store.write() as s:
            done = s.execute(
                update(Token)
                .where(Token.id.startswith(public_id), Token.kind == API_TOKEN, Token.family == family)
                .values(revoked=True)
            )
            if done.rowcount == 0:
                raise NotFound("api_token.not_found", f"API token {public_id} not found", public_id)

    def principal_for(self, secret: str, family: str) -> PrincipalView:
        """Whose token this is; Unauthenticated when it is unknown, revoked or expired."""
        with self._store.read() as s:
            row = s.execute(
                select(Token, Principal)
                .join(Principal, Principal.id == Token.principal_id)
                .where(Token.id == digest(secret), Token.kind == API_TOKEN, Token.family == family)
            ).first()
            now = self._clock.now(s)
            if row is None or row.Token.revoked or row.Token.expires_at <= now or not row.Principal.enabled:
                raise Unauthenticated("api_token.invalid", "Invalid refresh token")
            return PrincipalView.of(row.Principal)
