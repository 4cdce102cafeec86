"""The tables of the world. Times are epoch seconds (floats) on the world clock.

Migrations in ``migrations/versions`` create exactly these; change both together.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Small world-wide values: the token signing key, the seed version."""

    __tablename__ = "world_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class WorldState(Base):
    """The one row every request reads: the world clock, and the access stamp that changes whenever
    something a token check depends on changes (see ``stamp.py``)."""

    __tablename__ = "world_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clock_offset: Mapped[float] = mapped_column(Float, default=0.0)
    clock_frozen_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    access_stamp: Mapped[int] = mapped_column(BigInteger, default=0)
    # The scenario's settings (token lifetimes, lockout, request limits) as JSON: what it overrides.
    settings: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")


class Domain(Base):
    """An identity source: the SSO domain, the appliance-local domain, or a directory (LDAP, AD)
    linked to a tenant as an identity store (``IdentityStore``)."""

    __tablename__ = "domains"
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # SSO | LOCAL | DIRECTORY | ORG
    created_at: Mapped[float] = mapped_column(Float)
    # An ORG domain holds the local users of one tenant (a vCloud Director org's own users); no
    # foreign key, so that adding the column never rebuilds the table (``Tenants.delete`` drops it).
    tenant: Mapped[str | None] = mapped_column(String(128), nullable=True)


class Principal(Base):
    """A user, group or service account. ``login`` is the unique, lower-cased name used to sign in."""

    __tablename__ = "principals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # USER | GROUP | SERVICE
    name: Mapped[str] = mapped_column(String(255))
    domain: Mapped[str | None] = mapped_column(ForeignKey("domains.name", ondelete="CASCADE"), nullable=True)
    login: Mapped[str] = mapped_column(String(512), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    api_key_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[float] = mapped_column(Float)
    password_changed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    password_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    locked_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    # What a directory says of the principal (vRA's firstName, lastName, emailAddress, description);
    # ``dn``: its entry's distinguished name, for principals of a linked directory.
    first_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    dn: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (
        Index("ix_principals_domain_name", "domain", "name"),
        # What a filter's startswith(name, ...) reads on PostgreSQL (LIKE 'prefix%'), whose default
        # index follows the locale's collation; on SQLite the index above serves it.
        Index(
            "ix_principals_domain_name_prefix",
            "domain",
            "name",
            postgresql_ops={"name": "varchar_pattern_ops"},
        ),
    )


class Membership(Base):
    __tablename__ = "memberships"
    group_id: Mapped[str] = mapped_column(ForeignKey("principals.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("principals.id", ondelete="CASCADE"), primary_key=True)


class Privilege(Base):
    """A named right of one product family (``sddc``: ``USER_WRITE``; ``vcenter``: ``System.Read``)."""

    __tablename__ = "privileges"
    family: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    group: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    on_parent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    family: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    system: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)
    # The tenant of a role made in one vCloud Director org ("": a role of the whole family, so that
    # a name stays unique in it); no foreign key, so that adding the column never rebuilds the
    # table (as ``Domain.tenant``).
    tenant: Mapped[str] = mapped_column(String(128), default="", server_default="")
    __table_args__ = (Index("ix_roles_family_tenant_name", "family", "tenant", "name", unique=True),)


class RolePrivilege(Base):
    __tablename__ = "role_privileges"
    role_id: Mapped[str] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    privilege: Mapped[str] = mapped_column(String(255), primary_key=True)


class Assignment(Base):
    """A principal holds a role of a product family on an object (``scope``: the family's root object,
    ``''`` for SDDC Manager and ``group-d1`` for vCenter, or any inventory object), and, when it
    ``propagate``s, on everything below it."""

    __tablename__ = "assignments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    family: Mapped[str] = mapped_column(String(16))
    principal_id: Mapped[str] = mapped_column(ForeignKey("principals.id", ondelete="CASCADE"))
    role_id: Mapped[str] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(255), default="")
    propagate: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[float] = mapped_column(Float)
    # The Operations object scope (``object_scopes``) this permission was made from, one row per
    # object of it; None for a permission given on one object or on the root.
    object_scope: Mapped[str | None] = mapped_column(String(36), nullable=True)
    __table_args__ = (
        # One role once per principal and object; vCenter's one permission per principal and object
        # is its own rule (``Permissions.add``): vRA principals hold several roles in one tenant.
        Index("ix_assignments_unique", "family", "principal_id", "scope", "role_id", unique=True),
        Index("ix_assignments_principal", "principal_id"),
        Index("ix_assignments_object_scope", "object_scope"),
    )


class ObjectScope(Base):
    """A named set of inventory objects that a role permission may be limited to (VCF Operations'
    object scopes): ``selections`` is JSON, a list of the traversal specification instances that
    name its objects (``{"spec": [adapter kind, resource kind, name], "all": bool, "picks":
    [[selection type, [object uuids]]]}``). A scope without a ``name`` is a permission's own,
    given inline with the permission and shown only with it."""

    __tablename__ = "object_scopes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    selections: Mapped[str] = mapped_column(Text, default="[]")
    created_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    modified_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    modified_at: Mapped[float] = mapped_column(Float)


class Token(Base):
    """An issued credential. Access tokens are keyed by their JWT id; refresh tokens by the digest
    of their secret id, so the table never holds a usable secret."""

    __tablename__ = "tokens"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # access | refresh
    family: Mapped[str] = mapped_column(String(16))
    principal_id: Mapped[str] = mapped_column(ForeignKey("principals.id", ondelete="CASCADE"))
    parent_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tenant: Mapped[str | None] = mapped_column(String(128), nullable=True)  # a vRA token's tenant
    issued_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        Index("ix_tokens_principal", "principal_id"),
        Index("ix_tokens_parent", "parent_id"),
        Index("ix_tokens_expires", "expires_at"),
    )


