"""The official client (``vcf-operations`` 9.1.1.0) on role permissions: given to a user and a
group, read back, held at once by the user's session, taken away; the current user's own; and a
role's privileges added, set and taken; a user's own password changed; the reads around them."""

import pytest
from vcf.operations.api.auth.currentuser.roles_client import Privileges as CurrentRolePrivileges
from vcf.operations.api.auth.currentuser_client import Permissions as CurrentPermissions
from vcf.operations.api.auth.roles_client import Privileges as RolePrivileges
from vcf.operations.api.auth.usergroups_client import Permissions as GroupPermissions
from vcf.operations.api.auth.users_client import Passwordchange
from vcf.operations.api.auth.users_client import Permissions as UserPermissions
from vcf.operations.api.auth_client import (
    Privilegegroups,
    Roles,
    Scopes,
    Sourcetypes,
    Traversalspecs,
    Usergroups,
    Users,
)
from vcf.operations.model_client import PasswordChange, PrivilegeKeys, RolePermission, User, UserRole
from vmware.vapi.bindings.error import UnresolvedError


def test_permissions_through_the_client(connect):
    _, config = connect()
    viewer = next(u for u in Users(config).get_users().users if u.username == "viewer")
    _, as_viewer = connect("viewer@vsphere.local")
    with pytest.raises(UnresolvedError):
        Users(as_viewer).get_users()  # ReadOnly does not manage users
    given = UserPermissions(config).assign_role_permission_to_user(
        viewer.id, RolePermission(role_name="Administrator", allow_all_objects=True)
    )
    assert {p.role_name for p in given.permissions} == {"Administrator", "ReadOnly"}
    assert {u.username for u in Users(as_viewer).get_users().users} >= {"viewer"}  # at once
    mine = CurrentPermissions(as_viewer).get_assigned_role_permissions_for_current_user()
    assert {(p.role_name, p.allow_all_objects) for p in mine.permissions} == {
        ("Administrator", True),
        ("ReadOnly", True),
    }
    keys = {
        p.key
        for p in CurrentRolePrivileges(as_viewer).get_current_user_role_privileges("Administrator").privileges
    }
    assert "ManageUsers" in keys
    UserPermissions(config).unassigned_role_permission_from_user(viewer.id, "Administrator")
    read = UserPermissions(config).get_assigned_role_permissions_for_user(viewer.id)
    assert [p.role_name for p in read.permissions] == ["ReadOnly"]
    with pytest.raises(UnresolvedError):
        Users(as_viewer).get_users()

    group = next(g for g in Usergroups(config).get_user_groups().user_groups if g.name == "group_2")
    GroupPermissions(config).assign_role_permission_to_user_group(
        group.id, RolePermission(role_name="ReadOnly", allow_all_objects=True)
    )
    token, _ = connect("USER_3@vsphere.local")
    assert token.roles == ["ReadOnly"]
    GroupPermissions(config).unassigned_role_permission_from_user_group(group.id, "ReadOnly")
    assert GroupPermissions(config).get_assigned_role_permissions_for_user_group(group.id).permissions in (
        None,
        [],
    )


def test_role_privileges_through_the_client(connect):
    _, config = connect()
    Roles(config).create_user_role(UserRole(name="Alerter", privilege_keys=["ViewEnvironment"]))
    edit = RolePrivileges(config)
    added = edit.add_role_privileges("Alerter", PrivilegeKeys(privilege_key=["ManageAlerts", "ManageAlarms"]))
    assert added.privilege_key == ["ManageAlarms", "ManageAlerts", "ViewEnvironment"]
    left = edit.remove_role_privileges("Alerter", PrivilegeKeys(privilege_key=["ManageAlarms"]))
    assert left.privilege_key == ["ManageAlerts", "ViewEnvironment"]
    assert edit.set_role_privileges(
        "Alerter", PrivilegeKeys(privilege_key=["ViewEnvironment"])
    ).privilege_key == ["ViewEnvironment"]
    assert [p.key for p in edit.get_role_privileges("Alerter").privileges] == ["ViewEnvironment"]


def test_a_password_changed_through_the_client(connect):
    _, config = connect()
    Users(config).create_user(User(username="rotator", password="Rotate!Once2026", role_names=["ReadOnly"]))
    _, as_user = connect("rotator", "Rotate!Once2026")
    with pytest.raises(UnresolvedError):  # the policy holds
        Passwordchange(as_user).change_password(
            PasswordChange(current_password="Rotate!Once2026", new_password="weak")
        )
    Passwordchange(as_user).change_password(
        PasswordChange(current_password="Rotate!Once2026", new_password="Rotate!Twice2026")
    )
    token, _ = connect("rotator", "Rotate!Twice2026")
    assert token.roles == ["ReadOnly"]
    with pytest.raises(UnresolvedError):
        connect("rotator", "Rotate!Once2026")


def test_the_access_reads_through_the_client(connect):
    _, config = connect()
    assert [g.key for g in Privilegegroups(config).get_available_privilege_groups().privilege_groups] == [
        "Operations"
    ]
    assert [t.id for t in Sourcetypes(config).get_auth_source_types().source_types] == [
        "LOCAL",
        "VC",
        "OPEN_LDAP",
        "ACTIVE_DIRECTORY",
    ]
    assert Sourcetypes(config).get_auth_source_type("VC").name == "VC"
    assert Scopes(config).get_all_object_scopes().scopes_details == []
    specs = Traversalspecs(config).get_traversal_specs(name=["vSphere Hosts and Clusters"]).specs
    assert [(s.root_adapter_kind_key, s.root_resource_kind_key) for s in specs] == [
        ("VMWARE", "vSphere World")
    ]
