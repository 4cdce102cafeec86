"""A face's route table. Each operation is declared once with its method, path, handler and the
privilege it needs; the table wraps every operation not declared anonymous in the face's
credential check, which runs before the handler reads the body, validates the query or looks
anything up, so no handler can forget it or run ahead of it. A handler gets the checked caller as
its second argument: there is no other way to get one.

Every failure leaves in the face's own words: the table hands any exception a handler raises to
the face's ``Answer``, and a method the path does not serve is a 405 whose ``Allow`` header lists
every method the path does serve (one route per path, plus what other routes serve there).
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from localsphere.faces.http import InputError, check_query
from localsphere.world.errors import WorldError

log = logging.getLogger("localsphere")
_PACKAGE = str(Path(__file__).resolve().parents[1]) + "/"  # the localsphere package
C = TypeVar("C")
Handler = Callable[[Request], Awaitable[Response]]
Guarded = Callable[[Request, C], Awaitable[Response]]
Answer = Callable[[Request, Exception], Response]
Internal = Callable[[Request, str], Response]
Gate = Callable[[ASGIApp], ASGIApp]


class RouteMiss(Exception):
    """No operation at the path (404), or none for the method (405; the route adds ``Allow``)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


def request_id() -> str:
    """A short id that names one failed request in the server's log and in its answer (six
    capitals and digits, the shape of SDDC Manager's ``referenceToken``)."""
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6))


def log_internal(request: Request, exc: BaseException) -> str:
    """One log line for an unexpected failure, with a fresh request id and where it happened: the
    innermost line of ours, and of a library's below it (never a traceback per request, never the
    exception's text, which may quote a secret)."""
    rid = request_id()
    ours = theirs = "?"
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        theirs = f"{code.co_filename}:{tb.tb_lineno}"
        if code.co_filename.startswith(_PACKAGE):
            ours = f"{code.co_filename[len(_PACKAGE) :]}:{tb.tb_lineno}"
        tb = tb.tb_next
    below = "" if theirs.startswith(_PACKAGE) else f" (below: {theirs})"
    log.error(
        "internal error %s on %s %s: %s at %s%s",
        rid,
        request.method,
        request.url.path,
        type(exc).__name__,
        ours,
        below,
    )
    return rid


def log_departure(scope: Scope) -> None:
    """One info line for a client gone before its answer: nobody to answer, nothing went wrong."""
    log.info("client left before its answer: %s %s", scope["method"], scope["path"])


def answers(handlers: Mapping[type[Exception], Answer], internal: Internal) -> Answer:
    """A face's ``Answer``: the handler of the exception's nearest class in ``handlers``; any other
    exception is an internal error, logged once (``log_internal``) and answered by ``internal``
    (the face's 500 naming the request id)."""

    def answer(request: Request, exc: Exception) -> Response:
        for cls in type(exc).__mro__:
            handler = handlers.get(cls)
            if handler is not None:
                return handler(request, exc)
        return internal(request, log_internal(request, exc))

    return answer


def status_answers(
    respond: Callable[[Request, int, str], Response],
    not_allowed: str,
    not_found: str,
    internal: str,
    world_status: Mapping[type[WorldError], int],
) -> tuple[dict[type[Exception], Answer], Internal]:
    """The answers of a face whose every error is ``respond(request, status, message)``: to a
    world error (the status of its nearest kind in ``world_status``, else 400, in its message),
    to bad input (413 when too large, else 400, in the input's own words), to a path or method
    it does not serve (405 ``not_allowed``, 404 ``not_found``), and its 500 (``internal``, which
    may name the request id as ``{rid}``). For ``answers``, beside the face's own handlers."""

    def on_world_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WorldError)
        status = next((code for kind, code in world_status.items() if isinstance(exc, kind)), 400)
        return respond(request, status, exc.message)

    def on_input_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, InputError)
        return respond(request, 413 if exc.kind == "too_large" else 400, exc.detail)

    def on_route_miss(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RouteMiss)
        return respond(request, exc.status, not_allowed if exc.status == 405 else not_found)

    def on_internal(request: Request, rid: str) -> Response:
        return respond(request, 500, internal.format(rid=rid))

    handlers = {WorldError: on_world_error, InputError: on_input_error, RouteMiss: on_route_miss}
    return handlers, on_internal


