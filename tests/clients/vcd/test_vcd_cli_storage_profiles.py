"""``vcd-cli`` 24.1.0, unmodified: ``vcd vdc create --storage-profile NAME --storage-profile-limit
MB`` makes a VDC whose default storage policy is that one of its provider VDC's (a datastore's
here, not ``*``), read back on the wire."""

from __future__ import annotations

from clients.vcd.test_vcd_cli import rows, vcd  # noqa: F401 (the fixture)
from conftest import DEMO_PASSWORD
from vcd_client import PROVIDER, V15, sign_in
from vcd_schema import assert_valid


def test_a_vdc_made_on_a_datastores_storage_policy(server, vcd):  # noqa: F811
    vcd("login", server.vcd, "System", "administrator", "-p", DEMO_PASSWORD, "-w")
    vcd("org", "use", "demo-org")
    pvdc = rows(vcd("pvdc", "list"))[1][0]
    datastore = rows(vcd("datastore", "list"))[1][-1]
    made = vcd("vdc", "create", "cli-tier", "-p", pvdc, "-s", datastore, "--storage-profile-limit", "2048")
    assert "cli-tier" in made
    with server.client(base_url=server.vcd) as c:
        admin = sign_in(c, PROVIDER)
        orgs = assert_valid(c.get("/api/org/", headers=admin).content)
        org = assert_valid(
            c.get(next(o.get("href") for o in orgs if o.get("name") == "demo-org"), headers=admin).content
        )
        vdc_href = next(x.get("href") for x in org.findall(f"{V15}Link") if x.get("name") == "cli-tier")
        (profile,) = assert_valid(c.get(vdc_href, headers=admin).content).find(f"{V15}VdcStorageProfiles")
        assert profile.get("name") == datastore
        found = assert_valid(c.get(profile.get("href"), headers=admin).content)
        assert (found.findtext(f"{V15}Limit"), found.findtext(f"{V15}Default")) == ("2048", "true")
