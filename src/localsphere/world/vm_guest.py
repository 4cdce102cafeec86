"""What VMware Tools in a VM's guest reports and does, as vCenter's ``vm.guest`` and ``vm.tools``
services show it: the guest's identity, its power state, and the Tools themselves.

Every VM made here runs Tools: open-vm-tools in a Linux guest (managed by the guest's packages,
so vCenter calls it UNMANAGED and cannot upgrade it), the Windows installer (MSI) elsewhere.
Tools run while the VM is powered on; what they report is then known, and unknown otherwise
(ServiceUnavailable, as the bindings state).
"""

from __future__ import annotations

import json

from localsphere.world.access import Caller
from localsphere.world.errors import AlreadyInState, Invalid, WrongState
from localsphere.world.guest_os import family, full_name
from localsphere.world.inventory import (
    POWERED_OFF,
    POWERED_ON,
    SUSPENDED,
    VM,
    ObjectView,
    authorize,
    power_to,
    row_of,
)
from localsphere.world.store import INVENTORY, Store, changed

TOOLS_VERSION, TOOLS_VERSION_NUMBER = "12.5.0", 12448
TOOLS_POLICIES = ("MANUAL", "UPGRADE_AT_POWER_CYCLE")


def identity(o: ObjectView) -> dict[str, str | None]:
    """What Tools report of the guest: its OS, host name and first IP address. WrongState
    ``vm.tools.not_running`` (the product's ServiceUnavailable) unless the VM runs."""
    _running(o)
    guest = o.subtype or "OTHER"
    return {
        "name": guest,
        "family": family(guest),
        "full_name": full_name(guest),
        "host_name": host_name(o),
        "ip_address": ip_address(o),
    }


def host_name(o: ObjectView) -> str:
    """The guest's host name: the computer name customization gave it, else its VM's name."""
    return o.details.get("computer_name") or o.name


def addresses(o: ObjectView) -> list[str]:
    """The IPv4 address of each of the VM's NICs, in device order: the one it was given, else a
    DHCP lease, stable for the VM and the NIC (the first NIC's is the VM's own lease)."""
    octets = bytes.fromhex(o.uuid.replace("-", ""))[:2]
    number = int(o.moid.split("-")[-1])
    return [
        nic.get("ip") or f"10.{(octets[0] + i) % 256}.{octets[1]}.{number % 250 + 2}"
        for i, nic in enumerate(o.details.get("nics", []))
    ]


def ip_address(o: ObjectView) -> str | None:
    """The guest's primary address: the first NIC's that was given one, else the first NIC's
    lease; None without NICs."""
    given = next((n["ip"] for n in o.details.get("nics", []) if n.get("ip")), None)
    return given or next(iter(addresses(o)), None)


def power(o: ObjectView) -> dict[str, str | bool]:
    """The guest's power state as Tools see it, and whether guest operations are ready."""
    state = {POWERED_ON: "RUNNING", SUSPENDED: "STANDBY"}.get(o.power_state or "", "NOT_RUNNING")
    return {"state": state, "operations_ready": o.power_state == POWERED_ON}


def tools(o: ObjectView) -> dict[str, object]:
    """VMware Tools in the guest: open-vm-tools (UNMANAGED) in Linux, MSI (CURRENT) otherwise."""
    managed = family(o.subtype or "OTHER") != "LINUX"
    return {
        "auto_update_supported": managed,
        "install_attempt_count": 1 if managed else None,
        "version_number": TOOLS_VERSION_NUMBER,
        "version": TOOLS_VERSION,
        "upgrade_policy": o.details.get("tools_upgrade_policy", "MANUAL"),
        "version_status": "CURRENT" if managed else "UNMANAGED",
        "install_type": "MSI" if managed else "OPEN_VM_TOOLS",
        "run_state": "RUNNING" if o.power_state == POWERED_ON else "NOT_RUNNING",
    }


