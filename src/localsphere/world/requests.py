"""vRA's catalog requests and their lifecycle on the world clock.

A request names a catalog item, the business group it is made in and its ``requestData``
entries (``provider-VirtualMachine.CPU.Count``, ``provider-VirtualMachine.Memory.Size`` in MB,
``provider-VirtualMachine.Disk0.Size`` in GB, ``provider-VirtualMachine.LeaseDays``, for Amazon
``provider-instanceType``). It is checked when it is submitted: the caller is a member of that
business group (Forbidden otherwise), an active entitlement grants the group the item (Forbidden),
the values keep to the blueprint's ranges (Invalid), and it is for the caller or, when the caller
manages or supports the group, for another of its members (``requestedFor``). Then:

- under an approval policy with PRE levels it rests PENDING_PRE_APPROVAL, a work item per level
  in turn (``approvals.py``); a rejection ends it REJECTED with the approver's justification;
- provisioning starts a task (``tasks.py``) of ``PROVISION_SECONDS`` on the world clock, the
  machine made at its start (``machines.py``): the request is SUBMITTED for the task's first
  quarter, IN_PROGRESS until it ends, then SUCCESSFUL, or FAILED with the reason when no
  reservation fits or the network profile has no address left;
- with POST levels, a successful provisioning rests PENDING_POST_APPROVAL (its work item opens
  when the task ends); approved it is SUCCESSFUL, rejected its machine is destroyed and it is
  REJECTED.

Nothing moves a request but the clock and the approvers."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, and_, bindparam, case, false, literal, null, or_, select
from sqlalchemy.orm import Session

from localsphere.world import approvals, identity, machines, odata, resource_actions
from localsphere.world.approvals import POST, PRE
from localsphere.world.business_groups import member_of
from localsphere.world.catalog import (
    AMAZON,
    INSTANCE_TYPES,
    ItemView,
    action_entitlement_of,
    entitlement_of,
    item_row,
)
from localsphere.world.clock import Clock
from localsphere.world.errors import Forbidden, Invalid, NotFound, WorldError
from localsphere.world.inventory import next_id
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.machines import PROVISION_SECONDS
from localsphere.world.schema import BusinessGroup, Task, VraCatalogItem, VraMachine, VraRequest
from localsphere.world.store import Store
from localsphere.world.tasks import ERROR, Owner, Tasks

REQUEST_SEQUENCE = "vra_request_number"
SERVICE = "com.vmware.csp.core.cafe.catalog"
SUBMITTED, IN_PROGRESS, PROVISIONING = "SUBMITTED", "IN_PROGRESS", "PROVISIONING"
PENDING_PRE, PENDING_POST = "PENDING_PRE_APPROVAL", "PENDING_POST_APPROVAL"
SUCCESSFUL, FAILED, REJECTED = "SUCCESSFUL", "FAILED", "REJECTED"
CPU_KEY = "provider-VirtualMachine.CPU.Count"
MEMORY_KEY = "provider-VirtualMachine.Memory.Size"
STORAGE_KEY = "provider-VirtualMachine.Disk0.Size"
LEASE_KEY = "provider-VirtualMachine.LeaseDays"
INSTANCES_KEY = "provider-Cafe.Shim.VirtualMachine.NumberOfInstances"
INSTANCE_TYPE_KEY = "provider-instanceType"
MOST_ENTRIES = 500
REQUESTED_FOR_LENGTH = 512  # a user's name@domain: the longest login the store keeps
_NOW = bindparam("now", type_=Float)


def state_at(now: Any) -> Any:
    """A request's state at the world time ``now`` (a value or a bound parameter), as SQL over
    the request and its provisioning task (outer-joined)."""
    done = case(
        (Task.status == literal(ERROR), literal(FAILED)),
        (VraRequest.post_approval, literal(PENDING_POST)),
        else_=literal(SUCCESSFUL),
    )
    return case(
        (VraRequest.state != literal(PROVISIONING), VraRequest.state),
        (Task.ends_at <= now, done),
        (Task.started_at + (Task.ends_at - Task.started_at) / 4 > now, literal(SUBMITTED)),
        else_=literal(IN_PROGRESS),
    )


COMPLETED_AT = case(
    (VraRequest.state.in_([REJECTED, SUCCESSFUL]), VraRequest.updated_at),
    (
        and_(
            VraRequest.state == literal(PROVISIONING),
            Task.ends_at <= _NOW,
            or_(Task.status == literal(ERROR), VraRequest.post_approval == false()),
        ),
        Task.ends_at,
    ),
    else_=null(),
)
"""When a request reached its end state (SQL, at ``_NOW``): its rejection or post-approval, or the
end of its provisioning task when that ends it; NULL while it has not."""

FIELDS: odata.Fields = {
    "id": VraRequest.id,
    "requestNumber": VraRequest.number,
    "state": state_at(_NOW),
    "requestedFor": VraRequest.requested_for,
    "requestedBy": VraRequest.requested_by,
    "description": VraRequest.description,
    "dateCreated": odata.epoch_seconds(VraRequest.created_at),
    "dateSubmitted": odata.epoch_seconds(VraRequest.created_at),
    "lastUpdated": odata.epoch_seconds(VraRequest.updated_at),
    "dateApproved": odata.epoch_seconds(Task.started_at),
    "dateCompleted": odata.epoch_seconds(COMPLETED_AT),
    "catalogItem/id": VraRequest.item_id,
    "catalogItem/name": VraCatalogItem.name,
    "requestedItemName": VraCatalogItem.name,
    "organization/subTenant/id": VraRequest.subtenant_id,
}


@dataclass(frozen=True)
class RequestSpec:
    item_id: str
    subtenant_id: str
    requested_for: str | None
    description: str | None
    reasons: str | None
    entries: list[dict[str, Any]]  # requestData's, as the client sent them


@dataclass(frozen=True)
class ActionSpec:
    """A resource action request: the machine (``resource_id``) and the action (its id or
    binding id)."""

    resource_id: str
    action: str
    description: str | None
    reasons: str | None
    entries: list[dict[str, Any]]


@dataclass(frozen=True)
class RequestView:
    id: str
    number: int
    tenant: str
    item_id: str
    item_name: str
    subtenant_id: str
    subtenant_name: str
    requested_for: str
    requested_by: str
    description: str | None
    reasons: str | None
    entries: list[dict[str, Any]]
    state: str
    reason: str  # why it failed or was rejected, once it has
    created_at: float
    updated_at: float
    post_approval: bool
    resource_id: str | None = None  # a resource action request's machine
    action: str | None = None  # and its action's binding id
    approved_at: float | None = None  # when its pre-approval completed (its task started)
    completed_at: float | None = None  # when it reached its end state
    item_description: str | None = None
    resource_name: str | None = None  # a resource action request's machine's name
    machines: tuple[tuple[str, str | None], ...] = ()  # (name, address)


_COLUMNS = (
    VraRequest.id,
    VraRequest.number,
    VraRequest.tenant,
    VraRequest.item_id,
    VraCatalogItem.name,
    VraRequest.subtenant_id,
    BusinessGroup.name,
    VraRequest.requested_for,
    VraRequest.requested_by,
    VraRequest.description,
    VraRequest.reasons,
    VraRequest.data,
    state_at(_NOW).label("state_now"),
    VraRequest.reason,
    VraRequest.created_at,
    VraRequest.updated_at,
    VraRequest.post_approval,
    VraRequest.resource_id,
    VraRequest.action,
    Task.started_at,
    COMPLETED_AT.label("completed_at"),
    VraCatalogItem.description.label("item_description"),
    select(VraMachine.name)
    .where(VraMachine.id == VraRequest.resource_id)
    .scalar_subquery()
    .label("resource_name"),
)
_REQUESTS = (
    select(*_COLUMNS)
    .join(VraCatalogItem, VraCatalogItem.id == VraRequest.item_id)
    .join(BusinessGroup, BusinessGroup.id == VraRequest.subtenant_id)
    .outerjoin(Task, Task.id == VraRequest.task_id)
)


def _view(row: Any) -> RequestView:
    state = row.state_now
    reason = row.reason if state in (FAILED, REJECTED) else ""
    return RequestView(*row[:11], json.loads(row.data), state, reason, *row[14:])


def value_of(entries: list[dict[str, Any]], key: str) -> Any:
    """The value of ``requestData``'s entry ``key`` (``{"key", "value": {"type", "value"}}``)."""
    for entry in entries:
        if entry.get("key") == key:
            value = entry.get("value")
            return value.get("value") if isinstance(value, dict) else value
    return None


