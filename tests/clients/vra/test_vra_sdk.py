"""The third-party ``vra-sdk`` 1.1.0, unmodified: it signs in to a tenant with a bare user name
and signs out by deleting its token; its ``VraSdk`` lists the entitled catalog items (finding
the business group's id in their ``entitledOrganizations``), requests one from the payload it
builds, and polls the request at the ``Location`` it is given (the test moves the world clock
rather than let ``execute_sync`` sleep) and reads its result, the request's resources.

Its configuration is a singleton read once from a JSON file; its session ignores the environment
(``trust_env`` off), so the server's certificate is its ``verify``."""

import inspect
import json

import pytest
from vra_sdk.vra_authenticate import VraAuthenticate
from vra_sdk.vra_config import VraConfig
from vra_sdk.vra_exceptions import VraSdkMainException, VraSdkRequestException
from vra_sdk.vra_sdk import VraSdk

from conftest import DEMO_PASSWORD
from faces.vra.test_identity import bearer, token
from faces.vra.test_resources import CATALOG, consumer, provisioned
from vra_sdk_models import VirtualMachine

pytestmark = pytest.mark.every_backend  # see tests/conftest.py


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
                "payload_default_version": 6,
                "catalog_item": {},
                "business_models": {"virtual_machine": {"path": "vra_sdk_models.VirtualMachine"}},
                "max_vra_result_per_page": 10,
                # what ``customize_payload`` keeps out of requestData: the SDK's own arguments
                "not_in_data": [
                    "requested_for",
                    "business_group_name",
                    "business_group_id",
                    "tenant_name",
                    "catalog_item_name",
                    "catalog_item_id",
                    "payload_type",
                    "payload_version",
                ],
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


def test_the_sdk_lists_the_entitled_catalog_and_requests_an_item(server, vra_config):
    auth = VraAuthenticate("lab").auth_login_password("USER_1", DEMO_PASSWORD, "vsphere.local")
    sdk = VraSdk(auth, "Demo Group")
    assert {"CentOS on vSphere", "Photon on vCloud", "Linux on Amazon"} <= set(sdk.catalog)
    assert len(sdk.business_group_id) == 36
    request = sdk.request_catalog_item("Linux on Amazon", instanceType="t2.micro").execute_async()
    assert request.status_url.startswith(f"{server.https}/catalog-service/api/consumer/requests/")
    assert request.get_status() in ("SUBMITTED", "IN_PROGRESS")
    server.advance(60)
    assert request.get_status() == "SUCCESSFUL"
    # get_request_result reads the request's resources (GET {Location}/resources): the machine
    result = request.get_request_result()
    assert result["business_group"]["label"] == "Demo Group"
    with server.client() as c:
        user = consumer(server, c)
        (machine,) = c.get(f"{CATALOG}/consumer/resources", headers=user).json()["content"]
    assert result["id"] == machine["id"] and result["name"] == machine["name"]
    with pytest.raises(VraSdkMainException, match="No entitlement"):
        VraSdk(auth, "No Such Group")


def test_the_sdk_finds_a_machine_by_resource_type_and_name(server, vra_config):
    """``get_raw_definition``, ``get_data`` and ``list_data`` filter ``resourceType/name`` and the
    key the caller names, then read each resource and its resourceData."""
    with server.client() as c:
        _, resource = provisioned(server, c, consumer(server, c), admin=bearer(token(server)))
    name = resource["name"]
    auth = VraAuthenticate("lab").auth_login_password("USER_1", DEMO_PASSWORD, "vsphere.local")
    sdk = VraSdk(auth, "Demo Group")
    raw = sdk.get_raw_definition("name", name, "Virtual Machine")
    assert (raw["id"], raw["machine_name"], raw["ip_address"]) == (resource["id"], name, "192.168.100.10")
    assert raw["business_group"]["label"] == "Demo Group"
    params = set(inspect.signature(VirtualMachine).parameters) - {"raw_data"}
    assert set(raw) <= params and {"ip_address", "machine_cpu", "machine_memory"} <= set(raw)
    machine = sdk.get_data("virtual_machine", "name", name)
    assert isinstance(machine, VirtualMachine) and machine.raw_data["id"] == resource["id"]
    assert (machine.machine_status, machine.machine_interface_type) == ("On", "vSphere")
    (listed,) = sdk.list_data("virtual_machine", None, None)
    assert listed.id == resource["id"]
    with pytest.raises(VraSdkMainException, match="No virtual_machine"):
        sdk.list_data("virtual_machine", "name", "no-such-machine")
