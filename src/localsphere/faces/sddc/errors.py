"""SDDC Manager's error body (``errorCode``, ``errorType``, ``arguments``, ``message``, ...) for every
way a request can fail, with the status SDDC Manager uses."""

from __future__ import annotations

import logging
import secrets
import string

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import BodyError, json_response
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

log = logging.getLogger("localsphere.sddc")

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


def reference_token() -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6))


def error_response(
    status: int,
    code: str,
    message: str,
    arguments: list[str] | None = None,
    remediation: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, object] = {
        "errorCode": code,
        "errorType": "ERROR",
        "arguments": arguments or [],
        "message": message,
    }
    if remediation:
        body["remediationMessage"] = remediation
    body["referenceToken"] = reference_token()
    return json_response(body, status, headers)


async def on_wire_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WireError)
    return error_response(400, "INVALID_INPUT", exc.message, [exc.field])


async def on_world_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WorldError)
    status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 400)
    arguments = exc.arguments
    if isinstance(exc, Locked | Unauthenticated):
        arguments = []  # never echo what a failed sign-in named
    return error_response(
        status, CODES.get(exc.reason, "INVALID_INPUT"), exc.message, arguments, REMEDIATION.get(exc.reason)
    )


async def on_body_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyError)
    if exc.kind == "too_large":
        return error_response(413, "REQUEST_TOO_LARGE", exc.detail)
    code = "MALFORMED_JSON" if exc.kind == "malformed" else "REQUEST_BODY_MISSING"
    return error_response(400, code, exc.detail)


async def on_http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(
            405,
            "METHOD_NOT_ALLOWED",
            "Request method is not supported for this path",
            headers=dict(exc.headers or {}),
        )
    if exc.status_code == 404:
        return error_response(404, "NOT_FOUND", "No such API path")
    return error_response(exc.status_code, "HTTP_ERROR", str(exc.detail))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    token = reference_token()
    log.exception("unexpected error %s on %s %s", token, request.method, request.url.path)
    return json_response(
        {
            "errorCode": "INTERNAL_SERVER_ERROR",
            "errorType": "ERROR",
            "arguments": [],
            "message": "Internal server error",
            "referenceToken": token,
        },
        500,
    )


HANDLERS = {
    WorldError: on_world_error,
    WireError: on_wire_error,
    BodyError: on_body_error,
    HTTPException: on_http_error,
    Exception: on_unexpected,
}
