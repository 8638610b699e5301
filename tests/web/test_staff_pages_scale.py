"""Staff pages and exports do not issue statements in proportion to the rows they show: each
page is requested at two sizes of the national meeting and must send the same number of
statements at both (issue 29). Sizes are small (a few hundred registrations): what is checked is
the shape of the queries, not their speed (bench/pages.py measures that at 20,000)."""

from __future__ import annotations

from confops.events.tables import Event
from tests.backoffice.conftest import sign_in
from tests.support.grow import grow
from tests.support.statements import statements_counted

SLUG = "abs-national-meeting"


def pages(event_id: int) -> list[str]:
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
    ]


async def _counts(client, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        await client.get(url)  # once to warm whatever a process keeps (the catalog, the event)
        with statements_counted() as seen:
            r = await client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        counts[url] = len(seen)
    return counts


async def test_staff_pages_send_as_many_statements_at_either_size(client, demo):
    await grow(SLUG, 20)
    await sign_in(client, "admin@example.org")
    event_id = (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]
    urls = pages(event_id)
    small = await _counts(client, urls)
    await grow(SLUG, 200)
    large = await _counts(client, urls)
    grew = {u: (small[u], large[u]) for u in urls if large[u] != small[u]}
    assert not grew, f"statements grew with the rows (small, large): {grew}"
