"""Metadata of org VDC networks, external networks and orgs through the vCloud API: each object's
representation links it, its org reads it at the user view, the system administrator alone
changes it at the admin view (``/api/admin/network/{id}``, ``/api/admin/org/{id}``), SYSTEM
entries are the provider's and PRIVATE ones hidden from the org, and the query service filters
``orgVdcNetwork``, ``organization`` and ``externalNetwork`` records by it. Answers valid against
the XSDs at 36.0 and 5.5."""

from __future__ import annotations

import pytest

from faces.vcd.test_external_networks import external_views
from faces.vcd.test_metadata import (
    METADATA,
    entries,
    entry,
    metadata_body,
    task_of,
    value_body,
)
from vcd_client import ORG_USER, PROVIDER, V15, link, sign_in
from vcd_schema import assert_valid


def demo_org(c, headers, version: str = "36.0"):
    """The demo org's Org document, as ``headers``' user reads it."""
    session = assert_valid(c.get("/api/session", headers=headers).content, version)
    return assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content, version)


def demo_net(c, headers, version: str = "36.0") -> str:
    """The href of the demo VDC's network (demo-net)."""
    org = demo_org(c, headers, version)
    vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=headers).content, version)
    (network,) = vdc.findall(f"{V15}AvailableNetworks/{V15}Network")
    return network.get("href")


def post(c, href, headers, *items: str):
    return c.post(href, content=metadata_body(*items), headers={**headers, "Content-Type": METADATA})


def total(c, headers, kind: str, wanted: str) -> int:
    page = assert_valid(c.get("/api/query", params={"type": kind, "filter": wanted}, headers=headers).content)
    return int(page.get("total"))


@pytest.mark.parametrize("version", ["36.0", "5.5"])
def test_an_org_networks_metadata_is_the_providers_to_change_and_its_orgs_to_read(server, version):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER, version), sign_in(c, PROVIDER, version)
        network_href = demo_net(c, alice, version)
        network = assert_valid(c.get(network_href, headers=alice).content, version)
        href = link(network, "down", ".metadata+xml")
        assert href == f"{network_href}/metadata"
        admin_href = href.replace("/api/network/", "/api/admin/network/")
        item = entry("env", "MetadataStringValue", "lab")
        assert post(c, href, alice, item).status_code == 405  # the user view reads only
        assert post(c, admin_href, alice, item).status_code == 403
        task_of(post(c, admin_href, admin, item, entry("vlan", "MetadataNumberValue", "120")))
        secret = value_body("MetadataStringValue", "s", "PRIVATE", "SYSTEM")
        task_of(c.put(f"{admin_href}/SYSTEM/secret", content=secret, headers=admin))
        assert entries(c, href, alice) == {
            ("GENERAL", "env"): ("READWRITE", "MetadataStringValue", "lab"),
            ("GENERAL", "vlan"): ("READWRITE", "MetadataNumberValue", "120"),
        }
        assert ("SYSTEM", "secret") in entries(c, admin_href, admin)
        value = c.get(f"{href}/vlan", headers=alice)
        assert (
            value.status_code == 200
            and assert_valid(value.content, version).findtext(f"{V15}TypedValue/{V15}Value") == "120"
        )
        assert c.delete(f"{admin_href}/vlan", headers=alice).status_code == 403
        task_of(c.delete(f"{admin_href}/vlan", headers=admin))
        assert c.get(f"{href}/vlan", headers=alice).status_code == 403  # gone: vCD's 403
        assert total(c, alice, "orgVdcNetwork", "metadata:env==lab") == 1
        assert total(c, alice, "orgVdcNetwork", "metadata:env==prod") == 0
        assert total(c, alice, "orgVdcNetwork", "metadata@SYSTEM:secret==s") == 0  # PRIVATE
        assert total(c, admin, "orgVdcNetwork", "metadata@SYSTEM:secret==s") == 1


