"""The folded name copies the staff lists sort and search on (registration/name_keys.py) follow
every write of a name, e-mail or institution: a new order (either way an order is written), an
edit, a transfer, a row inserted directly, and an erasure, which must not leave the erased
e-mail or institution searchable."""

from confops.backoffice.privacy import _erase_email
from confops.registration.name_keys import SOURCES, name_columns
from confops.registration.orders import order_by_token
from confops.registration.selfservice import edit_answers, transfer
from confops.registration.tables import Attendee, Order
from tests.documents.test_badge_data import register


async def _stored(attendee_id: int) -> tuple[dict, dict]:
    row = await Attendee.select(*(getattr(Attendee, c) for c in SOURCES), Attendee.name_key, Attendee.name_search,
                                Attendee.search_text).where(Attendee.id == attendee_id).first()
    return ({k: row[k] for k in ("name_key", "name_search", "search_text")},
            name_columns(*(row[c] for c in SOURCES)))


async def test_name_keys_follow_every_write(db, demo):
    placed = await register("zoe", "Zoë", "Ødegaard", email="zoe@example.org", institution="Hôpital Cochin")
    person = (await Attendee.select(Attendee.id).where(Attendee.order == placed.id).first())["id"]
    stored, expected = await _stored(person)
    assert stored == expected and stored["name_key"] == "odegaard\tzoe"
    assert "hopital cochin" in stored["search_text"] and "zoe@example.org" in stored["search_text"]

    order = await Order.select().where(Order.id == placed.id).first()
    await edit_answers(order, person, {"first_name": "Zoé", "badge_name": "Zo", "institution": "Karolinska"}, {},
                       staff=True)
    stored, expected = await _stored(person)
    assert stored == expected and stored["name_key"] == "odegaard\tzo" and "karolinska" in stored["search_text"]

    await transfer(await order_by_token(placed.id, placed.token), person,
                   {"first_name": "Åsa", "last_name": "Lind", "email": "asa@example.org"})
    stored, expected = await _stored(person)
    assert stored == expected and stored["name_key"] == "lind\tasa" and "zoe" not in stored["search_text"]

    await _erase_email("asa@example.org", [])
    stored, expected = await _stored(person)
    assert stored == expected and "asa" not in stored["search_text"] and "lind" not in stored["search_text"]

    other = await Attendee.select().where(Attendee.id != person).first()
    fields = {k: v for k, v in other.items() if k not in ("id", "name_key", "name_search", "search_text")}
    [made] = await Attendee.insert(Attendee(**{**fields, "checkin_code": "direct-1", "first_name": "Ìda",
                                                "last_name": "Ngô"})).returning(Attendee.id)
    stored, expected = await _stored(made["id"])
    assert stored == expected and stored["name_key"] == "ngo\t" + expected["name_key"].split("\t")[1]
