"""Access control of vApps and catalogs through the vCloud API: a vApp is its owner's alone until
it is shared; ReadOnly reads it but cannot power or delete it, Change changes it but not its
sharing, FullControl does everything; sharing to everyone in the org, owner changes, catalog
sharing and publishing across orgs; org administrators see every object of their org. Every
answer valid against the XSDs."""

from __future__ import annotations

from vcd_client import ORG_USER, PROVIDER, V15, instantiate_body, link, sign_in
from vcd_schema import assert_valid

ACCESS = "application/vnd.vmware.vcloud.controlAccess+xml"
OWNER = "application/vnd.vmware.vcloud.owner+xml"
INSTANTIATE = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"
SCENARIO = (
    "identity:\n"
    "  tenants:\n"
    "    - {name: beta, full_name: Beta Inc., vdcs: [{name: beta-vdc, network: beta-net}]}\n"
    "  users:\n"
    "    - {name: bob, domain: demo-org, roles: {cloud_director: vApp Author}}\n"
    "    - {name: dan, domain: demo-org, roles: {cloud_director: vApp Author}}\n"
    "    - {name: bea, domain: beta, roles: {cloud_director: Organization Administrator}}\n"
    "    - {name: ben, domain: beta, roles: {cloud_director: vApp Author}}\n"
)


def access_body(everyone: str | None = None, *settings: tuple[str, str]) -> str:
    """A ``ControlAccessParams``: shared to everyone at ``everyone``, or to (subject href, level)s."""
    shared = f"<EveryoneAccessLevel>{everyone}</EveryoneAccessLevel>" if everyone else ""
    items = "".join(
        f'<AccessSetting><Subject href="{href}" type="application/vnd.vmware.admin.user+xml"/>'
        f"<AccessLevel>{level}</AccessLevel></AccessSetting>"
        for href, level in settings
    )
    return (
        '<ControlAccessParams xmlns="http://www.vmware.com/vcloud/v1.5">'
        f"<IsSharedToEveryone>{'true' if everyone else 'false'}</IsSharedToEveryone>{shared}"
        + (f"<AccessSettings>{items}</AccessSettings>" if items else "")
        + "</ControlAccessParams>"
    )


def org_of(c, headers):
    """The session's org, valid at the session's API version."""
    version = headers["Accept"].rsplit("version=", 1)[1]
    session = assert_valid(c.get("/api/session", headers=headers).content, version)
    return assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content, version)


def make_vapp(c, headers, name: str) -> str:
    """A vApp of the demo catalog's lamp-stack template made by the session's user; its href."""
    org = org_of(c, headers)
    catalog = assert_valid(c.get(link(org, "down", ".catalog+xml", "demo-catalog"), headers=headers).content)
    item_href = next(
        i.get("href") for i in catalog.iter(f"{V15}CatalogItem") if i.get("name") == "lamp-stack"
    )
    item = assert_valid(c.get(item_href, headers=headers).content)
    template = item.find(f"{V15}Entity").get("href")
    vdc = link(org, "down", ".vdc+xml", "demo-vdc")
    r = c.post(
        f"{vdc}/action/instantiateVAppTemplate",
        content=instantiate_body(name, template),
        headers={**headers, "Content-Type": INSTANTIATE},
    )
    assert r.status_code == 201, r.text
    return assert_valid(r.content).get("href")


def user_href(c, headers, name: str) -> str:
    """A user's href, as one who may read the org's users (``Group / User: View``) finds it."""
    found = assert_valid(
        c.get("/api/query", params={"type": "user", "filter": f"name=={name}"}, headers=headers).content
    )
    (record,) = found.findall(f"{V15}UserRecord")
    return record.get("href")


def vapp_names(c, headers) -> set[str]:
    page = assert_valid(c.get("/api/query", params={"type": "vApp"}, headers=headers).content)
    return {r.get("name") for r in page.findall(f"{V15}VAppRecord")}


