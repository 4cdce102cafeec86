"""A VM's power operations as vCenter tasks (vSphere's ``PowerOnVM_Task``, ``PowerOffVM_Task``,
``SuspendVM_Task``, ``ResetVM_Task``): the privilege checked on the VM, the change made and its
task recorded in one transaction, so every face sees the new power state as the task starts. A
change the VM's state does not allow is not made: its task ends in error, and the task's
``details`` start with the error's reason (``vm.power.already_powered_on: ...``), which the
face words in its product's terms."""

from __future__ import annotations

from localsphere.world.access import Caller
from localsphere.world.errors import AlreadyInState, WrongState
from localsphere.world.inventory import VM, authorize, row_of, set_power
from localsphere.world.store import Store
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.tenants import DEFAULT_TENANT

SERVICE = "vim"  # the tasks' ``service``: vSphere's
OPERATIONS = {"start": "power on", "stop": "power off", "suspend": "suspend", "reset": "reset"}


class VmPowerTasks:
    def __init__(self, store: Store, tasks: Tasks) -> None:
        self._store = store
        self._tasks = tasks

    def start(self, caller: Caller, moid: str, action: str, privilege: str, name: str) -> str:
        """Start ``action`` (start, stop, suspend or reset) on the VM ``moid`` as the task
        ``name`` (the product's name of the operation); returns the task's id. NotFound when the
        VM does not exist or ``caller`` may not see it, Forbidden without ``privilege`` on it,
        Busy while another task changes it."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            authorize(caller, row.path, privilege, moid)
            self._tasks.check_idle(s, [moid])
            try:
                set_power(s, moid, action)
                failure = ""
            except (AlreadyInState, WrongState) as exc:
                failure = f"{exc.reason}: {exc.message}"
            return self._tasks.start(
                s,
                DEFAULT_TENANT,
                name,
                f"{OPERATIONS[action]} virtual machine {row.name}",
                Owner(VM, moid, row.name),
                caller.principal,
                SERVICE,
                failure=failure,
            )
