"""The SOAP face's wire (``/sdk``), read with httpx and lxml: the versions document and WSDL, the
envelope of answers and faults, and what it does with bad envelopes, unknown methods, bad sessions
and entities. pyVmomi's own reading of it is in tests/clients/vim."""

import re

import pytest
from lxml import etree

from conftest import DEMO_PASSWORD
from helpers import INTERNALS, ops_acquire, vcenter_session

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS = {"soapenv": SOAPENV, "vim": "urn:vim25", "xsi": XSI}
ACTION = {"SOAPAction": '"urn:vim25/9.1.1.0"', "Content-Type": "text/xml; charset=UTF-8"}


def envelope(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="{XSI}"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>'
    )


def call(c, method: str, this: str, this_type: str, params: str = "", **headers):
    body = envelope(
        f'<{method} xmlns="urn:vim25"><_this type="{this_type}">{this}</_this>{params}</{method}>'
    )
    return c.post("/sdk", content=body, headers={**ACTION, **headers})


def fault_of(r) -> tuple[str, str]:
    """The fault's type (``xsi:type`` of the detail) and its faultstring, from a 500."""
    assert r.status_code == 500, r.text
    assert r.headers["content-type"].startswith("text/xml")
    assert not INTERNALS.search(r.text), r.text
    root = etree.fromstring(r.content)
    fault = root.find("soapenv:Body/soapenv:Fault", NS)
    assert fault.findtext("faultcode") == "ServerFaultCode"
    detail = fault.find("detail")[0]
    kind = detail.get(f"{{{XSI}}}type")
    assert etree.QName(detail).localname == f"{kind}Fault"
    assert etree.QName(detail).namespace == "urn:vim25"
    return kind, fault.findtext("faultstring")


def login(c, user="administrator@vsphere.local", password=DEMO_PASSWORD):
    params = f"<userName>{user}</userName><password>{password}</password>"
    return call(c, "Login", "SessionManager", "SessionManager", params)


@pytest.fixture
def c(server):
    with server.client() as client:
        yield client


def test_versions_document(c):
    r = c.get("/sdk/vimServiceVersions.xml")
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.tag == "namespaces" and root.get("version") == "1.0"
    namespace = root.find("namespace")
    assert namespace.findtext("name") == "urn:vim25"
    assert namespace.findtext("version") == "9.1.1.0"
    prior = [v.text for v in namespace.findall("priorVersions/version")]
    assert {"9.0.0.0", "8.0.3.0", "8.0.0.0", "7.0.3.0", "7.0.0.0"} <= set(prior)
    assert all(re.fullmatch(r"\d+\.\d+\.\d+\.\d+", v) for v in prior)


def test_wsdl_and_its_imports(c):
    r = c.get("/sdk/vimService.wsdl")
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    wsdl = "http://schemas.xmlsoap.org/wsdl/"
    assert root.find(f"{{{wsdl}}}import").get("location") == "vim.wsdl"
    address = root.find(f".//{{{wsdl}}}port/{{http://schemas.xmlsoap.org/wsdl/soap/}}address")
    assert address.get("location") == f"{c.base_url}/sdk".replace("//sdk", "/sdk")
    vim = etree.fromstring(c.get("/sdk/vim.wsdl").content)
    operations = {o.get("name") for o in vim.findall(f"{{{wsdl}}}portType/{{{wsdl}}}operation")}
    assert {"RetrieveServiceContent", "Login", "RetrievePropertiesEx", "PowerOnVM_Task"} <= operations
    xsd = "http://www.w3.org/2001/XMLSchema"
    included = {i.get("schemaLocation") for i in vim.iter(f"{{{xsd}}}include")}
    assert included == {"vim-messages.xsd", "vim-types.xsd"}
    messages = etree.fromstring(c.get("/sdk/vim-messages.xsd").content)
    login_element = messages.find(f"{{{xsd}}}element[@name='Login']")
    names = [e.get("name") for e in login_element.iter(f"{{{xsd}}}element")]
    assert names == ["Login", "_this", "userName", "password", "locale"]
    types = etree.fromstring(c.get("/sdk/vim-types.xsd").content)
    etree.XMLSchema(types)  # a schema that compiles: every type it names, it defines
    defined = {t.get("name") for t in types}
    assert {"VirtualMachineRuntimeInfo", "ArrayOfObjectContent", "VirtualMachinePowerState"} <= defined
    used = {e.get("type") for e in messages.iter(f"{{{xsd}}}element")}
    assert {u.removeprefix("vim25:") for u in used if u and u.startswith("vim25:")} <= defined


