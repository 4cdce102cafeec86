"""The VCF Operations face, ``/suite-api`` (and the cloud path ``/vrops-cloud/suite-api``): token
acquire and release, the version, the adapters' kinds, the world's inventory as resources with
their relationships, and their metrics. JSON or XML by the Accept header; every error is the
product's error body with ``httpStatusCode``."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Scope

from localsphere.faces.http import (
    Runner,
    note_principal,
)
from localsphere.faces.ops import resources as res
from localsphere.faces.ops import xml
from localsphere.faces.ops.auth import AuthSection, exchange_token, vidb_well_known_url
from localsphere.faces.ops.queries import Queries, known
from localsphere.faces.ops.stats import QueryError, StatQuery, listed, pushed_stats, stats_of_resources
from localsphere.faces.ops.thresholds import with_thresholds
from localsphere.faces.ops.wire import (
    DEFAULT_PAGE_SIZE,
    OpsError,
    error_body,
    page_body,
    paging,
    read_document,
    reply,
)
from localsphere.faces.routing import FaceRoute, Routes, answers, status_answers
from localsphere.runtime.lifecycle import Lifecycle, WhileServing
from localsphere.runtime.limits import InFlightCounters, InFlightLimit
from localsphere.world import World
from localsphere.world import inventory as inv
from localsphere.world.access import OPS, Caller, require_somewhere
from localsphere.world.errors import Forbidden, Invalid, NotFound, Unauthenticated
from localsphere.world.inventory import ObjectView

SCHEMES = ("OpsToken", "vRealizeOpsToken", "CSPToken")
TOKEN_EXPIRED = 1512  # the apiErrorCode of an invalid or expired token
VIEW = "ViewEnvironment"
MANAGE = "ManageResources"
PREFIXES = ("/suite-api", "/vrops-cloud/suite-api")  # on premises, and in the cloud
VERSION = {
    "releaseName": "VCF Operations 9.1.0.0",
    "major": 9,
    "minor": 1,
    "minorMinor": 0,
    "patch": 0,
    "releasedDate": 1772568000000,
    "humanlyReadableReleaseDate": "Tuesday, March 3, 2026 at 12:00:00 PM Pacific Standard Time",
}  # the product sends "description": null, which its spec does not allow (a string); left out
RELATIONS = ("PARENT", "CHILD", "ALL")
WORLD_STATUS = {NotFound: 404, Forbidden: 403, Invalid: 400, Unauthenticated: 401}


def _epoch_ms(epoch: float) -> int:
    return int(epoch * 1000)


def _human(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%A, %B %-d, %Y %-I:%M:%S %p UTC")


class OpsFace:
    def __init__(self, world: World, max_body: int) -> None:
        self.world = world
        self.max_body = max_body
        self.runner = Runner(world.store)
        self.auth_section = AuthSection(world, self.runner, max_body)

    def _token(self, request: Request) -> tuple[str, str]:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme not in SCHEMES or not token.strip():
            raise OpsError(
                401, "Authentication required: send Authorization: OpsToken <token>", TOKEN_EXPIRED
            )
        return scheme, token.strip()

    async def authenticate(self, request: Request) -> Caller:
        """The route table's credential check: the token of the Authorization header (any of the
        product's schemes), before anything else of the request is read."""
        scheme, token = self._token(request)

        def check() -> Caller:
            try:
                return self.world.sessions.check(token, OPS).caller
            except Unauthenticated:
                raise expired(scheme) from None

        caller = await self.runner.read(check)
        note_principal(request, caller.principal.upn)
        return caller

    async def acquire(self, request: Request) -> Response:
        spec = await read_document(request, self.max_body, "username-password")
        if (
            not isinstance(spec, dict)
            or not isinstance(spec.get("username"), str)
            or not isinstance(spec.get("password"), str)
        ):
            raise OpsError(400, "username and password are required")

        source = spec.get("authSource")
        if source is not None and not isinstance(source, str):
            raise OpsError(400, "authSource must be a string")

        def sign_in() -> tuple[Any, list[str]]:
            principal = self.auth_section.sign_in(spec["username"], spec["password"], source)
            note_principal(request, principal.upn)
            roles = self.world.access.role_names(principal.id, OPS)
            return (self.world.sessions.open(principal, OPS) if roles else None), roles

        try:
            opened, roles = await self.runner.call(sign_in)
        except Unauthenticated:
            raise OpsError(401, "Invalid username or password") from None
        if opened is None:
            raise OpsError(403, "The user has no role in VCF Operations")
        token = {
            "token": opened.session_id,
            "validity": _epoch_ms(opened.expires_at),
            "expiresAt": _human(opened.expires_at),
            "roles": roles,
        }
        return reply(request, "auth-token", token)

    async def release(self, request: Request, _caller: Caller) -> Response:
        scheme, token = self._token(request)
        try:
            await self.runner.call(self.world.sessions.close, token, OPS)
        except Unauthenticated:
            raise expired(scheme) from None
        return Response(status_code=200)

    async def version(self, request: Request, _caller: Caller) -> Response:
        return reply(request, "version", VERSION)

    async def versions(self, request: Request, _caller: Caller) -> Response:
        """``GET /api/versions``: the versions this server speaks (the current one)."""
        return reply(request, "versions", {"values": [VERSION]})

    async def adapter_kinds(self, request: Request, _caller: Caller) -> Response:
        return reply(request, "adapter-kinds", {"adapter-kind": [res.adapter(k) for k in res.ADAPTERS]})

    async def adapter_kind(self, request: Request, _caller: Caller) -> Response:
        return reply(request, "adapter-kind", res.adapter(_adapter(request)))

    async def resource_kinds(self, request: Request, _caller: Caller) -> Response:
        key = _adapter(request)
        kinds = [res.resource_kind(key, k) for k in res.RESOURCE_KINDS[key]]
        return reply(request, "resource-kinds", {"adapterKind": key, "resource-kind": kinds})

    async def resource_kind(self, request: Request, _caller: Caller) -> Response:
        key, kind = _adapter(request), _kind(request)
        return reply(request, "resource-kind", res.resource_kind(key, kind))

    async def kind_identifiers(self, request: Request, _caller: Caller) -> Response:
        _adapter(request)
        details = [{**t, "defaultValue": ""} for t in res.identifier_types(_kind(request))]
        return reply(request, "resource-identifiers-details", {"resourceIdentifiersDetails": details})

    async def kind_stat_keys(self, request: Request, _caller: Caller) -> Response:
        _adapter(request)
        kind = _kind(request)
        attributes = res.stat_attributes(self.world.metrics.keys_of(res.WORLD_KINDS.get(kind, "")))
        return reply(request, "resource-kind-attributes", {"resourceTypeAttributes": attributes})

    async def kind_properties(self, request: Request, _caller: Caller) -> Response:
        _adapter(request)
        attributes = res.property_attributes(_kind(request))
        return reply(request, "resource-kind-attributes", {"resourceTypeAttributes": attributes})

    async def resources(self, request: Request, caller: Caller) -> Response:
        """``/api/resources`` and the same list under an adapter kind or one of its resource kinds:
        those the caller sees (all, or those of the scopes its permissions are limited to)."""
        query = request.query_params
        adapters = [_adapter(request)] if "key" in request.path_params else query.getlist("adapterKind")
        if any(a != res.VMWARE for a in adapters):
            return reply(request, "resources", page_body(request, 0, 0, DEFAULT_PAGE_SIZE, [], {}))
        wanted = [_kind(request)] if "kind" in request.path_params else query.getlist("resourceKind")
        unknown = [k for k in wanted if k not in res.WORLD_KINDS]
        if unknown:
            raise OpsError(404, f"Resource kind {unknown[0]} not found for adapter kind VMWARE")
        kinds = {res.WORLD_KINDS[k] for k in wanted} or set(res.WORLD_KINDS.values())
        names = query.getlist("name")
        uuids = set(query.getlist("resourceId")) or None
        page, size = paging(request)
        sight = await self.runner.read(self.world.inventory.sight, caller)
        total, found = await self.runner.read(
            self.world.inventory.page, kinds, names[0] if names else None, uuids, page * size, size, sight
        )
        vcenter = await self.runner.read(self._vcenter)
        items = [res.resource(o, vcenter) for o in found]
        return reply(request, "resources", page_body(request, total, page, size, items, {}))

    async def resource(self, request: Request, caller: Caller) -> Response:
        found = await self.runner.read(self._object, request.path_params["id"], caller)
        return reply(request, "resource", res.resource(found, await self.runner.read(self._vcenter)))

    async def relationships(self, request: Request, caller: Caller) -> Response:
        relation = str(
            request.path_params.get("relation") or request.query_params.get("relationshipType") or "ALL"
        ).upper()
        if relation not in RELATIONS:
            raise OpsError(400, f"Invalid relationshipType {relation}")
        page, size = paging(request)

        def related() -> list[ObjectView]:
            o = self._object(request.path_params["id"], caller)
            found = []
            if relation in ("PARENT", "ALL"):
                found += self.world.inventory.related(o, parents=True)
            if relation in ("CHILD", "ALL"):
                found += self.world.inventory.related(o, parents=False)
            return [r for r in found if r.kind in res.KINDS and self._sees(caller, r)]

        found = await self.runner.read(related)
        vcenter = await self.runner.read(self._vcenter)
        items = [res.resource(o, vcenter) for o in found[page * size : (page + 1) * size]]
        body = page_body(request, len(found), page, size, items, {"relationshipType": relation})
        return reply(request, "resource-relation", body)

    async def stat_keys(self, request: Request, caller: Caller) -> Response:
        """``/api/resources/{id}/statkeys``, or ``/api/resources/statkeys?resourceId=``."""
        rid = request.path_params.get("id") or request.query_params.get("resourceId")
        if not rid:
            raise OpsError(400, "resourceId is required")
        search = (request.query_params.get("searchstring") or "").lower()

        def keys() -> list[str]:
            return self.world.metrics.stat_keys(self._object(rid, caller))

        found = [{"key": k} for k in await self.runner.read(keys) if search in k.lower()]
        return reply(request, "stat-keys", {"stat-key": found})

    async def stats(self, request: Request, caller: Caller) -> Response:
        """Every stats read: GET with query parameters or POST with a ``stat-query`` body, of one
        resource (``{id}`` in the path) or of the ``resourceId`` list; latest or over a range."""
        latest = request.url.path.rstrip("/").endswith("latest") or "/latest/" in request.url.path
        if request.method == "POST":
            body = await read_document(
                request, self.max_body, "latest-stat-query" if latest else "stat-query"
            )
            if not isinstance(body, dict):
                raise OpsError(400, "The body must be a stat-query object")

            def params(name: str) -> list[Any]:
                return listed(body.get(name))

        else:
            params = request.query_params.getlist
        try:
            query = StatQuery.parse(params, latest)
        except QueryError as exc:
            raise OpsError(400, str(exc)) from None
        one = request.path_params.get("id")
        ids = [one] if one else query.resource_ids
        if not ids:
            raise OpsError(400, "resourceId is required")
        found = await self.runner.read(self._stats, ids, query, one is not None, caller)
        return reply(request, "stats-of-resources", stats_of_resources(found))

    async def dynamic_thresholds(self, request: Request, caller: Caller) -> Response:
        """``POST /api/resources/stats/dt/query`` (a ``dt-stat-query``): the raw samples of
        ``statKeys`` of ``resourceIds`` (the last 24 hours unless ``begin``/``end`` say), each with
        its dynamic thresholds and, with ``showSmooth``, smoothed by ``smoothFactor``."""
        body = await read_document(request, self.max_body, "dt-stat-query")
        if not isinstance(body, dict):
            raise OpsError(400, "The body must be a dt-stat-query object")
        names = {"resourceId": "resourceIds", "statKey": "statKeys"}
        try:
            query = StatQuery.parse(lambda name: listed(body.get(names.get(name, name))), False)
        except QueryError as exc:
            raise OpsError(400, str(exc)) from None
        if not query.resource_ids or not query.keys:
            raise OpsError(400, "At least one resource id and one stat key are required")
        factor = body.get("smoothFactor", 1.0)
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 < factor <= 1e6:
            raise OpsError(400, "smoothFactor must be a positive number")
        smoothing = float(factor) if body.get("showSmooth") is True else None
        found = await self.runner.read(self._stats, query.resource_ids, query, False, caller)
        shaped = [(rid, [with_thresholds(stat, smoothing) for stat in stats]) for rid, stats in found]
        return reply(request, "stats-of-resources", stats_of_resources(shaped))

    def _stats(
        self, ids: list[str], query: StatQuery, one: bool, caller: Caller
    ) -> list[tuple[str, list[dict[str, Any]]]]:
        """Each resource's stats the query asks for; a resource that does not exist (or that the
        caller does not see) is skipped, unless ``one`` names it (404), and 404 when none is left."""
        found = []
        for rid in dict.fromkeys(ids):
            try:
                o = self._object(rid, caller)
            except OpsError:
                if one:
                    raise
                continue
            series = self.world.metrics.series(o, query.keys, query.begin, query.end, query.latest)
            found.append((rid, [query.shape(s) for s in series]))
        if not found:
            raise OpsError(404, "None of the resources could be found")
        return found

    async def push_stats(self, request: Request, caller: Caller) -> Response:
        """``POST /api/resources/{id}/stats`` (``stat-contents``) and ``POST /api/resources/stats``
        (``resources-stat-contents``): samples from outside, kept with the resource."""
        one = request.path_params.get("id")
        body = await read_document(
            request, self.max_body, "stat-contents" if one else "resources-stat-contents"
        )
        try:
            pushes = pushed_stats(body, one)
        except QueryError as exc:
            raise OpsError(400, str(exc)) from None

        def store() -> None:
            for rid, contents in pushes:
                self.world.metrics.push(self._object(rid, caller, MANAGE), contents)

        await self.runner.call(store)
        return Response(status_code=200)

    def _object(self, rid: str, caller: Caller, privilege: str = VIEW) -> ObjectView:
        """The resource ``rid``, which the caller must see (404 otherwise, as for one that does not
        exist) and hold ``privilege`` on (403)."""
        found = known(self.world, rid, caller, privilege)
        if found is None:
            raise OpsError(404, f"Resource {rid} not found")
        return found

    def _sees(self, caller: Caller, o: ObjectView) -> bool:
        return known(self.world, o.uuid, caller) is not None

    def _vcenter(self) -> str:
        return self.world.inventory.get(inv.FOLDER, inv.ROOT_FOLDER).uuid


