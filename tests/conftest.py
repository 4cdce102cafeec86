"""Test harness: the real server in a subprocess on free loopback ports, over SQLite and PostgreSQL.

Backends. A test that takes ``backend`` (through ``server``, ``new_database``...) runs on SQLite; one
marked ``every_backend`` (``pytestmark = pytest.mark.every_backend`` for a module) runs on SQLite and
on PostgreSQL. Mark what PostgreSQL can make behave otherwise: the world's SQL (migrations,
snapshots, filters and queries), concurrency and locking, several workers or servers, and each face's
main flows and official clients. LOCALSPHERE_TEST_EVERY_BACKEND=1 runs every test on both.
PostgreSQL tests use a throw-away database on 127.0.0.1:5432 (trust auth); they are skipped when it
is unreachable, unless LOCALSPHERE_TEST_REQUIRE_PG=1 (as in CI) turns that into a failure.

Speed. One server per backend serves the whole session (``shared_server``); ``server`` resets it
before each test by restoring the demo world kept as a loaded scenario's baseline (``DEMO_WORLD``),
which is several times faster than seeding it again; a test that needs a server of its own (flags,
workers, restarts) starts one. ``./dev test`` runs the suite in two processes (pytest-xdist ``-n 2``),
each with its own servers, databases and slapd; pass ``-n 0`` for one. Before (one process, every
test on both backends, reseeding resets) the suite took ~25 minutes on a 2-core machine.
"""

from __future__ import annotations

import decimal
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

PG_ADMIN_DSN = os.environ.get("LOCALSPHERE_TEST_PG_DSN", "host=127.0.0.1 port=5432 dbname=test")
DEMO_PASSWORD = "VMware1!"
ADMIN_ROLE = "31fde0ae-a292-4141-ad25-79724a7c81e1"
OPERATOR_ROLE = "429255c8-21d3-40eb-84b5-df7451508e47"
VIEWER_ROLE = "e6e05b87-8a49-4c24-9d9c-0f8f4596e4f1"
# The demo world as a scenario (a comment is the default scenario). A loaded scenario is kept as the
# snapshot every reset restores, which takes ~20 ms on SQLite and ~60 ms on PostgreSQL where seeding
# the demo world anew takes ~130 and ~300 ms; and the restored principals keep their ids, so a
# password the server recognised in one test is recognised in the next without another argon2 verify.
DEMO_WORLD = "# the demo world, kept as the baseline every reset restores\n"


