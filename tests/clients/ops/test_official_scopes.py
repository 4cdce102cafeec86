"""The official client (``vcf-operations`` 9.1.1.0) on object scopes and a role permission limited
to one: a scope made, read, changed and deleted; ReadOnly given on it to a user, who then lists
only the scope's resources through the client, and is refused one outside it."""

import pytest
from vcf.operations.api.auth.users_client import Permissions as UserPermissions
from vcf.operations.api.auth_client import Scopes, Users
from vcf.operations.api_client import Resources
from vcf.operations.model_client import (
    ResourceSelection,
    RolePermission,
    Scope,
    TraversalSpecInstance,
    User,
    UuidValues,
)
from vmware.vapi.bindings.error import UnresolvedError

PASSWORD = "Sc0ped!Pass2026"


def instance(*ids, kind=ResourceSelection.TYPE_SPECIFIC):
    return TraversalSpecInstance(
        adapter_kind="VMWARE",
        resource_kind="vSphere World",
        name="vSphere Hosts and Clusters",
        resource_selection=[ResourceSelection(type=kind, resource_id=list(ids))],
        select_all_resources=False,
    )


def test_a_scope_and_a_scoped_permission_through_the_client(connect):
    _, config = connect()
    vms = sorted(
        r.identifier for r in Resources(config).get_resources(resource_kind=["VirtualMachine"]).resource_list
    )
    scopes = Scopes(config)
    made = scopes.create_scope(
        Scope(name="Client scope", description="one VM", traversal_spec_instances=[instance(vms[0])])
    )
    assert made.id and made.name == "Client scope"
    assert made.traversal_spec_instances[0].resource_selection[0].resource_id == [vms[0]]
    read = scopes.get_scope(made.id)
    assert read.name == "Client scope" and read.creation_time > 0 and read.created_by
    assert [s.id for s in scopes.get_all_object_scopes().scopes_details] == [made.id]

    user = Users(config).create_user(User(username="clientscoped", password=PASSWORD))
    given = UserPermissions(config).assign_role_permission_to_user(
        user.id, RolePermission(role_name="ReadOnly", scope_id=made.id, allow_all_objects=False)
    )
    assert [(p.role_name, p.scope_id, p.allow_all_objects) for p in given.permissions] == [
        ("ReadOnly", made.id, False)
    ]
    _, as_user = connect("clientscoped", PASSWORD)
    seen = Resources(as_user).get_resources().resource_list
    assert [r.identifier for r in seen] == [vms[0]]
    with pytest.raises(UnresolvedError):
        Resources(as_user).get_resource(vms[1])

    changed = scopes.modify_scope(
        Scope(id=made.id, name="Client scope", traversal_spec_instances=[instance(vms[1])])
    )
    assert changed.traversal_spec_instances[0].resource_selection[0].resource_id == [vms[1]]
    assert [r.identifier for r in Resources(as_user).get_resources().resource_list] == [vms[1]]

    scopes.delete_scopes(UuidValues(uuids={made.id}))
    assert scopes.get_all_object_scopes().scopes_details in (None, [])
    assert UserPermissions(config).get_assigned_role_permissions_for_user(user.id).permissions in (None, [])
