"""Object metadata of vApps and VMs through the vCloud API: typed entries merged by POST, one value
read, replaced and removed, the SYSTEM domain the provider's alone and its PRIVATE entries
invisible to org users, wrong types and values the product's 400s, every answer valid against the
XSDs."""

from __future__ import annotations

from vcd_client import ORG_USER, PROVIDER, V15, link, sign_in
from vcd_schema import assert_valid

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
METADATA = "application/vnd.vmware.vcloud.metadata+xml"
VALUE = "application/vnd.vmware.vcloud.metadata.value+xml"


def entry(key: str, wire: str, value: str, domain: str = "", visibility: str = "READWRITE") -> str:
    tag = f'<Domain visibility="{visibility}">{domain}</Domain>' if domain else ""
    return (
        f'<MetadataEntry type="xs:string">{tag}<Key>{key}</Key>'
        f'<TypedValue xsi:type="{wire}"><Value>{value}</Value></TypedValue></MetadataEntry>'
    )


def metadata_body(*entries: str) -> str:
    return (
        '<Metadata xmlns="http://www.vmware.com/vcloud/v1.5" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' + "".join(entries) + "</Metadata>"
    )


def value_body(wire: str, value: str, visibility: str = "READWRITE", domain: str = "GENERAL") -> str:
    return (
        '<MetadataValue xmlns="http://www.vmware.com/vcloud/v1.5" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<Domain visibility="{visibility}">{domain}</Domain>'
        f'<TypedValue xsi:type="{wire}"><Value>{value}</Value></TypedValue></MetadataValue>'
    )


def demo_web(c, headers) -> str:
    session = assert_valid(c.get("/api/session", headers=headers).content)
    org = assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content)
    vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=headers).content)
    return next(e.get("href") for e in vdc.find(f"{V15}ResourceEntities") if e.get("name") == "demo-web")


