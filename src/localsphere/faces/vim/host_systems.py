"""A HostSystem's own facts: ``runtime`` (with ``bootTime``), ``summary`` (``hardware``,
``config.product``, ``runtime``, ``quickStats``), ``hardware`` (``systemInfo``, ``cpuInfo``,
``cpuPkg``, ``biosInfo``, ``memorySize``) and ``config`` (``product``, the management network's
``vmk0``), as vmware_exporter, Telegraf, community.vmware's ``vmware_host_facts`` and govc's
``host.info`` read them.

A host's CPUs run at the metric model's MHz per core (``world.metrics.HOST_MHZ_PER_CORE``), so
its CPU capacity here (cores x ``cpuMhz``) is the one its usage percentages are of;
``quickStats`` are its latest counters (``quick_stats``): ``overallCpuUsage`` is
``cpu.usagemhz.average``, ``overallMemoryUsage`` ``mem.consumed.average`` in MB, ``uptime``
``sys.uptime.latest``.
"""

from __future__ import annotations

import datetime
from typing import Any

from pyVmomi import vim

from localsphere.faces.vim.inventory import GREEN, MIB, Reader, boot_time, each, with_stats
from localsphere.faces.vim.properties import reference
from localsphere.faces.vim.quick_stats import megabytes
from localsphere.world.compute_resources import ESXI_BUILD, ESXI_VERSION, cpu_packages
from localsphere.world.inventory import HOST, MAINTENANCE, ObjectView
from localsphere.world.metrics import HOST_MHZ_PER_CORE, HOST_NICS

VENDOR, MODEL = "VMware, Inc.", "VMware7,1"
CPU_MODEL = "Intel(R) Xeon(R) Gold 6348 CPU @ 2.60GHz"  # a 2.6 GHz part: the model's MHz per core
BIOS_VERSION = "VMW71.00V.21100432.B64.2301110304"
BIOS_DATE = datetime.datetime(2023, 1, 11, tzinfo=datetime.UTC)
HZ = HOST_MHZ_PER_CORE * 1_000_000
# the world's connection state of a host (its ``subtype``) -> vim25's
CONNECTION_STATES = {"DISCONNECTED": vim.HostSystem.ConnectionState.disconnected}


def _cores(o: ObjectView) -> int:
    return o.cpu_count or 1


def product() -> Any:
    """What a host runs (``config.product``, ``summary.config.product``): ESXi."""
    return vim.AboutInfo(
        name="VMware ESXi",
        fullName=f"VMware ESXi {ESXI_VERSION} build-{ESXI_BUILD}",
        vendor=VENDOR,
        version=ESXI_VERSION,
        build=ESXI_BUILD,
        localeVersion="INTL",
        localeBuild="000",
        osType="vmnix-x86",
        productLineId="embeddedEsx",
        apiType="HostAgent",
        apiVersion=f"{ESXI_VERSION}.0",
        licenseProductName="VMware ESX Server",
        licenseProductVersion="8.0",
    )


def _runtime(o: ObjectView) -> Any:
    return vim.host.RuntimeInfo(
        connectionState=CONNECTION_STATES.get(o.subtype or "", vim.HostSystem.ConnectionState.connected),
        powerState=vim.HostSystem.PowerState.poweredOn,
        standbyMode="none",
        inMaintenanceMode=bool(o.details_json and o.details.get(MAINTENANCE)),  # none: a light read
        inQuarantineMode=False,
        bootTime=boot_time(o),
    )


def _hardware_summary(o: ObjectView) -> Any:
    cores = _cores(o)
    return vim.host.Summary.HardwareSummary(
        vendor=VENDOR,
        model=MODEL,
        uuid=o.uuid,
        memorySize=(o.memory_mib or 0) * MIB,
        cpuModel=CPU_MODEL,
        cpuMhz=HOST_MHZ_PER_CORE,
        numCpuPkgs=cpu_packages(cores),
        numCpuCores=cores,
        numCpuThreads=cores * 2,
        numNics=HOST_NICS,
        numHBAs=2,
    )


