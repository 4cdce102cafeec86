"""Keyset paging: a page of items and an opaque marker naming the last key returned."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from localsphere.world.errors import Invalid

MAX_PAGE = 1000
MARKER_PREFIX = "after:"


@dataclass(frozen=True)
class Page:
    items: list[Any]
    marker: str | None  # where the next page starts, None on the last one


def next_marker(key: str) -> str:
    return base64.urlsafe_b64encode((MARKER_PREFIX + key).encode()).decode()


def marker_after(marker: str | None) -> str | None:
    """The key a marker names; Invalid when it is not one of ours."""
    if marker is None:
        return None
    try:
        text = base64.b64decode(marker, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(MARKER_PREFIX):
        raise Invalid("marker.invalid", f"Invalid marker: {marker}", marker)
    return text[len(MARKER_PREFIX) :]


def bounded_size(page_size: int | None, default: int) -> int:
    if page_size is None:
        return default
    if not 1 <= page_size <= MAX_PAGE:
        raise Invalid("page_size.invalid", f"Page size must be between 1 and {MAX_PAGE}", str(page_size))
    return page_size
