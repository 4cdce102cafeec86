"""vRA 6.2's catalog, requests and approvals on the wire, over the one world: a consumer of the
demo business group requests the seeded blueprints, the approver completes work items, the
clock moves the requests on, and the machines show up on vCenter, vCloud Director and the
simulated EC2 endpoint."""

import xml.etree.ElementTree as ET

import pytest

from conftest import DEMO_PASSWORD
from faces.vra.test_identity import assert_vra_error, bearer, token
from helpers import vcenter_session
from vcd_client import V15, sign_in

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

CATALOG = "/catalog-service/api"
WORKITEMS = "/workitem-service/api/workitems"
APPROVE = "com.vmware.csp.core.approval.action.approve"
REJECT = "com.vmware.csp.core.approval.action.reject"
VSPHERE, VCLOUD, AMAZON = "CentOS on vSphere", "Photon on vCloud", "Linux on Amazon"
PROVISION_SECONDS = 60


def consumer(server, c, name="USER_1"):
    return bearer(token(server, name, DEMO_PASSWORD))


def entitled(c, headers):
    r = c.get(f"{CATALOG}/consumer/entitledCatalogItems?limit=998", headers=headers)
    assert r.status_code == 200, r.text
    return {e["catalogItem"]["name"]: e for e in r.json()["content"]}


