"""``AuthorizationManager``: its ``roleList`` and ``privilegeList``, ``RetrieveEntityPermissions``
and ``RetrieveAllPermissions``: the same roles, privileges and permissions the REST authorization
API shows (the world's vCenter family), read page by page. A role's id is
the world's (``-1`` Admin, ``-2`` ReadOnly, ...); a privilege's ``name`` is the last part of its
id and ``privGroupName`` the rest, as vCenter lists them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim

from localsphere.faces.vcenter.session import user_name
from localsphere.faces.vim import faults, inventory
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.access import VCENTER, PermissionView
from localsphere.world.identity import GROUP
from localsphere.world.paging import MAX_PAGE, Page

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

AUTHORIZATION_MANAGER = "AuthorizationManager"
READ = "System.Read"  # what reading an entity's permissions takes (its ancestors' implied View does not)


def _all(pages: Callable[[str | None], Page]) -> Iterator[Any]:
    marker: str | None = None
    while True:
        page = pages(marker)
        yield from page.items
        if page.marker is None:
            return
        marker = page.marker


def roles(context: Context) -> list[Any]:
    listed = _all(lambda marker: context.world.roles.list(VCENTER, marker=marker, page_size=MAX_PAGE))
    found = [
        vim.AuthorizationManager.Role(
            roleId=int(role.id),
            system=role.system,
            name=role.name,
            info=vim.Description(label=role.name, summary=role.description or role.name),
            privilege=sorted(role.privileges),
        )
        for role in listed
    ]
    return sorted(found, key=lambda r: r.roleId)


def privileges(context: Context) -> list[Any]:
    listed = _all(lambda marker: context.world.roles.privileges(VCENTER, marker=marker, page_size=MAX_PAGE))
    return [
        vim.AuthorizationManager.Privilege(
            privId=p.name,
            onParent=p.on_parent,
            name=p.name.rpartition(".")[2],
            privGroupName=p.name.rpartition(".")[0],
        )
        for p in listed
    ]


def permission(p: PermissionView) -> Any:
    return vim.AuthorizationManager.Permission(
        entity=inventory.ref(p.scope),
        principal=user_name(p.principal),
        group=p.principal.kind == GROUP,
        roleId=int(p.role_id),
        propagate=p.propagate,
    )


def permissions(context: Context, scopes: set[str] | None) -> list[Any]:
    """The permissions on ``scopes`` (None: everywhere) on objects the caller reads (System.Read):
    not those above the objects it sees that it sees only as the way down to them."""
    listed = list(
        _all(
            lambda marker: context.world.permissions.list(
                VCENTER, scopes=scopes, marker=marker, page_size=MAX_PAGE
            )
        )
    )
    sight = inventory.sight(context)
    seen = set(context.world.inventory_graph.objects({p.scope for p in listed}, sight))
    if sight is not None:
        seen -= {m for m in seen & sight.ancestors if not _reads(context, m)}
    return [permission(p) for p in listed if p.scope in seen]


def _reads(context: Context, moid: str) -> bool:
    return READ in (context.world.inventory.held(context.signed_in.caller, moid) or frozenset())


def methods() -> list[Method]:
    def entity_permissions(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        entity = args["entity"]._moId
        graph, seen = context.world.inventory_graph, inventory.sight(context)
        found = graph.objects([entity], seen).get(entity)
        asked = MoRef(VmomiSupport.GetWsdlName(type(args["entity"])), entity)
        if found is None:
            raise faults.not_found(asked)
        if not _reads(context, entity):
            raise faults.no_permission(asked, READ)
        scopes = {entity}
        while args["inherited"] and found is not None and found.parent:
            scopes.add(found.parent)
            found = graph.objects([found.parent]).get(found.parent)
        return permissions(context, scopes)

    def all_permissions(context: Context, _this: MoRef, _args: dict[str, Any]) -> Any:
        return permissions(context, None)

    receivers = frozenset({AUTHORIZATION_MANAGER})
    return [
        Method("RetrieveEntityPermissions", entity_permissions, receivers, AUTHORIZATION_MANAGER),
        Method("RetrieveAllPermissions", all_permissions, receivers, AUTHORIZATION_MANAGER),
    ]


def family() -> Family:
    def read(context: Context, _kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        if AUTHORIZATION_MANAGER not in moids:
            return {}
        values = {"roleList": roles, "privilegeList": privileges}
        return {AUTHORIZATION_MANAGER: {p: values[p](context) for p in paths if p in values}}

    return Family(frozenset({AUTHORIZATION_MANAGER}), read, lambda _kind: ["privilegeList", "roleList"])
