"""The SOAP face's routes: every managed object family's methods and properties behind one
endpoint (``service.Endpoint``) at ``/sdk``."""

from __future__ import annotations

from localsphere.faces.routing import FaceRoute
from localsphere.faces.vim import (
    authorization,
    authorization_writes,
    clusters,
    collectors,
    compute,
    datastores,
    entity_privileges,
    environment_browser,
    event_manager,
    folders,
    guest,
    host_systems,
    inventory,
    inventory_views,
    list_views,
    performance,
    property_collector,
    search_index,
    service_instance,
    session_extras,
    tasks,
    updates,
    view_manager,
    vm_provisioning,
    vm_snapshots,
)
from localsphere.faces.vim.properties import Properties
from localsphere.faces.vim.service import PREFIX, Endpoint
from localsphere.faces.vim.service import routes as endpoint_routes
from localsphere.world import World

__all__ = ["PREFIX", "build"]


def build(world: World, max_body: int) -> list[FaceRoute]:
    properties = Properties(
        [
            service_instance.family(),
            inventory.family(
                {
                    inventory.VM: vm_snapshots.VM_PATHS,
                    inventory.HOST: host_systems.PATHS,
                    inventory.CLUSTER: clusters.PATHS,
                    inventory.POOL: clusters.POOL_PATHS,
                    inventory.DATASTORE: datastores.PATHS,
                }
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
        *vm_provisioning.methods(),
        *vm_snapshots.methods(),
        *authorization_writes.methods(),
        *entity_privileges.methods(),
        *session_extras.methods(),
        *collectors.methods(),
        *list_views.methods(),
        *inventory_views.methods(),
        *environment_browser.methods(),
    ]
    return endpoint_routes(Endpoint(world, methods, properties.fetch, max_body))
