"""A Network's ``summary`` (``NetworkSummary``: the network, its name, accessible, no IP pool) and
``host`` (the hosts that have it: every host of its datacenter, as each host's ``network`` says),
as community.vmware's ``vmware_portgroup_info``/``vmware_host_facts``, govc's ``ls -l`` and
Terraform's ``vsphere_network`` read them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim.inventory import Reader, each, sight
from localsphere.faces.vim.properties import reference, references
from localsphere.world.inventory import HOST, NETWORK, ObjectView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context


def summary(o: ObjectView) -> Any:
    """A network's ``summary`` (``NetworkSummary``)."""
    return vim.Network.Summary(
        network=reference(NETWORK, o.moid), name=o.name, accessible=True, ipPoolName=""
    )


def _hosts(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    """Each network's ``host``: the hosts of its datacenter the caller sees, one read a datacenter."""
    graph, seen = context.world.inventory_graph, sight(context)
    by: dict[str, list[Any]] = {}
    for dc in {o.datacenter for o in objects if o.datacenter}:
        by[dc] = references(
            HOST, [h.moid for h in graph.contents(dc, {HOST}, True, None, 10_000, seen, details=False)]
        )
    return {o.moid: by.get(o.datacenter or "", []) for o in objects}


# the Network paths this module reads, for the inventory's table
PATHS: dict[str, Reader] = {"summary": each(summary), "host": _hosts}
