"""Bulk e-mail filters, the mailing list's double opt-in, and one-click unsubscribe that never
blocks transactional mail."""

import re
from datetime import timedelta

from confops.backoffice.tables import MailingListMember
from confops.core import clock
from confops.core.extension import MailFilter
from confops.events.tables import AgendaItem, Event, Session
from confops.registration.tables import Attendee
from tests.backoffice.conftest import sign_in
from tests.registration.test_pure_reads import writes
from tests.support.http import links_in, post_form
from tests.support.smtp import body_text
from tests.support.statements import statements_counted

SLUG = "abs-national-meeting"


async def _drain(deliver, inbox):
    while await deliver():
        pass
    inbox.clear()


async def test_filters_by_session_status_and_another_areas_group(client, demo, inbox, deliver, provide):
    await _drain(deliver, inbox)
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    session = await Session.select(Session.id).where((Session.event == event["id"]) & (Session.kind == "workshop")).first()
    from confops.accounts.service import create_user

    made = await create_user("hana.sato@example.org", "Hana Sato")
    await AgendaItem(user=made.id, session=session["id"]).save()
    diego = await Attendee.select(Attendee.id).where(Attendee.email == "diego.santos@example.org").first()

    async def groups(event_id):
        async def members(choice):
            return {diego["id"]} if choice == "g1" else set()
        return [MailFilter("group", "Small group", [("g1", "Group 1"), ("g2", "Group 2")], members)]

    provide("mail_filters", groups)
    await sign_in(client, "registrar@example.org")
    page = await client.get(f"/staff/events/{SLUG}/mail")
    assert "Small group" in page.text and "Group 1" in page.text
    base = {"audience": "registrants", "status": "confirmed", "category": "", "subject": "Hi", "body": "Hello"}

    async def recipients(**extra):
        r = await post_form(client, f"/staff/events/{SLUG}/mail/preview", {**base, "session": "", **extra})
        assert r.status_code == 200, r.text
        return set(re.findall(r"&lt;([^&]+)&gt;", r.text))

    assert await recipients(session=str(session["id"])) == {"hana.sato@example.org"}
    assert await recipients(filter_group="g1") == {"diego.santos@example.org"}
    unpaid = await recipients(status="awaiting_payment")
    assert "jo.mensah@example.org" in unpaid and "amara.okafor@example.org" not in unpaid
    assert "friend@example.org" in await recipients(audience="mailing_list")
    empty = await post_form(client, f"/staff/events/{SLUG}/mail/send", {**base, "subject": "", "session": ""})
    assert empty.status_code == 422 and "Write a subject." in empty.text


