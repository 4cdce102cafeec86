"""Which vCD right each operation of the face needs, in one table (``ROUTE_RIGHTS``: method and
path as ``routes.build`` declares them -> the right, as the product names it), checked through
the one access model before the operation runs: a caller whose roles lack it gets vCD's 403
(``ACCESS_TO_RESOURCE_IS_FORBIDDEN``), whatever the object. Operations not in the table either
need no right (a session, the org list, reading a role or right) or check rights that depend on
what the request asks (a VM's reconfiguration, the query service's types, reading a user):
``docs/research/vcd-rights.md`` lists them all with their sources."""

from __future__ import annotations

from localsphere.faces.routing import Guarded, Routes
from localsphere.world.org_roles import (
    ADMIN_VIEW,
    CAPTURE,
    COPY_VAPP,
    CREATE_CATALOG,
    CREATE_VAPP,
    DELETE_VAPP,
    EDIT_CATALOG,
    MANAGE_PEOPLE,
    MANAGE_ROLES,
    MANAGE_TASKS,
    POWER,
    VIEW_CATALOGS,
    VIEW_ORG,
    VIEW_PEOPLE,
    VIEW_TASKS,
    VIEW_VAPP,
    VIEW_VDC,
    require,
)
from localsphere.world.tenant_roles import TenantCaller

