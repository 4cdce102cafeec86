"""pyVmomi 9.1.1.0 and httpx as users whose permissions sit below the root folder: as in vCenter,
they see the way down to what they may see (the root folder, datacenters and folders above it:
System.View alone, their children only those they see), so the usual container view on the root
folder and FindByInventoryPath work for them, while every other privilege on those ancestors is
refused."""

import json

import pytest
from pyVmomi import vim, vmodl

from helpers import vapi_rpc, vcenter_session

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

PC = vmodl.query.PropertyCollector
Permission = vim.AuthorizationManager.Permission
READ_ONLY, NO_ACCESS = -2, -5
USER_1, USER_2 = "VSPHERE.LOCAL\\USER_1", "VSPHERE.LOCAL\\USER_2"
IMPLIED = ["System.Anonymous", "System.View", "System.Read", "Folder.Create"]
TWO_DATACENTERS = """\
inventory:
  datacenters:
    - name: east
      clusters: [{name: east-1, hosts: [{name: "e-{h}.lab", count: 2, vms: [{count: 3}]}]}]
    - name: west
      clusters: [{name: west-1, hosts: [{name: "w-{h}.lab", vms: [{count: 2}]}]}]
"""


@pytest.fixture
def two_datacenters(scenario):
    assert scenario(TWO_DATACENTERS).status_code == 200


def grant(si, entity, principal, role_id, propagate=True):
    si.content.authorizationManager.SetEntityPermissions(
        entity, [Permission(principal=principal, group=False, roleId=role_id, propagate=propagate)]
    )


def vms_through_view(si):
    """The VMs a container view on the root folder lists, by id."""
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        return {vm._moId for vm in view.view}
    finally:
        view.DestroyView()


def vms_through_traversal(si):
    """The VMs a PropertyCollector finds walking down from the root folder, by id."""
    folders = PC.TraversalSpec(name="folders", type=vim.Folder, path="childEntity", skip=False)
    to_vms = PC.TraversalSpec(name="vms", type=vim.Datacenter, path="vmFolder", skip=False)
    folders.selectSet = [PC.SelectionSpec(name="folders"), PC.SelectionSpec(name="vms")]
    to_vms.selectSet = [PC.SelectionSpec(name="folders")]
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=si.content.rootFolder, skip=False, selectSet=[folders, to_vms])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])],
    )
    return spec, {o.obj._moId for o in si.content.propertyCollector.RetrieveContents([spec])}


def inventory_path(vm):
    """A VM's inventory path (``Datacenter/vm/folder/name``), read by the administrator."""
    names, at = [vm.name], vm.parent
    while not isinstance(at, vim.Datacenter):
        names.append(at.name)
        at = at.parent
    return "/".join([at.name, *reversed(names)]), at


def privileges_on(si, entity, user):
    [answer] = si.content.authorizationManager.HasUserPrivilegeOnEntities([entity], user, IMPLIED)
    return {a.privId for a in answer.privAvailability if a.isGranted}


def test_read_only_on_a_datacenter_sees_the_way_down(two_datacenters, connect, vc):
    admin = connect()
    datacenter = next(d for d in admin.content.rootFolder.childEntity if d.name == "west")
    everything = vms_through_view(admin)
    mine = {v["vm"] for v in vc.get("/api/vcenter/vm", params={"datacenters": datacenter._moId}).json()}
    assert len(mine) == 2 and len(everything) == 8
    grant(admin, datacenter, USER_1, READ_ONLY)

    user = connect(user="USER_1@vsphere.local")
    root = user.content.rootFolder
    assert root.name == admin.content.rootFolder.name
    assert [d._moId for d in root.childEntity] == [datacenter._moId]
    assert vms_through_view(user) == mine
    spec, found = vms_through_traversal(user)
    assert found == mine
    collector = user.content.propertyCollector.CreatePropertyCollector()
    collector.CreateFilter(spec, False)
    update = collector.WaitForUpdatesEx("", PC.WaitOptions())
    assert {o.obj._moId for o in update.filterSet[0].objectSet} == mine

    vm_id = min(mine)
    path, _ = inventory_path(vim.VirtualMachine(vm_id, admin._stub))
    assert user.content.searchIndex.FindByInventoryPath(path)._moId == vm_id
    assert privileges_on(admin, admin.content.rootFolder, USER_1) == {"System.Anonymous", "System.View"}
    assert privileges_on(admin, datacenter, USER_1) == {"System.Anonymous", "System.View", "System.Read"}


