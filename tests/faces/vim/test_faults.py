"""The SOAP face's faults for bad input, as vCenter answers it: read with httpx (the wire: HTTP
status, faultcode, faultstring, the fault's fields) and pyVmomi (the class it raises). The
envelope's own refusals (bad XML, no body, entities) are in test_wire.py."""

import ssl

import pytest
from lxml import etree
from pyVim.connect import SmartConnect
from pyVmomi import vim, vmodl

from conftest import DEMO_PASSWORD
from faces.vim.test_wire import ACTION, NS, XSI, call, envelope, fault_of, login
from helpers import ADMIN


@pytest.fixture
def signed_in(server):
    with server.client() as c:
        cookie = login(c).headers["set-cookie"]
        c.cookies.clear()
        c.headers["Cookie"] = cookie
        yield c


def _detail(r):
    return etree.fromstring(r.content).find("soapenv:Body/soapenv:Fault/detail", NS)[0]


def test_a_method_on_a_type_that_has_it_not_is_method_not_found(signed_in):
    """vCenter: MethodNotFound naming the receiver and the method, with no message (pyVmomi
    issue 282); not ManagedObjectNotFound, not NotImplemented."""
    for method, this, kind, params in [
        ("PowerOnVM_Task", "host-12", "HostSystem", ""),
        ("EnterMaintenanceMode_Task", "vm-14", "VirtualMachine", "<timeout>0</timeout>"),
    ]:
        r = call(signed_in, method, this, kind, params)
        assert fault_of(r) == ("MethodNotFound", "")
        detail = _detail(r)
        assert (
            detail.find("vim:receiver", NS).get("type"),
            detail.findtext("vim:receiver", namespaces=NS),
        ) == (
            kind,
            this,
        )
        assert detail.findtext("vim:method", namespaces=NS) == method
    # a method of the type, on an id of another type: no such object
    assert (
        fault_of(call(signed_in, "PowerOnVM_Task", "host-12", "VirtualMachine"))[0] == "ManagedObjectNotFound"
    )


def test_a_method_of_another_namespace_is_an_invalid_request(signed_in):
    body = envelope(
        '<CurrentTime xmlns="urn:other"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>'
    )
    r = signed_in.post("/sdk", content=body, headers=ACTION)
    assert fault_of(r) == (
        "InvalidRequest",
        "Unable to resolve WSDL method name CurrentTime for namespace name urn:other",
    )


def test_an_unknown_version_is_a_version_mismatch(signed_in):
    """vCenter refuses a vim25 version it has not (govmomi issue 2305); the versions it knows,
    old ones too, are served."""
    body = envelope(
        '<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>'
    )
    r = signed_in.post("/sdk", content=body, headers={**ACTION, "SOAPAction": '"urn:vim25/99.0.0.0"'})
    assert r.status_code == 500
    fault = etree.fromstring(r.content).find("soapenv:Body/soapenv:Fault", NS)
    assert fault.findtext("faultcode") == "VersionMismatchFaultCode"
    assert fault.findtext("faultstring") == 'Unsupported version URI "urn:vim25/99.0.0.0"'
    assert fault.find("detail")[0].get(f"{{{XSI}}}type") == "InvalidRequest"
    for known in ('"urn:vim25/6.5"', '"urn:vim25/8.0.3.0"', "urn:vim25", ""):
        assert (
            signed_in.post("/sdk", content=body, headers={**ACTION, "SOAPAction": known}).status_code == 200
        )


