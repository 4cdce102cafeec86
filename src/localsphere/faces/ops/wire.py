"""What every suite-api operation shares on the wire: its error (``OpsError``, answered as the
product's ``error`` body with ``httpStatusCode``), JSON or XML by the Accept header, request
bodies in JSON or XML, and paged lists (``page``/``pageSize``, ``pageInfo`` and links)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import json_response, parse_json, read_body, whole_number
from localsphere.faces.ops import xml

DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 100_000  # a page, bounded (the 100,000-VM lab world fits in one)
MAX_PAGE = 2**31 - 1


class OpsError(Exception):
    def __init__(self, status: int, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def error_body(request: Request, status: int, message: str, code: int | None = None) -> Response:
    body: dict[str, Any] = {"message": message, "httpStatusCode": status}
    if code is not None:
        body["apiErrorCode"] = code
    return reply(request, "error", body, status)


def reply(request: Request, root: str, data: Any, status: int = 200) -> Response:
    """JSON, or the product's XML when the caller's Accept header prefers it."""
    if xml.wants_xml(request.headers.get("accept")):
        return Response(xml.encode(root, data), status_code=status, media_type="application/xml")
    return json_response(data, status)


async def read_document(request: Request, max_body: int, root: str) -> Any:
    """A request body in JSON or, as the product also takes, XML (``<ops:{root}>``); anything else
    is 415."""
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind == "application/json":
        return parse_json(await read_body(request, max_body))
    if kind in ("application/xml", "text/xml"):
        try:
            return xml.decode(await read_body(request, max_body), root)
        except xml.XmlError as exc:
            raise OpsError(400, str(exc)) from None
    raise OpsError(415, f"Unsupported content type {kind}")


def number(text: str | None, default: int, name: str, least: int, most: int) -> int:
    if text is None:
        return default
    value = whole_number(text)
    if value is None or not least <= value <= most:
        raise OpsError(400, f"{name} must be a whole number from {least} to {most}")
    return value


def paging(request: Request) -> tuple[int, int]:
    """``page`` (0-based) and ``pageSize`` of the query string, checked."""
    query = request.query_params
    page = number(query.get("page"), 0, "page", 0, MAX_PAGE)
    size = number(query.get("pageSize"), DEFAULT_PAGE_SIZE, "pageSize", 1, MAX_PAGE_SIZE)
    return page, size


def page_body(
    request: Request, total: int, page: int, size: int, items: list[Any], extra: dict[str, Any]
) -> dict[str, Any]:
    """A page of resources: ``pageInfo``, next and previous links, ``resourceList``."""
    links = []
    base = f"{request.url.path}?pageSize={size}"
    if (page + 1) * size < total:
        links.append({"href": f"{base}&page={page + 1}", "rel": "NEXT", "name": "next"})
    if page > 0:
        links.append({"href": f"{base}&page={page - 1}", "rel": "PREVIOUS", "name": "previous"})
    return {
        **extra,
        "pageInfo": {"totalCount": total, "page": page, "pageSize": size},
        "links": links,
        "resourceList": items,
    }
