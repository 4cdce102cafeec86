"""A `localsphere serve` for the benchmark scripts: free loopback ports, a throw-away data directory,
started, awaited until it answers, then stopped and removed."""

from __future__ import annotations

import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Served:
    data: Path
    https: int
    http: int
    started_in: float  # seconds from start until it answered


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(*flags: str, db: str | None = None) -> Iterator[Served]:
    data = Path(tempfile.mkdtemp(prefix="localsphere-bench-"))
    https, http = free_port(), free_port()
    command = [sys.executable, "-m", "localsphere", "serve", "--data-dir", str(data)]
    command += ["--https-port", str(https), "--http-port", str(http), "--vcd-port", "0", *flags]
    if db:
        command += ["--db", db]
    start = time.perf_counter()
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{http}/_localsphere/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
            if server.poll() is not None:
                raise SystemExit("the server exited")
        yield Served(data, https, http, time.perf_counter() - start)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
        shutil.rmtree(data, ignore_errors=True)


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)