class ManagedObject(Base):
    """One inventory object of any kind, named by its managed-object id (``vm-1042``); ``path`` is
    the chain of ids from the root folder down to it (``/group-d1/datacenter-2/.../vm-1042/``),
    so a subtree is a prefix. Kind-specific values that nothing filters on live in ``details``."""

    __tablename__ = "objects"
    moid: Mapped[str] = mapped_column(String(32), primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    parent: Mapped[str | None] = mapped_column(String(32), nullable=True)
    path: Mapped[str] = mapped_column(Text)
    datacenter: Mapped[str | None] = mapped_column(String(32), nullable=True)
    folder: Mapped[str | None] = mapped_column(String(32), nullable=True)
    cluster: Mapped[str | None] = mapped_column(String(32), nullable=True)
    host: Mapped[str | None] = mapped_column(String(32), nullable=True)
    pool: Mapped[str | None] = mapped_column(String(32), nullable=True)
    subtype: Mapped[str | None] = mapped_column(String(32), nullable=True)
    power_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    cpu_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    memory_mib: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    capacity: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    free_space: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    details: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[float] = mapped_column(Float)
    vapp: Mapped[str | None] = mapped_column(String(36), nullable=True)  # a VM's vCD vApp (``vapps.id``)
    # A VM's power-on clock (``inventory.power_to``), epoch seconds of world time: when it last
    # booted (None while powered off), when it was last suspended, and how long it has been
    # suspended in all since it booted (vSphere's ``runtime.bootTime``, ``suspendTime``,
    # ``suspendInterval``)
    booted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    suspended_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    suspended_for: Mapped[float | None] = mapped_column(Float, nullable=True)
    __table_args__ = (
        Index("ix_objects_kind_name", "kind", "name"),
        Index("ix_objects_vapp", "vapp", "kind"),  # a vApp's VMs
        Index("ix_objects_kind_datacenter", "kind", "datacenter"),
        Index("ix_objects_kind_folder", "kind", "folder"),
        Index("ix_objects_kind_cluster", "kind", "cluster"),
        Index("ix_objects_kind_host", "kind", "host"),
        Index("ix_objects_kind_pool", "kind", "pool"),
        Index("ix_objects_parent", "parent"),
    )


class MetadataEntry(Base):
    """One metadata entry of a vCD object (``kind``: one of world/metadata.py's; ``object``: its
    id, an org's tenant name): a typed value under a key in a domain (GENERAL or SYSTEM), seen as
    its visibility allows."""

    __tablename__ = "metadata_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    object: Mapped[str] = mapped_column(String(128))
    domain: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(256))
    visibility: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(8))  # STRING, NUMBER, BOOLEAN or DATETIME
    value: Mapped[str] = mapped_column(Text)  # as the wire writes it (a number's digits, true/false)
    __table_args__ = (
        Index("ix_metadata_entries_object", "kind", "object", "domain", "key", unique=True),
        Index("ix_metadata_entries_key", "kind", "key"),  # the query service's filter
    )


class AccessSetting(Base):
    """One share of a vCD object (``kind`` vApp or catalog; ``object`` its id; ``tenant`` its
    org): an access level (ReadOnly, Change, FullControl) granted to a subject, a user or group
    (``subject`` its principal id), an org (its tenant's name) or everyone in the object's org
    (``subject_kind`` everyone, ``subject`` empty)."""

    __tablename__ = "access_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    object: Mapped[str] = mapped_column(String(36))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(16))
    __table_args__ = (
        Index("ix_access_settings_object", "kind", "object", "subject_kind", "subject", unique=True),
        Index("ix_access_settings_subject", "subject"),
    )


class WithheldRight(Base):
    """A vCD right an org does not have (``OrgRights``): an org holds every tenant right but these."""

    __tablename__ = "vcd_withheld_rights"
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"), primary_key=True)
    right: Mapped[str] = mapped_column(String(255), primary_key=True)


class VtMapping(Base):
    """An inventory object mapped to a vTContainer (vCenter's trusted-container authorization)."""

    __tablename__ = "vt_mappings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    vtcontainer: Mapped[str] = mapped_column(String(255))
    object: Mapped[str] = mapped_column(String(32))
    object_kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vt_mappings_unique", "vtcontainer", "object", unique=True),)


