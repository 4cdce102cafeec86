"""The vCloud Director face: the versions offered (``GET /api/versions``), sessions (legacy
``POST /api/sessions``, cloudapi ``POST /cloudapi/1.0.0/sessions[/provider]``, ``GET``/``DELETE
/api/session``, ``DELETE /cloudapi/1.0.0/sessions/current``) and orgs (``GET /api/org/``,
``GET /api/org/{id}``) here; VDCs, catalogs, templates, media and networks in ``objects``, vApps
and VMs in ``vapps``, tasks in ``tasks``, the query service in ``query``. An org is one of the
world's tenants; the System org is the default tenant, whose users are SSO's.

``/api/session`` is vCenter's too: on the shared ports a request there is vCD's when ``claims``
says so (a vCD media type or version in its ``Accept``, or a vCD session token); on vCD's own
listener (``--vcd-port``) every request is."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import Runner, bearer, json_response, note_principal
from localsphere.faces.routing import FaceRoute
from localsphere.faces.vcd import errors
from localsphere.faces.vcd.admin_orgs import AdminOrgViews
from localsphere.faces.vcd.admin_people import AdminPeopleViews
from localsphere.faces.vcd.admin_vdcs import AdminVdcViews
from localsphere.faces.vcd.cloudapi_roles import CloudApiRoles
from localsphere.faces.vcd.disks import DiskViews
from localsphere.faces.vcd.extensions import ExtensionViews
from localsphere.faces.vcd.forwarding import METHODS as FORWARDED
from localsphere.faces.vcd.forwarding import REST as FORWARDED_REST
from localsphere.faces.vcd.forwarding import Forwarding
from localsphere.faces.vcd.hrefs import Hrefs
from localsphere.faces.vcd.metadata import MetadataViews
from localsphere.faces.vcd.model import document
from localsphere.faces.vcd.objects import ObjectViews, org_links
from localsphere.faces.vcd.people import PeopleViews
from localsphere.faces.vcd.query import QueryViews
from localsphere.faces.vcd.sharing import SharedRoutes, SharingViews
from localsphere.faces.vcd.system_settings import SystemSettingsViews
from localsphere.faces.vcd.tasks import TaskViews
from localsphere.faces.vcd.transfers import TransferViews
from localsphere.faces.vcd.types import (
    AuthorizedLocation,
    AuthorizedLocations,
    Link,
    Org,
    OrgList,
    Reference,
    Session,
    SupportedVersions,
    VersionInfo,
)
from localsphere.faces.vcd.vapps import VAppViews
from localsphere.faces.vcd.versions import DEPRECATED, NEWEST, OFFERED, asked_version, chosen
from localsphere.faces.vcd.vm_sections import SectionViews
from localsphere.faces.vcd.vsphere_view import VSphereViews
from localsphere.faces.vcd.wire import asked
from localsphere.world import World, org_roles
from localsphere.world.access import VCD
from localsphere.world.errors import Forbidden, Unauthenticated
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import SYSTEM_ORG, TenantView, org_id, org_name, tenant_of_org

VERSIONS_PATH = "/api/versions"
CLOUDAPI = "/cloudapi/1.0.0"
# The paths this face owns on the shared ports (for the request log, fault rules and 404s).
PREFIXES = (
    VERSIONS_PATH,
    "/api/sessions",
    CLOUDAPI,
    "/transfer",
    *(
        f"/api/{name}"
        for name in (
            "org",
            "vdc",
            "vdcStorageProfile",
            "catalog",
            "catalogItem",
            "vAppTemplate",
            "media",
            "network",
            "vApp",
            "task",
            "tasksList",
            "query",
            "admin",
            "entity",
            "disk",
        )
    ),
)
VCLOUD_TYPE = "application/vnd.vmware.vcloud"
SESSION_TYPE = f"{VCLOUD_TYPE}.session+xml"
ORG_TYPE = f"{VCLOUD_TYPE}.org+xml"
ORG_LIST_TYPE = f"{VCLOUD_TYPE}.orgList+xml"
SITE_ID = "4c53a1d0-0000-4000-8000-0000000051e0"  # this server's one site, fixed
TOKEN_HEADER = "x-vcloud-authorization"
# What in an ``Accept`` header names vCD (its media types; any API version is vCD's too).
VCD_ACCEPT = ("application/*+xml", "application/vnd.vmware.vcloud", "application/vnd.vmware.admin")
ACCESS_TOKEN_HEADER = "X-VMWARE-VCLOUD-ACCESS-TOKEN"


async def versions(request: Request) -> Response:
    """Every version offered with its sign-in URL (``/api/sessions`` on this host); the same
    answer whatever version the request names, as the product's. Plain ``application/xml``: no
    public source shows the product's media type for it, and clients only parse it."""
    offered = SupportedVersions(
        [VersionInfo(v, f"{_base(request)}/api/sessions", v in DEPRECATED) for v in OFFERED]
    )
    return Response(document(offered, NEWEST), media_type="application/xml")


