"""Network profiles on the wire: the Guide's shape with definedRanges, made, read, updated and
deleted; bad addresses and ranges, overlaps, deleting one in use, another tenant's, a consumer."""

from vra_helpers import IAAS, admin, assert_vra_error, other_tenant_admin, user

PROFILE = {
    "profileType": "EXTERNAL",
    "id": None,
    "name": "Lab External",
    "description": "lab",
    "subnetMask": "255.255.255.0",
    "gatewayAddress": "10.20.0.1",
    "primaryDnsAddress": "10.20.0.2",
    "definedRanges": [
        {"name": "A", "description": None, "beginIPv4Address": "10.20.0.10", "endIPv4Address": "10.20.0.20"},
    ],
}


def test_network_profiles_round_trip(server):
    with server.client(headers=admin(server)) as c:
        made = c.post(f"{IAAS}/network/profiles", json=PROFILE)
        assert made.status_code == 201, made.text
        got = c.get(made.headers["Location"]).json()
        assert got["@type"] == "ExternalNetworkProfile" and got["gatewayAddress"] == "10.20.0.1"
        assert got["definedRanges"][0]["beginIPv4Address"] == "10.20.0.10"
        more = {
            **PROFILE,
            "definedRanges": [
                *PROFILE["definedRanges"],
                {"name": "B", "beginIPv4Address": "10.20.0.30", "endIPv4Address": "10.20.0.40"},
            ],
        }
        assert c.put(made.headers["Location"], json=more).status_code == 204
        assert len(c.get(made.headers["Location"]).json()["definedRanges"]) == 2
        assert c.delete(made.headers["Location"]).status_code == 204
        assert_vra_error(c.get(made.headers["Location"]), 404, 10002)


def test_network_profile_refusals(server):
    def ranges(*pairs):
        return {
            **PROFILE,
            "definedRanges": [
                {"name": f"r{i}", "beginIPv4Address": a, "endIPv4Address": b}
                for i, (a, b) in enumerate(pairs)
            ],
        }

    with server.client(headers=admin(server)) as c:
        for body in (
            {**PROFILE, "profileType": "ROUTED"},
            {**PROFILE, "subnetMask": "255.0.255.0"},
            {**PROFILE, "gatewayAddress": "10.20.0.999"},
            ranges(("10.20.0.50", "10.20.0.40")),
            ranges(("10.20.0.10", "10.20.1.10")),
            ranges(("10.20.0.10", "10.20.0.20"), ("10.20.0.15", "10.20.0.25")),
            {**PROFILE, "name": None},
        ):
            assert_vra_error(c.post(f"{IAAS}/network/profiles", json=body), 400, 20117)
        demo = next(
            p
            for p in c.get(f"{IAAS}/network/profiles").json()["content"]
            if p["name"] == "Demo Network Profile"
        )
        assert demo["definedRanges"][0]["endIPv4Address"] == "192.168.100.19"
        (used,) = assert_vra_error(c.delete(f"{IAAS}/network/profiles/{demo['id']}"), 400, 10004)
        assert "Demo vSphere Reservation" in used["message"]
    with server.client(headers=user(server, "USER_3")) as c:
        assert_vra_error(c.post(f"{IAAS}/network/profiles", json=PROFILE), 403, 10003)
    with server.client(headers=other_tenant_admin(server)) as c:
        assert_vra_error(c.get(f"{IAAS}/network/profiles/{demo['id']}"), 404, 10002)
        assert c.get(f"{IAAS}/network/profiles").json()["content"] == []


def test_a_nat_profile_needs_its_external_profile(server):
    with server.client(headers=admin(server)) as c:
        nat = {**PROFILE, "profileType": "NAT", "name": "Lab NAT", "natType": "ONETOONE"}
        assert_vra_error(c.post(f"{IAAS}/network/profiles", json=nat), 400, 20117)
        assert_vra_error(
            c.post(f"{IAAS}/network/profiles", json={**nat, "externalNetworkProfileId": "no-such"}),
            400,
            20117,
        )
        external = c.post(f"{IAAS}/network/profiles", json=PROFILE).headers["Location"].rsplit("/", 1)[1]
        made = c.post(f"{IAAS}/network/profiles", json={**nat, "externalNetworkProfileId": external})
        assert made.status_code == 201, made.text
        got = c.get(made.headers["Location"]).json()
        assert (got["@type"], got["externalNetworkProfileId"]) == ("NATNetworkProfile", external)
