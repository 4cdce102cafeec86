"""Blocking tasks through the vCloud API (Programming Guide 5.5, chapter 10: "Configure Blocking
Tasks", "Monitor Blocking Tasks", "Take Action on a Blocking Task", "Extend The Timeout
Expiration of an Active Task"): the system administrator makes instantiation and power-on
blocking; such a task waits, its vApp busy, until an extension resumes it (it then succeeds), fails
it (its change never made, the task in error) or lets it time out on the world clock (aborted, its
vApp gone); every answer valid against the XSDs. A held operation's change waits for the hold to
end: a held power-on leaves the VMs off on the vCD and the vCenter face, a held delete leaves the
vApp, a held instantiation makes no VMs, until resumed; an abort leaves the world as it was."""

from __future__ import annotations

import pytest

from helpers import vcenter_session
from vcd_client import ORG_USER, PROVIDER, V15, link, sign_in
from vcd_extension import VMEXT, instantiate, records
from vcd_schema import assert_valid

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

SETTINGS_TYPE = "application/vnd.vmware.admin.blockingTaskSettings+xml"
OPERATION_TYPE = "application/vnd.vmware.admin.blockingTaskOperationParams+xml"
PROGRESS_TYPE = "application/vnd.vmware.admin.blockingTaskUpdateProgressOperationParams+xml"
SETTINGS = "/api/admin/extension/settings/blockingTask"


def settings(action: str, millis: int, *operations: str) -> str:
    listed = "".join(f"<vcloud:Operation>{o}</vcloud:Operation>" for o in operations)
    return (
        '<vmext:BlockingTaskSettings xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5" '
        'xmlns:vcloud="http://www.vmware.com/vcloud/v1.5">'
        f"<vmext:TimeoutAction>{action}</vmext:TimeoutAction>"
        f"<vmext:BlockingTaskOperations>{listed}</vmext:BlockingTaskOperations>"
        f"<vmext:TimeoutInMilliseconds>{millis}</vmext:TimeoutInMilliseconds>"
        "</vmext:BlockingTaskSettings>"
    )


def operation(message: str) -> str:
    return (
        '<BlockingTaskOperationParams xmlns="http://www.vmware.com/vcloud/extension/v1.5">'
        f"<Message>{message}</Message></BlockingTaskOperationParams>"
    )


def blocking(c, headers) -> list:
    listed = assert_valid(c.get("/api/admin/extension/blockingTasks", headers=headers).content)
    assert listed.tag == f"{VMEXT}BlockingTaskReferences"
    return listed.findall(f"{V15}Reference")


def configure(c, admin, action: str, millis: int, *operations: str):
    r = c.put(
        SETTINGS,
        content=settings(action, millis, *operations),
        headers={**admin, "Content-Type": SETTINGS_TYPE},
    )
    assert r.status_code == 200, r.text
    return assert_valid(r.content)


