"""Reservation policies on the wire: CRUD, names unique in a tenant, one in use not deleted,
another tenant's never seen, a consumer refused."""

from vra_helpers import RES, admin, assert_vra_error, other_tenant_admin, user

POLICY = {
    "name": "Gold",
    "description": "fast storage",
    "reservationPolicyTypeId": "Infrastructure.Reservation.Policy.ComputeResource",
}


def test_reservation_policies_round_trip_and_refusals(server):
    with server.client(headers=admin(server)) as c:
        made = c.post(f"{RES}/reservations/policies", json=POLICY)
        assert made.status_code == 201, made.text
        got = c.get(made.headers["Location"]).json()
        assert (got["name"], got["tenantId"]) == ("Gold", "vsphere.local")
        assert_vra_error(c.post(f"{RES}/reservations/policies", json=POLICY), 400, 10004)
        assert_vra_error(c.post(f"{RES}/reservations/policies", json={"description": "x"}), 400, 20117)
        assert c.put(made.headers["Location"], json={**POLICY, "name": "Platinum"}).status_code == 204
        names = [p["name"] for p in c.get(f"{RES}/reservations/policies").json()["content"]]
        assert "Platinum" in names and "Demo Policy" in names
        demo = next(
            p for p in c.get(f"{RES}/reservations/policies").json()["content"] if p["name"] == "Demo Policy"
        )
        (used,) = assert_vra_error(c.delete(f"{RES}/reservations/policies/{demo['id']}"), 400, 10004)
        assert "Demo vSphere Reservation" in used["message"]
        assert c.delete(made.headers["Location"]).status_code == 204
        assert_vra_error(c.get(made.headers["Location"]), 404, 10002)
    with server.client(headers=user(server, "viewer")) as c:
        assert_vra_error(c.get(f"{RES}/reservations/policies"), 403, 10003)
    with server.client(headers=other_tenant_admin(server)) as c:
        assert_vra_error(c.get(f"{RES}/reservations/policies/{demo['id']}"), 404, 10002)


def test_a_policy_body_naming_another_tenant_or_id_is_refused(server):
    with server.client(headers=admin(server)) as c:
        for tenant_id in ("other.local", 7):
            r = c.post(f"{RES}/reservations/policies", json={**POLICY, "tenantId": tenant_id})
            assert_vra_error(r, 400, 20117)
        made = c.post(f"{RES}/reservations/policies", json={**POLICY, "tenantId": "vsphere.local"})
        assert made.status_code == 201, made.text
        at = made.headers["Location"]
        policy_id = at.rsplit("/", 1)[1]
        assert_vra_error(c.put(at, json={**POLICY, "id": "another-id", "name": "Moved"}), 400, 20117)
        assert_vra_error(c.put(at, json={**POLICY, "tenantId": "other.local", "name": "Moved"}), 400, 20117)
        assert c.get(at).json()["name"] == "Gold"
        assert c.put(at, json={**POLICY, "id": policy_id, "name": "Moved"}).status_code == 204
        assert c.get(at).json()["name"] == "Moved"
