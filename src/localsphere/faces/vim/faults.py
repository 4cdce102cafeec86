"""vim25's faults: every failure of a ``/sdk`` call is an HTTP 500 SOAP fault whose ``<detail>``
types it, so that pyVmomi raises ``vim.fault.X`` / ``vmodl.fault.X`` (``SoapAdapter.SoapStubAdapter
.InvokeMethod`` raises what ``SoapResponseDeserializer`` read from a 500). Messages are vCenter's
words where known; a failure nobody expected is a ``SystemError`` naming only a request id."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from pyVmomi import VmomiSupport, vim, vmodl
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from localsphere.faces.http import InputError, status_phrase
from localsphere.faces.routing import RouteMiss, log_internal
from localsphere.faces.vim import soap, versions
from localsphere.runtime.hooks import FaceHooks
from localsphere.world import World, faults
from localsphere.world.access import VCENTER
from localsphere.world.errors import Forbidden, NotFound, Unauthenticated, WorldError, WrongState
from localsphere.world.inventory import ROOT_FOLDER

XML = "text/xml; charset=utf-8"
VERSION_MISMATCH = "VersionMismatchFaultCode"  # SOAP's faultcode of an unknown version (else Server)
NOT_AUTHENTICATED = "The session is not authenticated."
INVALID_LOGIN = "Cannot complete login due to an incorrect user name or password."


class Fault(Exception):
    """A vim25 fault to answer with: ``value`` the typed fault, ``message`` its ``faultstring``."""

    def __init__(self, value: vmodl.MethodFault, message: str) -> None:
        super().__init__(message)
        self.value = value
        self.message = message


def translated(
    run: Callable[[Any, soap.MoRef, dict[str, Any]], Any], fault: Callable[[WorldError, soap.MoRef], Fault]
) -> Callable[[Any, soap.MoRef, dict[str, Any]], Any]:
    """A method's ``run`` (context, this, arguments) whose world errors are answered as ``fault``
    makes them, for a manager whose refusals read as its own vCenter faults."""

    def call(context: Any, this: soap.MoRef, args: dict[str, Any]) -> Any:
        try:
            return run(context, this, args)
        except WorldError as exc:
            raise fault(exc, this) from exc

    return call


def not_authenticated(privilege: str = "System.View") -> Fault:
    """A call without a live session: vCenter names the root folder whatever the call's object
    (pyVmomi issue 349, node-vsphere-soap issue 8)."""
    fault = vim.fault.NotAuthenticated(object=vim.Folder(ROOT_FOLDER), privilegeId=privilege)
    return Fault(fault, NOT_AUTHENTICATED)


def invalid_login() -> Fault:
    return Fault(vim.fault.InvalidLogin(), INVALID_LOGIN)


def not_found(this: soap.MoRef) -> Fault:
    return Fault(
        vmodl.fault.ManagedObjectNotFound(obj=reference(this)),
        f"The object 'vim.{this.type}:{this.value}' has already been deleted or has not been "
        "completely created",
    )


def invalid_argument(name: str | None, message: str | None = None) -> Fault:
    """vCenter's words, naming the parameter, unless ``message`` says more."""
    text = message or f"A specified parameter was not correct: {name or ''}"
    return Fault(vmodl.fault.InvalidArgument(invalidProperty=name), text)


def invalid_property(path: str) -> Fault:
    return Fault(vmodl.query.InvalidProperty(name=path), "")


def not_implemented(name: str) -> Fault:
    return Fault(vmodl.fault.NotImplemented(), f"The operation {name} is not implemented")


def invalid_request(message: str) -> Fault:
    return Fault(vmodl.fault.InvalidRequest(), message)


def unknown_method(name: str, namespace: str) -> Fault:
    """A method name vim25 has not: vCenter's SOAP reader refuses the request (InvalidRequest,
    in its words; seen in govmomi's and yavijava's issues)."""
    return invalid_request(f"Unable to resolve WSDL method name {name} for namespace name {namespace}")


def method_not_found(this: soap.MoRef, name: str) -> Fault:
    """A vim25 method called on an object whose type has not that method; vCenter's faultstring
    is empty (pyVmomi issue 282)."""
    return Fault(vmodl.fault.MethodNotFound(receiver=reference(this), method=name), "")


def no_permission(this: soap.MoRef, privilege: str) -> Fault:
    return Fault(
        vim.fault.NoPermission(object=reference(this), privilegeId=privilege),
        f"Permission to perform this operation was denied.\nRequired privilege '{privilege}' on managed "
        f"object with id '{this.value}'.",
    )


def reference(this: soap.MoRef) -> vmodl.ManagedObject:
    """pyVmomi's reference to ``this``; a type vim25 does not know is referred to as a
    ManagedObject."""
    try:
        return getattr(vim, this.type)(this.value)
    except (AttributeError, TypeError):
        return VmomiSupport.ManagedObject(this.value)


