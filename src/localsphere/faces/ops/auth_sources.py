"""The wire of Operations' directory auth sources (``auth-source`` with ``sourceType``
``OPEN_LDAP`` or ``ACTIVE_DIRECTORY``): its ``property`` name-values read into the settings of an
identity store, and a store shown as such a source.

The properties are the product's (its spec's examples, /work/shared/reference/specs): ``host``,
``port``, ``use-ssl``, ``user-name`` (the bind DN), ``password``, ``base-domain`` (where users and
groups are looked for), ``domain`` and ``display-name``. The password is taken, never shown: the
spec's examples echo it, but a secret is never given back, so an answer leaves that property out
and an update without it keeps the one kept. Without ``domain``, the source's domain is that of
the base DN's ``dc`` parts (``dc=example,dc=com`` -> ``example.com``). Properties the world does
not use (search criteria, member attributes, ``host-auto-select``) are accepted and not kept.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ldap3.core.exceptions import LDAPInvalidDnError
from ldap3.utils.dn import parse_dn

from localsphere.faces.ops.wire import OpsError
from localsphere.world import directory
from localsphere.world.identity_stores import StoreSpec, StoreView

OPEN_LDAP, ACTIVE_DIRECTORY = "OPEN_LDAP", "ACTIVE_DIRECTORY"
DIRECTORY_TYPES = {OPEN_LDAP: directory.LDAP, ACTIVE_DIRECTORY: directory.AD}
SHOWN_TYPES = {
    directory.LDAP: OPEN_LDAP,
    directory.AD: ACTIVE_DIRECTORY,
    directory.NATIVE_AD: ACTIVE_DIRECTORY,
}
SIGN_IN_NAMES = {directory.LDAP: "uid", directory.AD: "sAMAccountName", directory.NATIVE_AD: "sAMAccountName"}
PASSWORD = "password"


def source_type(body: dict[str, Any]) -> str:
    """The ``sourceType`` id of an ``auth-source``: OPEN_LDAP or ACTIVE_DIRECTORY. OpsError 400
    without one, or for a kind of source the world does not simulate."""
    kind = body.get("sourceType")
    wanted = kind.get("id") or kind.get("name") if isinstance(kind, dict) else None
    if not isinstance(wanted, str) or not wanted:
        raise OpsError(400, "sourceType with its id is required")
    if wanted.upper() not in DIRECTORY_TYPES:
        raise OpsError(
            400,
            f"Auth sources of type {wanted} are not simulated: only OPEN_LDAP and ACTIVE_DIRECTORY "
            "sources can be added (the LOCAL and VC sources are the SSO domains)",
        )
    return wanted.upper()


def properties(body: dict[str, Any]) -> dict[str, str]:
    """The ``property`` name-values of an ``auth-source`` by lower-cased name (a null value is
    empty). OpsError 400 for any that is not a name with a string value."""
    found: dict[str, str] = {}
    items = body.get("property") or []
    for item in items if isinstance(items, list) else [items]:
        name = item.get("name") if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(name, str) or not (value is None or isinstance(value, str)):
            raise OpsError(400, "Every property must be a name with a string value")
        found[name.lower()] = value or ""
    return found


def _domain(given: dict[str, str], base: str) -> str:
    if given.get("domain", "").strip():
        return given["domain"].strip()
    try:
        parts = [value for key, value, _ in parse_dn(base) if key.lower() == "dc"]
    except LDAPInvalidDnError:
        parts = []
    if not parts:
        raise OpsError(400, "domain is required: the base-domain names no dc= parts to take it from")
    return ".".join(parts)


def store_settings(body: dict[str, Any], name: str, kind: str) -> tuple[str, StoreSpec]:
    """(domain, the identity store's settings) of an LDAP or AD ``auth-source``; the password is
    None when it is not given (or empty). OpsError 400 for a missing or malformed property."""
    given = properties(body)
    for required in ("host", "user-name", "base-domain"):
        if not given.get(required, "").strip():
            raise OpsError(400, f"The property {required} is required")
    use_ssl = given.get("use-ssl", "false").strip().lower()
    if use_ssl not in ("true", "false"):
        raise OpsError(400, "use-ssl must be true or false")
    port_text = given.get("port", "").strip() or ("636" if use_ssl == "true" else "389")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise OpsError(400, "port must be a number from 1 to 65535")
    host = given["host"].strip()
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    base = given["base-domain"].strip()
    spec = StoreSpec(
        name=name,
        type=DIRECTORY_TYPES[kind],
        url=f"{'ldaps' if use_ssl == 'true' else 'ldap'}://{host}:{int(port_text)}",
        user_name_dn=given["user-name"].strip(),
        password=given.get(PASSWORD) or None,
        user_base_dn=base,
        group_base_dn=base,
        alias=given.get("display-name", "").strip() or None,
    )
    return _domain(given, base), spec


def source_properties(store: StoreView) -> list[dict[str, str]]:
    """The ``property`` name-values of a store shown as a source: never its password."""
    parts = urlsplit(store.url)
    use_ssl = parts.scheme.lower() == "ldaps"
    values = {
        "display-name": store.alias or store.name,
        "host": parts.hostname or "",
        "domain": store.domain,
        "use-ssl": "true" if use_ssl else "false",
        "user-name": store.user_name_dn,
        "base-domain": store.user_base_dn,
        "common-name": SIGN_IN_NAMES[store.type],
        "port": str(parts.port or (636 if use_ssl else 389)),
    }
    return [{"name": k, "value": v} for k, v in values.items()]
