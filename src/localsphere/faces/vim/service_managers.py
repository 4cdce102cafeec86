"""The service content's smaller managers, as a vCenter's:

- ``VpxSettings`` (``content.setting``, an ``OptionManager``): vCenter's advanced settings
  (``world.vpx_settings``): ``setting``, ``supportedOption``, ``QueryOptions`` (a name, a
  prefix ending in ``.``, or none for all; InvalidName for a name no setting has) and
  ``UpdateOptions`` (``Global.Settings`` on the root folder; InvalidName for a key unknown or
  read-only, InvalidArgument for a value of another kind).
- ``LicenseManager`` (``content.licenseManager``): the evaluation license and the vCenter
  Server Standard license this vCenter runs on (``licenses``), and its
  ``LicenseAssignmentManager``, whose ``QueryAssignedLicenses`` gives the vCenter (its instance
  UUID) its license and each host (its id) the evaluation one.
- ``UserDirectory`` (``content.userDirectory``): ``domainList`` (the SSO domains) and
  ``RetrieveUserGroups`` over their users and groups (NotFound for a domain not SSO's).
- ``FileManager`` (``content.fileManager``): ``MakeDirectory`` checks the datastore
  (InvalidDatastore for none of that name) and ``Datastore.FileManagement`` on it, and answers
  that the folder is there: the world keeps no files beside its VMs' own, so nothing else is
  made or removed (``DeleteDatastoreFile_Task`` and the rest are not served).
- ``OvfManager`` (``content.ovfManager``): its ``ovfImportOption`` and ``ovfExportOption``,
  and ``ParseDescriptor``: what the world reads of a descriptor (``world.ovf``: its virtual
  systems, files and disks), or, for one it cannot read, the result's ``error``
  (``OvfXmlFormat``, as vCenter reports a descriptor it cannot parse). ``ValidateHost`` and
  ``CreateImportSpec`` are not served: nothing here imports a package over SOAP.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim

from localsphere.faces.vim import faults, inventory
from localsphere.faces.vim.authorization_writes import authorize
from localsphere.faces.vim.authorization_writes import fault as access_fault
from localsphere.faces.vim.faults import Fault
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world import ovf
from localsphere.world.errors import Forbidden, Invalid, NotFound, WorldError
from localsphere.world.identity import GROUP, USER
from localsphere.world.inventory import DATASTORE, HOST, ROOT_FOLDER
from localsphere.world.paging import MAX_PAGE
from localsphere.world.vpx_settings import BY_KEY, SETTINGS, Value

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

VPX_SETTINGS = "VpxSettings"
LICENSE_MANAGER = "LicenseManager"
ASSIGNMENTS = "LicenseAssignmentManager"
USER_DIRECTORY = "UserDirectory"
FILE_MANAGER = "FileManager"
OVF_MANAGER = "OvfManager"
SETTINGS_PRIVILEGE = "Global.Settings"
FILE_MANAGEMENT = "Datastore.FileManagement"
MB = 1 << 20
EVALUATION_KEY = "00000-00000-00000-00000-00000"  # vSphere's evaluation mode
VC_EDITION = "vc.standard.instance"
DATASTORE_PATH = re.compile(r"^\[(?P<datastore>[^\]]+)\]\s*(?P<path>.*)$")
# (option, what the vSphere Client says of it); the export options vCenter 8 lists
OVF_EXPORT_OPTIONS = (
    ("mac", "Include MAC addresses of network adapters"),
    ("uuid", "Include the BIOS UUID of virtual machines"),
    ("extraconfig", "Include extra configuration"),
    ("nodevicesubtypes", "Do not include device subtypes"),
)
OVF_IMPORT_OPTIONS = (("lax", "Accept descriptors that do not validate strictly"),)


# ``VpxSettings``


def _option_value(key: str, value: Value) -> Any:
    """A setting as vCenter sends it: a number as ``xsd:int``, else as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = VmomiSupport.GetVmodlType("int")(value)
    return vim.option.OptionValue(key=key, value=value)


def _option_def(key: str) -> Any:
    setting = BY_KEY[key]
    default = setting.default
    if isinstance(default, bool):
        kind = vim.option.BoolOption(valueIsReadonly=setting.read_only, supported=True, defaultValue=default)
    elif isinstance(default, int):
        kind = vim.option.IntOption(
            valueIsReadonly=setting.read_only, min=0, max=2**31 - 1, defaultValue=default
        )
    else:
        kind = vim.option.StringOption(valueIsReadonly=setting.read_only, defaultValue=default)
    return vim.option.OptionDef(key=key, label=setting.label, summary=setting.label, optionType=kind)


