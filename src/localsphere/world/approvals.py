"""vRA's approvals: approval policies (levels of approvers, each before provisioning, PRE, or
after it, POST) that entitlements attach to catalog items, and the work items a request under
one waits on. A work item is assigned to its level's approvers (users, or groups whose members
approve); only they may complete it, approving or rejecting it with a justification. The
request's side of that (what completing one does) is ``requests.py``'s.

Policy types are vRA 6.2's request types (``approval-service/api/policytypes``): this emulator
offers the catalog item request type alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from localsphere.world import identity, odata
from localsphere.world.access import groups_holding
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Forbidden, Invalid, NotFound, WrongState
from localsphere.world.identity import GROUP, USER
from localsphere.world.inventory import next_id
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.schema import Principal, VraApprovalPolicy, VraCatalogItem, VraRequest, VraWorkItem
from localsphere.world.store import Store

PRE, POST = "PRE", "POST"
ACTIVE, COMPLETED = "Active", "Completed"
APPROVE, REJECT = "approve", "reject"
REQUEST_TYPE = "com.vmware.cafe.catalog.request.generic"
POLICY_TYPES = ((REQUEST_TYPE, "Service Catalog - Catalog Item Request"),)
WORK_ITEM_SEQUENCE = "vra_work_item_number"
NAME_LENGTH = 255


@dataclass(frozen=True)
class Approver:
    principal_id: str  # name@domain
    kind: str  # USER | GROUP


@dataclass(frozen=True)
class Level:
    name: str
    phase: str  # PRE | POST
    approvers: tuple[Approver, ...]


@dataclass(frozen=True)
class PolicyView:
    id: str
    tenant: str
    name: str
    description: str
    type_id: str
    state: str
    levels: tuple[Level, ...]
    created_at: float


@dataclass(frozen=True)
class WorkItemView:
    id: str
    number: int
    tenant: str
    request_id: str
    subtenant_id: str
    phase: str
    level: int
    assignees: tuple[Approver, ...]
    status: str
    action: str | None
    justification: str
    completed_by: str | None
    opens_at: float
    completed_at: float | None
    created_at: float
    item_name: str | None = None  # the catalog item its request asks for


POLICY_FIELDS: odata.Fields = {
    "id": VraApprovalPolicy.id,
    "name": VraApprovalPolicy.name,
    "description": VraApprovalPolicy.description,
    "state": VraApprovalPolicy.state,
    "policyType/id": VraApprovalPolicy.type_id,
    "createdDate": odata.epoch_seconds(VraApprovalPolicy.created_at),
}
WORK_ITEM_FIELDS: odata.Fields = {
    "id": VraWorkItem.id,
    "workItemNumber": VraWorkItem.number,
    "status": VraWorkItem.status,
    "callbackEntityId": VraWorkItem.request_id,
    "subTenantId": VraWorkItem.subtenant_id,
    "createdDate": odata.epoch_seconds(VraWorkItem.created_at),
    "assignedDate": odata.epoch_seconds(VraWorkItem.opens_at),
    "completedDate": odata.epoch_seconds(VraWorkItem.completed_at),
}
_POLICY_COLUMNS = (
    VraApprovalPolicy.id,
    VraApprovalPolicy.tenant,
    VraApprovalPolicy.name,
    VraApprovalPolicy.description,
    VraApprovalPolicy.type_id,
    VraApprovalPolicy.state,
    VraApprovalPolicy.levels,
    VraApprovalPolicy.created_at,
)
_WORK_ITEM_COLUMNS = (
    VraWorkItem.id,
    VraWorkItem.number,
    VraWorkItem.tenant,
    VraWorkItem.request_id,
    VraWorkItem.subtenant_id,
    VraWorkItem.phase,
    VraWorkItem.level,
    VraWorkItem.assignees,
    VraWorkItem.status,
    VraWorkItem.action,
    VraWorkItem.justification,
    VraWorkItem.completed_by,
    VraWorkItem.opens_at,
    VraWorkItem.completed_at,
    VraWorkItem.created_at,
    select(VraCatalogItem.name)
    .join(VraRequest, VraRequest.item_id == VraCatalogItem.id)
    .where(VraRequest.id == VraWorkItem.request_id)
    .scalar_subquery()
    .label("item_name"),
)


def _approvers(raw: list[dict[str, str]]) -> tuple[Approver, ...]:
    return tuple(Approver(a["principalId"], a["principalType"]) for a in raw)


def _policy(row: Any) -> PolicyView:
    levels = tuple(Level(v["name"], v["phase"], _approvers(v["approvers"])) for v in json.loads(row.levels))
    return PolicyView(*row[:6], levels, row.created_at)


def _work_item(row: Any) -> WorkItemView:
    return WorkItemView(*row[:7], _approvers(json.loads(row.assignees)), *row[8:])


def add_policy(
    s: Session, tenant: str, name: str, levels: tuple[Level, ...], now: float, description: str = ""
) -> str:
    """A new active approval policy in the write transaction ``s``; returns its id. Invalid for a
    level without approvers or of another phase than PRE or POST; Conflict for a taken name."""
    if not name.strip() or len(name) > NAME_LENGTH:
        raise Invalid("policy.name", f"name must be 1 to {NAME_LENGTH} characters.", "name")
    if not levels:
        raise Invalid("policy.levels", "An approval policy has at least one level.", "levels")
    for level in levels:
        if level.phase not in (PRE, POST):
            raise Invalid("policy.phase", f"A level's phase is PRE or POST, not {level.phase}.", "phase")
        if not level.approvers or any(a.kind not in (USER, GROUP) for a in level.approvers):
            raise Invalid(
                "policy.approvers", f"Level {level.name} needs users or groups to approve.", "level"
            )
    if s.scalar(
        select(VraApprovalPolicy.id).where(
            VraApprovalPolicy.tenant == tenant, func.lower(VraApprovalPolicy.name) == name.lower()
        )
    ):
        raise Conflict("policy.exists", f"An approval policy named {name} already exists.", name)
    policy_id = identity.new_id()
    s.add(
        VraApprovalPolicy(
            id=policy_id,
            tenant=tenant,
            name=name,
            description=description,
            type_id=REQUEST_TYPE,
            state="ACTIVE",
            levels=json.dumps(
                [
                    {
                        "name": v.name,
                        "phase": v.phase,
                        "approvers": [
                            {"principalId": a.principal_id, "principalType": a.kind} for a in v.approvers
                        ],
                    }
                    for v in levels
                ]
            ),
            created_at=now,
        )
    )
    return policy_id


def policy_row(db: Any, policy_id: str) -> PolicyView | None:
    row = db.execute(select(*_POLICY_COLUMNS).where(VraApprovalPolicy.id == policy_id)).first()
    return _policy(row) if row is not None else None


def tenant_policy(db: Any, tenant: str, policy_id: str) -> PolicyView:
    """An approval policy of ``tenant``; NotFound for none (or another tenant's)."""
    found = policy_row(db, policy_id)
    if found is None or found.tenant != tenant:
        raise NotFound("policy.not_found", f"Approval policy with id {policy_id} not found.", policy_id)
    return found


def levels_of(db: Any, policy_id: str | None, phase: str) -> list[Level]:
    """The levels of a policy (None: no policy, so none) that apply in ``phase``, in order."""
    found = policy_row(db, policy_id) if policy_id else None
    if found is None or found.state != "ACTIVE":
        return []
    return [v for v in found.levels if v.phase == phase]


def open_work_item(
    s: Session,
    tenant: str,
    request_id: str,
    subtenant_id: str,
    phase: str,
    level: int,
    approvers: Level,
    now: float,
    opens_at: float,
) -> str:
    """A new work item for one level of a request's policy, visible from ``opens_at``."""
    item_id = identity.new_id()
    s.add(
        VraWorkItem(
            id=item_id,
            number=next_id(s, WORK_ITEM_SEQUENCE),
            tenant=tenant,
            request_id=request_id,
            subtenant_id=subtenant_id,
            phase=phase,
            level=level,
            assignees=json.dumps(
                [{"principalId": a.principal_id, "principalType": a.kind} for a in approvers.approvers]
            ),
            status=ACTIVE,
            action=None,
            justification="",
            completed_by=None,
            opens_at=opens_at,
            completed_at=None,
            created_at=now,
        )
    )
    return item_id


def _assigned_to(s: Any, principal: identity.PrincipalView) -> Any:
    """SQL: the work item's assignees name the principal, or a group that holds it."""
    groups = s.execute(
        select(Principal.name, Principal.domain).where(Principal.id.in_(groups_holding(principal.id)))
    ).all()
    names = [principal.upn, *(f"{n}@{d}" for n, d in groups)]
    return or_(*(VraWorkItem.assignees.contains(f'"principalId": "{n}"', autoescape=True) for n in names))


def complete_work_item(
    s: Session,
    tenant: str,
    principal: identity.PrincipalView,
    item_id: str,
    action: str,
    justification: str,
    now: float,
) -> WorkItemView:
    """Complete an open work item as ``principal`` in the write transaction ``s``; NotFound unless
    it is one of the tenant's, open now; Forbidden unless the principal is one of its approvers;
    WrongState when it was completed already."""
    if action not in (APPROVE, REJECT):
        raise Invalid("work_item.action", f"No work item action {action}.", action)
    row = s.scalars(
        select(VraWorkItem)
        .where(VraWorkItem.tenant == tenant, VraWorkItem.id == item_id, VraWorkItem.opens_at <= now)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound("work_item.not_found", f"Work item with id {item_id} not found.", item_id)
    if s.scalar(select(VraWorkItem.id).where(VraWorkItem.id == item_id, _assigned_to(s, principal))) is None:
        raise Forbidden(
            "work_item.assignee", f"{principal.upn} is not an approver of work item {item_id}.", item_id
        )
    if row.status != ACTIVE:
        raise WrongState("work_item.completed", f"Work item {item_id} has already been completed.", item_id)
    row.status, row.action, row.justification = COMPLETED, action, justification
    row.completed_by, row.completed_at = principal.upn, now
    s.flush()
    return _work_item(s.execute(select(*_WORK_ITEM_COLUMNS).where(VraWorkItem.id == item_id)).one())


class Approvals:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def policies(self, tenant: str, listing: Listing) -> Counted[PolicyView]:
        query = select(*_POLICY_COLUMNS).where(VraApprovalPolicy.tenant == tenant)
        with self._store.query() as conn:
            return cut(
                conn, query, POLICY_FIELDS, listing, (VraApprovalPolicy.name, VraApprovalPolicy.id), _policy
            )

    def policy(self, tenant: str, policy_id: str) -> PolicyView:
        with self._store.query() as conn:
            return tenant_policy(conn, tenant, policy_id)

    def create_policy(
        self, tenant: str, name: str, levels: tuple[Level, ...], description: str = ""
    ) -> PolicyView:
        with self._store.write(serial=True) as s:
            policy_id = add_policy(s, tenant, name, levels, self._clock.now(s), description)
        return self.policy(tenant, policy_id)

    def work_items(
        self, tenant: str, principal: identity.PrincipalView, listing: Listing
    ) -> Counted[WorkItemView]:
        """The work items assigned to ``principal`` (or a group of it) that are open now or done."""
        with self._store.read() as s:
            now = self._clock.now(s)
            query = select(*_WORK_ITEM_COLUMNS).where(
                VraWorkItem.tenant == tenant, VraWorkItem.opens_at <= now, _assigned_to(s, principal)
            )
            found = cut(
                s.connection(), query, WORK_ITEM_FIELDS, listing, (VraWorkItem.number.desc(),), _work_item
            )
        return found

    def work_item(self, tenant: str, principal: identity.PrincipalView, item_id: str) -> WorkItemView:
        """One of the principal's work items; NotFound for any other."""
        with self._store.read() as s:
            now = self._clock.now(s)
            row = s.execute(
                select(*_WORK_ITEM_COLUMNS).where(
                    VraWorkItem.tenant == tenant,
                    VraWorkItem.id == item_id,
                    VraWorkItem.opens_at <= now,
                    _assigned_to(s, principal),
                )
            ).first()
        if row is None:
            raise NotFound("work_item.not_found", f"Work item with id {item_id} not found.", item_id)
        return _work_item(row)
