"""Consented self-identification on the registration form is stored apart, without a link to
the person, and appears only as suppressed counts."""

import re

from confops.registration.tables import Attendee, Demographics
from tests.registration.factory import make_event
from tests.support.http import post_form

FORM = {"category": "resident", "first_name": "Ana", "last_name": "Lima", "email": "ana@example.org",
        "answer_first_meeting": "yes"}


async def _register(client, n: int, **extra) -> int:
    form = await client.get("/events/meeting/register")
    assert "help us see who our meetings reach" in form.text
    token = re.search(r'name="form_token" value="([^"]+)"', form.text).group(1)
    r = await post_form(client, "/events/meeting/register",
                        {**FORM, "email": f"p{n}@example.org", "form_token": token, "action": "confirm", **extra})
    return r.status_code


async def test_only_consented_answers_are_kept_and_never_linked(client):
    await make_event()
    answers = {"demo_professional_role": "Physician", "demo_gender": "Woman", "demo_age_band": "35-49"}
    assert await _register(client, 1, **answers) == 303  # answered but did not consent
    assert await Demographics.count() == 0
    assert await _register(client, 2, demo_consent="1", demo_age_band="ninety") == 422
    for n in range(3, 9):
        assert await _register(client, n, demo_consent="1", **answers) == 303
    rows = await Demographics.select()
    assert len(rows) == 6 and rows[0]["professional_role"] == "Physician"
    assert set(rows[0]) == {"id", "event", "race_ethnicity", "gender", "age_band", "professional_role", "recorded_on"}
    assert await Attendee.count() == 7
