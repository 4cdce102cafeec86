"""vCenter inventory changes over REST and the official client (JSON-RPC): datacenters, standalone
hosts, resource pools, VM clone, instant clone, relocate, unregister and register; the product's
refusals; every change seen by the Operations face."""

import pytest
import requests
from com.vmware.vapi.std.errors_client import AlreadyExists, InvalidArgument
from com.vmware.vcenter_client import VM as VmService
from com.vmware.vcenter_client import ResourcePool
from vmware.vapi.vsphere.client import create_vsphere_client

from conftest import DEMO_PASSWORD
from helpers import assert_vapi_error, ops_acquire, vcenter_session

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

API = "/api/vcenter"
POOL = f"{API}/resource-pool"


def ops_count(server, kind):
    token = ops_acquire(server).json()["token"]
    headers = {"Authorization": f"OpsToken {token}", "Accept": "application/json"}
    with server.client(headers=headers) as c:
        return c.get("/suite-api/api/resources", params={"resourceKind": kind}).json()["pageInfo"][
            "totalCount"
        ]


def ops_host(server, name):
    """A host as Operations shows it: its health and collection status."""
    token = ops_acquire(server).json()["token"]
    headers = {"Authorization": f"OpsToken {token}", "Accept": "application/json"}
    with server.client(headers=headers) as c:
        (found,) = c.get(
            "/suite-api/api/resources", params={"resourceKind": "HostSystem", "name": name}
        ).json()["resourceList"]
    status = found["resourceStatusStates"][0]["resourceStatus"]
    return found["resourceHealth"], status


def root_pool(vc):
    cluster = vc.get(f"{API}/cluster").json()[0]["cluster"]
    return vc.get(f"{API}/cluster/{cluster}").json()["resource_pool"]


def test_datacenter_create_and_delete(server, vc):
    before = ops_count(server, "Datacenter")
    r = vc.post(f"{API}/datacenter", json={"name": "dc-west"})
    assert r.status_code == 201
    dc = r.json()
    info = vc.get(f"{API}/datacenter/{dc}").json()
    assert info["name"] == "dc-west" and info["vm_folder"].startswith("group-v")
    assert ops_count(server, "Datacenter") == before + 1
    assert_vapi_error(vc.post(f"{API}/datacenter", json={"name": "dc-west"}), 400, "ALREADY_EXISTS")
    assert_vapi_error(vc.post(f"{API}/datacenter", json={"name": " "}), 400, "INVALID_ARGUMENT")
    assert_vapi_error(
        vc.post(f"{API}/datacenter", json={"name": "x", "folder": "group-d999"}), 404, "NOT_FOUND"
    )
    assert_vapi_error(
        vc.post(f"{API}/datacenter", json={"name": "x", "folder": info["vm_folder"]}), 400, "INVALID_ARGUMENT"
    )
    demo = (
        vc.get(f"{API}/datacenter", params={"names": "Datacenter"}).json()
        or vc.get(f"{API}/datacenter").json()
    )
    full = next(d["datacenter"] for d in demo if d["datacenter"] != dc)
    assert (
        vc.delete(f"{API}/datacenter/{full}").status_code == 400
    )  # not empty (the product's RESOURCE_IN_USE)
    assert vc.delete(f"{API}/datacenter/{dc}").status_code == 204
    assert_vapi_error(vc.get(f"{API}/datacenter/{dc}"), 404, "NOT_FOUND")
    assert ops_count(server, "Datacenter") == before


