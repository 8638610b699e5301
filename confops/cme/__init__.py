"""CME credit: designation, attendance evidence, evaluations, claims, verifiable certificates,
transcripts, faculty letters and the coordinator's reports (rules in ../shared/DOMAIN.md)."""
