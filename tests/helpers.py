"""Small helpers the wire tests share."""

import re
from urllib.parse import urlsplit

from conftest import DEMO_PASSWORD
from localsphere.world.compute_resources import host_thumbprint

ADMIN = "administrator@vsphere.local"
# What a Python exception, a repr or a library's words look like when they escape into an answer.
INTERNALS = re.compile(
    r"Traceback|NoneType|object is not|subscriptable|not iterable|KeyError|TypeError|ValueError|"
    r"AttributeError|IndexError|OverflowError|RecursionError|UnicodeDecodeError|orjson|defusedxml|"
    r"DefusedXml|ParseError|sqlalchemy|psycopg|sqlite3|<class '|<built-in| at 0x|Exception|"
    r"invalid literal for|\{'[^']*': ",
)


def sign_in(server, username=ADMIN, password=DEMO_PASSWORD, **extra):
    with server.client(headers=extra.pop("headers", {})) as c:
        return c.post("/v1/tokens", json={"username": username, "password": password, **extra})


def get_users(server, token):
    with server.client() as c:
        return c.get("/v1/users", headers={"Authorization": f"Bearer {token}"})


def assert_error(r, status, code):
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["errorCode"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["arguments"], list)
    assert len(body["referenceToken"]) == 6
    return body


def vcenter_session(server, username=ADMIN, password=DEMO_PASSWORD):
    """A vCenter API session id, from POST /api/session with Basic auth."""
    with server.client() as c:
        r = c.post("/api/session", auth=(username, password))
    assert r.status_code == 201, r.text
    return r.json()


def assert_vapi_error(r, status, error_type):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error_type"] == error_type
    assert body["messages"] and {"id", "default_message", "args"} <= set(body["messages"][0])
    return body


def ops_acquire(server, username=ADMIN, password=DEMO_PASSWORD, base="/suite-api"):
    """POST .../auth/token/acquire on the Operations face."""
    with server.client() as c:
        return c.post(f"{base}/api/auth/token/acquire", json={"username": username, "password": password})


def assert_ops_error(r, status, code=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["httpStatusCode"] == status and body["message"]
    if code is not None:
        assert body["apiErrorCode"] == code
    return body


def vra_admin(c):
    """The headers of a vRA token of the system administrator, signed in through client ``c``."""
    admin = c.post(
        "/identity/api/tokens",
        json={"username": "administrator", "password": DEMO_PASSWORD, "tenant": "vsphere.local"},
    ).json()["id"]
    return {"Authorization": f"Bearer {admin}"}


def link_directory(server, slapd, tenant, domain="lab.test"):
    """Through vRA, as the system administrator: make ``tenant`` (when it is not there yet) and
    link the test slapd to it as ``domain``; its users then sign in there (and to the vCD org)."""
    with server.client() as c:
        vra = vra_admin(c)
        if c.get(f"/identity/api/tenants/{tenant}", headers=vra).status_code == 404:
            made = c.put(f"/identity/api/tenants/{tenant}", json={"id": tenant, "name": tenant}, headers=vra)
            assert made.status_code == 201, made.text
        store = {
            "name": "lab",
            "type": "LDAP",
            "url": slapd.url,
            "userNameDn": slapd.admin_dn,
            "password": slapd.admin_password,
            "userBaseSearchDn": slapd.user_base,
            "groupBaseSearchDn": slapd.group_base,
        }
        linked = c.put(f"/identity/api/tenants/{tenant}/directories/{domain}", json=store, headers=vra)
        assert linked.status_code == 204, linked.text


# The demo world's VMs: the six of the default inventory counts and the demo vApp's two (web, db).
DEMO_VMS = 8


def vapi_rpc(vc, service, operation, input):
    """``POST /api`` invoking ``service.operation`` with the session of ``vc``; its ``result``."""
    message = {
        "jsonrpc": "2.0",
        "id": "1",
        "method": "invoke",
        "params": {
            "serviceId": service,
            "operationId": operation,
            "input": {"STRUCTURE": {"operation-input": input}},
            "ctx": {
                "securityCtx": {
                    "schemeId": "com.vmware.vapi.std.security.session_id",
                    "sessionId": vc.session_id,
                }
            },
        },
    }
    r = vc.post("/api", json=message)
    assert r.status_code == 200
    return r.json()["result"]


def ldap_source(slapd, name="Lab LDAP", **changes):
    """An OPEN_LDAP ``auth-source`` for the test slapd; ``changes`` replace properties (None drops one)."""
    url = urlsplit(slapd.url)
    values = {
        "display-name": "The lab's directory",
        "host": url.hostname,
        "port": str(url.port),
        "use-ssl": "false",
        "user-name": slapd.admin_dn,
        "password": slapd.admin_password,
        "base-domain": slapd.base,
        "common-name": "uid",
        "group-search-criteria": "",
        **changes,
    }
    return {
        "name": name,
        "sourceType": {"id": "OPEN_LDAP", "name": "OPEN_LDAP"},
        "property": [{"name": k, "value": v} for k, v in values.items() if v is not None],
    }


def standalone_host(vc, name: str) -> str:
    """A standalone host added over vCenter's REST API (``vc``: httpx signed in to it): its id."""
    folder = vc.get("/api/vcenter/folder", params={"type": "HOST"}).json()[0]["folder"]
    spec = {"hostname": name, "user_name": "root", "password": "secret", "folder": folder}
    spec |= {"thumbprint_verification": "THUMBPRINT", "thumbprint": host_thumbprint(name)}
    r = vc.post("/api/vcenter/host", json=spec)
    assert r.status_code == 201, r.text
    return r.json()
