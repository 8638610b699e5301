"""An event grown to meeting size in a few bulk statements: orders of 1–3 attendees, half of
them paid (confirmed with a succeeded manual payment), the rest awaiting payment, a third of the
paid attendees checked in at the entry, and CME attendance and claims for some. For the tests
that check a staff page's statements do not grow with its rows, and for bench/pages.py.

Rows are written directly (not through place_order) so 20,000 registrations take seconds, not
an hour; their shape is what the project's own functions write."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Eve", "Femi", "Grace", "Hiro", "Ines", "Jamal", "Kofi", "Lena"]
LAST = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "García", "Haddad", "Ito", "Jones", "Khan", "Lopez",
        "Moreau", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Singh", "Tanaka", "Umar", "Vega", "Weber", "Young"]
DIETS = ["", "", "", "vegetarian", "vegan", "gluten free"]


async def grow(slug: str, orders: int, *, batch: int = 500, tag: str = "") -> int:
    """Add `orders` orders to the event `slug`; returns how many attendees were added."""
    from confops.checkin.tables import CheckinList, CheckinScan, ListKind
    from confops.cme.tables import AttendanceMark, CmeClaim
    from confops.core import clock
    from confops.events.tables import Event, Session
    from confops.payments.tables import Payment
    from confops.registration.tables import Attendee, Category, Order

    event = await Event.select(Event.id, Event.cme_enabled, Event.starts_at).where(Event.slug == slug).first()
    cats = [c["id"] for c in await Category.select(Category.id).where(Category.event == event["id"])]
    entry = await CheckinList.select(CheckinList.id).where(
        (CheckinList.event == event["id"]) & (CheckinList.kind == ListKind.entry.value)).first()
    if entry is None:
        entry = (await CheckinList.insert(CheckinList(event=event["id"], name="Entry", kind=ListKind.entry.value))
                 .returning(CheckinList.id))[0]
    session = await Session.select(Session.id, Session.starts_at, Session.ends_at).where(
        (Session.event == event["id"]) & (Session.credit_quarters > 0)).order_by(Session.starts_at).first()
    tag = tag or uuid.uuid4().hex[:6]
    now = clock.now()
    added = 0
    for start in range(0, orders, batch):
        numbers = range(start, min(start + batch, orders))
        made = await Order.insert(*[
            Order(event=event["id"], buyer_name=f"{FIRST[n % 12]} {LAST[n % 24]}", buyer_email=f"g{tag}{n}@example.org",
                  status="confirmed" if n % 2 == 0 else "pending", total_cents=50000 * (1 + n % 3),
                  idempotency_key=f"grow-{tag}-{n}", pricing_snapshot="{}", token_hash=uuid.uuid4().hex,
                  expires_at=None if n % 2 == 0 else now + timedelta(days=3),
                  confirmed_at=now if n % 2 == 0 else None, created_at=now - timedelta(minutes=n))
            for n in numbers]).returning(Order.id)
        people = []
        for n, o in zip(numbers, made, strict=True):
            for k in range(1 + n % 3):
                people.append(Attendee(
                    order=o["id"], event=event["id"], category=cats[(n + k) % len(cats)],
                    first_name=FIRST[(n + k) % 12], last_name=f"{LAST[(n * 7 + k) % 24]}{n}",
                    badge_name="", credentials="MD", pronouns="", institution="Grown Hospital", city_region="",
                    profession="physician", dietary=DIETS[(n + k) % 6], accessibility="step-free" if n % 50 == 0 else "",
                    email=f"g{tag}{n}-{k}@example.org", price_cents=50000, checkin_code=uuid.uuid4().hex,
                    created_at=now - timedelta(minutes=n)))
        attendees = await Attendee.insert(*people).returning(Attendee.id, Attendee.order)
        added += len(attendees)
        paid = {o["id"] for n, o in zip(numbers, made, strict=True) if n % 2 == 0}
        await Payment.insert(*[Payment(order=o["id"], provider="manual", provider_id=f"manual-{tag}-{n}",
                                       method="cheque", amount_cents=50000 * (1 + n % 3), status="succeeded",
                                       message="", reference=f"chq {n}", succeeded_at=now)
                               for n, o in zip(numbers, made, strict=True) if n % 2 == 0])
        present = [a for i, a in enumerate(attendees) if a["order"] in paid and i % 3 == 0]
        if present:
            await CheckinScan.insert(*[CheckinScan(checkin_list=entry["id"], attendee=a["id"], station="Desk",
                                                   scanned_at=now - timedelta(minutes=i % 240), nonce_key=uuid.uuid4().hex)
                                       for i, a in enumerate(present)])
        if event["cme_enabled"] and present and session:  # scanned in and out of a credited session
            await AttendanceMark.insert(*[AttendanceMark(attendee=a["id"], event=event["id"], session=session["id"],
                                                         kind=kind, at=at, reason="")
                                          for a in present for kind, at in (("in", session["starts_at"]),
                                                                            ("out", session["ends_at"]))])
            await CmeClaim.insert(*[CmeClaim(attendee=a["id"], event=event["id"], credit_type="ama_pra_1", quarters=4,
                                             eligible_quarters=4, sessions=json.dumps([]), attested_at=now)
                                    for a in present[::2]])
    return added
