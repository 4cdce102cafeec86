"""Tasks as the vCloud API shows them: ``GET /api/task/{id}``, an org's ``GET /api/tasksList/{org}``
and ``POST /api/task/{id}/action/cancel``; and the ``Task`` element every long operation answers
with (status lower-case, as pyvcloud and vcd-cli compare it)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from localsphere.faces.http import Runner
from localsphere.faces.vcd.errors import task_error
from localsphere.faces.vcd.hrefs import Hrefs, media_type
from localsphere.faces.vcd.types import Link, Task, TasksList
from localsphere.faces.vcd.wire import Asked, asked, vcd_time, xml
from localsphere.world import World
from localsphere.world.errors import Forbidden
from localsphere.world.org_roles import MANAGE_TASKS
from localsphere.world.tasks import ABORTED, ERROR, TaskView
from localsphere.world.tenant_roles import TenantCaller
from localsphere.world.tenants import org_uuid

TASKS_LISTED = 128  # an org's newest tasks in its TasksList (the query service pages them all)
# a task's owner kind -> its kind in hrefs
OWNER_KINDS = {k: k for k in ("vApp", "vm", "vdc", "org", "vAppTemplate", "media", "disk")}


def task(hrefs: Hrefs, view: TaskView) -> Task:
    """The ``Task`` element of a task as it stands."""
    href = hrefs.of("task", view.id)
    links = [Link("task:cancel", f"{href}/action/cancel")] if view.cancellable else []
    owner_kind = OWNER_KINDS.get(view.owner_kind, view.owner_kind)
    return Task(
        **hrefs.identity("task", view.id, "task"),
        status=view.status,
        operation=view.operation,
        operation_name=view.operation_name,
        service_namespace=view.service,
        start_time=vcd_time(view.started_at),
        end_time=vcd_time(view.ended_at),
        expiry_time=vcd_time(view.started_at + 30 * 86400),
        cancel_requested=view.status == ABORTED,
        links=links,
        owner=hrefs.reference(owner_kind, view.owner_id, view.owner_name)
        if owner_kind in OWNER_KINDS
        else None,
        error=task_error(view.details or "The task failed.", view.error_kind)
        if view.status == ERROR
        else None,
        user=hrefs.reference("user", view.user_id, view.user_name) if view.user_id else None,
        organization=hrefs.reference("org", view.tenant),
        progress=view.progress,
        details=view.details,
    )


class TaskViews:
    def __init__(self, world: World, runner: Runner) -> None:
        self.world = world
        self.runner = runner

    async def answer(self, a: Asked, task_id: str, status: int = 202) -> Response:
        """The answer of an operation that started ``task_id``: 202 and the Task."""
        view = await self.runner.read(self.world.tasks.get, task_id, None)
        return xml(task(a.hrefs, view), a.version, media_type("task"), status)

    async def get(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        view = await self.runner.read(self.world.tasks.get, _id(request), a.viewer)
        return xml(task(a.hrefs, view), a.version, media_type("task"))

    async def cancel(self, request: Request, caller: TenantCaller) -> Response:
        a = asked(request, caller)
        a.require(MANAGE_TASKS)
        await self.runner.call(self.world.tasks.cancel, _id(request), a.viewer)
        return Response(status_code=204)

    async def tasks_list(self, request: Request, caller: TenantCaller) -> Response:
        """An org's newest tasks; another org's list is 403 for an org user."""
        a = asked(request, caller)
        org = await self.runner.read(self.world.tenants.org, request.path_params["org"], caller.tenant)
        if a.viewer is not None and org.name != a.viewer:
            raise Forbidden("org.forbidden", "Access to the org is forbidden.", org.name)
        views = await self.runner.read(self.world.tasks.of_org, org.name, TASKS_LISTED)
        listing = TasksList(
            href=f"{a.hrefs.base}/api/tasksList/{org_uuid(org.name)}",
            type=media_type("tasksList"),
            name="Tasks Lists",
            tasks=[task(a.hrefs, v) for v in views],
        )
        return xml(listing, a.version, media_type("tasksList"))


def _id(request: Request) -> str:
    return request.path_params["task"]
