"""A real OpenLDAP ``slapd`` for the tests: a throw-away directory on a free loopback port.

``running_slapd(parent)`` writes an old-style ``slapd.conf`` (the ``-f`` form, still supported by
OpenLDAP 2.5/2.6, simpler than building a cn=config tree) into a new temporary directory under
``parent``, loads the tree below with ``slapadd`` while slapd is still stopped (so no rootdn or
root password is needed), starts ``slapd -d none`` in the foreground (any ``-d`` keeps it from
forking; ``none`` still prints errors, ``0`` would not) on ``ldap://127.0.0.1:PORT/``, waits
until the bind account can bind, and at the end stops slapd and removes the directory. It runs
as whatever user runs the tests: everything slapd touches (config, mdb database, pid and args
files) lives in the temporary directory, so root needs no ``-u`` and a normal user needs no
privileges.

Debian quirks: the binaries are in ``/usr/sbin`` (often not on a normal user's PATH), the mdb
backend is a module (``/usr/lib/ldap/back_mdb.so``) that must be loaded with ``moduleload``, and
the schema files are in ``/etc/ldap/schema``. Other layouts (``/etc/openldap/schema``,
``/usr/lib*/openldap``, mdb built in) are looked for too. Ubuntu's AppArmor profile for slapd may
refuse a configuration outside ``/etc/ldap``; Debian ships none.

The tree (``BASE`` = dc=example,dc=mycompany,dc=com)::

    ou=demo      cn=demoadmin (the bind account), uid=tony, uid=maria, uid=lee   (inetOrgPerson)
    ou=groups    cn=developers (groupOfNames: tony, maria)
                 cn=ops        (groupOfNames: lee and the group developers)
                 cn=staff      (posixGroup, memberUid: tony, lee)

Access: any bound user may read everything but passwords; anonymous may only bind (auth).
Passwords are random per run, hashed with ``slappasswd -h {SSHA}`` (read from a 0600 file, never
from the command line).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ldap3

BASE = "dc=example,dc=mycompany,dc=com"
USER_BASE = f"ou=demo,{BASE}"
GROUP_BASE = f"ou=groups,{BASE}"
ADMIN_DN = f"cn=demoadmin,{USER_BASE}"
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/sbin"])
SCHEMA_DIRS = ("/etc/ldap/schema", "/etc/openldap/schema", "/usr/local/etc/openldap/schema")
MODULE_DIRS = ("/usr/lib/ldap", "/usr/lib64/openldap", "/usr/lib/openldap", "/usr/libexec/openldap")
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
START_SECONDS = 10

# uid -> (givenName, sn, description)
PEOPLE = {
    "tony": ("Tony", "Stark", "Developer"),
    "maria": ("Maria", "Hill", "Developer"),
    "lee": ("Lee", "Adama", "Operator"),
}
# cn -> (member uids, member group cns)
GROUPS = {
    "developers": (("tony", "maria"), ()),
    "ops": (("lee",), ("developers",)),
}
POSIX_GROUPS = {"staff": ("tony", "lee")}


@dataclass(frozen=True)
class LdapServer:
    """One running slapd and what the tests need to know about its tree.

    ``users``: uid -> password (``demoadmin`` included); ``groups``: cn -> member uids (users only,
    for groupOfNames and posixGroup alike); ``subgroups``: cn -> cns of the groups that are direct
    members (``ops`` -> ``developers``).
    """

    url: str
    base: str
    admin_dn: str
    admin_password: str = field(repr=False)
    user_base: str
    group_base: str
    users: dict[str, str] = field(repr=False)
    groups: dict[str, tuple[str, ...]]
    subgroups: dict[str, tuple[str, ...]]

    def user_dn(self, uid: str) -> str:
        """The DN of user ``uid`` (the bind account's RDN is cn, the others' uid)."""
        return self.admin_dn if uid == "demoadmin" else f"uid={uid},{self.user_base}"

    def group_dn(self, cn: str) -> str:
        return f"cn={cn},{self.group_base}"


def _tool(name: str) -> str | None:
    return shutil.which(name, path=SBIN_PATH)


def _schema_dir() -> Path | None:
    for d in SCHEMA_DIRS:
        if all((Path(d) / f"{s}.schema").is_file() for s in SCHEMAS):
            return Path(d)
    return None


def slapd_available() -> bool:
    """True when slapd, slapadd, slappasswd and the schema files this helper needs are installed."""
    return all(_tool(t) for t in ("slapd", "slapadd", "slappasswd")) and _schema_dir() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hash(workdir: Path, password: str) -> str:
    """``{SSHA}...`` for ``password``, via slappasswd reading a 0600 file."""
    secret = workdir / "secret"
    fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password)
    try:
        out = subprocess.run(
            [_tool("slappasswd") or "slappasswd", "-n", "-h", "{SSHA}", "-T", str(secret)],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        secret.unlink()
    return out.stdout.strip()


def _config(workdir: Path) -> str:
    schema = _schema_dir()
    includes = "\n".join(f"include {schema}/{s}.schema" for s in SCHEMAS)
    modules = ""
    for d in MODULE_DIRS:
        if (Path(d) / "back_mdb.so").exists() or (Path(d) / "back_mdb.la").exists():
            modules = f"modulepath {d}\nmoduleload back_mdb\n"
            break
    return f"""{includes}
