"""Operations: metrics for Prometheus (a bearer token when CONFOPS_METRICS_TOKEN is set), the
background jobs page for admins."""

RULES = {
    "GET /metrics": "public",
    "GET /staff/jobs": "staff:admin",
    "POST /staff/jobs/{name:str}/run": "staff:admin",
    "POST /staff/jobs/mail/{message_id:int}/retry": "staff:admin",
}
