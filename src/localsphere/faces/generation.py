"""A number in shared memory that every worker of one server reads for nothing: a change of it
tells the workers that something they keep a copy of (the fault rules) has changed in the store.

It holds on one machine; workers on other machines sharing the store notice changes by re-reading
at a bounded age instead (see ``faces/faults.py``).
"""

from __future__ import annotations

import mmap
import os
import tempfile
from pathlib import Path
from typing import Any


class Generation:
    """Make it in the parent before spawning workers; it pickles as its file's path."""

    def __init__(self, path: str | None = None) -> None:
        self._owner = path is None
        if path is None:
            directory = "/dev/shm" if os.path.isdir("/dev/shm") else None
            fd, path = tempfile.mkstemp(prefix="localsphere-generation-", dir=directory)
            os.ftruncate(fd, 8)
            os.close(fd)
        self.path = path
        self._fd = os.open(path, os.O_RDWR)
        self._map = mmap.mmap(self._fd, 8)
        self._cell = memoryview(self._map).cast("q")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Generation, (self.path,))

    @property
    def value(self) -> int:
        return self._cell[0]

    def bump(self) -> None:
        """Two bumps at the same instant may count as one; readers also re-read at a bounded age."""
        self._cell[0] += 1

    def close(self) -> None:
        self._cell.release()
        self._map.close()
        os.close(self._fd)
        if self._owner:
            Path(self.path).unlink(missing_ok=True)
