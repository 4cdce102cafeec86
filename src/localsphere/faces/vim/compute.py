"""Datacenters and resource pools made through the SOAP API: ``Folder.CreateDatacenter`` and
``ResourcePool.CreateResourcePool`` (answered at once with the new object, no task, as vim25's
signatures say), by the world's operations the REST face's ``datacenter`` and ``resource-pool``
creates use, so both APIs list them at once. A ``ResourceConfigSpec``'s allocations
(``ResourceAllocationInfo``: ``reservation``, ``expandableReservation``, ``limit``, ``shares``)
are the world's pool settings; their destruction is ``folders.destroy``'s. Each records its
event (``DatacenterCreatedEvent``, ``ResourcePoolCreatedEvent``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import faults, tasks
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.errors import Conflict, Invalid
from localsphere.world.facts import DATACENTER_CREATED, POOL_CREATED
from localsphere.world.inventory import FOLDER, POOL

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

NAME_IN_USE = ("datacenter.exists", "resource_pool.duplicate_name")  # the world's refusals of a name


def _allocation(info: Any) -> dict[str, Any] | None:
    """A ``ResourceAllocationInfo`` as the world's pool settings (None: the defaults); the
    fields it leaves unset keep the defaults."""
    if info is None:
        return None
    shares = info.shares
    return {
        "reservation": info.reservation,
        "expandable_reservation": info.expandableReservation,
        "limit": info.limit,
        "shares": None if shares is None else {"level": str(shares.level).upper(), "shares": shares.shares},
    }


def _made(context: Context, this: MoRef, name: str, make: Callable[[], str]) -> str:
    """The id of what ``make`` made in ``this``; a name in use among its siblings is vCenter's
    ``DuplicateName`` (the name, and ``this``)."""
    tasks.entity(context, this)
    try:
        return make()
    except (Conflict, Invalid) as exc:
        if exc.reason not in NAME_IN_USE:
            raise
        raise faults.from_reason("entity.exists", exc.message, [name, this.value]) from None


def _noted(context: Context, this: MoRef, action: str, made: str) -> str:
    """Record that ``made`` was made in ``this`` (``action``: the fact); answers ``made``."""
    parent = tasks.entity(context, this)
    facts = context.world.facts
    told = facts.fact(action, made, parent=[parent.moid, parent.name])
    facts.note(context.signed_in.caller.principal, [told])
    return made


def create_datacenter(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    caller, name = context.signed_in.caller, args["name"]
    make = partial(context.world.compute_resources.create_datacenter, caller, name, this.value)
    return vim.Datacenter(_noted(context, this, DATACENTER_CREATED, _made(context, this, name, make)))


def create_resource_pool(context: Context, this: MoRef, args: dict[str, Any]) -> Any:
    caller, name, spec = context.signed_in.caller, args["name"], args["spec"]
    wanted = {"cpu": _allocation(spec.cpuAllocation), "memory": _allocation(spec.memoryAllocation)}
    make = partial(context.world.compute_resources.create_pool, caller, name, this.value, wanted)
    return vim.ResourcePool(_noted(context, this, POOL_CREATED, _made(context, this, name, make)))


def methods() -> list[Method]:
    return [
        Method("CreateDatacenter", create_datacenter, frozenset({FOLDER}), write=True),
        Method("CreateResourcePool", create_resource_pool, frozenset({POOL}), write=True),
    ]
