"""vCloud Director's orgs are the world's tenants: the org list and an org as the provider (the
System org) and as an org's own user see them, valid against the XSDs, and through pyvcloud."""

from pyvcloud.vcd.client import BasicLoginCredentials, Client

from conftest import DEMO_PASSWORD
from helpers import link_directory
from vcd_schema import assert_valid

V15 = "{http://www.vmware.com/vcloud/v1.5}"
XML36 = {"Accept": "application/*+xml;version=36.0"}
SCENARIO = (
    "identity:\n  users:\n    - {name: carol}\n  tenants:\n    - {name: acme, full_name: ACME Corporation}\n"
)


def session(c, user):
    r = c.post("/api/sessions", auth=(user, DEMO_PASSWORD), headers=XML36)
    assert r.status_code == 200, r.text
    return {**XML36, "x-vcloud-authorization": r.headers["x-vcloud-authorization"]}


def test_the_provider_sees_every_org_and_an_org_user_its_own(server, scenario):
    assert scenario(SCENARIO).status_code == 200
    with server.client() as c:
        provider = session(c, "administrator@System")
        orgs = assert_valid(c.get("/api/org/", headers=provider).content)
        names = {o.get("name"): o.get("href") for o in orgs.findall(f"{V15}Org")}
        assert set(names) == {"System", "acme", "demo-org"}
        org = assert_valid(c.get(names["acme"], headers=provider).content)
        assert (
            org.get("id").startswith("urn:vcloud:org:")
            and org.findtext(f"{V15}FullName") == "ACME Corporation"
        )
        session_links = assert_valid(c.get("/api/session", headers=provider).content).findall(f"{V15}Link")
        own = next(link.get("href") for link in session_links if link.get("type", "").endswith(".org+xml"))
        assert assert_valid(c.get(own, headers=provider).content).get("name") == "System"
        r = c.get("/api/org/00000000-0000-0000-0000-000000000000", headers=provider)
        assert r.status_code == 404 and assert_valid(r.content).get("minorErrorCode") == "RESOURCE_NOT_FOUND"
        # carol is an SSO user: the System org's, which is not acme's
        assert c.post("/api/sessions", auth=("carol@acme", DEMO_PASSWORD), headers=XML36).status_code == 401


def test_an_org_user_sees_only_its_org(server, scenario, slapd):
    assert scenario(SCENARIO).status_code == 200
    link_directory(server, slapd, "acme")
    with server.client() as c:
        r = c.post("/api/sessions", auth=("tony@acme", slapd.users["tony"]), headers=XML36)
        tony = {**XML36, "x-vcloud-authorization": r.headers["x-vcloud-authorization"]}
        orgs = assert_valid(c.get("/api/org/", headers=tony).content).findall(f"{V15}Org")
        assert [o.get("name") for o in orgs] == ["acme"]
        provider = session(c, "administrator@System")
        everything = assert_valid(c.get("/api/org/", headers=provider).content).findall(f"{V15}Org")
        system_href = next(o.get("href") for o in everything if o.get("name") == "System")
        r = c.get(system_href, headers=tony)
        assert r.status_code == 403 and assert_valid(r.content).get("majorErrorCode") == "403"


def test_pyvcloud_lists_the_orgs(server, scenario):
    assert scenario(SCENARIO).status_code == 200
    client = Client(server.https, verify_ssl_certs=server.cert)
    try:
        client.set_credentials(BasicLoginCredentials("administrator", "System", DEMO_PASSWORD))
        assert {o.get("name") for o in client.get_org_list()} == {"System", "acme", "demo-org"}
        assert client.get_org().get("name") == "System"
        assert client.get_org_by_name("acme").FullName == "ACME Corporation"
    finally:
        client.logout()


def test_a_scenario_org_with_its_own_users_vdc_and_network(server, scenario):
    """A scenario declares an org, its VDC and network, and its own users with vCD roles: they
    sign in to it, see only it, and may do what their role allows."""
    from vcd_client import sign_in

    made = scenario(
        "identity:\n"
        "  tenants:\n"
        "    - {name: beta, full_name: Beta Inc., vdcs: [{name: beta-vdc, network: beta-net}]}\n"
        "  users:\n"
        "    - {name: bob, domain: beta, roles: {cloud_director: vApp Author}}\n"
        "    - {name: eve, domain: beta, roles: {cloud_director: Console Access Only}}\n"
    )
    assert made.status_code == 200, made.text
    with server.client(base_url=server.vcd) as c:
        bob = sign_in(c, "bob@beta")
        session = assert_valid(c.get("/api/session", headers=bob).content)
        assert session.get("roles") == "vApp Author" and session.get("org") == "beta"
        vdcs = assert_valid(c.get("/api/query", params={"type": "orgVdc"}, headers=bob).content)
        assert [r.get("name") for r in vdcs.findall(f"{V15}OrgVdcRecord")] == ["beta-vdc"]
        nets = assert_valid(c.get("/api/query", params={"type": "orgVdcNetwork"}, headers=bob).content)
        (net,) = nets.findall(f"{V15}OrgVdcNetworkRecord")
        assert (net.get("name"), net.get("defaultGateway")) == ("beta-net", "10.1.0.1")
        assert (
            assert_valid(c.get("/api/query", params={"type": "vApp"}, headers=bob).content).get("total")
            == "0"
        )
        eve = sign_in(c, "eve@beta")
        body = '<ComposeVAppParams xmlns="http://www.vmware.com/vcloud/v1.5" name="mine"/>'
        compose = f"{vdcs.find(f'{V15}OrgVdcRecord').get('href')}/action/composeVApp"
        sent = {"Content-Type": "application/vnd.vmware.vcloud.composeVAppParams+xml"}
        refused = c.post(compose, content=body, headers={**eve, **sent})
        assert refused.status_code == 403 and "vApp: Create" in assert_valid(refused.content).get("message")
        assert c.post(compose, content=body, headers={**bob, **sent}).status_code == 201
        alice = sign_in(c, "alice@demo-org")
        assert (
            assert_valid(
                c.get("/api/query", params={"type": "vApp", "filter": "name==mine"}, headers=alice).content
            ).get("total")
            == "0"
        )
