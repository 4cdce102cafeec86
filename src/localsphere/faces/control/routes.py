"""The emulator's own API, ``/_localsphere``: health, reset, the world clock, API tokens for the
cloud sign-in flow, and the catalogue of routes.

Everything but health needs ``Authorization: Bearer <admin credential>``.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from localsphere import __version__
from localsphere.faces.http import BodyError, bearer, call, iso_timestamp, json_response, read_json
from localsphere.world import World
from localsphere.world.access import OPS
from localsphere.world.api_tokens import ApiTokenView
from localsphere.world.clock import ClockReading
from localsphere.world.errors import Invalid, NotFound

log = logging.getLogger("localsphere.control")


class ControlError(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def _clock(reading: ClockReading) -> dict[str, Any]:
    return {"now": iso_timestamp(reading.now), "epoch": reading.now, "frozen": reading.frozen}


class ControlFace:
    def __init__(self, world: World, admin_token: str, max_body: int) -> None:
        self.world = world
        self.admin_token = admin_token.encode()
        self.max_body = max_body
        self.started = time.monotonic()

    def admin(self, request: Request) -> None:
        given = bearer(request)
        if given is None or not hmac.compare_digest(given.encode(), self.admin_token):
            raise ControlError(
                401, "unauthorized", "A valid admin credential is required (Authorization: Bearer)"
            )

    async def health(self, _request: Request) -> Response:
        return json_response(
            {
                "status": "ok",
                "version": __version__,
                "database": self.world.kind,
                "uptime": round(time.monotonic() - self.started, 3),
                "worker": os.getpid(),
            }
        )

    async def reset(self, request: Request) -> Response:
        self.admin(request)
        await call(self.world.reset)
        return json_response({"status": "reset"})

    async def get_clock(self, request: Request) -> Response:
        self.admin(request)
        return json_response(_clock(await call(self.world.clock.reading)))

    # API tokens of the cloud sign-in flow (VCF Operations), made for a given user.

    async def list_api_tokens(self, request: Request) -> Response:
        self.admin(request)
        return json_response([_api_token(t) for t in await call(self.world.api_tokens.list, OPS)])

    async def create_api_token(self, request: Request) -> Response:
        self.admin(request)
        body = await read_json(request, self.max_body)
        if not isinstance(body, dict) or not isinstance(body.get("username"), str):
            raise ControlError(400, "invalid", 'Send {"username": "<user>"}')
        try:
            secret, view = await call(self.world.api_tokens.create, body["username"], OPS)
        except Invalid as exc:
            raise ControlError(400, "invalid", exc.message) from None
        return json_response({**_api_token(view), "token": secret}, 201)

    async def revoke_api_token(self, request: Request) -> Response:
        self.admin(request)
        try:
            await call(self.world.api_tokens.revoke, request.path_params["id"], OPS)
        except NotFound as exc:
            raise ControlError(404, "not_found", exc.message) from None
        return Response(status_code=204)

    async def set_clock(self, request: Request) -> Response:
        self.admin(request)
        body = await read_json(request, self.max_body)
        clock = self.world.clock
        if not isinstance(body, dict) or len(body) != 1:
            raise ControlError(
                400, "invalid", 'Send one of {"freeze": true}, {"advance_seconds": N}, {"real": true}'
            )
        if body.get("freeze") is True:
            reading = await call(clock.freeze)
        elif body.get("real") is True:
            reading = await call(clock.real)
        elif "advance_seconds" in body:
            seconds = body["advance_seconds"]
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
                raise ControlError(400, "invalid", "advance_seconds must be a non-negative number")
            reading = await call(clock.advance, float(seconds))
        else:
            raise ControlError(
                400, "invalid", 'Send one of {"freeze": true}, {"advance_seconds": N}, {"real": true}'
            )
        return json_response(_clock(reading))


def _api_token(view: ApiTokenView) -> dict[str, Any]:
    return {
        "id": view.id,
        "username": view.principal.upn,
        "created": iso_timestamp(view.created_at),
        "expires": iso_timestamp(view.expires_at),
        "revoked": view.revoked,
    }


async def _on_control_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ControlError)
    return json_response({"error": exc.error, "message": exc.message}, exc.status)


async def _on_body_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyError)
    return json_response({"error": exc.kind, "message": exc.detail}, 413 if exc.kind == "too_large" else 400)


async def _on_http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return json_response(
        {"error": "http", "message": str(exc.detail)}, exc.status_code, dict(exc.headers or {})
    )


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return json_response({"error": "internal", "message": "Internal server error"}, 500)


def build(
    world: World, admin_token: str, max_body: int, catalogue: Callable[[], dict[str, Any]]
) -> Starlette:
    """``catalogue``: every operation the server answers (the whole app's, so given by the wiring)."""
    face = ControlFace(world, admin_token, max_body)

    async def routes_listing(request: Request) -> Response:
        face.admin(request)
        return json_response(catalogue())

    routes = [
        Route("/health", face.health, methods=["GET"]),
        Route("/reset", face.reset, methods=["POST"]),
        Route("/clock", face.get_clock, methods=["GET"]),
        Route("/clock", face.set_clock, methods=["POST"]),
        Route("/api-tokens", face.list_api_tokens, methods=["GET"]),
        Route("/api-tokens", face.create_api_token, methods=["POST"]),
        Route("/api-tokens/{id}", face.revoke_api_token, methods=["DELETE"]),
        Route("/routes", routes_listing, methods=["GET"]),
    ]
    handlers = {
        ControlError: _on_control_error,
        BodyError: _on_body_error,
        HTTPException: _on_http_error,
        Exception: _on_unexpected,
    }
    return Starlette(routes=routes, exception_handlers=handlers)
