"""Every e-mail's text comes from a template (templates/email/<name>.txt, rendered by
core.rendering.render_mail), never from a string built in Python: read from the source, so a new
inline mail fails here. And what the text-only notices must tell their reader."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from confops.core.mail import Brand
from confops.core.rendering import render_mail

ROOT = Path(__file__).resolve().parents[2]

# Messages whose text is not ours to template: the outbox rebuilds a queued message from its row,
# and bulk mail sends the body staff wrote.
NOT_TEMPLATED = {"confops/core/outbox.py", "confops/backoffice/bulkmail.py"}
# Messages about no organizer's event (a sign-in link): the mailer sends them in the default
# organizer's name; the outbox rebuilds a queued message with the brand it was queued with.
NO_ORGANIZER = {"confops/core/outbox.py", "confops/accounts/service.py"}
BRAND = Brand("abs", "American Balint Society")


def _rendered_names(function: ast.AST) -> set[str]:
    """Names bound in `function` from a call to render_mail (`text, html = render_mail(...)`)."""
    names = set()
    for node in ast.walk(function):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "render_mail"):
            for target in node.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        names.add(name.id)
    return names


def test_mail_text_comes_from_templates():
    inline = []
    for path in sorted((ROOT / "confops").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        if where in NOT_TEMPLATED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.AsyncFunctionDef | ast.FunctionDef):
                continue
            rendered = _rendered_names(function)
            for call in ast.walk(function):
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Message":
                    text = next((k.value for k in call.keywords if k.arg == "text"), None)
                    if not (isinstance(text, ast.Name) and text.id in rendered):
                        inline.append(f"{where}:{call.lineno}")
    assert not inline, f"mail text built in Python, not rendered from templates/email: {inline}"


def test_every_message_about_an_event_names_its_organizer():
    """Several societies share the site: a message without `brand` would go out in the default
    organizer's name and logo, whatever event it is about."""
    unnamed = []
    for path in sorted((ROOT / "confops").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        if where in NO_ORGANIZER:
            continue
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Message"
                    and not any(k.arg == "brand" for k in call.keywords)):
                unnamed.append(f"{where}:{call.lineno}")
            if (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "render_mail"
                    and not any(k.arg == "brand" and not (isinstance(k.value, ast.Constant) and k.value.value is None)
                                for k in call.keywords)):
                unnamed.append(f"{where}:{call.lineno} (render_mail)")
    assert not unnamed, f"e-mail in no organizer's name: {unnamed}"


def test_a_mail_without_an_html_template_is_text_only():
    text, html = render_mail("program_change", brand=BRAND, event={"title": "Spring Meeting"}, summary="Room moved to B")
    assert "Spring Meeting" in text and "Room moved to B" in text
    assert html is None
    assert render_mail("cancellation", brand=BRAND, order={"buyer_name": "Ann", "id": 7, "currency": "USD"},
                       event={"title": "Spring Meeting"}, refund_cents=0)[1] is not None


def test_text_is_not_html_escaped():
    text, _ = render_mail("sign_in_link", brand=BRAND, name="Ann <O'Neil> & Co", minutes=30, link="https://x/login/link/t?a=1&b=2")
    assert "Ann <O'Neil> & Co" in text and "https://x/login/link/t?a=1&b=2" in text and "for 30 minutes" in text


def test_meeting_link_shows_the_passcode_only_when_there_is_one():
    context = {"person": {"first_name": "Ann"}, "event": {"title": "Balint Online"},
               "when": "Monday, March 2 at 7:00 PM EST"}
    with_code, _ = render_mail("series_meeting_link", brand=BRAND, session={"title": "Group 1", "url": "https://meet/x",
                                                               "passcode": "4711"}, **context)
    without, _ = render_mail("series_meeting_link", brand=BRAND, session={"title": "Group 1", "url": "https://meet/x",
                                                             "passcode": ""}, **context)
    assert "Join: https://meet/x\nPasscode: 4711\n" in with_code
    assert "Passcode" not in without and "Join: https://meet/x\n\nPlease do not share" in without


def test_cancellations_state_the_refund_or_that_nothing_was_charged():
    order = {"id": 12, "buyer_name": "Ann", "buyer_email": "ann@example.org", "currency": "USD"}
    event = {"title": "Spring Meeting"}
    paid, _ = render_mail("event_cancelled", brand=BRAND, order=order, event=event, reason="The venue flooded.", refund_cents=52000)
    free, _ = render_mail("event_cancelled", brand=BRAND, order=order, event=event, reason="The venue flooded.", refund_cents=0)
    assert "The venue flooded." in paid and "Everything you paid, $520.00, is refunded in full." in paid
    assert "Nothing was charged." in free and "refunded in full" not in free
    one, _ = render_mail("attendee_cancelled", brand=BRAND, name="Rae Ident", event=event, order=order, refund_cents=0)
    assert "Rae Ident's registration for Spring Meeting (order 12) is cancelled" in one and "Refund" not in one
    one, _ = render_mail("attendee_cancelled", brand=BRAND, name="Rae Ident", event=event, order=order, refund_cents=56000)
    assert "Refund: $560.00." in one


def test_payment_notices_name_the_event_and_order():
    order = {"id": 12, "currency": "USD"}
    text, _ = render_mail("payment_no_place", brand=BRAND, order=order, event={"title": "Spring Meeting"}, amount_cents=87500,
                          reference="cheque 1042")
    assert "We received $875.00 (cheque 1042) for order 12" in text
    assert text.endswith("Event: Spring Meeting\nOrder: 12")


def test_speaker_invitation_lists_every_session_and_the_link():
    text, _ = render_mail("speaker_invitation", brand=BRAND, name="Dr Lee", event={"title": "Spring Meeting"},
                          sessions=[{"title": "Opening"}, {"title": "Balint demo"}],
                          link="https://x/login/link/abc", base_url="https://x")
    assert "  - Opening\n  - Balint demo\n" in text
    assert "https://x/login/link/abc" in text and "https://x/login." in text


def test_claim_reminder_gives_the_deadline_in_the_event_zone():
    context = {"attendee": {"first_name": "Ann"}, "event": {"title": "Spring Meeting", "timezone": "America/Los_Angeles"},
               "credits": "6.25", "link": "https://x/account/cme/5"}
    text, _ = render_mail("cme_claim_reminder", brand=BRAND, deadline=datetime(2027, 4, 1, 5, 0, tzinfo=UTC), **context)
    assert "may claim up to 6.25 credits. Claim them before March 31, 2027 and download" in text
    text, _ = render_mail("cme_claim_reminder", brand=BRAND, deadline=None, **context)
    assert "Claim them and download" in text
