"""The XML types of the provider's administration of VDCs and of its vSphere view: ``AdminVdc``
and ``ProviderVdc`` (admin/providerVdc.xsd, the vCloud namespace), and the extension namespace's
(extension/vmwextensions.xsd): the attached vCenter, its hosts, datastores, resource pools and
networks, provider VDCs, external networks and network pools. Field order is the XSDs'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from localsphere.faces.vcd.model import VCLOUD, XSI, XmlType, attribute, element
from localsphere.faces.vcd.types import (
    AvailableNetworks,
    Entity,
    Link,
    NetworkConfiguration,
    Reference,
    ResourceReference,
    Vdc,
    VdcStorageProfile,
)

EXTENSION = "http://www.vmware.com/vcloud/extension/v1.5"


@dataclass
class VimObjectRef(XmlType):
    """``VimObjectRefType``: a vCenter object by its server, moid and kind."""

    NAMESPACE: ClassVar[str] = EXTENSION
    vim_server: Reference | ResourceReference = element("VimServerRef")
    moref: str = element("MoRef")
    vim_type: str = element("VimObjectType")


@dataclass
class VimObjectRefs(XmlType):
    NAMESPACE: ClassVar[str] = EXTENSION
    refs: list[VimObjectRef] = element("VimObjectRef", many=True)


@dataclass
class AdminVdc(Vdc):
    """``AdminVdcType``: a VDC as the provider sees it: its allocation terms and what backs it."""

    TAG: ClassVar[str] = "AdminVdc"
    guaranteed_memory: float | None = element("ResourceGuaranteedMemory")
    guaranteed_cpu: float | None = element("ResourceGuaranteedCpu")
    vcpu_mhz: int | None = element("VCpuInMhz")
    thin_provision: bool | None = element("IsThinProvision")
    network_pool: Reference | None = element("NetworkPoolReference")
    provider_vdc: Reference | None = element("ProviderVdcReference")
    resource_pools: VimObjectRefs | None = element("ResourcePoolRefs", since="22.0")
    fast_provisioning: bool | None = element("UsesFastProvisioning")
    over_commit: bool | None = element("OverCommitAllowed", since="5.5")
    vm_discovery: bool | None = element("VmDiscoveryEnabled", since="27.0")


@dataclass
class AdminVdcStorageProfile(VdcStorageProfile):
    """``AdminVdcStorageProfileType``: a VDC's storage policy and the provider VDC's it is of."""

    TAG: ClassVar[str] = "AdminVdcStorageProfile"
    provider_profile: Reference | None = element("ProviderVdcStorageProfile", since="5.1")


@dataclass
class ProviderVdcStorageProfile(Entity):
    """``ProviderVdcStorageProfileType``: a provider VDC's storage policy, its capacity in MB."""

    TAG: ClassVar[str] = "ProviderVdcStorageProfile"
    enabled: bool | None = element("Enabled", since="5.1")
    units: str = element("Units", since="5.1", default="MB")
    capacity_total: float | None = element("CapacityTotal", since="5.1")
    capacity_used: float | None = element("CapacityUsed", since="5.1")


@dataclass
class ProviderVdcCapacity(XmlType):
    """``ProviderVdcCapacityType``: in ``Units``, what is allocated, reserved, there and used."""

    units: str = element("Units")
    allocation: int | None = element("Allocation")
    reserved: int | None = element("Reserved", since="5.1")
    total: int = element("Total", default=0)
    used: int | None = element("Used")
    overhead: int | None = element("Overhead")


@dataclass
class RootComputeCapacity(XmlType):
    cpu: ProviderVdcCapacity = element("Cpu")
    memory: ProviderVdcCapacity = element("Memory")
    is_elastic: bool | None = element("IsElastic")
    is_ha: bool | None = element("IsHA")


@dataclass
class ProviderVdcStorageProfiles(XmlType):
    profiles: list[Reference] = element("ProviderVdcStorageProfile", since="5.1", many=True)


@dataclass
class Vdcs(XmlType):
    vdcs: list[Reference] = element("Vdc", many=True)


@dataclass
class NetworkPoolReferences(XmlType):
    pools: list[Reference] = element("NetworkPoolReference", many=True)


@dataclass
class ProviderVdcReferences(XmlType):
    references: list[Reference] = element("ProviderVdcReference", many=True)