def test_a_vapp_is_its_owners_until_shared_and_each_level_allows_its_own(server, scenario):
    assert scenario(SCENARIO).status_code == 200
    with server.client(base_url=server.vcd) as c:
        bob, dan, alice = sign_in(c, "bob@demo-org"), sign_in(c, "dan@demo-org"), sign_in(c, ORG_USER)
        href = make_vapp(c, bob, "bobs")
        vapp = assert_valid(c.get(href, headers=bob).content)
        assert vapp.find(f"{V15}Owner/{V15}User").get("name") == "bob"
        assert link(vapp, "controlAccess", ".controlAccess+xml") == f"{href}/action/controlAccess"
        # dan neither reads nor finds it; alice, the org's administrator, does
        assert c.get(href, headers=dan).status_code == 403
        assert c.get(f"{href}/metadata", headers=dan).status_code == 403
        assert "bobs" not in vapp_names(c, dan) and "bobs" in vapp_names(c, alice)
        vms = assert_valid(c.get("/api/query", params={"type": "vm"}, headers=dan).content)
        assert all(r.get("containerName") != "bobs" for r in vms.findall(f"{V15}VMRecord"))
        refused = c.post(f"{href}/power/action/powerOn", headers=dan)
        assert refused.status_code == 403 and assert_valid(refused.content).get("majorErrorCode") == "403"
        # the owner's sharing, as it is: nobody
        shared = assert_valid(c.get(f"{href}/controlAccess/", headers=bob).content)
        assert shared.findtext(f"{V15}IsSharedToEveryone") == "false"
        assert shared.find(f"{V15}AccessSettings") is None
        # ReadOnly to dan: he reads it, cannot power, change or delete it
        dan_href = user_href(c, sign_in(c, ORG_USER), "dan")
        r = c.post(
            f"{href}/action/controlAccess",
            content=access_body(None, (dan_href, "ReadOnly")),
            headers={**bob, "Content-Type": ACCESS},
        )
        assert r.status_code == 200, r.text
        setting = assert_valid(r.content).find(f"{V15}AccessSettings/{V15}AccessSetting")
        assert setting.find(f"{V15}Subject").get("name") == "dan"
        assert setting.findtext(f"{V15}AccessLevel") == "ReadOnly"
        assert c.get(href, headers=dan).status_code == 200 and "bobs" in vapp_names(c, dan)
        assert c.post(f"{href}/power/action/powerOn", headers=dan).status_code == 403
        assert c.delete(href, headers=dan).status_code == 403
        # Change: he powers it on, but cannot share or delete it
        r = c.post(
            f"{href}/action/controlAccess",
            content=access_body(None, (dan_href, "Change")),
            headers={**bob, "Content-Type": ACCESS},
        )
        assert r.status_code == 200
        assert c.post(f"{href}/power/action/powerOn", headers=dan).status_code == 202
        assert (
            c.post(
                f"{href}/action/controlAccess",
                content=access_body("ReadOnly"),
                headers={**dan, "Content-Type": ACCESS},
            ).status_code
            == 403
        )
        assert c.delete(f"{href}?force=true", headers=dan).status_code == 403
        # FullControl: he shares it with everyone, then deletes it
        c.post(
            f"{href}/action/controlAccess",
            content=access_body(None, (dan_href, "FullControl")),
            headers={**bob, "Content-Type": ACCESS},
        )
        r = c.post(
            f"{href}/action/controlAccess",
            content=access_body("Change"),
            headers={**dan, "Content-Type": ACCESS},
        )
        shared = assert_valid(r.content)
        assert r.status_code == 200 and shared.findtext(f"{V15}EveryoneAccessLevel") == "Change"
        assert shared.find(f"{V15}AccessSettings") is None  # a POST replaces the whole sharing
        assert c.get(href, headers=dan).status_code == 200  # dan is in "everyone"
        assert c.delete(f"{href}?force=true", headers=bob).status_code == 202


def test_sharing_to_everyone_and_a_bad_share(server, scenario):
    assert scenario(SCENARIO).status_code == 200
    with server.client(base_url=server.vcd) as c:
        bob, dan = sign_in(c, "bob@demo-org"), sign_in(c, "dan@demo-org")
        href = make_vapp(c, bob, "team")
        r = c.post(
            f"{href}/action/controlAccess",
            content=access_body("ReadOnly"),
            headers={**bob, "Content-Type": ACCESS},
        )
        assert r.status_code == 200
        assert (
            assert_valid(c.get(f"{href}/controlAccess/", headers=dan).content).findtext(
                f"{V15}EveryoneAccessLevel"
            )
            == "ReadOnly"
        )
        assert c.post(f"{href}/power/action/powerOn", headers=dan).status_code == 403
        # a level vCD does not know, a user of another org: 400 and 404, nothing changes
        bad = access_body(None, (user_href(c, sign_in(c, ORG_USER), "dan"), "Everything"))
        r = c.post(f"{href}/action/controlAccess", content=bad, headers={**bob, "Content-Type": ACCESS})
        assert r.status_code == 400 and assert_valid(r.content).get("majorErrorCode") == "400"
        provider = sign_in(c, PROVIDER)
        ben = user_href(c, provider, "ben")
        r = c.post(
            f"{href}/action/controlAccess",
            content=access_body(None, (ben, "ReadOnly")),
            headers={**bob, "Content-Type": ACCESS},
        )
        assert r.status_code in (400, 404)
        assert c.get(href, headers=dan).status_code == 200  # still shared to everyone
        # unshared: dan loses it
        c.post(f"{href}/action/controlAccess", content=access_body(), headers={**bob, "Content-Type": ACCESS})
        assert c.get(href, headers=dan).status_code == 403


