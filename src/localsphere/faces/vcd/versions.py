"""The API versions this face offers, and the one a request names: ``Accept:
application/*+xml;version=36.0`` (any vCD media type, with a ``version`` parameter). Sources: the
issue's list, the XSDs (30.0 is their newest schema), and pyvcloud 23.0.4, which negotiates the
newest of 29.0-36.0 a server lists."""

from __future__ import annotations

from localsphere.faces.vcd.model import version_key

# Every version answered, oldest first; those before cloudapi sign-in (33.0) are marked
# deprecated, as a vCD 10.x server marks the versions it means to drop.
OFFERED = ("5.1", "5.5", *(f"{n}.0" for n in range(29, 37)))
DEPRECATED = frozenset(v for v in OFFERED if version_key(v) < (33, 0))
NEWEST = OFFERED[-1]


def asked_version(accept: str) -> str | None:
    """The ``version`` an ``Accept`` header names (the first one that names one), or None."""
    for item in accept.split(","):
        for param in item.split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "version":
                return value.strip().strip('"')
    return None


def answered_in(accept: str) -> str:
    """The version an answer is written in: the one the request names if offered, else the
    newest."""
    asked = asked_version(accept)
    return asked if asked in OFFERED else NEWEST
