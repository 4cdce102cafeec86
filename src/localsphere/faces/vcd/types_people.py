"""The administration API's types of users, groups, roles, rights and catalogs, field for field as
``1.5/schemas/admin/user.xsd`` and ``admin/vCloudEntities.xsd`` declare them (in the schema's
order; ``since`` from their ``meta:version`` marks; ``ORG_RIGHTS_ROLES`` is API 27.0)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from localsphere.faces.vcd.model import XmlType, attribute, element
from localsphere.faces.vcd.types import Catalog, Entity, Link, Reference


@dataclass
class UsersList(XmlType):
    """``UsersListType``: the users of a group."""

    users: list[Reference] = element("UserReference", many=True)


@dataclass
class GroupsList(XmlType):
    """``GroupsListType``: the groups a user is in."""

    groups: list[Reference] = element("GroupReference", many=True)


@dataclass
class AdminUser(Entity):
    """``UserType`` (admin/user.xsd) as the administration API reads and writes it: never its
    ``Password``, which a request carries and no answer does."""

    TAG: ClassVar[str] = "User"
    full_name: str | None = element("FullName")
    email_address: str | None = element("EmailAddress")
    telephone: str | None = element("Telephone")
    is_enabled: bool | None = element("IsEnabled")
    is_locked: bool | None = element("IsLocked")
    im: str | None = element("IM")
    name_in_source: str | None = element("NameInSource")
    is_alert_enabled: bool | None = element("IsAlertEnabled")
    alert_email_prefix: str | None = element("AlertEmailPrefix")
    alert_email: str | None = element("AlertEmail")
    is_external: bool | None = element("IsExternal")
    provider_type: str | None = element("ProviderType", since="5.1")
    is_default_cached: bool | None = element("IsDefaultCached")
    is_group_role: bool | None = element("IsGroupRole")
    stored_vm_quota: int | None = element("StoredVmQuota")
    deployed_vm_quota: int | None = element("DeployedVmQuota")
    role: Reference | None = element("Role")
    groups: GroupsList | None = element("GroupReferences")


@dataclass
class AdminGroup(Entity):
    """``GroupType`` (admin/user.xsd): an imported group, its members and its role."""

    TAG: ClassVar[str] = "Group"
    name_in_source: str | None = element("NameInSource")
    users: UsersList | None = element("UsersList")
    provider_type: str | None = element("ProviderType", since="5.1")
    role: Reference | None = element("Role")


@dataclass
class Right(Entity):
    """``RightType`` (admin/user.xsd): one right, in its category."""

    TAG: ClassVar[str] = "Right"
    category: str = element("Category")
    bundle_key: str | None = element("BundleKey")
    service_namespace: str | None = element("ServiceNamespace")


@dataclass
class RightReferences(XmlType):
    """``RightReferencesType``: a role's rights."""

    rights: list[Reference] = element("RightReference", many=True)


@dataclass
class Role(Entity):
    """``RoleType`` (admin/user.xsd): a role and its rights."""

    TAG: ClassVar[str] = "Role"
    right_references: RightReferences | None = element("RightReferences")


@dataclass
class OrgRights(XmlType):
    """``OrganizationRightsType`` (admin/vCloudEntities.xsd, a ``ResourceType``; 27.0): the
    rights an org holds."""

    TAG: ClassVar[str] = "OrgRights"
    href: str = attribute("href")
    type: str = attribute("type")
    links: list[Link] = element("Link", many=True)
    rights: list[Reference] = element("RightReference", many=True)


@dataclass
class AdminCatalog(Catalog):
    """``AdminCatalogType`` (admin/vCloudEntities.xsd): a catalog as its org's administrators
    see it (a ``CatalogType``; what it adds, storage profiles and publishing settings, it leaves
    out, as they are optional)."""

    TAG: ClassVar[str] = "AdminCatalog"