def test_the_owner_of_a_vapp_and_of_a_catalog_changes(server, scenario):
    assert scenario(SCENARIO).status_code == 200
    with server.client(base_url=server.vcd) as c:
        bob, dan, alice = sign_in(c, "bob@demo-org"), sign_in(c, "dan@demo-org"), sign_in(c, ORG_USER)
        href = make_vapp(c, bob, "handed")
        owner = assert_valid(c.get(f"{href}/owner", headers=bob).content)
        assert owner.find(f"{V15}User").get("name") == "bob"
        dan_href = user_href(c, sign_in(c, ORG_USER), "dan")
        body = (
            '<Owner xmlns="http://www.vmware.com/vcloud/v1.5">'
            f'<User href="{dan_href}" type="application/vnd.vmware.admin.user+xml"/></Owner>'
        )
        assert (
            c.put(f"{href}/owner/", content=body, headers={**dan, "Content-Type": OWNER}).status_code == 403
        )
        assert (
            c.put(f"{href}/owner/", content=body, headers={**bob, "Content-Type": OWNER}).status_code == 204
        )
        assert (
            assert_valid(c.get(href, headers=dan).content).find(f"{V15}Owner/{V15}User").get("name") == "dan"
        )
        assert c.get(href, headers=bob).status_code == 403  # bob gave it away
        records = assert_valid(
            c.get("/api/query", params={"type": "vApp", "filter": "name==handed"}, headers=alice).content
        ).findall(f"{V15}VAppRecord")
        assert [r.get("ownerName") for r in records] == ["dan"]
        # the demo catalog: alice's; the provider gives it to bob through the admin view
        catalog = link(org_of(c, alice), "down", ".catalog+xml", "demo-catalog")
        assert (
            assert_valid(c.get(f"{catalog}/owner", headers=alice).content).find(f"{V15}User").get("name")
            == "alice"
        )
        admin_owner = catalog.replace("/api/catalog/", "/api/admin/catalog/") + "/owner"
        provider = sign_in(c, PROVIDER)
        body = body.replace(
            user_href(c, sign_in(c, ORG_USER), "dan"), user_href(c, sign_in(c, ORG_USER), "bob")
        )
        assert (
            c.put(admin_owner, content=body, headers={**provider, "Content-Type": OWNER}).status_code == 204
        )
        owned = assert_valid(c.get(admin_owner, headers=provider).content)
        assert owned.find(f"{V15}User").get("name") == "bob"


