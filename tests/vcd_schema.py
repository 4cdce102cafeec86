"""The vCloud API's XSDs (``../shared/reference/specs/vcd/xsd``) loaded for validating answers,
offline: the DMTF and W3C schemas they import by http address are read from the local copies
their catalog (``schemas/external/catalog.xml``) names, and the network is never used."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from lxml import etree

XSD = Path(__file__).resolve().parents[2] / "shared" / "reference" / "specs" / "vcd" / "xsd"
CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
# What the answers are checked against: the v1.5 namespace (through master.xsd: the user's view and
# the administrator's), the extension one it refers to, and the versions one, in one schema.
ROOT = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.vmware.com/vcloud/extension/v1.5"
             schemaLocation="{(XSD / "1.5/schemas/extension/vmwextensions.xsd").as_uri()}"/>
  <xs:import namespace="http://www.vmware.com/vcloud/v1.5"
             schemaLocation="{(XSD / "1.5/schemas/master/master.xsd").as_uri()}"/>
  <xs:import namespace="http://www.vmware.com/vcloud/versions"
             schemaLocation="{(XSD / "schemas/versioning/versions.xsd").as_uri()}"/>
</xs:schema>"""


# The XSDs mark a member's first (and last) API version with ``meta:version``, sometimes by a feature
# alias; vCloud Director's ApiVersion.Alias maps these to versions.
META = "{http://www.vmware.com/vcloud/meta}version"
XS = "{http://www.w3.org/2001/XMLSchema}"
ALIASES = {
    "OBJECT_EXTENSIBILITY": "16.0",
    "VM_AFFINITY_RULES": "20.0",
    "VAPP_AUTO_NATURE": "22.0",
    "VDC_ADOPT_RP": "22.0",
    "VDC_PERMISSIONS": "11.0",
    "ORG_RIGHTS_ROLES": "27.0",
    "MULTI_SITE": "29.0",
    "VM_HOST_AFFINITY": "27.0",
    "ORG_LEASE_EXPIRE": "25.0",
    "AUTO_DISCOVER_VM_SETTINGS": "27.0",
    "DYNAMIC_HW_VERSION_SUPPORT": "29.0",
    "REGENERATE_BIOS_UUID": "29.0",
    "TENANT_STORAGE_MIGRATION": "29.0",
    "VXLAN_NETWORK_POOL": "29.0",
    "RECOMPOSE_BLANK_VM": "30.0",
    "REMOVED_VERSION_15_51": "30.0",
    "JWT_LOGIN_SUPPORT": "30.0",
    "ORG_VDC_ROLLUP": "30.0",
    "IMPORT_VM_STANDALONE": "30.0",
    "IMPROVED_SITE_NAME": "30.0",
    "CREATE_BLANK_VM": "32.0",
    "INSTANTIATE_VM_TEMPLATE": "32.0",
}


def _key(version: str) -> tuple[int, ...]:
    version = ALIASES.get(version, version)
    return tuple(int(part) for part in version.split("."))


@functools.cache
def _type_versions() -> dict[str, str]:
    """The global types a version mark dates (``AuthorizedLocationsType``: MULTI_SITE), by name."""
    found = {}
    for path in XSD.rglob("*.xsd"):
        root = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False)).getroot()
        for kind in (f"{XS}complexType", f"{XS}simpleType"):
            for declared in root.findall(kind):
                mark = declared.find(f"{XS}annotation/{XS}appinfo/{META}")
                if mark is not None and mark.get("added-in"):
                    found[declared.get("name")] = mark.get("added-in")
    return found


def _prune(tree: etree._Element, version: str) -> None:
    """Take out of a schema document the local elements and attributes ``version`` does not have
    (added after it, removed by it, or of a type added after it), so that a document of that
    version validates."""
    wanted = _key(version)
    dated = _type_versions()
    for member in list(tree.iter(f"{XS}element", f"{XS}attribute")):
        named = (member.get("type") or "").rpartition(":")[2]
        parent = member.getparent()
        if (
            named in dated
            and _key(dated[named]) > wanted
            and parent is not None
            and parent.tag != f"{XS}schema"
        ):
            parent.remove(member)
    for mark in list(tree.iter(META)):
        member = next((a for a in mark.iterancestors() if a.tag in (f"{XS}element", f"{XS}attribute")), None)
        if member is None or member.getparent() is None or member.getparent().tag == f"{XS}schema":
            continue  # a type's or a global declaration's mark: the members say what they need
        added, removed = mark.get("added-in"), mark.get("removed-in")
        if (added and _key(added) > wanted) or (removed and _key(removed) <= wanted):
            member.getparent().remove(member)


class _Catalog(etree.Resolver):
    """Reads every schema document from the local copies, pruned to one API version."""

    def __init__(self, version: str) -> None:
        super().__init__()
        self.version = version
        catalog = XSD / "schemas" / "external" / "catalog.xml"
        self.local = {
            item.get("systemId"): (catalog.parent / item.get("uri")).as_uri()
            for item in etree.parse(str(catalog)).iter(f"{CATALOG_NS}system")
        }

    def resolve(self, url, _public_id, context):
        found = self.local.get(url, url)
        if not found.startswith("file:"):
            return None
        tree = etree.parse(found, etree.XMLParser(no_network=True, resolve_entities=False))
        _prune(tree.getroot(), self.version)
        return self.resolve_string(etree.tostring(tree), context, base_url=found)


NEWEST = "36.0"


@functools.cache
def schema(version: str = NEWEST) -> etree.XMLSchema:
    """The schema of API ``version``, loaded once; skips the test when the reference XSDs are
    not beside the project."""
    if not XSD.is_dir():
        pytest.skip(f"the vCD XSDs are not at {XSD}")
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Catalog(version))
    return etree.XMLSchema(etree.fromstring(ROOT.encode(), parser))


def assert_valid(body: bytes, version: str = NEWEST) -> etree._Element:
    """The document in ``body``, valid against the XSDs of API ``version`` (AssertionError naming
    why not): what that version does not have may not be in it."""
    document = etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))
    checker = schema(version)
    assert checker.validate(document), checker.error_log.last_error
    return document
