"""A Datastore's relations and file-system facts: ``host`` (a ``DatastoreHostMount`` for each
host of its datacenter: every host there mounts every datastore) and ``info``
(``VmfsDatastoreInfo`` with its VMFS volume, or ``NasDatastoreInfo``), as vmware_exporter
(``vmware_datastore_hosts``, ``vmware_datastore_vms``), Telegraf (``info.url``),
community.vmware's ``vmware_datastore_info`` and govc's ``datastore.info`` read them. Each is read
for all the datastores of a request at once. (Its ``vm``, the VMs with a disk or their home on it,
is the inventory's.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim.inventory import Reader, datastore_url, each, sight
from localsphere.faces.vim.properties import reference
from localsphere.world.inventory import HOST, ObjectView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

TIB = 1 << 40
MAX_FILE = 64 * TIB - 512 * (1 << 20)  # VMFS 6's largest file (62 TB virtual disk + overhead)


def _mounts(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    graph, seen = context.world.inventory_graph, sight(context)
    hosts: dict[str, list[str]] = {}
    for dc in {o.datacenter for o in objects if o.datacenter}:
        hosts[dc] = [h.moid for h in graph.contents(dc, {HOST}, True, None, 10_000, seen, details=False)]
    return {
        o.moid: [
            vim.Datastore.HostMount(
                key=reference(HOST, host),
                mountInfo=mount_info(o),
            )
            for host in hosts.get(o.datacenter or "", [])
        ]
        for o in objects
    }


def _info(o: ObjectView) -> Any:
    common = {
        "name": o.name,
        "url": datastore_url(o),
        "freeSpace": o.free_space or 0,
        "maxFileSize": MAX_FILE,
        "maxVirtualDiskCapacity": MAX_FILE,
        "maxMemoryFileSize": MAX_FILE,
        "maxPhysicalRDMFileSize": MAX_FILE,
        "maxVirtualRDMFileSize": MAX_FILE,
        "timestamp": None,
        "containerId": o.uuid,
    }
    if (o.subtype or "VMFS") != "VMFS":
        return vim.host.NasDatastoreInfo(**{k: v for k, v in common.items() if "RDM" not in k}, nas=volume(o))
    return vim.host.VmfsDatastoreInfo(**common, vmfs=volume(o))


def volume(o: ObjectView) -> Any:
    """A datastore's file system: its VMFS volume (on its extent disk ``naa.<uuid>``) or its NFS
    export, as its ``info`` and its hosts' ``fileSystemVolumeInfo`` show it."""
    if (o.subtype or "VMFS") != "VMFS":
        return vim.host.NasVolume(
            type=o.subtype,
            name=o.name,
            capacity=o.capacity or 0,
            remoteHost="nfs.localsphere.test",
            remotePath=f"/exports/{o.name}",
        )
    return vim.host.VmfsVolume(
        type="VMFS",
        name=o.name,
        capacity=o.capacity or 0,
        blockSizeMb=1,
        maxBlocks=(o.capacity or 0) >> 20,
        majorVersion=6,
        version="6.82",
        uuid=o.uuid,
        extent=[vim.host.ScsiDisk.Partition(diskName=f"naa.{o.uuid.replace('-', '')}", partition=1)],
        vmfsUpgradable=False,
        ssd=True,
        local=False,
    )


def mount_info(o: ObjectView) -> Any:
    """How every host of its datacenter mounts a datastore."""
    return vim.host.MountInfo(
        path=f"/vmfs/volumes/{o.uuid}", accessMode="readWrite", mounted=True, accessible=True
    )


# the Datastore paths this module reads, for the inventory's table
# what a VMFS 6 datastore can do (``capability``): thin files, raw disk mappings, folders, SIOC
CAPABILITY = vim.Datastore.Capability(
    directoryHierarchySupported=True,
    rawDiskMappingsSupported=True,
    perFileThinProvisioningSupported=True,
    storageIORMSupported=True,
    nativeSnapshotSupported=False,
    topLevelDirectoryCreateSupported=True,
    seSparseSupported=True,
    vmfsSparseSupported=True,
    vsanSparseSupported=False,
)

PATHS: dict[str, Reader] = {"host": _mounts, "info": each(_info), "capability": each(lambda _: CAPABILITY)}
