"""A group order through the public form without JavaScript: a buyer who does not attend
registers two attendees, each in their own category; errors land next to the right block."""

from confops.registration.tables import Attendee, Order
from tests.registration.factory import make_event
from tests.registration.test_pages import form_token
from tests.support.http import post_form

FIRST = {"category": "member", "first_name": "Mo", "last_name": "Member", "email": "mo@example.org",
         "answer_first_meeting": "no", "addon_workshop": "1"}


async def test_buyer_registers_two_attendees_in_their_own_categories(client):
    await make_event()
    page = await client.get("/events/meeting/register")
    token = form_token(page.text)
    base = {**FIRST, "form_token": token, "buyer_name": "Dept Office", "buyer_email": "office@example.org"}
    more = await post_form(client, "/events/meeting/register", {**base, "action": "add"})
    assert more.status_code == 200 and 'name="a1_category"' in more.text and 'name="extra" value="1"' in more.text
    assert 'value="Mo"' in more.text  # what was typed stays
    second = {"a1_category": "resident", "a1_first_name": "Rae", "a1_last_name": "Resident",
              "a1_email": "rae@example.org", "a1_answer_first_meeting": "yes", "a1_addon_book": "2"}
    bad = await post_form(client, "/events/meeting/register",
                          {**base, "extra": "1", **second, "a1_email": "nope", "action": "review"})
    assert bad.status_code == 422 and "a1_email" in bad.text and 'value="nope"' in bad.text
    review = await post_form(client, "/events/meeting/register", {**base, "extra": "1", **second, "action": "review"})
    assert review.status_code == 200
    assert "Rae Resident" in review.text and "Mo Member" in review.text and "Dept Office" in review.text
    total = review.text.split('id="total"')[1].split("</dd>")[0]
    assert "$1,775.00" in total  # member 875 + workshop 150 + resident 700 + 2 books × 25
    done = await post_form(client, "/events/meeting/register", {**base, "extra": "1", **second, "action": "confirm"})
    assert done.status_code == 303
    order = await Order.select().first()
    assert (order["buyer_name"], order["buyer_email"]) == ("Dept Office", "office@example.org")
    people = await Attendee.select(Attendee.email, Attendee.category.code.as_alias("cat"), Attendee.price_cents
                                   ).order_by(Attendee.id)
    assert [(p["email"], p["cat"], p["price_cents"]) for p in people] == [
        ("mo@example.org", "member", 87500 + 15000), ("rae@example.org", "resident", 70000 + 5000)]
    assert order["total_cents"] == 87500 + 15000 + 70000 + 5000


async def test_remove_the_last_attendee(client):
    await make_event()
    page = await client.get("/events/meeting/register")
    r = await post_form(client, "/events/meeting/register",
                        {**FIRST, "form_token": form_token(page.text), "extra": "2", "action": "remove"})
    assert 'name="extra" value="1"' in r.text and 'name="a2_category"' not in r.text
