"""pyVmomi's fixtures: a SmartConnect to the test server over HTTPS with its certificate, and httpx
signed in to vCenter's REST API, to read back what a SOAP call changed."""

import ssl

import pytest
from pyVim.connect import SmartConnect

from conftest import DEMO_PASSWORD
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
