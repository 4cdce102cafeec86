"""A small typed layer for the vCloud API's XML: each answer is a dataclass whose fields say
their XML name, whether they are an attribute or a child element, and the API version that
added them (the XSDs' ``meta:version added-in``); ``to_element`` builds the element in the
type's namespace as its default one, leaving out what the requested version does not have and
what is None. Element order is field order, which must be the schema's (the tests validate
answers against the XSDs)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lxml import etree

VCLOUD = "http://www.vmware.com/vcloud/v1.5"
VERSIONS = "http://www.vmware.com/vcloud/versions"
_XML = "xml"  # the metadata key of a field's (kind, name, since)
ATTRIBUTE, ELEMENT = "attribute", "element"


def version_key(version: str) -> tuple[int, ...]:
    """``"5.5"`` -> (5, 5), for comparing API versions; anything unreadable sorts first."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


def attribute(name: str, since: str = "0.9", default: Any = None) -> Any:
    """A field written as the attribute ``name`` from API version ``since`` on."""
    return field(default=default, metadata={_XML: (ATTRIBUTE, name, version_key(since))})


def element(name: str, since: str = "0.9", default: Any = None, many: bool = False) -> Any:
    """A field written as the child element ``name`` (text, or a nested type; ``many``: a list of
    them) from API version ``since`` on."""
    if many:
        return field(default_factory=list, metadata={_XML: (ELEMENT, name, version_key(since))})
    return field(default=default, metadata={_XML: (ELEMENT, name, version_key(since))})


@dataclass
class XmlType:
    """A type of the schema; ``TAG`` names its element when it is a document's root."""

    NAMESPACE: ClassVar[str] = VCLOUD
    TAG: ClassVar[str] = ""


def to_element(value: XmlType, version: str, tag: str | None = None) -> etree._Element:
    """``value`` as an element for API ``version`` (the root's namespace is the default one)."""
    wanted = version_key(version)
    root = etree.Element(f"{{{value.NAMESPACE}}}{tag or value.TAG}", nsmap={None: value.NAMESPACE})
    _fill(root, value, wanted)
    return root


def document(value: XmlType, version: str) -> bytes:
    """A whole XML document of ``value``, as the product writes it (declaration, UTF-8)."""
    return etree.tostring(to_element(value, version), xml_declaration=True, encoding="UTF-8", standalone=True)


def _fill(target: etree._Element, value: XmlType, wanted: tuple[int, ...]) -> None:
    namespace = value.NAMESPACE
    for spec in dataclasses.fields(value):
        kind, name, since = spec.metadata.get(_XML, (None, "", ()))
        item = getattr(value, spec.name)
        if kind is None or item is None or since > wanted:
            continue
        if kind == ATTRIBUTE:
            target.set(name, _text(item))
            continue
        for one in item if isinstance(item, list) else (item,):
            child = etree.SubElement(target, f"{{{namespace}}}{name}")
            if isinstance(one, XmlType):
                _fill(child, one, wanted)
            else:
                child.text = _text(one)


def _text(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    return str(item)