def _settings(context: Context) -> list[Any]:
    return [_option_value(k, v) for k, v in context.world.vpx_settings.values().items()]


def _query_options(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any]:
    name = args.get("name")
    values = context.world.vpx_settings.values()
    if name:
        under = name.endswith(".")  # a prefix: every key below it
        values = {k: v for k, v in values.items() if (k.startswith(name) if under else k == name)}
        if not values:
            raise Fault(vim.fault.InvalidName(name=name), f"Invalid name '{name}'.")
    return [_option_value(k, v) for k, v in values.items()]


def _plain(key: str, value: Any) -> Any:
    """A changed value as the setting keeps it (a number as ``int``); InvalidArgument for a value
    of another kind than the setting's (a key no setting has is left to the world to refuse)."""
    if key not in BY_KEY:
        return value
    default = BY_KEY[key].default
    if isinstance(default, bool):
        fits = isinstance(value, bool)
    elif isinstance(default, int):
        fits = isinstance(value, int) and not isinstance(value, bool)
    else:
        fits = isinstance(value, str)
    if not fits:
        raise _bad_value(key)
    return int(value) if isinstance(default, int) and not isinstance(default, bool) else value


def _bad_value(key: str) -> Fault:
    return faults.invalid_argument("changedValue", f"A specified parameter was not correct: {key}")


def _update_options(context: Context, this: MoRef, args: dict[str, Any]) -> None:
    try:
        authorize(context, SETTINGS_PRIVILEGE)
        changes = {v.key: _plain(v.key, v.value) for v in args["changedValue"]}
        context.world.vpx_settings.update(changes)
    except Forbidden as exc:
        raise access_fault(exc, this) from exc
    except NotFound as exc:
        name = exc.arguments[0]
        raise Fault(vim.fault.InvalidName(name=name), f"Invalid name '{name}'.") from exc
    except Invalid as exc:
        raise _bad_value(exc.arguments[0]) from exc


# ``LicenseManager``


def _vcenter_key(context: Context) -> str:
    """This vCenter's license key: made of its instance UUID, five groups of five."""
    digits = context.world.inventory.instance_uuid().replace("-", "").upper()[:25]
    return "-".join(digits[i : i + 5] for i in range(0, 25, 5))


def _licenses(context: Context) -> list[Any]:
    def named(*pairs: tuple[str, str]) -> list[Any]:
        return [vim.KeyAnyValue(key=k, value=v) for k, v in pairs]

    return [
        vim.LicenseManager.LicenseInfo(
            licenseKey=EVALUATION_KEY, editionKey="eval", name="Product Evaluation", total=0, used=0,
            costUnit="", properties=[],
        ),
        vim.LicenseManager.LicenseInfo(
            licenseKey=_vcenter_key(context), editionKey=VC_EDITION, name="vCenter Server 8 Standard",
            total=1, used=1, costUnit="server",
            properties=named(("ProductName", "VMware VirtualCenter Server"), ("ProductVersion", "8.0")),
        ),
    ]  # fmt: skip


def _assigned(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any]:
    licenses = _licenses(context)
    uuid = context.world.inventory.instance_uuid()
    settings = context.world.vpx_settings.values()
    found = [
        vim.LicenseAssignmentManager.LicenseAssignment(
            entityId=uuid, scope=uuid, entityDisplayName=str(settings["VirtualCenter.InstanceName"]),
            assignedLicense=licenses[1],
        )
    ]  # fmt: skip
    graph = context.world.inventory_graph
    hosts = graph.contents(ROOT_FOLDER, {HOST}, True, None, MAX_PAGE, inventory.sight(context), details=False)
    found += [
        vim.LicenseAssignmentManager.LicenseAssignment(
            entityId=h.moid, scope=uuid, entityDisplayName=h.name, assignedLicense=licenses[0]
        )
        for h in hosts
    ]
    wanted = args.get("entityId")
    return [a for a in found if wanted is None or a.entityId == wanted]


# ``UserDirectory``


def _retrieve_user_groups(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any]:
    kinds = {USER} if args["findUsers"] else set()
    kinds |= {GROUP} if args["findGroups"] else set()
    try:
        found = context.world.user_directory.search(
            args.get("domain"), args["searchStr"], bool(args["exactMatch"]), kinds,
            args.get("belongsToGroup"), args.get("belongsToUser"),
        )  # fmt: skip
    except NotFound as exc:
        raise Fault(vim.fault.NotFound(), "The object or item referred to could not be found.") from exc
    return [vim.UserSearchResult(principal=p.name, fullName=p.name, group=p.kind == GROUP) for p in found]


