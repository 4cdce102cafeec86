"""The world: state and rules shared by every face. No HTTP and no wire formats in here."""

from __future__ import annotations

import time

from sqlalchemy import select

from localsphere.settings import Settings
from localsphere.world.access import ROOTS, Access, Caller, Permissions, require
from localsphere.world.api_tokens import ApiTokens
from localsphere.world.auth import Auth
from localsphere.world.authz_records import PrivilegeChecks, VtMappings
from localsphere.world.clock import Clock
from localsphere.world.identity import Identity
from localsphere.world.inventory import Inventory
from localsphere.world.metrics import Metrics
from localsphere.world.roles import Roles
from localsphere.world.schema import Domain
from localsphere.world.seed import seed
from localsphere.world.sessions import Sessions
from localsphere.world.store import Store
from localsphere.world.tokens import Tokens


class World:
    """One process's handle on the shared world: the store and the services over it."""

    def __init__(self, settings: Settings) -> None:
        self.store = Store(settings.database_url)
        self.clock = Clock(self.store)
        self.auth = Auth(self.store, self.clock, settings.policy)
        self.access = Access(self.store, self.clock)
        self.identity = Identity(self.store)
        self.tokens = Tokens(self.store, self.clock, self.access, settings.policy)
        self.sessions = Sessions(self.store, self.clock, self.access, settings.policy)
        self.roles = Roles(self.store, self.clock)
        self.permissions = Permissions(self.store, self.clock)
        self.vt_mappings = VtMappings(self.store, self.clock)
        self.api_tokens = ApiTokens(self.store, self.clock)
        self.privilege_checks = PrivilegeChecks(self.store, self.clock)
        self.inventory = Inventory(self.store, self.clock)
        self.metrics = Metrics(self.store, self.clock)
        self._demo_password = settings.demo_password
        self._inventory = settings.inventory

    def prepare(self) -> bool:
        """Migrate the schema and seed an empty world; True when it seeded."""
        self.store.migrate()
        with self.store.write() as s:
            if s.scalars(select(Domain.name).limit(1)).first() is not None:
                return False
            seed(s, time.time(), self.auth.hash_password, self._demo_password, self._inventory)
            return True

    def reset(self) -> None:
        """Return to the seeded world: every object, identity, token and the clock."""
        with self.store.write() as s:
            seed(s, time.time(), self.auth.hash_password, self._demo_password, self._inventory)

    def authorize(
        self, caller: Caller, session: str | None, privilege: str, scope: str | None, op_id: str | None = None
    ) -> None:
        """Check ``privilege`` on the object ``scope`` (None: the family's root) and record the check,
        as vCenter keeps them for least-privilege analysis."""
        target = scope if scope is not None else ROOTS[caller.family]
        self.privilege_checks.record(
            session, caller.principal.name, caller.principal.domain, target, privilege, op_id
        )
        if scope is None:
            require(caller, privilege)
        else:
            self.inventory.require(caller, privilege, scope)

    @property
    def kind(self) -> str:
        return self.store.kind

    def close(self) -> None:
        self.store.dispose()
