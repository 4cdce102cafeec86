"""vRA 6.2's JSON shapes of the catalog, approval and work item services, and readers of their
request bodies. Sources (docs/research/vra-catalog.md has the page numbers): the Programming
Guide's entitled catalog item, request template, request and work item examples and its approve
JSON; vra-sdk 1.1.0 for what a client reads (``catalogItem``, ``entitledOrganizations``); the
approval policy and entitlement shapes follow vRA 7's public API reference, 6.2's guide being
silent on them."""

from __future__ import annotations

from typing import Any

from localsphere.faces.http import iso_timestamp
from localsphere.faces.vra.errors import WireError
from localsphere.world import requests as req
from localsphere.world import resource_actions
from localsphere.world.approvals import (
    APPROVE,
    POLICY_TYPES,
    POST,
    PRE,
    REJECT,
    Approver,
    Level,
    PolicyView,
    WorkItemView,
)
from localsphere.world.catalog import (
    ACTIVE,
    AMAZON,
    VCLOUD,
    EntitlementSpec,
    EntitlementView,
    ItemView,
    ServiceView,
)
from localsphere.world.requests import RequestSpec, RequestView

Json = dict[str, Any]
ACTION_PREFIX = "com.vmware.csp.core.approval.action."
ACTIONS = {ACTION_PREFIX + APPROVE: APPROVE, ACTION_PREFIX + REJECT: REJECT}
# catalog item type and output resource type of each blueprint kind (Guide 6.2 pp. 38, 61, 80)
TYPES = {
    "vsphere": (("Infrastructure.Virtual", "Virtual Machine"), ("Infrastructure.Machine", "Machine")),
    VCLOUD: (("Infrastructure.Cloud", "Cloud Machine"), ("Infrastructure.Machine", "Machine")),
    AMAZON: (("Infrastructure.Cloud", "Cloud Machine"), ("Infrastructure.Machine", "Machine")),
}
PHASES = {PRE: "PRE_APPROVAL", POST: "POST_APPROVAL"}
STATE_NAMES = {
    "SUBMITTED": "Submitted",
    "PENDING_PRE_APPROVAL": "Pending Approval",
    "IN_PROGRESS": "In Progress",
    "PENDING_POST_APPROVAL": "Pending Approval",
    "SUCCESSFUL": "Successful",
    "FAILED": "Failed",
    "REJECTED": "Rejected",
}


def _ref(id_: str, label: str) -> Json:
    return {"id": id_, "label": label}


def organization(tenant: str, group: tuple[str, str] | None = None) -> Json:
    return {
        "tenantRef": tenant,
        "tenantLabel": tenant,
        "subtenantRef": group[0] if group else None,
        "subtenantLabel": group[1] if group else None,
    }


def service(view: ServiceView) -> Json:
    return {
        "@type": "Service",
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "status": view.status,
        "statusName": view.status.title(),
        "version": 1,
        "organization": organization(view.tenant),
        "iconId": "cafe_default_icon_genericService",
        "lastUpdatedDate": iso_timestamp(view.created_at),
    }


def catalog_item(view: ItemView) -> Json:
    item_type, output_type = TYPES[view.kind]
    return {
        "@type": "CatalogItem",
        "id": view.id,
        "version": 1,
        "name": view.name,
        "description": view.description,
        "status": view.status,
        "statusName": view.status.title(),
        "organization": organization(view.tenant),
        "providerBinding": {
            "bindingId": view.blueprint_id,
            "providerRef": _ref("iaas-service", "iaas-service"),
        },
        "forms": None,
        "callbacks": None,
        "isNoteworthy": False,
        "dateCreated": iso_timestamp(view.created_at),
        "lastUpdatedDate": iso_timestamp(view.updated_at),
        "iconId": "cafe_default_icon_genericCatalogItem",
        "catalogItemTypeRef": _ref(*item_type),
        "serviceRef": _ref(view.service_id, view.service_name),
        "outputResourceTypeRef": _ref(*output_type),
    }


