"""The vCloud API's types of organization administration and of the system settings, field for
field as the XSDs declare them, in their order (``since``: the version that added each).
Sources: ``1.5/schemas/admin/vCloudEntities.xsd`` (AdminOrgType, OrgSettingsType and its
sections, OrganizationReferencesType), ``1.5/schemas/admin/user.xsd`` (UsersListType,
GroupsListType), ``1.5/schemas/vcloud/vdc.xsd`` (VdcsType) and
``1.5/schemas/extension/settings.xsd`` (SystemSettingsType, GeneralSettingsType,
LdapSettingsType). A settings section's fields carry the world's names (``org_admin``,
``system_settings``), so the face copies them by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from localsphere.faces.vcd.model import VCLOUD, XmlType, attribute, element
from localsphere.faces.vcd.types import Link, Org, Reference

EXTENSION = "http://www.vmware.com/vcloud/extension/v1.5"


@dataclass
class Resource(XmlType):
    """``ResourceType``: an addressable part, with its links."""

    href: str | None = attribute("href")
    type: str | None = attribute("type")
    links: list[Link] = element("Link", many=True)


@dataclass
class OrgGeneralSettings(Resource):
    TAG: ClassVar[str] = "GeneralOrgSettings"
    can_publish_catalogs: bool | None = element("CanPublishCatalogs")
    can_publish_externally: bool | None = element("CanPublishExternally", since="5.5")
    can_subscribe: bool | None = element("CanSubscribe", since="5.5")
    deployed_vm_quota: int | None = element("DeployedVMQuota")
    stored_vm_quota: int | None = element("StoredVmQuota")
    use_server_boot_sequence: bool | None = element("UseServerBootSequence")
    delay_after_power_on_seconds: int | None = element("DelayAfterPowerOnSeconds")
    vdc_quota: int | None = element("VdcQuota", since="6.0")


@dataclass
class VAppLeaseSettings(Resource):
    TAG: ClassVar[str] = "VAppLeaseSettings"
    delete_on_storage_lease_expiration: bool | None = element("DeleteOnStorageLeaseExpiration")
    deployment_lease_seconds: int | None = element("DeploymentLeaseSeconds")
    storage_lease_seconds: int | None = element("StorageLeaseSeconds")
    power_off_on_runtime_lease_expiration: bool | None = element(
        "PowerOffOnRuntimeLeaseExpiration", since="25.0"
    )


@dataclass
class TemplateLeaseSettings(Resource):
    TAG: ClassVar[str] = "OrgVAppTemplateLeaseSettings"
    delete_on_storage_lease_expiration: bool | None = element("DeleteOnStorageLeaseExpiration")
    storage_lease_seconds: int | None = element("StorageLeaseSeconds")


@dataclass
class SmtpServerSettings(XmlType):
    """``SmtpServerSettingsType``; its ``Password`` is only ever read, never written."""

    use_authentication: bool = element("IsUseAuthentication", default=False)
    host: str = element("Host", default="")
    port: int | None = element("Port", since="5.1")
    username: str = element("Username", default="")


@dataclass
class EmailSettings(Resource):
    TAG: ClassVar[str] = "OrgEmailSettings"
    is_default_smtp_server: bool = element("IsDefaultSmtpServer", default=True)
    is_default_org_email: bool = element("IsDefaultOrgEmail", default=True)
    from_email_address: str = element("FromEmailAddress", default="")
    default_subject_prefix: str = element("DefaultSubjectPrefix", default="")
    is_alert_email_to_all_admins: bool = element("IsAlertEmailToAllAdmins", default=True)
    alert_email_to: str | None = element("AlertEmailTo")
    smtp: SmtpServerSettings | None = element("SmtpServerSettings")


@dataclass
class PasswordPolicySettings(Resource):
    TAG: ClassVar[str] = "OrgPasswordPolicySettings"
    account_lockout_enabled: bool = element("AccountLockoutEnabled", default=False)
    invalid_logins_before_lockout: int = element("InvalidLoginsBeforeLockout", default=5)
    account_lockout_interval_minutes: int = element("AccountLockoutIntervalMinutes", default=10)


@dataclass
class OrgSettings(Resource):
    """``OrgSettingsType``: every section of an org's settings."""

    TAG: ClassVar[str] = "OrgSettings"
    general: OrgGeneralSettings | None = element("OrgGeneralSettings")
    vapp_lease: VAppLeaseSettings | None = element("VAppLeaseSettings")
    template_lease: TemplateLeaseSettings | None = element("VAppTemplateLeaseSettings")
    ldap: OrgLdapSettings | None = element("OrgLdapSettings")
    email: EmailSettings | None = element("OrgEmailSettings")
    password_policy: PasswordPolicySettings | None = element("OrgPasswordPolicySettings")


