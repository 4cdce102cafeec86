"""A VM made from a whole create spec, as Ansible's vmware_rest sends it (hardware version, boot,
CPU and memory options, disks, NICs, CD-ROMs), and input the spec does not have refused rather
than ignored (a disk "resize", a misspelt field), on REST, legacy REST and JSON-RPC."""

import pytest

from helpers import DEMO_VMS, assert_vapi_error, vapi_rpc

VM = "/api/vcenter/vm"


def placement(vc):
    return {"cluster": vc.get("/api/vcenter/cluster").json()[0]["cluster"]}


def test_a_vm_made_with_its_devices(vc):
    network = vc.get("/api/vcenter/network").json()[0]["network"]
    spec = {
        "name": "ansible-made",
        "guest_OS": "RHEL_8_64",
        "placement": placement(vc),
        "hardware_version": "VMX_15",
        "boot": {"type": "EFI", "delay": 2000},
        "cpu": {"count": 4, "cores_per_socket": 2, "hot_add_enabled": True},
        "memory": {"size_MiB": 2048, "hot_add_enabled": True},
        "disks": [
            {"type": "SCSI", "new_vmdk": {"name": "system", "capacity": 20 << 30}},
            {"type": "SATA", "new_vmdk": {"name": "data", "capacity": 40 << 30}},
        ],
        "nics": [{"type": "VMXNET3", "backing": {"type": "STANDARD_PORTGROUP", "network": network}}],
        "cdroms": [{"type": "IDE", "start_connected": False}],
        "boot_devices": [{"type": "ETHERNET"}, {"type": "DISK"}],
    }
    r = vc.post(VM, json=spec)
    assert r.status_code == 201, r.text
    vm = r.json()
    info = vc.get(f"{VM}/{vm}").json()
    assert info["hardware"]["version"] == "VMX_15" and info["boot"]["type"] == "EFI"
    assert info["cpu"] == {
        "count": 4,
        "cores_per_socket": 2,
        "hot_add_enabled": True,
        "hot_remove_enabled": False,
    }
    assert info["memory"]["hot_add_enabled"] is True
    assert sorted(d["capacity"] for d in info["disks"].values()) == [20 << 30, 40 << 30]  # no default disk
    names = {d["name"] for d in vc.get("/api/vcenter/datastore").json()}
    files = sorted(d["backing"]["vmdk_file"] for d in info["disks"].values())
    assert [f.split("] ")[1] for f in files] == ["ansible-made/data.vmdk", "ansible-made/system.vmdk"]
    assert {f[1:].split("]")[0] for f in files} <= names  # [datastore name] vm/file, as vSphere writes it
    assert [n["backing"]["network"] for n in info["nics"].values()] == [network]
    assert len(info["cdroms"]) == 1
    ethernet, disk = info["boot_devices"]  # each NIC, then the disks, in the order the spec made them
    assert ethernet == {"type": "ETHERNET", "nic": next(iter(info["nics"]))}
    assert disk["type"] == "DISK" and sorted(disk["disks"]) == sorted(info["disks"])
    legacy = vc.get(f"/rest/vcenter/vm/{vm}/hardware/disk").json()["value"]
    assert len(legacy) == 2


def test_without_disks_a_vm_gets_one_blank_disk_and_no_nic(vc):
    vm = vc.post(VM, json={"name": "plain", "guest_OS": "OTHER_LINUX_64", "placement": placement(vc)}).json()
    info = vc.get(f"{VM}/{vm}").json()
    assert len(info["disks"]) == 1 and info["nics"] == {}
    (disk,) = info["disks"].values()
    assert disk["backing"]["vmdk_file"].endswith("] plain/plain.vmdk")
    second = vc.post(f"{VM}/{vm}/hardware/disk", json={"new_vmdk": {"capacity": 1 << 30}}).json()
    assert (
        vc.get(f"{VM}/{vm}/hardware/disk/{second}")
        .json()["backing"]["vmdk_file"]
        .endswith("] plain/plain_1.vmdk")
    )
    empty = {"name": "diskless", "guest_OS": "OTHER_LINUX_64", "placement": placement(vc), "disks": []}
    assert vc.get(f"{VM}/{vc.post(VM, json=empty).json()}").json()["disks"] == {}


