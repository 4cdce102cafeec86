"""The control API's verbs on the command line: ``load``, ``snapshot ...``, ``clock``, ``faults ...``,
``requests``, ``routes`` and ``api-tokens ...``, each a call to a running server's ``/_localsphere``.

The server is found at ``--url`` (default: this machine's HTTPS port); its certificate and admin
credential are read from the data directory (``LOCALSPHERE_DATA_DIR``) unless given.
"""

from __future__ import annotations

import json
import os
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from localsphere.settings import default_data_dir

console = Console()
err = Console(stderr=True)


@dataclass(frozen=True)
class Target:
    url: str
    token: str
    context: ssl.SSLContext | None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> Any:
        """One control call; its JSON answer (None for 204). A refusal exits with its message."""
        with self.open(method, path, body, content_type, accept) as response:
            data = response.read()
        return json.loads(data) if data else None

    def open(self, method: str, path: str, body: Any, content_type: str, accept: str) -> Any:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_localsphere{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": content_type, "Accept": accept},
        )
        try:
            return urllib.request.urlopen(request, context=self.context, timeout=600)
        except urllib.error.HTTPError as exc:
            _refused(exc.code, exc.read())
        except urllib.error.URLError as exc:
            err.print(f"[red]Cannot reach the server at {self.url}: {exc.reason}[/red]")
            raise typer.Exit(1) from None


def _refused(status: int, data: bytes) -> NoReturn:
    try:
        body = json.loads(data)
        message = body.get("message", data.decode())
        if body.get("line"):
            message = f"line {body['line']}: {message}" if "line" not in message else message
    except (ValueError, AttributeError):
        message = data.decode(errors="replace")
    err.print(f"[red]{status}: {message}[/red]")
    raise typer.Exit(1)


@dataclass(frozen=True)
class Connection:
    """Where the control verbs find the server: the ``localsphere`` command's own options."""

    url: str = "https://127.0.0.1:8443"
    admin_token: str | None = None
    cacert: Path | None = None


def _target(ctx: typer.Context) -> Target:
    given = ctx.obj if isinstance(ctx.obj, Connection) else Connection()
    directory = default_data_dir_from_env()
    token = given.admin_token
    if token is None:
        path = directory / "admin-token"
        if not path.exists():
            err.print(
                f"[red]No admin credential: give --admin-token, or set LOCALSPHERE_DATA_DIR to the "
                f"server's data directory (looked in {directory})[/red]"
            )
            raise typer.Exit(2)
        token = path.read_text().strip()
    context = None
    if given.url.startswith("https:"):
        cafile = given.cacert or directory / "localsphere.crt"
        context = ssl.create_default_context(cafile=str(cafile)) if cafile.exists() else None
    return Target(given.url.rstrip("/"), token, context)


def default_data_dir_from_env() -> Path:
    value = os.environ.get("LOCALSPHERE_DATA_DIR")
    return Path(value) if value else default_data_dir()


