"""pyVmomi, unmodified, against the PerformanceManager and the EventManager: the counter catalogue,
QueryPerf as monitoring exporters call it (realtime and historical, instances, CSV), equal to the
Operations face's numbers for the same object and instant; QueryEvents after power changes made
over SOAP and REST, and an event collector read page by page."""

import datetime

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

from helpers import ops_acquire

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

PM = vim.PerformanceManager
OPS = "/suite-api/api"


def counters_by_name(perf):
    return {f"{c.groupInfo.key}.{c.nameInfo.key}.{c.rollupType}": c for c in perf.perfCounter}


def first(content, type_):
    view = content.viewManager.CreateContainerView(content.rootFolder, [type_], True)
    return sorted(view.view, key=lambda o: o._moId)[0]


def test_counter_catalogue_and_intervals(connect):
    si = connect()
    perf = si.content.perfManager
    names = counters_by_name(perf)
    for name in (
        "cpu.usage.average",
        "cpu.usagemhz.average",
        "cpu.ready.summation",
        "mem.usage.average",
        "mem.consumed.average",
        "mem.active.average",
        "disk.read.average",
        "disk.write.average",
        "net.received.average",
        "net.transmitted.average",
        "datastore.totalReadLatency.average",
        "sys.uptime.latest",
    ):
        assert name in names, name
    usage = names["cpu.usage.average"]
    assert (usage.key, usage.unitInfo.key, usage.statsType, usage.level, usage.perDeviceLevel) == (
        2,
        "percent",
        "rate",
        1,
        3,
    )
    assert [i.samplingPeriod for i in perf.historicalInterval] == [300, 1800, 7200, 86400]
    assert [c.key for c in perf.QueryPerfCounter([6, 999999])] == [6]
    level_one = perf.QueryPerfCounterByLevel(1)
    assert {c.level for c in level_one} == {1} and len(level_one) < len(perf.perfCounter)
    with pytest.raises(vmodl.fault.InvalidArgument):
        perf.QueryPerfCounterByLevel(9)
    host = first(si.content, vim.HostSystem)
    summary = perf.QueryPerfProviderSummary(host)
    assert summary.currentSupported and summary.summarySupported and summary.refreshRate == 20
    cluster = first(si.content, vim.ClusterComputeResource)
    summary = perf.QueryPerfProviderSummary(cluster)
    assert not summary.currentSupported and summary.summarySupported and summary.refreshRate == -1


def test_query_perf_as_exporters_do_equals_operations(connect, server):
    si = connect()
    perf = si.content.perfManager
    names = counters_by_name(perf)
    host = first(si.content, vim.HostSystem)
    available = perf.QueryAvailablePerfMetric(host, intervalId=20)
    assert {m.counterId for m in available} >= {names["cpu.usagemhz.average"].key}
    assert any(m.instance for m in available)  # per-CPU and per-NIC instances
    wanted = ["cpu.usagemhz.average", "mem.consumed.average", "sys.uptime.latest"]
    ids = [PM.MetricId(counterId=names[n].key, instance="") for n in wanted]
    # vmware_exporter: the latest realtime sample of each metric
    (realtime,) = perf.QueryPerf([PM.QuerySpec(entity=host, metricId=ids, intervalId=20, maxSample=1)])
    assert realtime.entity._moId == host._moId and len(realtime.sampleInfo) == 1
    assert realtime.sampleInfo[0].interval == 20
    assert {s.id.counterId for s in realtime.value} == {names[n].key for n in wanted}
    # a historical day on the five-minute grid, the same numbers as the Operations face's
    (day,) = perf.QueryPerf([PM.QuerySpec(entity=host, metricId=ids, intervalId=300)])
    times = [int(s.timestamp.timestamp() * 1000) for s in day.sampleInfo]
    assert len(times) > 12 and all(t % 300_000 == 0 for t in times)
    token = ops_acquire(server).json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {token}", "Accept": "application/json"}) as ops:
        found = ops.get(f"{OPS}/resources", params={"resourceKind": "HostSystem", "name": host.name}).json()
        (resource,) = found["resourceList"]
        for name, key in (
            ("cpu.usagemhz.average", "cpu|usagemhz_average"),
            ("mem.consumed.average", "mem|consumed_average"),
        ):
            r = ops.get(
                f"{OPS}/resources/{resource['identifier']}/stats",
                params={"statKey": key, "begin": times[0], "end": times[-1]},
            )
            (stat,) = r.json()["values"][0]["stat-list"]["stat"]
            theirs = dict(zip(stat["timestamps"], stat["data"], strict=True))
            (series,) = [s for s in day.value if s.id.counterId == names[name].key]
            ours = dict(zip(times, series.value, strict=True))
            assert ours == {t: round(theirs[t]) for t in times}
    # the realtime sample at a five-minute instant is that instant's value
    end = day.sampleInfo[-1].timestamp
    (at,) = perf.QueryPerf(
        [
            PM.QuerySpec(
                entity=host,
                metricId=ids[:1],
                intervalId=20,
                endTime=end,
                startTime=end - datetime.timedelta(seconds=20),
            )
        ]
    )
    assert at.sampleInfo[0].timestamp == end and at.value[0].value[0] == day.value[0].value[-1]


