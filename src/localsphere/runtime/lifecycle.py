"""The server's life as clients see it: before the world is ready, and while a worker drains before
it stops, requests are answered 503 in each face's own words instead of being refused or cut."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from localsphere.faces.http import json_response

Reject = Callable[[Scope], Awaitable[Response]]


class Lifecycle:
    """One worker's state; ``draining`` turns on when it is told to stop."""

    def __init__(self) -> None:
        self.draining = False


class WhileServing:
    """ASGI middleware passing requests on only while the worker is not draining."""

    def __init__(self, app: ASGIApp, lifecycle: Lifecycle, reject: Reject) -> None:
        self.app = app
        self.lifecycle = lifecycle
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.lifecycle.draining:
            response = await self.reject(scope)
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def starting_elsewhere(scope: Scope) -> Response:
    """The answer of paths whose face has no 503 body of its own."""
    return json_response(
        {
            "error": "unavailable",
            "message": f"LocalSphere is starting; {Request(scope).url.path} is not ready",
        },
        503,
    )


def starting_app(faces: dict[str, Reject]) -> ASGIApp:
    """What answers while the world is being prepared: 503 from the face owning the path prefix."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        reject = next((r for prefix, r in faces.items() if path.startswith(prefix)), starting_elsewhere)
        response = await reject(scope)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)

    return app
