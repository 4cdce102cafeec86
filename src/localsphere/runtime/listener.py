"""The HTTP server under the app: granian (Rust: hyper and rustls) embedded in the worker's event
loop, serving on a socket the server bound before it started its workers.

granian measured twice uvicorn's throughput here on the same app (``bench/``, issue 10), most of
it TLS and HTTP parsing moved off the Python thread. Its embedded mode binds its own socket; a
``Listener`` hands it ours instead (bound once by the parent, port 0 allowed, shared by every
worker), which is the one place this module reaches under granian's public surface: the version is
pinned in ``pyproject.toml``.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
from pathlib import Path

import psutil
from granian._granian import SocketHolder
from granian.constants import HTTPModes, Interfaces, SSLProtocols
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.embed import Server
from starlette.types import ASGIApp, Scope

BACKLOG = 2048
STOP_SECONDS = 3  # how long a stopping listener lets requests in progress finish
HEADER_SECONDS = 30  # how long a connection may take to send a request's headers, idle or not


class _Quiet(logging.Filter):
    """granian warns that its embedded mode is experimental on every start: said once, here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "experimental" not in record.getMessage()


_QUIET = _Quiet()


class Listener(Server):
    """One listening socket served by granian on the running event loop; ``tls``: the certificate
    and key files (PEM) for HTTPS, else plain HTTP."""

    def __init__(self, app: ASGIApp, sock: socket.socket, tls: tuple[Path, Path] | None, log_level: str):
        cert, key = tls if tls else (None, None)
        host, port = sock.getsockname()[:2]
        super().__init__(
            app,
            address=host,  # for granian's own log lines: the socket is ours
            port=port,
            interface=Interfaces.ASGINL,  # the app keeps no lifespan
            http=HTTPModes.http1,  # what the products' clients speak
            http1_settings=HTTP1Settings(header_read_timeout=HEADER_SECONDS * 1000),
            websockets=False,
            backlog=BACKLOG,
            log_level=LogLevels(log_level),
            # granian's records go where ours go, in our format
            log_dictconfig={"loggers": {"_granian": {"handlers": [], "propagate": True}}},
            ssl_cert=cert,
            ssl_key=key,
            ssl_protocol_min=SSLProtocols.tls12,  # as the products: TLS 1.2 clients are still common
        )
        logging.getLogger("_granian").addFilter(_QUIET)
        self.workers_kill_timeout = STOP_SECONDS
        self._socket = sock

    def _init_shared_socket(self) -> None:
        # granian owns the descriptor it is given (and may close it when it stops): a copy of ours.
        self._shd = SocketHolder(os.dup(self._socket.fileno()), False, BACKLOG)
        self._sfd = self._shd.get_fd()

    def stop(self) -> None:
        """Stop accepting, finish what is in progress (at most ``STOP_SECONDS``), then return from
        ``serve``. Call it on the listener's event loop."""
        self.signal_handler_interrupt()


def drop_connection(scope: Scope) -> bool:
    """Reset the TCP connection a request came on, without an answer, as a dropped connection
    looks to a client; False if it is not found (a client gone already). ASGI has no verb for it:
    the connection is found among this process's sockets by its two addresses."""
    client, server = scope.get("client"), scope.get("server")
    if not client or not server:
        return False
    # granian gives the ports as strings
    ends = ((server[0], int(server[1])), (client[0], int(client[1])))
    for conn in psutil.Process().net_connections(kind="tcp"):
        if (
            conn.fd >= 0
            and conn.raddr
            and ((conn.laddr.ip, conn.laddr.port), (conn.raddr.ip, conn.raddr.port)) == ends
        ):
            with socket.socket(fileno=os.dup(conn.fd)) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.shutdown(socket.SHUT_RDWR)
            return True
    return False
