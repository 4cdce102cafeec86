"""pyVmomi, unmodified, reading a VM's power-on clock: ``runtime.bootTime`` is its last power-on
(from any face), a reset or a guest reboot boots it again, a suspend keeps it (``suspendTime``,
``suspendInterval``), a power-off unsets it; ``quickStats.uptimeSeconds``, QueryPerf's
``sys.uptime.latest`` and Operations' ``sys|uptime_latest`` count from it on the world clock and
agree at one instant; a VM that does not run has no realtime samples."""

import datetime
import math

import pytest
from pyVmomi import vim

from helpers import ops_acquire

OPS = "/suite-api/api"
PM = vim.PerformanceManager


@pytest.fixture
def frozen(server):
    assert server.control("POST", "/clock", json={"freeze": True}).status_code == 200
    yield
    assert server.control("POST", "/clock", json={"real": True}).status_code == 200


def _now(server) -> float:
    return server.control("GET", "/clock").json()["epoch"]


def _vm(vc, state: str) -> str:
    return next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == state)


def _uptime_counter(perf) -> int:
    (key,) = [c.key for c in perf.perfCounter if f"{c.groupInfo.key}.{c.nameInfo.key}" == "sys.uptime"]
    return key


def _latest_uptime(perf, vm):
    """QueryPerf's latest realtime ``sys.uptime.latest`` of ``vm``: (value, instant), or None
    when it answers no samples."""
    uptime_id = PM.MetricId(counterId=_uptime_counter(perf), instance="")
    spec = PM.QuerySpec(entity=vm, metricId=[uptime_id], intervalId=20, maxSample=1)
    found = perf.QueryPerf([spec])
    if not found:
        return None
    return found[0].value[0].value[0], found[0].sampleInfo[0].timestamp


def _composite_children(perf, vm) -> set[str]:
    """The VMs QueryPerfComposite of ``vm``'s host answers realtime samples of."""
    uptime_id = PM.MetricId(counterId=_uptime_counter(perf), instance="")
    spec = PM.QuerySpec(entity=vm.runtime.host, metricId=[uptime_id], intervalId=20, maxSample=1)
    return {c.entity._moId for c in perf.QueryPerfComposite(spec).childEntity}


def _to_five_minutes(server) -> int:
    """Move the frozen clock to a second past the next five-minute instant; that instant (epoch s),
    the latest realtime sample's and one of Operations' samples."""
    now = _now(server)
    server.advance(math.ceil(now / 300) * 300 - now + 1)
    return int(_now(server)) // 300 * 300


def _ops_uptime(server, name: str, at: int) -> float:
    token = ops_acquire(server).json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {token}", "Accept": "application/json"}) as ops:
        found = ops.get(f"{OPS}/resources", params={"resourceKind": "VirtualMachine", "name": name}).json()
        (resource,) = found["resourceList"]
        params = {"statKey": "sys|uptime_latest", "begin": at * 1000, "end": at * 1000}
        r = ops.get(f"{OPS}/resources/{resource['identifier']}/stats", params=params)
        (stat,) = r.json()["values"][0]["stat-list"]["stat"]
        assert stat["timestamps"] == [at * 1000]
        return stat["data"][0]


@pytest.mark.every_backend
def test_boot_time_and_uptime_follow_power_on_every_face(connect, vc, server, frozen):
    si = connect()
    perf = si.content.perfManager
    vm_id = _vm(vc, "POWERED_OFF")
    vm = vim.VirtualMachine(vm_id, si._stub)
    assert vm.runtime.bootTime is None and vm.summary.quickStats.uptimeSeconds == 0
    assert _latest_uptime(perf, vm) is None  # no realtime samples of a VM powered off

    # powered on over REST: SOAP reads the boot at that instant of the world clock
    booted = _now(server)
    assert vc.post(f"/api/vcenter/vm/{vm_id}/power", params={"action": "start"}).status_code == 204
    assert vm.runtime.bootTime.timestamp() == pytest.approx(booted, abs=1e-3)
    assert vm.runtime.suspendInterval == 0 and vm.runtime.suspendTime is None

    # at one instant, quickStats, QueryPerf and Operations count the same seconds since the boot
    at = _to_five_minutes(server)
    uptime = vm.summary.quickStats.uptimeSeconds
    assert uptime == round(at - booted) > 0
    assert _latest_uptime(perf, vm) == (uptime, datetime.datetime.fromtimestamp(at, datetime.UTC))
    assert round(_ops_uptime(server, vm.name, at)) == uptime
    assert vm_id in _composite_children(perf, vm)

    # the clock moves on: so does the uptime, by as much; the boot stays
    server.advance(600)
    assert vm.summary.quickStats.uptimeSeconds == uptime + 600
    assert _latest_uptime(perf, vm)[0] == uptime + 600
    assert vm.runtime.bootTime.timestamp() == pytest.approx(booted, abs=1e-3)

    # a reset boots it again, now
    reset = _now(server)
    assert vm.ResetVM_Task().info.state == "success"
    assert vm.runtime.bootTime.timestamp() == pytest.approx(reset, abs=1e-3)
    assert vm.summary.quickStats.uptimeSeconds == 0  # the latest sample is from before the reset

    # powered off: no boot, no uptime, no realtime samples (historical ones stay)
    assert vm.PowerOffVM_Task().info.state == "success"
    assert vm.runtime.bootTime is None and vm.summary.quickStats.uptimeSeconds == 0
    assert _latest_uptime(perf, vm) is None and vm_id not in _composite_children(perf, vm)
    uptime_id = PM.MetricId(counterId=_uptime_counter(perf), instance="")
    assert perf.QueryPerf([PM.QuerySpec(entity=vm, intervalId=300, maxSample=1, metricId=[uptime_id])])


