"""External networks through the official clients, unmodified, as the System administrator:
pyvcloud 23.0.4's ``Platform.list_external_networks``/``get_external_network`` and
``ExternalNetwork.list_provider_vdc``, ``list_vsphere_network`` and
``list_associated_direct_org_vdc_networks`` (at the newest version and at 5.5), and vcd-cli 24.1.0's
``vcd network external list``, ``info`` and ``list-pvdc``."""

from __future__ import annotations

import ipaddress
import re

import pytest
from pyvcloud.vcd.client import NSMAP
from pyvcloud.vcd.external_network import ExternalNetwork
from pyvcloud.vcd.platform import Platform

from clients.vcd.test_pyvcloud_vdcs import connect  # noqa: F401 (the fixture)
from clients.vcd.test_vcd_cli import rows, vcd  # noqa: F401 (the fixture)
from conftest import DEMO_PASSWORD


@pytest.mark.parametrize("version", [None, "5.5"])
def test_pyvcloud_reads_an_external_networks_subnet(connect, version):  # noqa: F811
    c = connect(version=version)
    platform = Platform(c)
    names = [n.get("name") for n in platform.list_external_networks()]
    assert names
    external = platform.get_external_network(names[0])
    scope = external[f"{{{NSMAP['vcloud']}}}Configuration"].IpScopes.IpScope[0]  # as vcd-cli reads it
    subnet = ipaddress.IPv4Network(f"{scope.Gateway.text}/{scope.Netmask.text}", strict=False)
    assert scope.IsEnabled.text == "true" and ipaddress.IPv4Address(scope.Dns1.text) in subnet
    pool = scope.IpRanges.IpRange[0]
    assert ipaddress.IPv4Address(pool.StartAddress.text) in subnet
    assert ipaddress.IPv4Address(pool.EndAddress.text) in subnet
    # the provider VDCs of its datacenter offer it (their AvailableNetworks name it), its port
    # group is the vCenter's, and no org network is connected to it
    network = ExternalNetwork(c, resource=external)
    assert network.list_provider_vdc()
    assert network.list_vsphere_network() == [{"vCenter": "vcenter.localsphere.test", "Name": names[0]}]
    assert network.list_associated_direct_org_vdc_networks() == []


def test_vcd_cli_lists_and_shows_external_networks(server, vcd):  # noqa: F811
    vcd("login", server.vcd, "System", "administrator", "-p", DEMO_PASSWORD, "-w")
    (header, *listed) = [" ".join(row) for row in rows(vcd("network", "external", "list"))]
    assert header == "name" and listed
    name = listed[0]  # a port group's name, such as "VM Network"
    shown = vcd("network", "external", "info", name)
    info = dict(re.findall(r"^\s*(?:ipscope 1\s+)?([a-z_]+):? +(\S.*)$", shown, re.MULTILINE))
    gateway = ipaddress.IPv4Address(info["gateway"])
    assert info["netmask"] == "255.255.255.0" and gateway in ipaddress.IPv4Network("172.16.0.0/12")
    assert info["is_inherited"] == "False" and info["fence_mode"] == "isolated"
    assert info["dns_suffix"] == "localsphere.test" and info["vim_portgroup_moref"].startswith("network-")
    assert info["vim_server_id"].startswith("urn:vcloud:vimserver:")
    assert f"'start_address': '{gateway + 99}'" in shown  # the static pool, .100 to .199
    assert rows(vcd("network", "external", "list-pvdc", name))
