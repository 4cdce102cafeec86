"""vRealize Automation's part in fault injection: its error body for an injected status, and who
a bearer token names."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import bearer, status_phrase
from localsphere.faces.vra import errors
from localsphere.faces.vra.formats import SERVER
from localsphere.faces.vra.routes import PREFIX
from localsphere.runtime.hooks import FaceHooks
from localsphere.world import World, faults
from localsphere.world.errors import WorldError

# status -> (code, message), in vRA's words where they are known
WORDS = {
    401: errors.AUTHENTICATION_REQUIRED,
    500: (50505, "System exception."),
}


def render(_scope: Scope, status: int, _body: bytes) -> Response:
    code, message = WORDS.get(status, (status, status_phrase(status)))
    return errors.error_response(status, errors.entry(code, message))


def hooks(world: World) -> FaceHooks:
    def who(scope: Scope, _body: bytes) -> str | None:
        token = bearer(Request(scope))
        if token is None:
            return None
        try:
            return world.tenant_tokens.check(token).caller.principal.upn
        except WorldError:
            return None

    tokens = f"{PREFIX}/tokens/"  # HEAD and DELETE name a live token in the path
    return FaceHooks(faults.AUTOMATION, render, errors.answer, who, server=SERVER, secret_paths=(tokens,))
