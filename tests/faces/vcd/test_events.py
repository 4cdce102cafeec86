"""The event log through the vCloud API: every change made through the face (instantiate, power,
metadata, delete, sign-in) records an event, listed by ``/api/query?type=event`` for the org's
users and ``type=adminEvent`` for the system administrator, filtered, sorted and paged like every
query type; every answer valid against the XSDs."""

from __future__ import annotations

from vcd_client import ORG_USER, PROVIDER, V15, link, sign_in
from vcd_extension import demo_org, instantiate, records
from vcd_schema import assert_valid

PREFIX = "com/vmware/vcloud/event/"


def test_changes_and_sign_ins_are_events_an_org_lists(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        made = instantiate(c, alice, "evented")
        assert made.status_code == 201, made.text
        vapp = assert_valid(made.content)
        on = c.post(link(vapp, "power:powerOn", ""), headers=alice)
        assert on.status_code == 202, on.text
        types = [r.get("eventType") for r in records(c, alice, "event", pageSize=25)]
        assert types[:3] == [f"{PREFIX}vapp/deploy", f"{PREFIX}vapp/create", f"{PREFIX}session/login"]
        (created,) = records(c, alice, "event", filter=f"eventType=={PREFIX}vapp/create")
        assert created.get("entityName") == "evented" and created.get("entityType") == "vapp"
        assert created.get("userName") == "alice" and created.get("orgName") == "demo-org"
        assert created.get("eventStatus") == "0" and created.get("serviceNamespace") == "com.vmware.cloud"
        assert created.get("entity") == vapp.get("href") and created.get("href") is None
        ids = records(c, alice, "event", format="idrecords", filter=f"eventType=={PREFIX}vapp/create")
        assert ids[0].get("entity") == vapp.get("id")
        delete = c.delete(vapp.get("href"), headers=alice)
        assert delete.status_code == 400  # powered on: refused, and no event
        assert records(c, alice, "event")[0].get("eventType") == f"{PREFIX}vapp/deploy"


def test_events_page_sort_and_stay_in_their_org(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        provider = sign_in(c, PROVIDER)
        assert instantiate(c, alice, "one").status_code == 201
        assert instantiate(c, alice, "two").status_code == 201
        r = c.get("/api/query", params={"type": "event", "pageSize": 1, "page": 2}, headers=alice)
        page = assert_valid(r.content)
        assert page.get("total") == "3" and page.get("page") == "2"  # her sign-in, two vApps
        assert [x.get("rel") for x in page.findall(f"{V15}Link")].count("nextPage") == 1
        oldest = records(c, alice, "event", sortAsc="timeStamp", pageSize=1)
        assert oldest[0].get("eventType") == f"{PREFIX}session/login"
        names = [
            r.get("entityName") for r in records(c, alice, "event", filter=f"eventType=={PREFIX}vapp/create")
        ]
        assert sorted(names) == ["one", "two"]
        # the provider's sign-in is the System org's: alice does not see it, the provider does
        assert all(r.get("orgName") == "demo-org" for r in records(c, alice, "event"))
        admin = records(c, provider, "adminEvent", filter="orgName==System")
        assert [r.get("eventType") for r in admin] == [f"{PREFIX}session/login"]
        everyone = records(c, provider, "adminEvent", pageSize=128)
        assert {r.get("orgName") for r in everyone} == {"System", "demo-org"}
        org_uuid, _ = demo_org(c, alice)
        assert all(r.get("eventId") for r in everyone)
        assert any(r.get("org", "").endswith(org_uuid) for r in everyone)
        refused = c.get("/api/query", params={"type": "adminEvent"}, headers=alice)
        assert refused.status_code == 403
        bad = c.get("/api/query", params={"type": "event", "format": "references"}, headers=alice)
        assert bad.status_code == 400
        unknown = c.get("/api/query", params={"type": "event", "filter": "nope==1"}, headers=alice)
        assert unknown.status_code == 400


def test_event_records_are_valid_at_an_older_version(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER, version="5.5")
        r = c.get("/api/query", params={"type": "event"}, headers=alice)
        page = assert_valid(r.content, "5.5")
        assert page.find(f"{V15}EventRecord").get("eventType") == f"{PREFIX}session/login"


def test_metadata_and_deletion_are_events_too(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        vapp = assert_valid(instantiate(c, alice, "short-lived").content)
        metadata = (
            '<Metadata xmlns="http://www.vmware.com/vcloud/v1.5" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><MetadataEntry><Key>tier</Key>'
            '<TypedValue xsi:type="MetadataStringValue"><Value>web</Value></TypedValue>'
            "</MetadataEntry></Metadata>"
        )
        sent = {**alice, "Content-Type": "application/vnd.vmware.vcloud.metadata+xml"}
        assert c.post(f"{vapp.get('href')}/metadata", content=metadata, headers=sent).status_code == 202
        assert c.delete(vapp.get("href"), headers=alice).status_code == 202
        newest = records(c, alice, "event", pageSize=3)
        assert [(r.get("eventType"), r.get("entityName")) for r in newest] == [
            (f"{PREFIX}vapp/delete", "short-lived"),
            (f"{PREFIX}vapp/modify", "short-lived"),
            (f"{PREFIX}vapp/create", "short-lived"),
        ]
