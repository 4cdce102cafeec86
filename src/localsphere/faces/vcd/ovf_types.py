"""The vCloud API's vApp, VM and vApp template types and the OVF sections they carry, field for
field as ``1.5/schemas/vcloud/vApp.xsd``, ``vAppTemplate.xsd`` and the OVF 1.1 / CIM schemas
(``schemas/external/ovf1.1``) declare them. OVF elements are in the ``ovf`` namespace, a hardware
item's values in ``rasd`` (in the CIM schema's order); ``since`` as in types.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from localsphere.faces.vcd.model import OVF, RASD, VCLOUD, VMW, XmlType, attribute, element, text
from localsphere.faces.vcd.types import Entity, FilesList, Link, Owner, Reference

INFO = "Info"


@dataclass
class Connection(XmlType):
    """A NIC's ``rasd:Connection``: the network's name, with vCD's addressing attributes."""

    NAMESPACE: ClassVar[str] = RASD
    ip_addressing_mode: str | None = attribute("ipAddressingMode", namespace=VCLOUD)
    ip_address: str | None = attribute("ipAddress", namespace=VCLOUD)
    primary: bool | None = attribute("primaryNetworkConnection", namespace=VCLOUD)
    network: str = text()


@dataclass
class HostResource(XmlType):
    """A disk's ``rasd:HostResource``: its capacity in MB, as vCD writes it."""

    NAMESPACE: ClassVar[str] = RASD
    capacity: int | None = attribute("capacity", namespace=VCLOUD)
    bus_type: int | None = attribute("busType", namespace=VCLOUD)
    value: str = text(default="")


@dataclass
class Item(XmlType):
    """``ovf:Item`` (``RASD_Type``): one piece of virtual hardware. ResourceType 3 is CPU, 4
    memory, 10 a NIC, 17 a disk."""

    NAMESPACE: ClassVar[str] = RASD
    address: str | None = element("Address")
    address_on_parent: int | None = element("AddressOnParent")
    allocation_units: str | None = element("AllocationUnits")
    automatic_allocation: bool | None = element("AutomaticAllocation")
    connection: Connection | None = element("Connection")
    description: str | None = element("Description")
    element_name: str = element("ElementName", default="")
    host_resource: HostResource | None = element("HostResource")
    instance_id: int = element("InstanceID", default=0)
    reservation: int | None = element("Reservation")
    resource_sub_type: str | None = element("ResourceSubType")
    resource_type: int = element("ResourceType", default=0)
    virtual_quantity: int | None = element("VirtualQuantity")
    virtual_quantity_units: str | None = element("VirtualQuantityUnits")
    cores_per_socket: int | None = element("CoresPerSocket", namespace=VMW)  # a CPU item's


@dataclass
class VirtualHardwareSection(XmlType):
    NAMESPACE: ClassVar[str] = OVF
    info: str = element(INFO, default="Virtual hardware requirements")
    items: list[Item] = element("Item", many=True)


@dataclass
class OperatingSystemSection(XmlType):
    """``ovf:OperatingSystemSection``: ``id`` the CIM number of the guest OS, ``os_type`` vSphere's
    guest id (``ubuntu64Guest``)."""

    NAMESPACE: ClassVar[str] = OVF
    id: int = attribute("id", namespace=OVF, default=0)
    os_type: str | None = attribute("osType", namespace=VMW)
    info: str = element(INFO, default="Specifies the operating system installed")
    description: str | None = element("Description")


@dataclass
class NetworkConnection(XmlType):
    network: str = attribute("network")
    index: int = element("NetworkConnectionIndex", default=0)
    ip_address: str | None = element("IpAddress")
    is_connected: bool = element("IsConnected", default=True)
    mac_address: str | None = element("MACAddress")
    allocation_mode: str = element("IpAddressAllocationMode", default="DHCP")
    adapter_type: str | None = element("NetworkAdapterType", since="5.11")


@dataclass
class NetworkConnectionSection(XmlType):
    href: str | None = attribute("href")
    type: str | None = attribute("type")
    required: bool | None = attribute("required", namespace=OVF)
    info: str = element(INFO, namespace=OVF, default="Specifies the available VM network connections")
    primary_index: int | None = element("PrimaryNetworkConnectionIndex")
    connections: list[NetworkConnection] = element("NetworkConnection", many=True)
    links: list[Link] = element("Link", many=True)