def test_instances_csv_composite_and_bad_interval(connect):
    si = connect()
    perf = si.content.perfManager
    names = counters_by_name(perf)
    host = first(si.content, vim.HostSystem)
    mhz = names["cpu.usagemhz.average"].key
    spec = PM.QuerySpec(
        entity=host, metricId=[PM.MetricId(counterId=mhz, instance="*")], intervalId=20, maxSample=3
    )
    (each,) = perf.QueryPerf([spec])
    by_instance = {s.id.instance: s.value for s in each.value}
    assert "" in by_instance and len(by_instance) > 2
    for i in range(3):  # the CPUs add up to the host
        assert abs(sum(v[i] for k, v in by_instance.items() if k) - by_instance[""][i]) <= len(by_instance)
    spec.format = "csv"
    (csv,) = perf.QueryPerf([spec])
    assert isinstance(csv, PM.EntityMetricCSV)
    assert csv.sampleInfoCSV.count(",") == 5 and csv.sampleInfoCSV.startswith("20,")
    assert {s.id.instance: [int(x) for x in s.value.split(",")] for s in csv.value} == by_instance
    composite = perf.QueryPerfComposite(
        PM.QuerySpec(
            entity=host, metricId=[PM.MetricId(counterId=mhz, instance="")], intervalId=20, maxSample=1
        )
    )
    assert composite.entity.entity._moId == host._moId
    assert {c.entity._moId for c in composite.childEntity} == {vm._moId for vm in host.vm} != set()
    ready = PM.MetricId(counterId=names["cpu.ready.summation"].key, instance="")  # never contended
    (zero,) = perf.QueryPerf([PM.QuerySpec(entity=host, metricId=[ready], intervalId=20, maxSample=2)])
    assert list(zero.value[0].value) == [0, 0]
    cluster = first(si.content, vim.ClusterComputeResource)
    with pytest.raises(vmodl.fault.InvalidArgument):
        perf.QueryPerf([PM.QuerySpec(entity=cluster, intervalId=20)])
    (historical,) = perf.QueryPerf([PM.QuerySpec(entity=cluster, maxSample=2)])  # its default: 300 s
    assert [s.interval for s in historical.sampleInfo] == [300, 300]
    (week,) = perf.QueryPerf([PM.QuerySpec(entity=cluster, intervalId=1800, maxSample=3)])
    assert (
        all(int(s.timestamp.timestamp()) % 1800 == 0 for s in week.sampleInfo) and len(week.sampleInfo) == 3
    )
    # historical intervals keep level-1 counters, without instances (a vCenter's default level)
    kept = perf.QueryAvailablePerfMetric(host, intervalId=300)
    assert {m.instance for m in kept} == {""}
    assert {names[n].key for n in ("cpu.usagemhz.average", "mem.consumed.average")} <= {
        m.counterId for m in kept
    }
    assert names["mem.active.average"].key not in {m.counterId for m in kept}


