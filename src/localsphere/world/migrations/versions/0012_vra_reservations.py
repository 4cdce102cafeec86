"""vRA's reservations: reservation policies, key pairs, network profiles with their IP ranges and
the addresses machines hold, reservations and what machines hold of them

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.String(length=36), primary_key=True)


def _tenant() -> sa.Column:
    return sa.Column(
        "tenant", sa.String(length=128), sa.ForeignKey("tenants.name", ondelete="CASCADE"), nullable=False
    )


def _text(name: str, length: int | None = None, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=length) if length else sa.Text(), nullable=nullable)


def _number(name: str, kind: type = sa.BigInteger) -> sa.Column:
    return sa.Column(name, kind(), nullable=False)


def _created() -> sa.Column:
    return sa.Column("created_at", sa.Float(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "vra_reservation_policies",
        _id(),
        _tenant(),
        _text("name", 255),
        _text("description", nullable=True),
        _created(),
    )
    op.create_index(
        "ix_vra_reservation_policies_tenant_name", "vra_reservation_policies", ["tenant", "name"], unique=True
    )
    op.create_table(
        "vra_key_pairs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        _tenant(),
        _text("name", 255),
        _text("region", 32),
        _text("public_key"),
        _text("fingerprint", 128),
        _created(),
    )
    op.create_index("ix_vra_key_pairs_tenant_name", "vra_key_pairs", ["tenant", "name"], unique=True)
    op.create_table(
        "vra_network_profiles",
        _id(),
        _tenant(),
        _text("name", 255),
        _text("description", nullable=True),
        _text("profile_type", 16),
        _text("gateway", 64, nullable=True),
        _text("subnet_mask", 64),
        _text("details"),
        _created(),
    )
    op.create_index(
        "ix_vra_network_profiles_tenant_name", "vra_network_profiles", ["tenant", "name"], unique=True
    )
    op.create_table(
        "vra_ip_ranges",
        _id(),
        sa.Column(
            "profile_id",
            sa.String(length=36),
            sa.ForeignKey("vra_network_profiles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _text("name", 255),
        _text("description", nullable=True),
        _number("start_num"),
        _number("end_num"),
    )
    op.create_index("ix_vra_ip_ranges_profile_start", "vra_ip_ranges", ["profile_id", "start_num"])
    op.create_table(
        "vra_ip_allocations",
        sa.Column("owner", sa.String(length=64), primary_key=True),
        sa.Column(
            "profile_id", sa.String(length=36), sa.ForeignKey("vra_network_profiles.id"), nullable=False
        ),
        _number("address_num"),
        _created(),
    )
    op.create_index(
        "ix_vra_ip_allocations_profile_address",
        "vra_ip_allocations",
        ["profile_id", "address_num"],
        unique=True,
    )
    op.create_table(
        "vra_reservations",
        _id(),
        _tenant(),
        sa.Column(
            "subtenant",
            sa.String(length=36),
            sa.ForeignKey("business_groups.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _text("name", 255),
        _text("description", nullable=True),
        _text("kind", 16),
        _text("target", 64),
        _text("resource_pool", 32, nullable=True),
        sa.Column(
            "policy_id", sa.String(length=36), sa.ForeignKey("vra_reservation_policies.id"), nullable=True
        ),
        sa.Column(
            "network_profile_id",
            sa.String(length=36),
            sa.ForeignKey("vra_network_profiles.id"),
            nullable=True,
        ),
        sa.Column("key_pair_id", sa.Integer(), sa.ForeignKey("vra_key_pairs.id"), nullable=True),
        _number("priority", sa.Integer),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        _number("memory_mb"),
        _number("storage_gb"),
        _number("machine_quota", sa.Integer),
        _number("used_memory_mb"),
        _number("used_storage_gb"),
        _number("machines", sa.Integer),
        _text("details"),
        _created(),
    )
    op.create_index("ix_vra_reservations_tenant_name", "vra_reservations", ["tenant", "name"], unique=True)
    op.create_index("ix_vra_reservations_placing", "vra_reservations", ["subtenant", "kind", "priority"])
    op.create_table(
        "vra_reservation_allocations",
        sa.Column("owner", sa.String(length=64), primary_key=True),
        sa.Column(
            "reservation_id",
            sa.String(length=36),
            sa.ForeignKey("vra_reservations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _number("memory_mb"),
        _number("storage_gb"),
        _created(),
    )
    op.create_index(
        "ix_vra_reservation_allocations_reservation", "vra_reservation_allocations", ["reservation_id"]
    )


def downgrade() -> None:
    for table in (
        "vra_reservation_allocations",
        "vra_reservations",
        "vra_ip_allocations",
        "vra_ip_ranges",
        "vra_network_profiles",
        "vra_key_pairs",
        "vra_reservation_policies",
    ):
        op.drop_table(table)
