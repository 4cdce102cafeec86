"""The emulator's own API, ``/_localsphere``: health, scenarios and reset, snapshots, the world
clock, fault rules, the request log, API tokens for the cloud sign-in flow, and the catalogue of
routes.

Everything but health needs ``Authorization: Bearer <admin credential>``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import os
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from localsphere import __version__
from localsphere.faces.http import (
    InputError,
    bearer,
    call,
    iso_timestamp,
    json_response,
    read_body,
    read_json,
    whole_number,
)
from localsphere.faces.routing import FaceRoute, RouteMiss, Routes, answers, log_internal
from localsphere.runtime.request_log import Entry
from localsphere.runtime.shared import Shared
from localsphere.world import Loaded, Progress, World
from localsphere.world.access import OPS
from localsphere.world.api_tokens import ApiTokenView
from localsphere.world.clock import ClockReading
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.faults import FaultView, parse_rule
from localsphere.world.plan import Scenario
from localsphere.world.scenario import MAX_SCENARIO_BYTES, ScenarioError, parse
from localsphere.world.snapshots import SnapshotView

T = TypeVar("T")

PREFIX = "/_localsphere"


class ControlError(Exception):
    def __init__(self, status: int, error: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.line = status, error, message, line


def _clock(reading: ClockReading) -> dict[str, Any]:
    return {"now": iso_timestamp(reading.now), "epoch": reading.now, "frozen": reading.frozen}


class ControlFace:
    def __init__(self, world: World, admin_token: str, max_body: int, shared: Shared) -> None:
        self.world = world
        self.admin_token = admin_token.encode()
        self.max_body = max_body
        self.shared = shared
        self.started = time.monotonic()

    async def admin(self, request: Request) -> None:
        """The control API's credential check: the admin credential, compared in constant time."""
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

    async def reset(self, request: Request, _: None) -> Response:
        await call(self.world.reset)
        await self._apply_limits()
        return json_response({"status": "reset"})

    async def _apply_limits(self) -> None:
        """Make the limits of the world now in place those of every worker."""
        self.shared.in_flight.set_limits(*await call(self.world.limits))

    def _load(self, scenario: Scenario, progress: Progress | None = None) -> Loaded:
        """Load and apply the new world's limits in one go, so a client that leaves while a load
        runs leaves no half-applied world behind."""
        loaded = self.world.load(scenario, progress)
        self.shared.in_flight.set_limits(*self.world.limits())
        return loaded

    # Scenarios

    async def load_scenario(self, request: Request, _: None) -> Response:
        text = (await read_body(request, MAX_SCENARIO_BYTES)).decode("utf-8", "replace")
        try:
            scenario = parse(text)
        except ScenarioError as exc:
            raise ControlError(400, "invalid_scenario", str(exc), exc.line) from None
        if "application/x-ndjson" in request.headers.get("accept", ""):
            return StreamingResponse(
                self._load_streaming(request, scenario), media_type="application/x-ndjson"
            )
        try:
            loaded = await call(self._load, scenario)
        except ScenarioError as exc:
            raise ControlError(400, "invalid_scenario", str(exc), exc.line) from None
        return json_response(_loaded(loaded))

    async def _load_streaming(self, request: Request, scenario: Scenario) -> AsyncIterator[bytes]:
        """Progress lines ``{"vms": made, "total": planned}`` while the load runs, then the result
        (or the error) as the last line."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[int] = asyncio.Queue()
        total = self.world.planned_vms(scenario)
        work = asyncio.ensure_future(
            call(self._load, scenario, lambda made: loop.call_soon_threadsafe(queue.put_nowait, made))
        )
        while not work.done():
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({getter, work}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield orjson.dumps({"vms": getter.result(), "total": total}) + b"\n"
            else:
                getter.cancel()
        while not queue.empty():  # what the last batches said before the load ended
            yield orjson.dumps({"vms": queue.get_nowait(), "total": total}) + b"\n"
        try:
            loaded = work.result()
        except ScenarioError as exc:
            yield orjson.dumps({"error": "invalid_scenario", "message": str(exc), "line": exc.line}) + b"\n"
            return
        except Exception as exc:  # the status went out with the first line: the last line says it
            message = f"Internal server error (request {log_internal(request, exc)})"
            yield orjson.dumps({"error": "internal", "message": message}) + b"\n"
            return
        yield orjson.dumps(_loaded(loaded)) + b"\n"

    # Snapshots

    async def list_snapshots(self, request: Request, _: None) -> Response:
        return json_response([_snapshot(v) for v in await call(self.world.snapshots.list)])

    async def save_snapshot(self, request: Request, _: None) -> Response:
        body = await read_json(request, self.max_body)
        if not isinstance(body, dict) or not isinstance(body.get("name"), str):
            raise ControlError(400, "invalid", 'Send {"name": "<snapshot name>"}')
        return json_response(_snapshot(await self._world(self.world.snapshots.save, body["name"])), 201)

    async def get_snapshot(self, request: Request, _: None) -> Response:
        return json_response(
            _snapshot(await self._world(self.world.snapshots.get, request.path_params["name"]))
        )

    async def restore_snapshot(self, request: Request, _: None) -> Response:
        view = await self._world(self.world.snapshots.restore, request.path_params["name"])
        await self._apply_limits()
        return json_response({"status": "restored", "snapshot": _snapshot(view)})

    async def delete_snapshot(self, request: Request, _: None) -> Response:
        await self._world(self.world.snapshots.delete, request.path_params["name"])
        return Response(status_code=204)

    async def _world(self, fn: Callable[..., T], *args: Any) -> T:
        """A world call whose refusals become control errors."""
        try:
            return await call(fn, *args)
        except NotFound as exc:
            raise ControlError(404, "not_found", exc.message) from None
        except Conflict as exc:
            raise ControlError(409, "conflict", exc.message) from None
        except Invalid as exc:
            raise ControlError(400, "invalid", exc.message) from None

    # Faults

    async def list_faults(self, request: Request, _: None) -> Response:
        return json_response([_fault(v) for v in await call(self.world.faults.list)])

    async def add_fault(self, request: Request, _: None) -> Response:
        body = await read_json(request, self.max_body)
        try:
            rule = parse_rule(body)
        except Invalid as exc:
            raise ControlError(400, "invalid", exc.message) from None
        view = await self._world(self.world.faults.add, rule)
        return json_response(_fault(view), 201)

    async def remove_fault(self, request: Request, _: None) -> Response:
        await self._world(self.world.faults.remove, request.path_params["id"])
        return Response(status_code=204)

    async def clear_faults(self, request: Request, _: None) -> Response:
        await call(self.world.faults.clear)
        return Response(status_code=204)

    # The request log

    async def requests(self, request: Request, _: None) -> Response:
        log = self.shared.request_log
        limit = _count(request.query_params.get("limit"), 100, "limit", log.keep)
        after = _count(request.query_params.get("after"), 0, "after", 2**62, least=0)
        logged = log.recent(limit, after)
        return json_response(
            {
                "requests": [_logged(seq, entry) for seq, entry in logged],
                "last": logged[-1][0] if logged else after,
            }
        )

    async def clear_requests(self, request: Request, _: None) -> Response:
        self.shared.request_log.clear()
        return Response(status_code=204)

    async def get_clock(self, request: Request, _: None) -> Response:
        return json_response(_clock(await call(self.world.clock.reading)))

    # API tokens of the cloud sign-in flow (VCF Operations), made for a given user.

    async def list_api_tokens(self, request: Request, _: None) -> Response:
        return json_response([_api_token(t) for t in await call(self.world.api_tokens.list, OPS)])

    async def create_api_token(self, request: Request, _: None) -> Response:
        body = await read_json(request, self.max_body)
        if not isinstance(body, dict) or not isinstance(body.get("username"), str):
            raise ControlError(400, "invalid", 'Send {"username": "<user>"}')
        secret, view = await self._world(self.world.api_tokens.create, body["username"], OPS)
        return json_response({**_api_token(view), "token": secret}, 201)

    async def revoke_api_token(self, request: Request, _: None) -> Response:
        await self._world(self.world.api_tokens.revoke, request.path_params["id"], OPS)
        return Response(status_code=204)

    async def set_clock(self, request: Request, _: None) -> Response:
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
            reading = await self._world(clock.advance, float(seconds))
        else:
            raise ControlError(
                400, "invalid", 'Send one of {"freeze": true}, {"advance_seconds": N}, {"real": true}'
            )
        return json_response(_clock(reading))


def _loaded(loaded: Loaded) -> dict[str, Any]:
    return {
        "status": "loaded",
        "objects": loaded.objects,
        "vms": loaded.vms,
        "seconds": round(loaded.seconds, 3),
    }


def _snapshot(view: SnapshotView) -> dict[str, Any]:
    return {
        "name": view.name,
        "created": iso_timestamp(view.created_at),
        "rows": view.rows,
        "size": view.size,
        "revision": view.revision,
    }


def _fault(view: FaultView) -> dict[str, Any]:
    return {
        "id": view.id,
        **{k: v for k, v in dataclasses.asdict(view.rule).items() if v is not None},
        "seen": view.seen,
        "fired": view.fired,
        "created": iso_timestamp(view.created_at),
    }


def _logged(seq: int, entry: Entry) -> dict[str, Any]:
    return {
        "seq": seq,
        "time": iso_timestamp(entry.at),
        "face": entry.face,
        "method": entry.method,
        "path": entry.path,
        "principal": entry.principal,
        "status": entry.status,
        "duration_ms": entry.duration_ms,
        "fault": entry.fault,
    }


def _count(text: str | None, default: int, name: str, most: int, least: int = 1) -> int:
    if text is None:
        return default
    value = whole_number(text)
    if value is None or not least <= value <= most:
        raise ControlError(400, "invalid", f"{name} must be a whole number from {least} to {most}")
    return value


def _api_token(view: ApiTokenView) -> dict[str, Any]:
    return {
        "id": view.id,
        "username": view.principal.upn,
        "created": iso_timestamp(view.created_at),
        "expires": iso_timestamp(view.expires_at),
        "revoked": view.revoked,
    }


def _on_control_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ControlError)
    body: dict[str, Any] = {"error": exc.error, "message": exc.message}
    if exc.line is not None:
        body["line"] = exc.line
    return json_response(body, exc.status)


def _on_input_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    return json_response({"error": exc.kind, "message": exc.detail}, 413 if exc.kind == "too_large" else 400)


def _on_route_miss(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RouteMiss)
    if exc.status == 405:
        return json_response(
            {"error": "method_not_allowed", "message": f"{request.method} is not allowed here"}, 405
        )
    return json_response({"error": "not_found", "message": "No such path"}, 404)


def _internal(_request: Request, rid: str) -> Response:
    return json_response({"error": "internal", "message": f"Internal server error (request {rid})"}, 500)


answer = answers(
    {ControlError: _on_control_error, InputError: _on_input_error, RouteMiss: _on_route_miss}, _internal
)


def build(
    world: World,
    admin_token: str,
    max_body: int,
    catalogue: Callable[[], dict[str, Any]],
    shared: Shared,
) -> list[FaceRoute]:
    """``catalogue``: every operation the server answers (the whole app's, so given by the wiring)."""
    face = ControlFace(world, admin_token, max_body, shared)

    async def routes_listing(_request: Request, _: None) -> Response:
        return json_response(catalogue())

    table: Routes[None] = Routes(answer, face.admin)
    table.anonymous("GET", "/health", face.health)
    table.add("POST", "/reset", face.reset)
    table.add("POST", "/scenario", face.load_scenario)
    table.add("GET", "/snapshots", face.list_snapshots)
    table.add("POST", "/snapshots", face.save_snapshot)
    table.add("GET", "/snapshots/{name}", face.get_snapshot)
    table.add("DELETE", "/snapshots/{name}", face.delete_snapshot)
    table.add("POST", "/snapshots/{name}/restore", face.restore_snapshot)
    table.add("GET", "/faults", face.list_faults)
    table.add("POST", "/faults", face.add_fault)
    table.add("DELETE", "/faults", face.clear_faults)
    table.add("DELETE", "/faults/{id}", face.remove_fault)
    table.add("GET", "/requests", face.requests)
    table.add("DELETE", "/requests", face.clear_requests)
    table.add("GET", "/clock", face.get_clock)
    table.add("POST", "/clock", face.set_clock)
    table.add("GET", "/api-tokens", face.list_api_tokens)
    table.add("POST", "/api-tokens", face.create_api_token)
    table.add("DELETE", "/api-tokens/{id}", face.revoke_api_token)
    table.add("GET", "/routes", routes_listing)
    return table.build(PREFIX)
