"""The world's LDAP client: identity stores (OpenLDAP-style LDAP, Active Directory) linked to tenants.

Every public function opens a new connection, binds as the service account (``bind_dn``), does
its work and unbinds: no pooling, no cached entries, so a password is always checked by the
directory itself (a bind as the user's DN), never against a copy. Timeouts: ~3 s to connect,
~10 s for any answer; searches carry size and time limits.

Kinds and what they read:

- ``LDAP``: users are ``inetOrgPerson``/``person`` entries named by ``uid``; groups are
  ``groupOfNames``, ``groupOfUniqueNames`` (member DNs from ``member``/``uniqueMember``) or
  ``posixGroup`` (``memberUid`` values, kept as the bare user names they are).
- ``AD``/``NATIVE_AD``: users are ``user`` entries (computers excluded) named by
  ``sAMAccountName``, disabled when ``userAccountControl`` has the ACCOUNTDISABLE bit (2);
  groups are ``group`` entries with ``member`` DNs.

``ldaps://`` validates the server certificate against the system CAs and checks its host name.
Every user-supplied value in a filter is escaped (RFC 4515); a value with a NUL matches nothing
(slapd cuts an escaped NUL short in some substring matches). An empty password is refused before
any bind: an LDAP "unauthenticated bind" (a DN with an empty password) succeeds on many servers.

Errors: ``DirectoryError`` (an ``Invalid``) with one of the reasons below; its message is plain
English and never contains a password.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

import ldap3
from ldap3.core import exceptions as lx
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import safe_dn

from localsphere.world.errors import Invalid

LDAP, AD, NATIVE_AD = "LDAP", "AD", "NATIVE_AD"
KINDS = (LDAP, AD, NATIVE_AD)

UNREACHABLE = "directory.unreachable"
BIND_DN = "directory.bind_dn"
CREDENTIALS = "directory.credentials"
BASE_DN = "directory.base_dn"
URL = "directory.url"

CONNECT_TIMEOUT = 3  # seconds to open the TCP (and TLS) connection
RECEIVE_TIMEOUT = 10  # seconds to wait for any answer
TIME_LIMIT = 10  # seconds the server may spend on one search
MAX_MEMBERS = 1000  # members() reads at most this many member values of a group
ACCOUNT_DISABLE = 0x2  # AD userAccountControl ACCOUNTDISABLE

# LDAP result codes (RFC 4511) this module tells apart
SUCCESS, SIZE_LIMIT_EXCEEDED, NO_SUCH_OBJECT, INVALID_DN_SYNTAX, INVALID_CREDENTIALS = 0, 4, 32, 34, 49
BUSY, UNAVAILABLE = 51, 52
UNIQUE_MEMBER_UID = re.compile(r"#'[01]*'B$")  # uniqueMember's optional "#'0101'B" suffix

# What a failed bind or search raises when the directory cannot be talked to: refused, timed out,
# DNS, TLS, or an answer that is not LDAP at all (ldap3's decoder then fails with KeyError,
# IndexError, UnicodeError...). Any of them means the same to a caller: unreachable.
COMMUNICATION_ERRORS = (Exception,)


class DirectoryError(Invalid):
    """The directory cannot be used with these settings; ``reason`` is one of
    ``directory.unreachable``, ``directory.bind_dn``, ``directory.credentials``,
    ``directory.base_dn``, ``directory.url``."""


@dataclass(frozen=True)
class DirectoryConfig:
    """How to reach and read one directory (vRA's identity store settings).

    ``kind``: LDAP | AD | NATIVE_AD (ValueError otherwise: the caller validates it first);
    ``url``: ``ldap://host[:port]`` or ``ldaps://host[:port]``; ``bind_dn``/``password``: the
    service account (vRA's userNameDn); ``user_base``/``group_base``: where users and groups live.
    """

    kind: str
    url: str
    bind_dn: str
    password: str = field(repr=False)
    user_base: str
    group_base: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"directory kind must be one of {', '.join(KINDS)}, not {self.kind!r}")


@dataclass(frozen=True)
class DirectoryUser:
    """A user entry: ``name`` is its sign-in name (``uid``; AD: ``sAMAccountName``)."""

    name: str
    dn: str
    first_name: str | None
    last_name: str | None
    email: str | None
    description: str | None
    disabled: bool  # AD: userAccountControl ACCOUNTDISABLE; LDAP: always False


@dataclass(frozen=True)
class DirectoryGroup:
    """A group entry: ``members`` are member DNs (``member``/``uniqueMember``) and, for a
    ``posixGroup``, the bare user names of its ``memberUid`` values, as stored."""

    name: str
    dn: str
    description: str | None
    members: tuple[str, ...]


@dataclass(frozen=True)
class _Schema:
    """Where a kind of directory keeps names and what its users and groups look like."""

    name: str  # the sign-in name attribute
    users: str  # filter matching user entries
    groups: str  # filter matching group entries
    group_classes: frozenset[str]  # lower-cased objectClass values that make an entry a group
    user_attributes: tuple[str, ...]


_GROUP_ATTRIBUTES = ("cn", "description", "member", "uniqueMember", "memberUid", "objectClass")
_LDAP = _Schema(
    name="uid",
    users="(|(objectClass=inetOrgPerson)(objectClass=person))",
    groups="(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))",
    group_classes=frozenset({"groupofnames", "groupofuniquenames", "posixgroup"}),
    user_attributes=("uid", "givenName", "sn", "mail", "description", "objectClass"),
)
_AD = _Schema(
    name="sAMAccountName",
    users="(&(objectClass=user)(!(objectClass=computer)))",
    groups="(objectClass=group)",
    group_classes=frozenset({"group"}),
    user_attributes=(
        "sAMAccountName",
        "givenName",
        "sn",
        "mail",
        "description",
        "userAccountControl",
        "objectClass",
    ),
)


def _schema(config: DirectoryConfig) -> _Schema:
    return _LDAP if config.kind == LDAP else _AD


# --- connections -------------------------------------------------------------------------------


def _server(url: str) -> ldap3.Server:
    """An ldap3 Server for ``ldap://host[:port]`` or ``ldaps://host[:port]``; DirectoryError(url).

    A URL with ``@`` is not quoted back: it may carry ``user:password@``.
    """
    shown = "one with user information" if "@" in url else repr(url)
    bad = DirectoryError(
        URL, f"the directory URL must be ldap://host[:port] or ldaps://host[:port], not {shown}", shown
    )
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise bad from None
    scheme = parts.scheme.lower()
    if (
        scheme not in ("ldap", "ldaps")
        or not parts.hostname
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise bad
    host, tls = parts.hostname, None
    if scheme == "ldaps":
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, sni=None if _is_ip(host) else host)
    try:
        return ldap3.Server(
            host,
            port=port or (636 if scheme == "ldaps" else 389),
            use_ssl=scheme == "ldaps",
            tls=tls,
            get_info=ldap3.NONE,
            connect_timeout=CONNECT_TIMEOUT,
        )
    except Exception:  # a host ldap3 cannot take (a scoped IPv6 address...)
        raise bad from None


def _is_ip(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


def _connection(server: ldap3.Server, dn: str, password: str) -> ldap3.Connection:
    # Never repr/str a Connection: ldap3 puts the password in its repr.
    return ldap3.Connection(
        server,
        user=dn,
        password=password,
        authentication=ldap3.SIMPLE,
        receive_timeout=RECEIVE_TIMEOUT,
        read_only=True,
        raise_exceptions=False,
        auto_referrals=False,
    )


def _unreachable(config: DirectoryConfig) -> DirectoryError:
    """Unreachable, in plain words: never the library's exception, which may say too much."""
    message = "cannot connect to the directory, or it does not answer LDAP"  # no address: who asks
    return DirectoryError(UNREACHABLE, message, config.url)  # may not be the one who linked it


def _check_bind_dn(dn: str) -> None:
    try:
        safe_dn(dn)  # also lets through AD's user@domain and DOMAIN\user forms
    except lx.LDAPInvalidDnError:
        raise DirectoryError(BIND_DN, f"the bind DN {dn!r} is not a valid distinguished name", dn) from None


@contextmanager
def _service(config: DirectoryConfig) -> Iterator[ldap3.Connection]:
    """A connection bound as the service account, unbound on exit.

    Raises DirectoryError: url, bind_dn, credentials (also for an empty password), unreachable.
    """
    server = _server(config.url)
    _check_bind_dn(config.bind_dn)
    if not config.password:
        raise DirectoryError(
            CREDENTIALS, f"a password is required to bind as {config.bind_dn!r}", config.bind_dn
        )
    conn = _connection(server, config.bind_dn, config.password)
    try:
        try:
            bound = conn.bind()
        except COMMUNICATION_ERRORS:
            raise _unreachable(config) from None
        if not bound:
            raise _bind_refused(config, conn.result or {})
        yield conn
    finally:
        with suppress(Exception):
            conn.unbind()


def _bind_refused(config: DirectoryConfig, result: dict[str, Any]) -> DirectoryError:
    code, text = result.get("result"), result.get("description") or "refused"
    dn = config.bind_dn
    if code == INVALID_DN_SYNTAX:
        return DirectoryError(BIND_DN, f"the directory says the bind DN {dn!r} is not a valid DN", dn)
    if code in (BUSY, UNAVAILABLE):
        return DirectoryError(UNREACHABLE, f"the directory at {config.url} is {text}", config.url)
    if code == INVALID_CREDENTIALS:
        message = (
            f"the directory refused the bind as {dn!r}: wrong password, or no such DN "
            "(LDAP does not tell the two apart)"
        )
    else:
        message = f"the directory refused the bind as {dn!r}: {text}"
    return DirectoryError(CREDENTIALS, message, dn)


# --- searches ----------------------------------------------------------------------------------


def _search(
    config: DirectoryConfig,
    conn: ldap3.Connection,
    base: str,
    which: str,
    search_filter: str,
    attributes: tuple[str, ...],
    *,
    scope: str = ldap3.SUBTREE,
    limit: int = 0,
) -> list[dict[str, Any]]:
    """The entries (``{"dn": ..., "attributes": {...}}``) found; ``which`` names the base in errors
    ("user base", "group base" or "member").

    Raises DirectoryError: base_dn when ``base`` is not a valid DN or does not exist, unreachable
    when the directory fails or refuses the search.
    """
    if not base.strip():
        raise DirectoryError(BASE_DN, f"the {which} DN must not be empty", which, base)
    try:
        conn.search(
            base,
            search_filter,
            search_scope=scope,
            attributes=list(attributes),
            size_limit=limit,
            time_limit=TIME_LIMIT,
        )
    except lx.LDAPInvalidDnError:
        raise DirectoryError(BASE_DN, f"the {which} DN {base!r} is not a valid DN", which, base) from None
    except COMMUNICATION_ERRORS:
        raise _unreachable(config) from None
    code = (conn.result or {}).get("result")
    if code in (NO_SUCH_OBJECT, INVALID_DN_SYNTAX):
        problem = "does not exist" if code == NO_SUCH_OBJECT else "is not a valid DN"
        raise DirectoryError(BASE_DN, f"the {which} DN {base!r} {problem}", which, base)
    if code not in (SUCCESS, SIZE_LIMIT_EXCEEDED):
        text = (conn.result or {}).get("description") or code
        raise DirectoryError(
            UNREACHABLE, f"the directory at {config.url} refused a search: {text}", config.url
        )
    return [e for e in conn.response or [] if e.get("type") == "searchResEntry"]


def _values(entry: dict[str, Any], name: str) -> list[str]:
    value = entry.get("attributes", {}).get(name)
    if value is None or value == []:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _first(entry: dict[str, Any], name: str) -> str | None:
    values = _values(entry, name)
    return values[0] if values else None


def _user(schema: _Schema, entry: dict[str, Any]) -> DirectoryUser | None:
    name = _first(entry, schema.name)
    if name is None:
        return None  # an entry without a sign-in name cannot be a user here
    control = _first(entry, "userAccountControl")
    try:
        disabled = schema is _AD and control is not None and bool(int(control) & ACCOUNT_DISABLE)
    except ValueError:
        disabled = False
    return DirectoryUser(
        name=name,
        dn=entry["dn"],
        first_name=_first(entry, "givenName"),
        last_name=_first(entry, "sn"),
        email=_first(entry, "mail"),
        description=_first(entry, "description"),
        disabled=disabled,
    )


def _group(entry: dict[str, Any]) -> DirectoryGroup | None:
    name = _first(entry, "cn")
    if name is None:
        return None
    members = [
        *_values(entry, "member"),
        *(UNIQUE_MEMBER_UID.sub("", v) for v in _values(entry, "uniqueMember")),
    ]
    return DirectoryGroup(
        name=name,
        dn=entry["dn"],
        description=_first(entry, "description"),
        members=tuple(members + _values(entry, "memberUid")),
    )


def _is_group(schema: _Schema, entry: dict[str, Any]) -> bool:
    return any(c.lower() in schema.group_classes for c in _values(entry, "objectClass"))


def _user_named(config: DirectoryConfig, conn: ldap3.Connection, name: str) -> DirectoryUser | None:
    """The one user whose sign-in name is ``name`` (None when none, or more than one, match)."""
    if not name or "\x00" in name:
        return None
    schema = _schema(config)
    found = _search(
        config,
        conn,
        config.user_base,
        "user base",
        f"(&{schema.users}({schema.name}={escape_filter_chars(name)}))",
        schema.user_attributes,
        limit=2,
    )
    return _user(schema, found[0]) if len(found) == 1 else None


# --- the interface -----------------------------------------------------------------------------


def check(config: DirectoryConfig) -> None:
    """Connect, bind as the service account and check that both base DNs exist.

    Raises DirectoryError: url, bind_dn, credentials, unreachable, base_dn (naming which base).
    """
    with _service(config) as conn:
        for which, base in (("user base", config.user_base), ("group base", config.group_base)):
            _search(config, conn, base, which, "(objectClass=*)", (ldap3.NO_ATTRIBUTES,), scope=ldap3.BASE)


def authenticate(config: DirectoryConfig, name: str, password: str) -> DirectoryUser | None:
    """The user named ``name`` when ``password`` is theirs, checked by binding as the user's DN.

    None when there is no such user (or the name is ambiguous), the password is empty, or the
    directory refuses the user's bind (wrong password, AD-disabled account, ...).
    Raises DirectoryError only when the service account cannot connect, bind or search.
    """
    with _service(config) as conn:
        user = _user_named(config, conn, name)
        server = conn.server
    if user is None or not password:
        return None
    as_user = _connection(server, user.dn, password)
    try:
        bound = as_user.bind()
    except COMMUNICATION_ERRORS:
        raise _unreachable(config) from None
    finally:
        with suppress(Exception):
            as_user.unbind()
    return user if bound else None


def find_user(config: DirectoryConfig, name: str) -> DirectoryUser | None:
    """The user whose sign-in name is ``name`` under the user base (None when none or ambiguous).

    Raises DirectoryError as ``check`` does.
    """
    with _service(config) as conn:
        return _user_named(config, conn, name)


def find_group(config: DirectoryConfig, name: str) -> DirectoryGroup | None:
    """The group whose cn is ``name`` under the group base (None when none or ambiguous).

    Raises DirectoryError as ``check`` does.
    """
    if not name or "\x00" in name:
        return None
    schema = _schema(config)
    with _service(config) as conn:
        found = _search(
            config,
            conn,
            config.group_base,
            "group base",
            f"(&{schema.groups}(cn={escape_filter_chars(name)}))",
            _GROUP_ATTRIBUTES,
            limit=2,
        )
    return _group(found[0]) if len(found) == 1 else None


def search(
    config: DirectoryConfig, text: str, limit: int
) -> tuple[list[DirectoryUser], list[DirectoryGroup]]:
    """Users whose sign-in name, cn, givenName, sn or mail contains ``text``, and groups whose cn
    does (case as the directory compares it, usually insensitive); at most ``limit`` of each,
    sorted by name. An empty ``text`` matches everything, one with a NUL nothing.

    Raises DirectoryError as ``check`` does.
    """
    if limit <= 0 or "\x00" in text:
        return [], []
    schema = _schema(config)
    pattern = f"*{escape_filter_chars(text)}*" if text else "*"
    any_name = "".join(f"({a}={pattern})" for a in (schema.name, "cn", "givenName", "sn", "mail"))
    with _service(config) as conn:
        user_entries = _search(
            config,
            conn,
            config.user_base,
            "user base",
            f"(&{schema.users}(|{any_name}))",
            schema.user_attributes,
            limit=limit,
        )
        group_entries = _search(
            config,
            conn,
            config.group_base,
            "group base",
            f"(&{schema.groups}(cn={pattern}))",
            _GROUP_ATTRIBUTES,
            limit=limit,
        )
    users = [u for u in (_user(schema, e) for e in user_entries) if u]
    groups = [g for g in (_group(e) for e in group_entries) if g]
    return sorted(users, key=lambda u: u.name.lower()), sorted(groups, key=lambda g: g.name.lower())


def members(
    config: DirectoryConfig, group: DirectoryGroup
) -> tuple[list[DirectoryUser], list[DirectoryGroup]]:
    """The group's direct members: users and groups, each read from its DN (anywhere in the
    directory); ``memberUid`` names are looked up as user names under the user base. Members that
    no longer exist, cannot be read or are neither users nor groups are left out; at most
    MAX_MEMBERS values are read. Sorted by name.

    Raises DirectoryError as ``check`` does.
    """
    schema = _schema(config)
    users: dict[str, DirectoryUser] = {}
    groups: dict[str, DirectoryGroup] = {}
    either = f"(|{schema.users}{schema.groups})"
    attributes = tuple(dict.fromkeys(schema.user_attributes + _GROUP_ATTRIBUTES))
    with _service(config) as conn:
        for value in group.members[:MAX_MEMBERS]:
            if not _is_dn(value):
                user = _user_named(config, conn, value)
                if user:
                    users[user.dn] = user
                continue
            try:
                found = _search(config, conn, value, "member", either, attributes, scope=ldap3.BASE)
            except DirectoryError as exc:
                if exc.reason == BASE_DN:
                    continue  # a dangling or unreadable member
                raise
            for entry in found:
                if _is_group(schema, entry):
                    if sub := _group(entry):
                        groups[sub.dn] = sub
                elif user := _user(schema, entry):
                    users[user.dn] = user
    return (
        sorted(users.values(), key=lambda u: u.name.lower()),
        sorted(groups.values(), key=lambda g: g.name.lower()),
    )


def groups_of(
    config: DirectoryConfig, entry: DirectoryUser | DirectoryGroup, limit: int = MAX_MEMBERS
) -> list[DirectoryGroup]:
    """The groups under the group base that hold a user or group directly: by its DN
    (``member``, ``uniqueMember``) or, for ``posixGroup``, by its name (``memberUid``); at most
    ``limit``, sorted by name.

    Raises DirectoryError as ``check`` does.
    """
    schema = _schema(config)
    dn, name = escape_filter_chars(entry.dn), escape_filter_chars(entry.name)
    holding = f"(|(member={dn})(uniqueMember={dn})(memberUid={name}))"
    with _service(config) as conn:
        found = _search(
            config,
            conn,
            config.group_base,
            "group base",
            f"(&{schema.groups}{holding})",
            _GROUP_ATTRIBUTES,
            limit=limit,
        )
    groups = [g for g in (_group(e) for e in found) if g]
    return sorted(groups, key=lambda g: g.name.lower())


def _is_dn(value: str) -> bool:
    try:
        safe_dn(value)
    except lx.LDAPInvalidDnError:
        return False
    return "=" in value