# vmware_exporter's default lists (its VM and host perf-manager collectors), which it looks up
# by name in perfCounter and asks of each powered-on VM and host, realtime, one sample
EXPORTER_VM = (
    "cpu.ready.summation", "cpu.maxlimited.summation", "cpu.usage.average", "cpu.usagemhz.average",
    "cpu.costop.summation", "cpu.idle.summation", "cpu.demand.average", "mem.usage.average",
    "mem.consumed.average", "mem.active.average", "mem.swapped.average", "mem.vmmemctl.average",
    "disk.maxTotalLatency.latest", "disk.usage.average", "disk.read.average", "disk.write.average",
    "net.received.average", "net.transmitted.average", "net.multicastRx.summation",
    "net.multicastTx.summation", "net.broadcastTx.summation", "net.broadcastRx.summation",
    "net.droppedRx.summation", "net.droppedTx.summation",
)  # fmt: skip
EXPORTER_HOST = (
    "cpu.costop.summation", "cpu.demand.average", "cpu.idle.summation", "cpu.ready.summation",
    "cpu.swapwait.summation", "cpu.usage.average", "cpu.usagemhz.average", "cpu.used.summation",
    "disk.read.average", "disk.write.average", "mem.active.average", "mem.latency.average",
    "mem.swapin.average", "mem.swapinRate.average", "mem.swapout.average", "mem.swapoutRate.average",
    "mem.vmmemctl.average", "net.bytesRx.average", "net.bytesTx.average", "net.droppedRx.summation",
    "net.droppedTx.summation", "net.errorsRx.summation", "net.errorsTx.summation", "net.usage.average",
)  # fmt: skip
OTHERS = ("cpu.latency.average", "cpu.wait.summation", "cpu.readiness.average", "cpu.run.summation",
          "power.power.average", "sys.uptime.latest")  # fmt: skip


def test_exporter_counter_lists_resolve_and_sample(connect):
    si = connect()
    perf = si.content.perfManager
    names = counters_by_name(perf)
    assert len(names) == len(perf.perfCounter)  # one counter a name
    for name in (*EXPORTER_VM, *EXPORTER_HOST, *OTHERS):
        assert name in names, name
    costop, power = names["cpu.costop.summation"], names["power.power.average"]
    assert (costop.key, costop.unitInfo.key, costop.statsType, costop.level) == (
        399,
        "millisecond",
        "delta",
        2,
    )
    assert (power.key, power.groupInfo.key, power.unitInfo.key, power.statsType) == (
        157,
        "power",
        "watt",
        "rate",
    )
    vm, host = powered_on_vm(si.content), first(si.content, vim.HostSystem)
    for entity, wanted in ((vm, (*EXPORTER_VM, *OTHERS)), (host, (*EXPORTER_HOST, *OTHERS))):
        ids = [PM.MetricId(counterId=names[n].key, instance="") for n in wanted]
        (got,) = perf.QueryPerf([PM.QuerySpec(entity=entity, metricId=ids, intervalId=20, maxSample=1)])
        series = {s.id.counterId: list(s.value) for s in got.value}
        assert set(series) == {names[n].key for n in wanted}, entity
        assert all(len(v) == 1 for v in series.values())
        assert series[names["cpu.costop.summation"].key] == [0]  # no contention to report
        assert series[names["sys.uptime.latest"].key][0] > 0
        # CPU time run: the usage percentage (in hundredths) as its share of the 20-second sample
        usage, run = (series[names[n].key][0] for n in ("cpu.usage.average", "cpu.run.summation"))
        assert usage > 0 and abs(run - usage * 20_000 / 10_000) <= 2


def powered_on_vm(content):
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    return next(vm for vm in sorted(view.view, key=lambda o: o._moId) if vm.runtime.powerState == "poweredOn")


