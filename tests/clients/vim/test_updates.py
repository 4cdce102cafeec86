"""pyVmomi 9.1.1.0 and the PropertyCollector's updates as vCenter answers them: the first call
reports every selected object as ``enter``; each later one only what changed since the version it
names (``modify`` with the changed properties alone, ``enter`` for an object newly selected,
``leave`` for one gone); a version never given is InvalidCollectorVersion; maxObjectUpdates cuts an
answer that the next call resumes."""

import threading

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

PC = vmodl.query.PropertyCollector
WAIT = PC.WaitOptions(maxWaitSeconds=10)


def _view_filter(si, paths):
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    traversal = PC.TraversalSpec(name="view", type=vim.view.ContainerView, path="view", skip=False)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=paths)],
    )
    return content.propertyCollector.CreateFilter(spec, True)


def _objects(update):
    return [o for f in update.filterSet for o in f.objectSet]


def _vm(vc, power):
    return next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == power)


def test_a_view_reports_enter_modify_and_leave(connect, vc):
    si = connect()
    pc = si.content.propertyCollector
    _view_filter(si, ["name", "runtime.powerState"])
    first = pc.WaitForUpdatesEx("", PC.WaitOptions())
    entered = _objects(first)
    assert len(entered) == len(vc.get("/api/vcenter/vm").json())
    assert {o.kind for o in entered} == {"enter"}
    assert all({c.name for c in o.changeSet} == {"name", "runtime.powerState"} for o in entered)
    assert pc.WaitForUpdatesEx(first.version, PC.WaitOptions(maxWaitSeconds=0)) is None

    # a power-off over REST: one modify, with the power state alone
    vm_id = _vm(vc, "POWERED_ON")
    assert vc.post(f"/api/vcenter/vm/{vm_id}/power", params={"action": "stop"}).status_code == 204
    changed = pc.WaitForUpdatesEx(first.version, WAIT)
    (modified,) = _objects(changed)
    assert (modified.kind, modified.obj._moId) == ("modify", vm_id)
    assert [(c.name, c.op, c.val) for c in modified.changeSet] == [
        ("runtime.powerState", "assign", "poweredOff")
    ]
    assert changed.version != first.version

    # a VM made over SOAP enters with all its properties; destroyed, it leaves
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    pool = vim.VirtualMachine(vm_id, si._stub).resourcePool
    files = vim.vm.FileInfo(vmPathName=f"[{dc.datastore[0].name}]")
    config = vim.vm.ConfigSpec(name="watched", guestId="otherGuest64", numCPUs=1, memoryMB=512, files=files)
    task = dc.vmFolder.CreateVM_Task(config=config, pool=pool)
    assert WaitForTask(task, si=si) == "success"
    made = task.info.result
    created = pc.WaitForUpdatesEx(changed.version, WAIT)
    (entered_now,) = _objects(created)
    assert (entered_now.kind, entered_now.obj) == ("enter", made)
    assert {c.name: c.val for c in entered_now.changeSet} == {
        "name": "watched",
        "runtime.powerState": "poweredOff",
    }
    assert WaitForTask(made.Destroy_Task(), si=si) == "success"
    gone = pc.WaitForUpdatesEx(created.version, WAIT)
    (left,) = _objects(gone)
    assert (left.kind, left.obj._moId, left.changeSet) == ("leave", made._moId, [])

    # the version before an answer can be asked from again (a client that lost the answer)
    again = pc.WaitForUpdatesEx(created.version, PC.WaitOptions(maxWaitSeconds=0))
    assert [(o.kind, o.obj._moId) for o in _objects(again)] == [("leave", made._moId)]
    assert pc.CheckForUpdates(gone.version) is None


def test_a_single_vm_filter_wakes_on_a_power_change(connect, vc):
    si = connect()
    pc = si.content.propertyCollector
    vm_id = _vm(vc, "POWERED_ON")
    vm = vim.VirtualMachine(vm_id, si._stub)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=vm)],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["runtime.powerState"])],
    )
    pc.CreateFilter(spec, False)
    first = pc.WaitForUpdatesEx("", PC.WaitOptions())
    # the call waits (looking again and again) while another session powers the VM off
    woke = []
    waiting = threading.Thread(target=lambda: woke.append(pc.WaitForUpdatesEx(first.version, WAIT)))
    waiting.start()
    other = connect()
    assert WaitForTask(vim.VirtualMachine(vm_id, other._stub).PowerOffVM_Task(), si=other) == "success"
    waiting.join()
    (modified,) = _objects(woke[0])
    assert modified.kind == "modify" and modified.changeSet[0].val == "poweredOff"