def entries(c, href, headers) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(domain, key) -> (visibility, xsi:type, value) of a Metadata document."""
    r = c.get(href, headers=headers)
    assert r.status_code == 200, r.text
    doc = assert_valid(r.content)
    return {
        (e.findtext(f"{V15}Domain"), e.findtext(f"{V15}Key")): (
            e.find(f"{V15}Domain").get("visibility"),
            e.find(f"{V15}TypedValue").get(f"{XSI}type"),
            e.findtext(f"{V15}TypedValue/{V15}Value"),
        )
        for e in doc.findall(f"{V15}MetadataEntry")
    }


def task_of(r) -> None:
    assert r.status_code == 202, r.text
    assert assert_valid(r.content).tag == f"{V15}Task"


def test_typed_entries_are_merged_read_replaced_and_removed(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        vapp = assert_valid(c.get(demo_web(c, alice), headers=alice).content)
        href = link(vapp, "down", ".metadata+xml")
        assert entries(c, href, alice) == {}
        doc = assert_valid(c.get(href, headers=alice).content)
        assert link(doc, "add", ".metadata+xml") == href
        body = metadata_body(
            entry("owner", "MetadataStringValue", "team-a", "GENERAL"),
            entry("cost", "MetadataNumberValue", "42"),
            entry("prod", "MetadataBooleanValue", "1"),
            entry("until", "MetadataDateTimeValue", "2027-01-02T03:04:05-05:00"),
        )
        task_of(c.post(href, content=body, headers={**alice, "Content-Type": METADATA}))
        assert entries(c, href, alice) == {
            ("GENERAL", "owner"): ("READWRITE", "MetadataStringValue", "team-a"),
            ("GENERAL", "cost"): ("READWRITE", "MetadataNumberValue", "42"),
            ("GENERAL", "prod"): ("READWRITE", "MetadataBooleanValue", "true"),
            ("GENERAL", "until"): ("READWRITE", "MetadataDateTimeValue", "2027-01-02T08:04:05.000Z"),
        }
        # one value, by key (GENERAL) and by domain and key; a merge replaces what it names
        one = assert_valid(c.get(f"{href}/cost", headers=alice).content)
        assert one.tag == f"{V15}MetadataValue" and one.findtext(f"{V15}TypedValue/{V15}Value") == "42"
        assert link(one, "remove", "") == f"{href}/cost" == link(one, "edit", ".metadata.value+xml")
        task_of(
            c.post(href, content=metadata_body(entry("cost", "MetadataNumberValue", "-7")), headers=alice)
        )
        assert c.get(f"{href}/GENERAL/cost", headers=alice).text.count("<Value>-7</Value>") == 1
        task_of(c.put(f"{href}/owner", content=value_body("MetadataStringValue", "team-b"), headers=alice))
        assert entries(c, href, alice)[("GENERAL", "owner")][2] == "team-b"
        task_of(c.delete(f"{href}/GENERAL/prod", headers=alice))
        assert ("GENERAL", "prod") not in entries(c, href, alice)
        r = c.get(f"{href}/prod", headers=alice)  # a missing key: vCD's 403
        assert r.status_code == 403 and assert_valid(r.content).get("minorErrorCode") == (
            "ACCESS_TO_RESOURCE_IS_FORBIDDEN"
        )
        # a VM has metadata of its own
        vm_href = vapp.find(f"{V15}Children/{V15}Vm").get("href")
        task_of(
            c.put(f"{vm_href}/metadata/role", content=value_body("MetadataStringValue", "web"), headers=alice)
        )
        assert entries(c, f"{vm_href}/metadata", alice) == {
            ("GENERAL", "role"): ("READWRITE", "MetadataStringValue", "web")
        }
        assert ("GENERAL", "role") not in entries(c, href, alice)
        # a key that is no path segment as it stands: its entry's href is percent-encoded
        task_of(
            c.post(
                href,
                content=metadata_body(entry("cost centre/eu", "MetadataStringValue", "x")),
                headers=alice,
            )
        )
        doc = assert_valid(c.get(href, headers=alice).content)
        (spaced,) = [e.get("href") for e in doc.findall(f"{V15}MetadataEntry") if "centre" in e.get("href")]
        assert spaced == f"{href}/cost%20centre%2Feu"
        r = c.get(spaced, headers=alice)
        assert r.status_code == 200, r.text


def test_the_system_domain_is_the_providers_and_private_entries_are_hidden(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER), sign_in(c, PROVIDER)
        href = f"{demo_web(c, alice)}/metadata"
        body = metadata_body(
            entry("tier", "MetadataStringValue", "gold", "SYSTEM", "READONLY"),
            entry("billing", "MetadataNumberValue", "9", "SYSTEM", "PRIVATE"),
        )
        r = c.post(href, content=body, headers=alice)
        assert r.status_code == 403 and assert_valid(r.content).get("majorErrorCode") == "403"
        task_of(c.post(href, content=body, headers=admin))
        assert set(entries(c, href, admin)) == {("SYSTEM", "tier"), ("SYSTEM", "billing")}
        assert entries(c, href, alice) == {("SYSTEM", "tier"): ("READONLY", "MetadataStringValue", "gold")}
        assert c.get(f"{href}/SYSTEM/billing", headers=alice).status_code == 403
        tier = assert_valid(c.get(f"{href}/SYSTEM/tier", headers=alice).content)
        assert [x.get("rel") for x in tier.findall(f"{V15}Link")] == ["up"]  # nothing an org user may change
        for r in (
            c.delete(f"{href}/SYSTEM/tier", headers=alice),
            c.put(
                f"{href}/SYSTEM/tier",
                content=value_body("MetadataStringValue", "x", "READONLY"),
                headers=alice,
            ),
        ):
            assert r.status_code == 403, r.text
        task_of(c.delete(f"{href}/SYSTEM/billing", headers=admin))
        assert set(entries(c, href, admin)) == {("SYSTEM", "tier")}


def test_wrong_types_and_values_are_the_products_400s(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        href = f"{demo_web(c, alice)}/metadata"
        for bad in (
            entry("n", "MetadataNumberValue", "forty"),
            entry("n", "MetadataNumberValue", str(1 << 63)),
            entry("b", "MetadataBooleanValue", "yes"),
            entry("d", "MetadataDateTimeValue", "tomorrow"),
            entry("s", "MetadataBlobValue", "x"),
            entry("s", "MetadataStringValue", "x", "GENERAL", "PRIVATE"),
            entry("s", "MetadataStringValue", "x", "OTHER"),
            entry("", "MetadataStringValue", "x"),
        ):
            r = c.post(href, content=metadata_body(bad), headers=alice)
            assert r.status_code == 400, (bad, r.text)
            assert assert_valid(r.content).get("minorErrorCode") == "BAD_REQUEST"
        r = c.put(f"{href}/k", content=metadata_body(), headers=alice)
        assert r.status_code == 400
        assert entries(c, href, alice) == {}  # nothing of a refused request was kept


def test_the_query_service_filters_vapps_and_vms_by_metadata(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER), sign_in(c, PROVIDER)
        vapp = assert_valid(c.get(demo_web(c, alice), headers=alice).content)
        href = link(vapp, "down", ".metadata+xml")
        task_of(
            c.post(
                href, content=metadata_body(entry("owner", "MetadataStringValue", "team-a")), headers=alice
            )
        )
        body = metadata_body(entry("cost", "MetadataStringValue", "secret", "SYSTEM", "PRIVATE"))
        task_of(c.post(href, content=body, headers=admin))
        vm_href = vapp.find(f"{V15}Children/{V15}Vm").get("href")
        task_of(
            c.put(f"{vm_href}/metadata/role", content=value_body("MetadataStringValue", "web"), headers=alice)
        )

        def names(kind: str, text: str, headers) -> list[str]:
            r = c.get("/api/query", params={"type": kind, "filter": text}, headers=headers)
            assert r.status_code == 200, r.text
            return [x.get("name") for x in assert_valid(r.content) if x.get("name")]

        assert names("vApp", "metadata:owner==team-a", alice) == ["demo-web"]
        assert names("vApp", "metadata:owner==team-*", alice) == ["demo-web"]
        assert names("vApp", "metadata:owner==team-b", alice) == []
        assert names("vApp", "metadata@SYSTEM:cost==secret", admin) == ["demo-web"]
        assert names("vApp", "metadata@SYSTEM:cost==secret", alice) == []  # PRIVATE: not the org's
        assert names("vm", "metadata:role==web", alice) == [vapp.find(f"{V15}Children/{V15}Vm").get("name")]
        # typed values (the guide's NUMBER:, DATETIME:, BOOLEAN:, STRING: words)
        typed = metadata_body(
            entry("rank", "MetadataNumberValue", "12"),
            entry("until", "MetadataDateTimeValue", "2027-01-02T03:04:05Z"),
            entry("prod", "MetadataBooleanValue", "true"),
        )
        task_of(c.post(href, content=typed, headers=alice))
        for text, found in (
            ("metadata:rank=gt=NUMBER:9", ["demo-web"]),  # as numbers: 12 > 9 (as text it is not)
            ("metadata:rank=lt=NUMBER:9", []),
            ("metadata:rank==12", ["demo-web"]),
            ("metadata:until=ge=DATETIME:2027-01-01T00:00:00-05:00", ["demo-web"]),
            ("metadata:until=lt=DATETIME:2027-01-02T03:04:05Z", []),
            ("metadata:prod==BOOLEAN:1", ["demo-web"]),
            ("metadata:owner==STRING:team-a", ["demo-web"]),
            ("metadata:rank==STRING:12", []),  # a number is not a string
        ):
            assert names("vApp", text, alice) == found, text
        for text in ("metadata@OTHER:x==1", "metadata:rank==NUMBER:ten", "metadata:until==DATETIME:soon"):
            r = c.get("/api/query", params={"type": "vApp", "filter": text}, headers=alice)
            assert r.status_code == 400 and assert_valid(r.content).get("minorErrorCode") == "BAD_REQUEST"


def test_metadata_is_in_snapshots_and_a_reset_clears_it(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        href = f"{demo_web(c, alice)}/metadata"
        task_of(c.put(f"{href}/k", content=value_body("MetadataStringValue", "kept"), headers=alice))
        assert server.control("POST", "/snapshots", json={"name": "metadata"}).status_code in (200, 201)
        try:
            task_of(c.delete(f"{href}/k", headers=alice))
            assert entries(c, href, alice) == {}
            assert server.control("POST", "/snapshots/metadata/restore").status_code == 200
            alice = sign_in(c, ORG_USER)
            assert entries(c, href, alice) == {("GENERAL", "k"): ("READWRITE", "MetadataStringValue", "kept")}
            assert server.control("POST", "/reset").status_code == 200
            alice = sign_in(c, ORG_USER)
            assert entries(c, f"{demo_web(c, alice)}/metadata", alice) == {}
        finally:
            server.control("DELETE", "/snapshots/metadata")


def demo_objects(c, headers) -> dict[str, str]:
    """The demo org's catalog, its lamp-stack item, template and medium, and its VDC: kind -> href."""
    session = assert_valid(c.get("/api/session", headers=headers).content)
    org = assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content)
    catalog_href = link(org, "down", ".catalog+xml", "demo-catalog")
    catalog = assert_valid(c.get(catalog_href, headers=headers).content)
    found = {"catalog": catalog_href, "vdc": link(org, "down", ".vdc+xml", "demo-vdc")}
    for item in catalog.iter(f"{V15}CatalogItem"):
        entity = assert_valid(c.get(item.get("href"), headers=headers).content).find(f"{V15}Entity")
        if entity.get("type").endswith("vAppTemplate+xml") and item.get("name") == "lamp-stack":
            found["catalogItem"], found["vAppTemplate"] = item.get("href"), entity.get("href")
        elif entity.get("type").endswith("media+xml"):
            found["media"] = entity.get("href")
    return found


