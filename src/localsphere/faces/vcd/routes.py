"""The vCloud Director face, so far: ``GET /api/versions``, the versions it offers (anonymous, as
the product's is). Sessions, organizations and the rest follow (issue 12)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.routing import FaceRoute, Routes
from localsphere.faces.vcd import errors
from localsphere.faces.vcd.model import document
from localsphere.faces.vcd.types import SupportedVersions, VersionInfo
from localsphere.faces.vcd.versions import DEPRECATED, NEWEST, OFFERED

VERSIONS_PATH = "/api/versions"


async def versions(request: Request) -> Response:
    """Every version offered with its sign-in URL (``/api/sessions`` on this host); the same
    answer whatever version the request names, as the product's. Plain ``application/xml``: no
    public source shows the product's media type for it, and clients only parse it."""
    base = f"{request.url.scheme}://{request.url.netloc}"
    offered = SupportedVersions([VersionInfo(v, f"{base}/api/sessions", v in DEPRECATED) for v in OFFERED])
    return Response(document(offered, NEWEST), media_type="application/xml")


def build() -> list[FaceRoute]:
    table: Routes[None] = Routes(errors.answer)
    table.anonymous("GET", VERSIONS_PATH, versions)
    return table.build()
