"""``SessionManager`` besides sign-in: ``AcquireCloneTicket`` and ``CloneSession`` (a second
session of the same user, with no password, from a one-time ticket; a ticket unknown, used or
expired is InvalidLogin), ``LoginByToken`` (refused as vCenter refuses it without a SAML token in
the WS-Security header: InvalidLogin), ``SetLocale`` (the locales of ``supportedLocaleList``;
another is InvalidLocale) and ``UpdateServiceMessage`` (the ``message`` every session shows;
needs ``Sessions.GlobalMessage`` on the root folder)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import faults
from localsphere.faces.vim.authorization_writes import authorize
from localsphere.faces.vim.service import Method
from localsphere.faces.vim.service_instance import LOCALE, SESSION_MANAGER, user_session
from localsphere.faces.vim.soap import MoRef
from localsphere.world.access import VCENTER
from localsphere.world.errors import Invalid, Unauthenticated

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

GLOBAL_MESSAGE = "Sessions.GlobalMessage"


def methods() -> list[Method]:
    def clone_ticket(context: Context, _this: MoRef, _args: dict[str, Any]) -> str:
        return context.world.session_extras.clone_ticket(context.signed_in.caller.principal)

    def clone_session(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        world = context.world
        try:
            principal = world.session_extras.redeem(args["cloneTicket"])
        except Unauthenticated:
            raise faults.invalid_login() from None
        opened = world.sessions.open(principal, VCENTER)
        context.opened = opened.session_id
        return user_session(context, opened.session_id, world.sessions.check(opened.session_id, VCENTER))

    def login_by_token(_context: Context, _this: MoRef, _args: dict[str, Any]) -> Any:
        raise faults.invalid_login()  # no SAML token can come with the call: none is accepted

    def set_locale(_context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        if args["locale"] != LOCALE:
            raise faults.Fault(vim.fault.InvalidLocale(), f"Locale '{args['locale']}' is not supported.")

    def update_message(context: Context, _this: MoRef, args: dict[str, Any]) -> None:
        authorize(context, GLOBAL_MESSAGE)
        try:
            context.world.session_extras.set_message(args["message"])
        except Invalid:
            raise faults.invalid_argument("message") from None

    sessions = frozenset({"SessionManager"})
    return [
        Method("AcquireCloneTicket", clone_ticket, sessions, SESSION_MANAGER, write=True),
        Method("CloneSession", clone_session, sessions, SESSION_MANAGER, anonymous=True, write=True),
        Method("LoginByToken", login_by_token, sessions, SESSION_MANAGER, anonymous=True),
        Method("SetLocale", set_locale, sessions, SESSION_MANAGER),
        Method("UpdateServiceMessage", update_message, sessions, SESSION_MANAGER, write=True),
    ]
