"""Key pairs on the wire: made (a key generated, or a PEM given), read with the secret never shown,
renamed, refused when malformed, in use, another tenant's or asked by a consumer."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from vra_helpers import IAAS, admin, assert_vra_error, other_tenant_admin, user


def test_key_pairs_round_trip_and_never_show_the_secret(server):
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    with server.client(headers=admin(server)) as c:
        made = c.post(f"{IAAS}/keyPairs", json={"name": "TestKeyPair", "computeResourceId": "us-west-2"})
        assert made.status_code == 201 and made.content == b""
        got = c.get(made.headers["Location"]).json()
        assert (
            got["name"] == "TestKeyPair"
            and got["computeResourceId"] == "us-west-2"
            and got["secretKey"] == ""
        )
        assert isinstance(got["id"], int)
        given = c.post(
            f"{IAAS}/keyPairs", json={"name": "Given", "computeResourceId": "us-east-1", "secretKey": pem}
        )
        assert given.status_code == 201
        listed = c.get(f"{IAAS}/keyPairs").text
        assert "PRIVATE KEY" not in listed and "Given" in listed
        renamed = {"name": "Renamed", "computeResourceId": "us-west-2"}
        assert c.put(made.headers["Location"], json=renamed).status_code == 204
        assert c.get(made.headers["Location"]).json()["name"] == "Renamed"
        assert c.delete(made.headers["Location"]).status_code == 204
        assert_vra_error(c.get(made.headers["Location"]), 404, 10002)


def test_key_pair_refusals(server):
    with server.client(headers=admin(server)) as c:
        for body in (
            {"computeResourceId": "us-east-1"},
            {"name": "x", "computeResourceId": "mars-1"},
            {"name": "x", "computeResourceId": "us-east-1", "secretKey": "not a key SECRETVALUE"},
        ):
            errors = assert_vra_error(c.post(f"{IAAS}/keyPairs", json=body), 400, 20117)
            assert "SECRETVALUE" not in str(errors)
        demo = next(k for k in c.get(f"{IAAS}/keyPairs").json()["content"] if k["name"] == "demo-key")
        (used,) = assert_vra_error(c.delete(f"{IAAS}/keyPairs/{demo['id']}"), 400, 10004)
        assert "Demo Amazon Reservation" in used["message"]
        assert_vra_error(c.get(f"{IAAS}/keyPairs/999999"), 404, 10002)
    with server.client(headers=user(server, "USER_2")) as c:
        assert_vra_error(c.get(f"{IAAS}/keyPairs"), 403, 10003)
    with server.client(headers=other_tenant_admin(server)) as c:
        assert_vra_error(c.get(f"{IAAS}/keyPairs/{demo['id']}"), 404, 10002)
