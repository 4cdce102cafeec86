"""A small, real OVF package for the upload tests: a descriptor of one virtual system with a few KB
of disk file, and the OVA (a tar of the descriptor first, then the file) pyvcloud uploads."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

DISK = bytes(range(256)) * 24  # 6 KiB of "VMDK": a payload whose every byte is checked
DISK_NAME = "small-disk1.vmdk"


def descriptor(
    vm: str = "small", cpus: int = 2, memory_mb: int = 2048, disk: bytes = DISK, name: str = DISK_NAME
) -> bytes:
    """An OVF 1.x descriptor as exporters write one: References, DiskSection, one VirtualSystem."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References><File ovf:id="file1" ovf:href="{name}" ovf:size="{len(disk)}"/></References>
  <DiskSection><Info>Virtual disks</Info>
    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="2"
      ovf:capacityAllocationUnits="byte * 2^30"/>
  </DiskSection>
  <VirtualSystem ovf:id="{vm}">
    <Info>A virtual machine</Info><Name>{vm}</Name>
    <OperatingSystemSection ovf:id="94" vmw:osType="ubuntu64Guest"><Info>Guest</Info></OperatingSystemSection>
    <VirtualHardwareSection><Info>Hardware</Info>
      <Item><rasd:ElementName>CPUs</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>{cpus}</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:ElementName>Memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>{memory_mb}</rasd:VirtualQuantity></Item>
      <Item><rasd:ElementName>Hard disk 1</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
        <rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
""".encode()


def write_ova(path: Path, vm: str = "small") -> Path:
    """An OVA at ``path``: the descriptor, then the disk file."""
    with tarfile.open(path, "w") as tar:
        for name, data in ((f"{vm}.ovf", descriptor(vm)), (DISK_NAME, DISK)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path
