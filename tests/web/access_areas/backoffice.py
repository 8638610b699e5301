"""Role rules of the back office (issue 9)."""

RULES = {
    "GET /staff/events/{slug:str}/dashboard": "staff:registrar",
    "GET /staff/events/{slug:str}/exports": "staff:registrar",
    "GET /staff/events/{slug:str}/exports/{key:str}/{fmt:str}": "staff:registrar",
    "GET /staff/events/{slug:str}/diversity": "staff:registrar",
    "GET /staff/diversity": "staff:registrar",
    "GET /staff/events/{slug:str}/mail": "staff:registrar",
    "POST /staff/events/{slug:str}/mail/preview": "staff:registrar",
    "POST /staff/events/{slug:str}/mail/test": "staff:registrar",
    "POST /staff/events/{slug:str}/mail/send": "staff:registrar",
    "GET /mailing-list": "public",
    "POST /mailing-list": "public",
    "GET /mailing-list/confirm/{token:str}": "public",  # unguessable token; wrong token -> 404
    "GET /unsubscribe/{token:str}": "public",  # signed token; wrong signature -> 404
    "POST /unsubscribe/{token:str}": "public",  # one-click (RFC 8058), no CSRF token by design
    "GET /staff/audit": "staff:admin",
    "GET /account/privacy": "signed_in",
    "GET /account/privacy/download/{fmt:str}": "signed_in",  # only the signed-in person's own data
    "POST /account/privacy/deletion": "signed_in",
    "GET /staff/privacy": "staff:registrar",
    "POST /staff/privacy/{request_id:int}": "staff:registrar",
    "GET /admin/": "staff:admin",  # piccolo-admin mount; walked as its start page
}
