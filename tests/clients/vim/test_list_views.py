"""pyVmomi 9.1.1.0 and list views: made from objects or from a container view, changed, read as
PropertyCollector roots, and destroyed; the objects are the REST API's VMs, and an object the caller
cannot resolve is answered back."""

import pytest
from pyVmomi import vim, vmodl

PC = vmodl.query.PropertyCollector


def names_through(pc, view):
    """The names of the VMs a list view shows, read through a PropertyCollector traversal."""
    traversal = PC.TraversalSpec(name="list", type=vim.view.ListView, path="view", skip=False)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])],
    )
    return {o.obj._moId: o.propSet[0].val for o in pc.RetrieveContents([spec])}


def test_list_views(connect, vc):
    si = connect()
    manager, pc = si.content.viewManager, si.content.propertyCollector
    rest = {v["vm"]: v["name"] for v in vc.get("/api/vcenter/vm").json()}
    first, second, third = (vim.VirtualMachine(m, si._stub) for m in sorted(rest)[:3])
    view = manager.CreateListView([first, second, vim.VirtualMachine("vm-999999", si._stub)])
    assert view.view == [first, second]  # the unknown one is not listed
    assert names_through(pc, view) == {first._moId: rest[first._moId], second._moId: rest[second._moId]}

    unresolved = view.ModifyListView(add=[third, vim.VirtualMachine("vm-999998", si._stub)], remove=[first])
    assert [o._moId for o in unresolved] == ["vm-999998"]
    assert view.view == [second, third]
    assert view.ResetListView([first]) == [] and view.view == [first]

    container = manager.CreateContainerView(si.content.rootFolder, [vim.VirtualMachine], True)
    copied = manager.CreateListViewFromView(container)
    assert {v._moId for v in copied.view} == set(rest)
    view.ResetListViewFromView(copied)
    assert {v._moId for v in view.view} == set(rest)

    # a VM deleted over REST leaves the views that listed it
    off = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_OFF")
    assert vc.delete(f"/api/vcenter/vm/{off}").status_code == 204
    assert off not in {v._moId for v in view.view}

    other = connect()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vim.view.ListView(view._moId, other._stub).ResetListView([])  # not theirs
    view.DestroyView()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        view.ModifyListView(add=[first])
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        view.DestroyView()


def test_inventory_view_opens_and_closes_folders(connect, vc):
    si = connect()
    root = si.content.rootFolder
    view = si.content.viewManager.CreateInventoryView()
    assert view.view == [root]
    datacenter = root.childEntity[0]
    missing = vim.Folder("group-v999999", si._stub)
    assert [o._moId for o in view.OpenInventoryViewFolder([root, missing])] == ["group-v999999"]
    assert datacenter in view.view
    view.OpenInventoryViewFolder([datacenter, datacenter.vmFolder])
    shown = {o._moId for o in view.view}
    assert {datacenter.vmFolder._moId, datacenter.hostFolder._moId} <= shown
    vms = {v["vm"] for v in vc.get("/api/vcenter/vm").json()}
    assert {o._moId for o in datacenter.vmFolder.childEntity} <= shown and shown & vms
    # closing the datacenter hides its folders and what was opened below them
    assert view.CloseInventoryViewFolder([datacenter, missing]) == [missing]
    assert {o._moId for o in view.view} == {root._moId, *(o._moId for o in root.childEntity)}
    traversal = PC.TraversalSpec(name="inv", type=vim.view.InventoryView, path="view", skip=False)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
        propSet=[PC.PropertySpec(type=vim.Datacenter, pathSet=["name"])],
    )
    [found] = si.content.propertyCollector.RetrieveContents([spec])
    assert found.obj == datacenter and found.propSet[0].val == datacenter.name
    view.DestroyView()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        print(view.view)
