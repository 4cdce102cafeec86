"""vRA 6.2's catalog, approval and work item services: ``/catalog-service/api`` (services,
catalog items, entitlements for a catalog administrator; a consumer's entitled catalog items,
request templates and requests), ``/approval-service/api`` (approval policies and their types)
and ``/workitem-service/api`` (an approver's work items, approved or rejected). Every list pages
and filters as the identity service's do (``paging.py``); errors are vRA's (``errors.py``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import parse_json, read_body
from localsphere.faces.routing import FaceRoute
from localsphere.faces.vra import catalog_wire as wire
from localsphere.faces.vra import paging, resources_wire
from localsphere.faces.vra.face import Handler, VraService, route_table
from localsphere.faces.vra.formats import render
from localsphere.faces.vra.resources import SUPPORTS, ResourceService, add_routes
from localsphere.world import World
from localsphere.world.errors import NotFound
from localsphere.world.listing import Counted
from localsphere.world.tenant_roles import TenantCaller

CATALOG, APPROVAL, WORKITEM = "/catalog-service/api", "/approval-service/api", "/workitem-service/api"
PREFIXES = (CATALOG, APPROVAL, WORKITEM)
# Who administers the catalog and its approval policies: catalog and approval administrators,
# and the tenant's administrator.
CATALOG_ADMIN = ("CATALOG_ADMINISTRATION", "MY_TENANT_MANAGEMENT")
APPROVAL_ADMIN = ("APPROVAL_POLICY_MANAGEMENT", "MY_TENANT_MANAGEMENT")


class CatalogService(VraService):
    def __init__(self, world: World, max_body: int, resources: ResourceService) -> None:
        super().__init__(world, max_body)
        self.resources = resources

    # Administration.

    async def services(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller, *CATALOG_ADMIN)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.catalog.services, tenant.name, asked)
        return self.page(request, asked, found, [wire.service(s) for s in found.items])

    async def catalog_items(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller, *CATALOG_ADMIN)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.catalog.items, tenant.name, asked)
        return self.page(request, asked, found, [wire.catalog_item(i) for i in found.items])

    async def catalog_item(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller, *CATALOG_ADMIN)
        view = await self.runner.read(self.world.catalog.item, tenant.name, request.path_params["id"])
        return render(request, wire.catalog_item(view))

    async def entitlements(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller, *CATALOG_ADMIN)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.catalog.entitlements, tenant.name, asked)
        return self.page(request, asked, found, [wire.entitlement(e) for e in found.items])

    async def entitlement(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller, *CATALOG_ADMIN)
        view = await self.runner.read(self.world.catalog.entitlement, tenant.name, request.path_params["id"])
        return render(request, wire.entitlement(view))

    async def create_entitlement(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller, *CATALOG_ADMIN)
        spec = wire.entitlement_spec(await self.body(request))
        view = await self.runner.call(self.world.catalog.create_entitlement, tenant.name, spec)
        return self.created(request, view.id, wire.entitlement(view))

    # The consumer's catalog.

    async def entitled_items(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.catalog.items, tenant.name, asked, caller.groups(tenant))
        return self.page(request, asked, found, [wire.entitled_item(i) for i in found.items])

    async def consumer_items(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.catalog.items, tenant.name, asked, caller.groups(tenant))
        return self.page(request, asked, found, [wire.catalog_item(i) for i in found.items])

    async def entitled_item(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller)
        view = await self.runner.read(
            self.world.catalog.item, tenant.name, request.path_params["id"], caller.groups(tenant)
        )
        return render(request, wire.entitled_item(view))

    async def request_template(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller)
        view = await self.runner.read(
            self.world.catalog.item, tenant.name, request.path_params["id"], caller.groups(tenant)
        )
        return render(request, wire.template(view, caller.caller.principal.upn))

    async def submit(self, request: Request, caller: TenantCaller) -> Response:
        """POST a CatalogItemRequest (or, to ``consumer/requests``, a ResourceActionRequest, as the
        Guide's reprovision does): 201, its absolute ``Location`` for the client to poll."""
        tenant = await self.own_tenant(caller)
        body = await self.body(request)
        if "id" not in request.path_params and resources_wire.is_action_request(body):
            return await self.resources.act(request, caller, resources_wire.action_spec(body))
        spec = wire.request_spec(body, request.path_params.get("id"), tenant.name)
        view = await self.runner.call(
            self.world.requests.submit,
            tenant.name,
            caller.caller.principal,
            caller.groups(tenant),
            spec,
            frozenset(caller.groups_with(tenant, SUPPORTS)),
        )
        return self.created(request, view.id, wire.request(view), f"{CATALOG}/consumer/requests")

    async def my_requests(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller)
        asked = paging.listing(request)
        found = await self.runner.read(
            self.world.requests.list, tenant.name, self.mine(tenant, caller), asked
        )
        return self.page(request, asked, found, [wire.request(r) for r in found.items])

    async def my_request(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller)
        view = await self.runner.read(
            self.world.requests.get, tenant.name, request.path_params["id"], self.mine(tenant, caller)
        )
        return render(request, wire.request(view))

    # Approval policies.

    async def policies(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller, *APPROVAL_ADMIN)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.approvals.policies, tenant.name, asked)
        return self.page(request, asked, found, [wire.policy(p) for p in found.items])

    async def policy(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller, *APPROVAL_ADMIN)
        view = await self.runner.read(self.world.approvals.policy, tenant.name, request.path_params["id"])
        return render(request, wire.policy(view))

    async def create_policy(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller, *APPROVAL_ADMIN)
        name, description, levels = wire.policy_spec(await self.body(request))
        view = await self.runner.call(
            self.world.approvals.create_policy, tenant.name, name, levels, description
        )
        return self.created(request, view.id, wire.policy(view))

    async def policy_types(self, request: Request, caller: TenantCaller) -> Response:
        await self.own_tenant(caller, *APPROVAL_ADMIN)
        asked = paging.listing(request)
        types = wire.POLICY_TYPE_LIST
        page = types[asked.offset : asked.offset + asked.limit]
        return self.page(request, asked, Counted(page, len(types)), page)

    # Work items.

    async def work_items(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller)
        asked = paging.listing(request)
        found = await self.runner.read(
            self.world.approvals.work_items, tenant.name, caller.caller.principal, asked
        )
        return self.page(request, asked, found, [wire.work_item(w) for w in found.items])

    async def work_item(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.own_tenant(caller)
        view = await self.runner.read(
            self.world.approvals.work_item, tenant.name, caller.caller.principal, request.path_params["id"]
        )
        return render(request, wire.work_item(view))

    async def complete(self, request: Request, caller: TenantCaller) -> Response:
        """POST .../workitems/{id}/actions/{action}: 201 with the completed work item."""
        tenant = await self.own_tenant(caller)
        item_id = request.path_params["id"]
        action_id = request.path_params["action"]
        action = wire.ACTIONS.get(action_id)
        if action is None:
            raise NotFound("work_item.action", f"No work item action {action_id}.")
        raw = await read_body(request, self.max_body)  # the Guide's approve JSON, or nothing
        justification, form = wire.completion(parse_json(raw) if raw.strip() else {}, item_id, action_id)
        principal = caller.caller.principal
        await self.runner.call(
            self.world.requests.complete, tenant.name, principal, item_id, action, justification, form
        )
        view = await self.runner.read(self.world.approvals.work_item, tenant.name, principal, item_id)
        return render(request, wire.work_item(view), 201)


def build(world: World, max_body: int) -> list[FaceRoute]:
    """The catalog, approval and work item services' routes, each path also with a trailing
    slash."""
    routes = CatalogService(world, max_body, ResourceService(world, max_body))
    tables = {prefix: route_table(routes) for prefix in PREFIXES}

    def add(prefix: str, method: str, path: str, handler: Handler) -> None:
        tables[prefix][1](method, path, handler)

    add(CATALOG, "GET", "/services", routes.services)
    add(CATALOG, "GET", "/catalogItems", routes.catalog_items)
    add(CATALOG, "GET", "/catalogItems/{id}", routes.catalog_item)
    add(CATALOG, "GET", "/entitlements", routes.entitlements)
    add(CATALOG, "POST", "/entitlements", routes.create_entitlement)
    add(CATALOG, "GET", "/entitlements/{id}", routes.entitlement)
    add(CATALOG, "GET", "/consumer/catalogItems", routes.consumer_items)
    add(CATALOG, "GET", "/consumer/entitledCatalogItems", routes.entitled_items)
    add(CATALOG, "GET", "/consumer/entitledCatalogItems/{id}", routes.entitled_item)
    add(CATALOG, "GET", "/consumer/entitledCatalogItems/{id}/requests/template", routes.request_template)
    add(CATALOG, "POST", "/consumer/entitledCatalogItems/{id}/requests", routes.submit)
    add(CATALOG, "GET", "/consumer/requests", routes.my_requests)
    add(CATALOG, "POST", "/consumer/requests", routes.submit)
    add(CATALOG, "GET", "/consumer/requests/{id}", routes.my_request)
    add_routes(tables[CATALOG][1], routes.resources)
    add(APPROVAL, "GET", "/policies", routes.policies)
    add(APPROVAL, "POST", "/policies", routes.create_policy)
    add(APPROVAL, "GET", "/policies/{id}", routes.policy)
    add(APPROVAL, "GET", "/policytypes", routes.policy_types)
    add(WORKITEM, "GET", "/workitems", routes.work_items)
    add(WORKITEM, "GET", "/workitems/{id}", routes.work_item)
    add(WORKITEM, "POST", "/workitems/{id}/actions/{action}", routes.complete)
    return [route for prefix, (table, _) in tables.items() for route in table.build(prefix)]
