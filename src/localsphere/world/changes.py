"""What other servers changed, heard through PostgreSQL.

Servers on several machines over one PostgreSQL database share no memory. Each write transaction
that changes something workers keep a copy of (``store.TOPICS``) sends a
notification on commit (``store.changed``); ``Changes`` holds one connection that listens for them
and says each topic it hears, within milliseconds of the commit. While that connection is down, it
hears nothing and says every topic once it is back; the copies' bounded age
(``--change-poll-seconds``) covers the gap. SQLite has one machine, and needs none of this.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url

from localsphere.world.store import CHANNEL, TOPICS

RETRY_SECONDS = 1.0  # between attempts to connect again
WAKE_SECONDS = 0.5  # how often the listening thread looks whether it is to stop

log = logging.getLogger(__name__)


def conninfo(url: str) -> str:
    """libpq's form of a SQLAlchemy PostgreSQL URL (``postgresql+psycopg://...``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Changes:
    """A thread listening on ``CHANNEL`` of the database at ``url``; ``heard(topic)`` is called
    from it for each notification, and for every topic after each (re)connection."""

    def __init__(self, url: str, heard: Callable[[str], None]) -> None:
        self._conninfo = conninfo(url)
        self._heard = heard
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="changes", daemon=True)
        self.listening = threading.Event()  # set while the connection listens

    def start(self) -> Changes:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(WAKE_SECONDS * 4)

    def _run(self) -> None:
        failing = False
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    if failing:
                        log.warning("listening for other servers' changes again")
                    failing = False
                    for topic in TOPICS:  # whatever changed while nobody listened
                        self._heard(topic)
                    while not self._stopping.is_set():
                        for notice in conn.notifies(timeout=WAKE_SECONDS):
                            if notice.payload in TOPICS:
                                self._heard(notice.payload)
            except psycopg.Error as exc:
                self.listening.clear()
                if not failing:  # one line per outage, whatever its length
                    log.warning(
                        "not hearing other servers' changes (%s); copies are read again at their age",
                        type(exc).__name__,
                    )
                failing = True
                self._stopping.wait(RETRY_SECONDS)