@pytest.fixture(autouse=True)
def _decimal_context() -> Iterator[None]:
    """Each test starts with Python's default decimal context: the vAPI client library (vcf-sdk's
    ``vmware.vapi.lib.jsonlib``) sets the thread's precision as it parses a number, and with
    pytest-xdist a world test may run in the same process after a client test."""
    decimal.setcontext(decimal.Context())
    yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One ``localsphere serve`` process and the ways to talk to it."""

    def __init__(
        self,
        data_dir: Path,
        db_url: str | None,
        workers: int = 1,
        extra: list[str] | None = None,
        admin_token: str | None = None,
    ):
        self.data_dir = data_dir
        self.db_url = db_url
        self.workers = workers
        self.extra = extra or []
        self.given_token = admin_token  # None: the server makes one and keeps it in the data directory
        self.admin_token = admin_token or ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.loaded: str | None = None  # the scenario last loaded through this object, if any
        self.https_port = self.http_port = self.vcd_port = 0

    @property
    def cert(self) -> str:
        return str(self.data_dir / "localsphere.crt")

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def vcd(self) -> str:
        """vCloud Director's own listener (HTTPS, the same certificate)."""
        return f"https://127.0.0.1:{self.vcd_port}"

    def start(self, wait: bool = True) -> Server:
        """Start the process; unless ``wait`` is False, return once the world answers."""
        self.https_port, self.http_port, self.vcd_port = free_port(), free_port(), free_port()
        cmd = [
            sys.executable,
            "-m",
            "localsphere",
            "serve",
            "--https-port",
            str(self.https_port),
            "--http-port",
            str(self.http_port),
            "--vcd-port",
            str(self.vcd_port),
            "--data-dir",
            str(self.data_dir),
            "--workers",
            str(self.workers),
            *self.extra,
        ]
        if self.given_token:
            cmd += ["--admin-token", self.given_token]
        if self.db_url:
            cmd += ["--db", self.db_url]
        env = {**os.environ, "COLUMNS": "200"}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        return self.wait_ready() if wait else self

    def wait_ready(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data_dir / 'server.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.http}/_localsphere/health", timeout=1).status_code == 200:
                    self.admin_token = self.given_token or (self.data_dir / "admin-token").read_text().strip()
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.proc.kill()  # never leave a server behind that no test will stop
        self.proc.wait()
        raise RuntimeError("server did not answer in time")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def client(self, base_url: str | None = None, **kwargs: object) -> httpx.Client:
        """httpx over HTTPS (the shared port, or ``base_url``), trusting exactly this server's
        certificate."""
        return httpx.Client(
            base_url=base_url or self.https,
            verify=ssl.create_default_context(cafile=self.cert),
            timeout=30,
            **kwargs,
        )

    def control(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: object
    ) -> httpx.Response:
        with self.client() as c:
            return c.request(
                method,
                f"/_localsphere{path}",
                headers={"Authorization": f"Bearer {self.admin_token}", **(headers or {})},
                **kwargs,
            )

    def load(self, scenario: str) -> httpx.Response:
        """POST a YAML scenario to the control API."""
        self.loaded = scenario
        return self.control(
            "POST", "/scenario", content=scenario.encode(), headers={"Content-Type": "application/yaml"}
        )

    def load_streaming(self, scenario: str) -> httpx.Response:
        """POST a YAML scenario asking for progress lines (NDJSON)."""
        self.loaded = scenario
        return self.control(
            "POST",
            "/scenario",
            content=scenario.encode(),
            headers={"Content-Type": "application/yaml", "Accept": "application/x-ndjson"},
        )

    def reset(self) -> None:
        assert self.control("POST", "/reset").status_code == 200

    def advance(self, seconds: float) -> None:
        assert self.control("POST", "/clock", json={"advance_seconds": seconds}).status_code == 200

    def token(self, username: str = "administrator@vsphere.local", password: str = DEMO_PASSWORD) -> str:
        with self.client() as c:
            r = c.post("/v1/tokens", json={"username": username, "password": password})
            assert r.status_code == 200, r.text
            return r.json()["accessToken"]


class PgDatabases:
    """Throw-away PostgreSQL databases, dropped at the end of the session."""

    def __init__(self) -> None:
        try:
            import psycopg

            self.admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
        except Exception as exc:  # any failure to reach PostgreSQL means: not available here
            if os.environ.get("LOCALSPHERE_TEST_REQUIRE_PG") == "1":
                pytest.fail(f"PostgreSQL is required but unreachable: {exc}")
            pytest.skip(f"PostgreSQL not reachable ({exc})")
        self.names: list[str] = []

    def create(self) -> str:
        name = f"localsphere_test_{secrets.token_hex(4)}"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        info = self.admin.info
        return f"postgresql+psycopg://{info.user}@{info.host}:{info.port}/{name}"

    def drop_all(self) -> None:
        for name in self.names:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


BACKENDS = ["sqlite", "postgresql"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "every_backend: run the test on SQLite and on PostgreSQL (others run on SQLite)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give ``backend`` its values: both for a test marked ``every_backend`` (or every test when
    LOCALSPHERE_TEST_EVERY_BACKEND=1), SQLite for the rest; a test's own parametrization wins."""
    if "backend" not in metafunc.fixturenames or any(
        "backend" in _argnames(mark) for mark in metafunc.definition.iter_markers("parametrize")
    ):
        return
    both = os.environ.get("LOCALSPHERE_TEST_EVERY_BACKEND") == "1" or metafunc.definition.get_closest_marker(
        "every_backend"
    )
    metafunc.parametrize("backend", BACKENDS if both else BACKENDS[:1], indirect=True, scope="session")


def _argnames(mark: pytest.Mark) -> list[str]:
    names = mark.args[0] if mark.args else mark.kwargs.get("argnames", ())
    return [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgresql``, as ``pytest_generate_tests`` chose for the test."""
    return request.param


@pytest.fixture(scope="session")
def new_database(backend: str) -> Iterator[Callable[[], str | None]]:
    """Makes a fresh database URL for the backend (None: SQLite in the server's data directory)."""
    if backend == "sqlite":
        yield lambda: None
        return
    pg = PgDatabases()
    yield pg.create
    pg.drop_all()


@pytest.fixture(scope="session")
def shared_server(
    new_database: Callable[[], str | None], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    # vCD extension services wait one second for a reply (tests/faces/vcd/test_extension_requests.py)
    extra = ["--extension-timeout", "1"]
    server = Server(tmp_path_factory.mktemp("world"), new_database(), extra=extra).start()
    yield server
    server.stop()


@pytest.fixture
def server(shared_server: Server) -> Server:
    """The session's server, reset to the demo world before the test: restored from the kept
    ``DEMO_WORLD`` baseline, or that baseline loaded again when a test loaded another scenario."""
    if shared_server.loaded == DEMO_WORLD:
        shared_server.reset()
    else:
        assert shared_server.load(DEMO_WORLD).status_code == 200
    return shared_server


@pytest.fixture
def scenario(server: Server) -> Callable[[str], httpx.Response]:
    """Loads a scenario into the session's server; the next test's ``server`` brings the demo
    world back (a loaded scenario is what every later reset returns to)."""
    return server.load


@pytest.fixture
def api(server: Server) -> Iterator[httpx.Client]:
    """An httpx client signed in as administrator@vsphere.local (ADMIN)."""
    with server.client(headers={"Authorization": f"Bearer {server.token()}"}) as c:
        yield c


# --- a real OpenLDAP slapd for the directory tests ---------------------------------------------

from ldap_server import LdapServer, running_slapd, slapd_available  # noqa: E402


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LdapServer]:
    """A throw-away slapd with the demo tree (see tests/ldap_server.py), for the whole session.

    Skipped when slapd is not installed, unless LOCALSPHERE_TEST_REQUIRE_LDAP=1 (as in CI).
    """
    if not slapd_available():
        message = "OpenLDAP slapd is not installed (apt-get install slapd ldap-utils)"
        if os.environ.get("LOCALSPHERE_TEST_REQUIRE_LDAP") == "1":
            pytest.fail(f"{message}, but LOCALSPHERE_TEST_REQUIRE_LDAP=1 requires it")
        pytest.skip(message)
    with running_slapd(tmp_path_factory.mktemp("slapd")) as server:
        yield server
