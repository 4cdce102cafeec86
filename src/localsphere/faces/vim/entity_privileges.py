"""``AuthorizationManager``'s privilege questions: what a session (``HasPrivilegeOnEntity``,
``HasPrivilegeOnEntities``, by its ``UserSession.key``) or a user (``HasUserPrivilegeOnEntities``,
``FetchUserPrivilegeOnEntities``, by ``DOMAIN\\user`` or ``user@domain``) holds on entities, decided
as every face decides it (the nearest permission up the inventory wins; ``world.access``).

An entity the caller does not see is ManagedObjectNotFound; one the asked principal does not see
holds nothing. An unknown session or user is InvalidArgument naming the parameter (the WSDL
declares no fault for these methods)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import faults
from localsphere.faces.vim.authorization import AUTHORIZATION_MANAGER
from localsphere.faces.vim.authorization_writes import entity
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.access import VCENTER, Caller

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context


def _session_caller(context: Context, key: str) -> Caller:
    live = context.world.live_sessions.find(VCENTER, key)
    if live is None:
        raise faults.invalid_argument("sessionId")
    return context.world.entity_permissions.caller_of(live.principal)


def _user_caller(context: Context, name: str) -> Caller:
    found = context.world.entity_permissions.caller_named(name)
    if found is None:
        raise faults.invalid_argument("userName")
    return found


def _held(context: Context, caller: Caller, entities: list[Any]) -> list[tuple[Any, frozenset[str]]]:
    """Each entity (seen by the calling session) with what ``caller`` holds on it."""
    return [
        (value, context.world.inventory.held(caller, entity(context, value)) or frozenset())
        for value in entities
    ]


def _availability(held: list[tuple[Any, frozenset[str]]], privileges: list[str]) -> list[Any]:
    return [
        vim.AuthorizationManager.EntityPrivilege(
            entity=value,
            privAvailability=[
                vim.AuthorizationManager.PrivilegeAvailability(privId=p, isGranted=p in here)
                for p in privileges
            ],
        )
        for value, here in held
    ]


def methods() -> list[Method]:
    def on_entity(context: Context, _this: MoRef, args: dict[str, Any]) -> list[bool]:
        caller = _session_caller(context, args["sessionId"])
        [(_, here)] = _held(context, caller, [args["entity"]])
        return [p in here for p in args.get("privId") or []]

    def on_entities(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any]:
        caller = _session_caller(context, args["sessionId"])
        return _availability(_held(context, caller, list(args["entity"])), list(args.get("privId") or []))

    def user_on_entities(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any]:
        caller = _user_caller(context, args["userName"])
        return _availability(_held(context, caller, list(args["entities"])), list(args.get("privId") or []))

    def fetch_user(context: Context, _this: MoRef, args: dict[str, Any]) -> list[Any]:
        caller = _user_caller(context, args["userName"])
        return [
            vim.AuthorizationManager.UserPrivilegeResult(entity=value, privileges=sorted(here))
            for value, here in _held(context, caller, list(args["entities"]))
        ]

    receivers = frozenset({AUTHORIZATION_MANAGER})
    reads = {
        "HasPrivilegeOnEntity": on_entity,
        "HasPrivilegeOnEntities": on_entities,
        "HasUserPrivilegeOnEntities": user_on_entities,
        "FetchUserPrivilegeOnEntities": fetch_user,
    }
    return [Method(name, run, receivers, AUTHORIZATION_MANAGER) for name, run in reads.items()]
