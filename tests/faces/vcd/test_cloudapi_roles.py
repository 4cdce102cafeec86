"""cloudapi's roles and rights (API 33 and later, JSON): an org administrator lists, makes, changes
and removes a role and its rights; rights, their categories and the rights bundle are read; a user
without the right to manage roles is refused; the same roles as the 5.5-style API shows them."""

from __future__ import annotations

from conftest import DEMO_PASSWORD
from vcd_client import ORG_USER, PROVIDER, V15, sign_in
from vcd_schema import assert_valid

JSON36 = {"Accept": "application/json;version=36.0"}
CLOUDAPI = "/cloudapi/1.0.0"


def cloud_session(c, user: str) -> dict[str, str]:
    org = user.partition("@")[2]
    path = f"{CLOUDAPI}/sessions/provider" if org == "System" else f"{CLOUDAPI}/sessions"
    r = c.post(path, auth=(user, DEMO_PASSWORD), headers=JSON36)
    assert r.status_code == 200, r.text
    return {**JSON36, "Authorization": f"Bearer {r.headers['X-VMWARE-VCLOUD-ACCESS-TOKEN']}"}


def test_an_org_administrator_manages_a_role_and_its_rights(server):
    with server.client(base_url=server.vcd) as c:
        alice = cloud_session(c, ORG_USER)
        listed = c.get(f"{CLOUDAPI}/roles", params={"pageSize": 3}, headers=alice).json()
        assert (listed["page"], listed["pageSize"], len(listed["values"])) == (1, 3, 3)
        assert listed["resultTotal"] == 6 and listed["pageCount"] == 2  # the predefined, not System's
        names = [r["name"] for r in c.get(f"{CLOUDAPI}/roles", headers=alice).json()["values"]]
        assert "System Administrator" not in names and "Defer to Identity Provider" in names
        author = c.get(f"{CLOUDAPI}/roles", params={"filter": "name==Catalog Author"}, headers=alice).json()
        (role,) = author["values"]
        assert role["id"].startswith("urn:vcloud:role:") and role["readOnly"] is True
        # ``*`` stands for any text, in the world's lists and in the rights catalogue alike
        catalog = c.get(f"{CLOUDAPI}/roles", params={"filter": "name==Cat*"}, headers=alice).json()
        assert [r["name"] for r in catalog["values"]] == ["Catalog Author"]
        vapp = c.get(f"{CLOUDAPI}/rights", params={"filter": "name==vApp*", "pageSize": 128}, headers=alice)
        assert vapp.json()["resultTotal"] > 1 and all(
            r["name"].startswith("vApp") for r in vapp.json()["values"]
        )
        literal = c.get(f"{CLOUDAPI}/roles", params={"filter": "name==Catalog_Author"}, headers=alice).json()
        assert literal["values"] == []  # ``_`` is itself, not SQL's any character
        held = c.get(f"{CLOUDAPI}/roles/{role['id']}/rights", params={"pageSize": 128}, headers=alice).json()
        assert "Catalog: Create / Delete a Catalog" in [r["name"] for r in held["values"]]
        made = c.post(f"{CLOUDAPI}/roles", json={"name": "Auditor", "description": "Reads"}, headers=alice)
        assert made.status_code == 201, made.text
        auditor = made.json()
        assert (auditor["name"], auditor["description"], auditor["readOnly"]) == ("Auditor", "Reads", False)
        href = f"{CLOUDAPI}/roles/{auditor['id']}"
        rights = c.get(f"{CLOUDAPI}/rights", params={"filter": "name==vApp: View vApp"}, headers=alice).json()
        (view,) = rights["values"]
        assert view["rightType"] == "VIEW" and view["category"].startswith("urn:vcloud:rightsCategory:")
        added = c.post(
            f"{href}/rights", json={"values": [{"name": "Task: View Tasks", "id": view["id"]}]}, headers=alice
        )
        assert added.status_code == 200, added.text
        assert [r["name"] for r in added.json()["values"]] == ["vApp: View vApp"]
        more = c.post(f"{href}/rights", json={"values": [{"name": "Task: View Tasks"}]}, headers=alice).json()
        assert sorted(r["name"] for r in more["values"]) == ["Task: View Tasks", "vApp: View vApp"]
        replaced = c.put(
            f"{href}/rights", json={"values": [{"name": "Organization: View"}]}, headers=alice
        ).json()
        assert [r["name"] for r in replaced["values"]] == ["Organization: View"]
        renamed = c.put(href, json={"name": "Inspector", "description": "Looks"}, headers=alice).json()
        assert (renamed["name"], renamed["id"]) == ("Inspector", auditor["id"])
        # the same role through the 5.5-style API
        xml = sign_in(c, ORG_USER, "31.0")
        legacy = assert_valid(
            c.get(f"/api/admin/role/{auditor['id'].rsplit(':', 1)[1]}", headers=xml).content, "31.0"
        )
        assert legacy.get("name") == "Inspector"
        assert [r.get("name") for r in legacy.findall(f"{V15}RightReferences/{V15}RightReference")] == [
            "Organization: View"
        ]
        # a user given the org's own role: its session names the role by its id
        user = (
            '<User xmlns="http://www.vmware.com/vcloud/v1.5" name="ines"><IsEnabled>true</IsEnabled>'
            f'<Role href="{legacy.get("href")}"/><Password>{DEMO_PASSWORD}</Password></User>'
        )
        org = c.get("/api/org/", headers=xml).text.split('<Org href="', 1)[1].split('"', 1)[0]
        sent = {**xml, "Content-Type": "application/vnd.vmware.admin.user+xml"}
        made_user = c.post(f"{org.replace('/api/org/', '/api/admin/org/')}/users", content=user, headers=sent)
        assert made_user.status_code == 201, made_user.text
        ines = cloud_session(c, "ines@demo-org")
        current = c.get(f"{CLOUDAPI}/sessions/current", headers=ines).json()
        assert current["roleRefs"] == [{"name": "Inspector", "id": auditor["id"]}]
        assert c.delete(assert_valid(made_user.content, "31.0").get("href"), headers=xml).status_code == 204
        duplicate = c.post(f"{CLOUDAPI}/roles", json={"name": "vApp User"}, headers=alice)
        assert duplicate.status_code == 400 and duplicate.json()["minorErrorCode"] == "DUPLICATE_NAME"
        assert c.delete(href, headers=alice).status_code == 204
        gone = c.get(href, headers=alice)
        assert gone.status_code == 404 and gone.json()["minorErrorCode"] == "RESOURCE_NOT_FOUND"


