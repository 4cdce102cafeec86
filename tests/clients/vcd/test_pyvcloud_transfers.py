"""pyvcloud 23.0.4 and vcd-cli 24.1.0, unmodified, moving files: an OVA uploaded to a catalog
(``Org.upload_ovf``, in parts smaller than the disk file, and ``vcd catalog upload``), a vApp
made from it; an ISO uploaded (``Org.upload_media``, ``vcd catalog upload``) and downloaded
back byte for byte (``Org.download_catalog_item``, ``vcd catalog download``); a template
downloaded as an OVA that uploads again."""

from __future__ import annotations

import tarfile

import pytest
from pyvcloud.vcd.client import BasicLoginCredentials, Client
from pyvcloud.vcd.org import Org
from pyvcloud.vcd.vapp import VApp
from pyvcloud.vcd.vdc import VDC

from clients.vcd.test_vcd_cli import vcd  # noqa: F401 - the fixture
from conftest import DEMO_PASSWORD
from ovf_package import DISK, DISK_NAME, write_ova

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

ISO = b"CD001" + bytes(range(256)) * 40


@pytest.fixture
def org(server, tmp_path, monkeypatch):
    """alice's org through pyvcloud, in a working directory of its own (pyvcloud unpacks an OVA
    in the current one)."""
    monkeypatch.chdir(tmp_path)
    client = Client(server.vcd, verify_ssl_certs=server.cert)
    client.set_credentials(BasicLoginCredentials("alice", "demo-org", DEMO_PASSWORD))
    yield Org(client, resource=client.get_org())
    client.logout()


def test_pyvcloud_uploads_an_ova_in_parts_and_instantiates_it(org, tmp_path):
    ova = write_ova(tmp_path / "small.ova")
    sent = org.upload_ovf("demo-catalog", str(ova), "small", chunk_size=1000)
    assert sent > len(DISK)  # the descriptor and the disk file
    template = org.get_catalog_item("demo-catalog", "small")
    entity = org.client.get_resource(template.Entity.get("href"))
    assert entity.get("status") == "8" and [vm.get("name") for vm in entity.Children.Vm] == ["small"]
    vdc = VDC(org.client, resource=org.get_vdc("demo-vdc"))
    made = vdc.instantiate_vapp("from-ova", "demo-catalog", "small", network="demo-net")
    org.client.get_task_monitor().wait_for_success(made.Tasks.Task[0])
    vapp = VApp(org.client, resource=vdc.get_vapp("from-ova"))
    assert [vm.get("name") for vm in vapp.get_all_vms()] == ["small"]


def test_pyvcloud_uploads_and_downloads_a_medium_and_a_template(org, tmp_path):
    iso = tmp_path / "tools.iso"
    iso.write_bytes(ISO)
    assert org.upload_media("demo-catalog", str(iso), chunk_size=4096) == len(ISO)
    medium = org.client.get_resource(org.get_catalog_item("demo-catalog", "tools.iso").Entity.get("href"))
    assert (medium.get("status"), medium.get("imageType"), medium.get("size")) == ("1", "iso", str(len(ISO)))
    assert org.download_catalog_item("demo-catalog", "tools.iso", str(tmp_path / "back.iso")) == len(ISO)
    assert (tmp_path / "back.iso").read_bytes() == ISO

    org.upload_ovf("demo-catalog", str(write_ova(tmp_path / "small.ova")), "small")
    org.download_catalog_item("demo-catalog", "small", str(tmp_path / "back.ova"))
    with tarfile.open(tmp_path / "back.ova") as tar:
        assert tar.extractfile(DISK_NAME).read() == DISK and "descriptor.ovf" in tar.getnames()
    org.download_catalog_item("demo-catalog", "lamp-stack", str(tmp_path / "lamp.ova"))
    org.upload_ovf("demo-catalog", str(tmp_path / "lamp.ova"), "lamp-again")
    again = org.client.get_resource(org.get_catalog_item("demo-catalog", "lamp-again").Entity.get("href"))
    assert [vm.get("name") for vm in again.Children.Vm] == ["web", "db"]


def test_vcd_cli_uploads_and_downloads(server, vcd, tmp_path):  # noqa: F811 - the fixture
    write_ova(tmp_path / "cli.ova", vm="cli-vm")
    (tmp_path / "cli.iso").write_bytes(ISO)
    vcd("login", server.vcd, "demo-org", "alice", "-p", DEMO_PASSWORD, "-w")
    assert "cli.ova" in vcd("catalog", "upload", "demo-catalog", "cli.ova")
    assert "cli.iso" in vcd("catalog", "upload", "demo-catalog", "cli.iso")
    listed = vcd("catalog", "list", "demo-catalog")
    assert "cli.ova" in listed and "cli.iso" in listed
    vcd("catalog", "download", "demo-catalog", "cli.iso", "back.iso")
    assert (tmp_path / "back.iso").read_bytes() == ISO
    vcd("catalog", "download", "demo-catalog", "cli.ova", "back.ova")
    with tarfile.open(tmp_path / "back.ova") as tar:
        assert tar.extractfile(DISK_NAME).read() == DISK
    vcd("logout")
