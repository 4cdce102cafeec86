"""vRA 6.2's JSON shapes of catalog resources and their actions, and the reader of a resource
action request. Sources (docs/research/vra-resources.md has the page numbers): the Programming
Guide's ConsumerResource, ResourceType and ConsumerResourceOperation examples and its
ResourceActionRequest template (6.2 pp. 110-130); the resource view (``CatalogResourceView``)
follows the 7.x guide's "Syntax for Viewing Machine Details", 6.2's being silent on its shape."""

from __future__ import annotations

from typing import Any

from localsphere.faces.http import iso_timestamp
from localsphere.faces.vra.catalog_wire import organization
from localsphere.faces.vra.errors import WireError
from localsphere.world.inventory import POWERED_OFF, POWERED_ON, SUSPENDED
from localsphere.world.requests import LEASE_KEY, ActionSpec
from localsphere.world.resource_actions import CHANGE_LEASE, PROVIDER, Action
from localsphere.world.resources import RESOURCE_STATUS, TYPES, ResourceView

Json = dict[str, Any]
CATALOG = "/catalog-service/api"
# vRA's machine status names (resourceData's MachineStatus)
STATUS = {POWERED_ON: "On", POWERED_OFF: "Off", SUSPENDED: "Suspended", "MIXED": "Mixed", "GONE": "Missing"}
INTERFACES = {"vsphere": "vSphere", "vcloud": "vCloud", "amazon": "Amazon EC2"}
FORMS = {
    "catalogResourceInfoHidden": True,
    "details": {
        "type": "extension",
        "extensionId": "csp.places.iaas.resource.details",
        "extensionPointId": None,
    },
}


def _ref(id_: str, label: str | None) -> Json:
    return {"id": id_, "label": label}


def _entry(key: str, value: Any) -> Json:
    kind = "boolean" if isinstance(value, bool) else "integer" if isinstance(value, int) else "string"
    return {"key": key, "value": {"type": kind, "value": value}}


def operation(action: Action) -> Json:
    """A ConsumerResourceOperation (Guide 6.2 p. 129)."""
    return {
        "@type": "ConsumerResourceOperation",
        "name": action.name,
        "description": action.description,
        "iconId": action.icon,
        "type": "ACTION",
        "id": action.id,
        "extensionId": None,
        "providerTypeId": PROVIDER,
        "bindingId": action.binding,
        "hasForm": False,
        "formScale": None,
    }


def resource_data(view: ResourceView) -> dict[str, Any]:
    """The machine's provider-defined properties (``resourceData``), as its platform shows them now;
    what it does not have (no address, no lease, an Amazon key of a vSphere machine) is left out,
    never a null value. An Amazon machine adds ``InstanceType``, ``Region``, ``KeyPair`` (its
    name) and ``AmiId`` (emulator's names: the guides show no Amazon resourceData)."""
    data = {
        "MachineName": view.name,
        "MachineStatus": STATUS.get(view.power, view.power),
        "MachineCPU": view.cpus,
        "MachineMemory": view.memory_mb,
        "MachineStorage": view.storage_gb,
        "ip_address": view.address,
        "MachineInterfaceType": INTERFACES[view.kind],
        "MachineGroupName": view.subtenant_name,
        "MachineBlueprintName": view.item_name,
        "MachineReservationName": view.reservation,
        "MachineExpirationDate": iso_timestamp(view.expires_at) if view.expires_at else None,
        "Expire": view.expires_at is not None,
        "EXTERNAL_REFERENCE_ID": view.external_id,
        "InstanceType": view.instance_type,
        "Region": view.region,
        "KeyPair": view.key_pair,
        "AmiId": view.image_id,
    }
    return {key: value for key, value in data.items() if value is not None}


def resource(view: ResourceView) -> Json:
    """A ConsumerResource (Guide 6.2 pp. 113-126) with its operations and resourceData."""
    return {
        "@type": "ConsumerResource",
        "id": view.id,
        "iconId": "cafe_default_icon_genericCatalogResource",
        "resourceTypeRef": _ref(view.type_id, TYPES[view.type_id][0]),
        "name": view.name,
        "description": None,
        "status": RESOURCE_STATUS,
        "catalogItem": _ref(view.item_id, view.item_name),
        "requestId": view.request_id,
        "providerBinding": {"bindingId": view.id, "providerRef": _ref("iaas-service", "iaas-service")},
        "owners": [{"tenantName": view.tenant, "ref": view.owner, "type": "USER", "value": view.owner}],
        "organization": organization(view.tenant, (view.subtenant_id, view.subtenant_name)),
        "dateCreated": iso_timestamp(view.created_at),
        "lastUpdated": iso_timestamp(view.updated_at),
        "hasLease": view.expires_at is not None,
        "lease": {
            "start": iso_timestamp(view.created_at),
            **({"end": iso_timestamp(view.expires_at)} if view.expires_at else {}),
        },
        "leaseForDisplay": None,
        "hasCosts": False,
        "costs": None,
        "costToDate": None,
        "totalCost": None,
        "parentResourceRef": None,
        "childResources": [],
        "operations": [operation(a) for a in view.actions],
        "forms": FORMS,
        "resourceData": {"entries": [_entry(k, v) for k, v in resource_data(view).items()]},
    }


