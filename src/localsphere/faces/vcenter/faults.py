"""vCenter's part in fault injection: its vAPI error for an injected status, in the encoding of the
path (REST, legacy ``/rest``, or JSON-RPC on ``POST /api``), and who a session or a sign-in names."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.faults import FaceHooks
from localsphere.faces.http import json_response, status_phrase
from localsphere.faces.vapi.dispatch import rest_credentials
from localsphere.faces.vapi.errors import AUTH_REQUIRED, CHALLENGE, VapiError
from localsphere.world import World
from localsphere.world.access import VCENTER
from localsphere.world.errors import WorldError

# status -> (vAPI error type, message id, message)
WORDS = {
    401: ("UNAUTHENTICATED", AUTH_REQUIRED, "Authentication required."),
    429: ("RESOURCE_BUSY", "com.vmware.vapi.std.errors.resource_busy", "Too many requests; try again later"),
    500: ("ERROR", "com.vmware.vapi.std.errors.error", "Internal server error"),
    503: (
        "SERVICE_UNAVAILABLE",
        "com.vmware.vapi.std.errors.service_unavailable",
        "The service is temporarily unavailable; try again later",
    ),
}


def render(scope: Scope, status: int) -> Response:
    kind, message_id, message = WORDS.get(
        status, ("ERROR", "com.vmware.vapi.std.errors.error", status_phrase(status))
    )
    error = VapiError(kind, message, message_id)
    headers = {"www-authenticate": CHALLENGE} if status == 401 else None
    if scope["path"].startswith("/rest/"):
        return json_response(error.legacy_rest(), status, headers)
    if scope["path"] == "/api" and scope["method"] == "POST":
        return json_response({"jsonrpc": "2.0", "id": None, "result": {"error": error.rpc()}}, status)
    return json_response(error.rest(), status, headers)


def hooks(world: World) -> FaceHooks:
    def who(scope: Scope) -> str | None:
        credentials = rest_credentials(Request(scope))
        if credentials.session_id:
            try:
                return world.sessions.check(credentials.session_id, VCENTER).caller.principal.upn
            except WorldError:
                return None
        return credentials.username

    return FaceHooks("vcenter", render, who)
