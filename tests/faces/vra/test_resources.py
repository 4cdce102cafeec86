"""vRA 6.2's provisioned resources and their actions on the wire, over the one world: the demo
consumer's vSphere machine after approval is a VM on vCenter with the profile's address and an
Operations resource; power actions on vRA and on vCenter are seen on both; destroy gives back
the address and the reservation's quota; reprovision rebuilds it; another consumer sees nothing."""

import re

import pytest

from faces.vra.test_catalog import (
    AMAZON,
    CATALOG,
    PROVISION_SECONDS,
    VCLOUD,
    VSPHERE,
    approve,
    consumer,
    entitled,
    state,
    submit,
)
from faces.vra.test_identity import assert_vra_error, bearer, token
from helpers import ops_acquire, vcenter_session
from vcd_client import sign_in

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

RESOURCES = f"{CATALOG}/consumer/resources"
ACTION = "Infrastructure.Machine.Action."
ACTION_SECONDS = 10


def provisioned(server, c, user, name=VSPHERE, admin=None, **values):
    """A machine of the named blueprint, approved when it needs to be and provisioned: its
    request's id and the resource."""
    r = submit(c, user, name, **values)
    assert r.status_code == 201, r.text
    request_id = r.json()["id"]
    if admin is not None:
        approve(c, admin, request_id)
    server.advance(PROVISION_SECONDS)
    assert state(c, user, request_id)["state"] == "SUCCESSFUL"
    views = c.get(f"{CATALOG}/consumer/requests/{request_id}/resourceViews", headers=user)
    assert views.status_code == 200, views.text
    (view,) = views.json()["content"]
    r = c.get(f"{RESOURCES}/{view['resourceId']}", headers=user)
    assert r.status_code == 200, r.text
    return request_id, r.json()


def data(resource):
    """resourceData as a dict; every entry a typed value (never a bare null, which breaks clients)."""
    entries = resource["resourceData"]["entries"]
    assert all(set(e["value"]) == {"type", "value"} for e in entries), entries
    return {e["key"]: e["value"]["value"] for e in entries}


def actions(c, headers, resource_id):
    r = c.get(f"{RESOURCES}/{resource_id}/actions", headers=headers)
    assert r.status_code == 200, r.text
    return {a["bindingId"].removeprefix(ACTION): a for a in r.json()["content"]}


def act(c, headers, resource_id, binding, entries=()):
    """GET the action's template and POST it back: the request's answer."""
    action = actions(c, headers, resource_id)[binding]
    at = f"{RESOURCES}/{resource_id}/actions/{action['id']}/requests"
    r = c.get(f"{at}/template", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["@type"], body["resourceRef"]["id"]) == ("ResourceActionRequest", resource_id)
    body["requestData"]["entries"] = list(entries)
    return c.post(at, headers=headers, json=body)


def vm_named(server, name):
    session = vcenter_session(server)
    with server.client(headers={"vmware-api-session-id": session}) as vc:
        return vc.get("/api/vcenter/vm", params={"names": name}).json(), session


