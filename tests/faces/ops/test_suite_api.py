"""VCF Operations suite-api over HTTPS: tokens (both schemes, sliding expiry, 1512), the version,
the VMWARE adapter's kinds, and the world's inventory as resources with paging."""

import pytest

from conftest import DEMO_PASSWORD
from helpers import DEMO_VMS, assert_ops_error
from helpers import ops_acquire as acquire

API = "/suite-api/api"


def test_acquire(server):
    r = acquire(server)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token", "validity", "expiresAt", "roles"}
    assert "::" in body["token"] and body["roles"] == ["Administrator"]
    assert isinstance(body["validity"], int) and body["expiresAt"].endswith("UTC")
    assert acquire(server, "viewer@vsphere.local").json()["roles"] == ["ReadOnly"]


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [("administrator@vsphere.local", "wrong", 401), ("USER_1@vsphere.local", DEMO_PASSWORD, 403)],
)
def test_acquire_refused(server, username, password, status):
    assert_ops_error(acquire(server, username, password), status)


def test_both_schemes_and_the_cloud_path(server):
    token = acquire(server, base="/vrops-cloud/suite-api").json()["token"]
    with server.client() as c:
        for scheme in ("OpsToken", "vRealizeOpsToken"):
            r = c.get(f"{API}/versions/current", headers={"Authorization": f"{scheme} {token}"})
            assert r.json()["releaseName"] == "VCF Operations 9.1.0.0"
            assert "description" not in r.json()  # the spec wants a string where the product sends null
        r = c.get("/vrops-cloud/suite-api/api/adapterkinds", headers={"Authorization": f"OpsToken {token}"})
        assert r.status_code == 200


def test_invalid_expired_and_released_tokens(server):
    token = acquire(server).json()["token"]
    with server.client() as c:
        r = c.get(f"{API}/adapterkinds", headers={"Authorization": "vRealizeOpsToken nope"})
        body = assert_ops_error(r, 401, 1512)
        assert (
            body["message"]
            == 'The provided token for auth scheme "vRealizeOpsToken" is either invalid or has expired.'
        )
        assert_ops_error(c.get(f"{API}/adapterkinds"), 401, 1512)
        auth = {"Authorization": f"OpsToken {token}"}
        server.advance(5 * 3600)
        assert c.get(f"{API}/adapterkinds", headers=auth).status_code == 200  # each use slides it: 6 h more
        server.advance(5 * 3600)
        assert c.get(f"{API}/adapterkinds", headers=auth).status_code == 200
        server.advance(6 * 3600 + 1)
        assert_ops_error(c.get(f"{API}/adapterkinds", headers=auth), 401, 1512)
        fresh = {"Authorization": f"OpsToken {acquire(server).json()['token']}"}
        assert c.post(f"{API}/auth/token/release", headers=fresh).status_code == 200
        assert_ops_error(c.get(f"{API}/adapterkinds", headers=fresh), 401, 1512)


