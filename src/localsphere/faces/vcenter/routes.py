"""The vCenter face: ``/api`` (REST and JSON-RPC on ``POST /api``) and the legacy ``/rest``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.routing import FaceRoute
from localsphere.faces.vapi.dispatch import LEGACY, Endpoint, is_legacy, legacy_answer, rest_answer
from localsphere.faces.vapi.operations import Operation
from localsphere.faces.vcenter import authorization, inventory, session
from localsphere.world import World
from localsphere.world.access import VCENTER


def routes(world: World, max_body: int) -> list[FaceRoute]:
    """``POST /api`` (JSON-RPC, its credential in the body), and every operation in REST under
    ``/api`` and in legacy REST under ``/rest``."""
    operations = [
        *session.operations(world),
        *authorization.operations(world),
        *authorization.permission_operations(world),
        *authorization.record_operations(world),
        *inventory.operations(world),
    ]
    endpoint = Endpoint(world, VCENTER, operations, max_body, world.inventory.instance_uuid)
    return [
        FaceRoute("/api", {"POST": endpoint.rpc}, rest_answer, anonymous=frozenset({"POST"})),
        *endpoint.rest_routes("/api"),
        *endpoint.legacy_routes(LEGACY, legacy_path),
    ]


def legacy_path(op: Operation) -> str:
    """Where the legacy API serves an operation: ``com.vmware.cis`` services under
    ``/com/vmware/cis`` (``/api/session`` is ``/rest/com/vmware/cis/session``), the others at
    their ``/api`` path (``/rest/vcenter/vm``)."""
    if op.service.startswith("com.vmware.cis."):
        return "/com/vmware/cis" + op.path.removeprefix("/cis")
    return op.path


def answer(request: Request, exc: Exception) -> Response:
    """The face's ``Answer``: a vAPI error, in the legacy shape under ``/rest``."""
    return (legacy_answer if is_legacy(request.url.path) else rest_answer)(request, exc)
