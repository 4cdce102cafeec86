"""Operations metrics over HTTPS: deterministic simulated samples on the five-minute grid, roll-ups
that add up through the inventory, time roll-ups, latest samples, pushed samples, and the clock."""

import itertools

import pytest

from helpers import assert_ops_error, ops_acquire

API = "/suite-api/api"
FIVE_MINUTES = 300_000


def resources(ops, kind, **params):
    return ops.get(f"{API}/resources", params={"resourceKind": kind, **params}).json()["resourceList"]


def moid(resource):
    ids = resource["resourceKey"]["resourceIdentifiers"]
    return next(i["value"] for i in ids if i["identifierType"]["name"] == "VMEntityObjectID")


def series(ops, rid, key, **params):
    r = ops.get(f"{API}/resources/{rid}/stats", params={"statKey": key, **params})
    assert r.status_code == 200, r.text
    (value,) = r.json()["values"]
    assert value["resourceId"] == rid
    (stat,) = value["stat-list"]["stat"]
    assert stat["statKey"] == {"key": key}
    return dict(zip(stat["timestamps"], stat["data"], strict=True)), stat


def test_a_day_of_samples_that_repeat(ops):
    vm = resources(ops, "VirtualMachine")[0]
    points, stat = series(ops, vm["identifier"], "cpu|usage_average")
    assert stat["rollUpType"] == "NONE" and stat["intervalUnit"] == {
        "quantifier": 5,
        "intervalType": "MINUTES",
    }
    times = sorted(points)
    assert len(times) in (288, 289) and all(t % FIVE_MINUTES == 0 for t in times)
    assert all(b - a == FIVE_MINUTES for a, b in itertools.pairwise(times))
    assert all(0 < v < 100 for v in points.values()) and len(set(points.values())) > 100
    again, _ = series(ops, vm["identifier"], "cpu|usage_average", begin=times[0], end=times[-1])
    assert again == points  # the same instants give the same values


def test_hosts_add_up_their_vms_and_clusters_their_hosts(ops):
    (cluster,) = resources(ops, "ClusterComputeResource")
    hosts = resources(ops, "HostSystem")
    vms = resources(ops, "VirtualMachine")
    window = {"begin": 0}
    key = "cpu|usagemhz_average"
    host_points = {}
    for host in hosts:
        points, _ = series(ops, host["identifier"], key, **window)
        host_points[moid(host)] = points
        children = ops.get(f"{API}/resources/{host['identifier']}/relationships/CHILD").json()
        on_host = [r["identifier"] for r in children["resourceList"]]
        vm_points = [series(ops, vid, key, **window)[0] for vid in on_host]
        for t, value in list(points.items())[-12:]:
            assert value == pytest.approx(sum(p[t] for p in vm_points), abs=0.01)
    cluster_points, _ = series(ops, cluster["identifier"], key, **window)
    for t, value in list(cluster_points.items())[-12:]:
        assert value == pytest.approx(sum(p[t] for p in host_points.values()), abs=0.01)
    off = [v for v in vms if v["resourceHealth"] == "GREY"]
    assert off and set(series(ops, off[0]["identifier"], key)[0].values()) == {0.0}
    mem, _ = series(ops, hosts[0]["identifier"], "mem|usage_average")
    assert all(0 < v < 100 for v in mem.values())


def test_roll_ups_over_time(ops):
    host = resources(ops, "HostSystem")[0]["identifier"]
    raw, _ = series(ops, host, "cpu|usage_average")
    hourly, stat = series(ops, host, "cpu|usage_average", rollUpType="MAX", intervalType="HOURS")
    assert stat["rollUpType"] == "MAX" and stat["intervalUnit"] == {"quantifier": 1, "intervalType": "HOURS"}
    for hour, value in hourly.items():
        inside = [v for t, v in raw.items() if hour <= t < hour + 3_600_000]
        assert value == pytest.approx(max(inside))
    two_hours, _ = series(
        ops, host, "cpu|usage_average", rollUpType="COUNT", intervalType="HOURS", intervalQuantifier=2
    )
    assert max(two_hours.values()) == 24
    assert_ops_error(ops.get(f"{API}/resources/{host}/stats", params={"rollUpType": "MEDIAN"}), 400)
    assert_ops_error(ops.get(f"{API}/resources/{host}/stats", params={"begin": 10, "end": 5}), 400)
    assert_ops_error(ops.get(f"{API}/resources/00000000-0000-0000-0000-000000000000/stats"), 404)