def test_a_retrieval_of_an_object_that_is_not_there(signed_in):
    """RetrievePropertiesEx and RetrieveProperties: ManagedObjectNotFound naming the object,
    unless the spec asks it reported (then in missingSet)."""
    spec = (
        "<specSet><propSet><type>Folder</type><pathSet>name</pathSet></propSet>"
        "<objectSet><obj type='Folder'>group-d999</obj></objectSet>{report}</specSet>"
    )
    for method, options in [("RetrievePropertiesEx", "<options/>"), ("RetrieveProperties", "")]:
        r = call(
            signed_in, method, "propertyCollector", "PropertyCollector", spec.format(report="") + options
        )
        assert fault_of(r) == (
            "ManagedObjectNotFound",
            "The object 'vim.Folder:group-d999' has already been deleted or has not been completely created",
        )
        assert _detail(r).findtext("vim:obj", namespaces=NS) == "group-d999"
    report = "<reportMissingObjectsInResults>true</reportMissingObjectsInResults>"
    params = spec.format(report=report) + "<options/>"
    r = call(signed_in, "RetrievePropertiesEx", "propertyCollector", "PropertyCollector", params)
    assert r.status_code == 200, r.text
    missing = etree.fromstring(r.content).find(".//vim:missingSet/vim:fault/vim:fault", NS)
    assert missing.get(f"{{{XSI}}}type") == "ManagedObjectNotFound"


def test_a_task_on_an_object_it_names_that_is_not_there(signed_in):
    """A relocation to a datastore that is not there: ManagedObjectNotFound naming the datastore
    (not the VM), and nothing moved."""
    params = "<spec><datastore type='Datastore'>datastore-9999</datastore></spec>"
    r = call(signed_in, "RelocateVM_Task", "vm-14", "VirtualMachine", params)
    assert fault_of(r)[0] == "ManagedObjectNotFound"
    obj = _detail(r).find("vim:obj", NS)
    assert (obj.get("type"), obj.text) == ("Datastore", "datastore-9999")
    # a disk locator of a disk the VM has not: a bad argument, not a VM that is not there
    params = (
        "<spec><disk><diskId>9999</diskId><datastore type='Datastore'>datastore-11</datastore></disk></spec>"
    )
    r = call(signed_in, "RelocateVM_Task", "vm-14", "VirtualMachine", params)
    assert fault_of(r)[0] == "InvalidArgument"
    assert _detail(r).findtext("vim:invalidProperty", namespaces=NS) == "spec.disk.diskId"


def _connect(server, user=ADMIN):
    context = ssl.create_default_context(cafile=server.cert)
    return SmartConnect(
        host="127.0.0.1", port=server.https_port, user=user, pwd=DEMO_PASSWORD, sslContext=context
    )


def test_pyvmomi_raises_vcenter_faults(server):
    si = _connect(server)
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    host = dc.hostFolder.childEntity[0].host[0]
    with pytest.raises(vmodl.fault.MethodNotFound) as caught:  # a VM's method sent to a host
        si._stub.InvokeMethod(host, vim.VirtualMachine._GetMethodInfo("PowerOn"), ())
    assert (caught.value.receiver, caught.value.method) == (host, "PowerOnVM_Task")
    with pytest.raises(vmodl.fault.ManagedObjectNotFound) as caught:
        vim.VirtualMachine("vm-999999", si._stub).PowerOn()
    assert caught.value.obj == vim.VirtualMachine("vm-999999")
    pc = si.content.propertyCollector
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=vim.VirtualMachine("vm-999999"))],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])],
    )
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        pc.RetrievePropertiesEx([spec], vmodl.query.PropertyCollector.RetrieveOptions())
    assert host.name  # the host is there: only the method was wrong


