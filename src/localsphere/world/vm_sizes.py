"""How big a VM may be, as vSphere 8 bounds it: 1 to 768 virtual CPUs in whole sockets, and 4 MiB
to 24 TiB of memory in multiples of 4 MiB. Checked wherever a VM is made or resized."""

from __future__ import annotations

from localsphere.world.errors import Invalid

CPUS_MOST = 768  # vSphere 8's most virtual CPUs of one VM
MEMORY_MIB_MOST = 24 * 1024 * 1024  # 24 TiB
MEMORY_STEP_MIB = 4  # memory comes in multiples of 4 MiB


def check_cpus(count: int, cores_per_socket: int) -> None:
    """Invalid (``vm.cpu.count``) for a count out of 1..768, (``vm.cpu.cores_per_socket``) for
    one that does not divide into sockets of ``cores_per_socket``."""
    if not 1 <= count <= CPUS_MOST:
        raise Invalid("vm.cpu.count", f"CPU count must be 1 to {CPUS_MOST}", str(count))
    if cores_per_socket < 1 or count % cores_per_socket:
        raise Invalid(
            "vm.cpu.cores_per_socket",
            f"{count} CPUs do not divide into sockets of {cores_per_socket} cores",
            str(count),
            str(cores_per_socket),
        )


def check_memory(size_mib: int) -> None:
    """Invalid (``vm.memory.size``) for a size out of bounds or not a multiple of 4 MiB."""
    if not MEMORY_STEP_MIB <= size_mib <= MEMORY_MIB_MOST or size_mib % MEMORY_STEP_MIB:
        raise Invalid(
            "vm.memory.size",
            f"Memory size must be a multiple of {MEMORY_STEP_MIB} MiB from 4 MiB to 24 TiB",
            str(size_mib),
        )
