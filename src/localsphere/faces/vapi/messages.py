"""The product's words for every error the vAPI faces answer, in one catalogue: for each reason (a
world error's ``reason``, or one of the face's own), the vAPI error type, the message id, the
default message and the ``args``, plus any further message the product adds below the first
(vCenter's messages are a cause stack: the API's own, then the host's ``vmsg.*``).

Texts and args are ``str.format`` templates over the error's arguments (``{0}``, ``{1}``, and
``{message}``, a world error's own message). An argument the product qualifies with its instance
UUID (``vm-3192:19595054-...``) is listed in ``qualified`` and qualified when the error is answered.

Sources (docs/research/vapi-messages.md has the row-by-row record): real answers quoted in the
Ansible ``vmware.vmware_rest`` collection's documentation and CI records (vm.not_found,
datacenter.not_found, power.already_powered_off with its ``vmsg.InvalidPowerState.summary``,
guest.information_not_available), bug reports of the vSphere Automation SDKs
(vm.too_many_matches, ``Cannot find service``), vmware-openapi-generator#72
(operationsForUrlNotFound), evoila/meho#2973 (vapi.invoke.invalid.input); ids marked "by analogy"
below follow a confirmed sibling, and the error types of the rest follow the operations' reference
(the bindings' docstrings and the 7.0.3 OpenAPI file).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    kind: str  # the vAPI error type: NOT_FOUND, INVALID_ARGUMENT, ...
    id: str  # the message id
    text: str  # the default message
    args: tuple[str, ...] = ()  # the ``args`` the product sends, as templates
    qualified: tuple[int, ...] = ()  # the arguments that are identifiers qualified with the instance UUID
    also: tuple[tuple[str, str], ...] = ()  # further messages: (id, text template), sent with no args
    own_args: bool = False  # the ``args`` are the world error's own arguments (``args`` unused)


AUTH_REQUIRED = "com.vmware.vapi.endpoint.method.authentication.required"
_UNAUTHENTICATED = Words("UNAUTHENTICATED", AUTH_REQUIRED, "Authentication required.")
_STATES = {"powered_on": "Powered on", "powered_off": "Powered off", "suspended": "Suspended"}


def _not_found(kind: str, what: str) -> Words:
    """``vm`` and ``datacenter`` are on record; the other kinds by analogy."""
    text = what + " with identifier '{0}' does not exist."
    return Words("NOT_FOUND", f"com.vmware.api.vcenter.{kind}.not_found", text, ("{0}",), (0,))


def _device_not_found(kind: str) -> Words:
    """World arguments: the VM, the device (by analogy with vm.not_found; the id is on record)."""
    text = "Device with identifier '{1}' does not exist on the virtual machine '{0}'."
    return Words("NOT_FOUND", "com.vmware.api.vcenter.vm.device.not_found", text, ("{1}", "{0}"), (0,))


def _in_state(state: str) -> tuple[tuple[str, str], ...]:
    """The host's message below a refusal by power state."""
    text = f"The attempted operation cannot be performed in the current state ({_STATES[state]})."
    return (("vmsg.InvalidPowerState.summary", text),)


def _already(state: str, words: str) -> Words:
    """``powered_off`` is on record; the others by analogy."""
    return Words(
        "ALREADY_IN_DESIRED_STATE",
        f"com.vmware.api.vcenter.vm.power.already_{state}",
        f"Virtual machine is already {words}.",
        also=_in_state(state),
    )


def _power_refused(action: str, state: str) -> Words:
    """By analogy with the console's ``...tickets.not_allowed_in_current_state``."""
    return Words(
        "NOT_ALLOWED_IN_CURRENT_STATE",
        f"com.vmware.api.vcenter.vm.power.{action}.not_allowed_in_current_state",
        f"Unable to {action} the virtual machine because it is {_STATES[state].lower()}.",
        also=_in_state(state),
    )


def _too_many(kind: str, plural: str) -> Words:
    """``vm`` is on record (one message, no args); the other lists by analogy."""
    text = f"Too many {plural}. Add more filter criteria to reduce the number."
    return Words("UNABLE_TO_ALLOCATE_RESOURCE", f"com.vmware.api.vcenter.{kind}.too_many_matches", text)


