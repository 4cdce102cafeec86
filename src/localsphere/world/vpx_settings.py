"""vCenter's advanced settings (``VpxSettings``, vSphere's ``OptionManager``): a fixed set of keys,
each with its kind of value and default; the values changed are the ``vim.settings`` row of the
settings table (``{"mail.smtp.port": 2525}``), so every worker and restart sees them.

The keys are those vCenter's Advanced Settings page lists that tools read (the instance's name
and FQDN, the database retention policy, client timeouts, mail); a read-only one cannot be
changed. Defaults are a fresh appliance's whose name was never set (``localhost``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from localsphere.world.errors import Invalid, NotFound
from localsphere.world.schema import SystemSetting
from localsphere.world.store import STATE, Store, changed

SECTION = "vim.settings"
Value = str | int | bool


@dataclass(frozen=True)
class Setting:
    """One key: its label, default (whose Python type is the value's kind) and whether it may
    be changed."""

    key: str
    label: str
    default: Value
    read_only: bool = False


SETTINGS = (
    Setting("VirtualCenter.FQDN", "vCenter Server FQDN", "localhost"),
    Setting("VirtualCenter.InstanceName", "vCenter Server instance name", "localhost"),
    Setting("VirtualCenter.AutoManagedIPV4", "vCenter Server IPv4 address", "127.0.0.1"),
    Setting("VirtualCenter.VimApiUrl", "vCenter Server SDK URL", "https://localhost/sdk"),
    Setting("instance.id", "vCenter Server unique ID", 1, read_only=True),
    Setting("event.maxAgeEnabled", "Event cleanup", True),
    Setting("event.maxAge", "Event retention (days)", 30),
    Setting("task.maxAgeEnabled", "Task cleanup", True),
    Setting("task.maxAge", "Task retention (days)", 30),
    Setting("client.timeout.normal", "Normal operation timeout (s)", 30),
    Setting("client.timeout.long", "Long operation timeout (s)", 120),
    Setting("mail.smtp.server", "SMTP server", ""),
    Setting("mail.smtp.port", "SMTP port", 25),
    Setting("mail.sender", "Mail sender", ""),
    Setting("log.level", "Logging level", "info"),
    Setting("config.vpxd.stats.maxQueryMetrics", "Most metrics a performance query may ask for", 256),
    Setting("config.vpxd.filterOverheadLimit", "Most objects a property filter may hold", 100_000),
)
BY_KEY = {s.key: s for s in SETTINGS}
LOG_LEVELS = ("none", "error", "warning", "info", "verbose", "trivia")


class VpxSettings:
    def __init__(self, store: Store) -> None:
        self._store = store

    def values(self) -> dict[str, Value]:
        """Every key's value, in ``SETTINGS`` order."""
        with self._store.query() as conn:
            text = conn.scalar(select(SystemSetting.value).where(SystemSetting.section == SECTION))
        kept = json.loads(text) if text else {}
        return {s.key: kept.get(s.key, s.default) for s in SETTINGS}

    def update(self, changes: Mapping[str, Value]) -> None:
        """Change the values of ``changes``, all or none: NotFound (``setting.unknown``) for a key
        not known or read-only, Invalid (``setting.value``) for a value of another kind."""
        for key, value in changes.items():
            setting = BY_KEY.get(key)
            if setting is None or setting.read_only:
                raise NotFound("setting.unknown", f"The setting {key} does not exist or is read-only.", key)
            if type(value) is not type(setting.default) or (key == "log.level" and value not in LOG_LEVELS):
                raise Invalid("setting.value", f"The value of {key} is not valid.", key)
        with self._store.write() as s:
            row = s.get(SystemSetting, SECTION, with_for_update=True)
            kept = json.loads(row.value) if row is not None else {}
            kept.update(changes)
            text = json.dumps(kept, sort_keys=True)
            if row is None:
                s.add(SystemSetting(section=SECTION, value=text))
            else:
                row.value = text
            changed(s, STATE)
