"""``com.vmware.cis.session``: create (with a user name and password), get and delete."""

from __future__ import annotations

from typing import Any

from localsphere.faces.vapi.operations import Context, Operation
from localsphere.faces.vapi.types import DATETIME, SECRET, STRING, Struct
from localsphere.world import World
from localsphere.world.access import VCENTER
from localsphere.world.identity import PrincipalView

SERVICE = "com.vmware.cis.session"
INFO = Struct(
    "com.vmware.cis.session.info", {"user": STRING, "created_time": DATETIME, "last_accessed_time": DATETIME}
)


def user_name(principal: PrincipalView) -> str:
    """As vCenter names a session's user: ``VSPHERE.LOCAL\\Administrator``."""
    return f"{principal.domain.upper()}\\{principal.name}" if principal.domain else principal.name


def operations(world: World) -> list[Operation]:
    def create(context: Context, _: dict[str, Any]) -> str:
        assert context.principal is not None
        return world.sessions.open(context.principal, VCENTER).session_id

    def get(context: Context, _: dict[str, Any]) -> dict[str, Any]:
        assert context.session is not None
        info = context.session
        return {
            "user": user_name(info.caller.principal),
            "created_time": info.created_at,
            "last_accessed_time": info.last_used_at,
        }

    def delete(context: Context, _: dict[str, Any]) -> None:
        assert context.session_id is not None
        world.sessions.close(context.session_id, VCENTER)

    return [
        Operation(
            SERVICE, "create", "POST", "/session", {}, SECRET, create, status=201, session_required=False
        ),
        Operation(SERVICE, "get", "GET", "/session", {}, INFO, get),
        Operation(SERVICE, "delete", "DELETE", "/session", {}, None, delete, write=True),
    ]
