"""The administrator's views (``GET /api/admin/``, ``GET /api/admin/extension``) and the entity
resolver (``GET /api/entity/{urn}``: what a urn names, and where it lives); users, groups and
roles themselves are ``admin_people``'s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import Runner
from localsphere.faces.vcd.extensions import extension_links
from localsphere.faces.vcd.hrefs import ADMIN_TYPE, VCLOUD_TYPE, media_type
from localsphere.faces.vcd.types import (
    Link,
    OrganizationReferences,
    Reference,
    ResolvedEntity,
    RoleReferences,
    VCloud,
    VMWExtension,
)
from localsphere.faces.vcd.types_vdcs import ProviderVdcReferences
from localsphere.faces.vcd.vsphere_view import extension_links as vsphere_links
from localsphere.faces.vcd.vsphere_view import pvdc_reference
from localsphere.faces.vcd.wire import Asked, asked, xml
from localsphere.world import World
from localsphere.world.access import VCD
from localsphere.world.catalogs import MEDIA, VAPP_TEMPLATE
from localsphere.world.errors import NotFound
from localsphere.world.org_roles import ADMIN_VIEW
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import org_id, org_name

ENTITY_TYPE = f"{VCLOUD_TYPE}.entity+xml"


class PeopleViews:
    def __init__(self, world: World, runner: Runner) -> None:
        self.world = world
        self.runner = runner

    async def admin(self, request: Request, caller: TenantCaller) -> Response:
        """``GET /api/admin/``: the System administrator's view of the cloud: its orgs (and where
        to add one: ``rel="add"``, pyvcloud's ``System.create_org``) and its roles."""
        a = asked(request, caller)
        a.require(ADMIN_VIEW)
        roles = await self.runner.read(self.world.access.roles, VCD)
        pvdcs = await self.runner.read(self.world.provider_view.provider_vdcs)
        orgs = await self.runner.read(self.world.tenants.orgs, a.caller.tenant)
        h = a.hrefs
        admin_org = f"{ADMIN_TYPE}.organization+xml"
        answer = VCloud(
            href=f"{h.base}/api/admin/",
            type=f"{ADMIN_TYPE}.vcloud+xml",
            name="vCloud",
            links=[
                Link("down", f"{h.base}/api/org/", f"{VCLOUD_TYPE}.orgList+xml"),
                Link("add", f"{h.base}/api/admin/orgs", admin_org),
            ],
            organization_references=OrganizationReferences(
                [Reference(f"{h.base}/api/admin/org/{org_id(t)}", admin_org, org_name(t)) for t in orgs]
            ),
            provider_vdc_references=ProviderVdcReferences([pvdc_reference(h.base, p) for p in pvdcs]),
            role_references=RoleReferences([h.reference("role", r.id, r.name) for r in roles]),
        )
        return xml(answer, a.version, f"{ADMIN_TYPE}.vcloud+xml")

    async def extension(self, request: Request, caller: TenantCaller) -> Response:
        """``GET /api/admin/extension``: the system administrator's extension view."""
        a = asked(request, caller)
        a.require(ADMIN_VIEW)
        media = f"{ADMIN_TYPE}.vmwExtension+xml"
        base = f"{a.hrefs.base}/api/admin/extension"
        links = [
            Link("down", f"{base}/settings", f"{ADMIN_TYPE}.systemSettings+xml"),
            *vsphere_links(a.hrefs.base),
            *extension_links(a.hrefs),
        ]
        return xml(VMWExtension(base, media, links), a.version, media)

    async def entity(self, request: Request, caller: TenantCaller) -> Response:
        """What ``urn:vcloud:<kind>:<id>`` names: 404 when it is nothing the caller may see."""
        a = asked(request, caller)
        text = request.path_params["urn"]
        _, _, rest = text.partition("urn:vcloud:")
        kind_name, _, object_id = rest.partition(":")
        resolve = self._resolvers(a).get(kind_name.lower())
        if resolve is None or not object_id:
            raise NotFound("entity.not_found", f"No entity {text}.", text)
        kind, name = await resolve(object_id)
        answer = ResolvedEntity(
            href=f"{a.hrefs.base}/api/entity/{text}",
            type=ENTITY_TYPE,
            id=text,
            name=text,
            links=[
                Link("alternate", a.hrefs.of(kind, object_id if kind != "org" else name), media_type(kind))
            ],
        )
        return xml(answer, a.version, ENTITY_TYPE)

    def _resolvers(self, a: Asked) -> dict[str, Callable[[str], Any]]:
        """Per urn kind: a lookup of the object (NotFound unless the caller sees it) that answers
        its kind in hrefs and its name."""
        read, world, viewer = self.runner.read, self.world, a.viewer

        async def vapp(i: str) -> tuple[str, str]:
            return "vApp", (await read(world.vapps.get, i, viewer)).name

        async def vm(i: str) -> tuple[str, str]:
            return "vm", (await read(world.vapps.vm, i, viewer))[0].name

        async def vdc(i: str) -> tuple[str, str]:
            return "vdc", (await read(world.org_vdcs.get, i, viewer))[0].name

        async def catalog(i: str) -> tuple[str, str]:
            return "catalog", (await read(world.catalogs.get, i, viewer)).name

        async def item(i: str) -> tuple[str, str]:
            return "catalogItem", (await read(world.catalogs.item, i, viewer)).name

        async def template(i: str) -> tuple[str, str]:
            return "vAppTemplate", (await read(world.catalogs.entity, i, VAPP_TEMPLATE, viewer)).name

        async def media(i: str) -> tuple[str, str]:
            return "media", (await read(world.catalogs.entity, i, MEDIA, viewer)).name

        async def disk(i: str) -> tuple[str, str]:
            return "disk", (await read(world.disks.get, i, viewer)).name

        async def network(i: str) -> tuple[str, str]:
            return "network", (await read(world.org_vdcs.network, i, viewer)).name

        async def task(i: str) -> tuple[str, str]:
            return "task", (await read(world.tasks.get, i, viewer)).operation_name

        async def user(i: str) -> tuple[str, str]:
            return "user", (await read(world.org_roles.user, i, viewer)).name

        async def role(i: str) -> tuple[str, str]:
            return "role", (await read(world.org_people.role, i, viewer)).name

        async def org(i: str) -> tuple[str, str]:
            found = await read(world.tenants.org, i, a.caller.tenant)
            return "org", found.name

        return {
            "vapp": vapp,
            "vm": vm,
            "vdc": vdc,
            "catalog": catalog,
            "catalogitem": item,
            "vapptemplate": template,
            "media": media,
            "disk": disk,
            "network": network,
            "task": task,
            "user": user,
            "role": role,
            "org": org,
        }
