"""Shared steps for CME tests: a demo learner, scans emitted as check-in would, PDFs read back."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from confops.accounts.service import create_user
from confops.core.auth import Role
from confops.core.extension import emit
from confops.events.tables import Session
from confops.registration.tables import Attendee

SLUG = "abs-national-meeting"


async def session(code: str) -> dict:
    return await Session.select().where((Session.code == code) & (Session.event.slug == SLUG)).first()


async def learner(email: str = "morgan@example.org") -> dict:
    """A demo registrant with an account (the demo orders have none)."""
    a = await Attendee.select().where((Attendee.email == email) & (Attendee.event.slug == SLUG)).first()
    await create_user(email, f"{a['first_name']} {a['last_name']}", roles=[("abs", Role.attendee)])
    return a


async def meeting_over(slug: str = SLUG) -> None:
    """Move the demo meeting (its dates and sessions) into the past, so that it has happened and
    its sessions have ended a day ago: credit is only claimed for sessions that took place. A
    shift of the data, not of the clock, so that a live server process sees it too."""
    from confops.core import clock
    from confops.events.tables import Event

    event = await Event.select(Event.id, Event.ends_at).where(Event.slug == slug).first()
    if event["ends_at"] <= clock.now() - timedelta(hours=12):
        return
    shift = timedelta(days=(event["ends_at"] - clock.now()).days + 2)  # whole days: local times stay as planned
    full = await Event.select(Event.starts_at).where(Event.id == event["id"]).first()
    await Event.update({Event.starts_at: full["starts_at"] - shift, Event.ends_at: event["ends_at"] - shift}).where(
        Event.id == event["id"])
    for s in await Session.select(Session.id, Session.starts_at, Session.ends_at).where(Session.event == event["id"]):
        await Session.update({Session.starts_at: s["starts_at"] - shift, Session.ends_at: s["ends_at"] - shift}).where(
            Session.id == s["id"])


async def scan_into(attendee_id: int, *codes: str, out_after: float | None = None) -> None:
    """Emit what check-in emits for an accepted scan in (and optionally out) of each session,
    once the meeting is over (the scans at the times the sessions were held)."""
    await meeting_over()
    for code in codes:
        s = await session(code)
        await emit("session_scan_accepted", attendee_id=attendee_id, session_id=s["id"], direction="in",
                   scanned_at=s["starts_at"] - timedelta(minutes=2), list_id=1)
        if out_after is not None:
            await emit("session_scan_accepted", attendee_id=attendee_id, session_id=s["id"], direction="out",
                       scanned_at=s["starts_at"] + (s["ends_at"] - s["starts_at"]) * out_after, list_id=1)


def pdf_text(data: bytes) -> str:
    """The text of every page, whitespace folded (wrapped lines read as one)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def qr_texts(data: bytes, tmp_path: Path) -> list[str]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is missing: install Debian's poppler-utils")
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(source), str(tmp_path / "page")], check=True, timeout=120)
    found = []
    for png in sorted(tmp_path.glob("page-*.png")):
        found += [r.text for r in zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)]
    return found


async def principal_of(email: str):
    from confops.accounts.service import load_principal
    from confops.accounts.tables import User

    user = await User.select(User.id).where(User.email == email).first()
    return await load_principal(user["id"])


async def evaluated_and_claimed(email: str, codes=("P1", "G1", "W1"), credit: str = "3.5",
                                credit_type: str = "ama_pra_1") -> dict:
    """A learner scanned into sessions, evaluated and claimed: returns the certificate row."""
    from confops.cme import claims
    from confops.cme.tables import EvaluationQuestion

    a = await learner(email)
    await scan_into(a["id"], *codes)
    p = await principal_of(email)
    questions = await EvaluationQuestion.select().where(EvaluationQuestion.event.slug == SLUG)
    await claims.evaluate(p, a["id"], {f"q{q['id']}": {"likert": "Agree", "choice": "Yes", "text": "Good"}[q["kind"]]
                                       for q in questions})
    return await claims.claim(p, a["id"], credit=credit, credit_type=credit_type, attested=True)
