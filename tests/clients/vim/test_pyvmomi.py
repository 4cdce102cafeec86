"""pyVmomi 9.1.1.0 (vcf-sdk), unmodified, over HTTPS with the server's certificate: SmartConnect,
the service content, the inventory through container views, PropertyCollector traversals with
paging, the search index, and sessions."""

import time

import pytest
from pyVim.connect import Disconnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

pytestmark = pytest.mark.every_backend  # see tests/conftest.py


def test_connect_and_about(connect, vc):
    si = connect()
    about = si.content.about
    assert about.apiType == "VirtualCenter"
    assert about.apiVersion == "9.1.1.0"
    assert si._stub.version == "vim.version.v9_1_1_0"  # the newest version both sides know
    # The vCenter's id: what REST qualifies its messages with (vm-N:<instance uuid>)
    r = vc.get("/api/vcenter/vm/vm-999999")
    assert r.status_code == 404
    assert about.instanceUuid in str(r.json())
    session = si.content.sessionManager.currentSession
    assert session.userName == "VSPHERE.LOCAL\\administrator"
    assert session.loginTime <= si.CurrentTime()
    Disconnect(si)


def test_wrong_password(connect):
    with pytest.raises(vim.fault.InvalidLogin):
        connect(password="wrong")


def test_session_reuse_and_logout(connect, server):
    si = connect()
    session_id = si._stub.GetSessionId()
    assert session_id
    again = connect(user=None, password=None, sessionId=session_id)
    assert again.content.sessionManager.currentSession.key == si.content.sessionManager.currentSession.key
    si.content.sessionManager.Logout()
    with pytest.raises(vim.fault.NotAuthenticated):
        print(again.content.rootFolder.name)
    with pytest.raises(vim.fault.NotAuthenticated):
        print(si.content.sessionManager.currentSession)


def test_unknown_object_and_property(connect):
    si = connect()
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        print(vim.VirtualMachine("vm-999999", si._stub).name)
    folder = si.content.rootFolder
    assert folder.name == "Datacenters"
    assert folder.parent is None


PC = vmodl.query.PropertyCollector
POWER = {"poweredOn": "POWERED_ON", "poweredOff": "POWERED_OFF", "suspended": "SUSPENDED"}


def view_spec(view, type_, paths):
    traversal = PC.TraversalSpec(name="view", type=vim.view.ContainerView, path="view", skip=False)
    return PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
        propSet=[PC.PropertySpec(type=type_, pathSet=paths)],
    )


def collect(pc, spec, page):
    """Every ObjectContent of a spec, page by page; and the number of pages."""
    result = pc.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=page))
    found, pages = list(result.objects), 1
    while result.token:
        result = pc.ContinueRetrievePropertiesEx(result.token)
        found += result.objects
        pages += 1
    return found, pages


