"""vRA's JSON shapes (key order as the product writes them) and readers of its request bodies.
Sources: the vRA 6.2 Programming Guide's examples (Tenant, the paged list, IdentityStore, User,
SystemRole, the token) and vRA 7 captures in public clients (Subtenant, Group)."""

from __future__ import annotations

from typing import Any

from localsphere.faces.http import iso_timestamp
from localsphere.faces.vra.errors import WireError
from localsphere.world.business_groups import GroupSpec, GroupView
from localsphere.world.identity import GROUP
from localsphere.world.identity_stores import StoreSpec, StoreView
from localsphere.world.tenant_principals import PrincipalInfo
from localsphere.world.tenant_roles import BY_ID, GROUP_ROLES, PERMISSIONS, RoleDef
from localsphere.world.tenant_tokens import Issued
from localsphere.world.tenants import TenantSpec, TenantView

Json = dict[str, Any]


def token(issued: Issued) -> Json:
    return {"expires": iso_timestamp(issued.expires_at), "id": issued.token, "tenant": issued.tenant}


def tenant(view: TenantView) -> Json:
    return {
        "@type": "Tenant",
        "id": view.name,
        "urlName": view.name,
        "name": view.full_name,
        "description": view.description or None,
        "contactEmail": view.contact_email,
        "password": None,  # vRA's "unused" field: never echoed
        "defaultTenant": view.is_default,
    }


def identity_store(view: StoreView) -> Json:
    return {
        "@type": "IdentityStore",
        "domain": view.domain,
        "name": view.name,
        "description": view.description,
        "alias": view.alias,
        "type": view.type,
        "userNameDn": view.user_name_dn,
        "password": None,
        "url": view.url,
        "groupBaseSearchDn": view.group_base_dn,
        "userBaseSearchDn": view.user_base_dn,
    }


def principal_id(name: str, domain: str) -> Json:
    return {"domain": domain, "name": name}


def principal(info: PrincipalInfo, tenant_name: str) -> Json:
    """A User, or a Group (``groupType`` SSO: every group comes from a directory or SSO)."""
    if info.kind == GROUP:
        return {
            "@type": "Group",
            "groupType": "SSO",
            "name": info.name,
            "fqdn": info.principal_id,
            "domain": info.domain,
            "description": info.description,
            "principalId": principal_id(info.name, info.domain),
        }
    shown = " ".join(p for p in (info.first_name, info.last_name) if p) or info.name
    return {
        "@type": "User",
        "firstName": info.first_name,
        "lastName": info.last_name,
        "description": info.description,
        "emailAddress": info.email,
        "locked": info.locked,
        "disabled": info.disabled,
        "principalId": principal_id(info.name, info.domain),
        "tenantName": tenant_name,
        "name": shown,
    }


def role(definition: RoleDef) -> Json:
    return {
        "@type": "SystemRole",
        "id": definition.id,
        "name": definition.name,
        "description": definition.description,
        "assignedPermissions": [
            {
                "id": p,
                "name": PERMISSIONS[p][0],
                "description": PERMISSIONS[p][1],
                "prereqAdminPermissions": None,
            }
            for p in definition.permissions
        ],
    }


def subtenant(view: GroupView) -> Json:
    roles = None
    if view.roles is not None:
        roles = [scope_role(BY_ID[role_id], view.roles.get(role_id, [])) for role_id in view.roles]
    return {
        "@type": "Subtenant",
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "subtenantRoles": roles,
        "extensionData": view.extension_data,
        "tenant": view.tenant,
    }


def scope_role(definition: RoleDef, holders: list[tuple[str, str]]) -> Json:
    return {
        "@type": "ScopeRole",
        "id": definition.id,
        "name": definition.name,
        "scopeRoleRef": definition.id,
        "principalId": [principal_id(n, d) for n, d in holders],
    }


# Readers of request bodies.


def json_object(body: Any) -> Json:
    if not isinstance(body, dict):
        raise WireError("body", "The request body must be a JSON object.")
    return body


def text_field(body: Json, field: str, required: bool = True) -> str | None:
    value = body.get(field)
    if value is None:
        if required:
            raise WireError(field, f"{field} is required.")
        return None
    if not isinstance(value, str):
        raise WireError(field, f"{field} must be a string.")
    return value


