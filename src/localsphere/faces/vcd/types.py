"""The vCloud API's types this face writes, field for field as the XSDs declare them (in the
schema's order; ``since``: the version that added each, from the XSDs' ``meta:version`` marks).
Sources: ``schemas/versioning/versions.xsd`` and ``1.5/schemas/vcloud/common.xsd``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from localsphere.faces.vcd.model import VERSIONS, XmlType, attribute, element


@dataclass
class VersionInfo(XmlType):
    """``VersionInfoType``: one API version the server offers and where to sign in with it."""

    NAMESPACE: ClassVar[str] = VERSIONS
    version: str = element("Version")
    login_url: str = element("LoginUrl")
    deprecated: bool | None = attribute("deprecated", since="20.0")


@dataclass
class SupportedVersions(XmlType):
    """``SupportedVersionsType``, the answer of ``GET /api/versions``."""

    NAMESPACE: ClassVar[str] = VERSIONS
    TAG: ClassVar[str] = "SupportedVersions"
    versions: list[VersionInfo] = element("VersionInfo", many=True)


@dataclass
class Error(XmlType):
    """``ErrorType``: every failure. ``majorErrorCode`` is the HTTP status, ``minorErrorCode``
    the product's name for it; ``stackTrace`` is never filled."""

    TAG: ClassVar[str] = "Error"
    message: str = attribute("message")
    major_error_code: int = attribute("majorErrorCode")
    minor_error_code: str = attribute("minorErrorCode")


@dataclass
class Link(XmlType):
    """``LinkType``: where a client goes next (``rel``) and what it finds there (``type``)."""

    rel: str = attribute("rel")
    href: str = attribute("href")
    type: str | None = attribute("type")
    name: str | None = attribute("name")


@dataclass
class AuthorizedLocation(XmlType):
    """``AuthorizedLocationType`` (multiSite.xsd, an ``EntityType``: ``name`` required): a site
    the session may be used at. The XSDs' MULTI_SITE is 29.0, JWT_LOGIN_SUPPORT 30.0."""

    name: str = attribute("name", since="29.0")
    location_id: str = element("LocationId", since="30.0")
    site_name: str | None = element("SiteName", since="30.0")
    org_name: str | None = element("OrgName", since="30.0")
    rest_api_endpoint: str = element("RestApiEndpoint", since="29.0")
    ui_endpoint: str = element("UIEndpoint", since="29.0")
    auth_context: str | None = element("AuthContext", since="30.0")


@dataclass
class AuthorizedLocations(XmlType):
    locations: list[AuthorizedLocation] = element("Location", since="29.0", many=True)


@dataclass
class Session(XmlType):
    """``SessionType`` (session.xsd): who is signed in to which org, and the links a client
    follows from there."""

    TAG: ClassVar[str] = "Session"
    href: str = attribute("href")
    type: str = attribute("type")
    user: str = attribute("user")
    org: str = attribute("org")
    user_id: str = attribute("userId", since="5.5")
    location_id: str | None = attribute("locationId", since="30.0")
    links: list[Link] = element("Link", many=True)
    authorized_locations: AuthorizedLocations | None = element("AuthorizedLocations", since="29.0")


@dataclass
class Reference(XmlType):
    """``ReferenceType``: a named link to an object."""

    href: str = attribute("href")
    type: str | None = attribute("type")
    name: str | None = attribute("name")


@dataclass
class OrgList(XmlType):
    """``OrgListType`` (organizationList.xsd): the orgs a user may see."""

    TAG: ClassVar[str] = "OrgList"
    href: str = attribute("href")
    type: str = attribute("type")
    orgs: list[Reference] = element("Org", many=True)


@dataclass
class Org(XmlType):
    """``OrgType`` (organization.xsd, an ``EntityType``): an organization, a tenant of the world."""

    TAG: ClassVar[str] = "Org"
    href: str = attribute("href")
    type: str = attribute("type")
    id: str = attribute("id")
    name: str = attribute("name")
    links: list[Link] = element("Link", many=True)
    description: str | None = element("Description")
    full_name: str = element("FullName")
    is_enabled: bool | None = element("IsEnabled")
