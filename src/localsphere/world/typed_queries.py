"""vCloud Director's query service (``/api/query?type=...``) over the world: each query type is
one SQL select whose columns are named by the record's attributes, so a FIQL ``filter``, the
sort keys and the page all run in the database (one indexed query for the page, one count).

A record's values are plain (text, numbers, booleans, epoch seconds for dates) or ``Ref``s to
another object (its kind and world id; for an org, its tenant's name), which the face writes as
an href, or as a urn in the ``idrecords`` format. A filter names attributes as the records do;
a reference attribute is compared with the referenced object's id.

Who sees what: the provider (the System org's users) sees every org's objects, and alone runs the
query types named ``admin...``; anyone else sees its own org's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Integer,
    String,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from localsphere.world import fiql
from localsphere.world.access import VCD
from localsphere.world.catalogs import MEDIA, VAPP_TEMPLATE
from localsphere.world.clock import Clock
from localsphere.world.errors import Forbidden, Invalid
from localsphere.world.event_types import event_type_sql
from localsphere.world.identity import GROUP, ORG, SSO, USER
from localsphere.world.inventory import CLUSTER, DATASTORE, NETWORK, POWERED_ON, VM
from localsphere.world.metadata import KINDS, Entry, FilterFields, entries_of
from localsphere.world.metadata import field as metadata_field
from localsphere.world.odata import CodePointOrder, EpochSeconds, epoch_seconds
from localsphere.world.org_roles import RIGHTS, SYSTEM_ADMINISTRATOR, right_id
from localsphere.world.org_vdcs import MHZ_PER_CPU, STORAGE_PROFILE
from localsphere.world.provider_view import VCENTER_NAME, VIM_TYPES
from localsphere.world.schema import (
    AccessSetting,
    Assignment,
    Catalog,
    CatalogItem,
    Disk,
    Domain,
    Event,
    ExtensionApiFilter,
    ExtensionService,
    IdentityStore,
    ManagedObject,
    OrgNetwork,
    OrgSettingsRow,
    OrgVdc,
    Principal,
    Role,
    Task,
    Tenant,
    VApp,
    VdcStorageProfileRow,
)
from localsphere.world.sharing import CATALOG, VAPP, Who, seen, who
from localsphere.world.store import Store
from localsphere.world.tasks import status_at
from localsphere.world.tenants import DEFAULT_TENANT, SYSTEM_ORG, org_uuid, tenant_of_org

if TYPE_CHECKING:
    from localsphere.world.vapps import Actor

PAGE_SIZE, PAGE_SIZE_MOST = 25, 128  # vCD's default and largest page size
RECORDS, REFERENCES, IDRECORDS = "records", "references", "idrecords"


TYPED = "typed"  # a reference whose kind varies by record: its value is ``<kind>:<id>``


@dataclass(frozen=True)
class Ref:
    """A reference attribute's value: the object's kind (``vdc``, ``org``, ``vApp``, ...) and id."""

    kind: str
    id: str


class ReferenceId(TypeDecorator[str]):
    """A reference attribute in a filter: its value may be the object's href, urn or id
    (``vdc==https://h/api/vdc/<id>``, ``vdc==urn:vcloud:vdc:<id>``), compared by the id."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if not isinstance(value, str):
            return value
        tail = value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        for prefix in ("vappTemplate-", "vapp-", "vm-"):
            if tail.startswith(prefix):
                return tail[len(prefix) :]
        return tail


class AnyCase(TypeDecorator[str]):
    """A lower-case word compared in any case (a task's ``status==RUNNING``, as vcd-cli sends it)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return value.lower() if isinstance(value, str) else value


def _ref(column: Any, kind: str) -> Attribute:
    return Attribute(type_coerce(column, ReferenceId()), kind)


def _org_name(tenant: Any) -> ColumnElement[str]:
    """An org's name from its tenant's: ``System`` for the default tenant."""
    return case((tenant == DEFAULT_TENANT, literal(SYSTEM_ORG, String)), else_=tenant)


def _bool(value: bool) -> ColumnElement[bool]:
    return literal(value, Boolean)


@dataclass(frozen=True)
class _OrgField:
    """``org==`` as pyvcloud and vcd-cli send it, by the org's href, urn or id (or its name),
    compared with the records' tenant; ``orgs``: every org's id to its tenant's name. Of a
    ``shared`` type, a record of no tenant (a predefined role) is every org's."""

    column: ColumnElement[Any]
    orgs: dict[str, str]
    shared: bool = False

    def typed(self, raw: str) -> tuple[ColumnElement[Any], str]:
        tail = raw.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        tenant = self.orgs.get(tail.lower(), tenant_of_org(raw))
        if self.shared:
            return case((self.column == "", literal(tenant, String)), else_=self.column), tenant
        return self.column, tenant


@dataclass(frozen=True)
class Attribute:
    """A record attribute: its SQL, the kind of object it references (None: a plain value), and
    what a filter compares (None: its SQL; a reference of varying kind: its id)."""

    sql: ColumnElement[Any]
    ref: str | None = None
    filter: ColumnElement[Any] | None = None


@dataclass(frozen=True)
class QueryType:
    """``name`` as ``type=`` names it, ``record`` its element, ``kind`` what its records are (the
    kind of their own href), ``source(now)`` its select's FROM (joins included), ``id`` and
    ``tenant`` its own id and org, ``attributes`` by name (in the record's order), ``order`` the
    default sort."""

    name: str
    record: str
    kind: str
    source: Callable[[float], Select[Any]]
    id: ColumnElement[Any]
    tenant: ColumnElement[Any] | None  # None: one for every org (roles)
    attributes: Callable[[float], dict[str, Attribute]]
    order: str = "name"
    provider_only: ColumnElement[bool] | None = None  # what only the provider sees of a global type
    linked: bool = True  # whether its records have an href of their own (an event has none)
    reference: str | None = None  # its references' element stem, when not its record's less Admin
    shared: bool = False  # a record of no tenant (``tenant`` "") is every org's (predefined roles)

    @property
    def admin(self) -> bool:
        return self.name.startswith("admin")


@dataclass(frozen=True)
class Ask:
    """A query as a client asks it: FIQL ``filter``, a sort attribute ascending or descending,
    a 1-based ``page`` of ``page_size`` records, and ``fields`` to show (None: all)."""

    filter: str | None = None
    sort_asc: str | None = None
    sort_desc: str | None = None
    page: int = 1
    page_size: int = PAGE_SIZE
    fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Record:
    id: str
    # attribute name -> value (a time as a UTC datetime) or Ref, in the record's order; None left out
    values: dict[str, Any]
    metadata: tuple[Entry, ...] = ()  # the entries ``fields`` names (``metadata:KEY``)


@dataclass(frozen=True)
class Answer:
    type: QueryType
    total: int
    page: int
    page_size: int
    records: list[Record]


# --- the query types ---------------------------------------------------------------------------

_VAPP_VMS = (
    select(func.count())
    .where(ManagedObject.vapp == VApp.id, ManagedObject.kind == VM)
    .correlate(VApp)
    .scalar_subquery()
)
_VAPP_CPUS = (
    select(func.coalesce(func.sum(ManagedObject.cpu_count), 0))
    .where(ManagedObject.vapp == VApp.id, ManagedObject.kind == VM)
    .correlate(VApp)
    .scalar_subquery()
)
_VAPP_MEMORY = (
    select(func.coalesce(func.sum(ManagedObject.memory_mib), 0))
    .where(ManagedObject.vapp == VApp.id, ManagedObject.kind == VM)
    .correlate(VApp)
    .scalar_subquery()
)
_VAPP_STORAGE_KB = (
    select(func.coalesce(func.sum(ManagedObject.capacity), 0) // 1024)
    .where(ManagedObject.vapp == VApp.id, ManagedObject.kind == VM)
    .correlate(VApp)
    .scalar_subquery()
)
_VAPP_STATES = (
    select(func.min(ManagedObject.power_state), func.max(ManagedObject.power_state))
    .where(ManagedObject.vapp == VApp.id, ManagedObject.kind == VM)
    .correlate(VApp)
)


def _busy(owner: Any, now: float) -> ColumnElement[bool]:
    """Whether a task that has not ended changes the object ``owner`` (its id column) names."""
    return select(Task.id).where(Task.owner_id == owner, Task.ends_at > literal(now)).exists()


def _vapp_status() -> ColumnElement[str]:
    """POWERED_ON / POWERED_OFF / SUSPENDED when all VMs agree, MIXED, or RESOLVED without VMs."""
    low = _VAPP_STATES.with_only_columns(func.min(ManagedObject.power_state)).scalar_subquery()
    high = _VAPP_STATES.with_only_columns(func.max(ManagedObject.power_state)).scalar_subquery()
    return case((low.is_(None), "RESOLVED"), (low == high, low), else_="MIXED")


_VAPP_OWNER = aliased(Principal)


def _vapps(_now: float) -> Select[Any]:
    return (
        select(VApp.id)
        .join(OrgVdc, OrgVdc.id == VApp.vdc)
        .outerjoin(_VAPP_OWNER, _VAPP_OWNER.id == VApp.owner_id)
    )


def _vapp_attributes(admin: bool) -> Callable[[float], dict[str, Attribute]]:
    def make(now: float) -> dict[str, Attribute]:
        found = {
            "name": Attribute(VApp.name),
            "vdc": _ref(VApp.vdc, "vdc"),
            "vdcName": Attribute(OrgVdc.name),
            "isPublic": Attribute(_bool(False)),
            "isEnabled": Attribute(_bool(True)),
            "isBusy": Attribute(_busy(VApp.id, now)),
            "creationDate": Attribute(epoch_seconds(VApp.created_at)),
            "status": Attribute(_vapp_status()),
            "ownerName": Attribute(_VAPP_OWNER.name),
            "isDeployed": Attribute(VApp.deployed),
            "isInMaintenanceMode": Attribute(_bool(False)),
            "isAutoNature": Attribute(_bool(False)),
            "isExpired": Attribute(VApp.expired),
            "numberOfVMs": Attribute(type_coerce(_VAPP_VMS, Integer)),
            "numberOfCpus": Attribute(type_coerce(_VAPP_CPUS, Integer)),
            "memoryAllocationMB": Attribute(type_coerce(_VAPP_MEMORY, Integer)),
        }
        if admin:
            found = {
                "org": Attribute(VApp.tenant, "org"),
                **found,
                "isVdcEnabled": Attribute(OrgVdc.enabled),
                "storageKB": Attribute(cast(_VAPP_STORAGE_KB, BigInteger)),
                "cpuAllocationMhz": Attribute(type_coerce(_VAPP_CPUS * MHZ_PER_CPU, Integer)),
            }
        return found

    return make


_VM_VAPP = aliased(VApp)
_VM_OWNER = aliased(Principal)
_VM_HOST = aliased(ManagedObject)


def _vms(_now: float) -> Select[Any]:
    return (
        select(ManagedObject.uuid)
        .join(_VM_VAPP, _VM_VAPP.id == ManagedObject.vapp)
        .join(OrgVdc, OrgVdc.id == _VM_VAPP.vdc)
        .outerjoin(_VM_OWNER, _VM_OWNER.id == _VM_VAPP.owner_id)
        .outerjoin(_VM_HOST, _VM_HOST.moid == ManagedObject.host)
        .where(ManagedObject.kind == VM)
    )


def _vm_attributes(admin: bool) -> Callable[[float], dict[str, Attribute]]:
    def make(now: float) -> dict[str, Attribute]:
        found = {
            "name": Attribute(ManagedObject.name),
            "containerName": Attribute(_VM_VAPP.name),
            "container": _ref(_VM_VAPP.id, "vApp"),
            "ownerName": Attribute(_VM_OWNER.name),
            "owner": _ref(_VM_OWNER.id, "user"),
            "vdc": _ref(_VM_VAPP.vdc, "vdc"),
            "isVAppTemplate": Attribute(_bool(False)),
            "isDeleted": Attribute(_bool(False)),
            "guestOs": Attribute(ManagedObject.subtype),
            "numberOfCpus": Attribute(ManagedObject.cpu_count),
            "memoryMB": Attribute(ManagedObject.memory_mib),
            "status": Attribute(ManagedObject.power_state),
            "isBusy": Attribute(_busy(ManagedObject.uuid, now)),
            "isDeployed": Attribute(ManagedObject.power_state == POWERED_ON),
            "isPublished": Attribute(_bool(False)),
            "hardwareVersion": Attribute(literal(19, Integer)),
            "isInMaintenanceMode": Attribute(_bool(False)),
            "isAutoNature": Attribute(_bool(False)),
        }
        if admin:
            for name in ("ownerName", "owner", "isBusy", "isInMaintenanceMode"):
                del found[name]
            found.update(
                {
                    "hostName": Attribute(_VM_HOST.name),
                    "isVdcEnabled": Attribute(OrgVdc.enabled),
                    "moref": Attribute(ManagedObject.moid),
                    "org": Attribute(_VM_VAPP.tenant, "org"),
                }
            )
        return found

    return make


_VDC_VAPPS = select(func.count()).where(VApp.vdc == OrgVdc.id).correlate(OrgVdc).scalar_subquery()
_VDC_VMS = (
    select(func.count())
    .select_from(ManagedObject)
    .join(VApp, VApp.id == ManagedObject.vapp)
    .where(VApp.vdc == OrgVdc.id, ManagedObject.kind == VM)
    .correlate(OrgVdc)
)
_VDC_RUNNING = _VDC_VMS.where(ManagedObject.power_state == POWERED_ON)
_VDC_CPU_USED = _VDC_RUNNING.with_only_columns(
    func.coalesce(func.sum(ManagedObject.cpu_count), 0) * OrgVdc.vcpu_mhz
)
_VDC_MEMORY_USED = _VDC_RUNNING.with_only_columns(func.coalesce(func.sum(ManagedObject.memory_mib), 0))


def _vdc_items(kind: str) -> Any:
    return (
        select(func.count())
        .where(CatalogItem.vdc == OrgVdc.id, CatalogItem.kind == kind)
        .correlate(OrgVdc)
        .scalar_subquery()
    )


def _vdcs(_now: float) -> Select[Any]:
    return select(OrgVdc.id)


def _vdc_attributes(admin: bool) -> Callable[[float], dict[str, Attribute]]:
    def make(_now: float) -> dict[str, Attribute]:
        found = {
            "name": Attribute(OrgVdc.name),
            "description": Attribute(OrgVdc.description),
            "isEnabled": Attribute(OrgVdc.enabled),
            "cpuAllocationMhz": Attribute(OrgVdc.cpu_allocated_mhz),
            "cpuLimitMhz": Attribute(OrgVdc.cpu_limit_mhz),
            "cpuUsedMhz": Attribute(type_coerce(_VDC_CPU_USED.scalar_subquery(), Integer)),
            "memoryAllocationMB": Attribute(OrgVdc.memory_allocated_mb),
            "memoryLimitMB": Attribute(OrgVdc.memory_limit_mb),
            "memoryUsedMB": Attribute(type_coerce(_VDC_MEMORY_USED.scalar_subquery(), Integer)),
            "storageLimitMB": Attribute(OrgVdc.storage_limit_mb),
            "orgName": Attribute(_org_name(OrgVdc.tenant)),
            "numberOfVApps": Attribute(type_coerce(_VDC_VAPPS, Integer)),
            "numberOfMedia": Attribute(type_coerce(_vdc_items(MEDIA), Integer)),
            "numberOfVAppTemplates": Attribute(type_coerce(_vdc_items(VAPP_TEMPLATE), Integer)),
            "isSystemVdc": Attribute(_bool(False)),
            "isBusy": Attribute(_bool(False)),
            "status": Attribute(literal(1, Integer)),
            "numberOfVMs": Attribute(type_coerce(_VDC_VMS.scalar_subquery(), Integer)),
            "numberOfRunningVMs": Attribute(type_coerce(_VDC_RUNNING.scalar_subquery(), Integer)),
        }
        if admin:
            found["org"] = Attribute(OrgVdc.tenant, "org")
        return found

    return make


_CATALOG_OWNER = aliased(Principal)


def _catalog_items_of(kind: str) -> Any:
    return (
        select(func.count())
        .where(CatalogItem.catalog == Catalog.id, CatalogItem.kind == kind)
        .correlate(Catalog)
        .scalar_subquery()
    )


def _catalog_shared() -> ColumnElement[bool]:
    """Whether a catalog is shared: given to anyone by its access settings (users, groups, its
    org's everyone, another org); publishing is ``isPublished``."""
    return (
        select(AccessSetting.id)
        .where(AccessSetting.kind == CATALOG, AccessSetting.object == Catalog.id)
        .exists()
    )


def _catalogs(_now: float) -> Select[Any]:
    return select(Catalog.id).outerjoin(_CATALOG_OWNER, _CATALOG_OWNER.id == Catalog.owner_id)


def _catalog_attributes(admin: bool) -> Callable[[float], dict[str, Attribute]]:
    def make(_now: float) -> dict[str, Attribute]:
        templates = "numberOfTemplates" if admin else "numberOfVAppTemplates"
        found = {
            "name": Attribute(Catalog.name),
            "description": Attribute(Catalog.description),
            "isPublished": Attribute(Catalog.published),
            "isShared": Attribute(or_(Catalog.published, _catalog_shared())),
            "creationDate": Attribute(epoch_seconds(Catalog.created_at)),
            "orgName": Attribute(_org_name(Catalog.tenant)),
            "ownerName": Attribute(_CATALOG_OWNER.name),
            templates: Attribute(type_coerce(_catalog_items_of(VAPP_TEMPLATE), Integer)),
            "numberOfMedia": Attribute(type_coerce(_catalog_items_of(MEDIA), Integer)),
            "owner": _ref(_CATALOG_OWNER.id, "user"),
        }
        if admin:
            found = {"org": Attribute(Catalog.tenant, "org"), **found}
            del found["description"]
        return found

    return make


_ITEM_OWNER = aliased(Principal)
_ITEM_VDC = aliased(OrgVdc)


def _items(kind: str | None) -> Callable[[float], Select[Any]]:
    def make(_now: float) -> Select[Any]:
        query = (
            select(CatalogItem.id)
            .join(Catalog, Catalog.id == CatalogItem.catalog)
            .outerjoin(_ITEM_OWNER, _ITEM_OWNER.id == CatalogItem.owner_id)
            .outerjoin(_ITEM_VDC, _ITEM_VDC.id == CatalogItem.vdc)
        )
        return query.where(CatalogItem.kind == kind) if kind else query

    return make


def _item_attributes(kind: str | None, admin: bool) -> Callable[[float], dict[str, Attribute]]:
    def make(_now: float) -> dict[str, Attribute]:
        common = {
            "name": Attribute(CatalogItem.name),
            "ownerName": Attribute(_ITEM_OWNER.name),
            "owner": _ref(_ITEM_OWNER.id, "user"),
            "catalogName": Attribute(Catalog.name),
            "catalog": _ref(Catalog.id, "catalog"),
            "isPublished": Attribute(Catalog.published),
            "vdc": _ref(CatalogItem.vdc, "vdc"),
            "vdcName": Attribute(_ITEM_VDC.name),
            "creationDate": Attribute(epoch_seconds(CatalogItem.created_at)),
            "isBusy": Attribute(_bool(False)),
            "status": Attribute(literal("RESOLVED", String)),
        }
        if kind is None:  # catalog items
            found = {
                "entity": Attribute(
                    case((CatalogItem.kind == VAPP_TEMPLATE, "vAppTemplate:"), else_="media:")
                    + CatalogItem.entity_id,
                    TYPED,
                    type_coerce(CatalogItem.entity_id, ReferenceId()),
                ),
                "entityName": Attribute(CatalogItem.name),
                "entityType": Attribute(
                    case((CatalogItem.kind == VAPP_TEMPLATE, "vapptemplate"), else_="media")
                ),
                **common,
                "isVdcEnabled": Attribute(_ITEM_VDC.enabled),
                "isExpired": Attribute(CatalogItem.expired),
            }
            del found["isBusy"]
        elif kind == VAPP_TEMPLATE:
            found = {
                **common,
                "description": Attribute(CatalogItem.description),
                "catalogItem": _ref(CatalogItem.id, "catalogItem"),
                "isGoldMaster": Attribute(_bool(False)),
                "isEnabled": Attribute(_bool(True)),
                "isDeployed": Attribute(_bool(False)),
                "isExpired": Attribute(CatalogItem.expired),
            }
        else:
            found = {
                **common,
                "catalogItem": _ref(CatalogItem.id, "catalogItem"),
                "storageB": Attribute(CatalogItem.size_bytes),
            }
        if admin:
            found = {"org": Attribute(CatalogItem.tenant, "org"), **found}
        return found

    return make


_NETWORK_VDC = aliased(OrgVdc)


def _networks(_now: float) -> Select[Any]:
    return select(OrgNetwork.id).join(_NETWORK_VDC, _NETWORK_VDC.id == OrgNetwork.vdc)


def _network_attributes(_now: float) -> dict[str, Attribute]:
    return {
        "name": Attribute(OrgNetwork.name),
        "defaultGateway": Attribute(OrgNetwork.gateway),
        "netmask": Attribute(OrgNetwork.netmask),
        "dns1": Attribute(OrgNetwork.dns),
        "linkType": Attribute(literal(1, Integer)),  # 1: a direct (bridged) connection
        "vdc": _ref(OrgNetwork.vdc, "vdc"),
        "isBusy": Attribute(_bool(False)),
        "isShared": Attribute(_bool(False)),
        "vdcName": Attribute(_NETWORK_VDC.name),
        # the external network a direct network is connected to: none (each org network has a
        # port group of its own), so ``connectedTo==<external>`` (pyvcloud's
        # ``list_associated_direct_org_vdc_networks``) finds no record
        "connectedTo": Attribute(literal(None, String)),
    }


def _org_network_attributes(_now: float) -> dict[str, Attribute]:
    """``orgNetwork``: the org networks as the API before 5.1's VDC networks showed them."""
    return {
        "name": Attribute(OrgNetwork.name),
        "org": Attribute(OrgNetwork.tenant, "org"),
        "isIpScopeInherited": Attribute(_bool(False)),
        "gateway": Attribute(OrgNetwork.gateway),
        "netmask": Attribute(OrgNetwork.netmask),
        "dns1": Attribute(OrgNetwork.dns),
        "isBusy": Attribute(_bool(False)),
    }


def _tasks(_now: float) -> Select[Any]:
    return select(Task.id)


def _task_attributes(admin: bool) -> Callable[[float], dict[str, Attribute]]:
    def make(now: float) -> dict[str, Attribute]:
        found = {
            "org": Attribute(Task.tenant, "org"),
            "orgName": Attribute(_org_name(Task.tenant)),
            "name": Attribute(Task.operation_name),
            "startDate": Attribute(epoch_seconds(Task.started_at)),
            "endDate": Attribute(
                epoch_seconds(case((Task.ends_at <= literal(now), Task.ends_at), else_=None))
            ),
            "status": Attribute(type_coerce(status_at(now), AnyCase())),
            "ownerName": Attribute(Task.user_name),
            "object": Attribute(
                Task.owner_kind + ":" + Task.owner_id, TYPED, type_coerce(Task.owner_id, ReferenceId())
            ),
            "objectType": Attribute(Task.owner_kind),
            "objectName": Attribute(Task.owner_name),
            "serviceNamespace": Attribute(Task.service),
        }
        if admin:
            found["owner"] = _ref(Task.user_id, "user")
            found["hasOwner"] = Attribute(_bool(True))
        return found

    return make


def _events(_now: float) -> Select[Any]:
    return select(Event.id)


def _event_attributes(admin: bool) -> Callable[[float], dict[str, Attribute]]:
    """EventRecord's (queryRecordView.xsd, in its order); adminEvent's adds ``eventId``,
    ``productVersion`` and ``org``. ``eventStatus`` is 0 for a success, 1 for a failure (not
    from a source)."""

    def make(_now: float) -> dict[str, Attribute]:
        found = {"eventId": Attribute(Event.id)} if admin else {}
        found |= {
            "eventType": Attribute(event_type_sql()),
            "timeStamp": Attribute(epoch_seconds(Event.at)),
            "eventStatus": Attribute(case((Event.success.is_(True), literal(0)), else_=literal(1))),
            "userName": Attribute(Event.user_name),
            "orgName": Attribute(_org_name(Event.tenant)),
            "entityType": Attribute(func.lower(Event.entity_kind)),
            "entityName": Attribute(Event.entity_name),
            "serviceNamespace": Attribute(Event.service),
        }
        if admin:
            found["productVersion"] = Attribute(literal("5.5.0", String))
        found["entity"] = Attribute(
            case(
                (Event.entity_kind.in_(EVENT_ENTITY_KINDS), Event.entity_kind + ":" + Event.entity_id),
                else_=None,
            ),
            TYPED,
            type_coerce(Event.entity_id, ReferenceId()),
        )
        if admin:
            found["org"] = Attribute(Event.tenant, "org")
        return found

    return make


def _services(_now: float) -> Select[Any]:
    return select(ExtensionService.id)


def _service_attributes(_now: float) -> dict[str, Attribute]:
    """AdminServiceRecord's (queryRecordView.xsd)."""
    return {
        "name": Attribute(ExtensionService.name),
        "enabled": Attribute(ExtensionService.enabled),
        "exchange": Attribute(ExtensionService.exchange),
        "priority": Attribute(ExtensionService.priority),
        "routingKey": Attribute(ExtensionService.routing_key),
        "vendor": Attribute(ExtensionService.vendor),
        "namespace": Attribute(ExtensionService.namespace),
    }


def _api_filters(_now: float) -> Select[Any]:
    return select(ExtensionApiFilter.id)


def _api_filter_attributes(_now: float) -> dict[str, Attribute]:
    """ApiFilterRecord's: its pattern and its service."""
    return {
        "urlPattern": Attribute(ExtensionApiFilter.url_pattern),
        "service": _ref(ExtensionApiFilter.service, "service"),
    }


# The kinds of entity an event record references (their hrefs are the face's).
EVENT_ENTITY_KINDS = ("vApp", "vm", "vAppTemplate", "user", "org", "task", "blockingTask")
_USER_DOMAIN = aliased(Domain)


def _principals(kind: str) -> Callable[[float], Select[Any]]:
    """An org's users (its own, or the SSO domain's for the System org), or the groups it
    imported (those holding a vCD role: the SSO domain's or a linked directory's)."""

    def make(_now: float) -> Select[Any]:
        query = (
            select(Principal.id)
            .join(_USER_DOMAIN, _USER_DOMAIN.name == Principal.domain)
            .outerjoin(IdentityStore, IdentityStore.domain == Principal.domain)
            .where(Principal.kind == kind)
        )
        if kind == GROUP:
            imported = select(Assignment.principal_id).where(Assignment.family == VCD)
            return query.where(Principal.id.in_(imported))
        return query.where(_USER_DOMAIN.kind.in_((ORG, SSO)))

    return make


_PRINCIPAL_TENANT = func.coalesce(_USER_DOMAIN.tenant, IdentityStore.tenant, literal(DEFAULT_TENANT, String))


def _user_attributes(_now: float) -> dict[str, Attribute]:
    return {
        "name": Attribute(Principal.name),
        "fullName": Attribute(
            func.trim(func.coalesce(Principal.first_name, "") + " " + func.coalesce(Principal.last_name, ""))
        ),
        "isEnabled": Attribute(Principal.enabled),
        "isLdapUser": Attribute(_bool(False)),
    }


def _group_attributes(_now: float) -> dict[str, Attribute]:
    return {"name": Attribute(Principal.name), "isReadOnly": Attribute(_bool(False))}


def _roles(_now: float) -> Select[Any]:
    return select(Role.id).where(Role.family == VCD)


def _role_attributes(_now: float) -> dict[str, Attribute]:
    return {"name": Attribute(Role.name), "isReadOnly": Attribute(Role.system)}


# vCD's rights: a fixed catalogue (``org_roles.RIGHTS``), queried as a table of literal rows.
_RIGHTS = union_all(
    *(
        select(
            literal(right_id(name), String).label("id"),
            literal(name, String).label("name"),
            literal(category, String).label("category"),
        )
        for name, category in RIGHTS.items()
    )
).subquery("vcd_rights")


def _rights(_now: float) -> Select[Any]:
    return select(_RIGHTS.c.id)


def _right_attributes(_now: float) -> dict[str, Attribute]:
    return {
        "name": Attribute(_RIGHTS.c.name),
        "description": Attribute(_RIGHTS.c.name),
        "category": Attribute(_RIGHTS.c.category),
        "bundleKey": Attribute(literal("com.vmware.vcloud.undefined.key", String)),
        "isReadOnly": Attribute(_bool(True)),
        "serviceNamespace": Attribute(literal("com.vmware.vcloud", String)),
    }


def _orgs(_now: float) -> Select[Any]:
    return select(Tenant.name)


def _org_attributes(_now: float) -> dict[str, Attribute]:
    vdcs = select(func.count()).where(OrgVdc.tenant == Tenant.name).correlate(Tenant).scalar_subquery()
    catalogs = select(func.count()).where(Catalog.tenant == Tenant.name).correlate(Tenant).scalar_subquery()
    vapps = select(func.count()).where(VApp.tenant == Tenant.name).correlate(Tenant).scalar_subquery()
    state = select(OrgSettingsRow.enabled).where(OrgSettingsRow.tenant == Tenant.name).correlate(Tenant)
    return {
        "name": Attribute(_org_name(Tenant.name)),
        "displayName": Attribute(Tenant.full_name),
        "isEnabled": Attribute(func.coalesce(state.scalar_subquery(), _bool(True))),
        "isReadOnly": Attribute(_bool(False)),
        "canPublishCatalogs": Attribute(_bool(True)),
        "numberOfCatalogs": Attribute(type_coerce(catalogs, Integer)),
        "numberOfVdcs": Attribute(type_coerce(vdcs, Integer)),
        "numberOfVApps": Attribute(type_coerce(vapps, Integer)),
    }


# The provider's vSphere view (provider_view.py): a cluster is a provider VDC (its one storage
# policy shares its id), a port group no org network uses an external network.
_PVDC_OF = aliased(ManagedObject)  # the provider VDC (cluster) of a datastore's storage policy
_PVDC_VDCS = aliased(ManagedObject)


def _provider_vdcs(_now: float) -> Select[Any]:
    return select(ManagedObject.uuid).where(ManagedObject.kind == CLUSTER)


def _provider_vdc_attributes(_now: float) -> dict[str, Attribute]:
    vdcs = (
        select(func.count())
        .select_from(OrgVdc)
        .join(_PVDC_VDCS, _PVDC_VDCS.moid == OrgVdc.pool)
        .where(_PVDC_VDCS.cluster == ManagedObject.moid)
        .correlate(ManagedObject)
        .scalar_subquery()
    )
    return {
        "name": Attribute(ManagedObject.name),
        "isEnabled": Attribute(_bool(True)),
        "isBusy": Attribute(_bool(False)),
        "numberOfVdcs": Attribute(type_coerce(vdcs, Integer)),
        "numberOfStorageProfiles": Attribute(literal(1, Integer)),
        "status": Attribute(literal("READY", String)),
    }


def _provider_profiles(_now: float) -> Select[Any]:
    """A provider VDC's storage policies (``provider_view.StoragePolicy``): ``*`` (a cluster's
    uuid) and one a datastore (its uuid)."""
    return select(ManagedObject.uuid).where(ManagedObject.kind.in_((CLUSTER, DATASTORE)))


def _provider_profile_attributes(_now: float) -> dict[str, Attribute]:
    # a datastore's policy is of the first cluster (by name) of its datacenter
    first_cluster = (
        select(_PVDC_OF.uuid)
        .where(_PVDC_OF.kind == CLUSTER, _PVDC_OF.datacenter == ManagedObject.datacenter)
        .order_by(_PVDC_OF.name)
        .limit(1)
        .correlate(ManagedObject)
        .scalar_subquery()
    )
    cluster = ManagedObject.kind == CLUSTER
    return {
        "name": Attribute(case((cluster, literal(STORAGE_PROFILE, String)), else_=ManagedObject.name)),
        "isEnabled": Attribute(_bool(True)),
        "providerVdc": Attribute(case((cluster, ManagedObject.uuid), else_=first_cluster), "providerVdc"),
    }


def _external_networks(_now: float) -> Select[Any]:
    return select(ManagedObject.uuid).where(
        ManagedObject.kind == NETWORK, ManagedObject.moid.not_in(select(OrgNetwork.network))
    )


def _external_network_attributes(_now: float) -> dict[str, Attribute]:
    return {"name": Attribute(ManagedObject.name), "isBusy": Attribute(_bool(False))}


def _portgroups(_now: float) -> Select[Any]:
    return (
        select(ManagedObject.uuid)
        .join(OrgNetwork, OrgNetwork.network == ManagedObject.moid, isouter=True)
        .where(ManagedObject.kind == NETWORK)
    )


def _portgroup_attributes(_now: float) -> dict[str, Attribute]:
    """``portgroup``: each port group of the world's vCenter and the vCD network it backs (an
    org VDC network's, or else the external network it is; what pyvcloud's
    ``ExternalNetwork.list_vsphere_network`` asks by ``networkName``)."""
    return {
        "moref": Attribute(ManagedObject.moid),
        "name": Attribute(ManagedObject.name),
        "portgroupType": Attribute(literal(VIM_TYPES[NETWORK], String)),
        "vcName": Attribute(literal(VCENTER_NAME, String)),
        "isVCEnabled": Attribute(_bool(True)),
        "network": Attribute(
            case(
                (OrgNetwork.id.is_not(None), "network:" + OrgNetwork.id),
                else_="externalNetwork:" + ManagedObject.uuid,
            ),
            TYPED,
            type_coerce(func.coalesce(OrgNetwork.id, ManagedObject.uuid), ReferenceId()),
        ),
        "networkName": Attribute(func.coalesce(OrgNetwork.name, ManagedObject.name)),
    }


def _provider_types() -> list[QueryType]:
    """The provider's own query types: org users get none of their records."""
    everyone = ManagedObject.uuid.is_not(None)
    return [
        QueryType(
            "providerVdc",
            "VMWProviderVdcRecord",
            "providerVdc",
            _provider_vdcs,
            ManagedObject.uuid,
            None,
            _provider_vdc_attributes,
            provider_only=everyone,
        ),
        QueryType(
            "providerVdcStorageProfile",
            "ProviderVdcStorageProfileRecord",
            "pvdcStorageProfile",
            _provider_profiles,
            ManagedObject.uuid,
            None,
            _provider_profile_attributes,
            provider_only=everyone,
        ),
        QueryType(
            "externalNetwork",
            "NetworkRecord",
            "externalNetwork",
            _external_networks,
            ManagedObject.uuid,
            None,
            _external_network_attributes,
            provider_only=everyone,
        ),
        QueryType(
            "portgroup",
            "PortgroupRecord",
            "portgroup",
            _portgroups,
            ManagedObject.uuid,
            None,
            _portgroup_attributes,
            provider_only=everyone,
            linked=False,
        ),
    ]


# Independent disks (``disk``, ``adminDisk``): QueryResultDiskRecordType
_DISK_OWNER = aliased(Principal)
_DISK_VDC = aliased(OrgVdc)
_DISK_BUSES = {"5": "IDE", "6": "SCSI", "20": "SATA"}


def _disks(_now: float) -> Select[Any]:
    return (
        select(Disk.id)
        .join(_DISK_VDC, _DISK_VDC.id == Disk.vdc)
        .outerjoin(_DISK_OWNER, _DISK_OWNER.id == Disk.owner_id)
    )


def _disk_attributes(admin: bool) -> Callable[[float], dict[str, Attribute]]:
    def make(_now: float) -> dict[str, Attribute]:
        attached = (
            select(func.count())
            .where(ManagedObject.uuid == Disk.vm, ManagedObject.kind == VM)
            .correlate(Disk)
            .scalar_subquery()
        )
        profile = (  # None: the VDC's first policy, ``*``
            select(VdcStorageProfileRow.name)
            .where(VdcStorageProfileRow.id == Disk.storage_profile)
            .correlate(Disk)
            .scalar_subquery()
        )
        found = {
            "name": Attribute(Disk.name),
            "vdc": _ref(Disk.vdc, "vdc"),
            "sizeB": Attribute(Disk.size_bytes),
            "ownerName": Attribute(_DISK_OWNER.name),
            "vdcName": Attribute(_DISK_VDC.name),
            "storageProfileName": Attribute(func.coalesce(profile, literal(STORAGE_PROFILE, String))),
            "status": Attribute(literal("RESOLVED", String)),
            "busType": Attribute(Disk.bus_type),
            "busTypeDesc": Attribute(case(_DISK_BUSES, value=Disk.bus_type, else_="SCSI")),
            "busSubType": Attribute(Disk.bus_sub_type),
            "isAttached": Attribute(attached > 0),
        }
        return {**found, "org": Attribute(Disk.tenant, "org")} if admin else found

    return make


def _types() -> dict[str, QueryType]:
    found: list[QueryType] = []
    for admin in (False, True):
        prefix = "admin" if admin else ""

        def named(name: str) -> str:
            return prefix + name[0].upper() + name[1:] if admin else name  # noqa: B023

        def record(name: str) -> str:
            return f"Admin{name}" if admin else name  # noqa: B023

        found += [
            QueryType(
                named("vApp"),
                record("VAppRecord"),
                "vApp",
                _vapps,
                VApp.id,
                VApp.tenant,
                _vapp_attributes(admin),
            ),
            QueryType(
                "adminVM" if admin else "vm",
                "AdminVMRecord" if admin else "VMRecord",
                "vm",
                _vms,
                ManagedObject.uuid,
                _VM_VAPP.tenant,
                _vm_attributes(admin),
            ),
            QueryType(
                named("orgVdc"),
                "AdminVdcRecord" if admin else "OrgVdcRecord",
                "vdc",
                _vdcs,
                OrgVdc.id,
                OrgVdc.tenant,
                _vdc_attributes(admin),
            ),
            QueryType(
                named("catalog"),
                record("CatalogRecord"),
                "catalog",
                _catalogs,
                Catalog.id,
                Catalog.tenant,
                _catalog_attributes(admin),
            ),
            QueryType(
                named("catalogItem"),
                record("CatalogItemRecord"),
                "catalogItem",
                _items(None),
                CatalogItem.id,
                CatalogItem.tenant,
                _item_attributes(None, admin),
            ),
            QueryType(
                named("vAppTemplate"),
                record("VAppTemplateRecord"),
                "vAppTemplate",
                _items(VAPP_TEMPLATE),
                CatalogItem.entity_id,
                CatalogItem.tenant,
                _item_attributes(VAPP_TEMPLATE, admin),
            ),
            QueryType(
                named("media"),
                record("MediaRecord"),
                "media",
                _items(MEDIA),
                CatalogItem.entity_id,
                CatalogItem.tenant,
                _item_attributes(MEDIA, admin),
            ),
            QueryType(
                named("task"),
                record("TaskRecord"),
                "task",
                _tasks,
                Task.id,
                Task.tenant,
                _task_attributes(admin),
                order="startDate",
            ),
            QueryType(
                named("event"),
                record("EventRecord"),
                "event",
                _events,
                Event.id,
                Event.tenant,
                _event_attributes(admin),
                order="timeStamp",
                linked=False,
            ),
        ]
    found += [
        QueryType(
            "orgNetwork",
            "OrgNetworkRecord",
            "network",
            _networks,
            OrgNetwork.id,
            OrgNetwork.tenant,
            _org_network_attributes,
        ),
        QueryType(
            "orgVdcNetwork",
            "OrgVdcNetworkRecord",
            "network",
            _networks,
            OrgNetwork.id,
            OrgNetwork.tenant,
            _network_attributes,
        ),
        QueryType(
            "user", "UserRecord", "user", _principals(USER), Principal.id, _PRINCIPAL_TENANT, _user_attributes
        ),
        QueryType(
            "group",
            "GroupRecord",
            "group",
            _principals(GROUP),
            Principal.id,
            _PRINCIPAL_TENANT,
            _group_attributes,
        ),
        QueryType("organization", "OrgRecord", "org", _orgs, Tenant.name, Tenant.name, _org_attributes),
        QueryType(
            "adminUser",
            "AdminUserRecord",
            "user",
            _principals(USER),
            Principal.id,
            _PRINCIPAL_TENANT,
            lambda now: {**_user_attributes(now), "org": Attribute(_PRINCIPAL_TENANT, "org")},
        ),
        QueryType(
            "adminGroup",
            "AdminGroupRecord",
            "group",
            _principals(GROUP),
            Principal.id,
            _PRINCIPAL_TENANT,
            lambda now: {**_group_attributes(now), "org": Attribute(_PRINCIPAL_TENANT, "org")},
        ),
        QueryType(
            "adminService",
            "AdminServiceRecord",
            "service",
            _services,
            ExtensionService.id,
            None,
            _service_attributes,
            reference="AdminService",
        ),
        QueryType(
            "apiFilter",
            "ApiFilterRecord",
            "apiFilter",
            _api_filters,
            ExtensionApiFilter.id,
            None,
            _api_filter_attributes,
            order="urlPattern",
            provider_only=literal(True),
        ),
        QueryType(
            "role",
            "RoleRecord",
            "role",
            _roles,
            Role.id,
            Role.tenant,
            _role_attributes,
            provider_only=Role.name == SYSTEM_ADMINISTRATOR.name,
            shared=True,
        ),
        QueryType(
            "adminRole",
            "AdminRoleRecord",
            "role",
            _roles,
            Role.id,
            Role.tenant,
            _role_attributes,
            shared=True,
        ),
        QueryType("right", "RightRecord", "right", _rights, _RIGHTS.c.id, None, _right_attributes),
        *_provider_types(),
    ]
    found += [
        QueryType(name, record, "disk", _disks, Disk.id, Disk.tenant, _disk_attributes(admin))
        for name, record, admin in (("disk", "DiskRecord", False), ("adminDisk", "AdminDiskRecord", True))
    ]
    return {t.name: t for t in found}


TYPES = _types()


def find(name: str) -> QueryType:
    """The query type ``name``; Invalid when there is none (vCD's 400 for an unknown type)."""
    found = TYPES.get(name)
    if found is None:
        raise Invalid("query.type", f"The query type '{name}' is not supported.", name)
    return found


class TypedQueries:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def run(self, name: str, ask: Ask, tenant: str, provider: bool, actor: Actor | None = None) -> Answer:
        """One page of the query ``name`` for a caller signed in to ``tenant`` (``provider``: to
        the System org); of vApps, VMs, catalogs and their items, those ``actor`` may read
        (world/sharing.py). Forbidden for an admin type asked by an org user; Invalid for an
        unknown type, attribute, sort key, page or page size, and for a malformed filter."""
        kind = find(name)
        if kind.admin and not provider:
            raise Forbidden("query.admin", f"The query type '{name}' is the system administrator's.", name)
        if ask.sort_asc and ask.sort_desc:
            raise Invalid("query.sort", "Give sortAsc or sortDesc, not both.", ask.sort_asc)
        if ask.page < 1 or not 1 <= ask.page_size <= PAGE_SIZE_MOST:
            raise Invalid(
                "query.page", f"page must be 1 or more and pageSize 1 to {PAGE_SIZE_MOST}.", str(ask.page)
            )
        with self._store.query() as conn:
            now = self._clock.now(conn)
            attributes = kind.attributes(now)
            named = [metadata_field(f) if kind.kind in KINDS else None for f in ask.fields or ()]
            wanted = [f for f in named if f is not None]
            plain = tuple(f for f, meta in zip(ask.fields or (), named, strict=True) if meta is None)
            shown = _shown(attributes, plain if ask.fields is not None else None)
            query = kind.source(now)
            access = _access(kind, who(conn, actor)) if actor is not None and not provider else None
            if not provider and kind.tenant is not None:
                mine = kind.tenant == tenant
                if kind.shared:
                    mine = mine | (kind.tenant == "")
                query = query.where(mine if access is None else access)
            if not provider and kind.provider_only is not None:
                query = query.where(~kind.provider_only)
            if ask.filter:
                fields: dict[str, Any] = {
                    k: a.filter if a.filter is not None else a.sql for k, a in attributes.items()
                }
                if "org" in ask.filter and kind.tenant is not None:
                    orgs = {org_uuid(name): name for name in conn.scalars(select(Tenant.name))}
                    for k, a in attributes.items():
                        if a.ref == "org":
                            fields[k] = _OrgField(a.sql, orgs, kind.shared)
                    if kind.shared:  # its records name no org: ``org==`` is a filter alone
                        fields.setdefault("org", _OrgField(kind.tenant, orgs, shared=True))
                if kind.kind in KINDS:
                    fields = FilterFields(fields, kind.kind, kind.id, provider)
                query = query.where(fiql.where(ask.filter, fields))
            total = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
            order = _order(attributes, kind, ask)
            page = query.with_only_columns(
                kind.id.label("_id"), *(attributes[n].sql.label(n) for n in shown)
            ).order_by(*order, kind.id)
            rows = conn.execute(page.offset((ask.page - 1) * ask.page_size).limit(ask.page_size))
            records = [_record(row, shown, attributes) for row in rows]
            if wanted:
                found = entries_of(conn, kind.kind, [r.id for r in records], wanted, provider)
                records = [Record(r.id, r.values, tuple(found.get(r.id, ()))) for r in records]
        return Answer(kind, total, ask.page, ask.page_size, records)


def _access(kind: QueryType, viewer: Who) -> ColumnElement[bool] | None:
    """SQL: the records of a vApp, VM, catalog or catalog item type ``viewer`` may read (None:
    a type whose records its org's users all see)."""
    if kind.kind == "vApp":
        return seen(VAPP, VApp.id, VApp.tenant, VApp.owner_id, viewer)
    if kind.kind == "vm":
        return seen(VAPP, _VM_VAPP.id, _VM_VAPP.tenant, _VM_VAPP.owner_id, viewer)
    if kind.kind in ("catalog", "catalogItem", "vAppTemplate", "media"):  # their sources hold Catalog
        return seen(CATALOG, Catalog.id, Catalog.tenant, Catalog.owner_id, viewer, Catalog.published)
    return None


def _shown(attributes: dict[str, Attribute], fields: tuple[str, ...] | None) -> list[str]:
    if fields is None:
        return list(attributes)
    unknown = [f for f in fields if f not in attributes]
    if unknown:
        raise Invalid("query.fields", f"Unknown field(s) for this query: {', '.join(unknown)}.", unknown[0])
    return [name for name in attributes if name in fields]


def _order(attributes: dict[str, Attribute], kind: QueryType, ask: Ask) -> list[ColumnElement[Any]]:
    key = ask.sort_asc or ask.sort_desc or kind.order
    attribute = attributes.get(key)
    if attribute is None:
        raise Invalid("query.sort", f"Cannot sort by '{key}': it is not a field of this query.", key)
    column = attribute.sql
    if isinstance(column.type, String):
        column = CodePointOrder(column)
    return [
        column.desc()
        if ask.sort_desc or (not ask.sort_asc and key in ("startDate", "timeStamp"))
        else column.asc()
    ]


def _record(row: Any, shown: list[str], attributes: dict[str, Attribute]) -> Record:
    values: dict[str, Any] = {}
    mapping = row._mapping
    for name in shown:
        value = mapping[name]
        if value is None:
            continue
        ref = attributes[name].ref
        if isinstance(attributes[name].sql.type, EpochSeconds) and isinstance(value, int | float):
            value = dt.datetime.fromtimestamp(value, dt.UTC)
        if ref == TYPED:
            ref, _, value = str(value).partition(":")
        values[name] = Ref(ref, str(value)) if ref else value
    return Record(str(mapping["_id"]), values)
