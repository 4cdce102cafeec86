"""The SDDC Manager identity API driven by the official, unmodified ``vmware-sddc-manager`` 9.1.1.0 client.

The client runs over vAPI's REST connector (``msg_protocol="rest"``, swagger REST format). Its error
handling decides what a test can observe: every operation of these stubs has
``use_status_to_std_err_map=False``, so a failed call raises the error type whose throws clause lists the
HTTP status (``ApiInterfaceStub._get_error_type`` in ``vmware/vapi/bindings/stub.py``) with
``get_status_code()`` set from the response. A status missing from the throws clause cannot be resolved
and raises ``vmware.vapi.bindings.error.UnresolvedError`` *before* the status is attached, so its
``get_status_code()`` stays 0; for those calls the tests read the status from the wire instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import requests
from vmware.sddc_manager.model_client import (
    Error,
    ErrorResponse,
    LocalAccountPasswordInfo,
    PageOfUser,
    RoleReference,
    TokenCreationSpec,
    TokenPair,
    User,
)
from vmware.sddc_manager.v1.sso_domains_client import Entities
from vmware.sddc_manager.v1.tokens.access_token_client import Refresh
from vmware.sddc_manager.v1.tokens_client import RefreshToken
from vmware.sddc_manager.v1.users.local_client import Admin
from vmware.sddc_manager.v1_client import Roles, SsoDomains, Tokens, Users
from vmware.vapi.bindings.error import UnresolvedError
from vmware.vapi.bindings.stub import StubConfiguration
from vmware.vapi.lib.connect import get_requests_connector
from vmware.vapi.stdlib.client.factories import StubConfigurationFactory

from conftest import ADMIN_ROLE, DEMO_PASSWORD, OPERATOR_ROLE, VIEWER_ROLE, Server

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

ADMIN = "administrator@vsphere.local"
SERVICE_NAME = "automationapp"
SERVICE_KEY = "6598S0SIQC04sGjEr0nIeDlZx18GYRoT"


@dataclass
class Sddc:
    """One client connection: the requests session, the stub configuration and what went over the wire."""

    session: requests.Session
    config: StubConfiguration
    wire: list[tuple[str, str, int]] = field(default_factory=list)

    def record(self, response: requests.Response, *_args: object, **_kwargs: object) -> None:
        path = urlsplit(response.request.url).path
        self.wire.append((response.request.method or "", path, response.status_code))

    def sign_in_with(self, access_token: str) -> None:
        self.session.headers["Authorization"] = f"Bearer {access_token}"

    def sign_out(self) -> None:
        self.session.headers.pop("Authorization", None)

    def create_token(
        self, username: str, password: str | None = None, api_key: str | None = None
    ) -> TokenPair:
        spec = TokenCreationSpec(username=username, password=password, api_key=api_key)
        return Tokens(self.config).create_token(spec)


@pytest.fixture
def sddc(server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sddc]:
    # requests prefers REQUESTS_CA_BUNDLE (set machine-wide here) over session.verify.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.cert)
    session = requests.Session()
    session.verify = server.cert
    connector = get_requests_connector(session=session, msg_protocol="rest", url=server.https)
    client = Sddc(session, StubConfigurationFactory.new_std_configuration(connector))
    session.hooks["response"].append(client.record)
    yield client
    session.close()


@pytest.fixture
def signed_in(sddc: Sddc) -> Sddc:
    """The client with administrator@vsphere.local's bearer token on every request."""
    sddc.sign_in_with(sddc.create_token(ADMIN, password=DEMO_PASSWORD).access_token)
    return sddc


def assert_jwt(token: str | None) -> None:
    assert isinstance(token, str)
    parts = token.split(".")
    assert len(parts) == 3
    assert all(parts)
    assert parts[0].startswith("eyJ")  # base64url of '{"'


def users_by_id(page: PageOfUser) -> dict[str, User]:
    assert page.elements is not None
    return {u.id: u for u in page.elements}


def test_create_token_with_password(sddc: Sddc) -> None:
    pair = sddc.create_token(ADMIN, password=DEMO_PASSWORD)

    assert isinstance(pair, TokenPair)
    assert_jwt(pair.access_token)
    assert pair.refresh_token is not None
    assert pair.refresh_token.id
    assert pair.refresh_token.id not in pair.access_token
    assert sddc.wire == [("POST", "/v1/tokens", 200)]


def test_create_token_with_api_key(sddc: Sddc) -> None:
    pair = sddc.create_token(SERVICE_NAME, api_key=SERVICE_KEY)

    assert_jwt(pair.access_token)
    assert pair.refresh_token is not None and pair.refresh_token.id
    # The service user's token is accepted by a protected operation.
    sddc.sign_in_with(pair.access_token)
    assert Roles(sddc.config).get_roles().elements


def test_refresh_access_token_then_invalidate_refresh_token(sddc: Sddc) -> None:
    pair = sddc.create_token(ADMIN, password=DEMO_PASSWORD)
    refresh_id = pair.refresh_token.id

    renewed = Refresh(sddc.config).refresh_access_token(refresh_id)

    assert_jwt(renewed)
    assert renewed != pair.access_token
    sddc.sign_in_with(renewed)
    names = [u.name for u in Users(sddc.config).get_users().elements]
    assert ADMIN in names
    sddc.sign_out()

    assert RefreshToken(sddc.config).invalidate_refresh_token(refresh_id) is None
    assert sddc.wire[-1] == ("DELETE", "/v1/tokens/refresh-token", 204)

    with pytest.raises(Error) as caught:
        Refresh(sddc.config).refresh_access_token(refresh_id)
    assert caught.value.get_status_code() == 404
    assert caught.value.error_code == "REFRESH_TOKEN_NOT_FOUND"
    assert sddc.wire[-1] == ("PATCH", "/v1/tokens/access-token/refresh", 404)