def test_many_resources_latest_and_the_clock(server, ops):
    vms = [v["identifier"] for v in resources(ops, "VirtualMachine")]
    query = {
        "resourceId": [*vms[:2], "00000000-0000-0000-0000-000000000000"],
        "statKey": ["mem|usage_average"],
    }
    body = ops.post(f"{API}/resources/stats/query", json=query).json()
    assert [v["resourceId"] for v in body["values"]] == vms[:2]  # unknown ids are left out
    nobody = {"resourceId": ["00000000-0000-0000-0000-000000000000"]}
    assert_ops_error(ops.post(f"{API}/resources/stats/latest/query", json=nobody), 404)
    latest = ops.get(f"{API}/resources/stats/latest", params={"resourceId": vms[0], "maxSamples": 3}).json()
    stats = {s["statKey"]["key"]: s for s in latest["values"][0]["stat-list"]["stat"]}
    assert "sys|poweredOn" in stats and len(stats["cpu|usage_average"]["timestamps"]) == 3
    last = stats["cpu|usage_average"]["timestamps"][-1]
    server.advance(3600)
    one = ops.get(f"{API}/resources/{vms[0]}/stats/latest", params={"statKey": "cpu|usage_average"}).json()
    assert one["values"][0]["stat-list"]["stat"][0]["timestamps"][0] >= last + 3_600_000 - FIVE_MINUTES


def test_pushed_stats_are_kept_and_need_the_privilege(server, ops):
    ds = resources(ops, "Datastore")[0]["identifier"]
    points, _ = series(ops, ds, "capacity|usedSpacePct")
    t = max(points)
    push = {"stat-content": [{"statKey": "capacity|usedSpacePct", "timestamps": [t], "data": [87.5]}]}
    assert ops.post(f"{API}/resources/{ds}/stats", json=push).status_code == 200
    assert series(ops, ds, "capacity|usedSpacePct")[0][t] == 87.5  # replaces the simulated sample
    many = {
        "resource-stat-content": [
            {
                "id": ds,
                "stat-contents": [{"statKey": "custom|iops", "timestamps": [t - 1, t], "data": [1, 2]}],
            }
        ]
    }
    assert ops.post(f"{API}/resources/stats", json=many).status_code == 200
    assert series(ops, ds, "custom|iops")[0] == {t - 1: 1.0, t: 2.0}
    keys = ops.get(f"{API}/resources/statkeys", params={"resourceId": ds, "searchstring": "IOPS"}).json()
    assert keys == {"stat-key": [{"key": "custom|iops"}]}
    bad = {"stat-content": [{"statKey": "x|y", "timestamps": [1, 2], "data": [1]}]}
    assert_ops_error(ops.post(f"{API}/resources/{ds}/stats", json=bad), 400)
    viewer = ops_acquire(server, "viewer@vsphere.local").json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {viewer}"}) as c:
        assert_ops_error(c.post(f"{API}/resources/{ds}/stats", json=push), 403)
        assert c.get(f"{API}/resources/{ds}/stats", params={"statKey": "custom|iops"}).status_code == 200


def test_relationships_follow_the_inventory(ops):
    vm = resources(ops, "VirtualMachine")[0]
    parents = ops.get(
        f"{API}/resources/{vm['identifier']}/relationships", params={"relationshipType": "PARENT"}
    )
    kinds = {r["resourceKey"]["resourceKindKey"] for r in parents.json()["resourceList"]}
    assert kinds == {"HostSystem", "ResourcePool", "Folder", "Datastore"}
    assert parents.json()["relationshipType"] == "PARENT"
    (cluster,) = resources(ops, "ClusterComputeResource")
    children = ops.get(f"{API}/resources/{cluster['identifier']}/relationships/CHILD").json()["resourceList"]
    assert {r["resourceKey"]["resourceKindKey"] for r in children} == {"HostSystem", "ResourcePool"}
    assert_ops_error(ops.get(f"{API}/resources/{cluster['identifier']}/relationships/SIBLING"), 400)