def entitled_item(view: ItemView) -> Json:
    return {
        "@type": "ConsumerEntitledCatalogItem",
        "catalogItem": catalog_item(view),
        "entitledOrganizations": [organization(view.tenant, g) for g in view.organizations],
    }


def _entry(key: str, value: Any) -> Json:
    kind = "integer" if isinstance(value, int) else "string"
    return {"key": key, "value": {"type": kind, "value": value}}


def template(view: ItemView, requested_for: str) -> Json:
    """The request a consumer may POST as it is (Guide 6.2 pp. 43-45)."""
    group = view.organizations[0]
    entries = [
        _entry("provider-blueprintId", view.blueprint_id),
        _entry("provider-provisioningGroupId", group[0]),
        _entry(req.INSTANCES_KEY, 1),
        _entry(req.LEASE_KEY, view.lease_days),
        _entry(req.STORAGE_KEY, view.storage_gb.default),
    ]
    if view.kind == AMAZON:
        entries.append(_entry(req.INSTANCE_TYPE_KEY, view.instance_types[0]))
    else:
        entries += [_entry(req.CPU_KEY, view.cpus.default), _entry(req.MEMORY_KEY, view.memory_mb.default)]
    return {
        "@type": "CatalogItemRequest",
        "catalogItemRef": {"id": view.id},
        "organization": organization(view.tenant, group),
        "requestedFor": requested_for,
        "state": "SUBMITTED",
        "requestNumber": 0,
        "requestData": {"entries": entries},
        "description": None,
        "reasons": None,
    }


def _phase(state: str) -> str:
    """The coarse phase (Guide 6.2 pp. 58-59): a SUBMITTED request is one whose provisioning has
    been queued after its pre-approval, so it is IN_PROGRESS."""
    return "IN_PROGRESS" if state == "SUBMITTED" else state


def _approval_status(view: RequestView) -> str:
    """PENDING while an approver is awaited; PRE_APPROVED from the moment the pre-approval
    completes (or, without a policy, the request is accepted) until the request is done;
    POST_APPROVED once it succeeded, the post-approval phase passed (the Guide's successful
    requests, 6.2 p. 91 and 7.x, show POST_APPROVED); REJECTED when an approver rejected it."""
    if view.state == "REJECTED":
        return "REJECTED"
    if view.state in ("PENDING_PRE_APPROVAL", "PENDING_POST_APPROVAL"):
        return "PENDING"
    return "POST_APPROVED" if view.state == "SUCCESSFUL" else "PRE_APPROVED"


def request(view: RequestView) -> Json:
    """A catalog item request (Guide 6.2 pp. 51-59): ``state``, ``phase`` and ``requestData``."""
    ended = view.state in ("SUCCESSFUL", "FAILED", "REJECTED")
    action = resource_actions.BY_BINDING.get(view.action or "")
    what = (
        {
            "@type": "ResourceActionRequest",
            "resourceRef": _ref(view.resource_id or "", view.resource_name),
            "resourceActionRef": _ref(action.id, action.name),
        }
        if action is not None
        else {"@type": "CatalogItemRequest"}
    )
    return {
        **what,
        "id": view.id,
        "iconId": "cafe_default_icon_genericCatalogItem",
        "version": 1,
        "requestNumber": view.number,
        "state": view.state,
        "description": view.description,
        "reasons": view.reasons,
        "requestedFor": view.requested_for,
        "requestedBy": view.requested_by,
        "organization": organization(view.tenant, (view.subtenant_id, view.subtenant_name)),
        "requestorEntitlementId": None,
        "preApprovalId": None,
        "postApprovalId": None,
        "dateCreated": iso_timestamp(view.created_at),
        "lastUpdated": iso_timestamp(max(view.updated_at, view.approved_at or 0, view.completed_at or 0)),
        "dateSubmitted": iso_timestamp(view.created_at),
        "dateApproved": iso_timestamp(view.approved_at) if view.approved_at is not None else None,
        "dateCompleted": iso_timestamp(view.completed_at) if view.completed_at is not None else None,
        "quote": {},
        "requestCompletion": (
            {
                "requestCompletionState": view.state,
                "completionDetails": view.reason or None,
                "resourceBindingIds": [name for name, _ in view.machines],
            }
            if ended
            else None
        ),
        "requestData": {"entries": view.entries},
        "retriesRemaining": 3,
        "requestedItemName": view.item_name,
        "requestedItemDescription": view.item_description or "",
        "stateName": STATE_NAMES[view.state],
        "phase": _phase(view.state),
        "executionStatus": "STOPPED" if ended else "STARTED",
        "waitingStatus": "WAITING" if view.state.startswith("PENDING") else "NOT_WAITING",
        "approvalStatus": _approval_status(view),
        "catalogItemRef": _ref(view.item_id, view.item_name),
    }


