"""Injected faults as the official ``vmware-sddc-manager`` client sees them: a session that retries on
503 (as an automation script configures it) gets through after the injected failures; without
retries the client raises the error type its stubs map 503 to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry
from vmware.sddc_manager.model_client import TokenCreationSpec
from vmware.sddc_manager.v1_client import Tokens, Users
from vmware.vapi.bindings.error import UnresolvedError, VapiError
from vmware.vapi.lib.connect import get_requests_connector
from vmware.vapi.stdlib.client.factories import StubConfigurationFactory

from conftest import DEMO_PASSWORD, Server

ADMIN = "administrator@vsphere.local"


def client(server: Server, retries: int | None) -> tuple[requests.Session, object, list[int]]:
    session = requests.Session()
    session.verify = server.cert
    seen: list[int] = []
    session.hooks["response"].append(lambda r, *_a, **_k: seen.append(r.status_code))
    connector = get_requests_connector(session=session, msg_protocol="rest", url=server.https)
    # After the connector, which mounts pooling adapters of its own on the session.
    if retries is not None:
        retry = Retry(total=retries, status_forcelist=[503], allowed_methods=None, backoff_factor=0)
        session.mount("https://", HTTPAdapter(max_retries=retry))
    config = StubConfigurationFactory.new_std_configuration(connector)
    token = Tokens(config).create_token(TokenCreationSpec(username=ADMIN, password=DEMO_PASSWORD))
    session.headers["Authorization"] = f"Bearer {token.access_token}"
    return session, config, seen


@pytest.fixture
def faulty(server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.cert)
    yield server
    server.control("DELETE", "/faults")


def test_a_retrying_client_gets_through_two_503s(faulty: Server) -> None:
    rule = faulty.control(
        "POST", "/faults", json={"action": "error", "status": 503, "path": "/v1/users", "count": 2}
    ).json()
    session, config, _ = client(faulty, retries=3)
    with session:
        page = Users(config).get_users()
    assert ADMIN in {u.name for u in page.elements}
    listed = faulty.control("GET", "/faults").json()[0]
    assert listed["id"] == rule["id"] and listed["fired"] == 2 and listed["seen"] == 3
    logged = faulty.control("GET", "/requests?limit=3").json()["requests"]
    assert [(e["path"], e["status"]) for e in logged] == [("/v1/users", 503)] * 2 + [("/v1/users", 200)]


def test_without_retries_the_client_raises_on_503(faulty: Server) -> None:
    faulty.control(
        "POST", "/faults", json={"action": "error", "status": 503, "path": "/v1/users", "count": 1}
    )
    session, config, seen = client(faulty, retries=None)
    with session, pytest.raises((VapiError, UnresolvedError)):
        Users(config).get_users()
    assert seen[-1] == 503
    with session:
        assert Users(config).get_users().elements