def test_container_view_lists_every_vm_as_rest_does(connect, vc):
    si = connect()
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    paths = ["name", "runtime.powerState", "summary.config.numCpu", "config.hardware.memoryMB"]
    found, pages = collect(content.propertyCollector, view_spec(view, vim.VirtualMachine, paths), 3)
    listed = {
        o.obj._moId: (
            props["name"],
            POWER[props["runtime.powerState"]],
            props["summary.config.numCpu"],
            props["config.hardware.memoryMB"],
        )
        for o in found
        for props in [{p.name: p.val for p in o.propSet}]
    }
    rest = {
        v["vm"]: (v["name"], v["power_state"], v["cpu_count"], v["memory_size_MiB"])
        for v in vc.get("/api/vcenter/vm").json()
    }
    assert listed == rest
    assert pages == -(-len(rest) // 3)
    assert all(isinstance(o.obj, vim.VirtualMachine) for o in found)
    # the view itself, read as a property
    assert sorted(v._moId for v in view.view) == sorted(rest)
    view.DestroyView()


def test_container_view_of_several_types_not_recursive(connect, vc):
    si = connect()
    content = si.content
    datacenter = content.rootFolder.childEntity[0]
    view = content.viewManager.CreateContainerView(datacenter.hostFolder, [vim.ComputeResource], False)
    clusters = {c.name for c in view.view}
    assert clusters == {c["name"] for c in vc.get("/api/vcenter/cluster").json()}
    assert all(isinstance(c, vim.ClusterComputeResource) for c in view.view)


def test_traversal_from_the_root_with_paging(connect, vc):
    si = connect()
    content = si.content
    # the classic "everything under the root folder" traversal, recursive through named specs
    to_folder = PC.SelectionSpec(name="folderTraversal")
    folder = PC.TraversalSpec(
        name="folderTraversal",
        type=vim.Folder,
        path="childEntity",
        skip=False,
        selectSet=[to_folder, PC.SelectionSpec(name="dcToVm"), PC.SelectionSpec(name="dcToHost")],
    )
    dc_vm = PC.TraversalSpec(
        name="dcToVm", type=vim.Datacenter, path="vmFolder", skip=False, selectSet=[to_folder]
    )
    dc_host = PC.TraversalSpec(
        name="dcToHost", type=vim.Datacenter, path="hostFolder", skip=False, selectSet=[to_folder]
    )
    cluster_host = PC.TraversalSpec(name="crToHost", type=vim.ComputeResource, path="host", skip=False)
    folder.selectSet.append(PC.SelectionSpec(name="crToHost"))
    spec = PC.FilterSpec(
        objectSet=[
            PC.ObjectSpec(
                obj=content.rootFolder, skip=False, selectSet=[folder, dc_vm, dc_host, cluster_host]
            )
        ],
        propSet=[
            PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name", "runtime.host"]),
            PC.PropertySpec(type=vim.HostSystem, pathSet=["name"]),
            PC.PropertySpec(type=vim.Datacenter, all=True),
        ],
    )
    found, pages = collect(content.propertyCollector, spec, 2)
    assert pages > 1
    by_type = {}
    for o in found:
        by_type.setdefault(type(o.obj).__name__, []).append(o)
    vms = {o.obj._moId: {p.name: p.val for p in o.propSet} for o in by_type["vim.VirtualMachine"]}
    assert set(vms) == {v["vm"] for v in vc.get("/api/vcenter/vm").json()}
    hosts = {o.obj._moId for o in by_type["vim.HostSystem"]}
    assert hosts == {h["host"] for h in vc.get("/api/vcenter/host").json()}
    assert all(v["runtime.host"]._moId in hosts for v in vms.values())
    (datacenter,) = by_type["vim.Datacenter"]
    props = {p.name: p.val for p in datacenter.propSet}
    assert {"name", "vmFolder", "hostFolder", "datastoreFolder", "networkFolder", "parent"} <= set(props)
    assert len(found) == len({(type(o.obj), o.obj._moId) for o in found})  # each object once
    # RetrieveProperties (no paging): the same objects
    assert len(content.propertyCollector.RetrieveContents([spec])) == len(found)


def test_invalid_property_and_token(connect):
    si = connect()
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    with pytest.raises(vmodl.query.InvalidProperty) as caught:
        content.propertyCollector.RetrievePropertiesEx(
            [view_spec(view, vim.VirtualMachine, ["nope"])], PC.RetrieveOptions()
        )
    assert caught.value.name == "nope"
    with pytest.raises(vmodl.fault.InvalidArgument):
        content.propertyCollector.ContinueRetrievePropertiesEx("not-a-token")


def test_search_index(connect, vc):
    si = connect()
    index = si.content.searchIndex
    datacenter = si.content.rootFolder.childEntity[0]
    vm = datacenter.vmFolder.childEntity[0]
    assert index.FindByInventoryPath(f"{datacenter.name}/vm/{vm.name}") == vm
    assert index.FindByInventoryPath(f"{datacenter.name}/vm/no-such-vm") is None
    assert index.FindChild(datacenter.vmFolder, vm.name) == vm
    assert index.FindByUuid(None, vm.config.instanceUuid, True, True) == vm
    assert index.FindByUuid(datacenter, vm.config.instanceUuid, True, True) == vm
    assert index.FindByUuid(None, "00000000-0000-0000-0000-000000000000", True, True) is None
    host = vc.get("/api/vcenter/host").json()[0]
    found = index.FindByDnsName(None, host["name"], False)
    assert found._moId == host["host"] and found.name == host["name"]
    cluster = datacenter.hostFolder.childEntity[0]
    assert index.FindByInventoryPath(f"{datacenter.name}/host/{cluster.name}/{host['name']}") == found


def test_power_off_and_on_as_tasks(connect, vc):
    si = connect()
    vm_id = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_ON")
    vm = vim.VirtualMachine(vm_id, si._stub)
    task = vm.PowerOffVM_Task()
    assert WaitForTask(task, si=si) == "success"
    info = task.info
    assert info.name.info.name == "PowerOff" and info.descriptionId == "VirtualMachine.powerOff"
    assert info.entity == vm and info.entityName == vm.name
    assert info.reason.userName == "administrator"
    assert task in si.content.taskManager.recentTask
    assert vm.runtime.powerState == "poweredOff"
    assert vc.get(f"/api/vcenter/vm/{vm_id}/power").json()["state"] == "POWERED_OFF"  # one world
    # a change the state does not allow: the task ends in InvalidPowerState, nothing changes
    with pytest.raises(vim.fault.InvalidPowerState) as caught:
        WaitForTask(vm.PowerOffVM_Task(), si=si)
    assert caught.value.existingState == "poweredOff"
    assert task.info.state == "success"
    assert vm.PowerOnVM_Task().info.state == "success"
    assert vc.get(f"/api/vcenter/vm/{vm_id}/power").json()["state"] == "POWERED_ON"


def test_a_viewer_may_not_power_off(connect, vc):
    vm_id = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_ON")
    viewer = connect(user="viewer@vsphere.local")
    vm = vim.VirtualMachine(vm_id, viewer._stub)
    assert vm.name  # a viewer sees it
    with pytest.raises(vim.fault.NoPermission) as caught:
        vm.PowerOffVM_Task()
    assert caught.value.privilegeId == "VirtualMachine.Interact.PowerOff"
    assert caught.value.object == vm
    assert vc.get(f"/api/vcenter/vm/{vm_id}/power").json()["state"] == "POWERED_ON"
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vim.VirtualMachine("vm-999999", viewer._stub).PowerOnVM_Task()


def test_wait_for_updates_of_a_filter(connect, vc):
    si = connect()
    pc = si.content.propertyCollector
    vm_id = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_ON")
    vm = vim.VirtualMachine(vm_id, si._stub)
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=vm)],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name", "runtime.powerState"])],
    )
    made = pc.CreateFilter(spec, True)
    assert pc.filter == [made]
    assert made.spec.propSet[0].pathSet == ["name", "runtime.powerState"]
    first = pc.WaitForUpdatesEx("", PC.WaitOptions())
    (update,) = first.filterSet
    assert update.filter == made
    (entered,) = update.objectSet
    assert entered.kind == "enter" and entered.obj == vm
    assert {c.name: c.val for c in entered.changeSet} == {"name": vm.name, "runtime.powerState": "poweredOn"}
    # nothing changed: no answer once the wait is over
    assert pc.WaitForUpdatesEx(first.version, PC.WaitOptions(maxWaitSeconds=0)) is None
    assert pc.CheckForUpdates(first.version) is None
    # a change made over REST is the next update
    assert vc.post(f"/api/vcenter/vm/{vm_id}/power", params={"action": "stop"}).status_code == 204
    changed = pc.WaitForUpdatesEx(first.version, PC.WaitOptions(maxWaitSeconds=10))
    assert changed.version != first.version
    (modified,) = changed.filterSet[0].objectSet
    assert modified.kind == "modify"
    assert {c.name: c.val for c in modified.changeSet}["runtime.powerState"] == "poweredOff"
    made.DestroyPropertyFilter()
    assert pc.filter == []
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        made.DestroyPropertyFilter()


