"""vCenter's own words for its errors, the same in REST, legacy REST and JSON-RPC: the message id,
the default message and the args of the product (faces/vapi/messages.py), identifiers qualified
with the vCenter instance's UUID where vCenter qualifies them."""

import re

from helpers import ops_acquire, vapi_rpc, vcenter_session

QUALIFIED = re.compile(r"^vm-\d+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def rpc(vc, service, operation, input):
    """The error of a JSON-RPC call: its type's name and its value."""
    ((name, error),) = vapi_rpc(vc, service, operation, input)["error"]["ERROR"].items()
    return name, error


def test_a_missing_vm_in_three_encodings(vc):
    r = vc.get("/api/vcenter/vm/vm-424242")
    assert r.status_code == 404
    (message,) = r.json()["messages"]
    (qualified,) = message["args"]
    assert QUALIFIED.match(qualified) and qualified.startswith("vm-424242:")
    assert message == {
        "id": "com.vmware.api.vcenter.vm.not_found",
        "default_message": f"Virtual machine with identifier '{qualified}' does not exist.",
        "args": [qualified],
    }
    legacy = vc.get("/rest/vcenter/vm/vm-424242")
    assert legacy.status_code == 404 and legacy.json()["value"]["messages"] == [message]
    name, error = rpc(vc, "com.vmware.vcenter.VM", "get", {"vm": "vm-424242"})
    assert name == "com.vmware.vapi.std.errors.not_found"
    (rpc_message,) = error["messages"]
    assert rpc_message["STRUCTURE"]["com.vmware.vapi.std.localizable_message"] == message


def test_the_instance_uuid_is_the_one_operations_names(server, vc):
    """vCenter qualifies ids with its instance UUID; Operations names the vCenter adapter instance by it."""
    (qualified,) = vc.get("/api/vcenter/vm/vm-424242").json()["messages"][0]["args"]
    instance = qualified.split(":", 1)[1]
    token = ops_acquire(server).json()["token"]
    with server.client() as c:
        r = c.get(
            f"/suite-api/api/resources/{instance}",
            headers={"Authorization": f"OpsToken {token}", "Accept": "application/json"},
        )
    assert r.status_code == 200 and r.json()["resourceKey"]["resourceKindKey"] == "VMwareAdapter Instance"


def test_a_refused_power_change_names_the_state_twice(vc):
    on = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_ON")
    r = vc.post(f"/api/vcenter/vm/{on}/power", params={"action": "start"})
    assert r.status_code == 400 and r.json()["error_type"] == "ALREADY_IN_DESIRED_STATE"
    assert [m["id"] for m in r.json()["messages"]] == [
        "com.vmware.api.vcenter.vm.power.already_powered_on",
        "vmsg.InvalidPowerState.summary",
    ]
    assert r.json()["messages"][1]["default_message"].endswith("(Powered on).")
    legacy = vc.post(f"/rest/vcenter/vm/{on}/power/start")
    assert legacy.json()["type"] == "com.vmware.vapi.std.errors.already_in_desired_state"
    assert legacy.json()["value"]["messages"] == r.json()["messages"]


def test_framework_refusals(vc):
    r = vc.get("/rest/vcenter/nothing-here")
    (message,) = r.json()["value"]["messages"]
    assert r.status_code == 404 and message["id"] == "com.vmware.vapi.rest.operationsForUrlNotFound"
    assert message["args"] == ["/vcenter/nothing-here"]
    assert message["default_message"] == "Unable to find operations for URL: /vcenter/nothing-here."
    r = vc.get("/api/vcenter/nothing-here")
    assert r.status_code == 404
    assert r.json()["messages"] == [
        {"id": "com.vmware.vapi.rest.httpNotFound", "default_message": "Not found.", "args": []}
    ]

    name, error = rpc(vc, "com.vmware.vcenter.Nothing", "list", {})
    assert name == "com.vmware.vapi.std.errors.operation_not_found"
    (message,) = [m["STRUCTURE"]["com.vmware.vapi.std.localizable_message"] for m in error["messages"]]
    assert message == {
        "id": "vapi.method.input.invalid.interface",
        "default_message": "Cannot find service 'com.vmware.vcenter.Nothing'.",
        "args": ["com.vmware.vcenter.Nothing"],
    }
    name, error = rpc(vc, "com.vmware.vcenter.VM", "explode", {})
    (message,) = [m["STRUCTURE"]["com.vmware.vapi.std.localizable_message"] for m in error["messages"]]
    assert message["id"] == "vapi.method.input.invalid.method" and message["args"] == [
        "explode",
        "com.vmware.vcenter.VM",
    ]


def test_bad_input_names_the_method_then_the_field(vc):
    r = vc.post("/api/vcenter/vm", json={"guest_OS": 7})
    assert r.status_code == 400 and r.json()["error_type"] == "INVALID_ARGUMENT"
    first, detail = r.json()["messages"]
    assert first == {
        "id": "vapi.invoke.invalid.input",
        "default_message": "Invalid input for method: com.vmware.vcenter.VM.create",
        "args": ["com.vmware.vcenter.VM.create"],
    }
    assert detail["id"] == "vapi.data.structure.field.invalid" and "guest_OS" in detail["default_message"]
    legacy = vc.post("/rest/vcenter/vm", json={"spec": {"guest_OS": 7}})
    assert legacy.status_code == 400 and legacy.json()["value"]["messages"][0] == first


def test_the_privilege_refusal_names_object_and_privilege(server):
    with server.client(
        headers={"vmware-api-session-id": vcenter_session(server, "viewer@vsphere.local")}
    ) as c:
        vm = c.get("/api/vcenter/vm").json()[0]["vm"]
        r = c.post(f"/api/vcenter/vm/{vm}/power", params={"action": "reset"})
    assert r.status_code == 403 and r.json()["error_type"] == "UNAUTHORIZED"
    (message,) = r.json()["messages"]
    (arg,) = message["args"]
    assert message["id"] == "vapi.authz.error.no.privs"
    assert re.fullmatch(rf"object: {vm}:[0-9a-f-]{{36}} privileges: VirtualMachine.Interact.Reset", arg)
    assert message["default_message"] == f"The following ({arg}) privileges are insufficient to user"


def test_refused_power_changes_by_state(vc):
    off = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_OFF")
    r = vc.post(f"/api/vcenter/vm/{off}/power", params={"action": "suspend"})
    assert r.status_code == 400 and r.json()["error_type"] == "NOT_ALLOWED_IN_CURRENT_STATE"
    assert [m["id"] for m in r.json()["messages"]] == [
        "com.vmware.api.vcenter.vm.power.suspend.not_allowed_in_current_state",
        "vmsg.InvalidPowerState.summary",
    ]
    on = next(v["vm"] for v in vc.get("/api/vcenter/vm").json() if v["power_state"] == "POWERED_ON")
    r = vc.delete(f"/api/vcenter/vm/{on}")
    assert r.status_code == 400 and r.json()["messages"][1]["default_message"].endswith("(Powered on).")
