"""vRA 6.2's catalog resources on ``/catalog-service/api``: a consumer's provisioned resources
(``consumer/resources``, by type at ``consumer/resources/types/{type}`` and
``consumer/resourceTypes/{type}``), one resource's details, resource views (of all, and of one
request), the resource types, and each resource's actions: the list, an action's request
template, and submitting it (201 with the absolute ``Location`` of the request, which runs the
catalog's request lifecycle). Who sees what is the world's (``resources.py``): the owner, and
the managers of the machine's business group."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.vra import paging
from localsphere.faces.vra import resources_wire as wire
from localsphere.faces.vra.catalog_wire import request as request_json
from localsphere.faces.vra.face import Handler, VraService
from localsphere.faces.vra.formats import render
from localsphere.world.errors import NotFound
from localsphere.world.listing import Counted
from localsphere.world.requests import ActionSpec
from localsphere.world.resource_actions import Action, find
from localsphere.world.resources import ResourceView
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import TenantView

# Who sees and acts on a business group's machines: its managers and support users, whose roles
# hold this permission (a support user acts for the group's members, as vRA's does).
SUPPORTS = "SUBTENANT_SUPPORT"


class ResourceService(VraService):
    async def _viewer(self, caller: TenantCaller) -> tuple[TenantView, str, frozenset[str]]:
        """The caller's tenant, name and the business groups it manages or supports there."""
        tenant = await self.own_tenant(caller)
        return tenant, caller.caller.principal.upn, frozenset(caller.groups_with(tenant, SUPPORTS))

    async def _list(
        self, request: Request, caller: TenantCaller, type_id: str | None, request_id: str | None
    ) -> Counted[ResourceView]:
        tenant, upn, managed = await self._viewer(caller)
        asked = paging.listing(request)
        return await self.runner.read(
            self.world.resources.list, tenant.name, upn, managed, asked, type_id, request_id
        )

    async def resources(self, request: Request, caller: TenantCaller) -> Response:
        asked = paging.listing(request)
        found = await self._list(request, caller, request.path_params.get("type"), None)
        return self.page(request, asked, found, [wire.resource(r) for r in found.items])

    async def _of_request(self, request: Request, caller: TenantCaller) -> Counted[ResourceView]:
        """The resources, of the path's request when it names one (a request the caller sees,
        else NotFound)."""
        request_id = request.path_params.get("id")
        if request_id is not None:
            tenant = await self.own_tenant(caller)
            await self.runner.read(
                self.world.requests.get, tenant.name, request_id, self.mine(tenant, caller)
            )
        return await self._list(request, caller, None, request_id)

    async def request_resources(self, request: Request, caller: TenantCaller) -> Response:
        """A request's resources, as ``consumer/resources`` answers them: what vra-sdk 1.1.0's
        ``get_request_result`` reads (the 6.2 Guide finds them by ``$filter=request/id``, p. 55)."""
        asked = paging.listing(request)
        found = await self._of_request(request, caller)
        return self.page(request, asked, found, [wire.resource(r) for r in found.items])

    async def resource_views(self, request: Request, caller: TenantCaller) -> Response:
        asked = paging.listing(request)
        found = await self._of_request(request, caller)
        base = f"{request.url.scheme}://{request.url.netloc}"
        return self.page(request, asked, found, [wire.resource_view(r, base) for r in found.items])

    async def resource(self, request: Request, caller: TenantCaller) -> Response:
        tenant, upn, managed = await self._viewer(caller)
        view = await self.runner.read(
            self.world.resources.get, tenant.name, upn, managed, request.path_params["id"]
        )
        return render(request, wire.resource(view))

    async def resource_types(self, request: Request, caller: TenantCaller) -> Response:
        await self.own_tenant(caller)
        asked = paging.listing(request)
        page = wire.RESOURCE_TYPES[asked.offset : asked.offset + asked.limit]
        return self.page(request, asked, Counted(page, len(wire.RESOURCE_TYPES)), page)

    async def actions(self, request: Request, caller: TenantCaller) -> Response:
        """The actions the resource offers now (Guide 6.2 pp. 127-129)."""
        tenant, upn, managed = await self._viewer(caller)
        view = await self.runner.read(
            self.world.resources.get, tenant.name, upn, managed, request.path_params["id"]
        )
        asked = paging.listing(request)
        page = list(view.actions[asked.offset : asked.offset + asked.limit])
        return self.page(request, asked, Counted(page, len(view.actions)), [wire.operation(a) for a in page])

    async def action_template(self, request: Request, caller: TenantCaller) -> Response:
        tenant, upn, managed = await self._viewer(caller)
        view = await self.runner.read(
            self.world.resources.get, tenant.name, upn, managed, request.path_params["id"]
        )
        action = _action(request.path_params["action"], view.actions)
        return render(request, wire.action_template(view, action))

    async def submit_action(self, request: Request, caller: TenantCaller) -> Response:
        """POST a ResourceActionRequest for the path's resource and action."""
        spec = wire.action_spec(
            await self.body(request), request.path_params["id"], request.path_params["action"]
        )
        return await self.act(request, caller, spec)

    async def act(self, request: Request, caller: TenantCaller, spec: ActionSpec) -> Response:
        """Submit a resource action request: 201, the request's absolute ``Location``."""
        tenant, _upn, managed = await self._viewer(caller)
        view = await self.runner.call(
            self.world.requests.submit_action, tenant.name, caller.caller.principal, managed, spec
        )
        return self.created(request, view.id, request_json(view), f"{wire.CATALOG}/consumer/requests")


def _action(ref: str, offered: tuple[Action, ...]) -> Action:
    found = find(ref)
    if found is None or found not in offered:
        raise NotFound("resource.action.not_found", f"Resource action {ref} is not available.", ref)
    return found


def add_routes(add: Callable[[str, str, Handler], None], routes: ResourceService) -> None:
    """The resource paths, added with ``add(method, path, handler)`` to the catalog service's table."""
    add("GET", "/consumer/resources", routes.resources)
    add("GET", "/consumer/resources/types/{type}", routes.resources)
    add("GET", "/consumer/resourceTypes/{type}", routes.resources)
    add("GET", "/consumer/resourceTypes", routes.resource_types)
    add("GET", "/consumer/resources/{id}", routes.resource)
    add("GET", "/consumer/resourceViews", routes.resource_views)
    add("GET", "/consumer/requests/{id}/resourceViews", routes.resource_views)
    add("GET", "/consumer/requests/{id}/resources", routes.request_resources)
    add("GET", "/consumer/resources/{id}/actions", routes.actions)
    add("GET", "/consumer/resources/{id}/actions/{action}/requests/template", routes.action_template)
    add("POST", "/consumer/resources/{id}/actions/{action}/requests", routes.submit_action)
