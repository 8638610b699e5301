"""What the check-in API takes and gives (msgspec Structs at the edge)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

Nonce = Annotated[str, Meta(min_length=1, max_length=64)]


class ScanBody(Struct, forbid_unknown_fields=True):
    list_id: int
    nonce: Nonce
    token: Annotated[str, Meta(max_length=200)] | None = None
    attendee_id: int | None = None  # found by name at the desk (no badge)
    direction: Literal["in", "out"] = "in"


class ScanOut(Struct):
    result: Literal["ok", "already_checked_in", "invalid", "wrong_event", "revoked", "unpaid"]
    message: str
    list_id: int
    direction: str
    attendee_id: int | None = None
    name: str = ""
    category: str = ""
    notes: list[str] = msgspec.field(default_factory=list)
    checked_in_at: datetime | None = None
    station: str = ""
    scan_id: int | None = None


class UndoOut(Struct):
    undone: bool
    attendee_id: int | None = None
    list_id: int | None = None


class QueuedScanIn(Struct, forbid_unknown_fields=True):
    nonce: Nonce
    list_id: int
    token: Annotated[str, Meta(max_length=200)]
    client_time: datetime
    direction: Literal["in", "out"] = "in"


class OfflineBody(Struct, forbid_unknown_fields=True):
    scans: Annotated[list[QueuedScanIn], Meta(max_length=5000)]


class OfflineOut(Struct):
    results: list[dict]
    accepted: int
    duplicates: int
    conflicts: int
