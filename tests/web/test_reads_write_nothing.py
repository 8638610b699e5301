"""A GET writes nothing: every GET route of the app, requested on the demo as the person it is
for (a visitor, a buyer with their order's link, a signed-in attendee, a speaker, staff), sends
not one INSERT, UPDATE or DELETE, except the few in ALLOWED, each saying why that write belongs
to that read. A new GET route must be requested here (or be in NOT_REQUESTED, with why), or the
route test fails.

The URLs are those of the staff statement count (test_staff_pages_scale.pages), the links a
person is sent (an order's, a sign-in link, a certificate's serial) and whatever the pages
requested link to, followed a few deep, so that a page's own links are read as its person
would follow them."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import timedelta
from html import unescape
from urllib.parse import urljoin, urlparse

from PIL import Image

from confops.accounts import passwords, sessions
from confops.accounts.service import create_user, issue_login_link
from confops.accounts.tables import Organizer, User
from confops.attendance import service as attendance
from confops.attendance.rules import new_serial
from confops.attendance.tables import AttendanceCertificate
from confops.backoffice import mailing_list
from confops.backoffice.mailing_list import unsubscribe_token
from confops.backoffice.tables import MailingListMember
from confops.core import clock
from confops.core.auth import Role
from confops.events.tables import CalendarFeed, Event, Session
from confops.payments.tables import InvoiceCorrection
from confops.registration.order_decision import order_token
from confops.registration.tables import Attendee, Order
from confops.speakers.tables import SessionMaterial, SessionSpeaker, Speaker
from tests.cme.support import evaluated_and_claimed
from tests.payments.test_account_receipts import demo_order
from tests.payments.test_credit_notes import correct
from tests.registration.test_pure_reads import writes
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import BASE_URL, csrf_token, post_form
from tests.support.statements import statements_counted
from tests.web.test_role_matrix import _routes
from tests.web.test_staff_pages_scale import SLUG, pages

# GET routes this test does not request, each with why.
NOT_REQUESTED = {
    "/api/v1/checkin/search": "the door's scanner devices (a bearer token), kept out of this test: the door path",
    "/api/v1/checkin/sync": "the door's scanner devices (a bearer token), kept out of this test: the door path",
    "/schema/{path:str}": "Litestar's fixed 404 for a schema page that does not exist",
}

# The writes a GET may make, by route: the tables it may write and why that write belongs to that
# read. Each is made once: the same URL read again writes nothing (the test reads it twice).
ALLOWED = {
    "/admin/": (("piccolo_user", "sessions"),
                "the admin site is piccolo-admin's, which knows only its own users and sessions: entering it signs "
                "the confops admin in there (a piccolo user made once, a session for two hours)"),
    "/speaker/cme/{slug:str}/letter": (("cme_certificate", "cme_credential"),
                                       "a letter of participation is issued (numbered, signed, verifiable) when its "
                                       "speaker asks for it, from the schedule as it is then; downloading the same "
                                       "letter again finds it issued"),
    "/staff/events/{slug:str}/badges": (("event_signing_key",),
                                        "the event's check-in signing key is made the first time a badge token is "
                                        "signed with it, sealed with the server's secret key (which no migration "
                                        "has); every later badge, scan and page reads it"),
    "/account/cme/certificates/{serial:str}": (("cme_issuer_key",),
                                               "the organizer's PDF signing key is made the first time a "
                                               "certificate PDF is signed, sealed with the server's secret key; "
                                               "every later certificate reads it"),
    "/mailing-list/confirm/{token:str}": (("mailing_list_member",),
                                          "the link in the confirmation e-mail is the confirmation (double "
                                          "opt-in): following it subscribes its person; a second click finds "
                                          "them subscribed"),
}

TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


def _allowed(route: str, statement: str) -> bool:
    match = TABLE.match(statement)
    return route in ALLOWED and match is not None and match.group(1) in ALLOWED[route][0]


# Keeping a signed-in session alive (its idle expiry moved on, at most every few minutes,
# accounts/sessions.find) is the one write any signed-in GET may make: a session on the server
# that ends after hours unused, and the sessions page's "last seen" where people end one.
# The test makes it happen on every request (TOUCH_EVERY = 0) and tells it apart.

# At most this many URLs of one route are requested per person (pages link to many of a kind).
PER_ROUTE = 3


def _get_routes(app) -> list[str]:
    return sorted({path for method, path in _routes(app) if method == "GET"})


def _pattern(route: str) -> re.Pattern:
    def part(match: re.Match) -> str:
        return {"int": r"\d+", "path": r".+"}.get(match.group(2) or "str", r"[^/]+")

    pieces = re.split(r"(\{\w+(?::\w+)?\})", route.rstrip("/"))
    body = "".join(part(re.match(r"\{(\w+)(?::(\w+))?\}", p)) if p.startswith("{") else re.escape(p)
                   for p in pieces)
    return re.compile(body + "/?")


class Routes:
    """Which GET route a path is: the one whose fixed parts say most, as the router would pick."""

    def __init__(self, app) -> None:
        self.routes = [(r, _pattern(r)) for r in _get_routes(app)]
        self.routes.sort(key=lambda rp: -len(re.sub(r"\{[^}]+\}", "", rp[0])))

    def of(self, path: str) -> str | None:
        return next((r for r, p in self.routes if p.fullmatch(path)), None)


HREF = re.compile(r'''(?:href|src|action)="([^"#]+)"''')


def _links(response) -> list[str]:
    if not response.headers.get("content-type", "").startswith("text/html"):
        return []
    found = []
    for raw in HREF.findall(response.text):
        url = urljoin(str(response.url), unescape(raw))
        parsed = urlparse(url)
        if f"{parsed.scheme}://{parsed.netloc}" != BASE_URL or parsed.path.startswith("/static"):
            continue
        found.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return found


class Reader:
    """Requests URLs as one person, follows what they link to, and keeps each GET's writes."""

    def __init__(self, client, routes: Routes, who: str, touches: list[str]) -> None:
        self.client, self.routes, self.who, self.touches = client, routes, who, touches
        self.seen: set[str] = set()
        self.per_route: dict[str, int] = defaultdict(int)
        self.requested: dict[str, list[str]] = defaultdict(list)  # route -> URLs answered 200
        self.writes: dict[str, list[tuple[str, str]]] = defaultdict(list)  # route -> (url, statement)
        self.failed: list[str] = []
        self.again: dict[str, list[str]] = {}  # url -> the writes of reading it a second time
        self.kept_alive = 0

    async def _get(self, url: str):
        """The answer and the writes of one GET, less those keeping the session alive."""
        self.touches.clear()
        with statements_counted() as seen:
            r = await self.client.get(url)
        made = writes(seen)
        for touch in writes(self.touches):
            made.remove(touch)
            self.kept_alive += 1
        return r, made

    async def read(self, urls: list[str], depth: int = 2) -> None:
        queue = [(u, depth) for u in urls]
        while queue:
            url, left = queue.pop(0)
            route = self.routes.of(urlparse(url).path)
            if url in self.seen or route is None or route in NOT_REQUESTED:
                continue
            if self.per_route[route] >= PER_ROUTE and left < depth:
                continue  # a seed is always read; a followed link only while its route has room
            self.seen.add(url)
            self.per_route[route] += 1
            r, made = await self._get(url)
            for statement in made:
                self.writes[route].append((url, statement))
            if made:
                self.again[url] = (await self._get(url))[1]
            if r.status_code < 400:  # a page, or a redirect its route answers with (/v/<serial>)
                self.requested[route].append(url)
            elif left == depth:
                self.failed.append(f"{self.who} GET {url} -> {r.status_code} {r.text[:200]}")
            if left > 0 and r.status_code == 200:
                queue += [(link, left - 1) for link in _links(r)]


