"""The demo world's vRA catalog, in ``vsphere.local``: the service "Infrastructure" with three
blueprints (vSphere, vCloud, Amazon), all entitled to the business group "Demo Group", and the
one-level pre-provisioning approval policy "Demo Approval" (approver administrator@vsphere.local)
on the vSphere blueprint; the group may run every resource action, with no approval. README
documents them; tests rely on their names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from localsphere.world import identity
from localsphere.world.approvals import PRE, Approver, Level, add_policy
from localsphere.world.catalog import (
    AMAZON,
    VCLOUD,
    VSPHERE,
    ItemSpec,
    Range,
    add_entitlement,
    add_item,
    add_service,
)
from localsphere.world.catalogs import VAPP_TEMPLATE
from localsphere.world.demo_reservations import GROUP_NAME, POLICY_NAME
from localsphere.world.identity import USER
from localsphere.world.resource_actions import BINDINGS
from localsphere.world.schema import BusinessGroup, CatalogItem, ReservationPolicy
from localsphere.world.tenants import DEFAULT_TENANT

SERVICE_NAME = "Infrastructure"
VSPHERE_ITEM, VCLOUD_ITEM, AMAZON_ITEM = "CentOS on vSphere", "Photon on vCloud", "Linux on Amazon"
APPROVAL_NAME = "Demo Approval"
APPROVER = "administrator@vsphere.local"
TEMPLATE_NAME = "photon-5"  # the demo org's vApp template (demo_cloud.py)
AMI = "ami-0c55b159cbfafe1f0"
ENTITLEMENT_NAME = "Demo Group Entitlement"


def seed_demo_catalog(s: Session, now: float) -> None:
    """The demo catalog (see the module's words), when the demo business group is there."""
    tenant = DEFAULT_TENANT
    group = s.scalar(
        select(BusinessGroup.id).where(BusinessGroup.tenant == tenant, BusinessGroup.name == GROUP_NAME)
    )
    if group is None:
        return
    policy = s.scalar(
        select(ReservationPolicy.id).where(
            ReservationPolicy.tenant == tenant, ReservationPolicy.name == POLICY_NAME
        )
    )
    service = add_service(s, tenant, SERVICE_NAME, "Machines on the private and public clouds", now)
    s.flush()
    items = [
        add_item(
            s,
            tenant,
            service,
            ItemSpec(
                VSPHERE_ITEM,
                VSPHERE,
                identity.new_id(),
                Range(1, 4, 1),
                Range(512, 16384, 2048),
                Range(10, 200, 20),
                30,
                "A CentOS machine on the demo cluster",
                reservation_policy_id=policy,
                machine_prefix="vsphere-",
            ),
            now,
        )
    ]
    template = s.scalar(
        select(CatalogItem.entity_id).where(
            CatalogItem.kind == VAPP_TEMPLATE, CatalogItem.name == TEMPLATE_NAME
        )
    )
    if template is not None:
        items.append(
            add_item(
                s,
                tenant,
                service,
                ItemSpec(
                    VCLOUD_ITEM,
                    VCLOUD,
                    identity.new_id(),
                    Range(1, 2, 1),
                    Range(512, 4096, 1024),
                    Range(16, 64, 16),
                    30,
                    "A Photon vApp in the demo org VDC",
                    template_id=template,
                    machine_prefix="vcloud-",
                ),
                now,
            )
        )
    items.append(
        add_item(
            s,
            tenant,
            service,
            ItemSpec(
                AMAZON_ITEM,
                AMAZON,
                identity.new_id(),
                Range(1, 4, 1),
                Range(1024, 16384, 1024),
                Range(8, 100, 8),
                30,
                "A Linux instance in us-east-1",
                ami=AMI,
                instance_types=("t2.micro", "t2.small", "m4.large"),
                machine_prefix="ec2-",
            ),
            now,
        )
    )
    approval = add_policy(
        s, tenant, APPROVAL_NAME, (Level("Manager", PRE, (Approver(APPROVER, USER),)),), now, "One approver"
    )
    s.flush()
    add_entitlement(
        s,
        tenant,
        group,
        ENTITLEMENT_NAME,
        [(items[0], approval), *((i, None) for i in items[1:])],
        now,
        "The demo catalog for the demo business group",
        tuple((binding, None) for binding in BINDINGS),
    )
