"""vAPI standard errors (``com.vmware.vapi.std.errors.*``) and how world errors become them, in
both encodings: REST ``{"error_type", "messages"}`` with an HTTP status, and JSON-RPC
``{"ERROR": {"com.vmware.vapi.std.errors.<kind>": {...}}}``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from localsphere.faces.vapi.messages import CATALOGUE, reason_id
from localsphere.faces.vapi.types import STRING, Enum, Struct, Type, list_of, optional
from localsphere.world.errors import (
    AlreadyInState,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
    WorldError,
    WrongState,
)

CHALLENGE = 'Basic realm="vCenter"'

# error type -> (HTTP status, vAPI error name)
KINDS = {
    "ALREADY_EXISTS": (400, "already_exists"),
    "ALREADY_IN_DESIRED_STATE": (400, "already_in_desired_state"),
    "ERROR": (500, "error"),
    "INVALID_ARGUMENT": (400, "invalid_argument"),
    "INVALID_ELEMENT_TYPE": (400, "invalid_element_type"),
    "INVALID_REQUEST": (400, "invalid_request"),
    "NOT_ALLOWED_IN_CURRENT_STATE": (400, "not_allowed_in_current_state"),
    "NOT_FOUND": (404, "not_found"),
    "OPERATION_NOT_FOUND": (404, "operation_not_found"),
    "RESOURCE_BUSY": (400, "resource_busy"),
    "RESOURCE_IN_USE": (400, "resource_in_use"),
    "RESOURCE_INACCESSIBLE": (400, "resource_inaccessible"),
    "SERVICE_UNAVAILABLE": (503, "service_unavailable"),
    "UNABLE_TO_ALLOCATE_RESOURCE": (400, "unable_to_allocate_resource"),
    "UNAUTHENTICATED": (401, "unauthenticated"),
    "UNAUTHORIZED": (403, "unauthorized"),
    "UNSUPPORTED": (400, "unsupported"),
}

MESSAGE = Struct(
    "com.vmware.vapi.std.localizable_message",
    {"id": STRING, "default_message": STRING, "args": list_of(STRING)},
)

BY_KIND = [
    (NotFound, "NOT_FOUND"),
    (Invalid, "INVALID_ARGUMENT"),
    (Conflict, "ALREADY_EXISTS"),
    (Unauthenticated, "UNAUTHENTICATED"),
    (Forbidden, "UNAUTHORIZED"),
    (WrongState, "NOT_ALLOWED_IN_CURRENT_STATE"),
    (AlreadyInState, "ALREADY_IN_DESIRED_STATE"),
]


@dataclass
class VapiError(Exception):
    """A vAPI error: its type, and its messages (the first, then any the product adds)."""

    kind: str
    message: str
    message_id: str = "com.vmware.vapi.std.errors.error"
    args: list[str] = field(default_factory=list)
    also: list[tuple[str, str]] = field(default_factory=list)  # further (id, message), with no args

    @property
    def status(self) -> int:
        return KINDS[self.kind][0]

    @property
    def type_name(self) -> str:
        return f"com.vmware.vapi.std.errors.{KINDS[self.kind][1]}"

    def _struct(self) -> Struct:
        fields = {
            "messages": list_of(MESSAGE),
            "data": optional(Type()),
            "error_type": optional(Enum(tuple(KINDS))),
        }
        if self.kind == "UNAUTHENTICATED":
            fields["challenge"] = optional(STRING)
        return Struct(self.type_name, fields)

    def _value(self) -> dict[str, Any]:
        messages = [{"id": self.message_id, "default_message": self.message, "args": self.args}]
        messages += [{"id": i, "default_message": text, "args": []} for i, text in self.also]
        return {"messages": messages, "data": None, "error_type": self.kind, "challenge": CHALLENGE}

    def rest(self) -> dict[str, Any]:
        return self._struct().rest(self._value())

    def legacy_rest(self) -> dict[str, Any]:
        """The ``/rest`` shape: ``{"type": "com.vmware.vapi.std.errors.<kind>", "value": {...}}``."""
        return {"type": self.type_name, "value": self.rest()}

    def rpc(self) -> dict[str, Any]:
        return {"ERROR": self._struct().rpc(self._value())["STRUCTURE"]}


def vapi_error(reason: str, *arguments: str, instance: str | None = None, message: str = "") -> VapiError:
    """The error the catalogue words for ``reason``, quoting ``arguments``; ``instance``: the
    UUID that qualifies identifiers the product qualifies (else they stand alone); ``message``:
    a world error's own message, for words that quote it. Words that name an argument the error
    lacks fall back to ``message``."""
    words = CATALOGUE[reason]
    quoted = [
        f"{value}:{instance}" if index in words.qualified and instance else value
        for index, value in enumerate(arguments)
    ]
    try:
        return VapiError(
            words.kind,
            words.text.format(*quoted, message=message),
            words.id,
            quoted if words.own_args else [arg.format(*quoted) for arg in words.args],
            [(i, text.format(*quoted, message=message)) for i, text in words.also],
        )
    except IndexError:
        return VapiError(words.kind, message or words.text, words.id)


def from_world(exc: WorldError, instance: str | None = None) -> VapiError:
    """A world error in the product's words: the catalogue's, or for a reason it lacks (one whose
    words the product has not made public), the error type of the world error's kind, its message
    and arguments, and an id in vCenter's namespace made of the reason."""
    if exc.reason in CATALOGUE:
        return vapi_error(exc.reason, *exc.arguments, instance=instance, message=exc.message)
    kind = next((k for cls, k in BY_KIND if isinstance(exc, cls)), "INVALID_ARGUMENT")
    args = [] if isinstance(exc, Unauthenticated) else exc.arguments
    return VapiError(kind, exc.message, reason_id(exc.reason), args)


def qualifies(exc: WorldError) -> bool:
    """Whether the product's words for ``exc`` qualify an identifier with the instance UUID."""
    words = CATALOGUE.get(exc.reason)
    return words is not None and bool(words.qualified)
