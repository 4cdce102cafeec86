"""Operations' standard stat keys over HTTPS: every key of every resource kind of the demo world is
listed by the stat key endpoints and answered by every stats read; aggregates agree with their
children (hosts with their VMs, clusters with their hosts, instances with their whole); and an
exporter's ``summary|total_number_vms`` of the vCenter adapter instance is the vCenter's VM count."""

import pytest

from helpers import vcenter_session

API = "/suite-api/api"
VMWARE_KINDS = f"{API}/adapterkinds/VMWARE/resourcekinds"


def resources(ops, kind):
    return ops.get(f"{API}/resources", params={"resourceKind": kind}).json()["resourceList"]


def latest(ops, rids, keys):
    """The latest value of each key of each resource, by ``POST .../stats/latest/query``."""
    r = ops.post(f"{API}/resources/stats/latest/query", json={"resourceId": rids, "statKey": keys})
    assert r.status_code == 200, r.text
    return {
        v["resourceId"]: {s["statKey"]["key"]: s["data"][-1] for s in v["stat-list"]["stat"]}
        for v in r.json()["values"]
    }


def one(ops, rid, key):
    return latest(ops, [rid], [key])[rid][key]


def children(ops, rid, kind):
    found = ops.get(f"{API}/resources/{rid}/relationships/CHILD").json()["resourceList"]
    return [r["identifier"] for r in found if r["resourceKey"]["resourceKindKey"] == kind]


def numbers(stat):
    return stat["data"] and all(isinstance(v, int | float) for v in stat["data"])


