"""A person downloads what is held about them and asks for deletion; old attendees' personal
data is purged (CLI and worker) except where another area must keep it (CME, 6 years)."""

import asyncio
import dataclasses
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

from confops.accounts.service import create_user
from confops.backoffice.privacy import purge
from confops.backoffice.tables import PrivacyRequest
from confops.core import clock
from confops.core.extension import Keep
from confops.core.mail import FileMailer
from confops.events.tables import Event
from confops.jobs import make_worker
from confops.registration.orders import place_order
from confops.registration.tables import Answer, Attendee, Order
from tests.backoffice.conftest import sign_in
from tests.registration.factory import make_event, order, person
from tests.support.http import post_form

ROOT = Path(__file__).resolve().parents[2]


async def test_download_my_data_and_ask_for_deletion(client, demo, provide):
    async def cme_records(user_id, email):
        return {"CME claims": [{"activity": "ABS National Meeting", "credits": 5.25}]}

    provide("personal_data", cme_records)
    await create_user("amara.okafor@example.org", "Amara Okafor", password="a-long-password-1")
    r = await post_form(client, "/staff/login", {"email": "amara.okafor@example.org",
                                                 "password": "a-long-password-1"}, page="/staff/login")
    assert r.status_code == 303
    page = await client.get("/account/privacy")
    assert page.status_code == 200 and "Download as JSON" in page.text
    data = json.loads((await client.get("/account/privacy/download/json")).content)
    assert data["Account"][0]["email"] == "amara.okafor@example.org"
    assert [r["dietary"] for r in data["Registrations"]] == ["vegetarian"]  # once, though two areas hold it
    assert data["Answers"] and len(data["Orders you placed"]) == 1
    assert data["CME claims"][0]["credits"] == 5.25
    assert "password_hash" not in json.dumps(data)
    archive = zipfile.ZipFile(io.BytesIO((await client.get("/account/privacy/download/zip")).content))
    assert "my-data.json" in archive.namelist() and "registrations.csv" in archive.namelist()

    asked = await post_form(client, "/account/privacy/deletion", {"message": "Please forget me."})
    assert asked.status_code == 303
    again = await post_form(client, "/account/privacy/deletion", {"message": "again"})
    assert again.status_code == 409

    await sign_in(client, "registrar@example.org")
    staff = await client.get("/staff/privacy")
    assert "amara.okafor@example.org" in staff.text and "Please forget me." in staff.text
    request = await PrivacyRequest.select().first()
    done = await post_form(client, f"/staff/privacy/{request['id']}", {"decision": "erase"})
    assert done.status_code == 303
    # She is registered for the demo meeting, which has not ended: registration keeps her record
    # (privacy_keep) and the outcome says why; nothing is erased.
    handled = await PrivacyRequest.select().where(PrivacyRequest.id == request["id"]).first()
    assert handled["status"] == "done" and "not ended yet" in handled["outcome"]
    assert await Attendee.count().where(Attendee.email == "amara.okafor@example.org") == 1

    # After the meeting (she holds no CME records) a new request erases her registrations, and
    # only hers: the demo's other Okafor keeps his. (The demo's door scans are attendance
    # evidence, which CME keeps six years with the name: she is taken as never scanned here.)
    from confops.cme.tables import AttendanceMark

    mine = [a["id"] for a in await Attendee.select(Attendee.id).where(Attendee.email == "amara.okafor@example.org")]
    await AttendanceMark.delete().where(AttendanceMark.attendee.is_in(mine))
    event = await Event.select(Event.ends_at).where(Event.id == (await Attendee.select(Attendee.event).where(
        Attendee.email == "amara.okafor@example.org").first())["event"]).first()
    others = await Attendee.count().where((Attendee.last_name == "Okafor") & (Attendee.email != "amara.okafor@example.org"))
    with clock.frozen_at(event["ends_at"] + timedelta(days=1)):
        client.cookies.clear()
        r = await post_form(client, "/staff/login", {"email": "amara.okafor@example.org",
                                                     "password": "a-long-password-1"}, page="/staff/login")
        assert r.status_code == 303
        asked = await post_form(client, "/account/privacy/deletion", {"message": "Now please forget me."},
                                page="/account/privacy")
        assert asked.status_code == 303
        await sign_in(client, "registrar@example.org")
        second = await PrivacyRequest.select().where(PrivacyRequest.status == "open").first()
        done = await post_form(client, f"/staff/privacy/{second['id']}", {"decision": "erase"}, page="/staff/privacy")
        assert done.status_code == 303
    assert await Attendee.count().where(Attendee.email == "amara.okafor@example.org") == 0
    assert await Attendee.count().where(Attendee.last_name == "Okafor") == others
    handled = await PrivacyRequest.select().where(PrivacyRequest.id == second["id"]).first()
    assert handled["status"] == "done" and handled["outcome"].startswith("Erased 1 registration")


