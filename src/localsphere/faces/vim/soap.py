"""The SOAP 1.1 envelope of vim25: a request read into pyVmomi's own objects, an answer or a fault
written by pyVmomi's serializer.

A request (what ``SoapAdapter.SoapStubAdapterBase.SerializeRequest`` sends)::

    <soapenv:Envelope ...><soapenv:Body>
      <RetrievePropertiesEx xmlns="urn:vim25">
        <_this type="PropertyCollector">propertyCollector</_this>
        <specSet>...</specSet><options/>
      </RetrievePropertiesEx>
    </soapenv:Body></soapenv:Envelope>

An answer is ``<XResponse xmlns="urn:vim25"><returnval>...</returnval></XResponse>`` in the body; a
fault is HTTP 500 with ``<soapenv:Fault><faultcode/><faultstring/><detail><XFault xsi:type="X">``,
which ``SoapAdapter.SoapResponseDeserializer`` raises as ``vim.fault.X`` (the detail element's name
less ``Fault``, its ``xsi:type`` naming the type).

The envelope is parsed by lxml with entities, DTDs and the network off; what pyVmomi's expat
deserializer then reads of each parameter is lxml's own re-serialization, free of any DTD.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from io import StringIO
from typing import Any
from xml.parsers.expat import ExpatError, ParserCreate

from lxml import etree
from pyVmomi import SoapAdapter, VmomiSupport, vmodl
from starlette.requests import Request

from localsphere.faces.http import MAX_DEPTH

ENVELOPE_NS = SoapAdapter.XMLNS_SOAPENV
VIM_NS = "urn:vim25"
COOKIE = SoapAdapter.COOKIE_NAME  # vmware_soap_session
FETCH = "Fetch"  # pyVmomi's property accessor (``StubAdapterAccessorImpl``): not a WSDL method
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
_NSMAP = {**SoapAdapter.SOAP_NSMAP, VIM_NS: ""}
_HEAD = (
    f"{SoapAdapter.XML_HEADER}\n{SoapAdapter.SOAP_ENVELOPE_START}{SoapAdapter.SOAP_BODY_START}\n"
).encode()
_TAIL = SoapAdapter.SOAP_END.encode()


class BadRequest(Exception):
    """The body is not a vim25 request: vCenter's ``InvalidRequest`` fault, in ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownMethod(Exception):
    """The body names a method vim25 does not have (``namespace``: the element's)."""

    def __init__(self, name: str, namespace: str) -> None:
        super().__init__(name)
        self.name = name
        self.namespace = namespace


@dataclass(frozen=True)
class MoRef:
    """A managed object reference: its type's WSDL name and its id (``VirtualMachine``, ``vm-14``)."""

    type: str
    value: str


@dataclass
class Call:
    """One method call: its name (``Fetch`` or a WSDL name), pyVmomi's method info (None for
    ``Fetch``), its receiver, and its arguments by parameter name."""

    name: str
    info: Any
    this: MoRef
    args: dict[str, Any] = field(default_factory=dict)


def session_cookie(request: Request) -> str | None:
    """The session id of the ``vmware_soap_session`` cookie. pyVmomi sends back the whole
    ``Set-Cookie`` it was given as its ``Cookie`` header (``vmware_soap_session="id"; Path=/;
    HttpOnly; Secure;``), so the pairs are read leniently and the value unquoted."""
    for piece in request.headers.get("cookie", "").split(";"):
        name, _, value = piece.strip().partition("=")
        if name == COOKIE:
            return value.strip().strip('"') or None
    return None


def parse(body: bytes, version: str) -> Call:
    """The call in a request body, its parameters read as pyVmomi reads them under ``version``.
    BadRequest when the body is not a well-formed envelope of a vim25 method call (a DTD or an
    entity is refused: never expanded); UnknownMethod when vim25 has no such method."""
    if not body.strip():
        raise BadRequest("The request body is empty")
    root = _document(body)
    if root.tag != f"{{{ENVELOPE_NS}}}Envelope":
        raise BadRequest("The request is not a SOAP envelope")
    bodies = [e for e in root if e.tag == f"{{{ENVELOPE_NS}}}Body"]
    if len(bodies) != 1:
        raise BadRequest("The SOAP envelope has no body")
    methods = [e for e in bodies[0] if isinstance(e.tag, str)]
    if len(methods) != 1:
        raise BadRequest("The SOAP body must hold exactly one method call")
    element = methods[0]
    qname = etree.QName(element)
    name = qname.localname
    if qname.namespace != VIM_NS:
        raise UnknownMethod(name, qname.namespace or "")
    this = _receiver(element)
    if name == FETCH:
        prop = element.find(f"{{{VIM_NS}}}prop")
        if prop is None or not (prop.text or "").strip():
            raise BadRequest("Required parameter prop is missing")
        return Call(FETCH, None, this, {"prop": prop.text.strip()})
    try:
        info = VmomiSupport.GetWsdlMethod(VIM_NS, name).info
    except KeyError:
        raise UnknownMethod(name, VIM_NS) from None
    return Call(name, info, this, _arguments(element, info, version))


