"""vAPI types, each with its three encodings: plain JSON (REST, ``/api``), the legacy REST JSON
of ``/rest`` (plain JSON too, but a map is a list of ``{"key", "value"}`` entries), and the typed
JSON of vAPI JSON-RPC (``{"STRUCTURE": {name: {...}}}``, ``{"OPTIONAL": v}``, ``{"SECRET": v}``).

An operation declares its input and output once in these types; the faces only pick the codec.
Decoding failures raise ``Bad`` naming where in the value it went wrong. REST output, the path
every read takes, is encoded by a function each type works out once (``rest_encoder``), which
skips whatever a value needs nothing done to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from localsphere.faces.http import iso_timestamp


class Bad(Exception):
    """A value that does not have the declared type: ``reason`` says how (a value of another type,
    a required field missing, a field the structure does not have), for the catalogue's words."""

    def __init__(
        self, where: str, expected: str, reason: str = "input.invalid", text: str | None = None
    ) -> None:
        super().__init__(text or f"Invalid value for {where or 'input'}: expected {expected}")
        self.where = where
        self.reason = reason


Encoder = Callable[[Any], Any]


class Type:
    name = "value"

    def rest(self, value: Any) -> Any:
        encode = self.rest_encoder
        return value if encode is None else encode(value)

    @cached_property
    def rest_encoder(self) -> Encoder | None:
        """How a value becomes REST JSON, worked out once for the type; None: it is itself."""
        return None

    def rpc(self, value: Any) -> Any:
        return value

    @cached_property
    def has_map(self) -> bool:
        """Whether a map is in it: only then do legacy REST and REST differ."""
        return False

    def legacy(self, value: Any) -> Any:
        """Legacy REST (``/rest``) JSON: REST's, but every map a list of ``{"key", "value"}``."""
        return self.rest(value)

    def read_legacy(self, data: Any, where: str) -> Any:
        return self.read_rest(data, where)

    def read_rest(self, data: Any, where: str) -> Any:
        return self.check(data, where)

    def read_rpc(self, data: Any, where: str) -> Any:
        return self.check(data, where)

    def check(self, data: Any, where: str) -> Any:
        return data

    def from_text(self, text: str, where: str) -> Any:
        """A value given as a URL query parameter."""
        return self.read_rest(text, where)


class Str(Type):
    name = "string"

    def check(self, data: Any, where: str) -> Any:
        if not isinstance(data, str):
            raise Bad(where, self.name)
        return data


class Long(Type):
    name = "integer"

    def check(self, data: Any, where: str) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            raise Bad(where, self.name)
        return data

    def from_text(self, text: str, where: str) -> Any:
        try:
            return int(text)
        except ValueError:
            raise Bad(where, self.name) from None


class Bool(Type):
    name = "boolean"

    def check(self, data: Any, where: str) -> Any:
        if not isinstance(data, bool):
            raise Bad(where, self.name)
        return data

    def from_text(self, text: str, where: str) -> Any:
        if text.lower() not in ("true", "false"):
            raise Bad(where, self.name)
        return text.lower() == "true"


class DateTime(Type):
    """World times are epoch seconds; on the wire, ISO 8601 with milliseconds."""

    name = "date-time"

    @cached_property
    def rest_encoder(self) -> Encoder | None:
        return iso_timestamp

    def rpc(self, value: Any) -> Any:
        return iso_timestamp(value)


@dataclass
class Enum(Type):
    values: tuple[str, ...]
    name: str = "enumeration"

    def check(self, data: Any, where: str) -> Any:
        if data not in self.values:
            raise Bad(where, "one of " + ", ".join(self.values))
        return data


class Secret(Str):
    name = "secret"

    def rpc(self, value: Any) -> Any:
        return {"SECRET": value}

    def read_rpc(self, data: Any, where: str) -> Any:
        if isinstance(data, dict) and set(data) == {"SECRET"}:
            data = data["SECRET"]
        return self.check(data, where)