def _serial(o: ObjectView) -> str:
    return "VMware-" + o.uuid.replace("-", "")[:16]


def _hardware(o: ObjectView) -> Any:
    """``hardware``: the system, its CPU packages (two threads a core) and BIOS, and memory."""
    cores = _cores(o)
    packages = cpu_packages(cores)
    threads = cores * 2 // packages
    return vim.host.HardwareInfo(
        systemInfo=vim.host.SystemInfo(
            vendor=VENDOR,
            model=MODEL,
            uuid=o.uuid,
            serialNumber=_serial(o),
            otherIdentifyingInfo=[
                vim.host.SystemIdentificationInfo(
                    identifierValue=_serial(o),
                    identifierType=vim.ElementDescription(
                        key="ServiceTag", label="Service tag", summary="Service tag of the system"
                    ),
                )
            ],
        ),
        cpuInfo=vim.host.CpuInfo(numCpuPackages=packages, numCpuCores=cores, numCpuThreads=cores * 2, hz=HZ),
        cpuPkg=[
            vim.host.CpuPackage(
                index=i,
                vendor="intel",
                hz=HZ,
                busHz=100_000_000,
                description=CPU_MODEL,
                threadId=list(range(i * threads, (i + 1) * threads)),
            )
            for i in range(packages)
        ],
        memorySize=(o.memory_mib or 0) * MIB,
        smcPresent=False,
        biosInfo=vim.host.BIOSInfo(biosVersion=BIOS_VERSION, releaseDate=BIOS_DATE, vendor=VENDOR),
    )


def _address(o: ObjectView) -> str:
    """The host's management address (``vmk0``): stable for the host."""
    number = int(o.moid.removeprefix("host-"))
    return f"192.168.{number // 250 % 256}.{number % 250 + 2}"


def _config(o: ObjectView) -> Any:
    """``config``: the product, and the management network's VMkernel NIC."""
    mac = "00:50:56:" + ":".join(o.uuid.replace("-", "")[i : i + 2] for i in (0, 2, 4))
    vmk0 = vim.host.VirtualNic(
        device="vmk0",
        key="key-vim.host.VirtualNic-vmk0",
        portgroup="Management Network",
        spec=vim.host.VirtualNic.Specification(
            ip=vim.host.IpConfig(dhcp=False, ipAddress=_address(o), subnetMask="255.255.255.0"),
            mac=mac,
            mtu=1500,
        ),
        port="key-vim.host.PortGroup.Port-16",
    )
    return vim.host.ConfigInfo(
        host=reference(HOST, o.moid), product=product(), network=vim.host.NetworkInfo(vnic=[vmk0])
    )


def _config_summary(o: ObjectView) -> Any:
    return vim.host.Summary.ConfigSummary(
        name=o.name, port=443, vmotionEnabled=True, faultToleranceEnabled=False, product=product()
    )


def _quick_stats(_o: ObjectView, stats: dict[str, int]) -> Any:
    return vim.host.Summary.QuickStats(
        overallCpuUsage=stats["cpu.usagemhz.average"],
        overallMemoryUsage=megabytes(stats["mem.consumed.average"]),
        uptime=stats["sys.uptime.latest"],
    )


def _summary(o: ObjectView, stats: dict[str, int]) -> Any:
    return vim.host.Summary(
        host=reference(HOST, o.moid),
        hardware=_hardware_summary(o),
        runtime=_runtime(o),
        config=_config_summary(o),
        quickStats=_quick_stats(o, stats),
        overallStatus=GREEN,
        rebootRequired=False,
    )


# the HostSystem paths this module reads, for the inventory's table
PATHS: dict[str, Reader] = {
    "runtime": each(_runtime),
    "summary": with_stats(_summary),
    "summary.hardware": each(_hardware_summary),
    "summary.runtime": each(_runtime),
    "summary.config": each(_config_summary),
    "summary.quickStats": with_stats(_quick_stats),
    "hardware": each(_hardware),
    "hardware.memorySize": each(lambda o: (o.memory_mib or 0) * MIB),
    "config": each(_config),
    "config.product": each(lambda _: product()),
}
