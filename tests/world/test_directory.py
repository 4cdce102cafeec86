"""The world's LDAP client against a real OpenLDAP slapd (the ``slapd`` fixture, tests/ldap_server.py)."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import free_port
from ldap_server import LdapServer
from localsphere.world import directory
from localsphere.world.directory import (
    AD,
    LDAP,
    DirectoryConfig,
    DirectoryError,
    DirectoryGroup,
    DirectoryUser,
    authenticate,
    check,
    find_group,
    find_user,
    members,
    search,
)


@pytest.fixture
def config(slapd: LdapServer) -> DirectoryConfig:
    return DirectoryConfig(
        LDAP, slapd.url, slapd.admin_dn, slapd.admin_password, slapd.user_base, slapd.group_base
    )


def refusal(config: DirectoryConfig, secrets: list[str]) -> DirectoryError:
    """The DirectoryError check() raises, after asserting no password shows in it."""
    with pytest.raises(DirectoryError) as caught:
        check(config)
    error = caught.value
    for secret in secrets:
        assert secret not in error.message
        assert secret not in str(error)
        assert all(secret not in a for a in error.arguments)
    return error


def test_check_accepts_good_settings(config: DirectoryConfig) -> None:
    check(config)


def test_config_repr_hides_the_password(config: DirectoryConfig) -> None:
    assert config.password not in repr(config)
    assert config.password not in str(config)


def test_unknown_kind_is_a_programming_error(config: DirectoryConfig) -> None:
    with pytest.raises(ValueError, match="LDAP, AD, NATIVE_AD"):
        dataclasses.replace(config, kind="OPENLDAP")


def test_a_url_with_a_password_in_it_is_refused_without_quoting_it(config: DirectoryConfig) -> None:
    url = config.url.replace("ldap://", "ldap://admin:s3cret-in-url@")
    error = refusal(dataclasses.replace(config, url=url), ["s3cret-in-url", config.password])
    assert error.reason == "directory.url"


def test_closed_port_is_unreachable(config: DirectoryConfig) -> None:
    url = f"ldap://127.0.0.1:{free_port()}"
    error = refusal(dataclasses.replace(config, url=url), [config.password])
    assert error.reason == "directory.unreachable"
    assert url not in error.message and error.arguments == [url]  # said to anyone: no address


def test_tls_failure_is_unreachable(config: DirectoryConfig) -> None:
    """ldaps:// to a plain-LDAP port: the TLS handshake fails."""
    url = config.url.replace("ldap://", "ldaps://")
    assert refusal(dataclasses.replace(config, url=url), [config.password]).reason == "directory.unreachable"


@pytest.mark.parametrize("url", ["http://x", "ldap://", "ldap://host:port", "ldap://h:389/dc=x?uid", "x"])
def test_a_url_that_is_not_ldap_is_refused(config: DirectoryConfig, url: str) -> None:
    error = refusal(dataclasses.replace(config, url=url), [config.password])
    assert error.reason == "directory.url"


@pytest.mark.parametrize("dn", ["not a dn", "nosuchattribute=x,dc=example", ""])
def test_a_malformed_bind_dn_is_refused(config: DirectoryConfig, dn: str) -> None:
    """Caught by ldap3 (no attribute=value) or by slapd (invalidDNSyntax for an unknown attribute)."""
    error = refusal(dataclasses.replace(config, bind_dn=dn), [config.password])
    assert error.reason == "directory.bind_dn"


def test_a_wrong_password_is_refused(config: DirectoryConfig) -> None:
    wrong = "not-the-password-4711"
    error = refusal(dataclasses.replace(config, password=wrong), [wrong, config.password])
    assert error.reason == "directory.credentials"
    assert "does not tell" in error.message


def test_a_bind_dn_that_does_not_exist_is_refused_like_a_wrong_password(
    config: DirectoryConfig, slapd: LdapServer
) -> None:
    error = refusal(dataclasses.replace(config, bind_dn=f"cn=nobody,{slapd.user_base}"), [config.password])
    assert error.reason == "directory.credentials"
    assert "no such DN" in error.message


def test_an_empty_password_is_refused_before_binding(config: DirectoryConfig) -> None:
    """slapd would accept it as an unauthenticated bind; the client must not."""
    error = refusal(dataclasses.replace(config, password=""), [])
    assert error.reason == "directory.credentials"


@pytest.mark.parametrize("field", ["user_base", "group_base"])
@pytest.mark.parametrize(
    "base", ["ou=nowhere,dc=example,dc=mycompany,dc=com", "not a dn", "nosuchattribute=x", ""]
)
def test_a_base_dn_that_does_not_exist_is_refused(config: DirectoryConfig, field: str, base: str) -> None:
    error = refusal(dataclasses.replace(config, **{field: base}), [config.password])
    assert error.reason == "directory.base_dn"
    which = field.replace("_", " ")
    assert which in error.message
    assert error.arguments[0] == which


def test_authenticate_with_the_right_password(config: DirectoryConfig, slapd: LdapServer) -> None:
    user = authenticate(config, "tony", slapd.users["tony"])
    assert user is not None
    assert (user.name, user.dn) == ("tony", slapd.user_dn("tony"))


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("tony", "wrong"),
        ("tony", ""),  # an unauthenticated bind must never count
        ("nobody", "whatever"),
        ("", "whatever"),
        ("*", "whatever"),
        ("tony)(uid=*", "whatever"),
    ],
)
def test_authenticate_refuses(config: DirectoryConfig, name: str, password: str) -> None:
    assert authenticate(config, name, password) is None


