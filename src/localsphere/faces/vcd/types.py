"""The vCloud API's types this face writes, field for field as the XSDs declare them (in the
schema's order; ``since``: the version that added each, from the XSDs' ``meta:version`` marks).
Sources: ``schemas/versioning/versions.xsd`` and ``1.5/schemas/vcloud/common.xsd``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from localsphere.faces.vcd.model import VCLOUD, VERSIONS, XSI, XmlType, attribute, element, text


@dataclass
class VersionInfo(XmlType):
    """``VersionInfoType``: one API version the server offers and where to sign in with it."""

    NAMESPACE: ClassVar[str] = VERSIONS
    version: str = element("Version")
    login_url: str = element("LoginUrl")
    deprecated: bool | None = attribute("deprecated", since="20.0")


@dataclass
class SupportedVersions(XmlType):
    """``SupportedVersionsType``, the answer of ``GET /api/versions``."""

    NAMESPACE: ClassVar[str] = VERSIONS
    TAG: ClassVar[str] = "SupportedVersions"
    versions: list[VersionInfo] = element("VersionInfo", many=True)


@dataclass
class Error(XmlType):
    """``ErrorType``: every failure. ``majorErrorCode`` is the HTTP status, ``minorErrorCode``
    the product's name for it; ``stackTrace`` is never filled."""

    TAG: ClassVar[str] = "Error"
    message: str = attribute("message")
    major_error_code: int = attribute("majorErrorCode")
    minor_error_code: str = attribute("minorErrorCode")


@dataclass
class Link(XmlType):
    """``LinkType``: where a client goes next (``rel``) and what it finds there (``type``)."""

    rel: str = attribute("rel")
    href: str = attribute("href")
    type: str | None = attribute("type")
    name: str | None = attribute("name")


@dataclass
class AuthorizedLocation(XmlType):
    """``AuthorizedLocationType`` (multiSite.xsd, an ``EntityType``: ``name`` required): a site
    the session may be used at. The XSDs' MULTI_SITE is 29.0, JWT_LOGIN_SUPPORT 30.0."""

    name: str = attribute("name", since="29.0")
    location_id: str = element("LocationId", since="30.0")
    site_name: str | None = element("SiteName", since="30.0")
    org_name: str | None = element("OrgName", since="30.0")
    rest_api_endpoint: str = element("RestApiEndpoint", since="29.0")
    ui_endpoint: str = element("UIEndpoint", since="29.0")
    auth_context: str | None = element("AuthContext", since="30.0")


@dataclass
class AuthorizedLocations(XmlType):
    locations: list[AuthorizedLocation] = element("Location", since="29.0", many=True)


@dataclass
class Session(XmlType):
    """``SessionType`` (session.xsd): who is signed in to which org, and the links a client
    follows from there."""

    TAG: ClassVar[str] = "Session"
    href: str = attribute("href")
    type: str = attribute("type")
    user: str = attribute("user")
    org: str = attribute("org")
    user_id: str = attribute("userId", since="5.5")
    roles: str | None = attribute("roles", since="5.7")  # the user's role names, comma-separated
    location_id: str | None = attribute("locationId", since="30.0")
    links: list[Link] = element("Link", many=True)
    authorized_locations: AuthorizedLocations | None = element("AuthorizedLocations", since="29.0")


@dataclass
class Reference(XmlType):
    """``ReferenceType``: a named link to an object."""

    href: str = attribute("href")
    type: str | None = attribute("type")
    name: str | None = attribute("name")


@dataclass
class OrgList(XmlType):
    """``OrgListType`` (organizationList.xsd): the orgs a user may see."""

    TAG: ClassVar[str] = "OrgList"
    href: str = attribute("href")
    type: str = attribute("type")
    orgs: list[Reference] = element("Org", many=True)


