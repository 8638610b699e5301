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


CREDIT_TYPES: dict[str, CreditType] = {t.key: t for t in (
    CreditType("ama_pra_1", "AMA PRA Category 1 Credit(s)™", "AMA PRA Category 1"),
    CreditType("aafp", "AAFP Prescribed credit(s)", "AAFP Prescribed"),
    CreditType("ancc", "ANCC contact hour(s)", "ANCC contact hours (nursing)", ("nurse",)),
    CreditType("apa", "APA CE credit(s)", "APA CE (psychology)", ("psychologist",)),
    CreditType("aswb", "ASWB ACE CE credit(s)", "ASWB ACE (social work)", ("social_worker",)),
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
