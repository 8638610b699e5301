"""A throwaway organizer PDF key for tests that draw certificates without a database."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from confops.cme.issuer_keys import _self_signed
from confops.core import clock
from confops.documents.pdf_signing import PdfSigner, make_signer


def throwaway_signer(name: str = "American Balint Society") -> tuple[PdfSigner, bytes]:
    """A signer and its public key (SubjectPublicKeyInfo DER, as verify_pdf trusts them)."""
    private = ec.generate_private_key(ec.SECP256R1())
    signer = make_signer(private, _self_signed(private, name, clock.now()), name)
    spki = private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    return signer, spki
