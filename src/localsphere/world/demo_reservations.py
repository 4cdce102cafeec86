"""The demo world's vRA reservations, in ``vsphere.local``: the business group "Demo Group"
(managed by administrator, with the demo users), a network profile of ten addresses, a vSphere
reservation on the first cluster (500 GB of its datacenter's first datastore, its first network that
backs no vCD org network; "first" in vCenter's order), a vCloud one on the demo org VDC (when the
world has them) and an Amazon one in us-east-1 with a key pair. README documents them; tests rely
on their names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsphere.world import identity
from localsphere.world.demo_cloud import VDC_NAME
from localsphere.world.inventory import CLUSTER, DATASTORE, MOID_ORDER, NETWORK
from localsphere.world.key_pairs import KeyPairSpec, add_key_pair
from localsphere.world.network_profiles import ProfileSpec, RangeSpec, add_profile
from localsphere.world.org_vdcs import storage_profile_id
from localsphere.world.reservations import (
    AMAZON,
    VCLOUD,
    VSPHERE,
    NetworkSpec,
    ReservationSpec,
    StorageSpec,
    add_policy,
    add_reservation,
)
from localsphere.world.schema import BusinessGroup, ManagedObject, OrgNetwork, OrgVdc, Principal
from localsphere.world.tenant_roles import BY_ID, give
from localsphere.world.tenants import DEFAULT_TENANT, group_scope

GROUP_NAME = "Demo Group"
# (user of vsphere.local, business group role): the manager, support and basic users
GROUP_ROLES = (
    ("administrator", "CSP_SUBTENANT_MANAGER"),
    ("operator", "CSP_SUPPORT"),
    ("viewer", "CSP_CONSUMER"),
    *((f"USER_{n}", "CSP_CONSUMER") for n in range(1, 5)),
)
POLICY_NAME = "Demo Policy"
PROFILE_NAME = "Demo Network Profile"
PROFILE_RANGE = ("192.168.100.10", "192.168.100.19")
KEY_PAIR_NAME = "demo-key"
REGION = "us-east-1"
VSPHERE_NAME, VCLOUD_NAME, AMAZON_NAME = (
    "Demo vSphere Reservation",
    "Demo vCloud Reservation",
    "Demo Amazon Reservation",
)


def seed_demo_reservations(s: Session, now: float) -> None:
    """The demo business group, its reservations and what they name (see the module's words)."""
    tenant = DEFAULT_TENANT
    group_id = identity.new_id()
    s.add(
        BusinessGroup(
            id=group_id,
            tenant=tenant,
            name=GROUP_NAME,
            description="The demo world's business group",
            extension_data='{"entries": []}',
            created_at=now,
        )
    )
    s.flush()
    for user, role_id in GROUP_ROLES:
        principal = s.scalar(select(Principal).where(Principal.login == f"{user}@{tenant}".lower()))
        if principal is not None:
            give(s, principal, BY_ID[role_id], group_scope(tenant, group_id), now)
    policy = add_policy(s, tenant, POLICY_NAME, "The demo reservations' policy", now)
    cluster = s.scalars(
        select(ManagedObject).where(ManagedObject.kind == CLUSTER).order_by(*MOID_ORDER)
    ).first()
    if cluster is not None:
        profile = add_profile(
            s,
            tenant,
            ProfileSpec(
                name=PROFILE_NAME,
                profile_type="EXTERNAL",
                subnet_mask="255.255.255.0",
                gateway="192.168.100.1",
                description="Ten addresses for the demo reservation's machines",
                details={"primaryDnsAddress": "192.168.100.2", "dnsSuffix": "demo.local"},
                ranges=(RangeSpec("Demo Range", *PROFILE_RANGE),),
            ),
            now,
        )
        near = (ManagedObject.datacenter == cluster.datacenter,)
        datastore = s.scalars(
            select(ManagedObject).where(ManagedObject.kind == DATASTORE, *near).order_by(*MOID_ORDER)
        ).first()
        # the datacenter's first network of its own (vCenter's order), not a vCD org network's port group
        network = s.scalars(
            select(ManagedObject)
            .where(
                ManagedObject.kind == NETWORK, *near, ManagedObject.moid.not_in(select(OrgNetwork.network))
            )
            .order_by(*MOID_ORDER)
        ).first()
        if datastore is not None and network is not None:
            add_reservation(
                s,
                tenant,
                ReservationSpec(
                    name=VSPHERE_NAME,
                    kind=VSPHERE,
                    subtenant_id=group_id,
                    target=cluster.moid,
                    priority=1,
                    memory_mb=65_536,
                    policy_id=policy,
                    storages=(StorageSpec(datastore.moid, 500),),
                    networks=(NetworkSpec(network.moid, profile),),
                ),
                now,
            )
    vdc = s.scalar(select(OrgVdc).where(OrgVdc.name == VDC_NAME))
    if vdc is not None:
        org_network = s.scalar(select(OrgNetwork.id).where(OrgNetwork.vdc == vdc.id))
        add_reservation(
            s,
            tenant,
            ReservationSpec(
                name=VCLOUD_NAME,
                kind=VCLOUD,
                subtenant_id=group_id,
                target=vdc.id,
                priority=1,
                memory_mb=32_768,
                storages=(StorageSpec(storage_profile_id(vdc.id), 200),),
                networks=(NetworkSpec(org_network),) if org_network else (),
            ),
            now,
        )
    key_pair = add_key_pair(s, tenant, KeyPairSpec(KEY_PAIR_NAME, REGION), now)
    add_reservation(
        s,
        tenant,
        ReservationSpec(
            name=AMAZON_NAME,
            kind=AMAZON,
            subtenant_id=group_id,
            target=REGION,
            priority=1,
            machine_quota=10,
            key_pair_id=str(key_pair),
        ),
        now,
    )