def _whole(entries: list[dict[str, Any]], key: str, default: int) -> int:
    value = value_of(entries, key)
    if value is None:
        return default
    try:
        if isinstance(value, bool):  # JSON's true is no number, though Python's bool is
            raise TypeError(key)
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid("request.value", f"{key.removeprefix('provider-')} must be a number.", key) from None
    if not math.isfinite(number) or number != int(number):
        raise Invalid("request.value", f"{key.removeprefix('provider-')} must be a whole number.", key)
    return int(number)


def wanted(item: ItemView, entries: list[dict[str, Any]]) -> machines.Wanted:
    """What a request asks of its machine, held to the blueprint's ranges (Invalid otherwise)."""
    instances = _whole(entries, INSTANCES_KEY, 1)
    if instances != 1:
        raise Invalid("request.instances", "Only one machine may be requested at a time.", INSTANCES_KEY)
    lease = _lease(item, entries)
    instance_type = None
    if item.kind == AMAZON:
        instance_type = value_of(entries, INSTANCE_TYPE_KEY) or item.instance_types[0]
        if instance_type not in item.instance_types:
            raise Invalid(
                "request.instance_type",
                f"instanceType must be one of {', '.join(item.instance_types)}.",
                INSTANCE_TYPE_KEY,
            )
        cpus, memory = INSTANCE_TYPES[instance_type]
    else:
        cpus = _whole(entries, CPU_KEY, item.cpus.default)
        memory = _whole(entries, MEMORY_KEY, item.memory_mb.default)
    storage = _whole(entries, STORAGE_KEY, item.storage_gb.default)
    checks = [(STORAGE_KEY, storage, item.storage_gb)]
    if item.kind != AMAZON:
        checks = [(CPU_KEY, cpus, item.cpus), (MEMORY_KEY, memory, item.memory_mb), *checks]
    for key, value, allowed in checks:
        if not allowed.least <= value <= allowed.most:
            raise Invalid(
                "request.range",
                f"{key.removeprefix('provider-')} must be between {allowed.least} and {allowed.most}.",
                key,
            )
    return machines.Wanted(cpus, memory, storage, instance_type, lease)


