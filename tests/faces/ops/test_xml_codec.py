"""The suite-api XML codec, without a server: documents encoded from the spec's JSON examples have
the structure of its XML examples, its XML request examples decode to its JSON examples, round
trips, hostile or wrong bodies, and Accept negotiation."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from localsphere.faces.http import InputError
from localsphere.faces.ops.xml import NAMESPACE, XmlError, decode, encode, wants_xml

SPEC = Path("/work/shared/reference/specs/vcf-operations-9.1.json")
OPS = f"{{{NAMESPACE}}}"
NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC.exists():
        pytest.skip(f"{SPEC} is not present")
    return json.loads(SPEC.read_text())


def response_examples(spec: dict[str, Any], path: str, method: str = "get") -> tuple[Any, str]:
    """(the JSON example parsed, the XML example) of the 200 response."""
    content = spec["paths"][path][method]["responses"]["200"]["content"]
    return json.loads(content["application/json"]["example"]), content["application/xml"]["example"]


def request_examples(spec: dict[str, Any], path: str, method: str = "post") -> tuple[Any, str]:
    content = spec["paths"][path][method]["requestBody"]["content"]
    return json.loads(content["application/json"]["example"]), content["application/xml"]["example"]


def shape(element: ET.Element) -> tuple[Any, ...]:
    """An element's structure, whitespace aside: tag, attributes, text, children."""
    return (
        element.tag,
        dict(element.attrib),
        (element.text or "").strip(),
        [shape(child) for child in element],
    )


def parse(document: bytes) -> ET.Element:
    assert document.startswith(DECLARATION)
    return ET.fromstring(document)


def exact(value: Any) -> str:
    """JSON text, so that 93 and 93.0 (or 1 and True) differ in comparisons."""
    return json.dumps(value, sort_keys=True)


# ---- documents, golden against the spec's XML examples

GOLDEN = [
    ("/api/resources/{id}/stats", "stats-of-resources"),
    ("/api/adapterkinds", "adapter-kinds"),
    ("/api/adapterkinds/{id}", "adapter-kind"),
    ("/api/adapterkinds/{key}/resourcekinds", "resource-kinds"),
    ("/api/adapterkinds/{adapterKindKey}/resourcekinds/{resourceKindKey}", "resource-kind"),
    ("/api/resources/{id}", "resource"),
    ("/api/resources/{id}/relationships", "resource-relation"),
    ("/api/resources/{id}/statkeys", "stat-keys"),
    (
        "/api/adapterkinds/{adapterKindKey}/resourcekinds/{resourceKindKey}/statkeys",
        "resource-kind-attributes",
    ),
    ("/api/resources/{id}/properties", "resource-property"),
]


@pytest.mark.parametrize(("path", "root"), GOLDEN, ids=[root for _, root in GOLDEN])
def test_encoded_documents_have_the_structure_of_the_spec_examples(spec, path, root):
    data, expected = response_examples(spec, path)
    assert shape(parse(encode(root, data))) == shape(ET.fromstring(expected.encode()))


def test_stats_write_series_as_one_element_of_tokens(spec):
    data, _ = response_examples(spec, "/api/resources/{id}/stats")
    stat = parse(encode("stats-of-resources", data)).find(f"{OPS}stats-of-resource/{OPS}stat-list/{OPS}stat")
    assert stat is not None
    assert stat.findtext(f"{OPS}timestamps") == "1753340126993 1753340136993"
    assert stat.findtext(f"{OPS}data") == "1.0 2.0"
    assert stat.findtext(f"{OPS}statKey/{OPS}key") == "stat|key1"
    assert stat.findtext(f"{OPS}intervalUnit/{OPS}quantifier") == "5"


def test_adapter_kinds_key_is_an_attribute_and_empty_lists_vanish(spec):
    data, _ = response_examples(spec, "/api/adapterkinds")
    kinds = parse(encode("adapter-kinds", data)).findall(f"{OPS}adapter-kind")
    assert [k.get("key") for k in kinds] == ["VMWARE", "vCenter Operations Adapter", "HttpPost"]
    assert kinds[0].find(f"{OPS}key") is None
    assert kinds[0].find(f"{OPS}identifiers") is None and kinds[0].find(f"{OPS}resourceKinds") is None
    assert kinds[0].findtext(f"{OPS}describeVersion") == "100"