@dataclass
class Optional(Type):
    of: Type
    name: str = "optional"

    @cached_property
    def rest_encoder(self) -> Encoder | None:
        inner = self.of.rest_encoder
        if inner is None:
            return None
        return lambda value: None if value is None else inner(value)

    def rpc(self, value: Any) -> Any:
        return {"OPTIONAL": None if value is None else self.of.rpc(value)}

    @cached_property
    def has_map(self) -> bool:
        return self.of.has_map

    def legacy(self, value: Any) -> Any:
        return None if value is None else self.of.legacy(value)

    def read_legacy(self, data: Any, where: str) -> Any:
        return None if data is None else self.of.read_legacy(data, where)

    def read_rest(self, data: Any, where: str) -> Any:
        return None if data is None else self.of.read_rest(data, where)

    def read_rpc(self, data: Any, where: str) -> Any:
        if not isinstance(data, dict) or set(data) != {"OPTIONAL"}:
            raise Bad(where, "an OPTIONAL value")
        inner = data["OPTIONAL"]
        return None if inner is None else self.of.read_rpc(inner, where)

    def from_text(self, text: str, where: str) -> Any:
        return self.of.from_text(text, where)


@dataclass
class ListOf(Type):
    """A list, or a set (``unique``): sets come back as Python sets."""

    of: Type
    unique: bool = False
    name: str = "list"

    @cached_property
    def rest_encoder(self) -> Encoder | None:
        inner = self.of.rest_encoder
        if inner is None:
            return _ordered
        return lambda value: [inner(v) for v in _ordered(value)]

    def rpc(self, value: Any) -> Any:
        return [self.of.rpc(v) for v in _ordered(value)]

    @cached_property
    def has_map(self) -> bool:
        return self.of.has_map

    def legacy(self, value: Any) -> Any:
        if not self.has_map:
            return self.rest(value)
        return [self.of.legacy(v) for v in _ordered(value)]

    def read_legacy(self, data: Any, where: str) -> Any:
        return self._collect(data, where, self.of.read_legacy)

    def read_rest(self, data: Any, where: str) -> Any:
        return self._collect(data, where, self.of.read_rest)

    def read_rpc(self, data: Any, where: str) -> Any:
        return self._collect(data, where, self.of.read_rpc)

    def _collect(self, data: Any, where: str, read: Any) -> Any:
        if not isinstance(data, list):
            raise Bad(where, "a list")
        items = [read(v, f"{where}[{i}]") for i, v in enumerate(data)]
        return set(items) if self.unique else items

    def values_from_text(self, texts: list[str], where: str) -> Any:
        items = [self.of.from_text(t, f"{where}[{i}]") for i, t in enumerate(texts)]
        return set(items) if self.unique else items


@dataclass
class MapOf(Type):
    """A map: a JSON object in REST, a list of ``map-entry`` structures in JSON-RPC."""

    key: Type
    value: Type
    name: str = "map"

    @cached_property
    def rest_encoder(self) -> Encoder | None:
        keys, values = self.key.rest, self.value.rest_encoder
        if values is None:
            return lambda value: {str(keys(k)): v for k, v in value.items()}
        return lambda value: {str(keys(k)): values(v) for k, v in value.items()}

    def rpc(self, value: Any) -> Any:
        return [
            {"STRUCTURE": {"map-entry": {"key": self.key.rpc(k), "value": self.value.rpc(v)}}}
            for k, v in value.items()
        ]

    @cached_property
    def has_map(self) -> bool:
        return True

    def legacy(self, value: Any) -> Any:
        return [{"key": self.key.legacy(k), "value": self.value.legacy(v)} for k, v in value.items()]

    def read_legacy(self, data: Any, where: str) -> Any:
        return self._entries(data, where, "a list of key and value entries", Struct.read_legacy)

    def read_rest(self, data: Any, where: str) -> Any:
        if not isinstance(data, dict):
            raise Bad(where, "an object")
        return {
            self.key.read_rest(k, where): self.value.read_rest(v, f"{where}.{k}") for k, v in data.items()
        }

    def read_rpc(self, data: Any, where: str) -> Any:
        return self._entries(data, where, "a list of map-entry structures", Struct.read_rpc)

    def _entries(self, data: Any, where: str, expected: str, read: Callable[..., Any]) -> dict[Any, Any]:
        """A map given as a list of entries, each read by ``read`` as a key and value structure."""
        if not isinstance(data, list):
            raise Bad(where, expected)
        entry = Struct("map-entry", {"key": self.key, "value": self.value})
        found = [read(entry, item, f"{where}[{i}]") for i, item in enumerate(data)]
        return {e["key"]: e["value"] for e in found}