# World reasons that vim25 names by the parameter at fault (``InvalidArgument.invalidProperty``)
INVALID_PROPERTIES = {
    "vm.cpu.count": "numCPUs",
    "vm.cpu.cores_per_socket": "numCoresPerSocket",
    "vm.memory.size": "memoryMB",
    "name.length": "name",
    "folder.wrong_kind": "list",
    "folder.other_datacenter": "list",
    "vm.guest": "guestId",
    "vm.firmware": "firmware",
    "vm.name": "name",
    "vm.files": None,  # the refusal's first value names it
}
# World reasons of a device change refused (``vm_devices``; the change's index first among the
# values) -> vCenter's fault, and its words
DEVICE_FAULTS = {
    "vm.device.spec": (vim.fault.InvalidDeviceSpec, "Invalid configuration for device '{0}'."),
    "vm.device.operation": (vim.fault.InvalidDeviceOperation, "Invalid operation for device '{0}'."),
    "vm.device.controller": (
        vim.fault.InvalidController,
        "Device '{0}' is referring to a nonexisting controller '{1}'.",
    ),
}
NOT_SUPPORTED = "The operation is not supported on the object."
# the world's power states (lower case) that are vim25's, in vCenter's words
POWER_WORDS = {"powered_on": ("poweredOn", "Powered on"), "suspended": ("suspended", "Suspended")}


def from_reason(
    reason: str, message: str, arguments: list[str], otherwise: type = vim.fault.InvalidState
) -> Fault:
    """A world refusal (``reason``, ``message`` and the values it quotes) in vim25's terms:
    DuplicateName for a name in use (``vm.exists``, ``entity.exists``: the name, the folder),
    InvalidName for an empty or too long one,
    InvalidPowerState for a VM that is not powered off, ResourceInUse for what a VM or vCD still
    uses (``*.in_use``: the kind, the name), NotSupported for what a template or a
    system folder or a root resource pool cannot do, NotFound for a revert to a current snapshot a VM has not,
    InvalidDeviceSpec, InvalidDeviceOperation or InvalidController for a device change (its
    index), FileNotFound or InvalidDatastorePath for a file on no datastore, NoDiskSpace (the
    file, the datastore's name) for a thick disk its datastore has no room for,
    InvalidHostConnectionState for a VM whose host is disconnected,
    InvalidArgument naming the parameter for a bad value, in vCenter's words ("A specified
    parameter was not correct: <parameter>"); ``otherwise`` (InvalidState, or
    InvalidArgument) for the rest."""
    if reason in ("vm.exists", "entity.exists") and len(arguments) >= 2:
        fault = vim.fault.DuplicateName(
            name=arguments[0], object=reference(soap.MoRef(_kind(arguments[1]), arguments[1]))
        )
        return Fault(fault, f"The name '{arguments[0]}' already exists.")
    if reason == "vm.powered_on" and len(arguments) >= 2 and arguments[1] in POWER_WORDS:
        state, words = POWER_WORDS[arguments[1]]
        fault = vim.fault.InvalidPowerState(existingState=state, requestedState="poweredOff")
        return Fault(fault, f"The attempted operation cannot be performed in the current state ({words}).")
    if reason == "entity.name" and arguments:
        return Fault(vim.fault.InvalidName(name=arguments[0]), f"The name '{arguments[0]}' is not valid.")
    if reason.endswith((".in_use", ".in_use_by_vcd")) and len(arguments) >= 2:
        fault = vim.fault.ResourceInUse(type=getattr(vim, arguments[0], None), name=arguments[1])
        return Fault(fault, f"The resource '{arguments[1]}' is in use.")
    if reason == "vm.snapshot.none":
        return Fault(vim.fault.NotFound(), "The object or item referred to could not be found.")
    if reason in ("vm.template", "folder.system", "entity.not_renamed", "resource_pool.root.delete"):
        return Fault(vmodl.fault.NotSupported(), NOT_SUPPORTED)
    if reason in DEVICE_FAULTS and arguments:
        return _device_fault(reason, arguments)
    if reason == "vm.host_disconnected" and arguments:
        fault = vim.fault.InvalidHostConnectionState(host=reference(soap.MoRef("HostSystem", arguments[0])))
        return Fault(fault, message)
    if reason == "datastore.insufficient_space" and len(arguments) >= 2:
        fault = vim.fault.NoDiskSpace(file=arguments[0], datastore=arguments[1])
        return Fault(fault, f"Insufficient disk space on datastore '{arguments[1]}'.")
    if reason == "vm.file_not_found" and arguments:
        return Fault(vim.fault.FileNotFound(file=arguments[0]), f"File {arguments[0]} was not found")
    if reason == "vm.datastore_path" and arguments:
        return Fault(
            vim.fault.InvalidDatastorePath(datastorePath=arguments[0]),
            f"Invalid datastore path '{arguments[0]}'.",
        )
    if reason in INVALID_PROPERTIES:
        return invalid_argument(INVALID_PROPERTIES[reason] or next(iter(arguments), None))
    if reason.startswith("placement."):
        return invalid_argument(_placement_property(arguments))
    if otherwise is vmodl.fault.InvalidArgument:
        return invalid_argument(None, message)
    return Fault(otherwise(), message)


