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
    """``faces``: path prefix -> face name; the longest matching prefix names a route's face."""
    lines: dict[str, list[str]] = {name: [] for name in dict.fromkeys(faces.values())}
    vapi: list[dict[str, str]] = []
    for method, path, route in _walk(routes, ""):
        owner = max((p for p in faces if path.startswith(p)), key=len, default=None)
        lines.setdefault(faces[owner] if owner else "other", []).append(f"{method} {path}")
        endpoint = getattr(route.endpoint, "__self__", None)
        if isinstance(endpoint, Endpoint) and path.endswith("/api"):
            vapi += [{"service": s, "operation": o} for s, o in sorted(endpoint.by_name)]
    return {"faces": {name: sorted(set(found)) for name, found in lines.items()}, "vapi": vapi}
