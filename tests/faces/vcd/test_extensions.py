"""Extension services through the vCloud API, replaying the vCloud API Programming Guide 5.5's
examples (chapter 11: "Register an Extension Service", p. 333; "Create or Update a
Service-Specific Task", pp. 340-341; "Create a Service-Specific Event", pp. 341-342) with only
their host, ids and the names of our demo world's org and user put in: a service is registered,
read, changed and removed with its API filters and definitions; it posts a Task to an org's tasks
list and moves it on with PUTs of its progress; it posts an Event to the org's events. Every answer
valid against the XSDs; an org user may do none of it."""

from __future__ import annotations

from vcd_client import ORG_USER, PROVIDER, V15, link, sign_in
from vcd_extension import VMEXT, demo_org, records
from vcd_schema import assert_valid

SERVICE_TYPE = "application/vnd.vmware.admin.service+xml"
TASK_TYPE = "application/vnd.vmware.vcloud.task+xml"
EVENT_TYPE = "application/vnd.vmware.admin.event+xml"

# p. 333 (its UrlPattern's end is cut off in the guide; the last alternative is ours)
REGISTER = """<?xml version="1.0" encoding="UTF-8"?>
<vmext:Service
xmlns="http://www.vmware.com/vcloud/v1.5"
xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5"
name="SDK-BackupExtension">
<vmext:Namespace>org.example.vcd.backup</vmext:Namespace>
<vmext:Enabled>true</vmext:Enabled>
<vmext:AuthorizationEnabled>true</vmext:AuthorizationEnabled>
<vmext:RoutingKey>backup</vmext:RoutingKey>
<vmext:Priority>50</vmext:Priority>
<vmext:Exchange>sdkext</vmext:Exchange>
<vmext:ApiFilters>
<vmext:ApiFilter>
<vmext:UrlPattern>(/api/org/.*/backups)|(/api/vApp/vapp-.*/backups)|(/api/vApp/vapp-.*/action/backup)</vmext:UrlPattern>
</vmext:ApiFilter>
</vmext:ApiFilters>
</vmext:Service>"""

# p. 340: the Task a service posts (hrefs: {base}, {org}, {user})
TASK = """<?xml version="1.0" encoding="UTF-8"?>
<Task
xmlns="http://www.vmware.com/vcloud/v1.5"
status="running"
serviceNamespace="org.example.vcd.backup"
type="application/vnd.vmware.vcloud.task+xml"
operation="Backup in progress for virtual machine with id 7b91b053-2b..."
operationName="backupInProgress"
name="task">
<Owner
type="application/vnd.vmware.vcloud.org+xml"
name="demo-org"
href="{base}/api/org/{org}"
id="{org}" />
<User
type="application/vnd.vmware.admin.user+xml"
name="alice"
href="{base}/api/admin/user/{user}" />
<Progress>10</Progress>
</Task>"""

# p. 342: the Event a service posts, without a namespace as the guide writes it
EVENT = """<?xml version="1.0" encoding="UTF-8"?>
<Event
success="true"
serviceNamespace="org.example.vcd.backup"
type="backupComplete">
<Owner
type="application/vnd.vmware.vcloud.org+xml"
name="demo-org"
href="{base}/api/admin/org/{org}" />
<User
type="application/vnd.vmware.admin.user+xml"
name="alice"
href="{base}/api/admin/user/{user}" />
</Event>"""


def progress(status: str, value: int) -> str:
    return (
        '<Task xmlns="http://www.vmware.com/vcloud/v1.5" '
        f'status="{status}" operationName="backupInProgress" name="task"><Progress>{value}</Progress></Task>'
    )


