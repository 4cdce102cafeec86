"""``com.vmware.vcenter.authorization``: the privilege catalogue and roles (vSphere API 9.0)."""

from __future__ import annotations

from typing import Any

from localsphere.faces.vapi.operations import Context, Operation
from localsphere.faces.vapi.types import BOOLEAN, LONG, STRING, Enum, Struct, list_of, optional, set_of
from localsphere.world import World
from localsphere.world.access import VCENTER, PermissionView
from localsphere.world.auth import digest
from localsphere.world.authz_records import MappingView
from localsphere.world.errors import NotFound
from localsphere.world.roles import PrivilegeView, RoleInfo

PRIVILEGES = "com.vmware.vcenter.authorization.privileges"
ROLES = "com.vmware.vcenter.authorization.roles"
BASE = "/vcenter/authorization"


def _iteration(service: str) -> Struct:
    return Struct(f"{service}.iteration_spec", {"page_size": optional(LONG), "marker": optional(STRING)})


PRIVILEGE_INFO = Struct(
    f"{PRIVILEGES}.info", {"name": STRING, "description": STRING, "on_parent": BOOLEAN, "version": LONG}
)
PRIVILEGE_FILTER = Struct(
    f"{PRIVILEGES}.filter_spec",
    {
        "names": optional(set_of(STRING)),
        "is_on_parent": optional(BOOLEAN),
        "versions": optional(set_of(LONG)),
    },
)
PRIVILEGE_LIST = Struct(
    f"{PRIVILEGES}.list_result",
    {
        "items": list_of(Struct(f"{PRIVILEGES}.list_item", {"privilege": STRING, "info": PRIVILEGE_INFO})),
        "marker": optional(STRING),
    },
)
ROLE_INFO = Struct(
    f"{ROLES}.info", {"name": STRING, "description": STRING, "privileges": set_of(STRING), "system": BOOLEAN}
)
ROLE_FILTER = Struct(
    f"{ROLES}.filter_spec",
    {
        "names": optional(set_of(STRING)),
        "privileges": optional(set_of(STRING)),
        "is_system": optional(BOOLEAN),
    },
)
ROLE_LIST = Struct(
    f"{ROLES}.list_result",
    {
        "items": list_of(Struct(f"{ROLES}.list_item", {"role": STRING, "info": ROLE_INFO})),
        "marker": optional(STRING),
    },
)
ROLE_CREATE = Struct(
    f"{ROLES}.create_spec", {"name": STRING, "description": STRING, "privileges": set_of(STRING)}
)
ROLE_UPDATE = Struct(
    f"{ROLES}.update_spec",
    {"name": optional(STRING), "description": optional(STRING), "privileges": optional(set_of(STRING))},
)
PRIVILEGE_VERSION = 1  # every privilege of the catalogue is at the first version


def privilege_info(p: PrivilegeView) -> dict[str, Any]:
    return {
        "name": p.name,
        "description": p.description,
        "on_parent": p.on_parent,
        "version": PRIVILEGE_VERSION,
    }


def role_info(r: RoleInfo) -> dict[str, Any]:
    return {"name": r.name, "description": r.description, "privileges": set(r.privileges), "system": r.system}


