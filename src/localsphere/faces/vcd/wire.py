"""What every vCD answer needs: the API version it is written in, the hrefs of the host the
client called, who is asking (an org user sees its org, the System org's users every org), the
product's time format and the XML response itself."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import InputError, parse_xml, read_body
from localsphere.faces.vcd.errors import UnsupportedMedia
from localsphere.faces.vcd.hrefs import Hrefs
from localsphere.faces.vcd.model import XmlType, document
from localsphere.faces.vcd.versions import chosen
from localsphere.world import org_roles
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import DEFAULT_TENANT
from localsphere.world.vapps import Actor


@dataclass(frozen=True)
class Asked:
    """One request as the face reads it: its API ``version``, ``hrefs`` on the host it called,
    and the caller."""

    version: str
    hrefs: Hrefs
    caller: TenantCaller

    @property
    def provider(self) -> bool:
        """Whether the caller signed in to the System org (vCD's provider)."""
        return self.caller.tenant.lower() == DEFAULT_TENANT

    @property
    def viewer(self) -> str | None:
        """What the caller sees: its org's tenant, or None (every org) for the provider."""
        return None if self.provider else self.caller.tenant

    @property
    def actor(self) -> Actor:
        return Actor(self.caller.caller.principal, self.caller.tenant, self.viewer)

    def require(self, right: str) -> None:
        """Forbidden (vCD's 403) unless the caller's roles hold ``right``."""
        org_roles.require(self.caller, right)


def base(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def asked(request: Request, caller: TenantCaller, right: str | None = None) -> Asked:
    """The request's version (NotOffered, the product's 406, when its ``Accept`` names none or
    one not offered), hrefs and caller; Forbidden unless the caller holds ``right``, when given
    (``General: Administrator View`` for the provider's operations)."""
    found = Asked(chosen(request.headers.get("accept", "")), Hrefs(base(request)), caller)
    if right is not None:
        found.require(right)
    return found


def xml(
    value: XmlType,
    version: str,
    media_type: str,
    status: int = 200,
    tag: str | None = None,
    namespace: str | None = None,
) -> Response:
    """An answer of ``value`` (as a root ``tag`` in ``namespace``, when its type is not a root of its own)."""
    return Response(
        document(value, version, tag, namespace),
        status_code=status,
        media_type=f"{media_type};version={version}",
    )


def element_response(root: etree._Element, version: str, media_type: str) -> Response:
    """An answer built as an element (the query service's records)."""
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return Response(body, media_type=f"{media_type};version={version}")


def vcd_time(epoch: float | None) -> str | None:
    """Epoch seconds as the product writes a time: ``2026-11-30T08:11:43.123Z``."""
    if epoch is None:
        return None
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


async def read_xml(request: Request, limit: int) -> ET.Element | None:
    """A request's XML body (no DTD, entities or network; at most ``limit`` bytes); None when
    there is none. InputError (the product's 400) when it is malformed."""
    given = request.headers.get("content-type", "")
    if given and "xml" not in given.lower():
        raise UnsupportedMedia(f"The operation takes an XML body, not {given.split(';')[0].strip()}.")
    body = await read_body(request, limit)
    return parse_xml(body) if body.strip() else None


def whole(text: str, name: str) -> int:
    """A body's whole number (``name`` says which, in the 400 when it is not one)."""
    try:
        return int(text.strip())
    except ValueError:
        raise InputError("value", f"{name} must be a whole number.") from None
