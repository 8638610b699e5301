"""Check-in (issue 5)."""

RULES = {
    "POST /api/v1/checkin/scan": "device",
    "POST /api/v1/checkin/undo": "device",
    "GET /api/v1/checkin/search": "device",
    "GET /api/v1/checkin/sync": "device",
    "POST /api/v1/checkin/offline": "device",
    "GET /checkin/scanner": "public",
    "GET /checkin/scanner-sw.js": "public",
    "GET /staff/events/{slug:str}/checkin": "staff:checkin,registrar",
    "GET /staff/events/{slug:str}/checkin/counts": "staff:checkin,registrar",
    "POST /staff/events/{slug:str}/checkin/lists/days": "staff:checkin,registrar",
    "POST /staff/events/{slug:str}/checkin/lists/sessions": "staff:checkin,registrar",
    "POST /staff/events/{slug:str}/checkin/devices": "staff:checkin,registrar",
    "POST /staff/events/{slug:str}/checkin/devices/{device_id:int}/revoke": "staff:checkin,registrar",
    "POST /staff/events/{slug:str}/checkin/conflicts/{conflict_id:int}/resolve": "staff:checkin,registrar",
}
