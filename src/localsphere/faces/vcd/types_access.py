"""The vCloud API's XML types of access control (common.xsd): an object's ``Owner`` document and
its ``ControlAccessParams`` with their ``AccessSetting``s. Field order is the schema's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from localsphere.faces.vcd.model import XmlType, attribute, element
from localsphere.faces.vcd.types import Link, Reference


@dataclass
class OwnerDocument(XmlType):
    """``OwnerType`` as a document of its own (``GET .../owner``): a resource with the owner."""

    TAG: ClassVar[str] = "Owner"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True)
    user: Reference | None = element("User")


@dataclass
class AccessSetting(XmlType):
    """``AccessSettingType``: one subject (a user, group or org) and its access level."""

    subject: Reference = element("Subject")
    access_level: str = element("AccessLevel")


@dataclass
class AccessSettings(XmlType):
    settings: list[AccessSetting] = element("AccessSetting", many=True)


@dataclass
class ControlAccess(XmlType):
    """``ControlAccessParamsType``: shared to everyone (and at which level) or to subjects."""

    TAG: ClassVar[str] = "ControlAccessParams"
    is_shared_to_everyone: bool = element("IsSharedToEveryone", default=False)
    everyone_access_level: str | None = element("EveryoneAccessLevel")
    access_settings: AccessSettings | None = element("AccessSettings")
