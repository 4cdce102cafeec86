"""Scenario files: the YAML that describes a world, read into the plan of ``plan.py``.

The document is composed into YAML nodes and walked by hand instead of loaded into Python objects,
so that every complaint names its line and a dotted path to the value, and so that YAML 1.1's
surprises (``on`` read as a boolean, ``yes`` where a number belongs) are refused, not converted.
A key whose value is empty (null) counts as absent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from functools import partial
from string import Formatter
from typing import NoReturn, Protocol, TypeVar

import yaml

from localsphere.settings import InventorySpec
from localsphere.world.plan import (
    FAMILIES,
    ROLE_FAMILIES,
    SETTINGS,
    ClusterGroup,
    DatacenterGroup,
    DatastoreGroup,
    GroupPlan,
    HostGroup,
    IdentityPlan,
    InventoryPlan,
    NetworkGroup,
    PowerMix,
    RolePlan,
    Scenario,
    ServiceUserPlan,
    TenantPlan,
    UserPlan,
    VdcPlan,
    VmGroup,
    VmSize,
)

_VM_PLACEHOLDERS = ("n", "vm", "d", "c", "h")
MAX_SCENARIO_BYTES = 1 << 20
MAX_VMS = 5_000_000  # total VMs a scenario may plan
MAX_COUNT = 1_000_000  # any one count
MAX_NODES = 200_000  # YAML nodes visited with aliases expanded: no "billion laughs"
MAX_DEPTH = 64  # the C composer recurses, and deeper text would overflow its stack
_MAX_INT = 2**31 - 1  # sizes and settings: what every database column holds
_MAX_NAME = 255

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_KINDS = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "null": "nothing",
    "timestamp": "a date",
}

# (the pattern a whole string must match, what to tell the author when it does not)
Rule = tuple[re.Pattern[str], str]
_TEXT: Rule = (re.compile(r".{1,255}", re.S), "1 to 255 characters")
_NAME: Rule = (re.compile(r"[^@\\/\s]{1,255}"), "1 to 255 characters without '@', '\\', '/' or spaces")
_DOMAIN: Rule = (
    re.compile(r"[A-Za-z0-9_.-]{1,255}"),
    "a domain name (or an org's) of letters, digits, '_', '.' and '-'",
)
_API_KEY: Rule = (re.compile(r"[!-~]{16,128}"), "16 to 128 printable ASCII characters without spaces")
_TENANT: Rule = (re.compile(r"[A-Za-z0-9_-]{1,128}"), "1 to 128 letters, digits, '_' or '-'")
_GUEST: Rule = (re.compile(r"[A-Z0-9_]{1,255}"), "upper-case letters, digits and '_', such as OTHER_LINUX_64")
_BASE: Rule = (re.compile(r"demo|empty"), "'demo' or 'empty'")
_FAMILY: Rule = (re.compile("|".join(ROLE_FAMILIES)), f"one of {', '.join(ROLE_FAMILIES)}")
_SPEC = re.compile(r"0?\d{0,2}[dxX]?")  # {d:02d} and the like; no width that could eat memory
_STATES = ("on", "off", "suspended")
_SIZE_KEYS = ("cpus", "memory_mib", "disk_gib")

T = TypeVar("T")
D = TypeVar("D")
Reader = Callable[[yaml.Node, str], T]


class ScenarioError(ValueError):
    """line: 1-based line in the file (0 when not tied to a line); message: the reason."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.message = message


class _Planned(Protocol):
    """What a duplicate check needs of a planned item: its name and its line."""

    @property
    def name(self) -> str: ...
    @property
    def line(self) -> int: ...


P = TypeVar("P", bound=_Planned)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _at(path: str, message: str) -> str:
    return f"{path}: {message}" if path else message


def _fail(node: yaml.Node, path: str, message: str) -> NoReturn:
    raise ScenarioError(_line(node), _at(path, message))


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _KINDS.get(node.tag.removeprefix(_TAG), f"a value tagged {node.tag}")


def _expect(node: yaml.Node, path: str, what: str) -> NoReturn:
    _fail(node, path, f"expected {what}, got {_kind(node)}")


def _is(node: yaml.Node, kind: str) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _TAG + kind


