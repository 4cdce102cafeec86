"""Time vCenter's SOAP API (``/sdk``) on a large inventory: ``RetrieveServiceContent`` requests per
second (vcsim: 8-10k), and a container view's retrieval of the name and power state of every VM
with pyVmomi (vcsim: ``govc find -type m`` 1.58 s for 2,000 VMs; the target here is 50 ms), on the
client (pyVmomi's parsing included) and on the server (the request log's duration), and
``--waiters`` clients, each with its own session, each powering a VM off and waiting for its task
with ``WaitForUpdatesEx`` on a filter of its own (as govc and pyVim's WaitForTask do).

    .venv/bin/python bench/vim.py                         # 2,000 VMs on SQLite
    .venv/bin/python bench/vim.py --vms-per-host 1000     # 20,000 VMs, paged by maxObjects
    .venv/bin/python bench/vim.py --db postgresql+psycopg://root@127.0.0.1:5432/bench_x

The request rate is measured with ``--clients`` threads, each with its own keep-alive HTTPS
connection, on the same machine as the server: the clients take CPU from it. Prints figures;
asserts nothing about time.
"""

from __future__ import annotations

import argparse
import ssl
import statistics
import threading
import time

import httpx
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl
from serving import serving, timed

PC = vmodl.query.PropertyCollector
CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this>'
    "</RetrieveServiceContent></soapenv:Body></soapenv:Envelope>"
)
PATHS = ("name", "runtime.powerState")
# What vmware_exporter's vm_inventory asks of every VM (its collect_only vms and vmguests)
EXPORTER_PATHS = (
    *PATHS,
    "runtime.host",
    "parent",
    "summary.config.vmPathName",
    "runtime.bootTime",
    "summary.config.numCpu",
    "summary.config.memorySizeMB",
    "runtime.maxCpuUsage",
    "summary.config.template",
    "guest.disk",
    "guest.toolsStatus",
    "guest.toolsVersion",
    "guest.toolsVersionStatus2",
)
HEADERS = {"SOAPAction": '"urn:vim25/9.1.1.0"', "Content-Type": "text/xml; charset=UTF-8"}


