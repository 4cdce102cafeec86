"""The official vCenter client (``vmware-vcenter`` 9.1.1.0, vAPI JSON-RPC on POST /api), unmodified."""

import pytest
import requests
from com.vmware.vapi.std.errors_client import (
    InvalidArgument,
    NotFound,
    Unauthenticated,
    Unauthorized,
    Unsupported,
)
from com.vmware.vcenter.authorization_client import Privileges, Roles
from vmware.vapi.vsphere.client import create_vsphere_client

from conftest import DEMO_PASSWORD

BASE = {"System.Anonymous", "System.Read", "System.View"}


@pytest.fixture
def connect(server, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.cert)

    def make(username="administrator@vsphere.local", password=DEMO_PASSWORD):
        session = requests.Session()
        session.verify = server.cert
        return create_vsphere_client(
            server=f"127.0.0.1:{server.https_port}", username=username, password=password, session=session
        )

    return make


def test_login_and_session_info(connect):
    client = connect()
    info = client.session_svc.get()
    assert info.user == "VSPHERE.LOCAL\\administrator"
    assert info.last_accessed_time >= info.created_time


def test_wrong_password(connect):
    with pytest.raises(Unauthenticated) as caught:
        connect(password="wrong")
    assert caught.value.challenge == 'Basic realm="vCenter"'


def test_list_and_filter_roles(connect):
    client = connect()  # keep it: a collected client deletes its session
    roles = client.vcenter.authorization.Roles
    result = roles.list(Roles.FilterSpec(names={"Admin", "ReadOnly"}))
    assert [(i.role, i.info.name) for i in result.items] == [("-1", "Admin"), ("-2", "ReadOnly")]
    assert result.marker is None
    holding = roles.list(Roles.FilterSpec(privileges={"Network.Assign"}))
    assert [i.info.name for i in holding.items] == ["Admin", "NetworkConsumer", "NoCryptoAdmin"]
    system = roles.list(Roles.FilterSpec(is_system=True))
    assert all(i.info.system for i in system.items)


def test_page_through_roles(connect):
    client = connect()  # keep it: a collected client deletes its session
    roles = client.vcenter.authorization.Roles
    everything = [i.info.name for i in roles.list().items]
    seen, marker = [], None
    while True:
        page = roles.list(None, Roles.IterationSpec(page_size=2, marker=marker))
        assert len(page.items) <= 2
        seen += [i.info.name for i in page.items]
        marker = page.marker
        if marker is None:
            break
    assert seen == everything == sorted(everything)
    with pytest.raises(InvalidArgument):
        roles.list(None, Roles.IterationSpec(marker="garbage"))


def test_create_update_delete_role(connect):
    client = connect()  # keep it: a collected client deletes its session
    roles = client.vcenter.authorization.Roles
    role = roles.create(
        Roles.CreateSpec(
            name="Tester", description="for tests", privileges={"VirtualMachine.Interact.PowerOn"}
        )
    )
    info = roles.get(role)
    assert info.name == "Tester" and info.system is False
    assert info.privileges == {
        "System.Anonymous",
        "System.Read",
        "System.View",
        "VirtualMachine.Interact.PowerOn",
    }
    roles.update(role, Roles.UpdateSpec(description="changed", privileges=set()))
    info = roles.get(role)
    assert info.description == "changed" and info.privileges == {
        "System.Anonymous",
        "System.Read",
        "System.View",
    }
    roles.delete(role)
    with pytest.raises(NotFound):
        roles.get(role)
    with pytest.raises(Unsupported):
        roles.delete("-1")


def test_missing_privilege(connect):
    client = connect("viewer@vsphere.local")
    roles = client.vcenter.authorization.Roles
    assert roles.list().items
    with pytest.raises(Unauthorized):
        roles.create(Roles.CreateSpec(name="Nope", description="", privileges=set()))


def test_expired_session(connect, server):
    client = connect()
    client.session_svc.get()
    server.advance(31 * 60)
    with pytest.raises(Unauthenticated):
        client.vcenter.authorization.Roles.list()


def test_privileges(connect):
    client = connect()
    privileges = client.vcenter.authorization.Privileges
    found = privileges.list(Privileges.FilterSpec(names={"System.Read", "Datastore.Browse"}))
    assert [i.privilege for i in found.items] == ["Datastore.Browse", "System.Read"]
    assert privileges.get("System.Read").name == "System.Read"
