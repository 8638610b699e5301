"""Attacks on sign-in: a copied session cookie, a staff mailbox, password guessing from many
addresses, a replayed authenticator code. Each through HTTP, on both engines."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import httpx
import pyotp

from confops.accounts.service import issue_login_link
from confops.accounts.tables import User
from confops.backoffice.tables import AuditEntry
from confops.core import clock
from tests.support.http import BASE_URL, links_in, post_form
from tests.support.second_factor import SECOND, SETUP, secret_on
from tests.support.smtp import body_text

PASSWORD = "confops-demo"


async def staff_sign_in(client, email="registrar@example.org"):
    r = await post_form(client, "/staff/login", {"email": email, "password": PASSWORD, "next": "/staff"},
                        page="/staff/login")
    assert r.status_code == 303 and r.headers["location"] == "/staff", r.text


@contextlib.asynccontextmanager
async def from_address(app, address: str):
    """Another browser, at another address, talking to the same running app."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as other:
        yield other


async def test_a_copied_session_cookie_stops_working_at_sign_out(client, demo):
    await staff_sign_in(client)
    copy = client.cookies.get("confops_session")
    assert (await client.get("/staff")).status_code == 200
    await post_form(client, "/logout", {}, page="/staff")
    client.cookies.set("confops_session", copy)  # the cookie someone kept
    assert (await client.get("/staff")).status_code == 303


async def test_a_password_change_ends_every_other_session(app, client, demo):
    await staff_sign_in(client)
    async with from_address(app, "10.1.1.1") as laptop:
        await staff_sign_in(laptop)
        r = await post_form(client, "/account/security/password", {
            "current_password": PASSWORD, "new_password": "a-much-better-one", "confirm_password": "a-much-better-one"},
            page="/account/security")
        assert r.status_code == 200 and "every other session" in r.text
        assert (await laptop.get("/staff")).status_code == 303  # the other browser is out
    assert (await client.get("/staff")).status_code == 200  # the one that changed it stays in
    wrong = await post_form(client, "/account/security/password", {
        "current_password": "not-it", "new_password": "x", "confirm_password": "y"}, page="/account/security")
    assert wrong.status_code == 422 and 'id="current_password-error"' in wrong.text


async def test_staff_see_their_sessions_and_end_one(app, client, demo):
    from confops.accounts.tables import SignInSession

    await staff_sign_in(client)
    async with from_address(app, "10.2.2.2") as phone:
        await staff_sign_in(phone)
        page = await client.get("/account/security/", headers={"user-agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/130.0"})
        assert page.status_code == 200 and "10.2.2.2" in page.text and "this browser" in page.text
        assert page.headers["cache-control"] == "no-store"
        other = next(r["key_hash"] for r in await SignInSession.select(SignInSession.key_hash, SignInSession.address)
                     if r["address"] == "10.2.2.2")
        r = await post_form(client, f"/account/security/sessions/{other}/end", {})
        assert r.status_code == 200 and "signed out" in r.text
        assert (await phone.get("/staff")).status_code == 303
        # one person cannot end another's session by its id
        await staff_sign_in(phone, "checkin@example.org")
        mine = next(r["key_hash"] for r in await SignInSession.select(SignInSession.key_hash, SignInSession.address)
                    if r["address"] == "10.2.2.2")
        r = await post_form(client, f"/account/security/sessions/{mine}/end", {})
        assert r.status_code == 404 and (await phone.get("/staff")).status_code == 200
    assert await AuditEntry.exists().where(AuditEntry.action == "session_ended")


async def test_an_admin_signs_a_person_out_everywhere(app, client, demo):
    async with from_address(app, "10.3.3.3") as desk:
        await staff_sign_in(desk, "checkin@example.org")
        await staff_sign_in(client, "admin@example.org")
        r = await post_form(client, "/account/security/people/sessions/end", {"email": "checkin@example.org"},
                            page="/account/security/")
        assert r.status_code == 200 and "signed out everywhere" in r.text
        assert (await desk.get("/staff")).status_code == 303
    # a registrar may not
    await staff_sign_in(client, "registrar@example.org")
    r = await post_form(client, "/account/security/people/sessions/end", {"email": "admin@example.org"},
                        page="/account/security/")
    assert r.status_code == 403
    assert await AuditEntry.exists().where(AuditEntry.action == "sessions_ended_by_admin")


async def test_an_expired_session_opens_nothing(client, demo):
    from confops.accounts.tables import SignInSession

    await staff_sign_in(client)
    assert (await client.get("/staff")).status_code == 200
    twelve_hours_ago = datetime.now(UTC) - timedelta(hours=12, seconds=1)
    await SignInSession.update({SignInSession.expires_at: twelve_hours_ago}).where(SignInSession.id > 0)
    assert (await client.get("/staff")).status_code == 303