def test_bad_versions_and_truncation(connect, vc):
    si = connect()
    pc = si.content.propertyCollector
    _view_filter(si, ["name"])
    first = pc.WaitForUpdatesEx("", PC.WaitOptions(maxObjectUpdates=3))
    assert first.truncated is True
    assert len(_objects(first)) == 3
    seen = [o.obj._moId for o in _objects(first)]
    with pytest.raises(vmodl.query.InvalidCollectorVersion):
        pc.CheckForUpdates(first.version)  # a cut answer's version is WaitForUpdatesEx's alone
    version = first.version
    while True:
        rest = pc.WaitForUpdatesEx(version, PC.WaitOptions(maxObjectUpdates=3, maxWaitSeconds=0))
        seen += [o.obj._moId for o in _objects(rest)]
        version = rest.version
        if not rest.truncated:
            break
    assert sorted(seen) == sorted(v["vm"] for v in vc.get("/api/vcenter/vm").json())
    assert pc.WaitForUpdatesEx(version, PC.WaitOptions(maxWaitSeconds=0)) is None
    for bad in ("999", "nonsense", "-1", "1/2/x/y"):
        with pytest.raises(vmodl.query.InvalidCollectorVersion):
            pc.WaitForUpdatesEx(bad, PC.WaitOptions(maxWaitSeconds=0))
    with pytest.raises(vmodl.fault.InvalidArgument):
        pc.WaitForUpdatesEx(version, PC.WaitOptions(maxObjectUpdates=0))


def test_a_new_filter_enters_and_own_collectors_count_their_own(connect, vc):
    si = connect()
    default = si.content.propertyCollector
    mine = default.CreatePropertyCollector()
    _view_filter(si, ["name"])
    first = default.WaitForUpdatesEx("", PC.WaitOptions())
    vm_id = _vm(vc, "POWERED_OFF")
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=vim.VirtualMachine(vm_id, si._stub))],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["runtime.powerState"])],
    )
    own = mine.CreateFilter(spec, False)
    # a filter made after a version: its objects enter in the next answer from it
    added = default.CreateFilter(spec, False)
    update = default.WaitForUpdatesEx(first.version, WAIT)
    assert [(f.filter, [o.kind for o in f.objectSet]) for f in update.filterSet] == [(added, ["enter"])]
    # the session's own collector has versions of its own
    start = mine.WaitForUpdatesEx("", PC.WaitOptions())
    assert [f.filter for f in start.filterSet] == [own]
    assert vc.post(f"/api/vcenter/vm/{vm_id}/power", params={"action": "start"}).status_code == 204
    (modified,) = _objects(mine.WaitForUpdatesEx(start.version, WAIT))
    assert modified.kind == "modify" and modified.changeSet[0].val == "poweredOn"
    (also,) = _objects(default.WaitForUpdatesEx(update.version, WAIT))
    assert also.kind == "modify" and also.obj._moId == vm_id


def test_two_servers_answer_one_sessions_updates(shared_servers):
    """Over one PostgreSQL database, the server that did not answer a version answers the next
    call from it: what a filter told is in the store."""
    on_a, join_b = shared_servers
    _view_filter(on_a, ["runtime.powerState"])
    first = on_a.content.propertyCollector.WaitForUpdatesEx("", PC.WaitOptions())
    on = next(o.obj for o in _objects(first) if o.changeSet[0].val == "poweredOn")
    on_b = join_b()
    assert WaitForTask(vim.VirtualMachine(on._moId, on_a._stub).PowerOffVM_Task(), si=on_a) == "success"
    changed = on_b.content.propertyCollector.WaitForUpdatesEx(first.version, WAIT)
    (modified,) = _objects(changed)
    assert (modified.kind, modified.obj._moId, modified.changeSet[0].val) == (
        "modify",
        on._moId,
        "poweredOff",
    )
    assert (
        on_a.content.propertyCollector.WaitForUpdatesEx(changed.version, PC.WaitOptions(maxWaitSeconds=0))
        is None
    )