def test_service_content_without_a_session(c, server):
    r = call(c, "RetrieveServiceContent", "ServiceInstance", "ServiceInstance")
    assert r.status_code == 200, r.text
    root = etree.fromstring(r.content)
    returnval = root.find("soapenv:Body/vim:RetrieveServiceContentResponse/vim:returnval", NS)
    assert returnval.find("vim:rootFolder", NS).text == "group-d1"
    assert returnval.find("vim:rootFolder", NS).get("type") == "Folder"
    assert returnval.find("vim:propertyCollector", NS).text == "propertyCollector"
    about = returnval.find("vim:about", NS)
    assert about.findtext("vim:apiType", namespaces=NS) == "VirtualCenter"
    assert about.findtext("vim:apiVersion", namespaces=NS) == "9.1.1.0"
    # the vCenter id the Operations face names its adapter instance by
    token = ops_acquire(server).json()["token"]
    headers = {"Authorization": f"OpsToken {token}", "Accept": "application/json"}
    with server.client(headers=headers) as ops:
        listed = ops.get("/suite-api/api/resources", params={"resourceKind": "VMwareAdapter Instance"})
    (vcenter,) = [r["identifier"] for r in listed.json()["resourceList"]]
    assert about.findtext("vim:instanceUuid", namespaces=NS) == vcenter


def test_login_sets_the_session_cookie(c):
    r = login(c)
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert re.fullmatch(r'vmware_soap_session="[0-9a-f]{32}"; Path=/; HttpOnly; Secure;', cookie), cookie
    session = etree.fromstring(r.content).find(".//vim:returnval", NS)
    assert session.findtext("vim:userName", namespaces=NS) == "VSPHERE.LOCAL\\administrator"
    # pyVmomi sends the whole Set-Cookie back as its Cookie header
    c.cookies.clear()
    r = call(c, "CurrentTime", "ServiceInstance", "ServiceInstance", Cookie=cookie)
    assert r.status_code == 200


def test_wrong_password_is_invalid_login(c):
    kind, message = fault_of(login(c, password="wrong"))
    assert kind == "InvalidLogin"
    assert message == "Cannot complete login due to an incorrect user name or password."


def test_no_session_and_bad_session_are_not_authenticated(c):
    params = "<specSet><propSet><type>Folder</type><pathSet>name</pathSet></propSet></specSet><options/>"
    kind, _ = fault_of(call(c, "RetrievePropertiesEx", "propertyCollector", "PropertyCollector", params))
    assert kind == "NotAuthenticated"
    r = call(
        c,
        "RetrievePropertiesEx",
        "propertyCollector",
        "PropertyCollector",
        params,
        Cookie='vmware_soap_session="00000000000000000000000000000000"',
    )
    assert fault_of(r)[0] == "NotAuthenticated"


def test_logout_ends_the_session(c):
    cookie = login(c).headers["set-cookie"]
    c.cookies.clear()
    assert call(c, "Logout", "SessionManager", "SessionManager", Cookie=cookie).status_code == 200
    r = call(c, "Fetch", "group-d1", "Folder", "<prop>name</prop>", Cookie=cookie)
    assert fault_of(r)[0] == "NotAuthenticated"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "<not-xml",
        '<?xml version="1.0"?><a/>',
        f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}"><soapenv:Header/></soapenv:Envelope>',
        envelope('<RetrieveServiceContent xmlns="urn:vim25"/>'),
        envelope('<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Login>'),
        envelope(  # a type vim25 does not have
            '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector'
            "</_this><specSet><propSet><type>NoSuchType</type></propSet></specSet><options/>"
            "</RetrievePropertiesEx>"
        ),
        envelope(  # a number that is not one
            '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector'
            "</_this><specSet/><options><maxObjects>many</maxObjects></options></RetrievePropertiesEx>"
        ),
        envelope(  # an element the method does not have
            '<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this>'
            "<extra>1</extra></CurrentTime>"
        ),
        envelope('<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>' + "<a>" * 70),
    ],
)
def test_malformed_envelopes_are_invalid_requests(c, body):
    r = c.post("/sdk", content=body, headers=ACTION)
    assert fault_of(r)[0] == "InvalidRequest"


