"""One vAPI endpoint, three transports: REST (``/api/...``, plain JSON), the legacy REST of
vSphere 6.5 to 7.0 (``/rest/...``, answers in ``{"value": ...}``), both with the session in the
``vmware-api-session-id`` header or cookie, and JSON-RPC 2.0 (``POST /api``, typed JSON, session
in the security context). All find the same ``Operation`` and call the same ``run``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from localsphere.faces.http import (
    InputError,
    Runner,
    check_query,
    json_response,
    note_principal,
    parse_json,
    read_body,
)
from localsphere.faces.routing import FaceRoute, Handler, RouteMiss, complete_allow, log_internal
from localsphere.faces.vapi.errors import CHALLENGE, VapiError, from_world, qualifies, vapi_error
from localsphere.faces.vapi.operations import Context, Operation
from localsphere.faces.vapi.types import Bad
from localsphere.world import World
from localsphere.world.auth import digest
from localsphere.world.errors import WorldError

SESSION_HEADER = "vmware-api-session-id"  # also the name of the session cookie
LEGACY = "/rest"  # where the legacy REST API is served
USER_PASS = "com.vmware.vapi.std.security.user_pass"
SESSION_ID = "com.vmware.vapi.std.security.session_id"


@dataclass(frozen=True)
class Credentials:
    session_id: str | None = None
    username: str | None = None
    password: str | None = None


class Endpoint:
    def __init__(
        self,
        world: World,
        family: str,
        operations: Iterable[Operation],
        max_body: int,
        instance: Callable[[], str] | None = None,
    ) -> None:
        """``instance``: the product instance's UUID, with which some messages qualify identifiers
        (``vm-3192:19595054-...``); read only when such a message is answered."""
        self.instance = instance
        self.world = world
        self.family = family
        self.max_body = max_body
        self.runner = Runner(world.store)
        self.by_name = {(op.service, op.name): op for op in operations}

    # Running an operation, whichever transport brought it: authenticate first, from the headers
    # or the security context alone; only then read the input, check the privilege and run.

    async def authenticate(self, request: Request, op: Operation, credentials: Credentials) -> Context:
        """Who calls: the session (its check is a read), or for a sign-in the principal whose
        password was verified (a write: it counts failures towards a lockout)."""
        if not op.session_required:
            if credentials.username is None or credentials.password is None:
                raise _authentication_required()
            # A password verified lately is recognised without a thread hop (a read); any other
            # sign-in verifies and counts on a world thread.
            principal = await self.runner.read(
                self.world.auth.recognise, credentials.username, credentials.password, True
            ) or await self.runner.call(
                partial(
                    self.world.auth.sign_in,
                    credentials.username,
                    password=credentials.password,
                    sso_only=True,
                )
            )
            context = Context(principal=principal)
        elif not credentials.session_id:
            raise _authentication_required()
        else:
            session = await self.runner.read(self.world.sessions.check, credentials.session_id, self.family)
            context = Context(session=session, session_id=credentials.session_id)
        note_principal(request, context.upn)
        return context

    async def perform(
        self, op: Operation, context: Context, read_input: Callable[[], dict[str, Any]], op_id: str | None
    ) -> Any:
        """Read the input, check the privilege on the object it names, and run the operation."""

        def work() -> Any:
            try:
                values = read_input()
                if context.session is not None and op.privilege is not None:
                    self._authorize(op, context, values, op_id)
                return op.run(context, values)
            except Bad as exc:
                raise vapi_error(exc.reason, f"{op.service}.{op.name}", str(exc)) from exc
            except WorldError as exc:
                if self.instance is not None and qualifies(exc):
                    raise from_world(exc, self.instance()) from exc
                raise

        return await (
            self.runner.call(work) if op.write or not op.session_required else self.runner.read(work)
        )

    async def invoke(
        self,
        request: Request,
        op: Operation,
        credentials: Credentials,
        read_input: Callable[[], dict[str, Any]],
        op_id: str | None = None,
    ) -> Any:
        """Authenticate, then perform: for transports whose input is already read."""
        context = await self.authenticate(request, op, credentials)
        return await self.perform(op, context, read_input, op_id)

    def _authorize(self, op: Operation, context: Context, values: dict[str, Any], op_id: str | None) -> None:
        assert op.privilege is not None and context.session_id is not None
        scope = values[op.scope] if op.scope is not None else None
        self.world.authorize(context.caller, digest(context.session_id), op.privilege, scope, op_id)

    # REST

    def rest_routes(self, prefix: str) -> list[FaceRoute]:
        """One route per path, under ``prefix``; every operation needs a session or, to sign in,
        a user's password."""
        paths: dict[str, list[Operation]] = {}
        for op in self.by_name.values():
            paths.setdefault(op.path, []).append(op)
        routes = []
        for path, ops in paths.items():
            methods = sorted({op.method for op in ops})
            handlers = {m: self._rest_handler([op for op in ops if op.method == m]) for m in methods}
            actions = {m: [op.action for op in ops if op.method == m] for m in methods}
            route = FaceRoute(prefix + _starlette_path(path), handlers, rest_answer, actions=actions)
            routes.append(route)
        return complete_allow(routes)

    def _rest_handler(self, ops: list[Operation]) -> Handler:
        if len({op.session_required for op in ops}) > 1:
            raise ValueError(f"the operations of {ops[0].method} {ops[0].path} take different credentials")

        async def handle(request: Request) -> Response:
            # The credential first (the same for every operation of the path and method), then
            # the query, whose action names the operation.
            context = await self.authenticate(request, ops[0], rest_credentials(request))
            check_query(request.scope["query_string"])
            action = request.query_params.get("action")
            op = next((o for o in ops if o.action == action), None)
            if op is None:
                raise vapi_error("rest.action_unknown", request.method, str(action))
            body = await read_body(request, self.max_body) if op.body else b""
            path = {_param_name(k, op.path): v for k, v in request.path_params.items()}
            query = [(k, v) for k, v in request.query_params.multi_items() if k != "action"]

            def read_input() -> dict[str, Any]:
                given = parse_json(body) if op.body and (op.body != "*" or body.strip()) else None
                return op.rest_input(path, query, given)

            result = await self.perform(op, context, read_input, request.headers.get("vapi-ctx-opid"))
            if op.output is None:
                return Response(status_code=204)
            response = json_response(op.output.rest(result), op.status)
            if not op.session_required:
                _set_session_cookie(request, response, result, request.url.path[: -len(op.path)] or "/")
            return response

        return handle

    # Legacy REST (/rest)

    def legacy_routes(self, prefix: str, legacy_path: Callable[[Operation], str]) -> list[FaceRoute]:
        """Every operation under ``prefix`` at ``legacy_path(op)``, with the legacy API's
        conventions: answers as ``{"value": ...}`` with 200 (a void one: an empty 200); inputs
        outside the path in a JSON object by parameter name (``{"spec": {...}}``) or, with no
        body, in the query (``filter.names=a``, ``filter.names.1=a``). An operation is picked by
        ``POST ...?~action=<its vAPI name>`` (any operation: ``cis/session?~action=get``), by
        ``?action=`` as in REST, by the path ``.../<action>`` (``vm/{vm}/power/start``), or else
        by the method. Source: the vSphere Automation REST references of 6.5 to 7.0."""
        at: dict[str, list[Operation]] = {}
        for op in self.by_name.values():
            path = legacy_path(op)
            at.setdefault(path, []).append(op)
            if op.action is not None:
                at.setdefault(f"{path}/{op.action}", []).append(op)
        routes = []
        for path, ops in at.items():
            methods = sorted({"POST", *(op.method for op in ops if op.action is None or _by_path(path, op))})
            handlers = {m: self._legacy_handler(path, m, ops) for m in methods}
            actions = {
                m: [op.action for op in ops if op.method == m and not _by_path(path, op)] for m in methods
            }
            routes.append(FaceRoute(prefix + _starlette_path(path), handlers, legacy_answer, actions=actions))
        return complete_allow(routes)

    def _legacy_handler(self, path: str, method: str, ops: list[Operation]) -> Handler:
        by_vapi_name = {op.name: op for op in ops}
        by_action = {op.action: op for op in ops if op.action is not None and op.method == method}
        plain = next(
            (op for op in ops if op.method == method and (op.action is None or _by_path(path, op))), None
        )

        async def handle(request: Request) -> Response:
            params = request.query_params
            named = params.get("~action")
            op = by_vapi_name.get(named) if named is not None else by_action.get(params.get("action"), plain)
            # The credential first, as the operation asks for it (an unknown operation: a session).
            asks = op or next((o for o in ops if o.session_required), ops[0])
            context = await self.authenticate(request, asks, rest_credentials(request))
            check_query(request.scope["query_string"])
            if op is None:
                raise vapi_error("rest.action_unknown", request.method, str(named or params.get("action")))
            body = await read_body(request, self.max_body)
            path_values = {_param_name(k, op.path): v for k, v in request.path_params.items()}
            query = [(k, v) for k, v in params.multi_items() if k not in ("action", "~action")]

            def read_input() -> dict[str, Any]:
                return op.legacy_input(path_values, query, parse_json(body) if body.strip() else None)

            result = await self.perform(op, context, read_input, request.headers.get("vapi-ctx-opid"))
            if op.output is None:
                return Response(status_code=200)
            response = json_response({"value": op.output.legacy(result)})
            if not op.session_required:
                _set_session_cookie(request, response, result, request.url.path[: -len(path)] or "/")
            return response

        return handle

    # JSON-RPC

    async def rpc(self, request: Request) -> Response:
        """``POST /api``: a JSON-RPC 2.0 ``invoke``; errors of the operation travel in the result,
        errors of the envelope as JSON-RPC faults, all with HTTP 200 as vCenter answers them."""
        request_id: Any = None
        try:
            message = parse_json(await read_body(request, self.max_body))
            if not isinstance(message, dict) or message.get("method") != "invoke":
                return json_response(_rpc_fault(None, -32600, "Invalid Request"))
            request_id = message.get("id")
            if isinstance(request_id, bool) or not isinstance(request_id, str | int | float | None):
                return json_response(
                    _rpc_fault(None, -32600, "Invalid Request: id must be a string or a number")
                )
            params = message.get("params")
            if not isinstance(params, dict):
                return json_response(_rpc_fault(request_id, -32602, "Invalid params"))
            service, name = params.get("serviceId"), params.get("operationId")
            op = (
                self.by_name.get((service, name))
                if isinstance(service, str) and isinstance(name, str)
                else None
            )
            if op is None:
                known = any(s == service for s, _ in self.by_name)
                reason = "rpc.operation_unknown" if known else "rpc.service_unknown"
                raise vapi_error(reason, _text(service), _text(name))
            ctx = _member(params, "ctx")
            context = await self.authenticate(request, op, rpc_credentials(_member(ctx, "securityCtx")))
            op_id = _member(ctx, "appCtx").get("opId")
            result = await self.perform(
                op,
                context,
                lambda: op.rpc_input(params.get("input")),
                op_id if isinstance(op_id, str) else None,
            )
            output = None if op.output is None else op.output.rpc(result)
            return json_response({"jsonrpc": "2.0", "id": request_id, "result": {"output": output}})
        except InputError as exc:
            return json_response(_rpc_fault(request_id, -32700, f"Parse error: {exc.detail}"))
        except ClientDisconnect:
            raise  # nobody to answer (routing logs the departure)
        except Exception as exc:
            error = to_vapi(exc, request)
            return json_response({"jsonrpc": "2.0", "id": request_id, "result": {"error": error.rpc()}})