def resource_view(view: ResourceView, base: str) -> Json:
    """A CatalogResourceView (7.x guide's "Syntax for Viewing Machine Details"): links to its
    catalog item, request and each action's template and submission (``base``: the server's
    URL), and its data flat."""
    at = f"{base}{CATALOG}/consumer"
    links = [
        {"@type": "link", "rel": "GET: Catalog Item", "href": f"{at}/entitledCatalogItems/{view.item_id}"},
        {"@type": "link", "rel": "GET: Request", "href": f"{at}/requests/{view.request_id}"},
    ]
    for a in view.actions:
        href = f"{at}/resources/{view.id}/actions/{a.id}/requests"
        links += [
            {"@type": "link", "rel": f"GET Template: {{{a.binding}}}", "href": f"{href}/template"},
            {"@type": "link", "rel": f"POST: {{{a.binding}}}", "href": href},
        ]
    return {
        "@type": "CatalogResourceView",
        "links": links,
        "resourceId": view.id,
        "iconId": "cafe_default_icon_genericCatalogResource",
        "name": view.name,
        "description": None,
        "status": RESOURCE_STATUS,
        "catalogItemId": view.item_id,
        "catalogItemLabel": view.item_name,
        "requestId": view.request_id,
        "businessGroupId": view.subtenant_id,
        "tenantId": view.tenant,
        "owners": [view.owner],
        "resourceType": view.type_id,
        "parentResourceId": None,
        "hasChildren": False,
        "data": resource_data(view),
        "lastUpdated": iso_timestamp(view.updated_at),
        "dateCreated": iso_timestamp(view.created_at),
    }


def resource_type(type_id: str) -> Json:
    """A ResourceType (Guide 6.2 pp. 115-116)."""
    name, plural, description, _kinds = TYPES[type_id]
    return {
        "@type": "ResourceType",
        "id": type_id,
        "name": name,
        "pluralizedName": plural,
        "description": description,
        "primary": True,
        "schema": {"classId": f"{type_id}.Schema", "typeFilter": None},
        "forms": FORMS,
    }


RESOURCE_TYPES = [resource_type(t) for t in TYPES]


def action_template(view: ResourceView, action: Action) -> Json:
    """The ResourceActionRequest a consumer may POST as it is (Guide 6.2 p. 130); Change Lease's
    carries the machine's lease now, ``provider-VirtualMachine.LeaseDays`` (the days it has left,
    0 when it never expires), for the consumer to change."""
    entries = []
    if action.binding == CHANGE_LEASE:
        entries.append({"key": LEASE_KEY, "value": {"type": "integer", "value": view.lease_days or 0}})
    return {
        "@type": "ResourceActionRequest",
        "resourceRef": {"id": view.id},
        "resourceActionRef": {"id": action.id},
        "organization": organization(view.tenant, (view.subtenant_id, view.subtenant_name)),
        "state": "SUBMITTED",
        "requestNumber": 0,
        "requestData": {"entries": entries},
        "description": None,
        "reasons": None,
    }


def is_action_request(body: Any) -> bool:
    """Whether a POSTed request body is a ResourceActionRequest rather than a catalog item's."""
    return isinstance(body, dict) and (
        body.get("@type") == "ResourceActionRequest" or "resourceActionRef" in body
    )


def action_spec(body: Any, resource_id: str | None = None, action_id: str | None = None) -> ActionSpec:
    """A ResourceActionRequest: the resource (the path's, or ``resourceRef.id``), the action (the
    path's, or ``resourceActionRef.id``), ``requestData.entries``."""
    if not isinstance(body, dict):
        raise WireError("body", "body must be a JSON object.")

    def ref(field: str, given: str | None) -> str:
        if given:
            return given
        found = body.get(field)
        value = found.get("id") if isinstance(found, dict) else None
        if not isinstance(value, str) or not value:
            raise WireError(field, f"{field}.id is required.")
        return value

    data = body.get("requestData") or {"entries": []}
    entries = data.get("entries", []) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("key"), str) for e in entries
    ):
        raise WireError("requestData", "requestData.entries must be a list of {key, value}.")
    texts = {f: body.get(f) if isinstance(body.get(f), str) else None for f in ("description", "reasons")}
    return ActionSpec(
        ref("resourceRef", resource_id),
        ref("resourceActionRef", action_id),
        texts["description"],
        texts["reasons"],
        entries,
    )
