"""vCenter inventory over REST: the seeded world, filters, gets, VM life cycle and power."""

import pytest

from conftest import Server
from helpers import DEMO_VMS, assert_vapi_error, vcenter_session

VM = "/api/vcenter/vm"


def ids(items, key):
    return [item[key] for item in items]


def test_the_seeded_inventory(vc):
    (dc,) = vc.get("/api/vcenter/datacenter").json()
    info = vc.get(f"/api/vcenter/datacenter/{dc['datacenter']}").json()
    assert set(info) == {"name", "datastore_folder", "host_folder", "network_folder", "vm_folder"}
    (cluster,) = vc.get("/api/vcenter/cluster").json()
    assert cluster["cluster"].startswith("domain-c") and cluster["ha_enabled"] is True
    pool = vc.get(f"/api/vcenter/cluster/{cluster['cluster']}").json()["resource_pool"]
    root = vc.get(f"/api/vcenter/resource-pool/{pool}").json()
    assert root["name"] == "Resources" and len(root["resource_pools"]) == 1  # the demo VDC's pool
    hosts = vc.get("/api/vcenter/host").json()
    assert len(hosts) == 3 and all(h["connection_state"] == "CONNECTED" for h in hosts)
    datastores = vc.get("/api/vcenter/datastore").json()
    assert len(datastores) == 2 and all(d["capacity"] > d["free_space"] > 0 for d in datastores)
    ds = vc.get(f"/api/vcenter/datastore/{datastores[0]['datastore']}").json()
    assert (
        ds["type"] == "VMFS" and ds["accessible"] is True and ds["free_space"] == datastores[0]["free_space"]
    )
    assert vc.get("/api/vcenter/datastore", params={"types": "NFS"}).json() == []
    assert_vapi_error(vc.get("/api/vcenter/datastore", params={"types": "FLOPPY"}), 400, "INVALID_ARGUMENT")
    assert "VM Network" in ids(vc.get("/api/vcenter/network").json(), "name")
    folders = vc.get("/api/vcenter/folder", params={"type": "VIRTUAL_MACHINE"}).json()
    assert ids(folders, "folder")[0] == info["vm_folder"] and len(folders) == 2  # and the demo vApp's
    vms = vc.get(VM).json()
    assert len(vms) == DEMO_VMS and {v["power_state"] for v in vms} == {"POWERED_ON", "POWERED_OFF"}
    assert all(v["vm"].startswith("vm-") and v["cpu_count"] and v["memory_size_MiB"] for v in vms)


def test_vm_filters(vc):
    vms = vc.get(VM).json()
    off = vc.get(VM, params={"power_states": "POWERED_OFF"}).json()
    assert off and all(v["power_state"] == "POWERED_OFF" for v in off)
    host = vc.get("/api/vcenter/host").json()[0]["host"]
    on_host = vc.get(VM, params={"hosts": host}).json()
    assert len(on_host) == 4  # two of the counts', and the demo vApp's two on the first host
    named = vc.get(VM, params=[("names", vms[0]["name"]), ("names", vms[1]["name"])]).json()
    assert ids(named, "vm") == ids(vms[:2], "vm")
    assert vc.get(VM, params={"filter.vms": vms[2]["vm"]}).json() == [vms[2]]
    assert vc.get(VM, params={"names": "nothing-like-this"}).json() == []
    assert_vapi_error(vc.get(VM, params={"power_states": "HALF_ON"}), 400, "INVALID_ARGUMENT")


def test_vm_info(vc):
    vm = vc.get(VM).json()[0]
    info = vc.get(f"{VM}/{vm['vm']}").json()
    assert info["name"] == vm["name"] and info["power_state"] == vm["power_state"]
    assert info["cpu"]["count"] == vm["cpu_count"] and info["memory"]["size_MiB"] == vm["memory_size_MiB"]
    (disk,) = info["disks"].values()
    assert disk["backing"]["type"] == "VMDK_FILE" and disk["capacity"] > 0
    (nic,) = info["nics"].values()
    assert nic["backing"]["network"].startswith("network-") and nic["mac_address"].startswith("00:50:56")
    assert_vapi_error(vc.get(f"{VM}/vm-999999"), 404, "NOT_FOUND")


