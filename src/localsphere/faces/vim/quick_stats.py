"""The figures a VM's, a host's and a cluster's ``summary`` shows at a glance (``quickStats``,
``usageSummary``): the latest realtime sample (20 s grid, at or before the world clock's now) of
performance counters, as ``PerformanceManager.QueryPerf`` answers it for that instant with
``intervalId`` 20 and ``maxSample`` 1 (``performance.py``; the same source keys of the world's
metric model, which the Operations face reads too), for all the objects of a request at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from localsphere.faces.vim.perf_counters import BY_NAME, REALTIME_SECONDS, sample, source_key
from localsphere.world.inventory import ObjectView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

# The counters a summary reads (a kind without one reads 0 for it)
COUNTERS = (
    "cpu.usagemhz.average",  # MHz
    "cpu.demand.average",  # MHz
    "mem.consumed.average",  # KB
    "mem.active.average",  # KB
    "sys.uptime.latest",  # s
)


def instant(context: Context) -> int:
    """The instant (epoch ms) of the latest realtime sample: the world clock's now, down to the
    20-second grid."""
    step = REALTIME_SECONDS * 1000
    return int(context.world.state.reading().now * 1000) // step * step


def latest(context: Context, objects: list[ObjectView]) -> dict[str, dict[str, int]]:
    """Each object's ``COUNTERS`` at ``instant``, by id then counter name; read once a call."""
    kept: dict[str, dict[str, int]] = context.notes.setdefault("quick_stats", {})
    missing = [o for o in objects if o.moid not in kept]
    if missing:
        keys = {(name, o.kind): source_key(BY_NAME[name], "", o.kind) for name in COUNTERS for o in missing}
        wanted = sorted({k for k in keys.values() if k is not None})
        values = context.world.metrics.at(missing, wanted, instant(context))
        for o in missing:
            found = values.get(o.moid, {})
            kept[o.moid] = {
                name: sample(BY_NAME[name], REALTIME_SECONDS, found.get(keys[name, o.kind] or "", 0.0))
                for name in COUNTERS
            }
    return {o.moid: kept[o.moid] for o in objects}


def megabytes(kb: int) -> int:
    """A KB counter's value in whole MB, as a summary shows memory."""
    return kb // 1024
