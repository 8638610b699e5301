"""Every one-character change of 200 valid badge tokens is refused by the server's scan decision,
and a revoked token says `revoked`.

All ~100,000 variants go through scanning.verify (the code the API runs) with the attendee rows
read once from the database into memory (one query per variant would take minutes); a random
sample of them also goes through the HTTP API against the database."""

import random
import secrets

from confops.checkin import devices, scanning
from confops.checkin.tables import CheckinScan
from confops.registration.tables import Attendee
from tests.checkin.factory import add_people, make_door
from tests.conftest import TEST_SECRET


def variants(token: str):
    for i, ch in enumerate(token):
        for d in "0123456789":
            if d != ch:
                yield token[:i] + d + token[i + 1:]
        yield token[:i] + token[i + 1:]  # a digit dropped
    yield token + "0"


async def test_every_one_character_change_of_200_tokens_is_refused(client, monkeypatch):
    door = await make_door(0)
    people = await add_people(door.event_id, 200)
    rows = {}
    for aid in people:
        rows[aid] = await scanning.person(door.event_id, aid)
    device = await devices.device_for_token(door.device_token)
    key = await devices.event_key(door.event_id, TEST_SECRET)
    badges = [await door.token(aid) for aid in people]

    async def person_in_memory(event_id, attendee_id):
        return rows.get(attendee_id) if event_id == door.event_id else None

    monkeypatch.setattr(scanning, "person", person_in_memory)
    checked = 0
    accepted = []
    for badge in badges:
        assert (await scanning.verify(device, key, badge, None))[0].result == "ok"
        for variant in variants(badge):
            outcome, _ = await scanning.verify(device, key, variant, None)
            checked += 1
            if outcome.result == "ok":
                accepted.append(variant)
    monkeypatch.undo()
    assert checked > 200 * 56 * 9 and accepted == []

    sample = random.Random(5).sample([v for b in badges for v in variants(b)], 150)
    for variant in sample:
        r = await client.post("/api/v1/checkin/scan", headers={"authorization": f"Bearer {door.device_token}"},
                              json={"list_id": door.entry_list, "nonce": secrets.token_hex(6), "token": variant})
        assert r.status_code == 200 and r.json()["result"] in ("invalid", "wrong_event", "revoked"), variant
    assert await CheckinScan.count() == 0


async def test_a_revoked_token_is_revoked_online(client):
    door = await make_door(1)
    old = await door.token(door.people[0])
    await Attendee.update({Attendee.token_version: Attendee.token_version + 1}).where(Attendee.id == door.people[0])
    new = await door.token(door.people[0])
    headers = {"authorization": f"Bearer {door.device_token}"}
    r = await client.post("/api/v1/checkin/scan", headers=headers,
                          json={"list_id": door.entry_list, "nonce": "1", "token": old})
    assert r.json()["result"] == "revoked"
    r = await client.post("/api/v1/checkin/scan", headers=headers,
                          json={"list_id": door.entry_list, "nonce": "2", "token": new})
    assert r.json()["result"] == "ok"
