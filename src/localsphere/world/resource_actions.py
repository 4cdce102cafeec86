"""vRA 6.2's actions on a provisioned machine (its catalog resource's ``operations``): which apply
to a machine of each blueprint kind, in which power state, and what each does to the one world.

An action runs as a request (``requests.py``): checked when it is submitted (the machine's
business group is entitled to it, it applies to the machine's kind and its current state:
Invalid otherwise), held by its approval policy when the entitlement names one, and made when its
task starts, on the machine where it runs (``machines.py``): a power action changes the VM on
vCenter, the vApp on vCloud Director or the EC2 instance; destroy removes the machine everywhere
and gives back its address and reservation; reprovision rebuilds it from its blueprint (same
name, same address); change lease moves its expiry.

Action binding ids and names follow the Programming Guide's (p. 129: ``Infrastructure.Machine.
Action.Reprovision``, "Reprovision", "Reprovision a machine."); each action's ``id`` is a UUID
derived from its binding id, stable across servers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from localsphere.world import machines
from localsphere.world.catalog import AMAZON, KINDS, VCLOUD, VSPHERE, ItemView
from localsphere.world.errors import Invalid
from localsphere.world.inventory import POWERED_OFF, POWERED_ON, SUSPENDED
from localsphere.world.schema import VraMachine

PREFIX = "Infrastructure.Machine.Action."
PROVIDER = "com.vmware.csp.iaas.blueprint.service"
ANY = frozenset({POWERED_ON, POWERED_OFF, SUSPENDED, "MIXED"})
ON = frozenset({POWERED_ON})
ALL_KINDS = frozenset(KINDS)
ACTION_SECONDS = 10.0  # how long a power or lease action takes on the world clock
REPROVISION, DESTROY, CHANGE_LEASE = PREFIX + "Reprovision", PREFIX + "Destroy", PREFIX + "ChangeLease"


@dataclass(frozen=True)
class Action:
    binding: str  # Infrastructure.Machine.Action.PowerOn
    name: str
    description: str
    icon: str
    kinds: frozenset[str]  # the blueprint kinds it applies to
    acts_on: frozenset[str]  # the power states it applies in
    power: str | None = None  # the power operation it is (``machines.set_power``'s)
    seconds: float = ACTION_SECONDS

    @property
    def id(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.binding))


ACTIONS = (
    Action(
        PREFIX + "PowerOn",
        "Power On",
        "Power on a machine.",
        "machinePowerOn.png",
        ALL_KINDS,
        frozenset({POWERED_OFF, SUSPENDED, "MIXED"}),
        "powerOn",
    ),
    Action(
        PREFIX + "PowerOff",
        "Power Off",
        "Power off a machine.",
        "machinePowerOff.png",
        ALL_KINDS,
        frozenset({POWERED_ON, SUSPENDED, "MIXED"}),
        "powerOff",
    ),
    Action(PREFIX + "Reboot", "Reboot", "Reboot a machine.", "machineReboot.png", ALL_KINDS, ON, "reboot"),
    Action(
        PREFIX + "Shutdown",
        "Shutdown",
        "Shut down a machine.",
        "machineShutdown.png",
        ALL_KINDS,
        ON,
        "shutdown",
    ),
    Action(
        PREFIX + "Suspend",
        "Suspend",
        "Suspend a machine.",
        "machineSuspend.png",
        frozenset({VSPHERE, VCLOUD}),
        ON,
        "suspend",
    ),
    Action(
        REPROVISION,
        "Reprovision",
        "Reprovision a machine.",
        "machineReprovision.png",
        frozenset({VSPHERE, AMAZON}),
        ANY,
        seconds=machines.PROVISION_SECONDS,
    ),
    Action(DESTROY, "Destroy", "Destroy a machine.", "machineDestroy.png", ALL_KINDS, ANY),
    Action(
        CHANGE_LEASE,
        "Change Lease",
        "Change the lease of a machine.",
        "machineChangeLease.png",
        ALL_KINDS,
        ANY,
    ),
)
BY_BINDING = {a.binding: a for a in ACTIONS}
BY_ID = {a.id: a for a in ACTIONS}
BINDINGS = tuple(BY_BINDING)


def find(ref: str) -> Action | None:
    """The action a path or body names, by its id or its binding id."""
    return BY_ID.get(ref) or BY_BINDING.get(ref)


def available(kind: str, power: str, entitled: frozenset[str]) -> tuple[Action, ...]:
    """The actions a machine of ``kind`` in ``power`` state offers, of those ``entitled``
    (binding ids), in the catalogue's order."""
    return tuple(a for a in ACTIONS if kind in a.kinds and power in a.acts_on and a.binding in entitled)


def check(action: Action, row: VraMachine, power: str) -> None:
    """Invalid unless ``action`` applies to the machine's kind and its power state now."""
    if row.kind not in action.kinds:
        raise Invalid(
            "resource.action.kind", f"The action {action.name} does not apply to {row.name}.", row.id
        )
    if power not in action.acts_on:
        state = {POWERED_ON: "On", POWERED_OFF: "Off", SUSPENDED: "Suspended"}.get(power, power)
        raise Invalid(
            "resource.action.state",
            f"The action {action.name} is not available for machine {row.name} in state {state}.",
            row.id,
        )


def apply(
    s: Session, row: VraMachine, action: Action, item: ItemView, asked: machines.Wanted, now: float
) -> None:
    """What ``action`` does to the machine (locked) in the write transaction ``s``: ``asked`` is
    what it is rebuilt to (reprovision) or its new lease (change lease, ``lease_days`` from now)."""
    if action.power is not None:
        machines.set_power(s, row, action.power)
    elif action.binding == DESTROY:
        machines.destroy(s, row.id)
        return
    elif action.binding == REPROVISION:
        machines.rebuild(s, row, item, asked, now)
    else:
        row.expires_at = now + asked.lease_days * machines.DAY if asked.lease_days else None
    row.updated_at = now
