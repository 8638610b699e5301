"""What every deployment serves whatever the area: /health, /metrics, the favicon and the static
files (stylesheet, scripts, brand images)."""

from litestar.static_files import create_static_files_router

from confops.core.auth import PUBLIC
from confops.web import STATIC
from confops.web.core.health import favicon, health, prometheus_metrics

ROUTES = [health, favicon, prometheus_metrics,
          create_static_files_router(path="/static", directories=[STATIC], opt={"access": PUBLIC},
                                     include_in_schema=False)]
