"""The third-party ``vra-sdk`` 1.1.0, unmodified: it signs in to a tenant with a bare user name
and signs out by deleting its token. (Its ``VraSdk`` reads the catalog service at once: part 2.)

Its configuration is a singleton read once from a JSON file; its session ignores the environment
(``trust_env`` off), so the server's certificate is its ``verify``."""

import json

import pytest
from vra_sdk.vra_authenticate import VraAuthenticate
from vra_sdk.vra_config import VraConfig
from vra_sdk.vra_exceptions import VraSdkRequestException

from conftest import DEMO_PASSWORD


@pytest.fixture
def vra_config(server, tmp_path):
    path = tmp_path / "vra.json"
    host = server.https.removeprefix("https://")
    path.write_text(
        json.dumps(
            {
                "vcac_servers": {"lab": host},
                "tenant": {"lab": "vsphere.local"},
                "verify": server.cert,
                "timeout": 10,
            }
        )
    )
    VraConfig._instance = None  # a fresh singleton for this server
    yield VraConfig(str(path))
    VraConfig._instance = None


def test_sign_in_and_sign_out(server, vra_config):
    auth = VraAuthenticate("lab").auth_login_password("administrator", DEMO_PASSWORD, "vsphere.local")
    assert auth.requestedFor == "administrator@vsphere.local"
    token = auth.token
    with server.client() as c:
        assert c.head(f"/identity/api/tokens/{token}").status_code == 204
        assert c.get("/identity/api/tenants", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert auth.delete_token() is True and auth.token is None
    with server.client() as c:
        assert c.head(f"/identity/api/tokens/{token}").status_code == 401
    assert auth.delete_token() is False  # nothing left to delete


def test_a_wrong_password_is_refused(server, vra_config):
    with pytest.raises(VraSdkRequestException, match="401"):
        VraAuthenticate("lab").auth_login_password("administrator", "wrong", "vsphere.local")
