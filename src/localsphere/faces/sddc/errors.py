"""SDDC Manager's error body (``errorCode``, ``errorType``, ``arguments``, ``message``, ...) for every
way a request can fail, with the status SDDC Manager uses."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, json_response
from localsphere.faces.routing import RouteMiss, answers, request_id
from localsphere.faces.sddc.wire import WireError
from localsphere.world.errors import (
    AlreadyInState,
    Conflict,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    Unauthenticated,
    WorldError,
    WrongState,
)

MISSING_AUTH = "Authorization Header is missing or not in correct format"

# world error kind -> HTTP status; SDDC Manager reports duplicates as bad requests.
STATUS = {
    Invalid: 400,
    Conflict: 400,
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
    WrongState: 400,
    AlreadyInState: 400,
}

# world reason -> SDDC Manager errorCode
CODES = {
    "token.missing": "Unauthorized",
    "credentials.invalid": "Unauthenticated",
    "account.locked": "ACCOUNT_LOCKED",
    "password.expired": "PASSWORD_EXPIRED",
    "token.invalid": "Unauthenticated",
    "token.expired": "Unauthenticated",
    "token.revoked": "Unauthenticated",
    "access.none": "Forbidden",
    "privilege.missing": "Forbidden",
    "role.not_found": "ROLE_NOT_FOUND",
    "domain.not_found": "SSO_DOMAIN_NOT_FOUND",
    "principal.not_found": "USER_NOT_FOUND_IN_DOMAIN",
    "principal.domain_missing": "DOMAIN_REQUIRED",
    "principal.domain_mismatch": "DOMAIN_MISMATCH",
    "principal.exists": "USER_ALREADY_EXISTS",
    "assignment.exists": "USER_ALREADY_EXISTS",
    "assignment.not_found": "USER_NOT_FOUND",
    "refresh_token.not_found": "REFRESH_TOKEN_NOT_FOUND",
    "password.missing": "PASSWORD_REQUIRED",
    "password.old_missing": "OLD_PASSWORD_REQUIRED",
    "password.old_wrong": "INCORRECT_OLD_PASSWORD",
    "password.policy": "PASSWORD_POLICY_VIOLATION",
}

REMEDIATION = {
    "account.locked": "Wait until the lockout period ends, then sign in with the correct password.",
    "password.policy": "Use 12-127 characters with a lower-case and an upper-case letter, a digit and one of "
    "! % @ $ ^ # ? *, and no character more than three times in a row.",
    "privilege.missing": "Sign in as a user whose role grants this operation.",
}


def error_response(
    status: int,
    code: str,
    message: str,
    arguments: list[str] | None = None,
    remediation: str | None = None,
    reference: str | None = None,
) -> Response:
    """SDDC Manager's error body; ``reference``: the request id the server's log names it by
    (else a fresh one)."""
    body: dict[str, object] = {
        "errorCode": code,
        "errorType": "ERROR",
        "arguments": arguments or [],
        "message": message,
    }
    if remediation:
        body["remediationMessage"] = remediation
    body["referenceToken"] = reference or request_id()
    return json_response(body, status)


def on_wire_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WireError)
    return error_response(400, "INVALID_INPUT", exc.message, [exc.field])


def on_world_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WorldError)
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    arguments = exc.arguments
    if isinstance(exc, Locked | Unauthenticated):
        arguments = []  # never echo what a failed sign-in named
    return error_response(
        status, CODES.get(exc.reason, "INVALID_INPUT"), exc.message, arguments, REMEDIATION.get(exc.reason)
    )


def on_input_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    if exc.kind == "too_large":
        return error_response(413, "REQUEST_TOO_LARGE", exc.detail)
    code = {"malformed": "MALFORMED_JSON", "query": "INVALID_INPUT"}.get(exc.kind, "REQUEST_BODY_MISSING")
    return error_response(400, code, exc.detail)


def on_route_miss(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RouteMiss)
    if exc.status == 405:
        return error_response(405, "METHOD_NOT_ALLOWED", "Request method is not supported for this path")
    return error_response(404, "NOT_FOUND", "No such API path")


def internal(_request: Request, rid: str) -> Response:
    """SDDC Manager's 500; its ``referenceToken`` is the id the server's log names the failure by."""
    return error_response(500, "INTERNAL_SERVER_ERROR", "Internal server error", reference=rid)


answer = answers(
    {
        WorldError: on_world_error,
        WireError: on_wire_error,
        InputError: on_input_error,
        RouteMiss: on_route_miss,
    },
    internal,
)
