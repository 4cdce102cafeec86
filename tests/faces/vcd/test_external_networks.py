"""External networks' IP scopes on the wire: both views of an external network (the extension's
``VMWExternalNetwork`` and the admin ``ExternalNetwork``) show one enabled IP scope, a /24 of
172.16.0.0/12 fixed by the port group (gateway ``.1``, DNS ``.2``, a static pool ``.100-.199``),
the same in both and across a reset, valid against the XSDs at 5.5 and at 36.0."""

from __future__ import annotations

import ipaddress

import pytest

from faces.vcd.test_vsphere_view import EXT, ext_link
from vcd_client import ORG_USER, PROVIDER, V15, link, sign_in
from vcd_schema import assert_valid

SCOPE = f"{V15}Configuration/{V15}IpScopes/{V15}IpScope"


def external_views(c, headers, version):
    """Each external network: (its extension view, its admin view), valid at ``version``."""
    extension = assert_valid(c.get("/api/admin/extension", headers=headers).content, version)
    refs = assert_valid(
        c.get(ext_link(extension, ".vmwExternalNetworkReferences+xml"), headers=headers).content, version
    )
    found = []
    for ref in refs.findall(f"{EXT}ExternalNetworkReference"):
        vmw = assert_valid(c.get(ref.get("href"), headers=headers).content, version)
        admin = assert_valid(c.get(link(vmw, "alternate", ".network+xml"), headers=headers).content, version)
        found.append((vmw, admin))
    assert found
    return found


def scope_of(network) -> dict[str, str]:
    (scope,) = network.findall(SCOPE)
    ranges = scope.findall(f"{V15}IpRanges/{V15}IpRange")
    return {
        **{child.tag.removeprefix(V15): child.text for child in scope if child.text and child.text.strip()},
        "ranges": [(r.findtext(f"{V15}StartAddress"), r.findtext(f"{V15}EndAddress")) for r in ranges],
    }


@pytest.mark.parametrize("version", ["5.5", "36.0"])
def test_each_external_network_has_one_subnet_of_its_own(server, version):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER, version)
        views = external_views(c, admin, version)
        subnets = set()
        for vmw, admin_view in views:
            scope = scope_of(vmw)
            assert scope == scope_of(admin_view)
            assert scope["IsInherited"] == "false" and scope["IsEnabled"] == "true"
            subnet = ipaddress.IPv4Network(f"{scope['Gateway']}/{scope['Netmask']}", strict=False)
            assert subnet.subnet_of(ipaddress.IPv4Network("172.16.0.0/12")) and subnet.prefixlen == 24
            assert scope["Gateway"] == str(subnet.network_address + 1)
            assert ipaddress.IPv4Address(scope["Dns1"]) in subnet and scope["DnsSuffix"] == "localsphere.test"
            ((first, last),) = scope["ranges"]
            assert ipaddress.IPv4Address(first) in subnet and ipaddress.IPv4Address(last) in subnet
            assert ipaddress.IPv4Address(first) < ipaddress.IPv4Address(last)
            assert vmw.findtext(f"{V15}Configuration/{V15}FenceMode") == "isolated"
            subnets.add(subnet)
        assert len(subnets) == len(views)  # one of its own each


def test_the_subnet_stays_across_a_reset(server):
    with server.client(base_url=server.vcd) as c:
        before = [scope_of(vmw) for vmw, _ in external_views(c, sign_in(c, PROVIDER), "36.0")]
        server.reset()
        after = [scope_of(vmw) for vmw, _ in external_views(c, sign_in(c, PROVIDER), "36.0")]
        assert before == after


def test_port_group_records_name_the_network_each_backs(server):
    """``portgroup``: every port group of the vCenter, the org network it backs (demo-net's) or
    else the external network it is; the provider's only."""
    with server.client(base_url=server.vcd) as c:
        admin, alice = sign_in(c, PROVIDER), sign_in(c, ORG_USER)
        page = assert_valid(
            c.get("/api/query", params={"type": "portgroup", "format": "records"}, headers=admin).content
        )
        records = page.findall(f"{V15}PortgroupRecord")
        assert records and int(page.get("total")) == len(records)
        by_network = {r.get("networkName"): r for r in records}
        demo = by_network["demo-net"]
        assert "/api/network/" in demo.get("network") and demo.get("moref").startswith("network-")
        externals = [r for r in records if "/api/admin/network/" in r.get("network")]
        assert externals and all(r.get("networkName") == r.get("name") for r in externals)
        assert {r.get("vcName") for r in records} == {"vcenter.localsphere.test"}
        named = c.get(
            "/api/query",
            params={"type": "portgroup", "filter": f"networkName=={externals[0].get('name')}"},
            headers=admin,
        )
        assert [r.get("moref") for r in assert_valid(named.content).findall(f"{V15}PortgroupRecord")] == [
            externals[0].get("moref")
        ]
        mine = assert_valid(c.get("/api/query", params={"type": "portgroup"}, headers=alice).content)
        assert mine.get("total") == "0"