def test_vms_made_on_vcenter_are_resources_with_metrics_from_birth(server, ops):
    with server.client() as vc:
        session = vc.post("/api/session", auth=("administrator@vsphere.local", "VMware1!")).json()
        vc.headers["vmware-api-session-id"] = session
        cluster = vc.get("/api/vcenter/cluster").json()[0]["cluster"]
        spec = {"name": "from-vcenter", "guest_OS": "UBUNTU_64", "placement": {"cluster": cluster}}
        vm = vc.post("/api/vcenter/vm", json=spec).json()
        (made,) = resources(ops, "VirtualMachine", name="from-vcenter")
        assert made["creationTime"] > 0 and moid(made) == vm
        young = ops.get(f"{API}/resources/{made['identifier']}/stats").json()
        assert young["values"][0]["stat-list"]["stat"] == []  # no sample yet, so no stat
        server.advance(900)
        assert vc.post(f"/api/vcenter/vm/{vm}/power?action=start").status_code == 204
        server.advance(900)
        points, _ = series(ops, made["identifier"], "cpu|usage_average")
        assert 5 <= len(points) <= 7 and max(points.values()) > 0
        assert vc.post(f"/api/vcenter/vm/{vm}/power?action=stop").status_code == 204
        assert vc.delete(f"/api/vcenter/vm/{vm}").status_code == 204
    assert_ops_error(ops.get(f"{API}/resources/{made['identifier']}"), 404)


def test_dynamic_thresholds_band_each_sample(ops):
    host = resources(ops, "HostSystem")[0]["identifier"]
    key = "cpu|usagemhz_average"
    body = {"resourceIds": [host], "statKeys": [key], "showSmooth": True, "smoothFactor": 2}
    r = ops.post("/suite-api/api/resources/stats/dt/query", json=body)
    assert r.status_code == 200, r.text
    (resource,) = r.json()["values"]
    (stat,) = resource["stat-list"]["stat"]
    _, plain = series(ops, host, key)
    assert stat["statKey"]["key"] == key and stat["data"] == plain["data"]  # the same day of samples
    assert stat["dtTimestamps"] == stat["timestamps"] and len(stat["timestamps"]) > 12
    low, high, data = stat["minThresholdData"], stat["maxThresholdData"], stat["data"]
    assert all(0 <= lo <= hi for lo, hi in zip(low, high, strict=True))
    inside = sum(lo <= d <= hi for lo, d, hi in zip(low, data, high, strict=True))
    assert inside > 0.8 * len(data)  # the band is what is normal: most samples lie in it
    assert any(hi > lo for lo, hi in zip(low, high, strict=True))
    smooth = stat["smoothValues"]
    assert len(smooth) == len(data) and max(smooth) <= max(data) and min(smooth) >= min(data)
    without = ops.post("/suite-api/api/resources/stats/dt/query", json={**body, "showSmooth": False}).json()
    assert "smoothValues" not in without["values"][0]["stat-list"]["stat"][0]
    xml = ops.post(
        "/suite-api/api/resources/stats/dt/query", json=body, headers={"Accept": "application/xml"}
    )
    assert xml.status_code == 200 and b"maxThresholdData" in xml.content


@pytest.mark.parametrize(
    "body",
    [
        {"statKeys": ["cpu|usage_average"]},
        {"resourceIds": ["x"]},
        {"resourceIds": ["x"], "statKeys": ["k"], "smoothFactor": -1},
    ],
)
def test_dynamic_thresholds_need_resources_and_keys(ops, body):
    assert_ops_error(ops.post("/suite-api/api/resources/stats/dt/query", json=body), 400)