def test_calls_without_a_session_are_not_authenticated(server):
    """CurrentTime needs a session (govmomi's keep-alive relies on it: govmomi PR 408), as every
    manager's method does; NotAuthenticated names the root folder and System.View, whatever the
    call's object (pyVmomi issue 349)."""
    calls = [
        ("CurrentTime", "ServiceInstance", "ServiceInstance", ""),
        (
            "CreateContainerView",
            "ViewManager",
            "ViewManager",
            "<container type='Folder'>group-d1</container><recursive>true</recursive>",
        ),
        ("QueryPerfCounterByLevel", "PerfMgr", "PerformanceManager", "<level>1</level>"),
        ("RetrieveAllPermissions", "AuthorizationManager", "AuthorizationManager", ""),
        ("FindByInventoryPath", "SearchIndex", "SearchIndex", "<inventoryPath>dc-01</inventoryPath>"),
        ("Logout", "SessionManager", "SessionManager", ""),
    ]
    with server.client() as c:
        cookie = login(c).headers["set-cookie"]
        c.cookies.clear()
        assert call(c, "Logout", "SessionManager", "SessionManager", Cookie=cookie).status_code == 200
        for session in ({}, {"Cookie": cookie}):  # none, and one that ended
            for method, this, kind, params in calls:
                r = call(c, method, this, kind, params, **session)
                assert fault_of(r) == ("NotAuthenticated", "The session is not authenticated."), method
                detail = _detail(r)
                obj = detail.find("vim:object", NS)
                assert (obj.get("type"), obj.text) == ("Folder", "group-d1")
                assert detail.findtext("vim:privilegeId", namespaces=NS) == "System.View"
        # what a client calls before it signs in needs none
        assert call(c, "RetrieveServiceContent", "ServiceInstance", "ServiceInstance").status_code == 200


def test_a_locked_account_is_an_invalid_login(server):
    with server.client() as c:
        try:
            for _ in range(5):
                assert fault_of(login(c, "operator@vsphere.local", "Wrong!Pass1"))[0] == "InvalidLogin"
            assert fault_of(login(c, "operator@vsphere.local")) == (
                "InvalidLogin",
                "Cannot complete login due to an incorrect user name or password.",
            )
        finally:
            server.advance(301)  # the lockout is over
        assert login(c, "operator@vsphere.local").status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (  # a PropertySpec without its type
            "<specSet><propSet><pathSet>name</pathSet></propSet>"
            "<objectSet><obj type='Folder'>group-d1</obj></objectSet></specSet><options/>",
            "Required property type is missing from data object of type PropertySpec",
        ),
        (  # an ObjectSpec without its object
            "<specSet><propSet><type>Folder</type><pathSet>name</pathSet></propSet><objectSet/></specSet><options/>",
            "Required property obj is missing from data object of type ObjectSpec",
        ),
        (  # a data object of another type than the parameter's
            "<specSet xsi:type='RetrieveOptions'/><options/>",
            "Parameter specSet is a RetrieveOptions, not a PropertyFilterSpec",
        ),
    ],
)
def test_a_data_object_short_of_what_its_type_requires_is_an_invalid_request(signed_in, params, message):
    """vCenter's reader refuses it before the call (never a SystemError: these were internal errors)."""
    r = call(signed_in, "RetrievePropertiesEx", "propertyCollector", "PropertyCollector", params)
    assert fault_of(r) == ("InvalidRequest", message)


def test_a_collector_version_never_given_is_invalid(signed_in):
    params = "<version>not-a-version</version><options><maxWaitSeconds>0</maxWaitSeconds></options>"
    r = call(signed_in, "WaitForUpdatesEx", "propertyCollector", "PropertyCollector", params)
    assert fault_of(r)[0] == "InvalidCollectorVersion"
    params = "<version></version><options><maxWaitSeconds>0</maxWaitSeconds></options>"
    assert (
        call(signed_in, "WaitForUpdatesEx", "propertyCollector", "PropertyCollector", params).status_code
        == 200
    )


def test_a_task_on_an_object_one_may_not_see_is_not_there_for_one(server):
    """Task.info, as the TaskManager's recentTask: another's task on an object the caller may
    not see is ManagedObjectNotFound for it; its starter reads it."""
    si = _connect(server)
    dc = next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))
    vm = next(v for v in dc.vmFolder.childEntity if isinstance(v, vim.VirtualMachine))
    task = vm.CreateSnapshot_Task(name="seen", memory=False, quiesce=False)
    assert task.info.entity == vm
    blind = _connect(server, "USER_1@vsphere.local")
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        print(vim.Task(task._moId, blind._stub).info)
    assert task not in blind.content.taskManager.recentTask