class PrivilegeCheck(Base):
    """One privilege check the server made, in order; the oldest are dropped beyond a bound."""

    __tablename__ = "privilege_checks"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session: Mapped[str | None] = mapped_column(String(64), nullable=True)  # digest of the session id
    principal_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    principal_domain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    object: Mapped[str] = mapped_column(String(32))
    privilege: Mapped[str] = mapped_column(String(255))
    op_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)


class ExternalStat(Base):
    """A metric sample pushed to a resource from outside (Operations' ``POST .../stats``); it takes
    the place of a simulated sample at the same instant."""

    __tablename__ = "external_stats"
    resource: Mapped[str] = mapped_column(String(36), primary_key=True)  # the object's uuid
    stat_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    at_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class Tenant(Base):
    """A tenant (an organization, in vCloud Director's words): the default one (``vsphere.local``,
    whose users are the SSO domain's), those a scenario declares and those made through vRA.
    ``name`` is vRA's ``id`` and ``urlName``; ``full_name`` its ``name``."""

    __tablename__ = "tenants"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[float] = mapped_column(Float)
    contact_email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class OrgSettingsRow(Base):
    """What vCloud Director adds to a tenant (``org_admin.py``): whether its org is enabled, its
    settings as JSON by section, and its SMTP password sealed (``sealed.py``), never in clear. A
    tenant without a row is enabled, with the product's default settings."""

    __tablename__ = "org_settings"
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    settings: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    smtp_password_sealed: Mapped[str] = mapped_column(Text, default="", server_default="")


