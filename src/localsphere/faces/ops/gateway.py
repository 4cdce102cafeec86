"""The cloud gateway's sign-in (VMware Cloud Services, CSP), where VCF Operations in the cloud
takes its credentials: ``POST /csp/gateway/am/api/auth/api-tokens/authorize`` trades an API token
for an access token, sent as ``Authorization: CSPToken <token>`` to ``/vrops-cloud/suite-api``.

Wire facts (the gateway's public reference, "Get Access Token By Api Refresh Token Using POST",
developer.broadcom.com/xapis/tcsp-authn): the token is the form field ``api_token``; the field
``refresh_token`` (deprecated) and a ``refresh_token`` query parameter (deprecated) work too;
``passcode`` (an MFA passcode), ``scope`` and ``allowed_resource_scope`` are optional and do not
narrow a token here. Being form parameters, the gateway reads them from the query string and from
a form body alike, whatever else the request's content type is (clients post the query form with
``Content-Type: application/json`` or with none). Every refusal is its ``CspErrorResponse``:
``{"metadata", "traceId", "statusCode", "message", "requestId", "moduleCode", "cspErrorCode"}``,
as clients' recordings of the gateway show it (``invalid_grant: Invalid refresh token: xxxx...``
followed by the token's last five characters, module 540, ``cspErrorCode`` 540.120-340.800).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import Runner, json_response, read_body, status_phrase
from localsphere.faces.routing import FaceRoute, Routes, answers, status_answers
from localsphere.runtime.hooks import FaceHooks
from localsphere.world import World, faults
from localsphere.world.access import OPS
from localsphere.world.errors import Forbidden, Invalid, NotFound, Unauthenticated

AUTHORIZE = "/csp/gateway/am/api/auth/api-tokens/authorize"
ACCESS_LIFETIME = 1799  # seconds, as the gateway grants them
FORM = "application/x-www-form-urlencoded"
FORM_FIELDS = 20  # of a form or query string; more is refused before it is parsed
TOKEN_FIELDS = ("api_token", "refresh_token")  # the documented field first, then the deprecated one
MODULE = 540  # the gateway's moduleCode for its token service
INVALID_GRANT = "540.120-340.800"  # the cspErrorCode of an unknown, revoked or expired API token
SHOWN = 5  # characters of a refused token the gateway shows, at its end
WORLD_STATUS = {NotFound: 404, Forbidden: 403, Invalid: 400, Unauthenticated: 400}


@dataclass
class GatewayError(Exception):
    """A refusal: its status, message and, where known, the gateway's ``cspErrorCode``."""

    status: int
    message: str
    csp_code: str | None = None


def error_body(_request: Request, status: int, message: str, csp_code: str | None = None) -> Response:
    """The gateway's ``CspErrorResponse``, in its order; ``cspErrorCode`` only where we know it."""
    body: dict[str, Any] = {
        "metadata": None,
        "traceId": secrets.token_hex(8),
        "statusCode": status,
        "message": message,
        "requestId": secrets.token_hex(8),
        "moduleCode": MODULE,
    }
    if csp_code is not None:
        body["cspErrorCode"] = csp_code
    return json_response(body, status)


def _on_gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    return error_body(request, exc.status, exc.message, exc.csp_code)


_plain, _internal = status_answers(
    error_body,
    "Request method is not supported",
    "The requested resource could not be found",
    "Internal server error (request {rid})",
    WORLD_STATUS,
)
answer = answers({GatewayError: _on_gateway_error, **_plain}, _internal)


def _parameters(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, max_num_fields=FORM_FIELDS)
    except ValueError:
        raise GatewayError(400, f"invalid_request: At most {FORM_FIELDS} parameters are accepted") from None


def api_token(form: dict[str, list[str]], query: dict[str, list[str]]) -> str:
    """The first non-empty token field, the form's before the query string's; GatewayError 400
    when there is none (missing, or sent empty)."""
    for source in (form, query):
        for field in TOKEN_FIELDS:
            value = next((v for v in source.get(field, ()) if v), None)
            if value is not None:
                return value
    raise GatewayError(
        400,
        "invalid_request: api_token is required, as a form field (application/x-www-form-urlencoded)"
        " or a query parameter",
    )


def masked(token: str) -> str:
    """How the gateway names a refused token: ``xxxx...`` and its last characters (none of a
    token so short that they would be most of it)."""
    return "xxxx..." + (token[-SHOWN:] if len(token) > 2 * SHOWN else "")


async def authorize(world: World, runner: Runner, max_body: int, request: Request) -> Response:
    """An API token, from the form or the query string, for a ``ACCESS_LIFETIME``-second access
    token: ``{id_token, token_type, expires_in, scope, access_token, refresh_token}`` (the seed's
    example). Refused with 400 (``CspErrorResponse``) when no token is sent or it is unknown,
    revoked or expired."""
    query = _parameters(request.scope["query_string"].decode("latin-1"))
    form: dict[str, list[str]] = {}
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == FORM:
        form = _parameters((await read_body(request, max_body)).decode("utf-8", "replace"))
    token = api_token(form, query)

    def trade() -> Any:
        principal = world.api_tokens.principal_for(token, OPS)
        return world.sessions.open(principal, OPS, lifetime=ACCESS_LIFETIME)

    try:
        opened = await runner.call(trade)
    except Unauthenticated:
        raise GatewayError(
            400, f"invalid_grant: Invalid refresh token: {masked(token)}", INVALID_GRANT
        ) from None
    return json_response(
        {
            "id_token": secrets.token_urlsafe(32),
            "token_type": "bearer",
            "expires_in": ACCESS_LIFETIME,
            "scope": "openid group_ids group_names",
            "access_token": opened.session_id,
            "refresh_token": token,
        }
    )


def routes(world: World, max_body: int) -> list[FaceRoute]:
    """The gateway's one operation, anonymous (its credential is the API token it is sent)."""
    runner = Runner(world.store)

    async def authorized(request: Request) -> Response:
        return await authorize(world, runner, max_body, request)

    table: Routes[None] = Routes(answer)
    table.anonymous("POST", AUTHORIZE, authorized)
    return table.build()


def hooks() -> FaceHooks:
    """The gateway's part in fault injection and the path no route serves under ``/csp``: its own
    ``CspErrorResponse`` for every status (it is Operations' in fault rules: the clients that call
    it are Operations'). Nobody is named by a request: its credential is the API token it sends."""

    def render(scope: Scope, status: int, _body: bytes) -> Response:
        return error_body(Request(scope), status, status_phrase(status))

    return FaceHooks(faults.OPERATIONS, render, answer, lambda _scope, _body: None)
