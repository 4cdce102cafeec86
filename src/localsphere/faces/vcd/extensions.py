"""The system administrator's extension API (vCloud API Programming Guide 5.5, chapters 10
"Configuring and Using Blocking Tasks and Notifications" and 11 "vCloud Director Extension
Services"):

- extension services: ``/api/admin/extension/service`` (list, register), ``.../service/{id}``
  (GET, PUT, DELETE), its ``apifilters`` and ``apidefinitions`` and each one's
  ``.../service/apifilter/{id}`` and ``.../service/apidefinition/{id}``;
- a service's own tasks and events: ``POST /api/tasksList/{org}`` (a Task; 200 and the Task),
  ``PUT /api/task/{id}`` (its status and progress) and ``POST /api/admin/org/{org}/events``
  (an Event; 204), the ``task:create`` and ``event:create`` links of an admin org (``org_links``);
- blocking tasks: ``/api/admin/extension/blockingTasks`` (BlockingTaskReferences),
  ``.../blockingTask/{id}`` and its ``action/resume|abort|fail|updateProgress``;
- settings: ``/api/admin/extension/settings/amqp`` (GET, PUT; ``action/test``),
  ``.../settings/notifications`` and ``.../settings/blockingTask``.

Every call is the system administrator's (403 for anyone else). Bodies are read whatever their
namespace (the guide's Event example has none)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.vcd.hrefs import ADMIN_TYPE, Hrefs, object_id
from localsphere.faces.vcd.notifications import render
from localsphere.faces.vcd.tasks import task
from localsphere.faces.vcd.types import Error, Link, Reference
from localsphere.faces.vcd.types_extension import (
    VMEXT,
    AmqpSettings,
    AmqpSettingsTest,
    ApiDefinition,
    ApiDefinitions,
    ApiFilter,
    ApiFilters,
    ApiVersions,
    BlockingTask,
    BlockingTaskSettings,
    Container,
    NotificationsSettings,
    Resource,
    Service,
    TaskOperationList,
)
from localsphere.faces.vcd.wire import Asked, asked, read_xml, vcd_time, xml
from localsphere.world import World, notifications
from localsphere.world import extension_services as services
from localsphere.world.blocking_tasks import BlockingSettings, BlockingTaskView
from localsphere.world.errors import Forbidden
from localsphere.world.events import Entity
from localsphere.world.org_roles import ADMIN_VIEW
from localsphere.world.tasks import Owner
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import org_uuid

EXTENSION = "/api/admin/extension"
SERVICE_TYPE = f"{ADMIN_TYPE}.service+xml"
SERVICES_TYPE = f"{ADMIN_TYPE}.extensionServices+xml"
FILTER_TYPE = f"{ADMIN_TYPE}.apiFilter+xml"
FILTERS_TYPE = f"{ADMIN_TYPE}.apiFilters+xml"
DEFINITION_TYPE = f"{ADMIN_TYPE}.apiDefinition+xml"
DEFINITIONS_TYPE = f"{ADMIN_TYPE}.apiDefinitions+xml"
BLOCKING_TYPE = f"{ADMIN_TYPE}.blockingTask+xml"
BLOCKING_LIST_TYPE = f"{ADMIN_TYPE}.blockingTaskReferences+xml"
OPERATION_TYPE = f"{ADMIN_TYPE}.blockingTaskOperationParams+xml"
PROGRESS_TYPE = f"{ADMIN_TYPE}.blockingTaskUpdateProgressOperationParams+xml"
AMQP_TYPE = f"{ADMIN_TYPE}.amqpSettings+xml"
AMQP_TEST_TYPE = f"{ADMIN_TYPE}.amqpSettingsTest+xml"
NOTIFICATIONS_TYPE = f"{ADMIN_TYPE}.notificationsSettings+xml"
BLOCKING_SETTINGS_TYPE = f"{ADMIN_TYPE}.blockingTaskSettings+xml"
TASK_TYPE = "application/vnd.vmware.vcloud.task+xml"
EVENT_TYPE = "application/vnd.vmware.vcloud.event+xml"
BLOCKING_LISTED = 128  # the active blocking tasks a BlockingTaskReferences shows


def org_links(hrefs: Hrefs, tenant: str) -> list[Link]:
    """The links an admin org gives a system administrator's extension services: where to post
    a task (``task:create``) and an event (``event:create``), as the guide shows them."""
    uid = org_uuid(tenant)
    return [
        Link("task:create", f"{hrefs.base}/api/tasksList/{uid}", TASK_TYPE),
        Link("event:create", f"{hrefs.base}/api/admin/org/{uid}/events", EVENT_TYPE),
    ]


def extension_links(hrefs: Hrefs) -> list[Link]:
    """The links the system administrator's ``VMWExtension`` gives to this API: the extension
    services (``rel="down"``, as the guide's "Register an Extension Service" finds them), the active
    blocking tasks and the AMQP, notification and blocking-task settings."""
    base = f"{hrefs.base}{EXTENSION}"
    return [
        Link("down", f"{base}/service", SERVICES_TYPE),
        Link("down", f"{base}/blockingTasks/", BLOCKING_LIST_TYPE),
        Link("down", f"{base}/settings/amqp", AMQP_TYPE),
        Link("down", f"{base}/settings/notifications", NOTIFICATIONS_TYPE),
        Link("down", f"{base}/settings/blockingTask", BLOCKING_SETTINGS_TYPE),
    ]


# --- reading bodies, whatever their namespace -------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(parent: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in parent if _local(c.tag) == name), None)


def _children(parent: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in parent if _local(c.tag) == name]


def _text(parent: ET.Element, name: str, default: str | None = None) -> str | None:
    found = _child(parent, name)
    return (found.text or "").strip() if found is not None else default


def _bool(text: str | None, name: str, default: bool) -> bool:
    if text is None:
        return default
    if text.lower() in ("true", "1"):
        return True
    if text.lower() in ("false", "0"):
        return False
    raise InputError("value", f"{name} must be true or false.")


def _int(text: str | None, name: str, default: int) -> int:
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise InputError("value", f"{name} must be a whole number.") from None


async def _body(request: Request, limit: int, root: str) -> ET.Element:
    found = await read_xml(request, limit)
    if found is None or _local(found.tag) != root:
        raise InputError("value", f"The operation takes a {root} element.")
    return found


class ExtensionViews:
    def __init__(self, world: World, runner: Runner, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.max_body = max_body
        world.notifications.render_with(render)

    def _system(self, request: Request, caller: TenantCaller) -> Asked:
        a = asked(request, caller)
        if not a.provider:
            raise Forbidden("extension.forbidden", "This operation is the system administrator's.")
        a.require(ADMIN_VIEW)
        return a

    # --- extension services ------------------------------------------------------------------

    def _service(self, h: Hrefs, view: services.ServiceView) -> Service:
        href = h.of("service", view.id)
        return Service(
            **h.identity("service", view.id, view.name),
            links=[
                Link("edit", href, SERVICE_TYPE),
                Link("remove", href),
                Link("down", f"{href}/apifilters", FILTERS_TYPE),
                Link("add", f"{href}/apifilters", FILTER_TYPE),
                Link("down", f"{href}/apidefinitions", DEFINITIONS_TYPE),
                Link("add", f"{href}/apidefinitions", DEFINITION_TYPE),
            ],
            namespace=view.namespace,
            enabled=view.enabled,
            authorization_enabled=view.authorization_enabled,
            routing_key=view.routing_key,
            priority=view.priority,
            exchange=view.exchange,
            vendor=view.vendor or None,
            api_filters=ApiFilters([_filter(h, f) for f in view.filters]),
        )

    async def services(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        found = await self.runner.call(self.world.extension_services.all)
        base = f"{a.hrefs.base}{EXTENSION}/service"
        links = [Link("add", base, SERVICE_TYPE)] + [
            Link("down", a.hrefs.of("service", s.id), SERVICE_TYPE, s.name) for s in found
        ]
        return xml(
            Resource(base, SERVICES_TYPE, links),
            a.version,
            SERVICES_TYPE,
            tag="ExtensionServices",
            namespace=VMEXT,
        )

    async def register(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        spec = _spec(await _body(request, self.max_body, "Service"))
        view = await self.runner.call(self.world.extension_services.register, spec)
        return xml(self._service(a.hrefs, view), a.version, SERVICE_TYPE, 201, "Service", VMEXT)

    async def service(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        view = await self.runner.call(self.world.extension_services.get, request.path_params["service"])
        return xml(self._service(a.hrefs, view), a.version, SERVICE_TYPE, tag="Service", namespace=VMEXT)

    async def update_service(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        spec = _spec(await _body(request, self.max_body, "Service"))
        view = await self.runner.call(
            self.world.extension_services.update, request.path_params["service"], spec
        )
        return xml(self._service(a.hrefs, view), a.version, SERVICE_TYPE, tag="Service", namespace=VMEXT)

    async def delete_service(self, request: Request, caller: TenantCaller) -> Response:
        self._system(request, caller)
        await self.runner.call(self.world.extension_services.delete, request.path_params["service"])
        return Response(status_code=204)

    async def filters(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        view = await self.runner.call(self.world.extension_services.get, request.path_params["service"])
        answer = ApiFilters([_filter(a.hrefs, f) for f in view.filters])
        return xml(answer, a.version, FILTERS_TYPE, tag="ApiFilters", namespace=VMEXT)

    async def add_filter(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        body = await _body(request, self.max_body, "ApiFilter")
        made = await self.runner.call(
            self.world.extension_services.add_filter,
            request.path_params["service"],
            _text(body, "UrlPattern"),
            _text(body, "ResponseContentType"),
        )
        return xml(_filter(a.hrefs, made), a.version, FILTER_TYPE, 201, "ApiFilter", VMEXT)

    async def api_filter(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        found = await self.runner.call(self.world.extension_services.find_filter, request.path_params["item"])
        return xml(_filter(a.hrefs, found), a.version, FILTER_TYPE, tag="ApiFilter", namespace=VMEXT)

    async def remove_filter(self, request: Request, caller: TenantCaller) -> Response:
        self._system(request, caller)
        await self.runner.call(self.world.extension_services.remove_filter, request.path_params["item"])
        return Response(status_code=204)

    async def definitions(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        view = await self.runner.call(self.world.extension_services.get, request.path_params["service"])
        answer = ApiDefinitions([_definition(a.hrefs, d) for d in view.definitions])
        return xml(answer, a.version, DEFINITIONS_TYPE, tag="ApiDefinitions", namespace=VMEXT)

    async def add_definition(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        body = await _body(request, self.max_body, "ApiDefinition")
        versions = _child(body, "SupportedApiVersions")
        given = services.ApiDefinition(
            "",
            body.get("name") or "",
            _text(body, "EntryPoint") or "",
            _text(body, "Namespace") or "",
            _text(body, "ApiVendor") or "",
            tuple((v.text or "").strip() for v in _children(versions, "Version"))
            if versions is not None
            else (),
        )
        made = await self.runner.call(
            self.world.extension_services.add_definition, request.path_params["service"], given
        )
        return xml(_definition(a.hrefs, made), a.version, DEFINITION_TYPE, 201, "ApiDefinition", VMEXT)

    async def api_definition(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        _, found = await self.runner.call(
            self.world.extension_services.find_definition, request.path_params["item"]
        )
        return xml(
            _definition(a.hrefs, found), a.version, DEFINITION_TYPE, tag="ApiDefinition", namespace=VMEXT
        )

    async def remove_definition(self, request: Request, caller: TenantCaller) -> Response:
        self._system(request, caller)
        await self.runner.call(self.world.extension_services.remove_definition, request.path_params["item"])
        return Response(status_code=204)

    # --- a service's tasks and events --------------------------------------------------------

    async def post_task(self, request: Request, caller: TenantCaller) -> Response:
        """``POST /api/tasksList/{org}``: a service's task in the org's list; 200 and the Task."""
        a = self._system(request, caller)
        org = await self.runner.read(self.world.tenants.org, request.path_params["org"], caller.tenant)
        body = await _body(request, self.max_body, "Task")
        owner = _owner(body, org.name)
        user_id, user_name = _user(body, caller)
        made = await self.runner.call(
            self.world.tasks.post,
            org.name,
            body.get("operationName") or "task",
            body.get("operation") or "",
            owner,
            user_id,
            user_name,
            body.get("serviceNamespace") or "",
            body.get("status") or "running",
            _int(_text(body, "Progress"), "Progress", 0),
            _text(body, "Details") or "",
        )
        view = await self.runner.read(self.world.tasks.get, made, None)
        return xml(task(a.hrefs, view), a.version, TASK_TYPE)

    async def put_task(self, request: Request, caller: TenantCaller) -> Response:
        """``PUT /api/task/{id}``: a service says how its task stands; 200 and the Task."""
        a = self._system(request, caller)
        body = await _body(request, self.max_body, "Task")
        task_id = request.path_params["task"]
        progress = _text(body, "Progress")
        await self.runner.call(
            self.world.tasks.update,
            task_id,
            body.get("status") or "running",
            None if progress is None else _int(progress, "Progress", 0),
            _text(body, "Details"),
        )
        view = await self.runner.read(self.world.tasks.get, task_id, None)
        return xml(task(a.hrefs, view), a.version, TASK_TYPE)

    async def post_event(self, request: Request, caller: TenantCaller) -> Response:
        """``POST /api/admin/org/{org}/events``: a service's event in the org's stream; 204."""
        self._system(request, caller)
        org = await self.runner.read(self.world.tenants.org, request.path_params["org"], caller.tenant)
        body = await _body(request, self.max_body, "Event")
        owner = _owner(body, org.name)
        user_id, user_name = _user(body, caller)
        await self.runner.call(
            self.world.events.post,
            org.name,
            body.get("type") or "",
            Entity(owner.kind, owner.id, owner.name),
            user_id,
            user_name,
            _bool(body.get("success"), "success", True),
            body.get("serviceNamespace") or "",
            body.get("typeFull") or "",
        )
        return Response(status_code=204)

    # --- blocking tasks ----------------------------------------------------------------------

    def _blocking(
        self, a: Asked, view: BlockingTaskView, user: Reference | None, owner: Reference | None
    ) -> BlockingTask:
        href = a.hrefs.of("blockingTask", view.id)
        links = (
            [
                Link("resume", f"{href}/action/resume", OPERATION_TYPE),
                Link("abort", f"{href}/action/abort", OPERATION_TYPE),
                Link("fail", f"{href}/action/fail", OPERATION_TYPE),
                Link("updateProgress", f"{href}/action/updateProgress", PROGRESS_TYPE),
            ]
            if view.status == "active"
            else []
        )
        links.append(Link("up", a.hrefs.of("task", view.task_id), TASK_TYPE))
        return BlockingTask(
            **a.hrefs.identity("blockingTask", view.id, view.operation_name),
            links=links,
            created_time=vcd_time(view.created_at) or "",
            timeout_date=vcd_time(view.timeout_at) or "",
            timeout_action=view.timeout_action,
            status=view.status,
            organization=a.hrefs.reference("org", view.tenant),
            user=user,
            task_owner=owner,
        )

    async def _answer_blocking(self, a: Asked, view: BlockingTaskView) -> Response:
        held = await self.runner.read(self.world.tasks.get, view.task_id, None)
        user = a.hrefs.reference("user", held.user_id, held.user_name) if held.user_id else None
        owner = (
            a.hrefs.reference(held.owner_kind, held.owner_id, held.owner_name)
            if held.owner_kind in ("vApp", "vm", "vAppTemplate")
            else None
        )
        body = self._blocking(a, view, user, owner)
        return xml(body, a.version, BLOCKING_TYPE, tag="BlockingTask", namespace=VMEXT)

    async def blocking_tasks(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        found = await self.runner.call(self.world.blocking_tasks.active, BLOCKING_LISTED)
        href = f"{a.hrefs.base}{EXTENSION}/blockingTasks/"
        refs = [Reference(a.hrefs.of("blockingTask", b.id), BLOCKING_TYPE, b.operation_name) for b in found]
        answer = Container(href, BLOCKING_LIST_TYPE, [], "blockingTasks", None, None, len(refs), refs)
        return xml(answer, a.version, BLOCKING_LIST_TYPE, tag="BlockingTaskReferences", namespace=VMEXT)

    async def blocking_task(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        view = await self.runner.call(self.world.blocking_tasks.get, request.path_params["blocking"])
        return await self._answer_blocking(a, view)

    async def blocking_action(self, request: Request, caller: TenantCaller) -> Response:
        """resume, abort or fail (a BlockingTaskOperationParams), or updateProgress (a
        BlockingTaskUpdateProgressParams); 200 and the BlockingTask as it then stands."""
        a = self._system(request, caller)
        action = request.path_params["action"]
        blocking_id = request.path_params["blocking"]
        if action == "updateProgress":
            body = await _body(request, self.max_body, "BlockingTaskUpdateProgressParams")
            millis = _int(_text(body, "TimeoutValueInMilliseconds"), "TimeoutValueInMilliseconds", 0)
            view = await self.runner.call(
                self.world.blocking_tasks.extend, blocking_id, _text(body, "Message") or "", millis / 1000
            )
            return await self._answer_blocking(a, view)
        if action not in ("resume", "abort", "fail"):
            raise InputError("value", f"No blocking task action {action}.")
        found = await read_xml(request, self.max_body)
        message = _text(found, "Message") or "" if found is not None else ""
        view = await self.runner.call(self.world.blocking_tasks.act, blocking_id, action, message)
        return await self._answer_blocking(a, view)

    # --- settings ----------------------------------------------------------------------------

    def _amqp(self, a: Asked, given: notifications.AmqpSettings) -> AmqpSettings:
        href = f"{a.hrefs.base}{EXTENSION}/settings/amqp"
        return AmqpSettings(
            href,
            AMQP_TYPE,
            [Link("edit", href, AMQP_TYPE), Link("test", f"{href}/action/test", AMQP_TEST_TYPE)],
            given.host,
            given.port,
            given.username,
            None,  # never echoed
            given.exchange,
            given.vhost,
            given.use_ssl,
            given.ssl_accept_all,
            given.prefix,
        )

    async def amqp(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        found = await self.runner.read(self.world.notifications.amqp)
        return xml(self._amqp(a, found), a.version, AMQP_TYPE, tag="AmqpSettings", namespace=VMEXT)

    async def update_amqp(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        given = _amqp_given(await _body(request, self.max_body, "AmqpSettings"), a.hrefs.base)
        found = await self.runner.call(self.world.notifications.configure_amqp, given)
        return xml(self._amqp(a, found), a.version, AMQP_TYPE, tag="AmqpSettings", namespace=VMEXT)

    async def test_amqp(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        given = _amqp_given(await _body(request, self.max_body, "AmqpSettings"), a.hrefs.base)
        failure = await self.runner.call(self.world.notifications.test, given)
        href = f"{a.hrefs.base}{EXTENSION}/settings/amqp"
        answer = AmqpSettingsTest(
            f"{href}/action/test",
            AMQP_TEST_TYPE,
            [Link("up", href, AMQP_TYPE)],
            failure is None,
            Error(failure, 400, "BAD_REQUEST") if failure else None,
        )
        return xml(answer, a.version, AMQP_TEST_TYPE, tag="AmqpSettingsTest", namespace=VMEXT)

    def _notifications(self, a: Asked, on: bool) -> Response:
        href = f"{a.hrefs.base}{EXTENSION}/settings/notifications"
        answer = NotificationsSettings(href, NOTIFICATIONS_TYPE, [Link("edit", href, NOTIFICATIONS_TYPE)], on)
        return xml(answer, a.version, NOTIFICATIONS_TYPE, tag="NotificationsSettings", namespace=VMEXT)

    async def notifications(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        return self._notifications(a, await self.runner.read(self.world.notifications.enabled))

    async def update_notifications(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        body = await _body(request, self.max_body, "NotificationsSettings")
        on = _bool(_text(body, "EnableNotifications"), "EnableNotifications", False)
        return self._notifications(a, await self.runner.call(self.world.notifications.enable, on))

    def _blocking_settings(self, a: Asked, given: BlockingSettings) -> Response:
        href = f"{a.hrefs.base}{EXTENSION}/settings/blockingTask"
        answer = BlockingTaskSettings(
            href,
            BLOCKING_SETTINGS_TYPE,
            [Link("edit", href, BLOCKING_SETTINGS_TYPE)],
            given.timeout_action,
            TaskOperationList(list(given.operations)),
            int(given.timeout_seconds * 1000),
        )
        return xml(answer, a.version, BLOCKING_SETTINGS_TYPE, tag="BlockingTaskSettings", namespace=VMEXT)

    async def blocking_settings(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        return self._blocking_settings(a, await self.runner.call(self.world.blocking_tasks.settings))

    async def update_blocking_settings(self, request: Request, caller: TenantCaller) -> Response:
        a = self._system(request, caller)
        body = await _body(request, self.max_body, "BlockingTaskSettings")
        listed = _child(body, "BlockingTaskOperations")
        operations = (
            tuple((o.text or "").strip() for o in _children(listed, "Operation"))
            if listed is not None
            else ()
        )
        millis = _int(_text(body, "TimeoutInMilliseconds"), "TimeoutInMilliseconds", 0)
        given = BlockingSettings(operations, _text(body, "TimeoutAction") or "abort", millis / 1000)
        found = await self.runner.call(self.world.blocking_tasks.configure, given)
        return self._blocking_settings(a, found)


def _filter(h: Hrefs, found: services.ApiFilter) -> ApiFilter:
    href = f"{h.base}{EXTENSION}/service/apifilter/{found.id}"
    return ApiFilter(
        href,
        FILTER_TYPE,
        f"urn:vcloud:apifilter:{found.id}",
        [Link("remove", href)],
        found.url_pattern,
        found.response_content_type,
    )


def _definition(h: Hrefs, found: services.ApiDefinition) -> ApiDefinition:
    href = f"{h.base}{EXTENSION}/service/apidefinition/{found.id}"
    return ApiDefinition(
        href=href,
        type=DEFINITION_TYPE,
        id=f"urn:vcloud:apidefinition:{found.id}",
        name=found.name,
        links=[Link("remove", href)],
        entry_point=found.entry_point,
        namespace=found.namespace,
        api_vendor=found.api_vendor or None,
        supported_api_versions=ApiVersions(list(found.versions)),
    )


def _spec(body: ET.Element) -> services.ServiceSpec:
    filters = _child(body, "ApiFilters")
    return services.ServiceSpec(
        name=body.get("name") or "",
        namespace=_text(body, "Namespace") or "",
        routing_key=_text(body, "RoutingKey") or "",
        exchange=_text(body, "Exchange") or "",
        enabled=_bool(_text(body, "Enabled"), "Enabled", True),
        authorization_enabled=_bool(_text(body, "AuthorizationEnabled"), "AuthorizationEnabled", False),
        priority=_int(_text(body, "Priority"), "Priority", 50),
        vendor=_text(body, "Vendor") or "",
        filters=tuple(
            (_text(f, "UrlPattern"), _text(f, "ResponseContentType")) for f in _children(filters, "ApiFilter")
        )
        if filters is not None
        else (),
    )


def _owner(body: ET.Element, tenant: str) -> Owner:
    """The object a posted Task or Event is about: its Owner reference (a vApp or VM by its href;
    anything else, or none, is the org)."""
    found = _child(body, "Owner")
    href = found.get("href", "") if found is not None else ""
    name = found.get("name", "") if found is not None else ""
    if "/api/vApp/vapp-" in href:
        return Owner("vApp", object_id(href), name)
    if "/api/vApp/vm-" in href:
        return Owner("vm", object_id(href), name)
    return Owner("org", tenant, name or tenant)


def _user(body: ET.Element, caller: TenantCaller) -> tuple[str | None, str]:
    """Who a posted Task or Event is for: its User reference (id from its href, name as given),
    else the caller."""
    found = _child(body, "User")
    if found is None or not found.get("href"):
        principal = caller.caller.principal
        return principal.id, principal.name
    return object_id(found.get("href", "")), found.get("name") or ""


def _amqp_given(body: ET.Element, base: str) -> notifications.AmqpSettings:
    return notifications.AmqpSettings(
        host=_text(body, "AmqpHost") or "",
        port=_int(_text(body, "AmqpPort"), "AmqpPort", 5672),
        username=_text(body, "AmqpUsername") or "",
        exchange=_text(body, "AmqpExchange") or "",
        vhost=_text(body, "AmqpVHost") or "/",
        use_ssl=_bool(_text(body, "AmqpUseSSL"), "AmqpUseSSL", False),
        ssl_accept_all=_bool(_text(body, "AmqpSslAcceptAll"), "AmqpSslAcceptAll", False),
        prefix=_text(body, "AmqpPrefix") or "vcd",
        base=base,
        password=_text(body, "AmqpPassword"),
    )