def _authentication_required() -> VapiError:
    return vapi_error("session.missing")


def to_vapi(exc: Exception, request: Request) -> VapiError:
    """The vAPI error for any failure; an unexpected one is logged once and named by a request id."""
    if isinstance(exc, VapiError):
        return exc
    if isinstance(exc, WorldError):
        return from_world(exc)
    if isinstance(exc, InputError):
        return vapi_error("input.too_large" if exc.kind == "too_large" else "input.unreadable", exc.detail)
    if isinstance(exc, RouteMiss):
        if exc.status == 405:
            return vapi_error("rest.method_not_allowed", request.method)
        if is_legacy(request.url.path):
            return vapi_error("rest.legacy_path_unknown", request.url.path.removeprefix(LEGACY))
        return vapi_error("rest.path_unknown", request.url.path)
    return vapi_error("internal", log_internal(request, exc))


def rest_error(error: VapiError) -> Response:
    """The REST answer of an error."""
    headers = {"www-authenticate": CHALLENGE} if error.kind == "UNAUTHENTICATED" else None
    return json_response(error.rest(), error.status, headers)


def rest_answer(request: Request, exc: Exception) -> Response:
    """The ``Answer`` of ``/api`` routes: every failure as a vAPI error."""
    return rest_error(to_vapi(exc, request))


