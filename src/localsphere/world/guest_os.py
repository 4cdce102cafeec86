"""The guest operating systems a VM can be made for, as vCenter knows them: each by its name in
vAPI's spelling (``GuestOS``, ``CENTOS_7_64``), which is how the world keeps a VM's guest; its
family and its full name ("CentOS 7 (64-bit)").

The names are vAPI's ``com.vmware.vcenter.vm.GuestOS`` enum (vSphere 9.1), plus ``FLATCAR_64``,
which vim25's ``GuestOsIdentifier`` has (``flatcar_64Guest``) and vAPI does not name yet.
"""

from __future__ import annotations

from localsphere.world.errors import Invalid

NAMES = frozenset(
    [
        "ALMALINUX_64",
        "AMAZONLINUX2_64",
        "AMAZONLINUX3_64",
        "ASIANUX_3",
        "ASIANUX_3_64",
        "ASIANUX_4",
        "ASIANUX_4_64",
        "ASIANUX_5_64",
        "ASIANUX_7_64",
        "ASIANUX_8_64",
        "ASIANUX_9_64",
        "CENTOS",
        "CENTOS_6",
        "CENTOS_64",
        "CENTOS_6_64",
        "CENTOS_7",
        "CENTOS_7_64",
        "CENTOS_8_64",
        "CENTOS_9_64",
        "COREOS_64",
        "CRXPOD_1",
        "CRXSYS_1",
        "DARWIN",
        "DARWIN_10",
        "DARWIN_10_64",
        "DARWIN_11",
        "DARWIN_11_64",
        "DARWIN_12_64",
        "DARWIN_13_64",
        "DARWIN_14_64",
        "DARWIN_15_64",
        "DARWIN_16_64",
        "DARWIN_17_64",
        "DARWIN_18_64",
        "DARWIN_19_64",
        "DARWIN_20_64",
        "DARWIN_21_64",
        "DARWIN_22_64",
        "DARWIN_23_64",
        "DARWIN_64",
        "DEBIAN_10",
        "DEBIAN_10_64",
        "DEBIAN_11",
        "DEBIAN_11_64",
        "DEBIAN_12",
        "DEBIAN_12_64",
        "DEBIAN_13",
        "DEBIAN_13_64",
        "DEBIAN_4",
        "DEBIAN_4_64",
        "DEBIAN_5",
        "DEBIAN_5_64",
        "DEBIAN_6",
        "DEBIAN_6_64",
        "DEBIAN_7",
        "DEBIAN_7_64",
        "DEBIAN_8",
        "DEBIAN_8_64",
        "DEBIAN_9",
        "DEBIAN_9_64",
        "DOS",
        "ECOMSTATION",
        "ECOMSTATION_2",
        "FEDORA",
        "FEDORA_64",
        "FLATCAR_64",
        "FREEBSD",
        "FREEBSD_11",
        "FREEBSD_11_64",
        "FREEBSD_12",
        "FREEBSD_12_64",
        "FREEBSD_13",
        "FREEBSD_13_64",
        "FREEBSD_14",
        "FREEBSD_14_64",
        "FREEBSD_15",
        "FREEBSD_15_64",
        "FREEBSD_64",
        "FUSIONOS_64",
        "GENERIC_LINUX",
        "KYLINLINUX_64",
        "MANDRAKE",
        "MANDRIVA",
        "MANDRIVA_64",
        "MIRACLELINUX_64",
        "NETWARE_4",
        "NETWARE_5",
        "NETWARE_6",
        "NLD_9",
        "OES",
        "OPENSERVER_5",
        "OPENSERVER_6",
        "OPENSUSE",
        "OPENSUSE_64",
        "ORACLE_LINUX",
        "ORACLE_LINUX_10_64",
        "ORACLE_LINUX_6",
        "ORACLE_LINUX_64",
        "ORACLE_LINUX_6_64",
        "ORACLE_LINUX_7",
        "ORACLE_LINUX_7_64",
        "ORACLE_LINUX_8_64",
        "ORACLE_LINUX_9_64",
        "OS2",
        "OTHER",
        "OTHER_24X_LINUX",
        "OTHER_24X_LINUX_64",
        "OTHER_26X_LINUX",
        "OTHER_26X_LINUX_64",
        "OTHER_3X_LINUX",
        "OTHER_3X_LINUX_64",
        "OTHER_4X_LINUX",
        "OTHER_4X_LINUX_64",
        "OTHER_5X_LINUX",
        "OTHER_5X_LINUX_64",
        "OTHER_64",
        "OTHER_6X_LINUX",
        "OTHER_6X_LINUX_64",
        "OTHER_7X_LINUX",
        "OTHER_7X_LINUX_64",
        "OTHER_LINUX",
        "OTHER_LINUX_64",
        "PARDUS_64",
        "PROLINUX_64",
        "REDHAT",
        "RHEL_10_64",
        "RHEL_2",
        "RHEL_3",
        "RHEL_3_64",
        "RHEL_4",
        "RHEL_4_64",
        "RHEL_5",
        "RHEL_5_64",
        "RHEL_6",
        "RHEL_6_64",
        "RHEL_7",
        "RHEL_7_64",
        "RHEL_8_64",
        "RHEL_9_64",
        "ROCKYLINUX_64",
        "SJDS",
        "SLES",
        "SLES_10",
        "SLES_10_64",
        "SLES_11",
        "SLES_11_64",
        "SLES_12",
        "SLES_12_64",
        "SLES_15_64",
        "SLES_16_64",
        "SLES_64",
        "SOLARIS_10",
        "SOLARIS_10_64",
        "SOLARIS_11_64",
        "SOLARIS_6",
        "SOLARIS_7",
        "SOLARIS_8",
        "SOLARIS_9",
        "SUSE",
        "SUSE_64",
        "TURBO_LINUX",
        "TURBO_LINUX_64",
        "UBUNTU",
        "UBUNTU_64",
        "UNIXWARE_7",
        "VMKERNEL",
        "VMKERNEL_5",
        "VMKERNEL_6",
        "VMKERNEL_65",
        "VMKERNEL_7",
        "VMKERNEL_8",
        "VMKERNEL_9",
        "VMWARE_PHOTON_64",
        "WINDOWS_11_64",
        "WINDOWS_12_64",
        "WINDOWS_7",
        "WINDOWS_7_64",
        "WINDOWS_7_SERVER_64",
        "WINDOWS_8",
        "WINDOWS_8_64",
        "WINDOWS_8_SERVER_64",
        "WINDOWS_9",
        "WINDOWS_9_64",
        "WINDOWS_9_SERVER_64",
        "WINDOWS_HYPERV",
        "WINDOWS_SERVER_2019",
        "WINDOWS_SERVER_2021",
        "WINDOWS_SERVER_2025",
        "WIN_2000_ADV_SERV",
        "WIN_2000_PRO",
        "WIN_2000_SERV",
        "WIN_31",
        "WIN_95",
        "WIN_98",
        "WIN_LONGHORN",
        "WIN_LONGHORN_64",
        "WIN_ME",
        "WIN_NET_BUSINESS",
        "WIN_NET_DATACENTER",
        "WIN_NET_DATACENTER_64",
        "WIN_NET_ENTERPRISE",
        "WIN_NET_ENTERPRISE_64",
        "WIN_NET_STANDARD",
        "WIN_NET_STANDARD_64",
        "WIN_NET_WEB",
        "WIN_NT",
        "WIN_VISTA",
        "WIN_VISTA_64",
        "WIN_XP_HOME",
        "WIN_XP_PRO",
        "WIN_XP_PRO_64",
    ]
)
# vSphere's guest ids (vim25's GuestOsIdentifier) that vAPI names anew; the others are the same
# letters and digits (``centos7_64Guest`` is ``CENTOS_7_64``, ``flatcar_64Guest`` ``FLATCAR_64``).
RENAMED = {
    "windows2019srv_64Guest": "WINDOWS_SERVER_2019",
    "windows2019srvNext_64Guest": "WINDOWS_SERVER_2021",
    "windows2022srvNext_64Guest": "WINDOWS_SERVER_2025",
    "otherGuest64": "OTHER_64",
}
DEFAULT = "OTHER_LINUX_64"  # the guest of a VM made without one
OTHER_FAMILY = (
    "FREEBSD",
    "OTHER",
    "DOS",
    "OS2",
    "ECOMSTATION",
    "OPENSERVER",
    "UNIXWARE",
    "SJDS",
    "VMKERNEL",
    "CRX",
)
FAMILIES = (("WIN", "WINDOWS"), ("DARWIN", "DARWIN"), ("SOLARIS", "SOLARIS"), ("NETWARE", "NETWARE"))
# Full names vCenter gives guests whose name the rule in ``full_name`` would not say right.
FULL_NAMES = {
    "UBUNTU_64": "Ubuntu Linux (64-bit)",
    "OTHER_LINUX_64": "Other Linux (64-bit)",
    "OTHER_64": "Other (64-bit)",
    "VMWARE_PHOTON_64": "VMware Photon OS (64-bit)",
    "WINDOWS_9": "Microsoft Windows 10 (32-bit)",
    "WINDOWS_9_64": "Microsoft Windows 10 (64-bit)",
    "WINDOWS_9_SERVER_64": "Microsoft Windows Server 2016 (64-bit)",
    "WINDOWS_SERVER_2019": "Microsoft Windows Server 2019 (64-bit)",
    "WINDOWS_SERVER_2021": "Microsoft Windows Server 2022 (64-bit)",
    "WINDOWS_SERVER_2025": "Microsoft Windows Server 2025 (64-bit)",
}
# How the words of a guest's name read in its full name; other words are capitalized.
WORDS = {
    "WIN": "Microsoft Windows",
    "WINDOWS": "Microsoft Windows",
    "RHEL": "Red Hat Enterprise Linux",
    "REDHAT": "Red Hat Linux",
    "CENTOS": "CentOS",
    "SLES": "SUSE Linux Enterprise",
    "SUSE": "SUSE Linux",
    "OPENSUSE": "openSUSE",
    "UBUNTU": "Ubuntu Linux",
    "DEBIAN": "Debian GNU/Linux",
    "FREEBSD": "FreeBSD",
    "DARWIN": "Apple macOS",
    "VMKERNEL": "VMware ESXi",
    "COREOS": "CoreOS",
    "ALMALINUX": "AlmaLinux",
    "ROCKYLINUX": "Rocky Linux",
    "AMAZONLINUX2": "Amazon Linux 2",
    "AMAZONLINUX3": "Amazon Linux 2023",
    "DOS": "MS-DOS",
    "OS2": "OS/2",
    "XP": "XP",
    "NT": "NT",
    "ME": "Me",
}