async def test_a_staff_mailbox_is_not_enough_to_sign_in(client, demo, inbox, deliver):
    for email in ("admin@example.org", "registrar@example.org"):
        r = await post_form(client, "/login", {"email": email}, page="/login")
        assert r.status_code == 200 and "on its way" in r.text  # the same answer as for anyone
    assert await deliver() == 0 and inbox.to("admin@example.org") == []
    # a link made another way (a speaker invitation to someone who is staff) does not sign in either
    admin = await User.select(User.id).where(User.email == "admin@example.org").first()
    token = await issue_login_link(admin["id"], next_path="/staff/audit", valid_minutes=5)
    r = await post_form(client, f"/login/link/{token}", {}, page=f"/login/link/{token}")
    assert r.status_code == 410 and "password" in r.text
    assert (await client.get("/staff/audit")).status_code == 303
    # attendees still get their link
    await post_form(client, "/login", {"email": "attendee@example.org"}, page="/login")
    assert await deliver() == 1
    link = next(u for u in links_in(body_text(inbox.wait_for("attendee@example.org")[0])) if "/login/link/" in u)
    r = await post_form(client, urlparse(link).path, {}, page=urlparse(link).path)
    assert r.status_code == 303


async def test_guessing_one_account_from_many_addresses_is_throttled(app, client, demo):
    statuses = []
    for i in range(8):
        async with from_address(app, f"198.51.100.{i + 1}") as attacker:
            r = await post_form(attacker, "/staff/login", {"email": "registrar@example.org", "password": f"guess-{i}"},
                                page="/staff/login")
            statuses.append(r.status_code)
    assert statuses == [401] * 5 + [429] * 3
    # locked: even the right password is refused now, and the page says when to come back
    r = await post_form(client, "/staff/login", {"email": "registrar@example.org", "password": PASSWORD},
                        page="/staff/login")
    assert r.status_code == 429 and "Try again in" in r.text
    # other accounts are not locked by it
    await staff_sign_in(client, "checkin@example.org")
    failed = await AuditEntry.select().where(AuditEntry.action == "sign_in_failed")
    assert len(failed) == 5 and {f["entity_id"] for f in failed} == {"registrar@example.org"}
    assert await AuditEntry.exists().where(AuditEntry.action == "sign_in_throttled")


async def _failures_so_far(address: str, n: int) -> None:
    """The address's earlier failures (each a real one costs an argon2 check: too slow to repeat 30 times)."""
    from confops.accounts import throttle

    for _ in range(n):
        await throttle.count((throttle.PASSWORD_ADDRESS, address))


async def test_guessing_many_accounts_from_one_address_is_throttled(client, demo):
    await _failures_so_far("127.0.0.1", 28)
    statuses = []
    for i in range(4):
        r = await post_form(client, "/staff/login", {"email": f"someone{i}@example.org", "password": "x"},
                            page="/staff/login")
        statuses.append(r.status_code)
    assert statuses == [401, 401, 429, 429]


async def test_forwarded_addresses_are_believed_only_from_trusted_proxies(app, client, demo):
    # Without CONFOPS_TRUSTED_PROXIES, X-Forwarded-For is anyone's to write: rotating it must not
    # reset the per-address count.
    await _failures_so_far("127.0.0.1", 29)
    statuses = []
    await client.get("/staff/login")
    for i in range(3):
        r = await client.post("/staff/login", headers={"x-forwarded-for": f"203.0.113.{i}"},
                              data={"email": f"p{i}@example.org", "password": "x",
                                    "_csrf_token": client.cookies["confops_csrf"]})
        statuses.append(r.status_code)
    assert statuses == [401, 429, 429]


async def test_trusted_proxy_forwarded_address_is_used(settings, demo):
    from dataclasses import replace

    from confops.accounts.tables import SignInSession
    from confops.app import create_app
    from tests.support.http import running

    app = create_app(replace(settings, trusted_proxies="127.0.0.1,10.0.0.0/8"))
    async with running(app) as proxy:
        await proxy.get("/staff/login")
        r = await proxy.post("/staff/login", headers={"x-forwarded-for": "198.51.100.7, 10.0.0.3"},
                             data={"email": "registrar@example.org", "password": PASSWORD,
                                   "_csrf_token": proxy.cookies["confops_csrf"], "next": "/staff"})
        assert r.status_code == 303
    row = await SignInSession.select(SignInSession.address).first()
    assert row["address"] == "198.51.100.7"


