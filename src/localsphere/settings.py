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
    lockout_failures: int = 5
    lockout_window: int = 180
    lockout_duration: int = 300
    argon2_time_cost: int = 2
    argon2_memory_kib: int = 19456


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
    log_level: str = "warning"
    policy: Policy = field(default_factory=Policy)

    @property
    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.data_dir / 'localsphere.db'}"
