"""The suite-api's XML: the face's JSON-shaped dicts to the product's ``ops:`` documents, and the
product's XML request bodies back to the JSON shape the JSON API takes.

The mapping is a table, ``TYPES``, rather than code per document, because JSON and XML differ in
the same few ways everywhere: some keys are attributes, a list is either one element per item,
a wrapper element around named items, or one element of space-separated tokens, and XML text
has no types. One table drives both directions, so a new document is one entry. Where the spec's
schema metadata and its XML examples disagree the table follows the examples (they are the
product's output): e.g. ``pageInfo`` and ``relationshipType`` keep their JSON names, a resource
key's identifiers are ``resourceIdentifier`` items, and ``stats`` lists are token lists.

Keys missing from an entry are plain string elements (any value type encodes: bools as
``true``/``false``, floats by ``repr``, ``None`` as ``xsi:nil``); decoding them yields text,
a dict for an element with children, a list when the element repeats.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from localsphere.faces.http import parse_xml

NAMESPACE = "http://webservice.vmware.com/vRealizeOpsMgr/1.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NIL = f"{{{XSI}}}nil"
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ROOT_NAMESPACES = {
    "xmlns:ops": NAMESPACE,
    "xmlns:xs": "http://www.w3.org/2001/XMLSchema",
    "xmlns:xsi": XSI,
}
_XML_TYPES = ("application/xml", "text/xml")
_JSON_TYPE = "application/json"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


class XmlError(ValueError):
    """A request body that is not acceptable XML: malformed, with a DTD or entities, the wrong root
    element, or a value of the wrong type. The message is fit for the client."""


Kind = Literal["attr", "text", "one", "many", "wrapped", "tokens"]


@dataclass(frozen=True, slots=True)
class Field:
    """How one JSON key is written. ``type`` is a scalar ("str", "int", "float", "bool", or
    "datetime": epoch milliseconds in JSON, xs:dateTime in XML) or the name of a ``TYPES`` entry.
    ``name`` is the XML element name when it is not the JSON key: the item element of a "many"
    list, or the items inside a "wrapped" list's wrapper (which keeps the JSON key)."""

    kind: Kind
    type: str = "str"
    name: str | None = None


def attr(type: str = "str") -> Field:
    """An attribute of the element."""
    return Field("attr", type)


def text(type: str = "str") -> Field:
    """The element's own text (an element that also has attributes, like ``name-value``)."""
    return Field("text", type)


def one(type: str = "str") -> Field:
    """One child element."""
    return Field("one", type)


def many(type: str = "str", name: str | None = None) -> Field:
    """A list written as one element per item, with no wrapper; an empty list writes nothing."""
    return Field("many", type, name)


def wrapped(item: str, type: str = "str") -> Field:
    """A list inside a wrapper element named after the JSON key, one ``item`` element per item."""
    return Field("wrapped", type, item)


def tokens(type: str = "str") -> Field:
    """A list written as one element of space-separated values (xs:list)."""
    return Field("tokens", type)


_LINKS = wrapped("link", "link")
_PAGED = {"pageInfo": one("page-info"), "links": _LINKS}  # the head of every paged list

