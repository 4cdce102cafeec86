"""The WSDL documents under ``/sdk``: ``vimService.wsdl`` (the service and its address), which
imports ``vim.wsdl`` (a message pair, a portType operation and a document/literal binding operation
for every vim25 method), whose types import ``vim-messages.xsd`` (each method's request element,
its parameters typed by name). Made from pyVmomi's method table (``VmomiSupport._wsdlMethodMap``),
so the documents name exactly the methods the type system knows. Tools that only call the API
(pyVmomi, govmomi) never read them; code generators and SOAP test tools do."""

from __future__ import annotations

from functools import cache

from pyVmomi import VmomiSupport

from localsphere.faces.vim.soap import VIM_NS
from localsphere.faces.vim.versions import CURRENT

DOCUMENTS = ("vimService.wsdl", "vim.wsdl", "vim-messages.xsd", "vim-types.xsd")
_XSD = "http://www.w3.org/2001/XMLSchema"
_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
_PRIMITIVES = {
    "string": "xsd:string",
    "boolean": "xsd:boolean",
    "byte": "xsd:byte",
    "short": "xsd:short",
    "int": "xsd:int",
    "long": "xsd:long",
    "float": "xsd:float",
    "double": "xsd:double",
    "dateTime": "xsd:dateTime",
    "base64Binary": "xsd:base64Binary",
    "anyType": "xsd:anyType",
    "anyURI": "xsd:anyURI",
}


@cache
def _methods() -> tuple[tuple[str, tuple[tuple[str, str, bool, bool], ...]], ...]:
    """Each vim25 method's name and its parameters (name, XML type, optional, repeated), by name."""
    found = []
    for (ns, name), method in sorted(VmomiSupport._wsdlMethodMap.items()):
        if ns != VIM_NS:
            continue
        info = VmomiSupport.GetWsdlMethod(ns, name).info if not hasattr(method, "info") else method.info
        params = []
        for p in info.params:
            repeated = issubclass(p.type, list)
            item = p.type.Item if repeated else p.type
            params.append((p.name, _xml_type(item), bool(p.flags & VmomiSupport.F_OPTIONAL), repeated))
        found.append((name, tuple(params)))
    return tuple(found)


def _xml_type(typ: type) -> str:
    """A parameter's XML type: a vim25 type by name, a primitive as XML Schema's, anything of
    another namespace (vSAN's types, which vCenter describes in a WSDL of their own) as any."""
    if issubclass(typ, VmomiSupport.ManagedObject):
        return "vim25:ManagedObjectReference"
    ns, name = VmomiSupport.GetQualifiedWsdlName(typ)
    if name in _PRIMITIVES or name in ("TypeName", "MethodName", "PropertyPath"):
        return _PRIMITIVES.get(name, "xsd:string")
    return f"vim25:{name}" if ns == VIM_NS else "xsd:anyType"


def document(name: str, base: str) -> bytes:
    """The document ``name`` (one of ``DOCUMENTS``); ``base``: the server's address as the client
    sees it, for the service's ``soap:address``."""
    if name == "vimService.wsdl":
        return _service(base)
    return {"vim.wsdl": _vim, "vim-messages.xsd": _messages, "vim-types.xsd": _types}[name]()


def _service(base: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions targetNamespace="urn:vimService" xmlns="{_WSDL}" xmlns:soap="{_SOAP}" '
        f'xmlns:interface="{VIM_NS}">\n'
        f'  <import location="vim.wsdl" namespace="{VIM_NS}"/>\n'
        '  <service name="VimService">\n'
        '    <port binding="interface:VimBinding" name="VimPort">\n'
        f'      <soap:address location="{base}/sdk"/>\n'
        "    </port>\n  </service>\n</definitions>\n"
    ).encode()


@cache
def _vim() -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions targetNamespace="{VIM_NS}" xmlns="{_WSDL}" xmlns:soap="{_SOAP}" '
        f'xmlns:vim25="{VIM_NS}" xmlns:xsd="{_XSD}">\n'
        f'  <types><schema xmlns="{_XSD}" targetNamespace="{VIM_NS}">'
        f'<include schemaLocation="vim-messages.xsd"/><include schemaLocation="vim-types.xsd"/>'
        "</schema></types>\n"
    ]
    for name, _ in _methods():
        parts.append(
            f'  <message name="{name}RequestMsg"><part name="parameters" element="vim25:{name}"/></message>\n'
            f'  <message name="{name}ResponseMsg">'
            f'<part name="parameters" element="vim25:{name}Response"/></message>\n'
        )
    parts.append('  <portType name="VimPortType">\n')
    for name, _ in _methods():
        parts.append(
            f'    <operation name="{name}"><input message="vim25:{name}RequestMsg"/>'
            f'<output message="vim25:{name}ResponseMsg"/></operation>\n'
        )
    parts.append(
        '  </portType>\n  <binding name="VimBinding" type="vim25:VimPortType">\n'
        '    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>\n'
    )
    for name, _ in _methods():
        parts.append(
            f'    <operation name="{name}"><soap:operation soapAction="urn:vim25/{CURRENT}"/>'
            '<input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>'
            "</operation>\n"
        )
    parts.append("  </binding>\n</definitions>\n")
    return "".join(parts).encode()


