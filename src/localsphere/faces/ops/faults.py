"""VCF Operations' part in fault injection: its error body for an injected status (401 is the
expired-token error with ``apiErrorCode`` 1512; 429 and 503 say when to retry), and who a token
names."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import status_phrase
from localsphere.faces.ops.routes import SCHEMES, TOKEN_EXPIRED, answer, error_body, expired, retry_later
from localsphere.runtime.hooks import FaceHooks
from localsphere.world import World, faults
from localsphere.world.access import OPS
from localsphere.world.errors import WorldError


def _credential(scope: Scope) -> tuple[str, str] | None:
    scheme, _, token = Request(scope).headers.get("authorization", "").partition(" ")
    return (scheme, token.strip()) if scheme in SCHEMES and token.strip() else None


def render(scope: Scope, status: int, _body: bytes) -> Response:
    if status == 401:
        scheme = (_credential(scope) or ("OpsToken", ""))[0]
        return error_body(Request(scope), 401, expired(scheme).message, TOKEN_EXPIRED)
    if status == 429:
        return retry_later(scope, 429, "Too many requests; the request was rejected, try again later", 1)
    if status == 503:
        return retry_later(scope, 503, "The service is temporarily unavailable; try again later", 5)
    if status == 500:
        return error_body(Request(scope), 500, "Internal server error")
    return error_body(Request(scope), status, status_phrase(status))


def hooks(world: World) -> FaceHooks:
    def who(scope: Scope, _body: bytes) -> str | None:
        credential = _credential(scope)
        if credential is None:
            return None
        try:
            return world.sessions.check(credential[1], OPS).caller.principal.upn
        except WorldError:
            return None

    return FaceHooks(faults.OPERATIONS, render, answer, who)