def test_a_permission_on_one_vm_alone(two_datacenters, connect, vc, server):
    admin = connect()
    vm_id = vc.get("/api/vcenter/vm").json()[-1]["vm"]
    vm = vim.VirtualMachine(vm_id, admin._stub)
    path, datacenter = inventory_path(vm)
    grant(admin, vm, USER_2, READ_ONLY, propagate=False)

    user = connect(user="USER_2@vsphere.local")
    theirs = user.content.searchIndex.FindByInventoryPath(path)
    assert theirs is not None and theirs._moId == vm_id
    assert vms_through_view(user) == {vm_id}
    assert vms_through_traversal(user)[1] == {vm_id}
    assert [d._moId for d in user.content.rootFolder.childEntity] == [datacenter._moId]
    their_datacenter = vim.Datacenter(datacenter._moId, user._stub)
    assert their_datacenter.name == datacenter.name
    assert vm.parent == datacenter.vmFolder and len(datacenter.vmFolder.childEntity) > 1
    assert [c._moId for c in their_datacenter.vmFolder.childEntity] == [vm_id]

    with pytest.raises(vim.fault.NoPermission) as caught:
        their_datacenter.vmFolder.CreateFolder("not mine")
    assert caught.value.privilegeId == "Folder.Create"
    with pytest.raises(vim.fault.NoPermission) as caught:
        their_datacenter.Rename_Task("not mine either")
    assert caught.value.privilegeId == "Datacenter.Rename"
    assert datacenter.name != "not mine either"
    key = user.content.sessionManager.currentSession.key
    [answer] = admin.content.authorizationManager.HasPrivilegeOnEntities([datacenter], key, IMPLIED)
    assert {a.privId for a in answer.privAvailability if a.isGranted} == {"System.Anonymous", "System.View"}
    theirs_manager = user.content.authorizationManager
    assert [p.entity._moId for p in theirs_manager.RetrieveAllPermissions()] == [vm_id]
    with pytest.raises(vim.fault.NoPermission) as caught:  # an ancestor's permissions take System.Read
        theirs_manager.RetrieveEntityPermissions(their_datacenter, True)
    assert caught.value.privilegeId == "System.Read"
    hosts = admin.content.viewManager.CreateContainerView(admin.content.rootFolder, [vim.HostSystem], True)
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):  # not on the way down: not there for them
        print(vim.HostSystem(hosts.view[0]._moId, user._stub).name)

    session = vcenter_session(server, "USER_2@vsphere.local")
    with server.client(headers={"vmware-api-session-id": session}) as rest:
        assert [v["vm"] for v in rest.get("/api/vcenter/vm").json()] == [vm_id]
        listed = rest.get("/api/vcenter/datacenter").json()
        assert [(d["datacenter"], d["name"]) for d in listed] == [(datacenter._moId, datacenter.name)]
        assert rest.get("/api/vcenter/host").json() == []
        folders = {f["folder"] for f in rest.get("/api/vcenter/folder").json()}
        assert folders == {admin.content.rootFolder._moId, datacenter.vmFolder._moId}
        assert rest.get(f"/api/vcenter/datacenter/{datacenter._moId}").status_code == 403
        assert rest.get(f"/api/vcenter/vm/{vm_id}").status_code == 200
        legacy = rest.get("/rest/vcenter/datacenter").json()["value"]  # the legacy face agrees
        assert [d["datacenter"] for d in legacy] == [datacenter._moId]
        assert [v["vm"] for v in rest.get("/rest/vcenter/vm").json()["value"]] == [vm_id]
        rest.session_id = session
        listed = vapi_rpc(rest, "com.vmware.vcenter.datacenter", "list", {"filter": None})["output"]
        assert [json.dumps(d).count(datacenter._moId) for d in listed] == [1]  # so does JSON-RPC


def test_no_access_on_an_ancestor_still_shows_the_way_down(connect, vc):
    admin = connect()
    vm_id = vc.get("/api/vcenter/vm").json()[0]["vm"]
    vm = vim.VirtualMachine(vm_id, admin._stub)
    path, datacenter = inventory_path(vm)
    grant(admin, datacenter, USER_1, NO_ACCESS)
    grant(admin, vm, USER_1, READ_ONLY)

    user = connect(user="USER_1@vsphere.local")
    assert user.content.searchIndex.FindByInventoryPath(path)._moId == vm_id
    assert vms_through_view(user) == {vm_id}
    assert privileges_on(admin, datacenter, USER_1) == {"System.Anonymous", "System.View"}


def test_a_folder_hidden_by_its_own_permission_alone_is_still_the_way_down(connect, vc):
    admin = connect()
    datacenter = admin.content.rootFolder.childEntity[0]
    mine = {v["vm"] for v in vc.get("/api/vcenter/vm", params={"datacenters": datacenter._moId}).json()}
    grant(admin, datacenter, USER_1, READ_ONLY)
    grant(admin, datacenter.vmFolder, USER_1, NO_ACCESS, propagate=False)  # the folder, not its VMs

    user = connect(user="USER_1@vsphere.local")
    assert vms_through_traversal(user)[1] == mine
    assert privileges_on(admin, datacenter.vmFolder, USER_1) == {"System.Anonymous", "System.View"}