class _Fields:
    """One mapping node, its keys checked once (unknown, duplicate), its values then read by type."""

    def __init__(self, node: yaml.Node, path: str, allowed: tuple[str, ...]) -> None:
        if not isinstance(node, yaml.MappingNode):
            _expect(node, path, "a mapping")
        self.path, self.line = path, _line(node)
        self.values: dict[str, yaml.Node] = {}
        self.lines: dict[str, int] = {}
        for key_node, value in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                _fail(key_node, path, f"keys must be plain names, not {_kind(key_node)}")
            key = key_node.value  # as written: a key `on` is the word, not YAML 1.1's boolean
            if key in self.lines:
                _fail(key_node, path, f"duplicate key {key!r} (first on line {self.lines[key]})")
            if key not in allowed:
                _fail(key_node, path, f"unknown key {key!r}; allowed keys: {', '.join(allowed)}")
            self.lines[key] = _line(key_node)
            if not _is(value, "null"):
                self.values[key] = value

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, read: Reader[T], default: D) -> T | D:
        node = self.values.get(key)
        return default if node is None else read(node, self.at(key))

    def need(self, key: str, read: Reader[T]) -> T:
        if key not in self.values:
            raise ScenarioError(self.line, _at(self.path, f"{key} is required"))
        return read(self.values[key], self.at(key))

    def each(self, read: Reader[T]) -> dict[str, T]:
        return {key: read(node, self.at(key)) for key, node in self.values.items()}


def _str(node: yaml.Node, path: str) -> str:
    if not _is(node, "str"):
        hint = "; quote it to make it text" if isinstance(node, yaml.ScalarNode) else ""
        _fail(node, path, f"expected a string, got {_kind(node)}{hint}")
    return node.value


def _string(node: yaml.Node, path: str, rule: Rule = _TEXT) -> str:
    value = _str(node, path)
    if not rule[0].fullmatch(value):
        _fail(node, path, f"must be {rule[1]}")
    return value


def _number(node: yaml.Node, path: str, kind: str, low: float, high: float) -> float:
    """An integer, or with ``kind`` "float" any number; booleans are neither. NaN fails the range."""
    if not (_is(node, kind) or _is(node, "int")):
        _expect(node, path, _KINDS[kind])
    try:
        value = getattr(_CONSTRUCTOR, f"construct_yaml_{node.tag.removeprefix(_TAG)}")(node)
    except (ValueError, OverflowError):
        value = math.inf
    if not low <= value <= high:
        _fail(node, path, f"must be between {low} and {high}")
    return value


def _int(node: yaml.Node, path: str, low: int = 0, high: int = _MAX_INT) -> int:
    return int(_number(node, path, "int", low, high))


def _bool(node: yaml.Node, path: str) -> bool:
    if not _is(node, "bool"):
        _expect(node, path, "true or false")
    return _CONSTRUCTOR.construct_yaml_bool(node)


def _list(node: yaml.Node, path: str, read: Reader[T], least: int = 0) -> tuple[T, ...]:
    if not isinstance(node, yaml.SequenceNode):
        _expect(node, path, "a list")
    if len(node.value) < least:
        _fail(node, path, f"needs at least {least} item")
    return tuple(read(item, f"{path}[{i}]") for i, item in enumerate(node.value))


def _each(read: Reader[T], least: int = 0) -> Reader[tuple[T, ...]]:
    return partial(_list, read=read, least=least)


_share = partial(_number, kind="float", low=0, high=MAX_COUNT)
_positive = partial(_int, low=1)
_count = partial(_int, low=1, high=MAX_COUNT)


def _setting(node: yaml.Node, path: str) -> int:
    """A setting's value: at least 1, but ``task_seconds`` may be 0 (tasks end as they start)."""
    return _int(node, path, low=0 if path.endswith("task_seconds") else 1)


_name = partial(_string, rule=_NAME)


def _unique(items: tuple[P, ...], path: str, key: Callable[[P], object]) -> tuple[P, ...]:
    """Catch a second definition where it is written, not later as a conflict in the world."""
    first: dict[object, int] = {}
    for i, item in enumerate(items):
        if (found := key(item)) in first:
            message = f"{path}[{i}]: {item.name!r} is already defined on line {first[found]}"
            raise ScenarioError(item.line, message)
        first[found] = item.line
    return items


def _roles(node: yaml.Node, path: str) -> dict[str, str]:
    return _Fields(node, path, FAMILIES).each(_string)


