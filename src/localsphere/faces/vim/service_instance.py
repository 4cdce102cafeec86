"""``ServiceInstance`` (``RetrieveServiceContent``, ``CurrentTime``) and ``SessionManager``
(``Login``, ``Logout``, ``SessionIsActive``, ``currentSession``): how a client finds the other
managers and signs in. Sign-in is the world's: every SSO user, with the same password, lockout and
session life as on every other face; the session is the world's, in the ``vmware_soap_session``
cookie."""

from __future__ import annotations

import datetime
from functools import lru_cache, partial
from typing import Any

from pyVmomi import VmomiSupport, vim, vmodl

from localsphere.faces.vcenter.session import user_name
from localsphere.faces.vim import faults, soap, versions
from localsphere.faces.vim.properties import Family
from localsphere.faces.vim.service import Context, Method
from localsphere.faces.vim.soap import MoRef
from localsphere.world.access import VCENTER, can, require
from localsphere.world.auth import digest
from localsphere.world.errors import Unauthenticated
from localsphere.world.event_history import LOGOUT
from localsphere.world.events import LOGIN
from localsphere.world.identity import PrincipalView
from localsphere.world.inventory import ROOT_FOLDER
from localsphere.world.live_sessions import key_of
from localsphere.world.sessions import SessionInfo

# The managers' ids, as vCenter names them (``ServiceContent`` of a vCenter 8/9)
SERVICE_INSTANCE = "ServiceInstance"
SESSION_MANAGER = "SessionManager"
PROPERTY_COLLECTOR = "propertyCollector"
VIEW_MANAGER = "ViewManager"
SEARCH_INDEX = "SearchIndex"
TASK_MANAGER = "TaskManager"
PERF_MANAGER = "PerfMgr"
EVENT_MANAGER = "EventManager"
LOCALE = "en"
TERMINATE = "Sessions.TerminateSession"


def about(instance_uuid: str) -> Any:
    """``ServiceContent.about``: a vCenter (``apiType`` VirtualCenter) whose instance UUID is the
    world's vCenter id, the one the Operations face names its adapter instance by."""
    return vim.AboutInfo(
        name="VMware vCenter Server",
        fullName=f"VMware vCenter Server {versions.ABOUT_VERSION} build-{versions.ABOUT_BUILD}",
        vendor="VMware, Inc.",
        version=versions.ABOUT_VERSION,
        build=versions.ABOUT_BUILD,
        localeVersion="INTL",
        localeBuild="000",
        osType="linux-x64",
        productLineId="vpx",
        apiType="VirtualCenter",
        apiVersion=versions.CURRENT,
        instanceUuid=instance_uuid,
        licenseProductName="VMware VirtualCenter Server",
        licenseProductVersion=versions.ABOUT_VERSION.rsplit(".", 1)[0],
    )


def content(context: Context) -> Any:
    return _content(context.world.inventory.instance_uuid())


def _content(instance_uuid: str) -> Any:
    return vim.ServiceInstanceContent(
        rootFolder=vim.Folder(ROOT_FOLDER),
        propertyCollector=vmodl.query.PropertyCollector(PROPERTY_COLLECTOR),
        viewManager=vim.view.ViewManager(VIEW_MANAGER),
        about=about(instance_uuid),
        sessionManager=vim.SessionManager(SESSION_MANAGER),
        searchIndex=vim.SearchIndex(SEARCH_INDEX),
        taskManager=vim.TaskManager(TASK_MANAGER),
        authorizationManager=vim.AuthorizationManager("AuthorizationManager"),
        perfManager=vim.PerformanceManager(PERF_MANAGER),
        eventManager=vim.event.EventManager(EVENT_MANAGER),
        customFieldsManager=vim.CustomFieldsManager("CustomFieldsManager"),
        setting=vim.option.OptionManager("VpxSettings"),
        licenseManager=vim.LicenseManager("LicenseManager"),
        fileManager=vim.FileManager("FileManager"),
        ovfManager=vim.OvfManager("OvfManager"),
        alarmManager=vim.alarm.AlarmManager("AlarmManager"),
        userDirectory=vim.UserDirectory("UserDirectory"),
    )


@lru_cache(maxsize=64)
def _written_content(version: str, instance_uuid: str) -> soap.Raw:
    """The service content as answered: the same for every call of a version and vCenter."""
    info = VmomiSupport.GetWsdlMethod(soap.VIM_NS, "RetrieveServiceContent").info
    return soap.returnval(_content(instance_uuid), info.result, info.resultFlags, version)


def now(context: Context) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(context.world.state.reading().now, datetime.UTC)


def session_key(session_id: str) -> str:
    """A session's ``UserSession.key``: vCenter shows it to administrators (``sessionList``), so
    it is not the cookie's secret but made of its digest (``world.live_sessions.key_of``)."""
    return key_of(digest(session_id))


def _user_session(
    key: str, principal: PrincipalView, login: float, active: float, client: tuple[str, str]
) -> Any:
    return vim.UserSession(
        key=key,
        userName=user_name(principal),
        fullName=principal.name,
        loginTime=datetime.datetime.fromtimestamp(login, datetime.UTC),
        lastActiveTime=datetime.datetime.fromtimestamp(active, datetime.UTC),
        locale=LOCALE,
        messageLocale=LOCALE,
        extensionSession=False,
        ipAddress=client[0],
        userAgent=client[1],
        callCount=0,
    )


