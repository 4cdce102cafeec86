"""The live sessions of a product family, for the products that list and end them by a public key
(vSphere's ``SessionManager.sessionList``, ``TerminateSession``, ``SessionIsActive``). A session's
key is derived from the digest its row is stored under (``key_of``), never from its secret id, so
listing keys gives nothing away."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from localsphere.world import stamp
from localsphere.world.identity import PRINCIPAL_COLUMNS, PrincipalView
from localsphere.world.schema import Principal, Token
from localsphere.world.sessions import FIXED, SESSION
from localsphere.world.state import WorldState
from localsphere.world.store import Store

MOST = 10_000  # the most sessions listed
KEY_DIGITS = 32  # hex digits of the digest a key is made of


def key_of(digest: str) -> str:
    """A session's public key, from the digest of its id: a UUID's shape, as vCenter writes keys."""
    d = digest[:KEY_DIGITS]
    return f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:32]}"


def _prefix(key: str) -> str | None:
    """The digest prefix a key stands for, or None when it is not a key's shape."""
    digits = key.replace("-", "").lower()
    if len(digits) != KEY_DIGITS or any(c not in "0123456789abcdef" for c in digits):
        return None
    return digits


@dataclass(frozen=True)
class LiveSession:
    key: str
    principal: PrincipalView
    issued_at: float
    expires_at: float


class LiveSessions:
    def __init__(self, store: Store, state: WorldState) -> None:
        self._store = store
        self._state = state

    def _live(self, family: str, prefix: str | None) -> list[LiveSession]:
        now = self._state.reading().now
        query = (
            select(Token.id, Token.issued_at, Token.expires_at, *PRINCIPAL_COLUMNS)
            .join(Principal, Principal.id == Token.principal_id)
            .where(
                Token.family == family,
                Token.kind.in_((SESSION, FIXED)),
                Token.revoked.is_(False),
                Token.expires_at > now,
                Principal.enabled.is_(True),
            )
        )
        if prefix is not None:
            query = query.where(Token.id.startswith(prefix, autoescape=True))
        with self._store.query() as conn:
            rows = conn.execute(query.order_by(Token.issued_at, Token.id).limit(MOST)).all()
        return [LiveSession(key_of(r[0]), PrincipalView(*r[3:]), r[1], r[2]) for r in rows]

    def list(self, family: str) -> list[LiveSession]:
        """The family's sessions that are live now, oldest first (at most ``MOST``)."""
        return self._live(family, None)

    def find(self, family: str, key: str) -> LiveSession | None:
        """The live session with ``key``, if any."""
        prefix = _prefix(key)
        found = self._live(family, prefix) if prefix is not None else []
        return found[0] if found else None

    def end(self, family: str, keys: list[str]) -> int:
        """End the live sessions with these keys; returns how many were ended."""
        prefixes = [p for p in map(_prefix, keys) if p is not None]
        if not prefixes:
            return 0
        ended = 0
        with self._store.write() as s:
            for prefix in prefixes:
                done = s.execute(
                    update(Token)
                    .where(
                        Token.family == family,
                        Token.kind.in_((SESSION, FIXED)),
                        Token.revoked.is_(False),
                        Token.id.startswith(prefix, autoescape=True),
                    )
                    .values(revoked=True)
                )
                ended += done.rowcount
            if ended:
                stamp.bump(s)
        return ended
