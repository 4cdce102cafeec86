"""A vAPI operation, declared once: its service and name (for JSON-RPC), its REST method and path,
its typed input and output, the privilege it needs, and the one function that does it.

``rest_input``, ``legacy_input`` and ``rpc_input`` read the three encodings into the same input
dict; ``run`` gets that dict and the caller; the output is encoded back by the same declared type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localsphere.faces.vapi.types import Bad, ListOf, Optional, Struct, Type
from localsphere.world.access import Caller
from localsphere.world.identity import PrincipalView
from localsphere.world.sessions import SessionInfo


@dataclass(frozen=True)
class Context:
    """Who is calling: the session (for most operations) or the principal that just signed in."""

    session: SessionInfo | None = None
    session_id: str | None = None
    principal: PrincipalView | None = None

    @property
    def caller(self) -> Caller:
        assert self.session is not None
        return self.session.caller

    @property
    def upn(self) -> str:
        """The caller's name, whichever way it came."""
        if self.session is not None:
            return self.session.caller.principal.upn
        assert self.principal is not None
        return self.principal.upn


Run = Callable[[Context, dict[str, Any]], Any]


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    method: str
    path: str  # under /api; ``{name}`` marks a path parameter
    params: dict[str, Type]
    output: Type | None
    run: Run
    privilege: str | None = None  # None: any valid session may call it
    scope: str | None = None  # the input naming the object the privilege is needed on; None: the root
    body: str | None = None  # the parameter the REST body carries; "*": the body holds every parameter
    action: str | None = None  # REST ``?action=``
    status: int = 200  # REST status of a result (201 for creations)
    write: bool = False
    session_required: bool = True
    input_type: Struct = field(init=False)
    body_type: Struct = field(init=False)  # the parameters not in the path

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_type", Struct("operation-input", self.params))
        in_path = {piece[1:-1] for piece in self.path.split("/") if piece.startswith("{")}
        others = {name: kind for name, kind in self.params.items() if name not in in_path}
        object.__setattr__(self, "body_type", Struct("operation-input", others))

    def rpc_input(self, data: Any) -> dict[str, Any]:
        return self.input_type.read_rpc(data, "")

    def rest_input(self, path: dict[str, str], query: list[tuple[str, str]], body: Any) -> dict[str, Any]:
        """Path parameters by name; the body parameter from the JSON body; every other parameter
        from the query, a structure's fields flattened (``names=a&names=b``; ``filter.names=a``
        is accepted too)."""
        if self.body == "*":
            if body is not None and not isinstance(body, dict):
                raise Bad("", "an object")
            return self.input_type.read_rest({**(body or {}), **path}, "")
        values: dict[str, Any] = {}
        for name, kind in self.params.items():
            if name in path:
                values[name] = kind.from_text(path[name], name)
            elif name == self.body:
                values[name] = kind.read_rest(body, name)
            else:
                values[name] = _from_query(name, kind, query)
        return values

    def legacy_input(self, path: dict[str, str], query: list[tuple[str, str]], body: Any) -> dict[str, Any]:
        """Legacy REST (``/rest``): path parameters by name; the others from the JSON body, an
        object by parameter name (``{"spec": {...}}``, maps as key/value lists), or without a body
        from the query as in REST (and also ``filter.names.1=a&filter.names.2=b``)."""
        if body is None:
            return self._query_input(path, query)
        if not isinstance(body, dict):
            raise Bad("", "an object")
        values = self.body_type.read_legacy(body, "")
        values.update({name: self.params[name].from_text(text, name) for name, text in path.items()})
        return values

    def _query_input(self, path: dict[str, str], query: list[tuple[str, str]]) -> dict[str, Any]:
        return {
            name: kind.from_text(path[name], name) if name in path else _from_query(name, kind, query)
            for name, kind in self.params.items()
        }


def _texts(query: list[tuple[str, str]], *names: str) -> list[str]:
    """The values of ``names``; also of ``<name>.<n>`` (the legacy API's numbered list items,
    ``filter.names.1``), in the order of ``n``."""
    plain = [v for k, v in query if k in names]
    numbered = sorted(
        (int(index), v)
        for k, v in query
        for base, _, index in [k.rpartition(".")]
        if base in names and index.isdigit() and len(index) < 6
    )
    return plain + [v for _, v in numbered]


def _from_query(name: str, kind: Type, query: list[tuple[str, str]]) -> Any:
    inner = kind.of if isinstance(kind, Optional) else kind
    if isinstance(inner, Struct):
        found = {key: _from_query_field(key, f"{name}.{key}", k, query) for key, k in inner.fields.items()}
        if all(v is None for v in found.values()) and isinstance(kind, Optional):
            return None
        for key, value in found.items():
            if value is None and not isinstance(inner.fields[key], Optional):
                raise Bad(f"{name}.{key}", f"a required {inner.fields[key].name}")
        return found
    return _from_query_field(name, name, kind, query)


def _from_query_field(name: str, long_name: str, kind: Type, query: list[tuple[str, str]]) -> Any:
    texts = _texts(query, name, long_name)
    inner = kind.of if isinstance(kind, Optional) else kind
    if not texts:
        return None
    if isinstance(inner, ListOf):
        return inner.values_from_text(texts, name)
    if len(texts) > 1:
        raise Bad(name, "a single value")
    return kind.from_text(texts[0], name)