async def test_admins_set_up_and_then_need_a_second_factor(client, demo):
    r = await post_form(client, "/staff/login", {"email": "admin@example.org", "password": PASSWORD, "next": "/staff/audit"},
                        page="/staff/login", second_step=False)
    assert r.status_code == 303 and r.headers["location"] == SETUP
    # the password alone opens nothing
    assert (await client.get("/staff/audit")).status_code == 303
    setup = await client.get(SETUP)
    assert setup.headers["cache-control"] == "no-store"
    secret = secret_on(setup.text)
    bad = await post_form(client, SETUP, {"code": "000000"})
    assert bad.status_code == 422 and "does not match" in bad.text
    with clock.frozen_at(clock.now()):
        done = await post_form(client, SETUP, {"code": pyotp.TOTP(secret).at(clock.now())})
        assert done.status_code == 200 and done.headers["cache-control"] == "no-store"
        codes = [c.split("</code>")[0] for c in done.text.split("<code>")[1:]]
        assert len(codes) == 10
        assert (await client.get("/staff/audit")).status_code == 200
        # next sign-in: password, then the code; the code just used does not work twice
        client.cookies.clear()
        r = await post_form(client, "/staff/login", {"email": "admin@example.org", "password": PASSWORD},
                            page="/staff/login", second_step=False)
        assert r.headers["location"] == SECOND
        replay = await post_form(client, SECOND, {"code": pyotp.TOTP(secret).at(clock.now())})
        assert replay.status_code == 401
        clock.advance(timedelta(seconds=30))
        ok = await post_form(client, SECOND, {"code": pyotp.TOTP(secret).at(clock.now())})
        assert ok.status_code == 303 and (await client.get("/staff/audit")).status_code == 200
    # a recovery code works once
    for expected in (303, 401):
        client.cookies.clear()
        await post_form(client, "/staff/login", {"email": "admin@example.org", "password": PASSWORD},
                        page="/staff/login", second_step=False)
        r = await post_form(client, SECOND, {"code": codes[0].upper()})
        assert r.status_code == expected


async def test_a_pending_second_step_is_not_a_session(client, demo):
    r = await post_form(client, "/staff/login", {"email": "admin@example.org", "password": PASSWORD},
                        page="/staff/login", second_step=False)
    assert r.headers["location"] == SETUP
    for path in ("/staff", "/account", "/account/security/", "/admin/"):
        assert (await client.get(path)).status_code in (303, 401), path
    # a wrong code sets nothing up
    from confops.accounts import second_factor

    admin = await User.select(User.id).where(User.email == "admin@example.org").first()
    assert await second_factor.enrol(admin["id"], pyotp.random_base32(), "123456") is None
    assert not await second_factor.enrolled(admin["id"])


async def test_every_staff_role_needs_a_second_factor_when_set(settings, demo):
    from dataclasses import replace

    from confops.app import create_app
    from tests.support.http import running

    async with running(create_app(replace(settings, staff_second_factor=True))) as browser:
        r = await post_form(browser, "/staff/login", {"email": "checkin@example.org", "password": PASSWORD},
                            page="/staff/login", second_step=False)
        assert r.headers["location"] == SETUP
    async with running(create_app(settings)) as browser:
        r = await post_form(browser, "/staff/login", {"email": "checkin@example.org", "password": PASSWORD,
                                                      "next": "/staff"}, page="/staff/login", second_step=False)
        assert r.headers["location"] == "/staff"


async def test_ended_sessions_and_old_counts_are_purged_by_the_worker(client, demo):
    from confops.accounts import sessions, throttle
    from confops.accounts.tables import SignInSession, SignInThrottle

    await staff_sign_in(client)
    await throttle.count((throttle.PASSWORD_ADDRESS, "192.0.2.1"))
    long_ago = datetime.now(UTC) - timedelta(days=1)
    await SignInSession.update({SignInSession.expires_at: long_ago}).where(SignInSession.id > 0)
    await SignInThrottle.update({SignInThrottle.expires_at: long_ago}).where(SignInThrottle.id > 0)
    assert await sessions.purge_expired() == 1 and await throttle.purge_expired() == 1
    assert await SignInSession.count() == 0 and await SignInThrottle.count() == 0


async def test_the_key_to_set_up_is_chosen_at_sign_in_and_the_page_only_shows_it(client, demo):
    """The setup page shows the key the password's sign-in put in the pending session: the
    same key on every reload, and reading it writes nothing."""
    from tests.registration.test_pure_reads import writes
    from tests.support.statements import statements_counted

    r = await post_form(client, "/staff/login", {"email": "admin@example.org", "password": PASSWORD},
                        page="/staff/login", second_step=False)
    assert r.headers["location"] == SETUP
    with statements_counted() as seen:
        shown = [secret_on((await client.get(SETUP)).text) for _ in range(2)]
    assert not writes(seen), writes(seen)
    assert shown[0] == shown[1]
    with clock.frozen_at(clock.now()):
        done = await post_form(client, SETUP, {"code": pyotp.TOTP(shown[0]).at(clock.now())})
    assert done.status_code == 200 and "recovery-codes" in done.text
