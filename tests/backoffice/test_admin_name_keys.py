"""An admin who corrects a registration's name in /admin must not leave its folded name keys
behind (registration/name_keys.py): the badge list sorts and pages by `name_key` and finds
people by `name_search`, the staff search by `search_text`. Edited, created or replaced there,
the row's keys are those of its new name."""

from __future__ import annotations

from confops.documents.badge_data import BadgeFilters, roster_page
from confops.registration.name_keys import name_columns
from confops.registration.staff import search
from confops.registration.tables import Attendee
from tests.backoffice.conftest import sign_in
from tests.conftest import TEST_SECRET

SLUG = "abs-national-meeting"
URL = "/admin/api/tables/registration_attendee/"


async def _admin(client) -> dict:
    await sign_in(client, "admin@example.org")
    assert (await client.get("/admin/")).status_code == 200  # sets piccolo-admin's CSRF cookie
    return {"X-CSRFToken": client.cookies.get("csrftoken") or ""}


def _keys(row: dict) -> dict:
    return {k: row[k] for k in ("name_key", "name_search", "search_text")}


async def test_a_name_edited_in_admin_is_found_and_sorted_by_its_new_name(client, demo):
    headers = await _admin(client)
    amara = await Attendee.select().where(Attendee.email == "amara.okafor@example.org").first()
    edited = await client.patch(f"{URL}{amara['id']}/", headers=headers,
                                json={"last_name": "Zwölfer-Ñúñez", "name_key": "forged"})
    assert edited.status_code == 200, edited.text
    row = await Attendee.select().where(Attendee.id == amara["id"]).first()
    assert row["last_name"] == "Zwölfer-Ñúñez"
    assert _keys(row) == name_columns(row["first_name"], "Zwölfer-Ñúñez", row["badge_name"], row["email"],
                                      row["institution"])
    found = await roster_page(SLUG, BadgeFilters(name="ZWOLFER-nunez"), secret_key=TEST_SECRET, page=1)
    assert [b.last_name for b in found.badges.rows] == ["Zwölfer-Ñúñez"]
    assert not (await roster_page(SLUG, BadgeFilters(name="okafor amara"), secret_key=TEST_SECRET, page=1)).badges.rows
    assert [r["id"] for r in (await search(amara["event"], "nunez")).rows] == [amara["id"]]


async def test_a_registration_replaced_in_admin_keeps_its_keys_true(client, demo):
    """PUT replaces a row without piccolo's hooks: it is refused, and the row is unchanged."""
    headers = await _admin(client)
    amara = await Attendee.select().where(Attendee.email == "amara.okafor@example.org").first()
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in amara.items() if k != "id"}
    replaced = await client.put(f"{URL}{amara['id']}/", headers=headers, json={**body, "last_name": "Quist"})
    assert replaced.status_code == 405, replaced.text
    row = await Attendee.select().where(Attendee.id == amara["id"]).first()
    assert row["last_name"] == amara["last_name"] and _keys(row) == _keys(amara)


async def test_a_registration_created_in_admin_gets_the_keys_of_its_name(client, demo):
    headers = await _admin(client)
    amara = await Attendee.select().where(Attendee.email == "amara.okafor@example.org").first()
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in amara.items() if k != "id"}
    created = await client.post(URL, headers=headers, json={
        **body, "first_name": "Đức", "last_name": "Đặng", "email": "duc@example.org", "checkin_code": "admin-made",
        "name_key": "forged", "name_search": "forged", "search_text": ""})
    assert created.status_code in (200, 201), created.text
    row = await Attendee.select().where(Attendee.checkin_code == "admin-made").first()
    assert _keys(row) == name_columns("Đức", "Đặng", row["badge_name"], "duc@example.org", row["institution"])