def test_events_of_power_changes_over_soap_and_rest(connect, vc):
    si = connect()
    content = si.content
    vm = powered_on_vm(content)
    WaitForTask(vm.PowerOffVM_Task())
    assert vc.post(f"/api/vcenter/vm/{vm._moId}/power?action=start").status_code == 204
    events = content.eventManager.QueryEvents(
        vim.event.EventFilterSpec(entity=vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self"))
    )
    kinds = [type(e).__name__ for e in events]
    assert kinds[:2] == ["vim.event.VmPoweredOnEvent", "vim.event.VmPoweredOffEvent"]  # newest first
    on, off = events[:2]
    assert on.vm.vm._moId == vm._moId and on.vm.name == vm.name
    assert on.host.name == vm.runtime.host.name and on.datacenter is not None
    assert on.userName == "VSPHERE.LOCAL\\administrator"
    assert on.fullFormattedMessage.startswith(f"{vm.name} on ") and "powered on" in on.fullFormattedMessage
    assert off.createdTime <= on.createdTime and on.key != off.key
    # by type, by user, from a datacenter down, and the newest event of all
    typed = content.eventManager.QueryEvents(vim.event.EventFilterSpec(eventTypeId=["VmPoweredOffEvent"]))
    assert typed and all(isinstance(e, vim.event.VmPoweredOffEvent) for e in typed)
    logins = content.eventManager.QueryEvents(vim.event.EventFilterSpec(type=[vim.event.SessionEvent]))
    assert isinstance(logins[0], vim.event.UserLoginSessionEvent) and logins[0].ipAddress == "127.0.0.1"
    nobody = vim.event.EventFilterSpec.ByUsername(systemUser=False, userList=["VSPHERE.LOCAL\\nobody"])
    assert content.eventManager.QueryEvents(vim.event.EventFilterSpec(userName=nobody)) == []
    # by category: what is written here is information, no warning or error
    errors = vim.event.EventFilterSpec(category=["error", "warning"])
    assert content.eventManager.QueryEvents(errors) == []
    informing = vim.event.EventFilterSpec(category=["info"], eventTypeId=["VmPoweredOffEvent"])
    assert [e.key for e in content.eventManager.QueryEvents(informing)] == [e.key for e in typed]
    datacenter = first(content, vim.Datacenter)
    below = content.eventManager.QueryEvents(
        vim.event.EventFilterSpec(
            entity=vim.event.EventFilterSpec.ByEntity(entity=datacenter, recursion="all")
        )
    )
    assert [e.key for e in below[:2]] == [on.key, off.key]
    assert content.eventManager.latestEvent.key == on.key
    one = content.eventManager.QueryEvents(vim.event.EventFilterSpec(maxCount=1))
    assert [e.key for e in one] == [on.key]
    # a task that failed: a TaskEvent carrying the task and its error
    with pytest.raises(vim.fault.InvalidPowerState):
        WaitForTask(vm.PowerOnVM_Task())
    only_tasks = vim.event.EventFilterSpec(type=[vim.event.TaskEvent], maxCount=1)
    (failed,) = content.eventManager.QueryEvents(only_tasks)
    assert failed.info.descriptionId == "VirtualMachine.powerOn" and failed.vm.vm._moId == vm._moId
    assert isinstance(failed.info.error, vim.fault.InvalidPowerState) and failed.createdTime >= on.createdTime
    # a user who may see no object sees no object's events
    blind = connect(user="USER_1@vsphere.local").content.eventManager
    assert [e for e in blind.QueryEvents(vim.event.EventFilterSpec()) if e.vm is not None] == []


def test_event_keys_count_up_as_events_are_recorded(connect):
    """vCenter numbers events as it records them, in time order: a poller keeps the last key it
    saw and asks for larger ones."""
    content = connect().content
    vm = powered_on_vm(content)
    seen = content.eventManager.latestEvent.key
    for _ in range(2):
        WaitForTask(vm.PowerOffVM_Task())
        WaitForTask(vm.PowerOnVM_Task())
    by_vm = vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self")
    events = content.eventManager.QueryEvents(vim.event.EventFilterSpec(entity=by_vm, maxCount=100))
    oldest_first = list(reversed(events))
    assert [e.createdTime for e in oldest_first] == sorted(e.createdTime for e in oldest_first)
    keys = [e.key for e in oldest_first]
    assert keys == sorted(set(keys))  # strictly increasing
    newer = [e for e in oldest_first if e.key > seen]  # what a poller asks for next
    assert [type(e) for e in newer] == [vim.event.VmPoweredOffEvent, vim.event.VmPoweredOnEvent] * 2
    assert content.eventManager.latestEvent.key == keys[-1]


def test_event_collector_pages(connect):
    si = connect()
    content = si.content
    vm = powered_on_vm(content)
    for _ in range(3):
        WaitForTask(vm.PowerOffVM_Task())
        WaitForTask(vm.PowerOnVM_Task())
    spec = vim.event.EventFilterSpec(
        entity=vim.event.EventFilterSpec.ByEntity(entity=vm, recursion="self"),
        eventTypeId=["VmEvent"],
        maxCount=2,
    )
    collector = content.eventManager.CreateCollectorForEvents(spec)
    latest = collector.latestPage
    assert [type(e).__name__ for e in latest] == ["vim.event.VmPoweredOnEvent", "vim.event.VmPoweredOffEvent"]
    older = collector.ReadPreviousEvents(3)  # just before the latest page, newest first
    assert len(older) == 3 and older[0].createdTime <= latest[-1].createdTime
    assert older[0].key not in {e.key for e in latest}
    # from before those three, forward: them (oldest first), then the latest page
    again = collector.ReadNextEvents(10)
    assert [e.key for e in again] == [e.key for e in reversed(older)] + [e.key for e in reversed(latest)]
    collector.RewindCollector()
    forward = collector.ReadNextEvents(4) + collector.ReadNextEvents(4)
    assert len(forward) == 6 and [e.key for e in forward[-2:]] == [e.key for e in reversed(latest)]
    assert collector.ReadNextEvents(4) == []
    collector.ResetCollector()
    assert [e.key for e in collector.ReadNextEvents(5)] == [e.key for e in reversed(latest)]
    collector.SetCollectorPageSize(4)
    assert len(collector.latestPage) == 4
    with pytest.raises(vmodl.fault.InvalidArgument):
        collector.ReadNextEvents(0)
    # following the latest page as govc's ``events -f`` does: a filter and WaitForUpdatesEx
    pc = content.propertyCollector
    PC = vmodl.query.PropertyCollector
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=collector)],
        propSet=[PC.PropertySpec(type=vim.event.EventHistoryCollector, pathSet=["latestPage"])],
    )
    pc.CreateFilter(spec, True)
    first_update = pc.WaitForUpdatesEx("", PC.WaitOptions(maxWaitSeconds=0))
    WaitForTask(vm.PowerOffVM_Task())
    update = pc.WaitForUpdatesEx(first_update.version, PC.WaitOptions(maxWaitSeconds=10))
    (change,) = update.filterSet[0].objectSet[0].changeSet
    assert isinstance(change.val[0], vim.event.VmPoweredOffEvent)
    collector.DestroyCollector()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        print(collector.latestPage)


