"""Extension services a system administrator registers (vCD's ``/api/admin/extension/service``):
a unique namespace, the AMQP exchange and routing key its requests go to, whether it is enabled,
the URL patterns (API filters) it serves and the API definitions it publishes. The world keeps
them, and ``matching`` names the enabled service a request's path goes to (``extension_requests``
forwards it over AMQP)."""

from __future__ import annotations

import functools
import json
import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.schema import ExtensionApiFilter, ExtensionService
from localsphere.world.store import Store

MOST_FILTERS, MOST_DEFINITIONS, LENGTH = 64, 64, 255


@dataclass(frozen=True)
class ApiFilter:
    """A URL pattern (a Java regular expression) or response content type a service serves."""

    id: str
    url_pattern: str | None
    response_content_type: str | None


@dataclass(frozen=True)
class ApiDefinition:
    """An API a service publishes: its entry point (``{baseUri}`` for the API's base), namespace,
    vendor and the API versions it supports."""

    id: str
    name: str
    entry_point: str
    namespace: str
    api_vendor: str
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceSpec:
    """A registration as a client sends it."""

    name: str
    namespace: str
    routing_key: str
    exchange: str
    enabled: bool = True
    authorization_enabled: bool = False
    priority: int = 50
    vendor: str = ""
    filters: tuple[tuple[str | None, str | None], ...] = ()  # (url pattern, response content type)


@dataclass(frozen=True)
class ServiceView:
    id: str
    name: str
    namespace: str
    routing_key: str
    exchange: str
    enabled: bool
    authorization_enabled: bool
    priority: int
    vendor: str
    filters: tuple[ApiFilter, ...] = field(default=())
    definitions: tuple[ApiDefinition, ...] = field(default=())


def _view(s: Session, row: ExtensionService) -> ServiceView:
    filters = s.scalars(
        select(ExtensionApiFilter)
        .where(ExtensionApiFilter.service == row.id)
        .order_by(ExtensionApiFilter.seq)
    )
    return ServiceView(
        row.id,
        row.name,
        row.namespace,
        row.routing_key,
        row.exchange,
        row.enabled,
        row.authorization_enabled,
        row.priority,
        row.vendor,
        tuple(ApiFilter(f.id, f.url_pattern, f.response_content_type) for f in filters),
        tuple(ApiDefinition(**{**d, "versions": tuple(d["versions"])}) for d in json.loads(row.definitions)),
    )


def _text(value: str, what: str, required: bool = True) -> str:
    value = value.strip()
    if (required and not value) or len(value) > LENGTH:
        raise Invalid("service.field", f"The service's {what} must be 1 to {LENGTH} characters.", what)
    return value


def _filter(service: str, seq: int, pattern: str | None, content_type: str | None) -> ExtensionApiFilter:
    pattern = pattern.strip() if pattern else None
    content_type = content_type.strip() if content_type else None
    if not pattern and not content_type:
        raise Invalid("service.filter", "An API filter names a UrlPattern or a ResponseContentType.")
    if pattern:
        if len(pattern) > 4096:
            raise Invalid("service.filter", "A UrlPattern is at most 4096 characters.")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise Invalid("service.filter", f"The UrlPattern is not a regular expression: {exc}.") from None
    return ExtensionApiFilter(
        id=str(uuid.uuid4()),
        service=service,
        seq=seq,
        url_pattern=pattern,
        response_content_type=content_type,
    )


