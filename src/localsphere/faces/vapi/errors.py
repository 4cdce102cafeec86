"""vAPI standard errors (``com.vmware.vapi.std.errors.*``) and how world errors become them, in
both encodings: REST ``{"error_type", "messages"}`` with an HTTP status, and JSON-RPC
``{"ERROR": {"com.vmware.vapi.std.errors.<kind>": {...}}}``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
AUTH_REQUIRED = "com.vmware.vapi.endpoint.method.authentication.required"

# error type -> (HTTP status, vAPI error name)
KINDS = {
    "ALREADY_EXISTS": (400, "already_exists"),
    "ALREADY_IN_DESIRED_STATE": (400, "already_in_desired_state"),
    "ERROR": (500, "error"),
    "INVALID_ARGUMENT": (400, "invalid_argument"),
    "INVALID_REQUEST": (400, "invalid_request"),
    "NOT_ALLOWED_IN_CURRENT_STATE": (400, "not_allowed_in_current_state"),
    "NOT_FOUND": (404, "not_found"),
    "OPERATION_NOT_FOUND": (404, "operation_not_found"),
    "RESOURCE_BUSY": (400, "resource_busy"),
    "RESOURCE_IN_USE": (400, "resource_in_use"),
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

# world reason -> (error type, message id); otherwise by the world error's kind
REASONS = {
    "role.exists": ("ALREADY_EXISTS", "com.vmware.vcenter.authorization.role.already_exists"),
    "role.in_use": ("RESOURCE_IN_USE", "com.vmware.vcenter.authorization.role.in_use"),
    "role.system": ("UNSUPPORTED", "com.vmware.vcenter.authorization.role.system"),
    "permission.last_admin": ("RESOURCE_BUSY", "com.vmware.vcenter.authorization.permission.last_admin"),
    "session.invalid": ("UNAUTHENTICATED", AUTH_REQUIRED),
    "credentials.invalid": ("UNAUTHENTICATED", AUTH_REQUIRED),
    "account.locked": ("UNAUTHENTICATED", AUTH_REQUIRED),
    "privilege.missing": ("UNAUTHORIZED", "vapi.method.authz.rejected"),
}
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
    kind: str
    message: str
    message_id: str = "com.vmware.vapi.std.errors.error"
    args: list[str] = field(default_factory=list)

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
        message = {"id": self.message_id, "default_message": self.message, "args": self.args}
        return {"messages": [message], "data": None, "error_type": self.kind, "challenge": CHALLENGE}

    def rest(self) -> dict[str, Any]:
        return self._struct().rest(self._value())

    def legacy_rest(self) -> dict[str, Any]:
        """The ``/rest`` shape: ``{"type": "com.vmware.vapi.std.errors.<kind>", "value": {...}}``."""
        return {"type": self.type_name, "value": self.rest()}

    def rpc(self) -> dict[str, Any]:
        return {"ERROR": self._struct().rpc(self._value())["STRUCTURE"]}


def from_world(exc: WorldError) -> VapiError:
    kind, message_id = REASONS.get(exc.reason, (None, None))
    if kind is None:
        kind = next((k for cls, k in BY_KIND if isinstance(exc, cls)), "INVALID_ARGUMENT")
        message_id = f"com.vmware.vapi.std.errors.{exc.reason}"
    args = [] if isinstance(exc, Unauthenticated) else exc.arguments
    return VapiError(kind, exc.message, message_id, args)
