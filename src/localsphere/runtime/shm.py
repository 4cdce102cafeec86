"""Files in memory that a server's parent makes and every worker maps: the in-flight counts, the
fault rules' generation and the request log live in them."""

from __future__ import annotations

import mmap
import os
import tempfile
from pathlib import Path


def make_file(prefix: str, size: int) -> str:
    """A new file of ``size`` zero bytes, in /dev/shm where there is one; returns its path."""
    directory = "/dev/shm" if os.path.isdir("/dev/shm") else None
    fd, path = tempfile.mkstemp(prefix=prefix, dir=directory)
    try:
        os.ftruncate(fd, size)
    finally:
        os.close(fd)
    return path


class Mapped:
    """One process's mapping of such a file, and its descriptor (for ``flock``). The ``owner``
    (the parent that made it) removes the file when it closes. Release every view of ``map``
    before closing."""

    def __init__(self, path: str, size: int, owner: bool = False) -> None:
        self.path, self.owner = path, owner
        self.fd = os.open(path, os.O_RDWR)
        self.map = mmap.mmap(self.fd, size)

    def close(self) -> None:
        self.map.close()
        os.close(self.fd)
        if self.owner:
            Path(self.path).unlink(missing_ok=True)
