"""The simulated Amazon EC2 endpoint's regions: a small fixed catalogue every world has, the
compute resources of Amazon reservations and key pairs. Names and display names are AWS's own."""

from __future__ import annotations

from localsphere.world.errors import Invalid

REGIONS = {
    "us-east-1": "US East (N. Virginia)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
}


def region(name: str) -> str:
    """``name`` when it is a region of the catalogue; Invalid else (a body names it)."""
    if name not in REGIONS:
        raise Invalid("region.not_found", f"Compute resource {name} not found.", name)
    return name
