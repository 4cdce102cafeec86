"""Settings documents field by field: an answer copied from a world dataclass, and a request's
values read into one, by the field names both share (a type's fields in ``types_admin`` carry
the world's names); each value typed as the world's field is."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from typing import Any, TypeVar

from localsphere.faces.http import InputError
from localsphere.faces.vcd.model import VCLOUD, XmlType, child_elements
from localsphere.faces.vcd.wire import whole

W = TypeVar("W")


def copy(kind: type[XmlType], source: Any, **extra: Any) -> Any:
    """An answer of ``kind`` with the values of the world's ``source`` whose names it shares."""
    shared = {name: getattr(source, name) for name in child_elements(kind) if hasattr(source, name)}
    return kind(**{**shared, **extra})


def read_into(kind: type[XmlType], body: ET.Element, current: W, namespace: str = VCLOUD) -> W:
    """``current`` (a world dataclass) with the plain values ``body`` (an element of ``kind``)
    gives; what it leaves out stays. InputError (400) when a value is not of its field's type."""
    values: dict[str, Any] = {}
    for name, tag in child_elements(kind).items():
        if not isinstance(getattr(current, name, None), (bool, int, str)):
            continue  # not the world's, or a nested part the caller reads itself
        found = body.find(f"{{{namespace}}}{tag}")
        if found is None:
            continue
        values[name] = typed(found.text or "", getattr(current, name), tag)
    return dataclasses.replace(current, **values)  # type: ignore[type-var]


def typed(text: str, like: Any, name: str) -> Any:
    """``text`` as the type of ``like``: a boolean (``true``/``false``, ``1``/``0``), a whole
    number, or text."""
    if isinstance(like, bool):
        value = text.strip().lower()
        if value not in ("true", "false", "1", "0"):
            raise InputError("value", f"{name} must be true or false.")
        return value in ("true", "1")
    if isinstance(like, int):
        return whole(text, name)
    return text
