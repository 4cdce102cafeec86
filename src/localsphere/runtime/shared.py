"""What the workers of one server share in memory besides the world's store."""

from __future__ import annotations

from typing import NamedTuple

from localsphere.runtime.generation import Generation
from localsphere.runtime.limits import InFlightCounters
from localsphere.runtime.request_log import RequestLog


class Shared(NamedTuple):
    """Made by the parent before it spawns the workers; each part pickles as the path of its memory.
    The control API changes the limits (a scenario may set them), bumps the fault rules'
    generation when they change, and reads the request log; the world bumps the state generation
    when the world-state row changes (``world/state.py``)."""

    in_flight: InFlightCounters
    fault_rules: Generation
    request_log: RequestLog
    state: Generation
