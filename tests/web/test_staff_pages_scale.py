"""Staff pages and exports do not issue statements in proportion to the rows they show: each
page is requested at two sizes of the national meeting and must send the same number of
statements at both (issue 29). Sizes are small (a few hundred registrations): what is checked is
the shape of the queries, not their speed (bench/pages.py measures that at 20,000)."""

from __future__ import annotations

import re

from confops.events.tables import Event
from confops.registration.tables import Attendee, OrderStatus
from tests.backoffice.conftest import sign_in
from tests.support.grow import grow
from tests.support.statements import statements_counted

SLUG = "abs-national-meeting"


def pages(event_id: int, attendee_id: int, order_id: int) -> list[str]:
    base = f"/staff/events/{SLUG}"
    return [
        f"{base}/registrations/", f"{base}/registrations/?page=2", f"{base}/registrations/?q=grown",
        f"{base}/registrations/accessibility",
        f"{base}/dashboard", f"{base}/exports",
        *[f"{base}/exports/{key}/csv" for key in ("registrations", "catering-counts", "catering-list",
                                                 "accessibility", "signage", "payments", "refunds", "checkins",
                                                 "cme_claims")],
        f"{base}/exports/registrations/xlsx", f"{base}/exports/catering/xlsx",
        f"{base}/badges/", f"{base}/badges/?name=Chen", f"{base}/walk-in/",
        f"{base}/cme/claims.csv", f"{base}/cme/pars.csv", f"{base}/cme/learners", f"{base}/cme/learners?show=attended",
        f"/staff/events/{event_id}/payments", f"/staff/events/{event_id}/payments?page=2&status=pending",
        f"{base}/registrations/accessibility?page=2",
        f"{base}/badges/?role=attendee&not_printed=1&page=2", f"{base}/badges/?role=faculty&upage=2",
        f"{base}/cme", f"{base}/cme/certificates", f"{base}/cme/certificates?q=grown&page=2",
        f"{base}/cme/evaluations", f"{base}/cme/learners?q=lopez&page=2",
        "/staff", "/staff/events", f"{base}/edit", f"{base}/registrations/catalog", f"{base}/speakers",
        f"{base}/disclosures", f"{base}/schedule", f"{base}/attendance", f"{base}/groups", f"{base}/checkin",
        f"{base}/checkin/counts", f"{base}/mail", f"{base}/diversity", "/staff/diversity", "/staff/audit",
        "/staff/privacy", "/staff/jobs", f"/staff/events/{event_id}/reconciliation",
        f"/staff/events/{event_id}/reconciliation.csv",
        # one person or one order among many: the page of one must not read the event's all
        f"{base}/badges/people/attendee-{attendee_id}/badge.pdf", f"{base}/walk-in/{attendee_id}",
        f"{base}/registrations/attendees/{attendee_id}", f"/staff/orders/{order_id}/payments",
        f"/staff/orders/{order_id}/receipt.pdf",
        f"{base}/registrations/new", "/staff/events/new", f"{base}/series", f"{base}/cme/pars-activity.csv",
        "/staff/leader-training",
    ]


# Staff GET routes the test does not request, each with why.
NOT_COUNTED = {
    "/staff/login": "the sign-in form, before any event is read",
    "/staff/login/second-factor": "the sign-in's second step, before any event is read",
    "/staff/login/second-factor/setup": "the sign-in's second step, before any event is read",
    "/staff/orders/{order_id:int}/credit-notes/{file:str}": "a stored file sent back as it is",
}


async def _counts(client, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        await client.get(url)  # once to warm whatever a process keeps (the catalog, the event)
        with statements_counted() as seen:
            r = await client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        counts[url] = len(seen)
    return counts


def _matches(route: str, url: str) -> bool:
    pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(route.rstrip("/")))
    return re.fullmatch(pattern + "/?", url.partition("?")[0]) is not None


def test_every_staff_page_is_counted(app):
    routes = {route.path for route in app.routes if route.path.startswith("/staff")
              and any("GET" in (h.http_methods or ()) for h in getattr(route, "route_handlers", ()))}
    urls = pages(1, 1, 1)
    missing = sorted(r for r in routes if r not in NOT_COUNTED and not any(_matches(r, u) for u in urls))
    assert not missing, f"staff pages the statement count does not request (add them to pages()): {missing}"


async def _one_of_the_demo() -> tuple[int, int]:
    """A confirmed registration of the demo, the same one at both sizes."""
    row = await Attendee.select(Attendee.id, Attendee.order).where(
        (Attendee.event.slug == SLUG) & (Attendee.order.status == OrderStatus.confirmed.value)).order_by(
        Attendee.id).first()
    return row["id"], row["order"]


async def test_staff_pages_send_as_many_statements_at_either_size(client, demo):
    await grow(SLUG, 20)
    await sign_in(client, "admin@example.org")
    event_id = (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]
    urls = pages(event_id, *await _one_of_the_demo())
    small = await _counts(client, urls)
    await grow(SLUG, 200)
    large = await _counts(client, urls)
    grew = {u: (small[u], large[u]) for u in urls if large[u] != small[u]}
    assert not grew, f"statements grew with the rows (small, large): {grew}"