def _principal(a: Approver) -> Json:
    return {"principalId": a.principal_id, "principalType": a.kind}


_ACTIONS = [
    {"id": ACTION_PREFIX + APPROVE, "name": "Approve", "stateName": "Approved", "icon": None},
    {"id": ACTION_PREFIX + REJECT, "name": "Reject", "stateName": "Rejected", "icon": None},
]


def work_item(view: WorkItemView) -> Json:
    """A work item (Guide 6.2 pp. 92-101): an approval of the request ``callbackEntityId``; its
    ``version`` counts its changes (0 while open, 1 once completed)."""
    return {
        "@type": "WorkItem",
        "id": view.id,
        "version": 0 if view.completed_at is None else 1,
        "workItemNumber": view.number,
        "assignees": [_principal(a) for a in view.assignees],
        "subTenantId": view.subtenant_id,
        "tenantId": view.tenant,
        "callbackEntityId": view.request_id,
        "workItemType": {
            "id": "com.vmware.csp.core.approval.workitem.request",
            "name": "Approval",
            "pluralizedName": "Approvals",
            "description": "",
            "serviceTypeId": "com.vmware.csp.core.cafe.approvals",
            "actions": _ACTIONS,
        },
        "completedDate": iso_timestamp(view.completed_at) if view.completed_at else None,
        "assignedDate": iso_timestamp(view.opens_at),
        "createdDate": iso_timestamp(view.created_at),
        "assignedOrCompletedDate": iso_timestamp(view.completed_at or view.opens_at),
        "formUrl": None,
        "serviceId": "approval-service",
        "workItemRequest": {
            "itemId": view.request_id,
            "itemName": view.item_name,
            "phase": PHASES[view.phase],
            "level": view.level + 1,
        },
        "status": view.status,
        "completedBy": view.completed_by,
        "justification": view.justification or None,
        "availableActions": _ACTIONS if view.status == "Active" else [],
    }


def policy(view: PolicyView) -> Json:
    phases = []
    for phase in (PRE, POST):
        levels = [v for v in view.levels if v.phase == phase]
        if levels:
            phases.append(
                {
                    "phaseTypeId": PHASES[phase],
                    "levels": [
                        {
                            "name": v.name,
                            "levelNumber": i + 1,
                            "approvalMode": "ANY",
                            "approvers": [
                                {"value": a.principal_id, "displayValue": a.principal_id, "type": a.kind}
                                for a in v.approvers
                            ],
                        }
                        for i, v in enumerate(levels)
                    ],
                }
            )
    return {
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "state": view.state,
        "stateName": view.state.title(),
        "policyTypeId": view.type_id,
        "tenantId": view.tenant,
        "createdDate": iso_timestamp(view.created_at),
        "phases": phases,
    }


