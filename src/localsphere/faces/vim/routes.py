"""The SOAP face's routes: every managed object family's methods and properties behind one
endpoint (``service.Endpoint``) at ``/sdk``."""

from __future__ import annotations

from localsphere.faces.routing import FaceRoute
from localsphere.faces.vim import (
    alarms,
    authorization,
    authorization_writes,
    clusters,
    collectors,
    compute,
    custom_fields,
    datastore_browser,
    datastores,
    entity_privileges,
    environment_browser,
    event_manager,
    folders,
    guest,
    host_managers,
    host_states,
    host_systems,
    inventory,
    inventory_views,
    list_views,
    networks,
    performance,
    property_collector,
    search_index,
    service_instance,
    service_managers,
    session_extras,
    tasks,
    updates,
    view_manager,
    vm_provisioning,
    vm_snapshots,
)
from localsphere.faces.vim.inventory import Reader
from localsphere.faces.vim.properties import Properties
from localsphere.faces.vim.service import PREFIX, Endpoint
from localsphere.faces.vim.service import routes as endpoint_routes
from localsphere.world import World

__all__ = ["PREFIX", "build"]


def _with_entity_paths(more: dict[str, dict[str, Reader]]) -> dict[str, dict[str, Reader]]:
    """``more``, and on every inventory type the paths every managed entity has that other
    modules than ``inventory`` read (custom attributes, alarm states)."""
    found = {}
    for kind in inventory.KINDS:
        own = {**inventory.TABLES[kind], **more.get(kind, {})}
        found[kind] = {
            **more.get(kind, {}),
            **alarms.ENTITY_PATHS,
            **custom_fields.entity_paths(kind, own.get("summary")),
        }
    return found


def build(world: World, max_body: int) -> list[FaceRoute]:
    properties = Properties(
        [
            service_instance.family(),
            inventory.family(
                _with_entity_paths(
                    {
                        inventory.VM: vm_snapshots.VM_PATHS,
                        inventory.HOST: {**host_systems.PATHS, **host_managers.PATHS},
                        inventory.CLUSTER: clusters.PATHS,
                        inventory.POOL: clusters.POOL_PATHS,
                        inventory.DATASTORE: {**datastores.PATHS, **datastore_browser.PATHS},
                        inventory.NETWORK: networks.PATHS,
                    }
                )
            ),
            vm_snapshots.family(),
            view_manager.family(),
            tasks.family(),
            updates.family(),
            authorization.family(),
            performance.family(),
            event_manager.family(),
            list_views.family(),
            inventory_views.family(),
            custom_fields.family(),
            alarms.family(),
            *service_managers.families(),
            host_managers.family(),
            datastore_browser.family(),
        ]
    )
    collector = property_collector.Collector(properties)
    methods = [
        *service_instance.methods(),
        *property_collector.methods(collector),
        *updates.methods(collector),
        *view_manager.methods(),
        *search_index.methods(),
        *tasks.methods(),
        *guest.methods(),
        *authorization.methods(),
        *performance.methods(),
        *event_manager.methods(),
        *folders.methods(),
        *compute.methods(),
        *clusters.methods(),
        *host_states.methods(),
        *vm_provisioning.methods(),
        *vm_snapshots.methods(),
        *authorization_writes.methods(),
        *entity_privileges.methods(),
        *session_extras.methods(),
        *collectors.methods(),
        *list_views.methods(),
        *inventory_views.methods(),
        *custom_fields.methods(),
        *alarms.methods(),
        *service_managers.methods(),
        *host_managers.methods(),
        *datastore_browser.methods(),
        *environment_browser.methods(),
    ]
    return endpoint_routes(Endpoint(world, methods, properties.fetch, max_body))
