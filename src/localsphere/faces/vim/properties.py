"""Reading managed objects' properties, in bulk: what ``Fetch`` (one property of one object) and the
PropertyCollector (many properties of many objects) both call.

Each family of managed objects lends a ``Family``: for a list of ids of its type and a list of
property paths, the values of the objects that exist (an object that does not is absent from the
answer). A path is checked against pyVmomi's type metadata first: one the type does not have is
``InvalidProperty``; one it has but the family does not hold (a property nobody set) is unset,
which vim25 answers by leaving it out. Nested paths (``runtime.powerState``) are read by their
own readers where a family has one, else from the top-level property they are part of.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pyVmomi import VmomiSupport, vmodl

from localsphere.faces.vim import faults, soap

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

# (type, ids of that type, paths) -> {id: {path: value}}: the objects of that type found, each
# with the paths it has a value for
Read = Callable[["Context", str, list[str], list[str]], dict[str, dict[str, Any]]]
UNSET = object()


@dataclass(frozen=True)
class Family:
    """The managed object types one module serves, and how it reads their properties."""

    types: frozenset[str]
    read: Read
    all_paths: Callable[[str], list[str]]  # the top-level properties of a type it holds
    light: frozenset[str] = frozenset()  # paths read from a list's own columns (``keep(light=)``)


def vim_type(name: str) -> type:
    """pyVmomi's class of a managed object type's WSDL name (``VirtualMachine``)."""
    return VmomiSupport.GetWsdlType(soap.VIM_NS, name)


# What a property a managed type inherits holds on that type, where vCenter fills it with a subtype
# of the declared one (a cluster's ``summary``, declared ``ComputeResourceSummary``, is a
# ``ClusterComputeResourceSummary``): paths into it (``summary.usageSummary``) are the subtype's.
HOLDS = {
    ("ClusterComputeResource", "summary"): "ClusterComputeResourceSummary",
    ("ClusterComputeResource", "configurationEx"): "ClusterConfigInfoEx",
}


@cache
def property_type(type_name: str, path: str) -> Any:
    """The type of ``path`` on the managed type ``type_name``, per pyVmomi (a path into a data
    object's property is the type of that part); None when the type has no such property."""
    try:
        typ: Any = vim_type(type_name)
    except KeyError:
        return None
    parts = path.split(".")
    for index, part in enumerate(parts):
        if isinstance(typ, type) and issubclass(typ, list):
            return None
        try:
            typ = typ._GetPropertyInfo(part).type
        except (AttributeError, KeyError):
            return None
        if index == 0 and (type_name, part) in HOLDS:
            typ = vim_type(HOLDS[type_name, part])
    return typ


def check_path(this: soap.MoRef, path: str) -> None:
    if not path or property_type(this.type, path) is None:
        raise faults.invalid_property(path)


def walk(value: Any, rest: str) -> Any:
    """The part ``rest`` (``powerState``, ``config.numCpu``) of a data object, or UNSET."""
    for part in rest.split("."):
        value = getattr(value, part, None)
        if value is None:
            return UNSET
    return value


def typed(type_name: str, path: str, value: Any) -> Any:
    """A property's value as pyVmomi types it on the wire: a list as the property's array type, a
    number as the property's kind of number (``xsd:long`` for a ``long``)."""
    if isinstance(value, list) and not isinstance(value, VmomiSupport.Array):
        return property_type(type_name, path)(value)
    if type(value) in (int, float):
        typ = property_type(type_name, path)
        if isinstance(typ, type) and issubclass(typ, int | float) and typ is not bool:
            return typ(value)
    return value


class Properties:
    """Every family, by the types it serves."""

    def __init__(self, families: Iterable[Family]) -> None:
        self.by_type: dict[str, Family] = {}
        for family in families:
            for name in family.types:
                self.by_type[name] = family

    def family(self, this: soap.MoRef) -> Family | None:
        return self.by_type.get(this.type)

    def fetch(self, context: Context, this: soap.MoRef, args: dict[str, Any]) -> Any:
        """``Fetch``: one property of one object (ManagedObjectNotFound when there is no such
        object, InvalidProperty when its type has no such property; None when it is unset)."""
        path = args["prop"]
        family = self.family(this)
        if family is None:
            raise faults.not_found(this)
        check_path(this, path)
        found = family.read(context, this.type, [this.value], [path])
        if this.value not in found:
            raise faults.not_found(this)
        value = found[this.value].get(path, UNSET)
        return None if value is UNSET else typed(this.type, path, value)


def reference(type_name: str, moid: str) -> vmodl.ManagedObject:
    return vim_type(type_name)(moid)


def references(type_name: str, moids: Iterable[str]) -> list[vmodl.ManagedObject]:
    cls = vim_type(type_name)
    return [cls(m) for m in moids]


def reads_of(
    table: dict[str, Callable[[Context, list[Any]], dict[str, Any]]],
    load: Callable[[Context, list[str], list[str]], list[Any]],
) -> Read:
    """A family's ``Read`` from a table of readers by path (each reads one path of many loaded
    objects at once: ``{id: value}``, the unset left out) and ``load`` (the objects of the ids
    that exist, each with a ``moid``). A nested path without a reader of its own is read from
    the nearest enclosing path that has one, each reader once for all the paths it answers
    (``guest.toolsStatus`` and ``guest.disk`` build each VM's ``guest`` once)."""

    def read(context: Context, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        objects = load(context, moids, paths)
        found: dict[str, dict[str, Any]] = {o.moid: {} for o in objects}
        read_by: dict[str, dict[str, Any]] = {}  # each reader's values, by the path it is kept at
        for path in paths:
            reader, rest = _reader(table, path)
            if reader is None:
                continue
            head = path[: len(path) - len(rest) - 1] if rest else path
            if head not in read_by:
                read_by[head] = reader(context, objects)
            for moid, value in read_by[head].items():
                if rest:
                    value = walk(value, rest)
                if value is not UNSET and value is not None:
                    found[moid][path] = value
        return found

    return read


def _reader(table: dict[str, Any], path: str) -> tuple[Any, str]:
    head, rest = path, ""
    while True:
        if head in table:
            return table[head], rest
        head, dot, tail = head.rpartition(".")
        if not dot:
            return None, ""
        rest = f"{tail}.{rest}" if rest else tail
