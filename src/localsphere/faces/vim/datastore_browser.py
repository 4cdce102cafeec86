"""A datastore's ``HostDatastoreBrowser`` (its ``browser``: ``datastoreBrowser-datastore-11`` of
``datastore-11``, as vCenter names it): ``SearchDatastore_Task`` (one folder's entries) and
``SearchDatastoreSubFolders_Task`` (a folder and every folder below it, each a
``HostDatastoreBrowserSearchResults``), as govc's ``datastore.ls`` and pyVmomi scripts call them;
its ``datastore`` and ``supportedType``.

The files are those the world knows: each VM whose home or a disk is on the datastore has a home
folder (its name) holding its configuration ``<name>.vmx`` (on its home datastore, where its
``vmPathName`` says: ``vm_config_info.vmx_path``, the size ``layoutEx`` gives), and each disk's
file (``disks[].file``, ``[ds] vm/vm.vmdk``, its capacity's size). A search answers the entries
a query type of the spec matches
(``FolderFileQuery``, ``VmConfigFileQuery``, ``VmDiskFileQuery``; plain ``FileQuery`` or no
query: any) whose names match a ``matchPattern`` (``*`` wildcards; ``searchCaseInsensitive``), as
the query's ``FileInfo`` subtype when ``details.fileType`` asks, else as ``FileInfo``, with the
details asked for (size, modification: the VM's creation, owner). A folder that is not there is
the task's ``FileNotFound``; a path that is no datastore path (``[name] folder``), or names
another datastore, ``InvalidDatastorePath``; a caller without ``Datastore.Browse``,
``NoPermission``. The search runs at once; its task's result is its answer.
"""

from __future__ import annotations

import datetime
import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import faults, soap, tasks, versions, vm_config_info
from localsphere.faces.vim.inventory import Reader, sight
from localsphere.faces.vim.properties import Family, reference
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.access import require
from localsphere.world.errors import Invalid
from localsphere.world.inventory import DATASTORE, ObjectView
from localsphere.world.tasks import Owner

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

BROWSER = "HostDatastoreBrowser"
PREFIX = "datastoreBrowser-"
SEARCH, SEARCH_ALL = "SearchDatastore_Task", "SearchDatastoreSubFolders_Task"
BROWSE = "Datastore.Browse"  # what both searches need, as the vSphere API reference says
B = vim.host.DatastoreBrowser
RESULTS = B.SearchResults
CONFIG_VERSION = 8  # a .vmx's ``config.version``
OWNER = "root"
KEPT_IN = versions.version_name(versions.CURRENT) or ""  # the version a task's kept answer is in
# a query type, the entries it matches (folder, vmx, vmdk; None: any) and the FileInfo it answers
QUERIES = (
    (B.FolderQuery, "folder", B.FolderInfo),
    (B.VmConfigQuery, "vmx", B.VmConfigInfo),
    (B.VmDiskQuery, "vmdk", B.VmDiskInfo),
    (B.Query, None, B.FileInfo),
)


@dataclass(frozen=True)
class Entry:
    """A file or folder on a datastore: its folder (``a/b``, "" the top), name, kind (folder,
    vmx, vmdk), size in bytes, when it was made, and for a disk its capacity in bytes."""

    folder: str
    name: str
    kind: str
    size: int
    modified: datetime.datetime
    capacity: int = 0


def browser_of(moid: str) -> str:
    """A datastore's browser's id."""
    return PREFIX + moid


