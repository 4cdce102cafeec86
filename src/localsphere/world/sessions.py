"""API sessions: opaque random ids that live while they are used.

A session is a row of the tokens table (kind ``session``) keyed by the digest of its id; its
``expires_at`` slides forward on use, at most once a minute so that busy sessions cost few writes.
Checks are remembered under the access stamp, like token checks.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select, update

from localsphere.settings import Policy
from localsphere.world import stamp
from localsphere.world.access import OPS, ROOTS, Access, Caller
from localsphere.world.auth import digest
from localsphere.world.errors import Unauthenticated
from localsphere.world.identity import PRINCIPAL_COLUMNS, PrincipalView
from localsphere.world.policy import Policies
from localsphere.world.schema import Principal, Token
from localsphere.world.stamp import Remembered
from localsphere.world.state import WorldState
from localsphere.world.store import Store
from localsphere.world.tokens import KEEP_EXPIRED

SESSION, FIXED = "session", "fixed"  # a session that slides on use; one that ends at a fixed time
TOUCH_EVERY = 60.0  # at most this long between two slides of a session's expiry
SWEEP_EVERY = 60.0  # seconds between two sweeps of long-expired tokens by one process's sign-ins
_OPEN = insert(Token)
_SWEEP = delete(Token).where(Token.expires_at < bindparam("before"))

_SESSION = (
    select(
        Token.kind,
        Token.issued_at,
        Token.expires_at,
        Token.revoked,
        Token.tenant,
        Principal.enabled,
        *PRINCIPAL_COLUMNS,
    )
    .join(Principal, Principal.id == Token.principal_id)
    .where(
        Token.id == bindparam("key"), Token.kind.in_((SESSION, FIXED)), Token.family == bindparam("family")
    )
)


@dataclass(frozen=True)
class Opened:
    session_id: str
    expires_at: float  # unless it is used again before then


@dataclass(frozen=True)
class SessionInfo:
    caller: Caller
    created_at: float
    last_used_at: float
    expires_at: float
    fixed: bool
    tenant: str | None = None  # the tenant it was opened in (vRA)


class Sessions:
    def __init__(self, store: Store, state: WorldState, access: Access, policies: Policies) -> None:
        self._store = store
        self._state = state
        self._access = access
        self._policies = policies
        self._checked: Remembered[SessionInfo] = Remembered()
        self._swept_at = -SWEEP_EVERY  # time.monotonic() of this process's last sweep

    @staticmethod
    def _idle(policy: Policy, family: str) -> float:
        return float(policy.ops_token_ttl if family == OPS else policy.session_idle_timeout)

    def idle_timeout(self, family: str) -> float:
        """Seconds a session of ``family`` lives unused, under the policy in force (a scenario's
        setting, else the server's)."""
        state = self._state.reading()
        policy = self._policies.known(state.stamp)
        if policy is None:
            with self._store.query() as conn:
                policy = self._policies.current(conn, state.stamp)
        return self._idle(policy, family)

    def open(
        self,
        principal: PrincipalView,
        family: str,
        lifetime: float | None = None,
        tenant: str | None = None,
        make_id: Callable[[float], str] | None = None,
    ) -> Opened:
        """A new session; its id looks like the product's (Operations: ``<uuid>::<uuid>``; else
        what ``make_id`` makes of the world time, which must hold enough randomness). With a
        ``lifetime`` it ends then, however much it is used; otherwise it lives while it is used.
        ``tenant``: the tenant it is opened in."""
        state = self._state.reading()
        now = state.now
        if make_id is not None:
            session_id = make_id(now)
        else:
            session_id = f"{uuid.uuid4()}::{uuid.uuid4()}" if family == OPS else secrets.token_hex(16)
        sweep = time.monotonic() - self._swept_at > SWEEP_EVERY
        with self._store.write_core() as conn:
            idle = self._idle(self._policies.current(conn, state.stamp), family)
            ends = now + (idle if lifetime is None else lifetime)
            if sweep:
                conn.execute(_SWEEP, {"before": now - KEEP_EXPIRED})
            conn.execute(
                _OPEN,
                {
                    "id": digest(session_id),
                    "kind": SESSION if lifetime is None else FIXED,
                    "family": family,
                    "principal_id": principal.id,
                    "tenant": tenant,
                    "issued_at": now,
                    "expires_at": ends,
                    "revoked": False,
                },
            )
        if sweep:
            self._swept_at = time.monotonic()
        return Opened(session_id, ends)

    def check(self, session_id: str, family: str) -> SessionInfo:
        """The live session behind an id, slid forward; Unauthenticated when unknown or idle too long.
        A session checked before under the same access stamp, and slid less than a minute ago,
        costs no database round trip."""
        key = digest(session_id)
        state = self._state.reading()
        known = self._checked.get((key, family), state.stamp)
        policy = self._policies.known(state.stamp)
        if known is not None and policy is not None and state.now < known.expires_at:
            idle = self._idle(policy, family)
            if known.fixed or state.now - known.last_used_at < min(TOUCH_EVERY, idle / 2):
                return known
        with self._store.query() as conn:
            idle = self._idle(self._policies.current(conn, state.stamp), family)
            row = conn.execute(_SESSION, {"key": key, "family": family}).first()
            if row is None or row.revoked or not row.enabled or row.expires_at <= state.now:
                self._checked.forget((key, family))
                raise Unauthenticated("session.invalid", "Authentication required.")
            principal = PrincipalView(*row[6:])
            grants = self._access.permissions_of(conn, principal.id, family)
            fixed, expires = row.kind == FIXED, row.expires_at
        if not fixed:
            expires = state.now + idle
            with self._store.write() as s:
                s.execute(update(Token).where(Token.id == key).values(expires_at=expires))
        caller = Caller(principal, family, grants.on([ROOTS[family]]), grants)
        info = SessionInfo(caller, row.issued_at, state.now, expires, fixed, row.tenant)
        self._checked.put((key, family), state.stamp, info)
        return info

    def close(self, session_id: str, family: str) -> None:
        key = digest(session_id)
        with self._store.write() as s:
            done = s.execute(
                update(Token)
                .where(
                    Token.id == key,
                    Token.kind.in_((SESSION, FIXED)),
                    Token.family == family,
                    Token.revoked.is_(False),
                )
                .values(revoked=True)
            )
            if done.rowcount == 0:
                raise Unauthenticated("session.invalid", "Authentication required.")
            stamp.bump(s)
        self._checked.forget((key, family))
