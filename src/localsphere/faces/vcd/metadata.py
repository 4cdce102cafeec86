"""Object metadata as the vCloud API shows and changes it, on vApps and VMs
(``/api/vApp/{entity}``), catalogs (``/api/catalog/{id}``, ``/api/admin/catalog/{id}``), catalog
items, vApp templates, media, independent disks, provider VDCs, and, read at their user view and
changed by the system administrator at their admin one, org VDCs (``/api/vdc/{id}``,
``/api/admin/vdc/{id}``), their storage policies (``/api/vdcStorageProfile/{id}``,
``/api/admin/vdcStorageProfile/{id}``), org VDC networks (``/api/network/{id}``,
``/api/admin/network/{id}``, which serves external networks' too) and orgs (``/api/org/{id}``,
``/api/admin/org/{id}``): ``GET|POST <object>/metadata`` (a ``Metadata`` document; POST merges
its entries), ``GET|PUT|DELETE .../metadata/{key}`` (the GENERAL domain) and
``.../metadata/{domain}/{key}`` (a ``MetadataValue``). Every change answers 202 and its Task. A
missing key is vCD's 403 (pyvcloud documents ``AccessForbiddenException`` for it). Facts:
docs/research/vcd-metadata.md."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote, unquote

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.routing import Routes
from localsphere.faces.vcd.hrefs import VCLOUD_TYPE, Hrefs, media_type
from localsphere.faces.vcd.model import VCLOUD, XSI, to_element
from localsphere.faces.vcd.sharing import TARGETS, target
from localsphere.faces.vcd.tasks import TaskViews
from localsphere.faces.vcd.types import (
    Link,
    Metadata,
    MetadataDomainTag,
    MetadataEntry,
    MetadataTypedValue,
    MetadataValue,
)
from localsphere.faces.vcd.wire import Asked, asked, read_xml, xml
from localsphere.world import World
from localsphere.world.errors import NotFound
from localsphere.world.metadata import BOOLEAN, DATETIME, GENERAL, NUMBER, STRING, SYSTEM, Entry, entry
from localsphere.world.org_roles import CAPTURE, CREATE_VAPP
from localsphere.world.tenant_roles import TenantCaller

METADATA_TYPE = f"{VCLOUD_TYPE}.metadata+xml"
VALUE_TYPE = f"{VCLOUD_TYPE}.metadata.value+xml"
# The wire's name of each value type (the TypedValue's xsi:type) and back.
WIRE_TYPES = {
    STRING: "MetadataStringValue",
    NUMBER: "MetadataNumberValue",
    BOOLEAN: "MetadataBooleanValue",
    DATETIME: "MetadataDateTimeValue",
}
TYPES = {wire: name for name, wire in WIRE_TYPES.items()}
V = f"{{{VCLOUD}}}"
# The right a change of an object's metadata needs, by the object's kind.
CHANGE_RIGHTS = {
    "vApp": CREATE_VAPP,
    "vm": CREATE_VAPP,
    "catalog": CAPTURE,
    "catalogItem": CAPTURE,
    "vAppTemplate": CAPTURE,
    "media": CAPTURE,
}


class MetadataViews:
    def __init__(self, world: World, runner: Runner, tasks: TaskViews, max_body: int) -> None:
        self.world = world
        self.runner = runner
        self.tasks = tasks
        self.max_body = max_body

    async def get(self, request: Request, caller: TenantCaller) -> Response:
        """The entries the caller may see (an org user never sees PRIVATE ones)."""
        a = asked(request, caller)
        kind, object_id = await self._object(request, a)
        found = await self.runner.read(self.world.metadata.of, kind, object_id, a.viewer)
        href = _href(a, request)
        answer = Metadata(
            href,
            METADATA_TYPE,
            [
                Link("up", a.hrefs.of(kind, object_id), media_type(kind)),
                Link("add", href, METADATA_TYPE),
            ],
            [MetadataEntry(_value_href(href, one), VALUE_TYPE, [], *_domain_key_value(one)) for one in found],
        )
        return xml(answer, a.version, METADATA_TYPE)

    async def merge(self, request: Request, caller: TenantCaller) -> Response:
        """``Metadata``: its entries added, or replacing those of their domain and key; 202."""
        a = asked(request, caller)
        kind, object_id = await self._object(request, a)
        _require(a, kind)
        body = await self._body(request, "Metadata")
        entries = [
            _entry(item, None, (item.findtext(f"{V}Key") or "")) for item in body.findall(f"{V}MetadataEntry")
        ]
        task_id = await self.runner.call(self.world.metadata.merge, a.actor, kind, object_id, entries)
        return await self.tasks.answer(a, task_id)

    async def value(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        kind, object_id = await self._object(request, a)
        domain, key = _domain_key(request)
        one = await self.runner.read(self.world.metadata.value, kind, object_id, domain, key, a.viewer)
        href = _href(a, request)
        links = [Link("up", href.rsplit("/metadata", 1)[0] + "/metadata", METADATA_TYPE)]
        if domain == GENERAL or a.provider:
            links += [Link("edit", href, VALUE_TYPE), Link("remove", href)]
        domain_tag, _, typed = _domain_key_value(one)
        return xml(MetadataValue(href, VALUE_TYPE, links, domain_tag, typed), a.version, VALUE_TYPE)

    async def put_value(self, request: Request, caller: TenantCaller) -> Response:
        """``MetadataValue``: the entry of the path's domain and key set; 202."""
        a = asked(request, caller)
        kind, object_id = await self._object(request, a)
        _require(a, kind)
        body = await self._body(request, "MetadataValue")
        one = _entry(body, *_domain_key(request))
        task_id = await self.runner.call(self.world.metadata.merge, a.actor, kind, object_id, [one])
        return await self.tasks.answer(a, task_id)

    async def delete_value(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        kind, object_id = await self._object(request, a)
        _require(a, kind)
        task_id = await self.runner.call(
            self.world.metadata.remove, a.actor, kind, object_id, *_domain_key(request)
        )
        return await self.tasks.answer(a, task_id)

    def routes(self, table: Routes[TenantCaller], base: str, changes: bool = True) -> None:
        """The metadata operations of the objects at ``base`` (``/api/catalog/{catalog}``); reads
        alone unless ``changes``."""
        values = (f"{base}/metadata/{{key}}", f"{base}/metadata/{{domain}}/{{key}}")
        table.add("GET", f"{base}/metadata", self.get)
        for value in values:
            table.add("GET", value, self.value)
        if changes:
            table.add("POST", f"{base}/metadata", self.merge)
            for value in values:
                table.add("PUT", value, self.put_value)
                table.add("DELETE", value, self.delete_value)

    async def _object(self, request: Request, a: Asked) -> tuple[str, str]:
        """The object of the path: (its kind, its id). A network under ``/api/admin/`` is an org
        VDC network or an external one; an org is named by its UUID and kept by its tenant's name
        (Forbidden, vCD's 403, for another org's user)."""
        params = request.path_params
        if "network" in params:
            network = params["network"]
            if request.url.path.startswith("/api/admin/"):
                return await self.runner.read(self.world.metadata.network_kind, network), network
            return "network", network
        if "profile" in params:
            return "storageProfile", params["profile"]
        if "org" in params:
            found = await self.runner.read(self.world.tenants.org, params["org"], a.caller.tenant)
            return "org", found.name
        return _target(request)

    async def _body(self, request: Request, tag: str) -> ET.Element:
        """The request's body, which must be the vCloud element ``tag`` (else vCD's 400)."""
        body = await read_xml(request, self.max_body)
        if body is None or body.tag != f"{V}{tag}":
            raise InputError("value", f"The body must be the element {tag} of namespace {VCLOUD}.")
        return body


def _target(request: Request) -> tuple[str, str]:
    """The object of the path: (its kind, its id)."""
    param = next(p for p in TARGETS if p in request.path_params)
    value = request.path_params[param]
    found = target(param, value)
    if found is None:
        raise NotFound("metadata.object", f"No object {value}.", value)
    return found


def record_metadata(
    h: Hrefs, kind: str, object_id: str, found: tuple[Entry, ...], version: str
) -> etree._Element:
    """A query record's ``Metadata`` element: the entries its ``fields`` named."""
    href = f"{h.of(kind, object_id)}/metadata"
    answer = Metadata(
        href,
        METADATA_TYPE,
        [],
        [MetadataEntry(_value_href(href, one), VALUE_TYPE, [], *_domain_key_value(one)) for one in found],
    )
    return to_element(answer, version)


def _require(a: Asked, kind: str) -> None:
    """Forbidden unless the caller's roles may change an object of ``kind`` (an org VDC's
    metadata is the system administrator's: the world refuses anyone else)."""
    right = CHANGE_RIGHTS.get(kind)
    if right is not None:
        a.require(right)


def _domain_key(request: Request) -> tuple[str, str]:
    """The domain and key a value's path names (``.../metadata/{key}``: GENERAL), read from the
    path as sent, so that a key with a percent-encoded ``/`` stays one key."""
    raw = request.scope.get("raw_path")
    if raw:
        segments = [unquote(p) for p in raw.decode("latin-1").rsplit("/metadata/", 1)[-1].split("/")]
    else:
        segments = [request.path_params.get("domain", ""), request.path_params["key"]]
    domain, key = (
        (segments[0], segments[1]) if len(segments) == 2 and segments[0] else (GENERAL, segments[-1])
    )
    if domain not in (GENERAL, SYSTEM):
        raise NotFound("metadata.domain", f"No metadata domain {domain}.", domain)
    return domain, key


def _href(a: Asked, request: Request) -> str:
    return f"{a.hrefs.base}{request.url.path}"


def _value_href(metadata_href: str, one: Entry) -> str:
    """An entry's own href: its key percent-encoded (RFC 3986), after its domain when SYSTEM."""
    key = quote(one.key, safe="")
    return f"{metadata_href}/{one.domain}/{key}" if one.domain == SYSTEM else f"{metadata_href}/{key}"


def _domain_key_value(one: Entry) -> tuple[MetadataDomainTag, str, MetadataTypedValue]:
    return (
        MetadataDomainTag(one.visibility, one.domain),
        one.key,
        MetadataTypedValue(WIRE_TYPES[one.type], one.value),
    )


def _entry(item: ET.Element, domain: str | None, key: str) -> Entry:
    """A ``MetadataEntry`` or ``MetadataValue`` element as an entry: its ``Domain`` (GENERAL when
    absent; the path's, for a MetadataValue), and its ``TypedValue`` by ``xsi:type`` (or the plain
    ``Value`` of 1.5, a string). InputError (400) for an unknown type; the world checks the rest."""
    tag = item.find(f"{V}Domain")
    visibility = tag.get("visibility") if tag is not None else None
    if domain is None:
        domain = (tag.text or "").strip() or GENERAL if tag is not None else GENERAL
    typed = item.find(f"{V}TypedValue")
    if typed is None:
        plain = item.find(f"{V}Value")
        if plain is None:
            raise InputError("value", f"The metadata entry {key} has no TypedValue.")
        return entry(domain, key, visibility, STRING, plain.text or "")
    wire = (typed.get(f"{{{XSI}}}type") or "").rpartition(":")[2]
    if wire not in TYPES:
        raise InputError("value", f"Unknown metadata value type {wire!r}; use one of {', '.join(TYPES)}.")
    return entry(domain, key, visibility, TYPES[wire], typed.findtext(f"{V}Value") or "")