@dataclass
class Entity(XmlType):
    """``EntityType`` (entity.xsd): what every named object of the API has: where it lives, its
    media type, urn and name, the links to what a client may do next, its description and the
    tasks running on it. A type that extends it adds its attributes and, after these, its
    elements."""

    href: str = attribute("href")
    type: str = attribute("type")
    id: str = attribute("id")
    name: str = attribute("name")
    links: list[Link] = element("Link", many=True)
    description: str | None = element("Description")
    tasks: TasksInProgress | None = element("Tasks")


@dataclass
class Org(Entity):
    """``OrgType`` (organization.xsd, an ``EntityType``): an organization, a tenant of the world."""

    TAG: ClassVar[str] = "Org"
    full_name: str = element("FullName")
    is_enabled: bool | None = element("IsEnabled")


@dataclass
class ResourceReference(XmlType):
    """``ReferenceType`` with its ``id`` (a urn)."""

    href: str = attribute("href")
    id: str | None = attribute("id")
    type: str | None = attribute("type")
    name: str | None = attribute("name")


@dataclass
class Owner(XmlType):
    """``OwnerType``: who owns an entity."""

    type: str = attribute("type")
    user: Reference | None = element("User")


@dataclass
class Task(Entity):
    """``TaskType`` (task.xsd): a long operation and how far it is."""

    TAG: ClassVar[str] = "Task"
    status: str = attribute("status")
    operation: str | None = attribute("operation")
    operation_name: str | None = attribute("operationName")
    service_namespace: str | None = attribute("serviceNamespace", since="5.1")
    start_time: str | None = attribute("startTime")
    end_time: str | None = attribute("endTime")
    expiry_time: str | None = attribute("expiryTime")
    cancel_requested: bool | None = attribute("cancelRequested", since="5.1")
    owner: Reference | None = element("Owner")
    error: Error | None = element("Error")
    user: Reference | None = element("User")
    organization: Reference | None = element("Organization")
    progress: int | None = element("Progress")
    details: str | None = element("Details", since="5.1")


@dataclass
class TasksInProgress(XmlType):
    tasks: list[Task] = element("Task", many=True)


@dataclass
class TasksList(XmlType):
    """``TasksListType``: an org's tasks."""

    TAG: ClassVar[str] = "TasksList"
    href: str = attribute("href")
    type: str = attribute("type")
    name: str = attribute("name")
    links: list[Link] = element("Link", many=True)
    tasks: list[Task] = element("Task", many=True)


@dataclass
class Capacity(XmlType):
    """``CapacityWithUsageType``: a limit in ``Units`` and what is used of it."""

    units: str = element("Units")
    allocated: int | None = element("Allocated")
    limit: int = element("Limit")
    reserved: int | None = element("Reserved")
    used: int | None = element("Used")


@dataclass
class ComputeCapacity(XmlType):
    cpu: Capacity = element("Cpu")
    memory: Capacity = element("Memory")


@dataclass
class ResourceEntities(XmlType):
    entities: list[Reference] = element("ResourceEntity", many=True)


@dataclass
class AvailableNetworks(XmlType):
    networks: list[Reference] = element("Network", many=True)


@dataclass
class Vdc(Entity):
    """``VdcType`` (vdc.xsd): a VDC, its capacity and what it holds."""

    TAG: ClassVar[str] = "Vdc"
    status: int = attribute("status")
    allocation_model: str = element("AllocationModel")
    compute_capacity: ComputeCapacity | None = element("ComputeCapacity")
    resource_entities: ResourceEntities | None = element("ResourceEntities")
    available_networks: AvailableNetworks | None = element("AvailableNetworks")
    nic_quota: int = element("NicQuota", default=0)
    network_quota: int = element("NetworkQuota", default=0)
    used_network_count: int = element("UsedNetworkCount", since="5.1", default=0)
    vm_quota: int = element("VmQuota", default=0)
    is_enabled: bool = element("IsEnabled", default=True)
    storage_profiles: VdcStorageProfiles | None = element("VdcStorageProfiles", since="5.1")
    vcpu_in_mhz2: int | None = element("VCpuInMhz2", since="5.7")


@dataclass
class VdcStorageProfiles(XmlType):
    profiles: list[Reference] = element("VdcStorageProfile", since="5.1", many=True)


