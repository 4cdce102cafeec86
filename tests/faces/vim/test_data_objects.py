"""``data_objects.build`` makes every pyVmomi data object type as its own constructor does."""

import pytest
from pyVmomi import VmomiSupport, vim

from localsphere.faces.vim.data_objects import build


def test_every_data_object_type_gets_pyvmomis_defaults():
    compared = 0
    for name in list(VmomiSupport._dataDefMap):
        typ = VmomiSupport.GetVmodlType(name)
        if issubclass(typ, BaseException):
            continue
        expected, made = vars(typ()), vars(build(typ))
        assert made.keys() == expected.keys(), name
        for key, value in expected.items():
            assert type(made[key]) is type(value) and made[key] == value, (name, key)
        compared += 1
    assert compared > 3000


def test_values_are_checked_as_pyvmomi_checks_them():
    made = build(vim.vm.GuestInfo, guestState="running", net=[vim.vm.GuestInfo.NicInfo(macAddress="m")])
    assert made.guestState == "running" and made.net[0].macAddress == "m"
    assert (
        build(vim.vm.GuestInfo).net == [] and build(vim.vm.GuestInfo).net is not build(vim.vm.GuestInfo).net
    )
    with pytest.raises(TypeError):
        build(vim.vm.GuestInfo, guestState=3)
    with pytest.raises(AttributeError):
        build(vim.vm.GuestInfo, noSuchProperty=1)
