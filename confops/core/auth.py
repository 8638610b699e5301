"""Who is asking: the principal of a request, and the access rules routes declare.

Every route declares `opt={"access": ...}`; one guard enforces it. A route without a rule
fails the role-matrix test, so nothing is reachable by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from confops.core.errors import NotSignedIn, NotYours


class Role(StrEnum):
    """What a person may do at one organizer. Defined here, below accounts (which stores the
    grants), because every area's access rules name them."""

    admin = "admin"
    registrar = "registrar"
    checkin = "checkin"
    cme_coordinator = "cme_coordinator"
    speaker = "speaker"
    attendee = "attendee"


STAFF_ROLES = frozenset({Role.admin, Role.registrar, Role.checkin, Role.cme_coordinator})

PUBLIC = "public"          # anyone, signed in or not
SIGNED_IN = "signed_in"    # any signed-in person
STAFF = "staff"            # any staff role at some organizer; the handler checks which organizer
DEVICE = "device"          # a scanner device's bearer token (check-in)
ACCESS_LEVELS = frozenset({PUBLIC, SIGNED_IN, STAFF, DEVICE})


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    display_name: str
    roles: dict[int, frozenset[Role]] = field(default_factory=dict)  # organizer id -> roles

    def has(self, organizer_id: int, *wanted: Role) -> bool:
        held = self.roles.get(organizer_id, frozenset())
        return Role.admin in held or any(role in held for role in wanted)

    @property
    def is_staff(self) -> bool:
        return any(held & STAFF_ROLES for held in self.roles.values())

    def staff_organizers(self) -> list[int]:
        return sorted(org for org, held in self.roles.items() if held & STAFF_ROLES)


def require(principal: Principal | None, organizer_id: int, *roles: Role) -> Principal:
    """Raise unless the principal holds one of these roles (or admin) at this organizer."""
    if principal is None:
        raise NotSignedIn("Please sign in to continue.")
    if not principal.has(organizer_id, *roles):
        raise NotYours("Your account does not have access to this.")
    return principal
