"""What a PropertyCollector filter told (``world.filter_updates``): enter, modify with only the
changed paths, leave, answers from an older version, and the floor once old leaves are forgotten."""

from localsphere.world.filter_updates import Told, Update


def test_told_reports_only_what_changed_since_a_version():
    told = Told()
    assert told.advance(
        {"VirtualMachine:vm-2": {"name": "a", "power": "on"}, "VirtualMachine:vm-10": {"name": "b"}}, 1
    )
    assert told.since(0, 1) == [
        Update("VirtualMachine:vm-2", "enter", ("name", "power")),
        Update("VirtualMachine:vm-10", "enter", ("name",)),
    ]
    assert not told.advance(
        {"VirtualMachine:vm-2": {"name": "a", "power": "on"}, "VirtualMachine:vm-10": {"name": "b"}}, 2
    )
    assert told.advance({"VirtualMachine:vm-2": {"name": "a"}, "VirtualMachine:vm-11": {"name": "c"}}, 2)
    assert told.since(1, 2) == [
        Update("VirtualMachine:vm-2", "modify", ("power",)),  # it became unset
        Update("VirtualMachine:vm-10", "leave"),
        Update("VirtualMachine:vm-11", "enter", ("name",)),
    ]
    assert told.since(2, 2) == []
    kept = Told.load(told.dump())
    assert kept.since(1, 2) == told.since(1, 2)
    # an object that came and went after a version is not reported to it
    assert told.advance({"VirtualMachine:vm-2": {"name": "a"}}, 3)
    assert [u.kind for u in told.since(1, 3)] == ["modify", "leave"]
    assert told.since(1, 1) == []


def test_forgetting_old_leaves_raises_the_floor():
    told = Told()
    told.advance({f"VirtualMachine:vm-{i}": {"name": str(i)} for i in range(4)}, 1)
    for version, i in enumerate(range(3), start=2):
        told.advance({f"VirtualMachine:vm-{j}": {"name": str(j)} for j in range(i + 1, 4)}, version)
    assert told.forget(2) == 2  # the leave at version 2 is forgotten: answers start from 2
    assert [u.key for u in told.since(2, 4)] == ["VirtualMachine:vm-1", "VirtualMachine:vm-2"]
