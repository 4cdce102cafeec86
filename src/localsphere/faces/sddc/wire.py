"""SDDC Manager's JSON shapes: world objects rendered as the product writes them, request bodies
read and checked as the product reads them."""

from __future__ import annotations

from typing import Any

from localsphere.faces.http import InputError, parse_json
from localsphere.faces.http import iso_timestamp as timestamp
from localsphere.world.access import Grant, GrantRequest, RoleView
from localsphere.world.auth import LOCAL_ACCOUNT, LocalAccount
from localsphere.world.identity import GROUP, KINDS, PrincipalView
from localsphere.world.tokens import TokenPair

NO_DOMAIN = "Nil"


class WireError(Exception):
    """A body that parses but has the wrong shape or types; ``field`` names where."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def page(elements: list[Any]) -> dict[str, Any]:
    return {"elements": elements}


def user(grant: Grant) -> dict[str, Any]:
    p = grant.principal
    out: dict[str, Any] = {"id": grant.id, "name": p.upn, "domain": p.domain or NO_DOMAIN, "type": p.kind}
    if grant.api_key is not None:
        out["apiKey"] = grant.api_key
    out["role"] = {"id": grant.role_id}
    out["creationTimestamp"] = timestamp(grant.created_at)
    return out


def role(r: RoleView) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "description": r.description}


def entity(p: PrincipalView) -> dict[str, Any]:
    if p.kind == GROUP:  # as SDDC Manager lists groups: an escaped domain\\group id and no name
        return {"id": f"{p.domain}\\\\{p.name}", "name": "", "type": GROUP}
    return {"id": p.upn, "name": p.name, "type": p.kind}


def token_pair(pair: TokenPair) -> dict[str, Any]:
    return {"accessToken": pair.access_token, "refreshToken": {"id": pair.refresh_id}}


def local_user(account: LocalAccount) -> dict[str, Any]:
    out: dict[str, Any] = {"isConfigured": account.configured}
    if account.configured:
        out["id"] = account.principal.id
    out["name"] = LOCAL_ACCOUNT
    out["type"] = account.principal.kind
    out["role"] = {"id": account.role_id}
    if account.configured:
        out["creationTimestamp"] = timestamp(account.principal.created_at)
        if account.modified_at is not None:
            out["modificationTimestamp"] = timestamp(account.modified_at)
        out["isAccountLocked"] = account.locked
        out["isExpirationEnabled"] = account.expiry_enabled
        if account.expires_at is not None:
            out["passwordExpirationTimestamp"] = timestamp(account.expires_at)
    return out


def _text(obj: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise WireError(f"Field {where}{key} is required", f"{where}{key}")
        return None
    if not isinstance(value, str):
        raise WireError(f"Field {where}{key} must be a string", f"{where}{key}")
    if required and not value.strip():
        raise WireError(f"Field {where}{key} must not be empty", f"{where}{key}")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WireError(f"{where or 'Request body'} must be a JSON object", where or "body")
    return value


def grant_requests(body: Any) -> list[GrantRequest]:
    """The body of ``POST /v1/users``: a non-empty array of User."""
    if not isinstance(body, list):
        raise WireError("Request body must be a JSON array of users", "body")
    if not body:
        raise WireError("At least one user is required", "body")
    requests = []
    for i, raw in enumerate(body):
        where = f"[{i}]."
        item = _object(raw, f"[{i}]")
        kind = _text(item, "type", where)
        if kind not in KINDS:
            raise WireError(f"Field {where}type must be one of USER, GROUP, SERVICE", f"{where}type")
        role_ref = _object(item.get("role"), f"{where}role") if "role" in item else None
        if role_ref is None:
            raise WireError(f"Field {where}role is required", f"{where}role")
        requests.append(
            GrantRequest(
                kind=kind,
                name=_text(item, "name", where) or "",
                domain=_text(item, "domain", where, required=False),
                role_id=_text(role_ref, "id", f"{where}role.") or "",
            )
        )
    return requests


def token_spec(body: Any) -> tuple[str, str | None, str | None]:
    """The body of ``POST /v1/tokens``: username with a password or an API key."""
    spec = _object(body, "")
    username = _text(spec, "username", "") or ""
    password = _text(spec, "password", "", required=False)
    api_key = _text(spec, "apiKey", "", required=False)
    if password is None and api_key is None:
        raise WireError("Either password or apiKey is required", "password")
    return username, password, api_key


def password_info(body: Any) -> tuple[str, str | None]:
    spec = _object(body, "")
    return _text(spec, "newPassword", "") or "", _text(spec, "oldPassword", "", required=False)


def local_config(body: Any) -> bool | None:
    spec = _object(body, "")
    value = spec.get("enforceExpiryForAdmin")
    if value is not None and not isinstance(value, bool):
        raise WireError("Field enforceExpiryForAdmin must be a boolean", "enforceExpiryForAdmin")
    return value


def bare_string(body: bytes) -> str:
    """A refresh-token id as clients send it: a JSON string, or the raw id as plain text."""
    text = body.strip()
    if not text:
        raise InputError("empty", "Refresh token id is required")
    if text.startswith(b'"'):
        value = parse_json(text)
        if not isinstance(value, str) or not value:
            raise InputError("malformed", "Refresh token id must be a string")
        return value
    try:
        return text.decode()
    except UnicodeDecodeError:
        raise InputError("malformed", "Refresh token id must be text") from None