def test_authenticate_does_not_accept_another_users_password(
    config: DirectoryConfig, slapd: LdapServer
) -> None:
    assert authenticate(config, "tony", slapd.users["maria"]) is None
    assert authenticate(config, "*", slapd.users["tony"]) is None


def test_authenticate_raises_when_the_service_account_cannot_bind(
    config: DirectoryConfig, slapd: LdapServer
) -> None:
    with pytest.raises(DirectoryError) as caught:
        authenticate(dataclasses.replace(config, password="wrong"), "tony", slapd.users["tony"])
    assert caught.value.reason == "directory.credentials"
    assert slapd.users["tony"] not in caught.value.message


def test_find_user_reads_the_fields(config: DirectoryConfig, slapd: LdapServer) -> None:
    assert find_user(config, "maria") == DirectoryUser(
        name="maria",
        dn=slapd.user_dn("maria"),
        first_name="Maria",
        last_name="Hill",
        email="maria@example.mycompany.com",
        description="Developer",
        disabled=False,
    )
    admin = find_user(config, "demoadmin")
    assert admin is not None
    assert (admin.dn, admin.first_name, admin.email) == (slapd.admin_dn, None, None)


@pytest.mark.parametrize("name", ["nobody", "", "*", "ton*", "developers"])
def test_find_user_finds_nothing(config: DirectoryConfig, name: str) -> None:
    assert find_user(config, name) is None


def test_find_group_and_its_members(config: DirectoryConfig, slapd: LdapServer) -> None:
    developers = find_group(config, "developers")
    assert developers == DirectoryGroup(
        name="developers",
        dn=slapd.group_dn("developers"),
        description="The developers",
        members=(slapd.user_dn("tony"), slapd.user_dn("maria")),
    )
    users, groups = members(config, developers)
    assert [u.name for u in users] == sorted(slapd.groups["developers"])
    assert groups == []


def test_a_nested_group_is_a_member_group(config: DirectoryConfig, slapd: LdapServer) -> None:
    ops = find_group(config, "ops")
    assert ops is not None
    assert set(ops.members) == {slapd.user_dn("lee"), slapd.group_dn("developers")}
    users, groups = members(config, ops)
    assert [u.name for u in users] == ["lee"]
    assert [g.name for g in groups] == list(slapd.subgroups["ops"])
    assert groups[0].members == (slapd.user_dn("tony"), slapd.user_dn("maria"))


def test_a_posix_group_keeps_member_uids_and_resolves_them(
    config: DirectoryConfig, slapd: LdapServer
) -> None:
    staff = find_group(config, "staff")
    assert staff is not None
    assert staff.members == slapd.groups["staff"]
    users, groups = members(config, staff)
    assert [u.dn for u in users] == [slapd.user_dn("lee"), slapd.user_dn("tony")]
    assert groups == []


def test_members_leave_out_a_member_that_does_not_exist(config: DirectoryConfig, slapd: LdapServer) -> None:
    ghost = DirectoryGroup(
        "ghosts", slapd.group_dn("ghosts"), None, (f"uid=ghost,{slapd.user_base}", "ghost")
    )
    assert members(config, ghost) == ([], [])


@pytest.mark.parametrize("name", ["nobody", "", "*", "dev*", "tony"])
def test_find_group_finds_nothing(config: DirectoryConfig, name: str) -> None:
    assert find_group(config, name) is None


def test_search_matches_names_and_attributes(config: DirectoryConfig) -> None:
    users, groups = search(config, "ar", 10)
    assert [u.name for u in users] == ["maria", "tony"]  # maria (uid), tony (sn Stark)
    assert groups == []
    users, groups = search(config, "OP", 10)
    assert users == []  # description ("Operator") is not searched
    assert [g.name for g in groups] == ["developers", "ops"]
    users, _ = search(config, "example.mycompany", 10)
    assert [u.name for u in users] == ["lee", "maria", "tony"]  # by mail


def test_search_limits_each_list(config: DirectoryConfig) -> None:
    users, groups = search(config, "", 2)
    assert (len(users), len(groups)) == (2, 2)
    assert search(config, "", 0) == ([], [])


@pytest.mark.parametrize("text", ["*)(uid=*", "*", ")(|(objectClass=*)", "\\2a", "a\x00b"])
def test_search_escapes_filter_injection(config: DirectoryConfig, text: str) -> None:
    """A NUL matches nothing: slapd would cut an escaped one short in IA5 (mail) substrings."""
    assert search(config, text, 10) == ([], [])


@pytest.mark.parametrize("name", ["tony\x00", "tony\x00)(uid=*"])
def test_a_nul_in_a_name_finds_nothing(config: DirectoryConfig, slapd: LdapServer, name: str) -> None:
    assert find_user(config, name) is None
    assert find_group(config, name) is None
    assert authenticate(config, name, slapd.users["tony"]) is None


def test_ad_entries_read_sam_account_name_and_the_disabled_bit() -> None:
    """AD parsing without an AD: the entry shape ldap3 returns."""
    schema = directory._schema(
        DirectoryConfig(AD, "ldap://dc.example", "CN=svc,DC=example", "x", "DC=example", "DC=example")
    )
    entry = {
        "dn": "CN=Ann Lee,OU=People,DC=example",
        "attributes": {"sAMAccountName": "ann", "sn": "Lee", "userAccountControl": 514, "mail": []},
    }
    user = directory._user(schema, entry)
    assert user == DirectoryUser("ann", entry["dn"], None, "Lee", None, None, True)
    entry["attributes"]["userAccountControl"] = 512
    assert directory._user(schema, entry).disabled is False
