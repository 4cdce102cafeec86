"""An org's password policy (vCloud Director's ``OrgPasswordPolicySettings``), which sign-in applies
to the org's own users (``auth.py``): after so many failed sign-ins the account is locked for so
many minutes, or never when the policy's lockout is off. Kept with the org's other settings
(``org_admin.py``); an org that has none has the defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world.schema import OrgSettingsRow


@dataclass(frozen=True)
class PasswordPolicySettings:
    """Lock an account out after ``invalid_logins_before_lockout`` failed sign-ins, for
    ``account_lockout_interval_minutes``; the product's defaults: on, 5, 10 minutes."""

    account_lockout_enabled: bool = True
    invalid_logins_before_lockout: int = 5
    account_lockout_interval_minutes: int = 10


def lockout(db: Session | Connection, tenant: str) -> tuple[int, float]:
    """The org's lockout as (failed sign-ins before it, seconds it lasts); (0, 0) when it is off."""
    text = db.scalar(select(OrgSettingsRow.settings).where(OrgSettingsRow.tenant == tenant))
    stored = (json.loads(text) if text else {}).get("password_policy", {})
    policy = PasswordPolicySettings(**stored)
    if not policy.account_lockout_enabled:
        return 0, 0.0
    return policy.invalid_logins_before_lockout, policy.account_lockout_interval_minutes * 60.0