def test_catalogs_their_items_templates_and_media_hold_metadata(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER), sign_in(c, PROVIDER)
        objects = demo_objects(c, alice)
        for kind in ("catalog", "catalogItem", "vAppTemplate", "media"):
            element = assert_valid(c.get(objects[kind], headers=alice).content)
            href = link(element, "down", ".metadata+xml")
            assert href == f"{objects[kind]}/metadata" and entries(c, href, alice) == {}
            body = metadata_body(
                entry("team", "MetadataStringValue", f"{kind}-team"),
                entry("rank", "MetadataNumberValue", "3"),
            )
            task_of(c.post(href, content=body, headers={**alice, "Content-Type": METADATA}))
            task_of(c.put(f"{href}/rank", content=value_body("MetadataNumberValue", "5"), headers=alice))
            assert entries(c, href, alice) == {
                ("GENERAL", "team"): ("READWRITE", "MetadataStringValue", f"{kind}-team"),
                ("GENERAL", "rank"): ("READWRITE", "MetadataNumberValue", "5"),
            }
            # the SYSTEM domain is the provider's; a PRIVATE entry is hidden from the org
            secret = value_body("MetadataStringValue", "s", "PRIVATE", "SYSTEM")
            assert c.put(f"{href}/SYSTEM/secret", content=secret, headers=alice).status_code == 403
            task_of(c.put(f"{href}/SYSTEM/secret", content=secret, headers=admin))
            assert ("SYSTEM", "secret") not in entries(c, href, alice)
            assert ("SYSTEM", "secret") in entries(c, href, admin)
            # wrong values are the product's 400 and change nothing
            bad = c.put(f"{href}/rank", content=value_body("MetadataNumberValue", "x"), headers=alice)
            assert bad.status_code == 400 and assert_valid(bad.content).get("majorErrorCode") == "400"
            task_of(c.delete(f"{href}/team", headers=alice))
            assert ("GENERAL", "team") not in entries(c, href, alice)
        # the admin view of a catalog shows the same entries
        admin_href = objects["catalog"].replace("/api/catalog/", "/api/admin/catalog/") + "/metadata"
        assert entries(c, admin_href, admin)[("GENERAL", "rank")][2] == "5"


