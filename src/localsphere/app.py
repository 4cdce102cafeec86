"""Builds the ASGI application: the one place where the world and every face are wired together."""

from __future__ import annotations

from typing import NamedTuple

from starlette.types import ASGIApp

from localsphere.faces.control import routes as control
from localsphere.faces.ops import faults as ops_faults
from localsphere.faces.ops import gateway as ops_gateway
from localsphere.faces.ops import routes as ops
from localsphere.faces.routing import Routing, not_found
from localsphere.faces.sddc import faults as sddc_faults
from localsphere.faces.sddc import routes as sddc
from localsphere.faces.vcd import errors as vcd_errors
from localsphere.faces.vcd import faults as vcd_faults
from localsphere.faces.vcd import routes as vcd
from localsphere.faces.vcenter import faults as vcenter_faults
from localsphere.faces.vcenter import routes as vcenter
from localsphere.faces.vim import faults as vim_faults
from localsphere.faces.vim import routes as vim
from localsphere.faces.vra import catalog as vra_catalog
from localsphere.faces.vra import faults as vra_faults
from localsphere.faces.vra import iaas_proxy as vra_iaas
from localsphere.faces.vra import reservation_service as vra_reservations
from localsphere.faces.vra import routes as vra
from localsphere.runtime.catalogue import catalogue
from localsphere.runtime.faults import FaultInjector
from localsphere.runtime.hooks import FaceOwners
from localsphere.runtime.lifecycle import Lifecycle, starting_app
from localsphere.runtime.observe import Observe
from localsphere.runtime.shared import Shared
from localsphere.settings import Settings
from localsphere.world import World


class Apps(NamedTuple):
    """What the listeners serve: every face on the shared ports; vCloud Director alone on its
    own port (``--vcd-port``), where every path is vCD's."""

    shared: ASGIApp
    vcd: ASGIApp


def build_app(
    world: World, settings: Settings, admin_token: str, lifecycle: Lifecycle, shared: Shared
) -> Apps:
    """Every face mounted, under the control plane's request log and fault injection."""
    in_flight, request_log, _ = shared
    routes = [
        # First: where it shares a path with vCenter, vCD takes the requests it claims.
        *vcd.build(world, settings.max_body_bytes, own_listener=False),
        *sddc.build(world, settings.max_body_bytes),
        *ops.build(world, settings.max_body_bytes, in_flight, lifecycle),
        *ops_gateway.routes(world, settings.max_body_bytes),
        *vcenter.routes(world, settings.max_body_bytes),
        *vim.build(world, settings.max_body_bytes),  # vCenter's SOAP API (/sdk)
        *vra.build(world, settings.max_body_bytes),
        *vra_reservations.build(world, settings.max_body_bytes),
        *vra_iaas.build(world, settings.max_body_bytes),
        *vra_catalog.build(world, settings.max_body_bytes),
    ]
    vcenter_hooks, ops_hooks, vcd_hooks = (
        vcenter_faults.hooks(world),
        ops_faults.hooks(world),
        vcd_faults.hooks(world),
    )
    # Which face owns a path prefix: for fault rules, the request log, the route catalogue and
    # the answer to a path no route serves.
    faces = {
        "/v1": sddc_faults.hooks(world),
        "/api": vcenter_hooks,
        "/rest": vcenter_hooks,
        vim.PREFIX: vim_faults.hooks(world),
        **dict.fromkeys(ops.PREFIXES, ops_hooks),
        "/csp": ops_gateway.hooks(),
        **dict.fromkeys(
            (vra.PREFIX, vra_reservations.PREFIX, vra_iaas.PREFIX, *vra_catalog.PREFIXES),
            vra_faults.hooks(world),
        ),
        **dict.fromkeys(vcd.PREFIXES, vcd_hooks),
    }
    names = {prefix: hooks.name for prefix, hooks in faces.items()} | {control.PREFIX: "control"}
    routes += control.build(
        world, admin_token, settings.max_body_bytes, lambda: catalogue(routes, names), shared
    )
    owners = FaceOwners(faces, control.answer, claims=[(vcd.claims, vcd_hooks)])
    injector = FaultInjector(world, settings.change_poll_seconds)
    root = Routing(routes, default=not_found(owners.answer_for))
    vcd_owners = FaceOwners({"": vcd_hooks}, vcd_hooks.answer)
    vcd_root = Routing(
        vcd.build(world, settings.max_body_bytes, own_listener=True), default=not_found(vcd_owners.answer_for)
    )
    return Apps(
        Observe(root, owners, injector, request_log, settings.max_body_bytes),
        Observe(vcd_root, vcd_owners, injector, request_log, settings.max_body_bytes),
    )


def build_starting_app() -> Apps:
    """What answers before the world is ready."""
    return Apps(
        starting_app(dict.fromkeys(ops.PREFIXES, ops.unavailable)),
        starting_app({"": vcd_errors.unavailable}),
    )