def test_a_blocked_instantiation_waits_and_an_extension_resumes_or_fails(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        alice = sign_in(c, ORG_USER)
        shown = configure(c, admin, "abort", 3600000, "vdcInstantiateVapp", "vappDeploy")
        assert [o.text for o in shown.iter(f"{V15}Operation")] == ["vappDeploy", "vdcInstantiateVapp"]
        assert (
            assert_valid(c.get(SETTINGS, headers=admin).content).findtext(f"{VMEXT}TimeoutInMilliseconds")
            == "3600000"
        )
        assert c.get(SETTINGS, headers=alice).status_code == 403
        made = instantiate(c, alice, "held")
        assert made.status_code == 201, made.text
        vapp = assert_valid(made.content)
        task_href = vapp.find(f"{V15}Tasks/{V15}Task").get("href")
        assert assert_valid(c.get(task_href, headers=alice).content).get("status") == "queued"
        (reference,) = blocking(c, admin)
        assert reference.get("name") == "vdcInstantiateVapp"
        held = assert_valid(c.get(reference.get("href"), headers=admin).content)
        assert (held.get("status"), held.get("timeoutAction")) == ("active", "abort")
        assert held.find(f"{V15}Organization").get("name") == "demo-org"
        assert held.find(f"{V15}User").get("name") == "alice"
        assert held.find(f"{V15}TaskOwner").get("href") == vapp.get("href")
        assert c.get(reference.get("href"), headers=alice).status_code == 403
        busy = c.post(
            link(assert_valid(c.get(vapp.get("href"), headers=alice).content), "power:powerOn", ""),
            headers=alice,
        )
        assert busy.status_code == 400 and "BUSY_ENTITY" in busy.text
        assert not records(c, alice, "event", filter="eventType==com/vmware/vcloud/event/vapp/create")
        r = c.post(
            link(held, "resume", OPERATION_TYPE),
            content=operation("go on"),
            headers={**admin, "Content-Type": OPERATION_TYPE},
        )
        assert r.status_code == 200, r.text
        assert assert_valid(r.content).get("status") == "resumed"
        assert assert_valid(c.get(task_href, headers=alice).content).get("status") == "success"
        assert records(c, alice, "event", filter="eventType==com/vmware/vcloud/event/vapp/create")
        assert blocking(c, admin) == []
        again = c.post(
            link(held, "abort", OPERATION_TYPE),
            content=operation("no"),
            headers={**admin, "Content-Type": OPERATION_TYPE},
        )
        assert again.status_code == 400  # resumed: no longer active
        # power-on blocks too; a failed one is taken back and its task is in error
        started = c.post(
            link(assert_valid(c.get(vapp.get("href"), headers=alice).content), "power:powerOn", ""),
            headers=alice,
        )
        assert started.status_code == 202, started.text
        (reference,) = blocking(c, admin)
        held = assert_valid(c.get(reference.get("href"), headers=admin).content)
        r = c.post(
            link(held, "fail", OPERATION_TYPE),
            content=operation("no backup space"),
            headers={**admin, "Content-Type": OPERATION_TYPE},
        )
        assert assert_valid(r.content).get("status") == "failed"
        failed = assert_valid(c.get(assert_valid(started.content).get("href"), headers=alice).content)
        assert (
            failed.get("status") == "error" and failed.find(f"{V15}Error").get("message") == "no backup space"
        )
        assert assert_valid(c.get(vapp.get("href"), headers=alice).content).get("status") == "8"  # still off
        (event,) = records(c, alice, "event", filter="eventType==com/vmware/vcloud/event/vapp/deploy")
        assert event.get("eventStatus") == "1"
        # a held task its user cancels ends its blocking task too
        waiting = assert_valid(instantiate(c, alice, "cancelled").content).find(f"{V15}Tasks/{V15}Task")
        (reference,) = blocking(c, admin)
        assert c.post(link(waiting, "task:cancel", ""), headers=alice).status_code == 204
        assert blocking(c, admin) == []
        assert assert_valid(c.get(reference.get("href"), headers=admin).content).get("status") == "aborted"


def test_a_blocked_task_times_out_on_the_world_clock(server):
    assert server.control("POST", "/clock", json={"freeze": True}).status_code == 200
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        alice = sign_in(c, ORG_USER)
        configure(c, admin, "abort", 60000, "vdcInstantiateVapp")
        vapp = assert_valid(instantiate(c, alice, "late").content)
        task_href = vapp.find(f"{V15}Tasks/{V15}Task").get("href")
        (reference,) = blocking(c, admin)
        held = assert_valid(c.get(reference.get("href"), headers=admin).content)
        first_timeout = held.get("timeoutDate")
        body = (
            '<BlockingTaskUpdateProgressParams xmlns="http://www.vmware.com/vcloud/extension/v1.5">'
            "<Message>Giving you ten more minutes...</Message>"
            "<TimeoutValueInMilliseconds>600000</TimeoutValueInMilliseconds>"
            "</BlockingTaskUpdateProgressParams>"
        )
        server.advance(30)
        r = c.post(
            link(held, "updateProgress", PROGRESS_TYPE),
            content=body,
            headers={**admin, "Content-Type": PROGRESS_TYPE},
        )
        assert r.status_code == 200, r.text
        extended = assert_valid(r.content)
        assert extended.get("status") == "active" and extended.get("timeoutDate") > first_timeout
        server.advance(599)
        assert assert_valid(c.get(task_href, headers=alice).content).get("status") == "queued"
        server.advance(2)
        aborted = assert_valid(c.get(task_href, headers=alice).content)
        assert aborted.get("status") == "aborted"
        assert assert_valid(c.get(reference.get("href"), headers=admin).content).get("status") == "aborted"
        assert c.get(vapp.get("href"), headers=alice).status_code in (403, 404)  # taken back
        assert blocking(c, admin) == []
        blocked = records(
            c, admin, "adminEvent", filter="eventType==com/vmware/vcloud/event/blockingtask/create"
        )
        assert [e.get("entityName") for e in blocked] == ["vdcInstantiateVapp"]


def act(c, admin, action: str, message: str) -> str:
    """Take ``action`` on the one active blocking task; its status after."""
    (reference,) = blocking(c, admin)
    held = assert_valid(c.get(reference.get("href"), headers=admin).content)
    r = c.post(
        link(held, action, OPERATION_TYPE),
        content=operation(message),
        headers={**admin, "Content-Type": OPERATION_TYPE},
    )
    assert r.status_code == 200, r.text
    return assert_valid(r.content).get("status")


def vcenter_vms(vc, vapp) -> dict[str, str]:
    """The vApp's VMs as the vCenter face lists them (in the vApp's folder): name -> power state."""
    vapp_id = vapp.get("id").rsplit(":", 1)[-1]
    (folder,) = vc.get("/api/vcenter/folder", params={"names": f"{vapp.get('name')} ({vapp_id})"}).json()
    listed = vc.get("/api/vcenter/vm", params={"folders": folder["folder"]}).json()
    return {vm["name"]: vm["power_state"] for vm in listed}


def test_a_held_power_on_and_delete_change_nothing_until_resumed(server):
    with server.client(base_url=server.vcd) as c, server.client() as vc:
        vc.headers["vmware-api-session-id"] = vcenter_session(server)
        admin = sign_in(c, PROVIDER)
        alice = sign_in(c, ORG_USER)
        vapp = assert_valid(instantiate(c, alice, "lamp").content)
        configure(c, admin, "abort", 3600000, "vappDeploy", "vdcDeleteVapp")
        assert set(vcenter_vms(vc, vapp).values()) == {"POWERED_OFF"}
        started = c.post(link(vapp, "power:powerOn", ""), headers=alice)
        assert started.status_code == 202, started.text
        task_href = assert_valid(started.content).get("href")
        assert assert_valid(c.get(vapp.get("href"), headers=alice).content).get("status") == "8"
        assert set(vcenter_vms(vc, vapp).values()) == {"POWERED_OFF"}
        assert act(c, admin, "abort", "not now") == "aborted"
        assert assert_valid(c.get(task_href, headers=alice).content).get("status") == "aborted"
        assert set(vcenter_vms(vc, vapp).values()) == {"POWERED_OFF"}
        again = c.post(link(vapp, "power:powerOn", ""), headers=alice)
        assert assert_valid(c.get(vapp.get("href"), headers=alice).content).get("status") == "8"
        assert act(c, admin, "resume", "go") == "resumed"
        assert (
            assert_valid(c.get(assert_valid(again.content).get("href"), headers=alice).content).get("status")
            == "success"
        )
        assert assert_valid(c.get(vapp.get("href"), headers=alice).content).get("status") == "4"
        assert set(vcenter_vms(vc, vapp).values()) == {"POWERED_ON"}
        # a held delete leaves the vApp (and its VMs) until resumed; aborted, it stays
        spare = assert_valid(instantiate(c, alice, "spare").content)
        vms = vcenter_vms(vc, spare)
        assert c.delete(spare.get("href"), headers=alice).status_code == 202
        assert c.get(spare.get("href"), headers=alice).status_code == 200
        assert act(c, admin, "abort", "keep it") == "aborted"
        assert c.get(spare.get("href"), headers=alice).status_code == 200
        assert vcenter_vms(vc, spare) == vms
        assert c.delete(spare.get("href"), headers=alice).status_code == 202
        assert c.get(spare.get("href"), headers=alice).status_code == 200
        assert act(c, admin, "resume", "go") == "resumed"
        assert c.get(spare.get("href"), headers=alice).status_code in (403, 404)
        for name in vms:
            assert not vc.get("/api/vcenter/vm", params={"names": name, "power_states": "POWERED_OFF"}).json()


def test_a_held_instantiation_makes_its_vms_when_its_timeout_resumes_it(server):
    assert server.control("POST", "/clock", json={"freeze": True}).status_code == 200
    with server.client(base_url=server.vcd) as c, server.client() as vc:
        vc.headers["vmware-api-session-id"] = vcenter_session(server)
        admin = sign_in(c, PROVIDER)
        alice = sign_in(c, ORG_USER)
        configure(c, admin, "resume", 60000, "vdcInstantiateVapp")
        vapp = assert_valid(instantiate(c, alice, "patient").content)
        task_href = vapp.find(f"{V15}Tasks/{V15}Task").get("href")
        assert vcenter_vms(vc, vapp) == {}
        shown = assert_valid(c.get(vapp.get("href"), headers=alice).content)
        assert shown.find(f"{V15}Children") is None or not len(shown.find(f"{V15}Children"))
        server.advance(61)
        assert assert_valid(c.get(task_href, headers=alice).content).get("status") == "success"
        made = assert_valid(c.get(vapp.get("href"), headers=alice).content)
        names = {vm.get("name") for vm in made.iter(f"{V15}Vm")}
        assert names and set(vcenter_vms(vc, vapp)) == names
        assert set(vcenter_vms(vc, vapp).values()) == {"POWERED_OFF"}


def test_a_resumed_change_the_world_refuses_by_then_ends_the_task_in_error(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        alice = sign_in(c, ORG_USER)
        configure(c, admin, "abort", 3600000, "vdcInstantiateVapp")
        vapp = assert_valid(instantiate(c, alice, "doomed").content)
        task_href = vapp.find(f"{V15}Tasks/{V15}Task").get("href")
        # meanwhile the provider shrinks the VDC's storage policy to what it uses now (the held
        # vApp has no VMs yet), too small for the vApp's VMs
        vdc = assert_valid(c.get(link(vapp, "up", ".vdc+xml"), headers=admin).content)
        profile = vdc.find(f"{V15}VdcStorageProfiles/{V15}VdcStorageProfile").get("href")
        href = profile.replace("/api/vdcStorageProfile", "/api/admin/vdcStorageProfile")
        current = c.get(href, headers=admin).text
        used = _between(current, "<StorageUsedMB>", "</StorageUsedMB>")
        smaller = current.replace(
            f"<Limit>{_between(current, '<Limit>', '</Limit>')}</Limit>", f"<Limit>{used}</Limit>"
        )
        r = c.put(
            href,
            content=smaller,
            headers={**admin, "Content-Type": "application/vnd.vmware.admin.vdcStorageProfile+xml"},
        )
        assert r.status_code == 200, r.text
        assert act(c, admin, "resume", "go") == "resumed"
        failed = assert_valid(c.get(task_href, headers=alice).content)
        error = failed.find(f"{V15}Error")
        assert failed.get("status") == "error"
        assert (error.get("majorErrorCode"), error.get("minorErrorCode")) == ("400", "BAD_REQUEST")
        assert "MB" in error.get("message")
        assert c.get(vapp.get("href"), headers=alice).status_code in (403, 404)  # never made


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]
