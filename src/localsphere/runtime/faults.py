"""Injecting the world's fault rules into requests, in each face's own words.

Each worker keeps a copy of the rules, re-read when the shared generation says they changed (a
change by this server, or one another server made that PostgreSQL told of: ``world.changes``) or
when the copy is ``max_age`` seconds old (for changes nobody announced). With
no rules, a request costs one comparison. A rule that matches a request is counted in the store
before it fires, so ``nth`` and ``count`` hold server-wide.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import call
from localsphere.runtime.hooks import FaceHooks
from localsphere.world import World
from localsphere.world.faults import FaultView
from localsphere.world.store import FAULTS

FAULT = "localsphere.fault"


class FaultInjector:
    def __init__(self, world: World, max_age: float) -> None:
        self.world = world
        self.generation = world.store.generations[FAULTS]
        self.max_age = max_age
        self.rules: list[FaultView] = []
        self._seen_generation = -1
        self._loaded_at = 0.0
        self._random = random.SystemRandom()

    def stale(self) -> bool:
        """Whether the copy of the rules must be read again before use (cheap: no await)."""
        return (
            self.generation.value != self._seen_generation
            or time.monotonic() - self._loaded_at > self.max_age
        )

    async def firing(
        self, scope: Scope, hooks: FaceHooks, body: Callable[[], Awaitable[bytes]]
    ) -> FaultView | None:
        """The rule whose fault this request gets, if any (the first that fires); ``body`` reads
        the request's body ahead, for a rule naming a principal whose credential is in it."""
        if self.stale():
            self._seen_generation, self._loaded_at = self.generation.value, time.monotonic()
            self.rules = await call(self.world.faults.list)
        rules = self.rules
        who: str | None = None
        for view in rules:
            rule = view.rule
            if not rule.matches(hooks.name, scope["method"], scope["path"]):
                continue
            if rule.principal is not None:
                if who is None:
                    data = await body() if hooks.in_body(scope) else b""
                    who = (await call(hooks.who, scope, data) or "").lower()
                if who != rule.principal:
                    continue
            if await call(self.world.faults.trigger, view.id, self._random.random()):
                scope[FAULT] = view.id
                return view
        return None

    @staticmethod
    async def inject(
        view: FaultView,
        hooks: FaceHooks,
        scope: Scope,
        abort: Callable[[], None],
        body: Callable[[], Awaitable[bytes]],
    ) -> Response | None:
        """Carry out a fault: wait its delay, then give the error response to send, or drop the
        connection (None), or for a plain delay give None and let the request go on."""
        rule = view.rule
        if rule.delay_seconds:
            await asyncio.sleep(rule.delay_seconds)
        if rule.action == "error":
            assert rule.status is not None
            return hooks.render(scope, rule.status, await body() if hooks.in_body(scope) else b"")
        if rule.action == "drop":
            abort()
        return None
