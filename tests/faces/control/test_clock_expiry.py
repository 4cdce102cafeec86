"""The world clock expires every face's credential: SDDC Manager access tokens, vCenter sessions,
Operations tokens and cloud (CSP) tokens, each at its own lifetime and each with its own error."""

from helpers import assert_error, assert_ops_error, assert_vapi_error, ops_acquire, sign_in, vcenter_session

CSP = "/csp/gateway/am/api/auth/api-tokens/authorize"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def credentials(server):
    sddc = sign_in(server).json()["accessToken"]
    vcenter = vcenter_session(server)
    ops = ops_acquire(server).json()["token"]
    api_token = server.control("POST", "/api-tokens", json={"username": "administrator@vsphere.local"}).json()
    with server.client() as c:
        csp = c.post(CSP, content=f"refresh_token={api_token['token']}", headers=FORM).json()["access_token"]
    return sddc, vcenter, ops, csp


def statuses(server, sddc, vcenter, ops, csp):
    with server.client() as c:
        return {
            "sddc": c.get("/v1/roles", headers={"Authorization": f"Bearer {sddc}"}),
            "vcenter": c.get("/api/vcenter/datacenter", headers={"vmware-api-session-id": vcenter}),
            "ops": c.get("/suite-api/api/adapterkinds", headers={"Authorization": f"OpsToken {ops}"}),
            "csp": c.get(
                "/vrops-cloud/suite-api/api/adapterkinds", headers={"Authorization": f"CSPToken {csp}"}
            ),
        }


def test_each_face_expires_on_the_world_clock(server):
    held = credentials(server)
    assert {k: r.status_code for k, r in statuses(server, *held).items()} == dict.fromkeys(
        ("sddc", "vcenter", "ops", "csp"), 200
    )
    server.advance(1800)  # past the CSP token's 1799 s and the vCenter session's 1800 s idle time
    answers = statuses(server, *held)
    assert answers["sddc"].status_code == 200 and answers["ops"].status_code == 200
    assert_vapi_error(answers["vcenter"], 401, "UNAUTHENTICATED")
    assert_ops_error(answers["csp"], 401, 1512)
    server.advance(3600)  # past the SDDC Manager access token's hour
    answers = statuses(server, *held)
    assert_error(answers["sddc"], 401, "Unauthenticated")
    assert answers["ops"].status_code == 200  # used within its six hours, so it lived on
    server.advance(21600)
    assert_ops_error(statuses(server, *held)["ops"], 401, 1512)


def test_lifetimes_a_scenario_sets_are_kept(server):
    scenario = "settings:\n  access_token_ttl: 60\n  session_idle_timeout: 120\n  ops_token_ttl: 180\n"
    r = server.load(scenario)
    assert r.status_code == 200, r.text
    try:
        held = credentials(server)
        server.advance(61)
        answers = statuses(server, *held)
        assert answers["sddc"].status_code == 401 and answers["vcenter"].status_code == 200
        server.advance(121)
        answers = statuses(server, *held)
        assert answers["vcenter"].status_code == 401 and answers["ops"].status_code == 200
        server.advance(181)
        assert statuses(server, *held)["ops"].status_code == 401
    finally:
        server.load("")
