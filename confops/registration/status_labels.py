"""A registration's status in words, for the attendee's order page and staff lists (the values
are registration.tables.AttendeeStatus's)."""

ATTENDEE_STATUS = {"active": "Registered", "cancelled": "Cancelled", "transferred": "Transferred",
                   "substituted": "Replaced by a colleague", "expired": "Expired unpaid"}


def attendee_status(code: str) -> str:
    return ATTENDEE_STATUS.get(code, code)
