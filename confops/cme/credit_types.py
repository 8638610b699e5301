"""The kinds of credit a society may offer, and which one a learner's certificate states."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CreditType:
    key: str
    label: str      # printed after the amount: "3.25 AMA PRA Category 1 Credit(s)™"
    name: str       # shown on forms
    professions: tuple[str, ...] = ()
    # Nurses', psychologists' and social workers' credit is approved by their own accreditor,
    # whose statement the certificate prints instead of the ACCME's (DOMAIN.md).
    own_accreditation: bool = False
    # The usual wording, {provider} and {credits} filled in: a starting point for the
    # coordinator's statements (and the demo's), never printed unless saved.
    designation_example: str = ""
    accreditation_example: str = ""


CREDIT_TYPES: dict[str, CreditType] = {t.key: t for t in (
    CreditType("ama_pra_1", "AMA PRA Category 1 Credit(s)™", "AMA PRA Category 1",
               designation_example="{provider} designates this live activity for a maximum of {credits} AMA PRA "
                                   "Category 1 Credit(s)™. Physicians should claim only the credit commensurate "
                                   "with the extent of their participation in the activity.",
               accreditation_example="{provider} is accredited by the Accreditation Council for Continuing Medical "
                                     "Education (ACCME) to provide continuing medical education for physicians."),
    CreditType("aafp", "AAFP Prescribed credit(s)", "AAFP Prescribed",
               designation_example="This live activity has been reviewed and is acceptable for up to {credits} "
                                   "Prescribed credit(s) by the American Academy of Family Physicians. Physicians "
                                   "should claim only the credit commensurate with the extent of their "
                                   "participation in the activity."),
    CreditType("ancc", "ANCC contact hour(s)", "ANCC contact hours (nursing)", ("nurse",), own_accreditation=True,
               designation_example="This activity is approved for a maximum of {credits} nursing contact hours.",
               accreditation_example="{provider} is accredited as a provider of nursing continuing professional "
                                     "development by the American Nurses Credentialing Center's Commission on "
                                     "Accreditation."),
    CreditType("apa", "APA CE credit(s)", "APA CE (psychology)", ("psychologist",), own_accreditation=True,
               designation_example="This activity offers a maximum of {credits} continuing education credits for "
                                   "psychologists.",
               accreditation_example="{provider} is approved by the American Psychological Association to sponsor "
                                     "continuing education for psychologists. {provider} maintains responsibility "
                                     "for this program and its content."),
    CreditType("aswb", "ASWB ACE CE credit(s)", "ASWB ACE (social work)", ("social_worker",), own_accreditation=True,
               designation_example="Social workers completing this activity receive a maximum of {credits} "
                                   "continuing education credits.",
               accreditation_example="{provider}, provider #0000, is approved as an ACE provider to offer social work "
                                     "continuing education by the Association of Social Work Boards (ASWB) Approved "
                                     "Continuing Education (ACE) program. Regulatory boards are the final authority "
                                     "on courses accepted for continuing education credit."),
    CreditType("participation", "hour(s) of participation", "Certificate of participation"),
)}
PHYSICIAN_TYPES = ("ama_pra_1", "aafp")
_DEGREE = re.compile(r"\b(M\.?D|D\.?O)\b\.?", re.IGNORECASE)


def is_md_or_do(credentials: str) -> bool:
    """AMA PRA Category 1 goes to MDs and DOs only (DOMAIN.md)."""
    return bool(_DEGREE.search(credentials or ""))


def types_for(credentials: str, profession: str, offered: list[str]) -> list[str]:
    """The credit types this learner may claim, the usual one first; participation always last."""
    if is_md_or_do(credentials):
        mine = [t for t in PHYSICIAN_TYPES if t in offered]
    else:
        mine = [t for t in offered if profession and profession in CREDIT_TYPES[t].professions]
    return mine + ["participation"]