def test_unknown_method(c):
    """vCenter's SOAP reader refuses a name vim25 has not: InvalidRequest, in its words."""
    kind, message = fault_of(call(c, "NoSuchMethod", "ServiceInstance", "ServiceInstance"))
    assert kind == "InvalidRequest"
    assert message == "Unable to resolve WSDL method name NoSuchMethod for namespace name urn:vim25"


def test_entities_are_never_expanded(c):
    body = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        '<!ENTITY big "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">]>'
        + envelope(
            '<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>'
            "<userName>&xxe;</userName><password>&big;</password></Login>"
        ).split("?>", 1)[1]
    )
    r = c.post("/sdk", content=body, headers=ACTION)
    assert fault_of(r)[0] == "InvalidRequest"
    assert "root:" not in r.text and "aaaaaaaa" not in r.text


def test_unknown_object_and_property(c):
    cookie = login(c).headers["set-cookie"]
    c.cookies.clear()
    kind, _ = fault_of(call(c, "Fetch", "vm-999999", "VirtualMachine", "<prop>name</prop>", Cookie=cookie))
    assert kind == "ManagedObjectNotFound"
    kind, _ = fault_of(call(c, "Fetch", "group-d1", "Folder", "<prop>noSuchProperty</prop>", Cookie=cookie))
    assert kind == "InvalidProperty"


def test_control_plane_covers_sdk(c, server):
    """The route catalogue, the request log and fault injection know the SOAP face as vCenter's."""
    routes = server.control("GET", "/routes").json()["faces"]["vcenter"]
    assert {"POST /sdk", "GET /sdk/vimServiceVersions.xml", "GET /sdk/vimService.wsdl"} <= set(routes)
    cookie = login(c).headers["set-cookie"]
    c.cookies.clear()
    assert call(c, "Fetch", "group-d1", "Folder", "<prop>name</prop>", Cookie=cookie).status_code == 200
    logged = server.control("GET", "/requests", params={"limit": 5}).json()["requests"]
    last = logged[-1]
    assert (last["face"], last["method"], last["path"], last["status"]) == ("vcenter", "POST", "/sdk", 200)
    assert last["principal"] == "administrator@vsphere.local"
    rule = {"action": "error", "status": 503, "face": "vcenter", "method": "POST", "path": "/sdk", "count": 1}
    assert server.control("POST", "/faults", json=rule).status_code == 201
    try:
        r = call(c, "CurrentTime", "ServiceInstance", "ServiceInstance", Cookie=cookie)
        assert r.status_code == 503
        detail = etree.fromstring(r.content).find("soapenv:Body/soapenv:Fault/detail", NS)[0]
        assert detail.get(f"{{{XSI}}}type") == "SystemError"
    finally:
        server.control("DELETE", "/faults")
    assert call(c, "CurrentTime", "ServiceInstance", "ServiceInstance", Cookie=cookie).status_code == 200


def test_a_reference_is_typed_as_vcenter_types_it(c):
    cookie = login(c).headers["set-cookie"]
    c.cookies.clear()
    r = call(c, "Fetch", "datacenter-2", "Datacenter", "<prop>vmFolder</prop>", Cookie=cookie)
    assert r.status_code == 200, r.text
    value = etree.fromstring(r.content).find(".//vim:FetchResponse/vim:returnval", NS)
    assert value.get(f"{{{XSI}}}type") == "ManagedObjectReference"
    assert (value.get("type"), value.text) == ("Folder", "group-v3")
    r = call(c, "Fetch", "datacenter-2", "Datacenter", "<prop>name</prop>", Cookie=cookie)
    value = etree.fromstring(r.content).find(".//vim:FetchResponse/vim:returnval", NS)
    assert (value.get(f"{{{XSI}}}type"), value.text) == ("xsd:string", "dc-01")


