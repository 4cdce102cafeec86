"""What each face lends the server's plumbing (fault injection, the request log, the answer to a
path no route serves, the last resort for a failure no route caught), and which face owns a path."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.routing import Answer
from localsphere.world.errors import WorldError

SERVER = b"LocalSphere"  # the Server header where the product's own is not known


def _headers_only(_scope: Scope) -> bool:
    return False


def credential_holder(
    credential: Callable[[Request], str | None], holder: Callable[[str], str]
) -> Callable[[Scope, bytes], str | None]:
    """A face's ``who`` for a credential in the headers: ``credential`` reads it from a request
    (None: there is none), ``holder`` names who holds it (a WorldError: nobody valid)."""

    def who(scope: Scope, _body: bytes) -> str | None:
        found = credential(Request(scope))
        if not found:
            return None
        try:
            return holder(found)
        except WorldError:
            return None

    return who


def _as_sent(target: str) -> str:
    return target


@dataclass(frozen=True)
class FaceHooks:
    """A face's name in fault rules and the request log; its error answer for an injected status
    (401 is its expired-credential error); its ``Answer`` for any failure; and who a request's
    credential names (run off the event loop; None when it names nobody valid). Where
    ``in_body`` says a request carries its credential and its id in the body (JSON-RPC), ``render``
    and ``who`` get the body read ahead; otherwise they get b"". ``server``: the product's
    ``Server`` header, on every answer the face gives. ``conceal``: the request's target as the
    request log keeps it, without the face's credentials wherever a client put them."""

    name: str
    render: Callable[[Scope, int, bytes], Response]
    answer: Answer
    who: Callable[[Scope, bytes], str | None]
    in_body: Callable[[Scope], bool] = _headers_only
    server: bytes = SERVER
    conceal: Callable[[str], str] = _as_sent


class FaceOwners:
    """Which face owns a request: the first of ``claims`` whose test takes it (a face that shares
    a path prefix with another and tells its requests apart by their headers: vCD's under
    vCenter's ``/api``), else the face of the longest matching path prefix. ``fallback`` answers
    for paths no face owns (the control plane's, and any other)."""

    def __init__(
        self,
        faces: Mapping[str, FaceHooks],
        fallback: Answer,
        claims: Sequence[tuple[Callable[[Scope], bool], FaceHooks]] = (),
    ) -> None:
        self.faces = dict(faces)
        self.fallback = fallback
        self.claims = list(claims)
        self._by_length = sorted(self.faces.items(), key=lambda item: -len(item[0]))

    def of(self, scope: Scope) -> FaceHooks | None:
        for claimed, hooks in self.claims:
            if claimed(scope):
                return hooks
        path = scope["path"]
        for prefix, hooks in self._by_length:
            if path == prefix or path.startswith(prefix + "/"):
                return hooks
        return None

    def answer_for(self, scope: Scope) -> Answer:
        hooks = self.of(scope)
        return hooks.answer if hooks is not None else self.fallback