def test_a_service_is_registered_read_changed_and_removed(server):
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        sent = {**admin, "Content-Type": SERVICE_TYPE}
        extension = assert_valid(c.get("/api/admin/extension", headers=admin).content)
        register_href = link(extension, "down", ".extensionServices+xml")  # as the guide finds it (p. 333)
        r = c.post(register_href, content=REGISTER, headers=sent)
        assert r.status_code == 201, r.text
        service = assert_valid(r.content)
        assert service.tag == f"{VMEXT}Service" and service.get("name") == "SDK-BackupExtension"
        assert service.findtext(f"{VMEXT}Namespace") == "org.example.vcd.backup"
        assert (service.findtext(f"{VMEXT}RoutingKey"), service.findtext(f"{VMEXT}Exchange")) == (
            "backup",
            "sdkext",
        )
        (pattern,) = service.findall(f"{VMEXT}ApiFilters/{VMEXT}ApiFilter")
        assert pattern.findtext(f"{VMEXT}UrlPattern").startswith("(/api/org/.*/backups)")
        href = service.get("href")
        again = c.post("/api/admin/extension/service", content=REGISTER, headers=sent)
        assert again.status_code == 400 and "already registered" in again.text  # one namespace once
        listed = assert_valid(c.get("/api/admin/extension/service", headers=admin).content)
        assert href in [x.get("href") for x in listed.findall(f"{V15}Link") if x.get("rel") == "down"]
        disabled = REGISTER.replace("<vmext:Enabled>true", "<vmext:Enabled>false")
        changed = assert_valid(c.put(href, content=disabled, headers=sent).content)
        assert changed.findtext(f"{VMEXT}Enabled") == "false"
        assert assert_valid(c.get(href, headers=admin).content).findtext(f"{VMEXT}Enabled") == "false"
        # an API filter of its own, then an API definition
        body = (
            '<vmext:ApiFilter xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5">'
            "<vmext:UrlPattern>/api/backup/.*</vmext:UrlPattern></vmext:ApiFilter>"
        )
        made = c.post(f"{href}/apifilters", content=body, headers=sent)
        assert made.status_code == 201, made.text
        filter_href = assert_valid(made.content).get("href")
        filters = assert_valid(c.get(f"{href}/apifilters", headers=admin).content)
        assert len(filters.findall(f"{VMEXT}ApiFilter")) == 2
        broken = body.replace("/api/backup/.*", "(unclosed")
        assert c.post(f"{href}/apifilters", content=broken, headers=sent).status_code == 400
        definition = (
            '<vmext:ApiDefinition xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5" name="backups">'
            "<vmext:EntryPoint>{baseUri}backups</vmext:EntryPoint>"
            "<vmext:Namespace>org.example.vcd.backup</vmext:Namespace>"
            "<vmext:ApiVendor>Example</vmext:ApiVendor>"
            "<vmext:SupportedApiVersions><vmext:Version>1.0</vmext:Version></vmext:SupportedApiVersions>"
            "</vmext:ApiDefinition>"
        )
        made = c.post(f"{href}/apidefinitions", content=definition, headers=sent)
        assert made.status_code == 201, made.text
        defined = assert_valid(c.get(assert_valid(made.content).get("href"), headers=admin).content)
        assert defined.findtext(f"{VMEXT}EntryPoint") == "{baseUri}backups"
        shown = assert_valid(c.get(filter_href, headers=admin).content)
        assert shown.findtext(f"{VMEXT}UrlPattern") == "/api/backup/.*"
        (record,) = records(c, admin, "adminService", filter="namespace==org.example.vcd.backup")
        assert (record.get("href"), record.get("enabled")) == (href, "false")
        patterns = records(c, admin, "apiFilter", filter=f"service=={href}", sortAsc="urlPattern")
        assert [p.get("urlPattern")[:14] for p in patterns] == ["(/api/org/.*/b", "/api/backup/.*"]
        r = c.get("/api/query", params={"type": "adminService", "format": "references"}, headers=admin)
        assert assert_valid(r.content).find(f"{V15}AdminServiceReference").get("href") == href
        assert c.delete(filter_href, headers=admin).status_code == 204
        assert c.get(filter_href, headers=admin).status_code == 404
        assert c.delete(href, headers=admin).status_code == 204
        assert c.get(href, headers=admin).status_code == 404
        alice = sign_in(c, ORG_USER)
        refused = c.post(
            "/api/admin/extension/service", content=REGISTER, headers={**alice, "Content-Type": SERVICE_TYPE}
        )
        assert refused.status_code == 403


def test_a_service_posts_a_task_moves_it_on_and_posts_an_event(server):
    with server.client(base_url=server.vcd) as c:
        alice = sign_in(c, ORG_USER)
        org, user = demo_org(c, alice)
        admin = sign_in(c, PROVIDER)
        base = str(c.base_url).rstrip("/")
        body = TASK.format(base=base, org=org, user=user)
        r = c.post(f"/api/tasksList/{org}", content=body, headers={**admin, "Content-Type": TASK_TYPE})
        assert r.status_code == 200, r.text
        posted = assert_valid(r.content)
        assert (posted.get("status"), posted.get("operationName")) == ("running", "backupInProgress")
        assert posted.get("serviceNamespace") == "org.example.vcd.backup"
        assert posted.findtext(f"{V15}Progress") == "10" and posted.get("startTime")
        assert posted.find(f"{V15}Owner").get("href").endswith(f"/api/org/{org}")
        assert posted.find(f"{V15}User").get("name") == "alice"
        href = posted.get("href")
        # the org's users see it in their tasks list
        listed = assert_valid(c.get(f"/api/tasksList/{org}", headers=alice).content)
        assert href in [t.get("href") for t in listed.findall(f"{V15}Task")]
        moved = c.put(href, content=progress("running", 60), headers={**admin, "Content-Type": TASK_TYPE})
        assert moved.status_code == 200, moved.text
        assert assert_valid(c.get(href, headers=alice).content).findtext(f"{V15}Progress") == "60"
        done = assert_valid(
            c.put(
                href, content=progress("success", 100), headers={**admin, "Content-Type": TASK_TYPE}
            ).content
        )
        assert done.get("status") == "success" and done.get("endTime")
        late = c.put(href, content=progress("running", 70), headers={**admin, "Content-Type": TASK_TYPE})
        assert late.status_code == 400  # it has ended
        wrong = c.put(href, content=progress("running", 170), headers={**admin, "Content-Type": TASK_TYPE})
        assert wrong.status_code == 400
        # the event the system makes for a posted task, then the service's own
        (made,) = records(c, alice, "event", filter="eventType==backupInProgress")
        assert made.get("serviceNamespace") == "org.example.vcd.backup" and made.get("entityType") == "org"
        event = EVENT.format(base=base, org=org, user=user)
        r = c.post(
            f"/api/admin/org/{org}/events", content=event, headers={**admin, "Content-Type": EVENT_TYPE}
        )
        assert r.status_code == 204, r.text
        (complete,) = records(c, alice, "event", filter="eventType==backupComplete")
        assert complete.get("userName") == "alice" and complete.get("eventStatus") == "0"
        assert complete.get("entityName") == "demo-org"
        claimed = event.replace('type="backupComplete"', 'type="com/vmware/vcloud/event/vapp/create"')
        r = c.post(
            f"/api/admin/org/{org}/events", content=claimed, headers={**admin, "Content-Type": EVENT_TYPE}
        )
        assert r.status_code == 400  # the product's own event types are not a service's
        # an org user may not post either
        r = c.post(f"/api/tasksList/{org}", content=body, headers={**alice, "Content-Type": TASK_TYPE})
        assert r.status_code == 403
        r = c.put(href, content=progress("running", 10), headers={**alice, "Content-Type": TASK_TYPE})
        assert r.status_code == 403
