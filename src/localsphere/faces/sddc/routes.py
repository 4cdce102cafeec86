"""The SDDC Manager face, ``/v1``: tokens, users, roles, SSO domains and the local account."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from localsphere.faces.http import Runner, bearer, json_response, note_principal, parse_json, read_body
from localsphere.faces.sddc import errors, wire
from localsphere.world import World
from localsphere.world.access import SDDC, Grant, require
from localsphere.world.errors import Unauthenticated
from localsphere.world.identity import GROUP, USER
from localsphere.world.tokens import JwtProfile, TokenPair

PROFILE = JwtProfile(issuer="vcf-auth", audience="sddc-services")
T = TypeVar("T")


class SddcFace:
    def __init__(self, world: World, max_body: int) -> None:
        self.world = world
        self.max_body = max_body
        self.runner = Runner(inline_reads=world.kind == "sqlite")

    async def authorized(
        self, request: Request, privilege: str, work: Callable[[], T], write: bool = False
    ) -> T:
        """Check the bearer token and the privilege, then do ``work``: one trip to the world."""
        token = bearer(request)
        if token is None:
            raise Unauthenticated("token.missing", errors.MISSING_AUTH)

        def checked() -> T:
            caller = self.world.tokens.authenticate(token, SDDC, PROFILE)
            note_principal(request, caller.principal.upn)
            require(caller, privilege)
            return work()

        return await (self.runner.call(checked) if write else self.runner.read(checked))

    async def body(self, request: Request) -> bytes:
        return await read_body(request, self.max_body)

    # Tokens: no bearer needed (an earlier, stale one is ignored); the credential is in the body.

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

    async def get_users(self, request: Request) -> Response:
        grants = await self.authorized(request, "USER_READ", partial(self.world.access.grants, SDDC))
        return json_response(wire.page([wire.user(g) for g in grants]))

    async def get_ui_users(self, request: Request) -> Response:
        grants = await self.authorized(
            request, "USER_READ", partial(self.world.access.grants, SDDC, (USER, GROUP))
        )
        return json_response(wire.page([wire.user(g) for g in grants]))

    async def add_users(self, request: Request) -> Response:
        body = await self.body(request)

        def add() -> list[Grant]:
            return self.world.access.grant(SDDC, wire.grant_requests(parse_json(body)))

        grants = await self.authorized(request, "USER_WRITE", add, write=True)
        return json_response(wire.page([wire.user(g) for g in grants]), 201)

    async def remove_user(self, request: Request) -> Response:
        work = partial(self.world.access.revoke, SDDC, request.path_params["id"])
        await self.authorized(request, "USER_WRITE", work, write=True)
        return Response(status_code=204)

    async def get_roles(self, request: Request) -> Response:
        roles = await self.authorized(request, "USER_READ", partial(self.world.access.roles, SDDC))
        return json_response(wire.page([wire.role(r) for r in roles]))

    async def get_sso_domains(self, request: Request) -> Response:
        names = await self.authorized(request, "USER_READ", self.world.identity.domain_names)
        return json_response(wire.page(names))

    async def get_sso_domain_entities(self, request: Request) -> Response:
        work = partial(
            self.world.identity.entities,
            request.path_params["domain"],
            request.query_params.get("entityName"),
        )
        found = await self.authorized(request, "USER_READ", work)
        return json_response(wire.page([wire.entity(p) for p in found]))

    # The local account admin@local.

    async def get_local_account(self, request: Request) -> Response:
        account = await self.authorized(request, "USER_READ", self.world.auth.local_account)
        return json_response(wire.local_user(account))

    async def update_local_password(self, request: Request) -> Response:
        body = await self.body(request)

        def change() -> None:
            new, old = wire.password_info(parse_json(body))
            self.world.auth.set_local_password(new, old)

        await self.authorized(request, "USER_WRITE", change, write=True)
        return Response(status_code=204)

    async def disable_local_account(self, request: Request) -> Response:
        await self.authorized(request, "USER_WRITE", self.world.auth.disable_local_account, write=True)
        return Response(status_code=204)

    async def update_local_config(self, request: Request) -> Response:
        body = await self.body(request)

        def configure() -> None:
            enforce = wire.local_config(parse_json(body))
            if enforce is not None:
                self.world.auth.set_local_expiry(enforce)

        await self.authorized(request, "USER_WRITE", configure, write=True)
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