def _user(node: yaml.Node, path: str) -> UserPlan:
    f = _Fields(node, path, ("name", "domain", "password", "enabled", "roles"))
    domain = f.get("domain", partial(_string, rule=_DOMAIN), "vsphere.local")
    password, enabled = f.get("password", _str, None), f.get("enabled", _bool, True)
    return UserPlan(f.need("name", _name), domain, password, enabled, f.get("roles", _roles, {}), f.line)


def _group(node: yaml.Node, path: str) -> GroupPlan:
    f = _Fields(node, path, ("name", "members", "roles"))
    members = f.get("members", _each(_string), ())
    return GroupPlan(f.need("name", _name), members, f.get("roles", _roles, {}), f.line)


def _service_user(node: yaml.Node, path: str) -> ServiceUserPlan:
    f = _Fields(node, path, ("name", "api_key", "roles"))
    api_key = f.need("api_key", partial(_string, rule=_API_KEY))
    return ServiceUserPlan(f.need("name", _name), api_key, f.get("roles", _roles, {}), f.line)


def _role(node: yaml.Node, path: str) -> RolePlan:
    f = _Fields(node, path, ("name", "family", "privileges", "description"))
    name, family = f.need("name", _string), f.need("family", partial(_string, rule=_FAMILY))
    privileges = f.get("privileges", _each(_string), ())
    return RolePlan(name, family, privileges, f.get("description", _str, ""), f.line)


def _vdc(node: yaml.Node, path: str) -> VdcPlan:
    f = _Fields(node, path, ("name", "network"))
    return VdcPlan(f.need("name", _name), f.get("network", _name, None), f.line)


def _tenant(node: yaml.Node, path: str) -> TenantPlan:
    f = _Fields(node, path, ("name", "full_name", "description", "vdcs"))
    name = f.need("name", partial(_string, rule=_TENANT))
    vdcs = _unique(f.get("vdcs", _each(_vdc), ()), f.at("vdcs"), lambda v: v.name.lower())
    full_name, description = f.get("full_name", _string, None), f.get("description", _str, None)
    return TenantPlan(name, full_name, description, vdcs, f.line)


def _identity(node: yaml.Node, path: str) -> IdentityPlan:
    f = _Fields(node, path, ("password", "users", "groups", "service_users", "roles", "tenants"))

    def listed(key: str, read: Reader[P], same: Callable[[P], object]) -> tuple[P, ...]:
        return _unique(f.get(key, _each(read), ()), f.at(key), same)

    return IdentityPlan(
        password=f.get("password", _str, None),
        users=listed("users", _user, lambda u: (u.name.lower(), u.domain.lower())),
        groups=listed("groups", _group, lambda g: g.name.lower()),
        service_users=listed("service_users", _service_user, lambda s: s.name.lower()),
        roles=listed("roles", _role, lambda r: (r.family, r.name.lower())),
        tenants=listed("tenants", _tenant, lambda t: t.name.lower()),
    )


def _format(name: str, placeholders: tuple[str, ...]) -> tuple[str, bool]:
    """The name with every placeholder set to 1, and whether it has any; ValueError says what is wrong."""
    fields = [(field, spec) for _, field, spec, _ in Formatter().parse(name) if field is not None]
    for field, spec in fields:
        if field not in placeholders:
            raise ValueError(f"unknown placeholder {{{field}}}")
        if not _SPEC.fullmatch(spec):
            raise ValueError(f"format {spec!r} of {{{field}}} is not supported")
    return name.format(**dict.fromkeys(placeholders, 1)), bool(fields)


def _template(node: yaml.Node, path: str, placeholders: tuple[str, ...], count: int) -> str:
    """A name template, tried now so that a typo fails here and not halfway through building."""
    name = _str(node, path)
    try:
        text, templated = _format(name, placeholders)
    except ValueError as exc:
        allowed = ", ".join(f"{{{p}}}" for p in placeholders)
        _fail(node, path, f"bad name template {name!r}: {exc}; allowed placeholders: {allowed}")
    if count > 1 and not templated:
        _fail(node, path, f"{name!r} needs a placeholder such as {{n}} when count is more than 1")
    if not 1 <= len(text) <= _MAX_NAME:
        _fail(node, path, f"a name must be 1 to {_MAX_NAME} characters")
    return name