def _lease(item: ItemView, entries: list[dict[str, Any]], required: bool = False) -> int:
    """The lease in days ``requestData`` asks for (the blueprint's when it leaves it out, unless
    ``required``: Invalid), held to the blueprint's longest (Invalid). 0 is a lease that never
    ends, which only a blueprint without a longest lease (``lease_days`` 0) allows."""
    if required and value_of(entries, LEASE_KEY) is None:
        raise Invalid("request.lease", "VirtualMachine.LeaseDays is required.", LEASE_KEY)
    lease = _whole(entries, LEASE_KEY, item.lease_days)
    if lease < 0 or (item.lease_days and not 1 <= lease <= item.lease_days):
        most = f"between 1 and {item.lease_days}" if item.lease_days else "0 (no end) or more"
        raise Invalid("request.lease", f"VirtualMachine.LeaseDays must be {most}.", LEASE_KEY)
    return lease


def _new_row(
    s: Session,
    tenant: str,
    principal: identity.PrincipalView,
    item_id: str,
    subtenant_id: str,
    policy_id: str | None,
    now: float,
    spec: RequestSpec,
    resource_id: str | None = None,
    action: str | None = None,
    owner: str | None = None,
) -> VraRequest:
    row = VraRequest(
        id=identity.new_id(),
        number=next_id(s, REQUEST_SEQUENCE),
        tenant=tenant,
        item_id=item_id,
        subtenant_id=subtenant_id,
        requested_for=owner or spec.requested_for or principal.upn,
        requested_by=principal.upn,
        description=spec.description,
        reasons=spec.reasons,
        data=json.dumps(spec.entries),
        state=PENDING_PRE,
        policy_id=policy_id,
        post_approval=False,
        task_id=None,
        reason="",
        created_at=now,
        updated_at=now,
        resource_id=resource_id,
        action=action,
    )
    s.add(row)
    s.flush()
    return row