class SystemSetting(Base):
    """One section of vCloud Director's system settings (``system_settings.py``), as JSON."""

    __tablename__ = "system_settings"
    section: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class IdentityStore(Base):
    """A directory linked to a tenant: its domain (a ``domains`` row of kind DIRECTORY, whose
    principals are the entries seen so far), how to reach it, and the bind password sealed with
    the data directory's key (``sealed.py``), never in clear."""

    __tablename__ = "identity_stores"
    domain: Mapped[str] = mapped_column(ForeignKey("domains.name", ondelete="CASCADE"), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    alias: Mapped[str | None] = mapped_column(String(255), nullable=True)
    type: Mapped[str] = mapped_column(String(16))  # LDAP | AD | NATIVE_AD
    url: Mapped[str] = mapped_column(Text)
    user_name_dn: Mapped[str] = mapped_column(Text)
    password_sealed: Mapped[str] = mapped_column(Text)
    user_base_dn: Mapped[str] = mapped_column(Text)
    group_base_dn: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_identity_stores_tenant", "tenant"),)


class BusinessGroup(Base):
    """A business group (a subtenant, in vRA's API) of a tenant; who manages, supports and
    belongs to it are role assignments on the scope ``subtenant:<id>``. ``extension_data``: its
    custom properties as vRA's ``extensionData`` JSON."""

    __tablename__ = "business_groups"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    extension_data: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_business_groups_tenant_name", "tenant", "name", unique=True),)


class OrgVdc(Base):
    """A virtual datacenter of an org (vCloud Director's org VDC): the compute and storage an org
    may use, backed by a resource pool of the inventory (``pool``, its moid) where its VMs run.
    Limits are in MHz and MB, 0 for none."""

    __tablename__ = "org_vdcs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    pool: Mapped[str] = mapped_column(String(32))
    allocation_model: Mapped[str] = mapped_column(String(32))
    cpu_limit_mhz: Mapped[int] = mapped_column(BigInteger, default=0)
    memory_limit_mb: Mapped[int] = mapped_column(BigInteger, default=0)
    storage_limit_mb: Mapped[int] = mapped_column(BigInteger, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[float] = mapped_column(Float)
    # The allocation model's terms (``vdc_admin.py``): what is allocated (MHz, MB), the share of it
    # (or of what a VM is given) guaranteed, a vCPU's speed (MHz), and quotas (0: none).
    cpu_allocated_mhz: Mapped[int] = mapped_column(BigInteger, default=0)
    memory_allocated_mb: Mapped[int] = mapped_column(BigInteger, default=0)
    cpu_guaranteed: Mapped[float] = mapped_column(Float, default=0.0)
    memory_guaranteed: Mapped[float] = mapped_column(Float, default=1.0)
    vcpu_mhz: Mapped[int] = mapped_column(BigInteger, default=1000)
    vm_quota: Mapped[int] = mapped_column(Integer, default=0)
    nic_quota: Mapped[int] = mapped_column(Integer, default=0)
    network_quota: Mapped[int] = mapped_column(Integer, default=0)
    thin_provision: Mapped[bool] = mapped_column(Boolean, default=False)
    fast_provisioning: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (Index("ix_org_vdcs_tenant_name", "tenant", "name", unique=True),)


class Catalog(Base):
    """A catalog of an org: vApp templates and media (``catalog_items``)."""

    __tablename__ = "catalogs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("principals.id", ondelete="SET NULL"), nullable=True
    )
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_catalogs_tenant_name", "tenant", "name", unique=True),)


class CatalogItem(Base):
    """An entry of a catalog and the entity it offers (``entity_id``): a vApp template
    (``kind`` VAPP_TEMPLATE; ``spec``: its VMs as JSON ``[{name, cpus, memory_mb, disk_mb, guest_os}]``)
    or a media image (MEDIA; ``spec``: ``{"image_type": "iso"}``). Its storage lives in ``vdc``."""

    __tablename__ = "catalog_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    catalog: Mapped[str] = mapped_column(ForeignKey("catalogs.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    vdc: Mapped[str | None] = mapped_column(ForeignKey("org_vdcs.id", ondelete="SET NULL"), nullable=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    spec: Mapped[str] = mapped_column(Text, default="{}")
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("principals.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[float] = mapped_column(Float)
    storage_profile: Mapped[str | None] = mapped_column(String(36), nullable=True)  # None: the VDC's ``*``
    # A vApp template's storage lease (``vapp_leases.py``): seconds (0: never), when it runs out,
    # and whether it ran out (an expired template).
    storage_lease_s: Mapped[int] = mapped_column(BigInteger, default=0)
    storage_expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    expired: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        Index("ix_catalog_items_catalog_name", "catalog", "name", unique=True),
        Index("ix_catalog_items_tenant_kind_name", "tenant", "kind", "name"),
    )


class OrgNetwork(Base):
    """An org VDC network, backed by a port group of the inventory (``network``, its moid) that
    its VMs connect to. ``fence_mode`` is vCD's: ``bridged``, ``isolated`` or ``natRouted``."""

    __tablename__ = "org_networks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    vdc: Mapped[str] = mapped_column(ForeignKey("org_vdcs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    fence_mode: Mapped[str] = mapped_column(String(16))
    gateway: Mapped[str] = mapped_column(String(64))
    netmask: Mapped[str] = mapped_column(String(64))
    dns: Mapped[str] = mapped_column(String(64), default="")
    network: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_org_networks_vdc_name", "vdc", "name", unique=True),)


class VApp(Base):
    """A vApp of an org VDC; its VMs are inventory objects whose ``vapp`` is its id. ``deployed``
    is vCD's: a vApp is deployed once its VMs were started and until it is undeployed."""

    __tablename__ = "vapps"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    vdc: Mapped[str] = mapped_column(ForeignKey("org_vdcs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("principals.id", ondelete="SET NULL"), nullable=True
    )
    deployed: Mapped[bool] = mapped_column(Boolean, default=False)
    folder: Mapped[str] = mapped_column(String(32))  # the inventory folder of its VMs
    networks: Mapped[str] = mapped_column(Text, default="[]")  # the org networks it is on: JSON ids
    created_at: Mapped[float] = mapped_column(Float)
    # Its storage policy (``vdc_storage_profiles.id``; None: its VDC's ``*``) and its leases
    # (``vapp_leases.py``): in seconds (0: never), when each runs out (None: not running), and
    # whether its storage lease ran out (an expired vApp, kept until the org deletes it).
    storage_profile: Mapped[str | None] = mapped_column(String(36), nullable=True)
    deployment_lease_s: Mapped[int] = mapped_column(BigInteger, default=0)
    storage_lease_s: Mapped[int] = mapped_column(BigInteger, default=0)
    deployment_expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    storage_expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    expired: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        Index("ix_vapps_vdc_name", "vdc", "name", unique=True),
        Index("ix_vapps_tenant_name", "tenant", "name"),
    )


class Task(Base):
    """A long operation (``tasks.py``): its change is made when it starts (or, held, when it is
    resumed; taken back if it is cancelled); it is queued, then running until ``ends_at`` on the
    world clock, then ``status`` (success, error, aborted).
    ``owner_*``: the object it changes, by its kind (``vApp``, ``vm``, ...), id and name."""

    __tablename__ = "tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    operation_name: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(Text)
    service: Mapped[str] = mapped_column(String(64))
    owner_kind: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(36))
    owner_name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("principals.id", ondelete="SET NULL"), nullable=True
    )
    user_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text, default="")
    # How to take its change back if it is cancelled, as JSON (``tasks.py``); "": it cannot be.
    undo: Mapped[str] = mapped_column(Text, default="")
    # The change a held task makes when it is resumed, as JSON (``tasks.py``); "": none waits.
    change: Mapped[str] = mapped_column(Text, default="")
    # The kind of world error an ``error`` task failed with (``WrongState``...); "": unknown.
    error_kind: Mapped[str] = mapped_column(String(32), default="")
    started_at: Mapped[float] = mapped_column(Float)
    ends_at: Mapped[float] = mapped_column(Float)
    # How far the task is, 0-100, for a task not on the clock: an extension service's (as it last
    # said) or an upload's (as far as its bytes); None for a task on the clock.
    progress: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What a vSphere task answers with, as a JSON array: the id of the object it made (success),
    # or the values its error quotes (error); None for other tasks.
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (
        Index("ix_tasks_tenant_started", "tenant", "started_at"),
        Index("ix_tasks_owner", "owner_id"),
    )


class TransferFile(Base):
    """A file of an upload or download (vCD's transfer service): ``transfer`` names it in its URL
    (``/transfer/<transfer>/<name>``), ``entity`` is the template or medium it belongs to;
    ``size`` the bytes it has when complete, ``received`` how many of them have arrived (in order).
    Its bytes lie in the data directory, under its id."""

    __tablename__ = "transfer_files"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer: Mapped[str] = mapped_column(String(36))
    entity: Mapped[str] = mapped_column(String(36))
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        Index("ix_transfer_files_name", "transfer", "name", unique=True),
        Index("ix_transfer_files_entity", "entity"),
    )


