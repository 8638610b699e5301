"""Badges and walk-in desk: registrars and check-in staff (admins always)."""

RULES = {
    "GET /staff/events/{slug:str}/badges": "staff:registrar,checkin",
    "POST /staff/events/{slug:str}/badges/print": "staff:registrar,checkin",
    "POST /staff/events/{slug:str}/badges/reprint": "staff:registrar,checkin",
    "GET /staff/events/{slug:str}/badges/people/{person:str}/badge.pdf": "staff:registrar,checkin",
    "GET /staff/events/{slug:str}/walk-in": "staff:registrar,checkin",
    "POST /staff/events/{slug:str}/walk-in": "staff:registrar,checkin",
    "GET /staff/events/{slug:str}/walk-in/{attendee_id:int}": "staff:registrar,checkin",
}
