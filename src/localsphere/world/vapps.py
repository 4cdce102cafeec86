"""vApps of an org VDC and their VMs, which are the inventory's VMs: a vApp's VMs live in a folder
of their own (``<vApp name> (<vApp id>)``, as vCloud Director names its vCenter objects) and run
in the VDC's resource pool, so vCenter lists them and Operations samples them, and a power change
made on any face is the same change.

Every operation that changes a vApp or VM starts a task (``tasks.py``) and returns its id; the
change is made in the same transaction. A change the state does not allow is refused at once
(WrongState) with the product's words, before any task starts."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from localsphere.world import sharing
from localsphere.world.catalogs import VAPP_TEMPLATE, Catalogs, TemplateVm, add_item, template_vm_id
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, WrongState, bounded_text
from localsphere.world.identity import PrincipalView
from localsphere.world.inventory import (
    DATASTORE,
    FOLDER,
    HOST,
    POWERED_OFF,
    POWERED_ON,
    SUSPENDED,
    VM,
    VM_NAME_LENGTH,
    add_object,
    power_to,
    vm_details,
)
from localsphere.world.org_vdcs import VdcView, check_capacity, check_enabled, vdc_row, visible
from localsphere.world.schema import (
    CatalogItem,
    ExternalStat,
    ManagedObject,
    MetadataEntry,
    OrgNetwork,
    OrgVdc,
    Principal,
    VApp,
    VdcStorageProfileRow,
)
from localsphere.world.storage_policies import STORAGE_PROFILE, chosen_profile, storage_profile_id
from localsphere.world.store import INVENTORY, STATS, Store, changed
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.vapp_leases import set_deployed, set_vapp_leases, start_vapp_leases

NAME_LENGTH = 128  # of a vApp's name (vCD's limit)
CPUS_MOST, MEMORY_MB_MOST = 768, 24 * 1024 * 1024  # vSphere 8's most for one VM
NICS_MOST = 10  # network adapters of one VM (vSphere's)
DISK_MB_MOST = 62 * 1024 * 1024  # a virtual disk's largest (62 TB)
PROPERTIES_MOST, PROPERTY_KEY_LENGTH, PROPERTY_VALUE_LENGTH = 100, 255, 4096  # bounds, not vCD's rules
IP_MODES = ("DHCP", "POOL", "MANUAL", "NONE")
ADAPTERS = ("VMXNET3", "VMXNET2", "VMXNET", "E1000", "E1000E", "PCNet32", "SRIOVETHERNETCARD")
HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
GUEST_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")  # vSphere's (ubuntu64Guest) or the inventory's
CUSTOMIZATION_FLAGS = (
    "enabled",
    "admin_password_enabled",
    "admin_password_auto",
    "reset_password_required",
    "change_sid",
)
UNDO = "vapp"  # the kind of this module's recipes, changes and undos (``Tasks.on_recipe``)
VMS_MOST = 128  # VMs one vApp holds: a bound, not a rule of vCD's
RESOLVED, MIXED = "RESOLVED", "MIXED"
MB = 1 << 20
# What each power operation does to a running VM, and which VM states it acts on.
_ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "powerOn": (POWERED_ON, frozenset({POWERED_OFF, SUSPENDED})),
    "powerOff": (POWERED_OFF, frozenset({POWERED_ON, SUSPENDED})),
    "shutdown": (POWERED_OFF, frozenset({POWERED_ON})),
    "suspend": (SUSPENDED, frozenset({POWERED_ON})),
    "reset": (POWERED_ON, frozenset({POWERED_ON})),
    "reboot": (POWERED_ON, frozenset({POWERED_ON})),
}
RESTARTS = frozenset({"reset", "reboot"})  # the operations after which a running VM has booted again
# vCD's name of each operation's task, and its verb in the task's ``operation`` text (the same on a
# vApp and on a VM; a vApp's power-on is its deployment).
_OPERATIONS = {
    "powerOn": ("vappDeploy", "Starting"),
    "powerOff": ("vappPowerOff", "Stopping"),
    "shutdown": ("vappShutdownGuest", "Shutting down"),
    "suspend": ("vappSuspend", "Suspending"),
    "reset": ("vappReset", "Resetting"),
    "reboot": ("vappRebootGuest", "Rebooting"),
    "deploy": ("vappDeploy", "Starting"),
    "undeploy": ("vappUndeployPowerOff", "Stopping"),
}
UNDEPLOY_ACTIONS = {
    "powerOff": POWERED_OFF,
    "shutdown": POWERED_OFF,
    "force": POWERED_OFF,
    "default": POWERED_OFF,
    "suspend": SUSPENDED,
}


@dataclass(frozen=True)
class Actor:
    """Who acts: the principal, the org it signed in to, and what it sees (None: every org, the
    provider's view)."""

    principal: PrincipalView
    tenant: str
    viewer: str | None


@dataclass(frozen=True)
class VmView:
    id: str  # the inventory object's uuid (vCD's ``urn:vcloud:vm:<id>``)
    moid: str
    name: str
    vapp: str
    power_state: str
    cpus: int
    memory_mb: int
    guest_os: str
    disks: tuple[dict[str, Any], ...]  # key, label, capacity (bytes), datastore
    nics: tuple[dict[str, Any], ...]  # key, label, network (moid), network_name, mac
    created_at: float
    computer_name: str  # the guest's host name (vCD's guest customization ComputerName)
    properties: dict[str, str]  # its product sections' properties (OVF environment)
    cores_per_socket: int  # CPUs a virtual socket holds
    customization: dict[str, bool]  # its guest customization flags (CUSTOMIZATION_FLAGS)


@dataclass(frozen=True)
class Lease:
    """A vApp's leases (vCD's ``LeaseSettingsSection``): in seconds (0: never ends), when each
    ends (epoch seconds; None: not running: the deployment lease runs while it is deployed), and
    whether its storage lease has ended (an expired vApp)."""

    deployment_lease_s: int = 0
    storage_lease_s: int = 0
    deployment_expires_at: float | None = None
    storage_expires_at: float | None = None
    expired: bool = False


@dataclass(frozen=True)
class VAppView:
    id: str
    tenant: str
    vdc: str
    vdc_name: str
    name: str
    description: str
    owner_id: str | None
    owner_name: str | None
    deployed: bool
    created_at: float
    vms: tuple[VmView, ...]
    networks: tuple[tuple[str, str], ...] = ()  # the org networks it is on: (id, name)
    storage_profile: tuple[str, str] = ("", STORAGE_PROFILE)  # its VDC storage policy: (id, name)
    lease: Lease = field(default_factory=Lease)

    @property
    def status(self) -> str:
        """POWERED_ON, POWERED_OFF or SUSPENDED when every VM is; MIXED when they differ;
        RESOLVED for a vApp without VMs."""
        return vapp_status({vm.power_state for vm in self.vms})


def vapp_status(states: set[str]) -> str:
    if not states:
        return RESOLVED
    return next(iter(states)) if len(states) == 1 else MIXED


_VAPP_COLUMNS = (
    VApp.id,
    VApp.tenant,
    VApp.vdc,
    OrgVdc.name,
    VApp.name,
    VApp.description,
    VApp.owner_id,
    Principal.name,
    VApp.deployed,
    VApp.created_at,
    VApp.networks,  # last: not a VAppView field
)
_VM_COLUMNS = (
    ManagedObject.uuid,
    ManagedObject.moid,
    ManagedObject.name,
    ManagedObject.vapp,
    ManagedObject.power_state,
    ManagedObject.cpu_count,
    ManagedObject.memory_mib,
    ManagedObject.subtype,
    ManagedObject.details,
    ManagedObject.created_at,
)


def _vm(row: Any) -> VmView:
    details = json.loads(row.details or "{}")
    return VmView(
        row.uuid,
        row.moid,
        row.name,
        row.vapp,
        row.power_state or POWERED_OFF,
        row.cpu_count or 1,
        row.memory_mib or 0,
        row.subtype or "",
        tuple(details.get("disks", ())),
        tuple(details.get("nics", ())),
        row.created_at,
        details.get("computer_name") or row.name[:15],
        dict(details.get("properties", {})),
        details.get("cores_per_socket", 1),
        dict(details.get("customization", {})),
    )


class VApps:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks, catalogs: Catalogs) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks
        self._catalogs = catalogs
        tasks.on_recipe(UNDO, self._make)

    def get(self, vapp_id: str, viewer: str | None) -> VAppView:
        """A vApp with its VMs (by name); NotFound when there is none or ``viewer`` may not see it."""
        with self._store.query() as conn:
            row = conn.execute(
                select(*_VAPP_COLUMNS)
                .join(OrgVdc, OrgVdc.id == VApp.vdc)
                .outerjoin(Principal, Principal.id == VApp.owner_id)
                .where(VApp.id == vapp_id, visible(VApp.tenant, viewer))
            ).first()
            if row is None:
                raise NotFound("vapp.not_found", f"No vApp with id {vapp_id}.", vapp_id)
            vms = tuple(
                _vm(vm)
                for vm in conn.execute(
                    select(*_VM_COLUMNS)
                    .where(ManagedObject.vapp == vapp_id, ManagedObject.kind == VM)
                    .order_by(ManagedObject.name)
                    .limit(VMS_MOST)
                )
            )
            on = set(json.loads(row.networks or "[]")) | {
                n.get("network") for vm in vms for n in vm.nics if n.get("network")
            }
            networks = conn.execute(
                select(OrgNetwork.id, OrgNetwork.name, OrgNetwork.network)
                .where(OrgNetwork.vdc == row.vdc)
                .order_by(OrgNetwork.name)
            )
            attached = tuple((n.id, n.name) for n in networks if n.id in on or n.network in on)
            held = conn.execute(
                select(
                    VApp.storage_profile,
                    VApp.deployment_lease_s,
                    VApp.storage_lease_s,
                    VApp.deployment_expires_at,
                    VApp.storage_expires_at,
                    VApp.expired,
                ).where(VApp.id == vapp_id)
            ).one()
            profile = held.storage_profile or storage_profile_id(row.vdc)
            profile_name = conn.scalar(
                select(VdcStorageProfileRow.name).where(VdcStorageProfileRow.id == profile)
            )
            return VAppView(
                *row[:-1],
                vms=vms,
                networks=attached,
                storage_profile=(profile, profile_name or STORAGE_PROFILE),
                lease=Lease(*held[1:]),
            )

    def of_vdc(self, vdc_id: str, most: int, actor: Actor | None = None) -> list[tuple[str, str]]:
        """A VDC's vApps (those ``actor`` may read, when given) as (id, name), by name, at most
        ``most``."""
        with self._store.query() as conn:
            query = select(VApp.id, VApp.name).where(VApp.vdc == vdc_id).order_by(VApp.name).limit(most)
            if actor is not None:
                query = query.where(
                    sharing.seen(sharing.VAPP, VApp.id, VApp.tenant, VApp.owner_id, sharing.who(conn, actor))
                )
            return [(row.id, row.name) for row in conn.execute(query)]

    def vm(self, vm_id: str, viewer: str | None) -> tuple[VmView, VAppView]:
        """A vApp's VM by its uuid, and its vApp."""
        with self._store.query() as conn:
            row = conn.execute(
                select(*_VM_COLUMNS).where(
                    ManagedObject.uuid == vm_id, ManagedObject.kind == VM, ManagedObject.vapp.is_not(None)
                )
            ).first()
        if row is None:
            raise NotFound("vm.not_found", f"No VM with id {vm_id}.", vm_id)
        try:
            vapp = self.get(row.vapp, viewer)
        except NotFound:
            raise NotFound("vm.not_found", f"No VM with id {vm_id}.", vm_id) from None
        return _vm(row), vapp

    def instantiate(
        self,
        actor: Actor,
        vdc_id: str,
        name: str,
        template_id: str,
        network_id: str | None = None,
        power_on: bool = False,
        description: str = "",
        changes: dict[str, VmChange] | None = None,
        deploy: bool = False,
        storage_profile: str | None = None,
    ) -> tuple[str, str]:
        """A vApp made from the vApp template ``template_id`` in a VDC: its VMs made in the
        VDC's pool (each changed as ``changes`` says, by the template VM's id), connected to
        ``network_id`` (an org network of the VDC; None: the VDC's first, if it has one),
        deployed when ``deploy`` and powered on (so deployed) when ``power_on``. Returns (vApp
        id, task id). Invalid for a bad name or size, Conflict when the VDC has a vApp of that
        name, NotFound when the VDC, template or network is not one the actor sees."""
        _vapp_name(name)
        template = self._catalogs.entity(template_id, VAPP_TEMPLATE, actor.viewer)
        with self._store.read() as s:  # its catalog shared to the actor, or the actor's
            sharing.require(s, actor, "vAppTemplate", template.entity_id, sharing.READ_ONLY)
        template.check_usable()
        unknown = set(changes or ()) - {template_vm_id(template.entity_id, vm.name) for vm in template.vms}
        if unknown:
            raise Invalid(
                "vm.source", f"The template has no VM with id {sorted(unknown)[0]}.", sorted(unknown)[0]
            )
        vms = tuple(
            _changed(vm, (changes or {}).get(template_vm_id(template.entity_id, vm.name)))
            for vm in template.vms
        )
        _unique(vms)
        return self._create(
            actor,
            vdc_id,
            name,
            vms,
            network_id,
            power_on,
            description,
            deploy,
            "vdcInstantiateVapp",
            storage_profile,
        )

    def compose(
        self,
        actor: Actor,
        vdc_id: str,
        name: str,
        sources: list[Source],
        network_id: str | None = None,
        power_on: bool = False,
        description: str = "",
        copies: tuple[TemplateVm, ...] = (),
        deploy: bool = False,
        storage_profile: str | None = None,
    ) -> tuple[str, str]:
        """A vApp of the VMs ``sources`` name and ``copies`` (none: an empty vApp) in a VDC; as
        ``instantiate``."""
        _vapp_name(name)
        with self._store.read() as s:  # what the sources name, as the actor sees them
            vms = _unique((*copies, *(self._sourced(s, source, actor) for source in sources)))
        return self._create(
            actor,
            vdc_id,
            name,
            vms,
            network_id,
            power_on,
            description,
            deploy,
            "vdcComposeVapp",
            storage_profile,
        )

    def _create(
        self,
        actor: Actor,
        vdc_id: str,
        name: str,
        vms: tuple[TemplateVm, ...],
        network_id: str | None,
        power_on: bool,
        description: str,
        deploy: bool,
        operation_name: str,
        storage_profile: str | None = None,
    ) -> tuple[str, str]:
        """A new vApp of ``vms`` in a VDC (Conflict when it has one of that name) on the VDC storage
        policy ``storage_profile`` (None: its default) and the task that made it, which a cancel
        takes back. The vApp (its name) is made now, its VMs by the task (once resumed, when it
        is held)."""
        with self._store.write(serial=True) as s:  # look, then add: one name per VDC
            now = self._clock.now(s)
            vdc = vdc_row(s, vdc_id, actor.viewer)
            if s.scalars(select(VApp.id).where(VApp.vdc == vdc.id, VApp.name == name)).first():
                raise Conflict("vapp.exists", f"The VDC already has a vApp named {name}.", name)
            network = network_of(s, vdc.id, network_id)
            vapp_id = add_vapp(
                s,
                vdc,
                name,
                (),
                network,
                actor.principal.id,
                now,
                description=description,
                storage_profile=storage_profile,
            )
            changed(s, INVENTORY)
            operation = f"Creating Virtual Application {name}({vapp_id})"
            owner = Owner("vApp", vapp_id, name)
            undo = {"kind": UNDO, "remove_vapp": vapp_id}
            fill = {"vapp": vapp_id, "vms": [dataclasses.asdict(vm) for vm in vms], "power_on": power_on}
            change = {"kind": UNDO, "fill": {**fill, "network": network and network.id, "deploy": deploy}}
            task = self._tasks.start(
                s, vdc.tenant, operation_name, operation, owner, actor.principal, undo=undo, change=change
            )
            return vapp_id, task

    def recompose(self, actor: Actor, vapp_id: str, add: list[Source], remove: list[str]) -> str:
        """Add the VMs ``add`` names to a vApp and delete its VMs ``remove`` names (by id, each
        powered off: WrongState otherwise); returns the task's id."""
        with self._store.write() as s:
            now = self._clock.now(s)
            vapp = locked_vapp(s, vapp_id, actor.viewer)
            current = {vm.uuid: vm for vm in _vms(s, vapp_id)}
            self._tasks.check_idle(s, [vapp_id, *current])
            for vm_id in remove:
                row = current.pop(vm_id, None)
                if row is None:
                    raise NotFound("vm.not_found", f"No VM {vm_id} in the vApp.", vm_id)
                if row.power_state != POWERED_OFF:
                    raise WrongState(
                        "vm.powered_on", _refusal(f'VM "{row.name}"', "is not powered off"), row.name
                    )
                _drop_vm(s, row)
            made = tuple(self._sourced(s, source, actor) for source in add)
            for source in (x for x in add if x.move and x.kind == "vm"):  # moved here: gone from its vApp
                moved = s.scalars(
                    select(ManagedObject).where(ManagedObject.uuid == source.id).with_for_update()
                ).one()
                if moved.power_state != POWERED_OFF:
                    raise WrongState(
                        "vm.powered_on", _refusal(f'VM "{moved.name}"', "is not powered off"), moved.name
                    )
                _drop_vm(s, moved)
            _unique((*(TemplateVm(vm.name) for vm in current.values()), *made))
            folder = s.get(ManagedObject, vapp.folder)
            vdc = s.get(OrgVdc, vapp.vdc)
            if folder is None or vdc is None:
                raise NotFound("vapp.folder", "The vApp's folder is gone from the inventory.", vapp.folder)
            network = network_of(s, vdc.id, None)
            for vm in made:
                add_vm(s, vm, folder, vdc.pool, network, vapp_id, now)
            check_capacity(s, vdc.id)
            changed(s, INVENTORY, STATS)
            operation = f"Updating Virtual Application {vapp.name}({vapp_id})"
            owner = Owner("vApp", vapp_id, vapp.name)
            return self._tasks.start(s, vapp.tenant, "vdcRecomposeVapp", operation, owner, actor.principal)

    def clone(
        self, actor: Actor, vdc_id: str, source_id: str, name: str, description: str = "", move: bool = False
    ) -> tuple[str, str]:
        """A copy of a vApp (its VMs' sizes, powered off) in a VDC; ``move``: the source is
        deleted (it must be stopped). Returns (the new vApp's id, the task's id)."""
        source = self.get(source_id, actor.viewer)
        with self._store.read() as s:  # a move deletes the source
            sharing.require(
                s, actor, sharing.VAPP, source_id, sharing.FULL_CONTROL if move else sharing.READ_ONLY
            )
        if move and (source.deployed or any(vm.power_state != POWERED_OFF for vm in source.vms)):
            raise not_stopped(source.name)
        vms = tuple(_as_template(vm) for vm in source.vms)
        vapp_id, task = self.compose(actor, vdc_id, name, [], None, False, description, vms)
        if move:
            self.delete(actor, source_id)
        return vapp_id, task

    def capture(
        self,
        actor: Actor,
        catalog_id: str,
        vapp_id: str,
        name: str,
        description: str = "",
        replacing: str | None = None,
    ) -> tuple[str, str]:
        """A vApp template of a vApp's VMs (their sizes) in a catalog, in place of its item
        ``replacing`` (an id) when given; returns (the template's id, the task's id). Conflict
        when the catalog has another item of that name; Busy while a task changes the vApp."""
        source = self.get(vapp_id, actor.viewer)
        catalog = self._catalogs.get(catalog_id, actor.viewer)
        with self._store.read() as s:
            sharing.require(s, actor, sharing.VAPP, vapp_id, sharing.READ_ONLY)
            sharing.require(s, actor, sharing.CATALOG, catalog_id, sharing.CHANGE)
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            self._tasks.check_idle(s, [vapp_id, *(vm.id for vm in source.vms)])
            if replacing is not None:
                gone = s.execute(
                    delete(CatalogItem).where(CatalogItem.id == replacing, CatalogItem.catalog == catalog.id)
                )
                if not gone.rowcount:
                    raise NotFound(
                        "catalog_item.not_found", f"No catalog item {replacing} in the catalog.", replacing
                    )
            vms = tuple(_as_template(vm) for vm in source.vms)
            entity_id = add_item(
                s, catalog.id, VAPP_TEMPLATE, name, source.vdc, actor.principal.id, now, description, vms
            )
            operation = f"Capturing Virtual Application Template {name}({entity_id})"
            owner = Owner("vAppTemplate", entity_id, name)
            undo = {"kind": UNDO, "remove_item": entity_id}
            task = self._tasks.start(
                s, catalog.tenant, "vdcCaptureTemplate", operation, owner, actor.principal, undo=undo
            )
            return entity_id, task

    def _make(self, s: Session, recipe: dict[str, Any]) -> None:
        """Make a task's change or take a cancelled task's back, as its recipe says: a new vApp's
        VMs made (``fill``), VMs' power and vApps' deployment set, VMs' settings set, a vApp or
        captured template removed."""
        if "fill" in recipe:
            fill = recipe["fill"]
            vms = tuple(TemplateVm(**vm) for vm in fill["vms"])
            vapp = s.get(VApp, fill["vapp"])
            if vapp is None:
                raise NotFound("vapp.not_found", f"No vApp {fill['vapp']}.", fill["vapp"])
            network = network_of(s, vapp.vdc, fill["network"]) if fill["network"] else None
            fill_vapp(s, vapp, vms, network, self._clock.now(s), fill["power_on"], fill["deploy"])
        clocks, restarted = recipe.get("clock", {}), set(recipe.get("restart", ()))
        for vm_id, state in recipe.get("power", {}).items():
            vm = s.scalars(select(ManagedObject).where(ManagedObject.uuid == vm_id)).first()
            if vm is None:
                continue
            if vm_id in clocks:  # taken back: as it was, boot time and all
                vm.power_state = state
                vm.booted_at, vm.suspended_at, vm.suspended_for = clocks[vm_id]
            else:
                power_to(s, vm, state, restart=vm_id in restarted)
        s.flush()
        for vapp_id, deployed in recipe.get("deployed", {}).items():
            s.execute(update(VApp).where(VApp.id == vapp_id).values(deployed=deployed))
        for vm_id, settings in recipe.get("vms", {}).items():
            s.execute(update(ManagedObject).where(ManagedObject.uuid == vm_id).values(**settings))
        if "remove_vapp" in recipe:
            made = s.get(VApp, recipe["remove_vapp"])
            if made is not None:
                remove_vapp(s, made)
        if "remove_item" in recipe:
            s.execute(delete(CatalogItem).where(CatalogItem.entity_id == recipe["remove_item"]))
        changed(s, INVENTORY, STATS)

    def _sourced(self, s: Session, source: Source, actor: Actor) -> TemplateVm:
        """The VM a composition's source names, one ``actor`` may use: a template's VM, or a vApp's
        VM (its size)."""
        viewer = actor.viewer
        if source.kind == "vm":
            row = s.scalars(
                select(ManagedObject).where(
                    ManagedObject.uuid == source.id, ManagedObject.kind == VM, ManagedObject.vapp.is_not(None)
                )
            ).first()
            if (
                row is None
                or not s.scalars(
                    select(VApp.id).where(VApp.id == row.vapp, visible(VApp.tenant, viewer))
                ).first()
            ):
                raise NotFound("vm.not_found", f"No VM with id {source.id}.", source.id)
            sharing.require(s, actor, "vm", source.id, sharing.CHANGE if source.move else sharing.READ_ONLY)
            vm = _as_template(
                _vm(s.execute(select(*_VM_COLUMNS).where(ManagedObject.uuid == source.id)).one())
            )
        else:
            template, vm = self._catalogs.template_vm(source.id, viewer)
            sharing.require(s, actor, "vAppTemplate", template.entity_id, sharing.READ_ONLY)
            template.check_usable()
        return _changed(vm, source.change)

    def act(self, actor: Actor, vapp_id: str, action: str, undeploy_action: str = "default") -> str:
        """A power operation on a whole vApp (``powerOn``, ``powerOff``, ``shutdown``,
        ``suspend``, ``reset``, ``reboot``, ``deploy``, ``deploy+powerOn``, ``undeploy``); returns
        the task's id. WrongState when the vApp's state does not allow it."""
        with self._store.write() as s:
            vapp = locked_vapp(s, vapp_id, actor.viewer)
            vms = _vms(s, vapp_id)
            self._tasks.check_idle(s, [vapp_id, *(vm.uuid for vm in vms)])
            undo = _undo_power(vms, vapp)
            states = {vm.power_state for vm in vms}
            if action.startswith("deploy"):
                set_deployed(s, vapp, True)
                if action.endswith("powerOn"):
                    _power(s, vapp_id, POWERED_ON, _ACTIONS["powerOn"][1])
            elif action == "undeploy":
                if not vapp.deployed:
                    quoted = f'vApp "{vapp.name}"'
                    raise WrongState("vapp.not_deployed", _refusal(quoted, "is not deployed"), vapp.name)
                _power(
                    s, vapp_id, UNDEPLOY_ACTIONS.get(undeploy_action, POWERED_OFF), frozenset({POWERED_ON})
                )
                set_deployed(s, vapp, False)
            else:
                power_vapp(s, vapp, states, action)
            change = self._tried(s, undo, _power_of(s, vapp, undo))
            name, verb = _OPERATIONS[action.split("+")[0]]
            operation = f"{verb} Virtual Application {vapp.name}({vapp_id})"
            owner = Owner("vApp", vapp_id, vapp.name)
            return self._tasks.start(
                s, vapp.tenant, name, operation, owner, actor.principal, undo=undo, change=change
            )

    def act_on_vm(self, actor: Actor, vm_id: str, action: str, undeploy_action: str = "default") -> str:
        """A power operation on one VM of a vApp (as ``act``); the vApp is deployed once one of its
        VMs runs."""
        with self._store.write() as s:
            row, vapp = locked_vm(s, vm_id, actor.viewer)
            self._tasks.check_idle(s, [vapp.id, vm_id])
            undo = _undo_power([row], vapp)
            quoted = f'VM "{row.name}"'
            state = row.power_state or POWERED_OFF
            if action.startswith("deploy"):
                target = POWERED_ON if action.endswith("powerOn") else state
                set_deployed(s, vapp, True)
            elif action == "undeploy":
                target = UNDEPLOY_ACTIONS.get(undeploy_action, POWERED_OFF) if state == POWERED_ON else state
            else:
                target, acts_on = _ACTIONS[action]
                if state not in acts_on:
                    raise WrongState(f"vm.{action}", _refusal(quoted, _not_in(action, state)), row.name)
            _set_power(s, row, target, restart=action in RESTARTS)
            if target == POWERED_ON:
                set_deployed(s, vapp, True)
                check_capacity(s, vapp.vdc)
            change = self._tried(s, undo, _power_of(s, vapp, undo))
            name, verb = _OPERATIONS[action.split("+")[0]]
            operation = f"{verb} Virtual Machine {row.name}({vm_id})"
            owner = Owner("vm", vm_id, row.name)
            return self._tasks.start(
                s, vapp.tenant, name, operation, owner, actor.principal, undo=undo, change=change
            )

    def _tried(self, s: Session, undo: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
        """``change``, the recipe of a change just tried (so checked), which ``undo`` takes back
        here: the task makes it (once resumed, when it is held)."""
        self._make(s, undo)
        s.expire_all()
        return change

    def reconfigure(self, actor: Actor, vm_id: str, change: VmReconfig) -> str:
        """Change a VM's size, computer name, guest OS or NICs; returns the task's id. CPU and
        memory change only while it is powered off (WrongState, as vCD without hot-add); a NIC
        connects to one of the VDC's org networks (NotFound otherwise) or to none."""
        with self._store.write() as s:
            row, vapp = locked_vm(s, vm_id, actor.viewer)
            self._tasks.check_idle(s, [vapp.id, vm_id])
            undo = {"kind": UNDO, "vms": {vm_id: _settings(row)}}
            resized = change.cpus not in (None, row.cpu_count) or change.memory_mb not in (
                None,
                row.memory_mib,
            )
            if resized and row.power_state != POWERED_OFF:
                raise WrongState(
                    "vm.powered_on", _refusal(f'VM "{row.name}"', "is not powered off"), row.name
                )
            if resized:  # refused out of vSphere's bounds, as an instantiation's sizes are
                _changed(TemplateVm(row.name), VmChange(None, change.cpus, change.memory_mb))
            if change.name is not None and change.name != row.name:
                _rename(s, row, change.name)
            if change.cpus is not None:
                row.cpu_count = change.cpus
            if change.memory_mb is not None:
                row.memory_mib = change.memory_mb
            if change.guest_os is not None:
                if not GUEST_ID.fullmatch(change.guest_os):
                    raise Invalid(
                        "vm.guest", f"'{change.guest_os}' is not a guest operating system id.", "guest"
                    )
                row.subtype = change.guest_os
            details = json.loads(row.details or "{}")
            if change.computer_name is not None:
                details["computer_name"] = _host_name(change.computer_name)
            if change.cores_per_socket is not None:
                cpus = row.cpu_count or 1
                if change.cores_per_socket < 1 or cpus % change.cores_per_socket:
                    message = f"{cpus} CPUs do not divide into sockets of {change.cores_per_socket} cores."
                    raise Invalid("vm.cores", message, "cores")
                details["cores_per_socket"] = change.cores_per_socket
            if change.customization is not None:
                flags = {k: bool(v) for k, v in change.customization.items() if k in CUSTOMIZATION_FLAGS}
                details["customization"] = {**details.get("customization", {}), **flags}
            if change.nics is not None:
                details["nics"] = _nics(s, vapp.vdc, row, change.nics)
            if change.properties is not None:
                details["properties"] = _properties(change.properties)
            row.details = json.dumps(details)
            operation = f"Updating Virtual Machine {row.name}({vm_id})"
            owner = Owner("vm", vm_id, row.name)
            change = self._tried(s, undo, {"kind": UNDO, "vms": {vm_id: _settings(row)}})
            return self._tasks.start(
                s, vapp.tenant, "vappUpdateVm", operation, owner, actor.principal, undo=undo, change=change
            )

    def change_lease(
        self, actor: Actor, vapp_id: str, deployment_s: int | None, storage_s: int | None
    ) -> str:
        """A vApp's leases anew (seconds; None: keep), restarted now; the task's id. Invalid past
        its org's longest (``vapp_leases.set_vapp_leases``), NotFound."""
        with self._store.write() as s:
            vapp = locked_vapp(s, vapp_id, actor.viewer)
            set_vapp_leases(s, vapp, deployment_s, storage_s)
            operation = f"Updated Virtual Application {vapp.name}({vapp_id})"
            owner = Owner("vApp", vapp_id, vapp.name)
            return self._tasks.start(s, vapp.tenant, "vappUpdateVApp", operation, owner, actor.principal)

    def delete_vm(self, actor: Actor, vm_id: str) -> str:
        """Delete one VM of a vApp; WrongState unless it is powered off. Returns the task's id."""
        with self._store.write() as s:
            row, vapp = locked_vm(s, vm_id, actor.viewer)
            self._tasks.check_idle(s, [vapp.id, vm_id])
            if row.power_state != POWERED_OFF:
                raise WrongState(
                    "vm.powered_on", _refusal(f'VM "{row.name}"', "is not powered off"), row.name
                )
            _drop_vm(s, row)
            changed(s, INVENTORY, STATS)
            operation = f"Deleting Virtual Machine {row.name}({vm_id})"
            owner = Owner("vm", vm_id, row.name)
            return self._tasks.start(s, vapp.tenant, "vappDeleteVm", operation, owner, actor.principal)

    def delete(self, actor: Actor, vapp_id: str, force: bool = False) -> str:
        """Delete a vApp, its VMs and their folder; WrongState while it is deployed or a VM runs,
        unless ``force`` (then its VMs are powered off first)."""
        with self._store.write() as s:
            vapp = locked_vapp(s, vapp_id, actor.viewer)
            vms = _vms(s, vapp_id)
            self._tasks.check_idle(s, [vapp_id, *(vm.uuid for vm in vms)])
            if not force and (vapp.deployed or any(vm.power_state != POWERED_OFF for vm in vms)):
                raise not_stopped(vapp.name)
            operation = f"Deleting Virtual Application {vapp.name}({vapp_id})"
            owner = Owner("vApp", vapp_id, vapp.name)
            change = {"kind": UNDO, "remove_vapp": vapp_id}
            return self._tasks.start(
                s, vapp.tenant, "vdcDeleteVapp", operation, owner, actor.principal, change=change
            )


def add_vapp(
    s: Session,
    vdc: VdcView,
    name: str,
    vms: tuple[TemplateVm, ...],
    network: Attached | None,
    owner_id: str | None,
    now: float,
    power_on: bool = False,
    description: str = "",
    deploy: bool = False,
    storage_profile: str | None = None,
) -> str:
    """A vApp of ``vms`` in ``vdc``, in the write transaction ``s``: a folder for it, its VMs in
    the VDC's pool on ``network`` (the vApp's network too), on the VDC storage policy
    ``storage_profile`` (None: the VDC's default), with its org's leases, deployed when
    ``deploy`` or ``power_on`` and powered on when ``power_on``. Returns its id; the caller marks
    the change. Invalid for a policy the VDC has not enabled or one that would pass its limit."""
    check_enabled(vdc)
    profile = chosen_profile(s, vdc.id, storage_profile)
    vapp_id = str(uuid.uuid4())
    folder = _vapp_folder(s, vdc.pool, f"{name} ({vapp_id})", now)
    vapp = VApp(
        id=vapp_id,
        tenant=vdc.tenant,
        vdc=vdc.id,
        name=name,
        description=description,
        owner_id=owner_id,
        deployed=False,
        folder=folder.moid,
        networks=json.dumps([network.id] if network else []),
        created_at=now,
        storage_profile=profile,
    )
    start_vapp_leases(s, vapp, now)
    s.add(vapp)
    fill_vapp(s, vapp, vms, network, now, power_on, deploy)
    return vapp_id


def fill_vapp(
    s: Session,
    vapp: VApp,
    vms: tuple[TemplateVm, ...],
    network: Attached | None,
    now: float,
    power_on: bool = False,
    deploy: bool = False,
) -> None:
    """``vms`` made in ``vapp`` (in its folder and its VDC's pool, on ``network``), deployed when
    ``deploy`` or ``power_on`` and powered on when ``power_on``; Invalid when the VDC's capacity
    does not hold them. The caller marks the change."""
    pool = s.scalar(select(OrgVdc.pool).where(OrgVdc.id == vapp.vdc))
    folder = s.get(ManagedObject, vapp.folder)
    if pool is None or folder is None:
        raise NotFound("vapp.folder", "The vApp's folder is gone from the inventory.", vapp.folder)
    for vm in vms:
        add_vm(s, vm, folder, pool, network, vapp.id, now)
    if (power_on or deploy) and vms:
        set_deployed(s, vapp, True, now)
    s.flush()
    if power_on:  # booted as they are made
        _power(s, vapp.id, POWERED_ON, _ACTIONS["powerOn"][1], at=now)
    check_capacity(s, vapp.vdc)


class Attached(NamedTuple):
    """An org network a VM connects to: its id, its port group's moid, its name and subnet."""

    id: str
    moid: str
    name: str
    gateway: str
    netmask: str


_ATTACHED = select(OrgNetwork.id, OrgNetwork.network, OrgNetwork.name, OrgNetwork.gateway, OrgNetwork.netmask)


def network_of(s: Session, vdc_id: str, network_id: str | None) -> Attached | None:
    """The network a new VM connects to: ``network_id`` (NotFound unless it is the VDC's), else
    the VDC's first network, else none."""
    query = _ATTACHED.where(OrgNetwork.vdc == vdc_id)
    if network_id is not None:
        row = s.execute(query.where(OrgNetwork.id == network_id)).first()
        if row is None:
            raise NotFound("network.not_found", f"No network {network_id} in the VDC.", network_id)
    else:
        row = s.execute(query.order_by(OrgNetwork.name).limit(1)).first()
    return Attached(*row) if row is not None else None


def _address(
    s: Session, network: Attached, mode: str, ip: str | None, taken: set[str] | frozenset[str] = frozenset()
) -> str | None:
    """A NIC's IP address on ``network``: ``ip`` (MANUAL: Invalid unless it is in the network's
    subnet and free), the first free one of the subnet above .9 (POOL), or none (DHCP, NONE)."""
    subnet = ipaddress.ip_network(f"{network.gateway}/{network.netmask}", strict=False)
    if mode not in ("POOL", "MANUAL"):
        return None
    used = {network.gateway, *taken}
    for details in s.scalars(
        select(ManagedObject.details).where(
            ManagedObject.kind == VM,
            ManagedObject.vapp.is_not(None),
            ManagedObject.details.contains(f'"{network.moid}"', autoescape=True),
        )
    ):
        used.update(
            n.get("ip") for n in json.loads(details).get("nics", ()) if n.get("network") == network.moid
        )
    if mode == "MANUAL":
        if not ip:
            raise Invalid("nic.ip", "MANUAL IP address allocation needs an IpAddress.", "ip")
        try:
            wanted = ipaddress.ip_address(ip or "")
        except ValueError:
            raise Invalid("nic.ip", f"'{ip}' is not an IP address.", str(ip)) from None
        if wanted not in subnet or str(wanted) in used:
            raise Invalid("nic.ip", f"{wanted} is not a free address of network {network.name}.", str(wanted))
        return str(wanted)
    for host in subnet.hosts():
        if int(host) & 0xFF > 9 and str(host) not in used:
            return str(host)
    raise Invalid("nic.pool", f"Network {network.name} has no free address.", network.name)


@dataclass(frozen=True)
class Source:
    """A VM a composition takes: a template's VM (``kind`` ``templateVm``) or a vApp's (``vm``),
    by id, made otherwise as ``change`` says."""

    kind: str
    id: str
    change: VmChange | None = None
    move: bool = False  # a vApp's VM that leaves its vApp (``sourceDelete``)


def _unique(vms: tuple[TemplateVm, ...]) -> tuple[TemplateVm, ...]:
    if len({vm.name for vm in vms}) != len(vms):
        raise Invalid("vm.name", "Two VMs of the vApp would have the same name.", "name")
    if len(vms) > VMS_MOST:
        raise Invalid("vapp.vms", f"A vApp holds at most {VMS_MOST} VMs.", str(len(vms)))
    return vms


def _as_template(vm: VmView) -> TemplateVm:
    """What a copy of a VM gets: its name, size, host name and how its NIC gets an address."""
    disk = sum(d.get("capacity", 0) for d in vm.disks) // MB or TemplateVm.disk_mb
    mode = next((n.get("mode") for n in vm.nics if n.get("mode")), "DHCP")
    return TemplateVm(vm.name, vm.cpus, vm.memory_mb, disk, vm.guest_os, vm.computer_name, mode)


@dataclass(frozen=True)
class VmReconfig:
    """What to change of a VM (None: keep): CPUs, memory (MB), guest OS (the inventory's guest
    name), computer name, and its NICs' networks in order (None in the list: not connected)."""

    cpus: int | None = None
    memory_mb: int | None = None
    guest_os: str | None = None
    computer_name: str | None = None
    nics: list[NicPlan] | None = None
    properties: dict[str, str] | None = None  # its product sections' properties, all of them
    name: str | None = None
    cores_per_socket: int | None = None
    customization: dict[str, bool] | None = None  # guest customization flags (CUSTOMIZATION_FLAGS)


@dataclass(frozen=True)
class NicPlan:
    """One NIC of a VM, as a change wants it: its org network (by name; None: not connected)
    and how it gets an address (DHCP, POOL, MANUAL with ``ip``, NONE)."""

    network: str | None
    mode: str = "DHCP"
    ip: str | None = None
    adapter: str = "VMXNET3"  # vCD's NetworkAdapterType
    connected: bool = True


@dataclass(frozen=True)
class VmChange:
    """How a template's VM is made otherwise: a new name, CPU count or memory (MB)."""

    name: str | None = None
    cpus: int | None = None
    memory_mb: int | None = None
    disk_mb: int | None = None
    computer_name: str | None = None
    ip_mode: str | None = None
    ip: str | None = None


def _changed(vm: TemplateVm, change: VmChange | None) -> TemplateVm:
    if change is None:
        return vm
    name = vm.name if change.name is None else change.name
    if not name.strip() or len(name) > VM_NAME_LENGTH:
        raise Invalid("vm.name", f"A VM's name must be 1 to {VM_NAME_LENGTH} characters.", "name")
    cpus = vm.cpus if change.cpus is None else change.cpus
    memory = vm.memory_mb if change.memory_mb is None else change.memory_mb
    if not 1 <= cpus <= CPUS_MOST or not 4 <= memory <= MEMORY_MB_MOST:
        raise Invalid(
            "vm.size", f"A VM has 1 to {CPUS_MOST} CPUs and 4 to {MEMORY_MB_MOST} MB of memory.", str(cpus)
        )
    disk = vm.disk_mb if change.disk_mb is None else change.disk_mb
    if not vm.disk_mb <= disk <= DISK_MB_MOST:
        raise Invalid(
            "vm.disk", f"A VM's disk grows from {vm.disk_mb} MB up to {DISK_MB_MOST} MB.", str(disk)
        )
    mode = (change.ip_mode or vm.ip_mode).upper()
    if mode not in IP_MODES:
        raise Invalid("nic.mode", f"IP address allocation mode must be one of {', '.join(IP_MODES)}.", mode)
    computer = change.computer_name or vm.computer_name
    if computer is not None:
        _host_name(computer)
    return dataclasses.replace(
        vm,
        name=name,
        cpus=cpus,
        memory_mb=memory,
        disk_mb=disk,
        computer_name=computer,
        ip_mode=mode,
        ip=change.ip,
    )


def _refusal(quoted: str, why: str) -> str:
    return f"The requested operation could not be executed since {quoted} {why}."


def _not_in(action: str, status: str) -> str:
    if action == "powerOn":
        return "is already powered on" if status == POWERED_ON else "is not powered off"
    if action == "suspend" and status == SUSPENDED:
        return "is already suspended"
    return "is not running"


def locked_vapp(s: Session, vapp_id: str, viewer: str | None) -> VApp:
    row = s.scalars(
        select(VApp).where(VApp.id == vapp_id, visible(VApp.tenant, viewer)).with_for_update()
    ).first()
    if row is None:
        raise NotFound("vapp.not_found", f"No vApp with id {vapp_id}.", vapp_id)
    return row


def _vms(s: Session, vapp_id: str) -> list[ManagedObject]:
    return list(
        s.scalars(
            select(ManagedObject)
            .where(ManagedObject.vapp == vapp_id, ManagedObject.kind == VM)
            .with_for_update()
        )
    )


def remove_vapp(s: Session, vapp: VApp) -> None:
    """A vApp gone: its VMs (and their pushed samples), their folder, the vApp."""
    uuids = list(
        s.scalars(select(ManagedObject.uuid).where(ManagedObject.vapp == vapp.id, ManagedObject.kind == VM))
    )
    s.execute(delete(ManagedObject).where(ManagedObject.vapp == vapp.id, ManagedObject.kind == VM))
    s.execute(delete(ManagedObject).where(ManagedObject.moid == vapp.folder))
    if uuids:
        s.execute(delete(ExternalStat).where(ExternalStat.resource.in_(uuids)))
    s.execute(delete(MetadataEntry).where(MetadataEntry.object.in_([vapp.id, *uuids])))
    sharing.forget(s, sharing.VAPP, vapp.id)
    s.delete(vapp)
    changed(s, INVENTORY, STATS)


def not_stopped(name: str) -> WrongState:
    """The product's refusal to remove (or move) the vApp ``name`` while it runs."""
    message = f'The requested operation could not be executed on vApp "{name}". Stop the vApp and try again.'
    return WrongState("vapp.running", message, name)


def _drop_vm(s: Session, row: ManagedObject) -> None:
    """A VM gone from its vApp: the VM, its pushed samples, its metadata."""
    s.delete(row)
    s.execute(delete(ExternalStat).where(ExternalStat.resource == row.uuid))
    s.execute(delete(MetadataEntry).where(MetadataEntry.object == row.uuid))


def _undo_power(vms: list[ManagedObject], vapp: VApp) -> dict[str, Any]:
    """The recipe that puts VMs' power (with their power-on clocks) and their vApp's deployment
    back as they are now."""
    return {
        "kind": UNDO,
        "power": {vm.uuid: vm.power_state for vm in vms},
        "clock": {vm.uuid: [vm.booted_at, vm.suspended_at, vm.suspended_for] for vm in vms},
        "deployed": {vapp.id: vapp.deployed},
    }


def _power_of(s: Session, vapp: VApp, undo: dict[str, Any]) -> dict[str, Any]:
    """The recipe that sets the power of the VMs ``undo`` names and their vApp's deployment as
    they are now (just changed): the running VMs that booted again (a reset, a reboot) boot again
    when it is made."""
    s.flush()
    named = ManagedObject.uuid.in_(list(undo["power"]))
    rows = s.execute(
        select(ManagedObject.uuid, ManagedObject.power_state, ManagedObject.booted_at).where(named)
    )
    states, restarted = {}, []
    for row in rows:
        states[row.uuid] = row.power_state
        before = undo["power"][row.uuid], undo["clock"][row.uuid][0]
        if before[0] == row.power_state == POWERED_ON and before[1] != row.booted_at:
            restarted.append(row.uuid)
    return {"kind": UNDO, "power": states, "restart": restarted, "deployed": {vapp.id: vapp.deployed}}


def _settings(row: ManagedObject) -> dict[str, Any]:
    """What ``reconfigure`` may change of a VM, as it is now."""
    return {
        "name": row.name,
        "cpu_count": row.cpu_count,
        "memory_mib": row.memory_mib,
        "subtype": row.subtype,
        "details": row.details,
    }


def locked_vm(s: Session, vm_id: str, viewer: str | None) -> tuple[ManagedObject, VApp]:
    """A vApp's VM and its vApp, locked; NotFound when there is none or ``viewer`` may not see it."""
    row = s.scalars(
        select(ManagedObject)
        .where(ManagedObject.uuid == vm_id, ManagedObject.kind == VM, ManagedObject.vapp.is_not(None))
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound("vm.not_found", f"No VM with id {vm_id}.", vm_id)
    try:
        return row, locked_vapp(s, row.vapp or "", viewer)
    except NotFound:
        raise NotFound("vm.not_found", f"No VM with id {vm_id}.", vm_id) from None


def _nics(s: Session, vdc_id: str, row: ManagedObject, wanted: list[NicPlan]) -> list[dict[str, Any]]:
    """A VM's NICs made to connect, in order, as ``wanted`` says (a network of the VDC, by name,
    or none), keeping the MAC addresses, and the addresses that stay the same, of those it had."""
    if len(wanted) > NICS_MOST:
        raise Invalid("vm.nics", f"A VM has at most {NICS_MOST} network adapters.", str(len(wanted)))
    networks = {n.name: Attached(*n) for n in s.execute(_ATTACHED.where(OrgNetwork.vdc == vdc_id))}
    current = json.loads(row.details or "{}").get("nics", [])
    row.details = json.dumps({**json.loads(row.details or "{}"), "nics": []})  # its own addresses are free
    s.flush()
    made: list[dict[str, Any]] = []
    for index, plan in enumerate(wanted):
        network = networks.get(plan.network) if plan.network else None
        if plan.network is not None and network is None:
            raise NotFound("network.not_found", f"No network {plan.network} in the VDC.", plan.network)
        mode = plan.mode.upper() if network else "NONE"
        if mode not in IP_MODES:
            raise Invalid(
                "nic.mode", f"IP address allocation mode must be one of {', '.join(IP_MODES)}.", mode
            )
        before = current[index] if index < len(current) else {}
        keep = (
            before.get("ip") if network and before.get("network") == network.moid and mode == "POOL" else None
        )
        taken = {n["ip"] for n in made if n.get("ip")}
        if keep in taken:
            keep = None
        made.append(
            {
                "key": str(4000 + index),
                "label": f"Network adapter {index + 1}",
                "network": network.moid if network else None,
                "network_name": network.name if network else None,
                "mac": before.get("mac")
                or "00:50:56:" + ":".join(f"{b:02x}" for b in uuid.uuid4().bytes[:3]),
                "mode": mode,
                "ip": keep or (_address(s, network, mode, plan.ip, taken) if network else None),
                "adapter": plan.adapter if plan.adapter in ADAPTERS else "VMXNET3",
                "connected": plan.connected and network is not None,
            }
        )
    return made


def _vapp_name(name: str) -> None:
    """Invalid unless ``name`` is 1 to ``NAME_LENGTH`` printable characters, not all blank."""
    if not name.strip() or len(name) > NAME_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise Invalid("vapp.name", f"A vApp's name must be 1 to {NAME_LENGTH} printable characters.", "name")


def _host_name(name: str) -> str:
    """A guest's host name (one DNS label; Invalid otherwise)."""
    if not HOST_NAME.fullmatch(name):
        raise Invalid(
            "vm.computer_name", f"'{name}' is not a host name: 1 to 63 letters, digits and '-'.", "name"
        )
    return name


def _rename(s: Session, row: ManagedObject, name: str) -> None:
    """A VM's new name, unique in its vApp (Conflict) and within vCenter's bounds (Invalid)."""
    bounded_text(name, "name", VM_NAME_LENGTH)
    if s.scalars(
        select(ManagedObject.moid).where(
            ManagedObject.vapp == row.vapp, ManagedObject.kind == VM, ManagedObject.name == name
        )
    ).first():
        raise Conflict("vm.exists", f"The vApp already has a VM named {name}.", name)
    row.name = name


def _properties(wanted: dict[str, str]) -> dict[str, str]:
    """A VM's product properties, within bounds (Invalid otherwise)."""
    if len(wanted) > PROPERTIES_MOST:
        raise Invalid(
            "vm.properties", f"A VM has at most {PROPERTIES_MOST} product properties.", str(len(wanted))
        )
    for key, value in wanted.items():
        bounded_text(key, "property key", PROPERTY_KEY_LENGTH)
        if len(value) > PROPERTY_VALUE_LENGTH:
            raise Invalid(
                "vm.property", f"A property's value has at most {PROPERTY_VALUE_LENGTH} characters.", key
            )
    return dict(wanted)


def _set_power(s: Session, row: ManagedObject, target: str, restart: bool = False) -> None:
    if row.power_state != target:
        details = json.loads(row.details or "{}")
        details["clean_power_off"] = target != POWERED_OFF or details.get("clean_power_off", True)
        row.details = json.dumps(details)
    power_to(s, row, target, restart)


def _power(
    s: Session,
    vapp_id: str,
    target: str,
    acts_on: frozenset[str],
    restart: bool = False,
    at: float | None = None,
) -> None:
    """Every VM of the vApp in one of ``acts_on`` goes to ``target`` (``restart``: running ones
    boot again, a reset or a reboot), at the instant ``at`` (None: the world clock's now)."""
    for vm in s.scalars(
        select(ManagedObject).where(
            ManagedObject.vapp == vapp_id, ManagedObject.kind == VM, ManagedObject.power_state.in_(acts_on)
        )
    ):
        power_to(s, vm, target, restart, at)
    s.flush()
    if target == POWERED_ON:
        vdc = s.scalar(select(VApp.vdc).where(VApp.id == vapp_id))
        if vdc is not None:
            check_capacity(s, vdc)


def power_vapp(s: Session, vapp: VApp, states: set[str], action: str) -> None:
    """A power operation (``powerOn``, ``powerOff``, ``shutdown``, ``suspend``, ``reset``,
    ``reboot``) on every VM of ``vapp`` (locked; ``states``: its VMs' power states) that it acts
    on; WrongState when none is in a state it acts on."""
    target, acts_on = _ACTIONS[action]
    quoted = f'vApp "{vapp.name}"'
    if not states:
        raise WrongState("vapp.empty", _refusal(quoted, "has no virtual machines"), vapp.name)
    if not states & acts_on:
        raise WrongState(f"vapp.{action}", _refusal(quoted, _not_in(action, vapp_status(states))), vapp.name)
    _power(s, vapp.id, target, acts_on, restart=action in RESTARTS)
    if target == POWERED_ON:
        set_deployed(s, vapp, True)


def _vapp_folder(s: Session, pool_moid: str, name: str, now: float) -> ManagedObject:
    pool = s.get(ManagedObject, pool_moid)
    vm_folder = s.scalars(
        select(ManagedObject).where(
            ManagedObject.kind == FOLDER,
            ManagedObject.subtype == "VIRTUAL_MACHINE",
            ManagedObject.datacenter == (pool.datacenter if pool else None),
            ManagedObject.parent == ManagedObject.datacenter,
        )
    ).first()
    if pool is None or vm_folder is None:
        raise NotFound("pool.not_found", "The VDC's resource pool is gone from the inventory.", pool_moid)
    return add_object(
        s, FOLDER, "group-v", name, vm_folder, now, folder=vm_folder.moid, subtype="VIRTUAL_MACHINE"
    )


def add_vm(
    s: Session,
    vm: TemplateVm,
    folder: ManagedObject,
    pool_moid: str,
    network: Attached | None,
    vapp_id: str,
    now: float,
) -> ManagedObject:
    """A VM made as ``vm`` says in a vApp's ``folder``, in the VDC's pool ``pool_moid`` (on a host
    of its cluster, a datastore of its datacenter), on ``network``; the caller marks the change."""
    pool = s.get(ManagedObject, pool_moid)
    assert pool is not None  # _vapp_folder found it
    host = s.scalars(
        select(ManagedObject.moid)
        .where(ManagedObject.kind == HOST, ManagedObject.cluster == pool.cluster)
        .order_by(ManagedObject.name)
    ).first()
    datastore = s.execute(
        select(ManagedObject.moid, ManagedObject.name).where(
            ManagedObject.kind == DATASTORE, ManagedObject.datacenter == pool.datacenter
        )
    ).first()
    details = vm_details(
        vm.name,
        (datastore.moid, datastore.name) if datastore else None,
        (network.moid, network.name) if network else None,
        vm.disk_mb * MB,
        True,
    )
    if vm.computer_name:
        details["computer_name"] = vm.computer_name
    for nic in details["nics"]:
        nic["mode"] = vm.ip_mode if network else "NONE"
        nic["ip"] = _address(s, network, vm.ip_mode, vm.ip) if network else None
    return add_object(
        s,
        VM,
        "vm-",
        vm.name,
        folder,
        now,
        folder=folder.moid,
        cluster=pool.cluster,
        host=host,
        pool=pool.moid,
        subtype=vm.guest_os,
        power_state=POWERED_OFF,
        cpu_count=vm.cpus,
        memory_mib=vm.memory_mb,
        capacity=vm.disk_mb * MB,  # a vApp's VM's disks, for its vApp's storage
        details=details,
        vapp=vapp_id,
    )
