"""The VCF Operations face, ``/suite-api`` (and the cloud path ``/vrops-cloud/suite-api``): token
acquire and release, the version, the VMWARE adapter's kinds, and the world's inventory as
resources. JSON only for now; every error is the product's JSON body with ``httpStatusCode``."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from localsphere.faces.http import BodyError, Runner, json_response, parse_json, read_body
from localsphere.world import World
from localsphere.world import inventory as inv
from localsphere.world.access import OPS, require
from localsphere.world.errors import Forbidden, Invalid, NotFound, Unauthenticated, WorldError
from localsphere.world.inventory import ObjectView

T = TypeVar("T")
log = logging.getLogger("localsphere.ops")
SCHEMES = ("OpsToken", "vRealizeOpsToken", "CSPToken")
CSP_ACCESS_LIFETIME = 1799  # seconds, as the cloud gateway grants them
FORM = "application/x-www-form-urlencoded"
TOKEN_EXPIRED = 1512  # the apiErrorCode of an invalid or expired token
ADAPTER = {
    "key": "VMWARE",
    "name": "vCenter Adapter",
    "description": "VMware vCenter Adapter",
    "adapterKindType": "GENERAL",
    "describeVersion": 100,
}
# world kind -> Operations resource kind of the VMWARE adapter
KINDS = {
    inv.DATACENTER: "Datacenter",
    inv.CLUSTER: "ClusterComputeResource",
    inv.HOST: "HostSystem",
    inv.POOL: "ResourcePool",
    inv.DATASTORE: "Datastore",
    inv.VM: "VirtualMachine",
    inv.FOLDER: "Folder",
}
WORLD_KINDS = {v: k for k, v in KINDS.items()}
IDENTIFIERS = {
    "VirtualMachine": ("VMEntityObjectID", "VMEntityVCID", "VMEntityName"),
    "HostSystem": ("VMEntityObjectID", "VMEntityVCID", "VMEntityName"),
}
DEFAULT_PAGE_SIZE = 1000
VERSION = {
    "releaseName": "VCF Operations 9.1.0.0",
    "major": 9,
    "minor": 1,
    "minorMinor": 0,
    "patch": 0,
    "releasedDate": 1772568000000,
    "humanlyReadableReleaseDate": "Tuesday, March 3, 2026 at 12:00:00 PM Pacific Standard Time",
    "description": None,
}


class OpsError(Exception):
    def __init__(self, status: int, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def error_body(status: int, message: str, code: int | None = None) -> Response:
    body: dict[str, Any] = {"message": message, "httpStatusCode": status}
    if code is not None:
        body["apiErrorCode"] = code
    return json_response(body, status)


def _epoch_ms(epoch: float) -> int:
    return int(epoch * 1000)


def _human(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%A, %B %-d, %Y %-I:%M:%S %p UTC")


def resource(o: ObjectView, vcenter: str) -> dict[str, Any]:
    """``vcenter``: the id of the vCenter the object belongs to (the world's root folder's uuid)."""
    kind = KINDS[o.kind]
    values = {"VMEntityObjectID": o.moid, "VMEntityVCID": vcenter, "VMEntityName": o.name}
    identifiers = [
        {
            "identifierType": {"name": n, "dataType": "STRING", "isPartOfUniqueness": n != "VMEntityName"},
            "value": values[n],
        }
        for n in IDENTIFIERS.get(kind, ("VMEntityObjectID",))
    ]
    return {
        "creationTime": _epoch_ms(o.created_at),
        "resourceKey": {
            "name": o.name,
            "adapterKindKey": "VMWARE",
            "resourceKindKey": kind,
            "resourceIdentifiers": identifiers,
        },
        "resourceStatusStates": [
            {"resourceState": "STARTED", "resourceStatus": "DATA_RECEIVING", "statusMessage": ""}
        ],
        "resourceHealth": "GREEN",
        "resourceHealthValue": 100.0,
        "dtEnabled": True,
        "badges": [],
        "relatedResources": [],
        "identifier": o.uuid,
    }


class OpsFace:
    def __init__(self, world: World, max_body: int) -> None:
        self.world = world
        self.max_body = max_body
        self.runner = Runner(inline_reads=world.kind == "sqlite")

    def _token(self, request: Request) -> tuple[str, str]:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme not in SCHEMES or not token.strip():
            raise OpsError(
                401, "Authentication required: send Authorization: OpsToken <token>", TOKEN_EXPIRED
            )
        return scheme, token.strip()

    async def authorized(self, request: Request, privilege: str, work: Callable[[], T]) -> T:
        scheme, token = self._token(request)

        def checked() -> T:
            try:
                session = self.world.sessions.check(token, OPS)
            except Unauthenticated:
                raise _expired(scheme) from None
            require(session.caller, privilege)
            return work()

        return await self.runner.read(checked)

    async def acquire(self, request: Request) -> Response:
        spec = parse_json(await read_body(request, self.max_body))
        if (
            not isinstance(spec, dict)
            or not isinstance(spec.get("username"), str)
            or not isinstance(spec.get("password"), str)
        ):
            raise OpsError(400, "username and password are required")

        def sign_in() -> Any:
            principal = self.world.auth.sign_in(spec["username"], password=spec["password"], sso_only=True)
            return self.world.sessions.open(principal, OPS)

        try:
            opened = await self.runner.call(sign_in)
        except Unauthenticated:
            raise OpsError(401, "Invalid username or password") from None
        if not opened.roles:
            await self.runner.call(self.world.sessions.close, opened.session_id, OPS)
            raise OpsError(403, "The user has no role in VCF Operations")
        return json_response(
            {
                "token": opened.session_id,
                "validity": _epoch_ms(opened.expires_at),
                "expiresAt": _human(opened.expires_at),
                "roles": opened.roles,
            }
        )

    async def release(self, request: Request) -> Response:
        scheme, token = self._token(request)
        try:
            await self.runner.call(self.world.sessions.close, token, OPS)
        except Unauthenticated:
            raise _expired(scheme) from None
        return Response(status_code=200)

    async def version(self, request: Request) -> Response:
        return json_response(await self.authorized(request, "ViewEnvironment", lambda: VERSION))

    async def adapter_kinds(self, request: Request) -> Response:
        await self.authorized(request, "ViewEnvironment", lambda: None)
        return json_response(
            {"adapter-kind": [{**ADAPTER, "identifiers": [], "resourceKinds": sorted(WORLD_KINDS)}]}
        )

    async def adapter_kind(self, request: Request) -> Response:
        await self.authorized(request, "ViewEnvironment", lambda: None)
        self._adapter(request.path_params["key"])
        return json_response({**ADAPTER, "identifiers": [], "resourceKinds": sorted(WORLD_KINDS)})

    async def resource_kinds(self, request: Request) -> Response:
        await self.authorized(request, "ViewEnvironment", lambda: None)
        self._adapter(request.path_params["key"])
        kinds = [
            {
                "key": k,
                "name": k,
                "adapterKind": "VMWARE",
                "adapterKindName": ADAPTER["name"],
                "resourceKindType": "GENERAL",
                "resourceKindSubType": "NONE",
                "resourceIdentifierTypes": [
                    {"name": n, "dataType": "STRING", "isPartOfUniqueness": True}
                    for n in IDENTIFIERS.get(k, ("VMEntityObjectID",))
                ],
            }
            for k in sorted(WORLD_KINDS)
        ]
        return json_response({"adapterKind": "VMWARE", "resource-kind": kinds})

    async def resources(self, request: Request) -> Response:
        query = request.query_params
        adapters = query.getlist("adapterKind")
        if any(a != "VMWARE" for a in adapters):
            return json_response(self._page_body(request, 0, 0, DEFAULT_PAGE_SIZE, []))
        wanted = query.getlist("resourceKind")
        unknown = [k for k in wanted if k not in WORLD_KINDS]
        if unknown:
            raise OpsError(404, f"Resource kind {unknown[0]} not found for adapter kind VMWARE")
        kinds = {WORLD_KINDS[k] for k in wanted} or set(KINDS)
        names = query.getlist("name")
        uuids = set(query.getlist("resourceId")) or None
        page, size = (
            _number(query.get("page"), 0, "page"),
            _number(query.get("pageSize"), DEFAULT_PAGE_SIZE, "pageSize"),
        )
        if size < 1:
            raise OpsError(400, "pageSize must be at least 1")
        total, found = await self.authorized(
            request,
            "ViewEnvironment",
            lambda: self.world.inventory.page(kinds, names[0] if names else None, uuids, page * size, size),
        )
        vcenter = await self.runner.read(self._vcenter)
        return json_response(
            self._page_body(request, total, page, size, [resource(o, vcenter) for o in found])
        )

    async def resource(self, request: Request) -> Response:
        found = await self.authorized(
            request, "ViewEnvironment", lambda: self.world.inventory.by_uuid(request.path_params["id"])
        )
        if found.kind not in KINDS:
            raise OpsError(404, f"Resource {request.path_params['id']} not found")
        return json_response(resource(found, await self.runner.read(self._vcenter)))

    def _vcenter(self) -> str:
        return self.world.inventory.get(inv.FOLDER, inv.ROOT_FOLDER).uuid

    @staticmethod
    def _adapter(key: str) -> None:
        if key != "VMWARE":
            raise OpsError(404, f"Adapter kind {key} not found")

    @staticmethod
    def _page_body(request: Request, total: int, page: int, size: int, items: list[Any]) -> dict[str, Any]:
        links = []
        base = f"{request.url.path}?pageSize={size}"
        if (page + 1) * size < total:
            links.append({"href": f"{base}&page={page + 1}", "rel": "NEXT", "name": "next"})
        if page > 0:
            links.append({"href": f"{base}&page={page - 1}", "rel": "PREVIOUS", "name": "previous"})
        return {
            "pageInfo": {"totalCount": total, "page": page, "pageSize": size},
            "links": links,
            "resourceList": items,
        }


def _expired(scheme: str) -> OpsError:
    return OpsError(
        401, f'The provided token for auth scheme "{scheme}" is either invalid or has expired.', TOKEN_EXPIRED
    )


def _number(text: str | None, default: int, name: str) -> int:
    if text is None:
        return default
    if not text.isdigit():
        raise OpsError(400, f"{name} must be a non-negative integer")
    return int(text)


async def _on_ops_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OpsError)
    return error_body(exc.status, exc.message, exc.code)


async def _on_world_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WorldError)
    status = (
        404
        if isinstance(exc, NotFound)
        else 403
        if isinstance(exc, Forbidden)
        else 400
        if isinstance(exc, Invalid)
        else 401
        if isinstance(exc, Unauthenticated)
        else 400
    )
    return error_body(status, exc.message)


async def _on_body_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyError)
    return error_body(413 if exc.kind == "too_large" else 400, exc.detail)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_body(500, "Internal server error")


async def _on_http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_body(405, "Unsupported method for URL")
    return error_body(
        exc.status_code,
        "The requested resource could not be found" if exc.status_code == 404 else str(exc.detail),
    )


async def _csp_authorize(world: World, runner: Runner, max_body: int, request: Request) -> Response:
    """``POST /csp/gateway/am/api/auth/api-tokens/authorize``: an API token, sent as the form field
    ``refresh_token``, for a short access token to send as ``Authorization: CSPToken <token>``."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
        return json_response(
            {"error": "unsupported_media_type", "message": f"Content-Type must be {FORM}"}, 415
        )
    form = parse_qs((await read_body(request, max_body)).decode("utf-8", "replace"))
    api_token = (form.get("refresh_token") or [""])[0]
    if not api_token:
        return json_response(
            {"error": "invalid_request", "error_description": "refresh_token is required"}, 400
        )

    def trade() -> Any:
        principal = world.api_tokens.principal_for(api_token, OPS)
        return world.sessions.open(principal, OPS, lifetime=CSP_ACCESS_LIFETIME)

    try:
        opened = await runner.call(trade)
    except Unauthenticated:
        return json_response({"error": "invalid_grant", "error_description": "Invalid refresh token"}, 400)
    return json_response(
        {
            "id_token": secrets.token_urlsafe(32),
            "token_type": "bearer",
            "expires_in": CSP_ACCESS_LIFETIME,
            "scope": "openid group_ids group_names",
            "access_token": opened.session_id,
            "refresh_token": api_token,
        }
    )


