"""Copies of stored data that a process keeps so that requests read them for nothing, and the
generations that tell when a copy is out of date.

A *generation* is a number per topic of change (``store.STATE``, ``store.INVENTORY``,
``store.FAULTS``) that the store bumps right after it commits a transaction that changed the
topic, in this process; the workers of one server share theirs in memory
(``runtime.generation``), and a server on PostgreSQL also bumps them when it hears another
server's change (``world.changes``). A copy is valid while its topic's generation stays what it
was before the copy was read, and for at most ``max_age`` seconds, for changes nobody announced
(the ``localsphere`` CLI working on the database directly).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar

_WRITING = threading.local()  # how many write transactions this thread has open

K = TypeVar("K")
V = TypeVar("V")


@contextmanager
def uncommitted() -> Iterator[None]:
    """While this thread has a write transaction open, what it reads may be what it has not
    committed (and may roll back): no copy is kept or used then."""
    _WRITING.depth = getattr(_WRITING, "depth", 0) + 1
    try:
        yield
    finally:
        _WRITING.depth -= 1


def _writing() -> bool:
    return getattr(_WRITING, "depth", 0) > 0


class Generation(Protocol):
    """A number every worker of the server reads for nothing and any may bump."""

    @property
    def value(self) -> int: ...

    def bump(self) -> None: ...


class LocalGeneration:
    """The generation of a process that shares its world with no other worker."""

    def __init__(self) -> None:
        self.value = 0

    def bump(self) -> None:
        self.value += 1


class Copies(Generic[K, V]):
    """Values read from the store by key, forgotten together when ``generation`` moves or they are
    ``max_age`` seconds old; at most ``limit`` of them (then all are forgotten)."""

    def __init__(self, generation: Generation, max_age: float, limit: int = 100_000) -> None:
        self._generation = generation
        self._max_age = max_age
        self._limit = limit
        self._items: dict[K, V] = {}
        self._tag = -1
        self._since = 0.0

    def tag(self) -> int:
        """The generation to ``put`` what is read next under; take it before reading the store,
        so that a change committed meanwhile leaves the value unkept."""
        generation = self._generation.value
        now = time.monotonic()
        if generation != self._tag or now - self._since > self._max_age:
            self._items.clear()
            self._tag, self._since = generation, now
        return generation

    def get(self, key: K) -> V | None:
        """The copy, if one is kept and current (call ``tag`` first); None inside a write."""
        return None if _writing() else self._items.get(key)

    def kept(self, key: K, read: Callable[[], V]) -> V:
        """The copy for ``key``, or else what ``read()`` gives, kept (None too: a known absence).
        Keep values no caller can change: tuples, frozen objects. Inside a write, ``read()``'s
        value, unkept."""
        if _writing():
            return read()
        tag = self.tag()
        if key in self._items:
            return self._items[key]
        value = read()
        self.put(tag, key, value)
        return value

    def put(self, tag: int, key: K, value: V) -> None:
        if tag != self._tag or _writing():
            return
        if len(self._items) >= self._limit:
            self._items.clear()
        self._items[key] = value