def check_guest(name: str) -> str:
    """``name`` when it is a guest vCenter knows; Invalid ``vm.guest`` otherwise."""
    if name not in NAMES:
        raise Invalid("vm.guest", f"'{name}' is not a guest operating system", "guest_OS")
    return name


def _spelled(guest: str) -> str:
    return guest.removesuffix("Guest").replace("_", "").lower()


_BY_SPELLING = {_spelled(name): name for name in NAMES}


def of_guest_id(guest_id: str) -> str | None:
    """The guest a vSphere guest id names (``centos7_64Guest`` -> ``CENTOS_7_64``), None for an id
    that names none."""
    if guest_id in RENAMED:
        return RENAMED[guest_id]
    return _BY_SPELLING.get(_spelled(guest_id)) if guest_id.endswith("Guest") else None


def family(name: str) -> str:
    """The guest's family (WINDOWS, LINUX, DARWIN, SOLARIS, NETWARE or OTHER) from its name."""
    for prefix, kind in FAMILIES:
        if name.startswith(prefix):
            return kind
    if name.startswith(OTHER_FAMILY) and "LINUX" not in name:
        return "OTHER"
    return "LINUX"


def full_name(name: str) -> str:
    """The guest's full name, as vCenter's ``guestFullName`` says it: from ``FULL_NAMES``, else
    its words as ``WORDS`` spell them and its width ("CENTOS_7_64" -> "CentOS 7 (64-bit)")."""
    if name in FULL_NAMES:
        return FULL_NAMES[name]
    words = name.removesuffix("_64").split("_")
    text = " ".join(WORDS.get(word, word.capitalize()) for word in words)
    return f"{text} (64-bit)" if name.endswith("_64") else text