class Disk(Base):
    """An independent disk of an org VDC (vCD's ``Disk``): its size in bytes, its bus, and the
    VM it is attached to (``vm``: the inventory object's uuid; None: detached)."""

    __tablename__ = "disks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    vdc: Mapped[str] = mapped_column(ForeignKey("org_vdcs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    bus_type: Mapped[str] = mapped_column(String(8))
    bus_sub_type: Mapped[str] = mapped_column(String(32))
    iops: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    owner_id: Mapped[str | None] = mapped_column(
        ForeignKey("principals.id", ondelete="SET NULL"), nullable=True
    )
    vm: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    storage_profile: Mapped[str | None] = mapped_column(String(36), nullable=True)  # None: the VDC's ``*``
    __table_args__ = (Index("ix_disks_vdc_name", "vdc", "name"), Index("ix_disks_vm", "vm"))


class VdcStorageProfileRow(Base):
    """A storage policy of an org VDC (vCD's ``VdcStorageProfile``): one of its provider VDC's
    (``provider_profile``: the provider VDC storage policy's name), enabled or not, its limit in
    MB (0: none), and whether new vApps, disks and templates of the VDC go to it by default."""

    __tablename__ = "vdc_storage_profiles"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    vdc: Mapped[str] = mapped_column(ForeignKey("org_vdcs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    limit_mb: Mapped[int] = mapped_column(BigInteger, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vdc_storage_profiles_vdc_name", "vdc", "name", unique=True),)


class VraService(Base):
    """A service of vRA's catalog (``catalog-service``): a named shelf of catalog items."""

    __tablename__ = "vra_services"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))  # ACTIVE | INACTIVE
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vra_services_tenant_name", "tenant", "name", unique=True),)


class VraCatalogItem(Base):
    """A vRA catalog item: a published blueprint of ``kind`` vsphere, vcloud or amazon, with the
    ranges a request must keep to (CPUs, memory in MB, storage in GB), its lease in days and the
    provider's id of the blueprint (``blueprint_id``). ``spec`` holds what one kind alone has, as
    JSON: ``reservation_policy_id``, ``template_id`` (vcloud: the vApp template's entity id),
    ``ami`` and ``instance_types`` (amazon), ``machine_prefix``."""

    __tablename__ = "vra_catalog_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    service_id: Mapped[str] = mapped_column(ForeignKey("vra_services.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # PUBLISHED | RETIRED
    blueprint_id: Mapped[str] = mapped_column(String(36))
    cpu_min: Mapped[int] = mapped_column(Integer)
    cpu_max: Mapped[int] = mapped_column(Integer)
    cpu_default: Mapped[int] = mapped_column(Integer)
    memory_min: Mapped[int] = mapped_column(Integer)
    memory_max: Mapped[int] = mapped_column(Integer)
    memory_default: Mapped[int] = mapped_column(Integer)
    storage_min: Mapped[int] = mapped_column(Integer)
    storage_max: Mapped[int] = mapped_column(Integer)
    storage_default: Mapped[int] = mapped_column(Integer)
    lease_days: Mapped[int] = mapped_column(Integer)
    spec: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vra_catalog_items_tenant_name", "tenant", "name", unique=True),)


class VraApprovalPolicy(Base):
    """An approval policy: ``levels`` as JSON ``[{"name", "phase": PRE|POST, "approvers":
    [{"principalId": "name@domain", "principalType": USER|GROUP}]}]``, in the order they apply."""

    __tablename__ = "vra_approval_policies"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    type_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16))  # ACTIVE | INACTIVE | DRAFT
    levels: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vra_approval_policies_tenant_name", "tenant", "name", unique=True),)


