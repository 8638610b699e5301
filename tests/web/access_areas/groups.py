"""Balint small groups: who may use each route."""

RULES = {
    "GET /staff/events/{slug:str}/groups": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/setup": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/rooms": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/leaders": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/leaders/{leader_id:int}/active": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/opt-in-all": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/pins": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/pins/{pin_id:int}/delete": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/run": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/move": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/lock": "staff:registrar",
    "POST /staff/events/{slug:str}/groups/publish": "staff:registrar",
    "GET /staff/leader-training": "staff:registrar",
    "POST /staff/leader-training": "staff:registrar",
    "POST /staff/leader-training/rules": "staff:registrar",
    "POST /staff/leader-training/{record_id:int}/delete": "staff:registrar",
    "GET /account/groups": "signed_in",
    "POST /account/groups/{series_id:int}/opt-in": "signed_in",  # own registration only
    "GET /account/groups/{group_id:int}/roster": "signed_in",  # the group's leaders and registrars only
    "GET /account/groups/{group_id:int}/roster.pdf": "signed_in",
    "POST /account/groups/{group_id:int}/attendance/{session_id:int}": "signed_in",
    "GET /account/leader-training": "signed_in",
}
