"""What a PropertyCollector filter told its session, so that the next update reports only what
changed since a version (vim25's ``WaitForUpdatesEx``: ``enter``, ``modify`` with the changed
properties, ``leave``).

The face hands, per object a filter selects (keyed ``<type>:<id>``), one fingerprint per property
path (a short hash of its value as written on the wire; the path ``""`` stands for the object's
``missingSet``). A filter remembers, per object, the version it entered at and, per path, the
fingerprint last seen with the version it changed at (``None``: the property became unset); and
the objects that left, with the versions they entered and left at. A collector's versions count
up from 1 (version 0: before anything was told, so that everything is new since 0); any version
from the collector's floor on can be answered from, which lets a client that lost an answer ask
again from the version before it. Objects that left are remembered up to ``MAX_GONE`` per filter;
forgetting older ones raises the floor.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field

# object key -> path -> fingerprint (what a filter selects now)
Fingerprints = dict[str, dict[str, str]]
MAX_GONE = 10_000  # objects that left one filter, remembered to report their ``leave``
MISSING = ""  # the path that stands for an object's missingSet


@dataclass(frozen=True)
class Update:
    """One object's update: ``kind`` enter, modify or leave; ``paths`` the paths that changed (a
    modify's; every path for an enter)."""

    key: str
    kind: str
    paths: tuple[str, ...] = ()


def order(key: str) -> tuple[int, str]:
    """The order objects are reported in: by id, shorter first (``vm-9`` before ``vm-10``)."""
    return len(key), key


@dataclass
class Told:
    """One filter's memory: ``objects`` key -> (entered at, {path: (fingerprint, changed at)}),
    ``gone`` key -> (entered at, left at)."""

    objects: dict[str, tuple[int, dict[str, tuple[str | None, int]]]] = field(default_factory=dict)
    gone: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, data: str | None) -> Told:
        if not data:
            return cls()
        raw = json.loads(zlib.decompress(base64.b64decode(data)))
        objects = {
            key: (entered, {p: (fp, at) for p, (fp, at) in paths.items()})
            for key, (entered, paths) in raw["o"].items()
        }
        return cls(objects, {k: (entered, left) for k, (entered, left) in raw["g"].items()})

    def dump(self) -> str:
        packed = json.dumps({"o": self.objects, "g": self.gone}, separators=(",", ":")).encode()
        return base64.b64encode(zlib.compress(packed)).decode()

    def advance(self, now: Fingerprints, version: int) -> bool:
        """Take in what the filter selects now as ``version``; whether anything changed."""
        changed = False
        for key, paths in now.items():
            known = self.objects.get(key)
            if known is None:
                self.objects[key] = (version, {p: (fp, version) for p, fp in paths.items()})
                self.gone.pop(key, None)
                changed = True
                continue
            told = known[1]
            for path in {*told, *paths}:
                before, _ = told.get(path, (None, 0))
                after = paths.get(path)
                if before != after:
                    told[path] = (after, version)
                    changed = True
        for key in [k for k in self.objects if k not in now]:
            self.gone[key] = (self.objects.pop(key)[0], version)
            changed = True
        return changed

    def forget(self, most: int = MAX_GONE) -> int:
        """Forget the oldest objects that left beyond ``most``; the oldest version that can still
        be answered from (0: any)."""
        if len(self.gone) <= most:
            return 0
        oldest = sorted(self.gone, key=lambda k: self.gone[k][1])[: len(self.gone) - most]
        floor = max(self.gone[k][1] for k in oldest)
        for key in oldest:
            del self.gone[key]
        return floor

    def since(self, version: int, upto: int) -> list[Update]:
        """What changed after ``version`` up to ``upto`` (a value changed again later is left
        for the answer after ``upto``), in ``order``."""
        found: list[Update] = []
        for key, (entered, paths) in self.objects.items():
            if version < entered <= upto:
                found.append(Update(key, "enter", tuple(p for p, (fp, _) in paths.items() if fp is not None)))
            elif entered <= version:
                changed = tuple(p for p, (_, at) in paths.items() if version < at <= upto)
                if changed:
                    found.append(Update(key, "modify", changed))
        for key, (entered, left) in self.gone.items():
            if entered <= version < left <= upto:
                found.append(Update(key, "leave"))
        return sorted(found, key=lambda u: order(u.key))
