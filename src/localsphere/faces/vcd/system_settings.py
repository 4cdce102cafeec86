"""The system settings, the system administrator's only (vCD's 403 for anyone else): ``GET
/api/admin/extension/settings`` (every section this server keeps), and ``GET``/``PUT``
``.../settings/general`` and ``.../settings/ldapSettings`` (the System org's directory: the
world's identity store, bound before it is kept; its password is read, never written back).
Source: the vCloud API Programming Guide, "Retrieve or Update System Settings"; the types of
``extension/settings.xsd``."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, Runner
from localsphere.faces.vcd.fields import copy, read_into
from localsphere.faces.vcd.hrefs import ADMIN_TYPE
from localsphere.faces.vcd.types import Link
from localsphere.faces.vcd.types_admin import (
    EXTENSION,
    LdapGroupAttributes,
    LdapSettings,
    LdapUserAttributes,
    SystemGeneralSettings,
    SystemSettings,
)
from localsphere.faces.vcd.wire import Asked, asked, read_xml, vcd_time, xml
from localsphere.world import World, system_settings
from localsphere.world.org_roles import ADMIN_VIEW
from localsphere.world.tenant_roles import TenantCaller

SYSTEM_TYPE = f"{ADMIN_TYPE}.systemSettings+xml"
GENERAL_TYPE = f"{ADMIN_TYPE}.generalSettings+xml"
LDAP_TYPE = f"{ADMIN_TYPE}.ldapSettings+xml"
BODY_MOST = 1 << 20
X = f"{{{EXTENSION}}}"


class SystemSettingsViews:
    def __init__(self, world: World, runner: Runner) -> None:
        self.world = world
        self.runner = runner

    async def get(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        href = f"{a.hrefs.base}/api/admin/extension/settings"
        general = await self.runner.read(self.world.system_settings.general)
        ldap = await self.runner.read(self.world.system_settings.ldap)
        answer = SystemSettings(
            href=href,
            type=SYSTEM_TYPE,
            links=[Link("edit", href, SYSTEM_TYPE)],
            general=self._general(a, general),
            ldap=self._ldap(a, ldap),
        )
        return xml(answer, a.version, SYSTEM_TYPE)

    async def general(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        found = await self.runner.read(self.world.system_settings.general)
        return xml(self._general(a, found), a.version, GENERAL_TYPE)

    async def put_general(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        body = await _body(request, "GeneralSettings")
        current = await self.runner.read(self.world.system_settings.general)
        wanted = read_into(SystemGeneralSettings, body, current, EXTENSION)
        changed = await self.runner.call(self.world.system_settings.set_general, wanted)
        return xml(self._general(a, changed), a.version, GENERAL_TYPE)

    async def ldap(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller, ADMIN_VIEW)
        found = await self.runner.read(self.world.system_settings.ldap)
        return xml(self._ldap(a, found), a.version, LDAP_TYPE)

    async def put_ldap(self, request: Request, caller: TenantCaller) -> Response:
        """Link, change or (a blank ``HostName``) unlink the system directory."""
        a = asked(request, caller, ADMIN_VIEW)
        body = await _body(request, "LdapSettings")
        current = await self.runner.read(self.world.system_settings.ldap)
        wanted = read_into(LdapSettings, body, dataclasses.replace(current, password=None), EXTENSION)
        host = body.find(f"{X}HostName")
        if host is None:
            wanted = dataclasses.replace(wanted, host_name="")
        password = body.find(f"{X}Password")
        if password is not None and password.text:
            wanted = dataclasses.replace(wanted, password=password.text)
        changed = await self.runner.call(self.world.system_settings.set_ldap, wanted)
        return xml(self._ldap(a, changed), a.version, LDAP_TYPE)

    @staticmethod
    def _general(a: Asked, found: system_settings.GeneralSettings) -> SystemGeneralSettings:
        href = f"{a.hrefs.base}/api/admin/extension/settings/general"
        return copy(
            SystemGeneralSettings,
            found,
            href=href,
            type=GENERAL_TYPE,
            links=[Link("edit", href, GENERAL_TYPE)],
            rest_api_base_uri=a.hrefs.base,
            sync_start_date=vcd_time(found.sync_start),
        )

    @staticmethod
    def _ldap(a: Asked, found: system_settings.LdapSettings) -> LdapSettings:
        href = f"{a.hrefs.base}/api/admin/extension/settings/ldapSettings"
        linked = bool(found.host_name)
        return copy(
            LdapSettings,
            found,
            href=href,
            type=LDAP_TYPE,
            links=[Link("edit", href, LDAP_TYPE)],
            host_name=found.host_name or None,
            search_base=found.search_base or None,
            user_name=found.user_name or None,
            group_search_base=found.group_search_base or None,
            is_group_search_base_enabled=linked and found.group_search_base != found.search_base,
            user_attributes=LdapUserAttributes(),
            group_attributes=LdapGroupAttributes(),
        )


async def _body(request: Request, tag: str) -> ET.Element:
    body = await read_xml(request, BODY_MOST)
    if body is None or body.tag != f"{X}{tag}":
        raise InputError("malformed", f"The request body must be a {tag} element.")
    return body
