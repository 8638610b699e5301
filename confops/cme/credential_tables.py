"""Tables of verifiable certificates: the organizer's signing keys and each certificate's
Open Badges credential. Kept apart from cme/tables.py: these are the published, signed face of
the certificate records, not the records themselves."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.accounts.tables import Organizer
from confops.cme.tables import Certificate


class IssuerKey(Table, tablename="cme_issuer_key"):
    """One signing key of an organizer. Never deleted: a retired key stays published so that
    what it signed still verifies. The private half is sealed (core/sealing.py)."""

    organizer = ForeignKey(Organizer, on_delete=OnDelete.restrict, null=False, index=True)
    purpose = Varchar(length=12, help_text="credentials (Ed25519, VC-JWT) or pdf (ECDSA P-256, PAdES)")
    key_id = Varchar(length=80, unique=True, help_text="The fragment of the DID URL: abs-credentials-1")
    public_jwk = Text(help_text="JSON Web Key of the public half")
    certificate = Text(help_text="PDF keys: the self-signed X.509 certificate (PEM) embedded in signatures")
    key_sealed = Text(help_text="The private key (PKCS#8), sealed under CONFOPS_SECRET_KEY")
    created_at = Timestamptz(default=TimestamptzNow())
    retired_at = Timestamptz(null=True, default=None)


class CmeCredential(Table, tablename="cme_credential"):
    """A certificate's Open Badges 3.0 credential as signed (VC-JWT), and its place in the
    organizer's revocation list. The bit itself is not stored: it is read from the certificate's
    status, so every way a certificate stops being valid flips it."""

    certificate = ForeignKey(Certificate, on_delete=OnDelete.restrict, null=False, unique=True)
    organizer = ForeignKey(Organizer, on_delete=OnDelete.restrict, null=False, index=True)
    status_index = Integer(unique=True, help_text="Random position in the status list (herd privacy)")
    key_id = Varchar(length=80)
    jwt = Text()
    issued_at = Timestamptz(default=TimestamptzNow())
