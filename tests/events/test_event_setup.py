"""Staff set up events themselves at /staff/events: a theme day from nothing to a registrant's
order, bad input refused field by field with nothing saved, last year's meeting copied."""

from datetime import timedelta

from confops.backoffice.tables import AuditEntry
from confops.core.clock import local
from confops.events.tables import Event, Room, Session
from confops.registration.tables import Category, EventSales, Question
from tests.registration.test_staff import sign_in
from tests.support.http import post_form

NEW = {
    "title": "Balint Theme Day at the Spring Conference", "slug": "spring-theme-day", "kind": "theme_day",
    "summary": "A day of Balint groups.", "description": "**Groups** all day.\n\n<script>alert(1)</script>\n\n"
    "[agenda](javascript:alert(2)) and [the society](https://www.americanbalintsociety.org)",
    "timezone": "America/Chicago", "starts_at": "2031-04-02T08:30", "ends_at": "2031-04-02T16:30",
    "venue_name": "Convention Center", "city": "Minneapolis", "region": "MN", "country": "US", "capacity": "40",
    "currency": "USD", "registration_opens_at": "", "registration_closes_at": "2031-04-01T17:00",
    "early_bird_ends_at": "2031-03-01T23:59", "late_starts_at": "2031-03-25T00:00",
    "cancellation_policy": "tiered", "refund_tiers": "30:80, 14:50",
}


