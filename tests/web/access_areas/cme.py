"""CME credit (issue 7): who may use each route."""

C = "staff:cme_coordinator"
E = "/staff/events/{slug:str}/cme"

RULES = {
    f"GET {E}": "staff:cme_coordinator,registrar",
    f"POST {E}/designation": C,
    f"POST {E}/sessions/{{session_id:int}}": C,
    f"GET {E}/learners": C,
    f"POST {E}/learners/{{attendee_id:int}}/attendance": C,
    f"POST {E}/reminders": C,
    f"GET {E}/evaluations": C,
    f"POST {E}/questions": C,
    f"GET {E}/certificates": C,
    f"POST {E}/certificates/{{certificate_id:int}}/revoke": C,
    f"POST {E}/certificates/{{certificate_id:int}}/reinstate": C,
    f"POST {E}/reporting": C,
    f"GET {E}/pars.csv": C,
    f"GET {E}/pars-activity.csv": C,
    f"GET {E}/claims.csv": C,
    # the learner's own records; another learner's id answers 404
    "GET /account/cme": "signed_in",
    "POST /account/cme/profile": "signed_in",
    "GET /account/cme/{attendee_id:int}": "signed_in",
    "POST /account/cme/{attendee_id:int}/attendance": "signed_in",
    "POST /account/cme/{attendee_id:int}/evaluation": "signed_in",
    "POST /account/cme/{attendee_id:int}/claim": "signed_in",
    "GET /account/cme/certificates/{serial:str}": "signed_in",
    "GET /account/cme/transcript": "signed_in",
    "GET /account/cme/transcript.pdf": "signed_in",
    "GET /speaker/cme": "signed_in",
    "GET /speaker/cme/{slug:str}/letter": "signed_in",
    "GET /v/{serial:str}": "public",
    "GET /verify/{serial:str}": "public",
    "GET /api/v1/certificates/{serial:str}": "public",
}
