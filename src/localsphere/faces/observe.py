"""The control plane's hands on every request of a product face: it logs each one and injects the
faults that match. The control API itself is neither logged nor ever faulted.

Log entries collect in the worker and go to the store in batches half a second apart (or when
the log is read through this worker), so a request pays for an append to a list, not a write.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localsphere.faces.faults import FAULT, FaceHooks, FaultInjector
from localsphere.faces.http import PRINCIPAL
from localsphere.world.request_log import Entry, RequestLog

log = logging.getLogger("localsphere.observe")
FLUSH_EVERY = 0.5
MAX_PENDING = 10_000  # a store too slow to keep up loses the oldest entries, never memory
SECRET_WORDS = ("token", "password", "secret", "key", "session", "signature", "code", "auth")
REDACTED = "REDACTED"


def redacted_target(scope: Scope) -> str:
    """The path and query, with the values of query parameters that may hold secrets replaced."""
    path = scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    if not query:
        return path
    pairs = [
        (k, REDACTED if any(w in k.lower() for w in SECRET_WORDS) else v)
        for k, v in parse_qsl(query, keep_blank_values=True)
    ]
    return f"{path}?{urlencode(pairs)}"


class LogBuffer:
    """A worker's entries on their way to the store, written by a background thread."""

    def __init__(self, request_log: RequestLog) -> None:
        self.request_log = request_log
        self._pending: collections.deque[Entry] = collections.deque(maxlen=MAX_PENDING)
        self._lock = threading.Lock()  # one flush at a time keeps the log in order
        self._thread: threading.Thread | None = None

    def add(self, entry: Entry) -> None:
        self._pending.append(entry)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="request-log", daemon=True)
            self._thread.start()

    def flush(self) -> None:
        with self._lock:
            batch = [self._pending.popleft() for _ in range(len(self._pending))]
            try:
                self.request_log.append(batch)
            except Exception:  # the log must never take the server down; say so and go on
                log.exception("could not write %d request log entries", len(batch))

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_EVERY)
            if self._pending:
                self.flush()


class Observe:
    """ASGI middleware over the whole app; ``faces`` maps a path prefix to its face's hooks."""

    def __init__(
        self, app: ASGIApp, faces: dict[str, FaceHooks], injector: FaultInjector, buffer: LogBuffer
    ) -> None:
        self.app = app
        self.faces = sorted(faces.items(), key=lambda item: -len(item[0]))
        self.injector = injector
        self.buffer = buffer

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
            view = await injector.firing(scope, hooks) if injector.rules or injector.stale() else None
            response = None
            if view is not None:
                response = await self.injector.inject(view, hooks, scope, lambda: _abort(send))
                if view.rule.action == "drop":
                    await asyncio.sleep(0)  # let the server see the connection gone
                    return
            if response is not None:
                await response(scope, receive, watched)
            else:
                await self.app(scope, receive, watched)
        finally:
            self.buffer.add(
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