def test_resource_pool_crud(server, vc):
    root = root_pool(vc)
    (root_info := vc.get(f"{POOL}/{root}").json())
    assert root_info["cpu_allocation"]["expandable_reservation"] is False
    capacity = root_info["memory_allocation"]["reservation"]
    spec = {
        "name": "gold",
        "parent": root,
        "cpu_allocation": {"reservation": 4000, "expandable_reservation": False, "limit": 8000},
        "memory_allocation": {"reservation": 8192, "shares": {"level": "HIGH"}},
    }
    r = vc.post(POOL, json=spec)
    assert r.status_code == 201
    gold = r.json()
    info = vc.get(f"{POOL}/{gold}").json()
    assert info["cpu_allocation"] == {
        "reservation": 4000,
        "expandable_reservation": False,
        "limit": 8000,
        "shares": {"level": "NORMAL"},
    }
    assert info["memory_allocation"]["shares"] == {"level": "HIGH"}
    assert gold in vc.get(f"{POOL}/{root}").json()["resource_pools"]
    assert_vapi_error(
        vc.post(POOL, json={**spec, "cpu_allocation": None}), 400, "INVALID_ARGUMENT"
    )  # same name
    child = {"name": "gold-child", "parent": gold, "cpu_allocation": {"reservation": 5000}}
    r = vc.post(POOL, json=child)  # more than gold's 4000 MHz, and gold is not expandable
    assert r.status_code == 400 and r.json()["error_type"] == "UNABLE_TO_ALLOCATE_RESOURCE"
    (message,) = r.json()["messages"]
    assert "reservation" in message["default_message"] and message["args"] == ["cpu", "5000"]
    r = vc.post(
        POOL, json={"name": "too-big", "parent": root, "memory_allocation": {"reservation": capacity + 1}}
    )
    assert r.status_code == 400 and r.json()["messages"][0]["default_message"].endswith(" MiB")
    bad_limit = {"name": "x", "parent": root, "cpu_allocation": {"reservation": 100, "limit": 50}}
    assert_vapi_error(vc.post(POOL, json=bad_limit), 400, "INVALID_ARGUMENT")
    silver = vc.post(
        POOL, json={"name": "silver", "parent": gold, "cpu_allocation": {"reservation": 3000}}
    ).json()
    assert vc.patch(f"{POOL}/{gold}", json={"cpu_allocation": {"reservation": 2000}}).status_code == 400
    assert (
        vc.patch(f"{POOL}/{gold}", json={"name": "platinum", "cpu_allocation": {"limit": -1}}).status_code
        == 204
    )
    assert vc.get(f"{POOL}/{gold}").json()["name"] == "platinum"
    assert vc.get(POOL, params={"names": "platinum"}).json() == [{"resource_pool": gold, "name": "platinum"}]
    assert ops_count(server, "ResourcePool") >= 4
    assert vc.patch(f"{POOL}/{root}", json={"name": "x"}).status_code == 400
    r = vc.delete(f"{POOL}/{root}")
    assert r.status_code == 400 and r.json()["error_type"] == "UNSUPPORTED"
    assert r.json()["messages"][0]["args"] == [root]
    assert vc.delete(f"{POOL}/{gold}").status_code == 204  # silver moves up to the root pool
    assert silver in vc.get(f"{POOL}/{root}").json()["resource_pools"]
    assert_vapi_error(vc.get(f"{POOL}/{gold}"), 404, "NOT_FOUND")


def test_clone_and_relocate(server, vc):
    vms_before = ops_count(server, "VirtualMachine")
    source = vc.get(f"{API}/vm", params={"power_states": "POWERED_ON"}).json()[0]["vm"]
    seen = vc.get(f"{API}/vm/{source}").json()
    r = vc.post(
        f"{API}/vm", params={"action": "clone"}, json={"source": source, "name": "copy-1", "power_on": True}
    )
    assert r.status_code == 200
    copy = r.json()
    info = vc.get(f"{API}/vm/{copy}").json()
    assert info["name"] == "copy-1" and info["power_state"] == "POWERED_ON" and info["cpu"] == seen["cpu"]
    assert list(info["disks"]) == list(seen["disks"])
    assert info["nics"]["4000"]["mac_address"] != seen["nics"]["4000"]["mac_address"]
    assert ops_count(server, "VirtualMachine") == vms_before + 1
    again = {"source": source, "name": "copy-1"}
    assert_vapi_error(vc.post(f"{API}/vm", params={"action": "clone"}, json=again), 400, "ALREADY_EXISTS")
    missing = {"source": "vm-999999", "name": "x"}
    assert_vapi_error(vc.post(f"{API}/vm", params={"action": "clone"}, json=missing), 404, "NOT_FOUND")
    removed = {"source": source, "name": "copy-2", "disks_to_remove": ["2000"]}
    assert (
        vc.get(f"{API}/vm/{vc.post(f'{API}/vm', params={'action': 'clone'}, json=removed).json()}").json()[
            "disks"
        ]
        == {}
    )
    hosts = [h["host"] for h in vc.get(f"{API}/host").json()]
    other = next(h for h in hosts if vc.get(f"{API}/vm", params={"hosts": h, "names": "copy-1"}).json() == [])
    gold = vc.post(POOL, json={"name": "gold", "parent": root_pool(vc)}).json()
    move = {"placement": {"host": other, "resource_pool": gold}}
    assert vc.post(f"{API}/vm/{copy}", params={"action": "relocate"}, json=move).status_code == 204
    assert vc.get(f"{API}/vm", params={"hosts": other, "resource_pools": gold}).json()[0]["vm"] == copy
    target = vc.get(f"{API}/datastore").json()[-1]
    to = {"placement": {"datastore": target["datastore"]}}
    assert vc.post(f"{API}/vm/{copy}", params={"action": "relocate"}, json=to).status_code == 204
    vmdk = vc.get(f"{API}/vm/{copy}").json()["disks"]["2000"]["backing"]["vmdk_file"]
    assert vmdk == f"[{target['name']}] copy-1/copy-1.vmdk"  # the datastore's name, as vSphere writes it
    nowhere = {"placement": {"resource_pool": "resgroup-999"}}
    assert_vapi_error(
        vc.post(f"{API}/vm/{copy}", params={"action": "relocate"}, json=nowhere), 404, "NOT_FOUND"
    )