# entry name -> {JSON key -> Field}; keys not listed are string elements named like the key
TYPES: dict[str, dict[str, Field]] = {
    # shared parts
    "link": {"href": attr(), "rel": attr(), "name": attr()},
    "page-info": {"totalCount": attr("int"), "page": one("int"), "pageSize": one("int")},
    "name-value": {"name": attr(), "value": text()},
    "resource-identifier-type": {"name": attr(), "dataType": attr(), "isPartOfUniqueness": attr("bool")},
    "resource-identifier": {"identifierType": one("resource-identifier-type"), "links": _LINKS},
    "resource-key": {
        "resourceIdentifiers": wrapped("resourceIdentifier", "resource-identifier"),
        "links": _LINKS,
    },
    "badge": {"type": attr(), "color": attr(), "score": attr("float")},
    "resource": {
        "creationTime": attr("int"),
        "identifier": attr(),
        "resourceKey": one("resource-key"),
        "resourceStatusStates": wrapped("resource-status-state", "resource-status-state"),
        "resourceHealthValue": one("float"),
        "dtEnabled": one("bool"),
        "monitoringInterval": one("int"),
        "monitoringIntervalSeconds": one("int"),
        "badges": wrapped("badge", "badge"),
        "relatedResources": wrapped("relatedResources"),
        "links": _LINKS,
    },
    "resource-status-state": {},
    "stat-key": {},
    "interval-unit": {"quantifier": one("int")},
    "stat": {
        "timestamps": tokens("int"),
        "statKey": one("stat-key"),
        "intervalUnit": one("interval-unit"),
        "data": tokens("float"),
        "values": tokens(),
        "statValues": wrapped("statValue"),
        "dtTimestamps": tokens("int"),
        "minThresholdData": tokens("float"),
        "maxThresholdData": tokens("float"),
        "smoothValues": tokens("float"),
        "links": _LINKS,
    },
    "stat-list": {"stat": many("stat")},
    "stats-of-resource": {"stat-list": one("stat-list")},
    "stat-content": {
        "statKey": attr(),
        "timestamps": many("int"),
        "data": many("float"),
        "values": many(),
    },
    "resource-stat-content": {
        "id": attr(),
        "resourceKey": one("resource-key"),
        "stat-contents": wrapped("stat-content", "stat-content"),
    },
    "resource-kind-attribute": {
        "defaultMonitored": one("bool"),
        "monitoring": one("bool"),
        "property": one("bool"),
    },
    # documents we answer
    "auth-token": {"validity": one("int"), "roles": wrapped("role")},
    "version": {
        "major": one("int"),
        "minor": one("int"),
        "minorMinor": one("int"),
        "patch": one("int"),
        "buildNumber": one("int"),
        "releasedDate": one("datetime"),
    },
    "versions": {"values": many("version", "version")},
    "adapter-kind": {
        "key": attr(),
        "describeVersion": one("int"),
        "identifiers": many(),
        "resourceKinds": many(),
        "links": _LINKS,
    },
    "adapter-kinds": {"adapter-kind": many("adapter-kind")},
    "resource-kind": {
        "key": attr(),
        "resourceIdentifierTypes": wrapped("resourceIdentifierType", "resource-identifier-type"),
        "links": _LINKS,
    },
    "resource-kinds": {**_PAGED, "resource-kind": many("resource-kind")},
    "resources": {**_PAGED, "resourceList": many("resource", "resource")},
    "resource-relation": {**_PAGED, "resourceList": many("resource", "resource")},
    "resource-property": {"resourceId": attr(), "property": many("name-value", "property")},
    "resource-properties": {"resourcePropertiesList": many("resource-property", "resource-property")},
    "stats-of-resources": {"values": many("stats-of-resource", "stats-of-resource")},
    "stat-keys": {"stat-key": many("stat-key")},
    "resource-kind-attributes": {
        "resourceTypeAttributes": many("resource-kind-attribute", "resource-kind-attribute")
    },
    # the auth section
    "role-permission": {
        "allowAllObjects": attr("bool"),
        "traversal-spec-instances": wrapped("traversal-spec-instance", "traversal-spec-instance"),
        "links": _LINKS,
    },
    "traversal-spec-instance": {
        "selectAllResources": attr("bool"),
        "includedAdapterKinds": wrapped("includedAdapterKinds"),
        "resourceSelection": many("resource-selection"),
    },
    "resource-selection": {"type": attr(), "resourceId": many()},
    "user": {
        "enabled": attr("bool"),
        "groupIds": many(),
        "roleNames": wrapped("roleName"),
        "role-permissions": wrapped("role-permission", "role-permission"),
        "lastLoginTime": one("int"),
        "links": _LINKS,
    },
    "user-list": {"users": many("user", "user")},
    "user-group": {
        "userIds": wrapped("userId"),
        "roleNames": wrapped("roleName"),
        "role-permissions": wrapped("role-permission", "role-permission"),
        "links": _LINKS,
    },
    "user-groups": {"userGroups": many("user-group", "user-group")},
    "user-role": {
        "system-created": attr("bool"),
        "privilege-keys": wrapped("privilege-key"),
        "links": _LINKS,
    },
    "user-roles": {"userRoles": many("user-role", "user-role")},
    "privilege": {"key": attr(), "links": _LINKS},
    "privileges": {"privileges": many("privilege", "privilege")},
    "privilege-keys": {"privilege-key": many()},
    "privilege-group": {"key": attr(), "links": _LINKS},
    "privilege-groups": {"privilegeGroups": many("privilege-group", "privilege-group")},
    "scope-details": {
        "id": attr(),
        "creationTime": one("int"),
        "lastModifiedTime": one("int"),
        "traversalSpecInstances": wrapped("traversalSpecInstance", "traversal-spec-instance"),
    },
    "scopes-details": {"scopesDetails": wrapped("scopeDetails", "scope-details")},
    "scope": {
        "id": attr(),
        "traversalSpecInstances": wrapped("traversalSpecInstance", "traversal-spec-instance"),
    },
    "uuid-values": {"uuids": tokens()},
    "traversal-spec": {"adapterInstanceAssociation": attr("bool")},
    "traversal-specs": {"specs": many("traversal-spec", "traversal-spec")},
    "auth-sourcetype": {"id": attr(), "links": _LINKS},
    "auth-source": {  # its properties and certificates as the spec's examples write them
        "created": attr("int"),
        "lastModified": attr("int"),
        "sourceType": one("auth-sourcetype"),
        "property": many("name-value", "name-value"),
        "certificates": many("certificate", "certificates"),
        "links": _LINKS,
    },
    "certificate": {},
    "auth-sources": {"sources": many("auth-source", "auth-source")},
    "auth-sourcetypes": {"sourceTypes": many("auth-sourcetype", "auth-sourcetype")},
    "user-search-response": {"name": attr()},
    "user-search-responses": {"user-search-response": many("user-search-response")},
    "usergroup-search-response": {"name": attr()},
    "usergroup-search-responses": {"usergroup-search-response": many("usergroup-search-response")},
    "role-permissions": {"permissions": many("role-permission", "role-permission")},
    "error": {"httpStatusCode": attr("int"), "apiErrorCode": attr("int"), "links": _LINKS},
    # request bodies we read
    "username-password": {},
    "password-change": {},
    "user-search-request": {},
    "usergroup-search-request": {},
    "stat-query": {
        "resourceId": tokens(),
        "statKey": tokens(),
        "begin": one("int"),
        "end": one("int"),
        "intervalQuantifier": one("int"),
        "dt": one("bool"),
        "latestMaxSamples": one("int"),
        "metrics": one("bool"),
        "currentOnly": one("bool"),
        "wrapStatValues": one("bool"),
    },
    "dt-stat-query": {
        "resourceIds": tokens(),
        "statKeys": tokens(),
        "begin": one("int"),
        "end": one("int"),
        "showSmooth": one("bool"),
        "smoothFactor": one("float"),
    },
    "latest-stat-query": {
        "resourceId": tokens(),
        "statKey": tokens(),
        "maxSamples": one("int"),
        "metrics": one("bool"),
        "currentOnly": one("bool"),
        "wrapStatValues": one("bool"),
    },
    "stat-contents": {"stat-content": many("stat-content")},
    "resources-stat-contents": {"resource-stat-content": many("resource-stat-content")},
}
_PLAIN = one()


