"""``/sdk``: the vim25 endpoint. ``POST /sdk`` carries one method call in a SOAP envelope; the
``vmware_soap_session`` cookie names the session (every method but the few a client calls before
it signs in needs one). ``GET /sdk/vimServiceVersions.xml`` and the WSDL documents need none.

Each family of managed objects (``service_instance``, ``session_manager``, ``property_collector``,
``view_manager``, ``search_index``) lends its ``Method``s; ``Fetch`` (pyVmomi's property read)
reads one property through ``properties``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyVmomi import VmomiSupport
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner, note_principal, read_body
from localsphere.faces.routing import FaceRoute
from localsphere.faces.vim import faults, soap, versions, wsdl
from localsphere.faces.vim.faults import Fault
from localsphere.world import World
from localsphere.world.access import VCENTER
from localsphere.world.errors import WorldError
from localsphere.world.sessions import SessionInfo

PREFIX = "/sdk"
NOT_YET = object()  # what a waiting method answers while there is nothing to tell
POLL_SECONDS = 0.25  # how often a waiting method looks again
LONGEST_WAIT = 300.0  # the most seconds one call waits


@dataclass
class Context:
    """One call's surroundings: the world, the negotiated version, the caller's session (None
    before sign-in), and what a sign-in or sign-out leaves for the answer's cookie."""

    world: World
    version: str
    session: SessionInfo | None
    session_id: str | None
    client: tuple[str, str]  # the caller's address and User-Agent, for its UserSession
    opened: str | None = None  # the id of a session a sign-in opened
    last_try: bool = True  # a waiting method's last look before it answers that nothing changed
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def signed_in(self) -> SessionInfo:
        assert self.session is not None
        return self.session


Run = Callable[[Context, soap.MoRef, dict[str, Any]], Any]


@dataclass(frozen=True)
class Method:
    """A vim25 method the face serves: its WSDL name, the receiver types (and, for singletons,
    the one id) it is called on, and whether it needs no session or writes."""

    name: str
    run: Run
    receivers: frozenset[str]
    singleton: str | None = None  # the receiver's id, when there is only one
    anonymous: bool = False
    write: bool = False
    # A method that waits for a change: the most seconds it may wait, from its arguments (None:
    # as long as a wait may last). Until then its ``run`` answers NOT_YET unless ``last_try``.
    wait: Callable[[dict[str, Any]], float | None] | None = None


class Endpoint:
    def __init__(self, world: World, methods: list[Method], fetch: Run, max_body: int) -> None:
        self.world = world
        self.methods = {m.name: m for m in methods}
        self.fetch = fetch
        self.max_body = max_body
        self.runner = Runner(world.store)

    async def post(self, request: Request) -> Response:
        action = request.headers.get("soapaction")
        version = versions.negotiated(action)
        unknown = versions.unsupported(action)
        if unknown is not None:
            fault = faults.invalid_request(f'Unsupported version URI "{unknown}"')
            return faults.response(fault, version, code=faults.VERSION_MISMATCH)
        try:
            body = await read_body(request, self.max_body)
            call = soap.parse(body, version)
        except ClientDisconnect:
            raise
        except soap.BadRequest as exc:
            return faults.response(faults.invalid_request(exc.message), version)
        except soap.UnknownMethod as exc:
            return faults.response(faults.unknown_method(exc.name, exc.namespace), version)
        except InputError as exc:
            return faults.response(faults.invalid_request(exc.detail), version)
        try:
            context = await self._context(request, call, version)
            result = await self._perform(call, context)
        except Fault as fault:
            return faults.response(fault, version)
        if call.info is None:  # Fetch: the property's own type, named by xsi:type
            raw = soap.any_returnval(result, version) if result is not None else None
            payload = soap.response(call.name, raw, object, 0, version)
        else:
            payload = soap.response(call.name, result, call.info.result, call.info.resultFlags, version)
        response = Response(payload, media_type=faults.XML)
        if context.opened is not None:
            secure = "Secure;" if request.url.scheme == "https" else ""
            cookie = f'{soap.COOKIE}="{context.opened}"; Path=/; HttpOnly; {secure}'
            response.headers["set-cookie"] = cookie.rstrip()
        return response

    async def _context(self, request: Request, call: soap.Call, version: str) -> Context:
        """Who calls: the session of the cookie, checked unless the method needs none."""
        client = (request.client.host if request.client else "", request.headers.get("user-agent", ""))
        method = self.methods.get(call.name)
        session_id = soap.session_cookie(request)
        if method is not None and method.anonymous:
            return Context(self.world, version, None, session_id, client)
        if not session_id:
            raise faults.not_authenticated()
        try:
            session = await self.runner.read(self.world.sessions.check, session_id, VCENTER)
        except WorldError:
            raise faults.not_authenticated() from None
        note_principal(request, session.caller.principal.upn)
        return Context(self.world, version, session, session_id, client)

    async def _perform(self, call: soap.Call, context: Context) -> Any:
        if call.name == soap.FETCH:
            return await self.runner.read(self.fetch, context, call.this, call.args)
        if not _has_method(call.this.type, call.info):
            raise faults.method_not_found(call.this, call.name)
        method = self.methods.get(call.name)
        if method is None:
            raise faults.not_implemented(call.name)
        if call.this.type not in method.receivers or (
            method.singleton is not None and call.this.value != method.singleton
        ):
            raise faults.not_found(call.this)

        def work() -> Any:
            try:
                return method.run(context, call.this, call.args)
            except WorldError as exc:
                raise faults.from_world(exc, call.this, call.info.privId or "System.View") from exc

        run = self.runner.call if method.write else self.runner.read
        if method.wait is None:
            return await run(work)
        # A long poll: look, and while nothing changed, look again a little later (on the event
        # loop, not holding a world thread), until the wait is over.
        seconds = method.wait(call.args)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(LONGEST_WAIT if seconds is None else max(0.0, seconds), LONGEST_WAIT)
        while True:
            context.last_try = loop.time() >= deadline
            context.notes.clear()  # each look reads afresh (what a call kept is from its last look)
            result = await run(work)
            if result is not NOT_YET:
                return result
            await asyncio.sleep(min(POLL_SECONDS, max(0.0, deadline - loop.time())))


def _has_method(type_name: str, info: Any) -> bool:
    """Whether vim25's managed type ``type_name`` has the method ``info`` (a type vim25 has not
    is left to the method, which finds no such object)."""
    try:
        kind = VmomiSupport.GetWsdlType(soap.VIM_NS, type_name)
    except KeyError:
        return True
    return not issubclass(kind, VmomiSupport.ManagedObject) or issubclass(kind, info.type)


def routes(endpoint: Endpoint) -> list[FaceRoute]:
    """``POST /sdk`` and the documents a client reads before it calls."""

    async def service_versions(_: Request) -> Response:
        return Response(versions.versions_document(), media_type=faults.XML)

    def document(name: str) -> Callable[[Request], Any]:
        async def get(request: Request) -> Response:
            return Response(wsdl.document(name, str(request.base_url).rstrip("/")), media_type=faults.XML)

        return get

    anonymous = frozenset({"GET"})
    return [
        FaceRoute(PREFIX, {"POST": endpoint.post}, faults.answer, anonymous=frozenset({"POST"})),
        FaceRoute(f"{PREFIX}/vimServiceVersions.xml", {"GET": service_versions}, faults.answer, anonymous),
        *(
            FaceRoute(f"{PREFIX}/{name}", {"GET": document(name)}, faults.answer, anonymous)
            for name in wsdl.DOCUMENTS
        ),
    ]