def test_list_users_and_roles(signed_in: Sddc) -> None:
    roles = Roles(signed_in.config).get_roles()
    assert {r.name: r.id for r in roles.elements} == {
        "ADMIN": ADMIN_ROLE,
        "OPERATOR": OPERATOR_ROLE,
        "VIEWER": VIEWER_ROLE,
    }

    users = Users(signed_in.config).get_users()
    admins = [u for u in users.elements if u.name == ADMIN]
    assert len(admins) == 1
    assert admins[0].role.id == ADMIN_ROLE
    assert admins[0].type == "USER"
    assert admins[0].domain == "vsphere.local"
    assert admins[0].id
    assert admins[0].api_key is None
    by_name = {u.name: u for u in users.elements}
    assert by_name[SERVICE_NAME].type == "SERVICE"
    assert by_name[SERVICE_NAME].role.id == ADMIN_ROLE

    # Without a bearer token the declared 401 maps to ErrorResponse with its status.
    signed_in.sign_out()
    with pytest.raises(ErrorResponse) as caught:
        Users(signed_in.config).get_users()
    assert caught.value.get_status_code() == 401


def test_add_users_login_with_service_key_then_remove(signed_in: Sddc) -> None:
    users = Users(signed_in.config)
    added = users.add_users(
        [
            User(
                name="USER_1@vsphere.local",
                domain="vsphere.local",
                type="USER",
                role=RoleReference(id=VIEWER_ROLE),
            ),
            User(name="ci-robot", type="SERVICE", role=RoleReference(id=VIEWER_ROLE)),
        ]
    )

    assert isinstance(added, PageOfUser)
    assert signed_in.wire[-1] == ("POST", "/v1/users", 201)
    assert len(added.elements) == 2
    person, robot = added.elements
    assert (person.name, person.domain, person.type) == ("USER_1@vsphere.local", "vsphere.local", "USER")
    assert person.role.id == VIEWER_ROLE
    assert person.api_key is None
    assert (robot.name, robot.type) == ("ci-robot", "SERVICE")
    assert robot.role.id == VIEWER_ROLE
    assert robot.api_key
    assert person.id and robot.id and person.id != robot.id
    listed = users_by_id(users.get_users())
    assert listed[person.id].name == "USER_1@vsphere.local"
    assert listed[robot.id].name == "ci-robot"

    # The new service user signs in with its key through the client.
    robot_pair = signed_in.create_token("ci-robot", api_key=robot.api_key)
    assert_jwt(robot_pair.access_token)

    assert users.remove_user(person.id) is None
    assert signed_in.wire[-1] == ("DELETE", f"/v1/users/{person.id}", 204)
    assert users.remove_user(robot.id) is None
    assert signed_in.wire[-1] == ("DELETE", f"/v1/users/{robot.id}", 204)

    remaining = users_by_id(users.get_users())
    assert person.id not in remaining
    assert robot.id not in remaining
    assert "ci-robot" not in {u.name for u in remaining.values()}
    assert ADMIN in {u.name for u in remaining.values()}

    with pytest.raises(Error) as gone:
        users.remove_user(robot.id)
    assert gone.value.get_status_code() == 404

    signed_in.sign_out()
    with pytest.raises(UnresolvedError):  # 401 is not in create_token's throws clause (400, 500)
        signed_in.create_token("ci-robot", api_key=robot.api_key)
    assert signed_in.wire[-1] == ("POST", "/v1/tokens", 401)


def test_wrong_password_is_rejected(sddc: Sddc) -> None:
    with pytest.raises(UnresolvedError) as caught:
        sddc.create_token(ADMIN, password="not-the-password")

    assert sddc.wire == [("POST", "/v1/tokens", 401)]
    # The unresolved error keeps the wire body as its error value, but no status (see module docstring).
    assert caught.value.get_status_code() == 0
    body = caught.value.get_error_value()
    assert body.get_field("errorCode").value == "Unauthenticated"
    assert body.get_field("message").value


def test_local_account(signed_in: Sddc) -> None:
    admin = Admin(signed_in.config)

    before = admin.get_local_account()
    assert before.is_configured is False
    assert before.name == "admin@local"
    assert before.role.id == ADMIN_ROLE

    info = LocalAccountPasswordInfo(new_password="Loc@lAdmin12!x")
    assert admin.update_local_user_password(info) is None
    assert signed_in.wire[-1] == ("PATCH", "/v1/users/local/admin", 204)

    after = admin.get_local_account()
    assert after.is_configured is True
    assert after.name == "admin@local"
    assert after.id
    assert after.is_account_locked is False

    # The configured local account now signs in with its new password.
    signed_in.sign_out()
    assert_jwt(signed_in.create_token("admin@local", password="Loc@lAdmin12!x").access_token)


def test_sso_domains_and_entities(signed_in: Sddc) -> None:
    domains = SsoDomains(signed_in.config).get_sso_domains()
    assert domains.elements == ["vsphere.local"]

    entities = Entities(signed_in.config)
    everyone = entities.get_sso_domain_entities("vsphere.local")
    by_id = {e.id: e for e in everyone.elements}
    assert by_id["USER_1@vsphere.local"].type == "USER"
    assert by_id["USER_1@vsphere.local"].name == "USER_1"

    found = entities.get_sso_domain_entities("vsphere.local", entity_name="USER_1")
    assert [e.id for e in found.elements] == ["USER_1@vsphere.local"]
    assert signed_in.wire[-1] == ("GET", "/v1/sso-domains/vsphere.local/entities", 200)