async def test_one_click_unsubscribe_skips_bulk_but_not_transactional(client, demo, inbox, deliver):
    await _drain(deliver, inbox)
    await sign_in(client, "registrar@example.org")
    form = {"audience": "registrants", "status": "confirmed", "category": "", "session": "",
            "subject": "News", "body": "Hello {name}"}
    await post_form(client, f"/staff/events/{SLUG}/mail/send", form)
    await deliver()
    first = inbox.wait_for("ben.carter@example.org")[0]
    url = first["List-Unsubscribe"].strip("<>")
    assert url in body_text(first)
    path = url.replace("http://testserver.local", "")
    client.cookies.clear()  # a mail client: no session, no CSRF token
    r = await client.post(path, content=b"List-Unsubscribe=One-Click",
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "no more bulk e-mail" in r.text
    assert (await client.get(path[:-3] + "xyz")).status_code == 404  # a forged signature

    inbox.clear()
    await sign_in(client, "registrar@example.org")
    preview = await post_form(client, f"/staff/events/{SLUG}/mail/preview", form)
    assert "1 skipped (unsubscribed)" in preview.text
    assert "Sent before" in preview.text and "<td>News</td>" in preview.text
    await post_form(client, f"/staff/events/{SLUG}/mail/send", form)
    order = await Attendee.select(Attendee.order).where(Attendee.email == "ben.carter@example.org").first()
    resend = await post_form(client, f"/staff/events/{SLUG}/registrations/orders/{order['order']}/resend", {})
    assert resend.status_code == 303
    await deliver()
    inbox.wait_for("amara.okafor@example.org")
    to_ben = inbox.to("ben.carter@example.org")
    assert [m["Subject"] for m in to_ben if m["Subject"] == "News"] == []
    assert len(to_ben) == 1  # the confirmation still arrives


async def test_join_the_mailing_list_with_double_opt_in(client, demo, inbox, deliver):
    await _drain(deliver, inbox)
    form = await client.get("/mailing-list")
    assert "Add me to your mailing list" in form.text
    bad = await post_form(client, "/mailing-list", {"email": "nope", "name": ""})
    assert bad.status_code == 422
    r = await post_form(client, "/mailing-list", {"email": "New.Person@example.org", "name": "New Person"})
    assert r.status_code == 200 and "confirm" in r.text
    await sign_in(client, "registrar@example.org")
    before = await post_form(client, f"/staff/events/{SLUG}/mail/preview",
                             {"audience": "mailing_list", "status": "confirmed", "subject": "x", "body": "y"})
    assert "new.person@example.org" not in before.text  # not until confirmed
    await deliver()
    link = [u for u in links_in(body_text(inbox.wait_for("new.person@example.org")[0])) if "/confirm/" in u][0]
    joined = await client.get(link.replace("http://testserver.local", ""))
    assert joined.status_code == 200 and "is on our mailing list" in joined.text
    member = MailingListMember.select(MailingListMember.confirmed_at).where(
        MailingListMember.email == "new.person@example.org")
    confirmed = (await member.first())["confirmed_at"]
    with clock.frozen_at(clock.now() + timedelta(days=1)), statements_counted() as seen:
        again = await client.get(link.replace("http://testserver.local", ""))  # a second click
    assert again.status_code == 200 and "is on our mailing list" in again.text
    assert not writes(seen) and (await member.first())["confirmed_at"] == confirmed  # the consent's time kept
    after = await post_form(client, f"/staff/events/{SLUG}/mail/preview",
                            {"audience": "mailing_list", "status": "confirmed", "subject": "x", "body": "y"})
    assert "new.person@example.org" in after.text


async def test_an_old_confirmation_link_does_not_undo_an_unsubscribe(client, demo, inbox, deliver):
    """Someone who confirmed, then unsubscribed, and later clicks the old confirmation e-mail again
    (or anyone holding it) stays off the list: only a new request to join, confirmed anew, puts
    them back."""
    from confops.accounts.tables import Organizer
    from confops.backoffice.mailing_list import unsubscribe_token

    await _drain(deliver, inbox)
    await post_form(client, "/mailing-list", {"email": "ben.a@example.org", "name": "Ben"})
    await deliver()
    old = [u for u in links_in(body_text(inbox.wait_for("ben.a@example.org")[0])) if "/confirm/" in u][0]
    old = old.replace("http://testserver.local", "")
    assert "is on our mailing list" in (await client.get(old)).text
    org = (await Organizer.select(Organizer.id).first())["id"]
    left = await client.post(f"/unsubscribe/{unsubscribe_token(org, 'ben.a@example.org')}")
    assert left.status_code == 200
    member = MailingListMember.select(MailingListMember.status).where(MailingListMember.email == "ben.a@example.org")
    assert (await member.first())["status"] == "unsubscribed"
    assert (await client.get(old)).status_code == 404
    assert (await member.first())["status"] == "unsubscribed"
    inbox.clear()
    await post_form(client, "/mailing-list", {"email": "ben.a@example.org", "name": "Ben"})
    await deliver()
    new = [u for u in links_in(body_text(inbox.wait_for("ben.a@example.org")[0])) if "/confirm/" in u][0]
    assert "is on our mailing list" in (await client.get(new.replace("http://testserver.local", ""))).text
    assert (await member.first())["status"] == "subscribed"