def test_a_catalog_is_private_until_shared_and_published_to_other_orgs(server, scenario):
    assert scenario(SCENARIO).status_code == 200
    with server.client(base_url=server.vcd) as c:
        alice, bob = sign_in(c, ORG_USER), sign_in(c, "bob@demo-org")
        bea, ben = sign_in(c, "bea@beta"), sign_in(c, "ben@beta")
        catalog = link(org_of(c, alice), "down", ".catalog+xml", "demo-catalog")
        # the demo catalog is shared to everyone in demo-org; unshared, bob loses it
        shared = assert_valid(c.get(f"{catalog}/controlAccess/", headers=alice).content)
        assert shared.findtext(f"{V15}EveryoneAccessLevel") == "ReadOnly"
        assert c.get(catalog, headers=bob).status_code == 200

        def shared_and_published() -> tuple[str, str]:
            query = {"type": "catalog", "filter": "name==demo-catalog"}
            (record,) = assert_valid(c.get("/api/query", params=query, headers=alice).content).iter(
                f"{V15}CatalogRecord"
            )
            return record.get("isShared"), record.get("isPublished")

        assert shared_and_published() == ("true", "false")  # shared in its org, not published
        r = c.post(
            f"{catalog}/action/controlAccess",
            content=access_body(),
            headers={**alice, "Content-Type": ACCESS},
        )
        assert r.status_code == 200
        assert shared_and_published() == ("false", "false")
        assert c.get(catalog, headers=bob).status_code == 403
        records = assert_valid(c.get("/api/query", params={"type": "catalog"}, headers=bob).content)
        assert records.get("total") == "0"
        assert c.get(catalog, headers=bea).status_code == 404  # another org's, unpublished
        # published: beta's administrator sees it in her org and instantiates from it; ben does not
        publish = (
            '<PublishCatalogParams xmlns="http://www.vmware.com/vcloud/v1.5">'
            "<IsPublished>true</IsPublished></PublishCatalogParams>"
        )
        kind = {"Content-Type": "application/vnd.vmware.admin.publishCatalogParams+xml"}
        admin_catalog = catalog.replace("/api/catalog/", "/api/admin/catalog/")
        assert (
            c.post(f"{admin_catalog}/action/publish", content=publish, headers={**bob, **kind}).status_code
            == 403
        )
        assert (
            c.post(f"{admin_catalog}/action/publish", content=publish, headers={**alice, **kind}).status_code
            == 204
        )
        beta = org_of(c, bea)
        assert link(beta, "down", ".catalog+xml", "demo-catalog") == catalog
        seen = assert_valid(c.get(catalog, headers=bea).content)
        assert seen.findtext(f"{V15}IsPublished") == "true"
        template = next(
            assert_valid(c.get(i.get("href"), headers=bea).content).find(f"{V15}Entity").get("href")
            for i in seen.iter(f"{V15}CatalogItem")
            if i.get("name") == "lamp-stack"
        )
        vdc = link(beta, "down", ".vdc+xml", "beta-vdc")
        made = c.post(
            f"{vdc}/action/instantiateVAppTemplate",
            content=instantiate_body("from-demo", template),
            headers={**bea, "Content-Type": INSTANTIATE},
        )
        assert made.status_code == 201, made.text
        assert c.get(catalog, headers=ben).status_code == 404
        ben_try = c.post(
            f"{vdc}/action/instantiateVAppTemplate",
            content=instantiate_body("nope", template),
            headers={**ben, "Content-Type": INSTANTIATE},
        )
        assert ben_try.status_code in (403, 404)
        names = {
            r.get("name")
            for r in assert_valid(
                c.get("/api/query", params={"type": "catalog"}, headers=bea).content
            ).findall(f"{V15}CatalogRecord")
        }
        assert "demo-catalog" in names
        # unpublished: gone from beta
        unpublish = publish.replace("true", "false")
        assert (
            c.post(f"{catalog}/action/publish", content=unpublish, headers={**alice, **kind}).status_code
            == 204
        )
        assert c.get(catalog, headers=bea).status_code == 404


def test_a_catalog_shared_with_another_org_through_the_org_form(server, scenario):
    assert scenario(SCENARIO).status_code == 200
    with server.client(base_url=server.vcd) as c:
        alice, ben = sign_in(c, ORG_USER), sign_in(c, "ben@beta")
        demo = org_of(c, alice)
        catalog = link(demo, "down", ".catalog+xml", "demo-catalog")
        catalog_id = catalog.rsplit("/", 1)[-1]
        org_form = f"{demo.get('href')}/catalog/{catalog_id}"
        beta_href = next(
            o.get("href")
            for o in assert_valid(c.get("/api/org/", headers=sign_in(c, PROVIDER)).content).findall(
                f"{V15}Org"
            )
            if o.get("name") == "beta"
        )
        body = (
            '<ControlAccessParams xmlns="http://www.vmware.com/vcloud/v1.5">'
            "<IsSharedToEveryone>true</IsSharedToEveryone><EveryoneAccessLevel>ReadOnly</EveryoneAccessLevel>"
            "<AccessSettings><AccessSetting>"
            f'<Subject href="{beta_href.replace("/api/org/", "/api/admin/org/")}" '
            'type="application/vnd.vmware.admin.organization+xml"/>'
            "<AccessLevel>ReadOnly</AccessLevel></AccessSetting></AccessSettings></ControlAccessParams>"
        )
        assert c.get(catalog, headers=ben).status_code == 404
        r = c.post(
            f"{org_form}/action/controlAccess", content=body, headers={**alice, "Content-Type": ACCESS}
        )
        assert r.status_code == 200, r.text
        subject = assert_valid(r.content).find(f"{V15}AccessSettings/{V15}AccessSetting/{V15}Subject")
        assert (subject.get("name"), subject.get("type")) == (
            "beta",
            "application/vnd.vmware.admin.organization+xml",
        )
        shown = assert_valid(c.get(f"{org_form}/controlAccess/", headers=alice).content)
        assert shown.findtext(f"{V15}EveryoneAccessLevel") == "ReadOnly"
        # every member of beta reads it now, but may not change it
        assert c.get(catalog, headers=ben).status_code == 200
        assert link(org_of(c, ben), "down", ".catalog+xml", "demo-catalog") == catalog
        meta = (
            '<MetadataValue xmlns="http://www.vmware.com/vcloud/v1.5" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<TypedValue xsi:type="MetadataStringValue"><Value>x</Value></TypedValue></MetadataValue>'
        )
        assert c.put(f"{catalog}/metadata/k", content=meta, headers=ben).status_code == 403
        # a vApp is never shared with an org
        vapp_body = body.replace(
            "<IsSharedToEveryone>true</IsSharedToEveryone>", "<IsSharedToEveryone>false</IsSharedToEveryone>"
        )
        vapp = make_vapp(c, alice, "not-for-orgs")
        r = c.post(
            f"{vapp}/action/controlAccess", content=vapp_body, headers={**alice, "Content-Type": ACCESS}
        )
        assert r.status_code == 400 and assert_valid(r.content).get("majorErrorCode") == "400"