class FaceRoute(Route):
    """One path of a face with a handler per method. For the route catalogue: ``anonymous``, the
    methods that need no credential in the headers (sign-in, or a credential in the body), and
    ``actions``, where a method's handler serves several operations told apart by ``?action=``
    (vAPI REST), their names. ``gate`` wraps the route in what admits its requests (Operations'
    in-flight limits and draining) before anything else is done. ``when``: the route takes only
    the requests it says are its own (where two faces own one path: vCenter's and vCD's
    ``/api/session``); the others go on to the next route."""

    def __init__(
        self,
        path: str,
        handlers: Mapping[str, Handler],
        answer: Answer,
        anonymous: frozenset[str] = frozenset(),
        actions: Mapping[str, Sequence[str | None]] | None = None,
        gate: Gate | None = None,
        when: Callable[[Scope], bool] | None = None,
    ) -> None:
        super().__init__(path, self.dispatch, methods=list(handlers))
        self.when = when
        self.handlers = dict(handlers)
        self.answer = answer
        self.anonymous = anonymous
        self.actions = dict(actions or {})  # method -> the ``?action=`` of each operation (None: none)
        self.allow = ", ".join(sorted(self.methods or ()))
        self._asgi = gate(self._serve) if gate is not None else self._serve

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.when is not None and scope["type"] == "http" and not self.when(scope):
            return Match.NONE, {}
        return super().matches(scope)

    def also_allow(self, methods: Iterable[str]) -> None:
        """Methods another route serves at this very path (``/users/ui`` is also ``/users/{id}``)."""
        self.allow = ", ".join(sorted({*self.allow.split(", "), *methods}))

    async def dispatch(self, request: Request) -> Response:
        """The answer of the method's handler, or of the face to whatever it raised; a 5xx closes
        the connection. A client gone mid-request raises ClientDisconnect: nobody to answer."""
        handler = self.handlers.get(request.method)
        if handler is None and request.method == "HEAD":
            handler = self.handlers.get("GET")
        try:
            if handler is None:
                raise RouteMiss(405)
            if "\x00" in request.scope["path"]:
                raise RouteMiss(404)  # no object is named with a NUL character
            return await handler(request)
        except ClientDisconnect:
            raise
        except Exception as exc:
            response = self.answer(request, exc)
            if isinstance(exc, RouteMiss) and exc.status == 405:
                response.headers["Allow"] = self.allow
        if response.status_code >= 500:
            response.headers["Connection"] = "close"
        return response

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._asgi(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self.dispatch(Request(scope, receive, send))
        except ClientDisconnect:
            log_departure(scope)
            return
        await response(scope, receive, send)


def complete_allow(routes: list[FaceRoute]) -> list[FaceRoute]:
    """Give each route's ``Allow`` the methods of the routes that also match its literal path
    (the router sends those methods there)."""
    for route in routes:
        for other in routes:
            if other is not route and "{" not in route.path and other.path_regex.match(route.path):
                route.also_allow(other.methods or ())
    return routes


class Routes(Generic[C]):
    """A face's route table. ``authenticate`` checks a request's credential from its headers and
    returns the caller (or raises what ``answer`` turns into the face's 401; None: the table
    holds anonymous operations only); ``require`` raises when the caller lacks a privilege an
    operation declares."""

    def __init__(
        self,
        answer: Answer,
        authenticate: Callable[[Request], Awaitable[C]] | None = None,
        require: Callable[[C, str], None] | None = None,
    ) -> None:
        self.answer = answer
        self._authenticate = authenticate
        self._require = require
        self._paths: dict[str, dict[str, Handler]] = {}
        self._anonymous: dict[str, set[str]] = {}

    def add(self, method: str, path: str, handler: Guarded[C], privilege: str | None = None) -> None:
        """An operation that needs a valid credential (and ``privilege``, when given)."""
        if privilege is not None and self._require is None:
            raise ValueError("this face's routes declare no privileges")
        authenticate, require = self._authenticate, self._require
        if authenticate is None:
            raise ValueError("this table checks no credential: its operations are anonymous")

        async def guarded(request: Request) -> Response:
            caller = await authenticate(request)
            check_query(request.scope["query_string"])
            if privilege is not None and require is not None:
                require(caller, privilege)
            return await handler(request, caller)

        self._put(method, path, guarded)

    def anonymous(self, method: str, path: str, handler: Handler) -> None:
        """An operation anyone may call: a sign-in, or one that reads its credential from the body."""

        async def bounded(request: Request) -> Response:
            check_query(request.scope["query_string"])
            return await handler(request)

        self._put(method, path, bounded)
        self._anonymous.setdefault(path, set()).add(method)

    def _put(self, method: str, path: str, handler: Handler) -> None:
        handlers = self._paths.setdefault(path, {})
        if method in handlers:
            raise ValueError(f"{method} {path} is declared twice")
        handlers[method] = handler

    def build(
        self,
        prefix: str = "",
        gate: Gate | None = None,
        shared: Mapping[str, Callable[[Scope], bool]] | None = None,
    ) -> list[FaceRoute]:
        """One route per path under ``prefix``, in the order the paths were first declared
        (literal paths before the patterns that would also match them: routes match in order).
        ``shared``: paths another face owns too, each with what tells the requests that are
        this face's (``FaceRoute.when``)."""
        return complete_allow(
            [
                FaceRoute(
                    prefix + path,
                    handlers,
                    self.answer,
                    frozenset(self._anonymous.get(path, ())),
                    gate=gate,
                    when=(shared or {}).get(path),
                )
                for path, handlers in self._paths.items()
            ]
        )


def not_found(answer_for: Callable[[Scope], Answer]) -> ASGIApp:
    """A router's default: the 404, in its words, of the face ``answer_for`` names for the request."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive, send)
            await answer_for(scope)(request, RouteMiss(404))(scope, receive, send)

    return app


class Routing:
    """The server's one route table: every face's routes, flat (no mounted apps, no middleware
    stack in between), each request matched only against the routes whose literal leading
    segments (those before the first ``{parameter}``) its path begins with, in the table's order:
    a handful of the hundreds. A method a path lacks goes to the route that has the path (its 405); a path no
    route has goes to ``default``. No redirect for a trailing slash: it would answer before the
    credential is checked, to a ``Location`` made of the client's own ``Host`` header, and a
    client following it would send its password again."""

    def __init__(self, routes: Sequence[FaceRoute], default: ASGIApp) -> None:
        self.routes = list(routes)
        self.default = default
        self._by_prefix: dict[tuple[str, ...], list[tuple[int, FaceRoute]]] = {}
        for index, route in enumerate(self.routes):
            self._by_prefix.setdefault(_literal_prefix(route.path), []).append((index, route))

    def _candidates(self, path: str) -> list[tuple[int, FaceRoute]]:
        segments = path.split("/")[1:]
        found: list[tuple[int, FaceRoute]] = []
        for length in range(len(segments) + 1):
            found += self._by_prefix.get(tuple(segments[:length]), ())
        found.sort(key=_first)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        partial: tuple[FaceRoute, Scope] | None = None
        for _, route in self._candidates(scope["path"]):
            match, child = route.matches(scope)
            if match is Match.FULL:
                scope.update(child)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial = route, child
        if partial is not None:
            scope.update(partial[1])
            await partial[0].handle(scope, receive, send)
            return
        await self.default(scope, receive, send)


def _literal_prefix(path: str) -> tuple[str, ...]:
    """``/api/vcenter/vm/{vm}/power`` -> ``("api", "vcenter", "vm")``."""
    segments = path.split("/")[1:]
    for length, segment in enumerate(segments):
        if "{" in segment:
            return tuple(segments[:length])
    return tuple(segments)


def _first(item: tuple[int, FaceRoute]) -> int:
    return item[0]