def submit(c, headers, name, **values):
    """POST the catalog item's own request template, with ``values`` set in its requestData."""
    item = entitled(c, headers)[name]["catalogItem"]["id"]
    r = c.get(f"{CATALOG}/consumer/entitledCatalogItems/{item}/requests/template", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    for entry in body["requestData"]["entries"]:
        short = entry["key"].removeprefix("provider-")
        if short in values:
            entry["value"]["value"] = values.pop(short)
    body["requestData"]["entries"] += [
        {"key": f"provider-{k}", "value": {"type": "string", "value": v}} for k, v in values.items()
    ]
    return c.post(f"{CATALOG}/consumer/entitledCatalogItems/{item}/requests", headers=headers, json=body)


def state(c, headers, request_id):
    r = c.get(f"{CATALOG}/consumer/requests/{request_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def work_item_of(c, headers, request_id):
    r = c.get(WORKITEMS, headers=headers)
    assert r.status_code == 200, r.text
    found = [w for w in r.json()["content"] if w["callbackEntityId"] == request_id]
    assert len(found) == 1, r.text
    return found[0]


def approve(c, admin, request_id, action=APPROVE, reason=""):
    item = work_item_of(c, admin, request_id)
    body = {
        "formData": {"entries": [{"key": "justification", "value": {"type": "string", "value": reason}}]},
        "workItemId": item["id"],
        "workItemActionId": action,
    }
    r = c.post(f"{WORKITEMS}/{item['id']}/actions/{action}", headers=admin, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_vsphere_machine_under_approval_lands_on_vcenter_with_the_profiles_ip(server):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        catalog = entitled(c, user)
        assert set(catalog) == {VSPHERE, VCLOUD, AMAZON}
        assert [o["subtenantLabel"] for o in catalog[VSPHERE]["entitledOrganizations"]] == ["Demo Group"]
        r = submit(c, user, VSPHERE, **{"VirtualMachine.CPU.Count": 2, "VirtualMachine.Memory.Size": 4096})
        assert r.status_code == 201, r.text
        assert r.headers["Location"] == f"{server.https}{CATALOG}/consumer/requests/{r.json()['id']}"
        request_id = r.json()["id"]
        assert state(c, user, request_id)["state"] == "PENDING_PRE_APPROVAL"
        # Only the policy's approver sees and completes the work item.
        assert c.get(WORKITEMS, headers=user).json()["content"] == []
        item = work_item_of(c, admin, request_id)
        assert item["assignees"] == [{"principalId": "administrator@vsphere.local", "principalType": "USER"}]
        r = c.post(f"{WORKITEMS}/{item['id']}/actions/{APPROVE}", headers=user, json={})
        assert r.status_code in (403, 404), r.text
        done = approve(c, admin, request_id)
        assert done["status"] == "Completed" and done["completedBy"] == "administrator@vsphere.local"
        assert state(c, user, request_id)["state"] in ("SUBMITTED", "IN_PROGRESS")
        server.advance(PROVISION_SECONDS)
        finished = state(c, user, request_id)
        assert (finished["state"], finished["phase"]) == ("SUCCESSFUL", "SUCCESSFUL")
        (name,) = finished["requestCompletion"]["resourceBindingIds"]
        mine = c.get(f"{CATALOG}/consumer/requests?$filter=state eq 'SUCCESSFUL'", headers=user).json()
        assert [q["id"] for q in mine["content"]] == [request_id]
    session = vcenter_session(server)
    with server.client(headers={"vmware-api-session-id": session}) as vc:
        (vm,) = vc.get(f"/api/vcenter/vm?names={name}").json()
        assert (vm["cpu_count"], vm["memory_size_MiB"], vm["power_state"]) == (2, 4096, "POWERED_ON")
        guest = vc.get(f"/api/vcenter/vm/{vm['vm']}/guest/identity").json()
        assert guest["ip_address"] == "192.168.100.10"


def test_a_rejected_request_ends_rejected_with_the_reason(server):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        request_id = submit(c, user, VSPHERE).json()["id"]
        approve(c, admin, request_id, REJECT, "No budget this quarter")
        server.advance(PROVISION_SECONDS)
        found = state(c, user, request_id)
        assert found["state"] == "REJECTED" and found["approvalStatus"] == "REJECTED"
        assert found["requestCompletion"]["completionDetails"] == "No budget this quarter"
        again = work_item_of(c, admin, request_id)["id"]
        r = c.post(f"{WORKITEMS}/{again}/actions/{APPROVE}", headers=admin, json={})
        assert r.status_code == 400, r.text


@pytest.mark.parametrize(
    "values",
    [
        {"VirtualMachine.CPU.Count": 9},
        {"VirtualMachine.Memory.Size": 100},
        {"VirtualMachine.Disk0.Size": "x"},
    ],
)
def test_a_request_outside_the_blueprints_ranges_is_refused(server, values):
    with server.client() as c:
        user = consumer(server, c)
        assert_vra_error(submit(c, user, VSPHERE, **values), 400, 20117)
        assert c.get(f"{CATALOG}/consumer/requests", headers=user).json()["content"] == []


def test_a_business_group_without_the_entitlement_cannot_request(server):
    with server.client() as c:
        admin, user = bearer(token(server)), consumer(server, c)
        r = c.post(
            "/identity/api/tenants/vsphere.local/subtenants",
            headers=admin,
            json={"name": "Other Group", "extensionData": {"entries": []}},
        )
        other = r.json()["id"]
        body = c.get(
            f"{CATALOG}/consumer/entitledCatalogItems/{entitled(c, user)[AMAZON]['catalogItem']['id']}"
            "/requests/template",
            headers=user,
        ).json()
        body["organization"]["subtenantRef"] = other
        assert_vra_error(c.post(f"{CATALOG}/consumer/requests", headers=user, json=body), 403, 10003)
        # A business group the tenant does not have is not found, as any unknown id.
        body["organization"]["subtenantRef"] = "00000000-0000-0000-0000-000000000000"
        assert_vra_error(c.post(f"{CATALOG}/consumer/requests", headers=user, json=body), 404, 10002)
        # A user of no business group is entitled to nothing.
        r = c.put(
            f"/identity/api/tenants/vsphere.local/subtenants/{other}/roles/CSP_CONSUMER/principals",
            headers=admin,
            json=[{"name": "alice", "domain": "demo-org"}],
        )
        assert c.get(f"{CATALOG}/consumer/entitledCatalogItems", headers=admin).status_code == 200
        item = entitled(c, user)[AMAZON]["catalogItem"]["id"]
        outsider = bearer(token(server, "alice", DEMO_PASSWORD, "demo-org"))
        assert c.get(f"{CATALOG}/consumer/entitledCatalogItems", headers=outsider).json()["content"] == []
        assert_vra_error(
            c.get(f"{CATALOG}/consumer/entitledCatalogItems/{item}", headers=outsider), 404, 10002
        )


def test_a_vcloud_machine_is_a_vapp_on_vcloud_director(server):
    with server.client() as c:
        user = consumer(server, c)
        r = submit(c, user, VCLOUD, **{"VirtualMachine.Memory.Size": 2048})
        assert r.status_code == 201, r.text
        server.advance(PROVISION_SECONDS)
        found = state(c, user, r.json()["id"])
        assert found["state"] == "SUCCESSFUL", found
        (name,) = found["requestCompletion"]["resourceBindingIds"]
        headers = sign_in(c)
        r = c.get(f"/api/query?type=vApp&format=records&filter=name=={name}", headers=headers)
        assert r.status_code == 200 and f'name="{name}"' in r.text, r.text
        # its VM is named as the machine; its owner is the org's account the template belongs to,
        # as USER_1@vsphere.local is no user of the demo org
        href = ET.fromstring(r.content).find(f"{V15}VAppRecord").get("href")
        vapp = ET.fromstring(c.get(href, headers=headers).content)
        assert vapp.find(f"{V15}Owner/{V15}User").get("name") == "alice"
        assert [vm.get("name") for vm in vapp.findall(f"{V15}Children/{V15}Vm")] == [name]


def test_an_amazon_machine_and_its_machine_quota(server):
    with server.client() as c:
        user = consumer(server, c)
        ids = [submit(c, user, AMAZON, instanceType="t2.small").json()["id"] for _ in range(11)]
        server.advance(PROVISION_SECONDS)
        states = [state(c, user, i) for i in ids]
        assert [s["state"] for s in states] == ["SUCCESSFUL"] * 10 + ["FAILED"]
        assert "quota" in states[-1]["requestCompletion"]["completionDetails"].lower()
        assert_vra_error(submit(c, user, AMAZON, instanceType="x1.huge"), 400, 20117)


def test_ip_exhaustion_fails_the_request_with_the_reason(server):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        ids = []
        for _ in range(11):  # ten addresses in the profile: the eleventh finds none
            request_id = submit(c, user, VSPHERE, **{"VirtualMachine.Memory.Size": 512}).json()["id"]
            approve(c, admin, request_id)
            ids.append(request_id)
        server.advance(PROVISION_SECONDS)
        last = state(c, user, ids[-1])
        assert state(c, user, ids[0])["state"] == "SUCCESSFUL"
        assert last["state"] == "FAILED", last
        assert "address" in last["requestCompletion"]["completionDetails"].lower()


def test_the_administrator_reads_the_catalog_and_adds_a_post_approval_entitlement(server):
    with server.client() as c:
        admin, user = bearer(token(server)), consumer(server, c)
        services = c.get(f"{CATALOG}/services", headers=admin).json()["content"]
        assert [s["name"] for s in services] == ["Infrastructure"]
        items = c.get(f"{CATALOG}/catalogItems?$filter=name eq '{AMAZON}'", headers=admin).json()["content"]
        assert [i["name"] for i in items] == [AMAZON]
        assert_vra_error(c.get(f"{CATALOG}/catalogItems", headers=user), 403, 10003)
        assert (
            c.get("/approval-service/api/policytypes", headers=admin).json()["metadata"]["totalElements"] == 1
        )
        policy = {
            "name": "After",
            "policyTypeId": "com.vmware.cafe.catalog.request.generic",
            "phases": [
                {
                    "phaseTypeId": "POST_APPROVAL",
                    "levels": [
                        {"name": "L1", "approvers": [{"value": "operator@vsphere.local", "type": "USER"}]}
                    ],
                }
            ],
        }
        r = c.post("/approval-service/api/policies", headers=admin, json=policy)
        assert r.status_code == 201, r.text
        group = entitled(c, user)[AMAZON]["entitledOrganizations"][0]["subtenantRef"]
        # A second entitlement of Demo Group puts the Amazon blueprint under the post-approval policy.
        entitlement = {
            "name": "Post",
            "organization": {"subtenantRef": group},
            "entitledCatalogItems": [
                {"catalogItemRef": {"id": items[0]["id"]}, "approvalPolicyId": r.json()["id"]}
            ],
        }
        r = c.post(f"{CATALOG}/entitlements", headers=admin, json=entitlement)
        assert r.status_code == 201, r.text
        assert r.headers["Location"].endswith(f"{CATALOG}/entitlements/{r.json()['id']}")
        request_id = submit(c, user, AMAZON).json()["id"]
        operator = bearer(token(server, "operator", DEMO_PASSWORD))
        assert c.get(WORKITEMS, headers=operator).json()["content"] == []  # not before provisioning ends
        server.advance(PROVISION_SECONDS)
        assert state(c, user, request_id)["state"] == "PENDING_POST_APPROVAL"
        approve(c, operator, request_id)
        assert state(c, user, request_id)["state"] == "SUCCESSFUL"


def guide_form(item, action, reason, **values):
    """The Guide's approve JSON: the request's values echoed as ``source-source-provider-...``
    and the approver's reason as ``source-businessJustification``."""
    entries = [
        {"key": f"source-source-provider-{k}", "value": {"type": "integer", "value": v}}
        for k, v in values.items()
    ]
    entries.append({"key": "source-businessJustification", "value": {"type": "string", "value": reason}})
    return {"formData": {"entries": entries}, "workItemId": item["id"], "workItemActionId": action}


def test_the_guides_approve_json_gives_the_reason_and_may_not_change_the_request(server):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        asked = {"VirtualMachine.CPU.Count": 2, "VirtualMachine.Memory.Size": 2048}
        request_id = submit(c, user, VSPHERE, **asked).json()["id"]
        item = work_item_of(c, admin, request_id)
        at = f"{WORKITEMS}/{item['id']}/actions"
        changed = guide_form(item, APPROVE, "more memory", **{**asked, "VirtualMachine.Memory.Size": 4096})
        assert_vra_error(c.post(f"{at}/{APPROVE}", headers=admin, json=changed), 400, 20117)
        assert work_item_of(c, admin, request_id)["status"] == "Active"
        body = guide_form(
            item, APPROVE, "solves the ticket", **asked, **{"Cafe.Shim.VirtualMachine.NumberOfInstances": 1}
        )
        r = c.post(f"{at}/{APPROVE}", headers=admin, json=body)
        assert r.status_code == 201, r.text
        assert r.json()["justification"] == "solves the ticket"
        other = submit(c, user, VSPHERE).json()["id"]
        item = work_item_of(c, admin, other)
        r = c.post(
            f"{WORKITEMS}/{item['id']}/actions/{REJECT}",
            headers=admin,
            json=guide_form(item, REJECT, "too big"),
        )
        assert r.status_code == 201 and r.json()["justification"] == "too big", r.text
        assert state(c, user, other)["requestCompletion"]["completionDetails"] == "too big"


def test_an_entitlement_naming_an_unknown_approval_policy_is_refused(server):
    with server.client() as c:
        admin, user = bearer(token(server)), consumer(server, c)
        item = entitled(c, user)[AMAZON]
        group = item["entitledOrganizations"][0]["subtenantRef"]
        base = {"name": "Unknown policy", "organization": {"subtenantRef": group}}
        on_item = {"entitledCatalogItems": [{"catalogItemRef": {"id": item["catalogItem"]["id"]}}]}
        on_action = {
            "entitledResourceOperations": [
                {"resourceOperationRef": {"id": "Infrastructure.Machine.Action.PowerOff"}}
            ]
        }
        for body in (on_item, on_action):
            entry = next(iter(body.values()))[0]
            entry["approvalPolicyId"] = "no-such-policy"
            r = c.post(f"{CATALOG}/entitlements", headers=admin, json={**base, **body})
            assert_vra_error(r, 404, 10002)
            assert "no-such-policy" in r.json()["errors"][0]["message"]
        names = [e["name"] for e in c.get(f"{CATALOG}/entitlements", headers=admin).json()["content"]]
        assert "Unknown policy" not in names


def test_a_completion_body_naming_another_action_than_the_path_is_refused(server):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        request_id = submit(c, user, VSPHERE).json()["id"]
        item = work_item_of(c, admin, request_id)
        at = f"{WORKITEMS}/{item['id']}/actions"
        body = guide_form(item, REJECT, "no")
        r = c.post(f"{at}/{APPROVE}", headers=admin, json=body)
        assert_vra_error(r, 400, 20117)
        assert "workItemActionId" in r.text
        assert work_item_of(c, admin, request_id)["status"] == "Active"
        assert state(c, user, request_id)["state"] == "PENDING_PRE_APPROVAL"
        r = c.post(f"{at}/{APPROVE}", headers=admin, json={**body, "workItemActionId": APPROVE})
        assert r.status_code == 201, r.text


def test_entitlement_and_policy_bodies_are_not_silently_rewritten(server):
    with server.client() as c:
        admin, user = bearer(token(server)), consumer(server, c)
        item = entitled(c, user)[AMAZON]
        group = item["entitledOrganizations"][0]["subtenantRef"]
        base = {
            "name": "Limited",
            "organization": {"subtenantRef": group},
            "entitledCatalogItems": [{"catalogItemRef": {"id": item["catalogItem"]["id"]}}],
        }
        limited = {"allUsers": False, "principals": [{"ref": "USER_1@vsphere.local", "type": "USER"}]}
        for bad in (limited, {"status": "ENABLED"}, {"status": 1}):
            r = c.post(f"{CATALOG}/entitlements", headers=admin, json={**base, **bad})
            assert_vra_error(r, 400, 20117)
        r = c.post(f"{CATALOG}/entitlements", headers=admin, json={**base, "status": "INACTIVE"})
        assert r.status_code == 201 and r.json()["status"] == "INACTIVE", r.text
        level = {"name": "L1", "approvers": [{"value": "operator@vsphere.local", "type": "USER"}]}
        for number in ("1", 1.5, True, 0):
            policy = {
                "name": f"Levels {number}",
                "phases": [{"phaseTypeId": "PRE_APPROVAL", "levels": [{**level, "levelNumber": number}]}],
            }
            r = c.post("/approval-service/api/policies", headers=admin, json=policy)
            assert_vra_error(r, 400, 20117)
            assert "levelNumber" in r.text
        policy["phases"][0]["levels"][0]["levelNumber"] = 1
        assert c.post("/approval-service/api/policies", headers=admin, json=policy).status_code == 201


def test_a_request_with_wrongly_typed_values_is_refused(server):
    with server.client() as c:
        user = consumer(server, c)
        for values in (
            {"VirtualMachine.CPU.Count": True},
            {"VirtualMachine.Memory.Size": {"size": 2048}},
            {"VirtualMachine.Disk0.Size": "inf"},
            {"VirtualMachine.LeaseDays": "nan"},
        ):
            assert_vra_error(submit(c, user, VSPHERE, **values), 400, 20117)
        item = entitled(c, user)[VSPHERE]["catalogItem"]["id"]
        at = f"{CATALOG}/consumer/entitledCatalogItems/{item}/requests"
        body = c.get(f"{at}/template", headers=user).json()
        for tenant_ref in (1, ["vsphere.local"], "other.local"):
            wrong = {**body, "organization": {**body["organization"], "tenantRef": tenant_ref}}
            r = c.post(at, headers=user, json=wrong)
            assert_vra_error(r, 400, 20117)
            assert "tenantRef" in r.text
        assert c.get(f"{CATALOG}/consumer/requests", headers=user).json()["content"] == []
        assert c.post(at, headers=user, json=body).status_code == 201
