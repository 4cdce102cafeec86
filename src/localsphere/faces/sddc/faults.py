"""SDDC Manager's part in fault injection: its error body for an injected status, and who a
bearer token names."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import bearer, status_phrase
from localsphere.faces.sddc import errors
from localsphere.faces.sddc.errors import error_response
from localsphere.faces.sddc.routes import PROFILE
from localsphere.runtime.hooks import FaceHooks, credential_holder
from localsphere.world import World, faults
from localsphere.world.access import SDDC

# status -> (errorCode, message), as SDDC Manager words them
WORDS = {
    401: ("Unauthenticated", "JWT token has expired"),
    429: ("TOO_MANY_REQUESTS", "Too many requests; try again later"),
    500: ("INTERNAL_SERVER_ERROR", "Internal server error"),
    503: ("SERVICE_UNAVAILABLE", "The service is temporarily unavailable; try again later"),
}


def render(_scope: Scope, status: int, _body: bytes) -> Response:
    code, message = WORDS.get(status, ("HTTP_ERROR", status_phrase(status)))
    return error_response(status, code, message)


def hooks(world: World) -> FaceHooks:
    def holder(token: str) -> str:
        return world.tokens.authenticate(token, SDDC, PROFILE).principal.upn

    return FaceHooks(faults.SDDC_MANAGER, render, errors.answer, credential_holder(bearer, holder))
