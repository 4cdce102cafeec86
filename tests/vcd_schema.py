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
# What the answers are checked against: the v1.5 namespace (through vcloud.xsd) and the
# versions one, in one schema.
ROOT = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.vmware.com/vcloud/v1.5"
             schemaLocation="{(XSD / "1.5/schemas/vcloud/vcloud.xsd").as_uri()}"/>
  <xs:import namespace="http://www.vmware.com/vcloud/versions"
             schemaLocation="{(XSD / "schemas/versioning/versions.xsd").as_uri()}"/>
</xs:schema>"""


class _Catalog(etree.Resolver):
    def __init__(self) -> None:
        super().__init__()
        catalog = XSD / "schemas" / "external" / "catalog.xml"
        self.local = {
            item.get("systemId"): (catalog.parent / item.get("uri")).as_uri()
            for item in etree.parse(str(catalog)).iter(f"{CATALOG_NS}system")
        }

    def resolve(self, url, _public_id, context):
        if url in self.local:
            return self.resolve_filename(self.local[url], context)
        return None


@functools.cache
def schema() -> etree.XMLSchema:
    """The schema, loaded once; skips the test when the reference XSDs are not beside the project."""
    if not XSD.is_dir():
        pytest.skip(f"the vCD XSDs are not at {XSD}")
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Catalog())
    return etree.XMLSchema(etree.fromstring(ROOT.encode(), parser))


def assert_valid(body: bytes) -> etree._Element:
    """The document in ``body``, valid against the XSDs (AssertionError naming why not)."""
    document = etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))
    checker = schema()
    assert checker.validate(document), checker.error_log.last_error
    return document