def token_spec(body: Any) -> tuple[str, str, str]:
    """``{username, password, tenant}`` of a token request."""
    fields = json_object(body)
    return (
        text_field(fields, "username") or "",
        text_field(fields, "password") or "",
        text_field(fields, "tenant") or "",
    )


def tenant_spec(body: Any, path_id: str) -> TenantSpec:
    """A Tenant; its ``id`` and ``urlName``, when given, must be the one in the path."""
    fields = json_object(body)
    for field in ("id", "urlName"):
        given = text_field(fields, field, required=False)
        if given is not None and given.lower() != path_id.lower():
            raise WireError(field, f"{field} {given} does not match the tenant {path_id} of the URL.")
    return TenantSpec(
        full_name=text_field(fields, "name") or "",
        description=text_field(fields, "description", required=False),
        contact_email=text_field(fields, "contactEmail", required=False),
    )


def store_spec(body: Any, path_domain: str | None) -> tuple[str, StoreSpec]:
    """The domain and an IdentityStore of a link request; a domain in the body must be the
    path's (when the path names one)."""
    fields = json_object(body)
    domain = text_field(fields, "domain", required=path_domain is None) or path_domain or ""
    if path_domain is not None and domain.lower() != path_domain.lower():
        raise WireError("domain", f"domain {domain} does not match the domain {path_domain} of the URL.")
    return domain, StoreSpec(
        name=text_field(fields, "name") or "",
        type=text_field(fields, "type") or "",
        url=text_field(fields, "url") or "",
        user_name_dn=text_field(fields, "userNameDn") or "",
        password=text_field(fields, "password", required=False),
        user_base_dn=text_field(fields, "userBaseSearchDn") or "",
        group_base_dn=text_field(fields, "groupBaseSearchDn") or "",
        description=text_field(fields, "description", required=False),
        alias=text_field(fields, "alias", required=False),
    )


def _principal_ref(value: Any, field: str) -> str:
    """``{domain, name}`` or ``"name@domain"`` -> ``name@domain``."""
    if isinstance(value, str) and value:
        return value
    if (
        isinstance(value, dict)
        and isinstance(value.get("name"), str)
        and isinstance(value.get("domain"), str)
    ):
        return f"{value['name']}@{value['domain']}"
    raise WireError(field, f"{field} must name principals as {{domain, name}} or name@domain.")


def principal_refs(body: Any, field: str = "principalId") -> list[str]:
    if not isinstance(body, list):
        raise WireError(field, "The request body must be a JSON array of principals.")
    return [_principal_ref(item, field) for item in body]


def subtenant_spec(body: Any, tenant_name: str) -> GroupSpec:
    fields = json_object(body)
    given = text_field(fields, "tenant", required=False)
    if given is not None and given.lower() != tenant_name.lower():
        raise WireError("tenant", f"tenant {given} does not match the tenant {tenant_name} of the URL.")
    extension = fields.get("extensionData")
    entries = extension.get("entries", []) if isinstance(extension, dict) else None
    if extension is not None and not (
        isinstance(entries, list)
        and all(isinstance(e, dict) and isinstance(e.get("key"), str) and e["key"] for e in entries)
    ):
        raise WireError("extensionData", "extensionData must be {entries: [{key, value}, ...]}.")
    roles = None
    listed = fields.get("subtenantRoles")
    if listed is not None:
        if not isinstance(listed, list):
            raise WireError("subtenantRoles", "subtenantRoles must be a list.")
        roles = {}
        for item in listed:
            if not isinstance(item, dict):
                raise WireError("subtenantRoles", "Each subtenant role must be an object.")
            ref = item.get("scopeRoleRef") or item.get("id")
            if not isinstance(ref, str) or ref not in {r.id for r in GROUP_ROLES}:
                raise WireError("subtenantRoles", f"Unknown business group role {ref}.")
            holders = item.get("principalId") or []
            if not isinstance(holders, list):
                raise WireError("principalId", "principalId must be a list.")
            roles[ref] = [_principal_ref(h, "principalId") for h in holders]
    return GroupSpec(
        name=text_field(fields, "name") or "",
        description=text_field(fields, "description", required=False),
        extension_data=extension,
        roles=roles,
    )
