"""The official client (``vcf-operations`` 9.1.1.0) on the auth section: versions, the current
user, roles and privileges, users made and removed, and acquisition from an auth source."""

import pytest
from vcf.operations.api.auth_client import Currentuser, Privileges, Roles, Sources, Usergroups, Users
from vcf.operations.api_client import Versions
from vcf.operations.model_client import User, UserRole
from vmware.vapi.bindings.error import UnresolvedError


def test_reads(connect):
    _, config = connect()
    assert Versions(config).get_supported_application_versions().values[0].major == 9
    me = Currentuser(config).get_current_user()
    assert me.username == "administrator" and me.role_names == ["Administrator"]
    roles = {r.name: r for r in Roles(config).get_roles().user_roles}
    assert roles["ReadOnly"].privilege_keys == ["ViewEnvironment"]
    assert Roles(config).get_role_by_name("PowerUser").name == "PowerUser"
    keys = {p.key for p in Privileges(config).get_available_privileges().privileges}
    assert {"ViewEnvironment", "ManageUsers"} <= keys
    users = {u.username for u in Users(config).get_users().users}
    assert {"administrator", "operator", "viewer"} <= users
    groups = {g.name for g in Usergroups(config).get_user_groups().user_groups}
    assert "group_1" in groups
    (local, *_) = Sources(config).get_auth_sources().sources
    assert local.source_type.id == "LOCAL"


def test_a_user_and_a_role_made_through_the_client(connect):
    _, config = connect()
    Roles(config).create_user_role(UserRole(name="Watcher", privilege_keys=["ViewEnvironment"]))
    made = Users(config).create_user(
        User(username="watcher", password="Watch!Word2026", role_names=["Watcher"])
    )
    assert made.id and made.role_names == ["Watcher"]
    token, _ = connect("watcher", "Watch!Word2026")
    assert token.roles == ["Watcher"]
    via_source, _ = connect("watcher", "Watch!Word2026", auth_source="Local")
    assert via_source.token and via_source.token != token.token
    Users(config).delete_user(made.id)
    with pytest.raises(UnresolvedError):
        connect("watcher", "Watch!Word2026")
    Roles(config).delete_user_role("Watcher")
    assert "Watcher" not in {r.name for r in Roles(config).get_roles().user_roles}
