"""Every operation the server answers, read off the wired application itself, so the list cannot
drift from what is served: ``METHOD /path`` lines per face and the vAPI service/operation pairs
that JSON-RPC reaches. Compare them with the official bindings' operation lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localsphere.faces.routing import FaceRoute
from localsphere.faces.vapi.dispatch import Endpoint


def catalogue(routes: Sequence[FaceRoute], faces: dict[str, str]) -> dict[str, Any]:
    """``faces``: path prefix -> face name; the longest matching prefix names a route's face.
    ``anonymous`` lists the operations that need no credential in the headers (sign-ins, and
    those that read their credential from the body); every other one needs one."""
    lines: dict[str, list[str]] = {name: [] for name in dict.fromkeys(faces.values())}
    anonymous: list[str] = []
    vapi: list[dict[str, str]] = []
    for route in routes:
        for method in sorted(route.handlers):  # as declared: HEAD only where it is an operation
            owner = max((p for p in faces if route.path.startswith(p)), key=len, default=None)
            for action in route.actions.get(method) or [None]:
                line = f"{method} {route.path}" + (f"?action={action}" if action else "")
                lines.setdefault(faces[owner] if owner else "other", []).append(line)
                if method in route.anonymous:
                    anonymous.append(line)
            endpoint = getattr(route.handlers.get(method), "__self__", None)
            if isinstance(endpoint, Endpoint):
                vapi += [{"service": s, "operation": o} for s, o in sorted(endpoint.by_name)]
    return {
        "faces": {name: sorted(set(found)) for name, found in lines.items()},
        "anonymous": sorted(set(anonymous)),
        "vapi": vapi,
    }
