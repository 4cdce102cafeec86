"""vSphere's custom attributes and vCenter's advanced settings in the world: names unique per
type, keys never reused, a removed field's values gone, values of one field's type only; settings
changed all or none."""

import pytest

from localsphere.settings import Policy, Settings
from localsphere.world import World
from localsphere.world.errors import Conflict, Invalid, NotFound

pytestmark = pytest.mark.every_backend  # see tests/conftest.py


@pytest.fixture
def world(tmp_path, new_database):
    made = World(Settings(data_dir=tmp_path, db_url=new_database(), policy=Policy(argon2_time_cost=1)))
    made.prepare()
    yield made
    made.close()


def test_custom_fields(world):
    fields = world.custom_fields
    owner = fields.add("owner", "VirtualMachine")
    host_owner = fields.add("owner", "HostSystem")  # another type may use the name
    with pytest.raises(Conflict):
        fields.add("owner", None)  # a field of every type may not
    with pytest.raises(Invalid):
        fields.add("", None)
    fields.set("vm-1", {"VirtualMachine", "ManagedEntity"}, owner.key, "ops")
    with pytest.raises(Invalid):
        fields.set("host-1", {"HostSystem", "ManagedEntity"}, owner.key, "ops")
    assert fields.values(["vm-1", "host-1"]) == {"vm-1": {owner.key: "ops"}}
    fields.remove(owner.key)
    assert fields.values(["vm-1"]) == {}
    with pytest.raises(NotFound):
        fields.rename(owner.key, "gone")
    again = fields.add("owner", "VirtualMachine")
    assert again.key > host_owner.key  # keys are never reused
    assert [f.name for f in fields.fields()] == ["owner", "owner"]


def test_settings_change_all_or_none(world):
    settings = world.vpx_settings
    with pytest.raises(NotFound):
        settings.update({"event.maxAge": 7, "instance.id": 2})  # a read-only key
    with pytest.raises(Invalid):
        settings.update({"event.maxAge": "seven"})
    assert settings.values()["event.maxAge"] == 30
    settings.update({"event.maxAge": 7, "log.level": "verbose"})
    assert settings.values()["event.maxAge"] == 7 and settings.values()["log.level"] == "verbose"