def _document(xml: bytes) -> etree._Element:
    """The root of an XML document without a DTD, nested at most ``MAX_DEPTH`` levels deep."""
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise BadRequest(f"Malformed XML at line {line}, column {column}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise BadRequest("A request must not carry a document type declaration")
    _check_depth(root)
    return root


def _check_depth(root: etree._Element) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadRequest(f"The request is nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in element)


def _receiver(element: etree._Element) -> MoRef:
    this = element.find(f"{{{VIM_NS}}}_this")
    if this is None:
        this = element.find("_this")
    if this is None or not (this.text or "").strip() or not this.get("type"):
        raise BadRequest("Required parameter _this is missing")
    return MoRef(this.get("type", "").split(":")[-1], (this.text or "").strip())


def _arguments(element: etree._Element, info: Any, version: str) -> dict[str, Any]:
    params = {p.name: p for p in info.params}
    args: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "_this":
            continue
        param = params.get(name)
        if param is None:
            raise BadRequest(f"Unexpected element {name} in {info.wsdlName}")
        if issubclass(param.type, list):
            args.setdefault(name, param.type()).append(_value(child, param.type.Item, version, name))
        elif name in args:
            raise BadRequest(f"Parameter {name} is given twice")
        else:
            args[name] = _value(child, param.type, version, name)
    for param in info.params:
        if param.name not in args and not param.flags & VmomiSupport.F_OPTIONAL:
            raise BadRequest(f"Required parameter {param.name} is missing")
    return args


def _value(element: etree._Element, typ: type, version: str, name: str) -> Any:
    """One parameter's value, read by pyVmomi's deserializer."""
    parser = ParserCreate(namespace_separator=SoapAdapter.NS_SEP)
    reader = SoapAdapter.SoapDeserializer(version=version)
    reader.Deserialize(parser, typ)
    try:
        parser.Parse(etree.tostring(element), True)
    except (ExpatError, TypeError, KeyError, AttributeError, ValueError, IndexError):
        raise BadRequest(f"Cannot read parameter {name}") from None
    value = reader.GetResult()
    if issubclass(typ, VmomiSupport.DataObject) and not isinstance(value, typ):
        raise BadRequest(
            f"Parameter {name} is a {VmomiSupport.GetWsdlName(type(value))}, not a {typ._wsdlName}"
        )
    _check_required(value, version)
    return value


def _check_required(value: Any, version: str) -> None:
    """BadRequest, in vCenter's words, when a data object (at any depth) lacks a property its
    type requires in ``version`` (``PropertySpec.type``, ``ObjectSpec.obj``)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, VmomiSupport.DataObject):
            continue
        for prop in item._GetPropertyList():
            if not VmomiSupport.IsChildVersion(version, prop.version):
                continue
            found = getattr(item, prop.name)
            if found is None and not prop.flags & VmomiSupport.F_OPTIONAL:
                raise BadRequest(
                    f"Required property {prop.name} is missing from data object of type {item._wsdlName}"
                )
            stack.append(found)


MAX_PACKED = 1 << 20  # the most bytes ``unpack`` reads


def pack(values: list[Any], typ: type, version: str) -> bytes:
    """Data objects of ``typ`` as XML, for ``unpack`` to read back (a paging token's specs)."""
    info = VmomiSupport.Object(name="v", type=typ, version=version, flags=0)
    inner = "".join(_serialize(v, info, version) for v in values)
    xsi, xsd = SoapAdapter.XMLNS_XSI, SoapAdapter.XMLNS_XSD
    return f'<p xmlns="{VIM_NS}" xmlns:xsi="{xsi}" xmlns:xsd="{xsd}">{inner}</p>'.encode()


def unpack(xml: bytes, typ: type, version: str) -> list[Any]:
    """What ``pack`` wrote; BadRequest when it is not that."""
    root = _document(xml)
    return [_value(e, typ, version, "v") for e in root if isinstance(e.tag, str)]


def _serialize(value: Any, info: Any, version: str) -> str:
    out = StringIO()
    writer = SoapAdapter.SoapSerializer(out, version, _NSMAP)
    writer.outermostAttrs = ""  # no pyVmomi ``versionId`` attribute: vCenter sends none
    writer.Serialize(value, info)
    return out.getvalue()


class Raw(str):
    """An answer's ``returnval`` elements, written already (``object_contents``)."""


# (the object, its properties by path, the paths it is missing with their faults)
Content = tuple[MoRef, list[tuple[str, Any]], list[Any]]


def object_contents(contents: list[Content], token: str | None, version: str, wrapped: bool) -> Raw:
    """PropertyCollector results, written as pyVmomi's serializer writes them but without making
    a data object per object and property: as one ``RetrieveResult`` (``wrapped``: its ``token``
    and ``objects``) or as ``ObjectContent`` return values. A property's value that is text, a
    number, a boolean, an enum or a managed object reference is written here; any other (data
    objects, arrays) by pyVmomi's serializer."""
    tag = "objects" if wrapped else "returnval"
    parts = ["<returnval>"] if wrapped else []
    if token is not None:
        parts.append(f"<token>{SoapAdapter.XmlEscape(token)}</token>")
    for this, props, missing in contents:
        parts.append(f'<{tag}><obj type="{this.type}">{SoapAdapter.XmlEscape(this.value)}</obj>')
        for path, value in props:
            parts.append(f"<propSet><name>{path}</name>{_val(value, version)}</propSet>")
        for item in missing:
            info = VmomiSupport.Object(name="missingSet", type=_MISSING, version=version, flags=0)
            parts.append(_serialize(item, info, version))
        parts.append(f"</{tag}>")
    if wrapped:
        parts.append("</returnval>")
    return Raw("".join(parts))


_MISSING = vmodl.query.PropertyCollector.MissingProperty
_XSD_PREFIX = {SoapAdapter.XMLNS_XSD: "xsd:", VIM_NS: ""}


@cache
def _xsi_type(typ: type) -> str | None:
    """The ``xsi:type`` of a primitive or enum value's Python type, or None for any other type."""
    if typ is bool:
        return "xsd:boolean"
    if issubclass(typ, VmomiSupport.Enum):
        return VmomiSupport.GetWsdlName(typ)
    if issubclass(typ, VmomiSupport.PropertyPath) or not issubclass(typ, str | int | float):
        return None
    ns, name = VmomiSupport.GetQualifiedWsdlName(typ)
    prefix = _XSD_PREFIX.get(ns)
    return None if prefix is None else prefix + name


def _val(value: Any, version: str, tag: str = "val") -> str:
    """A value of ``anyType`` (a property's, or ``Fetch``'s answer) as ``<tag xsi:type=...>``; a
    managed object reference typed ``ManagedObjectReference``, as vCenter writes it (pyVmomi's
    serializer says ``ManagedObject``, which only pyVmomi reads)."""
    if isinstance(value, VmomiSupport.ManagedObject):
        kind = VmomiSupport.GetWsdlName(type(value))
        moid = SoapAdapter.XmlEscape(value._moId)
        return f'<{tag} xsi:type="ManagedObjectReference" type="{kind}">{moid}</{tag}>'
    xsi = _xsi_type(type(value))
    if xsi is None:
        return _serialize(
            value, VmomiSupport.Object(name=tag, type=object, version=version, flags=0), version
        )
    text = ("true" if value else "false") if xsi == "xsd:boolean" else SoapAdapter.XmlEscape(str(value))
    return f'<{tag} xsi:type="{xsi}">{text}</{tag}>'


def value_xml(value: Any, version: str) -> str:
    """A property's value as a ``<val>`` element of ``object_contents`` writes it."""
    return _val(value, version)


def any_returnval(value: Any, version: str) -> Raw:
    """A value of ``anyType`` written as an answer's ``returnval`` (``Fetch``'s)."""
    return Raw(_val(value, version, "returnval"))


def returnval(value: Any, result_type: Any, flags: int, version: str) -> Raw:
    """``value`` written as an answer's ``returnval`` (a method's result of ``result_type``)."""
    info = VmomiSupport.Object(name="returnval", type=result_type, version=version, flags=flags)
    return Raw(_serialize(value, info, version))


def response(name: str, value: Any, result_type: Any, flags: int, version: str) -> bytes:
    """The envelope answering the method ``name`` with ``value`` (None: a void method's answer, or
    an unset optional result) of ``result_type``; a ``Raw`` value is written already."""
    if value is None:
        inner = ""
    elif isinstance(value, Raw):
        inner = value
    else:
        inner = returnval(value, result_type, flags, version)
    return b"".join((_HEAD, f'<{name}Response xmlns="{VIM_NS}">{inner}</{name}Response>'.encode(), _TAIL))


def fault(value: vmodl.MethodFault, message: str, version: str, code: str = "ServerFaultCode") -> bytes:
    """The envelope of a fault: ``faultcode`` (vCenter's are all ``ServerFaultCode`` but SOAP's
    ``VersionMismatchFaultCode``), ``faultstring`` the message, ``detail`` the typed fault."""
    name = VmomiSupport.GetWsdlName(type(value))
    info = VmomiSupport.Object(name=f"{name}Fault", type=object, version=version, flags=0)
    out = StringIO()
    writer = SoapAdapter.SoapSerializer(out, version, _NSMAP)
    writer.outermostAttrs = ""
    writer.SerializeFaultDetail(value, info)
    # The serializer takes urn:vim25 for the default namespace, as it is in an answer's body.
    detail = out.getvalue().replace(f"<{name}Fault", f'<{name}Fault xmlns="{VIM_NS}"', 1)
    return b"".join(
        (
            _HEAD,
            (
                f"<soapenv:Fault><faultcode>{code}</faultcode>"
                f"<faultstring>{SoapAdapter.XmlEscape(message)}</faultstring>"
                f"<detail>{detail}</detail></soapenv:Fault>"
            ).encode(),
            _TAIL,
        )
    )
