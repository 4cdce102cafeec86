"""Leases end as the world clock runs, not only when it is moved: ``settle`` (the vCD face's first
step for every signed-in request) applies the lease ends due, here after time passed without a
move of the clock (its offset written as real time passing would leave it)."""

from sqlalchemy import select, update

from localsphere.world.inventory import POWERED_ON, SUSPENDED, VM
from localsphere.world.schema import ManagedObject, VApp, WorldState
from world.test_store import make_world

WEEK = 7 * 86400  # the product's default deployment lease, the demo org's


def _running(world) -> dict[str, bool]:
    with world.store.query() as conn:
        return {row.id: row.deployed for row in conn.execute(select(VApp.id, VApp.deployed))}


def test_deployment_leases_end_as_time_passes(tmp_path):
    world = make_world(tmp_path)
    try:
        deployed = [vapp for vapp, on in _running(world).items() if on]
        assert deployed  # the demo world runs a vApp
        world.lease_expiry.settle()
        assert [v for v, on in _running(world).items() if on] == deployed  # nothing due yet
        with world.store.write() as s:  # a week and a minute pass
            s.execute(update(WorldState).values(clock_offset=WorldState.clock_offset + WEEK + 60))
        world.lease_expiry._looked = float("-inf")  # a second has passed in this process too
        world.lease_expiry.settle()
        assert not any(_running(world).values())
        with world.store.query() as conn:
            states = set(
                conn.scalars(
                    select(ManagedObject.power_state).where(
                        ManagedObject.vapp.in_(deployed), ManagedObject.kind == VM
                    )
                )
            )
        assert POWERED_ON not in states and SUSPENDED in states
    finally:
        world.close()