def test_every_key_of_every_kind_is_listed_and_answered(ops):
    kinds = [k["key"] for k in ops.get(VMWARE_KINDS).json()["resource-kind"]]
    walked = set()
    for kind in kinds:
        page = ops.get(f"{VMWARE_KINDS}/{kind}/resources")
        if page.status_code == 404:  # a kind the world has no objects of
            continue
        found = [r["identifier"] for r in page.json()["resourceList"]]
        attributes = ops.get(f"{VMWARE_KINDS}/{kind}/statkeys").json()["resourceTypeAttributes"]
        listed = {a["key"] for a in attributes}
        walked.add(kind)
        assert listed, kind
        for rid in found:
            keys = [k["key"] for k in ops.get(f"{API}/resources/{rid}/statkeys").json()["stat-key"]]
            assert listed <= set(keys), (kind, listed - set(keys))
            answered = latest(ops, [rid], keys)[rid]
            assert set(answered) == set(keys), (kind, set(keys) - set(answered))
            assert all(isinstance(v, int | float) for v in answered.values())
            # the same keys from every read: GET latest (all keys), GET and POST over a range
            every = ops.get(f"{API}/resources/{rid}/stats/latest").json()["values"][0]["stat-list"]["stat"]
            assert {s["statKey"]["key"] for s in every} == set(keys) and all(numbers(s) for s in every)
            hour = {"resourceId": [rid], "statKey": keys, "rollUpType": "AVG", "intervalType": "HOURS"}
            ranged = ops.post(f"{API}/resources/stats/query", json=hour).json()["values"][0]["stat-list"]
            assert {s["statKey"]["key"] for s in ranged["stat"]} == set(keys)
            assert all(numbers(s) for s in ranged["stat"])
            sample = keys[len(keys) // 2]
            got = ops.get(f"{API}/resources/stats/latest", params={"resourceId": rid, "statKey": sample})
            assert numbers(got.json()["values"][0]["stat-list"]["stat"][0])
            got = ops.get(f"{API}/resources/{rid}/stats", params={"statKey": sample}).json()
            assert numbers(got["values"][0]["stat-list"]["stat"][0])
    assert {"VMwareAdapter Instance", "Datacenter", "ClusterComputeResource", "HostSystem"} <= walked
    assert {"ResourcePool", "Datastore", "VirtualMachine", "Folder"} <= walked


def test_the_exporters_vm_count_is_the_vcenters(server, ops):
    (vcenter,) = resources(ops, "VMwareAdapter Instance")
    rid = vcenter["identifier"]
    body = ops.post(
        f"{API}/resources/stats/latest/query",
        json={"resourceId": [rid], "statKey": ["summary|total_number_vms"]},
    ).json()
    stat = body["values"][0]["stat-list"]["stat"]
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        vms = vc.get("/api/vcenter/vm").json()
        assert stat[0]["data"][0] == len(vms) > 0
        running = one(ops, rid, "summary|number_running_vms")
        on = next(v["vm"] for v in vms if v["power_state"] == "POWERED_ON")
        assert vc.post(f"/api/vcenter/vm/{on}/power?action=stop").status_code == 204
    assert one(ops, rid, "summary|number_running_vms") == running - 1  # one world: the change shows


def test_hosts_count_their_vms_and_clusters_their_hosts(ops):
    (cluster,) = [r["identifier"] for r in resources(ops, "ClusterComputeResource")]
    hosts = [r["identifier"] for r in resources(ops, "HostSystem")]
    counts = ["summary|total_number_vms", "summary|number_running_vms", "summary|number_running_vcpus"]
    per_host = latest(ops, hosts, [*counts, "cpu|usagemhz_average", "mem|host_provisioned"])
    for host in hosts:
        vms = children(ops, host, "VirtualMachine")
        states = latest(ops, vms, ["sys|poweredOn", "config|hardware|num_Cpu"])
        running = [vm for vm in vms if states[vm]["sys|poweredOn"] == 1]
        assert per_host[host]["summary|total_number_vms"] == len(vms)
        assert per_host[host]["summary|number_running_vms"] == len(running)
        assert per_host[host]["summary|number_running_vcpus"] == sum(
            states[vm]["config|hardware|num_Cpu"] for vm in running
        )
    totals = latest(
        ops,
        [cluster],
        [*counts, "summary|total_number_hosts", "cpu|usagemhz_average", "mem|host_provisioned"],
    )[cluster]
    assert totals["summary|total_number_hosts"] == len(hosts)
    for key in [*counts, "mem|host_provisioned"]:
        assert totals[key] == sum(per_host[h][key] for h in hosts)
    assert totals["cpu|usagemhz_average"] == pytest.approx(
        sum(per_host[h]["cpu|usagemhz_average"] for h in hosts), abs=0.01
    )
    (datacenter,) = [r["identifier"] for r in resources(ops, "Datacenter")]
    (vcenter,) = [r["identifier"] for r in resources(ops, "VMwareAdapter Instance")]
    above = latest(
        ops, [datacenter, vcenter], [*counts, "summary|total_number_hosts", "cpu|usagemhz_average"]
    )
    for key, value in above[datacenter].items():
        assert above[vcenter][key] == pytest.approx(value, abs=0.01)  # one datacenter: the same sums
    datastores = [r["identifier"] for r in resources(ops, "Datastore")]
    space = latest(ops, datastores, ["capacity|total_capacity"])
    assert one(ops, vcenter, "diskspace|total_capacity") == pytest.approx(
        sum(v["capacity|total_capacity"] for v in space.values()), abs=0.01
    )
    assert one(ops, vcenter, "summary|total_number_datastores") == len(datastores)
    (vm_folder,) = [r["identifier"] for r in resources(ops, "Folder") if r["resourceKey"]["name"] == "vm"]
    assert one(ops, vm_folder, "summary|total_number_vms") == above[vcenter]["summary|total_number_vms"] > 0


def test_instances_make_their_whole(ops):
    vms = [r["identifier"] for r in resources(ops, "VirtualMachine")]
    running = [vm for vm, v in latest(ops, vms, ["sys|poweredOn"]).items() if v["sys|poweredOn"] == 1]
    vm = running[0]
    keys = [k["key"] for k in ops.get(f"{API}/resources/{vm}/statkeys").json()["stat-key"]]
    values = latest(ops, [vm], keys)[vm]

    def each(family, metric):
        found = [
            v
            for k, v in values.items()
            if k.startswith(f"{family}:") and k.endswith(f"|{metric}") and "Aggregate" not in k
        ]
        assert found, (family, metric)
        return found

    cpus = values["config|hardware|num_Cpu"]
    assert len(each("cpu", "usage_average")) == cpus
    mean = sum(each("cpu", "usage_average")) / cpus
    assert values["cpu|usage_average"] == pytest.approx(mean, abs=0.01) and values["cpu|usage_average"] > 0
    assert values["cpu|usagemhz_average"] == pytest.approx(sum(each("cpu", "usagemhz_average")), abs=0.01)
    aggregate = "virtualDisk:Aggregate of all instances|"
    for metric in ("read_average", "write_average", "numberReadAveraged_average"):
        assert values[aggregate + metric] == pytest.approx(sum(each("virtualDisk", metric)), abs=0.01)
        assert values[aggregate + metric] == values[f"virtualDisk|{metric}"]
    assert values["disk|read_average"] == values["virtualDisk|read_average"]
    latency = each("virtualDisk", "totalReadLatency_average")
    assert values[aggregate + "totalReadLatency_average"] == pytest.approx(
        sum(latency) / len(latency), abs=0.01
    )
    nics = each("net", "usage_average")
    assert values["net:Aggregate of all instances|usage_average"] == pytest.approx(sum(nics), abs=0.01)
    assert values["net|usage_average"] == pytest.approx(
        values["net|received_average"] + values["net|transmitted_average"], abs=0.01
    )
    assert values["badge|health"] == 100 and values["badge|risk"] == 0
    # a host's cores are its CPU instances; the instance an object lacks is not answered
    host = resources(ops, "HostSystem")[0]["identifier"]
    cores = one(ops, host, "hardware|cpuInfo|num_CpuCores")
    mhz = latest(ops, [host], [f"cpu:{i}|usagemhz_average" for i in range(int(cores) + 1)])[host]
    assert len(mhz) == cores and one(ops, host, "cpu|usagemhz_average") == pytest.approx(
        sum(mhz.values()), abs=0.01
    )
    off = [vm for vm in vms if vm not in running]
    assert off and one(ops, off[0], "badge|health") == -1 and one(ops, off[0], "cpu|usage_average") == 0