@dataclass
class VdcStorageProfile(Entity):
    """``VdcStorageProfileType`` (vdcStorageProfile.xsd): a VDC's storage policy, its limit
    and what is used of it, in ``Units`` (MB)."""

    TAG: ClassVar[str] = "VdcStorageProfile"
    enabled: bool | None = element("Enabled", since="5.1")
    units: str = element("Units", since="5.1", default="MB")
    limit: int = element("Limit", since="5.1", default=0)
    default: bool = element("Default", since="5.1", default=True)
    storage_used_mb: int | None = element("StorageUsedMB", since="9.0")


@dataclass
class CatalogItems(XmlType):
    items: list[ResourceReference] = element("CatalogItem", many=True)


@dataclass
class Catalog(Entity):
    """``CatalogType`` (catalog.xsd)."""

    TAG: ClassVar[str] = "Catalog"
    owner: Owner | None = element("Owner")
    catalog_items: CatalogItems | None = element("CatalogItems")
    is_published: bool = element("IsPublished", default=False)
    date_created: str | None = element("DateCreated", since="5.1")
    version_number: int | None = element("VersionNumber", since="5.5")


@dataclass
class CatalogItem(Entity):
    """``CatalogItemType`` (catalogItem.xsd): a catalog's entry for a template or medium."""

    TAG: ClassVar[str] = "CatalogItem"
    size: int | None = attribute("size")
    entity: Reference = element("Entity", default=None)
    date_created: str | None = element("DateCreated", since="5.1")
    version_number: int | None = element("VersionNumber", since="5.5")


@dataclass
class IpRange(XmlType):
    """``IpRangeType`` (network.xsd): the first and last address of a static pool."""

    start_address: str = element("StartAddress")
    end_address: str = element("EndAddress")


@dataclass
class IpRanges(XmlType):
    ranges: list[IpRange] = element("IpRange", many=True)


@dataclass
class IpScope(XmlType):
    """``IpScopeType`` (network.xsd): a network's subnet, DNS and static pools."""

    is_inherited: bool = element("IsInherited", default=False)
    gateway: str | None = element("Gateway")
    netmask: str | None = element("Netmask")
    dns1: str | None = element("Dns1")
    dns2: str | None = element("Dns2")
    dns_suffix: str | None = element("DnsSuffix")
    is_enabled: bool | None = element("IsEnabled", since="5.1")
    ip_ranges: IpRanges | None = element("IpRanges")


@dataclass
class IpScopes(XmlType):
    scopes: list[IpScope] = element("IpScope", since="5.1", many=True)


@dataclass
class NetworkConfiguration(XmlType):
    ip_scopes: IpScopes | None = element("IpScopes", since="5.1")
    fence_mode: str = element("FenceMode", default="bridged")


@dataclass
class OrgVdcNetwork(Entity):
    """``OrgVdcNetworkType`` (network.xsd): an org VDC network."""

    TAG: ClassVar[str] = "OrgVdcNetwork"
    status: int | None = attribute("status", since="5.1")
    configuration: NetworkConfiguration | None = element("Configuration")
    is_shared: bool | None = element("IsShared", since="5.1")


@dataclass
class QueryList(XmlType):
    """``QueryListType``: the queries a user may run, one link per type and format."""

    TAG: ClassVar[str] = "QueryList"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True)


@dataclass
class QueryResults(XmlType):
    """``QueryResultRecordsType`` / ``QueryResultReferencesType``'s container (``ContainerType``):
    the page's position and its links; the face appends the records."""

    href: str = attribute("href")
    type: str = attribute("type")
    name: str = attribute("name")
    page: int = attribute("page")
    page_size: int = attribute("pageSize")
    total: int = attribute("total")
    links: list[Link] = element("Link", many=True)


@dataclass
class MetadataDomainTag(XmlType):
    """``MetadataDomainTagType`` (5.1): an entry's domain, GENERAL or SYSTEM, and who sees it."""

    visibility: str = attribute("visibility", since="5.1")
    value: str = text()


