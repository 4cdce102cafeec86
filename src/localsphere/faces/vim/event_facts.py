"""What a SOAP write tells the world's event log beside its task's own event (``world.vm_tasks.Fact``),
in the world's words: the entity, and where it stood (``where``: its host, cluster, datacenter,
folder and home datastore, each ``[moid, name]``), read before a change that moves or removes it.
``event_manager`` makes vSphere's events of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localsphere.world.events import Entity
from localsphere.world.inventory import ObjectView
from localsphere.world.vm_tasks import Fact

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

PLACES = ("host", "cluster", "datacenter", "folder")  # the ObjectView columns a fact's ``where`` names


def named(context: Context, moids: dict[str, str]) -> dict[str, list[str]]:
    """``{role: moid}`` as ``{role: [moid, name]}``, less the objects no longer in the inventory."""
    found = context.world.inventory_graph.objects(set(moids.values()))
    return {role: [moid, found[moid].name] for role, moid in moids.items() if moid in found}


def where(context: Context, o: ObjectView) -> dict[str, list[str]]:
    """Where ``o`` stands: its host, cluster, datacenter, folder and (a VM's) home datastore."""
    moids = {role: moid for role in PLACES if (moid := getattr(o, role))}
    if o.details.get("datastore"):
        moids["datastore"] = o.details["datastore"]
    return named(context, moids)


def fact(context: Context, action: str, o: ObjectView, **details: Any) -> Fact:
    """The fact ``action`` about ``o`` as it stands now, with ``details``."""
    return Fact(action, Entity(o.kind, o.moid, o.name), {"where": where(context, o), **details})


def current(context: Context, moid: str) -> ObjectView:
    """The inventory object ``moid`` as it stands now (whoever asks)."""
    return context.world.inventory_graph.objects([moid])[moid]
