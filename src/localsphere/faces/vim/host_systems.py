"""A HostSystem's own facts: ``runtime`` (with ``bootTime`` and ``healthSystemRuntime``: a few
green sensors), ``summary`` (``hardware``, ``config.product``, ``runtime``, ``quickStats``,
``managementServerIp``), ``hardware`` (``systemInfo``, ``cpuInfo``, ``cpuPkg``, ``biosInfo``,
``memorySize``), ``capability``, ``configManager`` (its managers: ``host_managers``) and
``config`` (``product``, ``network``, ``storageDevice``, ``dateTimeInfo``, ``service``,
``firewall``, ``hyperThread``, power policy), as vmware_exporter, Telegraf, community.vmware's
``vmware_host_facts`` / ``vmware_host_info`` and govc's ``host.info`` read them.

A host's network is one standard switch ``vSwitch0`` on its two physical NICs, with the
``Management Network`` port group of its VMkernel NIC ``vmk0`` (its management address, on a /24
whose gateway is ``.254``) and a port group for each standard port group network of its
datacenter (every host of a datacenter has them all, as its ``network`` says). Its storage is two
host bus adapters and, for each VMFS datastore of its datacenter, the datastore's extent disk
(``naa.<datastore uuid>``). vCenter manages it from ``MANAGEMENT_SERVER`` (``192.168.0.1``, an
address on the hosts' management networks: the server has no address of its own in the world).

A host's CPUs run at the metric model's MHz per core (``world.metrics.HOST_MHZ_PER_CORE``), so
its CPU capacity here (cores x ``cpuMhz``) is the one its usage percentages are of;
``quickStats`` are its latest counters (``quick_stats``): ``overallCpuUsage`` is
``cpu.usagemhz.average``, ``overallMemoryUsage`` ``mem.consumed.average`` in MB, ``uptime``
``sys.uptime.latest``.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim import datastores as datastore_facts
from localsphere.faces.vim.data_objects import build
from localsphere.faces.vim.inventory import GREEN, MIB, Reader, boot_time, each, sight, with_stats
from localsphere.faces.vim.properties import reference
from localsphere.faces.vim.quick_stats import megabytes
from localsphere.world.compute_resources import ESXI_BUILD, ESXI_VERSION, cpu_packages
from localsphere.world.inventory import DATASTORE, DISCONNECTED, HOST, MAINTENANCE, NETWORK, ObjectView
from localsphere.world.metrics import HOST_MHZ_PER_CORE, HOST_NICS

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

VENDOR, MODEL = "VMware, Inc.", "VMware7,1"
CPU_MODEL = "Intel(R) Xeon(R) Gold 6348 CPU @ 2.60GHz"  # a 2.6 GHz part: the model's MHz per core
BIOS_VERSION = "VMW71.00V.21100432.B64.2301110304"
BIOS_DATE = datetime.datetime(2023, 1, 11, tzinfo=datetime.UTC)
HZ = HOST_MHZ_PER_CORE * 1_000_000
MANAGEMENT_SERVER = "192.168.0.1"  # vCenter, as its hosts know it (``summary.managementServerIp``)
VSWITCH, MANAGEMENT = "vSwitch0", "Management Network"
STANDARD = "STANDARD_PORTGROUP"  # the world's standard port group networks (a host's port groups)
DNS_DOMAIN = "localsphere.test"
# the world's connection state of a host (its ``subtype``) -> vim25's
CONNECTION_STATES = {DISCONNECTED: vim.HostSystem.ConnectionState.disconnected}


def _cores(o: ObjectView) -> int:
    return o.cpu_count or 1


def product() -> Any:
    """What a host runs (``config.product``, ``summary.config.product``): ESXi."""
    return build(
        vim.AboutInfo,
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
    return build(
        vim.host.RuntimeInfo,
        connectionState=CONNECTION_STATES.get(o.subtype or "", vim.HostSystem.ConnectionState.connected),
        powerState=vim.HostSystem.PowerState.poweredOn,
        standbyMode="none",
        inMaintenanceMode=bool(o.details_json and o.details.get(MAINTENANCE)),  # none: a light read
        inQuarantineMode=False,
        bootTime=boot_time(o),
        healthSystemRuntime=_health(o),
    )


def _hardware_summary(o: ObjectView) -> Any:
    cores = _cores(o)
    return build(
        vim.host.Summary.HardwareSummary,
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
    return build(
        vim.host.HardwareInfo,
        systemInfo=build(
            vim.host.SystemInfo,
            vendor=VENDOR,
            model=MODEL,
            uuid=o.uuid,
            serialNumber=_serial(o),
            otherIdentifyingInfo=[
                build(
                    vim.host.SystemIdentificationInfo,
                    identifierValue=_serial(o),
                    identifierType=build(
                        vim.ElementDescription,
                        key="ServiceTag",
                        label="Service tag",
                        summary="Service tag of the system",
                    ),
                )
            ],
        ),
        cpuInfo=build(
            vim.host.CpuInfo, numCpuPackages=packages, numCpuCores=cores, numCpuThreads=cores * 2, hz=HZ
        ),
        cpuPkg=[
            build(
                vim.host.CpuPackage,
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
        biosInfo=build(vim.host.BIOSInfo, biosVersion=BIOS_VERSION, releaseDate=BIOS_DATE, vendor=VENDOR),
    )


def management_address(o: ObjectView) -> str:
    """The host's management address (``vmk0``): stable for the host."""
    number = int(o.moid.removeprefix("host-"))
    return f"192.168.{number // 250 % 256}.{number % 250 + 2}"


