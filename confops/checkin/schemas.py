"""What the check-in API takes and gives (msgspec Structs at the edge)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

Nonce = Annotated[str, Meta(min_length=1, max_length=64)]
# A row id: the database's ids are 32-bit; a larger number is refused with its field's name.
RowId = Annotated[int, Meta(ge=1, le=2**31 - 1)]


class ScanBody(Struct, forbid_unknown_fields=True):
    list_id: RowId
    nonce: Nonce
    token: Annotated[str, Meta(max_length=200)] | None = None
    attendee_id: RowId | None = None  # found by name at the desk (no badge)
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
    list_id: RowId
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
    invalid: int = 0