def _adapter(request: Request) -> str:
    key = request.path_params["key"]
    if key not in res.ADAPTERS:
        raise OpsError(404, f"Adapter kind {key} not found")
    return key


def _kind(request: Request) -> str:
    key, kind = request.path_params["key"], request.path_params["kind"]
    if kind not in res.RESOURCE_KINDS[key]:
        raise OpsError(404, f"Resource kind {kind} not found for adapter kind {key}")
    return kind


def expired(scheme: str) -> OpsError:
    return OpsError(
        401, f'The provided token for auth scheme "{scheme}" is either invalid or has expired.', TOKEN_EXPIRED
    )


def _on_ops_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OpsError)
    return error_body(request, exc.status, exc.message, exc.code)


_plain, _internal = status_answers(
    error_body,
    "Unsupported method for URL",
    "The requested resource could not be found",
    "Internal server error (request {rid})",
    WORLD_STATUS,
)


answer = answers(
    {
        OpsError: _on_ops_error,
        **_plain,
    },
    _internal,
)


def retry_later(scope: Scope, status: int, message: str, seconds: int) -> Response:
    response = error_body(Request(scope), status, message)
    response.headers["Retry-After"] = str(seconds)
    return response


async def unavailable(scope: Scope) -> Response:
    """503, while the server starts or drains."""
    return retry_later(scope, 503, "The server is starting or shutting down; try again later", 5)