def is_legacy(path: str) -> bool:
    """Whether ``path`` is the legacy REST API's (``/rest``, ``/rest/...``)."""
    return path == LEGACY or path.startswith(LEGACY + "/")


def legacy_answer(request: Request, exc: Exception) -> Response:
    """The ``Answer`` of ``/rest`` routes: ``{"type": "com.vmware.vapi.std.errors.<kind>", "value": ...}``."""
    error = to_vapi(exc, request)
    headers = {"www-authenticate": CHALLENGE} if error.kind == "UNAUTHENTICATED" else None
    return json_response(error.legacy_rest(), error.status, headers)


def _by_path(path: str, op: Operation) -> bool:
    """Whether the legacy ``path`` names ``op``'s action (``.../power/start``)."""
    return op.action is not None and path.endswith(f"/{op.action}")


def _set_session_cookie(request: Request, response: Response, session_id: str, path: str) -> None:
    """vCenter's session cookie, set on sign-in for the API signed in to (``/api`` or ``/rest``),
    unless the client asks for header authentication only (``vmware-use-header-authn``, which the
    session reference offers against cross-site request forgery in browsers)."""
    if "vmware-use-header-authn" in request.headers:
        return
    response.set_cookie(
        SESSION_HEADER,
        session_id,
        path=path,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite=None,
    )


def rest_credentials(request: Request) -> Credentials:
    """The session id of the ``vmware-api-session-id`` header, else of the cookie; and Basic
    credentials, if given."""
    session_id = request.headers.get(SESSION_HEADER) or request.cookies.get(SESSION_HEADER)
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


def message_credentials(message: Any) -> Credentials:
    """The credential in a JSON-RPC request's security context, if it is well-formed."""
    return rpc_credentials(_member(_member(_member(message, "params"), "ctx"), "securityCtx"))


def _member(value: Any, name: str) -> dict[str, Any]:
    """``value[name]`` when both are objects, else an empty object: an absent or malformed context
    names no credential."""
    member = value.get(name) if isinstance(value, dict) else None
    return member if isinstance(member, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "(none given)"


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