def test_events_of_vms_made_and_deleted_over_rest(connect, vc):
    """A VM made and deleted through vCenter's REST API: VmCreatedEvent and VmRemovedEvent, as a
    SOAP create and destroy record them."""
    pool = vc.get("/api/vcenter/resource-pool").json()[0]["resource_pool"]
    spec = {"name": "rest-made", "guest_OS": "UBUNTU_64", "placement": {"resource_pool": pool}}
    r = vc.post("/api/vcenter/vm", json=spec)
    assert r.status_code == 201, r.text
    vm_id = r.json()
    assert vc.delete(f"/api/vcenter/vm/{vm_id}").status_code == 204
    content = connect().RetrieveContent()
    wanted = vim.event.EventFilterSpec(eventTypeId=["VmCreatedEvent", "VmRemovedEvent"], maxCount=2)
    removed, created = content.eventManager.QueryEvents(wanted)
    assert isinstance(created, vim.event.VmCreatedEvent) and isinstance(removed, vim.event.VmRemovedEvent)
    assert created.vm.name == "rest-made" and removed.vm.name == "rest-made"
    assert created.userName == removed.userName == "VSPHERE.LOCAL\\administrator"
    described = {d.key: d for d in content.eventManager.description.eventInfo}  # keys are types
    assert vim.event.VmCreatedEvent in described and vim.event.UserLoginSessionEvent in described
    assert described[vim.event.VmRemovedEvent].category == "info"