def test_resource_relation_lists_resources_with_wrapped_empty_lists(spec):
    data, _ = response_examples(spec, "/api/resources/{id}/relationships")
    root = parse(encode("resource-relation", data))
    assert root.findtext(f"{OPS}relationshipType") == "ALL"
    resources = root.findall(f"{OPS}resource")
    assert [r.get("identifier") for r in resources] == [
        "cc78adce-b771-4da8-992c-c633a3e74cbe",
        "96625cb5-7963-4d15-a40f-aeb44b455747",
    ]
    assert resources[0].get("creationTime") == "10202319"
    for wrapper in (
        "resourceStatusStates",
        "badges",
        "relatedResources",
        "resourceKey/ops:resourceIdentifiers",
    ):
        found = resources[0].find(f"ops:{wrapper}", {"ops": NAMESPACE})
        assert found is not None and len(found) == 0, wrapper
    assert resources[0].findtext(f"{OPS}dtEnabled") == "true"


def test_version_nil_description_and_xml_date(spec):
    data, expected = response_examples(spec, "/api/versions/current")
    assert data["description"] is None
    root = parse(encode("version", data))
    want = ET.fromstring(expected.encode())
    assert root.find(f"{OPS}description").get(NIL) == "true"
    assert root.findtext(f"{OPS}major") == "9"
    got_date, want_date = root.find(f"{OPS}releasedDate"), want.find(f"{OPS}releasedDate")
    # the product writes the server's zone (-08:00), we write UTC: the same instant
    assert datetime.fromisoformat(got_date.text) == datetime.fromisoformat(want_date.text)
    got_date.text = want_date.text
    assert shape(root) == shape(want)
    assert decode(encode("version", data), "version") == data


def test_error_codes_are_attributes():
    body = {"message": "Resource x & <y> not found", "httpStatusCode": 404, "apiErrorCode": 1512}
    root = parse(encode("error", body))
    assert root.tag == f"{OPS}error"
    assert root.get("httpStatusCode") == "404" and root.get("apiErrorCode") == "1512"
    assert [child.tag for child in root] == [f"{OPS}message"]
    assert root.findtext(f"{OPS}message") == "Resource x & <y> not found"


def test_root_declares_the_product_namespaces():
    document = encode("auth-token", {"token": "t", "validity": 5, "expiresAt": "later", "roles": ["Admin"]})
    head = document.split(b"\n")[1]
    assert head.startswith(b'<ops:auth-token xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/"')
    assert b'xmlns:xs="http://www.w3.org/2001/XMLSchema"' in head
    assert b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' in head
    root = parse(document)
    assert [r.text for r in root.findall(f"{OPS}roles/{OPS}role")] == ["Admin"]
    assert root.findtext(f"{OPS}validity") == "5"


