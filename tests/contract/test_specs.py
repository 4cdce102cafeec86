"""Contract tests: the products' own OpenAPI specs drive property-based requests at the live server.

Schemathesis reads the SDDC Manager and VCF Operations specs, keeps the operations the server says it
serves (``GET /_localsphere/routes``), and sends each a bounded, repeatable set of generated requests,
signed in as the administrator. Every answer must be no 5xx, leak no Python internals, and match the
spec's status codes, media types and response schemas, give or take the specs' quirks listed below.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, CheckContext, Response
from schemathesis.schemas import BaseSchema

from conftest import DEMO_PASSWORD, Server
from helpers import ADMIN, INTERNALS

SPECS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "specs"
# The sign-in examples use the viewer: their mutations (a wrong password, say) count towards a
# lockout, which must not fall on the administrator whose credential the other examples carry.
VIEWER_SIGN_IN = {"username": "viewer@vsphere.local", "password": DEMO_PASSWORD}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# On SQLite only: the contract is the wire, which does not change with the database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

# Few examples per operation, the same ones on every run, so the suite stays fast and CI repeatable.
# (Schemathesis adds its deterministic coverage cases: boundary and wrong-type values per parameter.)
# The health checks judge how fast data is generated from the big specs, not the server.
SEED = 20260301
CONTRACT_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32 renames the running item through ``_nodeid``, which pytest 9.2 no longer has;
    give it one (the subtests' labels still name each operation). Drop once schemathesis catches up."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


# Built-in checks this suite does not claim: they need a model of which generated input the product
# would accept, or of state across calls, or extra requests per example.
OFF_CHECKS = (
    "positive_data_acceptance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
    "missing_required_header",
    "ignored_auth",
    "object_level_authorization",
    "unsupported_method",
    "allow_header_conformance",
)


@dataclass(frozen=True)
class Product:
    """One product's spec and how it lines up with the server."""

    face: str  # the face in GET /_localsphere/routes
    spec: Path
    prefix: str  # where the spec's paths live on the server
    error: str  # the spec's schema for an error body
    # The spec's own quirks: (method, path) -> {status the product answers: documented status whose
    # definition describes that answer}.
    aliases: dict[tuple[str, str], dict[str, str]]
    # Operations whose credential is in the body, where a 401 or 403 is a normal answer.
    sign_in: frozenset[tuple[str, str]]
    # Request bodies whose fields the spec marks readOnly (which generators then leave out).
    writable: tuple[str, ...] = ()
    # (schema, field): fields the spec requires that the product's answers never carry.
    unrequired: tuple[tuple[str, str], ...] = ()


SDDC = Product(
    face="sddc-manager",
    spec=SPECS / "sddc-manager-9.1.json",
    prefix="",
    error="#/components/schemas/Error",
    aliases={
        # The spec says 201; the product (and its client, which accepts any 2xx) answer 200.
        ("post", "/v1/tokens"): {"200": "201"},
    },
    sign_in=frozenset(
        {
            ("post", "/v1/tokens"),
            ("patch", "/v1/tokens/access-token/refresh"),
            ("delete", "/v1/tokens/refresh-token"),
        }
    ),
    # PATCH /v1/users/local/admin sends these; the spec calls its newPassword and oldPassword readOnly.
    writable=("LocalAccountPasswordInfo",),
)
OPS = Product(
    face="operations",
    spec=SPECS / "vcf-operations-9.1.json",
    prefix="/suite-api",
    error="#/components/schemas/error",
    aliases={},
    sign_in=frozenset({("post", "/api/auth/token/acquire")}),
    # A user's password is required to make one, and never shown again.
    unrequired=(("user", "password"),),
)


def shape(line: str) -> str:
    """'GET /a/{x}/b' -> 'GET /a/{}/b': routes and spec paths match whatever the parameters are named."""
    return re.sub(r"\{[^}]*\}", "{}", line)


