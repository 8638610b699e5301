"""The web application: routers, sessions, CSRF, templates, error handling, and the lifespan
that connects the database and runs the in-process worker."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import logging
from collections.abc import AsyncIterator

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig

from confops.accounts import second_factor, sessions, throttle
from confops.checkin.keys import accept_old_secrets
from confops.cme.issuer_keys import configure as configure_issuer
from confops.core import health as health_checks
from confops.core import metrics
from confops.core.auth import PUBLIC
from confops.core.logs import request_log
from confops.core.mail import make_mailer
from confops.core.storage import storage_from
from confops.db import connection_pool, make_engine, prepare, use_engine
from confops.events.branding import BrandMailer
from confops.jobs import make_worker
from confops.payments.gateway import configure as configure_payments
from confops.registration.config import configure as configure_registration
from confops.web.access import access_guard
from confops.web.api_docs import COMPONENTS
from confops.web.boundary import check_input, secure_responses
from confops.web.errors import EXCEPTION_HANDLERS
from confops.web.observe import observe
from confops.web.render import brand_pages
from confops.web.routes import area_plugins, route_handlers
from confops.web.schema_page import PlainSchemaPage
from confops.web.templating import make_environment
from settings import Settings, load_settings

log = logging.getLogger("confops")


def _derive(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


_startup_frozen = False


def _freeze_startup_objects() -> None:
    """Once per process, after the first start-up: what is in memory then (modules, routes,
    templates, tables: about 165,000 objects) lives as long as the process, so Python's
    collector is told to leave it out of its full collections (gc.freeze).

    Why: a full collection walks every tracked object while the process answers nothing, and
    in a registration rush it came about once in each worker: the answers that waited on it
    were among the slowest (bench/registration_rush.py, bench/README.md). Frozen objects are still
    freed when nothing refers to them; only cycles among them are never collected, and the
    start-up's own garbage is collected just before."""
    global _startup_frozen
    if not _startup_frozen:
        _startup_frozen = True
        gc.collect()
        gc.freeze()


async def _metrics_snapshots() -> None:
    """With several server processes on a host, each leaves its counts for whichever answers
    the scrape (core/metrics.py)."""
    while True:
        await asyncio.sleep(metrics.SNAPSHOT_SECONDS)
        with contextlib.suppress(OSError):
            metrics.save_snapshot()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    engine = make_engine(settings.database_url)
    use_engine(engine)
    storage = storage_from(settings)
    # every e-mail in its organizer's name and logo (the default organizer's where about no event)
    mailer = BrandMailer(make_mailer(settings.smtp_url, settings.mail_from, settings.mail_dir),
                         settings.default_organizer, storage)
    configure_registration(base_url=settings.base_url, hold_minutes=settings.order_hold_minutes,
                           offer_hours=settings.waitlist_offer_hours, secret=settings.secret_key,
                           old_secrets=settings.old_secret_keys)
    configure_payments(settings)
    configure_issuer(base_url=settings.base_url, secret_key=settings.secret_key)
    accept_old_secrets(settings.old_secret_keys)
    request_log.configure(settings.log_format, settings.log_level)
    sessions.configure(settings.redis_url, hours=settings.session_hours)
    throttle.configure(settings.redis_url)
    second_factor.configure(settings.secret_key, all_staff=settings.staff_second_factor)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        use_engine(engine)
        await prepare(engine)
        async with connection_pool(engine, size=settings.db_pool_size):
            task = None
            worker = make_worker(settings, mailer)
            if settings.in_app_worker:
                task = asyncio.create_task(worker.run_forever(), name="confops-worker")
            snapshots = asyncio.create_task(_metrics_snapshots(), name="confops-metrics")
            # /health's slower parts (storage, migrations) checked before the first probe: a load
            # balancer's first /health then costs a process no more than the later ones
            with contextlib.suppress(Exception):
                await health_checks.check(settings, app.state.storage, app.state.setdefault("health_kept", {}))
            _freeze_startup_objects()
            try:
                yield
            finally:
                snapshots.cancel()
                if task is not None:
                    worker.stop()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                request_log.flush()

    csrf_config = CSRFConfig(
        secret=_derive(settings.secret_key, "csrf").hex(),
        cookie_name="confops_csrf",
        cookie_secure=settings.secure_cookies,
        exclude=["/api/", "/webhooks/", "/health", "/metrics", "/schema"],
    )
    app = observe(Litestar(
        route_handlers=route_handlers(),
        plugins=area_plugins(settings),
        guards=[access_guard],
        # Sessions are looked up by the access guard (web/access.py) from the session cookie;
        # sign-in throttling is in the sign-in routes (accounts/throttle.py).
        middleware=[check_input],
        csrf_config=csrf_config,
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(make_environment())),
        exception_handlers=EXCEPTION_HANDLERS,
        after_request=brand_pages(settings.default_organizer),
        openapi_config=OpenAPIConfig(
            title="confops API",
            version="1",
            description="Events and programs, registration and payments, check-in, and CME credit.",
            path="/schema",
            render_plugins=[PlainSchemaPage(), JsonRenderPlugin()],
            openapi_router=Router(path="/schema", route_handlers=[], opt={"access": PUBLIC}),
            components=COMPONENTS,
        ),
        lifespan=[lifespan],
        state=State({"settings": settings, "mailer": mailer, "storage": storage}),
        debug=False,
        logging_config=None,  # the process's logging is confops's (core/logs.py), JSON lines by default
    ))
    # Outside Litestar's own handling, so its 404s and error pages get the headers too.
    app.asgi_handler = secure_responses(app.asgi_handler, https=settings.secure_cookies)
    return app
