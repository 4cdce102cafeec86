"""The query service: the QueryList, every type in every format valid against the XSDs, FIQL
filters, sorting, paging with its links, fields, and the product's 400s and 403s."""

from __future__ import annotations

import pytest

from vcd_client import PROVIDER, V15, instantiate_body, link, sign_in
from vcd_schema import assert_valid

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

TYPES = (
    "vApp",
    "vm",
    "orgVdc",
    "catalog",
    "catalogItem",
    "vAppTemplate",
    "media",
    "orgVdcNetwork",
    "user",
    "group",
    "task",
    "organization",
    "role",
    "orgNetwork",
)
ADMIN_TYPES = (
    "adminVApp",
    "adminVM",
    "adminOrgVdc",
    "adminCatalog",
    "adminCatalogItem",
    "adminVAppTemplate",
    "adminMedia",
    "adminTask",
    "adminUser",
    "adminGroup",
)
INSTANTIATE_TYPE = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"


def records(c, headers, **params):
    r = c.get("/api/query", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return assert_valid(r.content)


def test_the_query_list_links_each_type_in_each_format(server):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c), sign_in(c, PROVIDER)
        mine = records(c, alice)
        assert mine.tag == f"{V15}QueryList"
        names = {(x.get("name"), x.get("type").split(".")[-1]) for x in mine.findall(f"{V15}Link")}
        assert {(t, f"{f}+xml") for t in TYPES for f in ("records", "idrecords", "references")} <= names
        assert not any(n.startswith("admin") for n, _ in names)
        assert all("?" in x.get("href") for x in mine.findall(f"{V15}Link"))
        everything = {x.get("name") for x in records(c, admin).findall(f"{V15}Link")}
        assert set(ADMIN_TYPES) <= everything


@pytest.mark.parametrize("shape", ["records", "idrecords", "references"])
def test_every_type_answers_in_every_format(server, shape):
    with server.client(base_url=server.vcd) as c:
        alice, admin = sign_in(c), sign_in(c, PROVIDER)
        for kind in TYPES:
            page = records(c, alice, type=kind, format=shape)
            assert page.get("name") == kind and int(page.get("total")) >= (
                0 if kind in ("task", "group") else 1
            )
            for record in page:
                if record.tag != f"{V15}Link":
                    assert record.get("href", "").startswith(server.vcd)
                    if shape != "records":
                        assert record.get("id", "").startswith("urn:vcloud:")
        for kind in ADMIN_TYPES:
            records(c, admin, type=kind, format=shape)
        denied = c.get("/api/query", params={"type": "adminVApp"}, headers=alice)
        assert denied.status_code == 403 and assert_valid(denied.content).get("majorErrorCode") == "403"


