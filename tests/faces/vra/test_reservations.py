"""The reservation service on the wire: the demo reservations, a vSphere reservation built from
the schema's permissible values and created with the Programming Guide's extensionData, read,
updated and deleted; every refusal in vRA's error body; who may read and write."""

import pytest

from faces.vra.test_identity import bearer, token
from faces.vra.test_resources import consumer, provisioned
from helpers import vcenter_session
from vra_helpers import RES, VSPHERE, admin, assert_vra_error, demo_group, other_tenant_admin, user

STORAGE_CLASS = "Infrastructure.Reservation.Storage"

DEP = "dependencyValues"


def _entries(body):
    return {e["key"]: e["value"] for e in body["extensionData"]["entries"]}


def _values(c, field, cluster=None):
    body = {"text": ""}
    if cluster:
        body[DEP] = {"entries": [{"key": "computeResource", "value": {"type": "entityRef", "id": cluster}}]}
    r = c.post(f"{RES}/data-service/schema/{VSPHERE}/default/{field}/values", json=body)
    assert r.status_code == 200, r.text
    return r.json()["values"]


def _body(group, cluster, datastore, network, memory=4096, size=50, name="Dev Reservation"):
    def complex_(cls, entries):
        return {
            "type": "complex",
            "componentTypeId": "com.vmware.csp.iaas.blueprint.service",
            "componentId": None,
            "classId": cls,
            "typeFilter": None,
            "values": {"entries": entries},
        }

    storage = complex_(
        "reservationStorage",
        [
            {
                "key": "storagePath",
                "value": {
                    "type": "entityRef",
                    "componentId": None,
                    "classId": "storagePath",
                    "id": datastore,
                },
            },
            {"key": "storageReservedSizeGB", "value": {"type": "integer", "value": size}},
            {"key": "storageReservationPriority", "value": {"type": "integer", "value": 1}},
            {"key": "storageEnabled", "value": {"type": "boolean", "value": True}},
        ],
    )
    net = complex_(
        "reservationNetwork", [{"key": "networkPath", "value": {"type": "entityRef", "id": network}}]
    )
    return {
        "name": name,
        "reservationTypeId": VSPHERE,
        "tenantId": "vsphere.local",
        "subTenantId": group,
        "enabled": True,
        "priority": 3,
        "reservationPolicyId": None,
        "alertPolicy": None,
        "extensionData": {
            "entries": [
                {
                    "key": "computeResource",
                    "value": {
                        "type": "entityRef",
                        "componentId": None,
                        "classId": "ComputeResource",
                        "id": cluster,
                    },
                },
                {"key": "machineQuota", "value": {"type": "integer", "value": 5}},
                {
                    "key": "reservationMemory",
                    "value": complex_(
                        "reservationMemory",
                        [{"key": "memoryReservedSizeMb", "value": {"type": "integer", "value": memory}}],
                    ),
                },
                {
                    "key": "reservationStorages",
                    "value": {"type": "multiple", "elementTypeId": "COMPLEX", "items": [storage]},
                },
                {
                    "key": "reservationNetworks",
                    "value": {"type": "multiple", "elementTypeId": "COMPLEX", "items": [net]},
                },
                {"key": "custom-Properties-key0", "value": {"type": "string", "value": "kept"}},
            ]
        },
    }


def test_the_demo_reservations_and_types_are_listed(server):
    with server.client(headers=admin(server)) as c:
        listed = c.get(f"{RES}/reservations").json()
        names = {r["name"]: r for r in listed["content"]}
        assert {"Demo vSphere Reservation", "Demo vCloud Reservation", "Demo Amazon Reservation"} <= set(
            names
        )
        assert listed["metadata"]["totalElements"] == len(listed["content"])
        amazon = _entries(names["Demo Amazon Reservation"])
        assert amazon["computeResource"]["id"] == "us-east-1" and amazon["keyPair"]["label"] == "demo-key"
        vsphere = _entries(names["Demo vSphere Reservation"])
        nets = vsphere["reservationNetworks"]["items"][0]["values"]["entries"]
        assert any(
            e["key"] == "networkProfile" and e["value"]["label"] == "Demo Network Profile" for e in nets
        )
        types = c.get(f"{RES}/reservations/types").json()["content"]
        assert [t["id"] for t in types] == [
            VSPHERE,
            "Infrastructure.Reservation.Cloud.vCloud",
            "Infrastructure.Reservation.Cloud.Amazon",
        ]
        schema = c.get(f"{RES}/data-service/schema/{VSPHERE}/default").json()
        assert "reservationStorages" in {f["id"] for f in schema["fields"]}
        full = c.get(f"{RES}/data-service/schema/{VSPHERE}/full").json()
        storages = next(f for f in full["fields"] if f["id"] == "reservationStorages")
        assert "storageReservedSizeGB" in {f["id"] for f in storages["dataType"]["fields"]}
        assert_vra_error(c.get(f"{RES}/data-service/schema/Nope/default"), 404, 10002)


