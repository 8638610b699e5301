"""Who may use each route: the reviewed table the role-matrix test holds the app to.

Add a line here for every new route (the test fails until you do), choosing deliberately:
  "public"            anyone
  "signed_in"         any signed-in person (the handler limits them to their own things)
  "staff"             any staff role (admin, registrar, check-in, CME coordinator)
  "staff:ROLE,ROLE"   staff holding one of these roles (admin always may)
  "device"            a scanner device's bearer token

A new area puts its lines in tests/web/access_areas/<area>.py (RULES = {...}).
"""

from tests.web.access_areas import area_rules

RULES = {
    "GET /": "public",
    "GET /organizers/{slug:str}": "public",
    "GET /organizers/{slug:str}/logo": "public",
    "GET /events": "public",
    "GET /events/{slug:str}": "public",
    "GET /events/{slug:str}/sessions/{session_id:int}": "public",
    "GET /health": "public",
    "GET /favicon.ico": "public",
    "GET /schema": "public",
    "GET /schema/openapi.json": "public",
    "GET /schema/{path:str}": "public",
    "GET /api/v1/events": "public",
    "GET /api/v1/events/{slug:str}": "public",
    "GET /api/v1/organizers/{slug:str}": "public",
    "GET /staff/login": "public",
    "POST /staff/login": "public",
    "GET /login": "public",
    "POST /login": "public",
    "GET /login/link/{token:str}": "public",
    "POST /login/link/{token:str}": "public",
    "POST /logout": "signed_in",
    "GET /staff/login/second-factor": "public",
    "POST /staff/login/second-factor": "public",
    "GET /staff/login/second-factor/setup": "public",
    "POST /staff/login/second-factor/setup": "public",
    "GET /account/security": "signed_in",
    "POST /account/security/sessions/{key:str}/end": "signed_in",
    "POST /account/security/sessions/end-others": "signed_in",
    "POST /account/security/password": "signed_in",
    "GET /account/security/second-factor": "signed_in",
    "POST /account/security/second-factor": "signed_in",
    "POST /account/security/recovery-codes": "signed_in",
    "POST /account/security/people/sessions/end": "staff:admin",
    "GET /account": "signed_in",
    "GET /staff": "staff",
    # registration (issue 3)
    "GET /events/{slug:str}/register": "public",
    "POST /events/{slug:str}/register": "public",
    "POST /events/{slug:str}/register/edit": "public",
    "POST /events/{slug:str}/waitlist": "public",
    "GET /orders/{order_id:int}": "public",  # the order's token is checked: wrong token -> 404
    "POST /orders/{order_id:int}/answers": "public",
    "POST /orders/{order_id:int}/cancel": "public",
    "POST /orders/{order_id:int}/transfer": "public",
    "GET /account/registrations": "signed_in",
    "POST /api/v1/events/{slug:str}/orders": "public",
    "GET /api/v1/orders/{order_id:int}": "public",
    "GET /staff/events/{slug:str}/registrations": "staff:registrar",
    "GET /staff/events/{slug:str}/registrations/accessibility": "staff:registrar",
    "POST /staff/events/{slug:str}/registrations/accessibility/{attendee_id:int}": "staff:registrar",
    "POST /staff/events/{slug:str}/registrations/orders/{order_id:int}/resend": "staff:registrar",
    "GET /staff/events/{slug:str}/registrations/new": "staff:registrar",
    "POST /staff/events/{slug:str}/registrations/new": "staff:registrar",
    # payments (issue 4)
    "POST /webhooks/stripe": "public",  # the Stripe signature is checked
    "GET /orders/{order_id:int}/pay": "public",  # order token checked
    "GET /orders/{order_id:int}/payment.json": "public",
    "POST /orders/{order_id:int}/pay-by": "public",  # order token checked
    "POST /orders/{order_id:int}/billing": "public",  # order token checked
    "GET /orders/{order_id:int}/receipt.pdf": "public",
    "GET /staff/events/{event_id:int}/payments": "staff:registrar",
    "GET /staff/orders/{order_id:int}/payments": "staff:registrar",
    "POST /staff/orders/{order_id:int}/refunds": "staff:registrar",
    "POST /staff/orders/{order_id:int}/manual-payments": "staff:registrar",
    "POST /staff/orders/{order_id:int}/hold": "staff:registrar",
    "POST /staff/orders/{order_id:int}/invoice-corrections": "staff:registrar",
    "GET /staff/orders/{order_id:int}/receipt.pdf": "staff:registrar",
    "GET /staff/events/{event_id:int}/reconciliation": "staff:registrar",
    "GET /staff/events/{event_id:int}/reconciliation.csv": "staff:registrar",
    # speakers and the program (issue 6)
    "GET /events/{slug:str}/program.pdf": "public",
    "GET /events/{slug:str}/sessions/{session_id:int}/calendar.ics": "public",
    "GET /calendar/{token:str}/agenda.ics": "public",
    "GET /speakers/{speaker_id:int}/photo": "public",
    "GET /events/{slug:str}/sessions/{session_id:int}/materials/{material_id:int}": "signed_in",
    "GET /agenda": "signed_in",
    "POST /agenda/{session_id:int}": "signed_in",
    "POST /agenda/{session_id:int}/remove": "signed_in",
    "GET /speaker": "signed_in",
    "POST /speaker/profile": "signed_in",
    "POST /speaker/photo": "signed_in",
    "GET /speaker/sessions/{session_id:int}": "signed_in",
    "POST /speaker/sessions/{session_id:int}": "signed_in",
    "POST /speaker/sessions/{session_id:int}/answer": "signed_in",
    "POST /speaker/sessions/{session_id:int}/materials": "signed_in",
    "GET /speaker/disclosure": "signed_in",
    "POST /speaker/disclosure": "signed_in",
    "GET /staff/events/{slug:str}/speakers": "staff:registrar",
    "POST /staff/events/{slug:str}/invitations": "staff:registrar",
    "POST /staff/events/{slug:str}/planners": "staff:registrar",
    "POST /staff/events/{slug:str}/proposals/{proposal_id:int}": "staff:registrar",
    "GET /staff/events/{slug:str}/disclosures": "staff:cme_coordinator",
    "POST /staff/events/{slug:str}/relationships/{relationship_id:int}/review": "staff:cme_coordinator",
    "POST /staff/events/{slug:str}/relationships/{relationship_id:int}/mitigation": "staff:cme_coordinator",
    "GET /staff/events/{slug:str}/schedule": "staff:registrar",
    "POST /staff/events/{slug:str}/schedule/rooms": "staff:registrar",
    "POST /staff/events/{slug:str}/schedule/tracks": "staff:registrar",
    "POST /staff/events/{slug:str}/schedule/sessions": "staff:registrar",
    "POST /staff/events/{slug:str}/schedule/sessions/{session_id:int}": "staff:registrar",
    "POST /staff/events/{slug:str}/schedule/sessions/{session_id:int}/speakers": "staff:registrar",
    "POST /staff/events/{slug:str}/schedule/sessions/{session_id:int}/published": "staff:registrar",
    "POST /staff/events/{slug:str}/schedule/versions": "staff:registrar",
}

RULES.update(area_rules())
