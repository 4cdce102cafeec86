"""The request log: what every face answered, who asked, how long it took, with secrets redacted."""

from helpers import ops_acquire, vcenter_session


def requests_since(server, after=0, limit=100):
    r = server.control("GET", f"/requests?after={after}&limit={limit}")
    assert r.status_code == 200, r.text
    return r.json()


def test_each_face_is_logged_with_its_principal(server, api):
    start = requests_since(server, limit=1)["last"]
    assert api.get("/v1/users?pageSize=5").status_code == 200
    session = vcenter_session(server, "viewer@vsphere.local")
    with server.client(headers={"vmware-api-session-id": session}) as c:
        assert c.get("/api/vcenter/datacenter").status_code == 200
    ops_token = ops_acquire(server, "operator@vsphere.local").json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {ops_token}"}) as c:
        assert c.get("/suite-api/api/resources?pageSize=1").status_code == 200
    with server.client() as c:
        assert c.get("/v1/users").status_code == 401
    logged = requests_since(server, start)["requests"]
    seen = [(e["face"], e["method"], e["path"].split("?")[0], e["status"], e["principal"]) for e in logged]
    assert seen == [
        ("sddc-manager", "GET", "/v1/users", 200, "administrator@vsphere.local"),
        ("vcenter", "POST", "/api/session", 201, "viewer@vsphere.local"),
        ("vcenter", "GET", "/api/vcenter/datacenter", 200, "viewer@vsphere.local"),
        ("operations", "POST", "/suite-api/api/auth/token/acquire", 200, "operator@vsphere.local"),
        ("operations", "GET", "/suite-api/api/resources", 200, "operator@vsphere.local"),
        ("sddc-manager", "GET", "/v1/users", 401, None),
    ]
    assert logged[0]["path"] == "/v1/users?pageSize=5"
    assert all(e["duration_ms"] >= 0 and e["time"].endswith("Z") for e in logged)
    assert [e["seq"] for e in logged] == sorted(e["seq"] for e in logged)


def test_secrets_are_redacted_and_control_calls_are_not_logged(server, api):
    start = requests_since(server, limit=1)["last"]
    api.get("/v1/users?api_key=hunter2&access_token=abc&pageSize=2")
    server.control("GET", "/clock")
    logged = requests_since(server, start)["requests"]
    assert len(logged) == 1
    path = logged[0]["path"]
    assert "hunter2" not in path and "abc" not in path
    assert "api_key=REDACTED" in path and "access_token=REDACTED" in path and "pageSize=2" in path


def test_a_fault_is_logged_with_its_rule(server, api):
    rule = server.control(
        "POST", "/faults", json={"action": "error", "status": 503, "path": "/v1/roles"}
    ).json()
    try:
        start = requests_since(server, limit=1)["last"]
        assert api.get("/v1/roles").status_code == 503
        (entry,) = requests_since(server, start)["requests"]
        assert entry["status"] == 503 and entry["fault"] == rule["id"]
    finally:
        server.control("DELETE", "/faults")


def test_the_log_keeps_the_last_n_and_can_be_cleared(server, api):
    assert server.control("DELETE", "/requests").status_code == 204
    for _ in range(3):
        api.get("/v1/roles")
    page = requests_since(server, limit=2)
    assert len(page["requests"]) == 2 and page["last"] == page["requests"][-1]["seq"]
    assert requests_since(server, page["last"])["requests"] == []


def test_bad_paging_is_refused(server):
    for query in ("limit=0", "limit=abc", "after=-1", "limit=1000000", "after=99999999999999999999999"):
        r = server.control("GET", f"/requests?{query}")
        assert r.status_code == 400 and r.json()["error"] == "invalid"
