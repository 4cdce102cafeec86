"""The vCloud API's ``Error`` element for every way a request can fail: ``majorErrorCode`` the
HTTP status, ``minorErrorCode`` the product's name for it (``RESOURCE_NOT_FOUND``,
``BAD_REQUEST``, ...), ``stackTrace`` never filled; media type
``application/vnd.vmware.vcloud.error+xml`` in the version the request names."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import json_response
from localsphere.faces.routing import answers, status_answers
from localsphere.faces.vcd.model import document
from localsphere.faces.vcd.types import Error
from localsphere.faces.vcd.versions import NotOffered, answered_in
from localsphere.world.errors import (
    AlreadyInState,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
    WrongState,
)
from localsphere.world.tasks import Busy

ERROR_TYPE = "application/vnd.vmware.vcloud.error+xml"
REQUEST_ID = "X-VMWARE-VCLOUD-REQUEST-ID"
MINOR = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "ACCESS_TO_RESOURCE_IS_FORBIDDEN",
    404: "RESOURCE_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "REQUEST_ENTITY_TOO_LARGE",
    500: "INTERNAL_SERVER_ERROR",
    415: "UNSUPPORTED_MEDIA_TYPE",
    503: "SERVICE_UNAVAILABLE",
}
STATUS = {Invalid: 400, Unauthenticated: 401, Forbidden: 403, NotFound: 404}
# A failed task's ``Error`` (majorErrorCode, minorErrorCode) by the kind of world error it failed
# with (``TaskView.error_kind``): as the request's own error would say, but a state that refuses
# the operation is the product's INVALID_STATE (an enabled org that is deleted); any other failure
# (an extension failed it) is 500 INTERNAL_SERVER_ERROR.
TASK_ERRORS = {
    WrongState.__name__: (400, "INVALID_STATE"),
    AlreadyInState.__name__: (400, "INVALID_STATE"),
    Busy.__name__: (400, "BUSY_ENTITY"),
    Conflict.__name__: (400, "DUPLICATE_NAME"),
    **{kind.__name__: (status, MINOR[status]) for kind, status in STATUS.items()},
}


def task_error(message: str, error_kind: str) -> Error:
    """The ``Error`` of a task that failed saying ``message`` with a world error of ``error_kind``."""
    major, minor = TASK_ERRORS.get(error_kind, (500, MINOR[500]))
    return Error(message, major, minor)


def error_response(request: Request, status: int, message: str, minor: str | None = None) -> Response:
    """The product's error: the ``Error`` element, or under ``/cloudapi`` its JSON (cloudapi's
    error.yaml), with a request id as the product sends one (clients quote it)."""
    minor = minor or MINOR.get(status, "BAD_REQUEST")
    headers = {REQUEST_ID: str(uuid.uuid4())}
    if request.url.path.startswith("/cloudapi/"):
        body = {"minorErrorCode": minor, "message": message, "stackTrace": None}
        return json_response(body, status, headers=headers)
    version = answered_in(request.headers.get("accept", ""))
    body_xml = document(Error(message, status, minor), version)
    return Response(
        body_xml, status_code=status, headers=headers, media_type=f"{ERROR_TYPE};version={version}"
    )


class UnsupportedMedia(Exception):
    """A body in a media type the operation does not take (415)."""


def on_unsupported(request: Request, exc: Exception) -> Response:
    return error_response(request, 415, str(exc), "UNSUPPORTED_MEDIA_TYPE")


async def unavailable(scope: Scope) -> Response:
    """503, while the server starts."""
    return error_response(Request(scope), 503, "The server is starting; try again later.")


_plain, _internal = status_answers(
    error_response,
    "The request method is not supported for this resource.",
    "The requested resource was not found.",
    "Internal error, request id {rid}.",
    STATUS,
)


def on_not_offered(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotOffered)
    return error_response(request, 406, exc.message)


def on_conflict(request: Request, exc: Exception) -> Response:
    """A name taken already: the product's 400 ``DUPLICATE_NAME``."""
    assert isinstance(exc, Conflict)
    return error_response(request, 400, exc.message, "DUPLICATE_NAME")


def on_busy(request: Request, exc: Exception) -> Response:
    """An object another task is changing: the product's 400 ``BUSY_ENTITY``."""
    assert isinstance(exc, Busy)
    return error_response(request, 400, exc.message, "BUSY_ENTITY")


answer = answers(
    {
        NotOffered: on_not_offered,
        Conflict: on_conflict,
        Busy: on_busy,
        UnsupportedMedia: on_unsupported,
        **_plain,
    },
    _internal,
)
