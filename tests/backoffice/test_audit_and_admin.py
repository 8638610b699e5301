"""Every staff change lands in the audit log (who, what, when, before/after); admins browse it
and reach piccolo-admin; nobody else does."""

import json
import re

from confops.accounts.tables import User
from confops.backoffice.tables import AuditEntry
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee, Category, DiscountCode
from tests.backoffice.conftest import sign_in
from tests.support.http import post_form

SLUG = "abs-national-meeting"


async def test_staff_changes_are_logged_and_filterable(client, demo):
    await sign_in(client, "registrar@example.org")
    chloe = await Attendee.select(Attendee.id).where(Attendee.email == "chloe.dubois@example.org").first()
    r = await post_form(client, f"/staff/events/{SLUG}/registrations/accessibility/{chloe['id']}", {},
                        page=f"/staff/events/{SLUG}/registrations/accessibility")
    assert r.status_code == 303
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    session = await Session.select().where(Session.event == event["id"]).first()
    r = await post_form(client, f"/staff/events/{SLUG}/schedule/sessions/{session['id']}/published",
                        {"published": "0"}, page=f"/staff/events/{SLUG}/schedule")
    assert r.status_code in (200, 303)
    r = await post_form(client, f"/staff/events/{SLUG}/registrations/new",
                        {"form_token": "staff-entry-1", "category": "member", "first_name": "Guest", "last_name": "Speaker",
                         "email": "guest@example.org", "answer_first_meeting": "yes", "complimentary": "1"},
                        page=f"/staff/events/{SLUG}/registrations/new")
    assert r.status_code == 303, r.text
    entries = await AuditEntry.select().order_by(AuditEntry.id)
    entered = [e for e in entries if e["action"] == "registration_entered"][0]
    assert "guest@example.org" in str(entered["after"]) and "True" in str(entered["after"]).title()
    followed = [e for e in entries if e["action"] == "accessibility_followed_up"][0]
    assert followed["actor_email"] == "registrar@example.org" and followed["entity_id"] == str(chloe["id"])
    assert any(e["action"] == "session_unpublished" for e in entries)

    assert (await client.get("/staff/audit")).status_code == 403  # registrars do not read the log
    await sign_in(client, "admin@example.org")
    page = await client.get("/staff/audit", params={"actor": "registrar@example.org",
                                                      "action": "accessibility_followed_up"})
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    # what was recorded, in words: "Accessibility followed up", not accessibility_followed_up
    assert "<td>Accessibility followed up</td>" in text and f"Attendee {chloe['id']}" in text
    assert "<strong>Accessibility followed up</strong>: False → True" in text
    assert "Session unpublished</td>" not in text  # filtered out
    other = await client.get("/staff/audit", params={"entity": "session"})
    assert "Session unpublished</td>" in other.text


async def test_piccolo_admin_for_admins_only(client, demo):
    await sign_in(client, "registrar@example.org")
    assert (await client.get("/admin/")).status_code == 403
    await sign_in(client, "admin@example.org")
    staff = await client.get("/staff")
    assert 'href="/admin/"' in staff.text and 'href="/staff/audit"' in staff.text and 'href="/staff/privacy"' in staff.text
    home = await client.get("/admin/")
    assert home.status_code == 200 and "<html" in home.text.lower()
    tables = await client.get("/admin/api/tables/")
    assert tables.status_code == 200, tables.text
    assert "registration_attendee" in tables.text
    assert "registration_demographics" not in tables.text  # one row = one person's answers: never shown
    assert (await client.get("/admin/api/tables/registration_demographics/")).status_code == 404
    rows = await client.get("/admin/api/tables/registration_attendee/", params={"__page_size": 50})
    assert rows.status_code == 200 and "amara.okafor@example.org" in rows.text
    category = await Category.select().where(Category.code == "member").first()
    token = client.cookies.get("csrftoken")  # piccolo-admin's own CSRF cookie, set on its pages
    edited = await client.patch(f"/admin/api/tables/registration_category/{category['id']}/",
                                json={"label": "Society member"}, headers={"X-CSRFToken": token or ""})
    assert edited.status_code == 200, edited.text
    assert (await Category.select(Category.label).where(Category.id == category["id"]).first())["label"] == \
        "Society member"
    # The edit is in the audit log like any other staff change, with what it was and what it became.
    [logged] = await AuditEntry.select().where((AuditEntry.action == "admin_update")
                                               & (AuditEntry.entity == "registration_category"))
    assert logged["actor_email"] == "admin@example.org" and logged["entity_id"] == str(category["id"])
    assert json.loads(logged["before"])["label"] == category["label"]
    assert json.loads(logged["after"])["label"] == "Society member"
    # Creating and deleting too; secret columns never reach the log.
    headers = {"X-CSRFToken": token or ""}
    created = await client.post("/admin/api/tables/discount_code/", headers=headers, json={
        "event": category["event"], "code": "ADMIN5", "kind": "fixed", "percent": 0, "amount_cents": 500, "used": 0,
        "categories": "", "issued_to_name": "", "issued_to_email": "", "created_at": "2026-11-30T12:00:00+00:00"})
    assert created.status_code in (200, 201), created.text
    code = await DiscountCode.select(DiscountCode.id).where(DiscountCode.code == "ADMIN5").first()
    [made] = await AuditEntry.select().where(AuditEntry.action == "admin_create")
    assert made["entity"] == "discount_code" and made["entity_id"] == str(code["id"]) and made["before"] is None
    assert (await client.delete(f"/admin/api/tables/discount_code/{code['id']}/", headers=headers)).status_code < 300
    [deleted] = await AuditEntry.select().where(AuditEntry.action == "admin_delete")
    assert json.loads(deleted["before"])["code"] == "ADMIN5" and deleted["after"] is None
    user = await User.select(User.id).where(User.email == "registrar@example.org").first()
    renamed = await client.patch(f"/admin/api/tables/account_user/{user['id']}/", headers=headers,
                                 json={"display_name": "Reggie Registrar"})
    assert renamed.status_code == 200, renamed.text
    [account] = await AuditEntry.select().where(AuditEntry.entity == "account_user")
    assert json.loads(account["after"])["display_name"] == "Reggie Registrar"
    assert json.loads(account["before"])["password_hash"] == json.loads(account["after"])["password_hash"] == "(hidden)"
    client.cookies.clear()
    assert (await client.get("/admin/api/tables/", headers={"accept": "application/json"})).status_code == 401
