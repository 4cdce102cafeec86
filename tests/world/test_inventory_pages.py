"""A page of the inventory as large as a page may be still tells whether another follows: the
graph reads one object past its largest page (a container view's RetrievePropertiesEx with the
default maxObjects over more VMs than that once ended without a token)."""

from localsphere.settings import InventorySpec, Policy, Settings
from localsphere.world import World
from localsphere.world.inventory import ROOT_FOLDER, VM
from localsphere.world.inventory_graph import MAX_PAGE


def test_a_full_page_and_one_more(tmp_path):
    spec = InventorySpec.parse(f"datacenters=1,clusters=1,hosts=1,vms={MAX_PAGE + 1}")
    world = World(Settings(data_dir=tmp_path, inventory=spec, policy=Policy(argon2_time_cost=1)))
    world.prepare()
    try:
        graph = world.inventory_graph
        found = graph.contents(ROOT_FOLDER, {VM}, True, None, MAX_PAGE + 1, None, False)
        assert len(found) == MAX_PAGE + 1
        after = found[MAX_PAGE - 1].moid  # the next page starts where a full one ended
        rest = graph.contents(ROOT_FOLDER, {VM}, True, after, MAX_PAGE + 1, None, False)
        assert rest and rest[0].moid == found[MAX_PAGE].moid
    finally:
        world.close()
