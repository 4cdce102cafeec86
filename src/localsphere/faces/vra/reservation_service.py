"""vRA 6.2's reservation service, ``/reservation-service/api``: reservations (vSphere, vCloud,
Amazon), their types, type schemas and the permissible values of their fields, and reservation
policies. Everything is the caller's own tenant's: another tenant's objects do not exist for it.
A tenant's fabric group and tenant administrators write; business group managers read their
groups' reservations."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import parse_json, read_body
from localsphere.faces.routing import FaceRoute
from localsphere.faces.vra import paging
from localsphere.faces.vra import reservation_wire as wire
from localsphere.faces.vra.errors import WireError
from localsphere.faces.vra.face import VraService, route_table
from localsphere.faces.vra.formats import render
from localsphere.world import World
from localsphere.world.errors import NotFound
from localsphere.world.listing import Counted
from localsphere.world.reservations import VSPHERE
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import TenantView

PREFIX = "/reservation-service/api"
# Who manages reservations and what they name: fabric group administrators, tenant administrators.
WRITE = ("FABRIC_GROUP_ADMINISTRATION", "MY_TENANT_MANAGEMENT")
MANAGER = "SUBTENANT_MANAGEMENT"


class ReservationService(VraService):
    async def access(self, caller: TenantCaller) -> tuple[TenantView, bool]:
        """The caller's tenant, and whether it writes there (holds one of ``WRITE``)."""
        found = await self.own_tenant(caller)
        return found, not caller.privileges(found).isdisjoint(WRITE)

    async def writer(self, caller: TenantCaller) -> TenantView:
        return await self.own_tenant(caller, *WRITE)

    # Reservations.

    async def list_reservations(self, request: Request, caller: TenantCaller) -> Response:
        tenant, writes = await self.access(caller)
        groups = None if writes else caller.groups_with(tenant, MANAGER)
        if groups == []:
            caller.require(tenant, *WRITE, MANAGER)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.reservations.list, tenant.name, asked, groups)
        return self.page(request, asked, found, [wire.reservation(r) for r in found.items])

    async def get_reservation(self, request: Request, caller: TenantCaller) -> Response:
        tenant, writes = await self.access(caller)
        view = await self.runner.read(self.world.reservations.get, tenant.name, request.path_params["id"])
        if not writes:
            caller.require(tenant, MANAGER, held=caller.in_group(tenant, view.subtenant_id))
        return render(request, wire.reservation(view))

    async def create_reservation(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        spec = wire.reservation_spec(await self.body(request), tenant.name)
        view = await self.runner.call(self.world.reservations.create, tenant.name, spec)
        return self.created(request, view.id)

    async def put_reservation(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        body = await self.body(request)
        spec = wire.reservation_spec(body, tenant.name)
        wire.same_id(body, request.path_params["id"])
        await self.runner.call(self.world.reservations.update, tenant.name, request.path_params["id"], spec)
        return Response(status_code=204)

    async def delete_reservation(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        await self.runner.call(self.world.reservations.delete, tenant.name, request.path_params["id"])
        return Response(status_code=204)

    async def list_types(self, request: Request, caller: TenantCaller) -> Response:
        await self.writer(caller)
        asked = paging.listing(request)
        ids = list(wire.TYPES)
        chosen = ids[asked.offset : asked.offset + asked.limit]
        return self.page(
            request, asked, Counted(chosen, len(ids)), [wire.reservation_type(t) for t in chosen]
        )

    async def get_type(self, request: Request, caller: TenantCaller) -> Response:
        await self.writer(caller)
        type_id = request.path_params["type"]
        if type_id not in wire.TYPES:
            raise NotFound("reservation_type.not_found", f"Reservation type {type_id} not found.", type_id)
        return render(request, wire.reservation_type(type_id))

    async def schema(self, request: Request, caller: TenantCaller) -> Response:
        await self.writer(caller)
        type_id = request.path_params["type"]
        if type_id not in wire.TYPES:
            raise NotFound("reservation_type.not_found", f"Reservation type {type_id} not found.", type_id)
        return render(request, wire.schema(type_id, request.url.path.rstrip("/").endswith("/full")))

    async def values(self, request: Request, caller: TenantCaller) -> Response:
        """POST .../schema/{type}/default/{field}/values: what a field may take; the fields that
        depend on the compute resource name it in the body's ``dependencyValues``."""
        await self.writer(caller)
        type_id, field = request.path_params["type"], request.path_params["field"]
        if type_id not in wire.TYPES:
            raise NotFound("reservation_type.not_found", f"Reservation type {type_id} not found.", type_id)
        kind = wire.kind_of(type_id)
        known = {f[0] for f in wire.FIELDS[kind]}
        if field not in known or field in ("machineQuota", "allocationModel", "reservationMemory"):
            raise NotFound("reservation_field.not_found", f"Field {field} has no permissible values.", field)
        reservations = self.world.reservations
        if field == "computeResource":
            choices = await self.runner.read(reservations.compute_resources, kind)
        else:
            raw = await read_body(request, self.max_body)
            target = wire.dependency(parse_json(raw) if raw.strip() else None)
            if target is None:
                raise WireError("dependencyValues", f"{field} depends on the computeResource: name it.")
            if field == "resourcePool" and kind == VSPHERE:
                choices = await self.runner.read(reservations.resource_pools, target)
            elif field == "reservationStorages":
                choices = await self.runner.read(reservations.storages, kind, target)
            elif field == "reservationNetworks":
                choices = await self.runner.read(reservations.networks, kind, target)
            else:  # keyPair: the tenant's key pairs of the region
                tenant = await self.writer(caller)
                choices = await self.runner.read(self.world.key_pairs.in_region, tenant.name, target)
        return render(request, wire.value_choices(kind, field, choices))

    # Reservation policies.

    async def list_policies(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        asked = paging.listing(request)
        found = await self.runner.read(self.world.reservation_policies.list, tenant.name, asked)
        return self.page(request, asked, found, [wire.policy(p) for p in found.items])

    async def get_policy(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        view = await self.runner.read(
            self.world.reservation_policies.get, tenant.name, request.path_params["id"]
        )
        return render(request, wire.policy(view))

    async def create_policy(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        name, description = wire.policy_spec(await self.body(request), tenant.name)
        view = await self.runner.call(self.world.reservation_policies.create, tenant.name, name, description)
        return self.created(request, view.id)

    async def put_policy(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        body = await self.body(request)
        name, description = wire.policy_spec(body, tenant.name)
        wire.same_id(body, request.path_params["id"])
        policies = self.world.reservation_policies
        await self.runner.call(policies.update, tenant.name, request.path_params["id"], name, description)
        return Response(status_code=204)

    async def delete_policy(self, request: Request, caller: TenantCaller) -> Response:
        tenant = await self.writer(caller)
        await self.runner.call(self.world.reservation_policies.delete, tenant.name, request.path_params["id"])
        return Response(status_code=204)


def build(world: World, max_body: int) -> list[FaceRoute]:
    """The reservation service's routes, under ``/reservation-service/api``."""
    service = ReservationService(world, max_body)
    table, add = route_table(service)
    add("GET", "/reservations", service.list_reservations)
    add("POST", "/reservations", service.create_reservation)
    add("GET", "/reservations/types", service.list_types)
    add("GET", "/reservations/types/{type}", service.get_type)
    add("GET", "/reservations/policies", service.list_policies)
    add("POST", "/reservations/policies", service.create_policy)
    add("GET", "/reservations/policies/{id}", service.get_policy)
    add("PUT", "/reservations/policies/{id}", service.put_policy)
    add("DELETE", "/reservations/policies/{id}", service.delete_policy)
    add("GET", "/reservations/{id}", service.get_reservation)
    add("PUT", "/reservations/{id}", service.put_reservation)
    add("DELETE", "/reservations/{id}", service.delete_reservation)
    add("GET", "/data-service/schema/{type}/default", service.schema)
    add("GET", "/data-service/schema/{type}/full", service.schema)
    add("POST", "/data-service/schema/{type}/default/{field}/values", service.values)
    return table.build(PREFIX)
