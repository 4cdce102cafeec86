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
