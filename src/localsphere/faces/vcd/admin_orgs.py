"""Organization administration, the system administrator's only (vCD's 403 for anyone else):
``POST /api/admin/orgs`` (an ``AdminOrg`` in, 201 and the org out), ``GET``/``PUT``/``DELETE
/api/admin/org/{id}`` (a removal answers 202 and a Task, which fails when the org may not go
yet), ``POST .../action/enable|disable`` (204), and the org's settings: ``GET``/``PUT
.../settings`` and each section (``settings/general``, ``vAppLeaseSettings``,
``vAppTemplateLeaseSettings``, ``email``, ``passwordPolicy``). Source: the vCloud API Programming
Guide, "Creating and Managing Organizations"; the wire of pyvcloud's ``System.create_org``,
``delete_org`` and ``Org.update_org``, which PUT back the whole AdminOrg they read."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.vcd.admin_people import ADMIN_CATALOG_TYPE, admin_org_links, org_rights
from localsphere.faces.vcd.admin_vdcs import ADMIN_VDC_TYPE
from localsphere.faces.vcd.admin_vdcs import admin_org_links as vdc_links
from localsphere.faces.vcd.extensions import org_links as extension_org_links
from localsphere.faces.vcd.fields import copy, read_into, typed
from localsphere.faces.vcd.hrefs import ADMIN_TYPE, media_type
from localsphere.faces.vcd.metadata import METADATA_TYPE
from localsphere.faces.vcd.model import VCLOUD, child_elements
from localsphere.faces.vcd.tasks import TaskViews
from localsphere.faces.vcd.types import Link, Reference
from localsphere.faces.vcd.types_admin import (
    SECTION_MEDIA,
    SECTION_PATHS,
    SECTION_TYPES,
    AdminOrg,
    CatalogsList,
    CustomOrgLdapSettings,
    EmailSettings,
    GroupsList,
    NetworksList,
    OrgLdapGroupAttributes,
    OrgLdapSettings,
    OrgLdapUserAttributes,
    OrgSettings,
    SmtpServerSettings,
    UsersList,
    VdcsList,
)
from localsphere.faces.vcd.wire import Asked, asked, read_xml, xml
from localsphere.world import World, org_admin, system_settings
from localsphere.world.errors import NotFound
from localsphere.world.identity import GROUP
from localsphere.world.org_admin import AdminOrgView, OrgChange
from localsphere.world.org_roles import ADMIN_VIEW, MANAGE_PEOPLE
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import org_name

ADMIN_ORG_TYPE = f"{ADMIN_TYPE}.organization+xml"
SETTINGS_TYPE = f"{ADMIN_TYPE}.orgSettings+xml"
LDAP_TYPE = f"{ADMIN_TYPE}.organizationLdapSettings+xml"
NONE, CUSTOM = "NONE", "CUSTOM"  # an org's LDAP modes offered (the product's SYSTEM is not)
BODY_MOST = 1 << 20  # bytes of an AdminOrg or settings body
V = f"{{{VCLOUD}}}"


def _email(body: ET.Element, current: org_admin.EmailSettings) -> tuple[org_admin.EmailSettings, str | None]:
    """E-mail settings from a body, and the SMTP password it gives (None: none given)."""
    changed = read_into(EmailSettings, body, current)
    smtp = body.find(f"{V}SmtpServerSettings")
    if smtp is None:
        return changed, None
    password = smtp.find(f"{V}Password")
    server = read_into(SmtpServerSettings, smtp, current.smtp)
    return dataclasses.replace(changed, smtp=server), (password.text or "") if password is not None else None


def _settings(body: ET.Element, current: org_admin.OrgSettings) -> tuple[org_admin.OrgSettings, str | None]:
    """The sections an ``OrgSettings`` body gives over ``current``, and an SMTP password."""
    tags = child_elements(OrgSettings)
    password = None
    values: dict[str, Any] = {}
    for section in SECTION_TYPES:
        found = body.find(f"{V}{tags[section]}")
        if found is None:
            continue
        if section == "email":
            values[section], password = _email(found, current.email)
        else:
            values[section] = read_into(SECTION_TYPES[section], found, getattr(current, section))
    return dataclasses.replace(current, **values), password


def _ldap(a: Asked, found: AdminOrgView, directory: system_settings.LdapSettings) -> OrgLdapSettings:
    """An org's LDAP settings: CUSTOM with its directory's, or NONE."""
    href = f"{a.hrefs.base}/api/admin/org/{found.id}/settings/ldap"
    links = [Link("edit", href, LDAP_TYPE)]
    if not directory.host_name:
        return OrgLdapSettings(href=href, type=LDAP_TYPE, links=links, org_ldap_mode=NONE)
    custom = copy(
        CustomOrgLdapSettings,
        directory,
        is_group_search_base_enabled=directory.group_search_base != directory.search_base,
        user_attributes=OrgLdapUserAttributes(),
        group_attributes=OrgLdapGroupAttributes(),
    )
    return OrgLdapSettings(href=href, type=LDAP_TYPE, links=links, org_ldap_mode=CUSTOM, custom=custom)


def _text(body: ET.Element, tag: str) -> str | None:
    found = body.find(f"{V}{tag}")
    return None if found is None else (found.text or "")


def _enabled(body: ET.Element) -> bool | None:
    text = _text(body, "IsEnabled")
    return None if text is None else typed(text, True, "IsEnabled")


class AdminOrgViews:
    def __init__(self, world: World, runner: Runner, tasks: TaskViews) -> None:
        self.world = world
        self.runner = runner
        self.tasks = tasks

    async def _org(
        self, request: Request, caller: TenantCaller, right: str = ADMIN_VIEW
    ) -> tuple[Asked, AdminOrgView]:
        """The request (of a holder of ``right``, the system administrator's unless told: 403
        otherwise) and the org it names (an org's own user sees only its own)."""
        a = asked(request, caller)
        a.require(right)
        found = await self.runner.read(self.world.tenants.org, request.path_params["org"], caller.tenant)
        return a, await self.runner.read(self.world.org_admin.get, found.name)

    async def create(self, request: Request, caller: TenantCaller) -> Response:
        """``POST /api/admin/orgs``: 201 and the new org."""
        a = asked(request, caller)
        a.require(ADMIN_VIEW)
        body = await self._body(request, "AdminOrg")
        name = (body.get("name") or "").strip()
        settings = body.find(f"{V}Settings")
        chosen, password = (
            _settings(settings, org_admin.OrgSettings())
            if settings is not None
            else (org_admin.OrgSettings(), None)
        )
        made = await self.runner.call(
            self.world.org_admin.create,
            name,
            _text(body, "FullName") or "",
            _text(body, "Description") or "",
            bool(_enabled(body)),
            chosen,
            password,
        )
        return await self._answer(a, made, 201)

    async def get(self, request: Request, caller: TenantCaller) -> Response:
        """The AdminOrg: the system administrator's, and its own administrator's (who manages its
        people: pyvcloud's ``create_user``, ``create_role`` start from it)."""
        a, found = await self._org(request, caller, MANAGE_PEOPLE)
        return await self._answer(a, found)

    async def update(self, request: Request, caller: TenantCaller) -> Response:
        """``PUT /api/admin/org/{id}``: names, state and settings; its name stays (400 if the
        body renames it)."""
        a, found = await self._org(request, caller)
        body = await self._body(request, "AdminOrg")
        name = body.get("name")
        if name is not None and name != org_name(found.tenant):
            raise InputError("value", "An organization's name cannot be changed.")
        settings = body.find(f"{V}Settings")
        chosen, password = (
            _settings(settings, found.settings) if settings is not None else (found.settings, None)
        )
        change = OrgChange(
            full_name=_text(body, "FullName"),
            description=_text(body, "Description"),
            enabled=_enabled(body),
            settings=chosen,
            smtp_password=password,
        )
        changed = await self.runner.call(self.world.org_admin.update, found.tenant.name, change)
        return await self._answer(a, changed)

    async def delete(self, request: Request, caller: TenantCaller) -> Response:
        """``DELETE /api/admin/org/{id}[?recursive=true[&force=true]]``: 202 and its Task."""
        a, found = await self._org(request, caller)
        recursive = request.query_params.get("recursive", "").lower() == "true"
        force = request.query_params.get("force", "").lower() == "true"
        task_id = await self.runner.call(
            self.world.org_admin.delete, found.tenant.name, recursive, caller.caller.principal, force
        )
        return await self.tasks.answer(a, task_id)

    async def enable(self, request: Request, caller: TenantCaller) -> Response:
        return await self._set_enabled(request, caller, True)

    async def disable(self, request: Request, caller: TenantCaller) -> Response:
        return await self._set_enabled(request, caller, False)

    async def _set_enabled(self, request: Request, caller: TenantCaller, enabled: bool) -> Response:
        _, found = await self._org(request, caller)
        await self.runner.call(self.world.org_admin.update, found.tenant.name, OrgChange(enabled=enabled))
        return Response(status_code=204)

    async def settings(self, request: Request, caller: TenantCaller) -> Response:
        a, found = await self._org(request, caller)
        return xml(await self._settings(a, found), a.version, SETTINGS_TYPE)

    async def put_settings(self, request: Request, caller: TenantCaller) -> Response:
        a, found = await self._org(request, caller)
        body = await self._body(request, "OrgSettings")
        chosen, password = _settings(body, found.settings)
        change = OrgChange(settings=chosen, smtp_password=password)
        changed = await self.runner.call(self.world.org_admin.update, found.tenant.name, change)
        return xml(await self._settings(a, changed), a.version, SETTINGS_TYPE)

    async def section(self, request: Request, caller: TenantCaller) -> Response:
        a, found = await self._org(request, caller)
        section = _section(request)
        return self._section_answer(a, found, section)

    async def put_section(self, request: Request, caller: TenantCaller) -> Response:
        a, found = await self._org(request, caller)
        section = _section(request)
        kind = SECTION_TYPES[section]
        body = await self._body(request, kind.TAG)
        password = None
        if section == "email":
            value, password = _email(body, found.settings.email)
        else:
            value = read_into(kind, body, getattr(found.settings, section))
        chosen = dataclasses.replace(found.settings, **{section: value})
        change = OrgChange(settings=chosen, smtp_password=password)
        changed = await self.runner.call(self.world.org_admin.update, found.tenant.name, change)
        return self._section_answer(a, changed, section)

    def _section_answer(self, a: Asked, found: AdminOrgView, section: str) -> Response:
        answer = self._section(a, found, section)
        return xml(answer, a.version, f"{ADMIN_TYPE}.{SECTION_MEDIA[section]}+xml")

    @staticmethod
    def _section(a: Asked, found: AdminOrgView, section: str) -> Any:
        href = f"{a.hrefs.base}/api/admin/org/{found.id}/settings/{SECTION_PATHS[section]}"
        media = f"{ADMIN_TYPE}.{SECTION_MEDIA[section]}+xml"
        value = getattr(found.settings, section)
        links = [Link("edit", href, media)]
        if section != "email":
            return copy(SECTION_TYPES[section], value, href=href, type=media, links=links)
        smtp = copy(SmtpServerSettings, value.smtp)
        return copy(
            SECTION_TYPES[section],
            value,
            href=href,
            type=media,
            links=links,
            alert_email_to=value.alert_email_to or None,
            smtp=smtp,
        )

    async def _settings(self, a: Asked, found: AdminOrgView) -> OrgSettings:
        href = f"{a.hrefs.base}/api/admin/org/{found.id}/settings"
        directory = await self.runner.read(self.world.system_settings.ldap, found.tenant.name)
        return OrgSettings(
            href=href,
            type=SETTINGS_TYPE,
            links=[Link("edit", href, SETTINGS_TYPE)],
            ldap=_ldap(a, found, directory),
            **{section: self._section(a, found, section) for section in SECTION_TYPES},
        )

    async def ldap(self, request: Request, caller: TenantCaller) -> Response:
        """``GET .../settings/ldap``: CUSTOM (with its directory's settings) or NONE."""
        a, found = await self._org(request, caller)
        directory = await self.runner.read(self.world.system_settings.ldap, found.tenant.name)
        return xml(_ldap(a, found, directory), a.version, LDAP_TYPE)

    async def put_ldap(self, request: Request, caller: TenantCaller) -> Response:
        """``PUT .../settings/ldap``: NONE unlinks the org's directory, CUSTOM links (or changes)
        the one ``CustomOrgLdapSettings`` describes, after binding to it; SYSTEM is not offered
        (400). The bind password is read, never written back."""
        a, found = await self._org(request, caller)
        body = await self._body(request, "OrgLdapSettings")
        mode = (_text(body, "OrgLdapMode") or "").strip()
        custom = body.find(f"{V}CustomOrgLdapSettings")
        wanted = system_settings.LdapSettings()
        if mode == CUSTOM:
            if custom is None:
                raise InputError("value", "A CUSTOM OrgLdapMode needs its CustomOrgLdapSettings.")
            current = await self.runner.read(self.world.system_settings.ldap, found.tenant.name)
            wanted = read_into(CustomOrgLdapSettings, custom, current)
            if custom.find(f"{V}HostName") is None:
                wanted = dataclasses.replace(wanted, host_name="")
            wanted = dataclasses.replace(wanted, password=_text(custom, "Password") or None)
        elif mode != NONE:
            raise InputError("value", f"OrgLdapMode must be {NONE} or {CUSTOM}.")
        directory = await self.runner.call(self.world.system_settings.set_ldap, wanted, found.tenant.name)
        return xml(_ldap(a, found, directory), a.version, LDAP_TYPE)

    async def _answer(self, a: Asked, found: AdminOrgView, status: int = 200) -> Response:
        """The AdminOrg of ``found``: its links (``remove`` once it is disabled), settings, users,
        groups, catalogs, VDCs and networks."""
        h, tenant = a.hrefs, found.tenant.name
        read = self.runner.read
        vdcs = await read(self.world.org_vdcs.of_org, tenant)
        catalogs = await read(self.world.catalogs.of_org, tenant)
        networks = await read(self.world.org_vdcs.networks, None, tenant)
        members = await read(self.world.org_admin.members, tenant)
        held = await read(self.world.org_people.org_rights, tenant)
        href = f"{h.base}/api/admin/org/{found.id}"
        links = [
            Link("down", h.of("tasksList", tenant), media_type("tasksList")),
            Link("down", f"{href}/settings", SETTINGS_TYPE),
            Link("down", f"{href}/metadata", METADATA_TYPE),
            Link("edit", href, ADMIN_ORG_TYPE),
            Link(
                "disable" if found.enabled else "enable",
                f"{href}/action/{'disable' if found.enabled else 'enable'}",
            ),
            Link("alternate", h.of("org", tenant), media_type("org")),
            *admin_org_links(h, found.id),
            *vdc_links(h.base, found.id),
            *extension_org_links(h, tenant),
        ]
        if not found.enabled:
            links.append(Link("remove", href))
        answer = AdminOrg(
            href=href,
            type=ADMIN_ORG_TYPE,
            id=f"urn:vcloud:org:{found.id}",
            name=org_name(found.tenant),
            links=links,
            description=found.tenant.description,
            full_name=found.tenant.full_name,
            is_enabled=found.enabled,
            settings=await self._settings(a, found),
            users=UsersList([h.reference("user", m.id, m.name) for m in members if m.kind != GROUP]),
            groups=GroupsList([h.reference("group", m.id, m.name) for m in members if m.kind == GROUP]),
            catalogs=CatalogsList(
                [
                    Reference(f"{h.base}/api/admin/catalog/{c.id}", ADMIN_CATALOG_TYPE, c.name)
                    for c in catalogs
                ]
            ),
            vdcs=VdcsList(
                [Reference(f"{h.base}/api/admin/vdc/{v.id}", ADMIN_VDC_TYPE, v.name) for v in vdcs]
            ),
            networks=NetworksList(
                [Reference(h.of("network", n.id), media_type("network"), n.name) for n in networks]
            ),
            right_references=org_rights(a, found.id, held),
        )
        return xml(answer, a.version, ADMIN_ORG_TYPE, status)

    @staticmethod
    async def _body(request: Request, tag: str) -> ET.Element:
        """The request's XML body, whose root must be ``tag`` (400 otherwise)."""
        body = await read_xml(request, BODY_MOST)
        if body is None or body.tag != f"{V}{tag}":
            raise InputError("malformed", f"The request body must be a {tag} element.")
        return body


def _section(request: Request) -> str:
    wanted = request.path_params["section"]
    found = next((s for s, path in SECTION_PATHS.items() if path == wanted), None)
    if found is None:
        raise NotFound("settings.not_found", f"No settings section {wanted}.", wanted)
    return found
