"""One vAPI endpoint, two transports: REST (``/api/...``, plain JSON, session in the
``vmware-api-session-id`` header) and JSON-RPC 2.0 (``POST /api``, typed JSON, session in the
security context). Both find the same ``Operation`` and call the same ``run``."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from localsphere.faces.http import BodyError, Runner, json_response, note_principal, parse_json, read_body
from localsphere.faces.vapi.errors import AUTH_REQUIRED, CHALLENGE, VapiError, from_world
from localsphere.faces.vapi.operations import Context, Operation
from localsphere.faces.vapi.types import Bad
from localsphere.world import World
from localsphere.world.auth import digest
from localsphere.world.errors import WorldError

log = logging.getLogger("localsphere.vapi")
SESSION_HEADER = "vmware-api-session-id"
USER_PASS = "com.vmware.vapi.std.security.user_pass"
SESSION_ID = "com.vmware.vapi.std.security.session_id"


@dataclass(frozen=True)
class Credentials:
    session_id: str | None = None
    username: str | None = None
    password: str | None = None


class Endpoint:
    def __init__(self, world: World, family: str, operations: Iterable[Operation], max_body: int) -> None:
        self.world = world
        self.family = family
        self.max_body = max_body
        self.runner = Runner(inline_reads=world.kind == "sqlite")
        self.by_name = {(op.service, op.name): op for op in operations}

    # Running an operation, whichever transport brought it.

    async def invoke(
        self,
        request: Request,
        op: Operation,
        credentials: Credentials,
        read_input: Any,
        op_id: str | None = None,
    ) -> Any:
        def work() -> Any:
            context = self._authenticate(op, credentials)
            note_principal(request, context.upn)
            values = read_input()
            if context.session is not None and op.privilege is not None:
                self._authorize(op, context, values, op_id)
            return op.run(context, values)

        return await (
            self.runner.call(work) if op.write or not op.session_required else self.runner.read(work)
        )

    def _authenticate(self, op: Operation, credentials: Credentials) -> Context:
        if not op.session_required:
            if credentials.username is None or credentials.password is None:
                raise _authentication_required()
            principal = self.world.auth.sign_in(
                credentials.username, password=credentials.password, sso_only=True
            )
            return Context(principal=principal)
        if not credentials.session_id:
            raise _authentication_required()
        session = self.world.sessions.check(credentials.session_id, self.family)
        return Context(session=session, session_id=credentials.session_id)

    def _authorize(self, op: Operation, context: Context, values: dict[str, Any], op_id: str | None) -> None:
        assert op.privilege is not None and context.session_id is not None
        scope = values[op.scope] if op.scope is not None else None
        self.world.authorize(context.caller, digest(context.session_id), op.privilege, scope, op_id)

    # REST

    def rest_routes(self) -> list[Route]:
        paths: dict[str, list[Operation]] = {}
        for op in self.by_name.values():
            paths.setdefault(op.path, []).append(op)
        routes = []
        for path, ops in paths.items():
            methods = sorted({op.method for op in ops})
            routes.append(Route(_starlette_path(path), self._rest_handler(ops), methods=methods))
        return routes

    def _rest_handler(self, ops: list[Operation]) -> Any:
        async def handle(request: Request) -> Response:
            try:
                action = request.query_params.get("action")
                op = next((o for o in ops if o.method == request.method and o.action == action), None)
                if op is None:
                    raise VapiError(
                        "OPERATION_NOT_FOUND",
                        f"No operation for {request.method} with action {action}",
                        "com.vmware.vapi.rest.operation_not_found",
                    )
                body = await read_body(request, self.max_body) if op.body else b""
                path = {_param_name(k, op.path): v for k, v in request.path_params.items()}
                query = [(k, v) for k, v in request.query_params.multi_items() if k != "action"]

                def read_input() -> dict[str, Any]:
                    given = parse_json(body) if op.body and (op.body != "*" or body.strip()) else None
                    return op.rest_input(path, query, given)

                opid = request.headers.get("vapi-ctx-opid")
                result = await self.invoke(request, op, rest_credentials(request), read_input, opid)
                if op.output is None:
                    return Response(status_code=204)
                return json_response(op.output.rest(result), op.status)
            except Exception as exc:  # every failure leaves in the vAPI error shape
                return rest_error(to_vapi(exc, request))

        return handle

    # JSON-RPC

    async def rpc(self, request: Request) -> Response:
        request_id: Any = None
        try:
            message = parse_json(await read_body(request, self.max_body))
            if not isinstance(message, dict) or message.get("method") != "invoke":
                return json_response(_rpc_fault(None, -32600, "Invalid Request"))
            request_id = message.get("id")
            params = message.get("params")
            if not isinstance(params, dict):
                return json_response(_rpc_fault(request_id, -32602, "Invalid params"))
            op = self.by_name.get((params.get("serviceId"), params.get("operationId")))
            if op is None:
                raise VapiError(
                    "OPERATION_NOT_FOUND",
                    f"Operation {params.get('operationId')} of {params.get('serviceId')} not found",
                    "vapi.method.input.invalid.interface",
                )
            security = (params.get("ctx") or {}).get("securityCtx") or {}
            result = await self.invoke(
                request,
                op,
                rpc_credentials(security),
                lambda: op.rpc_input(params.get("input")),
                _op_id(params),
            )
            output = None if op.output is None else op.output.rpc(result)
            return json_response({"jsonrpc": "2.0", "id": request_id, "result": {"output": output}})
        except BodyError as exc:
            return json_response(_rpc_fault(request_id, -32700, f"Parse error: {exc.detail}"))
        except Exception as exc:
            error = to_vapi(exc, request)
            return json_response({"jsonrpc": "2.0", "id": request_id, "result": {"error": error.rpc()}})


def _authentication_required() -> VapiError:
    return VapiError("UNAUTHENTICATED", "Authentication required.", AUTH_REQUIRED)


def to_vapi(exc: Exception, request: Request) -> VapiError:
    if isinstance(exc, VapiError):
        return exc
    if isinstance(exc, WorldError):
        return from_world(exc)
    if isinstance(exc, Bad):
        return VapiError("INVALID_ARGUMENT", str(exc), "vapi.data.structure.field.invalid", [exc.where])
    if isinstance(exc, BodyError):
        return VapiError("INVALID_ARGUMENT", exc.detail, "vapi.json.parse.error")
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return VapiError("ERROR", "Internal server error", "com.vmware.vapi.std.errors.error")


def rest_error(error: VapiError) -> Response:
    headers = {"www-authenticate": CHALLENGE} if error.kind == "UNAUTHENTICATED" else None
    return json_response(error.rest(), error.status, headers)


def rest_credentials(request: Request) -> Credentials:
    session_id = request.headers.get(SESSION_HEADER)
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return Credentials(session_id=session_id)
        return Credentials(session_id=session_id, username=username, password=password)
    return Credentials(session_id=session_id)


def rpc_credentials(security: dict[str, Any]) -> Credentials:
    scheme = security.get("schemeId")
    if scheme == USER_PASS:
        user, password = security.get("userName"), security.get("password")
        if isinstance(password, dict):
            password = password.get("SECRET")
        if isinstance(user, str) and isinstance(password, str):
            return Credentials(username=user, password=password)
    if scheme == SESSION_ID:
        session_id = security.get("sessionId")
        if isinstance(session_id, dict):
            session_id = session_id.get("SECRET")
        if isinstance(session_id, str):
            return Credentials(session_id=session_id)
    return Credentials()


def _op_id(params: dict[str, Any]) -> str | None:
    app = (params.get("ctx") or {}).get("appCtx") or {}
    value = app.get("opId") if isinstance(app, dict) else None
    return value if isinstance(value, str) else None


def _rpc_fault(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def _starlette_path(path: str) -> str:
    """Starlette wants identifiers as path parameter names: ``{resource-pool}`` -> ``{resource_pool}``."""
    return "/".join(p.replace("-", "_") if p.startswith("{") else p for p in path.split("/"))


def _param_name(starlette_name: str, path: str) -> str:
    for piece in path.split("/"):
        if piece.startswith("{") and piece[1:-1].replace("-", "_") == starlette_name:
            return piece[1:-1]
    return starlette_name