def test_power_cycle_and_invalid_changes(vc):
    vm = next(v["vm"] for v in vc.get(VM).json() if v["power_state"] == "POWERED_OFF")
    power = f"{VM}/{vm}/power"
    assert vc.get(power).json() == {"state": "POWERED_OFF", "clean_power_off": True}
    assert_vapi_error(vc.post(power, params={"action": "suspend"}), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    assert_vapi_error(vc.post(power, params={"action": "reset"}), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    body = assert_vapi_error(vc.post(power, params={"action": "stop"}), 400, "ALREADY_IN_DESIRED_STATE")
    assert body["messages"] == [  # vCenter's, and the host's below it
        {
            "id": "com.vmware.api.vcenter.vm.power.already_powered_off",
            "default_message": "Virtual machine is already powered off.",
            "args": [],
        },
        {
            "id": "vmsg.InvalidPowerState.summary",
            "default_message": "The attempted operation cannot be performed in the current state"
            " (Powered off).",
            "args": [],
        },
    ]
    assert vc.post(power, params={"action": "start"}).status_code == 204
    assert vc.get(power).json() == {"state": "POWERED_ON"}
    assert_vapi_error(vc.post(power, params={"action": "start"}), 400, "ALREADY_IN_DESIRED_STATE")
    assert vc.post(power, params={"action": "reset"}).status_code == 204
    assert vc.post(power, params={"action": "suspend"}).status_code == 204
    assert vc.get(power).json() == {"state": "SUSPENDED"}
    assert vc.post(power, params={"action": "stop"}).status_code == 204
    assert vc.get(power).json() == {"state": "POWERED_OFF", "clean_power_off": False}
    assert_vapi_error(vc.post(power, params={"action": "explode"}), 404, "OPERATION_NOT_FOUND")


def test_create_and_delete_a_vm(vc):
    cluster = vc.get("/api/vcenter/cluster").json()[0]["cluster"]
    spec = {
        "name": "app-01",
        "guest_OS": "UBUNTU_64",
        "placement": {"cluster": cluster},
        "cpu": {"count": 4},
        "memory": {"size_MiB": 8192},
    }
    r = vc.post(VM, json=spec)
    assert r.status_code == 201
    vm = r.json()
    info = vc.get(f"{VM}/{vm}").json()
    assert info["name"] == "app-01" and info["power_state"] == "POWERED_OFF" and info["cpu"]["count"] == 4
    assert vm in ids(vc.get(VM, params={"clusters": cluster}).json(), "vm")
    assert_vapi_error(vc.post(VM, json=spec), 400, "ALREADY_EXISTS")  # same name, same folder
    vc.post(f"{VM}/{vm}/power", params={"action": "start"})
    assert_vapi_error(vc.delete(f"{VM}/{vm}"), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    vc.post(f"{VM}/{vm}/power", params={"action": "stop"})
    assert vc.delete(f"{VM}/{vm}").status_code == 204
    assert_vapi_error(vc.get(f"{VM}/{vm}"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "spec",
    [
        {"name": "x", "guest_OS": "UBUNTU_64"},
        {"name": "x", "guest_OS": "UBUNTU_64", "placement": {"cluster": "domain-c999"}},
        {"name": "x"},
        {"name": "x", "guest_OS": "UBUNTU_64", "placement": {"folder": "group-d1", "cluster": "domain-c11"}},
    ],
)
def test_create_refuses_bad_specs(vc, spec):
    r = vc.post(VM, json=spec)
    assert r.status_code in (400, 404) and r.json()["error_type"] in ("INVALID_ARGUMENT", "NOT_FOUND")


def test_viewer_cannot_power_or_create(server):
    with server.client(
        headers={"vmware-api-session-id": vcenter_session(server, "viewer@vsphere.local")}
    ) as c:
        vm = c.get(VM).json()[0]["vm"]
        assert_vapi_error(c.post(f"{VM}/{vm}/power", params={"action": "stop"}), 403, "UNAUTHORIZED")
        assert_vapi_error(c.delete(f"{VM}/{vm}"), 403, "UNAUTHORIZED")


def test_lists_over_4000_are_refused(new_database, tmp_path):
    big = Server(tmp_path / "big", new_database(), extra=["--inventory", "hosts=3,vms=1400"]).start()
    try:
        with big.client(headers={"vmware-api-session-id": vcenter_session(big)}) as c:
            body = assert_vapi_error(c.get(VM), 400, "UNABLE_TO_ALLOCATE_RESOURCE")
            (message,) = body["messages"]
            assert message["id"] == "com.vmware.api.vcenter.vm.too_many_matches" and message["args"] == []
            host = c.get("/api/vcenter/host").json()[0]["host"]
            assert len(c.get(VM, params={"hosts": host}).json()) == 1400 + 2  # and the demo vApp's
    finally:
        big.stop()