async def test_staff_create_a_theme_day_from_nothing_publish_it_and_a_registrant_orders(client, demo):
    await sign_in(client, "registrar@example.org")
    assert (await client.get("/staff/events/")).status_code == 200
    # careless input first: every problem named at its field, nothing written
    bad = {**NEW, "ends_at": "2031-04-01T16:30", "capacity": "-3", "timezone": "Mars/Olympus",
           "early_bird_ends_at": "", "refund_tiers": "lots", "venue_name": ""}
    r = await post_form(client, "/staff/events/new", bad, page="/staff/events/new")
    assert r.status_code == 422
    for field in ("timezone", "capacity", "refund_tiers", "venue_name"):
        assert f'id="{field}-error"' in r.text, field
    r = await post_form(client, "/staff/events/new", {**NEW, "ends_at": "2031-04-01T16:30"})
    assert r.status_code == 422 and 'id="ends_at-error"' in r.text and "must end after it starts" in r.text
    r = await post_form(client, "/staff/events/new", {**NEW, "early_bird_ends_at": "2031-05-01T00:00"})
    assert r.status_code == 422 and 'id="early_bird_ends_at-error"' in r.text
    assert not await Event.exists().where(Event.slug == "spring-theme-day")

    r = await post_form(client, "/staff/events/new", NEW)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/events/spring-theme-day/edit")
    event = await Event.select().where(Event.slug == "spring-theme-day").first()
    assert event["status"] == "draft" and local(event["starts_at"], "America/Chicago").hour == 8
    sales = await EventSales.select().where(EventSales.event == event["id"]).first()
    assert sales["refund_tiers"] == "30:80,14:50"
    assert await AuditEntry.exists().where((AuditEntry.action == "event_created") & (AuditEntry.entity_id == str(event["id"])))

    client.cookies.clear()
    assert (await client.get("/events/spring-theme-day")).status_code == 404  # a draft is staff-only
    await sign_in(client, "registrar@example.org")

    # publishing says what is missing
    edit = await client.get("/staff/events/spring-theme-day/edit")
    assert "Add at least one registration category" in edit.text
    r = await post_form(client, "/staff/events/spring-theme-day/status", {"status": "published"})
    assert r.status_code == 409 and "Add at least one registration category" in r.text
    r = await post_form(client, "/staff/events/spring-theme-day/categories",
                        {"code": "member", "label": "ABS member", "eligibility": "Current members",
                         "early": "120", "regular": "150", "late": "x"})
    assert r.status_code == 422 and 'id="late-error"' in r.text
    r = await post_form(client, "/staff/events/spring-theme-day/categories",
                        {"code": "member", "label": "ABS member", "eligibility": "Current members",
                         "early": "120", "regular": "150"})
    assert r.status_code == 303
    r = await post_form(client, "/staff/events/spring-theme-day/status", {"status": "published"})
    assert r.status_code == 303
    client.cookies.clear()
    public = await client.get("/events/spring-theme-day")
    assert public.status_code == 200
    assert "<strong>Groups</strong>" in public.text and "<script>alert(1)" not in public.text
    assert "javascript:alert(2)" not in public.text.split("About")[1][:2000].replace("[agenda](javascript:alert(2))", "")
    assert 'href="https://www.americanbalintsociety.org"' in public.text

    body = {"buyer_name": "Ana Lima", "buyer_email": "ana@example.org", "idempotency_key": "theme-day-order-0001",
            "attendees": [{"category": "member", "email": "ana@example.org", "first_name": "Ana", "last_name": "Lima"}]}
    r = await client.post("/api/v1/events/spring-theme-day/orders", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["total_cents"] == 12000  # the early-bird price staff set

    # the capacity cannot drop below what is sold; a phase ending after the event is refused
    await sign_in(client, "registrar@example.org")
    form = {**NEW, "capacity": "0"}
    r = await post_form(client, "/staff/events/spring-theme-day/edit", form)
    assert r.status_code == 422 and 'id="capacity-error"' in r.text
    r = await post_form(client, "/staff/events/spring-theme-day/edit", {**NEW, "late_starts_at": "2031-04-03T00:00"})
    assert r.status_code == 422 and 'id="late_starts_at-error"' in r.text
    assert (await Event.select(Event.capacity).where(Event.id == event["id"]).first())["capacity"] == 40


async def test_a_session_outside_new_dates_and_other_roles(client, demo):
    await sign_in(client, "checkin@example.org")
    assert (await client.get("/staff/events/")).status_code == 403
    assert (await client.get("/staff/events/balint-theme-day/edit")).status_code == 403
    client.cookies.clear()
    await sign_in(client, "registrar@example.org")
    page = await client.get("/staff/events/balint-theme-day/edit")
    assert page.status_code == 200
    import re

    values = dict(re.findall(r'<input id="(\w+)" name="\w+" type="[\w-]+" value="([^"]*)"', page.text))
    values.update(timezone="America/Chicago", kind="theme_day", cancellation_policy="flat_fee")
    day = values["starts_at"][:10]
    r = await post_form(client, "/staff/events/balint-theme-day/edit", {**values, "ends_at": f"{day}T12:00"})
    assert r.status_code == 422 and "Sessions would fall outside these dates" in r.text, re.findall(r"<li><a href=.{0,300}", r.text)
    r = await post_form(client, "/staff/events/balint-theme-day/edit", {**values, "title": "Renamed theme day"})
    assert r.status_code == 303
    assert (await Event.select(Event.title).where(Event.slug == "balint-theme-day").first())["title"] == "Renamed theme day"


async def _prepare_last_year(old: dict) -> None:
    """What last year's meeting had beyond the demo: check-in lists, a published program, a claim."""
    from confops.checkin.lists import create_session_list, ensure_day_lists
    from confops.cme.tables import CmeClaim
    from confops.events.schedule import freeze_version
    from confops.registration.tables import Attendee

    await ensure_day_lists(old["id"])
    first = await Session.select().where(Session.event == old["id"]).order_by(Session.starts_at).first()
    await create_session_list(old["id"], first["id"], track_exit=True)
    await freeze_version(old["id"], None)
    await Session.update({Session.title: "Renamed after publishing"}).where(Session.id == first["id"])
    await freeze_version(old["id"], None)
    from confops.cme.tables import CmeSessionCredit, EvaluationQuestion

    credited = await Session.select().where((Session.event == old["id"]) & (Session.credit_quarters > 0)).first()
    if not await CmeSessionCredit.exists().where(CmeSessionCredit.session == credited["id"]):
        await CmeSessionCredit(session=credited["id"], credit_types="", parallel_group="A").save()

    await EvaluationQuestion(event=old["id"], session=first["id"], kind="likert", prompt="Was it useful?",
                             choices="", required=True, position=0).save()
    someone = await Attendee.select(Attendee.id).where(Attendee.event == old["id"]).first()
    if someone:
        await CmeClaim(attendee=someone["id"], event=old["id"], credit_type="ama_pra_1", quarters=4, eligible_quarters=4, sessions="[]",
                       attested_at=old["ends_at"]).save()


async def test_staff_copy_last_years_national_meeting(client, demo):
    import json

    from confops.checkin.tables import CheckinList
    from confops.cme.tables import CmeActivity, CmeClaim, CmeSessionCredit, EvaluationQuestion
    from confops.events.tables import ScheduleVersion

    await sign_in(client, "registrar@example.org")
    old = await Event.select().where(Event.slug == "abs-national-meeting-previous").first()
    tz = old["timezone"]
    await _prepare_last_year(old)
    start = local(old["starts_at"], tz).date() + timedelta(days=728)
    r = await post_form(client, "/staff/events/abs-national-meeting-previous/copy",
                        {"copy_title": "ABS National Meeting (next)", "copy_slug": "abs-national-meeting-next",
                         "starts_on": start.isoformat()}, page="/staff/events/abs-national-meeting-previous/edit")
    assert r.status_code == 303 and "/staff/events/abs-national-meeting-next/edit" in r.headers["location"]
    new = await Event.select().where(Event.slug == "abs-national-meeting-next").first()
    assert new["status"] == "draft" and local(new["starts_at"], tz).date() == start
    assert local(new["starts_at"], tz).time() == local(old["starts_at"], tz).time()
    old_sessions = await Session.select().where(Session.event == old["id"]).order_by(Session.code)
    new_sessions = await Session.select().where(Session.event == new["id"]).order_by(Session.code)
    assert [s["code"] for s in new_sessions] == [s["code"] for s in old_sessions]
    for a, b in zip(old_sessions, new_sessions, strict=True):
        assert local(b["starts_at"], tz).time() == local(a["starts_at"], tz).time()  # wall time kept across DST
    assert await Room.count().where(Room.event == new["id"]) == await Room.count().where(Room.event == old["id"])
    assert await Category.count().where(Category.event == new["id"]) == await Category.count().where(
        Category.event == old["id"])
    assert await Question.count().where(Question.event == new["id"]) >= 0
    assert all(c["sold"] == 0 for c in await Category.select().where(Category.event == new["id"]))
    assert await AuditEntry.exists().where(AuditEntry.action == "event_copied")
    by_code = {s["code"]: s for s in new_sessions}
    old_by_id = {s["id"]: s for s in old_sessions}

    # the CME designation comes along, open for changes, with no claims
    old_activity = await CmeActivity.select().where(CmeActivity.event == old["id"]).first()
    new_activity = await CmeActivity.select().where(CmeActivity.event == new["id"]).first()
    assert new_activity is not None and new_activity["credit_types"] == old_activity["credit_types"]
    if old_activity["claim_deadline"]:
        assert local(new_activity["claim_deadline"], tz).time() == local(old_activity["claim_deadline"], tz).time()
    assert new["cme_enabled"] and new["cme_max_credit_quarters"] == old["cme_max_credit_quarters"]
    old_credits = await CmeSessionCredit.select().where(CmeSessionCredit.session.is_in([s["id"] for s in old_sessions]))
    new_credits = await CmeSessionCredit.select().where(CmeSessionCredit.session.is_in([s["id"] for s in new_sessions]))
    assert new_credits and sorted((old_by_id[c["session"]]["code"], c["parallel_group"]) for c in old_credits) == sorted(
        ({s["id"]: s for s in new_sessions}[c["session"]]["code"], c["parallel_group"]) for c in new_credits)
    assert await EvaluationQuestion.count().where(EvaluationQuestion.event == new["id"]) == \
        await EvaluationQuestion.count().where(EvaluationQuestion.event == old["id"]) > 0
    assert not await CmeClaim.exists().where(CmeClaim.event == new["id"])
    cme_staff = await client.get("/staff/events/abs-national-meeting-next/cme/")
    assert cme_staff.status_code == 200 and "Designation is made in advance" not in cme_staff.text
    kept = new_credits[0]  # saved as it is: only the lock is tested
    plenary = {s["id"]: s for s in new_sessions}[kept["session"]]
    client.cookies.clear()
    await sign_in(client, "cme@example.org")
    r = await post_form(client, f"/staff/events/abs-national-meeting-next/cme/sessions/{plenary['id']}",
                        {"credit": f"{plenary['credit_quarters'] / 4:g}", "group": kept["parallel_group"],
                         **({"types": kept["credit_types"]} if kept["credit_types"] else {})}, page="/staff/events/abs-national-meeting-next/cme/")
    assert r.status_code == 303, r.text[:400]  # unlocked: the source has ended, the copy has not started
    client.cookies.clear()
    await sign_in(client, "registrar@example.org")

    # its check-in lists, on the new days and the copied sessions, without scans
    old_lists = await CheckinList.select().where(CheckinList.event == old["id"]).order_by(CheckinList.id)
    new_lists = await CheckinList.select().where(CheckinList.event == new["id"]).order_by(CheckinList.id)
    assert len(new_lists) == len(old_lists) >= 2
    for a, b in zip(old_lists, new_lists, strict=True):
        assert (b["kind"], b["track_exit"]) == (a["kind"], a["track_exit"])
        if a["day"]:
            assert (b["day"] - a["day"]).days == (start - local(old["starts_at"], tz).date()).days
            assert b["name"] != a["name"] and b["name"].startswith("Entry ")
        if a["session"]:
            assert by_code[old_by_id[a["session"]]["code"]]["id"] == b["session"]

    # and its current program as version 1, on the copies' sessions at the same wall times
    [version] = await ScheduleVersion.select().where(ScheduleVersion.event == new["id"])
    assert version["number"] == 1
    latest = await ScheduleVersion.select().where(ScheduleVersion.event == old["id"]).order_by(
        ScheduleVersion.number, ascending=False).first()
    old_items, new_items = json.loads(latest["snapshot"]), json.loads(version["snapshot"])
    assert [i["code"] for i in new_items] == [i["code"] for i in old_items] and new_items
    assert "Renamed after publishing" in [i["title"] for i in new_items]
    from datetime import datetime

    for a, b in zip(old_items, new_items, strict=True):
        assert b["id"] == by_code[a["code"]]["id"]
        assert local(datetime.fromisoformat(b["starts_at"]), tz).time() == \
            local(datetime.fromisoformat(a["starts_at"]), tz).time()

    r = await post_form(client, "/staff/events/abs-national-meeting-previous/copy",
                        {"copy_title": "x", "copy_slug": "abs-national-meeting-next", "starts_on": "soon"})
    assert r.status_code == 422 and 'id="starts_on-error"' in r.text


async def test_staff_add_an_add_on_and_cancel_an_event_with_everyone_told(client, demo, deliver, inbox):
    from confops.registration.tables import AddOn, Attendee, Order

    await sign_in(client, "registrar@example.org")
    base = "/staff/events/balint-theme-day"
    r = await post_form(client, f"{base}/addons", {"addon_code": "lunch", "addon_label": "", "addon_price": "12,50x"},
                        page=f"{base}/edit")
    assert r.status_code == 422 and 'id="addon_label-error"' in r.text and 'id="addon_price-error"' in r.text
    r = await post_form(client, f"{base}/addons", {"addon_code": "lunch", "addon_label": "Boxed lunch",
                                                   "addon_price": "18.50", "addon_capacity": "40"})
    assert r.status_code == 303
    event_id = (await Event.select(Event.id).where(Event.slug == "balint-theme-day").first())["id"]
    assert (await AddOn.select().where((AddOn.event == event_id) & (AddOn.code == "lunch")).first())["price_cents"] == 1850
    body = {"buyer_name": "Theo Day", "buyer_email": "theo@example.org", "idempotency_key": "theme-day-cancel-0001",
            "attendees": [{"category": "member", "email": "theo@example.org", "first_name": "Theo", "last_name": "Day",
                           "addons": {"lunch": 1}, "answers": {"first_meeting": "no"}}]}
    placed = (await client.post("/api/v1/events/balint-theme-day/orders", json=body)).json()
    assert placed["total_cents"] > 1850
    before = await Attendee.select(Attendee.token_version).where(Attendee.order == placed["id"]).first()
    r = await post_form(client, f"{base}/cancel", {"reason": "", "confirm": "nope"})
    assert r.status_code == 422 and 'id="reason-error"' in r.text and 'id="confirm-error"' in r.text
    assert (await Event.select(Event.status).where(Event.id == event_id).first())["status"] == "published"
    r = await post_form(client, f"{base}/cancel", {"reason": "The host conference was called off.",
                                                   "confirm": "balint-theme-day"})
    assert r.status_code == 303
    assert (await Order.select(Order.status).where(Order.id == placed["id"]).first())["status"] == "cancelled"
    after = await Attendee.select(Attendee.token_version, Attendee.status).where(Attendee.order == placed["id"]).first()
    assert after["status"] == "cancelled" and after["token_version"] > before["token_version"]
    assert await AuditEntry.exists().where(AuditEntry.action == "event_cancelled")
    inbox.clear()
    await deliver()
    told = [m for m in inbox.messages if m["To"] == "theo@example.org" and "Cancelled by the organizers" in m["Subject"]]
    assert len(told) == 1 and "called off" in told[0].get_body(("plain",)).get_content()
    r = await post_form(client, f"{base}/cancel", {"reason": "again", "confirm": "balint-theme-day"})
    assert r.status_code in (404, 409, 422) or "Cancel the event" not in r.text
