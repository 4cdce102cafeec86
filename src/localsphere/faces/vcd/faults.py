"""vCloud Director's part in fault injection: its ``Error`` for an injected status, and who a
session's token (``x-vcloud-authorization`` or a cloudapi bearer) names."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import status_phrase
from localsphere.faces.vcd import errors
from localsphere.faces.vcd.routes import session_token
from localsphere.runtime.hooks import FaceHooks, credential_holder
from localsphere.world import World, faults


def render(scope: Scope, status: int, _body: bytes) -> Response:
    return errors.error_response(Request(scope), status, status_phrase(status))


def hooks(world: World) -> FaceHooks:
    def holder(token: str) -> str:
        return world.org_sessions.check(token).caller.principal.upn

    return FaceHooks(faults.CLOUD_DIRECTOR, render, errors.answer, credential_holder(session_token, holder))
