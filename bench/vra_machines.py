"""Time vRA provisioning at scale: a consumer of the demo business group submits many machine
requests of the Amazon blueprint "Linux on Amazon" (no approval, no network profile), the world
clock is advanced until every one is SUCCESSFUL, then the consumer's resource list is read: the
first page, a later page, and a page filtered by name.

Before that, the Amazon reservation of Demo Group is given room through the vRA reservation
service (its machine quota of 10 set to none, by GET and PUT of the reservation).

    .venv/bin/python bench/vra_machines.py                      # 1,000 machines on SQLite
    .venv/bin/python bench/vra_machines.py --machines 200 --clients 4
    .venv/bin/python bench/vra_machines.py --db postgresql+psycopg://root@127.0.0.1:5432/bench_x --workers 2

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from serving import serving, timed

CATALOG = "/catalog-service/api"
RESERVATIONS = "/reservation-service/api/reservations"
ITEM = "Linux on Amazon"
PROVISION_SECONDS = 60


def sign_in(c: httpx.Client, username: str) -> dict[str, str]:
    body = {"username": username, "password": "VMware1!", "tenant": "vsphere.local"}
    r = c.post("/identity/api/tokens", json=body)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['id']}", "Accept": "application/json"}


def unlimited_amazon_reservation(c: httpx.Client, admin: dict[str, str]) -> None:
    found = c.get(RESERVATIONS, headers=admin, params={"limit": 100}).json()["content"]
    (amazon,) = [r for r in found if r["name"] == "Demo Amazon Reservation"]
    for entry in amazon["extensionData"]["entries"]:
        if entry["key"] == "machineQuota":
            entry["value"]["value"] = 0  # no quota
    r = c.put(f"{RESERVATIONS}/{amazon['id']}", headers=admin, json=amazon)
    assert r.status_code == 204, r.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machines", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=1, help="concurrent submitting clients")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    control = secrets.token_urlsafe(24)

    with serving("--workers", str(args.workers), "--admin-token", control, db=args.db) as served:
        base = f"http://127.0.0.1:{served.http}"
        with httpx.Client(base_url=base, timeout=60) as c:
            admin, user = sign_in(c, "administrator"), sign_in(c, "USER_1")
            unlimited_amazon_reservation(c, admin)
            items = c.get(f"{CATALOG}/consumer/entitledCatalogItems", headers=user).json()["content"]
            item = next(e["catalogItem"]["id"] for e in items if e["catalogItem"]["name"] == ITEM)
            at = f"{CATALOG}/consumer/entitledCatalogItems/{item}/requests"
            template = c.get(f"{at}/template", headers=user).json()

        # One connection per submitting client: a client made per request would time httpx's
        # own set-up (its TLS context) rather than the server.
        local = threading.local()
        clients: list[httpx.Client] = []

        def submit(_n: int) -> float:
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=base, timeout=60)
                clients.append(local.client)
            start = time.perf_counter()
            made = local.client.post(at, headers=user, json=template)
            assert made.status_code == 201, made.text
            return time.perf_counter() - start

        start = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            each = sorted(pool.map(submit, range(args.machines)))
        submitted = time.perf_counter() - start
        for client in clients:
            client.close()
        with httpx.Client(base_url=base, timeout=60) as c:
            clock = c.post(
                "/_localsphere/clock",
                json={"advance_seconds": PROVISION_SECONDS},
                headers={"Authorization": f"Bearer {control}"},
            )
            assert clock.status_code == 200, clock.text
            done = c.get(
                f"{CATALOG}/consumer/requests",
                headers=user,
                params={"$filter": "state eq 'SUCCESSFUL'", "limit": 1},
            ).json()["metadata"]["totalElements"]
            total = time.perf_counter() - start
            print(
                f"{args.machines} machine requests ({args.clients} clients, {args.workers} workers): "
                f"submitted in {submitted:.1f} s ({args.machines / submitted:.0f}/s, "
                f"p50 {each[len(each) // 2] * 1000:.1f} ms, "
                f"p99 {each[int(len(each) * 0.99)] * 1000:.1f} ms); "
                f"{done} SUCCESSFUL after the clock moved {PROVISION_SECONDS} s; total {total:.1f} s"
            )
            assert done == args.machines, done
            last = max(1, args.machines // 20)
            for label, params in (
                ("resource list, first page of 20", {"limit": 20}),
                (f"resource list, page {last} of 20", {"limit": 20, "page": last}),
                (
                    "resource list, filtered by name",
                    {"$filter": f"name eq 'ec2-{min(500, args.machines):03d}'"},
                ),
            ):

                def call(params: dict[str, object] = params) -> None:
                    answer = c.get(f"{CATALOG}/consumer/resources", headers=user, params=params)
                    assert answer.status_code == 200, answer.text
                    assert answer.json()["metadata"]["totalElements"] in (1, args.machines)

                median, worst = timed(call, args.repeat)
                print(f"{label}: median {median * 1000:.1f} ms, worst {worst * 1000:.1f} ms")


if __name__ == "__main__":
    main()