def test_resources_page_links_and_resource_parts():
    resource = {
        "creationTime": 1700000000123,
        "resourceKey": {
            "name": "vm-1",
            "adapterKindKey": "VMWARE",
            "resourceKindKey": "VirtualMachine",
            "resourceIdentifiers": [
                {
                    "identifierType": {
                        "name": "VMEntityObjectID",
                        "dataType": "STRING",
                        "isPartOfUniqueness": True,
                    },
                    "value": "vm-17",
                }
            ],
        },
        "resourceStatusStates": [
            {"resourceState": "STARTED", "resourceStatus": "DATA_RECEIVING", "statusMessage": ""}
        ],
        "resourceHealth": "GREEN",
        "resourceHealthValue": 100.0,
        "dtEnabled": True,
        "badges": [{"type": "HEALTH", "color": "GREEN", "score": 100.0}],
        "relatedResources": ["a-uuid", "b-uuid"],
        "identifier": "0b9e6c1c-0000-4000-8000-000000000001",
    }
    body = {
        "pageInfo": {"totalCount": 3, "page": 1, "pageSize": 1},
        "links": [{"href": "/suite-api/api/resources?pageSize=1&page=2", "rel": "NEXT", "name": "next"}],
        "resourceList": [resource],
    }
    root = parse(encode("resources", body))
    page = root.find(f"{OPS}pageInfo")
    assert page.get("totalCount") == "3" and page.findtext(f"{OPS}page") == "1"
    link = root.find(f"{OPS}links/{OPS}link")
    assert link.attrib == {
        "href": "/suite-api/api/resources?pageSize=1&page=2",
        "rel": "NEXT",
        "name": "next",
    }
    r = root.find(f"{OPS}resource")
    assert r.attrib == {"creationTime": "1700000000123", "identifier": resource["identifier"]}
    identifier = r.find(f"{OPS}resourceKey/{OPS}resourceIdentifiers/{OPS}resourceIdentifier")
    assert identifier.find(f"{OPS}identifierType").attrib == {
        "name": "VMEntityObjectID",
        "dataType": "STRING",
        "isPartOfUniqueness": "true",
    }
    assert identifier.findtext(f"{OPS}value") == "vm-17"
    state = r.find(f"{OPS}resourceStatusStates/{OPS}resource-status-state")
    assert state.findtext(f"{OPS}resourceStatus") == "DATA_RECEIVING"
    assert r.findtext(f"{OPS}resourceHealthValue") == "100.0"
    assert r.find(f"{OPS}badges/{OPS}badge").attrib == {"type": "HEALTH", "color": "GREEN", "score": "100.0"}
    assert [e.text for e in r.findall(f"{OPS}relatedResources/{OPS}relatedResources")] == ["a-uuid", "b-uuid"]
    # and back, every type intact
    assert exact(decode(encode("resources", body), "resources")) == exact(body)
    assert exact(decode(encode("resource", resource), "resource")) == exact(resource)


def test_unlisted_keys_still_encode_and_decode():
    body = {"message": "m", "extra": {"flag": False, "items": ["a", "b"]}, "note": None}
    root = parse(encode("error", body))
    assert [e.text for e in root.findall(f"{OPS}extra/{OPS}items")] == ["a", "b"]
    assert root.findtext(f"{OPS}extra/{OPS}flag") == "false"
    assert root.find(f"{OPS}note").get(NIL) == "true"
    # without a table entry, XML text stays text
    assert decode(encode("error", body), "error") == {
        "message": "m",
        "extra": {"flag": "false", "items": ["a", "b"]},
        "note": None,
    }


# ---- request bodies, against the spec's examples

BODIES = [
    ("/api/auth/token/acquire", "username-password"),
    ("/api/resources/stats/query", "stat-query"),
    ("/api/resources/stats/latest/query", "latest-stat-query"),
    ("/api/resources/{id}/stats", "stat-contents"),
    ("/api/resources/stats", "resources-stat-contents"),
]


@pytest.mark.parametrize(("path", "root"), BODIES, ids=[root for _, root in BODIES])
def test_request_examples_decode_to_the_json_examples(spec, path, root):
    data, body = request_examples(spec, path)
    assert exact(decode(body.encode(), root)) == exact(data)


@pytest.mark.parametrize(("path", "root"), BODIES, ids=[root for _, root in BODIES])
def test_request_bodies_round_trip(spec, path, root):
    data, _ = request_examples(spec, path)
    assert exact(decode(encode(root, data), root)) == exact(data)


def test_stat_query_types(spec):
    _, body = request_examples(spec, "/api/resources/stats/query")
    query = decode(body.encode(), "stat-query")
    assert query["resourceId"] == [
        "95b0c395-6404-4473-828f-c3e7f64d446b",
        "266c6175-5f91-407b-8119-fa1eaf3ad5aa",
    ]
    assert query["statKey"] == ["stat|key1", "stat|key2"]
    assert query["begin"] == 1753340007585 and query["intervalQuantifier"] == -1
    assert query["dt"] is False and query["rollUpType"] == "SUM"


def test_stat_contents_repeat_one_element_per_value():
    body = {"stat-content": [{"statKey": "cpu|usage", "timestamps": [1, 2], "data": [0.5, 7.0]}]}
    content = parse(encode("stat-contents", body)).find(f"{OPS}stat-content")
    assert content.get("statKey") == "cpu|usage"
    assert [e.text for e in content.findall(f"{OPS}timestamps")] == ["1", "2"]
    assert [e.text for e in content.findall(f"{OPS}data")] == ["0.5", "7.0"]


