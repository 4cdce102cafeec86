"""``pyvcloud`` 23.0.4, unmodified, for access control and metadata: a vApp shared with the org
and with one user, its access settings read and removed and its owner changed (``VApp``); the
demo catalog's access settings and publication (``Org``); metadata of a catalog item and of an
org VDC (``Org``, ``VDC``)."""

from __future__ import annotations

import pytest
from pyvcloud.vcd.client import BasicLoginCredentials, Client, MetadataDomain, MetadataVisibility
from pyvcloud.vcd.exceptions import AccessForbiddenException
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.vapp import VApp
from pyvcloud.vcd.vdc import VDC

from conftest import DEMO_PASSWORD

V15 = "{http://www.vmware.com/vcloud/v1.5}"
SCENARIO = (
    "identity:\n"
    "  users:\n"
    "    - {name: bob, domain: demo-org, roles: {cloud_director: vApp Author}}\n"
    "    - {name: dan, domain: demo-org, roles: {cloud_director: vApp Author}}\n"
)


@pytest.fixture
def client(server):
    made = []

    def connect(user: str, org: str, version: str | None = None) -> Client:
        c = Client(server.vcd, api_version=version, verify_ssl_certs=server.cert)
        c.set_credentials(BasicLoginCredentials(user, org, DEMO_PASSWORD))
        made.append(c)
        return c

    yield connect
    for c in made:
        c.logout()


def settings_of(acl) -> dict[str, str]:
    """subject name -> access level of a ControlAccessParams."""
    found = acl.find(f"{V15}AccessSettings")
    if found is None:
        return {}
    return {
        s.find(f"{V15}Subject").get("name"): s.findtext(f"{V15}AccessLevel")
        for s in found.findall(f"{V15}AccessSetting")
    }


@pytest.mark.parametrize("version", [None, "32.0"])
def test_a_vapp_shared_and_handed_over(scenario, client, version):
    assert scenario(SCENARIO).status_code == 200
    bob, dan = client("bob", "demo-org", version), client("dan", "demo-org", version)
    vdc = VDC(bob, resource=Org(bob, resource=bob.get_org()).get_vdc("demo-vdc"))
    made = vdc.instantiate_vapp("shared", "demo-catalog", "photon-5", network="demo-net", power_on=False)
    bob.get_task_monitor().wait_for_success(made.Tasks.Task[0])
    dans_vdc = VDC(dan, resource=Org(dan, resource=dan.get_org()).get_vdc("demo-vdc"))
    with pytest.raises(Exception, match="not found"):  # bob's alone
        dans_vdc.get_vapp("shared")
    vapp = VApp(bob, resource=vdc.get_vapp("shared"))
    acl = vapp.share_with_org_members("ReadOnly")
    assert acl.findtext(f"{V15}IsSharedToEveryone") == "true"
    assert acl.findtext(f"{V15}EveryoneAccessLevel") == "ReadOnly"
    dans = VApp(dan, resource=dans_vdc.get_vapp("shared"))
    with pytest.raises(AccessForbiddenException):
        dans.power_on()
    vapp = VApp(bob, resource=vdc.get_vapp("shared"))
    vapp.unshare_from_org_members()
    acl = VApp(bob, resource=vdc.get_vapp("shared")).add_access_settings(
        [{"type": "user", "name": "dan", "access_level": "Change"}]
    )
    assert settings_of(acl) == {"dan": "Change"} and acl.findtext(f"{V15}IsSharedToEveryone") == "false"
    dans = VApp(dan, resource=dans_vdc.get_vapp("shared"))
    dan.get_task_monitor().wait_for_success(dans.power_on())
    vapp = VApp(bob, resource=vdc.get_vapp("shared"))
    assert settings_of(vapp.get_access_settings()) == {"dan": "Change"}
    acl = vapp.remove_access_settings([{"type": "user", "name": "dan"}])
    assert settings_of(acl) == {}
    with pytest.raises(Exception, match="not found"):
        dans_vdc.get_vapp("shared")
    # handed to dan: his now, not bob's
    vapp = VApp(bob, resource=vdc.get_vapp("shared"))
    dan_href = dan.get_user_in_org("dan", dan.get_org().get("href")).get("href")
    vapp.change_owner(dan_href)
    dans = VApp(dan, resource=dans_vdc.get_vapp("shared"))
    assert dans.resource.Owner.User.get("name") == "dan"
    with pytest.raises(Exception, match="not found"):
        vdc.get_vapp("shared")


