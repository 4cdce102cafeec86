"""What every face needs from HTTP: bounded request bodies and queries, fast JSON, safe XML,
credentials from headers, and world calls run off the event loop (the world is synchronous; its
database calls block)."""

from __future__ import annotations

import asyncio
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import cache, lru_cache, partial
from http import HTTPStatus
from typing import Any, TypeVar

import orjson
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused
from starlette.requests import Request
from starlette.responses import Response

from localsphere.world.store import NeedsStore, Store

T = TypeVar("T")
WORLD_THREADS = 4


MAX_DEPTH = 64  # nesting of a JSON or XML body, as a scenario's YAML
MAX_QUERY_BYTES = 32 * 1024  # a request's query string
MAX_QUERY_PARAMS = 1000  # parameters in it


class InputError(Exception):
    """The request's input is missing, too large or malformed: its body, or its query string.
    ``detail`` says what, in the client's terms."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail or kind)
        self.kind = kind  # empty | too_large | malformed (a body) | query
        self.detail = detail


def check_query(query_string: bytes) -> None:
    """Refuse a query string too long or with too many parameters to parse at little cost, or
    holding a NUL character (no name or value has one, and PostgreSQL's text cannot)."""
    if len(query_string) > MAX_QUERY_BYTES:
        raise InputError("query", f"The query string is longer than {MAX_QUERY_BYTES} bytes")
    if query_string.count(b"&") >= MAX_QUERY_PARAMS:
        raise InputError("query", f"The query string has more than {MAX_QUERY_PARAMS} parameters")
    if b"%00" in query_string:
        raise InputError("query", "The query string must not contain the NUL character (%00)")


async def read_body(request: Request, limit: int) -> bytes:
    declared = whole_number(request.headers.get("content-length") or "")
    if declared is not None and declared > limit:
        raise InputError("too_large", f"Request body exceeds {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InputError("too_large", f"Request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, limit: int) -> Any:
    return parse_json(await read_body(request, limit))


def parse_json(body: bytes) -> Any:
    """A JSON body nested at most ``MAX_DEPTH`` levels, without the NUL character in its strings;
    malformed JSON is refused by position."""
    if not body.strip():
        raise InputError("empty", "Request body is required")
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth" in exc.msg:  # orjson stops at 1024 levels, past ours
            raise InputError("malformed", f"The body is nested more than {MAX_DEPTH} levels deep") from None
        raise InputError("malformed", f"Malformed JSON at line {exc.lineno}, column {exc.colno}") from None
    deep = body.count(b"[") + body.count(b"{") > MAX_DEPTH  # else it cannot be nested deeper
    if deep or b"\\u0000" in body:
        _check_value(value)
    return value


def _check_value(value: Any) -> None:
    """Refuse a decoded JSON value nested deeper than ``MAX_DEPTH``, or with a NUL character in
    a string (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise InputError("malformed", "Strings must not contain the NUL character (\\u0000)")
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise InputError("malformed", f"The body is nested more than {MAX_DEPTH} levels deep")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def parse_xml(body: bytes) -> ET.Element:
    """An XML body without a DTD, entities or external references (so no entity expansion and no
    network), nested at most ``MAX_DEPTH`` levels; malformed XML is refused by position."""
    if not body.strip():
        raise InputError("empty", "Request body is required")
    try:
        root = defused.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InputError("malformed", "XML with a DTD or entities is not accepted") from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError("malformed", f"Malformed XML at line {line}, column {column + 1}") from None
    except (LookupError, ValueError, UnicodeError):  # an encoding= it does not have or cannot use
        message = "The XML declaration names an unsupported encoding; use UTF-8"
        raise InputError("malformed", message) from None
    stack = [(root, 1)]
    while stack:  # the depth, without recursion: decoders that follow may recurse once a level
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError("malformed", f"The XML body is nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in element)
    return root


def whole_number(text: str) -> int | None:
    """The value of a query parameter written in ASCII digits (at most 18 of them, so it fits any
    64-bit column), else None. ``str.isdigit`` alone would take "²", which ``int`` refuses."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, headers=headers, media_type="application/json")


def bearer(request: Request, scheme: str = "Bearer") -> str | None:
    """The credential of ``Authorization: <scheme> <credential>``, or None when absent or malformed."""
    value = request.headers.get("authorization", "")
    given, _, credential = value.partition(" ")
    if given.lower() != scheme.lower() or not credential.strip():
        return None
    return credential.strip()


@cache
def _world_threads() -> ThreadPoolExecutor:
    """This process's world threads, made on first use (a worker is a process of its own)."""
    return ThreadPoolExecutor(WORLD_THREADS, thread_name_prefix="world")


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a world call on one of a few threads: enough to overlap database round trips and
    password hashing, few enough that they do not fight over the GIL. The event loop's own
    executor hand-off: anyio's ``to_thread`` cost the loop 40 % of a sign-in's time here."""
    return await asyncio.get_running_loop().run_in_executor(_world_threads(), partial(fn, *args, **kwargs))


class Runner:
    """How a face runs world calls. Writes, password hashing and whatever may wait go to the world
    threads (``call``). Reads (``read``) run right on the event loop when the store is a local
    SQLite file, whose WAL readers never wait: there a thread hop costs more than the read (a read
    may leave a one-row record, such as a privilege check, which is as short). On PostgreSQL, whose
    reads are round trips, a read is first tried on the loop from the worker's copies alone (a
    known session, a kept object), and hops to a thread only when it needs the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.inline_reads = store.kind == "sqlite"

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        return await call(fn, *args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        if self.inline_reads:
            return fn(*args)
        try:
            with self.store.without_io():
                return fn(*args)
        except NeedsStore:
            return await call(fn, *args)


def iso_timestamp(epoch: float) -> str:
    """UTC with milliseconds, as Java services write it: ``2022-09-28T06:43:03.231Z``."""
    fraction, second = math.modf(epoch)
    micros = round(fraction * 1_000_000)  # to the microsecond, as datetime rounds; then cut to ms
    if micros >= 1_000_000:
        second, micros = second + 1, micros - 1_000_000
    return f"{_iso_second(int(second))}.{micros // 1000:03d}Z"


@lru_cache(maxsize=4096)
def _iso_second(second: int) -> str:
    """The date and time of a whole second: the same few seconds recur in every answer."""
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")


PRINCIPAL = "localsphere.principal"


def note_principal(request: Request, upn: str) -> None:
    """Say who a request turned out to be, for the request log (faces call it once they know)."""
    request.scope[PRINCIPAL] = upn


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"