@dataclass
class GuestCustomizationSection(XmlType):
    href: str | None = attribute("href")
    type: str | None = attribute("type")
    required: bool | None = attribute("required", namespace=OVF)
    info: str = element(INFO, namespace=OVF, default="Specifies Guest OS Customization Settings")
    enabled: bool = element("Enabled", default=False)
    change_sid: bool = element("ChangeSid", default=False)
    virtual_machine_id: str | None = element("VirtualMachineId")
    join_domain_enabled: bool = element("JoinDomainEnabled", default=False)
    use_org_settings: bool = element("UseOrgSettings", default=False)
    admin_password_enabled: bool = element("AdminPasswordEnabled", default=False)
    admin_password_auto: bool = element("AdminPasswordAuto", default=True)
    reset_password_required: bool = element("ResetPasswordRequired", default=False)
    computer_name: str | None = element("ComputerName")
    links: list[Link] = element("Link", many=True)


@dataclass
class ComputeResource(XmlType):
    configured: int = element("Configured", default=0)


@dataclass
class HardwareVersion(XmlType):
    """``HardwareVersionType``: the VM's virtual hardware version, by its href
    (``.../hwv/vmx-19``); the XSD gives it no text."""

    href: str | None = attribute("href")
    type: str | None = attribute("type")


@dataclass
class DiskSettings(XmlType):
    """One disk of a VM's ``VmSpecSection``: its id (the hardware item's InstanceID), size in MB
    and place on its controller (``AdapterType`` 5: paravirtual SCSI)."""

    disk_id: str = element("DiskId", default="")
    size_mb: int = element("SizeMb", default=0)
    unit_number: int = element("UnitNumber", default=0)
    bus_number: int = element("BusNumber", default=0)
    adapter_type: str = element("AdapterType", default="5")
    thin_provisioned: bool = element("ThinProvisioned", default=True)
    storage_profile: Reference | None = element("StorageProfile")


@dataclass
class DiskSection(XmlType):
    settings: list[DiskSettings] = element("DiskSettings", many=True)


@dataclass
class VmSpecSection(XmlType):
    """``VmSpecSection`` (API 32.0, CREATE_BLANK_VM): a VM's size in plain numbers."""

    modified: bool = attribute("Modified", default=False)
    info: str = element(INFO, namespace=OVF, default="The section describing the VM")
    os_type: str | None = element("OsType")
    num_cpus: int | None = element("NumCpus")
    num_cores_per_socket: int | None = element("NumCoresPerSocket")
    cpu_resource_mhz: ComputeResource | None = element("CpuResourceMhz")
    memory_resource_mb: ComputeResource | None = element("MemoryResourceMb")
    disk_section: DiskSection | None = element("DiskSection")
    hardware_version: HardwareVersion = element("HardwareVersion", default=None)
    vm_tools_version: str | None = element("VmToolsVersion")


@dataclass
class LeaseSettingsSection(XmlType):
    href: str | None = attribute("href")
    type: str | None = attribute("type")
    required: bool | None = attribute("required", namespace=OVF)
    info: str = element(INFO, namespace=OVF, default="Lease settings section")
    links: list[Link] = element("Link", many=True)
    deployment_lease_seconds: int | None = element("DeploymentLeaseInSeconds")
    storage_lease_seconds: int | None = element("StorageLeaseInSeconds")
    deployment_lease_expiration: str | None = element("DeploymentLeaseExpiration")  # xs:dateTime
    storage_lease_expiration: str | None = element("StorageLeaseExpiration")


@dataclass
class OvfNetwork(XmlType):
    NAMESPACE: ClassVar[str] = OVF
    name: str = attribute("name", namespace=OVF, default="")
    description: str | None = element("Description")


@dataclass
class NetworkSection(XmlType):
    NAMESPACE: ClassVar[str] = OVF
    info: str = element(INFO, default="The list of logical networks")
    networks: list[OvfNetwork] = element("Network", many=True)


@dataclass
class NetworkConfiguration(XmlType):
    parent_network: Reference | None = element("ParentNetwork")
    fence_mode: str = element("FenceMode", default="bridged")


@dataclass
class NetworkConfig(XmlType):
    network_name: str = attribute("networkName", default="")
    description: str | None = element("Description")
    configuration: NetworkConfiguration | None = element("Configuration")
    is_deployed: bool | None = element("IsDeployed")


@dataclass
class NetworkConfigSection(XmlType):
    href: str | None = attribute("href")
    type: str | None = attribute("type")
    required: bool | None = attribute("required", namespace=OVF)
    info: str = element(INFO, namespace=OVF, default="The configuration parameters for logical networks")
    links: list[Link] = element("Link", many=True)
    configs: list[NetworkConfig] = element("NetworkConfig", many=True)


