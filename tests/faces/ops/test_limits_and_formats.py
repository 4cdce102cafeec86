"""The suite-api's status codes and limits as the product's table gives them (405, 415, 404, 403,
429) and its two formats, JSON and XML by the Accept header, over real sockets."""

import signal
import socket
import time
import xml.etree.ElementTree as ET

import httpx
import pytest

from conftest import Server
from helpers import assert_ops_error, ops_acquire

API = "/suite-api/api"
OPS = "{http://webservice.vmware.com/vRealizeOpsMgr/1.0/}"


def hold(server, source="127.0.0.1"):
    """A request in flight: headers sent, the body still to come, from address ``source``."""
    sock = socket.create_connection(("127.0.0.1", server.http_port), source_address=(source, 0))
    sock.sendall(
        f"POST {API}/auth/token/acquire HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n".encode()
    )
    return sock


def finish(sock):
    """Send the body; the request ends (400: no credentials) and leaves the count."""
    sock.sendall(b"{}")
    assert b" 400 " in sock.recv(4096).split(b"\r\n")[0]
    sock.close()


def wait_until_busy(server):
    """Held requests reach the app a little after their headers are sent: poll until refused."""
    with server.client() as c:
        for _ in range(200):
            r = c.get(f"{server.http}{API}/versions/current")
            if r.status_code == 429:
                return r
    raise AssertionError("the limit never applied")


def test_the_51st_request_from_one_address_is_refused(server):
    held = [hold(server) for _ in range(50)]
    try:
        r = wait_until_busy(server)
        body = assert_ops_error(r, 429)
        assert r.headers["retry-after"] == "1" and "too many" in body["message"].lower()
        with server.client() as c:  # other faces are not limited
            assert c.get("/_localsphere/health").status_code == 200
    finally:
        for sock in held:
            finish(sock)
    assert ops_acquire(server).status_code == 200


@pytest.fixture
def limited(tmp_path):
    server = Server(
        tmp_path,
        None,
        workers=2,
        extra=["--ops-max-requests", "3", "--ops-max-requests-per-address", "2"],
    ).start()
    yield server
    server.stop()


def test_the_server_wide_limit_holds_across_workers(limited):
    held = [hold(limited, "127.0.0.1"), hold(limited, "127.0.0.1"), hold(limited, "127.0.0.2")]
    try:
        # a fresh address, refused only because the server as a whole is full
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.3")) as c:
            for _ in range(200):
                r = c.get(f"{limited.http}{API}/versions/current")
                if r.status_code == 429:
                    break
        assert_ops_error(r, 429)
    finally:
        for s in held:
            finish(s)
    assert ops_acquire(limited).status_code == 200


def test_status_codes(server, ops):
    assert_ops_error(ops.delete(f"{API}/resources"), 405)
    assert_ops_error(ops.post(f"{API}/versions/current"), 405)
    r = ops.post(
        f"{API}/resources/stats/query", content=b"resourceId=x", headers={"Content-Type": "text/plain"}
    )
    assert_ops_error(r, 415)
    assert_ops_error(ops.get(f"{API}/resources/00000000-0000-0000-0000-000000000000"), 404)
    assert_ops_error(ops.get(f"{API}/nothing/here"), 404)
    viewer = ops_acquire(server, "viewer@vsphere.local").json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {viewer}"}) as c:
        vm = c.get(f"{API}/resources", params={"resourceKind": "VirtualMachine"}).json()["resourceList"][0]
        push = {"stat-content": [{"statKey": "a|b", "timestamps": [1], "data": [1.0]}]}
        assert_ops_error(c.post(f"{API}/resources/{vm['identifier']}/stats", json=push), 403)


def xml_root(r, name):
    assert r.headers["content-type"].startswith("application/xml"), r.text
    root = ET.fromstring(r.content)
    assert root.tag == f"{OPS}{name}"
    return root


