"""The access stamp: a random number on the world-state row that changes, in the same transaction,
whenever something a token check depends on changes: a revocation, a grant, a deleted principal,
a reset. Workers cache token checks under the stamp they read, so the next request on any worker
after such a change checks afresh. Random rather than counted, so a reset can never bring an old
value back."""

from __future__ import annotations

import secrets

from sqlalchemy import update
from sqlalchemy.orm import Session

from localsphere.world.schema import WorldState


def new_stamp() -> int:
    return secrets.randbits(62)


def bump(session: Session) -> None:
    session.execute(update(WorldState).where(WorldState.id == 1).values(access_stamp=new_stamp()))
