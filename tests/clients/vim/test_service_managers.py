"""The service content's managers through pyVmomi: custom attributes (defined, set on a VM, read
back on it, kept over a restart; a viewer may not define one), vCenter's advanced settings
(``QueryOptions``, ``UpdateOptions``), licenses, the default alarms, the user directory, and the
file and OVF managers."""

import pytest
from pyVmomi import vim, vmodl

from helpers import ADMIN


def _vm(si, vc):
    vm_id = vc.get("/api/vcenter/vm").json()[0]["vm"]
    return vim.VirtualMachine(vm_id, si._stub)


def _summary_custom_value(si, vm):
    """``summary.customValue`` as vmware_exporter collects it: by the PropertyCollector."""
    PC = vmodl.query.PropertyCollector
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=vm)],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["summary.customValue"])],
    )
    (found,) = si.content.propertyCollector.RetrieveContents([spec])
    return found.propSet[0].val


@pytest.mark.every_backend
def test_custom_attribute_defined_set_and_read_back(connect, vc):
    si = connect()
    fields = si.content.customFieldsManager
    made = fields.AddCustomFieldDef("owner", vim.VirtualMachine)
    everywhere = fields.AddCustomFieldDef("team")
    assert made.name == "owner" and made.managedObjectType is vim.VirtualMachine
    assert {(f.key, f.name) for f in fields.field} == {(made.key, "owner"), (everywhere.key, "team")}
    vm = _vm(si, vc)
    fields.SetField(vm, made.key, "ops")
    fields.SetField(vm, everywhere.key, "blue")
    both = {(made.key, "ops"), (everywhere.key, "blue")}
    assert {(v.key, v.value) for v in vm.customValue} == both
    assert {(v.key, v.value) for v in vm.value} == both
    assert {(v.key, v.value) for v in _summary_custom_value(si, vm)} == both
    assert {(v.key, v.value) for v in vm.summary.customValue} == both  # in the whole summary too
    # the entity's own setCustomValue, by the field's name
    vm.setCustomValue(key="team", value="green")
    assert {(v.key, v.value) for v in vm.customValue} == {(made.key, "ops"), (everywhere.key, "green")}
    with pytest.raises(vmodl.fault.InvalidArgument):
        vm.setCustomValue(key="no-such-field", value="x")
    vm.setCustomValue(key="team", value="blue")
    assert {f.name for f in vm.availableField} == {"owner", "team"}
    host = si.content.rootFolder.childEntity[0].hostFolder.childEntity[0]
    assert {f.name for f in host.availableField} == {"team"}
    with pytest.raises(vmodl.fault.InvalidArgument):
        fields.SetField(host, made.key, "ops")
    with pytest.raises(vim.fault.DuplicateName):
        fields.AddCustomFieldDef("owner", vim.VirtualMachine)
    fields.RenameCustomFieldDef(made.key, "owned-by")
    assert {f.name for f in vm.availableField} == {"owned-by", "team"}
    fields.SetField(vm, everywhere.key, "")
    assert [(v.key, v.value) for v in vm.customValue] == [(made.key, "ops")]
    fields.RemoveCustomFieldDef(made.key)
    assert vm.customValue == [] and [f.name for f in fields.field] == ["team"]


def test_custom_values_survive_a_restart(server, connect, vc):
    si = connect()
    fields = si.content.customFieldsManager
    made = fields.AddCustomFieldDef("cost-centre", vim.VirtualMachine)
    vm_id = _vm(si, vc)._moId
    fields.SetField(vim.VirtualMachine(vm_id, si._stub), made.key, "4711")
    server.stop()
    server.start()
    again = connect()
    vm = vim.VirtualMachine(vm_id, again._stub)
    assert [(v.key, v.value) for v in vm.customValue] == [(made.key, "4711")]
    assert [f.name for f in again.content.customFieldsManager.field] == ["cost-centre"]


def test_a_viewer_may_not_define_or_set_custom_attributes(connect, vc):
    made = connect().content.customFieldsManager.AddCustomFieldDef("owner")
    viewer = connect(user="viewer@vsphere.local")
    with pytest.raises(vim.fault.NoPermission) as caught:
        viewer.content.customFieldsManager.AddCustomFieldDef("mine")
    assert caught.value.privilegeId == "Global.ManageCustomFields"
    with pytest.raises(vim.fault.NoPermission) as caught:
        viewer.content.customFieldsManager.SetField(_vm(viewer, vc), made.key, "x")
    assert caught.value.privilegeId == "Global.SetCustomField"


