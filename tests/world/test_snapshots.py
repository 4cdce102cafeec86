"""Snapshots: a restore brings back every row of every world table exactly, all or nothing."""

import zlib

import pytest
from sqlalchemy import delete, func, insert, select, update

from localsphere.settings import InventorySpec, Policy, Settings
from localsphere.world import World, snapshots
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.schema import (
    WORLD_TABLES,
    Base,
    ExternalStat,
    ManagedObject,
    Principal,
    PrivilegeCheck,
    SnapshotChunk,
    Tenant,
    WorldState,
)
from localsphere.world.snapshots import Snapshots
from localsphere.world.tokens import JwtProfile

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

PROFILE = JwtProfile("vcf-auth", "sddc-services")


def make_world(tmp_path, db_url=None, inventory=None):
    policy = Policy(argon2_time_cost=1)
    world = World(
        Settings(data_dir=tmp_path, db_url=db_url, policy=policy, inventory=inventory or InventorySpec())
    )
    world.prepare()
    return world


def dump(world):
    """Every world table's rows, in primary-key order."""
    with world.store.read() as s:
        return {
            t.name: [tuple(row) for row in s.execute(select(t).order_by(*t.primary_key.columns))]
            for t in WORLD_TABLES
        }


STAMP = WorldState.__table__.columns.keys().index("access_stamp")


def without_stamp(tables):
    return {**tables, "world_state": [row[:STAMP] + row[STAMP + 1 :] for row in tables["world_state"]]}


def stamp_of(tables):
    return tables["world_state"][0][STAMP]


def record_check(world):
    world.privilege_checks.record(None, "administrator", "vsphere.local", "group-d1", "System.Read", None)
    world.privilege_checks.flush()  # checks are written in batches; this one now


def change(world):
    """Touch every kind of world state a restore must undo."""
    world.tokens.issue(
        world.auth.sign_in("administrator@vsphere.local", password="VMware1!"), "sddc", PROFILE
    )
    world.clock.advance(100)
    record_check(world)
    with world.store.write() as s:
        vm = s.scalars(select(ManagedObject.moid).where(ManagedObject.kind == "VirtualMachine")).first()
        s.execute(delete(ManagedObject).where(ManagedObject.moid == vm))
        s.execute(update(Principal).values(failed_logins=Principal.failed_logins + 1))
        s.add(Tenant(name="acme", full_name="Acme", created_at=1.5))


def test_world_tables_are_all_but_the_bookkeeping():
    names = {t.name for t in Base.metadata.sorted_tables} - {t.name for t in WORLD_TABLES}
    assert names == {"snapshots", "snapshot_chunks", "fault_rules"}
    assert {"world_meta", "world_state", "objects", "tokens"} <= {t.name for t in WORLD_TABLES}


def test_restore_brings_back_every_row(tmp_path, new_database, monkeypatch):
    monkeypatch.setattr(snapshots, "CHUNK_BYTES", 1000)  # many lines cut across chunks
    world = make_world(tmp_path, new_database())
    try:
        snaps = Snapshots(world.store, world.clock)
        record_check(world)
        world.clock.freeze()
        with world.store.write() as s:  # values that must survive exactly
            s.add(ExternalStat(resource="r", stat_key="k", at_ms=2**62, value=0.1 + 0.2))
            s.add(ExternalStat(resource="r", stat_key="k", at_ms=1, value=-1.2345678901234567e-300))
            s.add(Tenant(name="t", full_name='Ünïcode ✓ "quoted"\n', created_at=1e16))
        before = dump(world)
        saved = snaps.save("before")
        assert saved.rows == sum(len(rows) for rows in before.values())
        assert saved.created_at == world.clock.reading().now
        assert saved.revision and saved.size > 0

        change(world)
        assert without_stamp(dump(world)) != without_stamp(before)

        assert snaps.restore("before") == saved
        after = dump(world)
        assert without_stamp(after) == without_stamp(before)
        assert stamp_of(after) != stamp_of(before)
        assert world.clock.reading().now == saved.created_at  # the frozen clock came back
    finally:
        world.close()


