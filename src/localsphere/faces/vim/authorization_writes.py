"""``AuthorizationManager`` writes: roles (``AddAuthorizationRole``, ``UpdateAuthorizationRole``,
``RemoveAuthorizationRole``, ``MergePermissions``, ``RetrieveRolePermissions``) and permissions on an
entity (``SetEntityPermissions``, ``ResetEntityPermissions``, ``RemoveEntityPermission``), on the
world's one access model: what they change, the REST authorization API shows, and every face
enforces at once.

Who may: role changes need ``Authorization.ModifyRoles`` (a merge ``Authorization
.ReassignRolePermissions``) on the root folder, permission changes ``Authorization
.ModifyPermissions`` on the entity (the privileges pyVmomi's type info declares); each check is
recorded as vCenter records its checks. Faults are those the WSDL declares for each method:
AlreadyExists, InvalidName, NotFound, RemoveFailed, UserNotFound, AuthMinimumAdminPermission, and
InvalidArgument for an unknown privilege or a system role."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim

from localsphere.faces.vim import authorization, faults, inventory
from localsphere.faces.vim.authorization import AUTHORIZATION_MANAGER
from localsphere.faces.vim.faults import Fault
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.access import ROOTS, VCENTER
from localsphere.world.auth import digest
from localsphere.world.entity_permissions import EntityGrant
from localsphere.world.errors import Conflict, Forbidden, NotFound, WorldError

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

MODIFY_ROLES = "Authorization.ModifyRoles"
REASSIGN = "Authorization.ReassignRolePermissions"
MODIFY_PERMISSIONS = "Authorization.ModifyPermissions"
NOT_FOUND = "The object or item referred to could not be found."


def fault(exc: WorldError, this: MoRef) -> Fault:
    """A world error of these methods as the fault vCenter answers with (``this``: the object
    the call named, for the faults that name one)."""
    reason, args = exc.reason, exc.arguments
    if isinstance(exc, Forbidden) and len(args) >= 2:
        scope = args[2] if len(args) > 2 else ROOTS[VCENTER]
        return faults.no_permission(MoRef(inventory.kind_of(scope), scope), args[1])
    if reason == "role.exists":
        return Fault(
            vim.fault.AlreadyExists(name=args[0]),
            f"The specified key, name, or identifier '{args[0]}' already exists.",
        )
    if reason in ("role.name_empty", "name.length"):
        return Fault(vim.fault.InvalidName(name=""), "The name is invalid.")
    if reason == "privilege.unknown":
        return faults.invalid_argument("privIds")
    if reason in ("role.system", "role.same"):
        return faults.invalid_argument("roleId")
    if reason == "role.in_use":
        return Fault(vim.fault.RemoveFailed(), "The remove operation failed: the role is in use.")
    if reason == "permission.last_admin":
        return Fault(
            vim.fault.AuthMinimumAdminPermission(),
            "Change would leave the system with no Administrator permission on the root node.",
        )
    if reason == "principal.not_found":
        return Fault(
            vim.fault.UserNotFound(principal=args[0], unresolved=True),
            f"The user or group named '{args[0]}' does not exist.",
        )
    if isinstance(exc, NotFound | Conflict):
        return Fault(vim.fault.NotFound(), NOT_FOUND)
    return faults.from_world(exc, this, "System.View")


def authorize(context: Context, privilege: str, moid: str | None = None) -> None:
    """Refuse (NoPermission) unless the caller holds ``privilege`` on ``moid`` (None: the root)."""
    session = digest(context.session_id) if context.session_id else None
    context.world.authorize(context.signed_in.caller, session, privilege, moid)


def entity(context: Context, value: Any) -> str:
    """The id of an inventory entity the caller sees (ManagedObjectNotFound otherwise)."""
    moid = value._moId
    if not context.world.inventory.held(context.signed_in.caller, moid):
        raise faults.not_found(MoRef(VmomiSupport.GetWsdlName(type(value)), moid))
    return moid


def _grants(permissions: list[Any] | None) -> list[EntityGrant]:
    return [
        EntityGrant(p.principal, bool(p.group), str(p.roleId), bool(p.propagate)) for p in permissions or []
    ]


def methods() -> list[Method]:
    def add_role(context: Context, _this: MoRef, args: dict[str, Any]) -> int:
        authorize(context, MODIFY_ROLES)
        privileges = set(args.get("privIds") or [])
        return int(context.world.roles.create(VCENTER, args["name"], "", privileges))

    def update_role(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        authorize(context, MODIFY_ROLES)
        privileges = set(args.get("privIds") or [])
        context.world.roles.update(VCENTER, str(args["roleId"]), args["newName"], None, privileges)

    def remove_role(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        authorize(context, MODIFY_ROLES)
        context.world.entity_permissions.remove_role(str(args["roleId"]), bool(args["failIfUsed"]))

    def merge(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        authorize(context, REASSIGN)
        context.world.entity_permissions.merge(str(args["srcRoleId"]), str(args["dstRoleId"]))

    def role_permissions(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any]:
        listed = context.world.entity_permissions.of_role(str(args["roleId"]))
        seen = context.world.inventory_graph.objects({p.scope for p in listed}, inventory.sight(context))
        return [authorization.permission(p) for p in listed if p.scope in seen]

    def set_permissions(reset: bool) -> Callable[[Context, MoRef, dict[str, Any]], None]:
        def run(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
            moid = entity(context, args["entity"])
            authorize(context, MODIFY_PERMISSIONS, moid)
            context.world.entity_permissions.set_on(moid, _grants(args.get("permission")), reset)

        return run

    def remove_permission(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        moid = entity(context, args["entity"])
        authorize(context, MODIFY_PERMISSIONS, moid)
        context.world.entity_permissions.remove_on(moid, args["user"], bool(args["isGroup"]))

    receivers, one = frozenset({AUTHORIZATION_MANAGER}), AUTHORIZATION_MANAGER
    writes = {
        "AddAuthorizationRole": add_role,
        "UpdateAuthorizationRole": update_role,
        "RemoveAuthorizationRole": remove_role,
        "MergePermissions": merge,
        "SetEntityPermissions": set_permissions(False),
        "ResetEntityPermissions": set_permissions(True),
        "RemoveEntityPermission": remove_permission,
    }
    return [
        *(Method(n, faults.translated(run, fault), receivers, one, write=True) for n, run in writes.items()),
        Method("RetrieveRolePermissions", faults.translated(role_permissions, fault), receivers, one),
    ]