def register(cli: typer.Typer) -> None:
    """Add the control verbs to the ``localsphere`` command."""
    snapshot = typer.Typer(
        help="Save, restore, list and delete snapshots of the world.", no_args_is_help=True
    )
    faults = typer.Typer(help="Inject faults into matching requests.", no_args_is_help=True)
    cli.add_typer(snapshot, name="snapshot")
    cli.add_typer(faults, name="faults")
    tokens = typer.Typer(
        help="Make, list and revoke API tokens of the cloud sign-in flow.", no_args_is_help=True
    )
    cli.add_typer(tokens, name="api-tokens")

    @cli.callback()
    def connect(
        ctx: typer.Context,
        url: Annotated[
            str, typer.Option(envvar="LOCALSPHERE_URL", help="The running server, for the control verbs.")
        ] = Connection.url,
        admin_token: Annotated[
            str | None,
            typer.Option(
                envvar="LOCALSPHERE_ADMIN_TOKEN",
                help="The control API's credential (default: the one in the data directory).",
            ),
        ] = None,
        cacert: Annotated[
            Path | None,
            typer.Option(envvar="LOCALSPHERE_CACERT", help="Default: the data directory's certificate."),
        ] = None,
    ) -> None:
        """LocalSphere: a VMware private cloud's APIs."""
        ctx.obj = Connection(url, admin_token, cacert)

    @cli.command()
    def load(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A YAML scenario.")],
    ) -> None:
        """Replace the running server's world with a scenario's, showing its progress."""
        target = _target(ctx)
        result = load_with_progress(target, file.read_bytes())
        console.print(f"Loaded {file.name}: {result['objects']} inventory objects in {result['seconds']} s.")

    @snapshot.command("save")
    def snapshot_save(
        ctx: typer.Context,
        name: str,
    ) -> None:
        """Save the world under NAME."""
        view = _target(ctx).call("POST", "/snapshots", {"name": name})
        console.print(f"Saved snapshot {view['name']}: {view['rows']} rows, {view['size']} bytes.")

    @snapshot.command("restore")
    def snapshot_restore(
        ctx: typer.Context,
        name: str,
    ) -> None:
        """Bring back the world saved under NAME."""
        _target(ctx).call("POST", f"/snapshots/{_quote(name)}/restore")
        console.print(f"Restored snapshot {name}.")

    @snapshot.command("list")
    def snapshot_list(
        ctx: typer.Context,
    ) -> None:
        """List the saved snapshots."""
        views = _target(ctx).call("GET", "/snapshots")
        table = Table("Name", "Saved", "Rows", "Bytes")
        for v in views:
            table.add_row(v["name"], v["created"], str(v["rows"]), str(v["size"]))
        console.print(table)

    @snapshot.command("delete")
    def snapshot_delete(
        ctx: typer.Context,
        name: str,
    ) -> None:
        """Delete the snapshot NAME."""
        _target(ctx).call("DELETE", f"/snapshots/{_quote(name)}")
        console.print(f"Deleted snapshot {name}.")

    @cli.command()
    def clock(
        ctx: typer.Context,
        freeze: Annotated[bool, typer.Option("--freeze", help="Stop the world's time.")] = False,
        advance: Annotated[float | None, typer.Option("--advance", min=0, help="Seconds to move on.")] = None,
        real: Annotated[bool, typer.Option("--real", help="Back to real time.")] = False,
    ) -> None:
        """Read the world's clock, or freeze it, advance it, or return it to real time."""
        chosen = [
            b
            for b in (
                {"freeze": True} if freeze else None,
                {"real": True} if real else None,
                {"advance_seconds": advance} if advance is not None else None,
            )
            if b
        ]
        if len(chosen) > 1:
            raise typer.BadParameter("give at most one of --freeze, --advance, --real")
        target = _target(ctx)
        reading = target.call("POST", "/clock", chosen[0]) if chosen else target.call("GET", "/clock")
        console.print(f"{reading['now']}{' (frozen)' if reading['frozen'] else ''}")

    @faults.command("add")
    def faults_add(
        ctx: typer.Context,
        rule: Annotated[
            str, typer.Argument(help='The rule as JSON, e.g. {"action": "error", "status": 503}')
        ],
    ) -> None:
        """Add a fault rule; prints its id."""
        try:
            body = json.loads(rule)
        except ValueError as exc:
            raise typer.BadParameter(f"not JSON: {exc}") from None
        view = _target(ctx).call("POST", "/faults", body)
        console.print(view["id"])

    @faults.command("list")
    def faults_list(
        ctx: typer.Context,
    ) -> None:
        """List the fault rules with how often each matched and fired."""
        views = _target(ctx).call("GET", "/faults")
        table = Table("Id", "Rule", "Seen", "Fired")
        for v in views:
            rule = {k: x for k, x in v.items() if k not in ("id", "seen", "fired", "created")}
            table.add_row(v["id"], json.dumps(rule), str(v["seen"]), str(v["fired"]))
        console.print(table)

    @faults.command("remove")
    def faults_remove(
        ctx: typer.Context,
        fault_id: Annotated[str, typer.Argument(metavar="ID")],
    ) -> None:
        """Remove one fault rule."""
        _target(ctx).call("DELETE", f"/faults/{_quote(fault_id)}")
        console.print(f"Removed fault {fault_id}.")

    @faults.command("clear")
    def faults_clear(
        ctx: typer.Context,
    ) -> None:
        """Remove every fault rule."""
        _target(ctx).call("DELETE", "/faults")
        console.print("Removed every fault rule.")

    @tokens.command("create")
    def api_tokens_create(ctx: typer.Context, username: str) -> None:
        """Make an API token for USERNAME (the cloud sign-in flow); prints the token, shown only once."""
        made = _target(ctx).call("POST", "/api-tokens", {"username": username})
        typer.echo(made["token"])

    @tokens.command("list")
    def api_tokens_list(ctx: typer.Context) -> None:
        """List the API tokens (never their secrets)."""
        table = Table("Id", "User", "Created", "Expires", "Revoked")
        for t in _target(ctx).call("GET", "/api-tokens"):
            table.add_row(t["id"], t["username"], t["created"], t["expires"], str(t["revoked"]))
        console.print(table)

    @tokens.command("revoke")
    def api_tokens_revoke(ctx: typer.Context, token_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
        """Revoke one API token."""
        _target(ctx).call("DELETE", f"/api-tokens/{_quote(token_id)}")
        console.print(f"Revoked API token {token_id}.")

    @cli.command()
    def requests(
        ctx: typer.Context,
        follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new requests.")] = False,
        limit: Annotated[int, typer.Option(min=1, help="How many of the last requests to show first.")] = 20,
    ) -> None:
        """Show the last requests the server answered (secrets redacted), and with --follow the new ones."""
        target = _target(ctx)
        try:
            for entry in follow_log(target, limit, follow):
                console.print(_line(entry), highlight=False, soft_wrap=True)
        except KeyboardInterrupt:
            pass

    @cli.command()
    def routes(
        ctx: typer.Context,
    ) -> None:
        """Print every operation the server implements, per face, as METHOD /path lines; those
        that need no credential in the headers are marked anonymous."""
        listing = _target(ctx).call("GET", "/routes")
        anonymous = set(listing["anonymous"])
        for face, lines in listing["faces"].items():
            for line in lines:
                typer.echo(f"{face}\t{line}" + ("\tanonymous" if line in anonymous else ""))
        for pair in listing["vapi"]:
            typer.echo(f"vapi\t{pair['service']}.{pair['operation']}")


def load_with_progress(target: Target, scenario: bytes) -> dict[str, Any]:
    """POST a scenario asking for progress lines, and show them as a bar; the last line is the result."""
    columns = (TextColumn("Loading the world"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with (
        target.open("POST", "/scenario", scenario, "application/yaml", "application/x-ndjson") as response,
        Progress(*columns, console=err, transient=True) as bar,
    ):
        task = bar.add_task("load", total=None)
        last: dict[str, Any] = {}
        for raw in response:
            last = json.loads(raw)
            if "vms" in last and "status" not in last:
                bar.update(task, completed=last["vms"], total=last["total"])
    if "error" in last:
        _refused(400, json.dumps(last).encode())
    return last


def follow_log(target: Target, limit: int, follow: bool, every: float = 0.5) -> Iterator[dict[str, Any]]:
    page = target.call("GET", f"/requests?limit={limit}")
    yield from page["requests"]
    last = page["last"]
    while follow:
        time.sleep(every)
        page = target.call("GET", f"/requests?limit=1000&after={last}")
        yield from page["requests"]
        last = page["last"]


def _line(entry: dict[str, Any]) -> str:
    who = entry["principal"] or "-"
    fault = f"  fault {entry['fault']}" if entry["fault"] else ""
    return (
        f"{entry['time']}  {entry['face']:<12} {entry['status']:>3} {entry['method']:<6} {entry['path']}  "
        f"{who}  {entry['duration_ms']:.1f} ms{fault}"
    )


def _quote(text: str) -> str:
    return urllib.request.quote(text, safe="")
