"""Secrets the world must give back later (a directory's bind password), kept sealed: encrypted
and authenticated (Fernet: AES-128-CBC with HMAC-SHA256) under a key that lives in the data
directory, not in the database, so a copy of the database alone reveals none of them."""

from __future__ import annotations

import os
import time
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

KEY_NAME = "secrets.key"


class SealError(Exception):
    """A sealed value this key cannot open: sealed under another data directory's key, or altered."""


class Sealer:
    """Seals and opens secrets with the key in ``directory`` (made on first use, readable by its
    owner only; several processes starting at once agree on one)."""

    def __init__(self, directory: Path) -> None:
        self._path = directory / KEY_NAME
        self._fernet: Fernet | None = None

    def _key(self) -> Fernet:
        if self._fernet is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as out:
                    out.write(Fernet.generate_key())
            key = self._path.read_bytes().strip()
            for _ in range(100):  # another process made the file and is writing the key into it
                if key:
                    break
                time.sleep(0.01)
                key = self._path.read_bytes().strip()
            self._fernet = Fernet(key)
        return self._fernet

    def seal(self, secret: str) -> str:
        return self._key().encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._key().decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError):
            raise SealError(f"a secret cannot be opened with the key in {self._path}") from None
