"""Where each kind of object lives in the vCloud API, in one table: its href (``/api/vApp/vapp-<id>``),
its urn (``urn:vcloud:vapp:<id>``) and its media type, as the product writes them."""

from __future__ import annotations

from dataclasses import dataclass

from localsphere.faces.vcd.types import Reference, ResourceReference
from localsphere.world.tenants import org_of, org_uuid

VCLOUD_TYPE = "application/vnd.vmware.vcloud"
ADMIN_TYPE = "application/vnd.vmware.admin"


@dataclass(frozen=True)
class Kind:
    path: str  # below the base URL, up to the id
    prefix: str  # before the id in the href (``vapp-``)
    urn: str  # the urn's kind
    media_type: str


KINDS = {
    "org": Kind("/api/org/", "", "org", f"{VCLOUD_TYPE}.org+xml"),
    "vdc": Kind("/api/vdc/", "", "vdc", f"{VCLOUD_TYPE}.vdc+xml"),
    "catalog": Kind("/api/catalog/", "", "catalog", f"{VCLOUD_TYPE}.catalog+xml"),
    "catalogItem": Kind("/api/catalogItem/", "", "catalogitem", f"{VCLOUD_TYPE}.catalogItem+xml"),
    "vAppTemplate": Kind(
        "/api/vAppTemplate/", "vappTemplate-", "vapptemplate", f"{VCLOUD_TYPE}.vAppTemplate+xml"
    ),
    "templateVm": Kind("/api/vAppTemplate/", "vm-", "vm", f"{VCLOUD_TYPE}.vm+xml"),
    "media": Kind("/api/media/", "", "media", f"{VCLOUD_TYPE}.media+xml"),
    "vApp": Kind("/api/vApp/", "vapp-", "vapp", f"{VCLOUD_TYPE}.vApp+xml"),
    "vm": Kind("/api/vApp/", "vm-", "vm", f"{VCLOUD_TYPE}.vm+xml"),
    "network": Kind("/api/network/", "", "network", f"{VCLOUD_TYPE}.orgNetwork+xml"),
    "disk": Kind("/api/disk/", "", "disk", f"{VCLOUD_TYPE}.disk+xml"),
    "task": Kind("/api/task/", "", "task", f"{VCLOUD_TYPE}.task+xml"),
    "tasksList": Kind("/api/tasksList/", "", "tasksList", f"{VCLOUD_TYPE}.tasksList+xml"),
    "user": Kind("/api/admin/user/", "", "user", f"{ADMIN_TYPE}.user+xml"),
    "group": Kind("/api/admin/group/", "", "group", f"{ADMIN_TYPE}.group+xml"),
    "role": Kind("/api/admin/role/", "", "role", f"{ADMIN_TYPE}.role+xml"),
    "providerVdc": Kind("/api/admin/providervdc/", "", "providervdc", f"{ADMIN_TYPE}.providervdc+xml"),
    "pvdcStorageProfile": Kind(
        "/api/admin/pvdcStorageProfile/",
        "",
        "providervdcstorageprofile",
        f"{ADMIN_TYPE}.pvdcStorageProfile+xml",
    ),
    "externalNetwork": Kind("/api/admin/network/", "", "network", f"{ADMIN_TYPE}.network+xml"),
    "blockingTask": Kind(
        "/api/admin/extension/blockingTask/", "", "blockingTask", f"{ADMIN_TYPE}.blockingTask+xml"
    ),
    "service": Kind("/api/admin/extension/service/", "", "service", f"{ADMIN_TYPE}.service+xml"),
    "apiFilter": Kind(
        "/api/admin/extension/service/apifilter/", "", "apifilter", f"{ADMIN_TYPE}.apiFilter+xml"
    ),
    "right": Kind("/api/admin/right/", "", "right", f"{ADMIN_TYPE}.right+xml"),
    "storageProfile": Kind(
        "/api/vdcStorageProfile/", "", "vdcstorageProfile", f"{VCLOUD_TYPE}.vdcStorageProfile+xml"
    ),
}


def media_type(kind: str) -> str:
    return KINDS[kind].media_type


def urn(kind: str, object_id: str) -> str:
    return f"urn:vcloud:{KINDS[kind].urn}:{object_id}"


class Hrefs:
    """The hrefs of one request's answer: every one absolute, on the host the client called."""

    def __init__(self, base: str) -> None:
        self.base = base

    def of(self, kind: str, object_id: str) -> str:
        """The href of an object; an org's ``object_id`` is its tenant's name."""
        found = KINDS[kind]
        if kind in ("org", "tasksList"):
            object_id = org_uuid(object_id)
        return f"{self.base}{found.path}{found.prefix}{object_id}"

    def identity(self, kind: str, object_id: str, name: str) -> dict[str, str]:
        """An entity's ``href``, ``type``, ``id`` (its urn) and ``name``, for its constructor."""
        return {
            "href": self.of(kind, object_id),
            "type": media_type(kind),
            "id": urn(kind, object_id),
            "name": name,
        }

    def reference(self, kind: str, object_id: str, name: str | None = None) -> Reference:
        return Reference(
            self.of(kind, object_id), media_type(kind), org_of(object_id) if kind == "org" else name
        )

    def resource(self, kind: str, object_id: str, name: str | None = None) -> ResourceReference:
        """A reference that names the object's urn too."""
        shown = org_of(object_id) if kind == "org" else name
        uid = org_uuid(object_id) if kind == "org" else object_id
        return ResourceReference(self.of(kind, object_id), urn(kind, uid), media_type(kind), shown)


def object_id(text: str) -> str:
    """The id in an href, a urn or a bare id: what follows the last ``/``, ``:`` or kind prefix
    (``vapp-``, ``vm-``, ``vappTemplate-``)."""
    tail = text.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    for prefix in ("vappTemplate-", "vapp-", "vm-"):
        if tail.startswith(prefix):
            return tail[len(prefix) :]
    return tail
