"""What every vRA service's routes share: the bearer-token caller, the JSON body, the paged
envelope, a 201 with the new object's ``Location``, and a route table whose paths also answer with
a trailing slash, as vRA's own do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import Runner, bearer, note_principal, parse_json, read_body
from localsphere.faces.routing import Routes
from localsphere.faces.vra import errors, paging
from localsphere.faces.vra.formats import render
from localsphere.world import World
from localsphere.world.errors import NotFound, Unauthenticated
from localsphere.world.listing import Counted, Listing
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import TenantView

Handler = Callable[[Request, TenantCaller], Awaitable[Response]]
# Who sees every request of the tenant, not just their own.
ALL_REQUESTS = frozenset({"CATALOG_CONSUME_TENANT_MGMT"})


class VraService:
    def __init__(self, world: World, max_body: int) -> None:
        self.world = world
        self.max_body = max_body
        self.runner = Runner(world.store)

    async def authenticate(self, request: Request) -> TenantCaller:
        """The route table's credential check: the bearer token, before anything else is read."""
        token = bearer(request)
        if token is None:
            raise Unauthenticated("token.missing", "Authentication required.")
        caller = await self.runner.read(self.world.tenant_tokens.check, token)
        note_principal(request, caller.caller.principal.upn)
        return caller

    async def body(self, request: Request) -> object:
        return parse_json(await read_body(request, self.max_body))

    async def own_tenant(self, caller: TenantCaller, *permissions: str) -> TenantView:
        """The tenant the caller signed in to (these services name none in their paths); when
        ``permissions`` are named, the caller must hold one of them there (else Forbidden)."""
        found = await self.runner.read(self.world.tenants.find, caller.tenant)
        if found is None:
            raise NotFound("tenant.not_found", f"Tenant {caller.tenant} not found.", caller.tenant)
        if permissions:
            caller.require(found, *permissions)
        return found

    @staticmethod
    def mine(tenant: TenantView, caller: TenantCaller) -> str | None:
        """Whose requests the caller sees: its own, or (None) all the tenant's."""
        return None if caller.privileges(tenant) & ALL_REQUESTS else caller.caller.principal.upn

    @staticmethod
    def page(request: Request, asked: Listing, found: Counted[Any], content: list[Any]) -> Response:
        return render(request, paging.envelope(request, asked, found, content))

    @staticmethod
    def created(
        request: Request, new_id: object, content: dict[str, Any] | None = None, collection: str | None = None
    ) -> Response:
        """201 with the new object's absolute URL in ``Location`` (its collection's, the request's
        path unless ``collection`` names another, plus its id), and its body when ``content`` is
        given (else none, as the key pair's and network profile's creation answer in the
        Programming Guide)."""
        at = request.url.replace(path=collection, query="") if collection else request.url.replace(query="")
        location = f"{at}".rstrip("/") + f"/{new_id}"
        response = render(request, content, 201) if content is not None else Response(status_code=201)
        response.headers["Location"] = location
        return response


def route_table(service: VraService) -> tuple[Routes[TenantCaller], Callable[[str, str, Handler], None]]:
    """A table checking the bearer token, and how to add a path to it with and without a
    trailing slash."""
    table: Routes[TenantCaller] = Routes(errors.answer, service.authenticate)

    def add(method: str, path: str, handler: Handler) -> None:
        table.add(method, path, handler)
        table.add(method, path + "/", handler)

    return table, add
