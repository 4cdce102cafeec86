"""Small helpers for the vCD face's tests: sign in, follow links, instantiate a template."""

from __future__ import annotations

from conftest import DEMO_PASSWORD

V15 = "{http://www.vmware.com/vcloud/v1.5}"
NS = {"v": V15[1:-1]}
XML36 = {"Accept": "application/*+xml;version=36.0"}
ORG_USER = "alice@demo-org"
PROVIDER = "administrator@System"


def sign_in(c, user: str = ORG_USER, version: str = "36.0") -> dict[str, str]:
    """The headers of a session of ``user`` (legacy sign-in) at API ``version``."""
    accept = {"Accept": f"application/*+xml;version={version}"}
    r = c.post("/api/sessions", auth=(user, DEMO_PASSWORD), headers=accept)
    assert r.status_code == 200, r.text
    return {**accept, "x-vcloud-authorization": r.headers["x-vcloud-authorization"]}


def link(element, rel: str, type_suffix: str, name: str | None = None) -> str:
    """The href of ``element``'s one Link with ``rel`` whose type ends with ``type_suffix``."""
    found = [
        x.get("href")
        for x in element.findall(f"{V15}Link")
        if x.get("rel") == rel
        and (x.get("type") or "").endswith(type_suffix)
        and (name is None or x.get("name") == name)
    ]
    assert len(found) == 1, (rel, type_suffix, found)
    return found[0]


def instantiate_body(name: str, template_href: str, power_on: bool = False) -> str:
    """An ``InstantiateVAppTemplateParams`` as a client writes it."""
    on = "true" if power_on else "false"
    return (
        '<InstantiateVAppTemplateParams xmlns="http://www.vmware.com/vcloud/v1.5" '
        f'name="{name}" deploy="{on}" powerOn="{on}"><InstantiationParams/>'
        f'<Source href="{template_href}"/><AllEULAsAccepted>true</AllEULAsAccepted>'
        "</InstantiateVAppTemplateParams>"
    )
