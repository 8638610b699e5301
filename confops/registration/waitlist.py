"""The waitlist: join when full; a freed place is offered to the next person at once.

Paid orders with no place waiting for one (paid_waiting) come before every offer. An open
offer keeps its place counted as sold, so nobody else can take it while the person decides; when it lapses the place moves to the next person, or back on sale. A place still owed
to a paying buyer (money that arrived after their order expired) takes an open offer back
(withdraw_offers): the person is told and is first in line again.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from confops.accounts.service import email_problem, normalize_email
from confops.core import clock
from confops.core.errors import Conflict, FieldError, collect
from confops.db import insert_or_get, transaction
from confops.registration import capacity
from confops.registration.config import CONFIG
from confops.registration.intake import text_problem
from confops.registration.tables import WaitlistEntry, WaitlistOffer


async def join_waitlist(slug: str, name: str, email: str) -> int:
    from confops.registration.catalog import load_catalog

    name, email = (name or "").strip(), normalize_email(email)
    problems = []
    if msg := text_problem(name, 200, True):
        problems.append(FieldError("name", msg))
    if msg := email_problem(email):
        problems.append(FieldError("email", msg))
    collect(problems)
    catalog = await load_catalog(slug)
    if not catalog.sold_out:
        raise Conflict("Places are available: register instead.", code="not_full")
    # one waiting (or offered) entry per person: a second join, even at the same moment, is the first
    entry_id, _ = await insert_or_get(
        WaitlistEntry(event=catalog.event["id"], name=name, email=email),
        (WaitlistEntry.event == catalog.event["id"]) & (WaitlistEntry.email == email)
        & WaitlistEntry.status.is_in(["waiting", "offered"]))
    return entry_id


async def offer_freed_places(event_id: int, freed: int) -> int:
    """Offer up to `freed` places to waiting people (inside the caller's transaction); returns
    how many places the offers keep."""
    from confops.registration.emails import queue_waitlist_offer
    from confops.registration.order_decision import hash_token

    kept = 0
    if freed <= 0:
        return 0
    waiting = await WaitlistEntry.select().where(
        (WaitlistEntry.event == event_id) & (WaitlistEntry.status == "waiting")
    ).order_by(WaitlistEntry.id).limit(freed)
    for entry in waiting:
        flipped = await WaitlistEntry.update({WaitlistEntry.status: "offered"}).where(
            (WaitlistEntry.id == entry["id"]) & (WaitlistEntry.status == "waiting")).returning(WaitlistEntry.id)
        if not flipped:
            continue
        token = secrets.token_urlsafe(24)
        expires = clock.now() + timedelta(hours=CONFIG.offer_hours)
        offer = WaitlistOffer(entry=entry["id"], event=event_id, token_hash=hash_token(token), expires_at=expires)
        await offer.save()
        await queue_waitlist_offer(entry, offer.id, token, expires)
        kept += 1
    return kept


async def lapse_offers() -> int:
    """Unused offers past their time move on to the next person (or back on sale)."""
    now = clock.now()
    due = await WaitlistOffer.select(WaitlistOffer.id, WaitlistOffer.event).where(
        (WaitlistOffer.status == "open") & (WaitlistOffer.expires_at < now)).limit(200)
    lapsed = 0
    for candidate in due:
        async with transaction():
            # the event's sales row first, as every other free does (paid_waiting's lock order)
            await capacity.lock_event(candidate["event"])
            rows = await WaitlistOffer.update({WaitlistOffer.status: "lapsed"}).where(
                (WaitlistOffer.id == candidate["id"]) & (WaitlistOffer.status == "open")
            ).returning(WaitlistOffer.entry, WaitlistOffer.event)
            if not rows:
                continue
            await WaitlistEntry.update({WaitlistEntry.status: "lapsed"}).where(WaitlistEntry.id == rows[0]["entry"])
            from confops.registration.paid_waiting import places_freed

            await places_freed(rows[0]["event"], 1)
            lapsed += 1
    return lapsed


async def withdraw_offers(event_id: int, n: int) -> int:
    """Take back up to `n` open offers not yet used (inside the caller's transaction), offers
    already past their time first, then the newest; returns how many. Their places stay counted
    as sold: the caller gives them to the paying order in the same transaction.

    Each is taken with a conditional UPDATE, so an offer being used at this moment is either
    used or withdrawn, never both. The person goes back to waiting; the line is in joining
    order and an offered person joined before everyone still waiting, so they are first again."""
    from confops.registration.emails import queue_waitlist_withdrawn

    now = clock.now()
    candidates = await WaitlistOffer.select(WaitlistOffer.id, WaitlistOffer.expires_at).where(
        (WaitlistOffer.event == event_id) & (WaitlistOffer.status == "open")).order_by(WaitlistOffer.id, ascending=False)
    candidates.sort(key=lambda o: o["expires_at"] >= now)  # stable: past their time first, then newest
    taken = 0
    for offer in candidates[:n]:
        lapsed = offer["expires_at"] < now  # as lapse_offers would have it: no longer theirs, nobody to tell
        rows = await WaitlistOffer.update({WaitlistOffer.status: "lapsed" if lapsed else "withdrawn"}).where(
            (WaitlistOffer.id == offer["id"]) & (WaitlistOffer.status == "open")).returning(WaitlistOffer.entry)
        if not rows:
            continue
        entries = await WaitlistEntry.update({WaitlistEntry.status: "lapsed" if lapsed else "waiting"}).where(
            (WaitlistEntry.id == rows[0]["entry"]) & (WaitlistEntry.status == "offered")).returning(
            *WaitlistEntry.all_columns())
        if entries and not lapsed:
            await queue_waitlist_withdrawn(entries[0], offer["id"])
        taken += 1
    return taken