def test_the_consumers_vsphere_machine_from_request_to_destroy(server):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        request_id, machine = provisioned(
            server,
            c,
            user,
            admin=admin,
            **{"VirtualMachine.CPU.Count": 2, "VirtualMachine.Memory.Size": 4096},
        )
        name, resource_id = machine["name"], machine["id"]
        assert machine["@type"] == "ConsumerResource" and machine["requestId"] == request_id
        assert machine["resourceTypeRef"] == {"id": "Infrastructure.Virtual", "label": "Virtual Machine"}
        assert machine["owners"][0]["ref"] == "USER_1@vsphere.local"
        assert machine["organization"]["subtenantLabel"] == "Demo Group"
        details = data(machine)
        assert details["MachineStatus"] == "On" and details["ip_address"] == "192.168.100.10"
        assert (details["MachineCPU"], details["MachineMemory"], details["MachineStorage"]) == (2, 4096, 20)
        assert machine["hasLease"] and machine["lease"]["end"] > machine["lease"]["start"]
        offered = actions(c, user, resource_id)
        assert {"PowerOff", "Reboot", "Shutdown", "Suspend", "Reprovision", "Destroy", "ChangeLease"} == set(
            offered
        )
        assert [r["id"] for r in c.get(RESOURCES, headers=user).json()["content"]] == [resource_id]

        # vCenter shows the VM with the profile's address; Operations watches it.
        (vm,), session = vm_named(server, name)
        assert (vm["cpu_count"], vm["memory_size_MiB"], vm["power_state"]) == (2, 4096, "POWERED_ON")
        ops = ops_acquire(server).json()["token"]
        with server.client(headers={"Authorization": f"OpsToken {ops}", "Accept": "application/json"}) as o:
            found = o.get("/suite-api/api/resources", params={"resourceKind": "VirtualMachine", "name": name})
            assert [x["resourceKey"]["name"] for x in found.json()["resourceList"]] == [name]

        # Power off on vRA: vCenter shows it off; power on on vCenter: vRA shows it on.
        r = act(c, user, resource_id, "PowerOff")
        assert r.status_code == 201, r.text
        assert r.headers["Location"] == f"{server.https}{CATALOG}/consumer/requests/{r.json()['id']}"
        assert r.json()["@type"] == "ResourceActionRequest"
        assert r.json()["resourceRef"] == {"id": resource_id, "label": name}
        server.advance(ACTION_SECONDS)
        assert state(c, user, r.json()["id"])["state"] == "SUCCESSFUL"
        with server.client(headers={"vmware-api-session-id": session}) as vc:
            assert vc.get(f"/api/vcenter/vm/{vm['vm']}/power").json()["state"] == "POWERED_OFF"
            assert data(c.get(f"{RESOURCES}/{resource_id}", headers=user).json())["MachineStatus"] == "Off"
            assert "PowerOn" in actions(c, user, resource_id) and "PowerOff" not in actions(
                c, user, resource_id
            )
            assert vc.post(f"/api/vcenter/vm/{vm['vm']}/power", params={"action": "start"}).status_code == 204
        assert data(c.get(f"{RESOURCES}/{resource_id}", headers=user).json())["MachineStatus"] == "On"

        # An action that does not apply now is refused with vRA's 400.
        power_on = c.get(f"{CATALOG}/consumer/resources/{resource_id}/actions", headers=user).json()
        assert "Infrastructure.Machine.Action.PowerOn" not in [a["bindingId"] for a in power_on["content"]]
        body = {
            "@type": "ResourceActionRequest",
            "resourceRef": {"id": resource_id},
            "resourceActionRef": {"id": "Infrastructure.Machine.Action.PowerOn"},
            "requestData": {"entries": []},
        }
        assert_vra_error(c.post(f"{CATALOG}/consumer/requests", headers=user, json=body), 400, 20117)

        # Destroy: gone from vCenter and vRA, its address and quota given back.
        r = act(c, user, resource_id, "Destroy")
        assert r.status_code == 201, r.text
        server.advance(ACTION_SECONDS)
        assert state(c, user, r.json()["id"])["state"] == "SUCCESSFUL"
        assert vm_named(server, name)[0] == []
        assert_vra_error(c.get(f"{RESOURCES}/{resource_id}", headers=user), 404, 10002)
        _, again = provisioned(server, c, user, admin=admin)
        assert data(again)["ip_address"] == "192.168.100.10"  # the address came back to the profile


def test_destroy_gives_back_memory_and_storage(server):
    """The demo vSphere reservation holds 64 GB of memory and 500 GB of storage: four machines of
    16 GB and 125 GB fill both; a fifth fails until one is destroyed."""
    big = {"VirtualMachine.Memory.Size": 16384, "VirtualMachine.Disk0.Size": 125}
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        machines = [provisioned(server, c, user, admin=admin, **big)[1] for _ in range(4)]
        r = submit(c, user, VSPHERE, **big)
        approve(c, admin, r.json()["id"])
        server.advance(PROVISION_SECONDS)
        failed = state(c, user, r.json()["id"])
        assert (
            failed["state"] == "FAILED"
            and "quota" in failed["requestCompletion"]["completionDetails"].lower()
        )
        r = act(c, user, machines[0]["id"], "Destroy")
        server.advance(ACTION_SECONDS)
        assert state(c, user, r.json()["id"])["state"] == "SUCCESSFUL"
        _, again = provisioned(server, c, user, admin=admin, **big)
        assert (data(again)["MachineMemory"], data(again)["MachineStorage"]) == (16384, 125)