# An org's settings sections: the world's name -> the path below ``.../settings/``, the element a
# section is in OrgSettings, its type, and its media type's name.
SECTION_PATHS = {
    "general": "general",
    "vapp_lease": "vAppLeaseSettings",
    "template_lease": "vAppTemplateLeaseSettings",
    "email": "email",
    "password_policy": "passwordPolicy",
}
SECTION_TYPES: dict[str, type[Resource]] = {
    "general": OrgGeneralSettings,
    "vapp_lease": VAppLeaseSettings,
    "template_lease": TemplateLeaseSettings,
    "email": EmailSettings,
    "password_policy": PasswordPolicySettings,
}
SECTION_MEDIA = {
    "general": "organizationGeneralSettings",
    "vapp_lease": "vAppLeaseSettings",
    "template_lease": "vAppTemplateLeaseSettings",
    "email": "organizationEmailSettings",
    "password_policy": "organizationPasswordPolicySettings",
}


@dataclass
class UsersList(XmlType):
    users: list[Reference] = element("UserReference", many=True)


@dataclass
class GroupsList(XmlType):
    groups: list[Reference] = element("GroupReference", many=True)


@dataclass
class CatalogsList(XmlType):
    catalogs: list[Reference] = element("CatalogReference", many=True)


@dataclass
class VdcsList(XmlType):
    vdcs: list[Reference] = element("Vdc", many=True)


@dataclass
class NetworksList(XmlType):
    networks: list[Reference] = element("Network", many=True)


@dataclass
class AdminOrg(Org):
    """``AdminOrgType``: an org as its administrator sees it: its settings and what it holds."""

    TAG: ClassVar[str] = "AdminOrg"
    settings: OrgSettings = element("Settings", default=None)
    users: UsersList | None = element("Users")
    groups: GroupsList | None = element("Groups")
    catalogs: CatalogsList | None = element("Catalogs")
    vdcs: VdcsList | None = element("Vdcs")
    networks: NetworksList | None = element("Networks")
    right_references: XmlType | None = element("RightReferences", since="27.0")  # OrgRights


@dataclass
class SystemGeneralSettings(Resource):
    """``GeneralSettingsType`` (extension namespace; its links are vCloud's)."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "GeneralSettings"
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    absolute_session_timeout_minutes: int = element("AbsoluteSessionTimeoutMinutes", default=0)
    activity_log_display_days: int = element("ActivityLogDisplayDays", default=0)
    activity_log_keep_days: int = element("ActivityLogKeepDays", default=0)
    allow_overlapping_ext_nets: bool = element("AllowOverlappingExtNets", default=False)
    host_check_delay_in_seconds: int = element("HostCheckDelayInSeconds", default=0)
    host_check_timeout_seconds: int = element("HostCheckTimeoutSeconds", default=0)
    installation_id: int | None = element("InstallationId")
    ip_reservation_timeout_seconds: int = element("IpReservationTimeoutSeconds", default=0)
    login_name_only: bool | None = element("LoginNameOnly")
    pre_pop_default_name: bool = element("PrePopDefaultName", default=False)
    quarantine_enabled: bool = element("QuarantineEnabled", default=False)
    quarantine_response_timeout_seconds: int = element("QuarantineResponseTimeoutSeconds", default=0)
    rest_api_base_uri: str | None = element("RestApiBaseUri")
    session_timeout_minutes: int = element("SessionTimeoutMinutes", default=0)
    show_stack_traces: bool = element("ShowStackTraces", default=False)
    sync_start_date: str = element("SyncStartDate", default="")
    sync_interval_in_hours: int = element("SyncIntervalInHours", default=0)
    system_external_address: str | None = element("SystemExternalAddress")
    transfer_session_timeout_seconds: int = element("TransferSessionTimeoutSeconds", default=0)
    verify_vc_certificates: bool = element("VerifyVcCertificates", default=False)
    elastic_allocation_pool: bool | None = element("ElasticAllocationPool")
    max_vdc_quota: int | None = element("MaxVdcQuota", since="6.0")


@dataclass
class OrgLdapUserAttributes(XmlType):
    """``OrgLdapUserAttributesType``: where a directory keeps a user's name, e-mail, ..."""

    object_class: str = element("ObjectClass", default="inetOrgPerson")
    object_identifier: str = element("ObjectIdentifier", default="uid")
    user_name: str = element("UserName", default="uid")
    email: str = element("Email", default="mail")
    full_name: str = element("FullName", default="cn")
    given_name: str = element("GivenName", default="givenName")
    surname: str = element("Surname", default="sn")
    telephone: str = element("Telephone", default="telephoneNumber")
    group_membership_identifier: str = element("GroupMembershipIdentifier", default="dn")


