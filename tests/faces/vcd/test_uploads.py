"""Uploads and downloads through the vCloud API, on the wire: an OVF package uploaded to a catalog
(descriptor, then its file in parts as pyvcloud sends them), its progress in the template's Files
and task, the template usable only once every byte has arrived; what is refused (a size that does
not match, a gap, a descriptor with an entity or that is not OVF); a medium uploaded and
downloaded; a template downloaded (an uploaded one, the demo's, a captured one). Every answer is
valid against the XSDs."""

from __future__ import annotations

from lxml import etree

from ovf_package import DISK, DISK_NAME, descriptor
from vcd_client import V15, instantiate_body, link, sign_in
from vcd_schema import assert_valid

OVF = "{http://schemas.dmtf.org/ovf/envelope/1}"
UPLOAD_TYPE = "application/vnd.vmware.vcloud.uploadVAppTemplateParams+xml"
MEDIA_TYPE = "application/vnd.vmware.vcloud.media+xml"


def version_of(headers) -> str:
    return headers["Accept"].rsplit("version=", 1)[1]


def catalog_and_vdc(c, headers):
    session = get(c, "/api/session", headers)
    org = get(c, link(session, "down", ".org+xml"), headers)
    return get(c, link(org, "down", ".catalog+xml", "demo-catalog"), headers), get(
        c, link(org, "down", ".vdc+xml", "demo-vdc"), headers
    )


def upload_href(catalog, media_type: str) -> str:
    return link(catalog, "add", media_type)


def start_upload(c, headers, name: str = "uploaded"):
    """POST UploadVAppTemplateParams to the demo catalog: the template, as its first GET shows it."""
    catalog, _ = catalog_and_vdc(c, headers)
    body = (
        f'<UploadVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" name="{name}">'
        "<Description>from an OVF package</Description></UploadVAppTemplateParams>"
    )
    r = c.post(
        upload_href(catalog, ".uploadVAppTemplateParams+xml"),
        content=body,
        headers={**headers, "Content-Type": UPLOAD_TYPE},
    )
    assert r.status_code == 201, r.text
    item = assert_valid(r.content, version_of(headers))
    assert item.tag == f"{V15}CatalogItem" and item.get("name") == name
    entity = item.find(f"{V15}Entity")
    assert entity.get("type").endswith("vAppTemplate+xml")
    return entity.get("href")


def files(template) -> dict[str, tuple[int, int, str]]:
    """A template's or medium's Files: name -> (size, bytesTransferred, its link's href)."""
    found = template.find(f"{V15}Files")
    if found is None:
        return {}
    return {
        f.get("name"): (int(f.get("size")), int(f.get("bytesTransferred")), f.find(f"{V15}Link").get("href"))
        for f in found
    }


def get(c, href, headers, version=None):
    """A GET's answer, valid in the version asked (else the one ``headers`` name)."""
    r = c.get(href, headers=headers)
    assert r.status_code == 200, r.text
    return assert_valid(r.content, version or version_of(headers))


