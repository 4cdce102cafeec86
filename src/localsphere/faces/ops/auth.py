"""The suite-api's auth section over the world's one identity and access model: users and user
groups (the SSO domains' principals, ``world.accounts``), roles and privileges (the ``ops``
family of the access model) with their privileges, role permissions (a role on all objects, at
the access model's root), a user's own password change, auth sources and their types (the SSO
domains) with principal search, privilege groups, scopes and traversal specifications (read
only: the world holds no object scopes), the current user, and how token acquisition reads
``authSource``.

Auth sources: the default SSO domain is Operations' built-in ``LOCAL`` source, "Local Users",
whose users sign in with their bare name; any other SSO domain is a ``VC`` source (vCenter's
SSO) named after the domain, whose users are ``name@domain``. A user made here is that domain's
principal: it signs in to every face with its password and holds its Operations roles at the
root (``role-permissions`` with ``allowAllObjects``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import Runner
from localsphere.faces.ops.wire import OpsError, read_document, reply
from localsphere.world import World
from localsphere.world.access import OPS, Caller
from localsphere.world.accounts import Account, AccountSpec
from localsphere.world.errors import NotFound
from localsphere.world.identity import GROUP, SSO, USER
from localsphere.world.roles import RoleInfo

DEFAULT_DOMAIN = "vsphere.local"  # the world's built-in SSO domain: Operations' local users
LOCAL = "LOCAL"
LOCAL_NAME = "Local Users"
SOURCE_TYPES = {LOCAL: "Local users of VCF Operations", "VC": "vCenter single sign-on users"}
MOST_FOUND = 25  # principals a search of an SSO source answers at most
_NAMESPACE = uuid.UUID("6f1c1c5e-3c8e-4f7e-9d2a-0c0ffee0a115")  # of auth source ids
# The traversal specification templates of the VMWARE adapter (its describe.xml's
# TraversalSpecKinds, rooted at the vSphere World); a permission limited by them is refused.
TRAVERSAL_SPECS = tuple(
    {
        "name": name,
        "rootAdapterKindKey": "VMWARE",
        "rootResourceKindKey": "vSphere World",
        "adapterInstanceAssociation": False,
    }
    for name in ("vSphere Hosts and Clusters", "vSphere Networking", "vSphere Storage")
)


def source_id(domain: str) -> str:
    """A stable auth source id for an SSO domain."""
    return str(uuid.uuid5(_NAMESPACE, domain.lower()))


def sourcetype_body(kind: str) -> dict[str, Any]:
    """An ``auth-sourcetype``: one of the kinds of source the world's SSO domains are."""
    return {"id": kind, "name": kind, "description": SOURCE_TYPES[kind]}


