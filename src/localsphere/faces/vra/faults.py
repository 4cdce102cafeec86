"""vRealize Automation's part in fault injection: its error body for an injected status, and who
a bearer token names."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import bearer, status_phrase
from localsphere.faces.vra import errors
from localsphere.faces.vra.formats import SERVER
from localsphere.runtime.hooks import FaceHooks, credential_holder
from localsphere.runtime.observe import REDACTED
from localsphere.world import World, faults

# status -> (code, message), in vRA's words where they are known
WORDS = {
    401: errors.AUTHENTICATION_REQUIRED,
    500: (50505, "System exception."),
}


def render(scope: Scope, status: int, _body: bytes) -> Response:
    code, message = WORDS.get(status, (status, status_phrase(status)))
    return errors.error_response(Request(scope), status, errors.entry(code, message))


def hooks(world: World) -> FaceHooks:
    def holder(token: str) -> str:
        return world.tenant_tokens.check(token).caller.principal.upn

    who = credential_holder(bearer, holder)
    return FaceHooks(faults.AUTOMATION, render, errors.answer, who, server=SERVER, conceal=conceal)


# A run of base64 as long as a bearer token's (some 300 characters; nothing else vRA names in a
# path or a query is such a run): HEAD and DELETE put the token in the path, and a client may
# put it anywhere. Without "/", which is the path's: the tokens this face makes hold one only
# where a user name has a "?" or a DEL (base64 of ASCII text makes "/" of nothing else).
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9+]{160,}(?:=|%3D){0,2}")


def conceal(target: str) -> str:
    """A request's target as the request log keeps it: without anything shaped like a token."""
    return _TOKEN_LIKE.sub(REDACTED, target)
