"""vCenter's legacy REST API (``/rest``, vSphere 6.5 to 7.0): every operation of ``/api`` there
too, in ``{"value": ...}``, with ``{"spec": ...}`` bodies, ``filter.``-prefixed (and numbered)
query names, the session cookie, and the ``{"type", "value"}`` error body."""

import pytest
import requests

from conftest import DEMO_PASSWORD
from helpers import ADMIN, DEMO_VMS, vcenter_session

SESSION = "/rest/com/vmware/cis/session"


@pytest.fixture
def rest(server):
    with server.client(headers={"vmware-api-session-id": vcenter_session(server)}) as c:
        yield c


def assert_legacy_error(r, status, kind):
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"type", "value"}
    assert body["type"] == f"com.vmware.vapi.std.errors.{kind}"
    message = body["value"]["messages"][0]
    assert set(message) == {"id", "default_message", "args"} and message["default_message"]
    return body["value"]


def test_a_cookie_only_client_signs_in_lists_powers_and_logs_out(server, monkeypatch):
    """The fencing-agent pattern: requests.Session keeps the cookie, sends no header."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.cert))  # requests prefers it to Session.verify
    s = requests.Session()
    r = s.post(server.https + SESSION, auth=(ADMIN, DEMO_PASSWORD))
    assert r.status_code == 200 and isinstance(r.json()["value"], str)
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"vmware-api-session-id={r.json()['value']};")
    assert {"HttpOnly", "Path=/rest", "Secure"} <= {part.strip() for part in cookie.split(";")}
    assert "vmware-api-session-id" not in s.headers

    (vm,) = s.get(server.https + "/rest/vcenter/vm", params={"filter.names": "vm-00001"}).json()["value"]
    assert vm["name"] == "vm-00001" and vm["power_state"] == "POWERED_ON"
    stop = s.post(f"{server.https}/rest/vcenter/vm/{vm['vm']}/power/stop")
    assert stop.status_code == 200 and stop.content == b""
    power = s.get(f"{server.https}/rest/vcenter/vm/{vm['vm']}/power").json()
    assert power["value"]["state"] == "POWERED_OFF"
    assert s.post(f"{server.https}/rest/vcenter/vm/{vm['vm']}/power/start").status_code == 200
    assert s.get(server.https + SESSION).json()["value"]["user"] == "VSPHERE.LOCAL\\administrator"

    assert s.delete(server.https + SESSION).status_code == 200
    assert_legacy_error(s.get(server.https + "/rest/vcenter/vm"), 401, "unauthenticated")
    with server.client() as c:  # the session is gone everywhere, not only for this cookie jar
        r = c.get("/api/session", headers={"vmware-api-session-id": r.json()["value"]})
    assert r.status_code == 401


def test_the_new_api_sets_its_cookie_on_api_and_accepts_it(server):
    with server.client() as c:
        r = c.post("/api/session", auth=(ADMIN, DEMO_PASSWORD))
        assert r.status_code == 201
        assert "Path=/api" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
        assert len(c.get("/api/vcenter/vm").json()) == DEMO_VMS  # the cookie alone
        assert c.delete("/api/session").status_code == 204
        assert c.get("/api/vcenter/vm").status_code == 401


def test_a_client_asking_for_header_authentication_gets_no_cookie(server):
    with server.client() as c:
        for path in (SESSION, "/api/session"):
            r = c.post(path, auth=(ADMIN, DEMO_PASSWORD), headers={"vmware-use-header-authn": "test"})
            assert r.status_code in (200, 201) and "set-cookie" not in r.headers


def test_the_session_operations_by_every_legacy_spelling(server):
    with server.client() as c:
        session_id = c.post(SESSION, auth=(ADMIN, DEMO_PASSWORD)).json()["value"]
        c.cookies.clear()
        headers = {"vmware-api-session-id": session_id}
        got = c.post(SESSION, params={"~action": "get"}, headers=headers)
        assert got.status_code == 200 and set(got.json()["value"]) == {
            "user",
            "created_time",
            "last_accessed_time",
        }
        assert c.get(SESSION, headers=headers).json()["value"]["user"] == got.json()["value"]["user"]
        created = c.post(SESSION, params={"~action": "create"}, auth=(ADMIN, DEMO_PASSWORD))
        assert created.status_code == 200 and created.json()["value"] != session_id
        assert c.post(SESSION, params={"~action": "delete"}, headers=headers).status_code == 200
        assert_legacy_error(c.get(SESSION, headers=headers), 401, "unauthenticated")
        assert_legacy_error(c.post(SESSION, auth=(ADMIN, "wrong")), 401, "unauthenticated")


@pytest.mark.parametrize(
    "params",
    [
        [("filter.names", "vm-00001"), ("filter.names", "vm-00002")],
        [("filter.names.1", "vm-00001"), ("filter.names.2", "vm-00002")],
        [("filter.names.2", "vm-00002"), ("filter.names.1", "vm-00001")],
        [("names", "vm-00001"), ("names", "vm-00002")],
    ],
)
def test_every_spelling_of_a_repeated_filter(rest, params):
    found = rest.get("/rest/vcenter/vm", params=params).json()["value"]
    assert sorted(v["name"] for v in found) == ["vm-00001", "vm-00002"]


def test_filters_of_every_kind(rest):
    on = rest.get("/rest/vcenter/vm", params={"filter.power_states.1": "POWERED_ON"}).json()["value"]
    assert on and {v["power_state"] for v in on} == {"POWERED_ON"}
    hosts = rest.get("/rest/vcenter/host", params={"filter.connection_states.1": "CONNECTED"}).json()["value"]
    assert len(hosts) == 3
    host = hosts[0]["host"]
    on_host = rest.get("/rest/vcenter/vm", params={"filter.hosts.1": host}).json()["value"]
    assert on_host == rest.get("/api/vcenter/vm", params={"hosts": host}).json()
    folders = rest.get("/rest/vcenter/folder", params={"filter.type": "VIRTUAL_MACHINE"}).json()["value"]
    assert folders == rest.get("/api/vcenter/folder", params={"type": "VIRTUAL_MACHINE"}).json()
    r = rest.get("/rest/vcenter/vm", params={"filter.power_states.1": "HALF_ON"})
    assert_legacy_error(r, 400, "invalid_argument")


@pytest.mark.parametrize(
    "path",
    [
        "/vcenter/datacenter",
        "/vcenter/cluster",
        "/vcenter/host",
        "/vcenter/datastore",
        "/vcenter/network",
        "/vcenter/folder",
        "/vcenter/resource-pool",
        "/vcenter/vm",
        "/vcenter/authorization/roles",
        "/vcenter/authorization/privileges",
    ],
)
def test_lists_answer_what_the_new_api_answers_in_value(rest, path):
    r = rest.get("/rest" + path)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == {"value": rest.get("/api" + path).json()}


def test_a_vm_s_maps_are_key_value_lists(rest):
    vm = rest.get("/api/vcenter/vm").json()[0]["vm"]
    new = rest.get(f"/api/vcenter/vm/{vm}").json()
    legacy = rest.get(f"/rest/vcenter/vm/{vm}").json()["value"]
    assert new["disks"] and new["nics"]
    maps = {"disks", "nics", "cdroms", "floppies", "parallel_ports", "serial_ports", "sata_adapters"}
    maps |= {"scsi_adapters", "nvme_adapters"} & set(new)
    for name in maps:
        assert legacy[name] == [{"key": k, "value": v} for k, v in new[name].items()], name
    assert {k: v for k, v in legacy.items() if k not in maps} == {
        k: v for k, v in new.items() if k not in maps
    }


def test_create_takes_a_spec_and_answers_the_id_in_value(rest):
    cluster = rest.get("/api/vcenter/cluster").json()[0]["cluster"]
    spec = {"name": "legacy-made", "guest_OS": "RHEL_9_64", "placement": {"cluster": cluster}}
    r = rest.post("/rest/vcenter/vm", json={"spec": spec})
    assert r.status_code == 200, r.text
    vm = r.json()["value"]
    assert rest.get(f"/api/vcenter/vm/{vm}").json()["name"] == "legacy-made"
    assert_legacy_error(rest.post("/rest/vcenter/vm", json=spec), 400, "invalid_argument")  # not wrapped
    broken = rest.post("/rest/vcenter/vm", content=b"{", headers={"content-type": "application/json"})
    assert_legacy_error(broken, 400, "invalid_argument")
    deleted = rest.delete(f"/rest/vcenter/vm/{vm}")
    assert deleted.status_code == 200 and deleted.content == b""
    value = assert_legacy_error(rest.get(f"/rest/vcenter/vm/{vm}"), 404, "not_found")
    (qualified,) = value["messages"][0]["args"]  # vCenter's moid:instance-UUID form
    assert qualified.startswith(f"{vm}:") and len(qualified) == len(vm) + 37
    assert (
        value["messages"][0]["default_message"]
        == f"Virtual machine with identifier '{qualified}' does not exist."
    )
    assert value["messages"][0]["id"] == "com.vmware.api.vcenter.vm.not_found"


def test_a_role_made_on_rest_is_the_role_of_api(rest):
    spec = {"name": "LegacyRole", "description": "made on /rest", "privileges": ["System.View"]}
    role = rest.post("/rest/vcenter/authorization/roles", json={"spec": spec}).json()["value"]
    assert rest.get(f"/api/vcenter/authorization/roles/{role}").json()["name"] == "LegacyRole"
    assert rest.delete(f"/rest/vcenter/authorization/roles/{role}").status_code == 200
    assert rest.get(f"/api/vcenter/authorization/roles/{role}").status_code == 404


def test_errors_are_json_in_the_legacy_shape(rest):
    assert_legacy_error(rest.get("/rest/vcenter/no-such-thing"), 404, "not_found")
    assert_legacy_error(rest.get("/rest/"), 404, "not_found")
    assert_legacy_error(rest.get("/rest"), 404, "not_found")
    assert_legacy_error(rest.post(SESSION, params={"~action": "bogus"}), 404, "operation_not_found")
    r = rest.put("/rest/vcenter/vm")
    assert_legacy_error(r, 404, "operation_not_found")
    assert "GET" in r.headers["allow"]
    r = rest.post("/rest/vcenter/vm/vm-1/power", params={"~action": "fly"})
    assert_legacy_error(r, 404, "operation_not_found")
    with pytest.raises(AssertionError):
        assert_legacy_error(
            rest.get("/api/vcenter/no-such-thing"), 404, "not_found"
        )  # /api has its own shape
    r = rest.get("/api/vcenter/no-such-thing")
    assert r.status_code == 404 and r.json()["error_type"] == "NOT_FOUND"
    r = rest.request("PROPFIND", "/api/vcenter/vm")
    assert r.status_code in (404, 405) and r.json()["error_type"] == "OPERATION_NOT_FOUND"


def test_unauthenticated_on_rest(server):
    with server.client() as c:
        r = c.get("/rest/vcenter/vm")
        value = assert_legacy_error(r, 401, "unauthenticated")
        assert r.headers["www-authenticate"] == 'Basic realm="vCenter"'
        assert value["messages"][0]["id"] == "com.vmware.vapi.endpoint.method.authentication.required"
        c.cookies.set("vmware-api-session-id", "0" * 32)
        assert_legacy_error(c.get("/rest/vcenter/vm"), 401, "unauthenticated")


def test_every_api_operation_is_also_on_rest(server):
    routes = server.control("GET", "/routes").json()["faces"]["vcenter"]
    api = {r for r in routes if " /api/" in r}
    rest = set(routes)
    missing = []
    for route in api:
        method, path = route.split(" ")
        legacy = path.replace("/api/session", "/rest/com/vmware/cis/session").replace("/api/", "/rest/", 1)
        if f"{method} {legacy}" not in rest:
            missing.append(route)
    assert api and missing == []
