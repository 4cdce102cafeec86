"""Fault rules: which requests the server should fail on purpose, and how.

A rule matches requests by face, method, path pattern and, optionally, the principal making them;
it injects a delay, an error status (which each face words as its product would) or a dropped
connection. ``nth`` lets the first matching calls through; ``count`` bounds how often it fires;
``probability`` makes it fire at random. Counting happens in the store, so "the third call" means
the third call to the whole server, whichever worker answers it. A fault is decided before the
request reaches its face, so an injected failure never changes stored state.
"""

from __future__ import annotations

import fnmatch
import json
import re
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, select

from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid, NotFound
from localsphere.world.schema import FaultRule
from localsphere.world.store import FAULTS, Store, changed

# The names rules give the faces (each face's fault hooks carry its own).
SDDC_MANAGER, VCENTER, OPERATIONS = "sddc-manager", "vcenter", "operations"
AUTOMATION, CLOUD_DIRECTOR = "automation", "cloud-director"
FACES = (SDDC_MANAGER, VCENTER, OPERATIONS, AUTOMATION, CLOUD_DIRECTOR)
ACTIONS = ("error", "delay", "drop")
MAX_DELAY = 300.0
MAX_RULES = 100
_METHOD = re.compile(r"[A-Z]{1,16}")


@dataclass(frozen=True)
class Rule:
    action: str
    face: str | None = None
    method: str | None = None
    path: str | None = None  # a glob: ``/v1/users*``, ``/api/vcenter/vm/*``
    principal: str | None = None  # ``user@domain`` (any case), or a service account's name
    status: int | None = None
    delay_seconds: float = 0.0
    nth: int = 1
    count: int | None = None
    probability: float = 1.0

    def matches(self, face: str, method: str, path: str) -> bool:
        """Everything but the principal, which costs a credential check to learn."""
        return (
            (self.face is None or self.face == face)
            and (self.method is None or self.method == method)
            and (self.path is None or fnmatch.fnmatchcase(path, self.path))
        )


@dataclass(frozen=True)
class FaultView:
    id: str
    rule: Rule
    seen: int
    fired: int
    created_at: float


def parse_rule(body: Any) -> Rule:
    """A rule from its JSON form; Invalid says what is wrong with it."""
    if not isinstance(body, dict):
        raise Invalid("fault.invalid", "A fault rule is a JSON object")
    unknown = set(body) - set(Rule.__dataclass_fields__)
    if unknown:
        raise Invalid("fault.invalid", f"Unknown fields: {', '.join(sorted(unknown))}")
    action = body.get("action")
    if action not in ACTIONS:
        raise Invalid("fault.invalid", f"action must be one of {', '.join(ACTIONS)}")
    face = _text(body, "face")
    if face is not None and face not in FACES:
        raise Invalid("fault.invalid", f"face must be one of {', '.join(FACES)}")
    method = _text(body, "method")
    if method is not None and not _METHOD.fullmatch(method.upper()):
        raise Invalid("fault.invalid", "method must be an HTTP method such as GET")
    status = body.get("status")
    if action == "error":
        if not _integer(status) or not 400 <= status <= 599:
            raise Invalid("fault.invalid", "An error fault needs a status from 400 to 599")
    elif status is not None:
        raise Invalid("fault.invalid", "status goes only with action error")
    delay = body.get("delay_seconds", 0.0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= MAX_DELAY:
        raise Invalid("fault.invalid", f"delay_seconds must be a number from 0 to {MAX_DELAY:g}")
    if action == "delay" and delay <= 0:
        raise Invalid("fault.invalid", "A delay fault needs delay_seconds above 0")
    nth, count = body.get("nth", 1), body.get("count")
    if not _integer(nth) or nth < 1:
        raise Invalid("fault.invalid", "nth must be an integer of at least 1")
    if count is not None and (not _integer(count) or count < 1):
        raise Invalid("fault.invalid", "count must be an integer of at least 1")
    probability = body.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 < probability <= 1:
        raise Invalid("fault.invalid", "probability must be above 0 and at most 1")
    return Rule(
        action=action,
        face=face,
        method=method.upper() if method else None,
        path=_text(body, "path"),
        principal=(_text(body, "principal") or "").lower() or None,
        status=status,
        delay_seconds=float(delay),
        nth=nth,
        count=count,
        probability=float(probability),
    )


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or not value or len(value) > 1024):
        raise Invalid("fault.invalid", f"{name} must be a non-empty string")
    return value


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Faults:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def add(self, rule: Rule) -> FaultView:
        with self._store.write() as s:
            if len(s.scalars(select(FaultRule.id)).all()) >= MAX_RULES:
                raise Invalid("fault.too_many", f"At most {MAX_RULES} fault rules; remove some first")
            row = FaultRule(
                id=str(uuid.uuid4()),
                rule=json.dumps(asdict(rule)),
                seen=0,
                fired=0,
                created_at=self._clock.now(s),
            )
            s.add(row)
            s.flush()
            changed(s, FAULTS)
            return _view(row)

    def list(self) -> list[FaultView]:
        with self._store.read() as s:
            return [
                _view(r) for r in s.scalars(select(FaultRule).order_by(FaultRule.created_at, FaultRule.id))
            ]

    def remove(self, fault_id: str) -> None:
        with self._store.write() as s:
            if s.execute(delete(FaultRule).where(FaultRule.id == fault_id)).rowcount == 0:
                raise NotFound("fault.not_found", f"No fault rule {fault_id}", fault_id)
            changed(s, FAULTS)

    def clear(self) -> None:
        with self._store.write() as s:
            s.execute(delete(FaultRule))
            changed(s, FAULTS)

    def trigger(self, fault_id: str, roll: float) -> bool:
        """Count one more matching call of a rule and say whether its fault fires on it; ``roll``
        is a random number in [0, 1) drawn by the caller for the rule's probability."""
        with self._store.write() as s:
            row = s.get(FaultRule, fault_id, with_for_update=True)
            if row is None:
                return False
            rule = Rule(**json.loads(row.rule))
            row.seen += 1
            fires = (
                row.seen >= rule.nth
                and (rule.count is None or row.fired < rule.count)
                and roll < rule.probability
            )
            if fires:
                row.fired += 1
            return fires


def _view(row: FaultRule) -> FaultView:
    return FaultView(row.id, Rule(**json.loads(row.rule)), row.seen, row.fired, row.created_at)
