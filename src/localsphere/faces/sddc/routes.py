"""The SDDC Manager face, ``/v1``: tokens, users, roles, SSO domains and the local account."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from localsphere.faces.http import bearer, call, json_response, read_body, read_json
from localsphere.faces.sddc import errors, wire
from localsphere.world import World
from localsphere.world.access import SDDC, Caller, require
from localsphere.world.errors import Unauthenticated
from localsphere.world.identity import GROUP, USER
from localsphere.world.tokens import JwtProfile

PROFILE = JwtProfile(issuer="vcf-auth", audience="sddc-services")


class SddcFace:
    def __init__(self, world: World, max_body: int) -> None:
        self.world = world
        self.max_body = max_body

    async def caller(self, request: Request, privilege: str) -> Caller:
        token = bearer(request)
        if token is None:
            raise Unauthenticated("token.missing", errors.MISSING_AUTH)
        caller = await call(self.world.tokens.authenticate, token, SDDC, PROFILE)
        require(caller, privilege)
        return caller

    async def body(self, request: Request) -> object:
        return await read_json(request, self.max_body)

    # Tokens: no bearer needed (an earlier, stale one is ignored); the credential is in the body.

    async def create_token(self, request: Request) -> Response:
        username, password, api_key = wire.token_spec(await self.body(request))
        principal = await call(self.world.auth.sign_in, username, password=password, api_key=api_key)
        pair = await call(self.world.tokens.issue, principal, SDDC, PROFILE)
        return json_response(wire.token_pair(pair), 200)

    async def refresh_access_token(self, request: Request) -> Response:
        refresh_id = wire.bare_string(await read_body(request, self.max_body))
        return json_response(await call(self.world.tokens.refresh, refresh_id, PROFILE))

    async def invalidate_refresh_token(self, request: Request) -> Response:
        refresh_id = wire.bare_string(await read_body(request, self.max_body))
        await call(self.world.tokens.revoke_refresh, refresh_id)
        return Response(status_code=204)

    # Users and roles.

    async def get_users(self, request: Request) -> Response:
        await self.caller(request, "USER_READ")
        grants = await call(self.world.access.grants, SDDC)
        return json_response(wire.page([wire.user(g) for g in grants]))

    async def get_ui_users(self, request: Request) -> Response:
        await self.caller(request, "USER_READ")
        grants = await call(self.world.access.grants, SDDC, (USER, GROUP))
        return json_response(wire.page([wire.user(g) for g in grants]))

    async def add_users(self, request: Request) -> Response:
        await self.caller(request, "USER_WRITE")
        requests = wire.grant_requests(await self.body(request))
        grants = await call(self.world.access.grant, SDDC, requests)
        return json_response(wire.page([wire.user(g) for g in grants]), 201)

    async def remove_user(self, request: Request) -> Response:
        await self.caller(request, "USER_WRITE")
        await call(self.world.access.revoke, SDDC, request.path_params["id"])
        return Response(status_code=204)

    async def get_roles(self, request: Request) -> Response:
        await self.caller(request, "USER_READ")
        roles = await call(self.world.access.roles, SDDC)
        return json_response(wire.page([wire.role(r) for r in roles]))

    async def get_sso_domains(self, request: Request) -> Response:
        await self.caller(request, "USER_READ")
        return json_response(wire.page(await call(self.world.identity.domain_names)))

    async def get_sso_domain_entities(self, request: Request) -> Response:
        await self.caller(request, "USER_READ")
        found = await call(
            self.world.identity.entities,
            request.path_params["domain"],
            request.query_params.get("entityName"),
        )
        return json_response(wire.page([wire.entity(p) for p in found]))

    # The local account admin@local.

    async def get_local_account(self, request: Request) -> Response:
        await self.caller(request, "USER_READ")
        return json_response(wire.local_user(await call(self.world.auth.local_account)))

    async def update_local_password(self, request: Request) -> Response:
        await self.caller(request, "USER_WRITE")
        new, old = wire.password_info(await self.body(request))
        await call(self.world.auth.set_local_password, new, old)
        return Response(status_code=204)

    async def disable_local_account(self, request: Request) -> Response:
        await self.caller(request, "USER_WRITE")
        await call(self.world.auth.disable_local_account)
        return Response(status_code=204)

    async def update_local_config(self, request: Request) -> Response:
        await self.caller(request, "USER_WRITE")
        enforce = wire.local_config(await self.body(request))
        if enforce is not None:
            await call(self.world.auth.set_local_expiry, enforce)
        return Response(status_code=204)


def build(world: World, max_body: int) -> Starlette:
    face = SddcFace(world, max_body)
    routes = [
        Route("/tokens", face.create_token, methods=["POST"]),
        Route("/tokens/access-token/refresh", face.refresh_access_token, methods=["PATCH"]),
        Route("/tokens/refresh-token", face.invalidate_refresh_token, methods=["DELETE"]),
        Route("/users", face.get_users, methods=["GET"]),
        Route("/users", face.add_users, methods=["POST"]),
        Route("/users/ui", face.get_ui_users, methods=["GET"]),
        Route("/users/local/admin", face.get_local_account, methods=["GET"]),
        Route("/users/local/admin", face.update_local_password, methods=["PATCH"]),
        Route("/users/local/admin", face.disable_local_account, methods=["DELETE"]),
        Route("/users/local/admin/config", face.update_local_config, methods=["PATCH"]),
        Route("/users/{id}", face.remove_user, methods=["DELETE"]),
        Route("/roles", face.get_roles, methods=["GET"]),
        Route("/sso-domains", face.get_sso_domains, methods=["GET"]),
        Route("/sso-domains/{domain}/entities", face.get_sso_domain_entities, methods=["GET"]),
    ]
    return Starlette(routes=routes, exception_handlers=errors.HANDLERS)