def _mac(o: ObjectView, nic: int) -> str:
    """A MAC address of the host's (``nic`` 0: ``vmk0``; 1, 2: its physical NICs), VMware's OUI."""
    octets = o.uuid.replace("-", "")
    return f"00:50:56:{octets[0:2]}:{octets[2:4]}:{int(octets[4:6], 16) ^ nic:02x}"


def _vmk0(o: ObjectView) -> Any:
    return build(
        vim.host.VirtualNic,
        device="vmk0",
        key="key-vim.host.VirtualNic-vmk0",
        portgroup=MANAGEMENT,
        spec=build(
            vim.host.VirtualNic.Specification,
            ip=build(
                vim.host.IpConfig, dhcp=False, ipAddress=management_address(o), subnetMask="255.255.255.0"
            ),
            mac=_mac(o, 0),
            mtu=1500,
        ),
        port="key-vim.host.PortGroup.Port-16",
    )


def _pnics(o: ObjectView) -> list[Any]:
    return [
        build(
            vim.host.PhysicalNic,
            key=f"key-vim.host.PhysicalNic-vmnic{i}",
            device=f"vmnic{i}",
            pci=f"0000:0{i + 3}:00.0",
            driver="nvmxnet3",
            linkSpeed=build(vim.host.PhysicalNic.LinkSpeedDuplex, speedMb=10_000, duplex=True),
            validLinkSpecification=[build(vim.host.PhysicalNic.LinkSpeedDuplex, speedMb=10_000, duplex=True)],
            spec=build(
                vim.host.PhysicalNic.Specification,
                ip=build(vim.host.IpConfig, dhcp=False),
                linkSpeed=build(vim.host.PhysicalNic.LinkSpeedDuplex, speedMb=10_000, duplex=True),
            ),
            wakeOnLanSupported=False,
            mac=_mac(o, i + 1),
            autoNegotiateSupported=False,
        )
        for i in range(HOST_NICS)
    ]


def _portgroup_spec(name: str) -> Any:
    return build(
        vim.host.PortGroup.Specification,
        name=name,
        vlanId=0,
        vswitchName=VSWITCH,
        policy=build(vim.host.NetworkPolicy),
    )


def _portgroup_key(name: str) -> str:
    return f"key-vim.host.PortGroup-{name}"


