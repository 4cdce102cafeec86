"""pyVmomi 9.1.1.0 writing roles and permissions through the AuthorizationManager, and asking what a
session or a user holds: the same roles and permissions the REST authorization API shows, enforced
at once (a role limited to power-on powers a VM on, and nothing else)."""

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

Permission = vim.AuthorizationManager.Permission
POWER_ON, POWER_OFF = "VirtualMachine.Interact.PowerOn", "VirtualMachine.Interact.PowerOff"
USER = "VSPHERE.LOCAL\\USER_1"


def rest_role(vc, role_id):
    return vc.get(f"/api/vcenter/authorization/roles/{role_id}")


def rest_permissions(vc, **spec):
    r = vc.post("/api/vcenter/authorization/permissions", params={"action": "list"}, json={"filter": spec})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_roles_written_by_soap_are_the_rest_ones(connect, vc):
    manager = connect().content.authorizationManager
    role_id = manager.AddAuthorizationRole("Power switch", [POWER_ON])
    assert role_id > 1000
    info = rest_role(vc, role_id).json()
    assert info["name"] == "Power switch" and not info["system"]
    assert set(info["privileges"]) == {POWER_ON, "System.Anonymous", "System.Read", "System.View"}
    assert next(r for r in manager.roleList if r.roleId == role_id).name == "Power switch"
    manager.UpdateAuthorizationRole(role_id, "Power switches", [POWER_ON, POWER_OFF])
    info = rest_role(vc, role_id).json()
    assert info["name"] == "Power switches" and {POWER_ON, POWER_OFF} <= set(info["privileges"])

    with pytest.raises(vim.fault.AlreadyExists) as caught:
        manager.AddAuthorizationRole("Power switches", [])
    assert caught.value.name == "Power switches"
    with pytest.raises(vmodl.fault.InvalidArgument) as caught:
        manager.AddAuthorizationRole("Odd", ["No.Such.Privilege"])
    assert caught.value.invalidProperty == "privIds"
    with pytest.raises(vim.fault.InvalidName):
        manager.AddAuthorizationRole(" ", [])
    with pytest.raises(vim.fault.InvalidName):
        manager.AddAuthorizationRole("x" * 256, [])
    with pytest.raises(vmodl.fault.InvalidArgument):
        manager.UpdateAuthorizationRole(-2, "ReadOnly", [POWER_ON])  # a system role
    with pytest.raises(vim.fault.NotFound):
        manager.UpdateAuthorizationRole(999999, "Gone", [])
    with pytest.raises(vim.fault.NotFound):
        manager.RetrieveRolePermissions(999999)

    viewer = connect(user="viewer@vsphere.local").content.authorizationManager
    with pytest.raises(vim.fault.NoPermission) as caught:
        viewer.AddAuthorizationRole("Mine", [])
    assert caught.value.privilegeId == "Authorization.ModifyRoles"
    with pytest.raises(vim.fault.NoPermission):
        viewer.RemoveAuthorizationRole(role_id, False)
    manager.RemoveAuthorizationRole(role_id, True)  # unused
    assert rest_role(vc, role_id).status_code == 404


