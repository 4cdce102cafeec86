"""What the vCenter face's tests share: a client signed in to vCenter."""

import pytest

from helpers import vcenter_session


@pytest.fixture
def vc(server):
    """httpx signed in as the administrator (the session id in the header; ``vc.session_id``)."""
    session_id = vcenter_session(server)
    with server.client(headers={"vmware-api-session-id": session_id}) as c:
        c.session_id = session_id
        yield c
