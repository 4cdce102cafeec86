"""vCloud Director's part in fault injection: its ``Error`` for an injected status, and who a
session's token (``x-vcloud-authorization`` or a cloudapi bearer) names."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import bearer, status_phrase
from localsphere.faces.vcd import errors
from localsphere.faces.vcd.routes import TOKEN_HEADER
from localsphere.runtime.hooks import FaceHooks
from localsphere.world import World, faults
from localsphere.world.errors import WorldError


def render(scope: Scope, status: int, _body: bytes) -> Response:
    return errors.error_response(Request(scope), status, status_phrase(status))


def hooks(world: World) -> FaceHooks:
    def who(scope: Scope, _body: bytes) -> str | None:
        request = Request(scope)
        token = request.headers.get(TOKEN_HEADER) or bearer(request)
        if not token:
            return None
        try:
            return world.org_sessions.check(token.strip()).caller.principal.upn
        except WorldError:
            return None

    return FaceHooks(faults.CLOUD_DIRECTOR, render, errors.answer, who)