def _requested_for(
    s: Session,
    tenant: str,
    principal: identity.PrincipalView,
    spec: RequestSpec,
    supported: frozenset[str],
) -> str:
    """Whom a catalog request is for: the caller, or (``requestedFor``) another member of the
    business group when the caller is one of its managers or support users (``supported``), as
    vRA's on-behalf-of requests are. Forbidden for another caller or a user outside the group;
    Invalid for a name that is no user."""
    asked = spec.requested_for
    if asked is None or asked.lower() == principal.upn.lower():
        return principal.upn
    if spec.subtenant_id not in supported:
        raise Forbidden(
            "request.requested_for",
            f"{principal.upn} may not request on behalf of another user in business group "
            f"{spec.subtenant_id}.",
            "requestedFor",
        )
    found = member_of(s, tenant, spec.subtenant_id, asked)
    if found is None:
        raise Invalid("request.requested_for", f"requestedFor names no known user: {asked[:255]}.", asked)
    return found


def _same_values(s: Session, row: VraRequest, form: Sequence[dict[str, Any]]) -> None:
    """Invalid unless the approver's ``form`` asks what the request asks (the values a blueprint
    request sets; others are not the approver's to send)."""
    if not form or row.action is not None:
        return
    item = item_row(s, row.tenant, row.item_id)
    asked = json.loads(row.data)
    known = {e.get("key") for e in form} & {CPU_KEY, MEMORY_KEY, STORAGE_KEY, LEASE_KEY, INSTANCES_KEY}
    changed = []
    for key in sorted(known):
        given = value_of(asked, key)
        if str(value_of(list(form), key)) != str(_default(item, key) if given is None else given):
            changed.append(key)
    if changed:
        names = ", ".join(k.removeprefix("provider-") for k in changed)
        raise Invalid("work_item.form", f"An approver cannot change the request's {names}.", changed[0])


def _default(item: ItemView, key: str) -> Any:
    """What a request asks for ``key`` when its requestData leaves it out: the blueprint's default."""
    return {
        CPU_KEY: item.cpus.default,
        MEMORY_KEY: item.memory_mb.default,
        STORAGE_KEY: item.storage_gb.default,
        LEASE_KEY: item.lease_days,
        INSTANCES_KEY: 1,
    }[key]