def file_systems(o: ObjectView) -> list[dict[str, object]]:
    """The guest's file systems while Tools run (none otherwise), one on each of its disks, in the
    disks' order: ``{"path": "/", "type": "ext4", "capacity": bytes, "free_space": bytes,
    "disk": key}``. A Windows guest mounts ``C:\\``, ``D:\\``, ... (NTFS), another ``/`` then
    ``/data1``, ... (ext4); each spans its disk's capacity; the first holds the system, a quarter
    of it, the others hold a hundredth (the file system's own)."""
    if o.power_state != POWERED_ON:
        return []
    windows = family(o.subtype or "OTHER") == "WINDOWS"
    found: list[dict[str, object]] = []
    for index, disk in enumerate(o.details.get("disks") or []):
        capacity = int(disk.get("capacity") or 0)
        path = f"{chr(ord('C') + index)}:\\" if windows else ("/" if index == 0 else f"/data{index}")
        used = capacity // 4 if index == 0 else capacity // 100
        kind = "NTFS" if windows else "ext4"
        found.append(
            {
                "path": path,
                "type": kind,
                "capacity": capacity,
                "free_space": capacity - used,
                "disk": disk["key"],
            }
        )
    return found


def _running(o: ObjectView) -> None:
    if o.power_state != POWERED_ON:
        raise WrongState(
            "vm.tools.not_running", f"VMware Tools is not running in virtual machine {o.moid}", o.moid
        )


class VmGuest:
    def __init__(self, store: Store) -> None:
        self._store = store

    def power(self, moid: str, action: str, checked: tuple[Caller, str] | None = None) -> None:
        """``shutdown`` (to POWERED_OFF, cleanly), ``reboot`` (booted again) or ``standby`` (to SUSPENDED),
        asked of the guest: AlreadyInState when it is there already, WrongState when its state
        does not allow it (a suspended guest cannot shut down). ``checked``: a caller and the
        privilege it must hold on the VM (Forbidden, or NotFound when it may not see it), for a
        face that does not check before it asks."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            if checked is not None:
                authorize(checked[0], row.path, checked[1], moid, s)
            state = row.power_state
            already = {"shutdown": POWERED_OFF, "standby": SUSPENDED}.get(action)
            if state == already:
                raise AlreadyInState(
                    "vm.guest.power.already", f"Virtual machine {moid} is already {state}", moid
                )
            if state != POWERED_ON:
                raise WrongState(
                    "vm.guest.power.not_allowed",
                    f"Virtual machine {moid} is {state}; cannot {action} its guest",
                    moid,
                )
            if action == "shutdown":
                power_to(s, row, POWERED_OFF)
                row.details = json.dumps({**json.loads(row.details), "clean_power_off": True})
            elif action == "standby":
                power_to(s, row, SUSPENDED)
            else:  # the guest restarts: its uptime starts again
                power_to(s, row, POWERED_ON, restart=True)
            changed(s, INVENTORY)

    def update_tools(self, moid: str, upgrade_policy: str | None) -> None:
        if upgrade_policy is None:
            return
        if upgrade_policy not in TOOLS_POLICIES:
            raise Invalid(
                "vm.tools.upgrade_policy", f"Unsupported upgrade policy {upgrade_policy}", upgrade_policy
            )
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            row.details = json.dumps({**json.loads(row.details), "tools_upgrade_policy": upgrade_policy})
            changed(s, INVENTORY)

    def upgrade_tools(self, o: ObjectView) -> None:
        """Upgrade Tools now: WrongState unless the VM runs, or when the guest's own packages
        manage them (open-vm-tools); MSI Tools are current already, so nothing changes."""
        if o.power_state != POWERED_ON:
            raise WrongState("vm.tools.powered_off", f"Virtual machine {o.moid} is not powered on", o.moid)
        if family(o.subtype or "OTHER") == "LINUX":
            raise WrongState(
                "vm.tools.unmanaged", "VMware Tools in this guest are managed by its operating system", o.moid
            )