# ``OvfManager``


def _parse_descriptor(_context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
    result = vim.OvfManager.ParseDescriptorResult(annotation="", defaultDeploymentOption="", virtualApp=False)
    try:
        package = ovf.read(args["ovfDescriptor"].encode())
    except Invalid as exc:
        result.defaultEntityName = ""
        result.error = [vim.fault.OvfXmlFormat(description=exc.message, lineNumber=0, msg=exc.message)]
        return result
    disks = sum(vm.disk_mb for vm in package.vms) * MB  # the world's disks are thick: flat as sparse
    result.defaultEntityName = package.vms[0].name if package.vms else ""
    result.virtualApp = len(package.vms) > 1
    result.approximateDownloadSize = sum(f.size for f in package.files)
    result.approximateFlatDeploymentSize = result.approximateSparseDeploymentSize = disks
    return result


# ``FileManager``


def _make_directory(context: Context, this: MoRef, args: dict[str, Any]) -> None:
    name = args["name"]
    match = DATASTORE_PATH.match(name)
    if match is None:
        raise Fault(vim.fault.InvalidDatastorePath(datastorePath=name), f"Invalid datastore path '{name}'.")
    datacenter = args.get("datacenter")
    under = datacenter._moId if datacenter is not None else ROOT_FOLDER
    graph, seen = context.world.inventory_graph, inventory.sight(context)
    stores = graph.contents(under, {DATASTORE}, True, None, MAX_PAGE, seen, details=False)
    store = next((s for s in stores if s.name == match["datastore"]), None)
    if store is None:
        raise Fault(vim.fault.InvalidDatastore(name=name), f"Invalid datastore path '{name}'.")
    try:
        authorize(context, FILE_MANAGEMENT, store.moid)
    except WorldError as exc:
        raise access_fault(exc, this) from exc


def methods() -> list[Method]:
    return [
        Method("QueryOptions", _query_options, frozenset({"OptionManager"}), VPX_SETTINGS),
        Method("UpdateOptions", _update_options, frozenset({"OptionManager"}), VPX_SETTINGS, write=True),
        Method("QueryAssignedLicenses", _assigned, frozenset({ASSIGNMENTS}), ASSIGNMENTS),
        Method("RetrieveUserGroups", _retrieve_user_groups, frozenset({USER_DIRECTORY}), USER_DIRECTORY),
        Method("MakeDirectory", _make_directory, frozenset({FILE_MANAGER}), FILE_MANAGER),
        Method("ParseDescriptor", _parse_descriptor, frozenset({OVF_MANAGER}), OVF_MANAGER),
    ]


def _ovf_options(options: tuple[tuple[str, str], ...]) -> list[Any]:
    return [
        vim.OvfManager.OvfOptionInfo(
            option=option, description=vim.LocalizableMessage(key=f"ovf.option.{option}", message=text)
        )
        for option, text in options
    ]


def families() -> list[Family]:
    """The properties of these managers, each a singleton."""
    readers: dict[tuple[str, str], dict[str, Any]] = {
        ("OptionManager", VPX_SETTINGS): {
            "setting": _settings,
            "supportedOption": lambda _c: [_option_def(s.key) for s in SETTINGS],
        },
        (LICENSE_MANAGER, LICENSE_MANAGER): {
            "licenses": _licenses,
            "licenseAssignmentManager": lambda _c: vim.LicenseAssignmentManager(ASSIGNMENTS),
        },
        (ASSIGNMENTS, ASSIGNMENTS): {},
        (USER_DIRECTORY, USER_DIRECTORY): {"domainList": lambda c: c.world.identity.domain_names()},
        (FILE_MANAGER, FILE_MANAGER): {},
        (OVF_MANAGER, OVF_MANAGER): {
            "ovfImportOption": lambda _c: _ovf_options(OVF_IMPORT_OPTIONS),
            "ovfExportOption": lambda _c: _ovf_options(OVF_EXPORT_OPTIONS),
        },
    }
    by_type = {kind: (moid, table) for (kind, moid), table in readers.items()}

    def read(context: Context, kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        moid, table = by_type[kind]
        if moid not in moids:
            return {}
        return {moid: {p: table[p](context) for p in paths if p in table}}

    return [Family(frozenset(by_type), read, lambda kind: sorted(by_type[kind][1]))]