def test_reprovision_rebuilds_the_machine_with_its_name_and_address(server):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        _, machine = provisioned(server, c, user, admin=admin)
        (vm,), _ = vm_named(server, machine["name"])
        r = act(c, user, machine["id"], "PowerOff")
        server.advance(ACTION_SECONDS)
        # The Guide's way: the action request POSTed to consumer/requests.
        reprovision = actions(c, user, machine["id"])["Reprovision"]
        body = {
            "@type": "ResourceActionRequest",
            "resourceRef": {"id": machine["id"]},
            "resourceActionRef": {"id": reprovision["id"]},
            "organization": machine["organization"],
            "state": "SUBMITTED",
            "requestNumber": 0,
            "requestData": {"entries": []},
        }
        r = c.post(f"{CATALOG}/consumer/requests", headers=user, json=body)
        assert r.status_code == 201, r.text
        server.advance(PROVISION_SECONDS)
        assert state(c, user, r.json()["id"])["state"] == "SUCCESSFUL"
        (rebuilt,), _ = vm_named(server, machine["name"])
        assert rebuilt["vm"] != vm["vm"] and rebuilt["power_state"] == "POWERED_ON"
        again = c.get(f"{RESOURCES}/{machine['id']}", headers=user).json()
        assert data(again)["ip_address"] == data(machine)["ip_address"]
        assert data(again)["EXTERNAL_REFERENCE_ID"] == rebuilt["vm"]


def test_another_consumer_neither_sees_nor_acts_and_the_manager_sees_the_groups(server):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        other = consumer(server, c, "USER_2")
        _, machine = provisioned(server, c, user, AMAZON)
        assert c.get(RESOURCES, headers=other).json()["content"] == []
        assert_vra_error(c.get(f"{RESOURCES}/{machine['id']}", headers=other), 404, 10002)
        assert_vra_error(c.get(f"{RESOURCES}/{machine['id']}/actions", headers=other), 404, 10002)
        body = {
            "@type": "ResourceActionRequest",
            "resourceRef": {"id": machine["id"]},
            "resourceActionRef": {"id": "Infrastructure.Machine.Action.Destroy"},
        }
        assert_vra_error(c.post(f"{CATALOG}/consumer/requests", headers=other, json=body), 404, 10002)
        # administrator manages Demo Group: the group's resources, by type, filtered by the group.
        group = machine["organization"]["subtenantRef"]
        r = c.get(
            f"{RESOURCES}/types/Infrastructure.Machine/",
            headers=admin,
            params={
                "page": 1,
                "limit": 2,
                "$orderby": "dateCreated desc",
                "$filter": f"(organization/subTenant/id eq '{group}')",
            },
        )
        assert r.status_code == 200, r.text
        assert [x["id"] for x in r.json()["content"]] == [machine["id"]]
        # a manager may act on the group's machines: power off the consumer's instance
        r = act(c, admin, machine["id"], "PowerOff")
        assert r.status_code == 201, r.text
        server.advance(ACTION_SECONDS)
        assert data(c.get(f"{RESOURCES}/{machine['id']}", headers=user).json())["MachineStatus"] == "Off"