def test_a_vsphere_reservation_round_trip(server):
    group = demo_group(server)
    with server.client(headers=admin(server)) as c:
        cluster = _values(c, "computeResource")[0]["underlyingValue"]["id"]
        pools = _values(c, "resourcePool", cluster)
        assert pools and pools[0]["underlyingValue"]["classId"] == "ResourcePools"
        storage = _values(c, "reservationStorages", cluster)[0]["underlyingValue"]
        datastore = next(e["value"]["id"] for e in storage["values"]["entries"] if e["key"] == "storagePath")
        network = _values(c, "reservationNetworks", cluster)[0]["underlyingValue"]["values"]["entries"][0][
            "value"
        ]["id"]
        r = c.post(f"{RES}/reservations", json=_body(group, cluster, datastore, network))
        assert r.status_code == 201, r.text
        location = r.headers["Location"]
        assert location.startswith(f"{server.https}{RES}/reservations/")
        got = c.get(location).json()
        entries = _entries(got)
        assert got["priority"] == 3 and got["subTenantId"] == group
        assert entries["machineQuota"]["value"] == 5
        assert entries["reservationMemory"]["values"]["entries"][0]["value"]["value"] == 4096
        assert entries["custom-Properties-key0"] == {"type": "string", "value": "kept"}
        assert entries["computeResource"]["label"]
        changed = _body(group, cluster, datastore, network, memory=8192, name="Renamed")
        assert c.put(location, json=changed).status_code == 204
        assert c.get(location).json()["name"] == "Renamed"
        assert c.delete(location).status_code == 204
        assert_vra_error(c.get(location), 404, 10002)


def test_bad_bodies_are_refused_with_vras_error(server):
    group = demo_group(server)
    with server.client(headers=admin(server)) as c:
        cluster = _values(c, "computeResource")[0]["underlyingValue"]["id"]
        storage = _values(c, "reservationStorages", cluster)[0]["underlyingValue"]
        datastore = next(e["value"]["id"] for e in storage["values"]["entries"] if e["key"] == "storagePath")
        network = _values(c, "reservationNetworks", cluster)[0]["underlyingValue"]["values"]["entries"][0][
            "value"
        ]["id"]
        good = _body(group, cluster, datastore, network)
        no_compute = {**good, "extensionData": {"entries": good["extensionData"]["entries"][1:]}}
        cases = [
            no_compute,
            {**good, "reservationTypeId": "Infrastructure.Reservation.Virtual.Nope"},
            {**good, "name": ""},
            {**good, "priority": "high"},
            {**good, "subTenantId": "no-such-group"},
            {**good, "tenantId": "demo-org"},
            _body(group, cluster, datastore, network, memory=-1),
            _body(group, cluster, datastore, network, memory=10**12),
            _body(group, cluster, datastore, network, size=10**9),
            _body(group, "domain-c999999", datastore, network),
            _body(group, cluster, "datastore-999999", network),
        ]
        for body in cases:
            (_, detail) = assert_vra_error(c.post(f"{RES}/reservations", json=body), 400, 20117)
            assert detail["code"] == 10101
        assert_vra_error(c.get(f"{RES}/reservations/no-such-id"), 404, 10002)
        demo = next(
            r for r in c.get(f"{RES}/reservations").json()["content"] if r["name"].startswith("Demo vS")
        )
        (clash,) = assert_vra_error(
            c.post(f"{RES}/reservations", json={**good, "name": demo["name"]}), 400, 10004
        )
        assert "already exists" in clash["message"]


