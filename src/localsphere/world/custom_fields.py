"""vSphere's custom attributes (``CustomFieldsManager``): definitions, each a name for objects of
one managed type (or of every type), and the values set on inventory objects.

Both are one JSON document on the ``vim.custom_fields`` row of the settings table, written
whole under a row lock, so every worker and every restart sees the same ones:
``{"next": 3, "fields": [{"key": 1, "name": "owner", "type": "VirtualMachine"}],
"values": {"vm-14": {"1": "ops"}}}`` (``type`` None: every managed type). A field's key counts
up from 1 and is never reused; removing a field removes its values everywhere."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.schema import SystemSetting
from localsphere.world.store import INVENTORY, Store, changed

SECTION = "vim.custom_fields"
NAME_LENGTH = 255  # characters of a field's name
VALUE_LENGTH = 65535  # characters of a value


@dataclass(frozen=True)
class FieldDef:
    """One definition: its ``key``, ``name`` and the managed type (``VirtualMachine``) it is for,
    None for every type."""

    key: int
    name: str
    type: str | None


def _document(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {"next": 1, "fields": [], "values": {}}


def _defs(doc: dict[str, Any]) -> list[FieldDef]:
    return [FieldDef(int(f["key"]), f["name"], f["type"]) for f in doc["fields"]]


class CustomFields:
    def __init__(self, store: Store) -> None:
        self._store = store

    def _read(self) -> dict[str, Any]:
        with self._store.query() as conn:
            return _document(conn.scalar(select(SystemSetting.value).where(SystemSetting.section == SECTION)))

    def fields(self) -> list[FieldDef]:
        """Every definition, by key."""
        return _defs(self._read())

    def values(self, moids: Collection[str]) -> dict[str, dict[int, str]]:
        """The values set on each of ``moids`` that has any: ``{moid: {key: value}}``."""
        values = self._read()["values"]
        return {m: {int(k): v for k, v in values[m].items()} for m in moids if values.get(m)}

    def _change(self, change: Any) -> Any:
        """Run ``change`` on the document, locked, and keep what it made of it."""
        with self._store.write() as s:
            row = s.get(SystemSetting, SECTION, with_for_update=True)
            doc = _document(row.value if row is not None else None)
            result = change(doc)
            text = json.dumps(doc, sort_keys=True)
            if row is None:
                s.add(SystemSetting(section=SECTION, value=text))
            else:
                row.value = text
            changed(s, INVENTORY)
            return result

    @staticmethod
    def _named(doc: dict[str, Any], name: str, type_name: str | None, but: int | None = None) -> None:
        """Conflict ``custom_field.duplicate`` when another field of the same type has ``name``."""
        if not name or len(name) > NAME_LENGTH:
            raise Invalid("custom_field.name", "A custom field's name must be 1 to 255 characters.", name)
        for f in doc["fields"]:
            same_type = f["type"] is None or type_name is None or f["type"] == type_name
            if f["name"] == name and f["key"] != but and same_type:
                raise Conflict("custom_field.duplicate", f"The name '{name}' already exists.", name)

    def add(self, name: str, type_name: str | None) -> FieldDef:
        """Define a field; Invalid for a blank or long name, Conflict for a name taken."""

        def change(doc: dict[str, Any]) -> FieldDef:
            self._named(doc, name, type_name)
            made = {"key": doc["next"], "name": name, "type": type_name}
            doc["next"] += 1
            doc["fields"].append(made)
            return FieldDef(made["key"], name, type_name)

        return self._change(change)

    @staticmethod
    def _field(doc: dict[str, Any], key: int) -> dict[str, Any]:
        found = next((f for f in doc["fields"] if f["key"] == key), None)
        if found is None:
            raise NotFound("custom_field.not_found", f"No custom field has the key {key}.", str(key))
        return found

    def remove(self, key: int) -> None:
        """Remove a field and its values; NotFound for an unknown key."""

        def change(doc: dict[str, Any]) -> None:
            doc["fields"].remove(self._field(doc, key))
            for values in doc["values"].values():
                values.pop(str(key), None)
            doc["values"] = {m: v for m, v in doc["values"].items() if v}

        self._change(change)

    def rename(self, key: int, name: str) -> None:
        """Rename a field; NotFound, Invalid and Conflict as ``add`` and ``remove``."""

        def change(doc: dict[str, Any]) -> None:
            found = self._field(doc, key)
            self._named(doc, name, found["type"], key)
            found["name"] = name

        self._change(change)

    def set(self, moid: str, types: Collection[str], key: int, value: str) -> None:
        """Set field ``key`` on the object ``moid``, whose managed type is any of ``types`` (its
        type and those it extends); an empty value removes it. NotFound for an unknown key,
        Invalid (``custom_field.type``) for a field of another type or a value too long."""

        def change(doc: dict[str, Any]) -> None:
            found = self._field(doc, key)
            if found["type"] is not None and found["type"] not in types:
                raise Invalid("custom_field.type", f"The field {key} is not for this object.", str(key))
            if len(value) > VALUE_LENGTH:
                raise Invalid("custom_field.value", "The value is too long.", "value")
            values = doc["values"].setdefault(moid, {})
            if value:
                values[str(key)] = value
            else:
                values.pop(str(key), None)
            doc["values"] = {m: v for m, v in doc["values"].items() if v}

        self._change(change)
