"""Placement over reservations and IP allocation from network profiles, in the world (no HTTP),
on SQLite and PostgreSQL: priority order, quotas exhausted with a clear reason, reservation
policies, release; the lowest free address, exhaustion and release."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from localsphere.settings import Policy, Settings
from localsphere.world import World, identity, network_profiles, reservations
from localsphere.world.errors import Conflict, Invalid
from localsphere.world.inventory import CLUSTER, DATASTORE, NETWORK
from localsphere.world.key_pairs import KeyPairSpec, add_key_pair
from localsphere.world.network_profiles import ProfileSpec, RangeSpec, add_profile
from localsphere.world.reservations import (
    NetworkSpec,
    ReservationSpec,
    StorageSpec,
    add_policy,
    add_reservation,
)
from localsphere.world.schema import BusinessGroup, ManagedObject

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

TENANT = "vsphere.local"


@pytest.fixture
def world(tmp_path, new_database):
    made = World(Settings(data_dir=tmp_path, db_url=new_database(), policy=Policy(argon2_time_cost=1)))
    made.prepare()
    yield made
    made.close()


def _group(s, name):
    group_id = identity.new_id()
    s.add(BusinessGroup(id=group_id, tenant=TENANT, name=name, extension_data="{}", created_at=0.0))
    s.flush()
    return group_id


def _first(s, kind, datacenter=None):
    query = select(ManagedObject).where(ManagedObject.kind == kind).order_by(ManagedObject.moid)
    if datacenter is not None:
        query = query.where(ManagedObject.datacenter == datacenter)
    return s.scalars(query).first()


def _vsphere(s, group, name, priority, memory_mb, storage_gb, machines=0, policy=None, profile=None):
    cluster = _first(s, CLUSTER)
    datastore = _first(s, DATASTORE, cluster.datacenter)
    network = _first(s, NETWORK, cluster.datacenter)
    spec = ReservationSpec(
        name=name,
        kind="vsphere",
        subtenant_id=group,
        target=cluster.moid,
        priority=priority,
        memory_mb=memory_mb,
        machine_quota=machines,
        policy_id=policy,
        storages=(StorageSpec(datastore.moid, storage_gb),),
        networks=(NetworkSpec(network.moid, profile),),
    )
    return add_reservation(s, TENANT, spec, 0.0)


def test_placement_goes_by_priority_then_most_memory_left(world):
    with world.store.write() as s:
        group = _group(s, "Placement")
        low = _vsphere(s, group, "second", 2, 8192, 100)
        high = _vsphere(s, group, "first", 1, 2048, 100)
        roomy = _vsphere(s, group, "first-roomy", 1, 4096, 100)
        placed = reservations.place(s, TENANT, group, "vsphere", None, 1, 2048, 10, "m1")
        assert placed.reservation_id == roomy  # same priority: more memory left
        placed = reservations.place(s, TENANT, group, "vsphere", None, 1, 2048, 10, "m2")
        assert placed.reservation_id in (roomy, high)
        placed = reservations.place(s, TENANT, group, "vsphere", None, 1, 2048, 10, "m3")
        assert {placed.reservation_id} <= {roomy, high}
        # both priority-1 reservations are now full: the priority-2 one takes the next
        placed = reservations.place(s, TENANT, group, "vsphere", None, 1, 2048, 10, "m4")
        assert placed.reservation_id == low
        assert (
            placed.kind == "vsphere" and placed.target.startswith("domain-c") and placed.key_pair_id is None
        )


def test_quota_exhaustion_names_the_quota_and_release_gives_it_back(world):
    with world.store.write() as s:
        group = _group(s, "Quotas")
        only = _vsphere(s, group, "small", 0, 4096, 50, machines=2)
        reservations.place(s, TENANT, group, "vsphere", None, 2, 3072, 10, "a")
        with pytest.raises(Invalid) as memory:
            reservations.place(s, TENANT, group, "vsphere", None, 2, 2048, 10, "b")
        assert memory.value.reason == "reservation.none"
        assert "Insufficient memory quota in reservation small" in memory.value.message
        with pytest.raises(Invalid) as storage:
            reservations.place(s, TENANT, group, "vsphere", None, 1, 512, 41, "b")
        assert "Insufficient storage quota in reservation small" in storage.value.message
        reservations.place(s, TENANT, group, "vsphere", None, 1, 512, 10, "b")
        with pytest.raises(Invalid) as machines:
            reservations.place(s, TENANT, group, "vsphere", None, 1, 256, 1, "c")
        assert "Insufficient machine quota in reservation small" in machines.value.message
        with pytest.raises(Conflict):
            reservations.place(s, TENANT, group, "vsphere", None, 1, 256, 1, "a")
        reservations.release(s, "a")
        reservations.release(s, "a")  # nothing held: no change
        placed = reservations.place(s, TENANT, group, "vsphere", None, 2, 3072, 10, "c")
        assert placed.reservation_id == only
    view = world.reservations.get(TENANT, only)
    assert (view.used_memory_mb, view.used_storage_gb, view.machines) == (3584, 20, 2)


def test_policies_filter_placement_and_disabled_or_other_groups_never_serve(world):
    with world.store.write() as s:
        group, other = _group(s, "Policies"), _group(s, "Other")
        gold = add_policy(s, TENANT, "Gold", None, 0.0)
        silver = add_policy(s, TENANT, "Silver", None, 0.0)
        plain = _vsphere(s, group, "plain", 0, 4096, 50)
        golden = _vsphere(s, group, "golden", 5, 4096, 50, policy=gold)
        _vsphere(s, other, "theirs", 0, 4096, 50, policy=silver)
        assert reservations.place(s, TENANT, group, "vsphere", gold, 1, 1024, 1, "g").reservation_id == golden
        assert reservations.place(s, TENANT, group, "vsphere", None, 1, 1024, 1, "p").reservation_id == plain
        with pytest.raises(Invalid) as none:
            reservations.place(s, TENANT, group, "vsphere", silver, 1, 1024, 1, "s")
        assert "No enabled vsphere reservation of reservation policy Silver" in none.value.message
        assert "business group Policies" in none.value.message
        with pytest.raises(Invalid, match="No enabled vcloud reservation"):
            reservations.place(s, TENANT, group, "vcloud", None, 1, 1024, 1, "v")


def test_an_amazon_reservation_gives_its_region_and_key_pair(world):
    with world.store.write() as s:
        group = _group(s, "Cloud")
        key_id = add_key_pair(s, TENANT, KeyPairSpec("test-key", "us-east-1"), 0.0)
        spec = ReservationSpec(
            name="aws",
            kind="amazon",
            subtenant_id=group,
            target="us-east-1",
            machine_quota=1,
            key_pair_id=str(key_id),
        )
        add_reservation(s, TENANT, spec, 0.0)
        placed = reservations.place(s, TENANT, group, "amazon", None, 1, 4096, 40, "ec2-1")
        assert (placed.target, placed.key_pair_id) == ("us-east-1", str(key_id))
        with pytest.raises(Invalid, match="machine quota"):
            reservations.place(s, TENANT, group, "amazon", None, 1, 4096, 40, "ec2-2")
        with pytest.raises(Invalid, match="not of us-west-2"):
            add_reservation(
                s,
                TENANT,
                ReservationSpec(
                    name="aws2",
                    kind="amazon",
                    subtenant_id=group,
                    target="us-west-2",
                    key_pair_id=str(key_id),
                ),
                0.0,
            )


def _profile(s, name, *ranges):
    spec = ProfileSpec(
        name=name,
        profile_type="EXTERNAL",
        subnet_mask="255.255.255.0",
        gateway="10.0.0.1",
        ranges=tuple(RangeSpec(f"r{i}", a, b) for i, (a, b) in enumerate(ranges)),
    )
    return add_profile(s, TENANT, spec, 0.0)


def test_addresses_are_the_lowest_free_until_exhausted_and_come_back_on_release(world):
    with world.store.write() as s:
        profile = _profile(s, "small", ("10.0.0.20", "10.0.0.21"), ("10.0.0.10", "10.0.0.11"))
        got = [network_profiles.allocate(s, profile, f"vm{i}") for i in range(4)]
        assert got == ["10.0.0.10", "10.0.0.11", "10.0.0.20", "10.0.0.21"]
        with pytest.raises(Invalid) as exhausted:
            network_profiles.allocate(s, profile, "vm4")
        assert exhausted.value.reason == "network_profile.exhausted"
        assert "small" in exhausted.value.message
        network_profiles.release(s, "vm1")
        network_profiles.release(s, "nobody")
        assert network_profiles.address_of(s, "vm1") is None
        assert network_profiles.address_of(s, "vm2") == "10.0.0.20"
        assert network_profiles.allocate(s, profile, "vm5") == "10.0.0.11"
        network_profiles.release(s, "vm0")
        network_profiles.release(s, "vm2")
        assert network_profiles.allocate(s, profile, "vm6") == "10.0.0.10"
        assert network_profiles.allocate(s, profile, "vm7") == "10.0.0.20"


@pytest.mark.parametrize(
    ("ranges", "reason"),
    [
        ((("10.0.0.5", "10.0.0.4"),), "network_profile.range"),
        ((("10.0.0.5", "10.0.1.4"),), "network_profile.range"),
        ((("10.0.0.1", "10.0.0.4"),), "network_profile.range"),  # holds the gateway
        ((("10.0.0.300", "10.0.0.4"),), "network_profile.address"),
        ((("10.0.0.10", "10.0.0.20"), ("10.0.0.20", "10.0.0.30")), "network_profile.overlap"),
    ],
)
def test_bad_ranges_are_refused(world, ranges, reason):
    with world.store.write() as s, pytest.raises(Invalid) as refused:
        _profile(s, "bad", *ranges)
    assert refused.value.reason == reason


def test_a_profile_in_use_is_not_deleted(world):
    with world.store.write() as s:
        profile = _profile(s, "busy", ("10.0.0.10", "10.0.0.12"))
        network_profiles.allocate(s, profile, "vm")
    with pytest.raises(Conflict, match="allocated"):
        world.network_profiles.delete(TENANT, profile)
    view = world.network_profiles.get(TENANT, profile)
    assert view.ranges[0].allocated == 1
    with world.store.write() as s:
        network_profiles.release(s, "vm")
    world.network_profiles.delete(TENANT, profile)


def test_the_demo_world_has_a_group_with_three_reservations_and_a_profile(world):
    from localsphere.world.demo_reservations import GROUP_NAME, PROFILE_RANGE

    with world.store.write() as s:
        group = s.scalar(select(BusinessGroup.id).where(BusinessGroup.name == GROUP_NAME))
        kinds = {}
        for kind in reservations.KINDS:
            placed = reservations.place(s, TENANT, group, kind, None, 1, 1024, 10, f"demo-{kind}")
            kinds[kind] = placed
        assert kinds["amazon"].target == "us-east-1" and kinds["amazon"].key_pair_id is not None
        assert kinds["vsphere"].network_profile_id is not None
        address = network_profiles.allocate(s, kinds["vsphere"].network_profile_id, "demo-vsphere")
        assert address == PROFILE_RANGE[0]