def network_info(o: ObjectView, networks: list[ObjectView]) -> Any:
    """``config.network`` (``HostNetworkSystem.networkInfo``): ``vSwitch0`` on the physical NICs,
    the management port group and one for each of ``networks`` (the standard port groups of its
    datacenter), ``vmk0``, DNS and the default route."""
    names = [MANAGEMENT, *(n.name for n in networks)]
    nics = [f"vmnic{i}" for i in range(HOST_NICS)]
    vswitch_key = f"key-vim.host.VirtualSwitch-{VSWITCH}"
    return build(
        vim.host.NetworkInfo,
        vswitch=[
            build(
                vim.host.VirtualSwitch,
                name=VSWITCH,
                key=vswitch_key,
                numPorts=128,
                numPortsAvailable=128 - len(names),
                mtu=1500,
                portgroup=[_portgroup_key(n) for n in names],
                pnic=[f"key-vim.host.PhysicalNic-{n}" for n in nics],
                spec=build(
                    vim.host.VirtualSwitch.Specification,
                    numPorts=128,
                    bridge=build(vim.host.VirtualSwitch.BondBridge, nicDevice=nics),
                    policy=build(vim.host.NetworkPolicy),
                    mtu=1500,
                ),
            )
        ],
        portgroup=[
            build(
                vim.host.PortGroup,
                key=_portgroup_key(n),
                port=[],
                vswitch=vswitch_key,
                computedPolicy=build(vim.host.NetworkPolicy),
                spec=_portgroup_spec(n),
            )
            for n in names
        ],
        pnic=_pnics(o),
        vnic=[_vmk0(o)],
        consoleVnic=[],
        dnsConfig=_dns(o),
        ipRouteConfig=_route(o),
        ipV6Enabled=False,
        atBootIpV6Enabled=False,
    )


def _dns(o: ObjectView) -> Any:
    return build(
        vim.host.DnsConfig,
        dhcp=False,
        hostName=o.name.split(".")[0],
        domainName=DNS_DOMAIN,
        address=[MANAGEMENT_SERVER],
        searchDomain=[DNS_DOMAIN],
    )


def _route(o: ObjectView) -> Any:
    return build(
        vim.host.IpRouteConfig,
        defaultGateway=management_address(o).rsplit(".", 1)[0] + ".254",
        gatewayDevice="vmk0",
    )


def network_config(o: ObjectView, networks: list[ObjectView]) -> Any:
    """``HostNetworkSystem.networkConfig``: the same network as a configuration."""
    info = network_info(o, networks)
    return build(
        vim.host.NetworkConfig,
        vswitch=[
            build(vim.host.VirtualSwitch.Config, changeOperation="edit", name=v.name, spec=v.spec)
            for v in info.vswitch
        ],
        portgroup=[
            build(vim.host.PortGroup.Config, changeOperation="edit", spec=p.spec) for p in info.portgroup
        ],
        pnic=[build(vim.host.PhysicalNic.Config, device=p.device, spec=p.spec) for p in info.pnic],
        vnic=[
            build(
                vim.host.VirtualNic.Config,
                changeOperation="edit",
                device="vmk0",
                portgroup=MANAGEMENT,
                spec=v.spec,
            )
            for v in info.vnic
        ],
        dnsConfig=info.dnsConfig,
        ipRouteConfig=info.ipRouteConfig,
        ipV6Enabled=False,
    )


def _disk(key: str, name: str, blocks: int, local: bool) -> Any:
    return build(
        vim.host.ScsiDisk,
        deviceName=f"/vmfs/devices/disks/{name}",
        deviceType="disk",
        key=key,
        uuid=name.removeprefix("naa.").ljust(32, "0")[:32],
        canonicalName=name,
        displayName=f"{'Local' if local else 'VMware'} Disk ({name})",
        lunType="disk",
        vendor="VMware  ",
        model="Virtual disk    ",
        revision="2.0 ",
        scsiLevel=6,
        queueDepth=64,
        operationalState=["ok"],
        capabilities=build(vim.host.ScsiLun.Capabilities, updateDisplayNameSupported=True),
        vStorageSupport="vStorageUnsupported",
        capacity=build(vim.host.DiskDimensions.Lba, blockSize=512, block=blocks),
        devicePath=f"/vmfs/devices/disks/{name}",
        ssd=True,
        localDisk=local,
    )


