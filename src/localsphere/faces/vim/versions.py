"""The vim25 API versions the server speaks, and the version a request negotiated.

pyVmomi's ``SmartConnect`` reads ``/sdk/vimServiceVersions.xml`` (``<namespaces version="1.0">``,
one ``<namespace>`` per service with its ``<version>`` and ``<priorVersions>``) and picks the
newest version both sides know (``pyVim/connect.py`` ``__VersionIsSupported``); it then names it in
every request's ``SOAPAction: "urn:vim25/<version id>"`` (``SoapAdapter.StubAdapterBase``).
The ids are pyVmomi's own version table (``VmomiSupport.versionIdMap``)."""

from __future__ import annotations

from functools import cache

from pyVmomi import VmomiSupport

NAMESPACE = "urn:vim25"
OLDEST = "7.0.0.0"  # the oldest version advertised: the 9.x, 8.0.x and 7.0.x lines
ABOUT_VERSION, ABOUT_BUILD = "9.1.1", "24957454"  # what ``about`` names; its API version is CURRENT


def _advertised() -> tuple[str, ...]:
    """Version ids of vim25, newest first, from the current one down to ``OLDEST`` (ids that are
    numbers: pyVmomi also knows internal ids such as ``m5CA1EF4D``)."""
    ids = []
    for name in VmomiSupport.GetServiceVersions("vim25"):
        if not name.startswith("vim.version."):
            continue
        version_id = VmomiSupport.versionIdMap[name]
        if version_id.replace(".", "").isdigit() and version_id.count(".") == 3:
            ids.append(version_id)
        if version_id == OLDEST:
            break
    return tuple(ids)


ADVERTISED = _advertised()
CURRENT = ADVERTISED[0]


def version_name(version_id: str) -> str | None:
    """pyVmomi's name of a vim25 version id (``9.1.1.0`` -> ``vim.version.v9_1_1_0``), or None."""
    return VmomiSupport.versionMap.get(f"vim25/{version_id}")


def unsupported(soap_action: str | None) -> str | None:
    """The version URI of a ``SOAPAction`` that names a vim25 version pyVmomi's table has not
    (``urn:vim25/99.0.0.0``), which vCenter refuses (``Unsupported version URI``, faultcode
    ``VersionMismatchFaultCode``, as govmomi's issue 2305 shows); None for any other."""
    action = (soap_action or "").strip().strip('"')
    namespace, _, version_id = action.partition("/")
    if namespace == NAMESPACE and version_id and version_name(version_id) is None:
        return action
    return None


def negotiated(soap_action: str | None) -> str:
    """The version a request speaks, from its ``SOAPAction`` (``"urn:vim25/9.1.1.0"``, quoted or
    not); without one, or with one the server does not know, the oldest advertised version, so
    that nothing the client cannot read is sent."""
    action = (soap_action or "").strip().strip('"')
    namespace, _, version_id = action.partition("/")
    if namespace == NAMESPACE and version_id:
        name = version_name(version_id)
        if name is not None:
            return name
    name = version_name(OLDEST)
    assert name is not None
    return name


@cache
def versions_document() -> bytes:
    """``/sdk/vimServiceVersions.xml``."""
    prior = "".join(f"\n      <version>{v}</version>" for v in ADVERTISED[1:])
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<namespaces version="1.0">\n'
        "  <namespace>\n"
        f"    <name>{NAMESPACE}</name>\n"
        f"    <version>{CURRENT}</version>\n"
        f"    <priorVersions>{prior}\n    </priorVersions>\n"
        "  </namespace>\n"
        "</namespaces>\n"
    ).encode()
