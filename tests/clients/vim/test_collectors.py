"""pyVmomi 9.1.1.0 and a session's own PropertyCollectors: each has its own filters and its own
update versions, sees changes made over REST, is the session's alone, and goes with its filters
when destroyed."""

import pytest
from pyVmomi import vim, vmodl

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

PC = vmodl.query.PropertyCollector


def test_a_sessions_own_collector(connect, vc):
    si = connect()
    default = si.content.propertyCollector
    mine = default.CreatePropertyCollector()
    assert mine._moId.startswith("session[") and mine._moId != default._moId
    vm_id = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_ON")
    vm = vim.VirtualMachine(vm_id, si._stub)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=vm)],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["runtime.powerState"])],
    )
    made = mine.CreateFilter(spec, False)
    assert mine.filter == [made] and default.filter == []
    assert made.spec.propSet[0].pathSet == ["runtime.powerState"]
    first = mine.WaitForUpdatesEx("", PC.WaitOptions())
    assert first.filterSet[0].objectSet[0].kind == "enter"
    assert default.WaitForUpdatesEx("", PC.WaitOptions()).filterSet == []  # its own filters: none
    [found] = mine.RetrievePropertiesEx([spec], PC.RetrieveOptions()).objects
    assert found.propSet[0].val == "poweredOn"

    assert vc.post(f"/api/vcenter/vm/{vm_id}/power", params={"action": "stop"}).status_code == 204
    changed = mine.WaitForUpdatesEx(first.version, PC.WaitOptions(maxWaitSeconds=10))
    (modified,) = changed.filterSet[0].objectSet
    assert modified.kind == "modify" and modified.changeSet[0].val == "poweredOff"

    other = connect()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        PC(mine._moId, other._stub).RetrievePropertiesEx([spec], PC.RetrieveOptions())
    with pytest.raises(vmodl.fault.InvalidArgument):
        default.DestroyPropertyCollector()
    mine.DestroyPropertyCollector()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        mine.CreateFilter(spec, False)
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        made.DestroyPropertyFilter()  # its filters went with it