@dataclass
class ProviderVdc(Entity):
    """``ProviderVdcType`` (the vCloud namespace): a provider VDC, its capacity and what is on it."""

    TAG: ClassVar[str] = "ProviderVdc"
    status: int | None = attribute("status")
    compute_capacity: RootComputeCapacity | None = element("ComputeCapacity")
    available_networks: AvailableNetworks | None = element("AvailableNetworks")
    storage_profiles: ProviderVdcStorageProfiles | None = element("StorageProfiles", since="5.1")
    vdcs: Vdcs | None = element("Vdcs")
    is_enabled: bool | None = element("IsEnabled")
    network_pools: NetworkPoolReferences | None = element("NetworkPoolReferences")


@dataclass
class HostReferences(XmlType):
    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "VMWHostReferences"
    href: str | None = attribute("href")
    type: str | None = attribute("type")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    hosts: list[Reference] = element("HostReference", many=True)


@dataclass
class VMWProviderVdc(XmlType):
    """``VMWProviderVdcType``: the extension's provider VDC, with its vCenter objects; what it
    has of ``ProviderVdcType`` is in the vCloud namespace."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "VMWProviderVdc"
    href: str = attribute("href")
    type: str = attribute("type")
    id: str = attribute("id")
    name: str = attribute("name")
    status: int | None = attribute("status")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    description: str | None = element("Description", namespace=VCLOUD)
    compute_capacity: RootComputeCapacity | None = element("ComputeCapacity", namespace=VCLOUD)
    available_networks: AvailableNetworks | None = element("AvailableNetworks", namespace=VCLOUD)
    storage_profiles: ProviderVdcStorageProfiles | None = element("StorageProfiles", "5.1", namespace=VCLOUD)
    vdcs: Vdcs | None = element("Vdcs", namespace=VCLOUD)
    is_enabled: bool | None = element("IsEnabled", namespace=VCLOUD)
    network_pools: NetworkPoolReferences | None = element("NetworkPoolReferences", namespace=VCLOUD)
    datastores: VimObjectRefs = element("DataStoreRefs", default=None)
    resource_pools: VimObjectRefs = element("ResourcePoolRefs", default=None)
    vim_servers: list[ResourceReference] = element("VimServer", many=True)
    hosts: HostReferences | None = element("HostReferences")
    hardware_version: str | None = element("HighestSupportedHardwareVersion")


@dataclass
class ExtensionReferences(XmlType):
    """A list of the extension's references (``VMWVimServerReferences``...): each subclass names
    its root and its references' element."""

    NAMESPACE: ClassVar[str] = EXTENSION
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    references: list[Reference] = element("Reference", many=True)


@dataclass
class VimServerReferences(ExtensionReferences):
    TAG: ClassVar[str] = "VMWVimServerReferences"
    references: list[Reference] = element("VimServerReference", many=True)


@dataclass
class ExternalNetworkReferences(ExtensionReferences):
    TAG: ClassVar[str] = "VMWExternalNetworkReferences"
    references: list[Reference] = element("ExternalNetworkReference", many=True)


@dataclass
class VMWNetworkPoolReferences(ExtensionReferences):
    TAG: ClassVar[str] = "VMWNetworkPoolReferences"
    references: list[Reference] = element("NetworkPoolReference", many=True)


@dataclass
class References(XmlType):
    """``ReferencesType`` (the vCloud namespace): ``DatastoreReferences``, references with ids."""

    href: str = attribute("href")
    type: str = attribute("type")
    name: str | None = attribute("name")
    total: int | None = attribute("total")
    references: list[ResourceReference] = element("Reference", many=True)


@dataclass
class VimServer(XmlType):
    """``VimServerType``: the vCenter attached; its password never shown."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "VimServer"
    href: str = attribute("href")
    type: str = attribute("type")
    id: str = attribute("id")
    name: str = attribute("name")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    description: str | None = element("Description", namespace=VCLOUD)
    username: str = element("Username", default="")
    url: str = element("Url", default="")
    is_enabled: bool = element("IsEnabled", default=True)
    is_connected: bool = element("IsConnected", default=True)
    uuid: str | None = element("Uuid")
    vc_version: str | None = element("VcVersion", since="5.1")
    use_vsphere_service: bool | None = element("UseVsphereService", since="5.1")
    web_client_url: str | None = element("VsphereWebClientServerUrl", since="5.1")


@dataclass
class ResourcePool(XmlType):
    """``ResourcePoolType``: a resource pool a provider VDC may take."""

    NAMESPACE: ClassVar[str] = EXTENSION
    name: str = attribute("name")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    moref: str = element("MoRef", default="")
    vim_type: str = element("VimObjectType", default="RESOURCE_POOL")


@dataclass
class ResourcePoolList(XmlType):
    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "ResourcePoolList"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    pools: list[ResourcePool] = element("ResourcePool", many=True)


@dataclass
class VimObjectRefList(XmlType):
    """``VimObjectRefListType``: a vCenter's port groups and switches."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "VimObjectRefList"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    refs: VimObjectRefs = element("VimObjectRefs", default=None)