def _group_fields(
    node: yaml.Node, path: str, keys: tuple[str, ...], placeholders: tuple[str, ...], default: str | None
) -> tuple[_Fields, int, str | None]:
    """The keys every inventory group has: ``count`` alike, named by a template."""
    f = _Fields(node, path, ("name", "count", *keys))
    count = f.get("count", _count, 1)
    return f, count, f.get("name", partial(_template, placeholders=placeholders, count=count), default)


def _size(f: _Fields) -> VmSize:
    cpus, memory = f.need("cpus", _positive), f.need("memory_mib", _positive)
    return VmSize(cpus, memory, f.get("disk_gib", _positive, 40), f.get("weight", _positive, 1))


def _sizes(node: yaml.Node, path: str) -> tuple[VmSize, ...]:
    return _list(node, path, lambda item, at: _size(_Fields(item, at, (*_SIZE_KEYS, "weight"))), 1)


def _mix(node: yaml.Node, path: str) -> PowerMix:
    f = _Fields(node, path, _STATES)
    on, off, suspended = (f.get(state, _share, 0.0) for state in _STATES)
    total = on + off + suspended
    if total <= 0:
        raise ScenarioError(f.line, _at(path, "the shares must add up to more than 0"))
    return PowerMix(on / total, off / total, suspended / total)


def _power(node: yaml.Node, path: str) -> PowerMix:
    if isinstance(node, yaml.ScalarNode) and node.value in _STATES:
        return PowerMix(*(float(state == node.value) for state in _STATES))
    if isinstance(node, yaml.MappingNode):
        return _mix(node, path)
    _expect(node, path, "on, off, suspended or a mapping of shares")


def _vm_group(node: yaml.Node, path: str) -> VmGroup:
    keys = (*_SIZE_KEYS, "sizes", "power", "guest")
    f, count, name = _group_fields(node, path, keys, _VM_PLACEHOLDERS, None)
    single = any(key in f.values for key in _SIZE_KEYS)
    if single and "sizes" in f.values:
        raise ScenarioError(f.lines["sizes"], f"{f.at('sizes')}: give either sizes or cpus and memory_mib")
    sizes = (_size(f),) if single else f.get("sizes", _sizes, None)
    guest = f.get("guest", partial(_string, rule=_GUEST), None)
    return VmGroup(count, name, sizes, f.get("power", _power, None), guest, f.line)


def _host(node: yaml.Node, path: str) -> HostGroup:
    keys = ("cpus", "memory_mib", "vms")
    f, count, name = _group_fields(node, path, keys, ("n", "d", "c", "h"), HostGroup.name)
    cpus = f.get("cpus", _positive, HostGroup.cpus)
    memory = f.get("memory_mib", _positive, HostGroup.memory_mib)
    vms = f.get("vms", _each(_vm_group), ())
    if count > 1:
        _no_repeated_names(vms, "host", "h")
    return HostGroup(count, name, cpus, memory, vms, f.line)


def _cluster(node: yaml.Node, path: str) -> ClusterGroup:
    f, count, name = _group_fields(node, path, ("hosts",), ("n", "d", "c"), ClusterGroup.name)
    hosts = f.get("hosts", _each(_host), ())
    if count > 1:
        _no_repeated_names([vm for host in hosts for vm in host.vms], "cluster", "c")
    return ClusterGroup(count, name, hosts, f.line)


def _no_repeated_names(vms: Iterable[VmGroup], level: str, varying: str) -> None:
    """VMs of a repeated host or cluster share the datacenter's VM folder, where vCenter refuses two
    VMs of one name: their names must vary with the repetition (``{h}`` or ``{c}``) or be ``{vm}``."""
    for vm in vms:
        fields = {field for _, field, _, _ in Formatter().parse(vm.name or "") if field}
        if vm.name is not None and not fields & {varying, "vm"}:
            raise ScenarioError(
                vm.line,
                f"VM name {vm.name!r} would repeat on every {level} of the group; "
                f"use {{{varying}}} or {{vm}} in it",
            )


def _datastore(node: yaml.Node, path: str) -> DatastoreGroup:
    f, count, name = _group_fields(node, path, ("capacity_gib",), ("n", "d", "s"), DatastoreGroup.name)
    return DatastoreGroup(count, name, f.get("capacity_gib", _positive, DatastoreGroup.capacity_gib), f.line)


