"""Requests for extension services (vCloud API Programming Guide, "vCloud Director Extension
Services"): a request that no operation of the face serves, under one of the face's prefixes
(``/api/org/...``, ``/api/vApp/...``, ``/api/admin/...``: the objects a service extends), whose
path the UrlPattern of an enabled service's API filter matches, goes to that service over AMQP
(``world.extension_requests``), and the service's reply (status, headers, body) is the answer.

The caller must have signed in (401 otherwise, as for every operation of the face, before the
path is looked at); the service gets the caller's user, org and
rights in that org, the request's headers without its ``Authorization`` and ``Cookie`` (a
password or token is never passed on; the ``x-vcloud-authorization`` session token is, so that
the service can call the API as the caller) and the API version its ``Accept`` names. No reply
in time: 504; no broker configured, or it cannot be reached, or nothing takes the service's
messages: 503; a reply that is not the product's JSON: 500. A path no filter matches is the
face's 404, or, for a signed-in caller, the 405 of the operation at that path (one that is not
signed in gets the 401 first)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from localsphere.faces.http import Runner, read_body
from localsphere.faces.routing import FaceRoute, RouteMiss
from localsphere.faces.vcd.errors import error_response
from localsphere.faces.vcd.versions import asked_version
from localsphere.world import World, org_roles
from localsphere.world.extension_requests import (
    BadReply,
    BrokerUnavailable,
    ForwardedRequest,
    NotAnswered,
)
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import org_uuid

REST = "{extension:path}"  # after each of the face's prefixes under /api/
METHODS = ("GET", "PUT", "POST", "DELETE")  # the methods the guide's request message names
_WITHHELD = frozenset({"authorization", "cookie", "proxy-authorization"})
_STATUS = ((NotAnswered, 504, "REQUEST_TIMEOUT"), (BrokerUnavailable, 503, None), (BadReply, 500, None))


class Forwarding:
    """The face's last routes: ``routes`` (set once the table is built) are the face's own, whose
    405 a request with another method gets."""

    def __init__(self, world: World, runner: Runner, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.max_body = max_body
        self.routes: Sequence[FaceRoute] = ()

    async def forward(self, request: Request, caller: TenantCaller) -> Response:
        path = request.url.path
        service = await self.runner.read(self.world.extension_services.matching, path)
        if service is None:
            return await self._missed(request)
        body = await read_body(request, self.max_body)
        client, server = request.scope.get("client") or ("", 0), request.scope.get("server") or ("", 0)
        given = ForwardedRequest(
            method=request.method,
            request_uri=path,
            query_string=request.url.query or None,
            scheme=request.url.scheme,
            protocol=f"HTTP/{request.scope.get('http_version', '1.1')}",
            headers={k: v for k, v in request.headers.items() if k.lower() not in _WITHHELD},
            body=body,
            local_addr=str(server[0]),
            local_port=int(server[1] or 0),
            remote_addr=str(client[0]),
            remote_port=int(client[1] or 0),
            user_id=caller.caller.principal.id,
            org_uuid=org_uuid(caller.tenant),
            rights=tuple(
                f"urn:vcloud:right:{org_roles.right_id(r)}" for r in sorted(org_roles.rights(caller))
            ),
            api_version=asked_version(request.headers.get("accept", "")),
        )
        try:
            reply = await asyncio.to_thread(self.world.extension_requests.forward, service, given)
        except (NotAnswered, BrokerUnavailable, BadReply) as exc:
            status, minor = next((code, m) for kind, code, m in _STATUS if isinstance(exc, kind))
            return error_response(request, status, exc.message, minor)
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    async def _missed(self, request: Request) -> Response:
        """The answer of the face's own route at the path (its 405), else the face's 404."""
        for route in self.routes:
            if not route.path.endswith(REST) and route.matches(request.scope)[0] is Match.PARTIAL:
                return await route.dispatch(request)
        raise RouteMiss(404)