@dataclass
class Vm(Entity):
    """``VmType`` (vApp.xsd): a VM of a vApp, or of a template. Its sections are in the order
    vCD writes them; each is an ``ovf:Section`` substitute, so the schema takes any order."""

    TAG: ClassVar[str] = "Vm"
    status: int = attribute("status")
    deployed: bool | None = attribute("deployed")
    needs_customization: bool | None = attribute("needsCustomization")
    hardware: VirtualHardwareSection | None = element("VirtualHardwareSection", namespace=OVF)
    operating_system: OperatingSystemSection | None = element("OperatingSystemSection", namespace=OVF)
    network_connections: NetworkConnectionSection | None = element("NetworkConnectionSection")
    guest_customization: GuestCustomizationSection | None = element("GuestCustomizationSection")
    spec: VmSpecSection | None = element("VmSpecSection", since="32.0")
    date_created: str | None = element("DateCreated", since="5.1")
    local_id: str | None = element("VAppScopedLocalId")
    storage_profile: Reference | None = element("StorageProfile", since="5.1")


@dataclass
class Children(XmlType):
    vms: list[Vm] = element("Vm", many=True)


@dataclass
class VApp(Entity):
    """``VAppType`` (vApp.xsd)."""

    TAG: ClassVar[str] = "VApp"
    status: int = attribute("status")
    deployed: bool = attribute("deployed", default=False)
    ovf_descriptor_uploaded: bool | None = attribute("ovfDescriptorUploaded")
    lease: LeaseSettingsSection | None = element("LeaseSettingsSection")
    network_section: NetworkSection | None = element("NetworkSection", namespace=OVF)
    network_config: NetworkConfigSection | None = element("NetworkConfigSection")
    date_created: str | None = element("DateCreated", since="5.1")
    owner: Owner | None = element("Owner")
    in_maintenance_mode: bool | None = element("InMaintenanceMode")
    children: Children | None = element("Children")


@dataclass
class TemplateChildren(XmlType):
    vms: list[VAppTemplateVm] = element("Vm", many=True)


@dataclass
class VAppTemplate(Entity):
    """``VAppTemplateType`` (vAppTemplate.xsd): a template, whose VMs are templates too."""

    TAG: ClassVar[str] = "VAppTemplate"
    status: int = attribute("status")
    ovf_descriptor_uploaded: bool | None = attribute("ovfDescriptorUploaded")
    gold_master: bool | None = attribute("goldMaster")
    files: FilesList | None = element("Files")
    owner: Owner | None = element("Owner")
    children: TemplateChildren | None = element("Children")
    network_section: NetworkSection | None = element("NetworkSection", namespace=OVF)
    network_config: NetworkConfigSection | None = element("NetworkConfigSection")
    lease: LeaseSettingsSection | None = element("LeaseSettingsSection")
    date_created: str | None = element("DateCreated", since="5.1")


@dataclass
class VAppTemplateVm(Entity):
    """A template's VM: a ``VAppTemplateType`` with its hardware and network sections."""

    status: int = attribute("status")
    hardware: VirtualHardwareSection | None = element("VirtualHardwareSection", namespace=OVF)
    network_connections: NetworkConnectionSection | None = element("NetworkConnectionSection")
    local_id: str | None = element("VAppScopedLocalId")
    date_created: str | None = element("DateCreated", since="5.1")


@dataclass
class OvfProperty(XmlType):
    """``ovf:Property``: a named value the guest reads (its OVF environment)."""

    NAMESPACE: ClassVar[str] = OVF
    key: str = attribute("key", namespace=OVF, default="")
    type: str = attribute("type", namespace=OVF, default="string")
    user_configurable: bool = attribute("userConfigurable", namespace=OVF, default=True)
    value: str = attribute("value", namespace=OVF, default="")


@dataclass
class ProductSection(XmlType):
    NAMESPACE: ClassVar[str] = OVF
    info: str = element(INFO, default="Information about the installed software")
    properties: list[OvfProperty] = element("Property", many=True)


@dataclass
class ProductSectionList(XmlType):
    """``ProductSectionListType`` (productSectionList.xsd): a VM's product sections."""

    TAG: ClassVar[str] = "ProductSectionList"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True)
    sections: list[ProductSection] = element("ProductSection", namespace=OVF, many=True)