class VraEntitlement(Base):
    """An entitlement: what a business group's users may request (``vra_entitled_items``) and
    which resource actions they may run (``actions``, JSON ids)."""

    __tablename__ = "vra_entitlements"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    subtenant_id: Mapped[str] = mapped_column(ForeignKey("business_groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))  # ACTIVE | INACTIVE | DRAFT
    actions: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vra_entitlements_tenant_name", "tenant", "name", unique=True),)


class VraEntitledItem(Base):
    """A catalog item an entitlement grants, under an approval policy (None: none)."""

    __tablename__ = "vra_entitled_items"
    entitlement_id: Mapped[str] = mapped_column(
        ForeignKey("vra_entitlements.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(
        ForeignKey("vra_catalog_items.id", ondelete="CASCADE"), primary_key=True
    )
    policy_id: Mapped[str | None] = mapped_column(
        ForeignKey("vra_approval_policies.id", ondelete="SET NULL"), nullable=True
    )
    __table_args__ = (Index("ix_vra_entitled_items_item", "item_id"),)


class VraRequest(Base):
    """A catalog request. ``state`` is what it rests in (PENDING_PRE_APPROVAL, PROVISIONING,
    PENDING_POST_APPROVAL, SUCCESSFUL, FAILED, REJECTED); while PROVISIONING its task
    (``task_id``) tells, on the world clock, whether it is SUBMITTED, IN_PROGRESS or done
    (``requests.state_at``). ``data``: its ``requestData`` entries as JSON; ``reason``: why it
    failed or was rejected. ``policy_id``: the approval policy it falls under. A resource action
    request names its machine (``resource_id``) and ``action`` (the action's binding id); its
    ``item_id`` is the machine's catalog item."""

    __tablename__ = "vra_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(ForeignKey("vra_catalog_items.id", ondelete="CASCADE"))
    subtenant_id: Mapped[str] = mapped_column(ForeignKey("business_groups.id", ondelete="CASCADE"))
    requested_for: Mapped[str] = mapped_column(String(512))
    requested_by: Mapped[str] = mapped_column(String(512))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    reasons: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[str] = mapped_column(Text, default="[]")
    state: Mapped[str] = mapped_column(String(32))
    policy_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    post_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    resource_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    action: Mapped[str | None] = mapped_column(String(64), nullable=True)
    __table_args__ = (
        Index("ix_vra_requests_tenant_created", "tenant", "created_at"),
        Index("ix_vra_requests_requested_by", "requested_by"),
        Index("ix_vra_requests_requested_for", "requested_for"),
    )


class VraWorkItem(Base):
    """An approval waiting on its assignees (``assignees``: JSON ``[{"principalId",
    "principalType"}]``) for one level of a request's policy; visible from ``opens_at`` (a
    post-approval opens when provisioning ends). ``action``: approve | reject once completed."""

    __tablename__ = "vra_work_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    request_id: Mapped[str] = mapped_column(ForeignKey("vra_requests.id", ondelete="CASCADE"))
    subtenant_id: Mapped[str] = mapped_column(String(36))
    phase: Mapped[str] = mapped_column(String(8))  # PRE | POST
    level: Mapped[int] = mapped_column(Integer)
    assignees: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # Active | Completed
    action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    justification: Mapped[str] = mapped_column(Text, default="")
    completed_by: Mapped[str | None] = mapped_column(String(512), nullable=True)
    opens_at: Mapped[float] = mapped_column(Float)
    completed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        Index("ix_vra_work_items_tenant_status", "tenant", "status"),
        Index("ix_vra_work_items_request", "request_id"),
    )


class VraMachine(Base):
    """A machine a request provisioned (a catalog resource): a world VM (``vm``, its moid), a
    vApp (``vapp``) or a simulated EC2 instance (``instance``), with its address; its lease ends
    at ``expires_at`` (None: no lease)."""

    __tablename__ = "vra_machines"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    request_id: Mapped[str] = mapped_column(ForeignKey("vra_requests.id", ondelete="CASCADE"))
    subtenant_id: Mapped[str] = mapped_column(String(36))
    owner: Mapped[str] = mapped_column(String(512))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    vm: Mapped[str | None] = mapped_column(String(32), nullable=True)
    vapp: Mapped[str | None] = mapped_column(String(36), nullable=True)
    instance: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    __table_args__ = (
        Index("ix_vra_machines_request", "request_id"),
        Index("ix_vra_machines_owner", "tenant", "owner", "created_at"),
        Index("ix_vra_machines_subtenant", "subtenant_id", "created_at"),
    )


class Ec2Instance(Base):
    """A machine of the simulated EC2 endpoint that Amazon blueprints provision to."""

    __tablename__ = "ec2_instances"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # i-0123456789abcdef0
    region: Mapped[str] = mapped_column(String(32))
    image_id: Mapped[str] = mapped_column(String(32))
    instance_type: Mapped[str] = mapped_column(String(32))
    key_pair_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    state: Mapped[str] = mapped_column(String(16))  # pending | running | stopped | terminated
    private_ip: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)


class ReservationPolicy(Base):
    """A vRA reservation policy of a tenant: a name that blueprints and reservations share, so a
    request goes only to the reservations of its blueprint's policy."""

    __tablename__ = "vra_reservation_policies"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vra_reservation_policies_tenant_name", "tenant", "name", unique=True),)


class KeyPair(Base):
    """An Amazon key pair of a tenant, in a simulated EC2 region (``region``). Only its public half
    is kept (OpenSSH form) with its fingerprint: the private key is never stored nor shown."""

    __tablename__ = "vra_key_pairs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    region: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vra_key_pairs_tenant_name", "tenant", "name", unique=True),)


class NetworkProfile(Base):
    """A vRA network profile of a tenant (``profile_type``: EXTERNAL, NAT or PRIVATE) with its
    subnet; ``details``: the rest of vRA's fields as JSON (DNS, WINS, NAT type, external profile)."""

    __tablename__ = "vra_network_profiles"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    profile_type: Mapped[str] = mapped_column(String(16))
    gateway: Mapped[str | None] = mapped_column(String(64), nullable=True)
    subnet_mask: Mapped[str] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vra_network_profiles_tenant_name", "tenant", "name", unique=True),)