def test_instant_clone_unregister_and_register(vc):
    on = vc.get(f"{API}/vm", params={"power_states": "POWERED_ON"}).json()[0]["vm"]
    off = vc.get(f"{API}/vm", params={"power_states": "POWERED_OFF"}).json()[0]
    spec = {"source": on, "name": "instant-1", "disconnect_all_nics": True}
    clone = vc.post(f"{API}/vm", params={"action": "instant-clone"}, json=spec).json()
    info = vc.get(f"{API}/vm/{clone}").json()
    assert info["power_state"] == "POWERED_ON" and info["nics"]["4000"]["state"] == "NOT_CONNECTED"
    cold = {"source": off["vm"], "name": "instant-2"}
    assert_vapi_error(
        vc.post(f"{API}/vm", params={"action": "instant-clone"}, json=cold), 400, "INVALID_ARGUMENT"
    )
    assert_vapi_error(
        vc.post(f"{API}/vm/{clone}", params={"action": "unregister"}), 400, "NOT_ALLOWED_IN_CURRENT_STATE"
    )
    name = off["name"]
    vmdk = vc.get(f"{API}/vm/{off['vm']}").json()["disks"]["2000"]["backing"]["vmdk_file"]
    assert (
        vmdk == f"[{vmdk[1:].split(']')[0]}] {off['name']}/{off['name']}.vmdk"
    )  # [datastore name] vm/vm.vmdk
    (store,) = vc.get(f"{API}/datastore", params={"names": vmdk[1:].split("]")[0]}).json()
    datastore = store["datastore"]
    assert vc.post(f"{API}/vm/{off['vm']}", params={"action": "unregister"}).status_code == 204
    assert_vapi_error(vc.get(f"{API}/vm/{off['vm']}"), 404, "NOT_FOUND")
    register = {"datastore": datastore, "path": f"{name}/{name}.vmx"}
    r = vc.post(f"{API}/vm", params={"action": "register"}, json=register)
    assert r.status_code == 200
    info = vc.get(f"{API}/vm/{r.json()}").json()
    assert info["name"] == name and info["power_state"] == "POWERED_OFF" and info["disks"]
    assert_vapi_error(vc.post(f"{API}/vm", params={"action": "register"}, json=register), 404, "NOT_FOUND")
    assert_vapi_error(vc.post(f"{API}/vm", params={"action": "register"}, json={}), 400, "INVALID_ARGUMENT")


