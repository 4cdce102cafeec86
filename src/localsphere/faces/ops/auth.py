"""The suite-api's auth section over the world's one identity and access model: users and user
groups (the SSO domains' principals, ``world.accounts``), roles and privileges (the ``ops``
family of the access model) with their privileges, role permissions (a role on all objects, at
the access model's root) or on the objects of an object scope or of traversal specification
instances (``world.object_scopes``), object scopes, a user's own password change, auth sources
and their types (the SSO domains and linked directories) with principal search and group
synchronization, privilege groups, traversal specifications, the current user, how token
acquisition reads ``authSource``, the token exchange and the VIDB well-known URL.

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
from localsphere.faces.ops.auth_sources import (
    ACTIVE_DIRECTORY,
    OPEN_LDAP,
    SHOWN_TYPES,
    properties,
    source_properties,
    source_type,
    store_settings,
)
from localsphere.faces.ops.wire import OpsError, read_document, reply
from localsphere.world import World, object_scopes
from localsphere.world.access import OPS, Caller
from localsphere.world.accounts import Account, AccountSpec
from localsphere.world.directory import DirectoryGroup, DirectoryUser
from localsphere.world.errors import NotFound
from localsphere.world.identity import GROUP, SSO, USER, PrincipalView
from localsphere.world.identity_stores import StoreView
from localsphere.world.object_scopes import Pick, RolePermission, ScopeView, Selection
from localsphere.world.roles import RoleInfo

DEFAULT_DOMAIN = "vsphere.local"  # the world's built-in SSO domain: Operations' local users
LOCAL = "LOCAL"
LOCAL_NAME = "Local Users"
SOURCE_TYPES = {
    LOCAL: "Local users of VCF Operations",
    "VC": "vCenter single sign-on users",
    OPEN_LDAP: "Users of an OpenLDAP directory",
    ACTIVE_DIRECTORY: "Users of an Active Directory domain",
}
MOST_FOUND = 25  # principals a search of an SSO source answers at most
_NAMESPACE = uuid.UUID("6f1c1c5e-3c8e-4f7e-9d2a-0c0ffee0a115")  # of auth source ids
# The traversal specification templates of the VMWARE adapter (its describe.xml's
# TraversalSpecKinds, rooted at the vSphere World)
TRAVERSAL_SPECS = tuple(
    {
        "name": name,
        "rootAdapterKindKey": adapter,
        "rootResourceKindKey": kind,
        "adapterInstanceAssociation": False,
    }
    for adapter, kind, name in object_scopes.TRAVERSAL_SPECS
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


def selection_body(selection: Selection) -> dict[str, Any]:
    """A ``traversal-spec-instance``."""
    body: dict[str, Any] = {"adapterKind": selection.adapter_kind}
    if selection.resource_kind is not None:
        body["resourceKind"] = selection.resource_kind
    body["name"] = selection.name
    if selection.picks:
        body["resourceSelection"] = [{"type": p.type, "resourceId": list(p.uuids)} for p in selection.picks]
    body["selectAllResources"] = selection.every
    if selection.adapter_kinds:
        body["includedAdapterKinds"] = list(selection.adapter_kinds)
    return body


def scope_body(scope: ScopeView, details: bool = True) -> dict[str, Any]:
    """A ``scope-details`` (``details``: with who made and changed it, and when) or a ``scope``."""
    body: dict[str, Any] = {"id": scope.id, "name": scope.name}
    if scope.description is not None:
        body["description"] = scope.description
    if details:
        body.update(
            {
                "createdBy": scope.created_by,
                "creationTime": int(scope.created_at * 1000),
                "lastModifiedBy": scope.modified_by,
                "lastModifiedTime": int(scope.modified_at * 1000),
            }
        )
        body = {k: v for k, v in body.items() if v is not None}
    return {**body, "traversalSpecInstances": [selection_body(x) for x in scope.selections]}


def permission_body(permission: RolePermission) -> dict[str, Any]:
    """A ``role-permission``: on all objects, on a named scope (``scopeId``) or on the objects
    of its own traversal specification instances."""
    body: dict[str, Any] = {"roleName": permission.role, "allowAllObjects": permission.scope is None}
    scope = permission.scope
    if scope is not None and scope.name is not None:
        body["scopeId"] = scope.id
    elif scope is not None:
        body["traversal-spec-instances"] = [selection_body(x) for x in scope.selections]
    return body


def selection(item: Any) -> Selection:
    """A ``traversal-spec-instance`` from the wire (OpsError 400 when malformed)."""
    if not isinstance(item, dict):
        raise OpsError(400, "Every traversal spec instance must be an object")
    adapter, name = _text(item, "adapterKind"), _text(item, "name")
    if not adapter or not name:
        raise OpsError(400, "A traversal spec instance needs adapterKind and name")
    every = item.get("selectAllResources", False)
    if isinstance(every, str):
        every = every.lower() == "true"
    if not isinstance(every, bool):
        raise OpsError(400, "selectAllResources must be true or false")
    given = item.get("resourceSelection") or []
    picks = []
    for pick in given if isinstance(given, list) else [given]:
        if not isinstance(pick, dict) or not isinstance(pick.get("type"), str):
            raise OpsError(400, "Every resource selection needs a type and resource ids")
        picks.append(Pick(pick["type"].upper(), _texts(pick, "resourceId") or ()))
    if not every and not picks:
        raise OpsError(400, f"The traversal spec instance {name} selects no resources")
    kinds = _texts(item, "includedAdapterKinds") or ()
    return Selection(adapter, _text(item, "resourceKind"), name, every, tuple(picks), kinds)


def _selections(body: dict[str, Any], key: str) -> tuple[Selection, ...]:
    given = body.get(key) or []
    if isinstance(given, dict):  # one item, as XML decodes it
        given = [given]
    if not isinstance(given, list):
        raise OpsError(400, f"{key} must be a list of traversal spec instances")
    return tuple(selection(x) for x in given)


def role_permission(permission: Any) -> tuple[str, str | None, tuple[Selection, ...] | None]:
    """(role, scope id, selections) of a ``role-permission``: on all objects (``allowAllObjects``
    true), on a scope (``scopeId``) or on ``traversal-spec-instances``. OpsError 400 otherwise."""
    if not isinstance(permission, dict):
        raise OpsError(400, "The body must be a role-permission object")
    name = permission.get("roleName")
    if not isinstance(name, str) or not name:
        raise OpsError(400, "Every role permission needs a roleName")
    every = permission.get("allowAllObjects")
    if every is True or every == "true":
        return name, None, None
    scope = _text(permission, "scopeId")
    if scope:
        return name, scope, None
    specs = _selections(permission, "traversal-spec-instances")
    if specs:
        return name, None, specs
    raise OpsError(
        400, f"The permission of role {name} names no objects: give allowAllObjects, scopeId or specs"
    )


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


def _entry(entry: DirectoryUser | DirectoryGroup) -> dict[str, Any]:
    """A directory's user or group as a ``user-search-response`` or ``usergroup-search-response``."""
    body: dict[str, Any] = {"name": entry.name}
    shown = (
        (("firstName", entry.first_name), ("lastName", entry.last_name), ("emailAddress", entry.email))
        if isinstance(entry, DirectoryUser)
        else (("description", entry.description),)
    )
    body.update((key, value) for key, value in shown if value is not None)
    return {**body, "distinguishedName": entry.dn}


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
    """The role of a ``role-permission`` on all objects, as a user or group body gives it (a
    permission limited to objects is given with ``PUT .../permissions``). OpsError 400."""
    name, scope, specs = role_permission(permission)
    if scope is not None or specs is not None:
        raise OpsError(
            400, f"Give the role {name} on a scope or traversal specs with PUT .../permissions, not here"
        )
    return name


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

    def _catalog(self) -> list[tuple[str, StoreView | None]]:
        """Every source as (its domain, its directory): the SSO domains (the default one first, with
        no directory), then the directories linked to the default tenant."""
        directories = [(s.domain, s) for s in self.world.auth_sources.directories()]
        return [*((d, None) for d in self._domains()), *directories]

    @staticmethod
    def _source(domain: str, store: StoreView | None) -> dict[str, Any]:
        """An ``auth-source``: an SSO domain (``LOCAL`` or ``VC``) or a linked directory."""
        if store is not None:
            kind, name, shown = SHOWN_TYPES[store.type], store.name, source_properties(store)
        else:
            kind = LOCAL if domain == DEFAULT_DOMAIN else "VC"
            name, shown = (LOCAL_NAME if kind == LOCAL else domain), []
        return {
            "id": source_id(domain),
            "name": name,
            "sourceType": sourcetype_body(kind),
            "property": shown,
            "certificates": [],
        }

    def _named(self, wanted: str) -> tuple[str, StoreView | None] | None:
        """The source ``wanted`` names (any case: its id, name or domain; ``LOCAL`` and "Local
        Users" name the default SSO domain), or None."""
        wanted = wanted.strip().lower()
        for domain, store in self._catalog():
            names = {domain.lower(), source_id(domain)}
            if store is not None:
                names.add(store.name.lower())
            if domain == DEFAULT_DOMAIN:
                names |= {LOCAL.lower(), LOCAL_NAME.lower()}
            if wanted in names:
                return domain, store
        return None

    def _existing(self, wanted: str) -> tuple[str, StoreView | None]:
        found = self._named(wanted)
        if found is None:
            raise OpsError(404, f"Authentication source {wanted} not found")
        return found

    def _directory(self, wanted: str, doing: str) -> tuple[str, StoreView]:
        """The directory source ``wanted`` names: 404 for none, 400 for an SSO domain's."""
        domain, store = self._existing(wanted)
        if store is None:
            raise OpsError(400, f"The authentication source {wanted} is an SSO domain: it cannot be {doing}")
        return domain, store

    def sign_in(self, name: str, password: str, source: str | None) -> PrincipalView:
        """Who signs in as ``name`` from ``source`` (an ``authSource``; none: the local users),
        in a world thread: a directory's user by a bind as itself, an SSO user by its password.
        A name that names its domain (``name@domain``, ``DOMAIN\\name``) signs in there.
        Unauthenticated when refused; OpsError 401 for an unknown source."""
        chosen = self._named(source) if source is not None and source.strip() else None
        if source is not None and source.strip() and chosen is None:
            raise OpsError(401, f"Unknown authentication source {source}")
        if "@" in name or "\\" in name:
            local, _, domain = name.rpartition("@") if "@" in name else name.partition("\\")[::-1]
            named = next(
                (c for c in self._catalog() if c[1] is not None and c[0].lower() == domain.lower()), None
            )
            if named is None:
                return self.world.auth.sign_in(name, password=password, sso_only=True)
            chosen, name = named, local
        domain, store = chosen or (DEFAULT_DOMAIN, None)
        if store is not None:
            return self.world.auth_sources.sign_in(domain, name, password)
        return self.world.auth.sign_in(f"{name}@{domain}", password=password, sso_only=True)

    async def sources(self, request: Request) -> Response:
        """``GET /api/auth/sources``, which the product answers signed in or not."""
        found = await self.runner.read(self._catalog)
        return reply(request, "auth-sources", {"sources": [self._source(*f) for f in found]})

    async def source(self, request: Request, _caller: Caller) -> Response:
        found = await self.runner.read(self._existing, request.path_params["sourceId"])
        return reply(request, "auth-source", self._source(*found))

    async def _settings(self, request: Request, root: str = "auth-source") -> tuple[dict[str, Any], str, str]:
        """(body, name, sourceType) of an ``auth-source`` to add, change or test."""
        body = await self._document(request, root)
        name = (_text(body, "name") or "").strip()
        if not name:
            raise OpsError(400, "The auth source's name is required")
        return body, name, source_type(body)

    def _clash(self, name: str, domain: str | None) -> None:
        other = self._named(name)
        if other is not None and (domain is None or other[0].lower() != domain.lower()):
            raise OpsError(400, f"An authentication source named {name} already exists")

    async def create_source(self, request: Request, _caller: Caller) -> Response:
        """``POST /api/auth/sources``: an OPEN_LDAP or ACTIVE_DIRECTORY source links its directory
        to the default tenant as an identity store (201), once bound with its settings; 400 when
        it cannot be (unreachable, wrong credentials, no such base DN), for a name or domain in
        use, and for any other kind of source. A TLS server's certificate is checked against the
        system's CAs, so no certificate comes back to be accepted (``certificates`` is empty)."""
        body, name, kind = await self._settings(request)
        domain, spec = store_settings(body, name, kind)

        def link() -> StoreView:
            self._clash(name, None)
            return self.world.auth_sources.link(domain, spec, only_new=True)

        store = await self.runner.call(link)
        return reply(request, "auth-source", self._source(domain, store), 201)

    async def update_source(self, request: Request, _caller: Caller) -> Response:
        """``PUT`` and ``PATCH /api/auth/sources`` (the source ``id`` names): a directory source's
        settings and name changed, bound anew first; without a password, the kept one binds. Its
        domain stays (400 for another). The SSO domains' sources are not changed (400)."""
        body, name, kind = await self._settings(request)
        wanted = _text(body, "id")
        if not wanted:
            raise OpsError(400, "id is required")
        new_domain, spec = store_settings(body, name, kind)

        def change() -> tuple[str, StoreView]:
            domain, _store = self._directory(wanted, "changed")
            if properties(body).get("domain") and new_domain.lower() != domain.lower():
                raise OpsError(400, f"The domain of authentication source {name} cannot be changed")
            self._clash(name, domain)
            return domain, self.world.auth_sources.link(domain, spec, only_new=False)

        return reply(request, "auth-source", self._source(*(await self.runner.call(change))))

    async def delete_source(self, request: Request, _caller: Caller) -> Response:
        """``DELETE /api/auth/sources/{sourceId}``: a directory unlinked, with the users and groups
        seen in it, their roles and their tokens (204); the SSO domains' sources stay (400)."""

        def remove() -> None:
            domain, _store = self._directory(request.path_params["sourceId"], "deleted")
            self.world.auth_sources.unlink(domain)

        await self.runner.call(remove)
        return Response(status_code=204)

    async def test_source(self, request: Request, _caller: Caller) -> Response:
        """``POST`` and ``PATCH /api/auth/sources/test``: a directory source's settings tried (a
        bind, both base DNs read) and nothing kept; 200 with the source as it would be, 400 with
        what failed. With the ``id`` of a directory source and no password, its own binds."""
        body, name, kind = await self._settings(request)
        wanted = _text(body, "id")
        domain, spec = store_settings(body, name, kind)

        def test() -> str:
            known = self._directory(wanted, "tested")[0] if wanted else None
            self.world.auth_sources.test(spec, known)
            return known or domain

        tested = await self.runner.call(test)
        shown = StoreView(
            tested,
            "",
            name,
            None,
            spec.alias,
            spec.type,
            spec.url,
            spec.user_name_dn,
            spec.user_base_dn,
            spec.group_base_dn,
        )
        return reply(request, "auth-source", self._source(tested, shown))

    async def import_users(self, request: Request, _caller: Caller) -> Response:
        """``POST /api/auth/sources/{id}/users`` (``user-list``): a directory source's users
        brought in by ``username``, each with its ``roleNames`` (or ``role-permissions`` on all
        objects); 201 with them. 404 for a name the directory does not have; the SSO domains'
        users are made with ``POST /api/auth/users`` (400)."""
        body = await self._document(request, "user-list")
        items = body.get("users")
        if not isinstance(items, list) or not items or not all(isinstance(u, dict) for u in items):
            raise OpsError(400, "users is required: a list of users")
        wanted = []
        for item in items:
            name = _text(item, "username")
            if not name:
                raise OpsError(400, "Every user needs a username")
            wanted.append((name, _roles_of(item) or ()))

        def bring() -> list[Account]:
            domain, _store = self._directory(request.path_params["id"], "imported from")
            names = [
                (n[: -len(domain) - 1] if n.lower().endswith(f"@{domain.lower()}") else n, r)
                for n, r in wanted
            ]
            return self.world.auth_sources.import_users(domain, OPS, names)

        done = await self.runner.call(bring)
        return reply(request, "user-list", {"users": [user_body(a) for a in done]}, 201)

    async def source_types(self, request: Request, _caller: Caller) -> Response:
        """``GET /api/auth/sourcetypes``: the kinds of the world's sources."""
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
        source's (else none are found). A directory's are read from it. 404 for an unknown
        source, 400 without a name."""
        root = "user-search" if kind == USER else "usergroup-search"
        body = await self._document(request, f"{root}-request")
        pattern, domain = _text(body, "name"), _text(body, "domain")
        if not pattern:
            raise OpsError(400, "name is required")
        source, store = await self.runner.read(self._existing, request.path_params["id"])
        if domain and domain.lower() != source.lower():
            items: list[dict[str, Any]] = []
        elif store is not None:
            found = await self.runner.call(self.world.auth_sources.search, source, kind, pattern, MOST_FOUND)
            items = [_entry(e) for e in found]
        else:
            accounts = await self.runner.read(
                self.world.accounts.search, kind, OPS, source, pattern, MOST_FOUND
            )
            items = [_found(a) for a in accounts]
        return reply(request, f"{root}-responses", {f"{root}-response": items})

    # ---- object scopes and traversal specifications

    async def scopes(self, request: Request, _caller: Caller) -> Response:
        """``GET /api/auth/scopes``: every object scope, by name."""
        found = await self.runner.read(self.world.object_scopes.list)
        return reply(request, "scopes-details", {"scopesDetails": [scope_body(x) for x in found]})

    async def scope(self, request: Request, _caller: Caller) -> Response:
        """``GET /api/auth/scopes/{scopeId}``: a ``scope-details``; 404 for no such scope."""
        found = await self.runner.read(self.world.object_scopes.get, request.path_params["scopeId"])
        return reply(request, "scope-details", scope_body(found))

    async def create_scope(self, request: Request, caller: Caller) -> Response:
        """``POST /api/auth/scopes`` (a ``scope``): 201 with it. 400 for a name in use, no name, or
        a traversal spec or resource that does not exist."""
        body = await self._document(request, "scope")
        name, description, specs = (
            _text(body, "name") or "",
            _text(body, "description"),
            _selections(body, "traversalSpecInstances"),
        )
        made = await self.runner.call(
            self.world.object_scopes.create, name, description, specs, caller.principal.id
        )
        return reply(request, "scope", scope_body(made, details=False), 201)

    async def modify_scope(self, request: Request, caller: Caller) -> Response:
        """``PUT /api/auth/scopes`` (a ``scope`` with its ``id``): the scope replaced; the
        permissions on it hold on its new objects at once. 404 for no such scope."""
        body = await self._document(request, "scope")
        wanted = _text(body, "id")
        if not wanted:
            raise OpsError(400, "id is required")
        name, description, specs = (
            _text(body, "name") or "",
            _text(body, "description"),
            _selections(body, "traversalSpecInstances"),
        )
        done = await self.runner.call(
            self.world.object_scopes.update, wanted, name, description, specs, caller.principal.id
        )
        return reply(request, "scope", scope_body(done, details=False))

    async def delete_scopes(self, request: Request, _caller: Caller) -> Response:
        """``DELETE /api/auth/scopes`` (``uuid-values``): the scopes and the permissions on them
        go, all or none (404 for an unknown id); 200."""
        body = await self._document(request, "uuid-values")
        ids = _texts(body, "uuids")
        if not ids:
            raise OpsError(400, "uuids is required")
        await self.runner.call(self.world.object_scopes.delete, ids)
        return Response(status_code=200)

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
        source = _text(body, "authSourceId") if kind == GROUP and created else None
        if source:
            return await self._import_group(request, body, source)
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

    async def _import_group(self, request: Request, body: dict[str, Any], source: str) -> Response:
        """``POST /api/auth/usergroups`` with the ``authSourceId`` of a directory source: the
        directory's group of that ``name`` brought in with its roles (201); its members come with
        the source's synchronization. 404 for a name the directory does not have."""
        name = _text(body, "name")
        if not name:
            raise OpsError(400, "name is required")
        roles = _roles_of(body) or ()

        def bring() -> Account:
            domain, _store = self._directory(source, "imported from")
            local = name[: -len(domain) - 1] if name.lower().endswith(f"@{domain.lower()}") else name
            return self.world.auth_sources.import_group(domain, OPS, local, roles)

        return reply(request, "user-group", group_body(await self.runner.call(bring)), 201)

    async def synchronize_groups(self, request: Request, _caller: Caller) -> Response:
        """``PUT /api/auth/sources/{id}/usergroups/synchronize``: the members of the source's
        imported groups read anew from its directory (who holds their roles changes at once);
        200. 404 for no such source, 400 for an SSO domain's (its groups are the world's own) or
        a directory that cannot be read."""

        def sync() -> None:
            domain, _store = self._directory(request.path_params["id"], "synchronized")
            self.world.auth_sources.synchronize(domain, OPS)

        await self.runner.call(sync)
        return Response(status_code=200)

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
        not those of its groups: on all objects, on a scope (``scopeId``) or on traversal specs."""
        kind, holder = self._holder(request, caller)
        found = await self.runner.read(self.world.object_scopes.permissions, kind, OPS, holder)
        return reply(request, "role-permissions", {"permissions": [permission_body(p) for p in found]})

    async def assign_permission(self, request: Request, caller: Caller) -> Response:
        """``PUT .../permissions``: a ``role-permission`` given, replacing the holder's permission
        of that role whole; answers the holder's ``role-permissions``. It holds at once, on every
        session: on a scope or traversal specs, the holder then sees only their resources."""
        role, scope, specs = role_permission(await read_document(request, self.max_body, "role-permission"))
        kind, holder = self._holder(request, caller)
        found = await self.runner.call(self.world.object_scopes.grant, kind, OPS, holder, role, scope, specs)
        return reply(request, "role-permissions", {"permissions": [permission_body(p) for p in found]})

    async def unassign_permission(self, request: Request, caller: Caller) -> Response:
        """``DELETE .../permissions/{roleName}``: 204; 404 when the holder does not hold it."""
        kind, holder = self._holder(request, caller)
        role = request.path_params["roleName"]
        await self.runner.call(self.world.object_scopes.revoke, kind, OPS, holder, role)
        return Response(status_code=204)

    async def assign_traversal_spec(self, request: Request, caller: Caller) -> Response:
        """``PUT .../users/{userId}/traversalspecs`` and ``.../usergroups/{groupId}/traversalspecs``
        (deprecated; a ``traversal-spec-instance``): the instance added to the holder's ReadOnly
        permission (made when it has none) and to its other permissions limited by traversal
        specs; 200."""
        spec = selection(await read_document(request, self.max_body, "traversal-spec-instance"))
        kind, holder = self._holder(request, caller)
        await self.runner.call(self.world.object_scopes.add_selection, kind, OPS, holder, spec)
        return Response(status_code=200)

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


async def exchange_token(request: Request, max_body: int) -> Response:
    """``POST /api/auth/token/exchange`` (a ``TokenExchangeRequest``): the caller's token traded
    for a JWT of the integrated services its ``serviceKeys`` name (VCF Operations for Logs,
    ``ops-li``; for Networks, ``ops-ni``). The world integrates none of them, so every key is
    refused as the product refuses a key it has no service for: 400 "Invalid service key
    provided", as is a body without keys."""
    body = await read_document(request, max_body, "TokenExchangeRequest")
    keys = _texts(body, "serviceKeys") if isinstance(body, dict) else None
    if not keys:
        raise OpsError(400, "serviceKeys is required: at least one service key")
    raise OpsError(400, f"Invalid service key provided: {', '.join(dict.fromkeys(keys))}")


async def vidb_well_known_url(request: Request) -> Response:
    """``GET /api/auth/sources/vidb/well-known-url`` (signed in or not): the world has no VIDB
    (VCF Identity Broker) source, so it answers what the spec gives for that case, 409."""
    raise OpsError(409, "There is no VIDB in the system")