def _network(node: yaml.Node, path: str) -> NetworkGroup:
    if isinstance(node, yaml.ScalarNode):  # a plain name: one network
        return NetworkGroup(name=_template(node, path, ("n", "d", "k"), 1), line=_line(node))
    f, count, name = _group_fields(node, path, (), ("n", "d", "k"), NetworkGroup.name)
    return NetworkGroup(count, name, f.line)


def _datacenter(node: yaml.Node, path: str) -> DatacenterGroup:
    keys = ("clusters", "datastores", "networks")
    f, count, name = _group_fields(node, path, keys, ("n", "d"), DatacenterGroup.name)
    clusters, datastores = f.get("clusters", _each(_cluster), ()), f.get("datastores", _each(_datastore), ())
    return DatacenterGroup(count, name, clusters, datastores, f.get("networks", _each(_network), ()), f.line)


def _inventory(node: yaml.Node, path: str) -> InventoryPlan:
    """The counts form when ``datacenters`` is a number or absent, the explicit one when it is a list."""
    counts = tuple(InventorySpec.__dataclass_fields__)
    f = _Fields(node, path, (*counts, "vm_sizes", "power"))
    datacenters = f.values.get("datacenters")
    if isinstance(datacenters, yaml.SequenceNode):
        extra = next((key for key in f.values if key != "datacenters"), None)
        if extra:
            raise ScenarioError(f.lines[extra], f"{f.at(extra)}: not allowed with a list of datacenters")
        return InventoryPlan(_list(datacenters, f.at("datacenters"), _datacenter, 1))
    if datacenters is not None and not _is(datacenters, "int"):
        _expect(datacenters, f.at("datacenters"), "a number or a list of datacenters")
    given = [key for key in counts if key in f.values]
    spec = {key: _int(f.values[key], f.at(key), 1 if key == "datacenters" else 0, MAX_COUNT) for key in given}
    sizes, power = f.get("vm_sizes", _sizes, None), f.get("power", _mix, None)
    return InventoryPlan.from_counts(InventorySpec(**spec), sizes, power)


def _compose(text: str) -> yaml.Node | None:
    """The document's node tree, refused when too deep (before composing) or too big (aliases expanded)."""
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_LOADER):
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            if depth > MAX_DEPTH:
                raise ScenarioError(event.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = ", ".join(filter(None, (exc.context, exc.problem)))
        raise ScenarioError(mark.line + 1 if mark else 0, f"invalid YAML: {reason}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow in a document
        line = text.count("\n", 0, exc.position) + 1
        message = f"invalid YAML: the character #x{exc.character:04x} is not allowed"
        raise ScenarioError(line, message) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(0, f"invalid YAML: {exc}") from None
    visited, stack = 0, [root] if root is not None else []
    while stack:
        node = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            raise ScenarioError(_line(node), f"more than {MAX_NODES} YAML values (aliases expanded)")
        if isinstance(node, yaml.ScalarNode) and "\x00" in node.value:  # an escaped "\0"
            raise ScenarioError(_line(node), "a value must not contain the NUL character")
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
    return root


def parse(text: str) -> Scenario:
    """The scenario a file describes; ScenarioError names the first line that is wrong and why."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise ScenarioError(0, f"the scenario is not UTF-8 text: {exc.reason}") from None
    if size > MAX_SCENARIO_BYTES:
        raise ScenarioError(0, f"the scenario is {size} bytes; at most {MAX_SCENARIO_BYTES} are allowed")
    root = _compose(text)
    if root is None or _is(root, "null"):
        return Scenario(source=text)
    f = _Fields(root, "", ("base", "settings", "identity", "inventory"))
    base = f.get("base", partial(_string, rule=_BASE), "demo")
    settings = f.get("settings", lambda node, path: _Fields(node, path, SETTINGS).each(_setting), {})
    identity = f.get("identity", _identity, IdentityPlan())
    inventory = f.get("inventory", _inventory, None)
    if inventory is not None and inventory.vm_count > MAX_VMS:
        message = f"inventory: plans {inventory.vm_count} VMs; at most {MAX_VMS} are allowed"
        raise ScenarioError(f.lines["inventory"], message)
    return Scenario(base, settings, identity, inventory, source=text)