def test_xml_answers_and_bodies(server):
    with server.client(headers={"Accept": "application/xml", "Content-Type": "application/xml"}) as c:
        body = (
            '<ops:username-password xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/">'
            "<ops:username>administrator@vsphere.local</ops:username>"
            "<ops:password>VMware1!</ops:password></ops:username-password>"
        )
        token = xml_root(c.post(f"{API}/auth/token/acquire", content=body), "auth-token")
        c.headers["Authorization"] = f"OpsToken {token.find(f'{OPS}token').text}"
        assert [r.text for r in token.iter(f"{OPS}role")] == ["Administrator"]
        kinds = xml_root(c.get(f"{API}/adapterkinds"), "adapter-kinds")
        assert {k.get("key") for k in kinds.findall(f"{OPS}adapter-kind")} >= {"VMWARE"}
        page = xml_root(c.get(f"{API}/resources", params={"resourceKind": "HostSystem"}), "resources")
        assert page.find(f"{OPS}pageInfo").get("totalCount") == "3"
        host = page.find(f"{OPS}resource")
        assert host.get("identifier") and host.get("creationTime").isdigit()
        query = (
            '<ops:stat-query xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/">'
            f"<ops:resourceId>{host.get('identifier')}</ops:resourceId>"
            "<ops:statKey>cpu|usage_average mem|usage_average</ops:statKey>"
            "<ops:rollUpType>AVG</ops:rollUpType><ops:intervalType>HOURS</ops:intervalType>"
            "</ops:stat-query>"
        )
        stats = xml_root(c.post(f"{API}/resources/stats/query", content=query), "stats-of-resources")
        found = stats.findall(f"{OPS}stats-of-resource/{OPS}stat-list/{OPS}stat")
        assert [s.find(f"{OPS}statKey/{OPS}key").text for s in found] == [
            "cpu|usage_average",
            "mem|usage_average",
        ]
        times = found[0].find(f"{OPS}timestamps").text.split()
        assert len(times) == len(found[0].find(f"{OPS}data").text.split()) >= 24
        error = xml_root(c.get(f"{API}/resources/00000000-0000-0000-0000-000000000000"), "error")
        assert error.get("httpStatusCode") == "404"
        entity = '<!DOCTYPE x [<!ENTITY a "b">]><ops:stat-query xmlns:ops="x">&a;</ops:stat-query>'
        assert c.post(f"{API}/resources/stats/query", content=entity).status_code == 400
    assert ops_acquire(server).headers["content-type"] == "application/json"  # no Accept header: JSON


def test_503_while_starting(tmp_path):
    server = Server(tmp_path, None, extra=["--inventory", "hosts=20,vms=2000"]).start(wait=False)
    try:
        seen = None
        deadline = time.monotonic() + 60
        with httpx.Client(timeout=5) as c:
            while seen is None and time.monotonic() < deadline and server.proc.poll() is None:
                try:
                    r = c.get(f"{server.http}{API}/versions/current")
                except httpx.TransportError:
                    time.sleep(0.01)  # not listening yet
                    continue
                assert r.status_code == 503, "the world was ready before a request got through"
                seen = r
        assert seen is not None, "never saw the starting server"
        assert_ops_error(seen, 503)
        assert seen.headers["retry-after"] == "5"
        server.wait_ready()
        assert ops_acquire(server).status_code == 200
    finally:
        server.stop()


def test_503_while_draining(tmp_path):
    server = Server(tmp_path, None, extra=["--drain-seconds", "5"]).start()
    token = ops_acquire(server).json()["token"]
    with server.client(headers={"Authorization": f"OpsToken {token}"}) as c:
        assert c.get(f"{API}/versions/current").status_code == 200
        server.proc.send_signal(signal.SIGTERM)
        # The signal and a request sent right after it may reach the worker in either order.
        deadline = time.monotonic() + 3
        r = c.get(f"{API}/versions/current")
        while r.status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.05)
            r = c.get(f"{API}/versions/current")
        assert_ops_error(r, 503)
        assert r.headers["connection"] == "close"
    server.stop()
    assert server.proc.returncode == 0


def test_a_scenario_sets_the_limits(server):
    assert server.load("settings:\n  ops_max_requests_per_address: 2\n").status_code == 200
    held = [hold(server) for _ in range(2)]
    try:
        assert_ops_error(wait_until_busy(server), 429)
    finally:
        for sock in held:
            finish(sock)
        assert server.load("").status_code == 200
    held = [hold(server) for _ in range(2)]  # back to 50 per address
    try:
        with server.client() as c:
            assert c.get(f"{server.http}{API}/versions/current").status_code == 401
    finally:
        for sock in held:
            finish(sock)