def reason_id(reason: str) -> str:
    """The message id of a reason whose id the product has not made public: vCenter's namespace
    and the reason (``com.vmware.api.vcenter.vm.cpu.count``)."""
    return f"com.vmware.api.vcenter.{reason}"


def _typed(kind: str, *reasons: str) -> dict[str, Words]:
    """Reasons whose error type is not their world kind's and whose message and args are the
    world's own."""
    return {reason: Words(kind, reason_id(reason), "{message}", own_args=True) for reason in reasons}


CATALOGUE: dict[str, Words] = {
    # Sessions, sign-in and the privilege check.
    "session.missing": _UNAUTHENTICATED,
    "session.invalid": _UNAUTHENTICATED,
    "credentials.invalid": _UNAUTHENTICATED,
    "account.locked": _UNAUTHENTICATED,
    "password.expired": _UNAUTHENTICATED,
    "privilege.missing": Words(  # arguments: user, privilege, object
        "UNAUTHORIZED",
        "vapi.authz.error.no.privs",
        "The following (object: {2} privileges: {1}) privileges are insufficient to user",
        ("object: {2} privileges: {1}",),
        (2,),
    ),
    # The framework: paths, methods, operations and input.
    "rest.path_unknown": Words("NOT_FOUND", "com.vmware.vapi.rest.httpNotFound", "Not found."),
    "rest.legacy_path_unknown": Words(
        "NOT_FOUND",
        "com.vmware.vapi.rest.operationsForUrlNotFound",
        "Unable to find operations for URL: {0}.",
        ("{0}",),
    ),
    "rest.method_not_allowed": Words(
        "OPERATION_NOT_FOUND",
        "com.vmware.vapi.rest.method_not_allowed",
        "The method {0} is not supported on this path",
        ("{0}",),
    ),
    "rest.action_unknown": Words(
        "OPERATION_NOT_FOUND",
        "com.vmware.vapi.rest.operation_not_found",
        "No operation for {0} with action {1}",
        ("{0}", "{1}"),
    ),
    "rpc.service_unknown": Words(
        "OPERATION_NOT_FOUND", "vapi.method.input.invalid.interface", "Cannot find service '{0}'.", ("{0}",)
    ),
    "rpc.operation_unknown": Words(  # by analogy
        "OPERATION_NOT_FOUND",
        "vapi.method.input.invalid.method",
        "Cannot find operation '{1}' in service '{0}'.",
        ("{1}", "{0}"),
    ),
    # A value the operation's input does not take: the method first, then what was wrong where.
    **{
        reason: Words(
            "INVALID_ARGUMENT",
            "vapi.invoke.invalid.input",
            "Invalid input for method: {0}",
            ("{0}",),
            also=((detail, "{1}"),),
        )
        for reason, detail in (
            ("input.invalid", "vapi.data.structure.field.invalid"),
            ("input.missing", "vapi.data.structure.field.missing"),
            ("input.unexpected", "vapi.data.structure.field.unexpected"),
        )
    },
    "input.unreadable": Words("INVALID_ARGUMENT", "vapi.json.parse.error", "{0}"),
    "input.too_large": Words("INVALID_ARGUMENT", "vapi.json.parse.error", "{0}"),
    "internal": Words(
        "ERROR",
        "com.vmware.api.vcenter.error",
        "An error has occurred while invoking the operation. (request {0})",
    ),
    # What fault injection answers, by status.
    "status.401": _UNAUTHENTICATED,
    "status.429": Words(
        "RESOURCE_BUSY", "com.vmware.vapi.std.errors.resource_busy", "Too many requests; try again later"
    ),
    "status.500": Words(
        "ERROR", "com.vmware.api.vcenter.error", "An error has occurred while invoking the operation."
    ),
    "status.503": Words(
        "SERVICE_UNAVAILABLE",
        "com.vmware.vapi.std.errors.service_unavailable",
        "The service is temporarily unavailable; try again later",
    ),
    "status.other": Words("ERROR", "com.vmware.api.vcenter.error", "{0}"),
    # Inventory lists and objects.
    "list.too_many.vm": _too_many("vm", "virtual machines"),
    "list.too_many.host": _too_many("host", "hosts"),
    "list.too_many.datastore": _too_many("datastore", "datastores"),
    "list.too_many.network": _too_many("network", "networks"),
    "list.too_many.folder": _too_many("folder", "folders"),
    "list.too_many.resource_pool": _too_many("resource_pool", "resource pools"),
    "list.too_many.cluster": _too_many("cluster", "clusters"),
    "list.too_many.datacenter": _too_many("datacenter", "datacenters"),
    "object.not_found": Words(
        "NOT_FOUND",
        "com.vmware.api.vcenter.object.not_found",
        "Object with identifier '{0}' does not exist.",
        ("{0}",),
        (0,),
    ),
    "virtualmachine.not_found": _not_found("vm", "Virtual machine"),
    "hostsystem.not_found": _not_found("host", "Host"),
    "datacenter.not_found": _not_found("datacenter", "Datacenter"),
    "clustercomputeresource.not_found": _not_found("cluster", "Cluster"),
    "datastore.not_found": _not_found("datastore", "Datastore"),
    "network.not_found": _not_found("network", "Network"),
    "folder.not_found": _not_found("folder", "Folder"),
    "resourcepool.not_found": _not_found("resource_pool", "Resource pool"),
    "vm.disk.not_found": _device_not_found("disk"),
    "vm.nic.not_found": _device_not_found("nic"),
    "vm.ethernet.not_found": _device_not_found("ethernet"),
    "vm.cdrom.not_found": _device_not_found("cdrom"),
    # VM power and state.
    "vm.power.already_powered_on": _already("powered_on", "powered on"),
    "vm.power.already_powered_off": _already("powered_off", "powered off"),
    "vm.power.already_suspended": _already("suspended", "suspended"),
    "vm.power.suspend_when_powered_off": _power_refused("suspend", "powered_off"),
    "vm.power.reset_when_powered_off": _power_refused("reset", "powered_off"),
    "vm.power.reset_when_suspended": _power_refused("reset", "suspended"),
    "vm.powered_on": Words(
        "NOT_ALLOWED_IN_CURRENT_STATE",
        "com.vmware.api.vcenter.vm.powered_on",
        "{message}",
        also=_in_state("powered_on"),
    ),
    "vm.tools.not_running": Words(
        "SERVICE_UNAVAILABLE",
        "com.vmware.api.vcenter.vm.guest.tools_not_running",
        "VMware Tools are not running in the virtual machine with identifier '{0}'.",
        ("{0}",),
        (0,),
    ),
    "vm.devices.unsimulated": Words(
        "UNSUPPORTED",
        reason_id("vm.devices.unsimulated"),
        "This vCenter does not simulate {0}; create the virtual machine without them.",
        ("{0}",),
    ),
    # Authorization (roles and permissions of /api/vcenter/authorization).
    "role.exists": Words(
        "ALREADY_EXISTS", "com.vmware.vcenter.authorization.role.already_exists", "{message}", ("{0}",)
    ),
    "role.in_use": Words(
        "RESOURCE_IN_USE", "com.vmware.vcenter.authorization.role.in_use", "{message}", ("{0}",)
    ),
    "role.system": Words(
        "UNSUPPORTED", "com.vmware.vcenter.authorization.role.system", "{message}", ("{0}",)
    ),
    "permission.last_admin": Words(
        "RESOURCE_BUSY", "com.vmware.vcenter.authorization.permission.last_admin", "{message}", ("{0}",)
    ),
    # Inventory changes whose error type is not their world kind's (the operations' reference).
    **_typed(
        "RESOURCE_IN_USE",
        "datacenter.in_use",
        "datacenter.in_use_by_vcd",
        "host.in_cluster",
        "host.in_use_by_vcd",
        "resource_pool.in_use_by_vcd",
        "vm.device.address_in_use",
        "vm.disk.file_in_use",
    ),
    **_typed(
        "UNABLE_TO_ALLOCATE_RESOURCE",
        "vm.nic.too_many",
        "vm.scsi_adapter.not_found",
        "resource_pool.insufficient",
        "datastore.insufficient_space",  # as vCenter's "Insufficient disk space on datastore 'x'."
    ),
    **_typed("UNSUPPORTED", "resource_pool.root.delete"),
    **_typed("INVALID_ELEMENT_TYPE", "host.folder_type"),
    **_typed("RESOURCE_INACCESSIBLE", "host.not_connected"),
}