def _browsers(_context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    return {o.moid: reference(BROWSER, browser_of(o.moid)) for o in objects}


def _split(path: str) -> tuple[str, str] | None:
    """``[name] a/b/`` as the datastore's name and the folder (``a/b``); None for no such path."""
    if not path.startswith("[") or "]" not in path:
        return None
    name, _, rest = path[1:].partition("]")
    return name, rest.strip().strip("/")


def _entries(context: Context, datastore: ObjectView) -> list[Entry]:
    """Every file and folder the world knows on ``datastore``."""
    vms = context.world.inventory_graph.vms_of([datastore.moid], DATASTORE, sight(context))
    files: dict[tuple[str, str], Entry] = {}
    for vm in vms:
        made = datetime.datetime.fromtimestamp(vm.created_at, datetime.UTC)
        disks = vm.details.get("disks") or []
        for disk in disks:
            where = _split(disk.get("file") or "")
            if where is None or where[0] != datastore.name or "/" not in where[1]:
                continue
            folder, name = where[1].rsplit("/", 1)
            capacity = int(disk.get("capacity") or 0)
            files[folder, name] = Entry(folder, name, "vmdk", capacity, made, capacity)
        home = _split(vm_config_info.vmx_path(vm))
        if home is not None and home[0] == datastore.name and "/" in home[1]:
            folder, name = home[1].rsplit("/", 1)
            files[folder, name] = Entry(folder, name, "vmx", vm_config_info.SMALL_FILE, made)
    folders: dict[str, Entry] = {}
    for entry in files.values():
        parts = entry.folder.split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            if path not in folders or folders[path].modified > entry.modified:
                folders[path] = Entry(
                    "/".join(parts[: depth - 1]), parts[depth - 1], "folder", 0, entry.modified
                )
    return sorted([*folders.values(), *files.values()], key=lambda e: (e.folder, e.name))


def _query(spec: Any, entry: Entry) -> Any:
    """The first of the spec's queries that matches ``entry`` (a plain ``FileQuery`` when the spec
    has none); None when none does."""
    for query in spec.query or [B.Query()]:
        for cls, kind, _ in QUERIES:
            if type(query) is cls and kind in (None, entry.kind):
                return query
    return None


def _matches(spec: Any, name: str) -> bool:
    patterns = spec.matchPattern or ["*"]
    if spec.searchCaseInsensitive:
        return any(fnmatch.fnmatchcase(name.lower(), p.lower()) for p in patterns)
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def _info(spec: Any, query: Any, entry: Entry) -> Any:
    """The entry as the spec's ``details`` and the query that matched it ask."""
    details = spec.details
    typed = details is not None and details.fileType
    cls = next(c for q, k, c in QUERIES if type(query) is q and k in (None, entry.kind))
    if typed and cls is B.FileInfo:  # a plain query: the entry's own type
        cls = next(c for _, k, c in QUERIES if k == entry.kind)
    info = (cls if typed else B.FileInfo)(path=entry.name)
    if details is not None:
        info.fileSize = entry.size if details.fileSize else None
        info.modification = entry.modified if details.modification else None
        info.owner = OWNER if details.fileOwner else None
    more = getattr(query, "details", None)
    if typed and entry.kind == "vmdk" and more is not None:
        info.capacityKb = entry.capacity // 1024 if more.capacityKb else None
        info.diskType = vim.vm.device.VirtualDisk.FlatVer2BackingInfo if more.diskType else None
        info.hardwareVersion = 4 if more.hardwareVersion else None
        info.controllerType = vim.vm.device.ParaVirtualSCSIController if more.controllerType else None
        info.thin = False if more.thin else None
    if typed and entry.kind == "vmx" and more is not None and more.configVersion:
        info.configVersion = CONFIG_VERSION
    return info


def _results(datastore: ObjectView, folder: str, entries: list[Entry], spec: Any) -> Any:
    """One folder's ``HostDatastoreBrowserSearchResults``."""
    found = []
    for entry in entries:
        if entry.folder != folder or not _matches(spec, entry.name):
            continue
        query = _query(spec, entry)
        if query is not None:
            found.append((entry, _info(spec, query, entry)))
    if spec.sortFoldersFirst:
        found.sort(key=lambda pair: pair[0].kind != "folder")
    return RESULTS(
        datastore=reference(DATASTORE, datastore.moid),
        folderPath=f"[{datastore.name}]" + (f" {folder}/" if folder else ""),
        file=[info for _, info in found],
    )


def _datastore(context: Context, this: MoRef) -> ObjectView:
    """The datastore of the browser ``this``; ManagedObjectNotFound for any other id."""
    moid = this.value.removeprefix(PREFIX)
    found = context.world.inventory_graph.objects([moid], sight(context)).get(moid)
    if not this.value.startswith(PREFIX) or found is None or found.kind != DATASTORE:
        raise faults.not_found(this)
    return found


def _search(context: Context, this: MoRef, args: dict[str, Any], below: bool) -> Any:
    datastore = _datastore(context, this)
    require(context.signed_in.caller, BROWSE)
    path = args["datastorePath"]
    spec = args.get("searchSpec") or B.SearchSpec()
    where = _split(path)
    answer: str | None = None
    refusal: Invalid | None = None
    if where is None or where[0] != datastore.name:
        refusal = Invalid("vm.datastore_path", f"Invalid datastore path '{path}'.", path)
    else:
        entries = _entries(context, datastore)
        folders = [e.folder + "/" + e.name if e.folder else e.name for e in entries if e.kind == "folder"]
        folder = where[1]
        if folder and folder not in folders:
            refusal = Invalid("vm.file_not_found", f"File {path} was not found", path)
        elif below:
            chosen = [folder, *(f for f in folders if not folder or f.startswith(folder + "/"))]
            answer = _packed(RESULTS.Array([_results(datastore, f, entries, spec) for f in chosen]))
        else:
            answer = _packed(_results(datastore, folder, entries, spec))

    def change() -> str | None:
        if refusal is not None:
            raise refusal
        return answer

    name = SEARCH_ALL if below else SEARCH
    return tasks.run_task(
        context, Owner(DATASTORE, datastore.moid, datastore.name), name, f"search datastore {path}", change
    )


def _packed(value: Any) -> str:
    """A search's answer as its task keeps it (``result``): the XML of its results."""
    listed = value if isinstance(value, list) else [value]
    return soap.pack(listed, RESULTS, KEPT_IN).decode()


def search_results(operation: str, kept: str) -> Any:
    """A search task's ``result``, from what it kept: one ``SearchResults`` (``SearchDatastore_Task``)
    or a list of them (``SearchDatastoreSubFolders_Task``)."""
    found = soap.unpack(kept.encode(), RESULTS, KEPT_IN)
    return RESULTS.Array(found) if operation == SEARCH_ALL else found[0]


def family() -> Family:
    """A browser's ``datastore`` and ``supportedType``, for whoever sees its datastore."""

    def read(context: Context, _kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        wanted = {m: m.removeprefix(PREFIX) for m in moids if m.startswith(PREFIX)}
        seen = context.world.inventory_graph.objects(set(wanted.values()), sight(context))
        answer: dict[str, dict[str, Any]] = {}
        for moid, ds in wanted.items():
            if ds not in seen or seen[ds].kind != DATASTORE:
                continue
            values = {
                "datastore": [reference(DATASTORE, ds)],
                "supportedType": [q() for q, _, _ in QUERIES[:3]],
            }
            answer[moid] = {p: values[p] for p in paths if p in values}
        return answer

    return Family(frozenset({BROWSER}), read, lambda _kind: ["datastore", "supportedType"])


def methods() -> list[Method]:
    browser = frozenset({BROWSER})
    return [
        Method(SEARCH, lambda c, t, a: _search(c, t, a, False), browser, write=True),
        Method(SEARCH_ALL, lambda c, t, a: _search(c, t, a, True), browser, write=True),
    ]


# the Datastore paths this module reads, for the inventory's table
PATHS: dict[str, Reader] = {"browser": _browsers}
