"""vCenter's part in fault injection: its vAPI error for an injected status, in the encoding of the
path (REST, legacy ``/rest``, or JSON-RPC on ``POST /api``), and who a session or a sign-in names
(in the headers, or in a JSON-RPC request's security context)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import json_response, status_phrase
from localsphere.faces.vapi.dispatch import is_legacy, message_credentials, rest_credentials
from localsphere.faces.vapi.errors import CHALLENGE, vapi_error
from localsphere.faces.vapi.messages import CATALOGUE
from localsphere.faces.vcenter import routes
from localsphere.runtime.hooks import FaceHooks
from localsphere.world import World, faults
from localsphere.world.access import VCENTER
from localsphere.world.errors import WorldError


def render(scope: Scope, status: int, body: bytes) -> Response:
    reason = f"status.{status}"
    error = vapi_error(reason) if reason in CATALOGUE else vapi_error("status.other", status_phrase(status))
    headers = {"www-authenticate": CHALLENGE} if status == 401 else None
    if is_legacy(scope["path"]):
        return json_response(error.legacy_rest(), status, headers)
    if _json_rpc(scope):  # vCenter answers JSON-RPC errors in the answer, with HTTP 200
        answer = {"jsonrpc": "2.0", "id": _message(body).get("id"), "result": {"error": error.rpc()}}
        return json_response(answer)
    return json_response(error.rest(), status, headers)


def _json_rpc(scope: Scope) -> bool:
    return scope["method"] == "POST" and scope["path"] == "/api"


def _message(body: bytes) -> dict[str, Any]:
    """A JSON-RPC request, or {} when the body is not one."""
    try:
        message = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return message if isinstance(message, dict) else {}


def hooks(world: World) -> FaceHooks:
    def who(scope: Scope, body: bytes) -> str | None:
        credentials = (
            message_credentials(_message(body)) if _json_rpc(scope) else rest_credentials(Request(scope))
        )
        if credentials.session_id:
            try:
                return world.sessions.check(credentials.session_id, VCENTER).caller.principal.upn
            except WorldError:
                return None
        return credentials.username

    # vCenter answers through its envoy proxy (the vSphere guide's sample headers carry
    # x-envoy-upstream-service-time), which names itself in Server.
    return FaceHooks(faults.VCENTER, render, routes.answer, who, _json_rpc, server=b"envoy")
