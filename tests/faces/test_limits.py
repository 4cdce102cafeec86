"""In-flight limits: the shared counters (in one process, across spawned processes, after a worker
dies) and the middleware that answers the face's own 429 once a limit is reached."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from localsphere.runtime.limits import InFlightCounters, InFlightLimit

CLIENT = "127.0.0.1"  # httpx.ASGITransport's default client address


@pytest.fixture
def make_counters() -> Iterator[Any]:
    made: list[InFlightCounters] = []

    def make(max_total: int, max_per_address: int, **kwargs: int) -> InFlightCounters:
        made.append(InFlightCounters(max_total, max_per_address, **kwargs))
        return made[-1]

    yield make
    for counters in made:
        counters.close()


def other_slot(counters: InFlightCounters, address: str) -> str:
    """An address counted apart from ``address``."""
    return next(
        f"10.0.0.{i}" for i in range(1, 255) if counters.slot(f"10.0.0.{i}") != counters.slot(address)
    )


# --- counters in one process -------------------------------------------------------------------


def test_per_address_limit(make_counters: Any) -> None:
    counters = make_counters(max_total=10, max_per_address=2)
    assert counters.try_enter(CLIENT)
    assert counters.try_enter(CLIENT)
    assert not counters.try_enter(CLIENT)
    assert counters.in_flight(CLIENT) == 2
    assert counters.in_flight() == 2


def test_global_limit(make_counters: Any) -> None:
    counters = make_counters(max_total=3, max_per_address=10)
    addresses = [CLIENT, other_slot(counters, CLIENT), "192.0.2.7", "2001:db8::1"]
    assert [counters.try_enter(a) for a in addresses] == [True, True, True, False]
    assert counters.in_flight() == 3
    assert counters.in_flight(addresses[3]) == 0  # a refused request leaves no count behind


def test_leave_frees_capacity(make_counters: Any) -> None:
    counters = make_counters(max_total=1, max_per_address=1)
    assert counters.try_enter(CLIENT)
    assert not counters.try_enter(CLIENT)
    counters.leave(CLIENT)
    assert counters.in_flight() == 0
    assert counters.try_enter(CLIENT)


def test_leave_never_goes_below_zero(make_counters: Any) -> None:
    counters = make_counters(max_total=5, max_per_address=1)
    counters.leave(CLIENT)
    counters.leave(CLIENT)
    assert counters.in_flight() == counters.in_flight(CLIENT) == 0
    assert counters.try_enter(CLIENT)
    assert not counters.try_enter(CLIENT)  # the extra leaves earned no credit


def test_addresses_in_different_slots_are_independent(make_counters: Any) -> None:
    counters = make_counters(max_total=10, max_per_address=1)
    other = other_slot(counters, CLIENT)
    assert counters.try_enter(CLIENT)
    assert not counters.try_enter(CLIENT)
    assert counters.try_enter(other)
    assert not counters.try_enter(other)


def test_colliding_addresses_share_one_limit(make_counters: Any) -> None:
    counters = make_counters(max_total=10, max_per_address=2, slots=1)
    assert counters.try_enter("192.0.2.1")
    assert counters.try_enter("192.0.2.2")
    assert not counters.try_enter("192.0.2.3")  # stricter, never looser


def test_slots_are_keyed_per_server(make_counters: Any) -> None:
    one, two = make_counters(10, 10), make_counters(10, 10)
    addresses = [f"192.0.2.{i}" for i in range(32)]
    assert [one.slot(a) for a in addresses] != [two.slot(a) for a in addresses]


def test_worker_views_share_the_limits_and_reclaim_frees_a_dead_workers_counts(make_counters: Any) -> None:
    counters = make_counters(max_total=10, max_per_address=3, workers=3)
    one, two = counters.worker(1), counters.worker(2)
    assert counters.try_enter(CLIENT)
    assert one.try_enter(CLIENT)
    assert two.try_enter(CLIENT)
    assert not counters.try_enter(CLIENT)
    assert not one.try_enter(CLIENT)
    counters.reclaim(1)
    assert counters.in_flight(CLIENT) == 2
    assert two.try_enter(CLIENT)
    assert not two.try_enter(CLIENT)


def test_worker_indexes_and_limits_are_checked(make_counters: Any) -> None:
    counters = make_counters(max_total=1, max_per_address=1, workers=2)
    with pytest.raises(ValueError):
        counters.worker(2)
    with pytest.raises(ValueError):
        counters.reclaim(-1)
    with pytest.raises(ValueError):
        InFlightCounters(0, 1)


def test_a_pickled_view_opens_the_same_table(make_counters: Any) -> None:
    counters = make_counters(max_total=2, max_per_address=2, workers=2)
    view = pickle.loads(pickle.dumps(counters.worker(1)))
    try:
        assert view.column == 1
        assert view.slot(CLIENT) == counters.slot(CLIENT)
        assert view.try_enter(CLIENT)
        assert counters.try_enter(CLIENT)
        assert not view.try_enter(CLIENT)
    finally:
        view.close()


def test_close_removes_the_table_file() -> None:
    counters = InFlightCounters(1, 1)
    path = Path(counters._shape.path)
    assert path.exists()
    counters.close()
    assert not path.exists()


# --- counters across processes -----------------------------------------------------------------


def enter_many(counters: InFlightCounters, address: str, times: int, start: Any, results: Any) -> None:
    """In a spawned worker: try to enter ``times`` times, never leaving, and report the outcomes."""
    start.wait()
    results.put([counters.try_enter(address) for _ in range(times)])


def enter_and_die(counters: InFlightCounters, address: str, times: int) -> None:
    """In a spawned worker: enter and exit at once, as a crash would, without leaving."""
    for _ in range(times):
        counters.try_enter(address)
    os._exit(0)


@pytest.fixture
def spawn(monkeypatch: pytest.MonkeyPatch) -> multiprocessing.context.SpawnContext:
    # Spawned children import this module by its package name, which needs the project root.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))
    return multiprocessing.get_context("spawn")


@pytest.mark.parametrize(("max_total", "max_per_address"), [(5, 100), (100, 5)], ids=["total", "per-address"])
def test_limits_hold_across_spawned_processes(
    make_counters: Any, spawn: multiprocessing.context.SpawnContext, max_total: int, max_per_address: int
) -> None:
    workers = 3
    counters = make_counters(max_total, max_per_address, workers=workers)
    start, results = spawn.Barrier(workers), spawn.Queue()
    procs = [
        spawn.Process(target=enter_many, args=(counters.worker(i), CLIENT, 4, start, results))
        for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    assert sum(map(sum, outcomes)) == 5
    assert counters.in_flight() == counters.in_flight(CLIENT) == 5


def test_reclaim_frees_what_a_dead_worker_held(
    make_counters: Any, spawn: multiprocessing.context.SpawnContext
) -> None:
    counters = make_counters(max_total=100, max_per_address=4, workers=2)
    proc = spawn.Process(target=enter_and_die, args=(counters.worker(1), CLIENT, 3))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    assert counters.in_flight(CLIENT) == 3
    assert counters.try_enter(CLIENT)
    assert not counters.try_enter(CLIENT)
    counters.reclaim(1)
    assert counters.in_flight(CLIENT) == 1
    assert counters.try_enter(CLIENT)


# --- the middleware ----------------------------------------------------------------------------


async def too_many(scope: Scope) -> Response:
    return JSONResponse({"message": f"Too many requests: {scope['path']}"}, status_code=429)


class Held:
    """A tiny app whose /hold requests stay in flight until released."""

    def __init__(self, to_hold: int) -> None:
        self.to_hold = to_hold
        self.held = 0
        self.all_held = asyncio.Event()
        self.release = asyncio.Event()
        self.streaming = asyncio.Event()

    async def hold(self, request: Request) -> Response:
        self.held += 1
        if self.held == self.to_hold:
            self.all_held.set()
        await self.release.wait()
        return PlainTextResponse("done")

    async def stream(self, request: Request) -> Response:
        async def body() -> AsyncIterator[bytes]:
            yield b"first "
            self.streaming.set()
            await self.release.wait()
            yield b"last"

        return StreamingResponse(body())

    async def boom(self, request: Request) -> Response:
        raise RuntimeError("boom")

    def app(self, counters: InFlightCounters) -> InFlightLimit:
        routes = [
            Route("/", lambda request: PlainTextResponse("ok")),
            Route("/hold", self.hold),
            Route("/stream", self.stream),
            Route("/boom", self.boom),
        ]
        return InFlightLimit(Starlette(routes=routes), counters, too_many)


def client(app: InFlightLimit, address: str = CLIENT) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 123)), base_url="http://t"
    )


@pytest.mark.anyio
async def test_middleware_answers_429_beyond_the_per_address_limit(make_counters: Any) -> None:
    counters = make_counters(max_total=10, max_per_address=2)
    held = Held(to_hold=2)
    app = held.app(counters)
    async with client(app) as c, client(app, other_slot(counters, CLIENT)) as elsewhere:
        holding = [asyncio.create_task(c.get("/hold")) for _ in range(2)]
        await held.all_held.wait()
        refused = await c.get("/", headers={"X-Forwarded-For": "192.0.2.99"})
        assert refused.status_code == 429
        assert refused.json() == {"message": "Too many requests: /"}
        assert (await elsewhere.get("/")).status_code == 200
        held.release.set()
        assert [(await t).text for t in holding] == ["done", "done"]
        assert counters.in_flight() == 0
        assert (await c.get("/")).text == "ok"


@pytest.mark.anyio
async def test_middleware_counts_a_response_until_it_has_streamed(make_counters: Any) -> None:
    counters = make_counters(max_total=1, max_per_address=1)
    held = Held(to_hold=1)
    async with client(held.app(counters)) as c:
        streaming = asyncio.create_task(c.get("/stream"))
        await held.streaming.wait()
        assert counters.in_flight() == 1
        assert (await c.get("/")).status_code == 429
        held.release.set()
        assert (await streaming).text == "first last"
    assert counters.in_flight() == 0


@pytest.mark.anyio
async def test_middleware_leaves_when_the_app_fails(make_counters: Any) -> None:
    counters = make_counters(max_total=1, max_per_address=1)
    async with client(Held(to_hold=1).app(counters)) as c:
        with pytest.raises(RuntimeError, match="boom"):
            await c.get("/boom")
        assert counters.in_flight() == 0
        assert (await c.get("/")).status_code == 200


@pytest.mark.anyio
async def test_middleware_lets_other_scopes_through(make_counters: Any) -> None:
    counters = make_counters(max_total=1, max_per_address=1)
    assert counters.try_enter(CLIENT)  # full: an HTTP request would be refused
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def nothing() -> dict[str, Any]:
        return {}

    async def ignore(message: dict[str, Any]) -> None:
        return None

    limited = InFlightLimit(app, counters, too_many)
    await limited({"type": "lifespan"}, nothing, ignore)
    await limited({"type": "websocket", "client": (CLIENT, 1)}, nothing, ignore)
    assert seen == ["lifespan", "websocket"]
    assert counters.in_flight() == 1