def test_every_access_document_is_valid_at_each_version(server):
    with server.client(base_url=server.vcd) as c:
        for version in ("5.1", "5.5", "32.0", "36.0"):
            alice = sign_in(c, ORG_USER, version)
            catalog = link(org_of(c, alice), "down", ".catalog+xml", "demo-catalog")
            vapp = next(
                e.get("href")
                for e in assert_valid(
                    c.get(link(org_of(c, alice), "down", ".vdc+xml", "demo-vdc"), headers=alice).content,
                    version,
                ).find(f"{V15}ResourceEntities")
                if e.get("name") == "demo-web"
            )
            for href in (
                f"{catalog}/controlAccess/",
                f"{catalog}/owner",
                f"{catalog}/metadata",
                catalog,
                f"{vapp}/controlAccess/",
                f"{vapp}/owner",
                vapp,
            ):
                r = c.get(href, headers=alice)
                assert r.status_code == 200, (href, r.text)
                assert_valid(r.content, version)
            r = c.post(
                f"{vapp}/action/controlAccess",
                content=access_body("Change"),
                headers={**alice, "Content-Type": ACCESS},
            )
            assert (
                r.status_code == 200
                and assert_valid(r.content, version).findtext(f"{V15}EveryoneAccessLevel") == "Change"
            )
            page = c.get("/api/query", params={"type": "vApp", "fields": "name,metadata:x"}, headers=alice)
            assert_valid(page.content, version)


def test_a_private_vapp_is_no_source_for_a_copy_or_a_composition(server, scenario):
    assert scenario(SCENARIO).status_code == 200
    with server.client(base_url=server.vcd) as c:
        bob, dan = sign_in(c, "bob@demo-org"), sign_in(c, "dan@demo-org")
        href = make_vapp(c, bob, "source")
        vm = assert_valid(c.get(href, headers=bob).content).find(f"{V15}Children/{V15}Vm").get("href")
        vdc = link(org_of(c, dan), "down", ".vdc+xml", "demo-vdc")
        clone = (
            '<CloneVAppParams xmlns="http://www.vmware.com/vcloud/v1.5" name="copy">'
            f'<Source href="{href}"/></CloneVAppParams>'
        )
        compose = (
            '<ComposeVAppParams xmlns="http://www.vmware.com/vcloud/v1.5" name="composed">'
            f'<SourcedItem><Source href="{vm}"/></SourcedItem></ComposeVAppParams>'
        )
        kinds = {
            "cloneVApp": "application/vnd.vmware.vcloud.cloneVAppParams+xml",
            "composeVApp": "application/vnd.vmware.vcloud.composeVAppParams+xml",
        }
        for action, body in (("cloneVApp", clone), ("composeVApp", compose)):
            r = c.post(f"{vdc}/action/{action}", content=body, headers={**dan, "Content-Type": kinds[action]})
            assert r.status_code == 403, (action, r.text)
        assert vapp_names(c, bob) >= {"source"} and not {"copy", "composed"} & vapp_names(
            c, sign_in(c, ORG_USER)
        )
        # shared ReadOnly: dan copies it
        c.post(
            f"{href}/action/controlAccess",
            content=access_body("ReadOnly"),
            headers={**bob, "Content-Type": ACCESS},
        )
        r = c.post(
            f"{vdc}/action/cloneVApp", content=clone, headers={**dan, "Content-Type": kinds["cloneVApp"]}
        )
        assert r.status_code == 201, r.text
