"""The scan route's fast lane (confops/web/checkin/scan_lane.py): it answers well-formed scans
itself, and those answers are the handler's to the byte; everything else reaches the handler
with its body intact."""

import json
import secrets

from confops.checkin.tables import CheckinScan
from confops.registration.tables import Attendee
from confops.web.checkin import scan_lane
from tests.checkin.factory import add_people, make_door

SCAN = "/api/v1/checkin/scan"


class Handed:
    """Counts the requests the lane hands on to the typed handler."""

    def __init__(self, monkeypatch):
        self.count = 0
        replay = scan_lane._replay

        def counted(*args):
            self.count += 1
            return replay(*args)

        monkeypatch.setattr(scan_lane, "_replay", counted)


def headers(door, content_type="application/json", bearer=None):
    return {"authorization": f"Bearer {bearer or door.device_token}", "content-type": content_type}


async def post(client, door, body, content_type="application/json", bearer=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await client.post(SCAN, content=raw, headers=headers(door, content_type, bearer))


def comparable(response):
    """Status, content type and body, so that a failed comparison shows what differs."""
    return response.status_code, response.headers["content-type"], response.json()


async def test_the_lane_answers_every_outcome_as_the_handler_does(client, monkeypatch):
    handed = Handed(monkeypatch)
    door = await make_door(3)
    [unpaid] = await add_people(door.event_id, 1, order_status="awaiting_payment", total_cents=70000)
    revoked = await door.token(door.people[1])
    await Attendee.update({Attendee.token_version: 2}).where(Attendee.id == door.people[1])
    other = await make_door(1, slug="other-meeting")
    badges = {
        "ok": await door.token(door.people[0]),
        "invalid": "not a badge",
        "wrong_event": await other.token(other.people[0]),
        "revoked": revoked,
        "unpaid": await door.token(unpaid),
    }
    for expected, badge in badges.items():
        nonce = secrets.token_hex(8)
        body = {"list_id": door.entry_list, "nonce": nonce, "token": badge}
        fast = await post(client, door, body)
        assert fast.json()["result"] == expected and handed.count == 0
        # The same request again, sent as text/plain: the lane leaves it to the handler, which
        # reads the JSON all the same and, for a repeated nonce, repeats the first answer.
        slow = await post(client, door, body, content_type="text/plain")
        assert handed.count == 0  # not even read by the lane: it is not JSON
        assert comparable(slow) == comparable(fast), expected
        assert fast.content == slow.content
    repeat = {"list_id": door.entry_list, "nonce": secrets.token_hex(8), "token": badges["ok"]}
    fast, slow = await post(client, door, repeat), await post(client, door, repeat, content_type="text/plain")
    assert fast.json()["result"] == "already_checked_in" and fast.content == slow.content
    assert await CheckinScan.count().where(CheckinScan.attendee == door.people[0]) == 1


async def test_a_body_the_lane_cannot_take_reaches_the_handler_whole(client, monkeypatch):
    handed = Handed(monkeypatch)
    door = await make_door(1)
    badge = await door.token(door.people[0])
    r = await post(client, door, b'{"list_id": 1, "nonce": ')
    assert r.status_code == 400 and handed.count == 1
    r = await post(client, door, {"list_id": door.entry_list, "nonce": "n1", "token": badge, "colour": "red"})
    assert r.status_code == 400 and "colour" in r.text and handed.count == 2
    r = await post(client, door, {"list_id": door.entry_list, "nonce": "", "token": badge})
    assert r.status_code == 400 and "nonce" in r.text and handed.count == 3
    # Larger than the lane reads (padding the JSON with spaces keeps it valid): the handler
    # gets every byte, and the scan counts.
    padded = b'{"list_id": %d, "nonce": "n2", "token": "%s"' % (door.entry_list, badge.encode()) \
        + b" " * (scan_lane.MAX_BODY + 100) + b"}"
    r = await post(client, door, padded)
    assert r.status_code == 200 and r.json()["result"] == "ok" and handed.count == 4


async def test_the_lane_keeps_the_routes_refusals(client, monkeypatch):
    handed = Handed(monkeypatch)
    door = await make_door(1)
    badge = await door.token(door.people[0])
    body = {"list_id": door.entry_list, "nonce": "n", "token": badge}
    r = await post(client, door, body, bearer="dev_not-a-device")
    assert r.status_code == 401 and r.json()["code"] == "device_token"
    other = await make_door(1, slug="elsewhere")
    r = await post(client, door, {**body, "list_id": other.entry_list})
    assert r.status_code == 403 and r.json()["code"] == "list_not_allowed"
    r = await post(client, door, {**body, "direction": "out"})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["direction"]
    r = await post(client, door, {"list_id": door.entry_list, "nonce": "n"})  # neither token nor attendee_id
    assert r.status_code == 422
    assert handed.count == 0, "the lane answered these itself"
    assert await CheckinScan.count() == 0


async def test_a_body_in_pieces_is_read_whole():
    """At the ASGI level: the lane reads a body sent in several messages, and one that grows
    past its limit is handed on with every byte and the rest still to come."""
    seen = []

    async def handler(scope, receive, send):
        parts = []
        while True:
            message = await receive()
            parts.append(message["body"])
            if not message.get("more_body"):
                break
        seen.append(b"".join(parts))

    lane = scan_lane.scan_lane(handler)
    scope = {"type": "http", "headers": [(b"content-type", b"application/json")]}
    big = [b"[" + b" " * 5000, b" " * 5000, b" " * 5000 + b"]"]

    def receiving(chunks):
        messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                    for i, c in enumerate(chunks)]

        async def receive():
            return messages.pop(0)

        return receive

    await lane(scope, receiving(big), None)
    assert seen == [b"".join(big)]
    await lane(scope, receiving([b'{"list_id": 1,', b' "nonce": 7}']), None)  # wrong type: handed on
    assert seen[-1] == b'{"list_id": 1, "nonce": 7}'