def csp_routes(world: World, max_body: int) -> list[Route]:
    runner = Runner(inline_reads=world.kind == "sqlite")

    async def authorize(request: Request) -> Response:
        return await _csp_authorize(world, runner, max_body, request)

    return [Route("/csp/gateway/am/api/auth/api-tokens/authorize", authorize, methods=["POST"])]


def build(world: World, max_body: int) -> Starlette:
    face = OpsFace(world, max_body)
    routes = [
        Route("/api/auth/token/acquire", face.acquire, methods=["POST"]),
        Route("/api/auth/token/release", face.release, methods=["POST"]),
        Route("/api/versions/current", face.version, methods=["GET"]),
        Route("/api/adapterkinds", face.adapter_kinds, methods=["GET"]),
        Route("/api/adapterkinds/{key}", face.adapter_kind, methods=["GET"]),
        Route("/api/adapterkinds/{key}/resourcekinds", face.resource_kinds, methods=["GET"]),
        Route("/api/resources", face.resources, methods=["GET"]),
        Route("/api/resources/{id}", face.resource, methods=["GET"]),
    ]
    handlers = {
        OpsError: _on_ops_error,
        WorldError: _on_world_error,
        BodyError: _on_body_error,
        HTTPException: _on_http_error,
        Exception: _on_unexpected,
    }
    return Starlette(routes=routes, exception_handlers=handlers)