def test_who_may_read_and_write(server):
    with server.client(headers=admin(server)) as c:
        demo = next(
            r for r in c.get(f"{RES}/reservations").json()["content"] if r["name"].startswith("Demo vS")
        )
    with server.client(headers=user(server, "USER_1")) as c:  # a basic user of the demo group
        assert_vra_error(c.get(f"{RES}/reservations"), 403, 10003)
        assert_vra_error(c.get(f"{RES}/reservations/{demo['id']}"), 403, 10003)
        assert_vra_error(c.delete(f"{RES}/reservations/{demo['id']}"), 403, 10003)
    with server.client(headers=other_tenant_admin(server)) as c:
        assert c.get(f"{RES}/reservations").json()["content"] == []
        assert_vra_error(c.get(f"{RES}/reservations/{demo['id']}"), 404, 10002)
        assert_vra_error(c.delete(f"{RES}/reservations/{demo['id']}"), 404, 10002)


@pytest.mark.parametrize("field", ["computeResource", "keyPair"])
def test_amazon_values_are_the_regions_and_their_key_pairs(server, field):
    with server.client(headers=admin(server)) as c:
        body = {
            DEP: {"entries": [{"key": "computeResource", "value": {"type": "entityRef", "id": "us-east-1"}}]}
        }
        r = c.post(
            f"{RES}/data-service/schema/Infrastructure.Reservation.Cloud.Amazon/default/{field}/values",
            json=body,
        )
        labels = [v["label"] for v in r.json()["values"]]
        assert ("US East (N. Virginia)" if field == "computeResource" else "demo-key") in labels


def test_the_demo_vsphere_reservation_takes_the_first_datastore_and_network(server):
    """README: 500 GB on the first cluster's first datastore, its first network (vCenter's order);
    the complex values' classes are the Guide's, the same for vSphere and vCloud."""
    with server.client(headers=admin(server)) as c:
        found = {r["name"]: r for r in c.get(f"{RES}/reservations").json()["content"]}
        vsphere, vcloud = found["Demo vSphere Reservation"], found["Demo vCloud Reservation"]
        entries = _entries(vsphere)
        (storage,) = entries["reservationStorages"]["items"]
        (network,) = entries["reservationNetworks"]["items"]
        values = {e["key"]: e["value"] for e in storage["values"]["entries"]}
        assert values["storageReservedSizeGB"]["value"] == 500
        paths = (values["storagePath"]["id"], network["values"]["entries"][0]["value"]["id"])
        classes = {k: entries[k]["classId"] for k in ("reservationMemory",)}
        classes |= {"reservationStorages": storage["classId"], "reservationNetworks": network["classId"]}
        cloud = _entries(vcloud)
        assert classes == {
            "reservationMemory": "Infrastructure.Reservation.Memory",
            "reservationStorages": "Infrastructure.Reservation.Storage",
            "reservationNetworks": "Infrastructure.Reservation.Network",
        }
        assert cloud["reservationMemory"]["classId"] == classes["reservationMemory"]
        assert {i["classId"] for i in cloud["reservationStorages"]["items"]} == {STORAGE_CLASS}
        cluster = entries["computeResource"]["id"]
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        assert vc.get("/api/vcenter/cluster").json()[0]["cluster"] == cluster
        (dc,) = [
            d["datacenter"]
            for d in vc.get("/api/vcenter/datacenter").json()
            if cluster
            in {k["cluster"] for k in vc.get(f"/api/vcenter/cluster?datacenters={d['datacenter']}").json()}
        ]
        first_datastore = vc.get(f"/api/vcenter/datastore?datacenters={dc}").json()[0]["datastore"]
        first_network = vc.get(f"/api/vcenter/network?datacenters={dc}").json()[0]["network"]
        assert paths == (first_datastore, first_network)


def test_a_shrink_below_what_machines_hold_names_the_clients_field(server):
    with server.client() as c:
        provisioned(server, c, consumer(server, c), admin=bearer(token(server)))
    with server.client(headers=admin(server)) as c:
        listed = c.get(f"{RES}/reservations").json()["content"]
        demo = next(r for r in listed if r["name"] == "Demo vSphere Reservation")
        memory = _entries(demo)["reservationMemory"]["values"]["entries"]
        size = next(e for e in memory if e["key"] == "memoryReservedSizeMb")
        size["value"]["value"] = 1
        (refused,) = assert_vra_error(c.put(f"{RES}/reservations/{demo['id']}", json=demo), 400, 10004)
        assert "memoryReservedSizeMb" in refused["message"] and "memory_mb" not in refused["message"]
