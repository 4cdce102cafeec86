"""Time vCloud Director at scale: instantiate many vApps in one org through the API (one
``instantiateVAppTemplate`` each, from the demo template ``photon-5``), then read a ``type=vm``
query page of 128 records, the org's task list and a page of its task records.

    .venv/bin/python bench/vcd_vapps.py                   # 1,000 vApps on SQLite
    .venv/bin/python bench/vcd_vapps.py --vapps 200 --clients 4
    .venv/bin/python bench/vcd_vapps.py --db postgresql+psycopg://root@127.0.0.1:5432/bench_x --workers 2

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from serving import serving, timed

V15 = "{http://www.vmware.com/vcloud/v1.5}"
ACCEPT = {"Accept": "application/*+xml;version=36.0"}
INSTANTIATE = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vapps", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=1, help="concurrent instantiating clients")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    from lxml import etree

    with serving("--workers", str(args.workers), db=args.db) as served:
        base = f"http://127.0.0.1:{served.http}"
        with httpx.Client(base_url=base, timeout=60) as c:
            r = c.post("/api/sessions", auth=("alice@demo-org", "VMware1!"), headers=ACCEPT)
            headers = {**ACCEPT, "x-vcloud-authorization": r.headers["x-vcloud-authorization"]}
            vdcs = etree.fromstring(c.get("/api/query", params={"type": "orgVdc"}, headers=headers).content)
            vdc = vdcs.find(f"{V15}OrgVdcRecord").get("href")
            templates = etree.fromstring(
                c.get(
                    "/api/query", params={"type": "vAppTemplate", "filter": "name==photon-5"}, headers=headers
                ).content
            )
            template = templates.find(f"{V15}VAppTemplateRecord").get("href")

        def instantiate(n: int) -> float:
            body = (
                '<InstantiateVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" '
                f'name="bench-{n:05d}" deploy="false" powerOn="false"><InstantiationParams/>'
                f'<Source href="{template}"/></InstantiateVAppTemplateParams>'
            )
            with httpx.Client(base_url=base, timeout=60) as one:
                start = time.perf_counter()
                made = one.post(
                    f"{vdc}/action/instantiateVAppTemplate",
                    content=body,
                    headers={**headers, "Content-Type": INSTANTIATE},
                )
                assert made.status_code == 201, made.text
                return time.perf_counter() - start

        start = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            each = sorted(pool.map(instantiate, range(args.vapps)))
        total = time.perf_counter() - start
        print(
            f"instantiate {args.vapps} vApps ({args.clients} clients, {args.workers} workers): "
            f"{total:.1f} s, "
            f"{args.vapps / total:.0f}/s, p50 {each[len(each) // 2] * 1000:.1f} ms, "
            f"p99 {each[int(len(each) * 0.99)] * 1000:.1f} ms"
        )
        with httpx.Client(base_url=base, timeout=60) as c:
            org = etree.fromstring(c.get("/api/org/", headers=headers).content).find(f"{V15}Org").get("href")
            org_id = org.rsplit("/", 1)[-1]
            for label, path, params in (
                ("vm query, page of 128", "/api/query", {"type": "vm", "pageSize": "128"}),
                (
                    "vm query, page 8 of 128, by name",
                    "/api/query",
                    {"type": "vm", "pageSize": "128", "page": "8", "sortAsc": "name"},
                ),
                (
                    "vApp query, filter name==bench-009*",
                    "/api/query",
                    {"type": "vApp", "filter": "name==bench-009*"},
                ),
                ("task list of the org (newest 128)", f"/api/tasksList/{org_id}", {}),
                (
                    "task query, page of 128, newest first",
                    "/api/query",
                    {"type": "task", "pageSize": "128", "sortDesc": "startDate"},
                ),
            ):

                def call(path: str = path, params: dict[str, str] = params) -> None:
                    answer = c.get(path, params=params, headers=headers)
                    assert answer.status_code == 200, answer.text

                median, worst = timed(call, args.repeat)
                print(f"{label}: median {median * 1000:.1f} ms, worst {worst * 1000:.1f} ms")


if __name__ == "__main__":
    main()