def test_resource_types_and_resources_by_type(server):
    with server.client() as c:
        user = consumer(server, c)
        _, vcloud = provisioned(server, c, user, VCLOUD)
        _, amazon = provisioned(server, c, user, AMAZON, instanceType="t2.small")
        types = c.get(f"{CATALOG}/consumer/resourceTypes", headers=user).json()
        assert [t["id"] for t in types["content"]] == [
            "Infrastructure.Machine",
            "Infrastructure.Virtual",
            "Infrastructure.Cloud",
        ]
        cloud = c.get(f"{CATALOG}/consumer/resourceTypes/Infrastructure.Cloud", headers=user).json()
        assert {x["id"] for x in cloud["content"]} == {vcloud["id"], amazon["id"]}
        virtual = c.get(f"{RESOURCES}/types/Infrastructure.Virtual", headers=user).json()
        assert virtual["content"] == [] and virtual["metadata"]["totalElements"] == 0
        assert_vra_error(c.get(f"{RESOURCES}/types/Nope.Type", headers=user), 404, 10002)
        page = c.get(RESOURCES, headers=user, params={"limit": 1, "page": 2}).json()
        assert page["metadata"]["totalElements"] == 2 and [x["id"] for x in page["content"]] == [vcloud["id"]]
        named = c.get(RESOURCES, headers=user, params={"$filter": f"name eq '{amazon['name']}'"}).json()
        assert [x["id"] for x in named["content"]] == [amazon["id"]]
        assert (data(amazon)["InstanceType"], data(amazon)["MachineMemory"]) == ("t2.small", 2048)
        assert data(vcloud)["MachineStatus"] == "On"
        # suspend does not apply to an Amazon instance; change lease moves its expiry
        assert "Suspend" not in actions(c, user, amazon["id"])
        lease = {"key": "provider-VirtualMachine.LeaseDays", "value": {"type": "integer", "value": 3}}
        r = act(c, user, amazon["id"], "ChangeLease", [lease])
        assert r.status_code == 201, r.text
        server.advance(ACTION_SECONDS)
        moved = c.get(f"{RESOURCES}/{amazon['id']}", headers=user).json()
        assert moved["lease"]["end"] < amazon["lease"]["end"]
        too_long = {"key": "provider-VirtualMachine.LeaseDays", "value": {"type": "integer", "value": 99}}
        assert_vra_error(act(c, user, amazon["id"], "ChangeLease", [too_long]), 400, 20117)


def test_change_leases_template_carries_the_lease_and_a_request_must_name_one(server):
    with server.client() as c:
        user = consumer(server, c)
        _, machine = provisioned(server, c, user, AMAZON)
        change = actions(c, user, machine["id"])["ChangeLease"]
        at = f"{RESOURCES}/{machine['id']}/actions/{change['id']}/requests"
        template = c.get(f"{at}/template", headers=user).json()
        entries = template["requestData"]["entries"]
        assert entries == [
            {"key": "provider-VirtualMachine.LeaseDays", "value": {"type": "integer", "value": 30}}
        ]
        r = c.post(at, headers=user, json={**template, "requestData": {"entries": []}})
        assert_vra_error(r, 400, 20117)
        assert "LeaseDays" in r.text
        # 0 is a lease without end: the blueprint's longest lease (30 days) does not allow it
        zero = [{"key": "provider-VirtualMachine.LeaseDays", "value": {"type": "integer", "value": 0}}]
        assert_vra_error(act(c, user, machine["id"], "ChangeLease", zero), 400, 20117)
        assert c.post(at, headers=user, json=template).status_code == 201
        server.advance(ACTION_SECONDS)
        assert (
            c.get(f"{RESOURCES}/{machine['id']}", headers=user).json()["lease"]["end"]
            > machine["lease"]["end"]
        )


def test_an_action_under_an_approval_policy_waits_for_the_approver(server):
    binding = "PowerOff"
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        _, machine = provisioned(server, c, user, AMAZON)
        policies = c.get("/approval-service/api/policies", headers=admin).json()["content"]
        policy = next(p["id"] for p in policies if p["name"] == "Demo Approval")
        entitlement = {
            "name": "Approved power",
            "organization": {"subtenantRef": machine["organization"]["subtenantRef"]},
            "entitledResourceOperations": [
                {"resourceOperationRef": {"id": ACTION + binding}, "approvalPolicyId": policy}
            ],
        }
        r = c.post(f"{CATALOG}/entitlements", headers=admin, json=entitlement)
        assert r.status_code == 201, r.text
        request_id = act(c, user, machine["id"], binding).json()["id"]
        assert state(c, user, request_id)["state"] == "PENDING_PRE_APPROVAL"
        server.advance(ACTION_SECONDS)
        assert data(c.get(f"{RESOURCES}/{machine['id']}", headers=user).json())["MachineStatus"] == "On"
        approve(c, admin, request_id)
        server.advance(ACTION_SECONDS)
        assert state(c, user, request_id)["state"] == "SUCCESSFUL"
        assert data(c.get(f"{RESOURCES}/{machine['id']}", headers=user).json())["MachineStatus"] == "Off"


