"""vRA 6.2's IaaS proxy provider, ``/iaas-proxy-provider/api``: key pairs (``keyPairs``) and
network profiles (``network/profiles``) of the caller's own tenant, which its fabric group and
tenant administrators manage. Shapes: the 6.2 Programming Guide's "Working with Key Pairs"
(``{id, name, computeResourceId, secretKey}``, the secret always shown as ``""``) and "Working
with Network Profiles" (``definedRanges`` of ``beginIPv4Address``/``endIPv4Address``); creation
answers 201 with ``Location`` and no body, updates and deletes 204."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import iso_timestamp
from localsphere.faces.routing import FaceRoute
from localsphere.faces.vra import paging
from localsphere.faces.vra.errors import WireError
from localsphere.faces.vra.face import route_table
from localsphere.faces.vra.formats import render
from localsphere.faces.vra.reservation_service import ReservationService
from localsphere.faces.vra.wire import json_object, text_field
from localsphere.world import World
from localsphere.world.key_pairs import KeyPairSpec, KeyPairView
from localsphere.world.network_profiles import (
    ADDRESS_FIELDS,
    DETAIL_FIELDS,
    ProfileSpec,
    ProfileView,
    RangeSpec,
)
from localsphere.world.tenant_roles import TenantCaller

PREFIX = "/iaas-proxy-provider/api"
Json = dict[str, Any]
_TYPES = {
    "EXTERNAL": "ExternalNetworkProfile",
    "NAT": "NATNetworkProfile",
    "PRIVATE": "PrivateNetworkProfile",
}
_NAT_FIELDS = ("natType", "externalNetworkProfileId")


def key_pair(view: KeyPairView) -> Json:
    return {"id": view.id, "name": view.name, "computeResourceId": view.region, "secretKey": ""}


def key_pair_spec(body: Any) -> KeyPairSpec:
    fields = json_object(body)
    secret = text_field(fields, "secretKey", required=False)
    return KeyPairSpec(
        text_field(fields, "name") or "", text_field(fields, "computeResourceId") or "", secret or None
    )


def network_profile(view: ProfileView) -> Json:
    details = view.details
    return {
        "@type": _TYPES[view.profile_type],
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "createdDate": iso_timestamp(view.created_at),
        "isHidden": False,
        "definedRanges": [
            {
                "id": r.id,
                "name": r.name,
                "description": r.description,
                "beginIPv4Address": r.start,
                "endIPv4Address": r.end,
                "state": "UNALLOCATED",
                "allocatedAddresses": r.allocated,
            }
            for r in view.ranges
        ],
        "profileType": view.profile_type,
        "subnetMask": view.subnet_mask,
        "gatewayAddress": view.gateway,
        **{key: details.get(key) for key in (*DETAIL_FIELDS, "primaryWinsAddress", "secondaryWinsAddress")},
        **({key: details.get(key) for key in _NAT_FIELDS} if view.profile_type == "NAT" else {}),
    }


def network_profile_spec(body: Any) -> ProfileSpec:
    fields = json_object(body)
    ranges = fields.get("definedRanges") or []
    if not isinstance(ranges, list):
        raise WireError("definedRanges", "definedRanges must be a list.")
    specs = []
    for item in ranges:
        item = json_object(item)
        specs.append(
            RangeSpec(
                text_field(item, "name") or "",
                text_field(item, "beginIPv4Address") or "",
                text_field(item, "endIPv4Address") or "",
                text_field(item, "description", required=False),
            )
        )
    details = {}
    for key in (*DETAIL_FIELDS, *ADDRESS_FIELDS, *_NAT_FIELDS):
        value = text_field(fields, key, required=False)
        if value:
            details[key] = value
    return ProfileSpec(
        name=text_field(fields, "name") or "",
        profile_type=text_field(fields, "profileType") or "",
        subnet_mask=text_field(fields, "subnetMask") or "",
        gateway=text_field(fields, "gatewayAddress", required=False) or None,
        description=text_field(fields, "description", required=False),
        details=details,
        ranges=tuple(specs),
    )


class IaasProxy(ReservationService):
    async def list_key_pairs(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.key_pairs.list, tenant.name, asked)
        return self.page(request, asked, found, [key_pair(k) for k in found.items])

    async def get_key_pair(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        view = await self.runner.read(self.world.key_pairs.get, tenant.name, request.path_params["id"])
        return render(request, key_pair(view))

    async def create_key_pair(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        spec = key_pair_spec(await self.body(request))
        view = await self.runner.call(self.world.key_pairs.create, tenant.name, spec)
        return self.created(request, view.id)

    async def put_key_pair(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        spec = key_pair_spec(await self.body(request))
        await self.runner.call(self.world.key_pairs.update, tenant.name, request.path_params["id"], spec)
        return Response(status_code=204)

    async def delete_key_pair(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        await self.runner.call(self.world.key_pairs.delete, tenant.name, request.path_params["id"])
        return Response(status_code=204)

    async def list_profiles(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.network_profiles.list, tenant.name, asked)
        return self.page(request, asked, found, [network_profile(p) for p in found.items])

    async def get_profile(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        view = await self.runner.read(self.world.network_profiles.get, tenant.name, request.path_params["id"])
        return render(request, network_profile(view))

    async def create_profile(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        spec = network_profile_spec(await self.body(request))
        view = await self.runner.call(self.world.network_profiles.create, tenant.name, spec)
        return self.created(request, view.id)

    async def put_profile(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        spec = network_profile_spec(await self.body(request))
        profiles = self.world.network_profiles
        await self.runner.call(profiles.update, tenant.name, request.path_params["id"], spec)
        return Response(status_code=204)

    async def delete_profile(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        await self.runner.call(self.world.network_profiles.delete, tenant.name, request.path_params["id"])
        return Response(status_code=204)


def build(world: World, max_body: int) -> list[FaceRoute]:
    """The IaaS proxy provider's routes, under ``/iaas-proxy-provider/api``."""
    proxy = IaasProxy(world, max_body)
    table, add = route_table(proxy)
    add("GET", "/keyPairs", proxy.list_key_pairs)
    add("POST", "/keyPairs", proxy.create_key_pair)
    add("GET", "/keyPairs/{id}", proxy.get_key_pair)
    add("PUT", "/keyPairs/{id}", proxy.put_key_pair)
    add("DELETE", "/keyPairs/{id}", proxy.delete_key_pair)
    add("GET", "/network/profiles", proxy.list_profiles)
    add("POST", "/network/profiles", proxy.create_profile)
    add("GET", "/network/profiles/{id}", proxy.get_profile)
    add("PUT", "/network/profiles/{id}", proxy.put_profile)
    add("DELETE", "/network/profiles/{id}", proxy.delete_profile)
    return table.build(PREFIX)
