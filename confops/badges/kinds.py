"""Why a badge was printed (kept with each print)."""

from enum import StrEnum


class PrintReason(StrEnum):
    batch = "batch"
    reprint = "reprint"
    walk_in = "walk_in"