def _base(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _version(request: Request) -> str:
    """The API version the request's ``Accept`` names; 406 (NotOffered) when it names none or
    one not offered, as the product answers every call but ``/api/versions``."""
    return chosen(request.headers.get("accept", ""))


def session_token(request: Request) -> str | None:
    """A vCD session's token: ``x-vcloud-authorization``, or cloudapi's ``Authorization: Bearer``."""
    token = request.headers.get(TOKEN_HEADER) or bearer(request)
    return token.strip() if token and token.strip() else None


def _basic(request: Request) -> tuple[str, str, str]:
    """``user@org:password`` of ``Authorization: Basic``; Forbidden when there is none (the
    product's 403 for a sign-in without credentials), Unauthenticated when it is unreadable."""
    encoded = bearer(request, "Basic")
    if encoded is None:
        raise Forbidden("credentials.missing", "This operation needs credentials: user@org and a password.")
    try:
        text = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("credentials.invalid", "Invalid credentials.") from None
    login, _, password = text.partition(":")
    user, _, org = login.rpartition("@")
    if not user or not org:
        raise Unauthenticated("credentials.invalid", "Invalid credentials: sign in as user@org.")
    return user, org, password


class VcdFace:
    def __init__(self, world: World) -> None:
        self.world = world
        self.runner = Runner(world.store)

    async def authenticate(self, request: Request) -> TenantCaller:
        """The route table's credential check: ``x-vcloud-authorization`` or a cloudapi
        ``Authorization: Bearer``, before anything else is read."""
        token = session_token(request)
        if token is None:
            raise Unauthenticated("session.missing", "This operation needs a session: sign in first.")
        caller = await self.runner.read(self.world.org_sessions.check, token)
        note_principal(request, caller.caller.principal.upn)
        await self.runner.read(self.world.lease_expiry.settle)  # leases end as the world clock runs
        return caller

    async def _sign_in(self, request: Request, provider: bool | None) -> tuple[str, TenantView, TenantCaller]:
        """Sign in with Basic ``user@org``; ``provider`` True: only the System org, False: only
        another org, None: any. Unauthenticated names nobody."""
        user, org, password = _basic(request)
        if provider is not None and (org.lower() == SYSTEM_ORG.lower()) != provider:
            raise Unauthenticated("credentials.invalid", "Invalid credentials.")
        await self.runner.read(self.world.org_admin.require_enabled, tenant_of_org(org))
        sessions = self.world.org_sessions
        try:
            issued = await self.runner.call(sessions.issue, tenant_of_org(org), user, password)
        except Unauthenticated:
            raise Unauthenticated("credentials.invalid", "Invalid credentials.") from None
        caller = await self.runner.read(sessions.check, issued.token)
        tenant = await self.runner.read(self.world.tenants.get, issued.tenant)
        note_principal(request, caller.caller.principal.upn)
        return issued.token, tenant, caller

    async def sign_in(self, request: Request) -> Response:
        """Legacy ``POST /api/sessions``: the Session, and its token in ``x-vcloud-authorization``."""
        version = _version(request)
        token, tenant, caller = await self._sign_in(request, None)
        roles = await self.runner.read(self.world.access.role_names, caller.caller.principal.id, VCD)
        response = self.session_response(request, version, tenant, caller, roles)
        response.headers[TOKEN_HEADER] = token
        return response

    async def cloudapi_sign_in(self, request: Request) -> Response:
        return await self._cloudapi_sign_in(request, provider=False)

    async def cloudapi_provider_sign_in(self, request: Request) -> Response:
        return await self._cloudapi_sign_in(request, provider=True)

    async def _cloudapi_sign_in(self, request: Request, provider: bool) -> Response:
        """cloudapi sign-in (API 33 and later): the token in ``X-VMWARE-VCLOUD-ACCESS-TOKEN``
        (and ``x-vcloud-authorization``), and the session as JSON."""
        _version(request)
        token, tenant, caller = await self._sign_in(request, provider)
        headers = {
            ACCESS_TOKEN_HEADER: token,
            "X-VMWARE-VCLOUD-TOKEN-TYPE": "Bearer",
            TOKEN_HEADER: token,
        }
        return json_response(
            await self._cloudapi_session(request, tenant, caller, token), 200, headers=headers
        )

    async def cloudapi_current(self, request: Request, caller: TenantCaller) -> Response:
        """``GET /cloudapi/1.0.0/sessions/current``: the session, as its sign-in answered it."""
        _version(request)
        tenant = await self.runner.read(self.world.tenants.get, caller.tenant)
        return json_response(
            await self._cloudapi_session(request, tenant, caller, session_token(request) or "")
        )

    async def _cloudapi_session(
        self, request: Request, tenant: TenantView, caller: TenantCaller, token: str
    ) -> dict[str, Any]:
        """cloudapi's session (data-structures/Session): who, where, the roles held, the idle
        timeout; its id is fixed by its token (a one-way hash of it)."""
        principal = caller.caller.principal
        idle = await self.runner.read(self.world.sessions.idle_timeout, VCD)
        roles = await self.runner.read(self.world.access.role_names, principal.id, VCD)
        held = await self.runner.read(self.world.org_people.held, principal.id)
        return {
            "id": f"urn:vcloud:session:{uuid.uuid5(uuid.UUID(SITE_ID), token)}",
            "site": {"name": request.url.hostname, "id": f"urn:vcloud:site:{SITE_ID}"},
            "user": {"name": principal.name, "id": f"urn:vcloud:user:{principal.id}"},
            "org": {"name": org_name(tenant), "id": f"urn:vcloud:org:{org_id(tenant)}"},
            "location": f"{org_id(tenant)}@{SITE_ID}",
            "roles": roles,
            "roleRefs": [{"name": name, "id": f"urn:vcloud:role:{rid}"} for rid, name in held],
            "sessionIdleTimeoutMinutes": int(idle // 60),
        }

    async def get_session(self, request: Request, caller: TenantCaller) -> Response:
        version = _version(request)
        tenant = await self.runner.read(self.world.tenants.get, caller.tenant)
        roles = await self.runner.read(self.world.access.role_names, caller.caller.principal.id, VCD)
        return self.session_response(request, version, tenant, caller, roles)

    async def sign_out(self, request: Request, _caller: TenantCaller) -> Response:
        await self.runner.call(self.world.org_sessions.revoke, session_token(request) or "")
        return Response(status_code=204)

    async def org_list(self, request: Request, caller: TenantCaller) -> Response:
        version = _version(request)
        orgs = await self.runner.read(self.world.tenants.orgs, caller.tenant)
        base = _base(request)
        listing = OrgList(
            f"{base}/api/org/",
            ORG_LIST_TYPE,
            [Reference(f"{base}/api/org/{org_id(t)}", ORG_TYPE, org_name(t)) for t in orgs],
        )
        return Response(document(listing, version), media_type=f"{ORG_LIST_TYPE};version={version}")

    async def get_org(self, request: Request, caller: TenantCaller) -> Response:
        version = _version(request)
        found = await self.runner.read(self.world.tenants.org, request.path_params["org"], caller.tenant)
        uid = org_id(found)
        vdcs = await self.runner.read(self.world.org_vdcs.of_org, found.name)
        actor = asked(request, caller).actor
        catalogs = await self.runner.read(self.world.catalogs.of_org, found.name, actor)
        if found.name == caller.tenant:  # and other orgs' catalogs shared to it or published
            catalogs += await self.runner.read(self.world.catalogs.shared_with, actor)
        org = Org(
            href=f"{_base(request)}/api/org/{uid}",
            type=ORG_TYPE,
            id=f"urn:vcloud:org:{uid}",
            name=org_name(found),
            links=org_links(Hrefs(_base(request)), found.name, vdcs, catalogs),
            description=found.description,
            full_name=found.full_name,
            is_enabled=(await self.runner.read(self.world.org_admin.get, found.name)).enabled,
        )
        return Response(document(org, version), media_type=f"{ORG_TYPE};version={version}")

    @staticmethod
    def session_response(
        request: Request, version: str, tenant: TenantView, caller: TenantCaller, roles: list[str]
    ) -> Response:
        base, org = _base(request), org_name(tenant)
        org_href = f"{base}/api/org/{org_id(tenant)}"
        links = [
            Link("down", f"{base}/api/org/", ORG_LIST_TYPE),
            Link("remove", f"{base}/api/session"),
            Link("down", org_href, ORG_TYPE, org),
            Link("down", f"{base}/api/query", f"{VCLOUD_TYPE}.query.queryList+xml"),
            Link("entityResolver", f"{base}/api/entity/", f"{VCLOUD_TYPE}.entity+xml"),
        ]
        if tenant.is_default:  # the provider's views
            links += [
                Link("down", f"{base}/api/admin/", "application/vnd.vmware.admin.vcloud+xml"),
                Link("down", f"{base}/api/admin/extension", "application/vnd.vmware.admin.vmwExtension+xml"),
            ]
        location = f"{org_id(tenant)}@{SITE_ID}"
        principal = caller.caller.principal
        session = Session(
            href=f"{base}/api/session",
            type=SESSION_TYPE,
            user=principal.name,
            org=org,
            user_id=f"urn:vcloud:user:{principal.id}",
            roles=", ".join(roles),
            location_id=location,
            links=links,
            authorized_locations=AuthorizedLocations(
                [
                    AuthorizedLocation(
                        request.url.hostname or "",
                        location,
                        request.url.hostname,
                        org,
                        base,
                        f"{base}/tenant/{org}",
                        org,
                    )
                ]
            ),
        )
        return Response(document(session, version), media_type=f"{SESSION_TYPE};version={version}")


def claims(scope: Scope) -> bool:
    """Whether a request under ``/api/`` on the shared ports is vCD's: its ``Accept`` names a
    vCD media type or an API version (``application/*+xml;version=36.0``), or it carries a vCD
    session token. vCenter's clients send neither."""
    if not scope["path"].startswith("/api/"):
        return False
    headers = Headers(scope=scope)
    if TOKEN_HEADER in headers:
        return True
    accept = headers.get("accept", "").lower()
    return any(mark in accept for mark in VCD_ACCEPT) or asked_version(accept) is not None


def build(world: World, max_body: int, own_listener: bool) -> list[FaceRoute]:
    """The face's routes; ``own_listener``: for vCD's own port, where every request is vCD's;
    else on the shared ports, where a request to a path vCenter owns too is vCD's when
    ``claims`` says so. ``max_body``: the most bytes of a request body."""
    face = VcdFace(world)
    tasks = TaskViews(world, face.runner)
    objects = ObjectViews(world, face.runner)
    vapps = VAppViews(world, face.runner, tasks, max_body)
    queries = QueryViews(world, face.runner)
    sections = SectionViews(world, face.runner, tasks, max_body)
    people = PeopleViews(world, face.runner)
    table = SharedRoutes(world, face.runner, errors.answer, face.authenticate, org_roles.require)
    table.anonymous("GET", VERSIONS_PATH, versions)
    table.anonymous("POST", "/api/sessions", face.sign_in)
    table.anonymous("POST", f"{CLOUDAPI}/sessions", face.cloudapi_sign_in)
    table.anonymous("POST", f"{CLOUDAPI}/sessions/provider", face.cloudapi_provider_sign_in)
    table.add("GET", f"{CLOUDAPI}/sessions/current", face.cloudapi_current)
    table.add("DELETE", f"{CLOUDAPI}/sessions/current", face.sign_out)
    table.add("GET", "/api/session", face.get_session)
    table.add("DELETE", "/api/session", face.sign_out)
    table.add("GET", "/api/org/", face.org_list)
    table.add("GET", "/api/org", face.org_list)
    table.add("GET", "/api/org/{org}", face.get_org)
    table.add("GET", "/api/vdc/{vdc}", objects.vdc)
    table.add("POST", "/api/vdc/{vdc}/action/instantiateVAppTemplate", vapps.instantiate)
    table.add("POST", "/api/vdc/{vdc}/action/composeVApp", vapps.compose)
    table.add("POST", "/api/vdc/{vdc}/action/cloneVApp", vapps.clone)
    table.add("GET", "/api/catalog/{catalog}", objects.catalog)
    table.add("POST", "/api/catalog/{catalog}/action/captureVApp", vapps.capture)
    table.add("GET", "/api/catalogItem/{item}", objects.catalog_item)
    table.add("GET", "/api/vAppTemplate/{template}", objects.template)
    table.add("GET", "/api/vAppTemplate/{template}/leaseSettingsSection/", objects.template_lease)
    table.add("GET", "/api/media/{media}", objects.media)
    table.add("GET", "/api/network/{network}", objects.network)
    table.add("GET", "/api/vdcStorageProfile/{profile}", objects.storage_profile)
    table.add("GET", "/api/vApp/{entity}", vapps.get)
    table.add("DELETE", "/api/vApp/{entity}", vapps.delete)
    meta = MetadataViews(world, face.runner, tasks, max_body)
    meta.routes(table, "/api/vApp/{entity}")
    table.add("POST", "/api/vApp/{entity}/power/action/{action}", vapps.power)
    table.add("POST", "/api/vApp/{entity}/action/deploy", vapps.deploy)
    table.add("POST", "/api/vApp/{entity}/action/undeploy", vapps.undeploy)
    table.add("POST", "/api/vApp/{entity}/action/recomposeVApp", vapps.recompose)
    table.add("POST", "/api/vApp/{entity}/action/reconfigureVm", sections.reconfigure)
    table.add("PUT", "/api/vApp/{entity}", sections.reconfigure)
    vm = "/api/vApp/{entity}"
    table.add("GET", f"{vm}/virtualHardwareSection/", sections.hardware)
    table.add("PUT", f"{vm}/virtualHardwareSection/", sections.change_hardware)
    for item in ("cpu", "memory"):
        table.add("GET", f"{vm}/virtualHardwareSection/{item}", sections.item)
        table.add("PUT", f"{vm}/virtualHardwareSection/{item}", sections.change_item)
    table.add("GET", f"{vm}/networkConnectionSection/", sections.connections)
    table.add("PUT", f"{vm}/networkConnectionSection/", sections.change_connections)
    table.add("GET", f"{vm}/guestCustomizationSection/", sections.customization)
    table.add("PUT", f"{vm}/guestCustomizationSection/", sections.change_customization)
    table.add("GET", f"{vm}/operatingSystemSection/", sections.operating_system)
    table.add("PUT", f"{vm}/operatingSystemSection/", sections.change_operating_system)
    table.add("GET", f"{vm}/productSections/", sections.product_sections)
    table.add("PUT", f"{vm}/productSections/", sections.change_product_sections)
    table.add("GET", f"{vm}/leaseSettingsSection/", sections.vapp_section)
    table.add("PUT", f"{vm}/leaseSettingsSection/", sections.change_lease)
    table.add("GET", f"{vm}/networkConfigSection/", sections.vapp_section)
    table.add("GET", "/api/task/{task}", tasks.get)
    table.add("POST", "/api/task/{task}/action/cancel", tasks.cancel)
    table.add("GET", "/api/tasksList/{org}", tasks.tasks_list)
    table.add("GET", "/api/query", queries.query)
    table.add("GET", "/api/admin/", people.admin)
    table.add("GET", "/api/admin/extension", people.extension)
    table.add("GET", "/api/entity/{urn}", people.entity)
    # issue 15, org VDC administration and the provider's vSphere view (admin_vdcs, vsphere_view)
    vdcs = AdminVdcViews(world, face.runner, objects, tasks, max_body)
    table.add("POST", "/api/admin/org/{org}/vdcsparams", vdcs.create)
    table.add("GET", "/api/admin/vdc/{vdc}", vdcs.get)
    table.add("PUT", "/api/admin/vdc/{vdc}", vdcs.update)
    table.add("DELETE", "/api/admin/vdc/{vdc}", vdcs.delete)
    table.add("POST", "/api/admin/vdc/{vdc}/action/enable", vdcs.enable)
    table.add("POST", "/api/admin/vdc/{vdc}/action/disable", vdcs.disable)
    table.add("GET", "/api/admin/vdcStorageProfile/{profile}", vdcs.storage_profile)
    table.add("PUT", "/api/admin/vdcStorageProfile/{profile}", vdcs.update_storage_profile)
    table.add("POST", "/api/admin/vdc/{vdc}/vdcStorageProfiles", vdcs.update_storage_profiles)
    vsphere = VSphereViews(world, face.runner, tasks, max_body)
    ext = "/api/admin/extension"
    table.add("GET", "/api/admin/providervdc/{pvdc}", vsphere.provider_vdc)
    table.add("GET", "/api/admin/providervdc/{pvdc}/vdcReferences", vsphere.vdc_references)
    table.add("GET", f"{ext}/providervdc/{{pvdc}}", vsphere.vmw_provider_vdc)
    table.add("GET", "/api/admin/pvdcStorageProfile/{profile}", vsphere.provider_storage_profile)
    table.add("GET", f"{ext}/vimServerReferences", vsphere.vim_servers)
    table.add("GET", f"{ext}/vimServer/{{vim}}", vsphere.vim_server)
    table.add("GET", f"{ext}/vimServer/{{vim}}/resourcePoolList", vsphere.resource_pools)
    table.add("GET", f"{ext}/vimServer/{{vim}}/networks", vsphere.networks)
    table.add("GET", f"{ext}/vimServer/{{vim}}/hostReferences", vsphere.host_references)
    table.add(
        "GET", f"{ext}/vimServer/{{vim}}/{{kind}}/{{moref}}/vSphereWebClientUrl", vsphere.web_client_url
    )
    table.add("POST", f"{ext}/vimServer/{{vim}}/importVmAsVApp", vsphere.import_as_vapp)
    table.add("POST", f"{ext}/vimServer/{{vim}}/importVmIntoExistingVApp", vsphere.import_into_vapp)
    table.add("GET", f"{ext}/hostReferences", vsphere.host_references)
    table.add("GET", f"{ext}/host/{{host}}", vsphere.host)
    table.add("GET", f"{ext}/datastores", vsphere.datastores)
    table.add("GET", f"{ext}/datastore/{{datastore}}", vsphere.datastore)
    table.add("GET", f"{ext}/externalNetworkReferences", vsphere.external_networks)
    table.add("GET", f"{ext}/externalnet/{{network}}", vsphere.external_network)
    table.add("GET", "/api/admin/network/{network}", vsphere.admin_network)
    table.add("GET", f"{ext}/networkPoolReferences", vsphere.network_pools)
    table.add("GET", f"{ext}/networkPool/{{pool}}", vsphere.network_pool)
    table.add("POST", "/api/vApp/{entity}/action/relocate", vsphere.relocate)
    # Events, extension services, blocking tasks and notifications (issue 15)
    extensions = ExtensionViews(world, face.runner, max_body)
    service = "/api/admin/extension/service"
    table.add("GET", service, extensions.services)
    table.add("POST", service, extensions.register)
    table.add("GET", f"{service}/apifilter/{{item}}", extensions.api_filter)
    table.add("DELETE", f"{service}/apifilter/{{item}}", extensions.remove_filter)
    table.add("GET", f"{service}/apidefinition/{{item}}", extensions.api_definition)
    table.add("DELETE", f"{service}/apidefinition/{{item}}", extensions.remove_definition)
    table.add("GET", f"{service}/{{service}}", extensions.service)
    table.add("PUT", f"{service}/{{service}}", extensions.update_service)
    table.add("DELETE", f"{service}/{{service}}", extensions.delete_service)
    table.add("GET", f"{service}/{{service}}/apifilters", extensions.filters)
    table.add("POST", f"{service}/{{service}}/apifilters", extensions.add_filter)
    table.add("GET", f"{service}/{{service}}/apidefinitions", extensions.definitions)
    table.add("POST", f"{service}/{{service}}/apidefinitions", extensions.add_definition)
    table.add("POST", "/api/tasksList/{org}", extensions.post_task)
    table.add("PUT", "/api/task/{task}", extensions.put_task)
    table.add("POST", "/api/admin/org/{org}/events", extensions.post_event)
    for listing in ("blockingTasks", "blockingTasks/", "blockingTask", "blockingTask/"):
        table.add("GET", f"/api/admin/extension/{listing}", extensions.blocking_tasks)
    table.add("GET", "/api/admin/extension/blockingTask/{blocking}", extensions.blocking_task)
    table.add(
        "POST", "/api/admin/extension/blockingTask/{blocking}/action/{action}", extensions.blocking_action
    )
    settings = "/api/admin/extension/settings"
    table.add("GET", f"{settings}/amqp", extensions.amqp)
    table.add("PUT", f"{settings}/amqp", extensions.update_amqp)
    table.add("POST", f"{settings}/amqp/action/test", extensions.test_amqp)
    table.add("GET", f"{settings}/notifications", extensions.notifications)
    table.add("PUT", f"{settings}/notifications", extensions.update_notifications)
    table.add("GET", f"{settings}/blockingTask", extensions.blocking_settings)
    table.add("PUT", f"{settings}/blockingTask", extensions.update_blocking_settings)
    # Access control, owners, metadata (part 2): owners, sharing and publication of vApps and catalogs
    sharing = SharingViews(world, face.runner, max_body)
    for path in ("/api/vApp/{entity}/controlAccess/", "/api/vApp/{entity}/controlAccess"):
        table.add("GET", path, sharing.vapp_access)
    for path in ("/api/vApp/{entity}/action/controlAccess", "/api/vApp/{entity}/action/controlAccess/"):
        table.add("POST", path, sharing.share_vapp)
    for path in ("/api/vApp/{entity}/owner", "/api/vApp/{entity}/owner/"):
        table.add("GET", path, sharing.vapp_owner)
        table.add("PUT", path, sharing.change_vapp_owner)
    for base in ("/api/catalog/{catalog}", "/api/org/{org}/catalog/{catalog}"):
        for path in (f"{base}/controlAccess/", f"{base}/controlAccess"):
            table.add("GET", path, sharing.catalog_access)
        for path in (f"{base}/action/controlAccess", f"{base}/action/controlAccess/"):
            table.add("POST", path, sharing.share_catalog)
    for path in ("/api/catalog/{catalog}/owner", "/api/admin/catalog/{catalog}/owner"):
        table.add("GET", path, sharing.catalog_owner)
    table.add("PUT", "/api/catalog/{catalog}/owner", sharing.change_catalog_owner)
    table.add("PUT", "/api/admin/catalog/{catalog}/owner", sharing.change_catalog_owner)
    for path in ("/api/catalog/{catalog}/action/publish", "/api/admin/catalog/{catalog}/action/publish"):
        table.add("POST", path, sharing.publish)
    # ... and the metadata of catalogs, their items, templates, media, org VDCs, their storage
    # policies, networks and orgs
    for base in (
        "/api/catalog/{catalog}",
        "/api/admin/catalog/{catalog}",
        "/api/catalogItem/{item}",
        "/api/vAppTemplate/{template}",
        "/api/media/{media}",
        "/api/admin/vdc/{vdc}",
        "/api/disk/{disk}",
        "/api/admin/providervdc/{pvdc}",
        "/api/admin/network/{network}",
        "/api/admin/org/{org}",
        "/api/admin/vdcStorageProfile/{profile}",
    ):
        meta.routes(table, base)
    for base in (
        "/api/vdc/{vdc}",
        "/api/network/{network}",
        "/api/org/{org}",
        "/api/vdcStorageProfile/{profile}",
    ):
        meta.routes(table, base, changes=False)
    # Organization administration and the system settings (general, LDAP)
    orgs = AdminOrgViews(world, face.runner, tasks)
    table.add("POST", "/api/admin/orgs", orgs.create)
    table.add("GET", "/api/admin/org/{org}", orgs.get)
    table.add("PUT", "/api/admin/org/{org}", orgs.update)
    table.add("DELETE", "/api/admin/org/{org}", orgs.delete)
    table.add("POST", "/api/admin/org/{org}/action/enable", orgs.enable)
    table.add("POST", "/api/admin/org/{org}/action/disable", orgs.disable)
    table.add("GET", "/api/admin/org/{org}/settings", orgs.settings)
    table.add("PUT", "/api/admin/org/{org}/settings", orgs.put_settings)
    table.add("GET", "/api/admin/org/{org}/settings/ldap", orgs.ldap)
    table.add("PUT", "/api/admin/org/{org}/settings/ldap", orgs.put_ldap)
    table.add("GET", "/api/admin/org/{org}/settings/{section}", orgs.section)
    table.add("PUT", "/api/admin/org/{org}/settings/{section}", orgs.put_section)
    system = SystemSettingsViews(world, face.runner)
    table.add("GET", "/api/admin/extension/settings", system.get)
    table.add("GET", "/api/admin/extension/settings/general", system.general)
    table.add("PUT", "/api/admin/extension/settings/general", system.put_general)
    table.add("GET", "/api/admin/extension/settings/ldapSettings", system.ldap)
    table.add("PUT", "/api/admin/extension/settings/ldapSettings", system.put_ldap)
    # Uploads and downloads (issue 15): catalog uploads, the transfer service, downloads
    transfers = TransferViews(world, face.runner, tasks, max_body)
    table.add("POST", "/api/catalog/{catalog}/action/upload", transfers.upload)
    table.add("PUT", "/transfer/{transfer}/{name}", transfers.put)
    table.add("GET", "/transfer/{transfer}/{name}", transfers.get)
    for entity in ("/api/vAppTemplate/{template}", "/api/media/{media}"):
        table.add("POST", f"{entity}/action/enableDownload", transfers.enable_download)
        table.add("POST", f"{entity}/action/disableDownload", transfers.disable_download)
    # Independent disks (issue 15)
    disks = DiskViews(world, face.runner, tasks, max_body)
    table.add("POST", "/api/vdc/{vdc}/disk", disks.create)
    table.add("GET", "/api/disk/{disk}", disks.get)
    table.add("PUT", "/api/disk/{disk}", disks.update)
    table.add("DELETE", "/api/disk/{disk}", disks.delete)
    table.add("GET", "/api/disk/{disk}/attachedVms", disks.attached_vms)
    for path in ("/api/disk/{disk}/owner", "/api/disk/{disk}/owner/"):
        table.add("GET", path, disks.owner)
        table.add("PUT", path, disks.change_owner)
    table.add("POST", "/api/vApp/{entity}/disk/action/{action}", disks.attach)
    # issue 15, people: users, groups, roles, rights and catalogs of the administration API
    admin = AdminPeopleViews(world, face.runner, max_body)
    table.add("POST", "/api/admin/org/{org}/users", admin.create_user)
    table.add("GET", "/api/admin/user/{user}", admin.user)
    table.add("PUT", "/api/admin/user/{user}", admin.update_user)
    table.add("DELETE", "/api/admin/user/{user}", admin.delete_user)
    table.add("POST", "/api/admin/org/{org}/groups", admin.import_group)
    table.add("GET", "/api/admin/group/{group}", admin.group)
    table.add("PUT", "/api/admin/group/{group}", admin.update_group)
    table.add("DELETE", "/api/admin/group/{group}", admin.delete_group)
    table.add("POST", "/api/admin/org/{org}/roles", admin.create_role)
    table.add("GET", "/api/admin/role/{role}", admin.role)
    table.add("PUT", "/api/admin/role/{role}", admin.update_role)
    table.add("DELETE", "/api/admin/role/{role}", admin.delete_role)
    table.add("GET", "/api/admin/right/{right}", admin.right)
    table.add("GET", "/api/admin/org/{org}/rights", admin.org_rights)
    table.add("PUT", "/api/admin/org/{org}/rights", admin.put_org_rights)
    table.add("POST", "/api/admin/org/{org}/rights", admin.add_org_rights)
    table.add("POST", "/api/admin/org/{org}/catalogs", admin.create_catalog)
    table.add("GET", "/api/admin/catalog/{catalog}", admin.catalog)
    table.add("PUT", "/api/admin/catalog/{catalog}", admin.update_catalog)
    table.add("DELETE", "/api/admin/catalog/{catalog}", admin.delete_catalog)
    cloud = CloudApiRoles(world, face.runner, max_body)
    table.add("GET", f"{CLOUDAPI}/roles", cloud.roles)
    table.add("POST", f"{CLOUDAPI}/roles", cloud.create_role)
    table.add("GET", f"{CLOUDAPI}/roles/{{role}}", cloud.role)
    table.add("PUT", f"{CLOUDAPI}/roles/{{role}}", cloud.update_role)
    table.add("DELETE", f"{CLOUDAPI}/roles/{{role}}", cloud.delete_role)
    table.add("GET", f"{CLOUDAPI}/roles/{{role}}/rights", cloud.role_rights)
    table.add("POST", f"{CLOUDAPI}/roles/{{role}}/rights", cloud.add_role_rights)
    table.add("PUT", f"{CLOUDAPI}/roles/{{role}}/rights", cloud.put_role_rights)
    table.add("GET", f"{CLOUDAPI}/rights", cloud.rights)
    table.add("GET", f"{CLOUDAPI}/rights/{{right}}", cloud.right)
    table.add("GET", f"{CLOUDAPI}/rightsCategories", cloud.categories)
    table.add("GET", f"{CLOUDAPI}/rightsCategories/{{category}}", cloud.category)
    table.add("GET", f"{CLOUDAPI}/rightsBundles", cloud.bundles)
    table.add("GET", f"{CLOUDAPI}/rightsBundles/{{bundle}}", cloud.bundle)
    table.add("GET", f"{CLOUDAPI}/rightsBundles/{{bundle}}/rights", cloud.bundle_rights)
    table.add("GET", f"{CLOUDAPI}/rightsBundles/{{bundle}}/tenants", cloud.bundle_tenants)
    # Requests for extension services: what no operation above serves under the face's prefixes
    forwarding = Forwarding(world, face.runner, max_body)
    for prefix in PREFIXES:
        if prefix.startswith("/api/") and prefix not in (VERSIONS_PATH, "/api/sessions"):
            for method in FORWARDED:
                table.add(method, f"{prefix}/{FORWARDED_REST}", forwarding.forward)
    routes = table.build(shared=None if own_listener else {"/api/session": claims})
    forwarding.routes = routes
    return routes