def spaced(key: str) -> str:
    """A privilege's name from its key: ``ManageAlerts`` -> "Manage Alerts"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key)


def username(account: Account) -> str:
    p = account.principal
    return p.name if p.domain == DEFAULT_DOMAIN else p.upn


def _permissions(roles: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"roleName": r, "allowAllObjects": True} for r in roles]


def user_body(account: Account) -> dict[str, Any]:
    """A ``user`` (never its password)."""
    body: dict[str, Any] = {"id": account.principal.id, "username": username(account)}
    for key, value in (
        ("firstName", account.first_name),
        ("lastName", account.last_name),
        ("emailAddress", account.email),
    ):
        if value is not None:
            body[key] = value
    return {
        **body,
        "enabled": account.enabled,
        "groupIds": list(account.groups),
        "roleNames": list(account.roles),
        "role-permissions": _permissions(account.roles),
    }


def group_body(account: Account) -> dict[str, Any]:
    """A ``user-group``."""
    p = account.principal
    body: dict[str, Any] = {"id": p.id, "name": p.name, "displayName": p.name}
    if account.description is not None:
        body["description"] = account.description
    return {
        **body,
        "authSourceId": source_id(p.domain or DEFAULT_DOMAIN),
        "userIds": list(account.members),
        "roleNames": list(account.roles),
        "role-permissions": _permissions(account.roles),
    }


def _found(account: Account) -> dict[str, Any]:
    """A ``user-search-response`` or ``usergroup-search-response``: the principal's bare name and
    what the world holds of it."""
    body: dict[str, Any] = {"name": account.principal.name}
    for key, value in (
        ("firstName", account.first_name),
        ("lastName", account.last_name),
        ("emailAddress", account.email),
        ("description", account.description),
    ):
        if value is not None:
            body[key] = value
    return body


def role_body(role: RoleInfo) -> dict[str, Any]:
    """A ``user-role``."""
    return {
        "name": role.name,
        "displayName": role.name,
        "description": role.description,
        "privilege-keys": sorted(role.privileges),
        "system-created": role.system,
    }


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise OpsError(400, f"{key} must be a string")
    return value


def _texts(body: dict[str, Any], key: str) -> tuple[str, ...] | None:
    value = body.get(key)
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in items):
        raise OpsError(400, f"{key} must be a list of strings")
    return tuple(items)


def root_role(permission: Any) -> str:
    """The role of a ``role-permission`` on all objects, which the world holds at the root of the
    access model. A permission limited to objects (``allowAllObjects`` false, with a ``scopeId``
    or ``traversal-spec-instances``) is refused: the world's Operations roles hold on every object
    or none. OpsError 400."""
    if not isinstance(permission, dict):
        raise OpsError(400, "The body must be a role-permission object")
    name = permission.get("roleName")
    if not isinstance(name, str) or not name:
        raise OpsError(400, "Every role permission needs a roleName")
    every = permission.get("allowAllObjects")
    if every is True:
        return name
    scope = permission.get("scopeId")
    if scope:
        raise OpsError(400, f"Scope {scope} does not exist")
    if permission.get("traversal-spec-instances"):
        raise OpsError(
            400, "Permissions by traversal specification are not supported: set allowAllObjects to true"
        )
    raise OpsError(400, f"The permission of role {name} names no objects: set allowAllObjects to true")


def _roles_of(body: dict[str, Any]) -> tuple[str, ...] | None:
    """``roleNames``, or the roles of ``role-permissions`` (on all objects: the root)."""
    names = _texts(body, "roleNames")
    permissions = body.get("role-permissions")
    if isinstance(permissions, list):
        names = (*(names or ()), *(root_role(p) for p in permissions))
    return tuple(dict.fromkeys(names)) if names is not None else None


def account_spec(body: dict[str, Any], kind: str) -> AccountSpec:
    enabled = body.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise OpsError(400, "enabled must be true or false")
    return AccountSpec(
        first_name=_text(body, "firstName"),
        last_name=_text(body, "lastName"),
        email=_text(body, "emailAddress"),
        description=_text(body, "description"),
        enabled=enabled,
        password=_text(body, "password"),
        groups=_texts(body, "groupIds") if kind == USER else None,
        members=_texts(body, "userIds") if kind == GROUP else None,
        roles=_roles_of(body),
    )


class AuthSection:
    """The handlers of the auth section (and ``GET /api/versions``' neighbour, the sources)."""

    def __init__(self, world: World, runner: Runner, max_body: int) -> None:
        self.world, self.runner, self.max_body = world, runner, max_body

    # ---- auth sources

    def _domains(self) -> list[str]:
        names = self.world.identity.domain_names(SSO)
        return sorted(names, key=lambda d: (d != DEFAULT_DOMAIN, d))

    @staticmethod
    def _source(domain: str) -> dict[str, Any]:
        kind = LOCAL if domain == DEFAULT_DOMAIN else "VC"
        return {
            "id": source_id(domain),
            "name": LOCAL_NAME if kind == LOCAL else domain,
            "sourceType": sourcetype_body(kind),
            "property": [],
            "certificates": [],
        }

    def domain_of_source(self, source: str | None) -> str | None:
        """The SSO domain an ``authSource`` names (any case: ``LOCAL``, ``Local``, "Local Users",
        a domain's name or a source id); None: none is named. OpsError 401 when it names none."""
        if source is None or not source.strip():
            return None
        wanted = source.strip().lower()
        for domain in self._domains():
            names = {domain.lower(), source_id(domain)}
            if domain == DEFAULT_DOMAIN:
                names |= {LOCAL.lower(), LOCAL_NAME.lower()}
            if wanted in names:
                return domain
        raise OpsError(401, f"Unknown authentication source {source}")

    def login(self, name: str, source: str | None) -> str:
        """The login of a user signing in as ``name`` from ``source`` (an ``authSource``, or
        none: the local users): ``name@domain`` (a name that names its domain keeps it)."""
        domain = self.domain_of_source(source) or DEFAULT_DOMAIN
        return name if "@" in name or "\\" in name else f"{name}@{domain}"

    async def sources(self, request: Request) -> Response:
        """``GET /api/auth/sources``, which the product answers signed in or not."""
        found = await self.runner.read(self._domains)
        return reply(request, "auth-sources", {"sources": [self._source(d) for d in found]})

    async def source(self, request: Request, _caller: Caller) -> Response:
        wanted = request.path_params["sourceId"]
        found = [d for d in await self.runner.read(self._domains) if wanted in (source_id(d), d)]
        if not found:
            raise OpsError(404, f"Authentication source {wanted} not found")
        return reply(request, "auth-source", self._source(found[0]))

    async def source_types(self, request: Request, _caller: Caller) -> Response:
        """``GET /api/auth/sourcetypes``: the kinds of the world's sources (``LOCAL``, ``VC``)."""
        return reply(request, "auth-sourcetypes", {"sourceTypes": [sourcetype_body(k) for k in SOURCE_TYPES]})

    async def source_type(self, request: Request, _caller: Caller) -> Response:
        kind = request.path_params["sourceId"]
        if kind not in SOURCE_TYPES:
            raise OpsError(404, f"Authentication source type {kind} not found")
        return reply(request, "auth-sourcetype", sourcetype_body(kind))

    async def search_users(self, request: Request, _caller: Caller) -> Response:
        return await self._search(request, USER)

    async def search_groups(self, request: Request, _caller: Caller) -> Response:
        return await self._search(request, GROUP)

    async def _search(self, request: Request, kind: str) -> Response:
        """``POST /api/auth/sources/{id}/users/search`` (``user-search-request``) and
        ``.../usergroups/search``: the source's principals whose name matches ``name`` (``*`` any
        run of characters), at most ``MOST_FOUND``, by name; ``domain``, when given, must be the
        source's (else none are found). 404 for an unknown source, 400 without a name."""
        root = "user-search" if kind == USER else "usergroup-search"
        body = await self._document(request, f"{root}-request")
        pattern, domain = _text(body, "name"), _text(body, "domain")
        if not pattern:
            raise OpsError(400, "name is required")

        def find() -> list[Account]:
            wanted = request.path_params["id"]
            found = [d for d in self._domains() if wanted in (source_id(d), d)]
            if not found:
                raise OpsError(404, f"Authentication source {wanted} not found")
            if domain and domain.lower() != found[0].lower():
                return []
            return self.world.accounts.search(kind, OPS, found[0], pattern, MOST_FOUND)

        items = [_found(a) for a in await self.runner.read(find)]
        return reply(request, f"{root}-responses", {f"{root}-response": items})

    # ---- object scopes and traversal specifications

    async def scopes(self, request: Request, _caller: Caller) -> Response:
        """``GET /api/auth/scopes``: none, as the world's Operations roles hold on all objects."""
        return reply(request, "scopes-details", {"scopesDetails": []})

    async def scope(self, request: Request, _caller: Caller) -> Response:
        raise OpsError(404, f"Scope {request.path_params['scopeId']} not found")

    async def traversal_specs(self, request: Request, _caller: Caller) -> Response:
        """``GET /api/auth/traversalspecs``, by ``adapterKind``, ``resourceKind`` and ``name``."""
        query = request.query_params
        wanted = [
            (key, set(query.getlist(name)))
            for key, name in (
                ("rootAdapterKindKey", "adapterKind"),
                ("rootResourceKindKey", "resourceKind"),
                ("name", "name"),
            )
        ]
        found = [t for t in TRAVERSAL_SPECS if all(not w or t[key] in w for key, w in wanted)]
        return reply(request, "traversal-specs", {"specs": found})

    # ---- users and groups

    def _split(self, name: str) -> tuple[str, str]:
        """(name, domain) of a username: ``name@domain`` in that SSO domain, else the default one."""
        local, _, domain = name.rpartition("@") if "@" in name else (name, "", DEFAULT_DOMAIN)
        if domain.lower() not in {d.lower() for d in self._domains()}:
            raise OpsError(400, f"Unknown authentication source {domain}")
        return local, domain.lower()

    async def users(self, request: Request, _caller: Caller) -> Response:
        query = request.query_params
        ids, names, roles = query.getlist("id"), query.getlist("username"), query.getlist("roleName")
        found = await self.runner.read(
            self.world.accounts.list, USER, OPS, ids or None, names or None, roles or None
        )
        return reply(request, "user-list", {"users": [user_body(a) for a in found]})

    async def user(self, request: Request, _caller: Caller) -> Response:
        found = await self.runner.read(self.world.accounts.get, USER, OPS, request.path_params["id"])
        return reply(request, "user", user_body(found))

    async def current_user(self, request: Request, caller: Caller) -> Response:
        found = await self.runner.read(self.world.accounts.get, USER, OPS, caller.principal.id)
        return reply(request, "user", user_body(found))

    async def groups(self, request: Request, _caller: Caller) -> Response:
        query = request.query_params
        ids, names = query.getlist("id"), query.getlist("name")
        found = await self.runner.read(self.world.accounts.list, GROUP, OPS, ids or None, names or None)
        return reply(request, "user-groups", {"userGroups": [group_body(a) for a in found]})

    async def group(self, request: Request, _caller: Caller) -> Response:
        found = await self.runner.read(self.world.accounts.get, GROUP, OPS, request.path_params["id"])
        return reply(request, "user-group", group_body(found))

    async def _document(self, request: Request, root: str) -> dict[str, Any]:
        body = await read_document(request, self.max_body, root)
        if not isinstance(body, dict):
            raise OpsError(400, f"The body must be a {root} object")
        return body

    async def create_user(self, request: Request, _caller: Caller) -> Response:
        return await self._write(request, USER, created=True)

    async def modify_user(self, request: Request, _caller: Caller) -> Response:
        return await self._write(request, USER, created=False)

    async def create_group(self, request: Request, _caller: Caller) -> Response:
        return await self._write(request, GROUP, created=True)

    async def modify_group(self, request: Request, _caller: Caller) -> Response:
        return await self._write(request, GROUP, created=False)

    async def _write(self, request: Request, kind: str, created: bool) -> Response:
        """A user (``user``, named by ``username``) or group (``user-group``, by ``name``) made
        (201), or changed (the one ``id`` names)."""
        root, key, shown = (
            ("user", "username", user_body) if kind == USER else ("user-group", "name", group_body)
        )
        body = await self._document(request, root)
        spec = account_spec(body, kind)
        if created:
            name = _text(body, key)
            if not name:
                raise OpsError(400, f"{key} is required")
            local, domain = await self.runner.read(self._split, name)
            done = await self.runner.call(self.world.accounts.create, kind, OPS, domain, local, spec)
        else:
            target = _text(body, "id")
            if not target:
                raise OpsError(400, "id is required")
            done = await self.runner.call(self.world.accounts.update, kind, OPS, target, spec)
        return reply(request, root, shown(done), 201 if created else 200)

    async def delete_users(self, request: Request, caller: Caller) -> Response:
        return await self._delete(request, caller, USER)

    async def delete_groups(self, request: Request, caller: Caller) -> Response:
        return await self._delete(request, caller, GROUP)

    async def _delete(self, request: Request, caller: Caller, kind: str) -> Response:
        ids = (
            [request.path_params["id"]] if "id" in request.path_params else request.query_params.getlist("id")
        )
        if not ids:
            raise OpsError(400, "id is required")
        await self.runner.call(self.world.accounts.delete, kind, ids, caller.principal.id)
        return Response(status_code=204)

    async def change_password(self, request: Request, caller: Caller) -> Response:
        """``PUT /api/auth/users/passwordchange`` (``password-change``): a local user changes its
        own password, the current one checked and the new one held to the world's password
        policy (400 otherwise); 204. It is the SSO principal's: the new password signs in on every
        face. A user of another source changes its password there (400)."""
        body = await self._document(request, "password-change")
        current, new = _text(body, "currentPassword"), _text(body, "newPassword")
        if not current or not new:
            raise OpsError(400, "currentPassword and newPassword are required")
        if caller.principal.domain != DEFAULT_DOMAIN:
            raise OpsError(400, f"Only a local user's password is changed here, not {caller.principal.upn}'s")
        await self.runner.call(self.world.accounts.change_password, caller.principal.id, current, new)
        return Response(status_code=204)

    # ---- role permissions

    @staticmethod
    def _holder(request: Request, caller: Caller) -> tuple[str, str]:
        """(kind, id) of the user or group a permissions path names; the caller's own by default."""
        params = request.path_params
        if "groupId" in params:
            return GROUP, params["groupId"]
        return USER, params.get("userId", caller.principal.id)

    async def permissions(self, request: Request, caller: Caller) -> Response:
        """``GET .../users/{userId}/permissions``, ``.../usergroups/{groupId}/permissions`` and
        ``.../currentuser/permissions``: the holder's own role permissions (``role-permissions``),
        not those of its groups."""
        kind, holder = self._holder(request, caller)
        found = await self.runner.read(self.world.accounts.get, kind, OPS, holder)
        return reply(request, "role-permissions", {"permissions": _permissions(found.roles)})

    async def assign_permission(self, request: Request, caller: Caller) -> Response:
        """``PUT .../permissions``: a ``role-permission`` given (kept when held already); answers
        the holder's ``role-permissions``. The role holds at once, on every session."""
        role = root_role(await read_document(request, self.max_body, "role-permission"))
        kind, holder = self._holder(request, caller)
        found = await self.runner.call(self.world.accounts.grant, kind, OPS, holder, role, True)
        return reply(request, "role-permissions", {"permissions": _permissions(found.roles)})

    async def unassign_permission(self, request: Request, caller: Caller) -> Response:
        """``DELETE .../permissions/{roleName}``: 204; 404 when the holder does not hold it."""
        kind, holder = self._holder(request, caller)
        role = request.path_params["roleName"]
        await self.runner.call(self.world.accounts.grant, kind, OPS, holder, role, False)
        return Response(status_code=204)

    async def current_role_privileges(self, request: Request, caller: Caller) -> Response:
        """``GET /api/auth/currentuser/roles/{roleName}/privileges``: the privileges of a role the
        caller holds (its own or through its groups); 404 for any other role."""
        name = request.path_params["roleName"]

        def held() -> RoleInfo:
            if name not in self.world.access.role_names(caller.principal.id, OPS):
                raise OpsError(404, f"The current user has no role {name}")
            return self._role(name)

        return await self._privileges(request, (await self.runner.read(held)).privileges)

    # ---- roles and privileges

    def _role(self, name: str) -> RoleInfo:
        found = self.world.roles.list(OPS, names={name}).items
        if not found:
            raise NotFound("role.not_found", f"Role {name} not found", name)
        return found[0]

    async def roles(self, request: Request, _caller: Caller) -> Response:
        names = set(request.query_params.getlist("roleName")) or None
        found = await self.runner.read(self.world.roles.list, OPS, names, None, None, None, 1000)
        return reply(request, "user-roles", {"userRoles": [role_body(r) for r in found.items]})

    async def role(self, request: Request, _caller: Caller) -> Response:
        return reply(
            request,
            "user-role",
            role_body(await self.runner.read(self._role, request.path_params["roleName"])),
        )

    async def role_privileges(self, request: Request, _caller: Caller) -> Response:
        role = await self.runner.read(self._role, request.path_params["roleName"])
        return await self._privileges(request, role.privileges)

    async def privileges(self, request: Request, _caller: Caller) -> Response:
        return await self._privileges(request, set(request.query_params.getlist("key")) or None)

    async def privilege_groups(self, request: Request, _caller: Caller) -> Response:
        """``GET /api/auth/privilegegroups``: the groups of the family's privileges, by ``key``."""
        wanted = set(request.query_params.getlist("key"))
        found = await self.runner.read(self.world.roles.privileges, OPS, None, None, 1000)
        groups = sorted({p.group for p in found.items if not wanted or p.group in wanted})
        items = [{"key": g, "name": g} for g in groups]
        return reply(request, "privilege-groups", {"privilegeGroups": items})

    async def _privileges(self, request: Request, keys: set[str] | frozenset[str] | None) -> Response:
        found = await self.runner.read(
            self.world.roles.privileges, OPS, set(keys) if keys is not None else None, None, 1000
        )
        items = [{"key": p.name, "name": spaced(p.name), "description": p.description} for p in found.items]
        return reply(request, "privileges", {"privileges": items})

    async def edit_role_privileges(self, request: Request, _caller: Caller) -> Response:
        """``POST`` (add to), ``PUT`` (replace) and ``DELETE`` (take from) a role's privileges by
        ``privilege-keys``; answers the privilege keys the role holds then. A system role is not
        changed (400), nor is any privilege the family does not have (400)."""
        body = await self._document(request, "privilege-keys")
        keys = set(_texts(body, "privilege-key") or ())
        if "privilege-key" not in body:
            raise OpsError(400, "privilege-key is required")

        def edit() -> RoleInfo:
            role = self._role(request.path_params["roleName"])
            known = {p.name for p in self.world.roles.privileges(OPS, keys, None, 1000).items}
            if keys - known:
                raise OpsError(400, f"Unknown privileges: {', '.join(sorted(keys - known))}")
            held = set(role.privileges)
            wanted = {"POST": held | keys, "PUT": keys, "DELETE": held - keys}[request.method]
            self.world.roles.update(OPS, role.id, None, None, wanted)
            return self.world.roles.get(OPS, role.id)

        role = await self.runner.call(edit)
        return reply(request, "privilege-keys", {"privilege-key": sorted(role.privileges)})

    async def create_role(self, request: Request, _caller: Caller) -> Response:
        body = await self._document(request, "user-role")
        name = _text(body, "name")
        if not name:
            raise OpsError(400, "The role's name is required")
        keys = set(_texts(body, "privilege-keys") or ())

        def make() -> RoleInfo:
            role_id = self.world.roles.create(OPS, name, _text(body, "description") or name, keys)
            return self.world.roles.get(OPS, role_id)

        return reply(request, "user-role", role_body(await self.runner.call(make)), 201)

    async def update_role(self, request: Request, _caller: Caller) -> Response:
        body = await self._document(request, "user-role")
        name = _text(body, "name")
        if not name:
            raise OpsError(400, "The role's name is required")
        keys = _texts(body, "privilege-keys")

        def change() -> RoleInfo:
            role = self._role(name)
            self.world.roles.update(
                OPS, role.id, None, _text(body, "description"), set(keys) if keys is not None else None
            )
            return self.world.roles.get(OPS, role.id)

        return reply(request, "user-role", role_body(await self.runner.call(change)))

    async def delete_role(self, request: Request, _caller: Caller) -> Response:
        def remove() -> None:
            self.world.roles.delete(OPS, self._role(request.path_params["roleName"]).id)

        await self.runner.call(remove)
        return Response(status_code=204)