class IpRange(Base):
    """A range of IPv4 addresses of a network profile, as 32-bit numbers, both ends included."""

    __tablename__ = "vra_ip_ranges"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("vra_network_profiles.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    start_num: Mapped[int] = mapped_column(BigInteger)
    end_num: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_vra_ip_ranges_profile_start", "profile_id", "start_num"),)


class IpAllocation(Base):
    """An address of a network profile held by ``owner`` (a machine's id); a profile holding any is
    not deleted (no cascade)."""

    __tablename__ = "vra_ip_allocations"
    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("vra_network_profiles.id"))
    address_num: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        Index("ix_vra_ip_allocations_profile_address", "profile_id", "address_num", unique=True),
    )


class Reservation(Base):
    """A vRA reservation: a business group's (``subtenant``) share of one compute resource
    (``kind`` vsphere: a cluster's moid in ``target``, optionally a resource pool; vcloud: an org
    VDC's id; amazon: an EC2 region name). Quotas in MB and GB (``machine_quota`` 0: unlimited),
    what placed machines hold (``used_*``, ``machines``), and in ``details`` the storages,
    networks and the rest of vRA's extension data as JSON."""

    __tablename__ = "vra_reservations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    subtenant: Mapped[str] = mapped_column(ForeignKey("business_groups.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(64))
    resource_pool: Mapped[str | None] = mapped_column(String(32), nullable=True)
    policy_id: Mapped[str | None] = mapped_column(ForeignKey("vra_reservation_policies.id"), nullable=True)
    network_profile_id: Mapped[str | None] = mapped_column(
        ForeignKey("vra_network_profiles.id"), nullable=True
    )
    key_pair_id: Mapped[int | None] = mapped_column(ForeignKey("vra_key_pairs.id"), nullable=True)
    priority: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean)
    memory_mb: Mapped[int] = mapped_column(BigInteger)
    storage_gb: Mapped[int] = mapped_column(BigInteger)
    machine_quota: Mapped[int] = mapped_column(Integer)
    used_memory_mb: Mapped[int] = mapped_column(BigInteger, default=0)
    used_storage_gb: Mapped[int] = mapped_column(BigInteger, default=0)
    machines: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        Index("ix_vra_reservations_tenant_name", "tenant", "name", unique=True),
        Index("ix_vra_reservations_placing", "subtenant", "kind", "priority"),
    )


class ReservationAllocation(Base):
    """What one placed machine (``owner``) holds of a reservation."""

    __tablename__ = "vra_reservation_allocations"
    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    reservation_id: Mapped[str] = mapped_column(ForeignKey("vra_reservations.id", ondelete="CASCADE"))
    memory_mb: Mapped[int] = mapped_column(BigInteger)
    storage_gb: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_vra_reservation_allocations_reservation", "reservation_id"),)


class Snapshot(Base):
    """A saved copy of the whole world; its rows are in ``snapshot_chunks``."""

    __tablename__ = "snapshots"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float)
    revision: Mapped[str] = mapped_column(String(32))  # the schema revision it was saved at
    rows: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(BigInteger)  # bytes, compressed