@dataclass
class Host(XmlType):
    """``HostType``: an ESXi host of the vCenter (memory in GB, CPU in MHz)."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "Host"
    href: str = attribute("href")
    type: str = attribute("type")
    id: str = attribute("id")
    name: str = attribute("name")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    description: str | None = element("Description", namespace=VCLOUD)
    ready: bool = element("Ready", default=True)
    available: bool = element("Available", default=True)
    enabled: bool = element("Enabled", default=True)
    busy: bool = element("Busy", default=False)
    spanning: bool = element("EnableHostForHostSpanning", default=False)
    cpu_type: str | None = element("CpuType")
    packages: int = element("NumOfCpusPackages", default=1)
    logical: int = element("NumOfCpusLogical", default=1)
    cpu_total: int = element("CpuTotal", default=0)
    mem_used: float = element("MemUsed", default=0.0)
    mem_total: float = element("MemTotal", default=0.0)
    os_name: str | None = element("HostOsName")
    os_version: str | None = element("HostOsVersion")
    messages: str | None = element("SystemMessages")
    property_page: str | None = element("VimPropertyPageUrl")
    moref: str = element("VmMoRef", default="")


@dataclass
class Datastore(XmlType):
    """``DatastoreType``: a datastore of the vCenter (capacities in MB and GB)."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "Datastore"
    href: str = attribute("href")
    type: str = attribute("type")
    id: str = attribute("id")
    name: str = attribute("name")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    description: str | None = element("Description", namespace=VCLOUD)
    vim_object: VimObjectRef | None = element("VimObjectRef")
    enabled: bool = element("Enabled", default=True)
    busy: bool = element("Busy", default=False)
    yellow_gb: int = element("ThresholdYellowGb", default=0)
    red_gb: int = element("ThresholdRedGb", default=0)
    fs_type: str | None = element("DatastoreFsType")
    display_name: str | None = element("VcDisplayName")
    total_mb: float | None = element("TotalCapacityMb")
    total_gb: float | None = element("TotalCapacityGb")
    used_mb: float | None = element("UsedCapacityMb")
    used_gb: float | None = element("UsedCapacityGb")
    used_percent: float | None = element("UsedCapacityPercent")


@dataclass
class VMWExternalNetwork(XmlType):
    """``VMWExternalNetworkType``: a port group the provider offers its orgs' networks."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "VMWExternalNetwork"
    href: str = attribute("href")
    type: str = attribute("type")
    id: str = attribute("id")
    name: str = attribute("name")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    description: str | None = element("Description", namespace=VCLOUD)
    configuration: NetworkConfiguration | None = element("Configuration", namespace=VCLOUD)
    port_group: VimObjectRef | None = element("VimPortGroupRef")


@dataclass
class ExternalNetwork(Entity):
    """``ExternalNetworkType`` (admin/vCloudEntities.xsd): an external network as the admin API
    shows it."""

    TAG: ClassVar[str] = "ExternalNetwork"
    configuration: NetworkConfiguration | None = element("Configuration")
    provider_info: str | None = element("ProviderInfo")


@dataclass
class PortGroupPool(XmlType):
    """``PortGroupPoolType`` as a ``VMWNetworkPool`` (``xsi:type``): a network pool of port groups."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "VMWNetworkPool"
    xsi_type: str = attribute("type", namespace=XSI, default="PortGroupPoolType")
    href: str = attribute("href")
    type: str = attribute("type")
    id: str = attribute("id")
    name: str = attribute("name")
    status: int | None = attribute("status")
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    description: str | None = element("Description", namespace=VCLOUD)
    port_groups: VimObjectRefs = element("PortGroupRefs", default=None)
    vim_server: ResourceReference = element("VimServer", default=None)
    used: int | None = element("UsedNetworksCount")


@dataclass
class VSphereWebClientUrl(XmlType):
    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "VSphereWebClientUrl"
    url: str = element("URL", since="5.1", default="")


@dataclass
class VdcReferences(XmlType):
    """``VdcReferencesType`` (admin/providerVdc.xsd): the org VDCs a provider VDC backs."""

    TAG: ClassVar[str] = "VdcReferences"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True)
    vdcs: list[Reference] = element("VdcReference", many=True)
