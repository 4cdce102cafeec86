"""``CustomFieldsManager`` (``content.customFieldsManager``): custom attributes, the world's
(``world.custom_fields``), so they outlive a restart. ``field`` lists the definitions;
``AddCustomFieldDef``, ``RenameCustomFieldDef`` and ``RemoveCustomFieldDef`` need
``Global.ManageCustomFields`` on the root folder, ``SetField`` needs ``Global.SetCustomField`` on
the entity (the privileges pyVmomi's type info and vCenter's privilege list name).

On every inventory entity: ``customValue`` and ``value`` (the values set on it, as
``CustomFieldStringValue``) and ``availableField`` (the definitions for its type). Faults as the
WSDL declares them: DuplicateName for a name taken (by a field of the same type, or of every
type), InvalidArgument for an unknown key, a blank name or a field of another type."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vim

from localsphere.faces.vim import faults, inventory
from localsphere.faces.vim.authorization_writes import authorize, entity
from localsphere.faces.vim.authorization_writes import fault as access_fault
from localsphere.faces.vim.faults import Fault
from localsphere.faces.vim.inventory import Reader
from localsphere.faces.vim.properties import Family, vim_type
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.custom_fields import FieldDef
from localsphere.world.errors import Conflict, Forbidden, WorldError
from localsphere.world.inventory import HOST, VM, ObjectView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

CUSTOM_FIELDS_MANAGER = "CustomFieldsManager"
MANAGE = "Global.ManageCustomFields"
SET = "Global.SetCustomField"
ARGUMENTS = {"custom_field.name": "name", "custom_field.value": "value"}  # world reasons -> parameter
# What vCenter answers as a definition's privileges when none were asked for
READ_POLICY = vim.PrivilegePolicyDef(
    createPrivilege="System.Read", readPrivilege="System.Read", updatePrivilege="System.Read",
    deletePrivilege="System.Read",
)  # fmt: skip


@cache
def type_names(kind: str) -> frozenset[str]:
    """A managed type's WSDL name and those of the managed types it extends (``VirtualMachine``,
    ``ManagedEntity``, ``ExtensibleManagedObject``): the field types that apply to it."""
    return frozenset(
        VmomiSupport.GetWsdlName(c)
        for c in vim_type(kind).__mro__
        if issubclass(c, VmomiSupport.ManagedObject) and c is not VmomiSupport.ManagedObject
    )


def field_def(f: FieldDef) -> Any:
    return vim.CustomFieldsManager.FieldDef(
        key=f.key,
        name=f.name,
        type=str,
        managedObjectType=vim_type(f.type) if f.type else None,
        fieldDefPrivileges=READ_POLICY,
        fieldInstancePrivileges=READ_POLICY,
    )


def _values(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    found = context.world.custom_fields.values([o.moid for o in objects])
    string = vim.CustomFieldsManager.StringValue
    pairs = {o.moid: sorted(found.get(o.moid, {}).items()) for o in objects}
    return {moid: [string(key=k, value=v) for k, v in kv] for moid, kv in pairs.items()}


def _available(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    fields = context.world.custom_fields.fields()
    return {o.moid: [field_def(f) for f in fields if f.type in type_names(o.kind) | {None}] for o in objects}


ENTITY_PATHS: dict[str, Reader] = {"customValue": _values, "value": _values, "availableField": _available}
SUMMARY_KINDS = frozenset({VM, HOST})  # whose ``summary`` repeats its ``customValue``


def entity_paths(kind: str, summary: Reader | None = None) -> dict[str, Reader]:
    """Readers of an inventory entity's custom attributes, for ``inventory.family``: a VM's and a
    host's ``summary.customValue`` too (which vmware_exporter and Ansible's guest facts read),
    alone and in the whole ``summary`` its own reader (``summary``) makes."""
    if kind not in SUMMARY_KINDS or summary is None:
        return ENTITY_PATHS

    def summaries(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
        found, values = summary(context, objects), _values(context, objects)
        for moid, made in found.items():
            made.customValue = values.get(moid, [])
        return found

    return {**ENTITY_PATHS, "summary.customValue": _values, "summary": summaries}


def _fault(exc: WorldError, this: MoRef) -> Fault:
    if isinstance(exc, Forbidden):
        return access_fault(exc, this)
    if isinstance(exc, Conflict):
        name = exc.arguments[0]
        value = vim.fault.DuplicateName(name=name, object=vim.CustomFieldsManager(CUSTOM_FIELDS_MANAGER))
        return Fault(value, f"The name '{name}' already exists.")
    return faults.invalid_argument(ARGUMENTS.get(exc.reason, "key"))


def methods() -> list[Method]:
    def add(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        authorize(context, MANAGE)
        kind = args.get("moType")
        name = VmomiSupport.GetWsdlName(kind) if kind else None
        return field_def(context.world.custom_fields.add(args["name"], name))

    def remove(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        authorize(context, MANAGE)
        context.world.custom_fields.remove(args["key"])

    def rename(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        authorize(context, MANAGE)
        context.world.custom_fields.rename(args["key"], args["name"])

    def set_field(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        moid = entity(context, args["entity"])
        authorize(context, SET, moid)
        types = type_names(inventory.kind_of(moid))
        context.world.custom_fields.set(moid, types, args["key"], args["value"])

    def set_custom_value(context: Context, this: MoRef, args: dict[str, Any]) -> None:
        """``ExtensibleManagedObject.setCustomValue``: the field named ``key`` (one for the
        entity's type; InvalidArgument ``key`` for none) set on the entity itself."""
        moid = entity(context, inventory.ref(this.value))
        authorize(context, SET, moid)
        types = type_names(this.type)
        fields = context.world.custom_fields.fields()
        found = next((f for f in fields if f.name == args["key"] and f.type in types | {None}), None)
        if found is None:
            raise faults.invalid_argument("key")
        context.world.custom_fields.set(moid, types, found.key, args["value"])

    receivers, one = frozenset({CUSTOM_FIELDS_MANAGER}), CUSTOM_FIELDS_MANAGER
    writes = {
        "AddCustomFieldDef": add,
        "RemoveCustomFieldDef": remove,
        "RenameCustomFieldDef": rename,
        "SetField": set_field,
    }
    return [
        *(
            Method(name, faults.translated(run, _fault), receivers, one, write=True)
            for name, run in writes.items()
        ),
        Method(
            "setCustomValue",
            faults.translated(set_custom_value, _fault),
            frozenset(inventory.KINDS),
            write=True,
        ),
    ]


def family() -> Family:
    """The manager's ``field``: every definition."""

    def read(context: Context, _kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        if CUSTOM_FIELDS_MANAGER not in moids:
            return {}
        fields = [field_def(f) for f in context.world.custom_fields.fields()]
        return {CUSTOM_FIELDS_MANAGER: {"field": fields} if "field" in paths else {}}

    return Family(frozenset({CUSTOM_FIELDS_MANAGER}), read, lambda _kind: ["field"])