def test_unnamespaced_bodies_are_read():
    body = b"<username-password><username>u</username><password>p</password></username-password>"
    assert decode(body, "username-password") == {"username": "u", "password": "p"}


def test_nil_elements_decode_to_none():
    body = (
        f'<ops:username-password xmlns:ops="{NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<ops:username>u</ops:username><ops:authSource xsi:nil="true"/></ops:username-password>'
    ).encode()
    assert decode(body, "username-password") == {"username": "u", "authSource": None}


# ---- refused bodies

HOSTILE = {
    "internal entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    "entity in a body": (
        b'<!DOCTYPE ops:username-password [<!ENTITY a "admin">]>'
        b'<ops:username-password xmlns:ops="http://webservice.vmware.com/vRealizeOpsMgr/1.0/">'
        b"<ops:username>&a;</ops:username></ops:username-password>"
    ),
    "external entity": (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><username-password>&e;</username-password>'
    ),
    "bare DTD": b"<!DOCTYPE username-password><username-password/>",
    "laughs": (
        b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<username-password>&b;</username-password>"
    ),
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_dtds_and_entities_are_refused(body):
    with pytest.raises(InputError, match="DTD or entities"):
        decode(body, "username-password")


@pytest.mark.parametrize("body", [b"", b"<ops:x", b"not xml", b"<a></b>", b'<a xmlns:p="u"><q:b/></a>'])
def test_malformed_xml_is_refused(body):
    with pytest.raises(InputError, match=r"Malformed XML|body is required"):
        decode(body, "username-password")


@pytest.mark.parametrize(
    "body",
    [
        f'<ops:stat-query xmlns:ops="{NAMESPACE}"/>'.encode(),
        b'<other:username-password xmlns:other="urn:other"/>',
    ],
)
def test_wrong_root_is_refused(body):
    with pytest.raises(XmlError, match=r"root element <ops:username-password>"):
        decode(body, "username-password")


def test_wrongly_typed_values_are_refused():
    body = f'<ops:stat-query xmlns:ops="{NAMESPACE}"><ops:begin>soon</ops:begin></ops:stat-query>'.encode()
    with pytest.raises(XmlError, match=r"<ops:begin>: expected an integer, got 'soon'"):
        decode(body, "stat-query")
    body = f'<ops:stat-query xmlns:ops="{NAMESPACE}"><ops:dt>maybe</ops:dt></ops:stat-query>'.encode()
    with pytest.raises(XmlError, match="true or false"):
        decode(body, "stat-query")
    body = f'<ops:stat-contents xmlns:ops="{NAMESPACE}"><ops:stat-content statKey="k"><ops:timestamps>x'
    with pytest.raises(XmlError, match=r"<ops:timestamps>: expected an integer, got 'x'"):
        decode(f"{body}</ops:timestamps></ops:stat-content></ops:stat-contents>".encode(), "stat-contents")
    body = f'<ops:resources xmlns:ops="{NAMESPACE}"><ops:pageInfo totalCount="many"/></ops:resources>'
    with pytest.raises(XmlError, match=r"attribute totalCount of <ops:pageInfo>: expected an integer"):
        decode(body.encode(), "resources")


def test_xml_error_is_a_value_error():
    assert issubclass(XmlError, ValueError)


# ---- Accept negotiation


@pytest.mark.parametrize(
    ("accept", "xml"),
    [
        (None, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/*", False),
        ("application/xml", True),
        ("text/xml", True),
        ("Application/XML; charset=UTF-8", True),
        ("application/xml, application/json", False),
        ("application/json, application/xml", False),
        ("application/xml, */*", True),
        ("application/json;q=0.5, application/xml", True),
        ("application/xml;q=0.5, application/json", False),
        ("application/xml;q=0.9, */*;q=0.8", True),
        ("application/xml;q=0", False),
        ("text/*", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("application/xml;q=bogus, application/json;q=0.1", False),
    ],
)
def test_wants_xml(accept, xml):
    assert wants_xml(accept) is xml
