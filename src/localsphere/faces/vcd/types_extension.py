"""The vCloud API's extension types this face writes: extension services and their API filters and
definitions (``extension/services.xsd``), blocking tasks (``admin/blockingExtensions.xsd``,
``extension/taskExtensionRequest.xsd``), the AMQP, notification and blocking-task settings
(``extension/settings.xsd``) and the AMQP ``Notification`` (``extension/notification.xsd``).

A type declared in the extension namespace (``vmext``) that extends one of the vCloud namespace
keeps its inherited children there: such a type's ``NAMESPACE`` is vCloud's, its own children
say ``namespace=VMEXT``, and its answer names its root in ``VMEXT``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from localsphere.faces.vcd.model import VCLOUD, XmlType, attribute, element
from localsphere.faces.vcd.types import Entity, Error, Link, Reference

VMEXT = "http://www.vmware.com/vcloud/extension/v1.5"


@dataclass
class ApiFilter(XmlType):
    """``ApiFilterType``: an IdentifiableResourceType (href, type, id) with a URL pattern or a
    response content type."""

    NAMESPACE: ClassVar[str] = VCLOUD
    href: str = attribute("href")
    type: str = attribute("type")
    id: str = attribute("id")
    links: list[Link] = element("Link", many=True)
    url_pattern: str | None = element("UrlPattern", namespace=VMEXT)
    response_content_type: str | None = element("ResponseContentType", namespace=VMEXT)


@dataclass
class ApiFilters(XmlType):
    filters: list[ApiFilter] = element("ApiFilter", many=True, namespace=VMEXT)


@dataclass
class ApiVersions(XmlType):
    versions: list[str] = element("Version", many=True, namespace=VMEXT)


@dataclass
class ApiDefinition(Entity):
    """``AdminApiDefinitionType``: an API a service publishes."""

    entry_point: str | None = element("EntryPoint", namespace=VMEXT)
    namespace: str | None = element("Namespace", namespace=VMEXT)
    api_vendor: str | None = element("ApiVendor", namespace=VMEXT)
    supported_api_versions: ApiVersions | None = element("SupportedApiVersions", namespace=VMEXT)


@dataclass
class ApiDefinitions(XmlType):
    definitions: list[ApiDefinition] = element("ApiDefinition", many=True, namespace=VMEXT)


@dataclass
class Service(Entity):
    """``AdminServiceType``: a registered extension service."""

    namespace: str | None = element("Namespace", namespace=VMEXT)
    enabled: bool | None = element("Enabled", namespace=VMEXT)
    authorization_enabled: bool | None = element("AuthorizationEnabled", namespace=VMEXT)
    routing_key: str | None = element("RoutingKey", namespace=VMEXT)
    priority: int | None = element("Priority", namespace=VMEXT)
    exchange: str | None = element("Exchange", namespace=VMEXT)
    vendor: str | None = element("Vendor", namespace=VMEXT)
    api_filters: ApiFilters | None = element("ApiFilters", namespace=VMEXT)


@dataclass
class Resource(XmlType):
    """``ResourceType``: an href, a type and links (the extension lists and settings' base)."""

    NAMESPACE: ClassVar[str] = VCLOUD
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True)


@dataclass
class Container(Resource):
    """``ReferencesType`` (a ContainerType): one page of references."""

    name: str | None = attribute("name")
    page: int | None = attribute("page")
    page_size: int | None = attribute("pageSize")
    total: int | None = attribute("total")
    references: list[Reference] = element("Reference", many=True)


@dataclass
class BlockingTask(Entity):
    """``BlockingTaskType``: a held task and the links that release it."""

    created_time: str = attribute("createdTime")
    timeout_date: str = attribute("timeoutDate")
    timeout_action: str = attribute("timeoutAction")
    status: str = attribute("status")
    organization: Reference = element("Organization", default=None)
    user: Reference | None = element("User")
    task_owner: Reference | None = element("TaskOwner")


@dataclass
class AmqpSettings(Resource):
    """``AmqpSettingsType``: the broker; the password is never written."""

    host: str = element("AmqpHost", namespace=VMEXT, default="")
    port: int = element("AmqpPort", namespace=VMEXT, default=5672)
    username: str = element("AmqpUsername", namespace=VMEXT, default="")
    password: str | None = element("AmqpPassword", namespace=VMEXT)
    exchange: str = element("AmqpExchange", namespace=VMEXT, default="")
    vhost: str = element("AmqpVHost", namespace=VMEXT, default="/")
    use_ssl: bool = element("AmqpUseSSL", namespace=VMEXT, default=False)
    ssl_accept_all: bool | None = element("AmqpSslAcceptAll", namespace=VMEXT, since="5.5")
    prefix: str | None = element("AmqpPrefix", namespace=VMEXT, since="5.1")


@dataclass
class AmqpSettingsTest(Resource):
    """``AmqpSettingsTestType``: whether the broker could be reached, and why not."""

    valid: bool = element("Valid", namespace=VMEXT, default=False)
    error: Error | None = element("error", namespace=VMEXT, since="5.5")


@dataclass
class NotificationsSettings(Resource):
    enable_notifications: bool = element("EnableNotifications", namespace=VMEXT, default=False)


@dataclass
class TaskOperationList(XmlType):
    operations: list[str] = element("Operation", many=True)


@dataclass
class BlockingTaskSettings(Resource):
    """``BlockingTaskSettingsType``: which operations wait, and the timeout's action and length."""

    timeout_action: str = element("TimeoutAction", namespace=VMEXT, default="abort")
    operations: TaskOperationList = element("BlockingTaskOperations", namespace=VMEXT, default=None)
    timeout_ms: int = element("TimeoutInMilliseconds", namespace=VMEXT, default=0)


@dataclass
class EntityLink(XmlType):
    """``EntityLinkType``: a reference by urn (no href) and its relation."""

    NAMESPACE: ClassVar[str] = VMEXT
    id: str = attribute("id")
    type: str | None = attribute("type")
    name: str | None = attribute("name")
    rel: str = attribute("rel")


@dataclass
class NotificationLink(XmlType):
    NAMESPACE: ClassVar[str] = VMEXT
    rel: str = attribute("rel")
    href: str = attribute("href")


@dataclass
class Notification(XmlType):
    """``NotificationType``: the XML body of an AMQP notification."""

    NAMESPACE: ClassVar[str] = VMEXT
    TAG: ClassVar[str] = "Notification"
    type: str = attribute("type")
    event_id: str = attribute("eventId")
    links: list[NotificationLink] = element("Link", many=True)
    entity_links: list[EntityLink] = element("EntityLink", many=True)
    timestamp: str = element("Timestamp", default="")
    operation_success: bool = element("OperationSuccess", default=True)