def test_an_org_vdcs_metadata_is_changed_by_the_provider_and_read_by_the_org(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER), sign_in(c, PROVIDER)
        vdc = demo_objects(c, alice)["vdc"]
        href = link(assert_valid(c.get(vdc, headers=alice).content), "down", ".metadata+xml")
        admin_href = vdc.replace("/api/vdc/", "/api/admin/vdc/") + "/metadata"
        body = metadata_body(entry("tier", "MetadataStringValue", "gold"))
        assert (
            c.post(admin_href, content=body, headers={**alice, "Content-Type": METADATA}).status_code == 403
        )
        assert c.post(href, content=body, headers={**alice, "Content-Type": METADATA}).status_code == 405
        task_of(c.post(admin_href, content=body, headers={**admin, "Content-Type": METADATA}))
        assert entries(c, href, alice) == {("GENERAL", "tier"): ("READWRITE", "MetadataStringValue", "gold")}
        one = assert_valid(c.get(f"{href}/tier", headers=alice).content)
        assert one.findtext(f"{V15}TypedValue/{V15}Value") == "gold"


def test_the_query_service_filters_catalogs_templates_media_and_vdcs_by_metadata(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER), sign_in(c, PROVIDER)
        objects = demo_objects(c, alice)
        for kind in ("catalog", "vAppTemplate", "media"):
            body = metadata_body(
                entry("env", "MetadataStringValue", "lab"), entry("n", "MetadataNumberValue", "7")
            )
            task_of(
                c.post(f"{objects[kind]}/metadata", content=body, headers={**alice, "Content-Type": METADATA})
            )
        vdc_meta = objects["vdc"].replace("/api/vdc/", "/api/admin/vdc/") + "/metadata"
        task_of(
            c.post(
                vdc_meta,
                content=metadata_body(entry("env", "MetadataStringValue", "lab")),
                headers={**admin, "Content-Type": METADATA},
            )
        )
        for kind, record, name in (
            ("catalog", "CatalogRecord", "demo-catalog"),
            ("vAppTemplate", "VAppTemplateRecord", "lamp-stack"),
            ("media", "MediaRecord", None),
            ("orgVdc", "OrgVdcRecord", "demo-vdc"),
        ):
            for wanted, total in (("metadata:env==lab", 1), ("metadata:env==prod", 0)):
                page = assert_valid(
                    c.get("/api/query", params={"type": kind, "filter": wanted}, headers=alice).content
                )
                assert page.get("total") == str(total), (kind, wanted)
                if total and name:
                    assert [r.get("name") for r in page.findall(f"{V15}{record}")] == [name]
        page = assert_valid(
            c.get(
                "/api/query", params={"type": "catalog", "filter": "metadata:n=gt=NUMBER:5"}, headers=alice
            ).content
        )
        assert page.get("total") == "1"