def test_a_catalogs_access_settings_publication_and_metadata(scenario, client):
    assert scenario(SCENARIO).status_code == 200
    alice, admin = client("alice", "demo-org"), client("administrator", "System")
    org = Org(alice, resource=alice.get_org())
    acl = org.get_catalog_access_settings("demo-catalog")
    assert acl.findtext(f"{V15}EveryoneAccessLevel") == "ReadOnly"
    org.unshare_catalog_with_org_members("demo-catalog")
    acl = org.add_catalog_access_settings(
        "demo-catalog", [{"type": "user", "name": "bob", "access_level": "ReadOnly"}]
    )
    assert settings_of(acl) == {"bob": "ReadOnly"}
    bob = client("bob", "demo-org")
    assert [c["name"] for c in Org(bob, resource=bob.get_org()).list_catalogs()] == ["demo-catalog"]
    dan = client("dan", "demo-org")
    assert Org(dan, resource=dan.get_org()).list_catalogs() == []
    older = client("dan", "demo-org", "32.0")  # which reads the org's catalog links
    assert Org(older, resource=older.get_org()).list_catalogs() == []
    acl = org.remove_catalog_access_settings("demo-catalog", remove_all=True)
    assert settings_of(acl) == {}
    org.share_catalog_with_org_members("demo-catalog", "ReadOnly")
    org.share_catalog("demo-catalog")  # published
    assert org.get_catalog("demo-catalog").IsPublished == True  # noqa: E712 (an objectified value)
    org.share_catalog("demo-catalog", share=False)
    # metadata of a catalog item
    monitor = alice.get_task_monitor()
    monitor.wait_for_success(org.set_metadata_on_catalog_item("demo-catalog", "photon-5", "os", "photon"))
    entries = org.get_all_metadata_from_catalog_item("demo-catalog", "photon-5")
    assert [(e.Key, e.TypedValue.Value) for e in entries.MetadataEntry] == [("os", "photon")]
    value = org.get_metadata_value_from_catalog_item("demo-catalog", "photon-5", "os")
    assert value.TypedValue.Value == "photon"
    monitor.wait_for_success(org.remove_metadata_from_catalog_item("demo-catalog", "photon-5", "os"))
    assert not hasattr(org.get_all_metadata_from_catalog_item("demo-catalog", "photon-5"), "MetadataEntry")
    # an org VDC's: the provider's to set (the admin endpoint), the org's to read
    admin_vdc = VDC(
        admin, resource=Org(admin, resource=admin.get_org_by_name("demo-org")).get_vdc("demo-vdc")
    )
    admin.get_task_monitor().wait_for_success(
        admin_vdc.set_metadata("tier", "gold", MetadataDomain.GENERAL, MetadataVisibility.READ_WRITE)
    )
    vdc = VDC(alice, resource=org.get_vdc("demo-vdc"))
    assert vdc.get_metadata_value("tier").TypedValue.Value == "gold"
    with pytest.raises(AccessForbiddenException):
        vdc.set_metadata("tier", "silver")


def test_a_catalog_handed_to_another_owner(scenario, client):
    """``Org.change_catalog_owner`` follows the AdminCatalog's owner link, then reads it back."""
    assert scenario(SCENARIO).status_code == 200
    alice = client("alice", "demo-org")
    org = Org(alice, resource=alice.get_org())
    org.change_catalog_owner("demo-catalog", "bob")
    assert org.get_catalog("demo-catalog", is_admin_operation=True).Owner.User.get("name") == "bob"
    org.change_catalog_owner("demo-catalog", "alice")
    assert org.get_catalog("demo-catalog", is_admin_operation=True).Owner.User.get("name") == "alice"
