"""JSON by default, XML when the client asks for it (``Accept: text/xml`` or
``application/xml``, as the Programming Guide's curl examples do). No public sample shows vRA's
XML, so it is the JSON's shape, element for key: an object's root is named by its ``@type``
(``<tenant>``), a list's ``<pagedResources>``, an error body's ``<errors>``; a list field repeats
its element; a null is an empty element with ``nil="true"``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import json_response

XML_TYPES = ("text/xml", "application/xml")
# Characters XML 1.0 cannot hold (JSON can): written as U+FFFD, so the document stays well-formed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
JSON_TYPE = "application/json;charset=UTF-8"  # as the Programming Guide's answers carry it
SERVER = b"Apache-Coyote/1.1"  # the Programming Guide's answers' Server header
# What the Guide's token answer carries, and this face sends with every answer: nothing cached.
NO_CACHE = {"Cache-Control": "no-cache, no-store", "Pragma": "no-cache"}


def json_body(data: object, status: int = 200) -> Response:
    response = json_response(data, status, headers=NO_CACHE)
    response.headers["Content-Type"] = JSON_TYPE
    return response


def xml_type(request: Request) -> str | None:
    """The XML media type the client's ``Accept`` prefers to JSON (by its q-values; a type at
    q=0 is refused, one not named is not wanted), or None for JSON."""
    chosen: dict[str, float] = {}
    for item in request.headers.get("accept", "").lower().split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        key = "json" if media in ("application/json", "application/*", "*/*") else media
        chosen[key] = max(chosen.get(key, 0.0), q)
    best = max(XML_TYPES, key=lambda t: chosen.get(t, 0.0))
    xml = chosen.get(best, 0.0)
    return best if xml > 0 and xml > chosen.get("json", 0.0) else None


def render(request: Request, data: dict[str, Any], status: int = 200, root: str | None = None) -> Response:
    """``data`` as JSON, or as XML when the client asks for it; ``root`` names the XML's root
    element when neither a list's nor an ``@type``'s name fits."""
    media = xml_type(request)
    if media is None:
        return json_body(data, status)
    root_name = root or (
        "pagedResources" if "content" in data else _element_name(data.get("@type"), "resource")
    )
    root = etree.Element(root_name)
    _fill(root, data)
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Response(body, status_code=status, headers=NO_CACHE, media_type=f"{media};charset=UTF-8")


def _element_name(kind: Any, default: str) -> str:
    if not isinstance(kind, str) or not kind:
        return default
    return kind[0].lower() + kind[1:]


def _fill(element: etree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@type":
                element.set("type", _NOT_XML.sub("\ufffd", str(item)))
            elif isinstance(item, list):
                for entry in item:
                    child = etree.SubElement(element, _tag(key))
                    _fill(child, entry)
            else:
                _fill(etree.SubElement(element, _tag(key)), item)
    elif value is None:
        element.set("nil", "true")
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = _NOT_XML.sub("\ufffd", str(value))


def _tag(key: str) -> str:
    """An element name for a key: its ASCII letters, digits, '-', '_' and '.', anything else as
    '_' (what every XML parser takes as a name), never starting with a digit, '-' or '.'."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in key)
    return cleaned if cleaned[:1].isalpha() else f"_{cleaned}"
