"""A number in shared memory that every worker of one server reads for nothing: a change of it
tells the workers that something they keep a copy of (one topic of ``world.copies``) has changed in
the store.

It holds on one machine; the server bumps it too when PostgreSQL tells of another server's change
(``world.changes``), and copies are read again at a bounded age for changes nobody announced.
"""

from __future__ import annotations

from typing import Any

from localsphere.runtime.shm import Mapped, make_file


class Generation:
    """Make it in the parent before spawning workers; it pickles as its file's path."""

    def __init__(self, path: str | None = None) -> None:
        self._file = Mapped(path or make_file("localsphere-generation-", 8), 8, owner=path is None)
        self._cell = memoryview(self._file.map).cast("q")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Generation, (self._file.path,))

    @property
    def value(self) -> int:
        return self._cell[0]

    def bump(self) -> None:
        """Two bumps at the same instant may count as one; readers also re-read at a bounded age."""
        self._cell[0] += 1

    def close(self) -> None:
        self._cell.release()
        self._file.close()