def policy_type(type_id: str, name: str) -> Json:
    return {
        "id": type_id,
        "name": name,
        "description": name,
        "serviceTypeId": "com.vmware.csp.core.cafe.catalog",
    }


POLICY_TYPE_LIST = [policy_type(i, n) for i, n in POLICY_TYPES]


def entitlement(view: EntitlementView) -> Json:
    return {
        "@type": "Entitlement",
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "status": view.status,
        "statusName": view.status.title(),
        "organization": organization(view.tenant, (view.subtenant_id, view.subtenant_name)),
        "allUsers": True,
        "principals": [],
        "entitledCatalogItems": [
            {
                "approvalPolicyId": p,
                "active": True,
                "catalogItemRef": _ref(i, n),
                "catalogItemRequestable": True,
                "hidden": False,
            }
            for i, n, p in view.items
        ],
        "entitledResourceOperations": [
            {
                "resourceOperationRef": _ref(a, resource_actions.BY_BINDING[a].name),
                "resourceOperationType": "ACTION",
                "approvalPolicyId": p,
                "active": True,
            }
            for a, p in view.actions
            if a in resource_actions.BY_BINDING
        ],
        "entitledServices": [],
        "lastUpdatedDate": iso_timestamp(view.created_at),
        "version": 1,
    }


# Readers.


def _object(body: Any, field: str = "body") -> Json:
    if not isinstance(body, dict):
        raise WireError(field, f"{field} must be a JSON object.")
    return body


def _text(body: Json, field: str, required: bool = True) -> str | None:
    value = body.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise WireError(field, f"{field} must be a non-empty string.")
    return value


def _id_of(body: Json, field: str) -> str | None:
    ref = body.get(field)
    if ref is None:
        return None
    return _text(_object(ref, field), "id")


def request_spec(body: Any, item_id: str | None, tenant: str) -> RequestSpec:
    """A CatalogItemRequest: the item (the path's, or ``catalogItemRef``), the business group
    (``organization.subtenantRef``; its ``tenantRef``, when given, the caller's ``tenant``),
    ``requestData.entries``. WireError for a field of the wrong type."""
    body = _object(body)
    item = item_id or _id_of(body, "catalogItemRef")
    if not item:
        raise WireError("catalogItemRef", "catalogItemRef.id is required.")
    org = _object(body.get("organization") or {}, "organization")
    subtenant = org.get("subtenantRef")
    if not isinstance(subtenant, str) or not subtenant:
        raise WireError("organization", "organization.subtenantRef is required.")
    tenant_ref = org.get("tenantRef")
    if tenant_ref is not None and (not isinstance(tenant_ref, str) or tenant_ref.lower() != tenant.lower()):
        raise WireError("tenantRef", "organization.tenantRef must be the tenant you are signed in to.")
    data = _object(body.get("requestData") or {"entries": []}, "requestData")
    entries = data.get("entries", [])
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("key"), str) for e in entries
    ):
        raise WireError("requestData", "requestData.entries must be a list of {key, value}.")
    return RequestSpec(
        item,
        subtenant,
        _text(body, "requestedFor", required=False),
        _text(body, "description", required=False),
        _text(body, "reasons", required=False),
        entries,
    )


FORM_PREFIX = "source-source-"
"""How the Guide's approve JSON names the request's values in ``formData`` (an approver's form
echoes them: ``source-source-provider-VirtualMachine.Memory.Size``)."""