VAPP = "/api/vApp/{entity}"
ROUTE_RIGHTS: dict[tuple[str, str], str] = {
    ("GET", "/api/vdc/{vdc}"): VIEW_VDC,
    ("GET", "/api/network/{network}"): VIEW_VDC,
    ("GET", "/api/vdcStorageProfile/{profile}"): VIEW_VDC,
    ("POST", "/api/vdc/{vdc}/action/instantiateVAppTemplate"): CREATE_VAPP,
    ("POST", "/api/vdc/{vdc}/action/composeVApp"): CREATE_VAPP,
    ("POST", "/api/vdc/{vdc}/action/cloneVApp"): COPY_VAPP,
    ("GET", "/api/catalog/{catalog}"): VIEW_CATALOGS,
    ("GET", "/api/catalog/{catalog}/controlAccess/"): VIEW_CATALOGS,
    ("POST", "/api/catalog/{catalog}/action/captureVApp"): CAPTURE,
    ("GET", "/api/catalogItem/{item}"): VIEW_CATALOGS,
    ("GET", "/api/vAppTemplate/{template}"): VIEW_CATALOGS,
    ("GET", "/api/vAppTemplate/{template}/leaseSettingsSection/"): VIEW_CATALOGS,
    ("GET", "/api/media/{media}"): VIEW_CATALOGS,
    ("GET", VAPP): VIEW_VAPP,
    ("DELETE", VAPP): DELETE_VAPP,
    ("GET", f"{VAPP}/metadata"): VIEW_VAPP,
    ("POST", f"{VAPP}/metadata"): CREATE_VAPP,
    ("GET", f"{VAPP}/metadata/{{key}}"): VIEW_VAPP,
    ("PUT", f"{VAPP}/metadata/{{key}}"): CREATE_VAPP,
    ("DELETE", f"{VAPP}/metadata/{{key}}"): CREATE_VAPP,
    ("GET", f"{VAPP}/metadata/{{domain}}/{{key}}"): VIEW_VAPP,
    ("PUT", f"{VAPP}/metadata/{{domain}}/{{key}}"): CREATE_VAPP,
    ("DELETE", f"{VAPP}/metadata/{{domain}}/{{key}}"): CREATE_VAPP,
    ("GET", f"{VAPP}/controlAccess/"): VIEW_VAPP,
    ("POST", f"{VAPP}/power/action/{{action}}"): POWER,
    ("POST", f"{VAPP}/action/deploy"): POWER,
    ("POST", f"{VAPP}/action/undeploy"): POWER,
    ("POST", f"{VAPP}/action/recomposeVApp"): CREATE_VAPP,
    ("PUT", f"{VAPP}/leaseSettingsSection/"): CREATE_VAPP,
    **{
        ("GET", f"{VAPP}/{section}"): VIEW_VAPP
        for section in (
            "virtualHardwareSection/",
            "virtualHardwareSection/cpu",
            "virtualHardwareSection/memory",
            "networkConnectionSection/",
            "guestCustomizationSection/",
            "operatingSystemSection/",
            "productSections/",
            "leaseSettingsSection/",
            "networkConfigSection/",
        )
    },
    ("GET", "/api/task/{task}"): VIEW_TASKS,
    ("POST", "/api/task/{task}/action/cancel"): MANAGE_TASKS,
    ("GET", "/api/tasksList/{org}"): VIEW_TASKS,
    ("GET", "/api/admin/"): ADMIN_VIEW,
    ("GET", "/api/admin/extension"): ADMIN_VIEW,
    ("POST", "/api/admin/org/{org}/users"): MANAGE_PEOPLE,
    ("PUT", "/api/admin/user/{user}"): MANAGE_PEOPLE,
    ("DELETE", "/api/admin/user/{user}"): MANAGE_PEOPLE,
    ("POST", "/api/admin/org/{org}/groups"): MANAGE_PEOPLE,
    ("GET", "/api/admin/group/{group}"): VIEW_ORG,
    ("PUT", "/api/admin/group/{group}"): MANAGE_PEOPLE,
    ("DELETE", "/api/admin/group/{group}"): MANAGE_PEOPLE,
    ("POST", "/api/admin/org/{org}/roles"): MANAGE_ROLES,
    ("PUT", "/api/admin/role/{role}"): MANAGE_ROLES,
    ("DELETE", "/api/admin/role/{role}"): MANAGE_ROLES,
    ("POST", "/api/admin/org/{org}/catalogs"): CREATE_CATALOG,
    ("GET", "/api/admin/catalog/{catalog}"): VIEW_CATALOGS,
    ("PUT", "/api/admin/catalog/{catalog}"): EDIT_CATALOG,
    ("DELETE", "/api/admin/catalog/{catalog}"): CREATE_CATALOG,
    ("POST", "/cloudapi/1.0.0/roles"): MANAGE_ROLES,
    ("PUT", "/cloudapi/1.0.0/roles/{role}"): MANAGE_ROLES,
    ("DELETE", "/cloudapi/1.0.0/roles/{role}"): MANAGE_ROLES,
    ("POST", "/cloudapi/1.0.0/roles/{role}/rights"): MANAGE_ROLES,
    ("PUT", "/cloudapi/1.0.0/roles/{role}/rights"): MANAGE_ROLES,
}
# The query service's types, by the right that reading them needs (their admin twins too).
QUERY_RIGHTS = {
    **dict.fromkeys(("vApp", "vm", "adminVApp", "adminVM"), VIEW_VAPP),
    **dict.fromkeys(("orgVdc", "adminOrgVdc", "orgNetwork", "orgVdcNetwork"), VIEW_VDC),
    **dict.fromkeys(
        (
            "catalog",
            "catalogItem",
            "vAppTemplate",
            "media",
            "adminCatalog",
            "adminCatalogItem",
            "adminVAppTemplate",
            "adminMedia",
        ),
        VIEW_CATALOGS,
    ),
    **dict.fromkeys(("task", "adminTask"), VIEW_TASKS),
    # An org's members, which sharing a vApp or catalog with a user needs (pyvcloud's
    # ``add_access_settings`` finds its subjects by name, then reads them): every member of the
    # org reads them (the user and group documents too); the admin query types need
    # ``Group / User: View``.
    **dict.fromkeys(("user", "group"), VIEW_ORG),
    **dict.fromkeys(("adminUser", "adminGroup"), VIEW_PEOPLE),
}


def require_for_query(caller: TenantCaller, kind: str) -> None:
    """Forbidden unless the caller may read the query type ``kind`` (a type of no right: anyone)."""
    right = QUERY_RIGHTS.get(kind)
    if right is not None:
        require(caller, right)


class RightsTable(Routes[TenantCaller]):
    """The face's route table: every operation declares the right ``ROUTE_RIGHTS`` names for it."""

    def add(
        self, method: str, path: str, handler: Guarded[TenantCaller], privilege: str | None = None
    ) -> None:
        super().add(method, path, handler, privilege or ROUTE_RIGHTS.get((method, path)))