async def _photo_and_slides(client, speaker_id: int, session_id: int) -> int:
    """The speaker's photo and a handout of theirs, shared with the session's registrants."""
    out = io.BytesIO()
    Image.new("RGB", (60, 60), (20, 120, 90)).save(out, "PNG")
    token = csrf_token(client)
    r = await client.post("/speaker/photo", data={"_csrf_token": token}, files={"photo": ("me.png", out.getvalue(), "image/png")})
    assert r.status_code == 303, r.text
    r = await client.post(f"/speaker/sessions/{session_id}/materials", data={"_csrf_token": token, "share": "on"},
                          files={"file": ("slides.pdf", b"%PDF-1.4\n%slides\n", "application/pdf")})
    assert r.status_code == 303, r.text
    return (await SessionMaterial.select(SessionMaterial.id).where(SessionMaterial.session == session_id)
            .order_by(SessionMaterial.id, ascending=False).first())["id"]


async def _new_admin() -> str:
    """An admin who has not set up their second factor yet."""
    email = "new-admin@example.org"
    await create_user(email, "New Admin", password_hash=passwords.hash_password("confops-demo"),
                      roles=[("abs", Role.admin)])
    return email


async def _certificates() -> tuple[dict, dict]:
    """Morgan's CME certificate (evaluated and claimed) and a certificate of attendance of theirs."""
    cme = await evaluated_and_claimed("morgan@example.org")
    attendee = await Attendee.select().where(
        (Attendee.email == "morgan@example.org") & (Attendee.event.slug == SLUG)).first()
    event = await Event.select().where(Event.slug == SLUG).first()
    row = (await AttendanceCertificate.insert(AttendanceCertificate(
        serial=new_serial(), event=event["id"], attendee=attendee["id"], learner_name="Morgan Example",
        sessions_attended=3, sessions_total=3, minutes_attended=270, board_credit="",
        issued_at=clock.now())).returning(AttendanceCertificate.serial))[0]
    await attendance.credential_of(row["serial"])  # signed at issue, as issue_certificates does
    return cme, row