pidfile {workdir}/slapd.pid
argsfile {workdir}/slapd.args
{modules}
database mdb
maxsize 33554432
suffix "{BASE}"
directory {workdir}/data
access to attrs=userPassword
    by anonymous auth
    by * none
access to *
    by users read
    by * none
"""


def _tree(workdir: Path, users: dict[str, str]) -> str:
    """The LDIF of the whole tree, passwords hashed."""
    entries = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: My Company",
        f"dn: {USER_BASE}\nobjectClass: organizationalUnit\nou: demo",
        f"dn: {GROUP_BASE}\nobjectClass: organizationalUnit\nou: groups",
        f"dn: {ADMIN_DN}\nobjectClass: inetOrgPerson\ncn: demoadmin\nsn: Admin\nuid: demoadmin\n"
        f"description: The bind account\nuserPassword: {_hash(workdir, users['demoadmin'])}",
    ]
    for uid, (given, sn, description) in PEOPLE.items():
        entries.append(
            f"dn: uid={uid},{USER_BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {given} {sn}\n"
            f"givenName: {given}\nsn: {sn}\nmail: {uid}@example.mycompany.com\n"
            f"description: {description}\nuserPassword: {_hash(workdir, users[uid])}"
        )
    for cn, (uids, cns) in GROUPS.items():
        members = [f"uid={u},{USER_BASE}" for u in uids] + [f"cn={g},{GROUP_BASE}" for g in cns]
        entries.append(
            f"dn: cn={cn},{GROUP_BASE}\nobjectClass: groupOfNames\ncn: {cn}\ndescription: The {cn}\n"
            + "\n".join(f"member: {m}" for m in members)
        )
    for gid, (cn, uids) in enumerate(POSIX_GROUPS.items(), start=5000):
        entries.append(
            f"dn: cn={cn},{GROUP_BASE}\nobjectClass: posixGroup\ncn: {cn}\ngidNumber: {gid}\n"
            + "\n".join(f"memberUid: {u}" for u in uids)
        )
    return "\n\n".join(entries) + "\n"


def _answers(url: str, password: str) -> bool:
    try:
        server = ldap3.Server(url, connect_timeout=1, get_info=ldap3.NONE)
        with ldap3.Connection(server, ADMIN_DN, password, receive_timeout=2) as conn:
            return conn.bind()
    except ldap3.core.exceptions.LDAPException:
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def running_slapd(directory: Path) -> Iterator[LdapServer]:
    """A started slapd with the tree above; stopped and its files removed on exit.

    Raises RuntimeError (with slapd's own output) when slapadd fails or slapd does not answer
    within ~10 s; FileNotFoundError when slapd is not installed (check ``slapd_available()``).
    """
    if not slapd_available():
        raise FileNotFoundError("slapd, slapadd, slappasswd or the OpenLDAP schema files are missing")
    workdir = Path(tempfile.mkdtemp(prefix="slapd-", dir=directory))
    try:
        users = {uid: secrets.token_urlsafe(12) for uid in ("demoadmin", *PEOPLE)}
        (workdir / "data").mkdir()
        conf = workdir / "slapd.conf"
        conf.write_text(_config(workdir))
        (workdir / "tree.ldif").write_text(_tree(workdir, users))
        added = subprocess.run(
            [
                _tool("slapadd") or "slapadd",
                "-q",
                "-f",
                str(conf),
                "-b",
                BASE,
                "-l",
                str(workdir / "tree.ldif"),
            ],
            capture_output=True,
            text=True,
        )
        if added.returncode != 0:
            raise RuntimeError(f"slapadd failed ({added.returncode}):\n{added.stdout}{added.stderr}")
        proc, url = _start(workdir, conf, users["demoadmin"])
        try:
            yield LdapServer(
                url=url,
                base=BASE,
                admin_dn=ADMIN_DN,
                admin_password=users["demoadmin"],
                user_base=USER_BASE,
                group_base=GROUP_BASE,
                users=users,
                groups={**{cn: uids for cn, (uids, _) in GROUPS.items()}, **POSIX_GROUPS},
                subgroups={cn: cns for cn, (_, cns) in GROUPS.items()},
            )
        finally:
            _stop(proc)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _start(workdir: Path, conf: Path, admin_password: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start slapd on a free port (three tries: the port may be taken meanwhile); wait until it answers."""
    log_path = workdir / "slapd.log"
    for _ in range(3):
        url = f"ldap://127.0.0.1:{_free_port()}"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [_tool("slapd") or "slapd", "-d", "none", "-f", str(conf), "-h", f"{url}/"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and proc.poll() is None:
            if _answers(url, admin_password):
                return proc, url
            time.sleep(0.1)
        exited = proc.poll()
        _stop(proc)
        output = log_path.read_text(errors="replace")
        if "Address already in use" not in output:
            break
    what = f"exited with code {exited}" if exited is not None else f"did not answer within {START_SECONDS} s"
    raise RuntimeError(f"slapd {what}; its output:\n{output[-4000:]}")
