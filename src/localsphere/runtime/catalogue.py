"""Every operation the server answers, read off the wired application itself, so the list cannot
drift from what is served: ``METHOD /path`` lines per face and the vAPI service/operation pairs
that JSON-RPC reaches. Compare them with the official bindings' operation lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.routing import BaseRoute, Mount, Route

from localsphere.faces.vapi.dispatch import Endpoint


def _inner_routes(app: Any) -> list[BaseRoute]:
    """The routes of an app, looking through middleware (which keeps the app it wraps in ``app``)."""
    while app is not None and not hasattr(app, "routes"):
        app = getattr(app, "app", None)
    return list(app.routes) if app is not None else []


def _walk(routes: list[BaseRoute], prefix: str) -> Iterator[tuple[str, str, Route]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _walk(_inner_routes(route.app), prefix + route.path)
        elif isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, prefix + route.path, route


def catalogue(routes: list[BaseRoute], faces: dict[str, str]) -> dict[str, Any]:
    """``faces``: path prefix -> face name; the longest matching prefix names a route's face.
    ``anonymous`` lists the operations that need no credential in the headers (sign-ins, and
    those that read their credential from the body); every other one needs one."""
    lines: dict[str, list[str]] = {name: [] for name in dict.fromkeys(faces.values())}
    anonymous: list[str] = []
    vapi: list[dict[str, str]] = []
    for method, path, route in _walk(routes, ""):
        owner = max((p for p in faces if path.startswith(p)), key=len, default=None)
        actions = getattr(route, "actions", {}).get(method) or [None]
        for line in (f"{method} {path}" + (f"?action={a}" if a else "") for a in actions):
            lines.setdefault(faces[owner] if owner else "other", []).append(line)
            if method in getattr(route, "anonymous", ()):
                anonymous.append(line)
        handler = getattr(route, "handlers", {}).get(method)
        endpoint = getattr(handler, "__self__", None)
        if isinstance(endpoint, Endpoint):
            vapi += [{"service": s, "operation": o} for s, o in sorted(endpoint.by_name)]
    return {
        "faces": {name: sorted(set(found)) for name, found in lines.items()},
        "anonymous": sorted(set(anonymous)),
        "vapi": vapi,
    }
