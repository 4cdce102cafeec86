"""``pyvcloud`` 23.0.4, unmodified: a VDC's storage policies. The System administrator adds one of
the provider VDC's (``VDC.add_storage_profile``), edits it (``update_storage_profile``, its limit
and default), the org's user instantiates a vApp on it (``instantiate_vapp(storage_profile=...)``),
and it is removed (``remove_storage_profile``) once it holds nothing; refused before."""

from __future__ import annotations

import pytest
from pyvcloud.vcd.client import BasicLoginCredentials, Client
from pyvcloud.vcd.exceptions import BadRequestException
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.pvdc import PVDC
from pyvcloud.vcd.system import System
from pyvcloud.vcd.vdc import VDC

from conftest import DEMO_PASSWORD


@pytest.fixture
def connect(server):
    made = []

    def make(user: str = "administrator", org: str = "System") -> Client:
        c = Client(server.vcd, verify_ssl_certs=server.cert)
        c.set_credentials(BasicLoginCredentials(user, org, DEMO_PASSWORD))
        made.append(c)
        return c

    yield make
    for c in made:
        c.logout()


def test_a_storage_profile_added_updated_used_and_removed(connect):
    c = connect()
    vdc = VDC(c, resource=Org(c, resource=c.get_org_by_name("demo-org")).get_vdc("demo-vdc"))
    pvdc = PVDC(c, href=c.get_resource(vdc.href_admin).ProviderVdcReference.get("href"))
    name = next(p.get("name") for p in pvdc.get_storage_profiles() if p.get("name") != "*")

    task = vdc.add_storage_profile(name, limit_in_mb=10240)
    assert task.get("operationName") == "vdcUpdateVdc"
    vdc.reload()  # pyvcloud keeps the VDC it read
    assert {p.get("name") for p in vdc.get_storage_profiles()} == {"*", name}
    assert vdc.get_default_storage_profile().get("name") == "*"
    updated = vdc.update_storage_profile(name, True, default=True, limit_in_mb=20480)
    assert (int(updated.Limit), bool(updated.Default)) == (20480, True)
    assert vdc.get_default_storage_profile().get("name") == name

    alice = connect("alice", "demo-org")
    user_vdc = VDC(alice, resource=Org(alice, resource=alice.get_org()).get_vdc("demo-vdc"))
    made = user_vdc.instantiate_vapp("on-tier", "demo-catalog", "photon-5", storage_profile=name)
    assert made.Children.Vm.StorageProfile.get("name") == name

    vdc.update_storage_profile("*", True, default=True)
    with pytest.raises(BadRequestException, match="in use"):
        vdc.remove_storage_profile(name)
    user_vdc.delete_vapp("on-tier", force=True)
    assert vdc.remove_storage_profile(name).get("operationName") == "vdcUpdateVdc"
    vdc.reload()
    assert [p.get("name") for p in vdc.get_storage_profiles()] == ["*"]


def test_a_vdc_made_with_two_storage_profiles_of_its_provider_vdc(connect):
    c = connect()
    system = System(c, admin_resource=c.get_admin())
    name = next(p.get("name") for p in system.list_provider_vdc_storage_profiles() if p.get("name") != "*")
    org = Org(c, resource=c.get_org_by_name("demo-org"))
    made = org.create_org_vdc(
        "two-tier",
        system.list_provider_vdcs()[0].get("name"),
        storage_profiles=[
            {"name": "*", "enabled": True, "units": "MB", "limit": 0, "default": False},
            {"name": name, "enabled": True, "units": "MB", "limit": 4096, "default": True},
        ],
    )
    assert made.get("name") == "two-tier"
    vdc = VDC(c, resource=org.get_vdc("two-tier"))
    assert {p.get("name") for p in vdc.get_storage_profiles()} == {"*", name}
    default = vdc.get_default_storage_profile()
    assert (default.get("name"), int(default.Limit)) == (name, 4096)
