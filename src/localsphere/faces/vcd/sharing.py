"""Access control of vApps and catalogs as the vCloud API shows and changes it: owners
(``GET|PUT /api/vApp/{id}/owner``, ``GET /api/catalog/{id}/owner``, ``GET|PUT
/api/admin/catalog/{id}/owner``: an ``Owner`` with its ``User``), sharing (``GET
.../controlAccess/``; ``POST /api/vApp/{id}/action/controlAccess``, ``POST
/api/catalog/{id}/action/controlAccess`` and ``/api/org/{org}/catalog/{id}/action/controlAccess``:
``ControlAccessParams``, answered with the sharing as it now is), and publication (``POST
/api/admin/catalog/{id}/action/publish`` and ``/api/catalog/{id}/action/publish``:
``PublishCatalogParams``, 204).

``SharedRoutes`` is the face's route table with the world's access decision in front of every
operation on a vApp, VM, catalog, catalog item, template or medium: reads need ReadOnly, changes
Change, and deleting a vApp or catalog, changing its owner, sharing or publication FullControl
(world/sharing.py decides). Facts: docs/research/vcd-access.md."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.routing import Answer, Guarded
from localsphere.faces.vcd.hrefs import ADMIN_TYPE, VCLOUD_TYPE, Hrefs, media_type, object_id
from localsphere.faces.vcd.model import VCLOUD
from localsphere.faces.vcd.rights import RightsTable
from localsphere.faces.vcd.types import Link, Reference
from localsphere.faces.vcd.types_access import AccessSetting, AccessSettings, ControlAccess, OwnerDocument
from localsphere.faces.vcd.wire import Asked, asked, read_xml, xml
from localsphere.world import World
from localsphere.world.errors import NotFound
from localsphere.world.identity import GROUP, USER
from localsphere.world.sharing import CATALOG, CHANGE, FULL_CONTROL, ORG, READ_ONLY, VAPP, Ownership, Shares
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import DEFAULT_TENANT, org_of, org_uuid

CONTROL_ACCESS = f"{VCLOUD_TYPE}.controlAccess+xml"
OWNER_TYPE = f"{VCLOUD_TYPE}.owner+xml"
PUBLISH_TYPE = f"{ADMIN_TYPE}.publishCatalogParams+xml"
ADMIN_ORG_TYPE = f"{ADMIN_TYPE}.organization+xml"
V = f"{{{VCLOUD}}}"
# A path parameter naming an object, and how its value names the object: (prefix, kind) pairs
# (the metadata views find their object so too).
TARGETS = {
    "entity": (("vapp-", "vApp"), ("vm-", "vm")),
    "catalog": (("", "catalog"),),
    "item": (("", "catalogItem"),),
    "template": (("vappTemplate-", "vAppTemplate"),),
    "media": (("", "media"),),
    "vdc": (("", "vdc"),),  # no access control of its own: ``needed`` guards none of its paths
    "disk": (("", "disk"),),  # nor has a disk (its owner and its org's rights decide)
    "pvdc": (("", "providerVdc"),),  # nor a provider VDC (the System administrator's alone)
}
_GUARDED = (
    "/api/vApp/",
    "/api/catalog/",
    "/api/catalogItem/",
    "/api/vAppTemplate/",
    "/api/media/",
    "/api/admin/catalog/",
    "/api/org/{org}/catalog/",
)
# The last words of the paths whose operations need FullControl whatever their method.
_FULL = ("/owner", "/owner/", "/action/controlAccess", "/action/controlAccess/", "/action/publish")


def needed(method: str, path: str) -> tuple[str, str] | None:
    """What an operation on an object needs: (its path parameter, the access level), or None for
    one on no vApp or catalog. A read needs ReadOnly; deleting a vApp or catalog, changing its
    owner, sharing or publication FullControl (the guide's levels); anything else Change."""
    param = next((p for p in TARGETS if f"{{{p}}}" in path), None)
    if param is None or not path.startswith(_GUARDED):
        return None
    if path.endswith(_FULL) and method != "GET":
        return param, FULL_CONTROL
    if method == "GET":
        return param, READ_ONLY
    if method == "DELETE" and path.endswith(f"{{{param}}}") and param in ("entity", "catalog"):
        return param, FULL_CONTROL  # a VM's delete changes its vApp: ``guard`` makes it Change
    return param, CHANGE


def target(param: str, value: str) -> tuple[str, str] | None:
    """The object a path parameter's value names: (kind, id); None when it names none."""
    for prefix, kind in TARGETS[param]:
        if value.startswith(prefix):
            return kind, value[len(prefix) :]
    return None


class SharedRoutes(RightsTable):
    """The vCD face's route table: every operation needs the right ``rights.ROUTE_RIGHTS`` names
    for it (``require``), and then every one ``needed`` names asks the world whether the caller's
    access to its object allows it."""

    def __init__(
        self,
        world: World,
        runner: Runner,
        answer: Answer,
        authenticate: Callable[[Request], Awaitable[TenantCaller]],
        require: Callable[[TenantCaller, str], None],
    ) -> None:
        super().__init__(answer, authenticate, require)
        self._world = world
        self._runner = runner

    def add(
        self, method: str, path: str, handler: Guarded[TenantCaller], privilege: str | None = None
    ) -> None:
        wanted = needed(method, path)
        super().add(method, path, self._guard(handler, *wanted) if wanted else handler, privilege)

    def _guard(self, handler: Guarded[TenantCaller], param: str, level: str) -> Guarded[TenantCaller]:
        async def guarded(request: Request, caller: TenantCaller) -> Response:
            found = target(param, request.path_params[param])
            if found is not None:
                kind, wanted = found
                at = CHANGE if kind == "vm" and level == FULL_CONTROL else level
                await self._runner.read(
                    self._world.sharing.check, asked(request, caller).actor, kind, wanted, at
                )
            return await handler(request, caller)

        return guarded


class SharingViews:
    def __init__(self, world: World, runner: Runner, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.max_body = max_body

    async def vapp_access(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        shares = await self.runner.read(self.world.sharing.of, a.actor, VAPP, _vapp(request))
        return _access(a, shares)

    async def catalog_access(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        shares = await self.runner.read(
            self.world.sharing.of, a.actor, CATALOG, request.path_params["catalog"]
        )
        return _access(a, shares)

    async def share_vapp(self, request: Request, caller: TenantCaller) -> Response:
        """``ControlAccessParams`` in place of the vApp's sharing; 200, the sharing as it is now."""
        return await self._share(request, caller, VAPP, _vapp(request))

    async def share_catalog(self, request: Request, caller: TenantCaller) -> Response:
        return await self._share(request, caller, CATALOG, request.path_params["catalog"])

    async def _share(self, request: Request, caller: TenantCaller, kind: str, wanted: str) -> Response:
        a = asked(request, caller)
        body = _expect(await read_xml(request, self.max_body), "ControlAccessParams")
        everyone = (body.findtext(f"{V}IsSharedToEveryone") or "false").strip().lower() in ("true", "1")
        level = (body.findtext(f"{V}EveryoneAccessLevel") or "").strip()
        if everyone and not level:
            raise InputError("value", "EveryoneAccessLevel is required when IsSharedToEveryone is true.")
        settings = [await self._setting(item) for item in body.findall(f"{V}AccessSettings/{V}AccessSetting")]
        shares = await self.runner.call(
            self.world.sharing.share, a.actor, kind, wanted, level if everyone else None, settings
        )
        return _access(a, shares)

    async def _setting(self, item: ET.Element) -> tuple[str, str, str]:
        """An ``AccessSetting``: (subject kind, the subject's id or org's tenant, level)."""
        subject = item.find(f"{V}Subject")
        href = subject.get("href", "") if subject is not None else ""
        level = (item.findtext(f"{V}AccessLevel") or "").strip()
        if not href:
            raise InputError("value", "An AccessSetting needs a Subject with an href.")
        if "/admin/org/" in href or "/api/org/" in href:
            org = await self.runner.read(self.world.tenants.org, object_id(href), DEFAULT_TENANT)
            return ORG, org.name, level
        return (GROUP if "/admin/group/" in href else USER), object_id(href), level

    async def vapp_owner(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        owned = await self.runner.read(self.world.sharing.owner, a.actor, VAPP, _vapp(request))
        return _owner(a, request, owned, a.hrefs.of("vApp", _vapp(request)), media_type("vApp"))

    async def catalog_owner(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        catalog = request.path_params["catalog"]
        owned = await self.runner.read(self.world.sharing.owner, a.actor, CATALOG, catalog)
        return _owner(a, request, owned, a.hrefs.of("catalog", catalog), media_type("catalog"))

    async def change_vapp_owner(self, request: Request, caller: TenantCaller) -> Response:
        """``Owner`` whose ``User`` names the new owner; 204, as the product answers."""
        return await self._change_owner(request, caller, VAPP, _vapp(request))

    async def change_catalog_owner(self, request: Request, caller: TenantCaller) -> Response:
        return await self._change_owner(request, caller, CATALOG, request.path_params["catalog"])

    async def _change_owner(self, request: Request, caller: TenantCaller, kind: str, wanted: str) -> Response:
        a = asked(request, caller)
        body = _expect(await read_xml(request, self.max_body), "Owner")
        user = body.find(f"{V}User")
        if user is None or not user.get("href"):
            raise InputError("value", "The Owner needs a User with an href.")
        await self.runner.call(
            self.world.sharing.change_owner, a.actor, kind, wanted, object_id(user.get("href", ""))
        )
        return Response(status_code=204)

    async def publish(self, request: Request, caller: TenantCaller) -> Response:
        """``PublishCatalogParams``: the catalog published to every org, or taken back; 204."""
        a = asked(request, caller)
        body = _expect(await read_xml(request, self.max_body), "PublishCatalogParams")
        published = (body.findtext(f"{V}IsPublished") or "").strip().lower()
        if published not in ("true", "false", "1", "0"):
            raise InputError("value", "PublishCatalogParams needs IsPublished, true or false.")
        await self.runner.call(
            self.world.sharing.publish, a.actor, request.path_params["catalog"], published in ("true", "1")
        )
        return Response(status_code=204)


def access_links(h: Hrefs, kind: str, object_uuid: str) -> list[Link]:
    """What a vApp or catalog links to for its owner and sharing (and, a catalog, publication)."""
    href = h.of(kind, object_uuid)
    links = [
        Link("controlAccess", f"{href}/action/controlAccess", CONTROL_ACCESS),
        Link("down", f"{href}/owner", OWNER_TYPE),
    ]
    if kind == "catalog":
        links.append(Link("publish", f"{href}/action/publish", PUBLISH_TYPE))
    return links


def _vapp(request: Request) -> str:
    entity = request.path_params["entity"]
    if not entity.startswith("vapp-"):
        raise NotFound("vapp.not_found", f"No vApp {entity}.", entity)
    return entity[len("vapp-") :]


def _access(a: Asked, shares: Shares) -> Response:
    h = a.hrefs
    settings = [
        AccessSetting(
            Reference(f"{h.base}/api/admin/org/{org_uuid(s.subject)}", ADMIN_ORG_TYPE, org_of(s.subject))
            if s.subject_kind == ORG
            else h.reference("group" if s.subject_kind == GROUP else "user", s.subject, s.name),
            s.level,
        )
        for s in shares.settings
    ]
    answer = ControlAccess(
        shares.everyone is not None, shares.everyone, AccessSettings(settings) if settings else None
    )
    return xml(answer, a.version, CONTROL_ACCESS)


def _owner(a: Asked, request: Request, owned: Ownership, up: str, up_type: str) -> Response:
    user = a.hrefs.reference("user", owned.owner_id, owned.owner_name) if owned.owner_id else None
    href = f"{a.hrefs.base}{request.url.path}"
    answer = OwnerDocument(href, OWNER_TYPE, [Link("up", up, up_type)], user)
    return xml(answer, a.version, OWNER_TYPE)


def _expect(body: ET.Element | None, tag: str) -> ET.Element:
    if body is None or body.tag != f"{V}{tag}":
        raise InputError("value", f"The body must be the element {tag} of namespace {VCLOUD}.")
    return body
