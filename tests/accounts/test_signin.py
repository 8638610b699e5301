"""Signing in: staff passwords and single-use e-mailed links, over HTTP with a real SMTP server."""

from datetime import timedelta
from urllib.parse import urlparse

from confops.accounts.service import create_user
from confops.accounts.tables import LoginLink
from confops.core import clock
from confops.core.auth import Role
from tests.support.http import links_in, post_form
from tests.support.smtp import body_text


async def test_staff_sign_in_and_out(client, demo):
    assert (await client.get("/staff")).headers["location"] == "/staff/login?next=/staff"
    r = await post_form(client, "/staff/login", {"email": "Admin@Example.org ", "password": "confops-demo",
                                                 "next": "/staff"}, page="/staff/login")
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    staff = await client.get("/staff")
    assert staff.status_code == 200 and "ABS National Meeting" in staff.text and "Alex Admin" in staff.text
    r = await post_form(client, "/logout", {}, page="/staff")
    assert r.status_code == 303
    assert (await client.get("/staff")).status_code == 303


async def test_wrong_password_is_refused_without_saying_which_part(client, demo):
    for email, password in (("admin@example.org", "wrong-password"), ("nobody@example.org", "confops-demo"), ("", "")):
        r = await post_form(client, "/staff/login", {"email": email, "password": password}, page="/staff/login")
        assert r.status_code == 401 and "do not match" in r.text
    assert (await client.get("/staff")).status_code == 303


async def test_forms_without_csrf_token_are_refused(client, demo):
    await client.get("/staff/login")
    r = await client.post("/staff/login", data={"email": "admin@example.org", "password": "confops-demo"})
    assert r.status_code == 403
    assert (await client.get("/staff")).status_code == 303


async def test_open_redirects_are_refused(client, demo):
    for bad in ("https://evil.example", "//evil.example", "/\\evil.example"):
        r = await post_form(client, "/staff/login", {"email": "admin@example.org", "password": "confops-demo",
                                                     "next": bad}, page="/staff/login")
        assert r.headers["location"] == "/staff", bad


async def test_attendee_signs_in_with_a_single_use_link(client, demo, inbox, deliver):
    r = await post_form(client, "/login", {"email": "attendee@example.org", "next": "/account"}, page="/login")
    assert r.status_code == 200 and "on its way" in r.text
    assert await deliver() == 1
    message = inbox.wait_for("attendee@example.org")[0]
    assert message["Subject"] == "Your sign-in link"
    link = next(u for u in links_in(body_text(message)) if "/login/link/" in u)
    path = urlparse(link).path
    # opening the link (as a mail scanner would) does not use it up
    assert (await client.get(path)).status_code == 200
    assert (await client.get(path)).status_code == 200
    r = await post_form(client, path, {}, page=path)
    assert r.status_code == 303 and r.headers["location"] == "/account"
    account = await client.get("/account")
    assert account.status_code == 200 and "Avery Attendee" in account.text
    # attendees are not staff
    assert (await client.get("/staff")).status_code == 403
    # a used link is dead
    client.cookies.clear()
    assert (await client.get(path)).status_code == 410
    r = await post_form(client, path, {}, page="/login")
    assert r.status_code == 410 and (await client.get("/account")).status_code == 303


async def test_unknown_address_gets_the_same_answer_and_no_mail(client, demo, inbox, deliver):
    r = await post_form(client, "/login", {"email": "stranger@example.org"}, page="/login")
    assert r.status_code == 200 and "on its way" in r.text
    assert await deliver() == 0
    assert inbox.to("stranger@example.org") == []
    assert await LoginLink.count() == 0


async def test_bad_email_gets_a_field_message(client, demo, inbox):
    r = await post_form(client, "/login", {"email": "not an address"}, page="/login")
    assert r.status_code == 422 and 'id="email-error"' in r.text


async def test_expired_links_do_not_work(client, demo, inbox, deliver):
    await create_user("late@example.org", "Late Person", roles=[("abs", Role.attendee)])
    await post_form(client, "/login", {"email": "late@example.org"}, page="/login")
    await deliver()
    path = urlparse(next(u for u in links_in(body_text(inbox.wait_for("late@example.org")[0])) if "/login/link/" in u)).path
    await LoginLink.update({LoginLink.expires_at: clock.now() - timedelta(seconds=1)}).where(LoginLink.id > 0)
    assert (await client.get(path)).status_code == 410
    r = await post_form(client, path, {}, page="/login")
    assert r.status_code == 410


async def test_bad_or_missing_tokens_are_not_errors(client, demo):
    for token in ("x", "a" * 300):
        assert (await client.get(f"/login/link/{token}")).status_code == 410
    refused = await client.get("/login/link/%00", headers={"accept": "application/json"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "path"


async def test_sign_in_attempts_are_throttled(client, demo):
    await client.get("/staff/login")
    statuses = []
    for _ in range(7):
        r = await post_form(client, "/staff/login", {"email": "admin@example.org", "password": "guess-guess"})
        statuses.append(r.status_code)
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    # reading pages is not throttled
    assert (await client.get("/events")).status_code == 200
