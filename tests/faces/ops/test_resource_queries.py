"""The resources section's queries: ``POST /api/resources/query`` (what the integration SDK pages
resources through) and ``POST /api/resources/properties/latest/query``, in JSON and XML."""

import xml.etree.ElementTree as ET

import pytest

from helpers import DEMO_VMS, assert_ops_error, vcenter_session

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

API = "/suite-api/api"
QUERY = f"{API}/resources/query"
NS = {"ops": "http://webservice.vmware.com/vRealizeOpsMgr/1.0/"}


def query(ops, body, **params):
    r = ops.post(QUERY, json=body, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def names(page):
    return sorted(r["resourceKey"]["name"] for r in page["resourceList"])


def test_the_query_pages_like_the_list(ops):
    listed = ops.get(f"{API}/resources", params={"resourceKind": "VirtualMachine", "pageSize": 1000}).json()
    seen, page = [], 0
    while True:
        got = query(
            ops, {"adapterKind": ["VMWARE"], "resourceKind": ["VirtualMachine"]}, page=page, pageSize=3
        )
        assert got["pageInfo"] == {"totalCount": DEMO_VMS, "page": page, "pageSize": 3}
        seen += [r["identifier"] for r in got["resourceList"]]
        rels = {link["rel"] for link in got["links"]}
        assert ("NEXT" in rels) == ((page + 1) * 3 < DEMO_VMS)
        if len(seen) >= DEMO_VMS:
            break
        page += 1
    assert seen == [r["identifier"] for r in listed["resourceList"]]
    everything = ops.get(f"{API}/resources", params={"pageSize": 1000}).json()
    assert query(ops, {})["pageInfo"]["totalCount"] == everything["pageInfo"]["totalCount"]


def test_filters_by_name_id_kind_health_and_status(ops):
    vms = query(ops, {"resourceKind": ["VirtualMachine"]})["resourceList"]
    first = vms[0]
    got = query(ops, {"name": [first["resourceKey"]["name"].upper()], "resourceKind": ["VirtualMachine"]})
    assert first["identifier"] in [r["identifier"] for r in got["resourceList"]]
    got = query(ops, {"resourceId": [first["identifier"], vms[1]["identifier"]]})
    assert {r["identifier"] for r in got["resourceList"]} == {first["identifier"], vms[1]["identifier"]}
    grey = query(ops, {"resourceHealth": ["GREY"]})["resourceList"]
    assert grey and all(r["resourceHealth"] == "GREY" for r in grey)
    assert {r["identifier"] for r in grey} == {r["identifier"] for r in vms if r["resourceHealth"] == "GREY"}
    green = query(ops, {"resourceKind": ["VirtualMachine"], "resourceHealth": ["GREEN"]})
    assert green["pageInfo"]["totalCount"] == DEMO_VMS - len(grey)
    status = query(ops, {"resourceKind": ["VirtualMachine"], "resourceStatus": ["NO_PARENT_MONITORING"]})
    assert status["pageInfo"]["totalCount"] == len(grey)
    for nothing in (
        {"resourceHealth": ["RED"]},
        {"adapterKind": ["vCenter Operations Adapter"]},
        {"resourceKind": ["NoSuchKind"]},
        {"resourceState": ["STOPPED"]},
        {"adapterInstanceId": ["00000000-0000-0000-0000-000000000000"]},
        {"resourceTag": [{"category": "c", "name": "t"}]},
    ):
        assert query(ops, nothing)["pageInfo"]["totalCount"] == 0, nothing


def test_regex_parents_and_recently_added(ops):
    hosts = query(ops, {"resourceKind": ["HostSystem"]})["resourceList"]
    pattern = hosts[0]["resourceKey"]["name"][:3] + ".*"
    got = query(ops, {"regex": [pattern], "resourceKind": ["HostSystem"]})
    assert hosts[0]["identifier"] in [r["identifier"] for r in got["resourceList"]]
    assert all(r["resourceKey"]["name"].startswith(pattern[:3]) for r in got["resourceList"])
    children = query(ops, {"parentId": [hosts[0]["identifier"]], "resourceKind": ["VirtualMachine"]})
    related = ops.get(f"{API}/resources/{hosts[0]['identifier']}/relationships/CHILD").json()["resourceList"]
    assert {r["identifier"] for r in children["resourceList"]} == {
        r["identifier"] for r in related if r["resourceKey"]["resourceKindKey"] == "VirtualMachine"
    }
    assert query(ops, {"recentlyAdded": 2**40})["pageInfo"]["totalCount"] == 0
    assert query(ops, {"recentlyAdded": 0})["pageInfo"]["totalCount"] > 0
    assert_ops_error(ops.post(QUERY, json={"regex": ["(unclosed"]}), 400)


def test_property_conditions(ops):
    vms = query(ops, {"resourceKind": ["VirtualMachine"]})["resourceList"]
    on = [r for r in vms if r["resourceHealth"] == "GREEN"]
    powered = {"key": "summary|runtime|powerState", "operator": "EQ", "stringValue": "Powered On"}
    got = query(ops, {"propertyConditions": {"conjunctionOperator": "AND", "conditions": [powered]}})
    assert {r["identifier"] for r in got["resourceList"]} == {r["identifier"] for r in on}
    big = {"key": "config|hardware|numCpu", "operator": "GT_EQ", "doubleValue": 4}
    both = query(ops, {"propertyConditions": {"conjunctionOperator": "AND", "conditions": [powered, big]}})
    either = query(ops, {"propertyConditions": {"conjunctionOperator": "OR", "conditions": [powered, big]}})
    assert both["pageInfo"]["totalCount"] < either["pageInfo"]["totalCount"]
    name = vms[0]["resourceKey"]["name"]
    got = query(ops, {"propertyName": "config|name", "propertyValue": name})
    assert [r["resourceKey"]["name"] for r in got["resourceList"]] == [name]
    unknown = {"key": "no|such|property", "operator": "NOT_EXISTS"}
    got = query(ops, {"resourceKind": ["VirtualMachine"], "propertyConditions": {"conditions": [unknown]}})
    assert got["pageInfo"]["totalCount"] == DEMO_VMS
    bad = {"key": "config|name", "operator": "LIKE", "stringValue": "x"}
    assert_ops_error(ops.post(QUERY, json={"propertyConditions": {"conditions": [bad]}}), 400)
    stats = {"conditions": [{"key": "cpu|usage_average", "operator": "GT", "doubleValue": 1.0}]}
    assert_ops_error(ops.post(QUERY, json={"statConditions": stats}), 400)


@pytest.mark.parametrize("body", [[1, 2], {"name": [{"x": 1}]}, {"recentlyAdded": "soon"}])
def test_malformed_queries_are_400(ops, body):
    assert_ops_error(ops.post(QUERY, json=body), 400)


def test_the_query_in_xml(ops):
    vm = query(ops, {"resourceKind": ["VirtualMachine"]})["resourceList"][0]
    body = (
        '<ops:resource-query xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/">'
        "<ops:adapterKind>VMWARE</ops:adapterKind><ops:resourceKind>VirtualMachine</ops:resourceKind>"
        f"<ops:resourceId>{vm['identifier']}</ops:resourceId></ops:resource-query>"
    )
    r = ops.post(
        QUERY, content=body, headers={"Content-Type": "application/xml", "Accept": "application/xml"}
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/xml"
    root = ET.fromstring(r.content)
    assert root.tag == f"{{{NS['ops']}}}resources"
    assert root.find("ops:pageInfo", NS).get("totalCount") == "1"
    assert [e.get("identifier") for e in root.findall("ops:resource", NS)] == [vm["identifier"]]


def test_latest_properties(ops):
    vms = query(ops, {"resourceKind": ["VirtualMachine"]})["resourceList"]
    ids = [vms[0]["identifier"], "00000000-0000-0000-0000-000000000000"]
    keys = ["config|name", "summary|runtime|powerState", "no|such|key"]
    r = ops.post(f"{API}/resources/properties/latest/query", json={"resourceIds": ids, "propertyKeys": keys})
    assert r.status_code == 200, r.text
    (one,) = r.json()["values"]
    assert one["resourceId"] == vms[0]["identifier"]
    contents = {c["statKey"]: c for c in one["property-contents"]["property-content"]}
    assert set(contents) == {"config|name", "summary|runtime|powerState"}
    assert contents["config|name"]["values"] == [vms[0]["resourceKey"]["name"]]
    expected = "Powered On" if vms[0]["resourceHealth"] == "GREEN" else "Powered Off"
    assert contents["summary|runtime|powerState"]["values"][0] in (expected, "Suspended")
    assert len(contents["config|name"]["timestamps"]) == 1
    empty = ops.post(f"{API}/resources/properties/latest/query", json={"resourceIds": ids})
    assert_ops_error(empty, 400)


def test_a_resource_s_properties(ops, server):
    vms = query(ops, {"resourceKind": ["VirtualMachine"]})["resourceList"]
    first, second = vms[0]["identifier"], vms[1]["identifier"]
    one = ops.get(f"{API}/resources/{first}/properties").json()
    assert one["resourceId"] == first
    values = {p["name"]: p["value"] for p in one["property"]}
    assert values["config|name"] == vms[0]["resourceKey"]["name"]
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        (vm,) = vc.get("/api/vcenter/vm", params={"names": values["config|name"]}).json()
        guest = vc.get(f"/api/vcenter/vm/{vm['vm']}").json()["guest_OS"]
    assert (
        values["config|guestFullName"] != guest and "(64-bit)" in values["config|guestFullName"]
    )  # its name
    missing = "00000000-0000-0000-0000-000000000000"
    assert_ops_error(ops.get(f"{API}/resources/{missing}/properties"), 404)
    many = ops.get(
        f"{API}/resources/properties",
        params=[("resourceId", first), ("resourceId", second), ("resourceId", missing)],
    )
    assert [r["resourceId"] for r in many.json()["resourcePropertiesList"]] == [first, second]
    assert_ops_error(ops.get(f"{API}/resources/properties"), 400)
    xml = ops.get(f"{API}/resources/{first}/properties", headers={"Accept": "application/xml"})
    root = ET.fromstring(xml.content)
    assert root.tag == f"{{{NS['ops']}}}resource-property" and root.get("resourceId") == first
    assert root.find("ops:property[@name='config|name']", NS).text == values["config|name"]


def test_a_condition_on_the_guest_s_full_name(ops):
    condition = {"key": "config|guestFullName", "operator": "CONTAINS", "stringValue": "Red Hat"}
    found = query(
        ops, {"resourceKind": ["VirtualMachine"], "propertyConditions": {"conditions": [condition]}}
    )
    assert found["resourceList"]
    for resource in found["resourceList"]:
        values = {
            p["name"]: p["value"]
            for p in ops.get(f"{API}/resources/{resource['identifier']}/properties").json()["property"]
        }
        assert "Red Hat" in values["config|guestFullName"]