def user_session(context: Context, session_id: str, info: SessionInfo) -> Any:
    principal = info.caller.principal
    return _user_session(
        session_key(session_id), principal, info.created_at, info.last_used_at, context.client
    )


def session_details(context: Context, session_id: str) -> dict[str, str]:
    """What a session's sign-in or sign-out event tells of it (``UserLoginSessionEvent``)."""
    return {"session": session_key(session_id), "ip": context.client[0], "agent": context.client[1]}


def session_list(context: Context) -> list[Any]:
    """Every live vCenter session for a caller who may end sessions (Sessions.TerminateSession),
    else its own; another's address and client are not known to the world (empty)."""
    caller = context.signed_in.caller
    own = session_key(context.session_id or "")
    idle = context.world.sessions.idle_timeout(VCENTER)
    found = []
    for live in context.world.live_sessions.list(VCENTER):
        if live.key != own and not can(caller, TERMINATE):
            continue
        if live.key == own:
            found.append(user_session(context, context.session_id or "", context.signed_in))
        else:
            active = max(live.issued_at, live.expires_at - idle)  # its expiry slides with its use
            found.append(_user_session(live.key, live.principal, live.issued_at, active, ("", "")))
    return found


def methods() -> list[Method]:
    def retrieve_content(context: Context, _this: MoRef, _args: dict[str, Any]) -> Any:
        return _written_content(context.version, context.world.inventory.instance_uuid())

    def current_time(context: Context, _this: MoRef, _args: dict[str, Any]) -> Any:
        return now(context)

    def login(context: Context, _this: MoRef, args: dict[str, Any]) -> Any:
        world = context.world
        try:
            principal = world.auth.recognise(args["userName"], args["password"], True) or world.auth.sign_in(
                args["userName"], password=args["password"], sso_only=True
            )
        except Unauthenticated:
            raise faults.invalid_login() from None
        opened = world.sessions.open(principal, VCENTER)
        context.opened = opened.session_id
        world.event_history.signed(principal, LOGIN, session_details(context, opened.session_id))
        return user_session(context, opened.session_id, world.sessions.check(opened.session_id, VCENTER))

    def logout(context: Context, _this: MoRef, _args: dict[str, Any]) -> None:
        assert context.session_id is not None
        context.world.sessions.close(context.session_id, VCENTER)
        details = session_details(context, context.session_id)
        context.world.event_history.signed(context.signed_in.caller.principal, LOGOUT, details)

    def session_is_active(context: Context, this: MoRef, args: dict[str, Any]) -> bool:
        require(context.signed_in.caller, "Sessions.ValidateSession")
        live = context.world.live_sessions.find(VCENTER, args["sessionID"])
        return live is not None and args["userName"].lower() in {
            user_name(live.principal).lower(),
            live.principal.upn.lower(),
        }

    def terminate(context: Context, this: MoRef, args: dict[str, Any]) -> None:
        require(context.signed_in.caller, TERMINATE)
        keys = list(args["sessionId"])
        if session_key(context.session_id or "") in keys:
            raise faults.invalid_argument("sessionId", "A session cannot terminate itself; use Logout")
        for key in keys:
            if context.world.live_sessions.find(VCENTER, key) is None:
                raise faults.Fault(vim.fault.NotFound(), f"The session {key} was not found")
        context.world.live_sessions.end(VCENTER, keys)

    service, sessions = frozenset({"ServiceInstance"}), frozenset({"SessionManager"})
    return [
        Method("RetrieveServiceContent", retrieve_content, service, SERVICE_INSTANCE, anonymous=True),
        Method("CurrentTime", current_time, service, SERVICE_INSTANCE),  # needs a session, as vCenter's
        Method("Login", login, sessions, SESSION_MANAGER, anonymous=True, write=True),
        Method("Logout", logout, sessions, SESSION_MANAGER, write=True),
        Method("SessionIsActive", session_is_active, sessions, SESSION_MANAGER),
        Method("TerminateSession", terminate, sessions, SESSION_MANAGER, write=True),
    ]


def family() -> Family:
    """The properties of ServiceInstance and SessionManager."""

    def read(context: Context, kind: str, moids: list[str], paths: list[str]) -> dict[str, dict[str, Any]]:
        if kind == "ServiceInstance" and SERVICE_INSTANCE in moids:
            values = {"content": partial(content, context), "serverClock": partial(now, context)}
            return {SERVICE_INSTANCE: {p: values[p]() for p in paths if p in values}}
        if kind == "SessionManager" and SESSION_MANAGER in moids:
            assert context.session_id is not None
            values = {
                "currentSession": lambda: user_session(context, context.session_id or "", context.signed_in),
                "sessionList": lambda: session_list(context),
                "defaultLocale": lambda: LOCALE,
                "supportedLocaleList": lambda: [LOCALE],
                "message": lambda: context.world.session_extras.message() or None,
            }
            return {SESSION_MANAGER: {p: values[p]() for p in paths if p in values}}
        return {}

    paths = {
        "ServiceInstance": ["content", "serverClock"],
        "SessionManager": [
            "currentSession",
            "defaultLocale",
            "message",
            "sessionList",
            "supportedLocaleList",
        ],
    }
    return Family(frozenset(paths), read, lambda kind: paths[kind])
