"""The vCenter face: ``/api`` (REST and JSON-RPC on ``POST /api``) and the legacy ``/rest`` login."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import json_response
from localsphere.faces.routing import FaceRoute
from localsphere.faces.vapi.dispatch import Endpoint, rest_answer, rest_credentials, to_vapi
from localsphere.faces.vcenter import authorization, inventory, session
from localsphere.world import World
from localsphere.world.access import VCENTER


def routes(world: World, max_body: int) -> list[FaceRoute]:
    """``POST /api`` (JSON-RPC, its credential in the body), the REST operations under ``/api``,
    and the legacy ``/rest`` sign-in (Basic credentials)."""
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
        session_id = await endpoint.invoke(request, create, rest_credentials(request), dict)
        return json_response({"value": session_id})

    return [
        FaceRoute("/api", {"POST": endpoint.rpc}, rest_answer, anonymous=frozenset({"POST"})),
        *endpoint.rest_routes("/api"),
        FaceRoute("/rest/com/vmware/cis/session", {"POST": legacy_login}, answer),
    ]


def answer(request: Request, exc: Exception) -> Response:
    """The face's ``Answer``: a vAPI error, in the legacy shape under ``/rest``."""
    if not request.url.path.startswith("/rest/"):
        return rest_answer(request, exc)
    error = to_vapi(exc, request)
    return json_response(error.legacy_rest(), error.status)
