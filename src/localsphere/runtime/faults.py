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
from collections.abc import Awaitable, Callable

from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import call
from localsphere.runtime.hooks import FaceHooks
from localsphere.world import World
from localsphere.world.copies import Copies
from localsphere.world.faults import FaultView
from localsphere.world.store import FAULTS

FAULT = "localsphere.fault"


class FaultInjector:
    def __init__(self, world: World, max_age: float) -> None:
        self.world = world
        self._rules: Copies[None, list[FaultView]] = Copies(world.store.generations[FAULTS], max_age, limit=1)
        self._random = random.SystemRandom()

    def known(self) -> list[FaultView] | None:
        """The rules while the copy is current (cheap: no await); None when they must be read."""
        self._rules.tag()
        return self._rules.get(None)

    async def firing(
        self, scope: Scope, hooks: FaceHooks, body: Callable[[], Awaitable[bytes]]
    ) -> FaultView | None:
        """The rule whose fault this request gets, if any (the first that fires); ``body`` reads
        the request's body ahead, for a rule naming a principal whose credential is in it."""
        tag = self._rules.tag()
        rules = self._rules.get(None)
        if rules is None:
            rules = await call(self.world.faults.list)
            self._rules.put(tag, None, rules)
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