async def _old_event_with(*people) -> int:
    event_id = await make_event(slug="old-meeting")
    for n, p in enumerate(people):
        await place_order("old-meeting", order(p, key=f"old-{n}", buyer_email=p.email), hold_minutes=30,
                          base_url="http://x", complimentary=True)
    ended = clock.now() - timedelta(days=400)
    await Event.update({Event.starts_at: ended - timedelta(days=2), Event.ends_at: ended}).where(Event.id == event_id)
    return event_id


async def test_purge_keeps_whom_another_area_must_keep(db, provide):
    await _old_event_with(person(email="ana@example.org", dietary="vegan"),
                          person(email="keep@example.org", first_name="Kim", last_name="Kept"),
                          person(email="cme@example.org", first_name="Cleo", last_name="Claim", credentials="MD",
                                 dietary="vegan", accessibility="step-free route", institution="Clinic"))
    kept_user = await create_user("keep@example.org", "Kim Kept")

    async def keep(*, user_id, email, **_):
        if user_id == kept_user.id:  # e.g. a registration still to come: all of it stays
            return [Keep("An event still to come")]
        if email == "cme@example.org":  # no account: still found by e-mail; only what credit needs stays
            return [Keep("CME participation is kept 6 years", attendee_fields=("first_name", "last_name",
                                                                                "credentials", "email"))]
        return []

    provide("privacy_keep", keep)
    assert (await purge(500)).attendees == 0  # not old enough yet
    dry = await purge(365, dry_run=True)
    assert dry.attendees == 2 and await Attendee.count().where(Attendee.email == "ana@example.org") == 1
    result = await purge(365)
    assert result.attendees == 2 and "keep@example.org" in result.kept and "cme@example.org" in result.kept_in_part
    assert await Attendee.count().where(Attendee.email == "ana@example.org") == 0
    purged = await Attendee.select().where(Attendee.first_name == "(removed)").first()
    assert purged["dietary"] == "" and purged["category"]  # counts and categories stay
    assert not await Answer.exists().where(Answer.attendee == purged["id"])
    assert not await Order.exists().where(Order.buyer_email == "ana@example.org")
    whole = await Attendee.select().where(Attendee.email == "keep@example.org").first()
    assert whole["first_name"] == "Kim" and await Answer.exists().where(Answer.attendee == whole["id"])
    cleo = await Attendee.select().where(Attendee.email == "cme@example.org").first()
    assert (cleo["first_name"], cleo["last_name"], cleo["credentials"]) == ("Cleo", "Claim", "MD")
    assert cleo["dietary"] == cleo["accessibility"] == cleo["institution"] == cleo["pronouns"] == ""
    assert not await Answer.exists().where(Answer.attendee == cleo["id"])


async def test_purge_as_cli_and_worker_job(db, settings, tmp_path):
    await _old_event_with(person(email="ana@example.org"), person(email="bo@example.org", first_name="Bo"))
    env = {**os.environ, "CONFOPS_DATABASE_URL": db.url, "CONFOPS_VAR_DIR": str(tmp_path),
           "CONFOPS_ENV": "development", "CONFOPS_PURGE_AFTER_DAYS": "365"}
    run = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "confops.cli", "purge", "--dry-run"],
                                  cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Would purge 2 registration(s) of 2 person(s)" in run.stdout
    assert await Attendee.count().where(Attendee.email == "ana@example.org") == 1
    worker = make_worker(dataclasses.replace(settings, purge_after_days=365),
                         FileMailer(tmp_path, "x@example.org"))
    done = await worker.run_once()
    assert done["purge-personal-data"] == 2
    assert await Attendee.count().where(Attendee.email.is_in(["ana@example.org", "bo@example.org"])) == 0