def _ordered(value: Any) -> list[Any]:
    return sorted(value) if isinstance(value, set | frozenset) else list(value)


@dataclass
class Struct(Type):
    """A structure: ``fields`` in declaration order. Values are dicts keyed by field name; a
    missing optional field reads as None."""

    name: str
    fields: dict[str, Type] = field(default_factory=dict)

    @cached_property
    def rest_encoder(self) -> Encoder | None:
        plan = [(key, kind.rest_encoder, isinstance(kind, Optional)) for key, kind in self.fields.items()]

        def encode(value: Any) -> Any:
            out = {}
            for key, encode_field, optional in plan:
                item = value.get(key)
                if item is None:
                    if optional:
                        continue  # REST leaves unset optional fields out
                    out[key] = None
                else:
                    out[key] = item if encode_field is None else encode_field(item)
            return out

        return encode

    def rpc(self, value: Any) -> Any:
        return {
            "STRUCTURE": {self.name: {key: kind.rpc(value.get(key)) for key, kind in self.fields.items()}}
        }

    @cached_property
    def has_map(self) -> bool:
        return any(kind.has_map for kind in self.fields.values())

    def legacy(self, value: Any) -> Any:
        if not self.has_map:
            return self.rest(value)
        out = {}
        for key, kind in self.fields.items():
            item = value.get(key)
            if item is not None:
                out[key] = kind.legacy(item)
            elif not isinstance(kind, Optional):
                out[key] = None
        return out

    def read_legacy(self, data: Any, where: str) -> Any:
        if not isinstance(data, dict):
            raise Bad(where, "an object")
        return self._fields(data, where, lambda kind, v, at: kind.read_legacy(v, at))

    def read_rest(self, data: Any, where: str) -> Any:
        if not isinstance(data, dict):
            raise Bad(where, "an object")
        return self._fields(data, where, lambda kind, v, at: kind.read_rest(v, at))

    def read_rpc(self, data: Any, where: str) -> Any:
        if (
            not isinstance(data, dict)
            or set(data) != {"STRUCTURE"}
            or not isinstance(data["STRUCTURE"], dict)
        ):
            raise Bad(where, f"a STRUCTURE {self.name}")
        body = data["STRUCTURE"]
        inner = next(iter(body.values())) if len(body) == 1 else None
        if not isinstance(inner, dict):
            raise Bad(where, f"a STRUCTURE {self.name}")
        return self._fields(inner, where, lambda kind, v, at: kind.read_rpc(v, at))

    def _fields(self, data: dict[str, Any], where: str, read: Any) -> dict[str, Any]:
        """The declared fields; a field the structure does not declare is refused when it has a
        value (vAPI's ``vapi.data.structure.field.unexpected``), ignored when null or unset."""
        out = {}
        for key, kind in self.fields.items():
            at = f"{where}.{key}" if where else key
            if key not in data or data[key] is None:
                if isinstance(kind, Optional):
                    out[key] = None
                    continue
                text = f"Field '{key}' missing from structure '{self.name}' (at {at})"
                raise Bad(at, f"a required {kind.name}", "input.missing", text)
            out[key] = read(kind, data[key], at)
        for key in sorted(data.keys() - self.fields.keys()):
            if data[key] is not None and data[key] != {"OPTIONAL": None}:
                at = f"{where}.{key}" if where else key
                text = f"Found unexpected field '{key}' in structure '{self.name}' (at {at})"
                raise Bad(at, "no such field", "input.unexpected", text)
        return out


STRING, LONG, BOOLEAN, DATETIME, SECRET = Str(), Long(), Bool(), DateTime(), Secret()


def optional(of: Type) -> Optional:
    return Optional(of)


def list_of(of: Type) -> ListOf:
    return ListOf(of)


def set_of(of: Type) -> ListOf:
    return ListOf(of, unique=True)


def map_of(key: Type, value: Type) -> MapOf:
    return MapOf(key, value)