def test_advanced_settings(connect):
    si = connect()
    setting = si.content.setting
    assert setting._moId == "VpxSettings"
    (fqdn,) = setting.QueryOptions("VirtualCenter.FQDN")
    assert fqdn.key == "VirtualCenter.FQDN" and isinstance(fqdn.value, str)
    assert {o.key for o in setting.QueryOptions("event.")} == {"event.maxAge", "event.maxAgeEnabled"}
    with pytest.raises(vim.fault.InvalidName) as caught:
        setting.QueryOptions("no.such.setting")
    assert caught.value.name == "no.such.setting"
    setting.UpdateOptions([vim.option.OptionValue(key="event.maxAge", value=60)])
    assert setting.QueryOptions("event.maxAge")[0].value == 60
    assert {o.key: o.value for o in setting.setting}["event.maxAge"] == 60
    with pytest.raises(vim.fault.InvalidName):
        setting.UpdateOptions([vim.option.OptionValue(key="instance.id", value=7)])
    assert {d.key for d in setting.supportedOption} >= {"VirtualCenter.InstanceName", "instance.id"}
    viewer = connect(user="viewer@vsphere.local")
    with pytest.raises(vim.fault.NoPermission):
        viewer.content.setting.UpdateOptions([vim.option.OptionValue(key="event.maxAge", value=1)])


def test_licenses(connect):
    si = connect()
    manager = si.content.licenseManager
    editions = {lic.editionKey: lic for lic in manager.licenses}
    assert editions["eval"].licenseKey == "00000-00000-00000-00000-00000"
    assert editions["vc.standard.instance"].name == "vCenter Server 8 Standard"
    assigned = manager.licenseAssignmentManager.QueryAssignedLicenses()
    uuid = si.content.about.instanceUuid
    mine = manager.licenseAssignmentManager.QueryAssignedLicenses(uuid)
    assert [a.assignedLicense.editionKey for a in mine] == ["vc.standard.instance"]
    assert any(a.entityId.startswith("host-") for a in assigned)


def test_default_alarms(connect, vc):
    si = connect()
    alarms = si.content.alarmManager.GetAlarm()
    names = {a.info.systemName for a in alarms}
    assert {"alarm.HostCPUUsageAlarm", "alarm.VmCPUUsageAlarm"} <= names
    assert si.content.alarmManager.GetAlarm(si.content.rootFolder) == alarms
    PC = vmodl.query.PropertyCollector
    spec = PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=a) for a in alarms],
        propSet=[PC.PropertySpec(type=vim.alarm.Alarm, pathSet=["info.name"])],
    )
    read = si.content.propertyCollector.RetrieveContents([spec])
    assert {o.propSet[0].val for o in read} == {a.info.name for a in alarms}
    vm = _vm(si, vc)
    assert vm.triggeredAlarmState == []
    declared = vm.declaredAlarmState
    assert declared and all(s.overallStatus == "green" and s.entity == vm for s in declared)
    names = {s.alarm.info.systemName for s in declared}
    assert names == {"alarm.VmCPUUsageAlarm", "alarm.VmMemoryUsageAlarm"}


def test_user_directory_finds_the_administrator(connect):
    si = connect()
    directory = si.content.userDirectory
    assert "vsphere.local" in directory.domainList
    found = directory.RetrieveUserGroups("vsphere.local", "administrator", None, None, True, True, False)
    assert [(r.principal, r.group) for r in found] == [(ADMIN.split("@")[0], False)]
    with pytest.raises(vim.fault.NotFound):
        directory.RetrieveUserGroups("nowhere.test", "a", None, None, False, True, True)


DESCRIPTOR = """<?xml version="1.0"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References><File ovf:id="f1" ovf:href="disk1.vmdk" ovf:size="1048576"/></References>
  <DiskSection><Info>Disks</Info>
    <Disk ovf:diskId="d1" ovf:fileRef="f1" ovf:capacity="2" ovf:capacityAllocationUnits="byte * 2^30"/>
  </DiskSection>
  <VirtualSystem ovf:id="appliance"><Info>A VM</Info><Name>appliance</Name>
    <VirtualHardwareSection><Info>Hardware</Info>
      <Item><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>17</rasd:ResourceType>
        <rasd:HostResource>ovf:/disk/d1</rasd:HostResource></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>"""


def test_file_and_ovf_managers(connect, vc):
    si = connect()
    ovf = si.content.ovfManager
    assert {o.option for o in ovf.ovfExportOption} >= {"mac", "uuid"}
    params = vim.OvfManager.ParseDescriptorParams(locale="", deploymentOption="")
    parsed = ovf.ParseDescriptor(DESCRIPTOR, params)
    assert parsed.defaultEntityName == "appliance" and not parsed.error
    assert parsed.approximateDownloadSize == 1048576 and parsed.approximateFlatDeploymentSize == 2 << 30
    bad = ovf.ParseDescriptor("<not-ovf/>", params)
    assert isinstance(bad.error[0], vim.fault.OvfXmlFormat)
    with pytest.raises(vim.fault.InvalidDatastore):
        si.content.fileManager.MakeDirectory("[no-such-store] folder")
    store = vc.get("/api/vcenter/datastore").json()[0]["name"]
    assert si.content.fileManager.MakeDirectory(f"[{store}] folder") is None