def test_query_records_carry_the_metadata_their_fields_name(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c, ORG_USER), sign_in(c, PROVIDER)
        href = f"{demo_web(c, alice)}/metadata"
        body = metadata_body(
            entry("owner", "MetadataStringValue", "team-a"), entry("cost", "MetadataNumberValue", "9")
        )
        task_of(c.post(href, content=body, headers={**alice, "Content-Type": METADATA}))
        secret = value_body("MetadataStringValue", "s", "PRIVATE", "SYSTEM")
        task_of(c.put(f"{href}/SYSTEM/secret", content=secret, headers=admin))
        catalog = f"{demo_objects(c, alice)['catalog']}/metadata"
        task_of(
            c.post(
                catalog,
                content=metadata_body(entry("env", "MetadataStringValue", "lab")),
                headers={**alice, "Content-Type": METADATA},
            )
        )

        def records(kind, fields, headers, name=None):
            params = {"type": kind, "fields": fields, "filter": f"name=={name}" if name else None}
            page = assert_valid(
                c.get("/api/query", params={k: v for k, v in params.items() if v}, headers=headers).content
            )
            found = []
            for record in page:
                if record.tag.endswith("Record"):
                    meta = record.find(f"{V15}Metadata")
                    pairs = (
                        []
                        if meta is None
                        else [
                            (e.findtext(f"{V15}Key"), e.findtext(f"{V15}TypedValue/{V15}Value"))
                            for e in meta.findall(f"{V15}MetadataEntry")
                        ]
                    )
                    found.append((dict(record.attrib), pairs))
            return found

        ((attributes, pairs),) = records(
            "vApp", "name,metadata:owner,metadata:cost,metadata@SYSTEM:secret", alice
        )
        assert attributes["name"] == "demo-web" and "status" not in attributes
        assert pairs == [("owner", "team-a"), ("cost", "9")]  # never the PRIVATE one
        ((_, pairs),) = records("adminVApp", "name,metadata@SYSTEM:secret,metadata:owner", admin, "demo-web")
        assert pairs == [("secret", "s"), ("owner", "team-a")]
        ((attributes, pairs),) = records("catalog", "metadata:env", alice)
        assert pairs == [("env", "lab")] and "name" not in attributes
        bad = c.get("/api/query", params={"type": "vApp", "fields": "nosuch"}, headers=alice)
        assert bad.status_code == 400
