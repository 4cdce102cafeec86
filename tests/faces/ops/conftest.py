"""The Operations face's fixture: an httpx client signed in with an OpsToken."""

import pytest

from helpers import ops_acquire


@pytest.fixture
def ops(server):
    token = ops_acquire(server).json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {token}", "Accept": "application/json"}) as c:
        yield c
