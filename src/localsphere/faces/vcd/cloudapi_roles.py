"""Roles and rights as cloudapi (API 33 and later) shows them, in JSON: ``/cloudapi/1.0.0/roles``
(list, create; ``/{id}``: read, change, delete; ``/{id}/rights``: read, add (POST), replace
(PUT)), ``/rights[/{id}]``, ``/rightsCategories[/{id}]`` and ``/rightsBundles[/{id}[/rights|
/tenants]]`` (the one bundle every org has: the tenant rights, published to every org).

Shapes as vCD's cloudapi writes them (its ``Role``, ``Right``, ``RightsCategory``,
``RightsBundle``, ``EntityReferences`` and paged lists: ``resultTotal``, ``pageCount``, ``page``,
``pageSize``, ``associations``, ``values``); ids are urns (``urn:vcloud:role:<uuid>``). A list
takes ``page`` (from 1), ``pageSize`` (1-128, 25 by default) and a ``filter`` of ``name==...``."""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner, json_response, read_json, whole_number
from localsphere.faces.vcd.versions import chosen
from localsphere.world import World
from localsphere.world.errors import NotFound
from localsphere.world.org_people import TENANT_RIGHTS, RightView, RoleInfo, right, rights
from localsphere.world.org_roles import RIGHTS, right_id
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import DEFAULT_TENANT, org_name, org_uuid

PAGE_SIZE, PAGE_SIZE_MOST = 25, 128
BUNDLE_KEY = "com.vmware.vcloud.undefined.key"
_IDS = uuid.UUID("4c53a1d0-0000-4000-8000-00000000c0d2")  # namespace of categories' and the bundle's ids
DEFAULT_BUNDLE = str(uuid.uuid5(_IDS, "Default Rights Bundle"))
VIEW_WORDS = ("View", "Access")  # a right whose name says it only reads: rightType VIEW


def category_id(name: str) -> str:
    return str(uuid.uuid5(_IDS, f"category:{name}"))


def _urn_id(text: str, kind: str) -> str:
    """The uuid of ``urn:vcloud:<kind>:<uuid>`` (or of a bare uuid)."""
    prefix = f"urn:vcloud:{kind}:"
    return text[len(prefix) :] if text.lower().startswith(prefix.lower()) else text


def _paging(request: Request) -> tuple[int, int, str | None]:
    """(page, pageSize, the name a ``name==`` filter asks for); 400 for anything else."""
    params = request.query_params
    page = whole_number(params.get("page", "1"))
    size = whole_number(params.get("pageSize", str(PAGE_SIZE)))
    if page is None or page < 1 or size is None or not 1 <= size <= PAGE_SIZE_MOST:
        raise InputError("query", f"page must be 1 or more and pageSize 1 to {PAGE_SIZE_MOST}.")
    text = params.get("filter")
    if text is None:
        return page, size, None
    key, sep, value = text.partition("==")
    if key.strip() != "name" or not sep:
        raise InputError("query", "The filter takes name==<value>.")
    return page, size, value


