"""The policy in force: the server's settings, overridden by what the loaded scenario sets.

The overrides live on the world-state row (``settings``), so every worker applies the same ones;
a worker re-reads them only when the access stamp changes, which loading a scenario, a reset and a
restore all do.
"""

from __future__ import annotations

import dataclasses
import json

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.settings import Policy
from localsphere.world.clock import read_state
from localsphere.world.schema import WorldState

POLICY_FIELDS = frozenset(f.name for f in dataclasses.fields(Policy))


def overrides(db: Session | Connection) -> dict[str, int]:
    """What the loaded scenario sets, by setting name."""
    text = db.scalar(select(WorldState.settings).where(WorldState.id == 1))
    return json.loads(text) if text else {}


class Policies:
    def __init__(self, base: Policy) -> None:
        self.base = base
        self._cached: tuple[int, Policy] | None = None

    def current(self, db: Session | Connection, stamp: int) -> Policy:
        """The policy in force, read in the caller's transaction under the access stamp it read."""
        cached = self._cached
        if cached is not None and cached[0] == stamp:
            return cached[1]
        chosen = {k: v for k, v in overrides(db).items() if k in POLICY_FIELDS}
        policy = dataclasses.replace(self.base, **chosen)
        self._cached = (stamp, policy)
        return policy

    def known(self, stamp: int) -> Policy | None:
        """The policy in force under ``stamp`` if this process has read it already, else None."""
        cached = self._cached
        return cached[1] if cached is not None and cached[0] == stamp else None

    def read(self, db: Session | Connection) -> Policy:
        """The policy in force, for a caller that has not read the access stamp yet."""
        return self.current(db, read_state(db).stamp)
