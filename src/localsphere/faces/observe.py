"""The control plane's hands on every request of a product face: it logs each one (in the shared
ring of ``request_log.py``) and injects the faults that match. The control API itself is neither
logged nor ever faulted."""

from __future__ import annotations

import asyncio
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localsphere.faces.faults import FAULT, FaceHooks, FaultInjector
from localsphere.faces.http import PRINCIPAL
from localsphere.faces.request_log import Entry, RequestLog

_SECRET = re.compile("token|password|secret|key|session|signature|code|auth", re.IGNORECASE)
REDACTED = "REDACTED"


def redacted_target(scope: Scope) -> str:
    """The path and query as sent, with the values of query parameters that may hold secrets
    replaced; a query without such a parameter costs one regular-expression search."""
    path = scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    if not query:
        return path
    if _SECRET.search(query):
        pairs = (part.partition("=") for part in query.split("&"))
        query = "&".join(
            f"{key}={REDACTED}" if _SECRET.search(key) else f"{key}{eq}{value}" for key, eq, value in pairs
        )
    return f"{path}?{query}"


class _ReadAhead:
    """A request's body read before the app runs (at most ``limit`` bytes, for a fault rule), then
    handed to the app as if unread: the messages read come first, then the connection's own."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._limit = limit
        self._held: list[Message] = []
        self._read: bytes | None = None

    async def body(self) -> bytes:
        if self._read is None:
            chunks: list[bytes] = []
            size, more = 0, True
            while more and size <= self._limit:
                message = await self._receive()
                self._held.append(message)
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                more = message.get("more_body", False)
            self._read = b"".join(chunks) if not more else b""  # a body beyond the limit names nobody
        return self._read

    async def receive(self) -> Message:
        return self._held.pop(0) if self._held else await self._receive()


class Observe:
    """ASGI middleware over the whole app; ``faces`` maps a path prefix to its face's hooks;
    ``max_body``: the most of a body read ahead (for a rule naming a principal, or the id a
    JSON-RPC error answer repeats)."""

    def __init__(
        self,
        app: ASGIApp,
        faces: dict[str, FaceHooks],
        injector: FaultInjector,
        log: RequestLog,
        max_body: int,
    ) -> None:
        self.app = app
        self.faces = sorted(faces.items(), key=lambda item: -len(item[0]))
        self.injector = injector
        self.log = log
        self.max_body = max_body

    def _face(self, path: str) -> FaceHooks | None:
        for prefix, hooks in self.faces:
            if path == prefix or path.startswith(prefix + "/"):
                return hooks
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hooks = self._face(scope["path"]) if scope["type"] == "http" else None
        if hooks is None:
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        status = 0

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            injector = self.injector
            view = None
            if injector.rules or injector.stale():
                ahead = _ReadAhead(receive, self.max_body)
                receive = ahead.receive
                view = await injector.firing(scope, hooks, ahead.body)
            response = None
            if view is not None:
                response = await injector.inject(view, hooks, scope, lambda: _abort(send), ahead.body)
                if view.rule.action == "drop":
                    await asyncio.sleep(0)  # let the server see the connection gone
                    return
            if response is not None:
                await response(scope, receive, watched)
            else:
                await self.app(scope, receive, watched)
        finally:
            self.log.append(
                Entry(
                    at=time.time(),
                    face=hooks.name,
                    method=scope["method"],
                    path=redacted_target(scope),
                    principal=scope.get(PRINCIPAL),
                    status=status,
                    duration_ms=round((time.monotonic() - started) * 1000, 3),
                    fault=scope.get(FAULT),
                )
            )


def _abort(send: Send) -> None:
    """Close the request's connection without an answer. The ASGI ``send`` of uvicorn's HTTP
    protocols is a method of the request cycle, which holds the connection's transport."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("this server cannot drop connections")
    transport.abort()