@pytest.mark.parametrize(
    "more",
    [
        {"floppies": [{"backing": {"type": "CLIENT_DEVICE"}}]},  # not simulated: refused, not ignored
        {"boot_devices": [{"type": "CDROM"}, {"type": "CDROM"}]},  # a type twice
        {"nics": [{"backing": {"type": "STANDARD_PORTGROUP", "network": "network-999"}}]},  # no such network
        {"disks": [{"type": "SCSI", "scsi": {"bus": 0, "unit": 7}}]},  # the adapter's own unit
    ],
)
def test_a_spec_that_cannot_be_honoured_makes_no_vm(vc, more):
    spec = {"name": "half-made", "guest_OS": "RHEL_8_64", "placement": placement(vc), **more}
    r = vc.post(VM, json=spec)
    assert r.status_code in (400, 404), r.text
    assert vc.get(VM, params={"names": "half-made"}).json() == []
    assert len(vc.get(VM).json()) == DEMO_VMS


def test_a_disk_resize_is_not_in_the_update_spec(vc):
    vm = vc.get(VM).json()[0]["vm"]
    disks = f"{VM}/{vm}/hardware/disk"
    disk = vc.get(disks).json()[0]["disk"]
    before = vc.get(f"{disks}/{disk}").json()
    r = vc.patch(f"{disks}/{disk}", json={"capacity": 1 << 30})
    body = assert_vapi_error(r, 400, "INVALID_ARGUMENT")
    assert [m["id"] for m in body["messages"]] == [
        "vapi.invoke.invalid.input",
        "vapi.data.structure.field.unexpected",
    ]
    assert "'capacity'" in body["messages"][1]["default_message"]
    assert vc.get(f"{disks}/{disk}").json() == before
    r = vc.patch(f"/rest/vcenter/vm/{vm}/hardware/disk/{disk}", json={"spec": {"capacity": 1 << 30}})
    assert (
        r.status_code == 400
        and r.json()["value"]["messages"][1]["id"] == "vapi.data.structure.field.unexpected"
    )


def test_a_misspelt_field_is_refused_a_null_one_is_not(vc):
    spec = {"name": "typo", "guest_os": "RHEL_8_64", "guest_OS": "RHEL_8_64", "placement": placement(vc)}
    body = assert_vapi_error(vc.post(VM, json=spec), 400, "INVALID_ARGUMENT")
    assert "guest_os" in body["messages"][1]["default_message"]
    spec = {"name": "nulls", "guest_OS": "RHEL_8_64", "placement": placement(vc), "unknown": None}
    assert vc.post(VM, json=spec).status_code == 201


def test_json_rpc_refuses_an_unexpected_field_and_ignores_an_unset_one(vc):
    vm = vc.get(VM).json()[0]["vm"]

    def update(fields):
        spec = {"STRUCTURE": {"com.vmware.vcenter.vm.hardware.cpu.update_spec": fields}}
        return vapi_rpc(vc, "com.vmware.vcenter.vm.hardware.cpu", "update", {"vm": vm, "spec": spec})

    unset = {"count": {"OPTIONAL": None}, "sockets": {"OPTIONAL": None}}
    assert update(unset) == {"output": None}
    refused = update({"count": {"OPTIONAL": None}, "sockets": {"OPTIONAL": 2}})
    (error,) = refused["error"]["ERROR"].values()
    ids = [m["STRUCTURE"]["com.vmware.vapi.std.localizable_message"]["id"] for m in error["messages"]]
    assert ids == ["vapi.invoke.invalid.input", "vapi.data.structure.field.unexpected"]
