"""vRealize Automation's error body for every way a request can fail:
``{"errors": [{"code", "source", "message", "systemMessage", "moreInfoUrl"}]}``, keys in that
order (as vRA 7's captured answers show). A validation failure is 400 with code 20117 followed by
one 10101 "Invalid argument." entry per problem, flat in the same list.

Codes vRA's public material shows: 20117 (invalid data), 10101 (invalid argument), 50505
(system exception), 90027 (cannot connect to the directory service), 90135 (cannot authenticate
a user in a tenant). The others are this emulator's, in the same ranges: 90028 (directory bind
refused), 90029 (directory base DN not found), 10000 (authentication required), 10003 (not
authorized), 10002 (not found), 10004 (conflict), 10005 (method not allowed), 10006 (too large).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError
from localsphere.faces.routing import RouteMiss, answers
from localsphere.faces.vra.formats import render
from localsphere.world.directory import DirectoryError
from localsphere.world.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
    WorldError,
)

INVALID_DATA = (20117, "The data specified within the request is invalid.")
INVALID_ARGUMENT = (10101, "Invalid argument.")
AUTHENTICATION_REQUIRED = (10000, "Authentication required.")
DIRECTORY = {
    "directory.unreachable": (90027, "Cannot connect to the directory service."),
    "directory.url": (90027, "Cannot connect to the directory service."),
    "directory.bind_dn": (90028, "Cannot bind to the directory service."),
    "directory.credentials": (90028, "Cannot bind to the directory service."),
    "directory.base_dn": (90029, "The search base was not found in the directory service."),
}


class WireError(Exception):
    """A request body or parameter this face cannot read: a 400 naming ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def entry(code: int, message: str, system: str | None = None) -> dict[str, object]:
    return {
        "code": code,
        "source": None,
        "message": message,
        "systemMessage": system if system is not None else message,
        "moreInfoUrl": None,
    }


def error_response(request: Request, status: int, *entries: dict[str, object]) -> Response:
    """The error body, as JSON or (when the client's ``Accept`` prefers it) XML, as every other
    answer (``formats.render``): ``<errors>`` repeating ``<errors>`` per entry."""
    return render(request, {"errors": list(entries)}, status, root="errors")


def invalid(request: Request, *problems: str) -> Response:
    """400: vRA's validation failure, one 10101 entry per problem."""
    return error_response(
        request,
        400,
        entry(*INVALID_DATA),
        *(entry(INVALID_ARGUMENT[0], INVALID_ARGUMENT[1], p) for p in problems),
    )


def on_wire_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WireError)
    return invalid(request, exc.message)


def on_world_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WorldError)
    if isinstance(exc, DirectoryError):
        code, message = DIRECTORY.get(exc.reason, DIRECTORY["directory.unreachable"])
        return error_response(request, 400, entry(code, message, f"{code}-{exc.message}"))
    if isinstance(exc, Unauthenticated):
        if exc.reason == "credentials.invalid":  # a sign-in: the message names user and tenant
            return error_response(request, 401, entry(90135, exc.message, f"90135-{exc.message}"))
        return error_response(request, 401, entry(*AUTHENTICATION_REQUIRED))
    if isinstance(exc, Forbidden):
        return error_response(request, 403, entry(10003, "Not authorized.", exc.message))
    if isinstance(exc, NotFound):
        return error_response(request, 404, entry(10002, exc.message))
    if isinstance(exc, Conflict):
        return error_response(request, 400, entry(10004, exc.message))
    if isinstance(exc, Invalid):
        return invalid(request, exc.message)
    return invalid(request, exc.message)


def on_input_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    if exc.kind == "too_large":
        return error_response(request, 413, entry(10006, exc.detail))
    return invalid(request, exc.detail or "The request body is required.")


def on_route_miss(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RouteMiss)
    if exc.status == 405:
        return error_response(request, 405, entry(10005, "Request method not supported."))
    return error_response(request, 404, entry(10002, "The requested resource was not found."))


def internal(request: Request, rid: str) -> Response:
    """vRA's 500: its system exception, naming the request id the server's log names it by."""
    return error_response(
        request, 500, entry(50505, "System exception.", f"Internal error, request id {rid}.")
    )


answer = answers(
    {
        WorldError: on_world_error,
        WireError: on_wire_error,
        InputError: on_input_error,
        RouteMiss: on_route_miss,
    },
    internal,
)