def _element_names(entry: dict[str, Field]) -> dict[str, tuple[str, Field]]:
    """XML child element name -> (JSON key, Field), for decoding."""
    return {
        (f.name or key) if f.kind == "many" else key: (key, f)
        for key, f in entry.items()
        if f.kind not in ("attr", "text")
    }


_BY_ELEMENT = {name: _element_names(entry) for name, entry in TYPES.items()}


def wants_xml(accept: str | None) -> bool:
    """Whether an Accept header prefers XML (``application/xml``, ``text/xml``) to JSON. Each type
    takes the q of its most specific matching range (exact, then ``type/*``, then ``*/*``); on equal
    q the more specific match wins (``application/xml, */*`` is XML), and a full tie is JSON."""
    ranges: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges[media.lower()] = max(q, ranges.get(media.lower(), 0.0))

    def quality(media: str) -> tuple[float, int]:
        """(q, specificity) of the most specific range that matches ``media``."""
        for specificity, candidate in ((2, media), (1, media.split("/")[0] + "/*"), (0, "*/*")):
            if candidate in ranges:
                return ranges[candidate], specificity
        return 0.0, -1

    best = max(quality(t) for t in _XML_TYPES)
    return best[0] > 0 and best > quality(_JSON_TYPE)


# ---- encoding


def encode(root: str, data: Any) -> bytes:
    """The document ``<ops:{root}>`` for ``data``, the JSON-shaped dict the JSON API answers."""
    element = ET.Element(f"ops:{root}")
    _fill(element, root, data)
    element.attrib.update(_ROOT_NAMESPACES)
    ET.indent(element, space="    ")
    return _DECLARATION + ET.tostring(element, encoding="unicode").encode()


def _fill(element: ET.Element, type_: str, value: Any) -> None:
    """Write ``value`` into ``element``: attributes and children for a dict, else text."""
    if value is None:
        element.set("xsi:nil", "true")
    elif isinstance(value, dict):
        entry = TYPES.get(type_, {})
        for key, item in value.items():
            _encode_field(element, key, entry.get(key, _PLAIN), item)
    else:
        element.text = _format(type_, value)