@dataclass
class OrgLdapGroupAttributes(XmlType):
    """``OrgLdapGroupAttributesType``: where a directory keeps a group's name and members."""

    object_class: str = element("ObjectClass", default="groupOfUniqueNames")
    object_identifier: str = element("ObjectIdentifier", default="cn")
    group_name: str = element("GroupName", default="cn")
    membership: str = element("Membership", default="uniqueMember")
    membership_identifier: str = element("MembershipIdentifier", default="dn")


@dataclass
class LdapUserAttributes(OrgLdapUserAttributes):
    """``LdapUserAttributesType``: the same, in the extension namespace."""

    NAMESPACE: ClassVar[str] = EXTENSION


@dataclass
class LdapGroupAttributes(OrgLdapGroupAttributes):
    NAMESPACE: ClassVar[str] = EXTENSION


@dataclass
class CustomOrgLdapSettings(XmlType):
    """``CustomOrgLdapSettingsType``: an org's own directory; its ``Password`` is only ever read."""

    host_name: str | None = element("HostName")
    port: int = element("Port", default=389)
    is_ssl: bool = element("IsSsl", default=False)
    is_ssl_accept_all: bool = element("IsSslAcceptAll", default=False)
    search_base: str | None = element("SearchBase")
    user_name: str | None = element("UserName")
    authentication_mechanism: str = element("AuthenticationMechanism", default="SIMPLE")
    group_search_base: str | None = element("GroupSearchBase")
    is_group_search_base_enabled: bool = element("IsGroupSearchBaseEnabled", default=False)
    connector_type: str = element("ConnectorType", default="OPEN_LDAP")
    user_attributes: OrgLdapUserAttributes = element("UserAttributes", default=None)
    group_attributes: OrgLdapGroupAttributes = element("GroupAttributes", default=None)


@dataclass
class OrgLdapSettings(Resource):
    """``OrgLdapSettingsType``: NONE (no directory) or CUSTOM (its own, in CustomOrgLdapSettings)."""

    TAG: ClassVar[str] = "OrgLdapSettings"
    org_ldap_mode: str = element("OrgLdapMode", default="NONE")
    custom: CustomOrgLdapSettings | None = element("CustomOrgLdapSettings")


@dataclass
class LdapSettings(Resource):
    """``LdapSettingsType``: the system directory; its ``Password`` is only ever read."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "LdapSettings"
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    host_name: str | None = element("HostName")
    port: int = element("Port", default=389)
    is_ssl: bool = element("IsSsl", default=False)
    is_ssl_accept_all: bool = element("IsSslAcceptAll", default=False)
    paged_search_disabled: bool = element("PagedSearchDisabled", default=False)
    search_base: str | None = element("SearchBase")
    user_name: str | None = element("UserName")
    authentication_mechanism: str = element("AuthenticationMechanism", default="SIMPLE")
    group_search_base: str | None = element("GroupSearchBase")
    is_group_search_base_enabled: bool = element("IsGroupSearchBaseEnabled", default=False)
    connector_type: str = element("ConnectorType", default="OPEN_LDAP")
    user_attributes: LdapUserAttributes = element("UserAttributes", default=None)
    group_attributes: LdapGroupAttributes = element("GroupAttributes", default=None)
    use_external_kerberos: bool = element("UseExternalKerberos", since="5.1", default=False)


@dataclass
class SystemSettings(Resource):
    """``SystemSettingsType``: the sections of the system settings, each with its own href."""

    NAMESPACE: ClassVar[str] = EXTENSION
    TAG: ClassVar[str] = "SystemSettings"
    links: list[Link] = element("Link", many=True, namespace=VCLOUD)
    general: SystemGeneralSettings | None = element("GeneralSettings")
    ldap: LdapSettings | None = element("LdapSettings")