def test_a_large_world_spans_chunks(tmp_path, new_database, monkeypatch):
    monkeypatch.setattr(snapshots, "CHUNK_BYTES", 100_000)  # 10,000 VMs compress to about half a MiB
    world = make_world(tmp_path, new_database(), InventorySpec(hosts=10, vms=1000))
    try:
        snaps = Snapshots(world.store, world.clock)
        before = dump(world)
        assert (
            len([r for r in before["objects"] if r[2] == "VirtualMachine"]) == 10_000 + 2
        )  # + the demo vApp's
        saved = snaps.save("big")
        with world.store.read() as s:
            sizes = list(s.scalars(select(func.length(SnapshotChunk.data)).order_by(SnapshotChunk.seq)))
        assert len(sizes) > 1 and set(sizes[:-1]) == {100_000} and sum(sizes) == saved.size
        assert saved.rows == sum(len(rows) for rows in before.values())

        with world.store.write() as s:
            s.execute(delete(ManagedObject).where(ManagedObject.kind == "VirtualMachine"))
        snaps.restore("big")
        assert without_stamp(dump(world)) == without_stamp(before)
    finally:
        world.close()


def test_list_get_delete_and_names(tmp_path, new_database):
    world = make_world(tmp_path, new_database())
    try:
        snaps = Snapshots(world.store, world.clock)
        world.clock.freeze()
        b = snaps.save("b")
        a = snaps.save("a.1_-Z")
        world.clock.advance(1)
        c = snaps.save("0")
        assert snaps.list() == [a, b, c]  # by time, then name
        assert snaps.get("b") == b

        for bad in ["", "-a", ".a", "a b", "a/b", "x" * 129, "a\n", "é"]:
            with pytest.raises(Invalid) as e:
                snaps.save(bad)
            assert e.value.reason == "snapshot.name"
        assert snaps.save("x" * 128).name == "x" * 128
        with pytest.raises(Conflict) as e:
            snaps.save("b")
        assert e.value.reason == "snapshot.exists"

        snaps.delete("b")
        assert [v.name for v in snaps.list()] == ["a.1_-Z", "0", "x" * 128]
        with world.store.read() as s:
            assert s.scalar(select(func.count()).where(SnapshotChunk.snapshot == "b")) == 0
        for call in (snaps.get, snaps.delete, snaps.restore):
            with pytest.raises(NotFound) as e:
                call("b")
            assert e.value.reason == "snapshot.not_found"
    finally:
        world.close()


def test_keys_continue_after_a_restore(tmp_path, new_database):
    world = make_world(tmp_path, new_database())
    try:
        snaps = Snapshots(world.store, world.clock)

        def insert_check():
            with world.store.write() as s:
                row = PrivilegeCheck(object="group-d1", privilege="System.View", created_at=0.0)
                s.add(row)
                s.flush()
                return row.seq

        snaps.save("none")
        for _ in range(3):
            record_check(world)
        snaps.save("three")
        for _ in range(2):
            record_check(world)

        snaps.restore("three")
        assert insert_check() == 4
        snaps.restore("none")
        assert insert_check() == 1
    finally:
        world.close()


@pytest.mark.parametrize(
    ("old", "new"),
    [(b'{"table":"tokens"', b'{"table":"tickets"'), (b'"password_hash"', b'"password_digest"')],
)
def test_an_incompatible_snapshot_changes_nothing(tmp_path, new_database, old, new):
    world = make_world(tmp_path, new_database())
    try:
        snaps = Snapshots(world.store, world.clock)
        world.tokens.issue(
            world.auth.sign_in("administrator@vsphere.local", password="VMware1!"), "sddc", PROFILE
        )
        snaps.save("old")
        with world.store.write() as s:  # rewrite the stored stream as a different schema would have
            chunks = s.scalars(select(SnapshotChunk.data).order_by(SnapshotChunk.seq))
            stream = zlib.decompress(b"".join(chunks))
            assert old in stream
            s.execute(delete(SnapshotChunk))
            s.execute(
                insert(SnapshotChunk).values(
                    snapshot="old", seq=0, data=zlib.compress(stream.replace(old, new))
                )
            )
        change(world)
        before = dump(world)

        with pytest.raises(Invalid) as e:
            snaps.restore("old")
        assert e.value.reason == "snapshot.incompatible"
        assert dump(world) == before
    finally:
        world.close()


def test_values_json_cannot_carry_are_refused(tmp_path, monkeypatch):
    world = make_world(tmp_path)
    try:
        snaps = Snapshots(world.store, world.clock)
        with world.store.write() as s:
            s.add(ExternalStat(resource="r", stat_key="k", at_ms=1, value=float("inf")))
        with pytest.raises(ValueError, match=r"external_stats\.value"):
            snaps.save("inf")
        with world.store.write() as s:
            s.execute(delete(ExternalStat))
        monkeypatch.setattr(snapshots, "WORLD_TABLES", [*WORLD_TABLES, SnapshotChunk.__table__])
        with pytest.raises(TypeError, match=r"snapshot_chunks\.data"):
            snaps.save("binary")
        assert snaps.list() == []
    finally:
        world.close()
