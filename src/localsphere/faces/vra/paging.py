"""vRA's paged lists: the query (``page`` from 1, ``limit`` 20 by default, or ``$skip`` and
``$top``; ``$filter``; ``$orderby``, also spelled ``orderBy``) and the envelope
``{links, content, metadata{size, totalElements, totalPages, number, offset}}``. A list on one
page has no links (as the Programming Guide's example shows); a longer one has first, previous,
next and last, each ``{"@type": "link", "rel", "href"}``, hrefs keeping the request's query.
A ``limit`` above ``MAX_LIMIT`` is clamped: clients ask for ``limit=9999`` to get everything.
``limit=0`` is ``$top=0``: an empty page that counts the rows (``totalElements``), without links."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from localsphere.faces.http import whole_number
from localsphere.faces.vra.errors import WireError
from localsphere.world.listing import Counted, Listing

DEFAULT_LIMIT = 20
MAX_LIMIT = 10_000
MAX_OFFSET = 10**9
HUGE = 10**18  # what a larger number in a paging parameter counts as


def _number(request: Request, name: str, least: int) -> int | None:
    """The parameter's value, at most ``HUGE`` (larger ones are clamped to it); WireError when it
    is no whole number or below ``least``."""
    text = request.query_params.get(name)
    if text is None:
        return None
    digits = text.strip().lstrip("0") or ("0" if text.strip() else "")
    value = whole_number(digits)
    if value is None and digits.isascii() and digits.isdigit():
        value = HUGE  # more digits than a 64-bit number holds: as large as can be
    if value is None or value < least:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise WireError(name, f"{name} must be a whole number of at least {least}, not {shown!r}.")
    return min(value, HUGE)


def listing(request: Request) -> Listing:
    """The page a request asks for; WireError (a 400) for a page, limit, $top or $skip that is
    no whole number in range."""
    limit = _number(request, "$top", 0)
    if limit is None:
        limit = _number(request, "limit", 0)
    if limit is None:
        limit = DEFAULT_LIMIT
    limit = min(limit, MAX_LIMIT)
    page = _number(request, "page", 1) or 1
    skip = _number(request, "$skip", 0)
    offset = skip if skip is not None else (page - 1) * limit
    if offset > MAX_OFFSET:
        raise WireError("page", f"The page asked for starts past row {MAX_OFFSET}.")
    params = request.query_params
    return Listing(
        offset=offset,
        limit=limit,
        filter=params.get("$filter") or None,
        order=params.get("$orderby") or params.get("orderBy") or None,
    )


def envelope(request: Request, asked: Listing, found: Counted[Any], content: list[Any]) -> dict[str, Any]:
    size = asked.limit
    pages = math.ceil(found.total / size) if size else 0
    number = asked.offset // size + 1 if size else 1
    links = []
    if size and (pages > 1 or asked.offset):  # no links for $top=0: no page would ever advance
        wanted = [("first", 0)]
        if asked.offset > 0:
            wanted.append(("previous", max(asked.offset - size, 0)))
        if asked.offset + size < found.total:
            wanted.append(("next", asked.offset + size))
        wanted.append(("last", max(pages - 1, 0) * size))
        links = [{"@type": "link", "rel": rel, "href": _href(request, at, size)} for rel, at in wanted]
    return {
        "links": links,
        "content": content,
        "metadata": {
            "size": size,
            "totalElements": found.total,
            "totalPages": pages,
            "number": number,
            "offset": asked.offset,
        },
    }


def _href(request: Request, offset: int, limit: int) -> str:
    """The request's URL for the page at ``offset``: in ``$skip``/``$top`` when the client wrote
    those, else in ``page``/``limit`` (a page number: offsets that are multiples of ``limit``)."""
    params = request.query_params
    kept = [(k, v) for k, v in params.multi_items() if k not in ("page", "limit", "$top", "$skip")]
    if "$skip" in params or "$top" in params:
        paging = [("$skip", str(offset)), ("$top", str(limit))]
    else:
        paging = [("page", str(offset // limit + 1)), ("limit", str(limit))]
    return str(request.url.replace(query=urlencode([*kept, *paging])))
