"""Time a large vCenter inventory: how long the server takes to seed and start with it, and how long
listing pages of it takes over REST: on the client (HTTPS, decoding included) and on the server
(the request log's duration of each call, from the request's arrival to its answer's last byte
handed to the HTTP server). Compare with vcsim (77 s to start 2,000 VMs, 1.6 s to list them on the
reference machine).

    .venv/bin/python bench/inventory.py                      # 100,000 VMs on SQLite
    .venv/bin/python bench/inventory.py --vms-per-host 200   # 20,000 VMs
    .venv/bin/python bench/inventory.py --db postgresql+psycopg://root@127.0.0.1:5432/bench_x

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import ssl
import statistics

import httpx
from serving import serving, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=10)
    parser.add_argument("--hosts", type=int, default=10, help="hosts per cluster")
    parser.add_argument("--vms-per-host", type=int, default=1000)
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="every call reads the store: workers trust their copies for 10 ms only",
    )
    args = parser.parse_args()

    spec = f"datacenters=1,clusters={args.clusters},hosts={args.hosts},vms={args.vms_per_host}"
    vms = args.clusters * args.hosts * args.vms_per_host
    print(f"inventory: {spec} ({vms:,} VMs), database: {args.db or 'sqlite'}{', cold' if args.cold else ''}")
    flags = ["--change-poll-seconds", "0.01"] if args.cold else []
    with serving("--inventory", spec, *flags, db=args.db) as served:
        print(f"seeded and serving after {served.started_in:.1f} s")
        data, https = served.data, served.https
        context = ssl.create_default_context(cafile=str(data / "localsphere.crt"))
        with httpx.Client(base_url=f"https://127.0.0.1:{https}", verify=context, timeout=60) as c:
            session = c.post("/api/session", auth=("administrator@vsphere.local", "VMware1!")).json()
            c.headers["vmware-api-session-id"] = session
            hosts = [h["host"] for h in c.get("/api/vcenter/host", params={"clusters": "domain-c11"}).json()]
            vm = c.get("/api/vcenter/vm", params={"hosts": hosts[0]}).json()[0]["vm"]
            two_hosts = [("hosts", h) for h in hosts[:2]]
            cases = {
                f"list VMs of 2 hosts ({2 * args.vms_per_host:,})": lambda: c.get(
                    "/api/vcenter/vm", params=two_hosts
                ),
                f"list VMs of 1 host ({args.vms_per_host:,})": lambda: c.get(
                    "/api/vcenter/vm", params={"hosts": hosts[0]}
                ),
                "list one VM by name": lambda: c.get("/api/vcenter/vm", params={"names": "vm-00042"}),
                "get one VM": lambda: c.get(f"/api/vcenter/vm/{vm}"),
                "list all VMs (refused over 4,000)": lambda: c.get("/api/vcenter/vm"),
                "list hosts": lambda: c.get("/api/vcenter/host"),
            }
            control = {"Authorization": f"Bearer {(data / 'admin-token').read_text().strip()}"}
            for name, call in cases.items():
                median, worst = timed(call, args.repeat)
                logged = c.get("/_localsphere/requests", params={"limit": args.repeat}, headers=control)
                server = statistics.median(r["duration_ms"] for r in logged.json()["requests"])
                print(
                    f"{name:40s} median {median * 1000:8.1f} ms   worst {worst * 1000:8.1f} ms"
                    f"   server median {server:8.1f} ms"
                )


if __name__ == "__main__":
    main()
