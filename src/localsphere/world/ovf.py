"""OVF packages (DMTF DSP0243, OVF 1.x): what a descriptor declares (the files it references and
the virtual systems it holds, with their CPUs, memory, disks and guest OS), and a descriptor of a
template's VMs for a download. An OVF package is a file format, not a face's wire: the vCD face
uploads and downloads them, the world reads and writes them.

A descriptor is read by lxml without a DTD, entities or network (one that declares a DTD is
refused, so no entity is ever expanded), at most ``DESCRIPTOR_MOST`` bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from localsphere.world.catalogs import TemplateVm
from localsphere.world.errors import Invalid

OVF = "http://schemas.dmtf.org/ovf/envelope/1"
RASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
VSSD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
VMW = "http://www.vmware.com/schema/ovf"
E, R = f"{{{OVF}}}", f"{{{RASD}}}"
DESCRIPTOR = "descriptor.ovf"  # the name vCD gives a package's descriptor among its files
DESCRIPTOR_MOST = 4 << 20  # bytes of a descriptor: a bound, not a rule of vCD's
FILES_MOST = 256  # files one package references
VMS_MOST = 128  # virtual systems one package holds (a vApp's most)
FILE_MOST = 64 << 30  # bytes of one referenced file: a bound, not a rule of vCD's
MB = 1 << 20
# A guest's vSphere id and CIM operating-system number (OVF's OperatingSystemSection ovf:id), by
# the inventory's guest name (``inventory.GUESTS``).
GUESTS = {
    "UBUNTU_64": ("ubuntu64Guest", 94),
    "RHEL_9_64": ("rhel9_64Guest", 80),
    "WINDOWS_SERVER_2021": ("windows2019srvNext_64Guest", 113),
    "OTHER_LINUX_64": ("otherLinux64Guest", 101),
}
_BY_GUEST_ID = {guest: name for name, (guest, _) in GUESTS.items()}
_BY_CIM_ID = {cim: name for name, (_, cim) in GUESTS.items()}
# A referenced file's name: a plain file name (the package's files lie side by side).
FILE_NAME = re.compile(r"[^/\\\x00-\x1f\x7f]{1,255}")
# OVF's programmatic units (DSP0004 annex C.1): ``byte * 2^20``, ``MegaBytes``, ...
_UNIT = re.compile(r"byte\s*(?:\*\s*2\s*\^\s*(\d+))?", re.IGNORECASE)
_WORD_UNITS = {"kilobytes": 10, "megabytes": 20, "gigabytes": 30, "terabytes": 40, "bytes": 0}
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


@dataclass(frozen=True)
class PackageFile:
    """A file a descriptor references: its name (``ovf:href``) and size in bytes."""

    name: str
    size: int


@dataclass(frozen=True)
class Package:
    """What a descriptor declares: its files and virtual systems (a template's VMs)."""

    files: tuple[PackageFile, ...]
    vms: tuple[TemplateVm, ...]


def read(body: bytes) -> Package:
    """The files and VMs of an OVF descriptor. Invalid (with what is wrong) when it is too
    large, not XML, declares a DTD, is not an OVF ``Envelope``, or a file or virtual system in it
    is malformed."""
    if len(body) > DESCRIPTOR_MOST:
        raise Invalid("ovf.too_large", f"The OVF descriptor is larger than {DESCRIPTOR_MOST} bytes.")
    try:
        tree = etree.fromstring(body, _PARSER).getroottree()
    except etree.XMLSyntaxError as exc:
        raise Invalid("ovf.malformed", f"The OVF descriptor is not well-formed XML: {exc.msg}.") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise Invalid("ovf.dtd", "An OVF descriptor must not declare a DTD or entities.")
    root = tree.getroot()
    if root.tag != f"{E}Envelope":
        raise Invalid("ovf.envelope", f"The OVF descriptor's root must be the Envelope of namespace {OVF}.")
    files = _files(root)
    disks = _disks(root)
    systems = list(root.iter(f"{E}VirtualSystem"))
    if len(systems) > VMS_MOST:
        raise Invalid("ovf.systems", f"An OVF package holds at most {VMS_MOST} virtual systems.")
    vms = tuple(_vm(system, disks) for system in systems)
    names = [vm.name for vm in vms]
    if len(set(names)) != len(names):
        raise Invalid("ovf.systems", "The virtual systems of an OVF package need distinct names.")
    return Package(files, vms)


def _files(root: etree._Element) -> tuple[PackageFile, ...]:
    found = root.findall(f"{E}References/{E}File")
    if len(found) > FILES_MOST:
        raise Invalid("ovf.files", f"An OVF package references at most {FILES_MOST} files.")
    files: dict[str, PackageFile] = {}
    for item in found:
        name = item.get(f"{E}href") or ""
        if not FILE_NAME.fullmatch(name) or name in (".", "..", DESCRIPTOR) or ":" in name:
            raise Invalid("ovf.file", f"'{name[:255]}' is not the name of a file beside the descriptor.")
        size = _whole(item.get(f"{E}size"), f"The size of file {name}")
        if size > FILE_MOST:
            raise Invalid("ovf.file", f"File {name} is larger than {FILE_MOST} bytes.")
        if name in files:
            raise Invalid("ovf.file", f"The descriptor references file {name} twice.")
        files[name] = PackageFile(name, size)
    return tuple(files.values())


def _disks(root: etree._Element) -> dict[str, int]:
    """The DiskSection's disks: capacity in bytes, by ``ovf:diskId``."""
    disks = {}
    for disk in root.iterfind(f"{E}DiskSection/{E}Disk"):
        disk_id = disk.get(f"{E}diskId") or ""
        capacity = _whole(disk.get(f"{E}capacity"), f"The capacity of disk {disk_id}")
        disks[disk_id] = capacity << _shift(disk.get(f"{E}capacityAllocationUnits"), 0)
    return disks


def _vm(system: etree._Element, disks: dict[str, int]) -> TemplateVm:
    """A virtual system as a template's VM: its name (``Name``, else ``ovf:id``), CPUs (resource
    type 3), memory (4) and the sum of its disks (17), and its guest (OperatingSystemSection)."""
    name = (system.findtext(f"{E}Name") or system.get(f"{E}id") or "").strip()
    if not name or len(name) > 128:
        raise Invalid("ovf.system", "A virtual system needs a name of 1 to 128 characters.")
    cpus, memory_mb, disk_bytes = 1, 1024, 0
    for item in system.iterfind(f"{E}VirtualHardwareSection/{E}Item"):
        kind = (item.findtext(f"{R}ResourceType") or "").strip()
        if kind == "3":
            cpus = _whole(item.findtext(f"{R}VirtualQuantity"), f"The CPUs of {name}")
        elif kind == "4":
            quantity = _whole(item.findtext(f"{R}VirtualQuantity"), f"The memory of {name}")
            memory_mb = (quantity << _shift(item.findtext(f"{R}AllocationUnits"), 20)) // MB
        elif kind == "17":
            resource = (item.findtext(f"{R}HostResource") or "").strip()
            disk_id = resource.rsplit("/", 1)[-1]
            if disk_id not in disks:
                raise Invalid(
                    "ovf.disk", f"Virtual system {name} names disk {resource}, which is not declared."
                )
            disk_bytes += disks[disk_id]
    if not 1 <= cpus <= 768 or not 1 <= memory_mb <= 24 * 1024 * 1024:
        raise Invalid("ovf.system", f"Virtual system {name} has CPUs or memory out of bounds.")
    return TemplateVm(name, cpus, memory_mb, max(1, -(-disk_bytes // MB)), _guest(system))


def _guest(system: etree._Element) -> str:
    section = system.find(f"{E}OperatingSystemSection")
    if section is None:
        return "OTHER_LINUX_64"
    by_id = _BY_GUEST_ID.get(section.get(f"{{{VMW}}}osType") or "")
    cim = section.get(f"{E}id") or ""
    return by_id or (_BY_CIM_ID.get(int(cim)) if cim.isdigit() else None) or "OTHER_LINUX_64"


def _whole(text: str | None, what: str) -> int:
    value = (text or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise Invalid("ovf.number", f"{what} must be a whole number.")
    return int(value)


def _shift(units: str | None, default: int) -> int:
    """The power of two of OVF allocation units (``byte * 2^20``: 20); ``default`` when absent."""
    text = (units or "").strip()
    if not text:
        return default
    word = _WORD_UNITS.get(text.lower())
    if word is not None:
        return word
    found = _UNIT.fullmatch(text)
    if found is None:
        raise Invalid("ovf.units", f"'{text[:64]}' are not units OVF knows.")
    return int(found.group(1) or 0)


def disk_file(vm: TemplateVm) -> str:
    """The name of the stand-in disk file of a VM whose template has none of its own."""
    return f"{vm.name}-disk1.vmdk"


def stand_in_disk(vm: TemplateVm) -> bytes:
    """A VM's disk as a download gives it when no bytes were ever uploaded for it (a template of
    the demo world, or captured from a vApp, whose compute is simulated): a VMDK descriptor file
    naming the disk's size, with no extent data."""
    sectors = vm.disk_mb * MB // 512
    return (
        "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n"
        'createType="monolithicFlat"\n\n# Extent description\n'
        f'RW {sectors} FLAT "{vm.name}-flat.vmdk" 0\n\n# The Disk Data Base\n'
        'ddb.adapterType = "lsilogic"\n'
    ).encode()


def descriptor(name: str, vms: tuple[TemplateVm, ...]) -> bytes:
    """An OVF descriptor of a template's VMs: a VirtualSystemCollection ``name`` with one
    VirtualSystem per VM, each with its CPUs, memory, guest and one disk, whose file is its
    stand-in (``disk_file``)."""
    nsmap = {"ovf": OVF, "rasd": RASD, "vssd": VSSD, "vmw": VMW}
    envelope = etree.Element(f"{E}Envelope", nsmap={None: OVF, **nsmap})
    references = etree.SubElement(envelope, f"{E}References")
    section = etree.SubElement(envelope, f"{E}DiskSection")
    etree.SubElement(section, f"{E}Info").text = "Virtual disk information"
    for index, vm in enumerate(vms, 1):
        etree.SubElement(
            references,
            f"{E}File",
            {f"{E}id": f"file{index}", f"{E}href": disk_file(vm), f"{E}size": str(len(stand_in_disk(vm)))},
        )
        etree.SubElement(
            section,
            f"{E}Disk",
            {
                f"{E}diskId": f"vmdisk{index}",
                f"{E}fileRef": f"file{index}",
                f"{E}capacity": str(vm.disk_mb),
                f"{E}capacityAllocationUnits": "byte * 2^20",
            },
        )
    collection = etree.SubElement(envelope, f"{E}VirtualSystemCollection", {f"{E}id": name})
    etree.SubElement(collection, f"{E}Info").text = "A collection of virtual machines"
    etree.SubElement(collection, f"{E}Name").text = name
    for index, vm in enumerate(vms, 1):
        system = etree.SubElement(collection, f"{E}VirtualSystem", {f"{E}id": vm.name})
        etree.SubElement(system, f"{E}Info").text = "A virtual machine"
        etree.SubElement(system, f"{E}Name").text = vm.name
        guest, cim = GUESTS.get(vm.guest_os, ("otherLinux64Guest", 101))
        os_section = etree.SubElement(
            system, f"{E}OperatingSystemSection", {f"{E}id": str(cim), f"{{{VMW}}}osType": guest}
        )
        etree.SubElement(os_section, f"{E}Info").text = "The guest operating system"
        hardware = etree.SubElement(system, f"{E}VirtualHardwareSection")
        etree.SubElement(hardware, f"{E}Info").text = "Virtual hardware requirements"
        items = (
            ("hertz * 10^6", f"{vm.cpus} virtual CPU(s)", "1", "3", str(vm.cpus), None),
            ("byte * 2^20", f"{vm.memory_mb} MB of memory", "2", "4", str(vm.memory_mb), None),
            (None, "Hard disk 1", "3", "17", None, f"ovf:/disk/vmdisk{index}"),
        )
        for units, label, instance, kind, quantity, resource in items:
            item = etree.SubElement(hardware, f"{E}Item")
            if units:
                etree.SubElement(item, f"{R}AllocationUnits").text = units
            etree.SubElement(item, f"{R}ElementName").text = label
            if resource:
                etree.SubElement(item, f"{R}HostResource").text = resource
            etree.SubElement(item, f"{R}InstanceID").text = instance
            etree.SubElement(item, f"{R}ResourceType").text = kind
            if quantity:
                etree.SubElement(item, f"{R}VirtualQuantity").text = quantity
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8", pretty_print=True)