def _page(page: int, size: int, total: int, values: list[Any]) -> dict[str, Any]:
    return {
        "resultTotal": total,
        "pageCount": max(1, -(-total // size)),
        "page": page,
        "pageSize": size,
        "associations": None,
        "values": values,
    }


def _cut(request: Request, items: list[Any], named: Any) -> dict[str, Any]:
    """One page of a short fixed list (vCD's rights catalogue), filtered by name as the world's
    lists are (``fiql.like``: any case, ``*`` any text)."""
    page, size, name = _paging(request)
    if name is not None:
        pattern = re.compile(".*".join(re.escape(p) for p in name.lower().split("*")), re.DOTALL)
        items = [i for i in items if pattern.fullmatch(named(i).lower())]
    return _page(page, size, len(items), items[(page - 1) * size : page * size])


def role_json(found: RoleInfo) -> dict[str, Any]:
    return {
        "name": found.name,
        "id": f"urn:vcloud:role:{found.id}",
        "description": found.description,
        "bundleKey": BUNDLE_KEY,
        "readOnly": found.predefined,
    }


def right_json(found: RightView) -> dict[str, Any]:
    view = any(found.name.split(": ", 1)[-1].startswith(w) for w in VIEW_WORDS)
    return {
        "name": found.name,
        "id": f"urn:vcloud:right:{found.id}",
        "description": found.name,
        "bundleKey": BUNDLE_KEY,
        "category": f"urn:vcloud:rightsCategory:{category_id(found.category)}",
        "serviceNamespace": "com.vmware.vcloud",
        "rightType": "VIEW" if view else "MODIFY",
        "impliedRights": [],
    }


def _reference(name: str) -> dict[str, str]:
    return {"name": name, "id": f"urn:vcloud:right:{right_id(name)}"}


def _right_names(body: Any) -> list[str]:
    """The rights an ``EntityReferences`` body names (``values``: ``{id}`` or ``{name}``)."""
    values = body.get("values") if isinstance(body, dict) else None
    if not isinstance(values, list):
        raise InputError("value", 'The body must be EntityReferences: {"values": [{"id": ...}]}.')
    names = []
    for ref in values:
        if isinstance(ref, dict) and isinstance(ref.get("id"), str):
            names.append(right(_urn_id(ref["id"], "right")).name)
        elif isinstance(ref, dict) and isinstance(ref.get("name"), str):
            names.append(ref["name"])
        else:
            raise InputError("value", "A right reference needs an id or a name.")
    return names


class CloudApiRoles:
    def __init__(self, world: World, runner: Runner, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.max_body = max_body

    @staticmethod
    def _viewer(request: Request, caller: TenantCaller) -> str | None:
        chosen(request.headers.get("accept", ""))  # 406 for a version not offered
        return None if caller.tenant.lower() == DEFAULT_TENANT else caller.tenant

    # ---- roles

    async def roles(self, request: Request, caller: TenantCaller) -> Response:
        viewer = self._viewer(request, caller)
        page, size, name = _paging(request)
        total, found = await self.runner.read(
            self.world.org_people.roles, viewer, (page - 1) * size, size, name
        )
        return json_response(_page(page, size, total, [role_json(r) for r in found]))

    async def create_role(self, request: Request, caller: TenantCaller) -> Response:
        viewer = self._viewer(request, caller)
        body = await read_json(request, self.max_body)
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name:
            raise InputError("value", "A role needs a name.")
        description = body.get("description") or ""
        if not isinstance(description, str):
            raise InputError("value", "A role's description is text.")
        made = await self.runner.call(
            self.world.org_people.create_role, viewer or DEFAULT_TENANT, name, description, []
        )
        return json_response(role_json(made), 201)

    async def role(self, request: Request, caller: TenantCaller) -> Response:
        viewer = self._viewer(request, caller)
        found = await self.runner.read(self.world.org_people.role, self._role_id(request), viewer)
        return json_response(role_json(found))

    async def update_role(self, request: Request, caller: TenantCaller) -> Response:
        viewer = self._viewer(request, caller)
        body = await read_json(request, self.max_body)
        if not isinstance(body, dict):
            raise InputError("value", "The body must be a Role.")
        name, description = body.get("name"), body.get("description")
        if not isinstance(name, str | None) or not isinstance(description, str | None):
            raise InputError("value", "A role's name and description are text.")
        changed = await self.runner.call(
            self.world.org_people.update_role, self._role_id(request), viewer, name, description, None
        )
        return json_response(role_json(changed))

    async def delete_role(self, request: Request, caller: TenantCaller) -> Response:
        viewer = self._viewer(request, caller)
        await self.runner.call(self.world.org_people.delete_role, self._role_id(request), viewer)
        return Response(status_code=204)

    async def role_rights(self, request: Request, caller: TenantCaller) -> Response:
        viewer = self._viewer(request, caller)
        found = await self.runner.read(self.world.org_people.role, self._role_id(request), viewer)
        return json_response(_cut(request, [_reference(r) for r in found.rights], lambda r: r["name"]))

    async def add_role_rights(self, request: Request, caller: TenantCaller) -> Response:
        return await self._set_role_rights(request, caller, add=True)

    async def put_role_rights(self, request: Request, caller: TenantCaller) -> Response:
        return await self._set_role_rights(request, caller, add=False)

    async def _set_role_rights(self, request: Request, caller: TenantCaller, add: bool) -> Response:
        """``EntityReferences`` of the role's rights after the change."""
        viewer = self._viewer(request, caller)
        sent = _right_names(await read_json(request, self.max_body))
        role_id = self._role_id(request)
        if add:
            sent += list((await self.runner.read(self.world.org_people.role, role_id, viewer)).rights)
        changed = await self.runner.call(self.world.org_people.update_role, role_id, viewer, None, None, sent)
        return json_response({"values": [_reference(r) for r in changed.rights]})

    @staticmethod
    def _role_id(request: Request) -> str:
        return _urn_id(request.path_params["role"], "role")

    # ---- rights, their categories and the rights bundle

    async def rights(self, request: Request, caller: TenantCaller) -> Response:
        self._viewer(request, caller)
        return json_response(_cut(request, [right_json(r) for r in rights()], lambda r: r["name"]))

    async def right(self, request: Request, caller: TenantCaller) -> Response:
        self._viewer(request, caller)
        return json_response(right_json(right(_urn_id(request.path_params["right"], "right"))))

    async def categories(self, request: Request, caller: TenantCaller) -> Response:
        self._viewer(request, caller)
        return json_response(_cut(request, _categories(), lambda c: c["name"]))

    async def category(self, request: Request, caller: TenantCaller) -> Response:
        self._viewer(request, caller)
        wanted = _urn_id(request.path_params["category"], "rightsCategory")
        found = next((c for c in _categories() if c["id"].endswith(wanted)), None)
        if found is None:
            raise NotFound("category.not_found", f"No rights category with id {wanted}.", wanted)
        return json_response(found)

    async def bundles(self, request: Request, caller: TenantCaller) -> Response:
        self._viewer(request, caller)
        return json_response(_cut(request, [_bundle()], lambda b: b["name"]))

    async def bundle(self, request: Request, caller: TenantCaller) -> Response:
        self._viewer(request, caller)
        self._bundle_id(request)
        return json_response(_bundle())

    async def bundle_rights(self, request: Request, caller: TenantCaller) -> Response:
        self._viewer(request, caller)
        self._bundle_id(request)
        return json_response(
            _cut(request, [_reference(r) for r in sorted(TENANT_RIGHTS)], lambda r: r["name"])
        )

    async def bundle_tenants(self, request: Request, caller: TenantCaller) -> Response:
        """The orgs the bundle is published to: every org (an org user: its own)."""
        self._bundle_id(request)
        orgs = await self.runner.read(self.world.tenants.orgs, caller.tenant)
        refs = [
            {"name": org_name(t), "id": f"urn:vcloud:org:{org_uuid(t.name)}"}
            for t in orgs
            if not t.is_default
        ]
        return json_response(_cut(request, refs, lambda r: r["name"]))

    @staticmethod
    def _bundle_id(request: Request) -> None:
        wanted = _urn_id(request.path_params["bundle"], "rightsBundle")
        if wanted != DEFAULT_BUNDLE:
            raise NotFound("bundle.not_found", f"No rights bundle with id {wanted}.", wanted)


def _categories() -> list[dict[str, Any]]:
    """vCD's rights categories, by name, with how many view and modify rights each holds."""
    counted: dict[str, dict[str, int]] = {}
    for name in RIGHTS:
        kind = right_json(RightView(right_id(name), name, RIGHTS[name]))["rightType"].lower()
        counted.setdefault(RIGHTS[name], {"view": 0, "modify": 0})[kind] += 1
    return [
        {
            "name": name,
            "id": f"urn:vcloud:rightsCategory:{category_id(name)}",
            "bundleKey": BUNDLE_KEY,
            "parent": None,
            "rightsCount": counts,
            "subCategories": [],
        }
        for name, counts in sorted(counted.items())
    ]


def _bundle() -> dict[str, Any]:
    return {
        "name": "Default Rights Bundle",
        "id": f"urn:vcloud:rightsBundle:{DEFAULT_BUNDLE}",
        "description": "The rights every org holds unless the provider withholds some.",
        "bundleKey": BUNDLE_KEY,
        "readOnly": True,
        "publishState": "Published",
    }