def test_perf_and_events_on_the_wire(c, server):
    """QueryPerf in CSV and its faults, QueryEvents' typed events, and another session's collector."""
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        host = vc.get("/api/vcenter/host").json()[0]["host"]
        cluster = vc.get("/api/vcenter/cluster").json()[0]["cluster"]
    cookie = login(c).headers["set-cookie"]
    c.cookies.clear()
    spec = (
        f'<querySpec><entity type="HostSystem">{host}</entity><maxSample>2</maxSample>'
        "<metricId><counterId>6</counterId><instance></instance></metricId>"
        "<intervalId>20</intervalId><format>csv</format></querySpec>"
    )
    r = call(c, "QueryPerf", "PerfMgr", "PerformanceManager", spec, Cookie=cookie)
    assert r.status_code == 200, r.text
    (metric,) = etree.fromstring(r.content).findall(".//vim:QueryPerfResponse/vim:returnval", NS)
    assert metric.get(f"{{{XSI}}}type") == "PerfEntityMetricCSV"
    samples = metric.findtext("vim:sampleInfoCSV", namespaces=NS).split(",")
    assert samples[0::2] == ["20", "20"] and all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:[024]0Z", t) for t in samples[1::2]
    )
    value = metric.find("vim:value", NS)
    assert value.findtext("vim:id/vim:counterId", namespaces=NS) == "6"
    assert re.fullmatch(r"\d+,\d+", value.findtext("vim:value", namespaces=NS))
    realtime = (
        f'<querySpec><entity type="ClusterComputeResource">{cluster}</entity>'
        "<intervalId>20</intervalId></querySpec>"
    )
    kind, message = fault_of(call(c, "QueryPerf", "PerfMgr", "PerformanceManager", realtime, Cookie=cookie))
    assert kind == "InvalidArgument" and message.endswith("querySpec.interval")
    missing = '<querySpec><entity type="HostSystem">host-999999</entity></querySpec>'
    assert fault_of(call(c, "QueryPerf", "PerfMgr", "PerformanceManager", missing, Cookie=cookie))[0] == (
        "ManagedObjectNotFound"
    )
    r = call(
        c,
        "QueryEvents",
        "EventManager",
        "EventManager",
        "<filter><maxCount>1</maxCount></filter>",
        Cookie=cookie,
    )
    (event,) = etree.fromstring(r.content).findall(".//vim:QueryEventsResponse/vim:returnval", NS)
    assert event.get(f"{{{XSI}}}type") == "UserLoginSessionEvent"  # this session's own sign-in
    assert event.findtext("vim:userName", namespaces=NS) == "VSPHERE.LOCAL\\administrator"
    r = call(c, "CreateCollectorForEvents", "EventManager", "EventManager", "<filter/>", Cookie=cookie)
    collector = etree.fromstring(r.content).find(".//vim:returnval", NS)
    assert collector.get("type") == "EventHistoryCollector"
    other = login(c).headers["set-cookie"]
    c.cookies.clear()
    read = "<maxCount>5</maxCount>"
    r = call(c, "ReadNextEvents", collector.text, "EventHistoryCollector", read, Cookie=other)
    assert fault_of(r)[0] == "ManagedObjectNotFound"
    r = call(c, "ReadNextEvents", collector.text, "EventHistoryCollector", read, Cookie=cookie)
    assert r.status_code == 200, r.text
    for _ in range(31):  # a session holds at most 32 collectors
        r = call(c, "CreateCollectorForEvents", "EventManager", "EventManager", "<filter/>", Cookie=cookie)
        assert r.status_code == 200
    r = call(c, "CreateCollectorForEvents", "EventManager", "EventManager", "<filter/>", Cookie=cookie)
    assert fault_of(r) == ("InvalidState", "Too many event collectors to create")


def test_duplicate_name_fault_names_the_folder(c):
    """``CreateFolder`` with a name in use: a ``DuplicateNameFault`` detail with the name and the
    folder, typed as vCenter types a reference; a bad ``CreateVM_Task`` spec is not a stack trace."""
    login(c)
    r = call(c, "CreateFolder", "group-d1", "Folder", "<name>twice</name>")
    assert r.status_code == 200
    moid = etree.fromstring(r.content).find(".//vim:returnval", NS)
    assert moid.get("type") == "Folder" and moid.text.startswith("group-d")
    kind, message = fault_of(call(c, "CreateFolder", "group-d1", "Folder", "<name>twice</name>"))
    assert (kind, message) == ("DuplicateName", "The name 'twice' already exists.")
    detail = etree.fromstring(call(c, "CreateFolder", "group-d1", "Folder", "<name>twice</name>").content)
    assert detail.findtext(".//vim:DuplicateNameFault/vim:name", namespaces=NS) == "twice"
    folder = detail.find(".//vim:DuplicateNameFault/vim:object", NS)
    assert (folder.get("type"), folder.text) == ("Folder", "group-d1")
    kind, _ = fault_of(call(c, "CreateVM_Task", "group-d1", "Folder", "<config><name>x</name></config>"))
    assert kind == "InvalidRequest"  # the required pool is missing


