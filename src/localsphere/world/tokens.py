"""Issued credentials: signed access tokens (JWT) with revocable refresh tokens behind them.

Every access token has a row keyed by its ``jti``; validation checks the signature, the world
clock and that row, so a revocation or a deleted principal takes effect on every worker at once.
A worker remembers the tokens it has checked under the access stamp it read (``stamp.py``), so a
repeat check costs one read of the world-state row until something changes.
Refresh tokens are random ids whose SHA-256 digest is the row key.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass

import jwt
from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world import stamp
from localsphere.world.access import Access, Caller
from localsphere.world.auth import digest
from localsphere.world.clock import Clock
from localsphere.world.errors import Forbidden, NotFound, Unauthenticated
from localsphere.world.identity import PRINCIPAL_COLUMNS, PrincipalView
from localsphere.world.policy import Policies
from localsphere.world.schema import Meta, Principal, Token
from localsphere.world.stamp import Remembered
from localsphere.world.state import WorldState
from localsphere.world.store import Store

SIGNING_KEY = "jwt_signing_key"
ACCESS, REFRESH = "access", "refresh"
KEEP_EXPIRED = 86400  # expired tokens stay a day, to be told apart from unknown ones, then go


_ACCESS_TOKEN = (
    select(Token.revoked, Token.expires_at, Principal.enabled, *PRINCIPAL_COLUMNS)
    .join(Principal, Principal.id == Token.principal_id)
    .where(Token.id == bindparam("jti"), Token.kind == ACCESS, Token.family == bindparam("family"))
)


@dataclass(frozen=True)
class JwtProfile:
    """What a product writes into its tokens: issuer and audience."""

    issuer: str
    audience: str


@dataclass(frozen=True)
class _Checked:
    caller: Caller
    expires_at: float


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_id: str


def ensure_signing_key(session: Session) -> None:
    if session.get(Meta, SIGNING_KEY) is None:
        session.add(Meta(key=SIGNING_KEY, value=base64.b64encode(secrets.token_bytes(32)).decode()))


class Tokens:
    def __init__(
        self, store: Store, clock: Clock, state: WorldState, access: Access, policies: Policies
    ) -> None:
        self._store = store
        self._clock = clock
        self._state = state
        self._access = access
        self._policies = policies
        self._key: bytes | None = None
        self._checked: Remembered[_Checked] = Remembered()

    def _signing_key(self, db: Session | Connection) -> bytes:
        if self._key is None:  # never changes once created, so one read per process
            value = db.scalar(select(Meta.value).where(Meta.key == SIGNING_KEY))
            if value is None:
                raise RuntimeError("the world has no signing key; was it seeded?")
            self._key = base64.b64decode(value)
        return self._key

    def issue(self, principal: PrincipalView, family: str, profile: JwtProfile) -> TokenPair:
        """A new access token and refresh token for a principal that holds a role of ``family``."""
        with self._store.write() as s:
            scopes = self._access.privileges(s, principal.id, family)
            if not scopes:
                raise Forbidden("access.none", f"User {principal.upn} is not authorized", principal.upn)
            now = self._clock.now(s)
            s.execute(delete(Token).where(Token.expires_at < now - KEEP_EXPIRED))
            refresh_id = str(uuid.uuid4())
            s.add(
                Token(
                    id=digest(refresh_id),
                    kind=REFRESH,
                    family=family,
                    principal_id=principal.id,
                    issued_at=now,
                    expires_at=now + self._policies.read(s).refresh_token_ttl,
                    revoked=False,
                )
            )
            access = self._mint(s, principal, family, profile, sorted(scopes), digest(refresh_id), now)
            return TokenPair(access, refresh_id)

    def refresh(self, refresh_id: str, profile: JwtProfile) -> str:
        with self._store.write() as s:
            now = self._clock.now(s)
            row = s.get(Token, digest(refresh_id))
            if row is None or row.kind != REFRESH or row.revoked or row.expires_at <= now:
                raise NotFound("refresh_token.not_found", "Refresh token is invalid or expired")
            principal = s.get(Principal, row.principal_id)
            scopes = self._access.privileges(s, row.principal_id, row.family)
            if principal is None or not principal.enabled or not scopes:
                raise NotFound("refresh_token.not_found", "Refresh token is invalid or expired")
            return self._mint(
                s, PrincipalView.of(principal), row.family, profile, sorted(scopes), row.id, now
            )

    def revoke_refresh(self, refresh_id: str) -> None:
        """Revoke a refresh token and every access token minted from it."""
        key = digest(refresh_id)
        with self._store.write() as s:
            row = s.get(Token, key)
            if row is None or row.kind != REFRESH:
                raise NotFound("refresh_token.not_found", "Refresh token is invalid or expired")
            s.execute(update(Token).where(or_(Token.id == key, Token.parent_id == key)).values(revoked=True))
            stamp.bump(s)

    def authenticate(self, token: str, family: str, profile: JwtProfile) -> Caller:
        """The caller behind an access token, with the privileges its roles grant now. A token
        checked before under the same access stamp costs no database round trip."""
        state = self._state.reading()
        known = self._checked.get((token, family), state.stamp)
        if known is not None:
            if known.expires_at <= state.now:
                raise Unauthenticated("token.expired", "JWT token has expired")
            return known.caller
        with self._store.query() as conn:
            try:
                claims = jwt.decode(
                    token,
                    self._signing_key(conn),
                    algorithms=["HS256"],
                    audience=profile.audience,
                    issuer=profile.issuer,
                    options={
                        "verify_exp": False,
                        "verify_nbf": False,
                        "verify_iat": False,
                        "require": ["jti", "exp"],
                    },
                )
            except jwt.PyJWTError:
                raise Unauthenticated("token.invalid", "Invalid JWT token") from None
            row = conn.execute(_ACCESS_TOKEN, {"jti": str(claims["jti"]), "family": family}).first()
            if row is None or row[0] or not row[2]:  # unknown, revoked, or its principal disabled
                raise Unauthenticated("token.revoked", "JWT token has been revoked")
            expires_at, principal = row[1], PrincipalView(*row[3:])
            if expires_at <= state.now:
                raise Unauthenticated("token.expired", "JWT token has expired")
            privileges = self._access.privileges(conn, principal.id, family)
            if not privileges:
                raise Unauthenticated("token.revoked", "JWT token has been revoked")
            caller = Caller(principal, family, privileges)
            self._checked.put((token, family), state.stamp, _Checked(caller, expires_at))
            return caller

    def _mint(
        self,
        s: Session,
        principal: PrincipalView,
        family: str,
        profile: JwtProfile,
        scopes: list[str],
        parent: str,
        now: float,
    ) -> str:
        jti = str(uuid.uuid4())
        expires = now + self._policies.read(s).access_token_ttl
        s.add(
            Token(
                id=jti,
                kind=ACCESS,
                family=family,
                principal_id=principal.id,
                parent_id=parent,
                issued_at=now,
                expires_at=expires,
                revoked=False,
            )
        )
        claims = {
            "jti": jti,
            "iat": int(now),
            "sub": principal.upn,
            "iss": profile.issuer,
            "aud": profile.audience,
            "nbf": int(now),
            "exp": int(expires),
            "user": principal.upn,
            "name": principal.upn,
            "scope": scopes,
        }
        return jwt.encode(claims, self._signing_key(s), algorithm="HS256", headers={"typ": None})
