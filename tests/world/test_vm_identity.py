"""A VM's SMBIOS UUID (``vm_hardware.bios_uuid``) and the file systems its guest reports
(``vm_guest.file_systems``), read from its facts."""

import json

from localsphere.world.inventory import POWERED_OFF, POWERED_ON, VM, ObjectView
from localsphere.world.vm_guest import file_systems
from localsphere.world.vm_hardware import bios_uuid, swapped_uuid

INSTANCE = "5001a2b3-c4d5-4e6f-8a9b-0c1d2e3f4a5b"
GIB = 1 << 30


def _vm(details: dict, power: str = POWERED_ON, guest: str = "CENTOS_7_64") -> ObjectView:
    return ObjectView(
        "vm-1", INSTANCE, VM, "vm", None, None, None, None, None, None, guest, power, 1, 1024, None, None,
        json.dumps(details), 0.0, 0.0, None, 0.0,
    )  # fmt: skip


def test_a_vm_without_one_has_a_fixed_bios_uuid_apart_from_its_instance_uuid():
    derived = bios_uuid(_vm({}))
    assert derived == "8a9b0c1d-2e3f-4a5b-5001-a2b3c4d54e6f" != INSTANCE
    assert swapped_uuid(derived) == INSTANCE  # by_bios_uuid finds it from its instance UUID
    kept = "42010203-0405-0607-0809-0a0b0c0d0e0f"
    assert bios_uuid(_vm({"bios_uuid": kept})) == kept


def test_file_systems_span_the_disks_of_a_running_guest():
    disks = [{"key": "2000", "capacity": 16 * GIB}, {"key": "2001", "capacity": 100 * GIB}]
    linux = file_systems(_vm({"disks": disks}))
    mounted = [(f["path"], f["type"], f["disk"]) for f in linux]
    assert mounted == [("/", "ext4", "2000"), ("/data1", "ext4", "2001")]
    assert [f["capacity"] for f in linux] == [16 * GIB, 100 * GIB]
    assert all(0 < int(f["free_space"]) < int(f["capacity"]) for f in linux)
    windows = file_systems(_vm({"disks": disks}, guest="WINDOWS_9_64"))
    assert [(f["path"], f["type"]) for f in windows] == [("C:\\", "NTFS"), ("D:\\", "NTFS")]
    assert file_systems(_vm({"disks": disks}, POWERED_OFF)) == []
