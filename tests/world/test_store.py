"""The store: migrations build exactly the schema the code declares, and old tokens are purged."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from localsphere.settings import Policy, Settings
from localsphere.world import World
from localsphere.world.access import SDDC
from localsphere.world.errors import Invalid
from localsphere.world.inventory import POWERED_OFF, VM, Filter
from localsphere.world.schema import Base, Token
from localsphere.world.store import NeedsStore
from localsphere.world.tokens import JwtProfile

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

PROFILE = JwtProfile("vcf-auth", "sddc-services")


def make_world(tmp_path, db_url=None):
    world = World(Settings(data_dir=tmp_path, db_url=db_url, policy=Policy(argon2_time_cost=1)))
    world.prepare()
    return world


def test_migrations_match_the_declared_schema(tmp_path, new_database):
    world = make_world(tmp_path, new_database())
    try:
        with world.store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        world.close()


def test_prepare_seeds_once(tmp_path):
    world = make_world(tmp_path)
    try:
        assert world.prepare() is False
    finally:
        world.close()


def test_expired_tokens_are_purged_a_day_after_expiry(tmp_path):
    world = make_world(tmp_path)
    try:
        admin = world.auth.sign_in("administrator@vsphere.local", password="VMware1!")
        world.tokens.issue(admin, SDDC, PROFILE)
        world.clock.advance(86400 + 3601)  # the access token is a day past expiry, the refresh token not
        world.tokens.issue(admin, SDDC, PROFILE)
        with world.store.read() as s:
            kinds = sorted(s.scalars(select(Token.kind)))
            assert kinds == ["access", "refresh", "refresh"]
            world.clock.advance(86400)
        world.tokens.issue(admin, SDDC, PROFILE)
        with world.store.read() as s:
            assert s.scalar(select(func.count()).select_from(Token)) == 4
    finally:
        world.close()


def test_a_try_without_the_store_stops_before_it_and_defers_its_effects(tmp_path):
    """What ``Runner.read`` relies on to try PostgreSQL reads on the event loop: the first use of
    the store raises ``NeedsStore`` and drops what was deferred; any other end keeps it."""
    world = make_world(tmp_path)
    store, done = world.store, []
    try:
        with pytest.raises(NeedsStore), store.without_io():
            store.after(lambda: done.append("dropped"))
            with store.query():
                pass
        assert done == []
        with store.without_io():
            store.after(lambda: done.append("kept"))
        with pytest.raises(KeyError), store.without_io():
            store.after(lambda: done.append("kept on failure"))
            raise KeyError
        store.after(lambda: done.append("at once"))
        assert done == ["kept", "kept on failure", "at once"]
        with store.query() as conn:  # outside a try, the store is there again
            assert conn.scalar(select(func.count()).select_from(Token)) is not None
    finally:
        world.close()


def test_a_world_made_before_vra_gets_its_role_catalogue(tmp_path, new_database):
    """Migration 0010 gives a world seeded before the vRA face its roles, and the SSO
    administrator its system and default-tenant roles (a world seeded since has them already)."""
    from sqlalchemy import text

    from localsphere.world.access import VRA
    from localsphere.world.listing import Listing

    world = make_world(tmp_path, new_database())
    try:
        _downgrade(world, "0010")
        with world.store.engine.begin() as conn:  # as a world of revision 0009 was
            for table in ("assignments", "role_privileges", "roles", "privileges"):
                column = (
                    "role_id IN (SELECT id FROM roles WHERE family = 'vra')"
                    if table == "role_privileges"
                    else "family = 'vra'"
                )
                conn.execute(text(f"DELETE FROM {table} WHERE {column}"))
            conn.execute(text("UPDATE alembic_version SET version_num = '0009'"))
        world.store.migrate()
        assert len(world.tenant_roles.catalogue(Listing(0, 100)).items) == 10
        issued = world.tenant_tokens.issue("vsphere.local", "administrator", "VMware1!")
        caller = world.tenant_tokens.check(issued.token)
        assert "TENANT_MANAGEMENT" in caller.system and caller.caller.family == VRA
    finally:
        world.close()


def test_events_recorded_before_0031_are_numbered_in_their_recorded_order(tmp_path, new_database):
    """Migration 0031 numbers the events a world had by world time (their recorded order),
    and the next event recorded comes after them all."""
    from sqlalchemy import text

    from localsphere.world.events import Entity

    world = make_world(tmp_path, new_database())
    try:
        _downgrade(world, "0030")
        with world.store.engine.begin() as conn:
            conn.execute(text("DELETE FROM events"))
            for n, at in (("b", 20.0), ("c", 30.0), ("a", 10.0)):
                conn.execute(
                    text(
                        "INSERT INTO events (id, tenant, action, entity_kind, entity_id, entity_name,"
                        " user_name, service, success, at, details, pending) VALUES (:id, 'vsphere.local',"
                        " 'login', 'user', 'u', 'u', 'u', 'vim', :yes, :at, '', :no)"
                    ),
                    {"id": n, "at": at, "yes": True, "no": False},
                )
        world.store.migrate()
        with world.store.engine.connect() as conn:
            numbered = conn.execute(text("SELECT id, seq FROM events ORDER BY seq")).all()
        assert [tuple(r) for r in numbered] == [("a", 1), ("b", 2), ("c", 3)]
        with world.store.write() as s:
            later = world.events.record(s, "vsphere.local", "login", Entity("user", "u", "u"), None, "u")
        with world.store.engine.connect() as conn:
            assert conn.execute(text("SELECT seq FROM events WHERE id = :id"), {"id": later}).scalar() == 4
    finally:
        world.close()


def test_vms_running_before_0032_booted_when_they_were_made(tmp_path, new_database):
    """Migration 0032 gives each VM running or suspended then the boot its uptime counted from
    (its creation), and none to a VM powered off."""
    from sqlalchemy import text

    world = make_world(tmp_path, new_database())
    try:
        _downgrade(world, "0031")
        with world.store.engine.connect() as conn:
            vms = conn.execute(
                text("SELECT moid, power_state, created_at FROM objects WHERE kind = 'VirtualMachine'")
            ).all()
        assert {r.power_state for r in vms} >= {"POWERED_ON", POWERED_OFF}
        world.store.migrate()
        with world.store.engine.connect() as conn:
            booted = dict(
                conn.execute(text("SELECT moid, booted_at FROM objects WHERE kind = 'VirtualMachine'")).all()
            )
        for r in vms:
            assert booted[r.moid] == (None if r.power_state == POWERED_OFF else r.created_at), r
    finally:
        world.close()


def _downgrade(world, revision: str) -> None:
    """Take a world's schema back to ``revision`` with the migrations' own downgrades."""
    from alembic import command
    from alembic.config import Config

    from localsphere.world.store import MIGRATIONS

    with world.store.engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_two_first_takers_of_a_new_sequence_both_get_a_number(tmp_path, new_database):
    """The first use of a sequence makes its row: a second transaction that also found none waits
    on the first's row and then uses it (on PostgreSQL its own insert would violate the key)."""
    import threading

    from localsphere.world.inventory import next_id

    world = make_world(tmp_path, new_database())
    taken: list[int] = []
    first_in = threading.Event()

    def first() -> None:
        with world.store.write() as s:
            taken.append(next_id(s, "race-sequence"))
            first_in.set()
            threading.Event().wait(0.5)  # the second finds no row meanwhile, and waits on this one's

    def second() -> None:
        first_in.wait(10)
        with world.store.write() as s:
            taken.append(next_id(s, "race-sequence"))

    try:
        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(taken) == [1, 2]
    finally:
        world.close()


