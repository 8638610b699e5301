"""The PARS export follows ACCME's batch-upload templates (issue 23), on both engines, from the
coordinator's side through HTTP: the activity's own id, providership with its joint provider,
commercial support with its supporters, type, dates, location, credits and MOC points as
the coordinator set them (never a hard-coded "Directly provided, no support"); each learner's
completion dated by the activity's end however late they claimed; MOC columns only for the
boards the activity is registered with; hostile text written safely by the one CSV writer."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from confops.accounts.service import create_user
from confops.cme.tables import CmeProfile, CmeReporting
from confops.core import clock
from confops.events.tables import Event
from tests.cme.support import SLUG, evaluated_and_claimed
from tests.speakers.people import staff_sign_in
from tests.support.http import post_form

URL = f"/staff/events/{SLUG}/cme"
JOINT = 'Balint Society of "Canada", Inc.'
HOSTILE = '=HYPERLINK("http://x.example","Pharma, Inc.")'
GOOD = {"activity_id": "ABS-2027-NM", "activity_type": "course", "providership": "joint", "joint_providers": JOINT,
        "commercial_support": "yes", "supporter_name_1": HOSTILE, "supporter_kind_1": "monetary",
        "supporter_amount_1": "5,000.00", "supporter_name_2": "Harbor Simulation Lab", "supporter_kind_2": "in_kind",
        "moc_abim": "on", "moc_abim_points": "14.00"}


def table(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def mmddyyyy(at, event) -> str:
    return f"{clock.local(at, event['timezone']).date():%m/%d/%Y}"


async def _profile(email: str, name: str, **values) -> None:
    user = await create_user(email, name)
    await CmeProfile(user=user.id, pars_consent=True, **values).save()


async def test_the_pars_files_carry_what_the_coordinator_reported(client, demo):
    """The attack: a jointly provided, commercially supported activity was reported as directly
    provided with no support, and a learner who claimed weeks later was dated by the claim."""
    await evaluated_and_claimed("lena@example.org", codes=("P1",), credit="1.25")
    with clock.frozen_at(clock.now() + timedelta(days=40)):  # Morgan claims long after the meeting
        await evaluated_and_claimed("morgan@example.org", credit="3.5")
    await _profile("morgan@example.org", "Morgan Reyes", board="abim", board_id="123456", birth_month=4, birth_day=9)
    await _profile("lena@example.org", "Lena Fischer", board="other", board_id="AOBFP-77", licence_id="WA 1234")
    event = await Event.select().where(Event.slug == SLUG).first()
    await staff_sign_in(client, "cme@example.org")

    # wrong at every field: refused field by field, nothing saved
    bad = {"activity_id": "=cmd|' /C calc'!A0", "activity_type": "party", "providership": "joint", "joint_providers": "",
           "commercial_support": "yes", "supporter_name_1": "Acme", "supporter_kind_1": "monetary",
           "supporter_amount_1": "", "supporter_amount_2": "12.5.0", "moc_abim": "on", "moc_abim_points": "20",
           "moc_abp": "on", "moc_abp_points": "1.1"}
    r = await post_form(client, f"{URL}/reporting", bad, page=URL)
    assert r.status_code == 422
    for field in ("activity_id", "activity_type", "joint_providers", "supporter_amount_1", "supporter_name_2",
                  "supporter_amount_2", "moc_abim_points", "moc_abp_points"):
        assert f'id="{field}-error"' in r.text, field
    assert "cannot exceed the 14.00 AMA PRA Category 1 credits" in r.text
    assert 'value="Acme"' in r.text  # what was typed comes back to be corrected
    assert not await CmeReporting.exists()
    r = await post_form(client, f"{URL}/reporting", {**GOOD, "providership": "direct"})
    assert r.status_code == 422 and 'id="joint_providers-error"' in r.text and not await CmeReporting.exists()

    r = await post_form(client, f"{URL}/reporting", GOOD)
    assert r.status_code == 303, r.text
    page = (await client.get(URL)).text
    assert "Jointly provided with Balint Society of &#34;Canada&#34;, Inc." in page
    assert "Harbor Simulation Lab (in-kind)" in page and "$5,000.00" in page

    raw = (await client.get(f"{URL}/pars-activity.csv")).text
    [activity] = table(raw)
    assert activity["Provider Activity ID"] == "ABS-2027-NM" and activity["Activity Title"] == event["title"]
    assert activity["Activity Type"] == "Course"
    assert activity["Start Date"] == mmddyyyy(event["starts_at"], event)
    assert activity["End Date"] == mmddyyyy(event["ends_at"], event)
    assert (activity["City"], activity["State"], activity["Country"]) == (event["city"], event["region"],
                                                                           event["country"])
    assert activity["Providership"] == "Joint" and activity["Joint Provider Name(s)"] == JOINT
    assert activity["Commercial Support Received"] == "Yes"
    assert activity["Commercial Supporter 1"] == "'" + HOSTILE  # shown as text, never run as a formula
    assert (activity["Support Type 1"], activity["Monetary Amount 1"]) == ("Monetary", "5000.00")
    assert (activity["Commercial Supporter 2"], activity["Support Type 2"], activity["Monetary Amount 2"]) == (
        "Harbor Simulation Lab", "In-kind", "")
    assert activity["AMA PRA Category 1 Credits Designated"] == "14.00"
    assert (activity["Physician Learners"], activity["Other Learners"]) == ("2", "0")
    assert activity["ABIM MOC Points"] == "14.00" and "ABP MOC Points" not in activity

    learners = table((await client.get(f"{URL}/pars.csv")).text)
    end = mmddyyyy(event["ends_at"], event)
    assert [(x["Last Name"], x["Completion Date"], x["Credits"], x["ABIM MOC Points"]) for x in learners] == [
        ("Fischer", end, "1.25", ""),  # her board is not ABIM: no ABIM points
        ("Reyes", end, "3.50", "3.50")]  # claimed 40 days later, completed when the activity ended
    assert all(x["Provider Activity ID"] == "ABS-2027-NM" for x in learners) and "ABP MOC Points" not in learners[0]
    assert (learners[1]["DOB Month"], learners[1]["DOB Day"], learners[1]["Board ID"]) == ("4", "9", "123456")

    # corrected after the claims (reporting is not designation): back to direct, no support, no MOC
    r = await post_form(client, f"{URL}/reporting", {"activity_id": "ABS-2027-NM", "activity_type": "course",
                                                     "providership": "direct", "commercial_support": "no"})
    assert r.status_code == 303
    [activity] = table((await client.get(f"{URL}/pars-activity.csv")).text)
    assert (activity["Providership"], activity["Joint Provider Name(s)"], activity["Commercial Support Received"]) == (
        "Direct", "", "No")
    assert "Commercial Supporter 1" not in activity and "ABIM MOC Points" not in activity
    assert "ABIM MOC Points" not in table((await client.get(f"{URL}/pars.csv")).text)[0]


async def test_an_unreported_activity_exports_its_defaults_and_only_coordinators_see_it(client, demo):
    event = await Event.select().where(Event.slug == SLUG).first()
    await staff_sign_in(client, "cme@example.org")
    page = (await client.get(URL)).text
    assert f'id="activity_id" name="activity_id" maxlength="40" value="{SLUG}"' in page
    [activity] = table((await client.get(f"{URL}/pars-activity.csv")).text)
    assert (activity["Provider Activity ID"], activity["Providership"], activity["Commercial Support Received"]) == (
        SLUG, "Direct", "No")
    assert activity["City"] == event["city"] and "ABIM MOC Points" not in activity
    await staff_sign_in(client, "registrar@example.org")
    assert (await client.get(f"{URL}/pars-activity.csv")).status_code == 403
    r = await post_form(client, f"{URL}/reporting", GOOD, page=URL)
    assert r.status_code == 403 and not await CmeReporting.exists()


async def test_the_learner_says_which_board_their_id_belongs_to(client, demo):
    """MOC points go to the board a learner's id belongs to: a board without an id, or a board
    that is not offered, is refused at its field and nothing is saved."""
    from tests.cme.support import learner
    from tests.speakers.people import sign_in

    await learner("morgan@example.org")
    await sign_in(client, "morgan@example.org")
    for form, field in (({"board": "abim", "board_id": ""}, "board_id"), ({"board": "nasa", "board_id": "1"}, "board")):
        r = await post_form(client, "/account/cme/profile", {**form, "pars_consent": "on"}, page="/account/cme")
        assert r.status_code == 422 and f'id="{field}-error"' in r.text, form
    assert not await CmeProfile.exists()
    r = await post_form(client, "/account/cme/profile", {"board": "abp", "board_id": "9876", "pars_consent": "on"})
    assert r.status_code == 303
    assert (await CmeProfile.select(CmeProfile.board).first())["board"] == "abp"
    assert '<option value="abp" selected>' in (await client.get("/account/cme")).text