def test_adapter_and_resource_kinds(ops):
    adapters = {a["key"]: a for a in ops.get(f"{API}/adapterkinds").json()["adapter-kind"]}
    assert set(adapters) == {"VMWARE", "vCenter Operations Adapter"}
    assert adapters["VMWARE"]["adapterKindType"] == "GENERAL"
    assert "vC-Ops-Node" in adapters["vCenter Operations Adapter"]["resourceKinds"]
    assert ops.get(f"{API}/adapterkinds/VMWARE").json()["name"] == "vCenter Adapter"
    kinds = ops.get(f"{API}/adapterkinds/VMWARE/resourcekinds").json()
    assert kinds["adapterKind"] == "VMWARE"
    assert {k["key"] for k in kinds["resource-kind"]} >= {
        "VirtualMachine",
        "HostSystem",
        "Datastore",
        "ClusterComputeResource",
        "Datacenter",
        "VMwareAdapter Instance",
        "VmwareDistributedVirtualSwitch",
    }
    assert_ops_error(ops.get(f"{API}/adapterkinds/NOPE/resourcekinds"), 404)
    vm = ops.get(f"{API}/adapterkinds/VMWARE/resourcekinds/VirtualMachine").json()
    assert vm["key"] == "VirtualMachine" and vm["adapterKind"] == "VMWARE"
    assert_ops_error(ops.get(f"{API}/adapterkinds/VMWARE/resourcekinds/Toaster"), 404)
    ids = ops.get(f"{API}/adapterkinds/VMWARE/resourcekinds/VirtualMachine/identifiers").json()
    assert {i["name"]: i["isPartOfUniqueness"] for i in ids["resourceIdentifiersDetails"]} == {
        "VMEntityObjectID": True,
        "VMEntityVCID": True,
        "VMEntityName": False,
    }
    stat_keys = ops.get(f"{API}/adapterkinds/VMWARE/resourcekinds/HostSystem/statkeys").json()
    assert {"cpu|usagemhz_average", "mem|consumed_average"} <= {
        a["key"] for a in stat_keys["resourceTypeAttributes"]
    }
    # the spec requires dataType and dataType2; only dataType2 can say FLOAT
    assert {(a["dataType"], a["dataType2"]) for a in stat_keys["resourceTypeAttributes"]} == {
        ("INTEGER", "FLOAT")
    }
    props = ops.get(f"{API}/adapterkinds/VMWARE/resourcekinds/VirtualMachine/properties").json()
    assert all(a["property"] and a["dataType2"] == "STRING" for a in props["resourceTypeAttributes"])
    hosts = ops.get(f"{API}/adapterkinds/VMWARE/resourcekinds/HostSystem/resources").json()
    assert hosts["pageInfo"]["totalCount"] == 3
    everything = ops.get(f"{API}/adapterkinds/VMWARE/resources", params={"pageSize": 1}).json()
    assert everything["pageInfo"]["totalCount"] > 10 and len(everything["resourceList"]) == 1
    (vcenter,) = ops.get(f"{API}/resources", params={"resourceKind": "VMwareAdapter Instance"}).json()[
        "resourceList"
    ]
    assert vcenter["resourceKey"]["name"] == "vcenter.localsphere.test"


def test_resources_are_the_world_inventory(server, ops):
    vms = ops.get(f"{API}/resources", params={"resourceKind": "VirtualMachine"}).json()
    assert vms["pageInfo"] == {"totalCount": DEMO_VMS, "page": 0, "pageSize": 1000}
    first = vms["resourceList"][0]
    ids = {i["identifierType"]["name"]: i["value"] for i in first["resourceKey"]["resourceIdentifiers"]}
    assert ids["VMEntityObjectID"].startswith("vm-") and ids["VMEntityName"] == first["resourceKey"]["name"]
    assert first["resourceHealth"] == "GREEN" and first["resourceStatusStates"]
    assert {b["type"] for b in first["badges"]} >= {"HEALTH", "RISK", "EFFICIENCY"}
    assert {r["resourceHealth"] for r in vms["resourceList"]} == {"GREEN", "GREY"}  # every third is off
    assert ops.get(f"{API}/resources/{first['identifier']}").json()["resourceKey"] == first["resourceKey"]
    with server.client(
        headers={"vmware-api-session-id": server_session(server)}
    ) as vc:  # the same VM on vCenter
        assert vc.get(f"/api/vcenter/vm/{ids['VMEntityObjectID']}").json()["name"] == ids["VMEntityName"]
    assert_ops_error(ops.get(f"{API}/resources/00000000-0000-0000-0000-000000000000"), 404)


def test_paging_and_filters(ops):
    seen, page = [], 0
    while True:
        body = ops.get(
            f"{API}/resources", params={"resourceKind": "VirtualMachine", "page": page, "pageSize": 4}
        ).json()
        seen += [r["identifier"] for r in body["resourceList"]]
        if not any(link["rel"] == "NEXT" for link in body["links"]):
            break
        page += 1
    assert len(seen) == len(set(seen)) == DEMO_VMS and page == 1
    hosts = ops.get(f"{API}/resources", params={"resourceKind": "HostSystem", "name": "esxi-01-01-02"}).json()
    assert [r["resourceKey"]["name"] for r in hosts["resourceList"]] == ["esxi-01-01-02.localsphere.test"]
    assert ops.get(f"{API}/resources", params={"adapterKind": "OTHER"}).json()["resourceList"] == []
    assert_ops_error(ops.get(f"{API}/resources", params={"resourceKind": "Toaster"}), 404)
    assert_ops_error(ops.get(f"{API}/resources", params={"pageSize": "lots"}), 400)
    assert_ops_error(ops.put(f"{API}/resources"), 405)


def server_session(server):
    with server.client() as c:
        return c.post("/api/session", auth=("administrator@vsphere.local", DEMO_PASSWORD)).json()