def contract(
    server: Server, product: Product, examples: dict[str, Any], bodies: dict[tuple[str, str], Any]
) -> dict[str, Any]:
    """A copy of the product's spec holding only the operations the live server lists, with:

    - live-world examples (``examples`` by parameter name, or "path name" for one operation's;
      ``bodies`` by (method, path)), so that every operation gets requests that succeed;
    - the product's quirks: its status aliases and writable request bodies;
    - "4XX" answered with the product's error body wherever the spec lists no such answer: the specs
      name few of the client errors the products give, but each one's body is still checked.
    """
    r = server.control("GET", "/routes")
    assert r.status_code == 200, r.text
    served = {shape(line) for line in r.json()["faces"][product.face]}
    spec = json.loads(product.spec.read_text())  # a fresh copy: schemathesis may change it
    client_error = {
        "description": "A client error, in the product's error body",
        "content": {"application/json": {"schema": {"$ref": product.error}}},
    }
    for path, item in list(spec["paths"].items()):
        for method in [m for m in item if m in METHODS]:
            if shape(f"{method.upper()} {product.prefix}{path}") not in served:
                del item[method]
                continue
            operation = item[method]
            for parameter in operation.get("parameters", []):
                name = parameter.get("name")
                value = examples.get(f"{path} {name}", examples.get(name))
                if value is not None:
                    is_array = parameter.get("schema", {}).get("type") == "array"
                    parameter["example"] = [value] if is_array else value
            if (method, path) in bodies:
                for media in operation["requestBody"]["content"].values():
                    media["example"] = bodies[(method, path)]
            responses = operation["responses"]
            for answered, documented in product.aliases.get((method, path), {}).items():
                responses[answered] = responses[documented]
            responses.setdefault("4XX", client_error)
        if not any(m in METHODS for m in item):
            del spec["paths"][path]
    for name in product.writable:
        for field in spec["components"]["schemas"][name]["properties"].values():
            field.pop("readOnly", None)
    for name, field in product.unrequired:
        spec["components"]["schemas"][name]["required"].remove(field)
    assert spec["paths"], f"the server serves none of {product.spec.name}"
    return spec


def config(
    server: Server, base_url: str, headers: dict[str, str], extra: dict[str, Any]
) -> schemathesis.Config:
    """One repeatable schemathesis configuration against this server, trusting its certificate."""
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": base_url,
            "continue-on-failure": True,  # all distinct failures of an operation, not the first
            "tls-verify": server.cert,
            # Our credential goes on every request; the spec's security scheme is not fuzzed.
            "headers": headers,
            "generation": {"mode": "all", "with-security-parameters": False},
            "phases": {"stateful": {"enabled": False}},
            "checks": {name: {"enabled": False} for name in OFF_CHECKS},
            # Show every parameter in a failure's reproduction (`statKey` and such look secret to it).
            "output": {
                "sanitization": {
                    "keys-to-sanitize": ["authorization"],
                    "sensitive-markers": ["authorization"],
                }
            },
            **extra,
        }
    )


