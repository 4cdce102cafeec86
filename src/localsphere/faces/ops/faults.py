"""VCF Operations' part in fault injection: its error body for an injected status (401 is the
expired-token error with ``apiErrorCode`` 1512; 429 and 503 say when to retry), and who a token
names."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import status_phrase
from localsphere.faces.ops.routes import SCHEMES, TOKEN_EXPIRED, answer, error_body, expired, retry_later
from localsphere.runtime.hooks import FaceHooks, credential_holder
from localsphere.world import World, faults
from localsphere.world.access import OPS


def _credential(scope: Scope) -> tuple[str, str] | None:
    scheme, _, token = Request(scope).headers.get("authorization", "").partition(" ")
    return (scheme, token.strip()) if scheme in SCHEMES and token.strip() else None


def _token(request: Request) -> str | None:
    credential = _credential(request.scope)
    return credential[1] if credential is not None else None


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
    def holder(token: str) -> str:
        return world.sessions.check(token, OPS).caller.principal.upn

    return FaceHooks(faults.OPERATIONS, render, answer, credential_holder(_token, holder))
