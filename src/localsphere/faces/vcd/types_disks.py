"""The vCloud API's types of independent disks (disk.xsd, vms.xsd), field for field in the
schema's order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from localsphere.faces.vcd.model import XmlType, attribute, element
from localsphere.faces.vcd.types import Entity, Link, Owner, Reference


@dataclass
class DiskEntity(Entity):
    """``DiskType`` (disk.xsd, a ``ResourceEntityType``, 5.1): an independent disk, its size in
    bytes (``size``: the XSDs' attribute; API 33's ``sizeMb`` is not in them), bus and owner."""

    TAG: ClassVar[str] = "Disk"
    status: int | None = attribute("status")
    size: int = attribute("size", since="5.1")
    iops: int | None = attribute("iops", since="9.0")
    bus_type: str | None = attribute("busType", since="5.1")
    bus_sub_type: str | None = attribute("busSubType", since="5.1")
    storage_profile: Reference | None = element("StorageProfile", since="5.1")
    owner: Owner | None = element("Owner", since="5.1")


@dataclass
class Vms(XmlType):
    """``VmsType`` (vms.xsd, 5.1): the VMs an independent disk is attached to."""

    TAG: ClassVar[str] = "Vms"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True)
    vms: list[Reference] = element("VmReference", since="5.1", many=True)
