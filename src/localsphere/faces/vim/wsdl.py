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

DOCUMENTS = ("vimService.wsdl", "vim.wsdl", "vim-messages.xsd")
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
    if issubclass(typ, VmomiSupport.ManagedObject):
        return "vim25:ManagedObjectReference"
    name = VmomiSupport.GetWsdlName(typ)
    return _PRIMITIVES.get(name, f"vim25:{name}")


def document(name: str, base: str) -> bytes:
    """The document ``name`` (one of ``DOCUMENTS``); ``base``: the server's address as the client
    sees it, for the service's ``soap:address``."""
    if name == "vimService.wsdl":
        return _service(base)
    return _vim() if name == "vim.wsdl" else _messages()


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
        f'<include schemaLocation="vim-messages.xsd"/></schema></types>\n'
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
