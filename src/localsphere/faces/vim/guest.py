"""A VM's guest power methods, asked of VMware Tools: ``ShutdownGuest``, ``RebootGuest`` and
``StandbyGuest``. Unlike the VM's own power methods they answer at once, with no task (vim25's
``VirtualMachine`` signatures return nothing); the world's guest (``world/vm_guest.py``, the one
vCenter REST's ``vm/{vm}/guest/power`` drives) changes state. A guest that is not running answers
``InvalidPowerState`` with the state the VM is in and ``poweredOn`` asked for, as vCenter does
when Tools cannot be reached because the VM is off or suspended. A request Tools takes is
recorded (``VmGuestShutdownEvent``, ``VmGuestRebootEvent``, ``VmGuestStandbyEvent``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim

from localsphere.faces.vim import inventory
from localsphere.faces.vim.faults import Fault
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import VIM_NS, MoRef
from localsphere.faces.vim.tasks import WORDS
from localsphere.world.errors import AlreadyInState, WrongState
from localsphere.world.facts import GUEST_REBOOT, GUEST_SHUTDOWN, GUEST_STANDBY
from localsphere.world.inventory import VM

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

# method -> the world's guest power action and the fact it records (vCenter's ``VmGuestShutdownEvent``...)
GUEST_METHODS = {
    "ShutdownGuest": ("shutdown", GUEST_SHUTDOWN),
    "RebootGuest": ("reboot", GUEST_REBOOT),
    "StandbyGuest": ("standby", GUEST_STANDBY),
}


def _not_running(context: Context, moid: str) -> Fault:
    existing = inventory.POWER.get(context.world.inventory.get(VM, moid).power_state or "")
    existing = existing or vim.VirtualMachine.PowerState.poweredOff
    fault = vim.fault.InvalidPowerState(
        existingState=existing, requestedState=vim.VirtualMachine.PowerState.poweredOn
    )
    return Fault(
        fault, f"The attempted operation cannot be performed in the current state ({WORDS[existing]})."
    )


def methods() -> list[Method]:
    def guest(name: str) -> Any:
        action, told = GUEST_METHODS[name]
        privilege = VmomiSupport.GetWsdlMethod(VIM_NS, name).info.privId

        def run(context: Context, this: MoRef, _args: dict[str, Any]) -> None:
            caller = context.signed_in.caller
            try:
                context.world.vm_guest.power(this.value, action, (caller, privilege))
            except (AlreadyInState, WrongState):
                raise _not_running(context, this.value) from None
            facts = context.world.facts
            facts.note(caller.principal, [facts.fact(told, this.value)])

        return run

    return [Method(name, guest(name), frozenset({VM}), write=True) for name in GUEST_METHODS]
