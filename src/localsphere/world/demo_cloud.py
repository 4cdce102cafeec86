"""The demo world's cloud, as vCloud Director shows it: the org ``demo-org`` (a tenant) with its own
user, a VDC on the first cluster, an org network, a catalog of two vApp templates and a medium,
and one running vApp. README documents them; tests rely on their names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsphere.world import identity
from localsphere.world.access import VCD
from localsphere.world.catalogs import MEDIA, VAPP_TEMPLATE, TemplateVm, add_catalog, add_item
from localsphere.world.identity import USER
from localsphere.world.inventory import CLUSTER
from localsphere.world.org_roles import ORGANIZATION_ADMINISTRATOR
from localsphere.world.org_vdcs import Terms, add_network, add_vdc, vdc_row
from localsphere.world.schema import Assignment, ManagedObject, VApp
from localsphere.world.sharing import CATALOG, READ_ONLY, share_to_everyone
from localsphere.world.tenants import add_org, tenant_scope
from localsphere.world.vapp_leases import start_vapp_leases
from localsphere.world.vapps import add_vapp, network_of

ORG_NAME = "demo-org"
ORG_FULL_NAME = "Demo Organization"
ORG_USER = "alice"  # alice@demo-org, with the demo password: the org's Organization Administrator
VDC_NAME = "demo-vdc"
NETWORK_NAME = "demo-net"
CATALOG_NAME = "demo-catalog"
TEMPLATES = {
    "photon-5": (TemplateVm("photon", 1, 1024, 16384, "OTHER_LINUX_64"),),
    "lamp-stack": (
        TemplateVm("web", 2, 2048, 20480, "UBUNTU_64"),
        TemplateVm("db", 2, 4096, 40960, "UBUNTU_64"),
    ),
}
MEDIUM = "ubuntu-24.04.iso"
VAPP_NAME = "demo-web"


def seed_demo_org(s: Session, now: float, password_hash: str) -> str:
    """The demo org and its user, its Organization Administrator; returns the user's id."""
    add_org(s, ORG_NAME, ORG_FULL_NAME, now, "The demo world's tenant organization")
    user = identity.add_principal(s, USER, ORG_USER, ORG_NAME, now, password_hash=password_hash)
    s.flush()
    s.add(
        Assignment(
            id=identity.new_id(),
            family=VCD,
            principal_id=user.id,
            role_id=ORGANIZATION_ADMINISTRATOR.key,
            scope=tenant_scope(ORG_NAME),
            created_at=now,
        )
    )
    return user.id


def seed_demo_cloud(s: Session, now: float, owner_id: str, present: float) -> None:
    """The demo org's cloud, owned by ``owner_id``, when the inventory has a cluster for its VDC,
    made at ``now`` (the inventory's age), its running vApp's leases starting at ``present`` (as
    if renewed since: the demo world does not start with a lease run out)."""
    cluster = s.scalars(
        select(ManagedObject.moid).where(ManagedObject.kind == CLUSTER).order_by(ManagedObject.moid)
    ).first()
    if cluster is None:
        return
    vdc_id = add_vdc(
        s,
        ORG_NAME,
        VDC_NAME,
        cluster,
        now,
        Terms(cpu_limit_mhz=20_000, memory_limit_mb=65_536, storage_limit_mb=1_048_576),
        "The demo org's VDC",
    )
    add_network(s, vdc_id, NETWORK_NAME, "192.168.10.1", "255.255.255.0", now)
    catalog = add_catalog(s, ORG_NAME, CATALOG_NAME, owner_id, now, "The demo org's templates")
    for name, vms in TEMPLATES.items():
        add_item(s, catalog, VAPP_TEMPLATE, name, vdc_id, owner_id, now, vms=vms)
    add_item(s, catalog, MEDIA, MEDIUM, vdc_id, owner_id, now, size_bytes=2_700_000_000)
    share_to_everyone(s, ORG_NAME, CATALOG, catalog, READ_ONLY)  # every user of the org instantiates
    s.flush()
    vdc = vdc_row(s, vdc_id, None)
    vapp_id = add_vapp(
        s, vdc, VAPP_NAME, TEMPLATES["lamp-stack"], network_of(s, vdc_id, None), owner_id, now, power_on=True
    )
    start_vapp_leases(s, s.get(VApp, vapp_id), present)
