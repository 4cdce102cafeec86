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


class NotOffered(Exception):
    """A request that names no API version, or one not offered (406)."""

    def __init__(self, asked: str | None) -> None:
        super().__init__(asked or "")
        self.asked = asked

    @property
    def message(self) -> str:
        """The product's words, the versions newest first and the deprecated ones marked."""
        shown = ", ".join(f"{v} [D]" if v in DEPRECATED else v for v in reversed(OFFERED))
        return (
            "The request has invalid accept header: Invalid API version requested. "
            f"Supported API versions are: [{shown}] ([D] indicates deprecated versions)"
        )


def chosen(accept: str) -> str:
    """The version a request is answered in: the one its ``Accept`` names, which must be offered
    (else NotOffered, as the product answers every call but ``/api/versions``)."""
    asked = asked_version(accept)
    if asked not in OFFERED:
        raise NotOffered(asked)
    return asked
