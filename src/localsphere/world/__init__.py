"""The world: state and rules shared by every face. No HTTP and no wire formats in here."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsphere.settings import Settings
from localsphere.world import datastore_space
from localsphere.world.access import ROOTS, VCD, VRA, Access, Caller, Permissions, require
from localsphere.world.accounts import Accounts
from localsphere.world.api_tokens import ApiTokens
from localsphere.world.approvals import Approvals
from localsphere.world.auth import Auth
from localsphere.world.auth_sources import AuthSources
from localsphere.world.authz_records import PrivilegeChecks, VtMappings
from localsphere.world.blocking_tasks import BlockingTasks
from localsphere.world.business_groups import BusinessGroups
from localsphere.world.catalog import Catalog
from localsphere.world.catalog_admin import CatalogAdmin
from localsphere.world.catalogs import Catalogs
from localsphere.world.clock import Clock
from localsphere.world.compute_resources import ComputeResources
from localsphere.world.copies import Generation
from localsphere.world.custom_fields import CustomFields
from localsphere.world.disks import Disks
from localsphere.world.entity_permissions import EntityPermissions
from localsphere.world.event_history import EventHistory
from localsphere.world.events import Events
from localsphere.world.extension_requests import ExtensionRequests
from localsphere.world.extension_services import ExtensionServices
from localsphere.world.facts import Facts
from localsphere.world.faults import Faults
from localsphere.world.identity import Identity
from localsphere.world.identity_stores import IdentityStores
from localsphere.world.inventory import Inventory
from localsphere.world.inventory_edits import InventoryEdits
from localsphere.world.inventory_graph import InventoryGraph
from localsphere.world.inventory_removals import InventoryRemovals
from localsphere.world.key_pairs import KeyPairs
from localsphere.world.lease_expiry import LeaseExpiry
from localsphere.world.live_sessions import LiveSessions
from localsphere.world.metadata import Metadata
from localsphere.world.metrics import Metrics
from localsphere.world.network_profiles import NetworkProfiles
from localsphere.world.notifications import Notifications
from localsphere.world.object_scopes import ObjectScopes
from localsphere.world.org_admin import OrgAdmin
from localsphere.world.org_people import OrgPeople
from localsphere.world.org_roles import OrgRoles
from localsphere.world.org_vdcs import OrgVdcs
from localsphere.world.plan import Scenario
from localsphere.world.policy import Policies, overrides
from localsphere.world.property_filters import PropertyFilters
from localsphere.world.provider_view import ProviderView
from localsphere.world.requests import Requests
from localsphere.world.reservations import ReservationPolicies, Reservations
from localsphere.world.resource_queries import ResourceQueries
from localsphere.world.resources import Resources
from localsphere.world.roles import Roles
from localsphere.world.schema import Domain
from localsphere.world.sealed import Sealer
from localsphere.world.seed import seed
from localsphere.world.session_extras import SessionExtras
from localsphere.world.session_objects import SessionObjects
from localsphere.world.sessions import Sessions
from localsphere.world.sharing import Sharing
from localsphere.world.snapshots import Snapshots
from localsphere.world.state import WorldState
from localsphere.world.store import WHOLE_WORLD, Store, changed
from localsphere.world.system_settings import SystemSettings
from localsphere.world.tasks import Tasks
from localsphere.world.tenant_principals import TenantPrincipals
from localsphere.world.tenant_roles import TenantRoles
from localsphere.world.tenant_tokens import TenantTokens, vra_token_id
from localsphere.world.tenants import Tenants
from localsphere.world.tokens import Tokens
from localsphere.world.transfers import Transfers
from localsphere.world.typed_queries import TypedQueries
from localsphere.world.user_directory import UserDirectory
from localsphere.world.vapps import VApps
from localsphere.world.vdc_admin import VdcAdmin
from localsphere.world.vdc_storage_profiles import VdcStorageProfiles
from localsphere.world.vm_guest import VmGuest
from localsphere.world.vm_hardware import VmHardware
from localsphere.world.vm_placement import VmPlacement
from localsphere.world.vm_snapshots import VmSnapshots
from localsphere.world.vm_tasks import VmTasks
from localsphere.world.vpx_settings import VpxSettings

Progress = Callable[[int], None]  # hears how many VMs a load has made so far


@dataclass(frozen=True)
class Loaded:
    objects: int  # inventory objects made
    vms: int
    seconds: float


class World:
    """One process's handle on the shared world: the store and the services over it."""

    def __init__(self, settings: Settings, generations: Mapping[str, Generation] | None = None) -> None:
        """``generations``: per topic of change, the generation the server's workers share (none:
        this process shares its world with no other worker)."""
        self.store = Store(settings.database_url, generations)
        datastore_space.keep(self.store)
        self.state = WorldState(self.store, settings.change_poll_seconds)
        self.clock = Clock(self.store)
        self.policies = Policies(settings.policy)
        self.auth = Auth(self.store, self.clock, self.state, self.policies)
        self.access = Access(self.store, self.clock, settings.change_poll_seconds)
        self.identity = Identity(self.store)
        self.user_directory = UserDirectory(self.store, self.identity)  # vSphere's user search
        self.accounts = Accounts(self.store, self.clock, self.auth)
        self.tokens = Tokens(self.store, self.clock, self.state, self.access, self.policies)
        self.sessions = Sessions(self.store, self.state, self.access, self.policies)
        self.live_sessions = LiveSessions(self.store, self.state)  # vSphere's session list (SOAP)
        self.session_extras = SessionExtras(self.store, self.state)  # vSphere's clone tickets, message
        self.custom_fields = CustomFields(self.store)  # vSphere's custom attributes
        self.vpx_settings = VpxSettings(self.store)  # vCenter's advanced settings (OptionManager)
        self.roles = Roles(self.store, self.clock)
        self.permissions = Permissions(self.store, self.clock)
        self.entity_permissions = EntityPermissions(self.store, self.clock, self.access)  # vSphere SOAP
        self.vt_mappings = VtMappings(self.store, self.clock)
        self.api_tokens = ApiTokens(self.store, self.clock)
        self.privilege_checks = PrivilegeChecks(self.store, self.state)
        self.inventory = Inventory(self.store, self.clock, settings.change_poll_seconds)
        self.inventory_graph = InventoryGraph(self.store)  # bulk reads for vSphere's SOAP API
        self.property_filters = PropertyFilters(self.store, self.clock)  # vSphere's SOAP API
        self.session_objects = SessionObjects(self.store, self.clock)  # a SOAP session's collectors, views
        # vCenter's inventory changes: datacenters, hosts and pools; VM placement and devices
        self.compute_resources = ComputeResources(self.store, self.clock)
        self.vm_placement = VmPlacement(self.store, self.clock)
        self.vm_hardware = VmHardware(self.store, self.clock)
        self.vm_guest = VmGuest(self.store)
        self.vm_snapshots = VmSnapshots(self.store, self.clock)  # vSphere's VM snapshots (SOAP)
        self.inventory_edits = InventoryEdits(self.store, self.clock)  # renames, folders, templates
        self.inventory_removals = InventoryRemovals(self.store)  # hosts, clusters, datastores, networks
        self.resource_queries = ResourceQueries(self.store)
        self.object_scopes = ObjectScopes(self.store, self.clock)  # Operations' scoped permissions
        self.metrics = Metrics(self.store, self.clock, self.state, settings.change_poll_seconds)
        self.faults = Faults(self.store, self.clock)
        self.snapshots = Snapshots(self.store, self.clock)
        # vRA's identity service: tenants, their identity stores and principals, roles, tokens
        self.tenants = Tenants(self.store, self.clock, settings.change_poll_seconds)
        self.identity_stores = IdentityStores(self.store, self.clock, Sealer(settings.data_dir))
        self.tenant_principals = TenantPrincipals(
            self.store, self.clock, self.state, self.auth, self.tenants, self.identity_stores
        )
        # Operations' LDAP and AD auth sources: the default tenant's identity stores
        self.auth_sources = AuthSources(
            self.store, self.identity_stores, self.tenant_principals, self.accounts
        )
        self.tenant_roles = TenantRoles(self.store, self.clock, self.tenant_principals)
        self.business_groups = BusinessGroups(self.store, self.clock, self.tenant_principals)
        self.tenant_tokens = TenantTokens(
            self.store,
            self.policies,
            self.sessions,
            self.tenant_principals,
            VRA,
            lifetime=lambda policy: policy.vra_token_ttl,
            shape=vra_token_id,
        )
        # vCloud Director: an org is a tenant (the System org the default one); sessions live
        # while they are used.
        # The event log every task and sign-in writes; notifications publish it to a broker.
        self.events = Events(self.store, self.clock)
        self.notifications = Notifications(self.store, Sealer(settings.data_dir))
        self.events.on_pending(self.notifications.wake)
        self.org_sessions = TenantTokens(
            self.store, self.policies, self.sessions, self.tenant_principals, VCD, events=self.events
        )
        self.tasks = Tasks(self.store, self.clock, self.policies, self.events)
        self.blocking_tasks = BlockingTasks(self.store, self.clock, self.tasks, self.events)
        self.extension_services = ExtensionServices(self.store, self.clock)
        self.extension_requests = ExtensionRequests(self.notifications, settings.extension_timeout)
        self.facts = Facts(self.store, self.clock, self.events)  # what operations did, for the event log
        self.vm_tasks = VmTasks(
            self.store, self.clock, self.tasks, self.events, self.facts
        )  # vSphere's VM tasks
        self.event_history = EventHistory(self.store, self.clock, self.events)  # vSphere's event reads
        self.org_vdcs = OrgVdcs(self.store, self.clock)
        self.catalogs = Catalogs(self.store)
        self.vapps = VApps(self.store, self.clock, self.tasks, self.catalogs)
        self.metadata = Metadata(self.store, self.tasks)
        # vCD's provider administration: org VDCs, and the provider's view of vCenter
        self.vdc_admin = VdcAdmin(self.store, self.clock, self.tasks)
        self.vdc_storage_profiles = VdcStorageProfiles(self.store, self.clock, self.tasks)
        self.lease_expiry = LeaseExpiry(self.store, self.clock)
        self.provider_view = ProviderView(self.store, self.clock, self.tasks)
        # vCD's uploads and downloads (files in the data directory) and independent disks
        self.transfers = Transfers(
            self.store,
            self.clock,
            self.tasks,
            self.catalogs,
            settings.data_dir / "transfers",
            settings.max_transfer_bytes,
        )
        self.disks = Disks(self.store, self.clock, self.tasks)
        # vRA's catalog: services, catalog items, entitlements, approvals and requests
        self.catalog = Catalog(self.store, self.clock)
        self.approvals = Approvals(self.store, self.clock)
        self.requests = Requests(self.store, self.clock, self.tasks)
        self.resources = Resources(self.store, self.clock)
        self.typed_queries = TypedQueries(self.store, self.clock)
        self.org_roles = OrgRoles(self.store, self.clock)
        self.sharing = Sharing(self.store, self.org_roles)  # vCD's owners and controlAccess
        # vCloud Director's administration: orgs' state and settings, the system settings
        self.org_admin = OrgAdmin(self.store, self.clock, self.tasks, Sealer(settings.data_dir))
        self.system_settings = SystemSettings(self.store, self.clock, self.tenants, self.identity_stores)
        # vCD administration of people and catalogs: users, imported groups, roles, org rights
        self.org_people = OrgPeople(self.store, self.clock, self.auth, self.tenants, self.tenant_principals)
        self.catalog_admin = CatalogAdmin(self.store, self.clock, self.tasks)
        # vRA's reservations and what provisioning consumes: policies, key pairs, network profiles
        self.reservations = Reservations(self.store, self.clock)
        self.reservation_policies = ReservationPolicies(self.store, self.clock)
        self.key_pairs = KeyPairs(self.store, self.clock)
        self.network_profiles = NetworkProfiles(self.store, self.clock)
        self._demo_password = settings.demo_password
        self._inventory = settings.inventory
        self._limits = (settings.ops_max_requests, settings.ops_max_requests_per_address)

    def prepare(self, scenario: Scenario | None = None, progress: Progress | None = None) -> bool:
        """Migrate the schema, then load ``scenario`` if one is given, else seed an empty world;
        True when it (re)built the world."""
        self.store.migrate()
        if scenario is not None:
            self.load(scenario, progress)
            return True
        with self.store.write() as s:
            if s.scalars(select(Domain.name).limit(1)).first() is not None:
                return False
            self._seed(s, Scenario(), progress)
            changed(s, *WHOLE_WORLD)
            return True

    def load(self, scenario: Scenario, progress: Progress | None = None) -> Loaded:
        """Replace the whole world with the one ``scenario`` describes, in one transaction, and
        remember it as the world a reset returns to. ScenarioError says what it could not make."""
        started = time.monotonic()
        with self.store.write() as s:
            objects = self._seed(s, scenario, progress)
            changed(s, *WHOLE_WORLD)
            if scenario.source.strip():
                # Kept as rows rather than as the file, so no password of it is stored in clear.
                self.snapshots.keep_baseline(s)
            else:
                self.snapshots.drop_baseline(s)
        self.transfers.prune()
        return Loaded(objects, self.planned_vms(scenario), time.monotonic() - started)

    def planned_vms(self, scenario: Scenario) -> int:
        """How many VMs loading ``scenario`` makes (without an inventory: the server's counts)."""
        return scenario.inventory_plan(self._inventory).vm_count

    def reset(self) -> None:
        """Return to the world last loaded (the demo world unless a scenario was): every object,
        identity, token, setting and the clock."""
        with self.store.write() as s:
            if not self.snapshots.restore_baseline(s):
                self._seed(s, Scenario(), None)
            changed(s, *WHOLE_WORLD)
        self.transfers.prune()  # the files of uploads the world no longer has

    def _seed(self, s: Session, scenario: Scenario, progress: Progress | None) -> int:
        return seed(
            s, time.time(), self.auth.hash_password, self._demo_password, self._inventory, scenario, progress
        )

    def limits(self) -> tuple[int, int]:
        """Operations' in-flight limits in force: the server's, or the loaded scenario's."""
        with self.store.query() as conn:
            chosen = overrides(conn)
        return (
            chosen.get("ops_max_requests", self._limits[0]),
            chosen.get("ops_max_requests_per_address", self._limits[1]),
        )

    def authorize(
        self, caller: Caller, session: str | None, privilege: str, scope: str | None, op_id: str | None = None
    ) -> None:
        """Check ``privilege`` on the object ``scope`` (None: the family's root) and record the check,
        as vCenter keeps them for least-privilege analysis."""
        target = scope if scope is not None else ROOTS[caller.family]
        self.privilege_checks.record(
            session, caller.principal.name, caller.principal.domain, target, privilege, op_id
        )
        if scope is None:
            require(caller, privilege)
        else:
            self.inventory.require(caller, privilege, scope)

    @property
    def kind(self) -> str:
        return self.store.kind

    def close(self) -> None:
        self.notifications.close()
        self.privilege_checks.close()
        self.store.dispose()