def rate(base: str, context: ssl.SSLContext, clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second of ``clients`` threads posting RetrieveServiceContent, and the failures."""
    counts, failures = [0] * clients, [0] * clients
    stop = time.perf_counter() + seconds

    def run(index: int) -> None:
        with httpx.Client(base_url=base, verify=context) as c:
            while time.perf_counter() < stop:
                if c.post("/sdk", content=CONTENT, headers=HEADERS).status_code != 200:
                    failures[index] += 1
                counts[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start), sum(failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=2)
    parser.add_argument("--hosts", type=int, default=10, help="hosts per cluster")
    parser.add_argument("--vms-per-host", type=int, default=100)
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary directory)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--page", type=int, default=10_000, help="maxObjects of the view retrieval")
    parser.add_argument("--waiters", type=int, default=100, help="concurrent tasks waited for")
    parser.add_argument(
        "--paths",
        default=",".join(PATHS),
        help="the VM properties the view's retrieval asks for, comma-separated (vmware_exporter's "
        f"VM list: {','.join(EXPORTER_PATHS)})",
    )
    args = parser.parse_args()

    spec = f"datacenters=1,clusters={args.clusters},hosts={args.hosts},vms={args.vms_per_host}"
    vms = args.clusters * args.hosts * args.vms_per_host
    print(f"inventory: {spec} ({vms:,} VMs), database: {args.db or 'sqlite'}")
    with serving("--inventory", spec, db=args.db) as served:
        print(f"seeded and serving after {served.started_in:.1f} s")
        context = ssl.create_default_context(cafile=str(served.data / "localsphere.crt"))
        base = f"https://127.0.0.1:{served.https}"
        per_second, failed = rate(base, context, args.clients, args.seconds)
        print(
            f"RetrieveServiceContent: {per_second:,.0f} req/s with {args.clients} clients ({failed} failed)"
        )

        si = SmartConnect(
            host="127.0.0.1",
            port=served.https,
            user="administrator@vsphere.local",
            pwd="VMware1!",
            sslContext=context,
        )
        content = si.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
        paths = args.paths.split(",")
        traversal = PC.TraversalSpec(name="view", type=vim.view.ContainerView, path="view", skip=False)
        spec_ = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
            propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=paths)],
        )
        found = []

        def retrieve() -> None:
            result = content.propertyCollector.RetrievePropertiesEx(
                [spec_], PC.RetrieveOptions(maxObjects=args.page)
            )
            objects = list(result.objects)
            while result.token:
                result = content.propertyCollector.ContinueRetrievePropertiesEx(result.token)
                objects += result.objects
            found[:] = objects

        median, worst = timed(retrieve, args.repeat)
        pages = -(-vms // args.page)
        control = {"Authorization": f"Bearer {(served.data / 'admin-token').read_text().strip()}"}
        with httpx.Client(base_url=base, verify=context) as c:
            logged = c.get(
                "/_localsphere/requests", params={"limit": args.repeat * pages}, headers=control
            ).json()
        server = [r["duration_ms"] for r in logged["requests"] if r["path"] == "/sdk"]
        print(
            f"container view, {len(paths)} properties ({', '.join(paths[:2])}...) of {len(found):,} VMs "
            f"({pages} page(s) of {args.page:,}): "
            f"median {median * 1000:.1f} ms, worst {worst * 1000:.1f} ms on the client (pyVmomi parsing "
            f"included); server median {statistics.median(server) * pages:.1f} ms, best "
            f"{min(server) * pages:.1f} ms"
        )
        vm_ids = [
            o.obj._moId
            for o in found
            if any(p.name == "runtime.powerState" and p.val == "poweredOn" for p in o.propSet)
        ][: args.waiters]
        Disconnect(si)
        waited, wall = waiting(served.https, context, vm_ids)
        print(
            f"WaitForUpdatesEx on {len(vm_ids)} concurrent power-off tasks: all done in {wall:.2f} s, "
            f"each task's start to its success seen: median {statistics.median(waited) * 1000:.0f} ms, "
            f"worst {max(waited) * 1000:.0f} ms"
        )


def waiting(port: int, context: ssl.SSLContext, vm_ids: list[str]) -> tuple[list[float], float]:
    """Each of ``vm_ids`` powered off by a client of its own, which then waits for the task with
    WaitForUpdatesEx: the seconds from each start to its success seen, and from the first sign-in
    done to the last success seen."""
    waited: list[float] = []
    ready = threading.Barrier(len(vm_ids) + 1)

    def run(vm_id: str) -> None:
        si = SmartConnect(
            host="127.0.0.1",
            port=port,
            user="administrator@vsphere.local",
            pwd="VMware1!",
            sslContext=context,
        )
        pc = si.content.propertyCollector
        ready.wait()
        start = time.perf_counter()
        task = vim.VirtualMachine(vm_id, si._stub).PowerOffVM_Task()
        spec = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=task)],
            propSet=[PC.PropertySpec(type=vim.Task, pathSet=["info.state"])],
        )
        pc.CreateFilter(spec, partialUpdates=False)
        version, state = "", None
        while state not in ("success", "error"):
            update = pc.WaitForUpdatesEx(version, PC.WaitOptions(maxWaitSeconds=60))
            if update is None:
                continue
            version = update.version
            for change in (c for f in update.filterSet for o in f.objectSet for c in o.changeSet):
                state = change.val
        waited.append(time.perf_counter() - start)
        Disconnect(si)

    threads = [threading.Thread(target=run, args=(vm_id,)) for vm_id in vm_ids]
    for t in threads:
        t.start()
    ready.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return waited, time.perf_counter() - start


if __name__ == "__main__":
    main()
