"""Builds the ASGI application: the one place where the world and every face are wired together."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp

from localsphere.faces.catalogue import catalogue
from localsphere.faces.control import routes as control
from localsphere.faces.lifecycle import Lifecycle, starting_app
from localsphere.faces.limits import InFlightCounters
from localsphere.faces.ops import routes as ops
from localsphere.faces.sddc import routes as sddc
from localsphere.faces.vcenter import routes as vcenter
from localsphere.settings import Settings
from localsphere.world import World

OPS_PREFIXES = ("/suite-api", "/vrops-cloud/suite-api")
# Which face owns a path prefix, for the route catalogue.
FACES = {
    "/v1": "sddc-manager",
    "/api": "vcenter",
    "/rest": "vcenter",
    **dict.fromkeys(OPS_PREFIXES, "operations"),
    "/csp": "operations",
    "/_localsphere": "control",
}


def build_app(
    world: World, settings: Settings, admin_token: str, in_flight: InFlightCounters, lifecycle: Lifecycle
) -> Starlette:
    operations = ops.build(world, settings.max_body_bytes, in_flight, lifecycle)
    routes = [
        Mount("/v1", sddc.build(world, settings.max_body_bytes)),
        *(Mount(prefix, operations) for prefix in OPS_PREFIXES),
        *ops.csp_routes(world, settings.max_body_bytes),
        *vcenter.routes(world, settings.max_body_bytes),
    ]
    control_app = control.build(world, admin_token, settings.max_body_bytes, lambda: catalogue(routes, FACES))
    routes.append(Mount("/_localsphere", control_app))
    return Starlette(routes=routes)


def build_starting_app() -> ASGIApp:
    """What answers before the world is ready."""
    return starting_app(dict.fromkeys(OPS_PREFIXES, ops.unavailable))
