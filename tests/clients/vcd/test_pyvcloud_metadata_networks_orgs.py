"""pyvcloud 23.0.4, unmodified: an org VDC network's metadata through ``VdcNetwork`` (set and
removed by the System administrator at the admin endpoint, read by the org's user), and an org's
through pyvcloud's ``Metadata`` (23.0.4's ``Org`` has no metadata calls of its own), at the newest
version and at 5.5."""

from __future__ import annotations

import pytest
from pyvcloud.vcd.client import MetadataDomain, MetadataValueType, MetadataVisibility
from pyvcloud.vcd.exceptions import AccessForbiddenException
from pyvcloud.vcd.metadata import Metadata
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.vdc import VDC
from pyvcloud.vcd.vdc_network import VdcNetwork

from clients.vcd.test_pyvcloud_vdcs import connect  # noqa: F401 (the fixture)


def entries_of(metadata) -> dict[str, str]:
    return {e.Key.text: e.TypedValue.Value.text for e in getattr(metadata, "MetadataEntry", [])}


def demo_network_href(c) -> str:
    org = Org(c, resource=c.get_org_by_name("demo-org"))
    vdc = VDC(c, resource=org.get_vdc("demo-vdc"))
    return vdc.get_resource().AvailableNetworks.Network[0].get("href")


@pytest.mark.parametrize("version", [None, "5.5"])
def test_a_vdc_networks_metadata(connect, version):  # noqa: F811
    admin, alice = connect(version=version), connect("alice", "demo-org", version)
    href = demo_network_href(alice)
    network = VdcNetwork(admin, href=href)
    task = network.set_metadata("zone", "7", metadata_value_type=MetadataValueType.NUMBER)
    admin.get_task_monitor().wait_for_success(task)
    mine = VdcNetwork(alice, href=href)
    assert entries_of(mine.get_all_metadata()) == {"zone": "7"}
    assert mine.get_metadata_value("zone").TypedValue.Value.text == "7"
    with pytest.raises(AccessForbiddenException):  # the org's user may not change it
        mine.set_metadata("zone", "8")
    admin.get_task_monitor().wait_for_success(VdcNetwork(admin, href=href).remove_metadata("zone"))
    assert entries_of(VdcNetwork(alice, href=href).get_all_metadata()) == {}


def test_an_orgs_metadata(connect):  # noqa: F811
    admin, alice = connect(), connect("alice", "demo-org")
    org_href = alice.get_org_by_name("demo-org").get("href")
    metadata = Metadata(admin, href=f"{org_href}/metadata")
    task = metadata.set_metadata(
        "contract",
        "C-42",
        domain=MetadataDomain.SYSTEM,
        visibility=MetadataVisibility.READONLY,
        use_admin_endpoint=True,
    )
    admin.get_task_monitor().wait_for_success(task)
    task = Metadata(admin, href=f"{org_href}/metadata").set_metadata("tier", "gold", use_admin_endpoint=True)
    admin.get_task_monitor().wait_for_success(task)
    seen = Metadata(alice, href=f"{org_href}/metadata")
    assert entries_of(seen.get_all_metadata()) == {"contract": "C-42", "tier": "gold"}
    assert seen.get_metadata_value("contract", MetadataDomain.SYSTEM).TypedValue.Value.text == "C-42"
    with pytest.raises(AccessForbiddenException):
        Metadata(alice, href=f"{org_href}/metadata").set_metadata("tier", "tin", use_admin_endpoint=True)