@cache
def _messages() -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<schema targetNamespace="{VIM_NS}" xmlns="{_XSD}" xmlns:vim25="{VIM_NS}" '
        f'xmlns:xsd="{_XSD}" elementFormDefault="qualified">\n'
    ]
    for name, params in _methods():
        elements = ['<element name="_this" type="vim25:ManagedObjectReference"/>']
        for param, typ, optional, repeated in params:
            occurs = (' minOccurs="0"' if optional else "") + (' maxOccurs="unbounded"' if repeated else "")
            elements.append(f'<element name="{param}" type="{typ}"{occurs}/>')
        parts.append(
            f'  <element name="{name}"><complexType><sequence>{"".join(elements)}'
            "</sequence></complexType></element>\n"
            f'  <element name="{name}Response"><complexType><sequence>'
            '<element name="returnval" type="xsd:anyType" minOccurs="0" maxOccurs="unbounded"/>'
            "</sequence></complexType></element>\n"
        )
    parts.append("</schema>\n")
    return "".join(parts).encode()


# vmodl type names of values (pyVmomi's ``_dataDefMap`` property types) -> XML Schema types
_VMODL_PRIMITIVES = {
    "string": "xsd:string",
    "boolean": "xsd:boolean",
    "byte": "xsd:byte",
    "short": "xsd:short",
    "int": "xsd:int",
    "long": "xsd:long",
    "float": "xsd:float",
    "double": "xsd:double",
    "anyType": "xsd:anyType",
    "vmodl.Binary": "xsd:base64Binary",
    "vmodl.DateTime": "xsd:dateTime",
    "vmodl.ManagedObject": "vim25:ManagedObjectReference",
    "vmodl.MethodName": "xsd:string",
    "vmodl.PropertyPath": "xsd:string",
    "vmodl.TypeName": "xsd:string",
}


def _schema_type(vmodl_name: str) -> str:
    if vmodl_name in _VMODL_PRIMITIVES:
        return _VMODL_PRIMITIVES[vmodl_name]
    if vmodl_name in VmomiSupport._managedDefMap:
        return "vim25:ManagedObjectReference"
    data, enum = VmomiSupport._dataDefMap.get(vmodl_name), VmomiSupport._enumDefMap.get(vmodl_name)
    if data is not None and VmomiSupport.GetWsdlNamespace(data[3]) == VIM_NS:
        return f"vim25:{data[1]}"
    if enum is not None and VmomiSupport.GetWsdlNamespace(enum[2]) == VIM_NS:
        return f"vim25:{enum[1]}"
    return "xsd:anyType"  # another namespace's type (vSAN's), described in a WSDL of its own


@cache
def _types() -> bytes:
    """``vim-types.xsd``: every vim25 data object type (its own properties, extending its parent),
    its ``ArrayOfX``, every enum, and ``ManagedObjectReference``, from pyVmomi's type tables."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<schema targetNamespace="{VIM_NS}" xmlns="{_XSD}" xmlns:vim25="{VIM_NS}" '
        f'xmlns:xsd="{_XSD}" elementFormDefault="qualified">\n'
        '  <complexType name="ManagedObjectReference"><simpleContent><extension base="xsd:string">'
        '<attribute name="type" type="xsd:string"/></extension></simpleContent></complexType>\n'
        '  <complexType name="ArrayOfManagedObjectReference"><sequence><element '
        'name="ManagedObjectReference" type="vim25:ManagedObjectReference" minOccurs="0" '
        'maxOccurs="unbounded"/></sequence></complexType>\n'
    ]
    for _, wsdl_name, parent, _version, props in sorted(
        (d for d in VmomiSupport._dataDefMap.values() if VmomiSupport.GetWsdlNamespace(d[3]) == VIM_NS),
        key=lambda d: d[1],
    ):
        elements = []
        for name, typ, _, flags in props or []:
            repeated = typ.endswith("[]")
            occurs = (' minOccurs="0"' if flags & VmomiSupport.F_OPTIONAL or repeated else "") + (
                ' maxOccurs="unbounded"' if repeated else ""
            )
            elements.append(f'<element name="{name}" type="{_schema_type(typ.removesuffix("[]"))}"{occurs}/>')
        body = f"<sequence>{''.join(elements)}</sequence>"
        base = VmomiSupport._dataDefMap.get(parent or "")
        if base is not None and base[1] != "DataObject":
            body = f'<complexContent><extension base="vim25:{base[1]}">{body}</extension></complexContent>'
        parts.append(f'  <complexType name="{wsdl_name}">{body}</complexType>\n')
        parts.append(
            f'  <complexType name="ArrayOf{wsdl_name}"><sequence><element name="{wsdl_name}" '
            f'type="vim25:{wsdl_name}" minOccurs="0" maxOccurs="unbounded"/></sequence></complexType>\n'
        )
    for _, wsdl_name, _version, values in sorted(
        (e for e in VmomiSupport._enumDefMap.values() if VmomiSupport.GetWsdlNamespace(e[2]) == VIM_NS),
        key=lambda e: e[1],
    ):
        enumerations = "".join(f'<enumeration value="{v}"/>' for v in values)
        parts.append(
            f'  <simpleType name="{wsdl_name}"><restriction base="xsd:string">{enumerations}'
            "</restriction></simpleType>\n"
        )
    parts.append("</schema>\n")
    return "".join(parts).encode()