def completion(body: Any, path_id: str, path_action: str) -> tuple[str, list[Json]]:
    """The approver's justification in an approve or reject body (the Guide's approve JSON:
    ``formData.entries`` with ``source-businessJustification``, or ``justification``;
    ``workItemId``), and the request's values its form carries (as ``requestData`` entries,
    ``provider-...``); WireError when ``workItemId`` names another item or ``workItemActionId``
    another action than the path's ``path_action``."""
    body = _object(body)
    for field, path_value in (("workItemId", path_id), ("workItemActionId", path_action)):
        named = body.get(field)
        if named is not None and named != path_value:
            raise WireError(field, f"{field} must be the one the path names, {path_value}.")
    entries = _object(body.get("formData") or {"entries": []}, "formData").get("entries", [])
    if not isinstance(entries, list):
        raise WireError("formData", "formData.entries must be a list.")
    form = [
        {**e, "key": e["key"].removeprefix(FORM_PREFIX)}
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("key"), str) and e["key"].startswith(FORM_PREFIX)
    ]
    for key in ("source-businessJustification", "justification", "approvalDetails", "source-justification"):
        value = req.value_of(entries, key)
        if value is not None:
            return str(value)[:4000], form
    return "", form


def policy_spec(body: Any) -> tuple[str, str, tuple[Level, ...]]:
    """An approval policy: ``name``, ``description``, ``phases`` of ``levels`` of ``approvers``."""
    body = _object(body)
    name = _text(body, "name")
    assert name is not None
    phases = body.get("phases") or []
    if not isinstance(phases, list):
        raise WireError("phases", "phases must be a list.")
    levels: list[Level] = []
    by_type = {v: k for k, v in PHASES.items()}
    for phase in phases:
        phase = _object(phase, "phases")
        kind = by_type.get(phase.get("phaseTypeId", ""))
        if kind is None:
            raise WireError("phaseTypeId", "phaseTypeId must be PRE_APPROVAL or POST_APPROVAL.")
        for i, level in enumerate(phase.get("levels") or []):
            level = _object(level, "levels")
            number = level.get("levelNumber")
            if number is not None and (type(number) is not int or number < 1):
                raise WireError("levelNumber", "levelNumber must be a whole number from 1.")
            approvers = []
            for a in level.get("approvers") or []:
                a = _object(a, "approvers")
                value = _text(a, "value")
                assert value is not None
                approvers.append(Approver(value, str(a.get("type") or "USER")))
            levels.append(Level(str(level.get("name") or f"Level {i + 1}"), kind, tuple(approvers)))
    return name, str(body.get("description") or ""), tuple(levels)


def entitlement_spec(body: Any) -> EntitlementSpec:
    """An entitlement: name, description, status, business group, (catalog item, policy) pairs,
    (action binding id, policy) pairs; an action is named by its id or binding id. An entitlement
    limited to some of the group's users (``allUsers`` false) is refused: this emulator entitles a
    whole business group."""
    body = _object(body)
    name = _text(body, "name")
    if body.get("allUsers", True) is not True or body.get("principals"):
        raise WireError(
            "allUsers", "allUsers must be true: entitlements limited to principals are not supported."
        )
    status = body.get("status", ACTIVE)
    if not isinstance(status, str):
        raise WireError("status", "status must be a string.")
    org = _object(body.get("organization") or {}, "organization")
    subtenant = _text(org, "subtenantRef")
    assert name is not None and subtenant is not None
    items: list[tuple[str, str | None]] = []
    for entry in body.get("entitledCatalogItems") or []:
        entry = _object(entry, "entitledCatalogItems")
        item = _id_of(entry, "catalogItemRef")
        if item is None:
            raise WireError("catalogItemRef", "Each entitled catalog item needs catalogItemRef.id.")
        items.append((item, _text(entry, "approvalPolicyId", required=False)))
    actions: list[tuple[str, str | None]] = []
    for entry in body.get("entitledResourceOperations") or []:
        entry = _object(entry, "entitledResourceOperations")
        action = resource_actions.find(str(_id_of(entry, "resourceOperationRef")))
        if action is None:
            raise WireError("resourceOperationRef", "Each entitled resource operation names a vRA action.")
        actions.append((action.binding, _text(entry, "approvalPolicyId", required=False)))
    return EntitlementSpec(name, str(body.get("description") or ""), status, subtenant, items, tuple(actions))