def operations(world: World) -> list[Operation]:
    roles = world.roles

    def list_privileges(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        spec, page = given["filter"] or {}, given["iterate"] or {}
        if spec.get("versions") and PRIVILEGE_VERSION not in spec["versions"]:
            return {"items": [], "marker": None}
        found = roles.privileges(
            VCENTER,
            spec.get("names"),
            page.get("marker"),
            page.get("page_size"),
            on_parent=spec.get("is_on_parent"),
        )
        return {
            "items": [{"privilege": p.name, "info": privilege_info(p)} for p in found.items],
            "marker": found.marker,
        }

    def get_privilege(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        return privilege_info(roles.privilege(VCENTER, given["privilege"]))

    def list_roles(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        spec, page = given["filter"] or {}, given["iterate"] or {}
        found = roles.list(
            VCENTER,
            spec.get("names"),
            spec.get("privileges"),
            spec.get("is_system"),
            page.get("marker"),
            page.get("page_size"),
        )
        return {"items": [{"role": r.id, "info": role_info(r)} for r in found.items], "marker": found.marker}

    def get_role(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        return role_info(roles.get(VCENTER, given["role"]))

    def create_role(_: Context, given: dict[str, Any]) -> str:
        spec = given["spec"]
        return roles.create(VCENTER, spec["name"], spec["description"], spec["privileges"])

    def update_role(_: Context, given: dict[str, Any]) -> None:
        spec = given["spec"]
        roles.update(VCENTER, given["role"], spec["name"], spec["description"], spec["privileges"])

    def delete_role(_: Context, given: dict[str, Any]) -> None:
        roles.delete(VCENTER, given["role"])

    read, modify = "System.Read", "Authorization.ModifyRoles"
    listing = {"filter": optional(PRIVILEGE_FILTER), "iterate": optional(_iteration(PRIVILEGES))}
    role_listing = {"filter": optional(ROLE_FILTER), "iterate": optional(_iteration(ROLES))}
    return [
        Operation(
            PRIVILEGES,
            "list",
            "GET",
            f"{BASE}/privileges",
            listing,
            PRIVILEGE_LIST,
            list_privileges,
            privilege=read,
        ),
        Operation(
            PRIVILEGES,
            "get",
            "GET",
            f"{BASE}/privileges/{{privilege}}",
            {"privilege": STRING},
            PRIVILEGE_INFO,
            get_privilege,
            privilege=read,
        ),
        Operation(ROLES, "list", "GET", f"{BASE}/roles", role_listing, ROLE_LIST, list_roles, privilege=read),
        Operation(
            ROLES,
            "get",
            "GET",
            f"{BASE}/roles/{{role}}",
            {"role": STRING},
            ROLE_INFO,
            get_role,
            privilege=read,
        ),
        Operation(
            ROLES,
            "create",
            "POST",
            f"{BASE}/roles",
            {"spec": ROLE_CREATE},
            STRING,
            create_role,
            privilege=modify,
            body="spec",
            status=201,
            write=True,
        ),
        Operation(
            ROLES,
            "update",
            "PATCH",
            f"{BASE}/roles/{{role}}",
            {"role": STRING, "spec": ROLE_UPDATE},
            None,
            update_role,
            privilege=modify,
            body="spec",
            write=True,
        ),
        Operation(
            ROLES,
            "delete",
            "DELETE",
            f"{BASE}/roles/{{role}}",
            {"role": STRING},
            None,
            delete_role,
            privilege=modify,
            write=True,
        ),
    ]


PERMISSIONS = "com.vmware.vcenter.authorization.permissions"
DYNAMIC_ID = Struct("com.vmware.vapi.std.dynamic_ID", {"type": STRING, "id": STRING})
PRINCIPAL = Struct(
    f"{PERMISSIONS}.principal", {"type": Enum(("USER", "GROUP")), "name": STRING, "domain": optional(STRING)}
)
PERMISSION_INFO = Struct(
    f"{PERMISSIONS}.info",
    {"object": DYNAMIC_ID, "principal": PRINCIPAL, "role": STRING, "propagating": BOOLEAN},
)
PERMISSION_CREATE = Struct(f"{PERMISSIONS}.create_spec", dict(PERMISSION_INFO.fields))
PERMISSION_UPDATE = Struct(
    f"{PERMISSIONS}.update_spec", {"role": optional(STRING), "is_propagating": optional(BOOLEAN)}
)
PERMISSION_FILTER = Struct(
    f"{PERMISSIONS}.filter_spec",
    {
        "objects": optional(list_of(DYNAMIC_ID)),
        "principals": optional(list_of(PRINCIPAL)),
        "roles": optional(set_of(STRING)),
        "is_propagating": optional(BOOLEAN),
    },
)
PERMISSION_LIST = Struct(
    f"{PERMISSIONS}.list_result",
    {
        "items": list_of(Struct(f"{PERMISSIONS}.list_item", {"permission": STRING, "info": PERMISSION_INFO})),
        "marker": optional(STRING),
    },
)
MODIFY_PERMISSIONS = "Authorization.ModifyPermissions"


def permission_operations(world: World) -> list[Operation]:
    def info(p: PermissionView, kinds: dict[str, str]) -> dict[str, Any]:
        return {
            "object": {"type": kinds.get(p.scope, "Folder"), "id": p.scope},
            "principal": {"type": p.principal.kind, "name": p.principal.name, "domain": p.principal.domain},
            "role": p.role_id,
            "propagating": p.propagate,
        }

    def on_object(context: Context, moid: str) -> None:
        if not world.inventory.kinds({moid}):
            raise NotFound("object.not_found", f"Object with identifier '{moid}' does not exist", moid)
        assert context.session_id is not None
        world.authorize(context.caller, digest(context.session_id), MODIFY_PERMISSIONS, moid)

    def create(context: Context, given: dict[str, Any]) -> str:
        spec = given["spec"]
        on_object(context, spec["object"]["id"])
        who = spec["principal"]
        return world.permissions.add(
            VCENTER,
            who["type"],
            who["name"],
            who["domain"],
            spec["role"],
            spec["object"]["id"],
            spec["propagating"],
        )

    def get(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        found = world.permissions.get(VCENTER, given["permission"])
        return info(found, world.inventory.kinds({found.scope}))

    def update(context: Context, given: dict[str, Any]) -> None:
        found = world.permissions.get(VCENTER, given["permission"])
        on_object(context, found.scope)
        spec = given["spec"]
        world.permissions.update(VCENTER, found.id, spec["role"], spec["is_propagating"])

    def delete(context: Context, given: dict[str, Any]) -> None:
        found = world.permissions.get(VCENTER, given["permission"])
        on_object(context, found.scope)
        world.permissions.remove(VCENTER, found.id)

    def listing(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        spec, page = given["filter"] or {}, given["iterate"] or {}
        objects = spec.get("objects")
        principals = spec.get("principals")
        found = world.permissions.list(
            VCENTER,
            scopes=None if objects is None else {o["id"] for o in objects},
            principals=None
            if principals is None
            else [(p["type"], p["name"], p["domain"]) for p in principals],
            roles=spec.get("roles"),
            propagate=spec.get("is_propagating"),
            marker=page.get("marker"),
            page_size=page.get("page_size"),
        )
        kinds = world.inventory.kinds({p.scope for p in found.items})
        return {
            "items": [{"permission": p.id, "info": info(p, kinds)} for p in found.items],
            "marker": found.marker,
        }

    base = f"{BASE}/permissions"
    one = f"{base}/{{permission}}"
    return [
        Operation(
            PERMISSIONS,
            "create",
            "POST",
            base,
            {"spec": PERMISSION_CREATE},
            STRING,
            create,
            body="spec",
            status=201,
            write=True,
        ),
        Operation(
            PERMISSIONS,
            "get",
            "GET",
            one,
            {"permission": STRING},
            PERMISSION_INFO,
            get,
            privilege="System.Read",
        ),
        Operation(
            PERMISSIONS,
            "update",
            "PATCH",
            one,
            {"permission": STRING, "spec": PERMISSION_UPDATE},
            None,
            update,
            body="spec",
            write=True,
        ),
        Operation(PERMISSIONS, "delete", "DELETE", one, {"permission": STRING}, None, delete, write=True),
        Operation(
            PERMISSIONS,
            "list",
            "POST",
            base,
            {
                "filter": optional(PERMISSION_FILTER),
                "iterate": optional(
                    Struct(
                        f"{PERMISSIONS}.iteration_spec",
                        {"page_size": optional(LONG), "marker": optional(STRING)},
                    )
                ),
            },
            PERMISSION_LIST,
            listing,
            privilege="System.Read",
            body="*",
            action="list",
        ),
    ]


MAPPINGS = "com.vmware.vcenter.authorization.vt_containers.mappings"
MAPPING_INFO = Struct(f"{MAPPINGS}.info", {"vtcontainer": STRING, "object": DYNAMIC_ID})
MAPPING_LIST = Struct(
    f"{MAPPINGS}.list_result",
    {
        "items": list_of(Struct(f"{MAPPINGS}.list_item", {"mapping": STRING, "info": MAPPING_INFO})),
        "marker": optional(STRING),
    },
)
CHECKS = "com.vmware.vcenter.authorization.privilege_checks"
CHECK_PRINCIPAL = Struct(f"{CHECKS}.principal", {"name": STRING, "domain": STRING})
CHECK_LIST = Struct(
    f"{CHECKS}.list_result",
    {
        "items": list_of(
            Struct(
                f"{CHECKS}.info",
                {"object": DYNAMIC_ID, "principal": optional(CHECK_PRINCIPAL), "privilege": STRING},
            )
        ),
        "marker": STRING,
        "truncated": BOOLEAN,
    },
)


def record_operations(world: World) -> list[Operation]:
    """vTContainer mappings and the record of privilege checks."""

    def mapping_info(m: MappingView) -> dict[str, Any]:
        return {"vtcontainer": m.vtcontainer, "object": {"type": m.object_kind, "id": m.object}}

    def create_mapping(_: Context, given: dict[str, Any]) -> str:
        return world.vt_mappings.add(given["spec"]["vtcontainer"], given["spec"]["object"]["id"])

    def list_mappings(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        spec, page = given["filter"] or {}, given["iterate"] or {}
        found = world.vt_mappings.list(
            spec.get("vtcontainers"), spec.get("types"), page.get("marker"), page.get("size")
        )
        return {
            "items": [{"mapping": m.id, "info": mapping_info(m)} for m in found.items],
            "marker": found.marker,
        }

    def list_checks(_: Context, given: dict[str, Any]) -> dict[str, Any]:
        spec, page = given["filter"] or {}, given["iteration"] or {}
        principals = spec.get("principals")
        found = world.privilege_checks.list(
            objects=None if spec.get("objects") is None else {o["id"] for o in spec["objects"]},
            sessions=None if spec.get("sessions") is None else {digest(s) for s in spec["sessions"]},
            principals=None if principals is None else [(p["name"], p["domain"]) for p in principals if p],
            privileges=spec.get("privileges"),
            op_ids=spec.get("op_ids"),
            marker=page.get("marker"),
            end_marker=page.get("end_marker"),
            size=page.get("size"),
        )
        items = [
            {
                "object": {"type": c.object_kind, "id": c.object},
                "principal": {"name": c.principal_name, "domain": c.principal_domain or ""}
                if c.principal_name
                else None,
                "privilege": c.privilege,
            }
            for c in found.items
        ]
        return {"items": items, "marker": found.marker, "truncated": found.truncated}

    base = f"{BASE}/vt-containers/mappings"
    modify = "Authorization.ModifyVTContainerMappings"
    collect = "Sessions.CollectPrivilegeChecks"
    mapping_iteration = Struct(
        f"{MAPPINGS}.iteration_spec", {"marker": optional(STRING), "size": optional(LONG)}
    )
    mapping_filter = Struct(
        f"{MAPPINGS}.filter_spec",
        {"vtcontainers": optional(set_of(STRING)), "types": optional(set_of(STRING))},
    )
    check_iteration = Struct(
        f"{CHECKS}.iteration_spec",
        {
            "size": optional(LONG),
            "marker": optional(STRING),
            "end_marker": optional(STRING),
            "timeout_ms": optional(LONG),
        },
    )
    check_filter = Struct(
        f"{CHECKS}.filter_spec",
        {
            "objects": optional(list_of(DYNAMIC_ID)),
            "sessions": optional(set_of(STRING)),
            "principals": optional(list_of(optional(CHECK_PRINCIPAL))),
            "privileges": optional(set_of(STRING)),
            "op_ids": optional(set_of(STRING)),
        },
    )
    return [
        Operation(
            MAPPINGS,
            "create",
            "POST",
            base,
            {"spec": Struct(f"{MAPPINGS}.create_spec", MAPPING_INFO.fields)},
            STRING,
            create_mapping,
            privilege=modify,
            body="spec",
            status=201,
            write=True,
        ),
        Operation(
            MAPPINGS,
            "list",
            "GET",
            base,
            {"filter": optional(mapping_filter), "iterate": optional(mapping_iteration)},
            MAPPING_LIST,
            list_mappings,
            privilege="System.Read",
        ),
        Operation(
            MAPPINGS,
            "get",
            "GET",
            f"{base}/{{mapping}}",
            {"mapping": STRING},
            MAPPING_INFO,
            lambda _, given: mapping_info(world.vt_mappings.get(given["mapping"])),
            privilege="System.Read",
        ),
        Operation(
            MAPPINGS,
            "delete",
            "DELETE",
            f"{base}/{{mapping}}",
            {"mapping": STRING},
            None,
            lambda _, given: world.vt_mappings.remove(given["mapping"]),
            privilege=modify,
            write=True,
        ),
        Operation(
            CHECKS,
            "list",
            "POST",
            f"{BASE}/privilege-checks",
            {"iteration": optional(check_iteration), "filter": optional(check_filter)},
            CHECK_LIST,
            list_checks,
            privilege=collect,
            body="*",
            action="list",
        ),
        Operation(
            f"{CHECKS}.latest",
            "get",
            "GET",
            f"{BASE}/privilege-checks/latest",
            {},
            STRING,
            lambda _, __: world.privilege_checks.latest(),
            privilege=collect,
        ),
    ]