def test_two_servers_share_sessions_views_and_filters(shared_servers):
    """Two servers over one PostgreSQL database (as two machines, or workers): a SOAP session, a
    container view and a filter made on one are the other's; a sign-out on one ends it on both."""
    on_a, join_b = shared_servers
    content = on_a.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    made = content.propertyCollector.CreateFilter(
        PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=content.rootFolder)],
            propSet=[PC.PropertySpec(type=vim.Folder, pathSet=["name"])],
        ),
        False,
    )
    on_b = join_b()
    assert on_b.content.sessionManager.currentSession.userName == "VSPHERE.LOCAL\\administrator"
    assert len(vim.view.ContainerView(view._moId, on_b._stub).view) == 8
    assert on_b.content.propertyCollector.filter == [made]
    on_b.content.sessionManager.Logout()
    deadline = time.monotonic() + 10  # a notification is not instant
    with pytest.raises(vim.fault.NotAuthenticated):
        while time.monotonic() < deadline:
            print(content.rootFolder.name)
            time.sleep(0.05)


def test_roles_and_privileges_are_the_rest_ones(connect, vc):
    manager = connect().content.authorizationManager
    roles = {r.roleId: r for r in manager.roleList}
    rest = vc.get("/api/vcenter/authorization/roles").json()["items"]
    assert set(roles) == {int(r["role"]) for r in rest}
    for r in rest:
        role = roles[int(r["role"])]
        assert (role.name, role.system) == (r["info"]["name"], r["info"]["system"])
        assert set(role.privilege) == set(r["info"]["privileges"])
    assert roles[-1].name == "Admin" and roles[-2].name == "ReadOnly"
    privileges = {p.privId: p for p in manager.privilegeList}
    assert len(privileges) == 520
    power_off = privileges["VirtualMachine.Interact.PowerOff"]
    assert (power_off.name, power_off.privGroupName) == ("PowerOff", "VirtualMachine.Interact")


