"""``localsphere serve | reset``: every flag also reads a ``LOCALSPHERE_*`` variable."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from localsphere import __version__, control_cli
from localsphere.settings import DEFAULT_DEMO_PASSWORD, InventorySpec, Policy, Settings, default_data_dir

if TYPE_CHECKING:
    from localsphere.server import Prepared, Sockets
    from localsphere.world.plan import Scenario

cli = typer.Typer(
    add_completion=False, no_args_is_help=True, help="LocalSphere: a VMware private cloud's APIs."
)
console = Console()

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="LOCALSPHERE_DATA_DIR",
        help="Where the database, certificate and admin credential live.",
        show_default=str(default_data_dir()),
    ),
]
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="LOCALSPHERE_DB",
        help="Database URL, e.g. postgresql+psycopg://host/db (default: SQLite in the data directory).",
    ),
]
Inventory = Annotated[
    str,
    typer.Option(
        "--inventory",
        envvar="LOCALSPHERE_INVENTORY",
        help="Size of the seeded inventory, e.g. datacenters=1,clusters=2,hosts=4,vms=50 (also datastores, "
        "networks; clusters, datastores and networks count per datacenter, hosts per cluster, VMs per host). "
        "Applies when the world is seeded: on first start and on reset. "
        f"By default {','.join(f'{f.name}={f.default}' for f in dataclasses.fields(InventorySpec))}.",
    ),
]
DemoPassword = Annotated[
    str,
    typer.Option(
        "--demo-password",
        envvar="LOCALSPHERE_DEMO_PASSWORD",
        help="Password of the seeded SSO users, administrator@vsphere.local among them.",
    ),
]


@cli.command()
def serve(
    host: Annotated[str, typer.Option(envvar="LOCALSPHERE_HOST", help="Address to listen on.")] = "127.0.0.1",
    https_port: Annotated[int, typer.Option(envvar="LOCALSPHERE_HTTPS_PORT")] = 8443,
    http_port: Annotated[int, typer.Option(envvar="LOCALSPHERE_HTTP_PORT")] = 8080,
    vcd_port: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_VCD_PORT",
            min=0,
            help="vCloud Director's own HTTPS port, where every path is vCD's (0: none).",
        ),
    ] = 8444,
    data_dir: DataDir = None,
    db: Db = None,
    workers: Annotated[int, typer.Option(envvar="LOCALSPHERE_WORKERS", min=1)] = 1,
    cert: Annotated[
        Path | None, typer.Option(envvar="LOCALSPHERE_CERT", help="PEM certificate for HTTPS.")
    ] = None,
    key: Annotated[
        Path | None, typer.Option(envvar="LOCALSPHERE_KEY", help="PEM private key for HTTPS.")
    ] = None,
    admin_token: Annotated[
        str | None, typer.Option(envvar="LOCALSPHERE_ADMIN_TOKEN", help="Credential of the control API.")
    ] = None,
    demo_password: DemoPassword = DEFAULT_DEMO_PASSWORD,
    access_token_ttl: Annotated[
        int, typer.Option(envvar="LOCALSPHERE_ACCESS_TOKEN_TTL", min=1, help="Seconds an access token lives.")
    ] = 3600,
    refresh_token_ttl: Annotated[
        int,
        typer.Option(envvar="LOCALSPHERE_REFRESH_TOKEN_TTL", min=1, help="Seconds a refresh token lives."),
    ] = 86400,
    session_idle_timeout: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_SESSION_IDLE_TIMEOUT", min=1, help="Seconds an idle API session lives."
        ),
    ] = 1800,
    ops_token_ttl: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_OPS_TOKEN_TTL", min=1, help="Seconds an Operations token lives unused."
        ),
    ] = 21600,
    vra_token_ttl: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_VRA_TOKEN_TTL",
            min=1,
            help="Seconds a vRA bearer token lives (vRA: identity.basic.token.lifetime.hours x 3600).",
        ),
    ] = 86400,
    task_seconds: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_TASK_SECONDS",
            min=0,
            help="Seconds of world time a task (a vCloud Director vApp operation) runs; 0: it ends "
            "as it starts (the clients poll every 5 s after a first look).",
        ),
    ] = 0,
    lockout_failures: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_LOCKOUT_FAILURES", min=1, help="Failed sign-ins that lock an account."
        ),
    ] = 5,
    lockout_window: Annotated[
        int,
        typer.Option(envvar="LOCALSPHERE_LOCKOUT_WINDOW", min=1, help="Seconds within which failures count."),
    ] = 180,
    lockout_duration: Annotated[
        int,
        typer.Option(envvar="LOCALSPHERE_LOCKOUT_DURATION", min=1, help="Seconds an account stays locked."),
    ] = 300,
    max_body: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_MAX_BODY", min=1024, help="Largest request body accepted, in bytes."
        ),
    ] = 1 << 20,
    max_transfer: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_MAX_TRANSFER",
            min=1 << 20,
            help="Largest part of an uploaded file (vCD's transfer service) one request carries, in bytes.",
        ),
    ] = 32 << 20,
    ops_max_requests: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_OPS_MAX_REQUESTS",
            min=1,
            help="Operations requests in flight at once, server-wide, before 429.",
        ),
    ] = 300,
    ops_max_requests_per_address: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_OPS_MAX_REQUESTS_PER_ADDRESS",
            min=1,
            help="Operations requests in flight at once from one client address, before 429.",
        ),
    ] = 50,
    drain_seconds: Annotated[
        float,
        typer.Option(
            envvar="LOCALSPHERE_DRAIN_SECONDS",
            min=0,
            help="Seconds a stopping server keeps answering 503 before it closes its connections.",
        ),
    ] = 0.0,
    request_log_size: Annotated[
        int,
        typer.Option(
            envvar="LOCALSPHERE_REQUEST_LOG_SIZE",
            min=1,
            max=100_000,
            help="Requests the control API's log keeps (1 KiB of shared memory each).",
        ),
    ] = 1000,
    change_poll_seconds: Annotated[
        float,
        typer.Option(
            envvar="LOCALSPHERE_CHANGE_POLL_SECONDS",
            min=0.01,
            max=3600,
            help="Seconds a worker trusts its copy of the clock, the access stamp and the fault rules "
            "without a sign of change (changes made through the CLI, or by another server while "
            "PostgreSQL's notifications were down, wait this long).",
        ),
    ] = 1.0,
    extension_timeout: Annotated[
        float,
        typer.Option(
            envvar="LOCALSPHERE_EXTENSION_TIMEOUT",
            min=0.1,
            max=3600,
            help="Seconds a request forwarded to a vCD extension service waits for its reply (then 504).",
        ),
    ] = 60.0,
    log_level: Annotated[str, typer.Option(envvar="LOCALSPHERE_LOG_LEVEL")] = "warning",
    inventory: Inventory = "",
    scenario: Annotated[
        Path | None,
        typer.Option(
            envvar="LOCALSPHERE_SCENARIO",
            exists=True,
            dir_okay=False,
            help="A YAML scenario: the world is replaced by the one it describes at every start.",
        ),
    ] = None,
) -> None:
    """Start HTTPS and HTTP listeners with every face mounted."""
    from localsphere import server

    if (cert is None) != (key is None):
        raise typer.BadParameter("--cert and --key go together")
    settings = Settings(
        host=host,
        https_port=https_port,
        http_port=http_port,
        data_dir=data_dir or default_data_dir(),
        db_url=db,
        workers=workers,
        cert_file=cert,
        key_file=key,
        admin_token=admin_token,
        demo_password=demo_password,
        max_body_bytes=max_body,
        max_transfer_bytes=max_transfer,
        ops_max_requests=ops_max_requests,
        ops_max_requests_per_address=ops_max_requests_per_address,
        drain_seconds=drain_seconds,
        request_log_size=request_log_size,
        change_poll_seconds=change_poll_seconds,
        extension_timeout=extension_timeout,
        log_level=log_level,
        inventory=_inventory(inventory),
        policy=Policy(
            access_token_ttl=access_token_ttl,
            refresh_token_ttl=refresh_token_ttl,
            session_idle_timeout=session_idle_timeout,
            ops_token_ttl=ops_token_ttl,
            vra_token_ttl=vra_token_ttl,
            task_seconds=task_seconds,
            lockout_failures=lockout_failures,
            lockout_window=lockout_window,
            lockout_duration=lockout_duration,
        ),
    )
    plan = _scenario(scenario) if scenario else None
    sockets = server.Sockets(
        server.bind(host, https_port),
        server.bind(host, http_port),
        server.bind(host, vcd_port) if vcd_port else None,
    )
    prepared = _prepare(settings, sockets, plan, scenario)
    _banner(settings, prepared, sockets)
    server.serve(settings, prepared, sockets)
    console.print("LocalSphere stopped.", style="dim")


def _scenario(path: Path) -> Scenario:
    from localsphere.world.scenario import ScenarioError, parse

    try:
        return parse(path.read_text(encoding="utf-8", errors="replace"))
    except ScenarioError as exc:
        console.print(f"[red]{path}: {exc}[/red]")
        raise typer.Exit(2) from None


def _prepare(settings: Settings, sockets: Sockets, plan: Scenario | None, path: Path | None) -> Prepared:
    """Prepare the world; a scenario's load shows its progress as a bar."""
    from localsphere import server
    from localsphere.world.scenario import ScenarioError

    try:
        if plan is None or plan.inventory is None:
            with console.status("Preparing the world..."):
                return server.prepare(settings, sockets, plan)
        columns = (TextColumn(f"Loading {path}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("load", total=plan.inventory.vm_count)
            prepared = server.prepare(
                settings,
                sockets,
                plan,
                lambda made: bar.update(task, completed=made),  # type: ignore[arg-type]
            )
        console.print(f"Loaded {path} ({plan.inventory.vm_count} VMs).")
        return prepared
    except ScenarioError as exc:
        console.print(f"[red]{path}: {exc}[/red]")
        raise typer.Exit(2) from None


def _banner(settings: Settings, prepared: Prepared, sockets: Sockets) -> None:
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    table = Table.grid(padding=(0, 2))
    table.add_row("HTTPS", f"https://{shown}:{sockets.https.getsockname()[1]}")
    table.add_row("HTTP", f"http://{shown}:{sockets.http.getsockname()[1]}")
    if sockets.vcd is not None:
        table.add_row("vCloud Director", f"https://{shown}:{sockets.vcd.getsockname()[1]}")
    table.add_row("Data directory", str(settings.data_dir))
    table.add_row("Database", prepared.database + (" (seeded now)" if prepared.seeded else ""))
    table.add_row("Certificate", str(prepared.cert_file))
    table.add_row("Workers", str(settings.workers))
    table.add_row("Demo sign-in", f"administrator@vsphere.local / {settings.demo_password}")
    table.add_row("Control API", f"Authorization: Bearer {prepared.admin_token}")
    console.print(f"[bold]LocalSphere {__version__}[/bold] is listening")
    console.print(table)
    console.print("Stop with Ctrl+C.", style="dim")


def _inventory(text: str) -> InventorySpec:
    try:
        return InventorySpec.parse(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--inventory") from None


@cli.command()
def reset(
    data_dir: DataDir = None,
    db: Db = None,
    demo_password: DemoPassword = DEFAULT_DEMO_PASSWORD,
    inventory: Inventory = "",
) -> None:
    """Return the world to its seeded state (a running server sees it at once)."""
    from localsphere.world import World

    settings = Settings(
        data_dir=data_dir or default_data_dir(),
        db_url=db,
        demo_password=demo_password,
        inventory=_inventory(inventory),
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    world = World(settings)
    try:
        world.prepare()
        world.reset()
    finally:
        world.close()
    console.print(
        f"The world in [bold]{settings.database_url.split('://')[0]}[/bold] is back to its seeded state."
    )


@cli.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


control_cli.register(cli)


def main() -> None:
    cli()