def test_authorization_and_session_faults_on_the_wire(c):
    """NoPermission names the privilege, UserNotFound the principal; LoginByToken without a SAML
    token and a forged clone ticket are InvalidLogin."""
    assert fault_of(call(c, "LoginByToken", "SessionManager", "SessionManager"))[0] == "InvalidLogin"
    ticket = "<cloneTicket>cst-VCT-forged</cloneTicket>"
    assert fault_of(call(c, "CloneSession", "SessionManager", "SessionManager", ticket))[0] == "InvalidLogin"
    login(c, "viewer@vsphere.local")
    r = call(c, "AddAuthorizationRole", "AuthorizationManager", "AuthorizationManager", "<name>Mine</name>")
    kind, message = fault_of(r)
    assert kind == "NoPermission" and "Authorization.ModifyRoles" in message
    detail = etree.fromstring(r.content).find(".//detail", NS)[0]
    assert detail.findtext("vim:privilegeId", namespaces=NS) == "Authorization.ModifyRoles"
    assert detail.find("vim:object", NS).text == "group-d1"
    c.cookies.clear()
    login(c)
    permission = (
        '<entity type="Folder">group-d1</entity><permission><principal>VSPHERE.LOCAL\\nobody</principal>'
        "<group>false</group><roleId>-2</roleId><propagate>true</propagate></permission>"
    )
    r = call(c, "SetEntityPermissions", "AuthorizationManager", "AuthorizationManager", permission)
    assert fault_of(r)[0] == "UserNotFound"
    detail = etree.fromstring(r.content).find(".//detail", NS)[0]
    assert detail.findtext("vim:principal", namespaces=NS) == "VSPHERE.LOCAL\\nobody"


def test_updates_on_the_wire(c, server):
    """WaitForUpdatesEx's versions count up; a change is a ``modify`` naming the changed property
    alone; a version never given is InvalidCollectorVersion."""
    cookie = login(c).headers["set-cookie"]
    c.cookies.clear()
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as vc:
        vm = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_ON")
        spec = (
            "<spec><propSet><type>VirtualMachine</type><pathSet>runtime.powerState</pathSet></propSet>"
            f'<objectSet><obj type="VirtualMachine">{vm}</obj></objectSet></spec>'
            "<partialUpdates>false</partialUpdates>"
        )
        assert (
            call(c, "CreateFilter", "propertyCollector", "PropertyCollector", spec, Cookie=cookie).status_code
            == 200
        )

        def wait(version: str):
            options = "<options><maxWaitSeconds>10</maxWaitSeconds></options>"
            params = f"<version>{version}</version>{options}"
            return call(
                c, "WaitForUpdatesEx", "propertyCollector", "PropertyCollector", params, Cookie=cookie
            )

        first = etree.fromstring(wait("").content).find(".//vim:returnval", NS)
        assert first.findtext("vim:version", namespaces=NS) == "1"
        assert first.findtext("vim:filterSet/vim:objectSet/vim:kind", namespaces=NS) == "enter"
        assert vc.post(f"/api/vcenter/vm/{vm}/power", params={"action": "stop"}).status_code == 204
    changed = etree.fromstring(wait("1").content).find(".//vim:returnval", NS)
    assert changed.findtext("vim:version", namespaces=NS) == "2"
    (update,) = changed.findall("vim:filterSet/vim:objectSet", NS)
    assert update.findtext("vim:kind", namespaces=NS) == "modify"
    (change,) = update.findall("vim:changeSet", NS)
    assert [change.findtext(f"vim:{t}", namespaces=NS) for t in ("name", "op", "val")] == [
        "runtime.powerState",
        "assign",
        "poweredOff",
    ]
    assert change.find("vim:val", NS).get(f"{{{XSI}}}type") == "VirtualMachinePowerState"
    assert fault_of(wait("7")) == (
        "InvalidCollectorVersion",
        "The collector version is out of date or invalid",
    )