BOOT_DISK = "mpx.vmhba0:C0:T0:L0"
BOOT_BLOCKS = 64 * (1 << 30) // 512  # a 64 GB boot disk


def storage_device(datastores: list[ObjectView]) -> Any:
    """``config.storageDevice`` (``HostStorageSystem.storageDeviceInfo``): two adapters, the boot
    disk and each VMFS datastore's extent disk (``naa.<uuid>``, its capacity)."""
    disks = [_disk(f"key-vim.host.ScsiDisk-{BOOT_DISK}", BOOT_DISK, BOOT_BLOCKS, True)]
    for ds in datastores:
        if (ds.subtype or "VMFS") == "VMFS":
            name = f"naa.{ds.uuid.replace('-', '')}"
            disks.append(_disk(f"key-vim.host.ScsiDisk-{name}", name, (ds.capacity or 0) // 512, False))
    return build(
        vim.host.StorageDeviceInfo,
        hostBusAdapter=[
            build(
                vim.host.ParallelScsiHba,
                key=f"key-vim.host.ParallelScsiHba-vmhba{i}",
                device=f"vmhba{i}",
                bus=3 + i,
                status="unknown",
                model="PVSCSI SCSI Controller",
                driver="pvscsi",
                pci=f"0000:0{3 + i}:00.0",
                storageProtocol="scsi",
            )
            for i in range(2)
        ],
        scsiLun=disks,
        softwareInternetScsiEnabled=False,
    )


def file_system_volumes(datastores: list[ObjectView]) -> Any:
    """``config.fileSystemVolume`` (``HostStorageSystem.fileSystemVolumeInfo``): each datastore
    of its datacenter mounted, with its volume (as the datastore's ``info`` and ``host`` say)."""
    return build(
        vim.host.FileSystemVolumeInfo,
        volumeTypeList=["VMFS", "NFS", "NFS41", "vsan", "VVOL", "VFFS", "OTHER", "PMEM"],
        mountInfo=[
            build(
                vim.host.FileSystemMountInfo,
                mountInfo=datastore_facts.mount_info(ds),
                volume=datastore_facts.volume(ds),
                vStorageSupport="vStorageUnsupported",
            )
            for ds in datastores
        ],
    )


def date_time_info() -> Any:
    """``config.dateTimeInfo`` (``HostDateTimeSystem.dateTimeInfo``): UTC, synchronised by NTP
    from vCenter's address."""
    return build(
        vim.host.DateTimeInfo,
        timeZone=build(
            vim.host.DateTimeSystem.TimeZone, key="UTC", name="UTC", description="UTC", gmtOffset=0
        ),
        systemClockProtocol="ntp",
        ntpConfig=build(
            vim.host.NtpConfig, server=[MANAGEMENT_SERVER], configFile=[f"server {MANAGEMENT_SERVER}"]
        ),
        enabled=True,
    )


# the host's services (key, label, running, policy, firewall rule sets), as an ESXi 8 lists them
SERVICES = (
    ("TSM", "Direct Console UI", True, "on", []),
    ("TSM-SSH", "SSH", False, "off", ["sshServer"]),
    ("lbtd", "Load-Based Teaming Daemon", True, "on", []),
    ("ntpd", "NTP Daemon", True, "on", ["ntpClient"]),
    ("sfcbd-watchdog", "CIM Server", False, "off", ["CIMHttpServer", "CIMHttpsServer"]),
    ("snmpd", "SNMP Server", False, "off", ["snmp"]),
    ("vpxa", "VMware vCenter Agent", True, "on", ["vpxHeartbeats"]),
)
RULESETS = (  # key, label, enabled, port, direction, protocol
    ("sshServer", "SSH Server", False, 22, "inbound", "tcp"),
    ("ntpClient", "NTP Client", True, 123, "outbound", "udp"),
    ("CIMHttpServer", "CIM Server", False, 5988, "inbound", "tcp"),
    ("CIMHttpsServer", "CIM Secure Server", False, 5989, "inbound", "tcp"),
    ("snmp", "SNMP Server", False, 161, "inbound", "udp"),
    ("vpxHeartbeats", "VMware vCenter Agent", True, 902, "outbound", "udp"),
)


def service_info() -> Any:
    """``config.service`` (``HostServiceSystem.serviceInfo``)."""
    return build(
        vim.host.ServiceInfo,
        service=[
            build(
                vim.host.Service,
                key=key,
                label=label,
                required=False,
                uninstallable=False,
                running=running,
                ruleset=rulesets,
                policy=policy,
            )
            for key, label, running, policy, rulesets in SERVICES
        ],
    )


def firewall_info() -> Any:
    """``config.firewall`` (``HostFirewallSystem.firewallInfo``): what is not allowed is dropped."""
    return build(
        vim.host.FirewallInfo,
        defaultPolicy=build(vim.host.FirewallInfo.DefaultPolicy, incomingBlocked=True, outgoingBlocked=True),
        ruleset=[
            build(
                vim.host.Ruleset,
                key=key,
                label=label,
                required=False,
                rule=[
                    build(
                        vim.host.Ruleset.Rule,
                        port=port,
                        direction=direction,
                        portType="dst",
                        protocol=protocol,
                    )
                ],
                enabled=enabled,
                allowedHosts=build(vim.host.Ruleset.IpList, allIp=True),
            )
            for key, label, enabled, port, direction, protocol in RULESETS
        ],
    )


HYPERTHREADING = build(
    vim.host.CpuSchedulerSystem.HyperThreadScheduleInfo, available=True, active=True, config=True
)
POWER_POLICY = build(
    vim.host.PowerSystem.PowerPolicy, key=2, name="Balanced", shortName="dynamic", description=""
)


def power_capability() -> Any:
    """``HostPowerSystem.capability``: ESXi's four policies."""
    policies = ((1, "High performance", "static"), (2, "Balanced", "dynamic"), (3, "Low power", "low"))
    return build(
        vim.host.PowerSystem.Capability,
        availablePolicy=[
            build(vim.host.PowerSystem.PowerPolicy, key=k, name=n, shortName=s, description="")
            for k, n, s in (*policies, (4, "Custom", "custom"))
        ],
    )


def in_datacenters(context: Context, hosts: list[ObjectView], kind: str) -> dict[str, list[ObjectView]]:
    """The datastores or networks (``kind``) of each host's datacenter the caller sees (every host
    of a datacenter has them all), by host id; the networks: the standard port groups."""
    graph, seen = context.world.inventory_graph, sight(context)
    found: dict[str, list[ObjectView]] = {}
    for dc in {o.datacenter for o in hosts if o.datacenter}:
        found[dc] = [
            x
            for x in graph.contents(dc, {kind}, True, None, 10_000, seen, details=False)
            if kind != NETWORK or x.subtype == STANDARD
        ]
    return {o.moid: found.get(o.datacenter or "", []) for o in hosts}


def _configs(context: Context, objects: list[ObjectView]) -> dict[str, Any]:
    """``config``: the product, network, storage, time, services, firewall, CPU and power."""
    networks = in_datacenters(context, objects, NETWORK)
    datastores = in_datacenters(context, objects, DATASTORE)
    return {
        o.moid: build(
            vim.host.ConfigInfo,
            host=reference(HOST, o.moid),
            product=product(),
            hyperThread=HYPERTHREADING,
            storageDevice=storage_device(datastores[o.moid]),
            fileSystemVolume=file_system_volumes(datastores[o.moid]),
            network=network_info(o, networks[o.moid]),
            service=service_info(),
            firewall=firewall_info(),
            dateTimeInfo=date_time_info(),
            powerSystemCapability=power_capability(),
            powerSystemInfo=build(vim.host.PowerSystem.Info, currentPolicy=POWER_POLICY),
            adminDisabled=False,
            lockdownMode="lockdownDisabled",
            wakeOnLanCapable=False,
        )
        for o in objects
    }


def _capability(_o: ObjectView) -> Any:
    """``capability``: what an ESXi 8 host on this hardware can do."""
    return build(
        vim.host.Capability,
        recursiveResourcePoolsSupported=True,
        cpuMemoryResourceConfigurationSupported=True,
        rebootSupported=True,
        shutdownSupported=True,
        vmotionSupported=True,
        standbySupported=False,
        ipmiSupported=False,
        maxSupportedVMs=None,
        maxRunningVMs=0,
        maxSupportedVcpus=None,
        maxRegisteredVMs=8192,
        datastorePrincipalSupported=False,
        sanSupported=True,
        nfsSupported=True,
        iscsiSupported=True,
        vlanTaggingSupported=True,
        nicTeamingSupported=True,
        highGuestMemSupported=True,
        maintenanceModeSupported=True,
        suspendedRelocateSupported=True,
        restrictedSnapshotRelocateSupported=True,
        perVmSwapFiles=True,
        localSwapDatastoreSupported=True,
        unsharedSwapVMotionSupported=True,
        backgroundSnapshotsSupported=False,
        preAssignedPCIUnitNumbersSupported=True,
        screenshotSupported=True,
        scaledScreenshotSupported=True,
        storageVMotionSupported=True,
        vmotionWithStorageVMotionSupported=True,
        vmotionAcrossNetworkSupported=True,
        maxNumDisksSVMotion=248,
        hbrNicSelectionSupported=True,
        vrNfcNicSelectionSupported=True,
        recordReplaySupported=False,
        ftSupported=False,
        smpFtSupported=True,
        maxVcpusPerFtVm=8,
        loginBySSLThumbprintSupported=True,
        cloneFromSnapshotSupported=True,
        deltaDiskBackingsSupported=True,
        perVMNetworkTrafficShapingSupported=False,
        tpmSupported=False,
        virtualExecUsageSupported=True,
        storageIORMSupported=True,
        vmDirectPathGen2Supported=False,
        supportedVmfsMajorVersion=[5, 6],
        vStorageCapable=True,
        snapshotRelayoutSupported=True,
        firewallIpRulesSupported=True,
        servicePackageInfoSupported=True,
        maxHostRunningVms=1024,
        maxHostSupportedVcpus=4096,
        vmfsDatastoreMountCapable=True,
        eightPlusHostVmfsSharedAccessSupported=True,
        nestedHVSupported=True,
        vPMCSupported=True,
        interVMCommunicationThroughVMCISupported=False,
        scheduledHardwareUpgradeSupported=True,
        featureCapabilitiesSupported=True,
        latencySensitivitySupported=True,
        storagePolicySupported=True,
        accel3dSupported=True,
        reliableMemoryAware=True,
        multipleNetworkStackInstanceSupported=True,
        messageBusProxySupported=True,
        vsanSupported=True,
        vFlashSupported=True,
        hostAccessManagerSupported=True,
        provisioningNicSelectionSupported=True,
        nfs41Supported=True,
        nfs41Krb5iSupported=True,
        turnDiskLocatorLedSupported=True,
        virtualVolumeDatastoreSupported=True,
        markAsSsdSupported=True,
        markAsLocalSupported=True,
        smartCardAuthenticationSupported=True,
        cryptoSupported=True,
        oneKVolumeAPIsSupported=True,
        gatewayOnNicSupported=True,
        cpuHwMmuSupported=True,
        encryptedVMotionSupported=True,
        quickBootSupported=False,
        maxSupportedVmMemory=25_149_440,
    )


def _health(_o: ObjectView) -> Any:
    """``runtime.healthSystemRuntime``: a few sensors, each green, and the CPUs and memory ok."""
    green = build(
        vim.ElementDescription,
        label="Green",
        summary="Sensor is operating under normal conditions",
        key="green",
    )
    sensors = (  # name, reading (x 10^-2), base unit, type
        ("System Board 1 Ambient Temp", 2500, "Degrees C", "temperature"),
        ("Power Supply 1 Input Voltage", 23000, "Volts", "voltage"),
        ("System Board 1 Fan 1", 360000, "RPM", "fan"),
    )
    return build(
        vim.host.HealthStatusSystem.Runtime,
        systemHealthInfo=build(
            vim.host.SystemHealthInfo,
            numericSensorInfo=[
                build(
                    vim.host.NumericSensorInfo,
                    name=name,
                    healthState=green,
                    currentReading=reading,
                    unitModifier=-2,
                    baseUnits=unit,
                    rateUnits="none",
                    sensorType=kind,
                    id=f"0.{index}",
                )
                for index, (name, reading, unit, kind) in enumerate(sensors, 1)
            ],
        ),
        hardwareStatusInfo=build(
            vim.host.HardwareStatusInfo,
            memoryStatusInfo=[
                build(vim.host.HardwareStatusInfo.HardwareElementInfo, name="Memory", status=green)
            ],
            cpuStatusInfo=[
                build(vim.host.HardwareStatusInfo.HardwareElementInfo, name="CPU socket #0", status=green)
            ],
            storageStatusInfo=[],
        ),
    )


def _config_summary(o: ObjectView) -> Any:
    return build(
        vim.host.Summary.ConfigSummary,
        name=o.name,
        port=443,
        vmotionEnabled=True,
        faultToleranceEnabled=False,
        product=product(),
    )


def _quick_stats(_o: ObjectView, stats: dict[str, int]) -> Any:
    return build(
        vim.host.Summary.QuickStats,
        overallCpuUsage=stats["cpu.usagemhz.average"],
        overallMemoryUsage=megabytes(stats["mem.consumed.average"]),
        uptime=stats["sys.uptime.latest"],
    )


def _summary(o: ObjectView, stats: dict[str, int]) -> Any:
    return build(
        vim.host.Summary,
        host=reference(HOST, o.moid),
        hardware=_hardware_summary(o),
        runtime=_runtime(o),
        config=_config_summary(o),
        quickStats=_quick_stats(o, stats),
        overallStatus=_status(o),
        rebootRequired=False,
        managementServerIp=MANAGEMENT_SERVER,
    )


def _status(o: ObjectView) -> Any:
    """A host's ``overallStatus``: gray while disconnected (vCenter knows nothing of it), else green."""
    return vim.ManagedEntity.Status.gray if o.subtype == DISCONNECTED else GREEN


# the HostSystem paths this module reads, for the inventory's table
PATHS: dict[str, Reader] = {
    "overallStatus": each(_status),
    "summary.overallStatus": each(_status),
    "runtime": each(_runtime),
    "summary": with_stats(_summary),
    "summary.hardware": each(_hardware_summary),
    "summary.runtime": each(_runtime),
    "summary.config": each(_config_summary),
    "summary.quickStats": with_stats(_quick_stats),
    "hardware": each(_hardware),
    "hardware.memorySize": each(lambda o: (o.memory_mib or 0) * MIB),
    "summary.managementServerIp": each(lambda _: MANAGEMENT_SERVER),
    "capability": each(_capability),
    "config": _configs,
    "config.product": each(lambda _: product()),
    "config.dateTimeInfo": each(lambda _: date_time_info()),
    "config.service": each(lambda _: service_info()),
    "config.firewall": each(lambda _: firewall_info()),
}
