"""Registration's later routes (issue 3): staff edit answers, demographics, per-attendee cancel."""

RULES = {
    "GET /staff/events/{slug:str}/registrations/attendees/{attendee_id:int}": "staff:registrar",
    "POST /staff/events/{slug:str}/registrations/attendees/{attendee_id:int}": "staff:registrar",
    "GET /orders/{order_id:int}/demographics": "public",  # the order's token is checked: wrong token -> 404
    "POST /orders/{order_id:int}/demographics": "public",
    "POST /orders/{order_id:int}/attendees/{attendee_id:int}/cancel": "public",
    "GET /staff/events/{slug:str}/registrations/catalog": "staff:registrar",
    "POST /staff/events/{slug:str}/registrations/catalog/categories/{code:str}": "staff:registrar",
    "POST /staff/events/{slug:str}/registrations/catalog/addons/{code:str}": "staff:registrar",
    "POST /staff/events/{slug:str}/registrations/catalog/questions": "staff:registrar",
    "POST /staff/events/{slug:str}/registrations/catalog/codes": "staff:registrar",
}