def test_suspend_keeps_the_boot_and_a_guest_reboot_restarts_it(connect, vc, server, frozen):
    si = connect()
    vm_id = _vm(vc, "POWERED_ON")
    vm = vim.VirtualMachine(vm_id, si._stub)
    seeded = vm.runtime.bootTime
    assert seeded is not None and seeded.timestamp() <= _now(server)

    suspended = _now(server)
    assert vm.SuspendVM_Task().info.state == "success"
    assert vm.runtime.powerState == "suspended" and vm.runtime.bootTime == seeded
    assert vm.runtime.suspendTime.timestamp() == pytest.approx(suspended, abs=1e-3)
    assert vm.summary.quickStats.uptimeSeconds == 0
    assert _latest_uptime(si.content.perfManager, vm) is None

    # resumed 100 s later: the same boot; the time asleep counts in suspendInterval, not uptime
    server.advance(100)
    assert vm.PowerOnVM_Task().info.state == "success"
    assert vm.runtime.bootTime == seeded and vm.runtime.suspendInterval == 100
    at = _to_five_minutes(server)
    assert vm.summary.quickStats.uptimeSeconds == round(at - seeded.timestamp() - 100)

    rebooted = _now(server)
    vm.RebootGuest()
    assert vm.runtime.bootTime.timestamp() == pytest.approx(rebooted, abs=1e-3)
    assert vm.runtime.suspendInterval == 0

    # the guest shut down: the boot is gone
    vm.ShutdownGuest()
    assert vm.runtime.bootTime is None and vm.runtime.suspendInterval is None


def test_vcloud_power_operations_move_the_boot_soap_reads(connect, vc, server, frozen):
    """vCD's power-on of a new vApp, a VM's reset and the vApp's power-off are the same VM's boot,
    new boot and none on SOAP."""
    from vcd_client import V15, instantiate_body, link, sign_in
    from vcd_schema import assert_valid

    instantiate = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        session = assert_valid(c.get("/api/session", headers=headers).content)
        org = assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content)
        vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=headers).content)
        catalog = assert_valid(
            c.get(link(org, "down", ".catalog+xml", "demo-catalog"), headers=headers).content
        )
        item_href = next(
            i.get("href") for i in catalog.find(f"{V15}CatalogItems") if i.get("name") == "photon-5"
        )
        template = assert_valid(c.get(item_href, headers=headers).content).find(f"{V15}Entity").get("href")
        started = _now(server)
        r = c.post(
            link(vdc, "add", instantiate),
            content=instantiate_body("booted", template, power_on=True),
            headers={**headers, "Content-Type": instantiate},
        )
        vapp = assert_valid(r.content)
        vm_href = vapp.find(f"{V15}Children/{V15}Vm").get("href")
        (found,) = vc.get("/api/vcenter/vm", params={"names": "photon"}).json()
        vm = vim.VirtualMachine(found["vm"], connect()._stub)
        assert vm.runtime.bootTime.timestamp() == pytest.approx(started, abs=1e-3)

        server.advance(60)
        assert c.post(f"{vm_href}/power/action/reset", headers=headers).status_code == 202
        assert vm.runtime.bootTime.timestamp() == pytest.approx(started + 60, abs=1e-3)
        assert c.post(f"{vapp.get('href')}/power/action/powerOff", headers=headers).status_code == 202
        assert vm.runtime.powerState == "poweredOff" and vm.runtime.bootTime is None
