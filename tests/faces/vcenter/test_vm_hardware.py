"""A VM's hardware and guest on vCenter REST: CPU, memory, boot, version, disks, NICs, CD-ROMs,
guest identity and power, Tools; the product's refusals; the same VM seen whole (VM.get)."""

from helpers import assert_vapi_error, vcenter_session

VM = "/api/vcenter/vm"


def a_vm(vc, state):
    return next(v["vm"] for v in vc.get(VM, params={"power_states": state}).json())


def test_cpu_and_memory(vc):
    vm = a_vm(vc, "POWERED_OFF")
    hw = f"{VM}/{vm}/hardware"
    assert (
        vc.patch(f"{hw}/cpu", json={"count": 4, "cores_per_socket": 2, "hot_add_enabled": True}).status_code
        == 204
    )
    assert vc.get(f"{hw}/cpu").json() == {
        "count": 4,
        "cores_per_socket": 2,
        "hot_add_enabled": True,
        "hot_remove_enabled": False,
    }
    assert_vapi_error(vc.patch(f"{hw}/cpu", json={"count": 5}), 400, "INVALID_ARGUMENT")  # 5 in sockets of 2
    assert_vapi_error(vc.patch(f"{hw}/cpu", json={"count": 0}), 400, "INVALID_ARGUMENT")
    assert vc.patch(f"{hw}/memory", json={"size_MiB": 6144}).status_code == 204
    assert vc.get(f"{hw}/memory").json() == {"size_MiB": 6144, "hot_add_enabled": False}
    assert_vapi_error(vc.patch(f"{hw}/memory", json={"size_MiB": 1001}), 400, "INVALID_ARGUMENT")
    vc.post(f"{VM}/{vm}/power", params={"action": "start"})
    # running: CPUs grow with hot-add; memory neither grows without hot-add nor shrinks
    assert vc.patch(f"{hw}/cpu", json={"count": 6}).status_code == 204
    assert_vapi_error(vc.patch(f"{hw}/cpu", json={"count": 2}), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    assert_vapi_error(
        vc.patch(f"{hw}/cpu", json={"hot_remove_enabled": True}), 400, "NOT_ALLOWED_IN_CURRENT_STATE"
    )
    assert_vapi_error(vc.patch(f"{hw}/memory", json={"size_MiB": 8192}), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    assert_vapi_error(vc.patch(f"{hw}/memory", json={"size_MiB": 4096}), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    summary = vc.get(VM, params={"vms": vm}).json()[0]
    assert summary["cpu_count"] == 6 and summary["memory_size_MiB"] == 6144
    assert_vapi_error(vc.get(f"{VM}/vm-999999/hardware/cpu"), 404, "NOT_FOUND")


def test_boot_and_hardware_version(vc):
    vm = a_vm(vc, "POWERED_OFF")
    hw = f"{VM}/{vm}/hardware"
    assert vc.get(hw).json() == {"version": "VMX_21", "upgrade_policy": "NEVER", "upgrade_status": "NONE"}
    assert_vapi_error(
        vc.patch(hw, json={"upgrade_policy": "ALWAYS", "upgrade_version": "VMX_19"}), 400, "INVALID_ARGUMENT"
    )
    assert vc.patch(hw, json={"upgrade_policy": "AFTER_CLEAN_SHUTDOWN"}).status_code == 204
    assert vc.get(hw).json()["upgrade_version"] == "VMX_22"
    assert vc.post(f"{hw}/action/upgrade", json={"version": "VMX_22"}).status_code == 204
    assert vc.get(hw).json()["version"] == "VMX_22"
    assert_vapi_error(vc.post(f"{hw}/action/upgrade", json={}), 400, "ALREADY_IN_DESIRED_STATE")
    assert (
        vc.patch(f"{hw}/boot", json={"type": "EFI", "delay": 3000, "network_protocol": "IPV4"}).status_code
        == 204
    )
    boot = vc.get(f"{hw}/boot").json()
    assert boot["type"] == "EFI" and boot["delay"] == 3000 and boot["network_protocol"] == "IPV4"
    assert_vapi_error(vc.patch(f"{hw}/boot", json={"delay": -1}), 400, "INVALID_ARGUMENT")
    assert_vapi_error(vc.patch(f"{hw}/boot", json={"type": "UEFI"}), 400, "INVALID_ARGUMENT")


def test_boot_order(vc):
    vm = a_vm(vc, "POWERED_OFF")
    order = f"{VM}/{vm}/hardware/boot/device"
    assert vc.get(order).json() == []  # the default order
    network = vc.get("/api/vcenter/network").json()[0]["network"]
    nic = vc.post(
        f"{VM}/{vm}/hardware/ethernet", json={"backing": {"type": "STANDARD_PORTGROUP", "network": network}}
    ).json()
    disk = vc.get(f"{VM}/{vm}/hardware/disk").json()[0]["disk"]
    devices = [{"type": "CDROM"}, {"type": "DISK", "disks": [disk]}, {"type": "ETHERNET", "nic": nic}]
    assert vc.put(order, json={"devices": devices}).status_code == 204
    assert [d["type"] for d in vc.get(order).json()] == ["CDROM", "DISK", "ETHERNET"]
    assert vc.get(f"{VM}/{vm}").json()["boot_devices"] == vc.get(order).json()
    assert_vapi_error(
        vc.put(order, json={"devices": [{"type": "CDROM"}, {"type": "CDROM"}]}), 400, "INVALID_ARGUMENT"
    )
    assert_vapi_error(
        vc.put(order, json={"devices": [{"type": "ETHERNET", "nic": "4999"}]}), 404, "NOT_FOUND"
    )
    assert_vapi_error(vc.put(order, json={"devices": [{"type": "DISK"}]}), 400, "INVALID_ARGUMENT")
    assert vc.delete(f"{VM}/{vm}/hardware/ethernet/{nic}").status_code == 204
    assert [d["type"] for d in vc.get(order).json()] == ["CDROM", "DISK"]  # a removed NIC leaves the order
    legacy = vc.get(f"/rest/vcenter/vm/{vm}/hardware/boot/device").json()["value"]
    assert legacy == vc.get(order).json()


def test_disks(vc):
    vm = a_vm(vc, "POWERED_OFF")
    disks = f"{VM}/{vm}/hardware/disk"
    (first,) = vc.get(disks).json()
    assert vc.get(f"{disks}/{first['disk']}").json()["scsi"] == {"bus": 0, "unit": 0}
    r = vc.post(disks, json={"new_vmdk": {"capacity": 10 << 30, "name": "data"}})
    assert r.status_code == 201
    disk = vc.get(f"{disks}/{r.json()}").json()
    assert (
        disk["capacity"] == 10 << 30
        and disk["scsi"] == {"bus": 0, "unit": 1}
        and disk["label"] == "Hard disk 2"
    )
    assert disk["backing"]["vmdk_file"].endswith("/data.vmdk")
    assert_vapi_error(vc.post(disks, json={"scsi": {"bus": 0, "unit": 1}}), 400, "RESOURCE_IN_USE")  # taken
    assert_vapi_error(
        vc.post(disks, json={"scsi": {"bus": 0, "unit": 7}}), 400, "INVALID_ARGUMENT"
    )  # adapter's
    assert_vapi_error(vc.post(disks, json={"new_vmdk": {"capacity": 63 << 40}}), 400, "INVALID_ARGUMENT")
    assert_vapi_error(
        vc.post(disks, json={"backing": {"type": "VMDK_FILE", "vmdk_file": "disk.vmdk"}}),
        400,
        "INVALID_ARGUMENT",
    )
    # the disk's size cannot change: Disk.UpdateSpec has only a backing
    r = vc.patch(
        f"{disks}/{first['disk']}", json={"backing": {"type": "VMDK_FILE", "vmdk_file": "[ds] other/x.vmdk"}}
    )
    assert (
        r.status_code == 204
        and vc.get(f"{disks}/{first['disk']}").json()["backing"]["vmdk_file"] == "[ds] other/x.vmdk"
    )
    vc.post(f"{VM}/{vm}/power", params={"action": "start"})
    assert_vapi_error(vc.post(disks, json={"type": "IDE"}), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    vc.post(f"{VM}/{vm}/power", params={"action": "suspend"})
    assert_vapi_error(
        vc.delete(f"{disks}/{r.json() if False else first['disk']}"), 400, "NOT_ALLOWED_IN_CURRENT_STATE"
    )
    vc.post(f"{VM}/{vm}/power", params={"action": "stop"})
    assert vc.delete(f"{disks}/{first['disk']}").status_code == 204
    assert len(vc.get(disks).json()) == 1
    assert_vapi_error(vc.get(f"{disks}/{first['disk']}"), 404, "NOT_FOUND")
    assert list(vc.get(f"{VM}/{vm}").json()["disks"]) == [d["disk"] for d in vc.get(disks).json()]


def test_ethernet(vc):
    vm = a_vm(vc, "POWERED_OFF")
    nics = f"{VM}/{vm}/hardware/ethernet"
    network = vc.get("/api/vcenter/network").json()[0]["network"]
    r = vc.post(nics, json={"type": "E1000E", "backing": {"type": "STANDARD_PORTGROUP", "network": network}})
    assert r.status_code == 201
    nic = vc.get(f"{nics}/{r.json()}").json()
    assert (
        nic["type"] == "E1000E" and nic["backing"]["network"] == network and nic["state"] == "NOT_CONNECTED"
    )
    assert nic["mac_type"] == "ASSIGNED" and nic["mac_address"].startswith("00:50:56")
    assert_vapi_error(
        vc.post(nics, json={"backing": {"type": "STANDARD_PORTGROUP", "network": "network-999"}}),
        404,
        "NOT_FOUND",
    )
    bad_mac = {"mac_type": "MANUAL", "mac_address": "00:50:56:ff:00:01"}
    assert_vapi_error(vc.patch(f"{nics}/{r.json()}", json=bad_mac), 400, "INVALID_ARGUMENT")
    assert (
        vc.patch(
            f"{nics}/{r.json()}", json={"mac_type": "MANUAL", "mac_address": "00:50:56:3A:00:01"}
        ).status_code
        == 204
    )
    assert vc.get(f"{nics}/{r.json()}").json()["mac_address"] == "00:50:56:3a:00:01"
    assert_vapi_error(vc.post(f"{nics}/{r.json()}/connect"), 400, "NOT_ALLOWED_IN_CURRENT_STATE")
    vc.post(f"{VM}/{vm}/power", params={"action": "start"})
    assert vc.get(f"{nics}/{r.json()}").json()["state"] == "CONNECTED"
    assert_vapi_error(vc.post(f"{nics}/{r.json()}/connect"), 400, "ALREADY_IN_DESIRED_STATE")
    assert vc.post(f"{nics}/{r.json()}/disconnect").status_code == 204
    assert vc.get(f"{nics}/{r.json()}").json()["state"] == "NOT_CONNECTED"
    assert vc.delete(f"{nics}/{r.json()}").status_code == 204
    assert [n["nic"] for n in vc.get(nics).json()] == ["4000"]


def test_cdrom(vc):
    vm = a_vm(vc, "POWERED_OFF")
    cdroms = f"{VM}/{vm}/hardware/cdrom"
    assert vc.get(cdroms).json() == []
    iso = {"type": "ISO_FILE", "iso_file": "[datastore1] iso/ubuntu.iso"}
    r = vc.post(cdroms, json={"backing": iso, "start_connected": True})
    assert r.status_code == 201 and r.json() == "3000"
    drive = vc.get(f"{cdroms}/3000").json()
    assert drive["type"] == "IDE" and drive["ide"] == {"primary": True, "master": True}
    assert drive["backing"]["iso_file"] == iso["iso_file"] and drive["start_connected"] is True
    sata = vc.post(cdroms, json={"type": "SATA"}).json()
    assert vc.get(f"{VM}/{vm}").json()["sata_adapters"]["15000"]["type"] == "AHCI"
    assert_vapi_error(
        vc.patch(f"{cdroms}/{sata}", json={"backing": {"type": "ISO_FILE"}}), 400, "INVALID_ARGUMENT"
    )
    vc.post(f"{VM}/{vm}/power", params={"action": "start"})
    assert_vapi_error(vc.delete(f"{cdroms}/3000"), 400, "NOT_ALLOWED_IN_CURRENT_STATE")  # IDE while on
    assert vc.post(f"{cdroms}/{sata}/connect").status_code == 204
    assert vc.get(f"{cdroms}/{sata}").json()["state"] == "CONNECTED"
    assert vc.delete(f"{cdroms}/{sata}").status_code == 204


def test_guest_and_tools(vc):
    on, off = a_vm(vc, "POWERED_ON"), a_vm(vc, "POWERED_OFF")
    identity = vc.get(f"{VM}/{on}/guest/identity").json()
    assert identity["family"] in ("LINUX", "WINDOWS") and identity["host_name"]
    assert identity["full_name"]["default_message"] and identity["ip_address"]
    assert_vapi_error(vc.get(f"{VM}/{off}/guest/identity"), 503, "SERVICE_UNAVAILABLE")  # no Tools running
    assert vc.get(f"{VM}/{on}/guest/power").json() == {"state": "RUNNING", "operations_ready": True}
    tools = vc.get(f"{VM}/{on}/tools").json()
    assert tools["run_state"] == "RUNNING" and tools["upgrade_policy"] == "MANUAL"
    assert vc.patch(f"{VM}/{on}/tools", json={"upgrade_policy": "UPGRADE_AT_POWER_CYCLE"}).status_code == 204
    assert vc.get(f"{VM}/{on}/tools").json()["upgrade_policy"] == "UPGRADE_AT_POWER_CYCLE"
    guest_power = f"{VM}/{on}/guest/power"
    assert vc.post(guest_power, params={"action": "standby"}).status_code == 204
    assert vc.get(f"{VM}/{on}/power").json()["state"] == "SUSPENDED"
    assert_vapi_error(
        vc.post(guest_power, params={"action": "shutdown"}), 400, "NOT_ALLOWED_IN_CURRENT_STATE"
    )
    vc.post(f"{VM}/{on}/power", params={"action": "start"})
    assert vc.post(guest_power, params={"action": "shutdown"}).status_code == 204
    assert vc.get(f"{VM}/{on}/power").json() == {"state": "POWERED_OFF", "clean_power_off": True}
    assert_vapi_error(vc.post(guest_power, params={"action": "shutdown"}), 400, "ALREADY_IN_DESIRED_STATE")


def test_viewer_reads_but_cannot_change(server):
    with server.client(
        headers={"vmware-api-session-id": vcenter_session(server, "viewer@vsphere.local")}
    ) as c:
        vm = c.get(VM).json()[0]["vm"]
        assert c.get(f"{VM}/{vm}/hardware/cpu").json()["count"] >= 1
        assert_vapi_error(c.patch(f"{VM}/{vm}/hardware/cpu", json={"count": 2}), 403, "UNAUTHORIZED")
        assert_vapi_error(c.post(f"{VM}/{vm}/hardware/disk", json={}), 403, "UNAUTHORIZED")