def _encode_field(parent: ET.Element, key: str, field: Field, value: Any) -> None:
    kind = "many" if field.kind == "one" and isinstance(value, list) else field.kind  # an unlisted list
    if kind in ("attr", "text"):
        if value is None:
            return
        if kind == "attr":
            parent.set(key, _format(field.type, value))
        else:
            parent.text = _format(field.type, value)
    elif value is None or kind == "one":
        _fill(ET.SubElement(parent, f"ops:{key}"), field.type, value)
    elif kind == "tokens":
        ET.SubElement(parent, f"ops:{key}").text = " ".join(_format(field.type, v) for v in value)
    elif kind == "wrapped":
        wrapper = ET.SubElement(parent, f"ops:{key}")
        for item in value:
            _fill(ET.SubElement(wrapper, f"ops:{field.name}"), field.type, item)
    else:
        for item in value:
            _fill(ET.SubElement(parent, f"ops:{field.name or key}"), field.type, item)


def _format(type_: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if type_ == "datetime" and isinstance(value, int):
        moment = _EPOCH + value * _MS
        return moment.isoformat(timespec="milliseconds" if value % 1000 else "seconds").replace("+00:00", "Z")
    return repr(value) if isinstance(value, float) else str(value)


# ---- decoding


def decode(body: bytes, root: str) -> dict[str, Any]:
    """The JSON-shaped dict of an XML request body whose root must be ``<ops:{root}>`` (or an
    un-namespaced ``<{root}>``). No DTDs, entities or external references are accepted
    (``parse_xml``: InputError when they or malformed XML are sent)."""
    element = parse_xml(body)
    namespace, name = _split(element.tag)
    if name != root or namespace not in ("", NAMESPACE):
        raise XmlError(
            f"Expected the root element <ops:{root}> in namespace {NAMESPACE}, got <{element.tag}>"
        )
    return _object(element, root)


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _read(element: ET.Element, type_: str) -> Any:
    """The JSON value of ``element``: None when nil; a dict for a table entry or an element with
    children or attributes; else its text as the scalar ``type_``."""
    if element.get(_NIL) == "true":
        return None
    if type_ in TYPES or len(element) or any(not a.startswith("{") for a in element.attrib):
        return _object(element, type_)
    return _parse(type_, element.text or "", f"<ops:{_split(element.tag)[1]}>")


def _object(element: ET.Element, type_: str) -> dict[str, Any]:
    entry = TYPES.get(type_, {})
    out: dict[str, Any] = {}
    for name, raw in element.attrib.items():
        if not name.startswith("{"):  # xsi:nil, xsi:type and the like are not data
            where = f"attribute {name} of <ops:{_split(element.tag)[1]}>"
            out[name] = _parse(entry.get(name, _PLAIN).type, raw, where)
    by_element = _BY_ELEMENT.get(type_, {})
    for child in element:
        name = _split(child.tag)[1]
        key, field = by_element.get(name, (name, _PLAIN))
        if child.get(_NIL) == "true":
            out[key] = None
        elif field.kind == "one" and key in out and name not in by_element:  # an unlisted repeated element
            out[key] = [*(out[key] if isinstance(out[key], list) else [out[key]]), _read(child, field.type)]
        elif field.kind == "one":
            out[key] = _read(child, field.type)
        elif field.kind == "many":
            out.setdefault(key, []).append(_read(child, field.type))
        elif field.kind == "tokens":
            out[key] = [_parse(field.type, t, f"<ops:{name}>") for t in (child.text or "").split()]
        else:  # "wrapped"
            out[key] = [_read(item, field.type) for item in child if _split(item.tag)[1] == field.name]
    for key, field in entry.items():
        if field.kind == "text":
            out[key] = _parse(field.type, element.text or "", f"<ops:{_split(element.tag)[1]}>")
    return out


_EXPECTED = {"int": "an integer", "float": "a number", "bool": "true or false", "datetime": "a date-time"}


def _parse(type_: str, raw: str, where: str) -> Any:
    """``raw`` as the scalar ``type_``; ``where`` names the element or attribute for errors."""
    if type_ not in _EXPECTED:
        return raw
    value = raw.strip()
    try:
        if type_ == "int":
            return int(value)
        if type_ == "float":
            return float(value)
        if type_ == "bool":
            return {"true": True, "1": True, "false": False, "0": False}[value]
        moment = datetime.fromisoformat(value)
        return ((moment if moment.tzinfo else moment.replace(tzinfo=UTC)) - _EPOCH) // _MS
    except (ValueError, KeyError):
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise XmlError(f"{where}: expected {_EXPECTED[type_]}, got '{shown}'") from None
