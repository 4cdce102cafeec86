"""vCloud Director's part in fault injection: its ``Error`` for an injected status. No operation
of the face takes a credential yet, so a request names nobody."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import status_phrase
from localsphere.faces.vcd import errors
from localsphere.runtime.hooks import FaceHooks
from localsphere.world import faults


def render(scope: Scope, status: int, _body: bytes) -> Response:
    return errors.error_response(Request(scope), status, status_phrase(status))


def _nobody(_scope: Scope, _body: bytes) -> str | None:
    return None


def hooks() -> FaceHooks:
    return FaceHooks(faults.CLOUD_DIRECTOR, render, errors.answer, _nobody)
