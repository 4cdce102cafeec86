"""pyVmomi 9.1.1.0 and the SessionManager's extras: a clone ticket traded once for a second session
of the same user, LoginByToken refused without a SAML token, SetLocale, and the service message
every session reads (set by a user who holds Sessions.GlobalMessage)."""

import ssl

import pytest
from pyVmomi import SoapStubAdapter, vim


def bare_stub(server):
    """A stub with no session yet, as a second process that was handed a clone ticket holds."""
    context = ssl.create_default_context(cafile=server.cert)
    stub = SoapStubAdapter(
        host="127.0.0.1", port=server.https_port, version="vim.version.v9_1_1_0", sslContext=context
    )
    return vim.ServiceInstance("ServiceInstance", stub).RetrieveContent().sessionManager


def test_clone_ticket_gives_one_second_session(connect, server):
    operator = connect(user="operator@vsphere.local")
    ticket = operator.content.sessionManager.AcquireCloneTicket()
    assert ticket.startswith("cst-VCT-")
    manager = bare_stub(server)
    cloned = manager.CloneSession(ticket)
    assert cloned.userName == "VSPHERE.LOCAL\\operator"
    assert cloned.key != operator.content.sessionManager.currentSession.key
    assert manager.currentSession.key == cloned.key  # the new session is the stub's now
    assert operator.content.sessionManager.currentSession.userName == "VSPHERE.LOCAL\\operator"
    with pytest.raises(vim.fault.InvalidLogin):
        bare_stub(server).CloneSession(ticket)  # used once
    with pytest.raises(vim.fault.InvalidLogin):
        bare_stub(server).CloneSession("cst-VCT-forged")
    with pytest.raises(vim.fault.InvalidLogin):
        bare_stub(server).LoginByToken("en")


def test_locale_and_service_message(connect):
    admin, viewer = connect(), connect(user="viewer@vsphere.local")
    assert viewer.content.sessionManager.message is None
    viewer.content.sessionManager.SetLocale("en")
    with pytest.raises(vim.fault.InvalidLocale):
        viewer.content.sessionManager.SetLocale("xx_YY")
    with pytest.raises(vim.fault.NoPermission) as caught:
        viewer.content.sessionManager.UpdateServiceMessage("mine")
    assert caught.value.privilegeId == "Sessions.GlobalMessage"
    admin.content.sessionManager.UpdateServiceMessage("Maintenance at 22:00 UTC")
    assert viewer.content.sessionManager.message == "Maintenance at 22:00 UTC"
    admin.content.sessionManager.UpdateServiceMessage("")
    assert viewer.content.sessionManager.message is None
