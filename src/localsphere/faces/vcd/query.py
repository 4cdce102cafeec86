"""The query service: ``GET /api/query`` (the ``QueryList``: one link per query type and format
the caller may run) and ``GET /api/query?type=...`` (one page of ``QueryResultRecords`` or
``QueryResultReferences``). Parameters as the product takes them: ``format`` (records, idrecords,
references), ``filter`` (FIQL; ``filterEncoded=true``: URL-encoded once more), ``sortAsc`` /
``sortDesc``, ``page`` (from 1), ``pageSize`` (1-128, 25 by default) and ``fields``. Every href
a client receives holds a ``?``, as pyvcloud appends ``&page=`` to it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote, urlencode

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner, whole_number
from localsphere.faces.vcd.hrefs import VCLOUD_TYPE, Hrefs, media_type, urn
from localsphere.faces.vcd.metadata import record_metadata
from localsphere.faces.vcd.model import to_element
from localsphere.faces.vcd.rights import require_for_query
from localsphere.faces.vcd.types import Link, QueryList, QueryResults
from localsphere.faces.vcd.wire import asked, element_response, vcd_time, xml
from localsphere.world import World
from localsphere.world.org_roles import ADMIN_VIEW, rights
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import org_uuid
from localsphere.world.typed_queries import IDRECORDS, PAGE_SIZE, RECORDS, REFERENCES, TYPES, Answer, Ask, Ref

QUERY_LIST_TYPE = f"{VCLOUD_TYPE}.query.queryList+xml"
FORMATS = (RECORDS, IDRECORDS, REFERENCES)
FORMAT_TYPES = {f: f"{VCLOUD_TYPE}.query.{f}+xml" for f in FORMATS}
# A references page is ``<Kind>References`` of ``<Kind>Reference``s (queryReferenceView.xsd, which
# has admin ones for VDCs only); a records page is ``QueryResultRecords`` of ``<Kind>Record``s.
REFERENCE_TAGS = {
    t.name: t.reference
    or t.record.removesuffix("Record").removeprefix("" if t.record == "AdminVdcRecord" else "Admin")
    for t in TYPES.values()
}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class QueryViews:
    def __init__(self, world: World, runner: Runner) -> None:
        self.world = world
        self.runner = runner

    async def query(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        params = request.query_params
        kind = params.get("type")
        if kind is None:
            base = f"{a.hrefs.base}/api/query"
            links = [
                Link("down", f"{base}?type={t.name}&format={f}", FORMAT_TYPES[f], t.name)
                for t in TYPES.values()
                if not t.admin or ADMIN_VIEW in rights(caller)
                for f in FORMATS
                if t.linked or f != REFERENCES
            ]
            return xml(QueryList(base, QUERY_LIST_TYPE, links), a.version, QUERY_LIST_TYPE)
        shape = params.get("format", RECORDS)
        if shape not in FORMATS:
            raise InputError("value", f"format must be one of {', '.join(FORMATS)}.")
        text = params.get("filter")
        if text is not None and params.get("filterEncoded", "false").lower() == "true":
            text = unquote(text)
        fields = params.get("fields")
        ask = Ask(
            filter=text or None,
            sort_asc=params.get("sortAsc"),
            sort_desc=params.get("sortDesc"),
            page=_number(params.get("page"), 1, "page"),
            page_size=_number(params.get("pageSize"), PAGE_SIZE, "pageSize"),
            fields=tuple(f.strip() for f in fields.split(",") if f.strip()) if fields else None,
        )
        if kind.startswith("admin"):
            a.require(ADMIN_VIEW)
        require_for_query(caller, kind)
        if shape == REFERENCES and kind in TYPES and not TYPES[kind].linked:
            raise InputError("value", f"The query type '{kind}' has no references format.")
        answer = await self.runner.read(
            self.world.typed_queries.run, kind, ask, caller.tenant, a.provider, a.actor
        )
        root = _page(a.hrefs, answer, shape, a.version, request)
        return element_response(root, a.version, FORMAT_TYPES[shape])


def _number(text: str | None, default: int, name: str) -> int:
    if text is None:
        return default
    value = whole_number(text)
    if value is None:
        raise InputError("value", f"{name} must be a whole number.")
    return value


def _page(h: Hrefs, answer: Answer, shape: str, version: str, request: Request) -> etree._Element:
    """The page's container with its links (the page in the other formats; the first, previous,
    next and last pages) and records."""
    kind = answer.type
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "format")]

    def at(page: int, shape: str = shape) -> str:
        return f"{h.base}/api/query?{urlencode([*kept, ('format', shape), ('page', str(page))])}"

    last = max(1, -(-answer.total // answer.page_size))
    shapes = [f for f in FORMATS if kind.linked or f != REFERENCES]
    links = [Link("alternate", at(answer.page, f), FORMAT_TYPES[f]) for f in shapes if f != shape]
    if answer.page > 1:
        links += [
            Link("firstPage", at(1), FORMAT_TYPES[shape]),
            Link("previousPage", at(answer.page - 1), FORMAT_TYPES[shape]),
        ]
    if answer.page < last:
        links += [
            Link("nextPage", at(answer.page + 1), FORMAT_TYPES[shape]),
            Link("lastPage", at(last), FORMAT_TYPES[shape]),
        ]
    container = QueryResults(
        at(answer.page), FORMAT_TYPES[shape], kind.name, answer.page, answer.page_size, answer.total, links
    )
    tag = f"{REFERENCE_TAGS[kind.name]}References" if shape == REFERENCES else "QueryResultRecords"
    root = to_element(container, version, tag)
    namespace = root.nsmap[None]
    for record in answer.records:
        href = h.of(kind.kind, record.id) if kind.linked else ""
        record_urn = (
            urn(kind.kind, org_uuid(record.id) if kind.kind == "org" else record.id) if kind.linked else ""
        )
        if shape == REFERENCES:
            name = record.values.get("name")
            attributes = {"href": href, "id": record_urn, "type": media_type(kind.kind)}
            if name is not None:
                attributes["name"] = str(name)
            etree.SubElement(root, f"{{{namespace}}}{REFERENCE_TAGS[kind.name]}Reference", attributes)
            continue
        attributes = {"href": href} if kind.linked else {}
        if shape == IDRECORDS and kind.linked:
            attributes["id"] = record_urn
        for name, value in record.values.items():
            attributes[name] = _value(h, value, shape)
        made = etree.SubElement(root, f"{{{namespace}}}{kind.record}", attributes)
        if record.metadata:
            made.append(record_metadata(h, kind.kind, record.id, record.metadata, version))
    return root


def _value(h: Hrefs, value: object, shape: str) -> str:
    """A record attribute's text: a reference as an href (a urn in ``idrecords``), a time as the
    product writes one."""
    if isinstance(value, Ref):
        if shape == IDRECORDS:
            return urn(value.kind, org_uuid(value.id) if value.kind == "org" else value.id)
        return h.of(value.kind, value.id)
    if isinstance(value, dt.datetime):
        return vcd_time(value.timestamp()) or ""
    return _text(value)
