"""``AuthorizationManager``: its ``roleList`` and ``privilegeList``, the same roles and privileges
the REST authorization API shows (the world's vCenter family), read page by page. A role's id is
the world's (``-1`` Admin, ``-2`` ReadOnly, ...); a privilege's ``name`` is the last part of its
id and ``privGroupName`` the rest, as vCenter lists them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim.properties import Family
from localsphere.world.access import VCENTER
from localsphere.world.paging import MAX_PAGE, Page

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

AUTHORIZATION_MANAGER = "AuthorizationManager"


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


def family() -> Family:
    def read(context: Context, _kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        if AUTHORIZATION_MANAGER not in moids:
            return {}
        values = {"roleList": roles, "privilegeList": privileges}
        return {AUTHORIZATION_MANAGER: {p: values[p](context) for p in paths if p in values}}

    return Family(frozenset({AUTHORIZATION_MANAGER}), read, lambda _kind: ["privilegeList", "roleList"])
