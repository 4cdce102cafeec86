"""vRA 6.2's dates on the wire: ISO strings, filtered as dates (an ISO string or a ``datetime'...'``
literal) on every list whose field is a date; and when a request's and its machine's dates are set."""

import datetime as dt

import pytest

from faces.vra.test_catalog import (
    AMAZON,
    CATALOG,
    PROVISION_SECONDS,
    VSPHERE,
    WORKITEMS,
    approve,
    consumer,
    state,
    submit,
)
from faces.vra.test_identity import bearer, token
from vra_helpers import assert_vra_error


def listed(c, headers, path, text):
    r = c.get(path, headers=headers, params={"$filter": text})
    assert r.status_code == 200, r.text
    return [e["id"] for e in r.json()["content"]]


@pytest.mark.parametrize("literal", ["'{}'", "datetime'{}'"])
def test_requests_resources_and_work_items_filter_by_date(server, literal):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        first = submit(c, user, AMAZON).json()["id"]
        server.advance(PROVISION_SECONDS)
        second = submit(c, user, VSPHERE).json()["id"]
        at = literal.format(state(c, user, second)["dateCreated"])
        requests = f"{CATALOG}/consumer/requests"
        for field in ("dateCreated", "dateSubmitted"):
            assert listed(c, user, requests, f"{field} ge {at}") == [second]
            assert listed(c, user, requests, f"{field} lt {at}") == [first]
        assert listed(c, user, requests, f"lastUpdated lt {at}") == [first]
        resources = f"{CATALOG}/consumer/resources"
        (machine,) = listed(c, user, resources, f"dateCreated lt {at}")
        assert listed(c, user, resources, f"dateCreated gt {at}") == []
        assert listed(c, user, resources, f"lease/start le {at} and lastUpdated lt {at}") == [machine]
        (item,) = listed(c, admin, WORKITEMS, f"createdDate ge {at}")
        assert listed(c, admin, WORKITEMS, f"assignedDate lt {at}") == []
        approve(c, admin, second)
        assert listed(c, admin, WORKITEMS, f"completedDate ge {at}") == [item]
        before = literal.format("2000-01-01T00:00:00Z")
        assert listed(c, admin, f"{CATALOG}/catalogItems", f"dateCreated lt {before}") == []
        assert len(listed(c, admin, f"{CATALOG}/catalogItems", f"lastUpdatedDate gt {before}")) == 3
        assert len(listed(c, admin, f"{CATALOG}/services", f"lastUpdatedDate gt {before}")) == 1
        assert listed(c, admin, "/approval-service/api/policies", f"createdDate lt {before}") == []
        r = c.get(requests, headers=user, params={"$filter": "dateCreated gt 'yesterday'"})
        assert_vra_error(r, 400, 20117)


def moment(text):
    return dt.datetime.fromisoformat(text)


def test_a_requests_dates_follow_its_approval_and_provisioning(server):
    with server.client() as c:
        user, admin = consumer(server, c), bearer(token(server))
        request_id = submit(c, user, VSPHERE).json()["id"]
        waiting = state(c, user, request_id)
        assert (waiting["approvalStatus"], waiting["dateApproved"], waiting["dateCompleted"]) == (
            "PENDING",
            None,
            None,
        )
        server.advance(5)
        item = c.get(WORKITEMS, headers=admin).json()["content"][0]
        assert (item["callbackEntityId"], item["version"]) == (request_id, 0)
        assert item["workItemRequest"]["itemName"] == VSPHERE
        assert approve(c, admin, request_id)["version"] == 1
        approved = state(c, user, request_id)
        assert (approved["approvalStatus"], approved["phase"]) == ("PRE_APPROVED", "IN_PROGRESS")
        assert approved["state"] in ("SUBMITTED", "IN_PROGRESS") and approved["dateCompleted"] is None
        assert moment(approved["dateApproved"]) - moment(approved["dateSubmitted"]) >= dt.timedelta(seconds=5)
        views = c.get(f"{CATALOG}/consumer/requests/{request_id}/resourceViews", headers=user).json()
        assert views["content"] == []  # the machine exists when provisioning ends
        server.advance(PROVISION_SECONDS)
        done = state(c, user, request_id)
        assert (done["state"], done["approvalStatus"]) == ("SUCCESSFUL", "POST_APPROVED")
        took = moment(done["dateCompleted"]) - moment(done["dateApproved"])
        assert abs(took - dt.timedelta(seconds=PROVISION_SECONDS)) < dt.timedelta(milliseconds=2)
        assert done["lastUpdated"] == done["dateCompleted"]
        (view,) = c.get(f"{CATALOG}/consumer/requests/{request_id}/resourceViews", headers=user).json()[
            "content"
        ]
        resource = c.get(f"{CATALOG}/consumer/resources/{view['resourceId']}", headers=user).json()
        assert resource["dateCreated"] == resource["lease"]["start"] == done["dateCompleted"]
        described = c.get(f"{CATALOG}/catalogItems/{done['catalogItemRef']['id']}", headers=admin).json()
        assert described["description"] and done["requestedItemDescription"] == described["description"]


def test_a_request_without_approval_is_approved_when_submitted(server):
    with server.client() as c:
        user = consumer(server, c)
        found = state(c, user, submit(c, user, AMAZON).json()["id"])
        assert (found["approvalStatus"], found["phase"]) == ("PRE_APPROVED", "IN_PROGRESS")
        assert found["dateApproved"] == found["dateSubmitted"] and found["dateCompleted"] is None