class Requests:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks

    def submit(
        self,
        tenant: str,
        principal: identity.PrincipalView,
        groups: frozenset[str],
        spec: RequestSpec,
        supported: frozenset[str] = frozenset(),
    ) -> RequestView:
        """A new request by ``principal`` (a member of ``groups``; a manager or support user of
        ``supported``, who may request for another member of those); see the module's rules."""
        if len(spec.entries) > MOST_ENTRIES:
            raise Invalid("request.data", f"requestData holds at most {MOST_ENTRIES} entries.", "requestData")
        if spec.requested_for is not None and len(spec.requested_for) > REQUESTED_FOR_LENGTH:
            raise Invalid(
                "request.requested_for",
                f"requestedFor holds at most {REQUESTED_FOR_LENGTH} characters.",
                "requestedFor",
            )
        with self._store.write() as s:
            now = self._clock.now(s)
            item = item_row(s, tenant, spec.item_id)
            if spec.subtenant_id not in groups and not s.scalar(
                select(BusinessGroup.id).where(
                    BusinessGroup.tenant == tenant, BusinessGroup.id == spec.subtenant_id
                )
            ):
                raise NotFound(
                    "business_group.not_found",
                    f"Business group {spec.subtenant_id} not found.",
                    spec.subtenant_id,
                )
            if spec.subtenant_id not in groups:
                raise Forbidden(
                    "request.subtenant",
                    f"{principal.upn} is not a member of business group {spec.subtenant_id}.",
                    spec.subtenant_id,
                )
            policy = entitlement_of(s, tenant, spec.subtenant_id, item.id)
            if policy is False:
                raise Forbidden(
                    "request.entitlement",
                    f"Business group {spec.subtenant_id} is not entitled to catalog item {item.name}.",
                    item.id,
                )
            wanted(item, spec.entries)
            owner = _requested_for(s, tenant, principal, spec, supported)
            row = _new_row(
                s, tenant, principal, item.id, spec.subtenant_id, policy or None, now, spec, owner=owner
            )
            self._begin(s, row, principal, now)
            request_id = row.id
        return self.get(tenant, request_id, None)

    def submit_action(
        self, tenant: str, principal: identity.PrincipalView, managed: frozenset[str], spec: ActionSpec
    ) -> RequestView:
        """A new resource action request by ``principal`` (the machine's owner, or a manager or
        support user of its business group: ``managed``). NotFound for a machine it may not see or an action
        vRA does not have; Forbidden when the business group is not entitled to the action;
        Invalid when the action does not apply to the machine's kind or state now."""
        if len(spec.entries) > MOST_ENTRIES:
            raise Invalid("request.data", f"requestData holds at most {MOST_ENTRIES} entries.", "requestData")
        with self._store.write() as s:
            now = self._clock.now(s)
            machine = s.scalars(
                select(VraMachine)
                .where(VraMachine.tenant == tenant, VraMachine.id == spec.resource_id)
                .with_for_update()
            ).first()
            if machine is None or (machine.owner != principal.upn and machine.subtenant_id not in managed):
                raise NotFound(
                    "resource.not_found", f"Resource with id {spec.resource_id} not found.", spec.resource_id
                )
            action = resource_actions.find(spec.action)
            if action is None:
                raise NotFound("resource.action.not_found", f"No resource action {spec.action}.", spec.action)
            policy = action_entitlement_of(s, tenant, machine.subtenant_id, action.binding)
            if policy is False:
                raise Forbidden(
                    "resource.action.entitlement",
                    f"{principal.upn} is not entitled to the action {action.name} on {machine.name}.",
                    action.id,
                )
            resource_actions.check(action, machine, machines.power_of(s, machine))
            item = item_row(s, tenant, self._origin(s, machine).item_id)
            if action.binding == resource_actions.CHANGE_LEASE:
                _lease(item, spec.entries, required=True)
            row = _new_row(
                s,
                tenant,
                principal,
                item.id,
                machine.subtenant_id,
                policy or None,
                now,
                RequestSpec(
                    item.id, machine.subtenant_id, machine.owner, spec.description, spec.reasons, spec.entries
                ),
                machine.id,
                action.binding,
            )
            self._begin(s, row, principal, now)
            request_id = row.id
        return self.get(tenant, request_id, None)

    def complete(
        self,
        tenant: str,
        principal: identity.PrincipalView,
        work_item_id: str,
        action: str,
        justification: str,
        form: Sequence[dict[str, Any]] = (),
    ) -> RequestView:
        """Approve or reject a work item as ``principal``, and move its request on. ``form``: the
        request's values as the approver's form sends them back (``requestData`` entries); an
        approver may not change what the request asks (Invalid ``work_item.form``): the Guide's
        approve JSON echoes them, and approvers' edits are a policy option this emulator does not
        offer."""
        with self._store.write() as s:
            now = self._clock.now(s)
            done = approvals.complete_work_item(
                s, tenant, principal, work_item_id, action, justification, now
            )
            row = s.scalars(
                select(VraRequest).where(VraRequest.id == done.request_id).with_for_update()
            ).one()
            _same_values(s, row, form)
            row.updated_at = now
            if action == approvals.REJECT:
                if done.phase == POST:
                    for machine_id in s.scalars(select(VraMachine.id).where(VraMachine.request_id == row.id)):
                        machines.destroy(s, machine_id)
                row.state, row.reason = REJECTED, justification or f"Rejected by {principal.upn}."
            else:
                levels = approvals.levels_of(s, row.policy_id, done.phase)
                if done.level + 1 < len(levels):
                    nxt = done.level + 1
                    approvals.open_work_item(
                        s, tenant, row.id, row.subtenant_id, done.phase, nxt, levels[nxt], now, now
                    )
                elif done.phase == PRE:
                    self._start(s, row, principal, now)
                else:
                    row.state = SUCCESSFUL
            request_id = row.id
        return self.get(tenant, request_id, None)

    def _begin(self, s: Session, row: VraRequest, principal: identity.PrincipalView, now: float) -> None:
        """A new request waits for its first PRE level's approvers, or starts."""
        pre = approvals.levels_of(s, row.policy_id, PRE)
        if pre:
            approvals.open_work_item(s, row.tenant, row.id, row.subtenant_id, PRE, 0, pre[0], now, now)
        else:
            self._start(s, row, principal, now)

    def _start(self, s: Session, row: VraRequest, principal: identity.PrincipalView, now: float) -> None:
        """Make what the request asks (its machine, or its action's change) and start its task; what
        cannot be made makes the task (and so the request) end FAILED with the reason."""
        item = item_row(s, row.tenant, row.item_id)
        failure = ""
        if row.action is None:
            name, seconds = "requestCatalogItem", PROVISION_SECONDS
            operation, owner = f"Provisioning {item.name} for request {row.number}", item.name
            try:
                asked = wanted(item, json.loads(row.data))
                machines.provision(
                    s,
                    row.tenant,
                    row.id,
                    row.subtenant_id,
                    row.requested_for,
                    item,
                    asked,
                    now,
                    now + seconds,
                )
            except WorldError as exc:
                failure = exc.message
        else:
            action = resource_actions.BY_BINDING[row.action]
            name, seconds = "requestResourceAction", action.seconds
            operation, owner = f"{action.name} for request {row.number}", action.name
            failure = self._act(s, row, action, item, now)
        row.task_id = self._tasks.start(
            s,
            row.tenant,
            name,
            operation,
            Owner("CatalogItemRequest", row.id, owner),
            principal,
            SERVICE,
            seconds=seconds,
            failure=failure,
            begins=now,
        )
        row.state, row.reason = PROVISIONING, failure
        post = approvals.levels_of(s, row.policy_id, POST) if not failure else []
        if post:
            row.post_approval = True
            opens = now + seconds
            approvals.open_work_item(s, row.tenant, row.id, row.subtenant_id, POST, 0, post[0], now, opens)

    def _act(
        self, s: Session, row: VraRequest, action: resource_actions.Action, item: ItemView, now: float
    ) -> str:
        """Run a resource action on its machine, all or nothing; why it could not, or ""."""
        machine = s.get(VraMachine, row.resource_id, with_for_update=True) if row.resource_id else None
        if machine is None:
            return f"Resource {row.resource_id} no longer exists."
        entries = json.loads(row.data)
        try:
            with s.begin_nested():
                resource_actions.check(action, machine, machines.power_of(s, machine))
                if action.binding == resource_actions.REPROVISION:
                    asked = wanted(item, json.loads(self._origin(s, machine).data))
                else:
                    asked = machines.Wanted(0, 0, 0, lease_days=_lease(item, entries))
                resource_actions.apply(s, machine, action, item, asked, now)
        except WorldError as exc:
            return exc.message
        return ""

    @staticmethod
    def _origin(s: Session, machine: VraMachine) -> VraRequest:
        """The request that provisioned ``machine``."""
        return s.scalars(select(VraRequest).where(VraRequest.id == machine.request_id)).one()

    def list(self, tenant: str, mine: str | None, listing: Listing) -> Counted[RequestView]:
        """The tenant's requests (``mine`` given: those by or for that user), newest first."""
        query = _REQUESTS.where(VraRequest.tenant == tenant)
        if mine is not None:
            query = query.where(or_(VraRequest.requested_by == mine, VraRequest.requested_for == mine))
        with self._store.query() as conn:
            now = self._clock.now(conn)
            found = cut(
                conn,
                query,
                FIELDS,
                listing,
                (VraRequest.created_at.desc(), VraRequest.id),
                _view,
                {"now": now},
            )
            return Counted([self._with_machines(conn, r) for r in found.items], found.total)

    def get(self, tenant: str, request_id: str, mine: str | None) -> RequestView:
        """One request (``mine`` given: NotFound unless it is by or for that user)."""
        query = _REQUESTS.where(VraRequest.tenant == tenant, VraRequest.id == request_id)
        if mine is not None:
            query = query.where(or_(VraRequest.requested_by == mine, VraRequest.requested_for == mine))
        with self._store.query() as conn:
            now = self._clock.now(conn)
            row = conn.execute(query, {"now": now}).first()
            if row is None:
                raise NotFound("request.not_found", f"Request with id {request_id} not found.", request_id)
            return self._with_machines(conn, _view(row))

    @staticmethod
    def _with_machines(conn: Any, view: RequestView) -> RequestView:
        if view.state not in (SUCCESSFUL, PENDING_POST, IN_PROGRESS, SUBMITTED):
            return view
        rows = conn.execute(
            select(VraMachine.name, VraMachine.address)
            .where(VraMachine.request_id == view.id)
            .order_by(VraMachine.name)
        ).all()
        return RequestView(**{**view.__dict__, "machines": tuple((r[0], r[1]) for r in rows)})
