"""``com.vmware.vcenter.vm.guest.identity``, ``vm.guest.power`` and ``vm.tools``: what VMware Tools
report of a VM's guest, the guest's own shutdown, reboot and standby, and Tools' settings. Shapes
as the 9.1.1.0 bindings declare them; the world decides (``world.vm_guest``)."""

from __future__ import annotations

from typing import Any

from localsphere.faces.vapi.errors import MESSAGE
from localsphere.faces.vapi.operations import Context, Operation
from localsphere.faces.vapi.types import BOOLEAN, LONG, STRING, Enum, Struct, Type, optional
from localsphere.world import World
from localsphere.world import inventory as inv
from localsphere.world import vm_guest as guest

GUEST = "com.vmware.vcenter.vm.guest"
TOOLS = "com.vmware.vcenter.vm.tools"
READ = "System.Read"
IDENTITY_INFO = Struct(
    f"{GUEST}.identity.info",
    {
        "name": STRING,
        "family": Enum(("WINDOWS", "LINUX", "NETWARE", "SOLARIS", "DARWIN", "OTHER")),
        "full_name": MESSAGE,
        "host_name": STRING,
        "ip_address": optional(STRING),
    },
)
POWER_INFO = Struct(
    f"{GUEST}.power.info",
    {
        "state": Enum(("RUNNING", "SHUTTING_DOWN", "RESETTING", "STANDBY", "NOT_RUNNING", "UNAVAILABLE")),
        "operations_ready": BOOLEAN,
    },
)
TOOLS_POLICY = Enum(guest.TOOLS_POLICIES)
TOOLS_INFO = Struct(
    f"{TOOLS}.info",
    {
        "auto_update_supported": BOOLEAN,
        "install_attempt_count": optional(LONG),
        "error": optional(Type()),
        "version_number": optional(LONG),
        "version": optional(STRING),
        "upgrade_policy": TOOLS_POLICY,
        "version_status": optional(
            Enum(
                (
                    "NOT_INSTALLED",
                    "CURRENT",
                    "UNMANAGED",
                    "TOO_OLD_UNSUPPORTED",
                    "SUPPORTED_OLD",
                    "SUPPORTED_NEW",
                    "TOO_NEW",
                    "BLACKLISTED",
                )
            )
        ),
        "install_type": optional(Enum(("UNKNOWN", "MSI", "TAR", "OSP", "OPEN_VM_TOOLS"))),
        "run_state": Enum(("NOT_RUNNING", "RUNNING", "EXECUTING_SCRIPTS")),
        "guest_reboot_status": optional(Type()),
    },
)
TOOLS_UPDATE = Struct(f"{TOOLS}.update_spec", {"upgrade_policy": optional(TOOLS_POLICY)})
# Guest power actions and the privilege each needs (as the VM's own power operations do).
GUEST_POWER = {"shutdown": "PowerOff", "reboot": "Reset", "standby": "Suspend"}


def identity(o: inv.ObjectView) -> dict[str, Any]:
    found = guest.identity(o)
    name = str(found["full_name"])
    message = {"id": f"vmsg.guestos.{str(found['name']).lower()}.label", "default_message": name, "args": []}
    return {**found, "full_name": message}


def operations(world: World) -> list[Operation]:
    vm_path = "/vcenter/vm/{vm}"

    def vm(given: dict[str, Any]) -> inv.ObjectView:
        return world.inventory.get(inv.VM, given["vm"])

    def guest_power(action: str) -> Operation:
        def run(_: Context, given: dict[str, Any]) -> None:
            world.vm_guest.power(given["vm"], action)

        return Operation(
            f"{GUEST}.power",
            action,
            "POST",
            f"{vm_path}/guest/power",
            {"vm": STRING},
            None,
            run,
            f"VirtualMachine.Interact.{GUEST_POWER[action]}",
            "vm",
            action=action,
            write=True,
        )

    return [
        Operation(
            f"{GUEST}.identity",
            "get",
            "GET",
            f"{vm_path}/guest/identity",
            {"vm": STRING},
            IDENTITY_INFO,
            lambda _, g: identity(vm(g)),
            READ,
            "vm",
        ),
        Operation(
            f"{GUEST}.power",
            "get",
            "GET",
            f"{vm_path}/guest/power",
            {"vm": STRING},
            POWER_INFO,
            lambda _, g: guest.power(vm(g)),
            READ,
            "vm",
        ),
        *(guest_power(action) for action in GUEST_POWER),
        Operation(
            TOOLS,
            "get",
            "GET",
            f"{vm_path}/tools",
            {"vm": STRING},
            TOOLS_INFO,
            lambda _, g: guest.tools(vm(g)),
            READ,
            "vm",
        ),
        Operation(
            TOOLS,
            "update",
            "PATCH",
            f"{vm_path}/tools",
            {"vm": STRING, "spec": TOOLS_UPDATE},
            None,
            lambda _, g: world.vm_guest.update_tools(g["vm"], g["spec"]["upgrade_policy"]),
            "VirtualMachine.Config.Settings",
            "vm",
            body="spec",
            write=True,
        ),
        Operation(
            TOOLS,
            "upgrade",
            "POST",
            f"{vm_path}/tools",
            {"vm": STRING, "command_line_options": optional(STRING)},
            None,
            lambda _, g: world.vm_guest.upgrade_tools(vm(g)),
            "VirtualMachine.Interact.ToolsInstall",
            "vm",
            body="*",
            action="upgrade",
            write=True,
        ),
    ]
