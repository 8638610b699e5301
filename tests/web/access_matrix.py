"""Who may use each route: the reviewed table the role-matrix test holds the app to.

Add a line here for every new route (the test fails until you do), choosing deliberately:
  "public"            anyone
  "signed_in"         any signed-in person (the handler limits them to their own things)
  "staff"             any staff role (admin, registrar, check-in, CME coordinator)
  "staff:ROLE,ROLE"   staff holding one of these roles (admin always may)
  "device"            a scanner device's bearer token
"""

RULES = {
    "GET /": "public",
    "GET /organizers/{slug:str}": "public",
    "GET /events": "public",
    "GET /events/{slug:str}": "public",
    "GET /events/{slug:str}/sessions/{session_id:int}": "public",
    "GET /health": "public",
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
    "GET /account": "signed_in",
    "GET /staff": "staff",
}