@dataclass
class MetadataTypedValue(XmlType):
    """``MetadataTypedValue`` (5.1): a value and its type, named by ``xsi:type``
    (``MetadataStringValue``, ``MetadataNumberValue``, ``MetadataBooleanValue``,
    ``MetadataDateTimeValue``)."""

    xsi_type: str = attribute("type", namespace=XSI)
    value: str = element("Value")


@dataclass
class MetadataEntry(XmlType):
    """``MetadataEntryType``: one key and its typed value (the plain ``Value`` of 1.5 is gone
    in 5.1, the oldest version offered)."""

    href: str | None = attribute("href")
    type: str | None = attribute("type")
    links: list[Link] = element("Link", many=True)
    domain: MetadataDomainTag | None = element("Domain", since="5.1")
    key: str = element("Key")
    typed_value: MetadataTypedValue | None = element("TypedValue", since="5.1")


@dataclass
class Metadata(XmlType):
    """``MetadataType``: an entity's metadata entries."""

    TAG: ClassVar[str] = "Metadata"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True)
    entries: list[MetadataEntry] = element("MetadataEntry", many=True)


@dataclass
class MetadataValue(XmlType):
    """``MetadataValueType``: one entry's value, at ``.../metadata/{domain}/{key}``."""

    TAG: ClassVar[str] = "MetadataValue"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True)
    domain: MetadataDomainTag | None = element("Domain", since="5.1")
    typed_value: MetadataTypedValue | None = element("TypedValue", since="5.1")


@dataclass
@dataclass
class ResolvedEntity(Entity):
    """``EntityType`` as the entity resolver answers (``GET /api/entity/{urn}``): the object's
    urn, and a link to it."""

    TAG: ClassVar[str] = "Entity"


@dataclass
class OrganizationReferences(XmlType):
    """``OrganizationReferencesType``: every org, in the administrator's view of the cloud."""

    orgs: list[Reference] = element("OrganizationReference", many=True)


@dataclass
class RoleReferences(XmlType):
    roles: list[Reference] = element("RoleReference", many=True)


@dataclass
class VCloud(Entity):
    """``VCloudType`` (admin/vCloudEntities.xsd): the administrator's view of the cloud. Its
    organizations, provider VDCs and rights come with the administration API (issue 15)."""

    TAG: ClassVar[str] = "VCloud"
    organization_references: OrganizationReferences | None = element("OrganizationReferences")
    provider_vdc_references: XmlType | None = element("ProviderVdcReferences")
    role_references: RoleReferences | None = element("RoleReferences")


@dataclass
class VMWExtension(XmlType):
    """``VMWExtensionType`` (extension/vmwextensions.xsd): the system administrator's extension
    view; what it links to comes with the administration API (issue 15)."""

    NAMESPACE: ClassVar[str] = "http://www.vmware.com/vcloud/extension/v1.5"
    TAG: ClassVar[str] = "VMWExtension"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)


@dataclass
class File(XmlType):
    """``FileType`` (file.xsd, an ``EntityType``): a file of an upload or download, its size
    (-1 for a descriptor not yet uploaded), the bytes that have arrived, and its transfer link."""

    href: str | None = attribute("href")
    type: str | None = attribute("type")
    id: str | None = attribute("id")
    name: str = attribute("name")
    size: int | None = attribute("size")
    bytes_transferred: int | None = attribute("bytesTransferred")
    links: list[Link] = element("Link", many=True)


@dataclass
class FilesList(XmlType):
    """``FilesListType`` (resourceEntity.xsd): the files of a resource entity's transfer."""

    files: list[File] = element("File", many=True)


@dataclass
class Media(Entity):
    """``MediaType`` (media.xsd, a ``ResourceEntityType``): an ISO or floppy image."""

    TAG: ClassVar[str] = "Media"
    status: int = attribute("status")
    image_type: str = attribute("imageType")
    size: int = attribute("size")
    files: FilesList | None = element("Files")
    owner: Owner | None = element("Owner")