def test_rights_categories_and_the_bundle(server):
    with server.client(base_url=server.vcd) as c:
        provider = cloud_session(c, PROVIDER)
        rights = c.get(f"{CLOUDAPI}/rights", params={"pageSize": 128}, headers=provider).json()
        assert rights["resultTotal"] == len(rights["values"]) >= 20
        one = c.get(f"{CLOUDAPI}/rights/{rights['values'][0]['id']}", headers=provider).json()
        assert one == rights["values"][0]
        categories = c.get(f"{CLOUDAPI}/rightsCategories", headers=provider).json()["values"]
        catalog = next(x for x in categories if x["name"] == "Catalog")
        assert catalog["rightsCount"]["modify"] >= 2 and catalog["rightsCount"]["view"] >= 1
        assert c.get(f"{CLOUDAPI}/rightsCategories/{catalog['id']}", headers=provider).json() == catalog
        (bundle,) = c.get(f"{CLOUDAPI}/rightsBundles", headers=provider).json()["values"]
        assert bundle["name"] == "Default Rights Bundle"
        held = c.get(
            f"{CLOUDAPI}/rightsBundles/{bundle['id']}/rights", params={"pageSize": 128}, headers=provider
        )
        names = [r["name"] for r in held.json()["values"]]
        assert "General: Administrator View" not in names and "Catalog: Create / Delete a Catalog" in names
        tenants = c.get(f"{CLOUDAPI}/rightsBundles/{bundle['id']}/tenants", headers=provider).json()["values"]
        assert [t["name"] for t in tenants] == ["demo-org"]
        assert (
            c.get(f"{CLOUDAPI}/rightsBundles/urn:vcloud:rightsBundle:nope", headers=provider).status_code
            == 404
        )
        bad = c.get(f"{CLOUDAPI}/rights", params={"pageSize": 0}, headers=provider)
        assert bad.status_code == 400 and bad.json()["minorErrorCode"] == "BAD_REQUEST"


def test_a_user_without_the_right_may_not_make_a_role(server, scenario):
    made = scenario(
        "identity:\n  users:\n    - {name: vu, domain: demo-org, roles: {cloud_director: vApp User}}\n"
    )
    assert made.status_code == 200, made.text
    with server.client(base_url=server.vcd) as c:
        user = cloud_session(c, "vu@demo-org")
        refused = c.post(f"{CLOUDAPI}/roles", json={"name": "Mine"}, headers=user)
        assert refused.status_code == 403 and "Role: Create" in refused.json()["message"]
        assert c.get(f"{CLOUDAPI}/roles", headers=user).status_code == 200
