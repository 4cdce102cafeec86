"""The SDDC Manager face, ``/v1``: tokens, users, roles, SSO domains and the local account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import Runner, bearer, json_response, note_principal, parse_json, read_body
from localsphere.faces.routing import FaceRoute, Routes
from localsphere.faces.sddc import errors, wire
from localsphere.world import World
from localsphere.world.access import SDDC, Caller, require
from localsphere.world.errors import Unauthenticated
from localsphere.world.identity import GROUP, USER
from localsphere.world.tokens import JwtProfile, TokenPair

PROFILE = JwtProfile(issuer="vcf-auth", audience="sddc-services")


class SddcFace:
    def __init__(self, world: World, max_body: int) -> None:
        self.world = world
        self.max_body = max_body
        self.runner = Runner(world.store)

    async def authenticate(self, request: Request) -> Caller:
        """The route table's credential check: the bearer token, before anything else is read."""
        token = bearer(request)
        if token is None:
            raise Unauthenticated("token.missing", errors.MISSING_AUTH)
        caller = await self.runner.read(self.world.tokens.authenticate, token, SDDC, PROFILE)
        note_principal(request, caller.principal.upn)
        return caller

    async def body(self, request: Request) -> bytes:
        return await read_body(request, self.max_body)

    async def create_token(self, request: Request) -> Response:
        username, password, api_key = wire.token_spec(parse_json(await self.body(request)))

        def sign_in() -> TokenPair:
            principal = self.world.auth.sign_in(username, password=password, api_key=api_key)
            note_principal(request, principal.upn)
            return self.world.tokens.issue(principal, SDDC, PROFILE)

        return json_response(wire.token_pair(await self.runner.call(sign_in)), 200)

    async def refresh_access_token(self, request: Request) -> Response:
        refresh_id = wire.bare_string(await self.body(request))
        return json_response(await self.runner.call(self.world.tokens.refresh, refresh_id, PROFILE))

    async def invalidate_refresh_token(self, request: Request) -> Response:
        refresh_id = wire.bare_string(await self.body(request))
        await self.runner.call(self.world.tokens.revoke_refresh, refresh_id)
        return Response(status_code=204)

    # Users and roles.

    async def get_users(self, _request: Request, _caller: Caller) -> Response:
        grants = await self.runner.read(self.world.access.grants, SDDC)
        return json_response(wire.page([wire.user(g) for g in grants]))

    async def get_ui_users(self, _request: Request, _caller: Caller) -> Response:
        grants = await self.runner.read(self.world.access.grants, SDDC, (USER, GROUP))
        return json_response(wire.page([wire.user(g) for g in grants]))

    async def add_users(self, request: Request, _caller: Caller) -> Response:
        wanted = wire.grant_requests(parse_json(await self.body(request)))
        grants = await self.runner.call(self.world.access.grant, SDDC, wanted)
        return json_response(wire.page([wire.user(g) for g in grants]), 201)

    async def remove_user(self, request: Request, _caller: Caller) -> Response:
        await self.runner.call(self.world.access.revoke, SDDC, request.path_params["id"])
        return Response(status_code=204)

    async def get_roles(self, _request: Request, _caller: Caller) -> Response:
        roles = await self.runner.read(self.world.access.roles, SDDC)
        return json_response(wire.page([wire.role(r) for r in roles]))

    async def get_sso_domains(self, _request: Request, _caller: Caller) -> Response:
        return json_response(wire.page(await self.runner.read(self.world.identity.domain_names)))

    async def get_sso_domain_entities(self, request: Request, _caller: Caller) -> Response:
        found = await self.runner.read(
            self.world.identity.entities,
            request.path_params["domain"],
            request.query_params.get("entityName"),
        )
        return json_response(wire.page([wire.entity(p) for p in found]))

    # The local account admin@local.

    async def get_local_account(self, _request: Request, _caller: Caller) -> Response:
        return json_response(wire.local_user(await self.runner.read(self.world.auth.local_account)))

    async def update_local_password(self, request: Request, _caller: Caller) -> Response:
        new, old = wire.password_info(parse_json(await self.body(request)))
        await self.runner.call(self.world.auth.set_local_password, new, old)
        return Response(status_code=204)

    async def disable_local_account(self, _request: Request, _caller: Caller) -> Response:
        await self.runner.call(self.world.auth.disable_local_account)
        return Response(status_code=204)

    async def update_local_config(self, request: Request, _caller: Caller) -> Response:
        enforce = wire.local_config(parse_json(await self.body(request)))
        if enforce is not None:
            await self.runner.call(self.world.auth.set_local_expiry, enforce)
        return Response(status_code=204)


def build(world: World, max_body: int) -> list[FaceRoute]:
    """The face's routes, under ``/v1``."""
    face = SddcFace(world, max_body)
    read, write = "USER_READ", "USER_WRITE"
    table: Routes[Caller] = Routes(errors.answer, face.authenticate, require)
    # Tokens: no bearer needed (an earlier, stale one is ignored); the credential is in the body.
    table.anonymous("POST", "/tokens", face.create_token)
    table.anonymous("PATCH", "/tokens/access-token/refresh", face.refresh_access_token)
    table.anonymous("DELETE", "/tokens/refresh-token", face.invalidate_refresh_token)
    table.add("GET", "/users", face.get_users, read)
    table.add("POST", "/users", face.add_users, write)
    table.add("GET", "/users/ui", face.get_ui_users, read)
    table.add("GET", "/users/local/admin", face.get_local_account, read)
    table.add("PATCH", "/users/local/admin", face.update_local_password, write)
    table.add("DELETE", "/users/local/admin", face.disable_local_account, write)
    table.add("PATCH", "/users/local/admin/config", face.update_local_config, write)
    table.add("DELETE", "/users/{id}", face.remove_user, write)
    table.add("GET", "/roles", face.get_roles, read)
    table.add("GET", "/sso-domains", face.get_sso_domains, read)
    table.add("GET", "/sso-domains/{domain}/entities", face.get_sso_domain_entities, read)
    return table.build("/v1")
