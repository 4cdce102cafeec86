"""Every knob of the server in one frozen object, filled from flags and ``LOCALSPHERE_*`` variables.

The CLI owns the spelling of flags and variables; everything else reads a ``Settings``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DEMO_PASSWORD = "VMware1!"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "localsphere"


@dataclass(frozen=True)
class Policy:
    """What the world enforces: lifetimes, lockout and password hashing cost."""

    access_token_ttl: int = 3600
    refresh_token_ttl: int = 86400
    session_idle_timeout: int = 1800
    ops_token_ttl: int = 21600
    vra_token_ttl: int = 86400  # vRA's identity.basic.token.lifetime.hours, in seconds
    task_seconds: int = 0  # how long a task runs on the world clock (0: it ends as it starts)
    lockout_failures: int = 5
    lockout_window: int = 180
    lockout_duration: int = 300
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456


@dataclass(frozen=True)
class InventorySpec:
    """How big a world to build: datacenters, and per datacenter its clusters, datastores and
    extra networks; hosts per cluster; VMs per host."""

    datacenters: int = 1
    clusters: int = 1
    hosts: int = 3
    vms: int = 2
    datastores: int = 2
    networks: int = 1

    @staticmethod
    def parse(text: str) -> InventorySpec:
        """``datacenters=1,clusters=2,hosts=4,vms=50`` (any subset, the rest default)."""
        values: dict[str, int] = {}
        for item in filter(None, (p.strip() for p in text.split(","))):
            key, _, number = item.partition("=")
            if key not in InventorySpec.__dataclass_fields__ or not (number.isascii() and number.isdigit()):
                raise ValueError(
                    f"bad inventory count {item!r}: use name=number with names "
                    f"{', '.join(InventorySpec.__dataclass_fields__)}"
                )
            values[key] = int(number)
        if values.get("datacenters", 1) < 1:
            raise ValueError("at least one datacenter is needed")
        return InventorySpec(**values)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    https_port: int = 8443
    http_port: int = 8080
    data_dir: Path = field(default_factory=default_data_dir)
    db_url: str | None = None
    workers: int = 1
    cert_file: Path | None = None
    key_file: Path | None = None
    admin_token: str | None = None
    demo_password: str = DEFAULT_DEMO_PASSWORD
    max_body_bytes: int = 1 << 20
    # The most bytes of one part of an uploaded file (vCD's transfer service; pyvcloud sends 10 MiB)
    max_transfer_bytes: int = 32 << 20
    # Operations' suite-api limits on requests in flight: for the whole server, and per client address
    ops_max_requests: int = 300
    ops_max_requests_per_address: int = 50
    drain_seconds: float = 0.0  # how long a stopping worker answers 503 before it closes
    request_log_size: int = 1000  # requests the control API's log keeps
    # The most seconds a worker trusts its copy of what every request reads (the world-state row,
    # the fault rules) without a sign of change: changes nobody announced (the CLI on the
    # database; another server's while PostgreSQL's notifications were down) wait this long.
    change_poll_seconds: float = 1.0
    # How long a request forwarded to a vCD extension service waits for the service's reply
    extension_timeout: float = 60.0
    log_level: str = "warning"
    policy: Policy = field(default_factory=Policy)
    inventory: InventorySpec = field(default_factory=InventorySpec)

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / 'localsphere.db'}"