def test_an_ovf_upload_in_parts_makes_a_template_usable_once_every_byte_arrived(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        href = start_upload(c, headers)
        template = get(c, href, headers)
        assert (template.get("status"), template.get("ovfDescriptorUploaded")) == ("0", "false")
        ((size, sent, put_descriptor),) = files(template).values()
        assert list(files(template)) == ["descriptor.ovf"] and (size, sent) == (-1, 0)
        assert "/transfer/" in put_descriptor
        (running,) = template.find(f"{V15}Tasks")
        assert (running.get("operationName"), running.get("status")) == ("vdcUploadOvfContents", "running")
        _, vdc = catalog_and_vdc(c, headers)
        instantiate = link(vdc, "add", ".instantiateVAppTemplateParams+xml")
        params = {
            **headers,
            "Content-Type": "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml",
        }
        early = c.post(instantiate, content=instantiate_body("too-early", href), headers=params)
        assert early.status_code == 400 and "not ready" in early.text

        bare = {"x-vcloud-authorization": headers["x-vcloud-authorization"]}  # as pyvcloud: no version
        r = c.put(put_descriptor, content=descriptor(), headers={**bare, "Content-Type": "text/xml"})
        assert r.status_code == 200, r.text
        template = get(c, href, headers)
        assert (template.get("status"), template.get("ovfDescriptorUploaded")) == ("0", "true")
        listed = files(template)
        assert listed["descriptor.ovf"][:2] == (len(descriptor()), len(descriptor()))
        assert listed[DISK_NAME][:2] == (len(DISK), 0)
        (vm,) = template.find(f"{V15}Children")
        assert vm.get("name") == "small"
        put_disk = listed[DISK_NAME][2]

        half = len(DISK) // 2
        for first, last in ((0, 999), (1000, half - 1)):
            part = {**bare, "Content-Range": f"bytes {first}-{last}/{len(DISK)}"}
            assert c.put(put_disk, content=DISK[first : last + 1], headers=part).status_code == 200
        template = get(c, href, headers)
        assert files(template)[DISK_NAME][1] == half
        (running,) = template.find(f"{V15}Tasks")
        assert running.get("status") == "running" and running.findtext(f"{V15}Progress") == str(
            100 * half // len(DISK)
        )

        refused = {
            "a total that is not the file's size": (f"bytes {half}-{half + 9}/{len(DISK) + 1}", 10, 400),
            "a gap": (f"bytes {half + 10}-{half + 19}/{len(DISK)}", 10, 416),
            "a range longer than the body": (f"bytes {half}-{half + 19}/{len(DISK)}", 10, 400),
            "past the file's end": (f"bytes {half}-{len(DISK)}/{len(DISK)}", len(DISK) - half + 1, 400),
        }
        for why, (given, length, status) in refused.items():
            r = c.put(put_disk, content=b"x" * length, headers={**bare, "Content-Range": given})
            assert r.status_code == status, why
            assert assert_valid(r.content).tag == f"{V15}Error", why
        assert files(get(c, href, headers))[DISK_NAME][1] == half  # nothing of those was kept

        repeat = {**bare, "Content-Range": f"bytes {half - 100}-{len(DISK) - 1}/{len(DISK)}"}
        assert c.put(put_disk, content=DISK[half - 100 :], headers=repeat).status_code == 200
        template = get(c, href, headers)
        assert (template.get("status"), template.find(f"{V15}Files"), template.find(f"{V15}Tasks")) == (
            "8",
            None,
            None,
        )
        assert c.put(put_disk, content=DISK, headers=bare).status_code == 400  # complete already
        stored = [p.read_bytes() for p in (server.data_dir / "transfers").iterdir()]
        assert DISK in stored and descriptor() in stored

        r = c.post(instantiate, content=instantiate_body("from-upload", href), headers=params)
        assert r.status_code == 201, r.text
        (vm,) = assert_valid(r.content).find(f"{V15}Children")
        vm = get(c, vm.get("href"), headers)
        assert vm.findtext(f"{V15}VmSpecSection/{V15}NumCpus") == "2"
        assert vm.findtext(f"{V15}VmSpecSection/{V15}MemoryResourceMb/{V15}Configured") == "2048"
        assert (
            vm.find("{http://schemas.dmtf.org/ovf/envelope/1}OperatingSystemSection").get(
                "{http://www.vmware.com/schema/ovf}osType"
            )
            == "ubuntu64Guest"
        )


def test_a_descriptor_is_refused_with_an_entity_unexpanded_or_when_it_is_not_ovf(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        href = start_upload(c, headers, "refused")
        put_descriptor = files(get(c, href, headers))["descriptor.ovf"][2]
        bare = {"x-vcloud-authorization": headers["x-vcloud-authorization"], "Content-Type": "text/xml"}
        entity = descriptor(vm="&boom;").replace(
            b"<Envelope", b'<!DOCTYPE Envelope [<!ENTITY boom "EXPANDED">]>\n<Envelope', 1
        )
        for body in (entity, b"<NotOvf/>", b"<Envelope", descriptor()[:-20]):
            r = c.put(put_descriptor, content=body, headers=bare)
            assert r.status_code == 400, body
            assert b"EXPANDED" not in r.content
        template = get(c, href, headers)
        assert template.get("ovfDescriptorUploaded") == "false" and not template.findall(f".//{V15}Vm")
        r = c.put(put_descriptor, content=descriptor(vm="fine"), headers=bare)  # still waiting for one
        assert r.status_code == 200
        assert [vm.get("name") for vm in get(c, href, headers).find(f"{V15}Children")] == ["fine"]
        other = {
            **bare,
            "x-vcloud-authorization": sign_in(c, "administrator@System")["x-vcloud-authorization"],
        }
        assert (
            c.put(
                put_descriptor.replace("descriptor.ovf", "nothing.vmdk"), content=b"x", headers=other
            ).status_code
            == 404
        )


def test_a_medium_is_uploaded_then_downloaded(server):
    data = b"ISO9660" + bytes(5000)
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        catalog, _ = catalog_and_vdc(c, headers)
        body = (
            f'<Media xmlns="http://www.vmware.com/vcloud/v1.5" name="tools.iso" size="{len(data)}" '
            'imageType="iso"><Description>tools</Description></Media>'
        )
        r = c.post(
            upload_href(catalog, ".media+xml"), content=body, headers={**headers, "Content-Type": MEDIA_TYPE}
        )
        assert r.status_code == 201, r.text
        href = assert_valid(r.content).find(f"{V15}Entity").get("href")
        medium = get(c, href, headers)
        assert (
            medium.get("status") == "0"
            and medium.find(f"{V15}Tasks/{V15}Task").get("operationName") == "vdcUploadMedia"
        )
        ((size, sent, put_file),) = files(medium).values()
        assert (size, sent) == (len(data), 0)
        bare = {"x-vcloud-authorization": headers["x-vcloud-authorization"]}
        assert c.put(put_file, content=data + b"!", headers=bare).status_code == 400
        assert c.put(put_file, content=data, headers=bare).status_code == 200
        medium = get(c, href, headers)
        assert (medium.get("status"), medium.find(f"{V15}Files")) == ("1", None)
        r = c.post(link(medium, "enable", ""), headers=headers)
        assert r.status_code == 202 and assert_valid(r.content).get("operationName") == "vdcEnableDownload"
        medium = get(c, href, headers)
        ((size, _, download),) = files(medium).values()
        assert size == len(data) and c.get(download, headers=bare).content == data
        assert c.post(link(medium, "disable", ""), headers=headers).status_code == 204
        assert c.get(download, headers=bare).status_code == 404
        demo = next(
            i.get("href") for i in catalog.find(f"{V15}CatalogItems") if i.get("name") == "ubuntu-24.04.iso"
        )
        demo_medium = get(c, get(c, demo, headers).find(f"{V15}Entity").get("href"), headers)
        assert c.post(link(demo_medium, "enable", ""), headers=headers).status_code == 400  # no bytes to give


def download(c, template_href, headers) -> tuple[etree._Element, dict[str, bytes]]:
    """Enable a template's download and fetch its descriptor and every file it references."""
    template = get(c, template_href, headers)
    assert c.post(link(template, "enable", ""), headers=headers).status_code == 202
    template = get(c, template_href, headers)
    descriptor_href = link(template, "download:default", "text/xml")
    bare = {"x-vcloud-authorization": headers["x-vcloud-authorization"]}
    r = c.get(descriptor_href, headers=bare)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    envelope = assert_valid(r.content)  # against DMTF's OVF 1.1 envelope schema, which the XSDs import
    got = {}
    for f in envelope.iterfind(f"{OVF}References/{OVF}File"):
        name = f.get(f"{OVF}href")
        body = c.get(descriptor_href.rsplit("/", 1)[0] + "/" + name, headers=bare)
        assert body.status_code == 200 and len(body.content) == int(f.get(f"{OVF}size"))
        got[name] = body.content
    return envelope, got


def test_templates_uploaded_demo_and_captured_download_as_valid_ovf(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        href = start_upload(c, headers)
        bare = {"x-vcloud-authorization": headers["x-vcloud-authorization"]}
        listed = files(get(c, href, headers))
        c.put(listed["descriptor.ovf"][2], content=descriptor(), headers=bare)
        c.put(files(get(c, href, headers))[DISK_NAME][2], content=DISK, headers=bare)
        envelope, got = download(c, href, headers)
        assert got == {DISK_NAME: DISK}
        catalog, vdc = catalog_and_vdc(c, headers)
        demo = next(
            i.get("href") for i in catalog.find(f"{V15}CatalogItems") if i.get("name") == "lamp-stack"
        )
        envelope, got = download(c, get(c, demo, headers).find(f"{V15}Entity").get("href"), headers)
        assert [s.findtext(f"{OVF}Name") for s in envelope.iter(f"{OVF}VirtualSystem")] == ["web", "db"]
        assert sorted(got) == ["db-disk1.vmdk", "web-disk1.vmdk"]

        web = next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")
        capture = (
            '<CaptureVAppParams xmlns="http://www.vmware.com/vcloud/v1.5" name="captured">'
            f'<Source href="{web}"/></CaptureVAppParams>'
        )
        r = c.post(
            link(catalog, "add", ".captureVAppParams+xml"),
            content=capture,
            headers={**headers, "Content-Type": "application/vnd.vmware.vcloud.captureVAppParams+xml"},
        )
        assert r.status_code == 201, r.text
        envelope, got = download(c, assert_valid(r.content).get("href"), headers)
        assert sorted(s.findtext(f"{OVF}Name") for s in envelope.iter(f"{OVF}VirtualSystem")) == ["db", "web"]
        template = get(c, assert_valid(r.content).get("href"), headers)
        assert c.post(link(template, "disable", ""), headers=headers).status_code == 204
        assert (
            get(c, assert_valid(r.content).get("href"), headers).find(f"{V15}Link[@rel='download:default']")
            is None
        )


def test_an_upload_at_api_5_5_is_valid_in_that_version(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c, version="5.5")
        href = start_upload(c, headers, "old")
        template = get(c, href, headers, "5.5")
        assert list(files(template)) == ["descriptor.ovf"]


def test_a_part_is_bounded_and_the_transfer_service_answers_on_the_shared_port(server):
    """A part larger than ``--max-transfer`` (32 MiB by default, above the 1 MiB of a request
    body elsewhere) is refused with 413; the transfer service answers on the shared port too."""
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        catalog, _ = catalog_and_vdc(c, headers)
        body = f'<Media xmlns="{V15[1:-1]}" name="big.iso" size="50000000" imageType="iso"/>'
        r = c.post(
            upload_href(catalog, ".media+xml"), content=body, headers={**headers, "Content-Type": MEDIA_TYPE}
        )
        ((_, _, put_file),) = files(
            get(c, assert_valid(r.content).find(f"{V15}Entity").get("href"), headers)
        ).values()
    bare = {"x-vcloud-authorization": headers["x-vcloud-authorization"]}
    with server.client() as shared:  # a connection of its own: the server answers before the body ends
        r = shared.put(put_file, content=bytes((32 << 20) + 1), headers=bare)
        assert (
            r.status_code == 413
            and assert_valid(r.content).get("minorErrorCode") == "REQUEST_ENTITY_TOO_LARGE"
        )
    with server.client() as shared:
        part = {**bare, "Content-Range": f"bytes 0-{(2 << 20) - 1}/50000000"}
        assert (
            shared.put(
                put_file.replace(server.vcd, server.https), content=bytes(2 << 20), headers=part
            ).status_code
            == 200
        )
        assert shared.put(put_file.replace(server.vcd, server.https), content=b"x").status_code == 401


def test_cancelling_an_upload_takes_its_template_and_files_away(server):
    with server.client(base_url=server.vcd) as c:
        headers = sign_in(c)
        href = start_upload(c, headers, "cancelled")
        bare = {"x-vcloud-authorization": headers["x-vcloud-authorization"], "Content-Type": "text/xml"}
        put_descriptor = files(get(c, href, headers))["descriptor.ovf"][2]
        assert c.put(put_descriptor, content=descriptor(), headers=bare).status_code == 200
        (running,) = get(c, href, headers).find(f"{V15}Tasks")
        assert running.find(f"{V15}Owner").get("href") == href
        assert c.post(link(running, "task:cancel", ""), headers=headers).status_code == 204
        assert get(c, running.get("href"), headers).get("status") == "aborted"
        assert c.get(href, headers=headers).status_code == 404
        assert not [p for p in (server.data_dir / "transfers").iterdir() if p.read_bytes() == descriptor()]
        catalog, _ = catalog_and_vdc(c, headers)
        assert "cancelled" not in [i.get("name") for i in catalog.find(f"{V15}CatalogItems")]
