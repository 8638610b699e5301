"""What counts as evidence of attendance at a CME activity (the designation's setting), and a
certificate's status in words."""

from enum import StrEnum


class Evidence(StrEnum):
    session_scans = "session_scans"
    entry_scans = "entry_scans"
    attestation = "attestation"


# A certificate's status in words, for learners and staff (cme.tables.CertificateStatus's values).
CERTIFICATE_STATUS = {"valid": "Valid", "superseded": "Replaced by a newer certificate", "revoked": "Revoked"}
