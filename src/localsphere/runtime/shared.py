"""What the workers of one server share in memory besides the world's store."""

from __future__ import annotations

from typing import NamedTuple

from localsphere.runtime.generation import Generation
from localsphere.runtime.limits import InFlightCounters
from localsphere.runtime.request_log import RequestLog
from localsphere.world.store import TOPICS


class Shared(NamedTuple):
    """Made by the parent before it spawns the workers; each part pickles as the path of its memory.
    The control API changes the limits (a scenario may set them) and reads the request log; the
    world's store bumps a topic's generation when it commits a change of it (``world.copies``)."""

    in_flight: InFlightCounters
    request_log: RequestLog
    generations: dict[str, Generation]

    @staticmethod
    def make(in_flight: InFlightCounters, request_log: RequestLog) -> Shared:
        return Shared(in_flight, request_log, {topic: Generation() for topic in TOPICS})

    def close(self) -> None:
        self.in_flight.close()
        self.request_log.close()
        for generation in self.generations.values():
            generation.close()
