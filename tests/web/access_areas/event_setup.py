"""Event setup (issue 25): registrars and admins create, edit, publish and copy events."""

RULES = {
    "GET /staff/events": "staff:registrar",
    "GET /staff/events/new": "staff:registrar",
    "POST /staff/events/new": "staff:registrar",
    "GET /staff/events/{slug:str}/edit": "staff:registrar",
    "POST /staff/events/{slug:str}/edit": "staff:registrar",
    "POST /staff/events/{slug:str}/categories": "staff:registrar",
    "POST /staff/events/{slug:str}/status": "staff:registrar",
    "POST /staff/events/{slug:str}/copy": "staff:registrar",
}
RULES.update({
    "POST /staff/events/{slug:str}/cancel": "staff:registrar",
    "GET /staff/events/{slug:str}/series": "staff:registrar",
    "POST /staff/events/{slug:str}/series/plan": "staff:registrar",
    "POST /staff/events/{slug:str}/series/sessions/{session_id:int}": "staff:registrar",
})
RULES.update({
    "GET /staff/events/{slug:str}/attendance": "staff:registrar",
    "POST /staff/events/{slug:str}/attendance/rule": "staff:registrar",
    "POST /staff/events/{slug:str}/attendance/sessions/{session_id:int}/upload": "staff:registrar",
    "POST /staff/events/{slug:str}/attendance/uploads/{upload_id:int}/rows/{index:int}": "staff:registrar",
    "POST /staff/events/{slug:str}/attendance/certificates": "staff:registrar",
    "POST /staff/events/{slug:str}/attendance/certificates/{certificate_id:int}/revoke": "staff:registrar",
    "GET /account/attendance": "signed_in",
    "GET /account/attendance/{serial:str}/certificate.pdf": "signed_in",
})
RULES["POST /staff/events/{slug:str}/addons"] = "staff:registrar"
