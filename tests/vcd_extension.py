"""Helpers of the vCD extension API's tests (events, extension services, blocking tasks and
notifications): the demo org's ids, a vApp instantiated from its catalog and the AmqpSettings
that name the test broker (``broker`` in ``faces/vcd/conftest.py``)."""

from __future__ import annotations

from vcd_client import V15, instantiate_body, link
from vcd_schema import assert_valid

INSTANTIATE_TYPE = "application/vnd.vmware.vcloud.instantiateVAppTemplateParams+xml"
AMQP_TYPE = "application/vnd.vmware.admin.amqpSettings+xml"
SETTINGS = "/api/admin/extension/settings"
VMEXT = "{http://www.vmware.com/vcloud/extension/v1.5}"


def demo_org(c, headers) -> tuple[str, str]:
    """(the demo org's uuid, the signed-in user's id), from the Session."""
    session = assert_valid(c.get("/api/session", headers=headers).content)
    org_href = link(session, "down", ".org+xml")
    return org_href.rstrip("/").rsplit("/", 1)[-1], session.get("userId").rsplit(":", 1)[-1]


def instantiate(c, headers, name: str, template: str = "photon-5"):
    """POST an instantiation of a demo catalog template into the demo VDC; the response."""
    session = assert_valid(c.get("/api/session", headers=headers).content)
    org = assert_valid(c.get(link(session, "down", ".org+xml"), headers=headers).content)
    vdc = assert_valid(c.get(link(org, "down", ".vdc+xml", "demo-vdc"), headers=headers).content)
    catalog = assert_valid(c.get(link(org, "down", ".catalog+xml", "demo-catalog"), headers=headers).content)
    item_href = next(i.get("href") for i in catalog.find(f"{V15}CatalogItems") if i.get("name") == template)
    template_href = assert_valid(c.get(item_href, headers=headers).content).find(f"{V15}Entity").get("href")
    return c.post(
        link(vdc, "add", INSTANTIATE_TYPE),
        content=instantiate_body(name, template_href),
        headers={**headers, "Content-Type": INSTANTIATE_TYPE},
    )


def records(c, headers, kind: str, **params) -> list:
    """The records of one page of a query, validated."""
    r = c.get("/api/query", params={"type": kind, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return [x for x in assert_valid(r.content) if x.tag.endswith("Record")]


def amqp_settings(exchange: str, password: str = "guest") -> str:
    return (
        '<vmext:AmqpSettings xmlns:vmext="http://www.vmware.com/vcloud/extension/v1.5" '
        'xmlns:vcloud="http://www.vmware.com/vcloud/v1.5">'
        "<vmext:AmqpHost>127.0.0.1</vmext:AmqpHost><vmext:AmqpPort>5672</vmext:AmqpPort>"
        f"<vmext:AmqpUsername>guest</vmext:AmqpUsername><vmext:AmqpPassword>{password}</vmext:AmqpPassword>"
        f"<vmext:AmqpExchange>{exchange}</vmext:AmqpExchange><vmext:AmqpVHost>/</vmext:AmqpVHost>"
        "<vmext:AmqpUseSSL>false</vmext:AmqpUseSSL><vmext:AmqpPrefix>vcd</vmext:AmqpPrefix>"
        "</vmext:AmqpSettings>"
    )
