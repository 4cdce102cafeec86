"""Running the server: prepare the data directory and the world once, then serve HTTPS and HTTP
from one or more worker processes that share the listening sockets."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import secrets
import signal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from localsphere.app import Apps, build_app, build_starting_app
from localsphere.runtime.lifecycle import Lifecycle
from localsphere.runtime.limits import InFlightCounters
from localsphere.runtime.listener import Listener
from localsphere.runtime.request_log import RequestLog
from localsphere.runtime.shared import Shared
from localsphere.settings import Settings
from localsphere.tls import ensure_certificate
from localsphere.world import Progress, World
from localsphere.world.changes import Changes
from localsphere.world.plan import Scenario

ADMIN_TOKEN_FILE = "admin-token"


class Sockets(NamedTuple):
    """The listening sockets: HTTPS and HTTP for every face, and vCloud Director's own HTTPS
    listener (``--vcd-port``; None: off), where every path is vCD's."""

    https: socket.socket
    http: socket.socket
    vcd: socket.socket | None = None


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` found or made, for the banner and the workers."""

    admin_token: str
    admin_token_file: Path | None
    cert_file: Path
    key_file: Path
    seeded: bool
    database: str
    limits: tuple[int, int]  # Operations' in-flight limits: the settings', or the scenario's


def ensure_admin_token(settings: Settings) -> tuple[str, Path | None]:
    """The control API's credential: the one given in settings, else the one kept in the data
    directory, made on first start."""
    if settings.admin_token:
        return settings.admin_token, None
    path = settings.data_dir / ADMIN_TOKEN_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip(), path


def prepare(
    settings: Settings,
    sockets: Sockets,
    scenario: Scenario | None = None,
    progress: Progress | None = None,
) -> Prepared:
    """Make the data directory, the control credential and the certificate; then migrate and seed
    the world, or load ``scenario`` into it, answering 503 on the listeners meanwhile (a large
    world takes a while)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    token, token_file = ensure_admin_token(settings)
    if settings.cert_file and settings.key_file:
        cert, key = settings.cert_file, settings.key_file
    else:
        cert, key = ensure_certificate(settings.data_dir, settings.host)
    with _answering(build_starting_app(), settings, cert, key, sockets):
        world = World(settings)
        try:
            seeded = world.prepare(scenario, progress)
            kind, limits = world.kind, world.limits()
        finally:
            world.close()
    return Prepared(token, token_file, cert, key, seeded, kind, limits)


@contextlib.contextmanager
def _answering(apps: Apps, settings: Settings, cert: Path, key: Path, sockets: Sockets) -> Iterator[None]:
    """Serve ``apps`` on the listening sockets from a thread while the block runs; the sockets
    stay open for the workers."""
    listeners = _listeners(apps, settings, cert, key, sockets)
    ready = threading.Event()
    loop = asyncio.new_event_loop()

    async def main() -> None:
        ready.set()
        await _serve_all(listeners)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), name="starting", daemon=True)
    thread.start()
    try:
        yield
    finally:
        ready.wait(10)
        for listener in listeners:
            loop.call_soon_threadsafe(listener.stop)
        thread.join(10)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run_worker(settings: Settings, prepared: Prepared, sockets: Sockets, shared: Shared) -> None:
    """One worker: its own world handle and apps, answering on every listener until told to stop;
    ``shared``: what the server's workers share in memory, with this worker's view of the
    in-flight counts."""
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    world = World(settings, shared.generations)
    lifecycle = Lifecycle()
    listeners = _listeners(
        build_app(world, settings, prepared.admin_token, lifecycle, shared),
        settings,
        prepared.cert_file,
        prepared.key_file,
        sockets,
    )

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def drain() -> None:
            lifecycle.draining = True
            loop.call_later(settings.drain_seconds, lambda: [listener.stop() for listener in listeners])

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, drain)
        await _serve_all(listeners)

    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
    finally:
        world.close()


def _listeners(apps: Apps, settings: Settings, cert: Path, key: Path, sockets: Sockets) -> list[Listener]:
    """The shared app on the HTTPS and the HTTP listening socket, vCD's on its own (HTTPS)."""
    listeners = [
        Listener(apps.shared, sockets.https, (cert, key), settings.log_level),
        Listener(apps.shared, sockets.http, None, settings.log_level),
    ]
    if sockets.vcd is not None:
        listeners.append(Listener(apps.vcd, sockets.vcd, (cert, key), settings.log_level))
    return listeners


async def _serve_all(listeners: list[Listener]) -> None:
    await asyncio.gather(*(listener.serve() for listener in listeners))


def serve(settings: Settings, prepared: Prepared, sockets: Sockets) -> None:
    """Serve until SIGINT/SIGTERM: in this process for one worker, else from supervised children."""
    shared = Shared.make(
        InFlightCounters(*prepared.limits, workers=settings.workers), RequestLog(settings.request_log_size)
    )
    # Other servers on the same PostgreSQL tell of their changes through it.
    changes = (
        Changes(settings.database_url, lambda topic: shared.generations[topic].bump()).start()
        if prepared.database == "postgresql"
        else None
    )
    try:
        if settings.workers <= 1:
            run_worker(settings, prepared, sockets, shared)
        else:
            _supervise(settings, prepared, sockets, shared)
    finally:
        if changes is not None:
            changes.close()
        shared.close()


def _supervise(settings: Settings, prepared: Prepared, sockets: Sockets, shared: Shared) -> None:
    """Run the workers as children, replacing any that dies; a replacement starts with its
    predecessor's in-flight requests forgotten."""
    context = multiprocessing.get_context("spawn")
    stopping = False

    def spawn(index: int) -> multiprocessing.process.BaseProcess:
        proc = context.Process(
            target=run_worker,
            args=(settings, prepared, sockets, shared._replace(in_flight=shared.in_flight.worker(index))),
            daemon=True,
        )
        proc.start()
        return proc

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    children = [spawn(i) for i in range(settings.workers)]
    while not stopping:
        time.sleep(0.2)
        for index, child in enumerate(children):
            if not child.is_alive() and not stopping:
                child.join()
                shared.in_flight.reclaim(index)
                children[index] = spawn(index)
    for child in children:
        child.terminate()
    for child in children:
        child.join(10)
