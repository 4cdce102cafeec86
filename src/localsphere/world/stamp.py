"""The access stamp: a random number on the world-state row that changes, in the same transaction,
whenever something a token check depends on changes: a revocation, a grant, a deleted principal,
a reset. Workers cache token checks under the stamp they read, so the next request on any worker
after such a change checks afresh. Random rather than counted, so a reset can never bring an old
value back."""

from __future__ import annotations

import secrets
from typing import Generic, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

from localsphere.world.schema import WorldState
from localsphere.world.store import STATE, changed

T = TypeVar("T")


def new_stamp() -> int:
    return secrets.randbits(62)


def bump(session: Session) -> None:
    session.execute(update(WorldState).where(WorldState.id == 1).values(access_stamp=new_stamp()))
    changed(session, STATE)


class Remembered(Generic[T]):
    """Results of credential checks, each valid only under the access stamp it was made at."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._items: dict[object, tuple[int, T]] = {}

    def get(self, key: object, stamp: int) -> T | None:
        item = self._items.get(key)
        return item[1] if item is not None and item[0] == stamp else None

    def put(self, key: object, stamp: int, value: T) -> None:
        if len(self._items) >= self._limit:
            self._items.clear()
        self._items[key] = (stamp, value)

    def forget(self, key: object) -> None:
        self._items.pop(key, None)