def _sessions_kept_alive(monkeypatch) -> list[str]:
    """Every request keeps its session alive; the statements doing so, of the latest request."""
    touches: list[str] = []
    find = sessions.find

    async def finding(token):
        with statements_counted() as seen:
            found = await find(token)
        touches.extend(seen)
        return found

    monkeypatch.setattr(sessions, "TOUCH_EVERY", timedelta(0))
    monkeypatch.setattr(sessions, "find", finding)
    return touches


async def test_every_get_writes_nothing(client, demo, monkeypatch):
    routes = Routes(client._transport.app)
    touches = _sessions_kept_alive(monkeypatch)
    cme, attended = await _certificates()
    order = await demo_order("demo-order-1")  # Morgan's, paid by cheque and invoiced
    await staff_sign_in(client, "registrar@example.org")
    await correct(client, order["id"], "Dept. of Medicine", "The department pays")
    note = await InvoiceCorrection.select().where(InvoiceCorrection.order == order["id"]).first()
    unpaid = await Order.select(Order.id, Order.idempotency_key).where(
        (Order.status == "awaiting_payment") & (Order.event.slug == SLUG)).order_by(Order.id).first()
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    one = await Attendee.select(Attendee.id, Attendee.order).where(
        (Attendee.event == event["id"]) & (Attendee.order.status == "confirmed")).order_by(Attendee.id).first()
    session = await Session.select(Session.id).where(
        (Session.event == event["id"]) & (Session.code == "P1")).first()
    speaker = await Speaker.select(Speaker.id, Speaker.email).where(Speaker.email == "samuel@example.org").first()
    org = await Organizer.select(Organizer.id).where(Organizer.slug == "abs").first()
    readers: list[Reader] = []
    new_admin = await _new_admin()
    await mailing_list.join("abs", "new-friend@example.org", "New Friend")
    joining = await MailingListMember.select(MailingListMember.token).where(
        MailingListMember.email == "new-friend@example.org").first()

    async def read_all(when: str) -> None:
        async def as_(who: str, urls: list[str], depth: int = 2) -> Reader:
            reader = Reader(client, routes, f"{who} ({when})", touches)
            readers.append(reader)
            await reader.read(urls, depth)
            return reader

        # staff: every staff page of the statement count, and what they link to
        await staff_sign_in(client, "admin@example.org")
        await as_("admin", [*pages(event["id"], one["id"], one["order"]), "/admin/",
                            f"/staff/orders/{order['id']}/credit-notes/{note['credit_note_number']}.pdf"], depth=1)
        await staff_sign_in(client, "cme@example.org")
        await as_("cme coordinator", [f"/staff/events/{SLUG}/cme", f"/staff/events/{SLUG}/cme/certificates"], depth=1)

        # a visitor, and a buyer with their order's link
        client.cookies.clear()
        token = {"unpaid": order_token(unpaid["idempotency_key"]), "paid": order_token(order["idempotency_key"])}
        link = await issue_login_link((await User.select(User.id).where(User.email == "morgan@example.org").first())["id"],
                                      next_path="/account", valid_minutes=5)
        await as_("visitor", [
            "/", "/events", f"/events/{SLUG}", f"/events/{SLUG}/register", f"/events/{SLUG}/program.pdf",
            f"/events/{SLUG}/sessions/{session['id']}", f"/events/{SLUG}/sessions/{session['id']}/calendar.ics",
            "/organizers/abs", "/organizers/abs/logo",
            "/api/v1/events", f"/api/v1/events/{SLUG}", "/api/v1/organizers/abs",
            "/health", "/metrics", "/favicon.ico", "/schema", "/schema/openapi.json",
            "/.well-known/did.json", "/did.json", "/.well-known/jwks.json",
            "/login", f"/login/link/{link}", "/staff/login", "/mailing-list", f"/unsubscribe/{unsubscribe_token(org['id'], 'friend@example.org')}",
            "/verify", f"/verify/{cme['serial']}", f"/v/{cme['serial']}", f"/credentials/{cme['serial']}",
            f"/credentials/{cme['serial']}/vc.jwt", f"/api/v1/certificates/{cme['serial']}",
            f"/verify/{attended['serial']}", f"/credentials/{attended['serial']}", "/credentials/status/abs",
            "/checkin/scanner", "/checkin/scanner-sw.js",
            *[f"/orders/{unpaid['id']}{tail}?token={token['unpaid']}"
              for tail in ("", "/pay", "/payment.json", "/demographics", "/receipt.pdf")],
            f"/api/v1/orders/{unpaid['id']}?token={token['unpaid']}",
            f"/orders/{order['id']}?token={token['paid']}", f"/orders/{order['id']}/receipt.pdf?token={token['paid']}",
            f"/orders/{order['id']}/credit-notes/{note['credit_note_number']}.pdf?token={token['paid']}",
        ], depth=1)

        # a signed-in attendee (Morgan: an order, a CME certificate, a certificate of attendance)
        await sign_in(client, "morgan@example.org")
        added = await post_form(client, f"/agenda/{session['id']}", {}, page=f"/events/{SLUG}/sessions/{session['id']}")
        assert added.status_code == 303
        await as_("attendee", [
            "/account", "/account/registrations", "/account/receipts", "/account/cme", "/account/cme/transcript",
            "/account/cme/transcript.pdf", f"/account/cme/certificates/{cme['serial']}", "/account/attendance",
            f"/account/attendance/{attended['serial']}/certificate.pdf", "/account/privacy",
            "/account/privacy/download/json", "/account/security", "/account/security/second-factor",
            "/account/leader-training", "/agenda", f"/account/orders/{order['id']}/receipt.pdf",
            f"/account/orders/{order['id']}/credit-notes/{note['credit_note_number']}.pdf"])
        # their calendar feed, as their calendar program reads it; a confirmation of the mailing list
        client.cookies.clear()
        morgan = await User.select(User.id).where(User.email == "morgan@example.org").first()
        feed = await CalendarFeed.select(CalendarFeed.token).where(CalendarFeed.user == morgan["id"]).first()
        await as_("their calendar", [f"/calendar/{feed['token']}/agenda.ics"], depth=0)
        await as_("a new friend", [f"/mailing-list/confirm/{joining['token']}"], depth=0)

        # a group member (the demo attendee is in a small group) and a speaker
        await sign_in(client, "attendee@example.org")
        await as_("group member", ["/account/groups", "/account"])
        await sign_in(client, speaker["email"])
        theirs = (await SessionSpeaker.select(SessionSpeaker.session).where(
            (SessionSpeaker.speaker == speaker["id"]) & (SessionSpeaker.session.event == event["id"])).first())["session"]
        material = await _photo_and_slides(client, speaker["id"], theirs)
        await as_("speaker", ["/account/groups", "/speaker", "/speaker/disclosure", "/speaker/cme", f"/speakers/{speaker['id']}/photo",
                              f"/events/{SLUG}/sessions/{theirs}/materials/{material}"])

        # the second step of a staff sign-in: asked for (an admin who has one), set up (a new admin)
        for email in ("admin@example.org", new_admin):
            client.cookies.clear()
            await post_form(client, "/staff/login", {"email": email, "password": "confops-demo"},
                            page="/staff/login", second_step=False)
            await as_(f"{email} signing in", ["/staff/login/second-factor", "/staff/login/second-factor/setup"],
                      depth=0)

    # now; past the holds' due time and the waiting list's offers; after the meetings
    now = clock.now()
    await read_all("now")
    for days in (3, 200):
        with clock.frozen_at(now + timedelta(days=days)):
            await read_all(f"{days} days later")

    failed = [f for r in readers for f in r.failed]
    assert not failed, "\n".join(failed)
    read = {route for r in readers for route in r.requested}
    missing = sorted(set(_get_routes(client._transport.app)) - read - NOT_REQUESTED.keys())
    assert not missing, f"GET routes no one requested (add a URL above, or to NOT_REQUESTED with why): {missing}"
    found = defaultdict(list)
    for r in readers:
        for route, ws in r.writes.items():
            found[route] += [f"{r.who} {url}: {s[:160]}" for url, s in ws if not _allowed(route, s)]
    found = {route: ws for route, ws in found.items() if ws}
    assert not found, "GETs that write:\n" + "\n".join(f"{route}\n  " + "\n  ".join(ws)
                                                       for route, ws in sorted(found.items()))
    again = {url: ws for r in readers for url, ws in r.again.items() if ws}
    assert not again, f"reading it again wrote again: {again}"
    assert sum(r.kept_alive for r in readers) > 50  # the sessions' writes were there, and told apart


def test_every_exception_is_a_get_route(app):
    routes = set(_get_routes(app))
    assert not (NOT_REQUESTED.keys() | ALLOWED.keys()) - routes