def test_an_orgs_metadata_is_the_providers_to_change_and_its_users_to_read(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER), sign_in(c, PROVIDER)
        org = demo_org(c, alice)
        href = link(org, "down", ".metadata+xml")
        assert href == f"{org.get('href')}/metadata"
        assert entries(c, href, alice) == {}
        admin_org = assert_valid(
            c.get(href.replace("/api/org/", "/api/admin/org/")[: -len("/metadata")], headers=admin).content
        )
        admin_href = link(admin_org, "down", ".metadata+xml")
        assert admin_href == href.replace("/api/org/", "/api/admin/org/")
        item = entry("tier", "MetadataStringValue", "gold")
        assert post(c, href, alice, item).status_code == 405
        assert post(c, admin_href, alice, item).status_code == 403
        task_of(
            post(
                c,
                admin_href,
                admin,
                item,
                entry("since", "MetadataDateTimeValue", "2026-01-02T03:04:05Z"),
                entry("contract", "MetadataStringValue", "C-1", "SYSTEM", "READONLY"),
                entry("margin", "MetadataNumberValue", "12", "SYSTEM", "PRIVATE"),
            )
        )
        seen = entries(c, href, alice)
        assert seen == {
            ("GENERAL", "tier"): ("READWRITE", "MetadataStringValue", "gold"),
            ("GENERAL", "since"): ("READWRITE", "MetadataDateTimeValue", "2026-01-02T03:04:05.000Z"),
            ("SYSTEM", "contract"): ("READONLY", "MetadataStringValue", "C-1"),
        }
        assert ("SYSTEM", "margin") in entries(c, admin_href, admin)
        # another org's metadata is refused to alice: the System org's
        system = demo_org(c, admin)
        assert c.get(f"{system.get('href')}/metadata", headers=alice).status_code == 403
        assert total(c, admin, "organization", "metadata:tier==gold") == 1
        assert total(c, admin, "organization", "metadata@SYSTEM:margin=gt=NUMBER:10") == 1
        assert total(c, alice, "organization", "metadata@SYSTEM:margin=gt=NUMBER:10") == 0
        task_of(c.delete(f"{admin_href}/tier", headers=admin))
        assert ("GENERAL", "tier") not in entries(c, href, alice)


def test_an_external_networks_metadata_is_the_providers(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER), sign_in(c, PROVIDER)
        (vmw, admin_view), *_ = external_views(c, admin, "36.0")
        href = link(admin_view, "down", ".metadata+xml")
        assert link(vmw, "down", ".metadata+xml") == href and "/api/admin/network/" in href
        task_of(post(c, href, admin, entry("uplink", "MetadataStringValue", "dc-edge")))
        assert entries(c, href, admin) == {
            ("GENERAL", "uplink"): ("READWRITE", "MetadataStringValue", "dc-edge")
        }
        assert c.get(href, headers=alice).status_code == 404  # not an org's to see
        assert total(c, admin, "externalNetwork", "metadata:uplink==dc-edge") == 1
        assert total(c, admin, "externalNetwork", "metadata:uplink==other") == 0


def test_a_vdc_storage_policys_metadata_is_the_providers_to_change(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER), sign_in(c, PROVIDER)
        org = demo_org(c, alice)
        vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=alice).content)
        (ref,) = vdc.findall(f"{V15}VdcStorageProfiles/{V15}VdcStorageProfile")
        profile = assert_valid(c.get(ref.get("href"), headers=alice).content)
        href = link(profile, "down", ".metadata+xml")
        admin_profile = assert_valid(
            c.get(ref.get("href").replace("/api/", "/api/admin/"), headers=admin).content
        )
        admin_href = link(admin_profile, "down", ".metadata+xml")
        assert admin_href == href.replace("/api/", "/api/admin/")
        item = entry("class", "MetadataStringValue", "ssd")
        assert post(c, href, alice, item).status_code == 405
        assert post(c, admin_href, alice, item).status_code == 403
        task_of(post(c, admin_href, admin, item))
        assert entries(c, href, alice) == {("GENERAL", "class"): ("READWRITE", "MetadataStringValue", "ssd")}
