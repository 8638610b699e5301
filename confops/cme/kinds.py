"""What counts as evidence of attendance at a CME activity (the designation's setting)."""

from enum import StrEnum


class Evidence(StrEnum):
    session_scans = "session_scans"
    entry_scans = "entry_scans"
    attestation = "attestation"
