"""Staff edit what is sold; every edit bumps the catalog stamp, so the very next order (in any
process) is priced from the new catalog, never from a cached copy."""

import re

import pytest

from confops.core.errors import Conflict, Invalid
from confops.registration import catalog_admin
from confops.registration.catalog import load_catalog
from confops.registration.orders import place_order
from confops.registration.tables import Category, DiscountCode, EventSales, Question
from tests.registration.factory import make_event, order, person
from tests.support.http import post_form


def place(o):
    return place_order("meeting", o, hold_minutes=30, base_url="http://x")


async def stamp() -> str:
    return (await EventSales.select(EventSales.catalog_stamp).first())["catalog_stamp"]


async def test_every_edit_changes_the_stamp_and_the_next_order_sees_it(db):
    event_id = await make_event()
    await load_catalog("meeting")
    stamps = [await stamp()]
    await catalog_admin.update_category(event_id, "resident", early_cents=1, regular_cents=50000, late_cents=60000,
                                        capacity=None)
    stamps.append(await stamp())
    assert (await place(order(person(), key="a"))).total_cents == 50000
    await catalog_admin.update_addon(event_id, "workshop", price_cents=100, capacity=10)
    stamps.append(await stamp())
    await catalog_admin.save_question(event_id, "diet_pref", label="Meal choice", required=True, choices="fish\nveg")
    stamps.append(await stamp())
    with pytest.raises(Invalid) as caught:  # the new required question applies at once
        await place(order(person(email="b@example.org"), key="b"))
    assert "attendees[0].answers.diet_pref" in caught.value.field_messages()
    await catalog_admin.issue_code(event_id, "sch-lee", kind="free", max_uses=1, issued_to_name="Lee Scholar",
                                   issued_to_email="Lee@Example.org")
    stamps.append(await stamp())
    assert len(set(stamps)) == len(stamps)
    code = await DiscountCode.select().where(DiscountCode.code == "SCH-LEE").first()
    assert (code["issued_to_name"], code["issued_to_email"]) == ("Lee Scholar", "lee@example.org")
    placed = await place(order(person(email="lee@example.org", answers={"first_meeting": "yes", "diet_pref": "veg"}),
                               key="lee", code="sch-lee"))
    assert placed.total_cents == 0


async def test_bad_catalog_edits_change_nothing(db):
    event_id = await make_event()
    await catalog_admin.update_category(event_id, "member", early_cents=100, regular_cents=100, late_cents=100,
                                        capacity=None)
    before = (await stamp(), await Category.select(), await DiscountCode.count(), await Question.count())
    with pytest.raises(Invalid):
        await catalog_admin.update_category(event_id, "member", early_cents=-1, regular_cents="12x",
                                            late_cents=10**12, capacity=-3)
    await place(order(person("member"), key="m"))
    with pytest.raises(Invalid) as caught:
        await catalog_admin.update_category(event_id, "member", early_cents=1, regular_cents=1, late_cents=1,
                                            capacity=0)
    assert "capacity" in caught.value.field_messages()
    with pytest.raises(Invalid):
        await catalog_admin.issue_code(event_id, "<b>", kind="bogus", categories="nope",
                                       issued_to_email="not-mail")
    with pytest.raises(Conflict):
        await catalog_admin.issue_code(event_id, "save10", kind="percent", percent=5)
    with pytest.raises(Invalid):
        await catalog_admin.save_question(event_id, "bad key!", label="", required=False, choices="")
    assert (before[0], before[2], before[3]) == (await stamp(), await DiscountCode.count(), await Question.count())


async def test_staff_catalog_page(client, demo):
    from tests.registration.test_staff import sign_in

    base = "/staff/events/abs-national-meeting/registrations/catalog"
    await sign_in(client, "registrar@example.org")
    page = await client.get(base + "/")
    assert page.status_code == 200 and "Regular" in page.text
    cat = await Category.select().where((Category.code == "member") & (Category.event.slug == "abs-national-meeting")).first()
    r = await post_form(client, f"{base}/categories/member", {"early": "800.50", "regular": "875", "late": "925",
                                                              "capacity": ""})
    assert r.status_code == 200 and "Category saved" in r.text
    assert (await Category.select(Category.early_cents).where(Category.id == cat["id"]).first())["early_cents"] == 80050
    bad = await post_form(client, f"{base}/categories/member", {"early": "abc", "regular": "1", "late": "1"})
    assert bad.status_code == 422
    issued = await post_form(client, f"{base}/codes", {"code": "SCH-NEW", "kind": "free", "max_uses": "1",
                                                      "issued_to_name": "<i>Neo</i>", "issued_to_email": "neo@example.org"})
    assert issued.status_code == 200 and "&lt;i&gt;Neo&lt;/i&gt;" in issued.text
    # a code's kind in words (issue 30): "10 % off", "$50.00 off", "Free registration"
    cells = re.findall(r"<td>([^<]*)</td>", issued.text)
    assert "Free registration" in cells and "free" not in cells and "percent" not in cells
