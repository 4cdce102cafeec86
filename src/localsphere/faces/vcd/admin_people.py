"""The administration API's people, roles, rights and catalogs (vCloud API 5.5 style):

- users: ``POST /api/admin/org/{id}/users`` (a ``User`` with its ``Password`` and ``Role``),
  ``GET``/``PUT``/``DELETE /api/admin/user/{id}`` (``IsEnabled`` false disables, ``IsLocked``
  false unlocks);
- groups: ``POST /api/admin/org/{id}/groups`` imports one (by ``name``: the SSO domain's for the
  System org, a linked directory's for another), ``GET``/``PUT``/``DELETE /api/admin/group/{id}``;
- roles: ``POST /api/admin/org/{id}/roles``, ``GET``/``PUT``/``DELETE /api/admin/role/{id}``
  (a ``Role`` with ``RightReferences``); rights: ``GET /api/admin/right/{id}``, and an org's
  ``GET``/``PUT``/``POST /api/admin/org/{id}/rights`` (``OrgRights``; POST adds);
- catalogs: ``POST /api/admin/org/{id}/catalogs`` (201, the ``AdminCatalog`` with its creation
  task), ``GET``/``PUT``/``DELETE /api/admin/catalog/{id}``.

Each checks its right (``docs/research/vcd-rights.md``) through the one access model; a
password is read from a request and never written in an answer.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.vcd.hrefs import ADMIN_TYPE, Hrefs, media_type, object_id
from localsphere.faces.vcd.model import VCLOUD
from localsphere.faces.vcd.objects import owner
from localsphere.faces.vcd.sharing import access_links
from localsphere.faces.vcd.tasks import task
from localsphere.faces.vcd.types import CatalogItems, Link, Reference, TasksInProgress
from localsphere.faces.vcd.types_people import (
    AdminCatalog,
    AdminGroup,
    AdminUser,
    GroupsList,
    OrgRights,
    Right,
    RightReferences,
    Role,
    UsersList,
)
from localsphere.faces.vcd.wire import Asked, asked, read_xml, vcd_time, xml
from localsphere.world import World
from localsphere.world.errors import Forbidden
from localsphere.world.identity import GROUP
from localsphere.world.org_people import RoleInfo, UserSpec, right, right_id
from localsphere.world.org_roles import (
    CREATE_CATALOG,
    EDIT_CATALOG,
    MANAGE_PEOPLE,
    MANAGE_ROLES,
    VIEW_CATALOGS,
    VIEW_ORG,
)
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import TenantView, org_id, org_uuid

V = f"{{{VCLOUD}}}"
LDAP, INTEGRATED = "LDAP", "INTEGRATED"  # a user's or group's ProviderType
RIGHT_TYPE = f"{ADMIN_TYPE}.right+xml"
ORG_RIGHTS_TYPE = f"{ADMIN_TYPE}.org.rights+xml"
ADMIN_CATALOG_TYPE = f"{ADMIN_TYPE}.catalog+xml"
VCD_NAMESPACE = "com.vmware.vcloud"  # the service namespace of vCD's own rights


def _body(element: ET.Element | None, tag: str) -> ET.Element:
    """The body, which must be the vCloud element ``tag`` (400 otherwise)."""
    if element is None:
        raise InputError("empty", f"The request needs a {tag} body.")
    if element.tag != f"{V}{tag}":
        raise InputError("value", f"The body must be the element {tag} of namespace {VCLOUD}.")
    return element


def _text(element: ET.Element, name: str) -> str | None:
    found = element.find(f"{V}{name}")
    return (found.text or "") if found is not None else None


def _flag(element: ET.Element, name: str) -> bool | None:
    value = _text(element, name)
    if value is None:
        return None
    if value.strip().lower() not in ("true", "false", "1", "0"):
        raise InputError("value", f"{name} must be true or false.")
    return value.strip().lower() in ("true", "1")


def _ref_id(element: ET.Element, name: str) -> str | None:
    """The id of a reference child ``name`` (its href's last segment)."""
    found = element.find(f"{V}{name}")
    if found is None:
        return None
    href = found.get("href") or found.get("id")
    if not href:
        raise InputError("value", f"{name} needs an href.")
    return object_id(href)


def _right_names(references: list[ET.Element]) -> list[str]:
    """The rights ``RightReference``s name: by their href's id, else by name."""
    names = []
    for ref in references:
        href = ref.get("href")
        if href:
            names.append(right(object_id(href)).name)
        elif ref.get("name"):
            names.append(ref.get("name") or "")
        else:
            raise InputError("value", "A RightReference needs an href or a name.")
    return names


def right_reference(h: Hrefs, name: str) -> Reference:
    return Reference(f"{h.base}/api/admin/right/{right_id(name)}", RIGHT_TYPE, name)


def org_rights(a: Asked, org: str, held: list[str]) -> OrgRights:
    """The rights the org ``org`` (its uuid) holds, at ``/api/admin/org/{id}/rights`` and as its
    AdminOrg's ``RightReferences`` (where pyvcloud's ``add_rights``, ``remove_rights`` and
    ``list_rights_of_org`` read them); the provider's view links where they change."""
    href = f"{a.hrefs.base}/api/admin/org/{org}/rights"
    links = [Link("edit", href, ORG_RIGHTS_TYPE), Link("add", href, ORG_RIGHTS_TYPE)] if a.provider else []
    return OrgRights(href, ORG_RIGHTS_TYPE, links, [right_reference(a.hrefs, r) for r in held])


def admin_org_links(h: Hrefs, org: str) -> list[Link]:
    """What an ``AdminOrg`` (``org``: its uuid) links to for this part: where a client adds a
    user, imports a group, makes a role or a catalog (``rel="add"``, what pyvcloud's
    ``Org.create_user``, ``create_role`` follow), and the org's rights."""
    base = f"{h.base}/api/admin/org/{org}"
    return [
        Link("add", f"{base}/users", media_type("user")),
        Link("add", f"{base}/groups", media_type("group")),
        Link("add", f"{base}/roles", media_type("role")),
        Link("add", f"{base}/catalogs", ADMIN_CATALOG_TYPE),
        Link("down", f"{base}/rights", ORG_RIGHTS_TYPE),
    ]


class AdminPeopleViews:
    def __init__(self, world: World, runner: Runner, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.max_body = max_body

    async def _org(self, request: Request, caller: TenantCaller) -> TenantView:
        return await self.runner.read(self.world.tenants.org, request.path_params["org"], caller.tenant)

    # ---- users

    async def create_user(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_PEOPLE)
        org = await self._org(request, caller)
        body = _body(await read_xml(request, self.max_body), "User")
        spec = _user_spec(body)
        if not spec.name:
            raise InputError("value", "User needs a name.")
        user_id = await self.runner.call(self.world.org_people.create_user, org.name, spec)
        return await self._user(a, user_id, 201)

    async def user(self, request: Request, caller: TenantCaller) -> Response:
        """A user of the org: any member of it reads it (pyvcloud's sharing with a user by name
        reads it so), the provider any org's."""
        a = asked(request, caller)
        wanted = request.path_params["user"]
        if wanted != caller.caller.principal.id:  # anyone reads its own
            a.require(VIEW_ORG)
        return await self._user(a, wanted)

    async def update_user(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_PEOPLE)
        body = _body(await read_xml(request, self.max_body), "User")
        spec = _user_spec(body)
        await self.runner.call(self.world.org_people.update_user, request.path_params["user"], a.viewer, spec)
        return await self._user(a, request.path_params["user"])

    async def delete_user(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_PEOPLE)
        await self.runner.call(
            self.world.org_people.delete_user,
            request.path_params["user"],
            a.viewer,
            caller.caller.principal.id,
        )
        return Response(status_code=204)

    async def _user(self, a: Asked, user_id: str, status: int = 200) -> Response:
        found = await self.runner.read(self.world.org_roles.user, user_id, a.viewer)
        h = a.hrefs
        href = h.of("user", found.id)
        answer = AdminUser(
            **h.identity("user", found.id, found.name),
            links=[
                Link("edit", href, media_type("user")),
                Link("remove", href),
                Link("up", h.of("org", found.tenant), media_type("org")),
            ],
            full_name=found.full_name,
            email_address=found.email or "",
            is_enabled=found.enabled,
            is_locked=found.locked,
            name_in_source=found.name,
            is_alert_enabled=False,
            is_external=found.external,
            provider_type=LDAP if found.external else INTEGRATED,
            is_default_cached=False,
            is_group_role=not found.role_ids,
            stored_vm_quota=0,
            deployed_vm_quota=0,
            role=h.reference("role", found.role_ids[0], found.roles[0]) if found.role_ids else None,
            groups=GroupsList([]),
        )
        return xml(answer, a.version, media_type("user"), status)

    # ---- groups

    async def import_group(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_PEOPLE)
        org = await self._org(request, caller)
        body = _body(await read_xml(request, self.max_body), "Group")
        name = body.get("name") or _text(body, "NameInSource")
        if not name:
            raise InputError("value", "Group needs a name.")
        group_id = await self.runner.call(
            self.world.org_people.import_group, org.name, name, _ref_id(body, "Role")
        )
        return await self._group(a, group_id, 201)

    async def group(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(VIEW_ORG)
        return await self._group(a, request.path_params["group"])

    async def update_group(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_PEOPLE)
        body = _body(await read_xml(request, self.max_body), "Group")
        role = _ref_id(body, "Role")
        if role is not None:
            await self.runner.call(
                self.world.org_people.set_group_role, request.path_params["group"], a.viewer, role
            )
        return await self._group(a, request.path_params["group"])

    async def delete_group(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_PEOPLE)
        await self.runner.call(self.world.org_people.remove_group, request.path_params["group"], a.viewer)
        return Response(status_code=204)

    async def _group(self, a: Asked, group_id: str, status: int = 200) -> Response:
        members = await self.runner.call(self.world.org_people.members, group_id, a.viewer)
        found = await self.runner.read(self.world.org_roles.user, group_id, a.viewer, GROUP)
        h = a.hrefs
        href = h.of("group", found.id)
        answer = AdminGroup(
            **h.identity("group", found.id, found.name),
            links=[
                Link("edit", href, media_type("group")),
                Link("remove", href),
                Link("up", h.of("org", found.tenant), media_type("org")),
            ],
            name_in_source=found.name,
            users=UsersList([h.reference("user", uid, name) for uid, name in members]),
            provider_type=LDAP if found.external else INTEGRATED,
            role=h.reference("role", found.role_ids[0], found.roles[0]) if found.role_ids else None,
        )
        return xml(answer, a.version, media_type("group"), status)

    # ---- roles and rights

    async def create_role(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_ROLES)
        org = await self._org(request, caller)
        body = _body(await read_xml(request, self.max_body), "Role")
        name = body.get("name")
        if not name:
            raise InputError("value", "Role needs a name.")
        rights = _right_names(body.findall(f"{V}RightReferences/{V}RightReference"))
        made = await self.runner.call(
            self.world.org_people.create_role, org.name, name, _text(body, "Description") or "", rights
        )
        return self._role(a, made, 201)

    async def role(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        found = await self.runner.read(self.world.org_people.role, request.path_params["role"], a.viewer)
        return self._role(a, found)

    async def update_role(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_ROLES)
        body = _body(await read_xml(request, self.max_body), "Role")
        references = body.find(f"{V}RightReferences")
        rights = _right_names(references.findall(f"{V}RightReference")) if references is not None else None
        changed = await self.runner.call(
            self.world.org_people.update_role,
            request.path_params["role"],
            a.viewer,
            body.get("name"),
            _text(body, "Description"),
            rights,
        )
        return self._role(a, changed)

    async def delete_role(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_ROLES)
        await self.runner.call(self.world.org_people.delete_role, request.path_params["role"], a.viewer)
        return Response(status_code=204)

    @staticmethod
    def _role(a: Asked, found: RoleInfo, status: int = 200) -> Response:
        h = a.hrefs
        href = h.of("role", found.id)
        links = [] if found.predefined and not a.provider else [Link("edit", href, media_type("role"))]
        if not found.predefined:
            links.append(Link("remove", href))
        answer = Role(
            **h.identity("role", found.id, found.name),
            links=links,
            description=found.description,
            right_references=RightReferences([right_reference(h, r) for r in found.rights]),
        )
        return xml(answer, a.version, media_type("role"), status)

    async def right(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        found = right(request.path_params["right"])
        answer = Right(
            href=f"{a.hrefs.base}/api/admin/right/{found.id}",
            type=RIGHT_TYPE,
            id=f"urn:vcloud:right:{found.id}",
            name=found.name,
            description=found.name,
            category=found.category,
            bundle_key=f"RIGHT_{found.name.upper()}",
            service_namespace=VCD_NAMESPACE,
        )
        return xml(answer, a.version, RIGHT_TYPE)

    async def org_rights(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        org = await self._org(request, caller)
        held = await self.runner.read(self.world.org_people.org_rights, org.name)
        return self._org_rights(a, org, held)

    async def put_org_rights(self, request: Request, caller: TenantCaller) -> Response:
        """``PUT``: the org's rights are those sent; ``POST``: those sent are added."""
        return await self._change_org_rights(request, caller, add=False)

    async def add_org_rights(self, request: Request, caller: TenantCaller) -> Response:
        return await self._change_org_rights(request, caller, add=True)

    async def _change_org_rights(self, request: Request, caller: TenantCaller, add: bool) -> Response:
        a = asked(request, caller)
        if not a.provider:
            raise Forbidden("right.provider", "Only the system administrator grants rights to an org.")
        org = await self._org(request, caller)
        body = _body(await read_xml(request, self.max_body), "OrgRights")
        sent = _right_names(body.findall(f"{V}RightReference"))
        if add:
            sent += await self.runner.read(self.world.org_people.org_rights, org.name)
        held = await self.runner.call(self.world.org_people.set_org_rights, org.name, sent)
        return self._org_rights(a, org, held)

    @staticmethod
    def _org_rights(a: Asked, org: TenantView, held: list[str]) -> Response:
        return xml(org_rights(a, org_id(org), held), a.version, ORG_RIGHTS_TYPE)

    # ---- catalogs

    async def create_catalog(self, request: Request, caller: TenantCaller) -> Response:
        """201: the new ``AdminCatalog``, with the task that made it."""
        a = asked(request, caller)
        a.require(CREATE_CATALOG)
        org = await self._org(request, caller)
        body = _body(await read_xml(request, self.max_body), "AdminCatalog")
        name = body.get("name")
        if not name:
            raise InputError("value", "AdminCatalog needs a name.")
        made = await self.runner.call(
            self.world.catalog_admin.create,
            org.name,
            name,
            _text(body, "Description") or "",
            caller.caller.principal,
        )
        return await self._catalog(a, made.catalog_id, 201, made.task_id)

    async def catalog(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(VIEW_CATALOGS)
        return await self._catalog(a, request.path_params["catalog"])

    async def update_catalog(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(EDIT_CATALOG)
        body = _body(await read_xml(request, self.max_body), "AdminCatalog")
        await self.runner.call(
            self.world.catalog_admin.update,
            request.path_params["catalog"],
            a.viewer,
            body.get("name"),
            _text(body, "Description"),
        )
        return await self._catalog(a, request.path_params["catalog"])

    async def delete_catalog(self, request: Request, caller: TenantCaller) -> Response:
        """204; a catalog with items is refused (400) unless ``recursive=true``."""
        a = asked(request, caller)
        a.require(CREATE_CATALOG)
        recursive = request.query_params.get("recursive", "false").lower() == "true"
        await self.runner.call(
            self.world.catalog_admin.delete, request.path_params["catalog"], a.viewer, recursive
        )
        return Response(status_code=204)

    async def _catalog(
        self, a: Asked, catalog_id: str, status: int = 200, task_id: str | None = None
    ) -> Response:
        view = await self.runner.read(self.world.catalogs.get, catalog_id, a.viewer)
        items = await self.runner.read(self.world.catalogs.items, view.id)
        made = await self.runner.read(self.world.tasks.get, task_id, None) if task_id else None
        h = a.hrefs
        href = f"{h.base}/api/admin/catalog/{view.id}"
        answer = AdminCatalog(
            href=href,
            type=ADMIN_CATALOG_TYPE,
            id=f"urn:vcloud:catalog:{view.id}",
            name=view.name,
            links=[
                Link(
                    "up", f"{h.base}/api/admin/org/{org_uuid(view.tenant)}", f"{ADMIN_TYPE}.organization+xml"
                ),
                Link("alternate", h.of("catalog", view.id), media_type("catalog")),
                Link("edit", href, ADMIN_CATALOG_TYPE),
                Link("remove", href),
                *access_links(h, "catalog", view.id),
            ],
            description=view.description,
            tasks=TasksInProgress([task(h, made)]) if made is not None else None,
            owner=owner(h, view.owner_id, view.owner_name),
            catalog_items=CatalogItems([h.resource("catalogItem", i.id, i.name) for i in items]),
            is_published=view.published,
            date_created=vcd_time(view.created_at),
            version_number=1,
        )
        return xml(answer, a.version, ADMIN_CATALOG_TYPE, status)


def _user_spec(body: ET.Element) -> UserSpec:
    """What a ``User`` body sets: its name, ``FullName``, ``EmailAddress``, ``Description``,
    ``IsEnabled``, ``IsLocked``, ``Password`` and ``Role``."""
    return UserSpec(
        name=body.get("name"),
        password=_text(body, "Password") or None,
        full_name=_text(body, "FullName"),
        email=_text(body, "EmailAddress"),
        description=_text(body, "Description"),
        enabled=_flag(body, "IsEnabled"),
        locked=_flag(body, "IsLocked"),
        role_id=_ref_id(body, "Role"),
    )
