"""Builds the ASGI application: the one place where the world and every face are wired together."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount

from localsphere.faces.control import routes as control
from localsphere.faces.limits import InFlightCounters
from localsphere.faces.ops import routes as ops
from localsphere.faces.sddc import routes as sddc
from localsphere.faces.vcenter import routes as vcenter
from localsphere.settings import Settings
from localsphere.world import World


def build_app(world: World, settings: Settings, admin_token: str, in_flight: InFlightCounters) -> Starlette:
    operations = ops.build(world, settings.max_body_bytes, in_flight)
    return Starlette(
        routes=[
            Mount("/v1", sddc.build(world, settings.max_body_bytes)),
            Mount("/suite-api", operations),
            Mount("/vrops-cloud/suite-api", operations),
            *ops.csp_routes(world, settings.max_body_bytes),
            *vcenter.routes(world, settings.max_body_bytes),
            Mount("/_localsphere", control.build(world, admin_token, settings.max_body_bytes)),
        ]
    )