def test_entity_permissions_are_enforced_and_shown_in_rest(connect, vc):
    si = connect()
    manager = si.content.authorizationManager
    off = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_OFF")
    vm = vim.VirtualMachine(off, si._stub)
    role_id = manager.AddAuthorizationRole("Power on only", [POWER_ON])
    user = connect(user="USER_1@vsphere.local")
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):  # no permission: not there for them
        print(vim.VirtualMachine(off, user._stub).name)

    manager.SetEntityPermissions(
        vm, [Permission(principal=USER, group=False, roleId=role_id, propagate=True)]
    )
    [rest] = rest_permissions(vc, objects=[{"type": "VirtualMachine", "id": off}])
    assert rest["info"]["principal"] == {"type": "USER", "name": "USER_1", "domain": "vsphere.local"}
    assert rest["info"]["role"] == str(role_id)
    [back] = manager.RetrieveEntityPermissions(vm, False)
    assert (back.principal, back.roleId, back.entity) == (USER, role_id, vm)
    assert [p.entity for p in manager.RetrieveRolePermissions(role_id)] == [vm]

    theirs = vim.VirtualMachine(off, user._stub)
    with pytest.raises(vim.fault.NoPermission) as caught:
        theirs.PowerOffVM_Task()
    assert caught.value.privilegeId == POWER_OFF
    assert WaitForTask(theirs.PowerOnVM_Task(), si=user) == "success"
    assert vc.get(f"/api/vcenter/vm/{off}/power").json()["state"] == "POWERED_ON"

    key = user.content.sessionManager.currentSession.key
    assert manager.HasPrivilegeOnEntity(vm, key, [POWER_ON, POWER_OFF]) == [True, False]
    [answer] = manager.HasPrivilegeOnEntities([vm], key, [POWER_ON, POWER_OFF])
    assert answer.entity == vm
    assert [(a.privId, a.isGranted) for a in answer.privAvailability] == [
        (POWER_ON, True),
        (POWER_OFF, False),
    ]
    [answer] = manager.HasUserPrivilegeOnEntities([si.content.rootFolder], "USER_1@vsphere.local", [POWER_ON])
    assert not answer.privAvailability[0].isGranted  # the permission sits below the root
    [fetched] = manager.FetchUserPrivilegeOnEntities([vm], USER)
    assert {POWER_ON, "System.View"} <= set(fetched.privileges) and POWER_OFF not in fetched.privileges
    with pytest.raises(vmodl.fault.InvalidArgument):
        manager.FetchUserPrivilegeOnEntities([vm], "nobody@vsphere.local")
    with pytest.raises(vmodl.fault.InvalidArgument):
        manager.HasPrivilegeOnEntity(vm, "no-such-session", [POWER_ON])

    with pytest.raises(vim.fault.RemoveFailed):
        manager.RemoveAuthorizationRole(role_id, True)
    manager.RemoveEntityPermission(vm, USER, False)
    assert rest_permissions(vc, objects=[{"type": "VirtualMachine", "id": off}]) == []
    with pytest.raises(vim.fault.NotFound):
        manager.RemoveEntityPermission(vm, USER, False)
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        theirs.PowerOffVM_Task()  # their permission is gone at once: they see the VM no more

    manager.SetEntityPermissions(
        vm, [Permission(principal=USER, group=False, roleId=role_id, propagate=True)]
    )
    manager.RemoveAuthorizationRole(role_id, False)  # its permissions go with it
    assert rest_role(vc, role_id).status_code == 404
    assert rest_permissions(vc, objects=[{"type": "VirtualMachine", "id": off}]) == []


def test_reset_merge_and_their_faults(connect, vc):
    si = connect()
    manager = si.content.authorizationManager
    root = si.content.rootFolder
    folder = root.childEntity[0].vmFolder
    group = Permission(principal="VSPHERE.LOCAL\\group_1", group=True, roleId=-2, propagate=False)
    with pytest.raises(vim.fault.UserNotFound) as caught:
        manager.SetEntityPermissions(
            folder, [Permission(principal="VSPHERE.LOCAL\\nobody", group=False, roleId=-2, propagate=True)]
        )
    assert caught.value.principal == "VSPHERE.LOCAL\\nobody"
    with pytest.raises(vim.fault.NotFound):
        manager.SetEntityPermissions(
            folder, [Permission(principal=USER, group=False, roleId=424242, propagate=True)]
        )
    with pytest.raises(vim.fault.AuthMinimumAdminPermission):
        manager.ResetEntityPermissions(root, [group])
    assert {p.roleId for p in manager.RetrieveEntityPermissions(root, False)} >= {-1}  # nothing changed
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        manager.SetEntityPermissions(vim.Folder("group-v999999", si._stub), [group])

    role_id = manager.AddAuthorizationRole("To merge", [POWER_ON])
    manager.SetEntityPermissions(
        folder,
        [group, Permission(principal=USER, group=False, roleId=role_id, propagate=True)],
    )
    manager.ResetEntityPermissions(
        folder, [Permission(principal=USER, group=False, roleId=role_id, propagate=True)]
    )
    [left] = rest_permissions(vc, objects=[{"type": "Folder", "id": folder._moId}])
    assert left["info"]["principal"]["name"] == "USER_1"
    manager.MergePermissions(role_id, -2)
    [left] = rest_permissions(vc, objects=[{"type": "Folder", "id": folder._moId}])
    assert left["info"]["role"] == "-2"
    assert manager.RetrieveRolePermissions(role_id) == []
    with pytest.raises(vmodl.fault.InvalidArgument):
        manager.MergePermissions(-2, -2)
    viewer = connect(user="viewer@vsphere.local").content.authorizationManager
    with pytest.raises(vim.fault.NoPermission) as caught:
        viewer.MergePermissions(role_id, -2)
    assert caught.value.privilegeId == "Authorization.ReassignRolePermissions"
    with pytest.raises(vim.fault.NoPermission) as caught:
        viewer.RemoveEntityPermission(folder, USER, False)
    assert caught.value.privilegeId == "Authorization.ModifyPermissions" and caught.value.object == folder