def test_filters_sorting_paging_and_fields(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c)
        vdc_href = records(c, alice, type="orgVdc").find(f"{V15}OrgVdcRecord").get("href")
        template = next(
            r.get("href") for r in records(c, alice, type="vAppTemplate") if r.get("name") == "photon-5"
        )
        vdc = assert_valid(c.get(vdc_href, headers=alice).content)
        for n in range(5):
            body = instantiate_body(f"app-{n}", template, power_on=n % 2 == 0)
            made = c.post(
                link(vdc, "add", INSTANTIATE_TYPE),
                content=body,
                headers={**alice, "Content-Type": INSTANTIATE_TYPE},
            )
            assert made.status_code == 201
        first = records(c, alice, type="vApp", filter="name==app-*", sortDesc="name", pageSize="2")
        assert (first.get("total"), first.get("page"), first.get("pageSize")) == ("5", "1", "2")
        assert [r.get("name") for r in first.findall(f"{V15}VAppRecord")] == ["app-4", "app-3"]
        following = link(first, "nextPage", "records+xml")
        second = assert_valid(c.get(following, headers=alice).content)
        assert [r.get("name") for r in second.findall(f"{V15}VAppRecord")] == ["app-2", "app-1"]
        assert link(second, "previousPage", "records+xml") and link(second, "firstPage", "records+xml")
        last = assert_valid(c.get(link(first, "lastPage", "records+xml"), headers=alice).content)
        assert [r.get("name") for r in last.findall(f"{V15}VAppRecord")] == ["app-0"]
        other = assert_valid(c.get(link(first, "alternate", "references+xml"), headers=alice).content)
        assert [r.get("name") for r in other.findall(f"{V15}VAppReference")] == ["app-4", "app-3"]
        both = records(c, alice, type="vApp", filter="(name==app-1,name==app-2);isDeployed==true")
        assert [r.get("name") for r in both.findall(f"{V15}VAppRecord")] == ["app-2"]
        by_vdc = records(c, alice, type="vApp", filter=f"vdc=={vdc_href};name==app-3")
        assert [r.get("name") for r in by_vdc.findall(f"{V15}VAppRecord")] == ["app-3"]
        encoded = records(c, alice, type="vApp", filter="name%3D%3Dapp-0", filterEncoded="true")
        assert encoded.get("total") == "1"
        vms = records(
            c, alice, type="vm", filter="containerName==app-*;numberOfCpus=ge=1", fields="name,status"
        )
        assert vms.get("total") == "5"
        assert all(set(r.attrib) == {"href", "name", "status"} for r in vms.findall(f"{V15}VMRecord"))
        tasks = records(c, alice, type="task", filter="status==SUCCESS", sortDesc="startDate")
        app_4 = records(c, alice, type="vApp", filter="name==app-4").find(f"{V15}VAppRecord").get("href")
        by_object = records(c, alice, type="task", filter=f"object=={app_4}")
        assert by_object.get("total") == "1" and by_object.find(f"{V15}TaskRecord").get("object") == app_4
        assert tasks.get("total") == "5"
        newest = tasks.find(f"{V15}TaskRecord")
        assert newest.get("objectName") == "app-4" and newest.get("startDate").endswith("Z")
        created = records(c, alice, type="vApp", filter="creationDate=gt=2000-01-01T00:00:00Z;name==app-0")
        assert created.get("total") == "1"
        for bad in (
            {"filter": "name=="},
            {"filter": "nosuch==1"},
            {"filter": "(name==a"},
            {"sortAsc": "nosuch"},
            {"pageSize": "129"},
            {"page": "0"},
            {"page": "x"},
            {"fields": "nosuch"},
            {"format": "xml"},
            {"sortAsc": "name", "sortDesc": "name"},
        ):
            r = c.get("/api/query", params={"type": "vApp", **bad}, headers=alice)
            assert r.status_code == 400, bad
            assert assert_valid(r.content).get("minorErrorCode") == "BAD_REQUEST"
        org = records(c, alice, type="organization", format="idrecords").find(f"{V15}OrgRecord")
        assert c.get(f"/api/entity/{org.get('id')}", headers=alice).status_code == 200  # a urn that resolves
        assert org.get("href").endswith(org.get("id").rsplit(":", 1)[-1])
        unknown = c.get("/api/query", params={"type": "nothing"}, headers=alice)
        assert unknown.status_code == 400


def test_the_provider_filters_admin_types_by_org_as_pyvcloud_sends_it(server):
    """``org==`` takes the org's href (pyvcloud's ``list_users``, ``get_role_record`` send it
    percent-encoded), urn, id or name; predefined roles, of no org, are every org's."""
    with server.client(base_url=server.vcd) as c:
        provider = sign_in(c, PROVIDER)
        orgs = assert_valid(c.get("/api/org/", headers=provider).content)
        demo = next(o.get("href") for o in orgs.findall(f"{V15}Org") if o.get("name") == "demo-org")
        uid = demo.rsplit("/", 1)[-1]
        for value in (demo, f"urn:vcloud:org:{uid}", uid, "demo-org"):
            users = assert_valid(
                c.get(
                    "/api/query", params={"type": "adminUser", "filter": f"org=={value}"}, headers=provider
                ).content
            )
            assert "alice" in [u.get("name") for u in users.findall(f"{V15}AdminUserRecord")], value
            assert all(u.get("org") == demo for u in users.findall(f"{V15}AdminUserRecord"))
        roles = assert_valid(
            c.get(
                "/api/query",
                params={"type": "adminRole", "filter": f"org=={demo};name==vApp User"},
                headers=provider,
            ).content
        )
        assert [r.get("name") for r in roles.findall(f"{V15}AdminRoleRecord")] == ["vApp User"]
        other = assert_valid(
            c.get(
                "/api/query",
                params={"type": "adminVApp", "filter": "org==urn:vcloud:org:nope"},
                headers=provider,
            ).content
        )
        assert other.get("total") == "0"
