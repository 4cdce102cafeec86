"""Time the control plane on a large world: loading a scenario at start and through the API, saving
and restoring a snapshot of it, and resetting to it; and the server's peak memory meanwhile.

    .venv/bin/python bench/control.py                                   # bench/lab-100k.yaml, SQLite
    .venv/bin/python bench/control.py --db postgresql+psycopg://root@127.0.0.1:5432/bench_x

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import httpx
from serving import serving

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=HERE / "lab-100k.yaml")
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary directory)")
    args = parser.parse_args()

    with serving("--scenario", str(args.scenario), db=args.db) as served:
        print(f"serve --scenario {args.scenario.name}: answering after {served.started_in:.1f} s")
        base, data = f"http://127.0.0.1:{served.http}", served.data
        token = (data / "admin-token").read_text().strip()
        control = httpx.Client(base_url=f"{base}/_localsphere", timeout=600)
        control.headers["Authorization"] = f"Bearer {token}"

        def timed(label: str, method: str, path: str, **kwargs: object) -> httpx.Response:
            start = time.perf_counter()
            response = control.request(method, path, **kwargs)
            response.raise_for_status()
            print(f"{label:<28} {time.perf_counter() - start:6.2f} s")
            return response

        body = args.scenario.read_bytes()
        loaded = timed("POST /scenario", "POST", "/scenario", content=body)
        print(f"{'':<28} {loaded.json()['objects']} inventory objects")
        saved = timed("POST /snapshots", "POST", "/snapshots", json={"name": "bench"})
        print(f"{'':<28} {saved.json()['rows']} rows, {saved.json()['size'] / 1e6:.1f} MB compressed")
        timed("POST /snapshots/bench/restore", "POST", "/snapshots/bench/restore")
        timed("POST /reset", "POST", "/reset")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"server peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