def no_python_internals(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A client must never see a traceback, a repr or an exception's name: they are our internals
    (what merely repeats the request's own text, as an error quoting a bad value does, is not)."""
    text = response.content.decode("utf-8", "replace")
    request = response.request
    body = request.body or b""
    sent = html.unescape(
        unquote(request.url or "") + (body.decode("utf-8", "replace") if isinstance(body, bytes) else body)
    )
    for found in INTERNALS.finditer(text):
        quoted = found.group()
        if quoted in sent or quoted.replace("\\\\", "\\") in sent:  # as sent, or as JSON escapes it
            continue
        start = max(found.start() - 100, 0)
        raise AssertionError(
            f"Python internals ({found.group()!r}) in the body: {text[start : start + 300]!r}"
        )
    return None


def stays_signed_in(product: Product) -> Callable[[CheckContext, Response, Case], bool | None]:
    """Every example carries the administrator's credential: a 401 or 403 means it was lost or refused
    (the "4XX" quirk would otherwise pass it), bar the operations that take a credential in the body."""

    def stays_signed_in(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        key = (case.operation.method.lower(), case.operation.path)
        if response.status_code in (401, 403) and key not in product.sign_in:
            raise AssertionError(
                f"{response.status_code} with the administrator's credential: {response.content[:300]!r}"
            )
        return None

    return stays_signed_in


def words(values: list[str]) -> dict[str, list[str]]:
    return {"values": sorted(set(values))}


def bound(dictionary: str, probability: float = 0.5) -> dict[str, Any]:
    """Draw this parameter from the live world's values half the time, so some examples succeed."""
    return {"dictionary": dictionary, "probability": probability}


@pytest.fixture
def session(server: Server) -> Iterator[requests.Session]:
    """One keep-alive HTTPS session for all of a test's examples (a TLS handshake per request costs
    more than the request). Without default headers: schemathesis would let them override the case's."""
    with requests.Session() as s:
        s.verify = server.cert
        s.headers.clear()
        yield s


# SDDC Manager


@pytest.fixture
def sddc_schema(server: Server) -> BaseSchema:
    """The SDDC Manager spec, cut to what the server serves, signed in as the administrator."""
    if not SDDC.spec.is_file():
        pytest.skip("the SDDC Manager spec is not beside the project")
    auth = {"Authorization": f"Bearer {server.token()}"}
    with server.client(headers=auth) as c:
        users = c.get("/v1/users").json()["elements"]
        domains = c.get("/v1/sso-domains").json()["elements"]
        roles = {r["name"]: r["id"] for r in c.get("/v1/roles").json()["elements"]}
        # Refresh tokens of their own for the refresh and invalidate examples.
        spare = [c.post("/v1/tokens", json=VIEWER_SIGN_IN).json()["refreshToken"]["id"] for _ in range(2)]
    # Neither the administrator's grant nor the viewer's is removable: the later examples sign in
    # with them.
    removable = [u["id"] for u in users if u["name"] not in (ADMIN, VIEWER_SIGN_IN["username"])]
    examples = {"sso-domain": "vsphere.local", "entityName": "USER", "id": removable[0]}
    bodies = {
        ("post", "/v1/tokens"): VIEWER_SIGN_IN,
        ("patch", "/v1/tokens/access-token/refresh"): spare[0],
        ("delete", "/v1/tokens/refresh-token"): spare[1],
        ("post", "/v1/users"): [
            {"name": "USER_1", "domain": "vsphere.local", "type": "USER", "role": {"id": roles["VIEWER"]}}
        ],
        ("patch", "/v1/users/local/admin"): {"newPassword": "Contract!Test2026"},
    }
    extra = {
        "dictionaries": {
            "domains": words(domains),
            "names": words(["USER_1", "USER_2", "group_1", "group_2", "operator", "viewer"]),
            "roles": words(list(roles.values())),
            "types": words(["USER", "GROUP", "SERVICE"]),
            "grants": words(removable),
        },
        "parameters": {
            "path.sso-domain": bound("domains"),
            "path.id": bound("grants"),
            "body.[*].domain": bound("domains"),
            "body.[*].name": bound("names"),
            "body.[*].type": bound("types"),
            "body.[*].role.id": bound("roles"),
        },
    }
    spec = contract(server, SDDC, examples, bodies)
    return schemathesis.openapi.from_dict(spec, config=config(server, server.https, auth, extra))


sddc = schemathesis.pytest.from_fixture("sddc_schema")


@CONTRACT_SETTINGS
@sddc.parametrize()
def test_sddc_manager(case: Case, session: requests.Session) -> None:
    """Every served SDDC Manager operation answers generated requests as its spec says."""
    case.call_and_validate(session=session, additional_checks=[no_python_internals, stays_signed_in(SDDC)])


# VCF Operations


def ops_token(server: Server) -> str:
    with server.client() as c:
        r = c.post("/suite-api/api/auth/token/acquire", json={"username": ADMIN, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture
def ops_schema(server: Server) -> BaseSchema:
    """The VCF Operations spec, cut to what the server serves, with an OpsToken and real keys and ids."""
    if not OPS.spec.is_file():
        pytest.skip("the VCF Operations spec is not beside the project")
    auth = {"Authorization": f"OpsToken {ops_token(server)}", "Accept": "application/json"}
    with server.client(headers=auth) as c:

        def get(path: str, **params: Any) -> Any:
            r = c.get(f"{OPS.prefix}{path}", params=params)
            assert r.status_code == 200, r.text
            return r.json()

        adapters = [a["key"] for a in get("/api/adapterkinds")["adapter-kind"]]
        kinds = [
            k["key"] for a in adapters for k in get(f"/api/adapterkinds/{a}/resourcekinds")["resource-kind"]
        ]
        vms = get("/api/adapterkinds/VMWARE/resourcekinds/VirtualMachine/resources")["resourceList"]
        ids = [r["identifier"] for r in get("/api/resources", pageSize=1000)["resourceList"]]
        vm = vms[0]["identifier"]
        stat_keys = [s["key"] for s in get(f"/api/resources/{vm}/statkeys")["stat-key"]]
        # The auth section's examples: a user and a group with no role but what the examples give.
        user = next(u["id"] for u in get("/api/auth/users")["users"] if u["username"] == "USER_2")
        group = next(g["id"] for g in get("/api/auth/usergroups")["userGroups"] if g["name"] == "group_3")
        source = get("/api/auth/sources")["sources"][0]["id"]
        role = {"name": "ContractRole", "privilege-keys": ["ViewEnvironment"]}
        assert c.post(f"{OPS.prefix}/api/auth/roles", json=role).status_code == 201
    examples = {
        "userId": user,
        "groupId": group,
        "roleName": "ReadOnly",
        "/api/auth/currentuser/roles/{roleName}/privileges roleName": "Administrator",
        "/api/auth/roles/{roleName}/privileges roleName": "ContractRole",
        "/api/auth/sourcetypes/{sourceId} sourceId": "LOCAL",
        "/api/auth/sources/{id}/users/search id": source,
        "/api/auth/sources/{id}/usergroups/search id": source,
        "adapterKindKey": "VMWARE",
        "key": "VMWARE",
        "/api/adapterkinds/{id} id": "VMWARE",
        "resourceKindKey": "VirtualMachine",
        "id": vm,
        "resourceId": vm,
        "statKey": stat_keys[0],
        "relationshipType": "PARENT",
    }
    now_ms = int(time.time() * 1000)
    pushed = [{"statKey": stat_keys[0], "timestamps": [now_ms], "data": [42.0]}]
    query = {"resourceId": [vm], "statKey": stat_keys[:2]}
    privileges = {"privilege-key": ["ViewEnvironment", "ManageAlerts"]}
    bodies = {
        ("post", "/api/auth/token/acquire"): VIEWER_SIGN_IN,
        ("put", "/api/auth/users/{userId}/permissions"): {"roleName": "ReadOnly", "allowAllObjects": True},
        ("post", "/api/auth/sources/{id}/users/search"): {"name": "USER_*"},
        ("post", "/api/auth/sources/{id}/usergroups/search"): {"name": "group_*"},
        # Never the administrator's own password: the examples keep signing in with it.
        ("put", "/api/auth/users/passwordchange"): {
            "currentPassword": "Not!The2026Password",
            "newPassword": "Contract!Test2026",
        },
        ("post", "/api/auth/roles/{roleName}/privileges"): privileges,
        ("put", "/api/auth/roles/{roleName}/privileges"): privileges,
        ("delete", "/api/auth/roles/{roleName}/privileges"): privileges,
        ("put", "/api/auth/usergroups/{groupId}/permissions"): {
            "roleName": "ReadOnly",
            "allowAllObjects": True,
        },
        ("post", "/api/resources/stats/query"): query,
        ("post", "/api/resources/{id}/stats/query"): query,
        ("post", "/api/resources/stats/latest/query"): query,
        ("post", "/api/resources/{id}/stats"): {"stat-content": pushed},
        ("post", "/api/resources/stats"): {"resource-stat-content": [{"id": vm, "stat-contents": pushed}]},
    }
    extra = {
        "dictionaries": {
            "adapters": words(adapters),
            "kinds": words(kinds),
            "ids": words(ids),
            "relations": words(["PARENT", "CHILD", "ALL"]),
            "stat_keys": words(stat_keys),
        },
        "parameters": {
            "path.id": bound("ids"),
            "path.adapterKindKey": bound("adapters"),
            "path.key": bound("adapters"),
            "path.resourceKindKey": bound("kinds"),
            "path.relationshipType": bound("relations"),
            "query.relationshipType": bound("relations"),
            "query.resourceId": bound("ids"),
            "query.statKey": bound("stat_keys"),
            "body.resourceId[*]": bound("ids"),
            "body.statKey[*]": bound("stat_keys"),
        },
        "operations": [
            # GET /api/adapterkinds/{id} names an adapter kind, not a resource, by `id`.
            {"include-path": "/api/adapterkinds/{id}", "parameters": {"path.id": bound("adapters")}},
        ],
    }
    spec = contract(server, OPS, examples, bodies)
    base_url = f"{server.https}{OPS.prefix}"
    return schemathesis.openapi.from_dict(spec, config=config(server, base_url, auth, extra))


ops = schemathesis.pytest.from_fixture("ops_schema")


@CONTRACT_SETTINGS
@ops.parametrize()
def test_vcf_operations(case: Case, server: Server, session: requests.Session) -> None:
    """Every served VCF Operations suite-api operation answers generated requests as its spec says."""
    headers = None
    if case.operation.path == "/api/auth/token/release":
        # Release revokes the token it is sent with: give each example its own.
        headers = {"Authorization": f"OpsToken {ops_token(server)}"}
    case.call_and_validate(
        session=session, headers=headers, additional_checks=[no_python_internals, stays_signed_in(OPS)]
    )
