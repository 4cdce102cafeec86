"""A host's connection and maintenance mode through vim25, as govc's ``host.disconnect``,
``host.reconnect``, ``host.maintenance.enter`` and ``.exit`` and Ansible's
``vmware_maintenancemode`` call them: ``HostSystem.DisconnectHost_Task``, ``ReconnectHost_Task``,
``EnterMaintenanceMode_Task`` and ``ExitMaintenanceMode_Task``, each a task over the world's own
change (the one the REST face's ``host/{host}/disconnect`` and ``connect`` make;
``ComputeResources.set_maintenance``), so REST and the property collector
(``runtime.connectionState``, ``runtime.inMaintenanceMode``) show it at once.

A disconnect of a disconnected host, or a reconnect of a connected one, changes nothing and
succeeds (vCenter reconnects a connected host to resynchronise it). Entering maintenance mode is
refused (InvalidState, in the task) while VMs run on the host: with no DRS, vCenter's task waits
for them to be moved or powered off. Entering records ``EnteringMaintenanceModeEvent`` and
``EnteredMaintenanceModeEvent``, leaving ``ExitMaintenanceModeEvent``, in the task's chain
(``world.facts``); vCenter's connection events are not recorded (their words are not known
here), only the task's own. A host in maintenance mode or disconnected may be destroyed
(``folders.destroy``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localsphere.faces.vim import tasks
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.errors import AlreadyInState
from localsphere.world.facts import ENTERED_MAINTENANCE, ENTERING_MAINTENANCE, EXITED_MAINTENANCE
from localsphere.world.inventory import HOST
from localsphere.world.tasks import Owner

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context


def _connect(connect: bool, name: str, words: str) -> Any:
    def run(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
        host = tasks.entity(context, this)
        caller, compute = context.signed_in.caller, context.world.compute_resources

        def change() -> None:
            try:
                compute.connect_host(host.moid, connect, caller)
            except AlreadyInState:
                return  # it is so already: nothing to change

        owner = Owner(HOST, host.moid, host.name)
        return tasks.run_task(context, owner, name, f"{words} host {host.name}", change)

    return run


def _maintenance(entering: bool) -> Any:
    name = "EnterMaintenanceMode_Task" if entering else "ExitMaintenanceMode_Task"
    actions = [ENTERING_MAINTENANCE, ENTERED_MAINTENANCE] if entering else [EXITED_MAINTENANCE]

    def run(context: Context, this: MoRef, _args: dict[str, Any]) -> Any:
        host = tasks.entity(context, this)
        caller, world = context.signed_in.caller, context.world
        words = "enter" if entering else "exit"
        return tasks.run_task(
            context,
            Owner(HOST, host.moid, host.name),
            name,
            f"{words} maintenance mode on host {host.name}",
            lambda: world.compute_resources.set_maintenance(caller, host.moid, entering),
            lambda _: [world.facts.fact(action, host.moid) for action in actions],
        )

    return run


def methods() -> list[Method]:
    hosts = frozenset({HOST})
    table = {
        "DisconnectHost_Task": _connect(False, "DisconnectHost_Task", "disconnect"),
        "ReconnectHost_Task": _connect(True, "ReconnectHost_Task", "reconnect"),
        "EnterMaintenanceMode_Task": _maintenance(True),
        "ExitMaintenanceMode_Task": _maintenance(False),
    }
    return [Method(name, run, hosts, write=True) for name, run in table.items()]