class SnapshotChunk(Base):
    """One piece of a snapshot's compressed rows, in order."""

    __tablename__ = "snapshot_chunks"
    snapshot: Mapped[str] = mapped_column(ForeignKey("snapshots.name", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FaultRule(Base):
    """A fault to inject into matching requests (the control API's ``/faults``): ``rule`` is its
    JSON; ``seen`` counts the matching calls so far and ``fired`` the faults injected."""

    __tablename__ = "fault_rules"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rule: Mapped[str] = mapped_column(Text)
    seen: Mapped[int] = mapped_column(BigInteger, default=0)
    fired: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[float] = mapped_column(Float)


# --- events, extension services, blocking tasks and notifications (``events.py``,
# ``extension_services.py``, ``blocking_tasks.py``, ``notifications.py``) ---------------------


class Event(Base):
    """Something that happened in the world, face-neutral: ``action`` (the task's operation name,
    ``login``, what an extension service said, or what an operation did beside its task:
    ``vm_tasks.FACTS``, ``details`` then JSON) on the entity ``entity_*`` by the user
    ``user_*``, in an org, at world time ``at``, succeeded or not. ``seq``: its number in the
    order events were recorded (from 1; ``events.EVENT_SEQUENCE``). ``pending``: still to be
    published to the AMQP broker (set only while notifications are on)."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(128))
    entity_kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    entity_name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    user_name: Mapped[str] = mapped_column(String(255))
    service: Mapped[str] = mapped_column(String(128))
    success: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[float] = mapped_column(Float)
    details: Mapped[str] = mapped_column(Text, default="")
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        Index("ix_events_tenant_at", "tenant", "at"),
        Index("ix_events_at", "at"),
        Index("ix_events_pending", "pending"),
        Index("ix_events_seq", "seq", unique=True),
        Index("ix_events_task", "task_id"),  # a chain's first event (event_history)
    )


class ExtensionService(Base):
    """An extension service a system administrator registered: where its messages go (AMQP
    ``exchange`` and ``routing_key``), the URL patterns it serves (``filters``, JSON list of
    {id, pattern, content_type}) and its API definitions (``definitions``, JSON list)."""

    __tablename__ = "extension_services"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    namespace: Mapped[str] = mapped_column(String(255), unique=True)
    routing_key: Mapped[str] = mapped_column(String(255))
    exchange: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean)
    authorization_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[int] = mapped_column(Integer, default=50)
    vendor: Mapped[str] = mapped_column(String(255), default="")
    definitions: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[float] = mapped_column(Float)


class ExtensionApiFilter(Base):
    """A URL pattern (a regular expression) or response content type an extension service
    serves, in the order it was given (``seq``)."""

    __tablename__ = "extension_api_filters"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service: Mapped[str] = mapped_column(ForeignKey("extension_services.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    url_pattern: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_content_type: Mapped[str | None] = mapped_column(String(255), nullable=True)
    __table_args__ = (Index("ix_extension_api_filters_service", "service", "seq"),)


class ExtensionSetting(Base):
    """A system setting of the extension API by name (``amqp``, ``notifications``,
    ``blockingTask``) as JSON; a password in it is sealed."""

    __tablename__ = "extension_settings"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class BlockingTask(Base):
    """A task held until an extension resumes, aborts or fails it, or ``timeout_at`` (world
    time) passes and ``timeout_action`` is taken; ``status`` active, resumed, aborted or failed."""

    __tablename__ = "blocking_tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(ForeignKey("tenants.name", ondelete="CASCADE"))
    operation_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[float] = mapped_column(Float)
    timeout_at: Mapped[float] = mapped_column(Float)
    timeout_action: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        Index("ix_blocking_tasks_status", "status", "timeout_at"),
        Index("ix_blocking_tasks_task", "task_id"),
    )


class PropertyFilter(Base):
    """A vSphere PropertyCollector filter (SOAP ``CreateFilter``), kept for the session that made
    it (``session``: the digest of its id, as the tokens table keys it): ``spec`` is the filter's
    FilterSpec as the SOAP face wrote it, read back when the session waits for updates."""

    __tablename__ = "property_filters"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session: Mapped[str] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"), index=True)
    spec: Mapped[str] = mapped_column(Text)
    partial_updates: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[float] = mapped_column(Float)
    # The session's own collector the filter belongs to (``session_objects``); None: the default one.
    collector: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # What the filter last told (``world.filter_updates``): the digest of the values it selected
    # then, and per object the fingerprint of each property with the version it changed at.
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    told: Mapped[str | None] = mapped_column(Text, nullable=True)  # compressed, in base64


class CollectorVersion(Base):
    """The update version of one of a session's PropertyCollectors (``collector``: its id, "" for
    the default one): ``version`` the latest it gave, ``floor`` the oldest it can still answer from."""

    __tablename__ = "collector_versions"
    session: Mapped[str] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"), primary_key=True)
    collector: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    floor: Mapped[int] = mapped_column(Integer)


class SessionObject(Base):
    """A managed object a vSphere session made and owns until it destroys it or ends (SOAP
    ``CreatePropertyCollector``, ``CreateListView``): its id, as the SOAP face names it, and its type."""

    __tablename__ = "session_objects"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    session: Mapped[str] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text, default="")  # what the face keeps of it (a list view's objects)
    created_at: Mapped[float] = mapped_column(Float)


class EventCollector(Base):
    """A vSphere event history collector (SOAP ``CreateCollectorForEvents``), kept for the session
    that made it (``session``: the digest of its id): ``spec`` its filter as the world's
    ``event_history.EventFilter`` in JSON, ``page_size`` its latest page's length, and where its
    scrollable view stands: just after (``after``) or just before the event (``at``, ``event``:
    its ``seq``), or before every event when ``event`` is None."""

    __tablename__ = "event_collectors"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session: Mapped[str] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"), index=True)
    spec: Mapped[str] = mapped_column(Text)
    page_size: Mapped[int] = mapped_column(Integer)
    at: Mapped[float | None] = mapped_column(Float, nullable=True)
    event: Mapped[int | None] = mapped_column(Integer, nullable=True)
    after: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)


class VmSnapshot(Base):
    """A vSphere snapshot of a VM (``snapshot-<n>``): ``parent`` the snapshot it was taken on top
    of (None: a root of the VM's tree), the VM's ``power_state`` then, and ``state``, the VM's
    columns and devices then as JSON (``cpu_count``, ``memory_mib``, ``details``), which a revert
    puts back."""

    __tablename__ = "vm_snapshots"
    moid: Mapped[str] = mapped_column(String(32), primary_key=True)
    vm: Mapped[str] = mapped_column(ForeignKey("objects.moid", ondelete="CASCADE"), index=True)
    parent: Mapped[str | None] = mapped_column(String(32), nullable=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text)
    power_state: Mapped[str] = mapped_column(String(16))
    quiesced: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)


# The emulator's own bookkeeping, not the world: never saved in a snapshot, never replaced by a
# restore, never emptied by a reset.
NOT_WORLD = frozenset(cls.__tablename__ for cls in (Snapshot, SnapshotChunk, FaultRule))
# Every table of the world, parents first; new tables join by themselves.
WORLD_TABLES = [table for table in Base.metadata.sorted_tables if table.name not in NOT_WORLD]
