"""What can go wrong in the world, by kind and by reason; faces turn these into product errors.

``reason`` is a stable dotted name (``role.not_found``) that faces map to their own error codes;
``arguments`` are the values a product message quotes.
"""

from __future__ import annotations


class WorldError(Exception):
    def __init__(self, reason: str, message: str, *arguments: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.arguments = list(arguments)


class NotFound(WorldError):
    """The named object does not exist (or the caller may not see it)."""


class Conflict(WorldError):
    """The object already exists or the request clashes with current state."""


class Invalid(WorldError):
    """The request is well-formed but breaks a rule: bad value, policy violation, wrong old password."""


class Unauthenticated(WorldError):
    """No valid credential: missing, forged, expired or revoked token, or bad password."""


class Locked(Unauthenticated):
    """The account is locked after repeated failed logins."""


class Forbidden(WorldError):
    """Authenticated, but the principal lacks the privilege."""


class WrongState(WorldError):
    """The object's current state does not allow the change (power off a suspended VM's host...)."""


class AlreadyInState(WorldError):
    """The object is already in the state the request asks for."""


def bounded_text(text: str, field: str, most: int) -> str:
    """``text`` when it has 1 to ``most`` characters and is not blank (what the store's column
    holds), else Invalid naming ``field``."""
    if not text.strip() or len(text) > most:
        raise Invalid(f"{field}.length", f"{field} must be 1 to {most} characters and not blank", field)
    return text
