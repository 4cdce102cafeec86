"""Two things vSphere's SessionManager keeps besides sessions: clone tickets (``AcquireCloneTicket``
gives one, ``CloneSession`` trades it, once and within ``TICKET_SECONDS``, for a new session of
the same user) and the service message every session shows (``UpdateServiceMessage``).

A ticket is a row of the tokens table (kind ``clone-ticket``) keyed by the digest of its secret,
so the table never holds a usable ticket; the message is the ``vim.message`` row of the settings
table, so every worker shows the same one."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select

from localsphere.world.access import VCENTER
from localsphere.world.auth import digest
from localsphere.world.errors import Invalid, Unauthenticated
from localsphere.world.identity import PrincipalView
from localsphere.world.schema import Principal, SystemSetting, Token
from localsphere.world.state import WorldState
from localsphere.world.store import STATE, Store, changed

TICKET = "clone-ticket"
TICKET_SECONDS = 60.0  # how long a clone ticket may wait to be used
TICKET_PREFIX = "cst-VCT-"  # how vCenter's clone tickets begin
MESSAGE = "vim.message"
MESSAGE_LENGTH = 4096  # the most characters of a service message kept


class SessionExtras:
    def __init__(self, store: Store, state: WorldState) -> None:
        self._store = store
        self._state = state

    def clone_ticket(self, principal: PrincipalView) -> str:
        """A new one-time ticket for ``principal``'s vCenter sessions."""
        ticket = TICKET_PREFIX + secrets.token_hex(20)
        now = self._state.reading().now
        with self._store.write() as s:
            s.add(
                Token(
                    id=digest(ticket),
                    kind=TICKET,
                    family=VCENTER,
                    principal_id=principal.id,
                    issued_at=now,
                    expires_at=now + TICKET_SECONDS,
                    revoked=False,
                )
            )
        return ticket

    def redeem(self, ticket: str) -> PrincipalView:
        """The user a ticket was given to; the ticket is used up. Unauthenticated for a ticket
        unknown, used or expired."""
        now = self._state.reading().now
        with self._store.write() as s:
            row = s.get(Token, digest(ticket))
            if row is None or row.kind != TICKET or row.expires_at <= now:
                raise Unauthenticated("ticket.invalid", "The clone ticket is not valid.")
            principal = s.scalars(select(Principal).where(Principal.id == row.principal_id)).one()
            s.execute(delete(Token).where(Token.id == row.id))
            return PrincipalView.of(principal)

    def message(self) -> str:
        """The service message (empty: none)."""
        with self._store.query() as conn:
            return conn.scalar(select(SystemSetting.value).where(SystemSetting.section == MESSAGE)) or ""

    def set_message(self, text: str) -> None:
        """Keep ``text`` (empty: no message); Invalid past ``MESSAGE_LENGTH`` characters."""
        if len(text) > MESSAGE_LENGTH:
            raise Invalid("message.length", f"message must be at most {MESSAGE_LENGTH} characters", "message")
        with self._store.write() as s:
            row = s.get(SystemSetting, MESSAGE)
            if row is None:
                s.add(SystemSetting(section=MESSAGE, value=text))
            else:
                row.value = text
            changed(s, STATE)