def test_standalone_host(server, vc):
    from localsphere.world.compute_resources import host_thumbprint

    hosts_before = ops_count(server, "HostSystem")
    folder = vc.get(f"{API}/folder", params={"type": "HOST"}).json()[0]["folder"]
    spec = {
        "hostname": "esxi-new.localsphere.test",
        "user_name": "root",
        "password": "secret",
        "folder": folder,
        "thumbprint_verification": "THUMBPRINT",
        "thumbprint": "AA:" * 19 + "AA",
    }
    r = vc.post(f"{API}/host", json=spec)
    assert (
        r.status_code == 400
        and host_thumbprint(spec["hostname"]) in r.json()["messages"][0]["default_message"]
    )
    assert "secret" not in r.text
    r = vc.post(f"{API}/host", json={**spec, "thumbprint": host_thumbprint(spec["hostname"])})
    assert r.status_code == 201
    host = r.json()
    (alone,) = vc.get(f"{API}/host", params={"standalone": "true"}).json()
    assert (
        alone["host"] == host
        and alone["name"] == spec["hostname"]
        and alone["connection_state"] == "CONNECTED"
    )
    assert host not in [h["host"] for h in vc.get(f"{API}/host", params={"standalone": "false"}).json()]
    assert ops_count(server, "HostSystem") == hosts_before + 1
    assert_vapi_error(
        vc.post(f"{API}/host", json={**spec, "thumbprint_verification": "NONE"}), 400, "ALREADY_EXISTS"
    )
    bad = {**spec, "hostname": "bad_name!", "thumbprint_verification": "NONE"}
    assert_vapi_error(vc.post(f"{API}/host", json=bad), 400, "INVALID_ARGUMENT")
    (pool,) = vc.get(POOL, params={"hosts": host}).json()
    vm = vc.post(
        f"{API}/vm", json={"name": "on-standalone", "guest_OS": "UBUNTU_64", "placement": {"host": host}}
    ).json()
    assert vc.get(f"{API}/vm", params={"resource_pools": pool["resource_pool"]}).json()[0]["vm"] == vm
    assert vc.post(f"{API}/host/{host}/disconnect").status_code == 204
    assert_vapi_error(vc.post(f"{API}/host/{host}/disconnect"), 400, "ALREADY_IN_DESIRED_STATE")
    assert vc.get(f"{API}/host", params={"hosts": host}).json()[0]["connection_state"] == "DISCONNECTED"
    assert ops_host(server, spec["hostname"]) == ("GREY", "NO_DATA_RECEIVING")  # it reports nothing
    assert vc.post(f"{API}/host/{host}/connect").status_code == 204
    assert ops_host(server, spec["hostname"]) == ("GREEN", "DATA_RECEIVING")
    clustered = vc.get(f"{API}/host", params={"standalone": "false"}).json()[0]["host"]
    assert vc.delete(f"{API}/host/{clustered}").status_code == 400  # the product's RESOURCE_IN_USE
    assert vc.delete(f"{API}/host/{host}").status_code == 204
    assert_vapi_error(vc.get(f"{API}/vm/{vm}"), 404, "NOT_FOUND")
    assert ops_count(server, "HostSystem") == hosts_before


def test_changes_survive_a_restart(server, vc):
    dc = vc.post(f"{API}/datacenter", json={"name": "kept"}).json()
    vm = vc.get(f"{API}/vm").json()[0]["vm"]
    vc.post(f"{API}/vm/{vm}/hardware/cdrom", json={"type": "SATA"})
    server.stop()
    server.start()
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as c:
        assert c.get(f"{API}/datacenter/{dc}").json()["name"] == "kept"
        assert list(c.get(f"{API}/vm/{vm}").json()["cdroms"]) == ["16000"]


@pytest.fixture
def client(server, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.cert)
    session = requests.Session()
    session.verify = server.cert
    return create_vsphere_client(
        server=f"127.0.0.1:{server.https_port}",
        username="administrator@vsphere.local",
        password=DEMO_PASSWORD,
        session=session,
    )


def test_official_client(client):
    vcenter = client.vcenter
    root = vcenter.ResourcePool.list(ResourcePool.FilterSpec(names={"Resources"}))[0].resource_pool
    pool = vcenter.ResourcePool.create(
        ResourcePool.CreateSpec(
            name="from-client",
            parent=root,
            cpu_allocation=ResourcePool.ResourceAllocationCreateSpec(
                reservation=1000, expandable_reservation=False
            ),
        )
    )
    info = vcenter.ResourcePool.get(pool)
    assert info.cpu_allocation.reservation == 1000 and info.cpu_allocation.shares.level == "NORMAL"
    with pytest.raises(InvalidArgument):
        vcenter.ResourcePool.create(ResourcePool.CreateSpec(name="from-client", parent=root))
    source = vcenter.VM.list(VmService.FilterSpec(power_states={"POWERED_OFF"}))[0].vm
    copy = vcenter.VM.clone(
        VmService.CloneSpec(
            source=source,
            name="client-copy",
            placement=VmService.ClonePlacementSpec(resource_pool=pool),
            disks_to_update={"2000": VmService.DiskCloneSpec()},
        )
    )
    with pytest.raises(AlreadyExists):
        vcenter.VM.clone(VmService.CloneSpec(source=source, name="client-copy"))
    hardware = vcenter.vm.hardware
    hardware.Cpu.update(copy, hardware.Cpu.UpdateSpec(count=2, cores_per_socket=2))
    assert hardware.Cpu.get(copy).cores_per_socket == 2
    (disk,) = hardware.Disk.list(copy)
    assert hardware.Disk.get(copy, disk.disk).capacity > 0
    whole = vcenter.VM.get(copy)
    assert whole.name == "client-copy" and whole.hardware.version == "VMX_21" and whole.scsi_adapters
    vcenter.VM.relocate(
        copy, VmService.RelocateSpec(placement=VmService.RelocatePlacementSpec(resource_pool=root))
    )
    assert vcenter.VM.list(VmService.FilterSpec(resource_pools={root}, names={"client-copy"}))[0].vm == copy