def test_permissions_are_the_rest_ones(connect, vc):
    si = connect()
    manager = si.content.authorizationManager
    every = manager.RetrieveAllPermissions()
    rest = vc.post("/api/vcenter/authorization/permissions", params={"action": "list"}).json()["items"]
    assert len(every) == len(rest)
    on_root = {
        (p.principal, p.roleId, p.propagate, p.group)
        for p in manager.RetrieveEntityPermissions(si.content.rootFolder, False)
    }
    assert ("VSPHERE.LOCAL\\viewer", -2, True, False) in on_root
    assert ("VSPHERE.LOCAL\\administrator", -1, True, False) in on_root
    vm = si.content.rootFolder.childEntity[0].vmFolder.childEntity[0]
    assert manager.RetrieveEntityPermissions(vm, False) == []
    inherited = manager.RetrieveEntityPermissions(vm, True)
    assert {(p.principal, p.roleId) for p in inherited} >= {("VSPHERE.LOCAL\\viewer", -2)}
    assert all(p.entity == si.content.rootFolder for p in inherited)


def test_session_list_is_active_and_terminate(connect):
    first, second = connect(), connect()
    manager = first.content.sessionManager
    own, other = manager.currentSession.key, second.content.sessionManager.currentSession.key
    assert {own, other} <= {s.key for s in manager.sessionList}
    assert manager.SessionIsActive(other, "administrator@vsphere.local") is True
    assert manager.SessionIsActive(other, "viewer@vsphere.local") is False
    viewer = connect(user="viewer@vsphere.local")
    assert [s.key for s in viewer.content.sessionManager.sessionList] == [
        viewer.content.sessionManager.currentSession.key
    ]
    with pytest.raises(vim.fault.NoPermission):
        viewer.content.sessionManager.TerminateSession([other])
    with pytest.raises(vmodl.fault.InvalidArgument):
        manager.TerminateSession([own])
    manager.TerminateSession([other])
    with pytest.raises(vim.fault.NotAuthenticated):
        print(second.content.rootFolder.name)
    assert manager.SessionIsActive(other, "administrator@vsphere.local") is False
    with pytest.raises(vim.fault.NotFound):
        manager.TerminateSession([other])


def test_destroy_a_vm(connect, vc):
    si = connect()
    listed = vc.get("/api/vcenter/vm").json()
    off = next(v["vm"] for v in listed if v["power_state"] == "POWERED_OFF")
    on = next(v["vm"] for v in listed if v["power_state"] == "POWERED_ON")
    with pytest.raises(vim.fault.InvalidPowerState):
        WaitForTask(vim.VirtualMachine(on, si._stub).Destroy_Task(), si=si)
    assert vc.get(f"/api/vcenter/vm/{on}").status_code == 200
    task = vim.VirtualMachine(off, si._stub).Destroy_Task()
    assert WaitForTask(task, si=si) == "success"
    assert task.info.descriptionId == "VirtualMachine.destroy"
    assert vc.get(f"/api/vcenter/vm/{off}").status_code == 404
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        print(vim.VirtualMachine(off, si._stub).name)