async def _too_busy(scope: Scope) -> Response:
    """429, before the request is routed, authenticated or read: from bodies encoded once, so
    that clients ignoring ``Retry-After`` cost little and do not starve admitted requests."""
    as_xml = xml.wants_xml(Headers(scope=scope).get("accept"))
    body, media_type = _busy_body(as_xml)
    return Response(body, 429, {"Retry-After": "1"}, media_type)


@cache
def _busy_body(as_xml: bool) -> tuple[bytes, str]:
    error = {
        "message": "Too many requests in flight; the request was rejected, try again later",
        "httpStatusCode": 429,
    }
    if as_xml:
        return xml.encode("error", error), "application/xml"
    return orjson.dumps(error), "application/json"


def build(world: World, max_body: int, in_flight: InFlightCounters, lifecycle: Lifecycle) -> list[FaceRoute]:
    """The suite-api under each of its ``PREFIXES``, admitting requests only within the server's
    in-flight limits and while the worker is not draining; then every operation but token
    acquisition checks the token, then the privilege it declares."""
    face = OpsFace(world, max_body)
    get, post = "GET", "POST"
    kind = "/api/adapterkinds/{key}/resourcekinds/{kind}"
    # A role limited to a scope lets its holder call what the role allows; the resources it then
    # reads are those of the scope (``known``, ``Inventory.sight``).
    table: Routes[Caller] = Routes(answer, face.authenticate, require_somewhere)
    table.anonymous(post, "/api/auth/token/acquire", face.acquire)
    table.anonymous(get, "/api/auth/sources/vidb/well-known-url", vidb_well_known_url)

    async def exchange(request: Request, _caller: Caller) -> Response:
        return await exchange_token(request, max_body)

    table.add(post, "/api/auth/token/exchange", exchange, None)
    table.add(post, "/api/auth/token/release", face.release)
    table.add(get, "/api/versions", face.versions)
    auth = face.auth_section
    table.anonymous(get, "/api/auth/sources", auth.sources)
    put, delete, users = "PUT", "DELETE", "ManageUsers"
    for method, path, handler, privilege in (
        (get, "/api/auth/currentuser", auth.current_user, VIEW),
        (post, "/api/auth/sources", auth.create_source, users),
        (put, "/api/auth/sources", auth.update_source, users),
        ("PATCH", "/api/auth/sources", auth.update_source, users),
        (post, "/api/auth/sources/test", auth.test_source, users),  # before {sourceId}
        ("PATCH", "/api/auth/sources/test", auth.test_source, users),
        (get, "/api/auth/sources/{sourceId}", auth.source, VIEW),
        (delete, "/api/auth/sources/{sourceId}", auth.delete_source, users),
        (post, "/api/auth/sources/{id}/users", auth.import_users, users),
        (post, "/api/auth/sources/{id}/users/search", auth.search_users, users),
        (post, "/api/auth/sources/{id}/usergroups/search", auth.search_groups, users),
        (get, "/api/auth/privileges", auth.privileges, VIEW),
        (get, "/api/auth/privilegegroups", auth.privilege_groups, VIEW),
        (get, "/api/auth/sourcetypes", auth.source_types, VIEW),
        (get, "/api/auth/sourcetypes/{sourceId}", auth.source_type, VIEW),
        (get, "/api/auth/scopes", auth.scopes, VIEW),
        (post, "/api/auth/scopes", auth.create_scope, users),
        (put, "/api/auth/scopes", auth.modify_scope, users),
        (delete, "/api/auth/scopes", auth.delete_scopes, users),
        (put, "/api/auth/sources/{id}/usergroups/synchronize", auth.synchronize_groups, users),
        (put, "/api/auth/users/{userId}/traversalspecs", auth.assign_traversal_spec, users),
        (put, "/api/auth/usergroups/{groupId}/traversalspecs", auth.assign_traversal_spec, users),
        (get, "/api/auth/scopes/{scopeId}", auth.scope, VIEW),
        (get, "/api/auth/traversalspecs", auth.traversal_specs, VIEW),
        (get, "/api/auth/roles", auth.roles, VIEW),
        (get, "/api/auth/roles/{roleName}", auth.role, VIEW),
        (get, "/api/auth/roles/{roleName}/privileges", auth.role_privileges, VIEW),
        (post, "/api/auth/roles", auth.create_role, users),
        (put, "/api/auth/roles", auth.update_role, users),
        (delete, "/api/auth/roles/{roleName}", auth.delete_role, users),
        (post, "/api/auth/roles/{roleName}/privileges", auth.edit_role_privileges, users),
        (put, "/api/auth/roles/{roleName}/privileges", auth.edit_role_privileges, users),
        (delete, "/api/auth/roles/{roleName}/privileges", auth.edit_role_privileges, users),
        (get, "/api/auth/users", auth.users, users),
        (put, "/api/auth/users/passwordchange", auth.change_password, None),  # before users/{id}
        (get, "/api/auth/users/{id}", auth.user, users),
        (post, "/api/auth/users", auth.create_user, users),
        (put, "/api/auth/users", auth.modify_user, users),
        (delete, "/api/auth/users", auth.delete_users, users),
        (delete, "/api/auth/users/{id}", auth.delete_users, users),
        (get, "/api/auth/usergroups", auth.groups, users),
        (get, "/api/auth/usergroups/{id}", auth.group, users),
        (post, "/api/auth/usergroups", auth.create_group, users),
        (put, "/api/auth/usergroups", auth.modify_group, users),
        (delete, "/api/auth/usergroups", auth.delete_groups, users),
        (delete, "/api/auth/usergroups/{id}", auth.delete_groups, users),
        (get, "/api/auth/currentuser/permissions", auth.permissions, VIEW),
        (get, "/api/auth/currentuser/roles/{roleName}/privileges", auth.current_role_privileges, VIEW),
        (get, "/api/auth/users/{userId}/permissions", auth.permissions, users),
        (put, "/api/auth/users/{userId}/permissions", auth.assign_permission, users),
        (delete, "/api/auth/users/{userId}/permissions/{roleName}", auth.unassign_permission, users),
        (get, "/api/auth/usergroups/{groupId}/permissions", auth.permissions, users),
        (put, "/api/auth/usergroups/{groupId}/permissions", auth.assign_permission, users),
        (delete, "/api/auth/usergroups/{groupId}/permissions/{roleName}", auth.unassign_permission, users),
    ):
        table.add(method, path, handler, privilege)
    queries = Queries(world, face.runner, max_body)
    for method, path, handler in (
        (get, "/api/versions/current", face.version),
        (get, "/api/adapterkinds", face.adapter_kinds),
        (get, "/api/adapterkinds/{key}", face.adapter_kind),
        (get, "/api/adapterkinds/{key}/resources", face.resources),
        (get, "/api/adapterkinds/{key}/resourcekinds", face.resource_kinds),
        (get, kind, face.resource_kind),
        (get, f"{kind}/identifiers", face.kind_identifiers),
        (get, f"{kind}/properties", face.kind_properties),
        (get, f"{kind}/resources", face.resources),
        (get, f"{kind}/statkeys", face.kind_stat_keys),
        (get, "/api/resources", face.resources),
        (get, "/api/resources/statkeys", face.stat_keys),
        (get, "/api/resources/stats", face.stats),
        (post, "/api/resources/stats/query", face.stats),
        (get, "/api/resources/stats/latest", face.stats),
        (post, "/api/resources/stats/latest/query", face.stats),
        (post, "/api/resources/stats/dt/query", face.dynamic_thresholds),
        (get, "/api/resources/properties", queries.properties_of_many),  # before {id}: routes match in order
        (get, "/api/resources/{id}", face.resource),
        (get, "/api/resources/{id}/properties", queries.properties),
        (get, "/api/resources/{id}/relationships", face.relationships),
        (get, "/api/resources/{id}/relationships/{relation}", face.relationships),
        (get, "/api/resources/{id}/statkeys", face.stat_keys),
        (get, "/api/resources/{id}/stats", face.stats),
        (post, "/api/resources/{id}/stats/query", face.stats),
        (get, "/api/resources/{id}/stats/latest", face.stats),
    ):
        table.add(method, path, handler, VIEW)
    table.add(post, "/api/resources/query", queries.resources, VIEW)
    table.add(post, "/api/resources/properties/latest/query", queries.latest_properties, VIEW)
    table.add(post, "/api/resources/stats", face.push_stats, MANAGE)
    table.add(post, "/api/resources/{id}/stats", face.push_stats, MANAGE)

    def gate(app: ASGIApp) -> ASGIApp:
        return WhileServing(InFlightLimit(app, in_flight, _too_busy), lifecycle, unavailable)

    return [route for prefix in PREFIXES for route in table.build(prefix, gate)]
