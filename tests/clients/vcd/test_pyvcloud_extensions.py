"""``pyvcloud`` 23.0.4's API extension calls (``pyvcloud.vcd.api_extension.APIExtension``),
unmodified, against the vCD face as the System administrator: register an extension service
through the VMWExtension's links, list and find it (the ``adminService`` query), read its API
filters (the ``apiFilter`` query), add filters, change its routing, disable and delete it."""

from __future__ import annotations

import pytest
from pyvcloud.vcd.api_extension import APIExtension
from pyvcloud.vcd.client import BasicLoginCredentials, Client
from pyvcloud.vcd.exceptions import MissingRecordException

from conftest import DEMO_PASSWORD


@pytest.fixture
def provider(server):
    client = Client(server.vcd, verify_ssl_certs=server.cert)
    client.set_credentials(BasicLoginCredentials("administrator", "System", DEMO_PASSWORD))
    yield client
    client.logout()


def test_an_extension_services_life(provider):
    extensions = APIExtension(provider)
    extensions.add_extension("backup", "org.example.backup", "backup", "sdkext", ["/api/backup/.*"])
    (listed,) = extensions.list_extensions()
    assert (listed["name"], listed["namespace"], listed["exchange"], listed["routingKey"]) == (
        "backup",
        "org.example.backup",
        "sdkext",
        "backup",
    )
    assert listed["enabled"] == "true" and len(listed["id"]) == 36  # the urn's uuid, as pyvcloud keeps it
    info = extensions.get_extension_info("backup", namespace="org.example.backup")
    assert info["filter_1"] == "/api/backup/.*" and "filter_2" not in info
    extensions.add_api_filters_to_service("backup", ["/api/org/.*/backups"], namespace="org.example.backup")
    info = extensions.get_extension_info("backup")
    assert {info["filter_1"], info["filter_2"]} == {"/api/backup/.*", "/api/org/.*/backups"}
    extensions.update_extension("backup", routing_key="backup2", exchange="sdkext2")
    assert (
        extensions.get_extension("backup")["routingKey"],
        extensions.get_extension("backup")["exchange"],
    ) == (
        "backup2",
        "sdkext2",
    )
    extensions.enable_extension("backup", enabled=False, namespace="org.example.backup")
    assert extensions.get_extension("backup")["enabled"] == "false"
    extensions.remove_all_api_filters_from_service("backup")
    assert "filter_1" not in extensions.get_extension_info("backup")
    extensions.delete_extension("backup", "org.example.backup")
    with pytest.raises(MissingRecordException):
        extensions.get_extension("backup")