class ExtensionServices:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def register(self, spec: ServiceSpec) -> ServiceView:
        """A new service. Invalid when its name, namespace, routing key or exchange is missing
        or too long, or a filter is not a pattern; Conflict when its namespace is registered."""
        if len(spec.filters) > MOST_FILTERS:
            raise Invalid("service.filter", f"A service has at most {MOST_FILTERS} API filters.")
        service_id = str(uuid.uuid4())
        filters = [_filter(service_id, n, p, c) for n, (p, c) in enumerate(spec.filters)]
        with self._store.write(serial=True) as s:
            namespace = _text(spec.namespace, "Namespace")
            if s.scalar(select(func.count()).where(ExtensionService.namespace == namespace)):
                raise Conflict(
                    "service.exists", f"The namespace {namespace} is already registered.", namespace
                )
            row = ExtensionService(
                id=service_id,
                name=_text(spec.name, "name"),
                namespace=namespace,
                routing_key=_text(spec.routing_key, "RoutingKey"),
                exchange=_text(spec.exchange, "Exchange"),
                enabled=spec.enabled,
                authorization_enabled=spec.authorization_enabled,
                priority=spec.priority,
                vendor=_text(spec.vendor, "Vendor", required=False),
                definitions="[]",
                created_at=self._clock.now(s),
            )
            s.add(row)
            s.flush()
            s.add_all(filters)
            s.flush()
            return _view(s, row)

    def all(self) -> list[ServiceView]:
        with self._store.write() as s:
            rows = s.scalars(
                select(ExtensionService).order_by(ExtensionService.created_at, ExtensionService.id)
            )
            return [_view(s, r) for r in rows]

    def matching(self, path: str) -> ServiceView | None:
        """The enabled service one of whose UrlPatterns matches all of ``path`` (as Java's
        ``Pattern.matches``), the one of highest priority (the smallest number; registered first
        among equals), or None."""
        with self._store.query() as conn:
            rows = conn.execute(
                select(ExtensionService.id, ExtensionApiFilter.url_pattern)
                .join(ExtensionApiFilter, ExtensionApiFilter.service == ExtensionService.id)
                .where(ExtensionService.enabled.is_(True), ExtensionApiFilter.url_pattern.is_not(None))
                .order_by(ExtensionService.priority, ExtensionService.created_at, ExtensionService.id)
            ).all()
        for service_id, pattern in rows:
            if _matches(pattern, path):
                return self.get(service_id)
        return None

    def get(self, service_id: str) -> ServiceView:
        with self._store.write() as s:
            return _view(s, _row(s, service_id))

    def update(self, service_id: str, spec: ServiceSpec) -> ServiceView:
        """Change a service's name, routing, state, priority and vendor (its namespace, filters
        and definitions stay). Invalid for a changed namespace."""
        with self._store.write() as s:
            row = _row(s, service_id, lock=True)
            if spec.namespace.strip() and spec.namespace.strip() != row.namespace:
                raise Invalid("service.namespace", "A service's namespace cannot be changed.", spec.namespace)
            row.name = _text(spec.name, "name")
            row.routing_key = _text(spec.routing_key, "RoutingKey")
            row.exchange = _text(spec.exchange, "Exchange")
            row.enabled = spec.enabled
            row.authorization_enabled = spec.authorization_enabled
            row.priority = spec.priority
            row.vendor = _text(spec.vendor, "Vendor", required=False)
            return _view(s, row)

    def delete(self, service_id: str) -> None:
        with self._store.write() as s:
            s.delete(_row(s, service_id, lock=True))

    def add_filter(self, service_id: str, pattern: str | None, content_type: str | None) -> ApiFilter:
        with self._store.write() as s:
            _row(s, service_id, lock=True)
            count = s.scalar(select(func.count()).where(ExtensionApiFilter.service == service_id)) or 0
            if count >= MOST_FILTERS:
                raise Invalid("service.filter", f"A service has at most {MOST_FILTERS} API filters.")
            last = s.scalar(
                select(func.max(ExtensionApiFilter.seq)).where(ExtensionApiFilter.service == service_id)
            )
            made = _filter(service_id, (last or 0) + 1, pattern, content_type)
            s.add(made)
            return ApiFilter(made.id, made.url_pattern, made.response_content_type)

    def remove_filter(self, filter_id: str) -> None:
        with self._store.write() as s:
            if not s.execute(delete(ExtensionApiFilter).where(ExtensionApiFilter.id == filter_id)).rowcount:
                raise NotFound("service.item_not_found", f"No API filter {filter_id}.", filter_id)

    def find_filter(self, filter_id: str) -> ApiFilter:
        with self._store.write() as s:
            found = s.get(ExtensionApiFilter, filter_id)
            if found is None:
                raise NotFound("service.item_not_found", f"No API filter {filter_id}.", filter_id)
            return ApiFilter(found.id, found.url_pattern, found.response_content_type)

    def add_definition(self, service_id: str, given: ApiDefinition) -> ApiDefinition:
        with self._store.write() as s:
            row = _row(s, service_id, lock=True)
            definitions = json.loads(row.definitions)
            if len(definitions) >= MOST_DEFINITIONS:
                raise Invalid(
                    "service.definition", f"A service has at most {MOST_DEFINITIONS} API definitions."
                )
            made = ApiDefinition(
                str(uuid.uuid4()),
                _text(given.name, "ApiDefinition name"),
                _text(given.entry_point, "EntryPoint"),
                _text(given.namespace or row.namespace, "Namespace"),
                _text(given.api_vendor, "ApiVendor", required=False),
                tuple(_text(v, "Version") for v in given.versions[:32]),
            )
            row.definitions = json.dumps([*definitions, {**made.__dict__, "versions": list(made.versions)}])
            return made

    def remove_definition(self, definition_id: str) -> None:
        self._remove("definitions", definition_id, "API definition")

    def find_definition(self, definition_id: str) -> tuple[ServiceView, ApiDefinition]:
        service = self._owner("definitions", definition_id, "API definition")
        return service, next(d for d in service.definitions if d.id == definition_id)

    def _owner(self, column: str, item_id: str, what: str) -> ServiceView:
        with self._store.write() as s:
            for row in s.scalars(select(ExtensionService)):
                if any(item["id"] == item_id for item in json.loads(getattr(row, column))):
                    return _view(s, row)
        raise NotFound("service.item_not_found", f"No {what} {item_id}.", item_id)

    def _remove(self, column: str, item_id: str, what: str) -> None:
        with self._store.write() as s:
            for row in s.scalars(select(ExtensionService).with_for_update()):
                items = json.loads(getattr(row, column))
                kept = [item for item in items if item["id"] != item_id]
                if len(kept) != len(items):
                    setattr(row, column, json.dumps(kept))
                    return
        raise NotFound("service.item_not_found", f"No {what} {item_id}.", item_id)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # kept before the check at registration: it matches nothing
        return None


def _matches(pattern: str, path: str) -> bool:
    compiled = _compiled(pattern)
    return compiled is not None and compiled.fullmatch(path) is not None


def _row(s: Session, service_id: str, lock: bool = False) -> ExtensionService:
    query = select(ExtensionService).where(ExtensionService.id == service_id)
    row = s.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound("service.not_found", f"No extension service {service_id}.", service_id)
    return row
