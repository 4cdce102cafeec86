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
OVF = "http://schemas.dmtf.org/ovf/envelope/1"
RASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
# The prefixes a document declares on its root, as the product writes them.
VMW = "http://www.vmware.com/schema/ovf"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PREFIXES = {"ovf": OVF, "rasd": RASD, "vcloud": VCLOUD, "vmw": VMW, "xsi": XSI}
_XML = "xml"  # the metadata key of a field's (kind, name, since, namespace)
ATTRIBUTE, ELEMENT, TEXT = "attribute", "element", "text"


def version_key(version: str) -> tuple[int, ...]:
    """``"5.5"`` -> (5, 5), for comparing API versions; anything unreadable sorts first."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


def attribute(name: str, since: str = "0.9", default: Any = None, namespace: str | None = None) -> Any:
    """A field written as the attribute ``name`` from API version ``since`` on (``namespace``:
    a qualified one, such as ``ovf:required``)."""
    return field(default=default, metadata={_XML: (ATTRIBUTE, name, version_key(since), namespace)})


def text(default: Any = None) -> Any:
    """A field written as the element's own text (an element with attributes and a value)."""
    return field(default=default, metadata={_XML: (TEXT, "", (), None)})


def element(
    name: str, since: str = "0.9", default: Any = None, many: bool = False, namespace: str | None = None
) -> Any:
    """A field written as the child element ``name`` (text, or a nested type; ``many``: a list of
    them) from API version ``since`` on, in ``namespace`` (None: its parent's type's)."""
    meta = {_XML: (ELEMENT, name, version_key(since), namespace)}
    if many:
        return field(default_factory=list, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class XmlType:
    """A type of the schema; ``TAG`` names its element when it is a document's root."""

    NAMESPACE: ClassVar[str] = VCLOUD
    TAG: ClassVar[str] = ""


def child_elements(kind: type[XmlType]) -> dict[str, str]:
    """The fields of ``kind`` written as child elements: field name -> element name."""
    found = {}
    for spec in dataclasses.fields(kind):
        what, name, _, _ = spec.metadata.get(_XML, (None, "", (), None))
        if what == ELEMENT:
            found[spec.name] = name
    return found


def to_element(
    value: XmlType, version: str, tag: str | None = None, namespace: str | None = None
) -> etree._Element:
    """``value`` as an element for API ``version``, named ``tag`` (else its type's ``TAG``) in
    ``namespace`` (else its type's), which is the document's default one."""
    wanted = version_key(version)
    root_namespace = namespace or value.NAMESPACE
    nsmap = {None: root_namespace, **{k: v for k, v in PREFIXES.items() if v != root_namespace}}
    root = etree.Element(f"{{{root_namespace}}}{tag or value.TAG}", nsmap=nsmap)
    _fill(root, value, wanted)
    etree.cleanup_namespaces(root)  # declare only the prefixes the document uses
    return root


def document(value: XmlType, version: str, tag: str | None = None, namespace: str | None = None) -> bytes:
    """A whole XML document of ``value``, as the product writes it (declaration, UTF-8); ``tag``
    and ``namespace`` as ``to_element``'s."""
    root = to_element(value, version, tag, namespace)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _fill(target: etree._Element, value: XmlType, wanted: tuple[int, ...]) -> None:
    for spec in dataclasses.fields(value):
        kind, name, since, namespace = spec.metadata.get(_XML, (None, "", (), None))
        item = getattr(value, spec.name)
        if kind is None or item is None or since > wanted:
            continue
        if kind == ATTRIBUTE:
            target.set(f"{{{namespace}}}{name}" if namespace else name, _text(item))
            continue
        if kind == TEXT:
            target.text = _text(item)
            continue
        for one in item if isinstance(item, list) else (item,):
            child = etree.SubElement(target, f"{{{namespace or value.NAMESPACE}}}{name}")
            if isinstance(one, XmlType):
                _fill(child, one, wanted)
            else:
                child.text = _text(one)


def _text(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    return str(item)