def test_a_write_inside_a_write_joins_it(tmp_path, new_database):
    """A thread's writes inside its open write are savepoints of it: one refused is taken back
    alone, the outer one refused takes every one back; reads inside see what it wrote, and the
    inventory's copies keep nothing of it."""
    world = make_world(tmp_path, new_database())
    try:
        vm = world.inventory.list(VM, Filter(power_states={POWERED_OFF}), 1)[0].moid
        before = world.inventory.get(VM, vm)
        assert (before.memory_mib, before.cpu_count) != (8192, 2)
        with pytest.raises(RuntimeError), world.store.write():
            world.vm_hardware.update_memory(vm, 8192, None)
            with pytest.raises(Invalid):
                world.vm_hardware.update_memory(vm, 1001, None)  # refused alone
            assert world.inventory.get(VM, vm).memory_mib == 8192  # read inside
            raise RuntimeError  # the outer write refused: nothing stays
        assert world.inventory.get(VM, vm).memory_mib == before.memory_mib
        with world.store.write():
            world.vm_hardware.update_memory(vm, 8192, None)
            world.vm_hardware.update_cpu(vm, 2, 1, None, None)
        after = world.inventory.get(VM, vm)
        assert (after.memory_mib, after.cpu_count) == (8192, 2)
    finally:
        world.close()