def test_cloud_machines_carry_their_address_region_key_pair_and_image(server):
    with server.client() as c:
        user = consumer(server, c)
        _, vcloud = provisioned(server, c, user, VCLOUD)
        _, amazon = provisioned(server, c, user, AMAZON, instanceType="t2.small")
        headers = sign_in(c)
        name = data(vcloud)["MachineName"]
        r = c.get(f"/api/query?type=vm&format=records&filter=containerName=={name}", headers=headers)
        assert r.status_code == 200, r.text
        (vm,) = re.findall(r'<VMRecord href="([^"]+)"', r.text)
        r = c.get(f"{vm}/networkConnectionSection/", headers=headers)
        assert r.status_code == 200, r.text
        (address,) = re.findall(r"<IpAddress>([^<]+)</IpAddress>", r.text)
        assert data(vcloud)["ip_address"] == address
        assert "Region" not in data(vcloud)
        found = data(amazon)
        assert (found["InstanceType"], found["Region"], found["KeyPair"]) == (
            "t2.small",
            "us-east-1",
            "demo-key",
        )
        assert found["AmiId"].startswith("ami-") and found["ip_address"].startswith("172.31.")


def request_for(c, headers, name, requested_for):
    """POST the catalog item's request template with ``requestedFor`` set."""
    item = entitled(c, headers)[name]["catalogItem"]["id"]
    at = f"{CATALOG}/consumer/entitledCatalogItems/{item}/requests"
    body = c.get(f"{at}/template", headers=headers).json()
    return c.post(at, headers=headers, json={**body, "requestedFor": requested_for})


def test_a_support_user_requests_for_a_member_and_sees_the_groups_machines(server):
    with server.client() as c:
        support, user, other = (consumer(server, c, n) for n in ("operator", "USER_1", "USER_2"))
        r = request_for(c, support, AMAZON, "user_2@VSPHERE.LOCAL")
        assert r.status_code == 201, r.text
        assert (r.json()["requestedFor"], r.json()["requestedBy"]) == (
            "USER_2@vsphere.local",
            "operator@vsphere.local",
        )
        server.advance(PROVISION_SECONDS)
        (machine,) = c.get(RESOURCES, headers=other).json()["content"]
        assert machine["owners"][0]["ref"] == "USER_2@vsphere.local"
        # the support user sees the group's machines (a member's too) and acts on them
        assert machine["id"] in [m["id"] for m in c.get(RESOURCES, headers=support).json()["content"]]
        assert act(c, support, machine["id"], "PowerOff").status_code == 201
        assert c.get(RESOURCES, headers=user).json()["content"] == []
        # a basic user may not request for another; nobody may for a user that does not exist
        assert_vra_error(request_for(c, user, AMAZON, "USER_2@vsphere.local"), 403, 10003)
        assert_vra_error(request_for(c, support, AMAZON, "nobody@vsphere.local"), 400, 20117)
        # a user the world knows who is no member of the group (the appliance's own account)
        outsider = assert_vra_error(request_for(c, support, AMAZON, "admin@local"), 403, 10003)
        assert "not a member" in outsider[0]["systemMessage"]
        assert_vra_error(request_for(c, support, AMAZON, "x" * 100_000), 400, 20117)
        assert request_for(c, user, AMAZON, "USER_1@vsphere.local").status_code == 201


def test_resources_filter_by_status_and_requests_by_requested_item_name(server):
    with server.client() as c:
        user = consumer(server, c)
        request_id, machine = provisioned(server, c, user, AMAZON)
        for status, found in (("ACTIVE", [machine["id"]]), ("DELETED", [])):
            r = c.get(RESOURCES, headers=user, params={"$filter": f"status eq '{status}'"})
            assert r.status_code == 200, r.text
            assert [x["id"] for x in r.json()["content"]] == found
            assert all(x["status"] == status for x in r.json()["content"])
        requests = f"{CATALOG}/consumer/requests"
        for name, found in ((AMAZON, [request_id]), (VSPHERE, [])):
            r = c.get(requests, headers=user, params={"$filter": f"requestedItemName eq '{name}'"})
            assert r.status_code == 200, r.text
            assert [x["id"] for x in r.json()["content"]] == found
