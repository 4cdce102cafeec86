"""A vra-sdk business model, as its users write one: a module with ``RESOURCE_TYPE`` (the
resource type names the SDK filters on, ``resourceType/name``) and a class whose parameters are
the keys ``VraSdk.get_raw_definition`` gives for such a resource (snake case)."""

from vra_sdk.models.vra_object import VraBaseObject

RESOURCE_TYPE = ["Virtual Machine"]


class VirtualMachine(VraBaseObject):
    def __init__(
        self,
        id,
        name,
        status,
        lease,
        description,
        business_group,
        machine_name,
        machine_status,
        machine_cpu,
        machine_memory,
        machine_storage,
        machine_interface_type,
        machine_group_name,
        machine_blueprint_name,
        machine_reservation_name,
        expire,
        external_reference_id,
        raw_data,
        ip_address=None,
        machine_expiration_date=None,
    ):
        self.id, self.name, self.status, self.lease = id, name, status, lease
        self.description, self.business_group = description, business_group
        self.machine_name, self.machine_status = machine_name, machine_status
        self.machine_cpu, self.machine_memory, self.machine_storage = (
            machine_cpu,
            machine_memory,
            machine_storage,
        )
        self.machine_interface_type, self.machine_group_name = machine_interface_type, machine_group_name
        self.machine_blueprint_name, self.machine_reservation_name = (
            machine_blueprint_name,
            machine_reservation_name,
        )
        self.expire, self.external_reference_id, self.raw_data = expire, external_reference_id, raw_data
        self.ip_address, self.machine_expiration_date = ip_address, machine_expiration_date
