"""The vCenter face: ``/api`` (REST and JSON-RPC on ``POST /api``) and the legacy ``/rest`` login."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from localsphere.faces.http import json_response
from localsphere.faces.vapi.dispatch import Endpoint, rest_credentials, rest_error, to_vapi
from localsphere.faces.vapi.errors import VapiError
from localsphere.faces.vcenter import authorization, inventory, session
from localsphere.world import World
from localsphere.world.access import VCENTER


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return rest_error(
            VapiError(
                "OPERATION_NOT_FOUND",
                "The method is not supported on this path",
                "com.vmware.vapi.rest.method_not_allowed",
            )
        )
    return rest_error(
        VapiError(
            "NOT_FOUND", "The requested resource does not exist", "com.vmware.vapi.rest.resource_not_found"
        )
    )


def routes(world: World, max_body: int) -> list[BaseRoute]:
    operations = [
        *session.operations(world),
        *authorization.operations(world),
        *authorization.permission_operations(world),
        *authorization.record_operations(world),
        *inventory.operations(world),
    ]
    endpoint = Endpoint(world, VCENTER, operations, max_body)
    create = endpoint.by_name[(session.SERVICE, "create")]

    async def legacy_login(request: Request) -> Response:
        try:
            session_id = await endpoint.invoke(request, create, rest_credentials(request), dict)
        except Exception as exc:
            error = to_vapi(exc, request)
            return json_response(error.legacy_rest(), error.status)
        return json_response({"value": session_id})

    handlers = {HTTPException: _http_error}
    return [
        Route("/api", endpoint.rpc, methods=["POST"]),
        Mount("/api", Starlette(routes=endpoint.rest_routes(), exception_handlers=handlers)),
        Route("/rest/com/vmware/cis/session", legacy_login, methods=["POST"]),
    ]
