"""pyVmomi's fixtures: a SmartConnect to the test server over HTTPS with its certificate, and httpx
signed in to vCenter's REST API, to read back what a SOAP call changed."""

import ssl

import pytest
from pyVim.connect import SmartConnect

from conftest import DEMO_PASSWORD, Server
from helpers import ADMIN, vcenter_session


@pytest.fixture
def vc(server):
    """httpx signed in to vCenter's REST API."""
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as c:
        yield c


@pytest.fixture
def connect(server):
    context = ssl.create_default_context(cafile=server.cert)

    def make(user=ADMIN, password=DEMO_PASSWORD, **kwargs):
        return SmartConnect(
            host="127.0.0.1", port=server.https_port, user=user, pwd=password, sslContext=context, **kwargs
        )

    return make


def _pyvmomi_on(server, **login):
    """pyVmomi connected to ``server`` over HTTPS with its certificate: ``user``/``pwd`` or
    ``sessionId``."""
    context = ssl.create_default_context(cafile=server.cert)
    return SmartConnect(host="127.0.0.1", port=server.https_port, sslContext=context, **login)


@pytest.fixture
def shared_servers(backend, new_database, tmp_path):
    """Two servers over one PostgreSQL database (as two machines, or workers): pyVmomi signed in to
    the first as the administrator, and a function that joins its session on the second (pyVmomi
    given its session id); skipped on SQLite, which is not shared between servers."""
    if backend != "postgresql":
        pytest.skip("only PostgreSQL is shared between servers")
    url = new_database()
    a, b = Server(tmp_path / "a", url).start(), Server(tmp_path / "b", url).start()
    try:
        on_a = _pyvmomi_on(a, user=ADMIN, pwd=DEMO_PASSWORD)
        yield on_a, lambda: _pyvmomi_on(b, sessionId=on_a._stub.GetSessionId())
    finally:
        a.stop()
        b.stop()
