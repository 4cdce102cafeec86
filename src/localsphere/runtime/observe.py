"""The control plane's hands on every request of a product face: it logs each one (in the shared
ring of ``request_log.py``) and injects the faults that match. The control API itself is neither
logged nor ever faulted."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable

from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localsphere.faces.http import PRINCIPAL
from localsphere.faces.routing import log_departure, log_internal
from localsphere.runtime.faults import FAULT, FaultInjector
from localsphere.runtime.hooks import SERVER, FaceHooks, FaceOwners
from localsphere.runtime.listener import drop_connection
from localsphere.runtime.request_log import Entry, RequestLog

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


_CLOSE = (b"connection", b"close")


def _has_body(scope: Scope) -> bool:
    """Whether the request sends a body: a non-zero ``Content-Length`` or a chunked one."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return value.strip() not in (b"0", b"")
        if name == b"transfer-encoding":
            return True
    return False


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
    """ASGI middleware over the whole app: ``owners`` says which face a path belongs to;
    ``max_body``: the most of a body read ahead (for a rule naming a principal, or the id a
    JSON-RPC error answer repeats). It is also the last resort for a failure nothing under it
    caught: the owning face's 500 (one log line, the connection closed), never a traceback."""

    def __init__(
        self,
        app: ASGIApp,
        owners: FaceOwners,
        injector: FaultInjector,
        log: RequestLog,
        max_body: int,
    ) -> None:
        self.app = app
        self.owners = owners
        self.injector = injector
        self.log = log
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hooks = self.owners.of(scope)
        server = (b"server", hooks.server if hooks is not None else SERVER)
        started = time.monotonic()
        status = 0
        done = False
        unread = _has_body(scope)  # a body the app has not read to its end
        incoming = receive

        async def reading() -> Message:
            nonlocal unread
            message = await incoming()
            if message["type"] != "http.request" or not message.get("more_body", False):
                unread = False
            return message

        async def watched(message: Message) -> None:
            nonlocal status, done
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), server]
                if unread and all(name.lower() != b"connection" for name, _ in headers):
                    headers.append(_CLOSE)  # the server drops a connection answered mid-body: say so
                message["headers"] = headers
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                done = True
            await send(message)

        if unread:
            receive = reading
        try:
            if hooks is None:
                await self.app(scope, receive, watched)
            else:
                await self._observed(scope, receive, watched, hooks, lambda: drop_connection(scope))
        except ClientDisconnect:
            log_departure(scope)
        except Exception as exc:
            request = Request(scope, receive)
            if status == 0:
                response = self.owners.answer_for(scope)(request, exc)
                response.headers["Connection"] = "close"
                await response(scope, receive, watched)
            else:  # too late for an answer of its own: say it once, and end an unfinished one
                log_internal(request, exc)
                if not done:
                    drop_connection(scope)
        finally:
            if hooks is not None:
                self.log.append(
                    Entry(
                        at=time.time(),
                        face=hooks.name,
                        method=scope["method"],
                        path=hooks.conceal(redacted_target(scope)),
                        principal=scope.get(PRINCIPAL),
                        status=status,
                        duration_ms=round((time.monotonic() - started) * 1000, 3),
                        fault=scope.get(FAULT),
                    )
                )

    async def _observed(
        self, scope: Scope, receive: Receive, send: Send, hooks: FaceHooks, abort: Callable[[], None]
    ) -> None:
        """A face's request: the fault a rule gives it, if any, else the app's answer; ``abort``
        closes the connection without one."""
        injector = self.injector
        view = None
        if injector.known() != []:  # rules, or rules to read
            ahead = _ReadAhead(receive, self.max_body)
            receive = ahead.receive
            view = await injector.firing(scope, hooks, ahead.body)
        response = None
        if view is not None:
            response = await injector.inject(view, hooks, scope, abort, ahead.body)
            if view.rule.action == "drop":
                await asyncio.sleep(0)  # let the server see the connection gone
                return
        if response is not None:
            await response(scope, receive, send)
        else:
            await self.app(scope, receive, send)