# the start of the id a placement refusal quotes first -> the parameter vCenter names
PLACEMENT_PROPERTIES = (
    ("host-", "host"),
    ("placement", "pool"),  # none of a pool, a host or a cluster: vim25 asks for the pool
    ("resgroup-", "pool"),
    ("datastore-", "datastore"),
    ("group-", "folder"),
)


def _placement_property(arguments: list[str]) -> str | None:
    """The parameter of a placement the world refused (``placement.*``, quoting the id of the part
    that does not fit first): ``host``, ``pool``, ``datastore`` or ``folder``; None when it quotes
    none of those."""
    first = next(iter(arguments), "")
    return next((name for prefix, name in PLACEMENT_PROPERTIES if first.startswith(prefix)), None)


def _device_fault(reason: str, arguments: list[str]) -> Fault:
    cls, words = DEVICE_FAULTS[reason]
    fault = cls(deviceIndex=int(arguments[0]))
    if cls is vim.fault.InvalidController:
        fault.controllerKey = int(arguments[1])
    return Fault(fault, words.format(*arguments))


def _kind(moid: str) -> str:
    from localsphere.faces.vim.inventory import kind_of  # the inventory's faults name this module

    return kind_of(moid)


def _named_kind(moid: str) -> str | None:
    from localsphere.faces.vim.inventory import named_kind

    return named_kind(moid)


def from_world(exc: WorldError, this: soap.MoRef, privilege: str) -> Fault:
    """A world error in vim25's terms (a refusal for want of a privilege names the privilege
    the world checked; an object not found is the one the error names, when it names another
    than ``this``: the datastore of a relocation)."""
    if isinstance(exc, Unauthenticated):
        return not_authenticated(privilege)
    if isinstance(exc, Forbidden):
        return no_permission(this, exc.arguments[1] if len(exc.arguments) > 1 else privilege)
    if isinstance(exc, NotFound):
        named = exc.arguments[0] if exc.arguments else this.value
        kind = _named_kind(named) if named != this.value else None
        return not_found(this if kind is None else soap.MoRef(kind, named))
    otherwise = vim.fault.InvalidState if isinstance(exc, WrongState) else vmodl.fault.InvalidArgument
    return from_reason(exc.reason, exc.message, exc.arguments, otherwise)


def response(fault: Fault, version: str, status: int = 500, code: str = "ServerFaultCode") -> Response:
    """The SOAP fault answer (HTTP 500 unless told), with vCenter's ``faultcode``."""
    value = copy.copy(fault.value)
    value.msg = None  # the message is the faultstring, never an element of the detail
    return Response(soap.fault(value, fault.message, version, code), status_code=status, media_type=XML)


def answer(request: Request, exc: Exception) -> Response:
    """The face's ``Answer`` for what its routes raise, and for paths under ``/sdk`` no route
    serves (vCenter's web server answers those with a plain 404)."""
    version = versions.negotiated(request.headers.get("soapaction"))
    if isinstance(exc, Fault):
        return response(exc, version)
    if isinstance(exc, RouteMiss):
        return Response(status_phrase(exc.status), status_code=exc.status, media_type="text/plain")
    if isinstance(exc, InputError):
        return response(invalid_request(exc.detail or "The request is too large"), version)
    rid = log_internal(request, exc)
    fault = Fault(
        vmodl.fault.SystemError(reason=f"Internal error {rid}"), f"A general system error occurred: {rid}"
    )
    return response(fault, version)


def render(scope: Scope, status: int, _body: bytes) -> Response:
    """An injected failure: a ``SystemError`` fault with the injected status."""
    phrase = status_phrase(status)
    fault = Fault(vmodl.fault.SystemError(reason=phrase), f"A general system error occurred: {phrase}")
    headers = dict((k.decode().lower(), v.decode()) for k, v in scope.get("headers", ()))
    return response(fault, versions.negotiated(headers.get("soapaction")), status)


def hooks(world: World) -> FaceHooks:
    def who(scope: Scope, _body: bytes) -> str | None:
        session_id = soap.session_cookie(Request(scope))
        if not session_id:
            return None
        try:
            return world.sessions.check(session_id, VCENTER).caller.principal.upn
        except WorldError:
            return None

    return FaceHooks(faults.VCENTER, render, answer, who)
