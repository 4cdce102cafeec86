"""The vRealize Automation 6.2 face, ``/identity/api``: bearer tokens, tenants, identity stores,
principals, business groups (subtenants) and role assignments. Every path also answers with a
trailing slash, as vRA's own do (the Programming Guide's role assignment ends in one)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import Runner, bearer, note_principal, parse_json, read_body
from localsphere.faces.routing import FaceRoute, Routes
from localsphere.faces.vra import catalog, errors, paging, wire
from localsphere.faces.vra.formats import render
from localsphere.world import World
from localsphere.world.errors import NotFound, Unauthenticated
from localsphere.world.identity import GROUP, USER
from localsphere.world.listing import Counted, Listing
from localsphere.world.tenant_roles import BUSINESS_GROUP, TenantCaller, role
from localsphere.world.tenants import TenantView

PREFIX = "/identity/api"
PREFIXES = (
    PREFIX,
    *catalog.PREFIXES,
)  # the identity service's, and the catalog's, approvals' and work items'
# The permissions that manage a tenant: the system administrator's anywhere, the tenant
# administrator's in its own tenant.
MANAGE = ("TENANT_MANAGEMENT", "MY_TENANT_MANAGEMENT")
Handler = Callable[[Request, TenantCaller], Awaitable[Response]]


class VraFace:
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

    async def tenant(self, request: Request, caller: TenantCaller, *permissions: str) -> TenantView:
        """The path's tenant, if the caller may see it (else NotFound) and, when ``permissions``
        are named, holds one of them there (else Forbidden)."""
        name = request.path_params["tenant"]
        found = await self.runner.read(self.world.tenants.find, name)
        try:
            if found is None:
                raise NotFound("tenant.not_found", "", name)
            held = caller.privileges(found)
        except NotFound:  # in the path's own words: nothing tells a hidden tenant from none
            raise NotFound("tenant.not_found", f"Tenant {name} not found.", name) from None
        if permissions:
            caller.require(found, *permissions, held=held)
        return found

    # Tokens.

    async def create_token(self, request: Request) -> Response:
        username, password, tenant = wire.token_spec(await self.body(request))
        issued = await self.runner.call(self.world.tenant_tokens.issue, tenant, username, password)
        note_principal(request, username)
        return render(request, wire.token(issued))

    async def validate_token(self, request: Request) -> Response:
        await self.runner.read(self.world.tenant_tokens.check, _token(request))
        return Response(status_code=204)

    async def delete_token(self, request: Request) -> Response:
        await self.runner.call(self.world.tenant_tokens.revoke, _token(request))
        return Response(status_code=204)

    # Tenants.

    async def list_tenants(self, request: Request, caller: TenantCaller) -> Response:
        asked = paging.listing(request)
        own = None if "TENANT_MANAGEMENT" in caller.system else caller.tenant
        found = await self.runner.read(self.world.tenants.list, asked, own)
        return self.page(request, asked, found, [wire.tenant(t) for t in found.items])

    async def get_tenant(self, request: Request, caller: TenantCaller) -> Response:
        return render(request, wire.tenant(await self.tenant(request, caller)))

    async def put_tenant(self, request: Request, caller: TenantCaller) -> Response:
        name = request.path_params["tenant"]
        spec = wire.tenant_spec(await self.body(request), name)
        existing = await self.runner.read(self.world.tenants.find, name)
        if "TENANT_MANAGEMENT" not in caller.system and name.lower() != caller.tenant.lower():
            # Another tenant, made or not: the same 404 either way, so nothing tells which exist.
            raise NotFound("tenant.not_found", f"Tenant {name} not found.", name)
        if existing is not None:
            caller.require(existing, *MANAGE)
        view, made = await self.runner.call(self.world.tenants.put, name, spec)
        return render(request, wire.tenant(view), 201 if made else 200)

    async def delete_tenant(self, request: Request, caller: TenantCaller) -> Response:
        found = await self.tenant(request, caller, "TENANT_MANAGEMENT")
        await self.runner.call(self.world.tenants.delete, found.name)
        return Response(status_code=204)

    # Identity stores.

    async def list_stores(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller, *MANAGE)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.identity_stores.list, found_tenant, asked)
        return self.page(request, asked, found, [wire.identity_store(s) for s in found.items])

    async def get_store(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller, *MANAGE)
        view = await self.runner.read(
            self.world.identity_stores.get, found_tenant, request.path_params["domain"]
        )
        return render(request, wire.identity_store(view))

    async def create_store(self, request: Request, caller: TenantCaller) -> Response:
        """POST to the collection: the domain is in the body; one already linked is a 400."""
        found_tenant = await self.tenant(request, caller, *MANAGE)
        domain, spec = wire.store_spec(await self.body(request), None)
        link = self.world.identity_stores.link
        view, _ = await self.runner.call(link, found_tenant, domain, spec, True)
        return render(request, wire.identity_store(view))

    async def put_store(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller, *MANAGE)
        domain, spec = wire.store_spec(await self.body(request), request.path_params["domain"])
        await self.runner.call(self.world.identity_stores.link, found_tenant, domain, spec)
        return Response(status_code=204)

    async def delete_store(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller, *MANAGE)
        await self.runner.call(self.world.identity_stores.unlink, found_tenant, request.path_params["domain"])
        return Response(status_code=204)

    # Principals.

    async def list_users(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        asked = paging.listing(request)
        parent = request.query_params.get("parentGroup")
        principals = self.world.tenant_principals
        criteria = request.query_params.get("criteria")
        if parent:
            found = await self.runner.call(principals.members, found_tenant, parent, USER, asked)
        elif criteria:  # the tenant's directories are searched, and what they hold kept
            found = await self.runner.call(principals.users, found_tenant, asked, criteria)
        else:
            found = await self.runner.read(principals.users, found_tenant, asked)
        return self.page(request, asked, found, [wire.principal(p, found_tenant.name) for p in found.items])

    async def get_principal(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        info = await self.runner.call(  # a user, or a group: the Guide looks either up here
            self.world.tenant_principals.get, found_tenant, request.path_params["principal"]
        )
        return render(request, wire.principal(info, found_tenant.name))

    async def list_groups(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        asked = paging.listing(request)
        criteria = request.query_params.get("criteria")
        principals = self.world.tenant_principals
        if criteria:
            found = await self.runner.call(principals.groups, found_tenant, asked, criteria)
        else:
            found = await self.runner.read(principals.groups, found_tenant, asked)
        return self.page(request, asked, found, [wire.principal(p, found_tenant.name) for p in found.items])

    async def assigned_groups(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.tenant_principals.assigned_groups, found_tenant, asked)
        return self.page(request, asked, found, [wire.principal(p, found_tenant.name) for p in found.items])

    async def group_subtenants(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        asked = paging.listing(request)
        groups = self.world.business_groups
        found = await self.runner.call(groups.of_principal, found_tenant, request.path_params["group"], asked)
        return self.page(request, asked, found, [wire.subtenant(g) for g in found.items])

    async def get_group(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        info = await self.runner.call(
            self.world.tenant_principals.get, found_tenant, request.path_params["group"], GROUP
        )
        return render(request, wire.principal(info, found_tenant.name))

    async def group_users(self, request: Request, caller: TenantCaller) -> Response:
        return await self._members(request, caller, USER)

    async def group_groups(self, request: Request, caller: TenantCaller) -> Response:
        return await self._members(request, caller, GROUP)

    async def _members(self, request: Request, caller: TenantCaller, kind: str) -> Response:
        found_tenant = await self.tenant(request, caller)
        asked = paging.listing(request)
        found = await self.runner.call(
            self.world.tenant_principals.members, found_tenant, request.path_params["group"], kind, asked
        )
        return self.page(request, asked, found, [wire.principal(p, found_tenant.name) for p in found.items])

    # Business groups.

    async def list_subtenants(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.business_groups.list, found_tenant, asked)
        return self.page(request, asked, found, [wire.subtenant(g) for g in found.items])

    async def create_subtenant(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller, *MANAGE)
        spec = wire.subtenant_spec(await self.body(request), found_tenant.name)
        view = await self.runner.call(self.world.business_groups.create, found_tenant, spec)
        location = f"{request.url.replace(query='')}".rstrip("/") + f"/{view.id}"
        response = render(request, wire.subtenant(view), 201)
        response.headers["Location"] = location
        return response

    async def get_subtenant(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        view = await self.runner.read(self.world.business_groups.get, found_tenant, request.path_params["id"])
        return render(request, wire.subtenant(view))

    async def put_subtenant(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller, *MANAGE)
        spec = wire.subtenant_spec(await self.body(request), found_tenant.name)
        view = await self.runner.call(
            self.world.business_groups.update, found_tenant, request.path_params["id"], spec
        )
        return render(request, wire.subtenant(view))

    async def delete_subtenant(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller, *MANAGE)
        await self.runner.call(self.world.business_groups.delete, found_tenant, request.path_params["id"])
        return Response(status_code=204)

    async def subtenant_roles(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        asked = paging.listing(request)
        view = await self.runner.read(self.world.business_groups.get, found_tenant, request.path_params["id"])
        found = await self.runner.read(self.world.tenant_roles.catalogue, asked, (BUSINESS_GROUP,))
        holders = view.roles or {}
        return self.page(
            request, asked, found, [wire.scope_role(r, holders.get(r.id, [])) for r in found.items]
        )

    async def role_holders(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        asked = paging.listing(request)
        params = request.path_params
        groups = self.world.business_groups
        found = await self.runner.read(groups.holders, found_tenant, params["id"], params["role"], asked)
        content = [{"principalId": wire.principal_id(n, d)} for n, d in found.items]
        return self.page(request, asked, found, content)

    async def add_role_holders(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.group_manager(request, caller)
        refs = wire.principal_refs(await self.body(request))
        await self.runner.call(
            self.world.business_groups.add_holders,
            found_tenant,
            request.path_params["id"],
            request.path_params["role"],
            refs,
        )
        return Response(status_code=204)

    async def remove_role_holder(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.group_manager(request, caller)
        await self.runner.call(
            self.world.business_groups.remove_holders,
            found_tenant,
            request.path_params["id"],
            request.path_params["role"],
            request.path_params.get("principal"),
        )
        return Response(status_code=204)

    async def group_manager(self, request: Request, caller: TenantCaller) -> TenantView:
        """The tenant, when the caller manages it or manages the path's business group."""
        found_tenant = await self.tenant(request, caller)
        held = caller.in_group(found_tenant, request.path_params["id"])
        caller.require(found_tenant, *MANAGE, "SUBTENANT_MANAGEMENT", held=held)
        return found_tenant

    # Authorization.

    async def list_roles(self, request: Request, _caller: TenantCaller) -> Response:
        asked = paging.listing(request)
        found = await self.runner.read(self.world.tenant_roles.catalogue, asked)
        return self.page(request, asked, found, [wire.role(r) for r in found.items])

    async def get_role(self, request: Request, _caller: TenantCaller) -> Response:
        return render(request, wire.role(role(request.path_params["role"])))

    async def principal_roles(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        asked = paging.listing(request)
        roles = self.world.tenant_roles
        found = await self.runner.call(
            roles.of, found_tenant, request.path_params["principal"], asked, caller
        )
        return self.page(request, asked, found, [wire.role(r) for r in found.items])

    async def assign_role(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        await read_body(request, self.max_body)  # the seed's "{}": nothing in it is read
        await self.runner.call(
            self.world.tenant_roles.assign,
            found_tenant,
            request.path_params["principal"],
            request.path_params["role"],
            caller,
        )
        return Response(status_code=204)

    async def unassign_role(self, request: Request, caller: TenantCaller) -> Response:
        found_tenant = await self.tenant(request, caller)
        await self.runner.call(
            self.world.tenant_roles.unassign,
            found_tenant,
            request.path_params["principal"],
            request.path_params["role"],
            caller,
        )
        return Response(status_code=204)

    @staticmethod
    def page(request: Request, asked: Listing, found: Counted[Any], content: list[Any]) -> Response:
        return render(request, paging.envelope(request, asked, found, content))


def _token(request: Request) -> str:
    """The token a path names; a trailing slash is the path's, not the token's (base64 of what
    ``TenantTokens`` writes never ends in one)."""
    return request.path_params["token"].removesuffix("/")


def build(world: World, max_body: int) -> list[FaceRoute]:
    """The face's routes: the identity service's under ``/identity/api``, then the catalog's."""
    face = VraFace(world, max_body)
    table: Routes[TenantCaller] = Routes(errors.answer, face.authenticate)

    def add(method: str, path: str, handler: Handler) -> None:
        table.add(method, path, handler)
        table.add(method, path + "/", handler)

    def anonymous(method: str, path: str, handler: Callable[[Request], Awaitable[Response]]) -> None:
        table.anonymous(method, path, handler)
        if not path.endswith("}"):
            table.anonymous(method, path + "/", handler)

    # Tokens: the credential is in the body, or the token is the path itself.
    anonymous("POST", "/tokens", face.create_token)
    anonymous("HEAD", "/tokens/{token:path}", face.validate_token)
    anonymous("DELETE", "/tokens/{token:path}", face.delete_token)
    add("GET", "/tenants", face.list_tenants)
    add("GET", "/tenants/{tenant}", face.get_tenant)
    add("PUT", "/tenants/{tenant}", face.put_tenant)
    add("POST", "/tenants/{tenant}", face.put_tenant)  # the Programming Guide's curl --data
    add("DELETE", "/tenants/{tenant}", face.delete_tenant)
    add("GET", "/tenants/{tenant}/directories", face.list_stores)
    add("POST", "/tenants/{tenant}/directories", face.create_store)
    add("GET", "/tenants/{tenant}/directories/{domain}", face.get_store)
    add("PUT", "/tenants/{tenant}/directories/{domain}", face.put_store)
    add("POST", "/tenants/{tenant}/directories/{domain}", face.put_store)  # the Guide's curl --data
    add("DELETE", "/tenants/{tenant}/directories/{domain}", face.delete_store)
    add("GET", "/tenants/{tenant}/principals", face.list_users)
    add("GET", "/tenants/{tenant}/principals/{principal}", face.get_principal)
    add("GET", "/tenants/{tenant}/groups", face.list_groups)
    add("GET", "/tenants/{tenant}/groups/assigned", face.assigned_groups)
    add("GET", "/tenants/{tenant}/groups/{group}", face.get_group)
    add("GET", "/tenants/{tenant}/groups/{group}/subtenants", face.group_subtenants)
    add("GET", "/tenants/{tenant}/groups/{group}/principals", face.group_users)
    add("GET", "/tenants/{tenant}/groups/{group}/groups", face.group_groups)
    add("GET", "/tenants/{tenant}/subtenants", face.list_subtenants)
    add("POST", "/tenants/{tenant}/subtenants", face.create_subtenant)
    add("GET", "/tenants/{tenant}/subtenants/{id}", face.get_subtenant)
    add("PUT", "/tenants/{tenant}/subtenants/{id}", face.put_subtenant)
    add("DELETE", "/tenants/{tenant}/subtenants/{id}", face.delete_subtenant)
    add("GET", "/tenants/{tenant}/subtenants/{id}/roles", face.subtenant_roles)
    add("DELETE", "/tenants/{tenant}/subtenants/{id}/roles/{role}", face.remove_role_holder)
    add("GET", "/tenants/{tenant}/subtenants/{id}/roles/{role}/principals", face.role_holders)
    add("POST", "/tenants/{tenant}/subtenants/{id}/roles/{role}/principals", face.add_role_holders)
    add("PUT", "/tenants/{tenant}/subtenants/{id}/roles/{role}/principals", face.add_role_holders)
    add("DELETE", "/tenants/{tenant}/subtenants/{id}/roles/{role}/principals", face.remove_role_holder)
    add(
        "DELETE",
        "/tenants/{tenant}/subtenants/{id}/roles/{role}/principals/{principal}",
        face.remove_role_holder,
    )
    add("GET", "/authorization/roles", face.list_roles)
    add("GET", "/authorization/roles/{role}", face.get_role)
    add("GET", "/authorization/tenants/{tenant}/principals/{principal}/roles", face.principal_roles)
    add("PUT", "/authorization/tenants/{tenant}/principals/{principal}/roles/{role}", face.assign_role)
    add("POST", "/authorization/tenants/{tenant}/principals/{principal}/roles/{role}", face.assign_role)
    add("DELETE", "/authorization/tenants/{tenant}/principals/{principal}/roles/{role}", face.unassign_role)
    return [*table.build(PREFIX), *catalog.build(face)]
